"""Where images meet in patient space: pixel <-> patient, reference lines and the 3D cursor.

All of it rests on the Image Plane equation of PS3.3 C.7.6.2.1.1: the centre of the pixel in
column ``c`` and row ``r`` lies at ``P = S + X * dc * c + Y * dr * r`` (S Image Position
(Patient), X/Y the row/column cosines of Image Orientation (Patient), dc/dr the column/row
spacing from Pixel Spacing). Two images can only be related when they share a Frame of Reference
(PS3.3 C.7.4.1, Frame of Reference UID); otherwise every function here answers ``None``.

Continuous pixel coordinates put the centre of pixel (c, r) at (c, r); the image covers
``[-0.5, columns - 0.5] x [-0.5, rows - 0.5]``.

- :func:`reference_line`: the segment where a source image (the active slice) cuts a target
  image's plane, drawn on the target in its pixel coordinates (the "reference lines" or
  "scout lines" that workstations draw on a localizer or on the other viewports).
- :class:`StackGeometry` and :meth:`StackGeometry.locate`: the 3D cursor, a patient point turned
  into the nearest image of a display set and the pixel on it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike
from pydicom.dataset import Dataset

from workstation.errors import GeometryError
from workstation.model.displayset import DisplaySet
from workstation.model.frame_of_reference import display_frame
from workstation.model.image_plane import ImagePlane, image_planes

#: Planes whose normals are closer than this (degrees) count as parallel: no reference line.
PARALLEL_TOLERANCE_DEG = 1.0


# -- one image plane ---------------------------------------------------------------------------


def _unit(v: np.ndarray) -> np.ndarray:
    norm = float(np.linalg.norm(v))
    if norm < 1e-9 or not math.isfinite(norm):
        raise GeometryError("Image Orientation (Patient) has a direction of length zero; the image cannot be placed in patient space.")
    return v / norm


def _units(vectors: np.ndarray) -> np.ndarray:
    """Each row of ``vectors`` (n, 3) divided by its length (as :func:`_unit`, row by row)."""
    norms = np.linalg.norm(vectors, axis=1)
    if not np.all(np.isfinite(norms)) or np.any(norms < 1e-9):
        _unit(vectors[int(np.argmin(np.where(np.isfinite(norms), norms, -1.0)))])  # raises
    return vectors / norms[:, None]


def plane_axes(plane: ImagePlane) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Unit row direction (increasing column), column direction (increasing row) and normal."""
    row = _unit(np.asarray(plane.orientation[:3], dtype=np.float64))
    col = _unit(np.asarray(plane.orientation[3:], dtype=np.float64))
    return row, col, _unit(np.cross(row, col))


def pixel_to_patient(plane: ImagePlane, column: float, row: float) -> np.ndarray:
    """Patient LPS point (mm) of continuous pixel coordinates (PS3.3 C.7.6.2.1.1)."""
    x, y, _ = plane_axes(plane)
    row_spacing, column_spacing = plane.pixel_spacing
    return np.asarray(plane.position, dtype=np.float64) + x * column_spacing * float(column) + y * row_spacing * float(row)


def _pixels_to_patient(plane: ImagePlane, axes: tuple[np.ndarray, np.ndarray, np.ndarray], pixels: np.ndarray) -> np.ndarray:
    """:func:`pixel_to_patient` for (n, 2) (column, row) points at once, the axes given."""
    x, y, _ = axes
    row_spacing, column_spacing = plane.pixel_spacing
    position = np.asarray(plane.position, dtype=np.float64)
    return position + np.outer(pixels[:, 0] * column_spacing, x) + np.outer(pixels[:, 1] * row_spacing, y)


def patient_to_pixel(plane: ImagePlane, point: ArrayLike) -> tuple[float, float, float]:
    """(column, row, signed distance from the plane along its normal in mm) of a patient point.

    The point is projected onto the plane along the normal; the distance says how far off the
    plane it lies (positive on the side the normal points to).
    """
    x, y, n = plane_axes(plane)
    row_spacing, column_spacing = plane.pixel_spacing
    d = np.asarray(point, dtype=np.float64).reshape(3) - np.asarray(plane.position, dtype=np.float64)
    return (float(d @ x) / column_spacing, float(d @ y) / row_spacing, float(d @ n))


