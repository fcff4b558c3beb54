"""MPR measurements as a DICOM SR Measurement Report (PS3.16 TID 1500) with 3D coordinates.

A measurement drawn on a reformatted plane has no pixel of an acquired image to point at: its
points are patient coordinates. So each one is a "Planar ROI Measurements" group (TID 1410)
whose region is a SCOORD3D (PS3.3 C.18.9) in the volume's Frame of Reference: a POLYLINE of 2
points (length), of 3 points with the vertex in the middle (angle), or a POINT (probe), and its
values as NUM items (TID 300) with UCUM units, as :mod:`workstation.annotate.sr_tid1500` does for
2D measurements (the codes are shared). The Tracking Identifier says the tool, the id and the
plane (``"Length [id] on MPR coronal"``), so that the measurements read back as they were. The
images of the measured series are the evidence (Current Requested Procedure Evidence Sequence,
PS3.3 C.17.2.1); the document is a Comprehensive 3D SR (PS3.3 A.35.13), a new SOP Instance UID
per version.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
from pydicom.dataset import Dataset

from workstation.annotate.measurements import DEGREES, HU, Kind, Value
from workstation.annotate.plane_measurements import PLANE_TOOLS, PlaneMeasurement
from workstation.annotate.sr_tid1500 import (
    MeasurementReportError,
    measurement_group,
    measurement_report_document,
    tracking_uid,
)
from workstation.lazy import lazy_module

if TYPE_CHECKING:
    import highdicom as hd
else:
    hd = lazy_module("highdicom")  # imported when an object is first written

_IDENTIFIER = re.compile(r"^(?P<tool>.+?) \[(?P<id>[^\]]+)\] on MPR (?P<plane>\w+)$")
_TRACKING_IDENTIFIER = ("112039", "DCM")
_NAMES = {"410668003": "Length", "1483009": "Angle", "373098007": "Value"}
_NOTES = {"mm": "in patient space (mm), on an MPR plane", DEGREES: "in patient space (mm), on an MPR plane",
          HU: "Hounsfield units (Modality LUT), nearest voxel"}


def tracking_identifier(m: PlaneMeasurement) -> str:
    return f"{m.kind.display_name} [{m.id}] on MPR {m.plane_name}"


def _group(m: PlaneMeasurement, frame_of_reference_uid: str) -> hd.sr.PlanarROIMeasurementsAndQualitativeEvaluations:
    points = np.asarray(m.points, dtype=np.float64)
    graphic = hd.sr.GraphicTypeValues3D.POINT if m.kind is Kind.PROBE else hd.sr.GraphicTypeValues3D.POLYLINE
    region = hd.sr.ImageRegion3D(graphic_type=graphic, graphic_data=points, frame_of_reference_uid=frame_of_reference_uid)
    identifier = hd.sr.TrackingIdentifier(uid=tracking_uid(m.id), identifier=tracking_identifier(m))
    return measurement_group(region, m.values, identifier)


def build_plane_measurement_report(
    measurements: Sequence[PlaneMeasurement],
    headers: Sequence[Dataset],
    *,
    observer_name: str = "",
    previous_version: Dataset | None = None,
) -> Dataset:
    """A TID 1500 Measurement Report of MPR measurements (SCOORD3D, see the module doc).

    ``headers``: the measured series' instance headers (evidence; one study, one Frame of
    Reference). ``previous_version`` is listed as the predecessor and its series reused.
    Raises :class:`~workstation.annotate.sr_tid1500.MeasurementReportError`.
    """
    saved = [m for m in measurements if m.kind in PLANE_TOOLS]
    if not saved:
        raise MeasurementReportError("There are no MPR measurements to save; draw one on a plane first.")
    if not headers:
        raise MeasurementReportError("The headers of the measured series were not given; pass them as evidence.")
    frames = {str(ds.get("FrameOfReferenceUID", "") or "").strip() for ds in headers}
    studies = {str(ds.get("StudyInstanceUID", "") or "") for ds in headers}
    if len(frames) != 1 or "" in frames:
        raise MeasurementReportError("The measured series has no single Frame of Reference UID, so 3D coordinates cannot be saved for it.")
    if len(studies) != 1:
        raise MeasurementReportError(f"The evidence images belong to {len(studies)} studies; save the measurements of one study at a time.")
    frame = frames.pop()
    return measurement_report_document(
        [_group(m, frame) for m in saved], headers, "MPR measurements",
        observer_name=observer_name, previous_version=previous_version,
    )


def content_items(items: Sequence[Dataset]) -> list[Dataset]:
    """Every content item under ``items`` (an SR's Content Sequence, PS3.3 C.17.3), depth first."""
    out: list[Dataset] = []
    for item in items:
        out.append(item)
        out.extend(content_items(item.get("ContentSequence", [])))
    return out


def has_3d_regions(ds: Dataset) -> bool:
    """Whether an SR's content tree holds a SCOORD3D item (PS3.3 C.18.9): the report of
    measurements on MPR planes, told apart from the report of measurements on acquired images
    (SCOORD, PS3.3 C.18.6)."""
    return any(str(item.get("ValueType", "")) == "SCOORD3D" for item in content_items(ds.get("ContentSequence", None) or []))


def _code(item: Dataset) -> tuple[str, str]:
    concept = item.get("ConceptNameCodeSequence")
    if not concept:
        return ("", "")
    return (str(concept[0].CodeValue), str(concept[0].CodingSchemeDesignator))


def plane_measurements_from_sr(ds: Dataset) -> list[PlaneMeasurement]:
    """The MPR measurements of a report written by :func:`build_plane_measurement_report`
    (groups with a SCOORD3D and a Tracking Identifier of that form; others are skipped)."""
    out: list[PlaneMeasurement] = []
    for group in content_items(ds.get("ContentSequence", [])):
        if str(group.get("ValueType", "")) != "CONTAINER":
            continue
        children = list(group.get("ContentSequence", []))
        identifier = next((str(c.TextValue) for c in children if _code(c) == _TRACKING_IDENTIFIER and "TextValue" in c), "")
        scoord = next((c for c in children if str(c.get("ValueType", "")) == "SCOORD3D"), None)
        match = _IDENTIFIER.match(identifier)
        if scoord is None or match is None:
            continue
        kind = next((k for k in PLANE_TOOLS if k.display_name == match["tool"]), None)
        if kind is None:
            continue
        data = np.asarray([float(x) for x in scoord.GraphicData], dtype=np.float64).reshape(-1, 3)
        points = tuple((float(p[0]), float(p[1]), float(p[2])) for p in data)
        values = []
        for c in children:
            if str(c.get("ValueType", "")) != "NUM" or not c.get("MeasuredValueSequence"):
                continue
            measured = c.MeasuredValueSequence[0]
            unit = str(measured.MeasurementUnitsCodeSequence[0].CodeValue)
            name = _NAMES.get(_code(c)[0], "Value")
            values.append(Value(name, float(measured.NumericValue), unit, _NOTES.get(unit, "modality value, nearest voxel")))
        normal: tuple[float, float, float] = (0.0, 0.0, 0.0)  # not saved: unknown after reading
        if kind is Kind.ANGLE and len(points) == 3:
            n = np.cross(data[0] - data[1], data[2] - data[1])
            if float(np.linalg.norm(n)) > 1e-9:
                n = n / float(np.linalg.norm(n))
                normal = (float(n[0]), float(n[1]), float(n[2]))
        out.append(PlaneMeasurement(match["id"], kind, points, match["plane"], normal, tuple(values)))
    return out


__all__ = ["build_plane_measurement_report", "plane_measurements_from_sr", "tracking_identifier"]
