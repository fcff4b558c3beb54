"""A study's saved reading objects: its newest measurement report, key images and presentation states.

Used when a study is shown again, as the current study or as a prior beside another one: the
newest TID 1500 Measurement Report (PS3.16 TID 1500; any SR storage class whose document title is
"Imaging Measurement Report", DCM 126000), the newest Key Object Selection (PS3.3 A.35.4) and every
Grayscale Softcopy Presentation State (PS3.3 A.33.1). "Newest" is by Content Date/Time, then
Instance Number. Arrows and text annotations, which only the presentation state holds, are read
from the newest presentation state this workstation wrote (its graphic layer
:data:`~workstation.annotate.gsps_writer.LAYER`) and join the measurements, so that they are shown
and edited like them. :func:`workstation.app.open_study.saved_object_headers` reads only the
series of :data:`SAVED_MODALITIES` of a study, so a prior's images are never fetched for this.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from pydicom.dataset import Dataset

from workstation.annotate.gsps_writer import LAYER
from workstation.annotate.key_images import KeyImages
from workstation.annotate.kos import KEY_OBJECT_SELECTION, key_images_from_kos
from workstation.annotate.measurements import MeasurementSet
from workstation.annotate.plane_sr import has_3d_regions
from workstation.annotate.read_back import annotations_from_presentation_state, measurements_from_sr
from workstation.errors import InvalidDicomError, WorkstationError
from workstation.model.presentation_state import (
    PresentationState,
    is_presentation_state,
    read_presentation_state,
)

#: Modalities of the series that hold saved reading objects (PS3.3 C.7.3.1.1.1).
SAVED_MODALITIES = frozenset({"SR", "KO", "PR"})
MEASUREMENT_REPORT_TITLE = ("126000", "DCM")


@dataclass(frozen=True)
class SavedObjects:
    """What a study's saved objects hold; ``problems`` are sentences about those not readable."""

    measurements: MeasurementSet | None = None
    key_images: KeyImages | None = None
    presentation_states: tuple[PresentationState, ...] = ()
    report: Dataset | None = None
    kos: Dataset | None = None
    #: The newest presentation state with this workstation's layer (its arrows and text were read).
    presentation_state: Dataset | None = None
    study_date: str = ""
    study_description: str = ""
    problems: tuple[str, ...] = field(default_factory=tuple)

    @property
    def empty(self) -> bool:
        return self.measurements is None and self.key_images is None and not self.presentation_states


def _order(ds: Dataset) -> tuple[str, str, int]:
    try:
        number = int(ds.get("InstanceNumber", 0) or 0)
    except (TypeError, ValueError):
        number = 0
    return str(ds.get("ContentDate", "") or ""), str(ds.get("ContentTime", "") or ""), number


def _title(ds: Dataset) -> tuple[str, str]:
    seq = ds.get("ConceptNameCodeSequence", None)
    if not seq:
        return "", ""
    return str(seq[0].get("CodeValue", "")), str(seq[0].get("CodingSchemeDesignator", ""))


def _measurement_reports(headers: Iterable[Dataset]) -> list[Dataset]:
    return [h for h in headers if str(h.get("Modality", "")) == "SR" and _title(h) == MEASUREMENT_REPORT_TITLE]


def newest_measurement_report(headers: Iterable[Dataset]) -> Dataset | None:
    """The newest SR whose document title is Imaging Measurement Report (TID 1500), of
    measurements on acquired images (not the MPR planes' report)."""
    found = [h for h in _measurement_reports(headers) if not has_3d_regions(h)]
    return max(found, key=_order) if found else None


def newest_plane_measurement_report(headers: Iterable[Dataset]) -> Dataset | None:
    """The newest TID 1500 report of measurements on MPR planes (SCOORD3D regions)."""
    found = [h for h in _measurement_reports(headers) if has_3d_regions(h)]
    return max(found, key=_order) if found else None


def newest_key_object_selection(headers: Iterable[Dataset]) -> Dataset | None:
    found = [h for h in headers if str(h.get("SOPClassUID", "")) == KEY_OBJECT_SELECTION]
    return max(found, key=_order) if found else None


def newest_own_presentation_state(headers: Iterable[Dataset]) -> Dataset | None:
    """The newest presentation state whose graphic layers include this workstation's."""
    found = [h for h in headers if is_presentation_state(h)
             and any(str(item.get("GraphicLayer", "")) == LAYER for item in h.get("GraphicLayerSequence", None) or [])]
    return max(found, key=lambda h: (str(h.get("PresentationCreationDate", "") or ""), str(h.get("PresentationCreationTime", "") or ""), *_order(h)[2:])) if found else None


def read_saved_objects(headers: Sequence[Dataset]) -> SavedObjects:
    """The newest report, the newest key object selection and the presentation states among
    ``headers`` (one study); unreadable ones are skipped and named in ``problems``."""
    problems: list[str] = []
    report = newest_measurement_report(headers)
    kos = newest_key_object_selection(headers)
    measurements = key_images = None
    if report is not None:
        try:
            measurements = measurements_from_sr(report)
        except WorkstationError as exc:
            problems.append(str(exc))
            report = None
    if kos is not None:
        try:
            key_images = key_images_from_kos(kos)
        except WorkstationError as exc:
            problems.append(str(exc))
            kos = None
    own = newest_own_presentation_state(headers)
    if own is not None:
        try:
            drawn = annotations_from_presentation_state(own)
        except (ValueError, TypeError, AttributeError, IndexError):
            problems.append(f"The annotations of presentation state {own.get('SOPInstanceUID', '(no UID)')} could not be read.")
            drawn = []
        if drawn:
            measurements = MeasurementSet((*(measurements or MeasurementSet()).items, *drawn))
    states: list[PresentationState] = []
    for h in headers:
        if is_presentation_state(h):
            try:
                states.append(read_presentation_state(h))
            except InvalidDicomError as exc:
                problems.append(str(exc))
    first = next((h for h in (report, kos, *headers) if h is not None), None)
    return SavedObjects(
        measurements, key_images, tuple(states), report, kos, own,
        study_date=str(first.get("StudyDate", "") or "") if first is not None else "",
        study_description=str(first.get("StudyDescription", "") or "") if first is not None else "",
        problems=tuple(problems),
    )


__all__ = ["SAVED_MODALITIES", "SavedObjects", "newest_key_object_selection", "newest_measurement_report",
           "newest_own_presentation_state", "read_saved_objects"]