def image_corners(plane: ImagePlane) -> np.ndarray:
    """Patient points (4, 3) of the outer corners of the image (pixel edges, not centres),
    in order top-left, top-right, bottom-right, bottom-left."""
    return _corners(plane, plane_axes(plane))


def _corners(plane: ImagePlane, axes: tuple[np.ndarray, np.ndarray, np.ndarray]) -> np.ndarray:
    c0, r0 = -0.5, -0.5
    c1, r1 = plane.columns - 0.5, plane.rows - 0.5
    return _pixels_to_patient(plane, axes, np.array([(c0, r0), (c1, r0), (c1, r1), (c0, r1)]))


def image_centre(plane: ImagePlane) -> np.ndarray:
    """Patient point of the centre of the image."""
    return pixel_to_patient(plane, (plane.columns - 1) / 2, (plane.rows - 1) / 2)


def _same_frame(a: str | None, b: str | None) -> bool:
    return bool(a) and bool(b) and a == b


# -- reference lines ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ReferenceLine:
    """A segment on the target image, in its continuous pixel coordinates (column, row)."""

    start: tuple[float, float]
    end: tuple[float, float]

    @property
    def length_pixels(self) -> float:
        return math.hypot(self.end[0] - self.start[0], self.end[1] - self.start[1])


def _clip_segment(
    p0: np.ndarray, p1: np.ndarray, lo: tuple[float, float], hi: tuple[float, float]
) -> tuple[np.ndarray, np.ndarray] | None:
    """Liang-Barsky clipping of the segment p0-p1 to the box [lo, hi]; None when it misses."""
    t0, t1 = 0.0, 1.0
    d = p1 - p0
    for axis in range(2):
        for p, q in ((-d[axis], p0[axis] - lo[axis]), (d[axis], hi[axis] - p0[axis])):
            if abs(p) < 1e-12:
                if q < 0:
                    return None
                continue
            t = q / p
            if p < 0:
                t0 = max(t0, t)
            else:
                t1 = min(t1, t)
            if t0 > t1:
                return None
    return p0 + t0 * d, p0 + t1 * d


def reference_line(
    source: ImagePlane,
    target: ImagePlane,
    *,
    source_frame_of_reference: str | None,
    target_frame_of_reference: str | None,
) -> ReferenceLine | None:
    """Where the source image cuts the target image's plane, in target pixel coordinates.

    The source image is a finite rectangle: its edges are intersected with the target plane,
    giving the segment the source image actually covers; that segment is then clipped to the
    target image. Returns ``None`` when the Frames of Reference differ or are unknown, when the
    planes are parallel (within :data:`PARALLEL_TOLERANCE_DEG`), or when the source image does
    not reach the target plane or its line misses the target image.
    """
    if not _same_frame(source_frame_of_reference, target_frame_of_reference):
        return None
    source_axes = plane_axes(source)
    x_target, y_target, n_target = plane_axes(target)
    if float(np.linalg.norm(np.cross(source_axes[2], n_target))) < math.sin(math.radians(PARALLEL_TOLERANCE_DEG)):
        return None
    origin = np.asarray(target.position, dtype=np.float64)
    corners = _corners(source, source_axes)
    distances = (corners - origin) @ n_target
    points: list[np.ndarray] = []
    for k in range(4):
        a, b = corners[k], corners[(k + 1) % 4]
        da, db = float(distances[k]), float(distances[(k + 1) % 4])
        if da == 0.0:
            points.append(a)
        if (da < 0 < db) or (db < 0 < da):
            points.append(a + (b - a) * (da / (da - db)))
    if len(points) < 2:
        return None
    # The two points farthest apart (a corner lying on the plane may be found twice).
    best = max(((p, q) for i, p in enumerate(points) for q in points[i + 1 :]), key=lambda pq: float(np.linalg.norm(pq[0] - pq[1])))
    row_spacing, column_spacing = target.pixel_spacing
    pixels = [np.array([float((p - origin) @ x_target) / column_spacing, float((p - origin) @ y_target) / row_spacing]) for p in best]
    clipped = _clip_segment(pixels[0], pixels[1], (-0.5, -0.5), (target.columns - 0.5, target.rows - 0.5))
    if clipped is None:
        return None
    a, b = clipped
    if float(np.linalg.norm(b - a)) < 1e-9:
        return None
    return ReferenceLine((float(a[0]), float(a[1])), (float(b[0]), float(b[1])))


