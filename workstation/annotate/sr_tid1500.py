"""Measurements as a DICOM SR Measurement Report (PS3.16 TID 1500), built with highdicom.

One Comprehensive 3D SR (PS3.3 A.35.13) per saved version, with new Series and SOP Instance UIDs,
the patient and study of the measured images, and the measured images as evidence (Current
Requested Procedure Evidence Sequence, C.17.2.1). Each measurement is one "Planar ROI
Measurements" group (TID 1410): a Tracking Identifier that names the tool and the measurement id
(``"Length [id]"``, so an edit keeps its identity across versions), a Tracking UID, the image
region as SCOORD referencing the source image (and frame), and its values as NUM items (TID 300)
with UCUM units:

============== =================================== ==========================================
tool           SCOORD (PS3.3 C.18.6.1.2)           NUM items
============== =================================== ==========================================
length         POLYLINE, 2 points                  Length (SCT 410668003)
angle          POLYLINE, 3 points (vertex middle)  Angle (SCT 1483009)
Cobb           two POLYLINEs of 2 points (*)       Cobb angle (SCT 285285000)
bidirectional  two POLYLINEs of 2 points (*):      Long axis (SCT 103339001), Short axis
               long axis, short axis               (SCT 103340004)
ellipse        ELLIPSE, 4 points                   Area, Mean, Standard Deviation, Minimum,
rectangle      closed POLYLINE, 5 points           Maximum (SCT 42798000, 373098007,
freehand       closed POLYLINE                     386136009, 255605001, 56851009)
probe          POINT                               Mean (of the one pixel)
============== =================================== ==========================================

The document is in UTF-8 (ISO_IR 192, :mod:`workstation.model.charset`) whatever the images'
character set; values copied from them are decoded with their own set first.

(*) A POLYLINE is one connected line (PS3.3 C.18.6.1.2), so two lines are two SCOORDs: such a
measurement is a TID 1501 Measurement Group whose NUM items are INFERRED FROM their lines (TID
300, TID 320), not a TID 1410 group with one region. :mod:`.read_back` reads this form and the
single 4-point POLYLINE written before.

The Tracking UID of a measurement is kept for its life (:func:`tracking_uid`): derived from its
id, or the one it was read back with, so other systems can follow a lesion across versions.

SCOORD coordinates put (0, 0) at the outer top-left corner of the image, so the measurement's
pixel-centre coordinates are shifted by +0.5. Arrows and text annotations are not measurements:
they go to the presentation state (:mod:`.gsps_writer`).
"""

from __future__ import annotations

import uuid
import warnings
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
from pydicom.dataset import Dataset
from pydicom.sr.coding import Code
from pydicom.uid import generate_uid

from workstation import __version__
from workstation.annotate.measurements import HU, Kind, Measurement, MeasurementError, Value
from workstation.annotate.suv import SUV_UNIT
from workstation.lazy import lazy_module
from workstation.model import series_numbers
from workstation.model.charset import UTF8

if TYPE_CHECKING:
    import highdicom as hd
else:
    hd = lazy_module("highdicom")  # imported when an object is first written

#: Series Number given to measurement reports (sorts after the acquisitions).
MEASUREMENT_SERIES_NUMBER = series_numbers.MEASUREMENTS

VALUE_CODES: dict[str, Code] = {
    "Length": Code("410668003", "SCT", "Length"),
    "Angle": Code("1483009", "SCT", "Angle"),
    "Cobb angle": Code("285285000", "SCT", "Cobb angle"),
    "Long axis": Code("103339001", "SCT", "Long axis"),
    "Short axis": Code("103340004", "SCT", "Short axis"),
    "Area": Code("42798000", "SCT", "Area"),
    "Mean": Code("373098007", "SCT", "Mean"),
    "Value": Code("373098007", "SCT", "Mean"),
    "Standard deviation": Code("386136009", "SCT", "Standard Deviation"),
    "Minimum": Code("255605001", "SCT", "Minimum"),
    "Maximum": Code("56851009", "SCT", "Maximum"),
}
UNIT_MEANINGS = {
    "mm": "millimeter", "mm2": "square millimeter", "deg": "degree", HU: "Hounsfield unit",
    SUV_UNIT: "Standardized Uptake Value body weight", "Bq/ml": "becquerels per milliliter",
    "px": "pixels", "px2": "square pixels", "1": "no units",
}
_UCUM = {"px": "{pixels}", "px2": "{square pixels}"}
PROCEDURE = Code("363679005", "SCT", "Imaging procedure")
#: Tools of two separate lines, written as two SCOORDs (see :func:`_two_line_group`).
TWO_LINE_KINDS = frozenset({Kind.COBB, Kind.BIDIRECTIONAL})
SAVED_KINDS = frozenset({Kind.LENGTH, Kind.ANGLE, Kind.COBB, Kind.BIDIRECTIONAL, Kind.ELLIPSE, Kind.RECTANGLE, Kind.FREEHAND, Kind.PROBE})


