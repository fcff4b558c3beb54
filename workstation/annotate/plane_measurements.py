"""Measurements on MPR planes, in patient space: length, angle and point probe.

A measurement drawn on a reformatted plane (:mod:`workstation.model.mpr`) keeps its points as
patient LPS millimetres (PS3.3 C.7.6.2.1.1: +x left, +y posterior, +z head), not as pixels of
the picture, so it is right on oblique and double-oblique planes and at every zoom:

- LENGTH: two points; the length is the Euclidean distance between them in mm.
- ANGLE: three points, the vertex in the middle; the angle between the two arms in degrees.
- PROBE: one point; the stored value of the voxel whose centre is nearest (converted by the
  Modality LUT / Rescale Slope and Intercept, PS3.3 C.11.1: HU for CT) and the point's LPS
  coordinates. The voxel value is the acquired one, not an interpolated or slab value.

Each measurement remembers the plane it was drawn on (name and normal). It is shown on a plane
when every point lies within a tolerance of that plane (half a voxel along the plane's normal,
:func:`visibility_tolerance`), and hidden otherwise: scroll away and it disappears, come back and
it is there again. The values reuse :class:`workstation.annotate.measurements.Value` (UCUM
units, PS3.16 CID 82 style) and :class:`~workstation.annotate.measurements.Kind`, so a report or
a TID 1500 writer can treat them as the 2D measurements (the points are 3D: a SCOORD3D, PS3.3
C.18.9, would carry them; not written yet).
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

import numpy as np
from numpy.typing import ArrayLike
from pydicom.dataset import Dataset

from workstation.annotate.measurements import (
    DEGREES,
    HU,
    Kind,
    MeasurementError,
    UndoableList,
    Value,
)
from workstation.model.geometry import VolumeGeometry
from workstation.model.pixels import modality_transform

Point3 = tuple[float, float, float]

#: The tools that work on MPR planes, and how many points each takes.
PLANE_TOOLS: dict[Kind, int] = {Kind.LENGTH: 2, Kind.ANGLE: 3, Kind.PROBE: 1}


def _point(p: ArrayLike) -> Point3:
    a = np.asarray(p, dtype=np.float64).reshape(3)
    if not np.all(np.isfinite(a)):
        raise MeasurementError("A measurement point must be a finite patient position; click on the image again.")
    return (float(a[0]), float(a[1]), float(a[2]))


def lps_text(point: ArrayLike) -> str:
    """A patient position as a radiologist reads it: distance from the origin towards each
    side, with the side's letter (PS3.3 C.7.6.1.1.1: L/R, P/A, H/F), e.g. "R 12.5, A 3.0, H 40.2 mm"."""
    x, y, z = (float(c) for c in np.asarray(point, dtype=np.float64).reshape(3))
    return f"{'L' if x >= 0 else 'R'} {abs(x):.1f}, {'P' if y >= 0 else 'A'} {abs(y):.1f}, {'H' if z >= 0 else 'F'} {abs(z):.1f} mm"


def length_mm(a: ArrayLike, b: ArrayLike) -> float:
    """Distance in mm between two LPS points."""
    return float(np.linalg.norm(np.asarray(b, dtype=np.float64) - np.asarray(a, dtype=np.float64)))


def angle_degrees(a: ArrayLike, vertex: ArrayLike, c: ArrayLike) -> float:
    """Angle at ``vertex`` between the arms to ``a`` and ``c`` (0 to 180 degrees)."""
    v = np.asarray(vertex, dtype=np.float64)
    u, w = np.asarray(a, dtype=np.float64) - v, np.asarray(c, dtype=np.float64) - v
    nu, nw = float(np.linalg.norm(u)), float(np.linalg.norm(w))
    if nu < 1e-9 or nw < 1e-9:
        raise MeasurementError("An angle needs two arms of non-zero length; draw the angle again.")
    return math.degrees(math.acos(float(np.clip(u @ w / (nu * nw), -1.0, 1.0))))


@dataclass(frozen=True)
class VoxelProbe:
    """The voxel nearest to a patient point: its index (i, j, k), stored and modality value."""

    index: tuple[int, int, int]
    stored: float
    value: float
    unit: str
    note: str


def probe_voxel(volume: np.ndarray, geometry: VolumeGeometry, header: Dataset | None, point: ArrayLike) -> VoxelProbe:
    """The value at an LPS point: the voxel whose centre is nearest (volume ``[k, j, i]``),
    through the Modality LUT of ``header`` (PS3.3 C.11.1); HU for CT."""
    index = geometry.patient_to_index(np.asarray(point, dtype=np.float64).reshape(3))
    ijk = np.floor(np.asarray(index, dtype=np.float64) + 0.5).astype(int)
    upper = np.array([volume.shape[2], volume.shape[1], volume.shape[0]])
    if np.any(ijk < 0) or np.any(ijk >= upper):
        raise MeasurementError("The probe point lies outside the volume; place it on the image.")
    i, j, k = (int(x) for x in ijk)
    stored = volume[k, j, i]
    modality = str(header.get("Modality", "") or "").upper() if header is not None else ""
    value = float(modality_transform(header).values(np.asarray([stored]))[0]) if header is not None else float(stored)
    unit, note = (HU, "Hounsfield units (Modality LUT), nearest voxel") if modality == "CT" else ("1", "modality value, nearest voxel")
    return VoxelProbe((i, j, k), float(stored), value, unit, note)