# -- stacks and the 3D cursor ------------------------------------------------------------------


@dataclass(frozen=True)
class CursorHit:
    """Where a patient point falls on a display set.

    ``index`` is the nearest image (smallest distance from the point to its plane), ``column`` and
    ``row`` the continuous pixel coordinates of the point projected onto it, ``distance_mm`` the
    distance from the point to that plane. ``on_slice`` is True when the point lies within half a
    slice spacing of the plane (else the cursor is "outside" the display set), ``in_image`` when
    the projected pixel lies inside the image.
    """

    index: int
    column: float
    row: float
    distance_mm: float
    on_slice: bool
    in_image: bool

    @property
    def status(self) -> str:
        """'inside' when the point is on the slice and inside the image, else 'outside'."""
        return "inside" if self.on_slice and self.in_image else "outside"

    @property
    def pixel(self) -> tuple[int, int]:
        """The (column, row) of the pixel that holds the point."""
        return (int(math.floor(self.column + 0.5)), int(math.floor(self.row + 0.5)))


class StackGeometry:
    """The image planes of one display set in display order (image index), with their Frame of
    Reference: what linked scrolling, reference lines and the 3D cursor need."""

    __slots__ = ("_centres", "_normals", "_parallel", "_planes", "_positions", "_spacing", "frame_of_reference_uid")

    def __init__(self, planes: Sequence[ImagePlane], frame_of_reference_uid: str | None, *, slice_spacing: float | None = None):
        if not planes:
            raise GeometryError("A display set without placed images has no geometry to link or point into.")
        self._planes = tuple(planes)
        self.frame_of_reference_uid = (frame_of_reference_uid or "").strip() or None
        # All planes at once (the per-plane functions above, as array operations).
        count = len(self._planes)
        self._positions = np.array([p.position for p in self._planes], dtype=np.float64).reshape(count, 3)
        orientation = np.array([p.orientation for p in self._planes], dtype=np.float64).reshape(count, 6)
        row = _units(orientation[:, :3])
        col = _units(orientation[:, 3:])
        self._normals = _units(np.cross(row, col))
        spacing = np.array([p.pixel_spacing for p in self._planes], dtype=np.float64).reshape(count, 2)
        half_columns = (np.array([p.columns for p in self._planes], dtype=np.float64) - 1) / 2
        half_rows = (np.array([p.rows for p in self._planes], dtype=np.float64) - 1) / 2
        self._centres = (self._positions + row * (spacing[:, 1] * half_columns)[:, None]
                         + col * (spacing[:, 0] * half_rows)[:, None])
        # One stack of parallel planes (all normals alike)? Asked at every linked scroll step.
        self._parallel = bool(np.allclose(self._normals, self._normals[0], atol=1e-3))
        self._spacing = slice_spacing if slice_spacing and slice_spacing > 0 else self._measured_spacing()

    @classmethod
    def from_headers(cls, headers: Sequence[Dataset], *, slice_spacing: float | None = None,
                     frame_of_reference_uid: str | None = None) -> StackGeometry:
        """From instance headers in display order (PS3.3 C.7.6.2 or C.7.6.16 for enhanced images).

        The Frame of Reference is ``frame_of_reference_uid`` when given (a display set's, which
        may be linked with other series), else the one the images share, or the one a consistent
        series whose slices each carry their own UID is shown in, else None
        (:func:`workstation.model.frame_of_reference.display_frame`). Raises
        :class:`GeometryError` when an image has no Image Plane attributes.
        """
        planes = image_planes(headers)
        return cls(planes, frame_of_reference_uid or display_frame(headers).uid, slice_spacing=slice_spacing)

    @classmethod
    def from_display_set(cls, display_set: DisplaySet, frame_of_reference_uid: str | None) -> StackGeometry | None:
        """For a volume display set: its slices in display order; ``None`` for other kinds
        (build stacks with :meth:`from_headers`, since their display sets carry no planes)."""
        if display_set.volume is None:
            return None
        spacing = display_set.geometry.spacing[2] if display_set.geometry is not None else None
        return cls(display_set.volume.slices, frame_of_reference_uid, slice_spacing=spacing)

    def _measured_spacing(self) -> float | None:
        if len(self._planes) < 2:
            return None
        n = self._normals[0]
        if not self._parallel:
            return None
        locations = np.sort(self._positions @ n)
        gaps = np.diff(locations)
        gaps = gaps[gaps > 1e-3]
        return float(np.median(gaps)) if gaps.size else None

    # -- what it holds -------------------------------------------------------------------------
    @property
    def planes(self) -> tuple[ImagePlane, ...]:
        return self._planes

    def __len__(self) -> int:
        return len(self._planes)

    @property
    def slice_spacing(self) -> float | None:
        """Distance between neighbouring planes (mm), or None for one image or mixed orientations."""
        return self._spacing

    def normal(self, index: int) -> np.ndarray:
        return self._normals[index].copy()

    def centre(self, index: int) -> np.ndarray:
        """Patient point of the centre of image ``index``."""
        return self._centres[index].copy()

    def location(self, index: int) -> float:
        """Slice location: the position of image ``index`` along its normal (mm)."""
        return float(self._positions[index] @ self._normals[index])

    def is_parallel_to(self, other: StackGeometry, tolerance_deg: float = 10.0) -> bool:
        """True when both display sets are stacks of parallel planes with (anti)parallel normals."""
        if not (self._parallel and other._parallel):
            return False
        a, b = self._normals[0], other._normals[0]
        cosine = abs(a[0] * b[0] + a[1] * b[1] + a[2] * b[2])
        return float(cosine) >= math.cos(math.radians(tolerance_deg))

    # -- the 3D cursor -------------------------------------------------------------------------
    def distances(self, point: ArrayLike) -> np.ndarray:
        """Unsigned distance (mm) from a patient point to each image plane."""
        p = np.asarray(point, dtype=np.float64).reshape(3)
        return np.abs(np.einsum("ij,ij->i", p - self._positions, self._normals))

    def nearest_index(self, point: ArrayLike) -> int:
        """Index of the image whose plane is nearest to the point (first one on a tie)."""
        return int(np.argmin(self.distances(point)))

    def locate(self, point: ArrayLike, frame_of_reference_uid: str | None) -> CursorHit | None:
        """The 3D cursor: nearest image and pixel for a patient point, ``None`` across frames.

        "On the slice" means within half the slice spacing; for a single image (or mixed
        orientations) within half the spacing given at construction, else within 0.5 mm.
        """
        if not _same_frame(frame_of_reference_uid, self.frame_of_reference_uid):
            return None
        distances = self.distances(point)
        index = int(np.argmin(distances))
        plane = self._planes[index]
        column, row, _ = patient_to_pixel(plane, point)
        half = 0.5 * (self._spacing if self._spacing else 1.0)
        in_image = -0.5 <= column <= plane.columns - 0.5 and -0.5 <= row <= plane.rows - 0.5
        distance = float(distances[index])
        return CursorHit(index, column, row, distance, distance <= half + 1e-6, in_image)


__all__ = [
    "PARALLEL_TOLERANCE_DEG",
    "CursorHit",
    "ReferenceLine",
    "StackGeometry",
    "image_centre",
    "image_corners",
    "patient_to_pixel",
    "pixel_to_patient",
    "plane_axes",
    "reference_line",
]