class MeasurementReportError(MeasurementError):
    """The measurements cannot be written as a measurement report (no image, several studies)."""


def tracking_identifier(m: Measurement) -> str:
    return f"{m.kind.display_name} [{m.id}]"


def tracking_uid(measurement_id: str, known: str = "") -> str:
    """The Tracking UID (112040, DCM; TID 4108) of a measurement, the same for its whole life.

    ``known`` (the UID it was read back with) wins. Otherwise it comes from the id, which every
    version keeps: an id that is a UUID (as the workstation makes them) becomes the UUID-derived
    UID "2.25.<integer>" (PS3.5 B.2); any other id is hashed into a UID (pydicom's
    ``generate_uid`` with the id as its only entropy source). Never a new random UID per save.
    """
    if known:
        return known
    try:
        return f"2.25.{uuid.UUID(hex=measurement_id).int}"
    except ValueError:
        return str(generate_uid(entropy_srcs=[measurement_id]))


def _scoord(m: Measurement) -> tuple[hd.sr.GraphicTypeValues, np.ndarray]:
    kind = m.kind
    pts = np.asarray(m.points, dtype=np.float64) + 0.5
    if kind is Kind.RECTANGLE:
        (x0, y0), (x1, y1) = pts
        pts = np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]])
        return hd.sr.GraphicTypeValues.POLYLINE, pts
    if kind is Kind.FREEHAND:
        if not np.allclose(pts[0], pts[-1]):
            pts = np.vstack([pts, pts[:1]])
        return hd.sr.GraphicTypeValues.POLYLINE, pts
    graphic = {
        Kind.LENGTH: hd.sr.GraphicTypeValues.POLYLINE, Kind.ANGLE: hd.sr.GraphicTypeValues.POLYLINE,
        Kind.ELLIPSE: hd.sr.GraphicTypeValues.ELLIPSE, Kind.PROBE: hd.sr.GraphicTypeValues.POINT,
    }[kind]
    return graphic, pts


def _source_image(m: Measurement) -> hd.sr.SourceImageForRegion:
    return hd.sr.SourceImageForRegion(
        referenced_sop_class_uid=m.image.sop_class_uid,
        referenced_sop_instance_uid=m.image.sop_instance_uid,
        referenced_frame_numbers=[m.image.frame] if m.image.frame else None,
    )


def _group(m: Measurement) -> Any:
    identifier = hd.sr.TrackingIdentifier(uid=tracking_uid(m.id, m.tracking_uid), identifier=tracking_identifier(m))
    if m.kind in TWO_LINE_KINDS:
        return _two_line_group(m, identifier)
    graphic, data = _scoord(m)
    region = hd.sr.ImageRegion(graphic_type=graphic, graphic_data=data, source_image=_source_image(m))
    return measurement_group(region, m.values, identifier)


def _two_line_group(m: Measurement, identifier: hd.sr.TrackingIdentifier) -> hd.sr.MeasurementsAndQualitativeEvaluations:
    """A bidirectional or Cobb measurement: two lines, which one POLYLINE cannot be (PS3.3
    C.18.6.1.2 defines it as one connected line). A TID 1501 Measurement Group whose NUM items
    are each INFERRED FROM their own 2-point SCOORDs (TID 300 including TID 320): the long axis and
    the short axis from one line each, the Cobb angle from its two lines."""
    ends = np.asarray(m.axes if m.kind is Kind.BIDIRECTIONAL else m.points, dtype=np.float64) + 0.5
    lines = {"Long axis": [ends[0:2]], "Short axis": [ends[2:4]], "Cobb angle": [ends[0:2], ends[2:4]]}
    measured = [
        hd.sr.Measurement(
            name=VALUE_CODES[v.name], value=float(v.value), unit=_unit(v.unit),
            referenced_coordinates=[
                hd.sr.CoordinatesForMeasurement(graphic_type=hd.sr.GraphicTypeValues.POLYLINE, graphic_data=line,
                                                source_image=_source_image(m))
                for line in lines.get(v.name, [])
            ] or None,
        )
        for v in m.values
        if v.name in VALUE_CODES
    ]
    return hd.sr.MeasurementsAndQualitativeEvaluations(tracking_identifier=identifier, measurements=measured or None)


def _unit(unit: str) -> Code:
    return Code(_UCUM.get(unit, unit), "UCUM", UNIT_MEANINGS.get(unit, unit))