@dataclass(frozen=True)
class PlaneMeasurement:
    """One measurement on an MPR plane (see the module doc). ``plane_name`` and ``normal`` are
    those of the plane it was drawn on; ``values`` what was measured; ``voxel`` the probed
    voxel index (i, j, k)."""

    id: str
    kind: Kind
    points: tuple[Point3, ...]
    plane_name: str
    normal: Point3
    values: tuple[Value, ...]
    voxel: tuple[int, int, int] | None = None

    @property
    def position_lps(self) -> Point3 | None:
        """The probe's patient position (mm); None for other tools."""
        return self.points[0] if self.kind is Kind.PROBE else None

    @property
    def centroid(self) -> np.ndarray:
        return np.mean(np.asarray(self.points, dtype=np.float64), axis=0)

    @property
    def label(self) -> str:
        """The label drawn next to the measurement (a probe's has its position on a second line)."""
        if self.kind is Kind.PROBE:
            return f"{self.values[0].text}\n{lps_text(self.points[0])}"
        return ", ".join(v.text for v in self.values)

    @property
    def description(self) -> str:
        """One line for the measurement list: tool, value and where."""
        if self.kind is Kind.PROBE:
            return f"Probe {self.values[0].text} at {lps_text(self.points[0])} ({self.plane_name})"
        return f"{self.kind.display_name} {self.label} ({self.plane_name})"

    def distances_to(self, origin: ArrayLike, normal: ArrayLike) -> np.ndarray:
        """Signed distance (mm) of each point from the plane through ``origin`` with unit ``normal``."""
        pts = np.asarray(self.points, dtype=np.float64)
        n = np.asarray(normal, dtype=np.float64).reshape(3)
        return (pts - np.asarray(origin, dtype=np.float64).reshape(3)) @ (n / float(np.linalg.norm(n)))

    def lies_on(self, origin: ArrayLike, normal: ArrayLike, tolerance_mm: float) -> bool:
        """True when every point is within ``tolerance_mm`` of the plane (it is shown there)."""
        return bool(np.all(np.abs(self.distances_to(origin, normal)) <= tolerance_mm + 1e-9))


def measure_on_plane(
    kind: Kind | str,
    points: Sequence[ArrayLike],
    plane_name: str,
    normal: ArrayLike,
    *,
    volume: np.ndarray | None = None,
    geometry: VolumeGeometry | None = None,
    header: Dataset | None = None,
    id: str | None = None,
) -> PlaneMeasurement:
    """Measure with a tool on an MPR plane; ``volume``, ``geometry`` (and ``header`` for the
    Modality LUT) are needed by the probe. A new id unless ``id`` is given."""
    kind = Kind(kind)
    if kind not in PLANE_TOOLS:
        raise MeasurementError(f"A {kind.display_name} cannot be drawn on an MPR plane yet; use length, angle or probe.")
    pts = tuple(_point(p) for p in points)
    if len(pts) != PLANE_TOOLS[kind]:
        raise MeasurementError(f"A {kind.display_name} needs {PLANE_TOOLS[kind]} points, not {len(pts)}.")
    note = "in patient space (mm), on an MPR plane"
    voxel = None
    if kind is Kind.LENGTH:
        values: tuple[Value, ...] = (Value("Length", length_mm(pts[0], pts[1]), "mm", note),)
    elif kind is Kind.ANGLE:
        values = (Value("Angle", angle_degrees(*pts), DEGREES, note),)
    else:
        if volume is None or geometry is None:
            raise MeasurementError("A probe needs the volume it is placed on.")
        probe = probe_voxel(volume, geometry, header, pts[0])
        values, voxel = (Value("Value", probe.value, probe.unit, probe.note),), probe.index
    return PlaneMeasurement(id or uuid.uuid4().hex, kind, pts, plane_name, _point(normal), values, voxel)


def visibility_tolerance(normal_step_mm: float) -> float:
    """Half a voxel along the plane's normal (``normal_step_mm``, :meth:`MprState.normal_step`)."""
    return 0.5 * float(normal_step_mm)


@dataclass
class PlaneMeasurementSet(UndoableList[PlaneMeasurement]):
    """The MPR measurements of one volume, in drawing order, with undo and redo (each add or
    delete is one step)."""

    what: ClassVar[str] = "MPR measurement"

    def on_plane(self, origin: ArrayLike, normal: ArrayLike, tolerance_mm: float) -> list[PlaneMeasurement]:
        """The measurements shown on the plane through ``origin`` with ``normal``."""
        return [m for m in self.items if m.lies_on(origin, normal, tolerance_mm)]


__all__ = [
    "PLANE_TOOLS",
    "PlaneMeasurement",
    "PlaneMeasurementSet",
    "VoxelProbe",
    "angle_degrees",
    "length_mm",
    "lps_text",
    "measure_on_plane",
    "probe_voxel",
    "visibility_tolerance",
]
