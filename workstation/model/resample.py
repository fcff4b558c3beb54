"""Put a volume on a regular grid for reformatting, and sample it along curves (curved MPR).

:func:`regular_volume` decides what a reformat may use as is. The voxel array is indexed
``[k, j, i]`` and :class:`VolumeGeometry` maps (i, j, k) to patient LPS (PS3.3 C.7.6.2.1.1):

- evenly spaced slices, orthogonal or tilted: the (possibly sheared) affine is exact, so the
  volume is used as it is (no copy). A reslicer that works in index space through the inverse
  affine (as :mod:`workstation.render.mpr` does) reformats a gantry-tilted CT correctly.
- uneven spacing or missing slices (``VolumeResult.is_regular`` false or ``missing_slices``):
  the slices are resampled along k, one new slice every ``usual spacing`` (the median gap along
  the normal; the lower one of the two middle gaps) from the first to the last real slice. Each new slice is interpolated linearly
  between the two real slices that bracket it, at the SAME (i, j), with the fraction taken from
  the real positions along the line from the first to the last Image Position (Patient). That is
  exact when the real slices lie on one line (as they do for a tilted CT, whose Image Positions
  step along the tilt direction); when they do not, the error is the distance off that line,
  which :func:`~workstation.model.geometry.build_volume_geometry` already reports as a warning
  above half a pixel. The result is a new array (the original can be dropped).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from workstation.errors import GeometryError
from workstation.model.geometry import VolumeGeometry, VolumeResult


@dataclass(frozen=True, eq=False)
class RegularVolume:
    """A voxel array ``[k, j, i]`` whose geometry is exact on every voxel, and how it was made."""

    volume: np.ndarray
    geometry: VolumeGeometry
    resampled: bool
    note: str = ""


def regular_volume(volume: np.ndarray, result: VolumeResult, *, spacing_mm: float | None = None) -> RegularVolume:
    """The volume on a grid its affine describes exactly (see the module doc).

    ``volume`` holds the kept slices in the order of ``result.slices`` (as
    :func:`workstation.net.volume_fetch.fetch_series_volume` returns them). ``spacing_mm``
    overrides the slice spacing of a resampled volume.
    """
    if volume.ndim != 3 or volume.shape[0] != len(result.slices):
        raise GeometryError(
            f"The volume has {volume.shape[0] if volume.ndim else 0} slices but its geometry lists {len(result.slices)}; "
            "load the series again."
        )
    geometry = result.geometry
    if result.is_regular and result.missing_slices == 0 and geometry.shape[0] == volume.shape[0]:
        note = f"gantry tilt {result.tilt_degrees:.1f} degrees: sheared grid used as is" if result.is_tilted else ""
        return RegularVolume(volume, geometry, False, note)
    return _resample_along_slices(volume, result, spacing_mm)


def _resample_along_slices(volume: np.ndarray, result: VolumeResult, spacing_mm: float | None) -> RegularVolume:
    positions = result.positions
    geometry = result.geometry
    normal = geometry.normal
    span = positions[-1] - positions[0]
    along_normal = float(span @ normal)
    if along_normal <= 0:
        raise GeometryError("The slices do not advance along their normal, so they cannot be resampled into a volume.")
    line = span / along_normal  # moves 1 mm along the normal per unit
    depth = (positions - positions[0]) @ normal
    gaps = np.diff(depth)
    step = float(spacing_mm) if spacing_mm is not None else float(np.sort(gaps)[(len(gaps) - 1) // 2])
    if not (math.isfinite(step) and step > 0):
        raise GeometryError(f"A resampled slice spacing must be a positive number of mm, not {spacing_mm!r}.")
    count = int(math.floor(along_normal / step + 1e-6)) + 1
    targets = np.arange(count) * step
    upper = np.clip(np.searchsorted(depth, targets, side="right"), 1, len(depth) - 1)
    lower = upper - 1
    fraction = np.clip((targets - depth[lower]) / (depth[upper] - depth[lower]), 0.0, 1.0)
    out = np.empty((count, *volume.shape[1:]), dtype=volume.dtype)
    integer = volume.dtype.kind in "iu"
    for m in range(count):
        t = float(fraction[m])
        a, b = volume[lower[m]], volume[upper[m]]
        if t <= 1e-9:
            out[m] = a
        elif t >= 1 - 1e-9:
            out[m] = b
        else:
            mixed = a * (1.0 - t) + b * t
            out[m] = np.rint(mixed) if integer else mixed
    off_line = positions - positions[0] - np.outer(depth, line)
    worst = float(np.max(np.linalg.norm(off_line, axis=1)))
    affine = np.array(geometry.affine)
    affine[:3, 2] = line * step
    affine[:3, 3] = positions[0]
    new_geometry = VolumeGeometry(affine, (count, volume.shape[1], volume.shape[2]))
    note = (
        f"resampled {len(positions)} unevenly spaced slices ({float(gaps.min()):.2f} to {float(gaps.max()):.2f} mm) "
        f"to {count} slices {step:.2f} mm apart by linear interpolation along the slice positions"
        + (f"; slices lie up to {worst:.2f} mm off one line" if worst > 0.01 else "")
    )
    return RegularVolume(out, new_geometry, True, note)


# -- sampling --------------------------------------------------------------------------------


def sample_trilinear(volume: np.ndarray, index: np.ndarray, fill: float = 0.0) -> np.ndarray:
    """Values of ``volume[k, j, i]`` at continuous indices (..., 3) = (i, j, k), trilinear;
    ``fill`` outside the voxel centres' box. Float64 result of shape index.shape[:-1]."""
    ijk = np.asarray(index, dtype=np.float64)
    shape = ijk.shape[:-1]
    flat = ijk.reshape(-1, 3)
    upper = np.array([volume.shape[2] - 1, volume.shape[1] - 1, volume.shape[0] - 1], dtype=np.float64)
    inside = np.all((flat >= -1e-6) & (flat <= upper + 1e-6), axis=1)
    p = np.clip(flat, 0.0, upper)
    base = np.minimum(np.floor(p), np.maximum(upper - 1, 0)).astype(np.intp)
    frac = p - base
    out = np.zeros(len(flat), dtype=np.float64)
    for di in (0, 1):
        for dj in (0, 1):
            for dk in (0, 1):
                i = np.minimum(base[:, 0] + di, int(upper[0]))
                j = np.minimum(base[:, 1] + dj, int(upper[1]))
                k = np.minimum(base[:, 2] + dk, int(upper[2]))
                w = (frac[:, 0] if di else 1 - frac[:, 0]) * (frac[:, 1] if dj else 1 - frac[:, 1]) * (frac[:, 2] if dk else 1 - frac[:, 2])
                out += w * volume[k, j, i]
    out[~inside] = fill
    return out.reshape(shape)


