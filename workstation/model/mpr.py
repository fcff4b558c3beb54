"""Multiplanar reformatting (MPR): three linked planes through a volume, in patient space.

Everything here is geometry in patient LPS millimetres (PS3.3 C.7.6.2.1.1: +x patient left, +y
posterior, +z head); no pixels are read. A :class:`VolumeGeometry` (the affine from voxel index
(column i, row j, slice k) to LPS) says where the volume lies; an :class:`MprState` holds

- the crosshair centre (LPS mm) where the three planes meet,
- one orthonormal frame per plane (in-plane row direction ``u`` = screen right, column
  direction ``v`` = screen down, normal ``n = u x v``), axial / coronal / sagittal to begin with,
- the slab: thickness (mm) and projection (none, MIP, MinIP, average), and the interpolation.

Display convention (radiological, as PS3.3 C.7.6.2.1.1 axial/coronal/sagittal images are
conventionally stored and shown): axial seen from the feet (patient left on screen right, anterior
up), coronal seen from the front (patient left on screen right, head up), sagittal seen from the
patient's left (anterior on screen left, head up). These are the standard Image Orientation
(Patient) values ``1\\0\\0\\0\\1\\0``, ``1\\0\\0\\0\\0\\-1`` and ``0\\1\\0\\0\\0\\-1``.

Oblique and double-oblique planes come from rotating the crosshair axes in one plane about that
plane's normal: the OTHER two planes turn with the crosshair lines (their normals stay
perpendicular to each other and to the rotated plane's normal), while the plane in which the user
rotates keeps its picture. :meth:`MprState.reset_orientation` returns to the orthogonal planes.

Each :class:`MprPlane` is a rectangle of square pixels (spacing = the volume's smallest voxel
spacing, unless given) that covers the volume's projection onto the plane; pixel (c, r) has its
centre at ``origin + c * s * u + r * s * v``. The in-plane part of the origin does not depend on
the crosshair, so moving the crosshair within a plane leaves that plane's picture where it is.

A slab of thickness T samples the volume at ``N = max(1, round(T / step))`` points along the
normal, ``step`` apart and centred on the plane (``step``: :meth:`MprState.normal_step`, one voxel
along the normal), and projects them (maximum, minimum or mean).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from enum import Enum

import numpy as np
from numpy.typing import ArrayLike

from workstation.errors import GeometryError
from workstation.model.geometry import VolumeGeometry, orientation_letters
from workstation.model.image_plane import ImagePlane

#: The three planes, in the order a three-plane layout shows them.
PLANE_NAMES: tuple[str, str, str] = ("axial", "coronal", "sagittal")

#: Row direction (screen right) and column direction (screen down) of each orthogonal plane.
ORTHOGONAL_AXES: dict[str, tuple[tuple[float, float, float], tuple[float, float, float]]] = {
    "axial": ((1.0, 0.0, 0.0), (0.0, 1.0, 0.0)),
    "coronal": ((1.0, 0.0, 0.0), (0.0, 0.0, -1.0)),
    "sagittal": ((0.0, 1.0, 0.0), (0.0, 0.0, -1.0)),
}

#: Thickest slab accepted (mm); beyond it a "slab" is a projection of the whole body anyway.
MAX_SLAB_MM = 500.0


class Projection(str, Enum):
    """How the samples of a thick slab are combined into one pixel."""

    NONE = "none"
    MIP = "mip"  # maximum intensity projection
    MINIP = "minip"  # minimum intensity projection
    AVERAGE = "avg"  # mean (average intensity projection)

    @classmethod
    def parse(cls, text: str | Projection) -> Projection:
        """'mip', 'MinIP', 'avg'/'average'/'mean', 'none' -> the projection."""
        if isinstance(text, Projection):
            return text
        key = str(text).strip().lower()
        aliases = {"average": "avg", "mean": "avg", "max": "mip", "min": "minip", "": "none"}
        try:
            return cls(aliases.get(key, key))
        except ValueError:
            raise GeometryError(f"Unknown slab projection {text!r}; use mip, minip, avg or none.") from None


class Interpolation(str, Enum):
    """How values between voxel centres are computed."""

    NEAREST = "nearest"
    LINEAR = "linear"
    CUBIC = "cubic"


def _unit(v: ArrayLike) -> np.ndarray:
    a = np.asarray(v, dtype=np.float64).reshape(3)
    norm = float(np.linalg.norm(a))
    if not math.isfinite(norm) or norm < 1e-12:
        raise GeometryError("A plane direction of length zero cannot orient a reformat.")
    return a / norm


def rotation_about(axis: ArrayLike, degrees: float) -> np.ndarray:
    """3x3 rotation by ``degrees`` about ``axis`` (right-hand rule, Rodrigues' formula)."""
    k = _unit(axis)
    a = math.radians(float(degrees))
    kx = np.array([[0.0, -k[2], k[1]], [k[2], 0.0, -k[0]], [-k[1], k[0], 0.0]])
    return np.eye(3) + math.sin(a) * kx + (1.0 - math.cos(a)) * (kx @ kx)


@dataclass(frozen=True, eq=False)
class MprPlane:
    """One reformatted plane: a grid of square pixels in patient space, and its slab.

    ``origin`` is the LPS centre of pixel (column 0, row 0); ``row_direction`` (unit) points
    toward increasing column (screen right), ``column_direction`` toward increasing row (screen
    down). ``slab_samples`` points ``slab_step`` mm apart along the normal, centred on the plane,
    are combined by ``projection`` (one sample and ``Projection.NONE`` for a thin plane).
    """

    name: str
    origin: np.ndarray
    row_direction: np.ndarray
    column_direction: np.ndarray
    pixel_spacing: float
    columns: int
    rows: int
    slab_thickness: float
    slab_step: float
    slab_samples: int
    projection: Projection
    interpolation: Interpolation

    @property
    def normal(self) -> np.ndarray:
        """Unit normal, row direction x column direction (the direction the viewer looks)."""
        return np.cross(self.row_direction, self.column_direction)

    @property
    def shape(self) -> tuple[int, int]:
        """(rows, columns) of the reformatted image."""
        return (self.rows, self.columns)

    @property
    def dimensions_mm(self) -> tuple[float, float]:
        """(width, height) in mm covered by the image."""
        return (self.columns * self.pixel_spacing, self.rows * self.pixel_spacing)

    def pixel_to_patient(self, column: ArrayLike, row: ArrayLike) -> np.ndarray:
        """LPS point(s) of continuous pixel coordinates (pixel centres at integers), shape (..., 3)."""
        c = np.asarray(column, dtype=np.float64)[..., None]
        r = np.asarray(row, dtype=np.float64)[..., None]
        s = self.pixel_spacing
        return self.origin + c * s * self.row_direction + r * s * self.column_direction

    def patient_to_pixel(self, point: ArrayLike) -> tuple[float, float, float]:
        """(column, row, distance in mm from the plane along its normal) of one LPS point."""
        d = np.asarray(point, dtype=np.float64).reshape(3) - self.origin
        s = self.pixel_spacing
        return (float(d @ self.row_direction) / s, float(d @ self.column_direction) / s, float(d @ self.normal))

    def matrix(self) -> np.ndarray:
        """4x4 from (column * s, row * s, distance along normal, 1) in mm to LPS (x, y, z, 1)."""
        m = np.eye(4)
        m[:3, 0], m[:3, 1], m[:3, 2], m[:3, 3] = self.row_direction, self.column_direction, self.normal, self.origin
        return m

    @property
    def axis_letters(self) -> tuple[str, str]:
        """Orientation letters (PS3.3 C.7.6.1.1.1) toward which the column and row indices grow."""
        return (orientation_letters(self.row_direction)[:2], orientation_letters(self.column_direction)[:2])

    def image_plane(self) -> ImagePlane:
        """The plane as an :class:`ImagePlane` (for reference lines on the source stack with
        :func:`workstation.model.spatial.reference_line`)."""
        orientation = np.concatenate([self.row_direction, self.column_direction])
        return ImagePlane(
            sop_instance_uid="", frame=None, header_index=-1, instance_number=None,
            position=self.origin.copy(), orientation=orientation,
            pixel_spacing=(self.pixel_spacing, self.pixel_spacing), rows=self.rows, columns=self.columns,
            source=f"MPR {self.name}",
        )

    def coarser(self, factor: int = 2) -> MprPlane:
        """The same field on a grid ``factor`` times coarser in-plane (same origin, pixel
        (0, 0) at the same point; the last row and column may reach up to ``factor - 1`` old
        pixels further): what is drawn while the user drags an expensive slab."""
        f = int(factor)
        if f < 1:
            raise GeometryError(f"A coarser grid needs a factor of at least 1, not {factor!r}.")
        return MprPlane(**{**self.__dict__, "pixel_spacing": self.pixel_spacing * f,
                           "columns": -(-self.columns // f), "rows": -(-self.rows // f)})

    def key(self) -> tuple[object, ...]:
        """Everything the reformatted pixels depend on (to skip re-slicing an unchanged plane)."""
        return (
            tuple(np.round(self.origin, 9)), tuple(np.round(self.row_direction, 12)),
            tuple(np.round(self.column_direction, 12)), self.pixel_spacing, self.columns, self.rows,
            self.slab_step, self.slab_samples, self.projection, self.interpolation,
        )


class MprState:
    """Crosshair, plane orientations, slab and interpolation of one MPR session (see module doc).

    ``geometry`` maps voxel index to LPS; it may be sheared (gantry tilt with even spacing: the
    sheared affine is exact). ``pixel_spacing`` (mm) overrides the output pixel size (default:
    the volume's smallest voxel spacing). The crosshair starts at the volume centre.
    """

    def __init__(self, geometry: VolumeGeometry, *, pixel_spacing: float | None = None, center: ArrayLike | None = None) -> None:
        self.geometry = geometry
        spacings = geometry.spacing
        self.pixel_spacing = float(pixel_spacing) if pixel_spacing is not None else float(min(spacings))
        if not (math.isfinite(self.pixel_spacing) and self.pixel_spacing > 0):
            raise GeometryError(f"MPR pixel spacing must be a positive number of mm, not {pixel_spacing!r}.")
        slices, rows, columns = geometry.shape
        corners = np.array([(i, j, k) for i in (0, columns - 1) for j in (0, rows - 1) for k in (0, slices - 1)], dtype=np.float64)
        self._corners = geometry.index_to_patient(corners)  # centres of the 8 corner voxels
        self._upper = np.array([columns - 1, rows - 1, slices - 1], dtype=np.float64)
        self._frames: dict[str, np.ndarray] = {}
        self.reset_orientation()
        self._center = geometry.center.copy()
        if center is not None:
            self.center = center
        self.slab_thickness = 0.0
        self.projection = Projection.NONE
        self.interpolation = Interpolation.LINEAR

    # -- crosshair ------------------------------------------------------------------------------
    @property
    def center(self) -> np.ndarray:
        """The crosshair centre (LPS mm), a copy; kept inside the volume."""
        return self._center.copy()

    @center.setter
    def center(self, point: ArrayLike) -> None:
        p = np.asarray(point, dtype=np.float64).reshape(3)
        if not np.all(np.isfinite(p)):
            raise GeometryError("The crosshair must be a finite patient point.")
        index = np.clip(self.geometry.patient_to_index(p), 0.0, self._upper)
        self._center = self.geometry.index_to_patient(index)

    def move_center_to_pixel(self, name: str, column: float, row: float) -> np.ndarray:
        """Put the crosshair at a pixel of plane ``name`` (a click): the other planes follow.
        Returns the new centre."""
        self.center = self.plane(name).pixel_to_patient(column, row)
        return self.center

    def normal_step(self, name: str) -> float:
        """One voxel along the plane's normal (mm): the scroll step and the slab sample step.

        The shortest move along the normal that advances some voxel index by one:
        ``1 / max(|A^-1 n|)``, A the affine's 3x3 part (for an axial plane of an axial CT, the
        slice spacing; for a sagittal plane, the column spacing)."""
        n = self.frame(name)[:, 2]
        per_mm = np.abs(np.linalg.inv(self.geometry.affine[:3, :3]) @ n)
        return float(1.0 / per_mm.max())

    def scroll(self, name: str, steps: float) -> np.ndarray:
        """Move the crosshair ``steps`` voxels along plane ``name``'s normal (its picture goes
        deeper; the other planes' crosshair lines move). Returns the new centre."""
        n = self.frame(name)[:, 2]
        self.center = self._center + float(steps) * self.normal_step(name) * n
        return self.center

    def depth_range(self, name: str) -> tuple[float, float]:
        """(nearest, farthest) voxel-centre distance (mm) of the volume along the plane's normal,
        measured from the patient origin."""
        d = self._corners @ self.frame(name)[:, 2]
        return (float(d.min()), float(d.max()))

    def slice_count(self, name: str) -> int:
        """Positions of plane ``name`` along its normal, one :meth:`normal_step` apart."""
        low, high = self.depth_range(name)
        return int(math.floor((high - low) / self.normal_step(name) + 1e-6)) + 1

    def slice_index(self, name: str) -> int:
        """0-based position of plane ``name`` along its normal (for a scroll bar)."""
        low, _ = self.depth_range(name)
        depth = float(self._center @ self.frame(name)[:, 2])
        return int(round((depth - low) / self.normal_step(name)))

    def set_slice(self, name: str, index: int) -> np.ndarray:
        """Move plane ``name`` to its position ``index`` (0-based, see :meth:`slice_count`)."""
        count = self.slice_count(name)
        if not 0 <= index < count:
            raise GeometryError(f"The {name} plane has positions 0 to {count - 1}; {index} is outside the volume.")
        low, _ = self.depth_range(name)
        n = self.frame(name)[:, 2]
        depth = float(self._center @ n)
        self.center = self._center + (low + index * self.normal_step(name) - depth) * n
        return self.center

    # -- orientation ----------------------------------------------------------------------------
    def frame(self, name: str) -> np.ndarray:
        """3x3 whose columns are the plane's row direction, column direction and normal."""
        try:
            return self._frames[name].copy()
        except KeyError:
            raise GeometryError(f"There is no MPR plane called {name!r}; use axial, coronal or sagittal.") from None

    def reset_orientation(self) -> None:
        """Back to the orthogonal axial, coronal and sagittal planes."""
        for name, (u, v) in ORTHOGONAL_AXES.items():
            uu, vv = np.array(u), np.array(v)
            self._frames[name] = np.column_stack([uu, vv, np.cross(uu, vv)])

    def rotate(self, name: str, degrees: float) -> None:
        """Turn the crosshair axes shown in plane ``name`` by ``degrees`` about its normal
        (counter-clockwise on screen for positive angles): the two other planes rotate about
        that normal through the crosshair; plane ``name`` keeps its picture."""
        normal = self.frame(name)[:, 2]
        # Screen y grows downwards and the normal points away from the viewer, so a rotation
        # that looks counter-clockwise on screen is a negative one about the normal.
        turn = rotation_about(normal, -float(degrees))
        for other in PLANE_NAMES:
            if other != name:
                self._frames[other] = turn @ self._frames[other]

    def set_frame(self, name: str, row_direction: ArrayLike, column_direction: ArrayLike) -> None:
        """Set one plane's axes directly (they are made orthonormal); other planes unchanged."""
        u = _unit(row_direction)
        v = np.asarray(column_direction, dtype=np.float64).reshape(3)
        v = _unit(v - (v @ u) * u)
        self.frame(name)  # an unknown name raises GeometryError
        self._frames[name] = np.column_stack([u, v, np.cross(u, v)])

    @property
    def is_oblique(self) -> bool:
        """True when some plane is not one of the orthogonal ones."""
        for name, (u, v) in ORTHOGONAL_AXES.items():
            f = self._frames[name]
            if not (np.allclose(f[:, 0], u, atol=1e-9) and np.allclose(f[:, 1], v, atol=1e-9)):
                return True
        return False

    # -- slab -----------------------------------------------------------------------------------
    def set_slab(self, thickness_mm: float, projection: Projection | str = Projection.MIP) -> None:
        """A thick slab of ``thickness_mm`` combined by ``projection``; 0 mm (or 'none') = thin."""
        t = float(thickness_mm)
        if not (math.isfinite(t) and 0.0 <= t <= MAX_SLAB_MM):
            raise GeometryError(f"Slab thickness must be 0 to {MAX_SLAB_MM:g} mm, not {thickness_mm!r}.")
        p = Projection.parse(projection)
        self.slab_thickness = 0.0 if p is Projection.NONE else t
        self.projection = p if t > 0 else Projection.NONE

    # -- planes ---------------------------------------------------------------------------------
    def field(self, name: str) -> tuple[np.ndarray, int, int]:
        """(origin, columns, rows) of the grid of plane ``name`` that covers the volume."""
        f = self.frame(name)
        u, v, n = f[:, 0], f[:, 1], f[:, 2]
        s = self.pixel_spacing
        a = self._corners @ u
        b = self._corners @ v
        columns = int(math.floor((a.max() - a.min()) / s + 1e-6)) + 1
        rows = int(math.floor((b.max() - b.min()) / s + 1e-6)) + 1
        origin = a.min() * u + b.min() * v + float(self._center @ n) * n
        return origin, columns, rows

    def plane(self, name: str) -> MprPlane:
        """The current plane ``name``: its pixel grid through the crosshair and its slab."""
        f = self.frame(name)
        origin, columns, rows = self.field(name)
        step = self.normal_step(name)
        if self.projection is Projection.NONE or self.slab_thickness <= 0:
            samples, projection = 1, Projection.NONE
        else:
            samples, projection = max(1, int(round(self.slab_thickness / step))), self.projection
        return MprPlane(
            name=name, origin=origin, row_direction=f[:, 0].copy(), column_direction=f[:, 1].copy(),
            pixel_spacing=self.pixel_spacing, columns=columns, rows=rows,
            slab_thickness=self.slab_thickness if samples > 1 else 0.0, slab_step=step,
            slab_samples=samples, projection=projection if samples > 1 else Projection.NONE,
            interpolation=self.interpolation,
        )

    def planes(self) -> dict[str, MprPlane]:
        """All three planes by name."""
        return {name: self.plane(name) for name in PLANE_NAMES}

    def __iter__(self) -> Iterator[MprPlane]:
        return iter(self.plane(name) for name in PLANE_NAMES)

    def crosshair_lines(self, name: str) -> dict[str, tuple[tuple[float, float], tuple[float, float]]]:
        """Where each other plane cuts plane ``name``: a segment in its pixel coordinates
        (column, row) through the crosshair, clipped to the image; keyed by the other plane."""
        here = self.plane(name)
        centre = np.array(here.patient_to_pixel(self._center)[:2])
        box_low, box_high = np.array([-0.5, -0.5]), np.array([here.columns - 0.5, here.rows - 0.5])
        out: dict[str, tuple[tuple[float, float], tuple[float, float]]] = {}
        for other in PLANE_NAMES:
            if other == name:
                continue
            direction3 = np.cross(here.normal, self.frame(other)[:, 2])
            if float(np.linalg.norm(direction3)) < 1e-9:
                continue
            d = np.array([direction3 @ here.row_direction, direction3 @ here.column_direction])
            d /= float(np.linalg.norm(d))
            t_low, t_high = -math.inf, math.inf
            for axis in range(2):
                if abs(d[axis]) < 1e-12:
                    continue
                t1 = (box_low[axis] - centre[axis]) / d[axis]
                t2 = (box_high[axis] - centre[axis]) / d[axis]
                t_low, t_high = max(t_low, min(t1, t2)), min(t_high, max(t1, t2))
            if t_low < t_high:
                a, b = centre + t_low * d, centre + t_high * d
                out[other] = ((float(a[0]), float(a[1])), (float(b[0]), float(b[1])))
        return out


def nearest_source_slice(geometry: VolumeGeometry, point: ArrayLike) -> int:
    """Index k of the acquired slice (the volume's third index) nearest to an LPS point,
    clamped to the volume."""
    k = float(geometry.patient_to_index(np.asarray(point, dtype=np.float64).reshape(3))[2])
    return int(min(max(math.floor(k + 0.5), 0), geometry.shape[0] - 1))


def source_slice_plane(geometry: VolumeGeometry, k: int, *, sop_instance_uid: str = "") -> ImagePlane:
    """Slice ``k`` of the volume as an :class:`ImagePlane` (PS3.3 C.7.6.2.1.1): Image Position
    (Patient) the centre of voxel (0, 0, k), Image Orientation (Patient) the affine's first two
    columns, Pixel Spacing their lengths (row spacing, column spacing). For a volume loaded
    without resampling this is the acquired image's own plane."""
    slices, rows, columns = geometry.shape
    if not 0 <= int(k) < slices:
        raise GeometryError(f"The volume has slices 1 to {slices}; {int(k) + 1} is outside it.")
    a = geometry.affine[:3, :3]
    x, y = a[:, 0], a[:, 1]
    column_spacing, row_spacing = float(np.linalg.norm(x)), float(np.linalg.norm(y))
    return ImagePlane(
        sop_instance_uid=sop_instance_uid, frame=None, header_index=int(k), instance_number=None,
        position=geometry.index_to_patient([0.0, 0.0, float(k)]),
        orientation=np.concatenate([x / column_spacing, y / row_spacing]),
        pixel_spacing=(row_spacing, column_spacing), rows=rows, columns=columns, source=f"slice {int(k) + 1}",
    )


__all__ = [
    "MAX_SLAB_MM",
    "ORTHOGONAL_AXES",
    "PLANE_NAMES",
    "Interpolation",
    "MprPlane",
    "MprState",
    "Projection",
    "nearest_source_slice",
    "rotation_about",
    "source_slice_plane",
]
