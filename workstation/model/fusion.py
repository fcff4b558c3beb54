"""PET/CT fusion: a functional series (PET, in SUV or Bq/ml) sampled on an anatomical image's
pixel grid, through patient coordinates (PS3.3 C.7.6.2.1.1, LPS mm), so the two can be blended.

Both series must share a Frame of Reference (PS3.3 C.7.4.1): positions in one are then positions
in the other. The functional series is a stack of parallel planes (its images, each with its
values on its own grid). A pixel centre P of the anatomical image is placed in the stack: the
slice whose plane is nearest along the stack's normal (within half the slice spacing, else
nothing) and in that slice the pixel whose centre is nearest (nearest-neighbour resampling: a PET
voxel keeps its value, it is not smoothed). Outside the stack the result is NaN.

:func:`fused_rgb` blends the colour-mapped functional values (a PS3.6 B.1 palette over a window
such as 0-5 SUV) over the grey anatomical picture with an opacity.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from workstation.errors import GeometryError
from workstation.model import colormaps
from workstation.model.image_plane import ImagePlane
from workstation.model.spatial import pixel_to_patient, plane_axes


class FusionSource:
    """A functional series as (plane, values) per image, ready to sample on other grids.

    Raises GeometryError when the images are not parallel planes of one grid."""

    def __init__(self, images: Sequence[tuple[ImagePlane, np.ndarray]], frame_of_reference: str | None = None,
                 slice_spacing: float | None = None) -> None:
        if not images:
            raise GeometryError("The functional series has no images with a position in the patient; it cannot be fused.")
        first = images[0][0]
        row_axis, column_axis, normal = plane_axes(first)
        self.frame_of_reference = frame_of_reference
        self.row_axis, self.column_axis, self.normal = row_axis, column_axis, normal
        self.spacing = first.pixel_spacing  # (row spacing, column spacing)
        self.shape = (first.rows, first.columns)
        located = []
        for plane, values in images:
            if (plane.rows, plane.columns) != self.shape or not np.allclose(plane.orientation, first.orientation, atol=1e-4):
                raise GeometryError("The functional series mixes image sizes or orientations; it cannot be fused as one volume.")
            located.append((float(np.asarray(plane.position) @ normal), plane, values))
        located.sort(key=lambda item: item[0])
        self.locations = np.array([loc for loc, _, _ in located])
        self.origins = np.array([np.asarray(plane.position, dtype=np.float64) for _, plane, _ in located])
        self.values = np.stack([np.asarray(v, dtype=np.float32) for _, _, v in located])
        gaps = np.diff(self.locations)
        # The spacing given (a segmentation's, whose empty frames may be left out), else the median gap.
        self.slice_spacing = float(slice_spacing) if slice_spacing else (float(np.median(gaps)) if len(gaps) else 1.0)

    def sample_points(self, points: np.ndarray) -> np.ndarray:
        """Values at patient points (n, 3) LPS mm: nearest voxel, NaN outside the stack."""
        points = np.asarray(points, dtype=np.float64).reshape(-1, 3)
        along = points @ self.normal
        k = np.searchsorted(self.locations, along)
        k = np.clip(k, 0, len(self.locations) - 1)
        below = np.clip(k - 1, 0, len(self.locations) - 1)
        nearer = np.where(np.abs(self.locations[below] - along) < np.abs(self.locations[k] - along), below, k)
        half = 0.5 * self.slice_spacing
        ok = np.abs(self.locations[nearer] - along) <= half + 1e-6
        relative = points - self.origins[nearer]
        column = np.rint(relative @ self.row_axis / self.spacing[1]).astype(np.int64)
        row = np.rint(relative @ self.column_axis / self.spacing[0]).astype(np.int64)
        ok &= (column >= 0) & (column < self.shape[1]) & (row >= 0) & (row < self.shape[0])
        out = np.full(len(points), np.nan, dtype=np.float32)
        out[ok] = self.values[nearer[ok], row[ok], column[ok]]
        return out

    def sample_on(self, plane: ImagePlane) -> np.ndarray:
        """The functional values at each pixel centre of ``plane`` (rows, columns), NaN outside."""
        origin = pixel_to_patient(plane, 0.0, 0.0)
        step_c = pixel_to_patient(plane, 1.0, 0.0) - origin
        step_r = pixel_to_patient(plane, 0.0, 1.0) - origin
        rows, columns = np.mgrid[0:plane.rows, 0:plane.columns]
        points = origin + columns[..., None] * step_c + rows[..., None] * step_r
        return self.sample_points(points.reshape(-1, 3)).reshape(plane.rows, plane.columns)


def fused_rgb(grey_rgb: np.ndarray, functional: np.ndarray, window: tuple[float, float], colormap: str = colormaps.HOT_IRON,
              opacity: float = 0.5) -> None:
    """Blend ``functional`` values (rows, columns; NaN = none) over an (rows, columns, 3) uint8
    picture in place: values mapped linearly from ``window`` (low, high) to the palette's 256
    entries (clipped), mixed with ``opacity`` where there is a value."""
    low, high = window
    table = colormaps.palette(colormap)
    if table is None:
        table = np.repeat(np.arange(256, dtype=np.uint8)[:, None], 3, axis=1)
    present = np.isfinite(functional)
    if not present.any():
        return
    scaled = np.zeros(functional.shape, dtype=np.float32)
    scaled[present] = (functional[present] - low) / max(high - low, 1e-12)
    index = np.clip(np.rint(scaled * 255.0), 0, 255).astype(np.uint8)
    colour = table[index].astype(np.float32)
    base = grey_rgb.astype(np.float32)
    mixed = base * (1.0 - opacity) + colour * opacity
    base[present] = mixed[present]
    np.copyto(grey_rgb, np.clip(np.rint(base), 0, 255).astype(np.uint8))