@dataclass(frozen=True, eq=False)
class CurvedReformat:
    """A stretched curved reformat: row r lies at arc length ``r * spacing`` along the path,
    column c at ``(c - (columns - 1) / 2) * spacing`` mm across it, along ``across[r]``."""

    image: np.ndarray  # (rows, columns) float64 values (stored units)
    centre: np.ndarray  # (rows, 3) LPS of the path point of each row
    across: np.ndarray  # (rows, 3) unit direction of increasing column for each row
    spacing: float

    def pixel_to_patient(self, column: float, row: int) -> np.ndarray:
        """LPS point of pixel (column, row)."""
        columns = self.image.shape[1]
        return self.centre[row] + (float(column) - (columns - 1) / 2.0) * self.spacing * self.across[row]


def curved_reformat(
    volume: np.ndarray,
    geometry: VolumeGeometry,
    path_points_lps: Sequence[ArrayLike] | np.ndarray,
    width_mm: float,
    spacing: float,
    *,
    view_normal: ArrayLike | None = None,
    fill: float | None = None,
) -> CurvedReformat:
    """Curved (stretched) MPR along a polyline clicked on a plane.

    The polyline is resampled every ``spacing`` mm of arc length; at each point a line of
    ``width_mm`` perpendicular to the path and lying in the plane it was drawn on (normal
    ``view_normal``; default: the normal of the plane that best fits the points, else the
    patient's head-foot axis for a straight path) is sampled trilinearly. ``fill`` (default the
    volume's minimum) is used outside the volume.
    """
    points = np.asarray(path_points_lps, dtype=np.float64).reshape(-1, 3)
    if len(points) < 2:
        raise GeometryError("A curved reformat needs a path of at least two points.")
    if not (spacing > 0 and width_mm > 0):
        raise GeometryError("A curved reformat needs a positive width and spacing in mm.")
    seg = np.diff(points, axis=0)
    lengths = np.linalg.norm(seg, axis=1)
    keep = np.concatenate([[True], lengths > 1e-9])
    points = points[keep]
    seg = np.diff(points, axis=0)
    lengths = np.linalg.norm(seg, axis=1)
    if len(points) < 2:
        raise GeometryError("The curved reformat path has length zero; click at least two different points.")
    normal = _path_normal(points) if view_normal is None else np.asarray(view_normal, dtype=np.float64).reshape(3)
    normal = normal / float(np.linalg.norm(normal))
    arc = np.concatenate([[0.0], np.cumsum(lengths)])
    s = np.arange(0.0, arc[-1] + 1e-9, float(spacing))
    centre = np.column_stack([np.interp(s, arc, points[:, axis]) for axis in range(3)])
    segment = np.clip(np.searchsorted(arc, s, side="right") - 1, 0, len(seg) - 1)
    tangent = seg[segment] / lengths[segment][:, None]
    across = np.cross(tangent, normal)
    norms = np.linalg.norm(across, axis=1)
    if np.any(norms < 1e-6):
        raise GeometryError("The curved reformat path runs along the view direction; draw it within one plane.")
    across /= norms[:, None]
    half = int(round(width_mm / (2.0 * spacing)))
    offsets = (np.arange(2 * half + 1) - half) * float(spacing)
    lps = centre[:, None, :] + offsets[None, :, None] * across[:, None, :]
    value = float(volume.min()) if fill is None else float(fill)
    image = sample_trilinear(volume, geometry.patient_to_index(lps), fill=value)
    return CurvedReformat(image, centre, across, float(spacing))


def _path_normal(points: np.ndarray) -> np.ndarray:
    centred = points - points.mean(axis=0)
    _, singular, vt = np.linalg.svd(centred, full_matrices=True)
    if len(points) >= 3 and len(singular) >= 2 and singular[1] > 1e-6 * max(singular[0], 1e-12):
        return vt[2]
    # A straight path: the line is in the plane; pick the patient axis least along it.
    direction = vt[0]
    axis = next(a for a in (np.array([0.0, 0.0, 1.0]), np.array([0.0, 1.0, 0.0]), np.eye(3)[0]) if abs(float(a @ direction)) < 0.7)
    return np.cross(direction, np.cross(axis, direction))


__all__ = ["CurvedReformat", "RegularVolume", "curved_reformat", "regular_volume", "sample_trilinear"]