def measurement_group(region: Any, values: Sequence[Value], identifier: hd.sr.TrackingIdentifier) -> hd.sr.PlanarROIMeasurementsAndQualitativeEvaluations:
    """One TID 1410 Planar ROI Measurements group: the region (SCOORD or SCOORD3D), its values as
    TID 300 NUM items with UCUM units (those with a code in :data:`VALUE_CODES`), and the
    measurement's Tracking Identifier and Tracking UID (:func:`tracking_uid`)."""
    measured = [
        hd.sr.Measurement(name=VALUE_CODES[v.name], value=float(v.value), unit=_unit(v.unit))
        for v in values
        if v.name in VALUE_CODES
    ]
    return hd.sr.PlanarROIMeasurementsAndQualitativeEvaluations(
        tracking_identifier=identifier,
        referenced_region=region,
        measurements=measured or None,
    )


def _evidence(measurements: Sequence[Measurement], headers: Sequence[Dataset]) -> list[Dataset]:
    by_uid = {str(ds.get("SOPInstanceUID", "")): ds for ds in headers}
    missing = {m.image.sop_instance_uid for m in measurements} - set(by_uid)
    if missing:
        raise MeasurementReportError(f"The header of measured image {sorted(missing)[0]} was not given; pass the headers of every measured image.")
    used = [by_uid[uid] for uid in dict.fromkeys(m.image.sop_instance_uid for m in measurements)]
    studies = {str(ds.get("StudyInstanceUID", "")) for ds in used}
    if len(studies) != 1:
        raise MeasurementReportError(f"The measurements lie on images of {len(studies)} studies; save the measurements of one study at a time.")
    return used


def build_measurement_report(
    measurements: Sequence[Measurement],
    headers: Sequence[Dataset],
    *,
    observer_name: str = "",
    previous_version: Dataset | None = None,
    series_instance_uid: str | None = None,
    institution_name: str | None = None,
) -> Dataset:
    """A TID 1500 Measurement Report of the measurements (arrows and text left to the GSPS).

    ``headers`` are the measured images' headers (any extra ones are ignored). Every call makes
    a new SOP Instance UID; ``previous_version`` (the report this one replaces) is listed in the
    Predecessor Documents Sequence and its series reused unless ``series_instance_uid`` is given.
    Raises :class:`MeasurementReportError`.
    """
    saved = [m for m in measurements if m.kind in SAVED_KINDS]
    if not saved:
        raise MeasurementReportError("There are no measurements to save; draw a measurement first.")
    return measurement_report_document(
        [_group(m) for m in saved], _evidence(saved, headers), "Measurements",
        observer_name=observer_name, previous_version=previous_version,
        series_instance_uid=series_instance_uid, institution_name=institution_name,
    )


def measurement_report_document(
    groups: Sequence[Any],
    evidence: Sequence[Dataset],
    series_description: str,
    *,
    observer_name: str = "",
    previous_version: Dataset | None = None,
    series_instance_uid: str | None = None,
    institution_name: str | None = None,
) -> Dataset:
    """The TID 1500 document around measurement groups (TID 1410/1411): observation context
    (a person observer when named, TID 1002), the measured images as evidence, a Comprehensive
    3D SR (PS3.3 A.35.13) with a new SOP Instance UID; a new version reuses the series of
    ``previous_version`` and lists it in the Predecessor Documents Sequence."""
    if observer_name:
        observer = hd.sr.ObserverContext(
            observer_type=hd.sr.CodedConcept("121006", "DCM", "Person"),
            observer_identifying_attributes=hd.sr.PersonObserverIdentifyingAttributes(name=observer_name),
        )
        context = hd.sr.ObservationContext(observer_person_context=observer)
    else:
        context = hd.sr.ObservationContext()
    series = series_instance_uid or (str(previous_version.SeriesInstanceUID) if previous_version is not None else generate_uid())
    instance_number = int(previous_version.get("InstanceNumber", 0) or 0) + 1 if previous_version is not None else 1
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # highdicom's name warnings may quote patient names
        report = hd.sr.MeasurementReport(
            observation_context=context,
            procedure_reported=PROCEDURE,
            imaging_measurements=list(groups),
        )
        document = hd.sr.Comprehensive3DSR(
            evidence=list(evidence),
            content=report,
            series_instance_uid=series,
            series_number=MEASUREMENT_SERIES_NUMBER,
            sop_instance_uid=generate_uid(),
            instance_number=instance_number,
            manufacturer="workstation",
            software_versions=__version__,
            institution_name=institution_name,
            previous_versions=[previous_version] if previous_version is not None else None,
            specific_character_set=UTF8,  # whatever the images' own set (PS3.5 6.1)
        )
    document.SeriesDescription = series_description
    return document
