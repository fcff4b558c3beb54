"""Volume geometry: one affine from voxel index to patient coordinates, and how to build it.

A volume is a stack of parallel image planes. Following PS3.3 C.7.6.2.1.1 (Image Position and
Image Orientation), the centre of the pixel in column ``i`` and row ``j`` of a slice lies at

    P = S + X * delta_i * i + Y * delta_j * j

where S is Image Position (Patient), X and Y are the row and column direction cosines of Image
Orientation (Patient), delta_i is the column spacing (Pixel Spacing[1]) and delta_j the row
spacing (Pixel Spacing[0]). Adding the step from one slice to the next as a third column gives one
4x4 affine, as highdicom's ``VolumeGeometry`` does::

    [x, y, z, 1]^T = A @ [i, j, k, 1]^T     (i column, j row, k slice; x, y, z in LPS mm)

The array that holds the voxels is indexed ``[k, j, i]`` (shape = slices, rows, columns).

:func:`build_volume_geometry` sorts slices by their position along the normal (row x column),
never by Instance Number, measures slice spacing from Image Position (Patient) (never from Slice
Thickness), and reports uneven spacing, missing slices, duplicate positions and gantry tilt as
:class:`~workstation.model.image_warning.ImageWarning` objects. A tilted stack gets a sheared
affine that carries the real step between slices, so index <-> patient stays exact; it is
flagged so that a renderer can resample it onto an orthogonal grid.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike
from pydicom.dataset import Dataset

from workstation.errors import GeometryError
from workstation.model.image_plane import ImagePlane, image_planes
from workstation.model.image_warning import ImageWarning, WarningCode

#: Angle (degrees) within which a slice normal counts as a standard plane rather than oblique.
PLANE_TOLERANCE_DEG = 1.0
#: Direction cosines smaller than this are left out of orientation letters (about 0.6 degrees).
LETTER_MIN_COMPONENT = 0.01
#: Angle (degrees) between slice step and normal above which a stack counts as tilted.
TILT_TOLERANCE_DEG = 0.1
#: Largest difference between two Image Orientation (Patient) cosines still called the same.
ORIENTATION_TOLERANCE = 1e-3
#: Two slices whose locations along the normal differ by less than this (mm) share one position.
DUPLICATE_TOLERANCE_MM = 0.01

_LETTERS = (("L", "R"), ("P", "A"), ("H", "F"))  # +x, -x / +y, -y / +z, -z (PS3.3 C.7.6.1.1.1)
_PLANES = ("sagittal", "coronal", "axial")


def orientation_letters(vector: ArrayLike, min_component: float = LETTER_MIN_COMPONENT) -> str:
    """Patient orientation letters of a direction (PS3.3 C.7.6.1.1.1), largest component first.

    LPS axes: +x is the patient's Left (``L``, ``R`` opposite), +y Posterior (``P``/``A``), +z
    Head (``H``/``F``). An axis-aligned direction gives one letter (``"L"``); an oblique one
    gives two or three ordered by magnitude (``"LP"``). Components below ``min_component`` are
    left out. A zero vector raises :class:`GeometryError`.
    """
    v = np.asarray(vector, dtype=np.float64).reshape(3)
    norm = float(np.linalg.norm(v))
    if not math.isfinite(norm) or norm < 1e-9:
        raise GeometryError("A direction of length zero has no patient orientation; check Image Orientation (Patient).")
    v = v / norm
    order = sorted(range(3), key=lambda axis: -abs(v[axis]))
    letters = [
        _LETTERS[axis][0 if v[axis] > 0 else 1] for axis in order if abs(v[axis]) >= min_component
    ]
    return "".join(letters)


def _unit(v: np.ndarray) -> np.ndarray:
    return v / float(np.linalg.norm(v))


def _angle_deg(a: np.ndarray, b: np.ndarray) -> float:
    """Angle between two lines (not caring for their sense), in degrees."""
    cos = abs(float(np.dot(_unit(a), _unit(b))))
    return math.degrees(math.acos(min(1.0, cos)))


class VolumeGeometry:
    """A regular grid of voxels in patient space: one 4x4 affine and the grid's shape.

    The affine maps (column i, row j, slice k, 1) to patient LPS millimetres (PS3.3 C.7.6.2.1.1
    extended by the slice step). ``shape`` is (slices, rows, columns), the shape of the voxel
    array indexed ``[k, j, i]``.
    """

    __slots__ = ("_affine", "_inverse", "_shape")

    def __init__(self, affine: ArrayLike, shape: tuple[int, int, int]):
        matrix = np.array(affine, dtype=np.float64)
        if matrix.shape != (4, 4) or not np.all(np.isfinite(matrix)):
            raise GeometryError("A volume affine must be a 4x4 matrix of finite numbers.")
        if not np.allclose(matrix[3], (0.0, 0.0, 0.0, 1.0)):
            raise GeometryError("The last row of a volume affine must be (0, 0, 0, 1).")
        if abs(float(np.linalg.det(matrix[:3, :3]))) < 1e-12:
            raise GeometryError("The volume affine is singular: two of its axes are parallel or of length zero.")
        if len(shape) != 3 or any(int(n) < 1 for n in shape):
            raise GeometryError(f"A volume needs at least one slice, row and column; got shape {tuple(shape)}.")
        matrix.setflags(write=False)
        self._affine = matrix
        inverse = np.linalg.inv(matrix)
        inverse.setflags(write=False)
        self._inverse = inverse
        self._shape = (int(shape[0]), int(shape[1]), int(shape[2]))

    @classmethod
    def from_image_plane(
        cls,
        position: ArrayLike,
        orientation: ArrayLike,
        pixel_spacing: tuple[float, float],
        slice_step: ArrayLike,
        shape: tuple[int, int, int],
    ) -> VolumeGeometry:
        """Build from the first slice's Image Plane attributes and the step to the next slice.

        ``orientation`` is Image Orientation (Patient) (row cosines, column cosines),
        ``pixel_spacing`` is Pixel Spacing (row spacing, column spacing) and ``slice_step`` the
        vector (mm) from one slice's Image Position (Patient) to the next one's.
        """
        o = np.asarray(orientation, dtype=np.float64).reshape(6)
        row, col = _unit(o[:3]), _unit(o[3:])
        affine = np.eye(4)
        affine[:3, 0] = row * float(pixel_spacing[1])
        affine[:3, 1] = col * float(pixel_spacing[0])
        affine[:3, 2] = np.asarray(slice_step, dtype=np.float64).reshape(3)
        affine[:3, 3] = np.asarray(position, dtype=np.float64).reshape(3)
        return cls(affine, shape)

    # -- the mapping -----------------------------------------------------------------------
    @property
    def affine(self) -> np.ndarray:
        """The 4x4 affine (read-only) from (column, row, slice, 1) to (x, y, z, 1) in LPS mm."""
        return self._affine

    @property
    def shape(self) -> tuple[int, int, int]:
        """(slices, rows, columns)."""
        return self._shape

    def index_to_patient(self, index: ArrayLike) -> np.ndarray:
        """Patient LPS coordinates (mm) of voxel indices given as (..., 3) = (column, row, slice)."""
        ijk = np.asarray(index, dtype=np.float64)
        if ijk.shape[-1:] != (3,):
            raise ValueError("voxel indices must have a last axis of length 3 (column, row, slice)")
        return ijk @ self._affine[:3, :3].T + self._affine[:3, 3]

    def patient_to_index(self, point: ArrayLike) -> np.ndarray:
        """Continuous voxel indices (..., 3) = (column, row, slice) of patient LPS points (mm)."""
        xyz = np.asarray(point, dtype=np.float64)
        if xyz.shape[-1:] != (3,):
            raise ValueError("patient points must have a last axis of length 3 (x, y, z)")
        return xyz @ self._inverse[:3, :3].T + self._inverse[:3, 3]

    # -- derived quantities ------------------------------------------------------------------
    @property
    def row_direction(self) -> np.ndarray:
        """Unit vector along a row (direction of increasing column index)."""
        return _unit(self._affine[:3, 0])

    @property
    def column_direction(self) -> np.ndarray:
        """Unit vector down a column (direction of increasing row index)."""
        return _unit(self._affine[:3, 1])

    @property
    def normal(self) -> np.ndarray:
        """Unit normal of the slice planes, row direction x column direction."""
        return _unit(np.cross(self.row_direction, self.column_direction))

    @property
    def slice_step(self) -> np.ndarray:
        """Vector (mm) from one slice's first pixel to the next slice's (the affine's 3rd column)."""
        return self._affine[:3, 2].copy()

    @property
    def direction(self) -> np.ndarray:
        """3x3 matrix whose columns are the unit row direction, column direction and normal."""
        return np.column_stack([self.row_direction, self.column_direction, self.normal])

    @property
    def spacing(self) -> tuple[float, float, float]:
        """(row spacing, column spacing, slice spacing) in mm.

        Row and column spacing are those of Pixel Spacing; slice spacing is the distance between
        slice planes measured along the normal (for a tilted stack it is shorter than the step).
        """
        row_spacing = float(np.linalg.norm(self._affine[:3, 1]))
        column_spacing = float(np.linalg.norm(self._affine[:3, 0]))
        slice_spacing = abs(float(np.dot(self._affine[:3, 2], self.normal)))
        return (row_spacing, column_spacing, slice_spacing)

    @property
    def shear_degrees(self) -> float:
        """Angle between the slice step and the normal: the gantry tilt of a tilted CT, else 0."""
        return _angle_deg(self._affine[:3, 2], self.normal)

    @property
    def is_sheared(self) -> bool:
        """True when the slice axis is not perpendicular to the slices (renderers must resample)."""
        return self.shear_degrees > TILT_TOLERANCE_DEG

    @property
    def nearest_plane(self) -> str:
        """'axial', 'coronal' or 'sagittal': the standard plane nearest to the slices."""
        return _PLANES[int(np.argmax(np.abs(self.normal)))]

    @property
    def plane(self) -> str:
        """The acquisition plane: 'axial', 'coronal', 'sagittal', or 'oblique' when the normal is
        more than :data:`PLANE_TOLERANCE_DEG` away from every patient axis."""
        normal = self.normal
        axis = int(np.argmax(np.abs(normal)))
        angle = math.degrees(math.acos(min(1.0, abs(float(normal[axis])))))
        return _PLANES[axis] if angle <= PLANE_TOLERANCE_DEG else "oblique"

    @property
    def axis_letters(self) -> tuple[str, str, str]:
        """Orientation letters (PS3.3 C.7.6.1.1.1) toward which column, row and slice indices grow."""
        return (
            orientation_letters(self.row_direction),
            orientation_letters(self.column_direction),
            orientation_letters(self.slice_step),
        )

    @property
    def dimensions_mm(self) -> tuple[float, float, float]:
        """Extent of the voxel grid in mm, in the order of :attr:`spacing`: rows x row spacing,
        columns x column spacing, slices x slice spacing."""
        row_spacing, column_spacing, slice_spacing = self.spacing
        slices, rows, columns = self._shape
        return (rows * row_spacing, columns * column_spacing, slices * slice_spacing)

    @property
    def center(self) -> np.ndarray:
        """Patient coordinates of the centre of the voxel grid."""
        slices, rows, columns = self._shape
        return self.index_to_patient(np.array([(columns - 1) / 2, (rows - 1) / 2, (slices - 1) / 2]))

    def to_dict(self) -> dict[str, object]:
        """JSON-ready summary: affine as nested lists, shape, spacing, plane, letters, extent."""
        row_spacing, column_spacing, slice_spacing = self.spacing
        extent = self.dimensions_mm
        return {
            "affine": [[float(v) for v in row] for row in self._affine],
            "shape": {"slices": self._shape[0], "rows": self._shape[1], "columns": self._shape[2]},
            "spacing_mm": {"rows": row_spacing, "columns": column_spacing, "slices": slice_spacing},
            "dimensions_mm": {"rows": extent[0], "columns": extent[1], "slices": extent[2]},
            "plane": self.plane,
            "nearest_plane": self.nearest_plane,
            "axis_letters": {
                "columns": self.axis_letters[0],
                "rows": self.axis_letters[1],
                "slices": self.axis_letters[2],
            },
            "shear_degrees": self.shear_degrees,
        }

    def __repr__(self) -> str:
        return f"VolumeGeometry(shape={self._shape}, spacing={tuple(round(s, 4) for s in self.spacing)}, plane={self.plane!r})"


@dataclass(frozen=True, eq=False)
class VolumeResult:
    """A volume built from image planes: its geometry, its slices in order, and what was odd.

    ``slices`` are the planes kept, sorted along the normal; ``slice_indices[n]`` is the slice
    index k of ``slices[n]`` in ``geometry`` (with missing slices the grid has empty slots, so
    indices skip). ``duplicates`` are planes dropped because another one shared their position.
    ``is_regular`` is False when some slice does not lie on the affine's grid (uneven spacing or
    slices off the line): then only the per-slice ``positions`` are exact, and a renderer must
    resample. ``is_tilted`` means the affine is sheared (gantry tilt).
    """

    geometry: VolumeGeometry
    slices: tuple[ImagePlane, ...]
    slice_indices: tuple[int, ...]
    duplicates: tuple[ImagePlane, ...]
    warnings: tuple[ImageWarning, ...]
    tilt_degrees: float
    is_tilted: bool
    is_regular: bool
    missing_slices: int
    spacing_range_mm: tuple[float, float]

    @property
    def sop_instance_uids(self) -> tuple[str, ...]:
        """SOP Instance UIDs of the kept slices in volume order (repeated for multi-frame)."""
        return tuple(p.sop_instance_uid for p in self.slices)

    @property
    def frames(self) -> tuple[tuple[str, int], ...]:
        """(SOP Instance UID, 1-based frame number) of each kept slice, in volume order."""
        return tuple((p.sop_instance_uid, p.frame or 1) for p in self.slices)

    @property
    def positions(self) -> np.ndarray:
        """Image Position (Patient) of each kept slice, in volume order, shape (N, 3)."""
        return np.array([p.position for p in self.slices])

    @property
    def needs_resampling(self) -> bool:
        """True when a renderer cannot use the grid as an orthogonal, complete volume."""
        return self.is_tilted or not self.is_regular or self.missing_slices > 0


def _pair(a: ImagePlane, b: ImagePlane) -> str:
    """Name two planes in a sentence, adding UIDs when their short labels are the same."""
    if a.label != b.label:
        return f"{a.label} and {b.label}"
    return f"{a.label} of {a.sop_instance_uid} and {b.label} of {b.sop_instance_uid}"


def _check_same(planes: Sequence[ImagePlane]) -> None:
    first = planes[0]
    for plane in planes[1:]:
        if (plane.rows, plane.columns) != (first.rows, first.columns):
            raise GeometryError(
                f"The images differ in size ({first.rows}x{first.columns} for {first.label}, "
                f"{plane.rows}x{plane.columns} for {plane.label}), so they do not form one volume; view them as separate stacks."
            )
        if float(np.max(np.abs(plane.orientation - first.orientation))) > ORIENTATION_TOLERANCE:
            raise GeometryError(
                f"The images have more than one orientation ({_pair(first, plane)} differ), "
                "so they do not form one volume; view them as separate stacks."
            )
        if not np.allclose(plane.pixel_spacing, first.pixel_spacing, rtol=1e-3, atol=1e-4):
            raise GeometryError(
                f"The images differ in pixel spacing ({first.pixel_spacing[0]:g}x{first.pixel_spacing[1]:g} mm for {first.label}, "
                f"{plane.pixel_spacing[0]:g}x{plane.pixel_spacing[1]:g} mm for {plane.label}), so they do not form one volume; view them as separate stacks."
            )


def _directions(plane: ImagePlane) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    o = plane.orientation
    lengths = (float(np.linalg.norm(o[:3])), float(np.linalg.norm(o[3:])))
    if min(lengths) < 1e-6:
        raise GeometryError(f"Image Orientation (Patient) of {plane.label} has a zero direction; the image cannot be placed in patient space.")
    row, col = o[:3] / lengths[0], o[3:] / lengths[1]
    if abs(float(np.dot(row, col))) > 0.01:
        raise GeometryError(
            f"Image Orientation (Patient) of {plane.label} has row and column directions that are not perpendicular; the image geometry is corrupt."
        )
    normal = _unit(np.cross(row, col))
    return row, col, normal


def _single_slice_spacing(header: Dataset) -> float | None:
    for keyword in ("SpacingBetweenSlices", "SliceThickness"):
        try:
            value = float(header.get(keyword, None))
        except (TypeError, ValueError):
            continue
        if value > 0 and math.isfinite(value):
            return value
    return None


def _refs(planes: Sequence[ImagePlane]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(p.sop_instance_uid for p in planes))


def build_volume_geometry(
    headers: Sequence[Dataset],
    *,
    spacing_tolerance_mm: float = 0.01,
    spacing_tolerance_ratio: float = 0.01,
) -> VolumeResult:
    """Build the volume formed by single-frame images, or by the frames of enhanced images.

    Slices are sorted by their location along the normal (row x column cosines of Image
    Orientation (Patient), PS3.3 C.7.6.2.1.1); the spacing is measured between Image Position
    (Patient) values. Two spacings are equal when they differ by no more than
    ``max(spacing_tolerance_mm, spacing_tolerance_ratio * usual spacing)``. A gap that is a
    whole multiple of the usual spacing counts as missing slices (the grid keeps their empty
    slots); any other difference is uneven spacing. Raises :class:`GeometryError` with one
    sentence when the images cannot form one volume (missing attributes, mixed orientation,
    size or pixel spacing, all images at one position).
    """
    if not headers:
        raise GeometryError("No images were given, so no volume can be built.")
    planes = image_planes(headers)
    _check_same(planes)
    first = planes[0]
    _, _, normal = _directions(first)
    locations = np.array([float(np.dot(p.position, normal)) for p in planes])
    tie = np.array([(p.instance_number or 0) for p in planes])
    frame = np.array([(p.frame or 0) for p in planes])
    order = np.lexsort((np.arange(len(planes)), frame, tie, locations))

    kept: list[int] = []
    dropped: list[int] = []
    for index in order:
        if kept and locations[index] - locations[kept[-1]] < DUPLICATE_TOLERANCE_MM:
            dropped.append(int(index))
        else:
            kept.append(int(index))
    warnings: list[ImageWarning] = []
    if len(kept) == 1 and len(planes) > 1:
        raise GeometryError(
            f"All {len(planes)} images lie at the same position (repeated acquisitions at one level), "
            "so they do not form a volume; view them as a stack."
        )
    if dropped:
        names = ", ".join(planes[i].label for i in dropped[:5]) + (" ..." if len(dropped) > 5 else "")
        warnings.append(
            ImageWarning(
                WarningCode.DUPLICATE_POSITIONS,
                f"{len(dropped)} image(s) repeat the position of another slice and were left out of the volume ({names}).",
                _refs([planes[i] for i in dropped]),
            )
        )
    kept_planes = [planes[i] for i in kept]
    loc = locations[kept]
    p_first = kept_planes[0].position
    min_pixel = min(first.pixel_spacing)

    if len(kept) == 1:
        spacing = _single_slice_spacing(headers[first.header_index])
        warnings.append(
            ImageWarning(
                WarningCode.SINGLE_SLICE,
                "Only one slice: its thickness is taken from Spacing Between Slices or Slice Thickness"
                + ("" if spacing else ", which are absent, so 1 mm is assumed")
                + "; the volume has no depth to reformat.",
                _refs(kept_planes),
            )
        )
        geometry = VolumeGeometry.from_image_plane(
            p_first, first.orientation, first.pixel_spacing, normal * (spacing or 1.0), (1, first.rows, first.columns)
        )
        return VolumeResult(geometry, tuple(kept_planes), (0,), tuple(planes[i] for i in dropped), tuple(warnings), 0.0, False, True, 0, (0.0, 0.0))

    gaps = np.diff(loc)
    usual = float(np.median(gaps))
    tolerance = max(spacing_tolerance_mm, spacing_tolerance_ratio * usual)
    grid = [0]
    uneven_at: list[int] = []
    missing_at: list[tuple[int, int]] = []
    for n, gap in enumerate(gaps):
        multiple = int(round(gap / usual))
        if abs(gap - usual) <= tolerance:
            grid.append(grid[-1] + 1)
        elif multiple >= 2 and abs(gap - multiple * usual) <= tolerance * multiple:
            missing_at.append((n, multiple - 1))
            grid.append(grid[-1] + multiple)
        else:
            uneven_at.append(n)
            grid.append(grid[-1] + 1)
    if uneven_at:
        grid = list(range(len(kept_planes)))
        missing_at = []
        odd = [kept_planes[n] for n in uneven_at] + [kept_planes[n + 1] for n in uneven_at]
        warnings.append(
            ImageWarning(
                WarningCode.UNEVEN_SPACING,
                f"Slice spacing is uneven, from {float(gaps.min()):.2f} to {float(gaps.max()):.2f} mm (usually {usual:.2f} mm), "
                "so the slices are not a regular grid: distances within a slice are exact, but reformats must resample.",
                _refs(odd),
            )
        )
    for n, count in missing_at:
        before, after = kept_planes[n], kept_planes[n + 1]
        warnings.append(
            ImageWarning(
                WarningCode.MISSING_SLICES,
                f"{count} slice(s) missing between {before.label} (location {loc[n]:.2f} mm) and {after.label} "
                f"(location {loc[n + 1]:.2f} mm): the gap is {float(gaps[n]):.2f} mm where slices are {usual:.2f} mm apart.",
                _refs([before, after]),
            )
        )

    span = kept_planes[-1].position - p_first
    step = span / grid[-1]
    tilt = _angle_deg(span, normal)
    lateral = float(np.linalg.norm(span - np.dot(span, normal) * normal))
    tilted = tilt > TILT_TOLERANCE_DEG and lateral > 0.1 * min_pixel
    if tilted:
        header_tilt = headers[first.header_index].get("GantryDetectorTilt", None)
        said = ""
        try:
            if header_tilt not in (None, ""):
                said = f" (Gantry/Detector Tilt says {float(header_tilt):g} degrees)"
        except (TypeError, ValueError):
            said = ""
        warnings.append(
            ImageWarning(
                WarningCode.GANTRY_TILT,
                f"The slices are stacked at {tilt:.1f} degrees to their normal (gantry tilt){said}: "
                "positions are exact on a sheared grid, but reformats and 3D must resample it.",
                _refs(kept_planes),
            )
        )
    else:
        step = normal * float(np.dot(step, normal))

    predicted = p_first + np.outer(np.asarray(grid, dtype=np.float64), step)
    actual = np.array([p.position for p in kept_planes])
    offsets = actual - predicted
    in_plane = offsets - np.outer(offsets @ normal, normal)
    off_line = float(np.max(np.linalg.norm(in_plane, axis=1)))
    if off_line > 0.5 * min_pixel and not uneven_at:
        worst = kept_planes[int(np.argmax(np.linalg.norm(in_plane, axis=1)))]
        warnings.append(
            ImageWarning(
                WarningCode.UNEVEN_SPACING,
                f"The slices do not lie on one straight line ({worst.label} is {off_line:.2f} mm off it), "
                "so the volume grid is approximate: reformats must resample.",
                _refs([worst]),
            )
        )
    is_regular = not uneven_at and off_line <= 0.5 * min_pixel

    geometry = VolumeGeometry.from_image_plane(
        p_first, first.orientation, first.pixel_spacing, step, (grid[-1] + 1, first.rows, first.columns)
    )
    return VolumeResult(
        geometry=geometry,
        slices=tuple(kept_planes),
        slice_indices=tuple(grid),
        duplicates=tuple(planes[i] for i in dropped),
        warnings=tuple(warnings),
        tilt_degrees=tilt,
        is_tilted=tilted,
        is_regular=is_regular,
        missing_slices=sum(count for _, count in missing_at),
        spacing_range_mm=(float(gaps.min()), float(gaps.max())),
    )
