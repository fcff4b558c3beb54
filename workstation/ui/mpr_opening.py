"""Where an MPR opens: at the reader's place in the 2D viewport it was opened from.

Opening MPR (M) on a 2D viewport keeps what the reader was looking at: the crosshair goes to the
3D cursor when one is placed, else to the centre of the slice on screen (patient LPS mm, PS3.3
C.7.6.2.1.1), so the axial pane shows that slice and the other two pass through its centre; the
panes take the viewport's window (centre and width in modality units, PS3.3 C.11.2.1.2); and the
lengths, angles and probes drawn on the series' images are carried onto the MPR planes they lie
on, their image points turned into patient points through each image's plane
(:func:`workstation.model.spatial.pixel_to_patient`). Carried measurements are copies shown for
orientation: their ids start with :data:`CARRIED_PREFIX`, and saving leaves them out (the 2D
originals are saved as they are).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from workstation.annotate.measurements import MeasurementError
from workstation.annotate.plane_measurements import PLANE_TOOLS, PlaneMeasurement, measure_on_plane
from workstation.model.spatial import pixel_to_patient

#: Id prefix of a 2D measurement's copy on the MPR planes.
CARRIED_PREFIX = "2d:"
#: Plane names by the patient axis (L, P, S) nearest to a slice normal.
_PLANE_OF_AXIS = ("sagittal", "coronal", "axial")


@dataclass
class CarriedMeasurement:
    """A 2D measurement in patient space: its tool, points (LPS mm) and slice normal."""

    id: str
    kind: Any
    points: list[np.ndarray]
    normal: np.ndarray

    @property
    def plane_name(self) -> str:
        return _PLANE_OF_AXIS[int(np.argmax(np.abs(self.normal)))]


@dataclass
class MprStart:
    """What an MPR opened from a 2D viewport starts with (see the module docstring)."""

    point: np.ndarray | None = None
    window: tuple[float, float] | None = None
    measurements: list[CarriedMeasurement] = field(default_factory=list)
    left_in_2d: int = 0  # measurements of kinds the MPR planes cannot show (ROIs, text, ...)


def start_from(binding: Any, measurements: Any = ()) -> MprStart:
    """The MPR start of a study view's viewport ``binding`` (its display set, image, cursor and
    window), carrying those of ``measurements`` that are drawn on the display set's images."""
    start = MprStart()
    viewport, geometry = binding.viewport, binding.geometry
    start.window = viewport.renderer.current_window()
    if geometry is None or len(geometry) != binding.count:
        return start
    cursor = getattr(viewport.renderer, "_cursor", None)
    start.point = np.asarray(cursor, dtype=np.float64) if cursor is not None else geometry.centre(binding.state.image_index)
    ds = binding.display_set
    frames = list(getattr(ds, "frames", None) or [])
    where = {(str(uid), frame): i for i, (uid, frame) in enumerate(frames)}
    single = {str(uid): i for i, (uid, _frame) in enumerate(frames)}
    for m in measurements:
        index = where.get((m.image.sop_instance_uid, m.image.frame)) if m.image.frame is not None else single.get(m.image.sop_instance_uid)
        if index is None:
            continue
        if m.kind not in PLANE_TOOLS:
            start.left_in_2d += 1
            continue
        plane = geometry.planes[index]
        points = [pixel_to_patient(plane, p[0], p[1]) for p in m.points]
        start.measurements.append(CarriedMeasurement(CARRIED_PREFIX + m.id, m.kind, points, geometry.normal(index)))
    return start


def plane_measurements(start: MprStart, viewer: Any) -> list[PlaneMeasurement]:
    """The carried measurements measured again on the MPR's volume (a probe reads its voxel)."""
    out = []
    for c in start.measurements:
        try:
            out.append(measure_on_plane(c.kind, c.points, c.plane_name, c.normal, volume=viewer.source.volume,
                                        geometry=viewer.source.geometry, header=viewer.header, id=c.id))
        except MeasurementError:
            continue  # a probe outside the volume: it stays in 2D only
    return out


def apply_start(mpr: Any, start: MprStart) -> int:
    """Put a loaded MPR view at ``start``: crosshair, window, carried measurements (how many)."""
    if mpr.viewer is None:
        return 0
    if start.point is not None:
        mpr.move_crosshair(start.point)
    if start.window is not None:
        mpr.set_window(*start.window)
    carried = plane_measurements(start, mpr.viewer)
    if carried:
        mpr.add_measurements(carried)
    return len(carried)


def is_carried(measurement: Any) -> bool:
    return str(getattr(measurement, "id", "")).startswith(CARRIED_PREFIX)
