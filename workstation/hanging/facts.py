"""The attributes hanging protocol rules test, read from metadata only (no pixels).

Display-set attributes (selector rules), from a :class:`~workstation.model.displayset.DisplaySet`
and its first instance header:

======================  ========================================================================
Modality                (0008,0060)
SeriesDescription       (0008,103E)
BodyPartExamined        (0018,0015), upper case
Orientation             'axial' / 'coronal' / 'sagittal': the standard plane nearest to the
                        slices (Image Orientation (Patient), PS3.3 C.7.6.2.1.1); absent for
                        projections without it
Oblique                 true when the slices are more than 1 degree off that plane
SliceThickness          (0018,0050), mm
Contrast                true when Contrast/Bolus Agent (0018,0010) is present and not empty
                        (PS3.3 C.7.6.4); false otherwise
IsVolume                the display set builds a volume (MPR/3D possible)
Kind                    volume / enhanced_volume / stack / multiframe / sr / pdf / ...
IsImage                 the display set shows images
NumberOfImages          instances in the display set
NumberOfFrames          frames in the display set
ViewPosition            (0018,5101), else from View Code Sequence (0054,0220) (CC, MLO, ML, LM,
                        XCCL, PA, AP, LL, RL, ...), else a mammography view name found in
                        Patient Orientation (0020,0020), where some archives (CBIS-DDSM) put it
                        instead of row/column directions
ImageLaterality         (0020,0062), else Laterality (0020,0060), else Frame Laterality
                        (0020,9072): R, L, B or U
ImageType               (0008,0008) values, upper case
IsLocalizer             Image Type holds LOCALIZER (PS3.3 C.8.2.1.1.1)
Region                  body regions named by Body Part Examined and the series description
                        (:mod:`workstation.hanging.regions`)
======================  ========================================================================

Study attributes (protocol matching rules): ModalitiesInStudy, StudyDescription,
BodyPartExamined (every series' value), Laterality (every image's laterality),
SeriesDescriptions (every series' description), NumberOfPriors (priors available),
PatientSex, NumberOfDisplaySets, and Region: the regions named by the study description and the
series' Body Part Examined, else (when those name none) by the series descriptions.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
from pydicom.dataset import Dataset

from workstation.hanging.regions import regions_of
from workstation.model import attributes as attr
from workstation.model.displayset import DisplaySet, build_display_sets
from workstation.model.entities import StudySummary
from workstation.model.geometry import PLANE_TOLERANCE_DEG

_PLANES = ("sagittal", "coronal", "axial")

#: View Code Sequence meanings (CID 4014, PS3.16) to View Position defined terms.
_VIEW_CODES = {
    "R-10242": "CC", "399162004": "CC",
    "R-10226": "MLO", "399368009": "MLO",
    "R-10224": "ML", "399260004": "ML",
    "R-10228": "LM", "399352003": "LM",
    "R-10244": "FB", "R-102D0": "SIO",
    "R-1024A": "XCCL", "399192003": "XCCL",
    "R-1024B": "XCCM", "399101009": "XCCM",
}
_MG_VIEW_NAMES = frozenset({"CC", "MLO", "ML", "LM", "XCCL", "XCCM", "FB", "SIO", "LMO", "AT", "CV"})
_VIEW_MEANINGS = {
    "cranio-caudal": "CC", "medio-lateral oblique": "MLO", "medio-lateral": "ML", "latero-medial": "LM",
    "exaggerated cranio-caudal": "XCCL", "postero-anterior": "PA", "antero-posterior": "AP",
    "left lateral": "LL", "right lateral": "RL", "lateral": "LATERAL",
}


@dataclass(frozen=True, eq=False)
class DisplaySetFacts:
    """One display set as rules see it: its uid, its study and the attribute values."""

    uid: str
    study_uid: str
    series_uid: str
    series_number: int | None
    order: int  # position in the study's display order (a tie-breaker)
    values: Mapping[str, Any]
    display_set: DisplaySet | None = None

    def get(self, attribute: str) -> Any:
        return self.values.get(attribute)

    @property
    def label(self) -> str:
        number = "" if self.series_number is None else f"{self.series_number} "
        return f"{self.values.get('Modality', '')} {number}{self.values.get('SeriesDescription', '')}".strip()


@dataclass(frozen=True, eq=False)
class StudyFacts:
    """One study as protocol rules see it, with its display sets."""

    summary: StudySummary
    values: Mapping[str, Any]
    display_sets: tuple[DisplaySetFacts, ...]

    @property
    def study_uid(self) -> str:
        return self.summary.study_uid

    def get(self, attribute: str) -> Any:
        return self.values.get(attribute)


def _orientation(ds: Dataset, display_set: DisplaySet) -> tuple[str, bool] | None:
    if display_set.geometry is not None:
        plane = display_set.geometry.plane
        return display_set.geometry.nearest_plane, plane == "oblique"
    iop = attr.floats(ds.get("ImageOrientationPatient", None), 6)
    if iop is None:
        return None
    row, column = iop[:3], iop[3:]
    if np.linalg.norm(row) < 1e-6 or np.linalg.norm(column) < 1e-6:
        return None
    normal = np.cross(row / np.linalg.norm(row), column / np.linalg.norm(column))
    normal = normal / np.linalg.norm(normal)
    axis = int(np.argmax(np.abs(normal)))
    angle = float(np.degrees(np.arccos(min(1.0, abs(float(normal[axis]))))))
    return _PLANES[axis], angle > PLANE_TOLERANCE_DEG


def view_position(ds: Dataset) -> str:
    """View Position (0018,5101), else the View Code Sequence (0054,0220) code, upper case."""
    value = attr.text(ds, "ViewPosition").upper()
    if value:
        return value
    for item in attr.items(ds, "ViewCodeSequence"):
        code = attr.text(item, "CodeValue")
        if code in _VIEW_CODES:
            return _VIEW_CODES[code]
        meaning = attr.text(item, "CodeMeaning").lower()
        if meaning in _VIEW_MEANINGS:
            return _VIEW_MEANINGS[meaning]
    if attr.text(ds, "Modality").upper() == "MG":
        # Non-conformant but common (CBIS-DDSM): the view name in Patient Orientation. Real
        # orientations use only A P R L H F (PS3.3 C.7.6.1.1.1); every view name below holds
        # another letter, so the two never mix up.
        orientation = str(ds.get("PatientOrientation", "") or "").strip().upper()
        if orientation in _MG_VIEW_NAMES:
            return orientation
    return ""


def image_laterality(ds: Dataset) -> str:
    """Image Laterality, else series Laterality, else Frame Laterality (PS3.3 C.7.6.1, C.7.3.1)."""
    for keyword in ("ImageLaterality", "Laterality"):
        value = attr.text(ds, keyword).upper()
        if value:
            return value
    for group in attr.items(ds, "SharedFunctionalGroupsSequence") + attr.items(ds, "PerFrameFunctionalGroupsSequence")[:1]:
        for item in attr.items(group, "FrameAnatomySequence"):
            value = attr.text(item, "FrameLaterality").upper()
            if value:
                return value
    return ""


def display_set_values(display_set: DisplaySet, header: Dataset | None) -> dict[str, Any]:
    """The rule attributes of one display set (see the module docstring)."""
    ds = header if header is not None else Dataset()
    values: dict[str, Any] = {
        "Modality": display_set.modality.upper(),
        "SeriesDescription": display_set.series_description,
        "Kind": display_set.kind.value,
        "IsImage": display_set.kind.is_image,
        "IsVolume": display_set.is_volume,
        "NumberOfImages": display_set.number_of_images,
        "NumberOfFrames": display_set.number_of_frames,
        "Contrast": bool(attr.text(ds, "ContrastBolusAgent")),
    }
    if display_set.series_number is not None:
        values["SeriesNumber"] = display_set.series_number
    body_part = attr.text(ds, "BodyPartExamined").upper()
    if body_part:
        values["BodyPartExamined"] = body_part
    thickness = attr.float_or_none(ds, "SliceThickness")
    if thickness is not None and thickness > 0:
        values["SliceThickness"] = thickness
    if display_set.kind.is_image:
        orientation = _orientation(ds, display_set)
        if orientation is not None:
            values["Orientation"], values["Oblique"] = orientation
    regions = regions_of([body_part, display_set.series_description])
    if regions:
        values["Region"] = tuple(sorted(regions))
    view = view_position(ds)
    if view:
        values["ViewPosition"] = view
    laterality = image_laterality(ds)
    if laterality:
        values["ImageLaterality"] = laterality
    image_type = [str(v).strip().upper() for v in attr.values(ds.get("ImageType", None)) if str(v).strip()]
    if image_type:
        values["ImageType"] = tuple(image_type)
    values["IsLocalizer"] = "LOCALIZER" in image_type
    return values


def describe_display_sets(display_sets: Sequence[DisplaySet], headers: Iterable[Dataset]) -> list[DisplaySetFacts]:
    """Facts for display sets, each read from the header of its first instance."""
    by_uid = {attr.text(ds, "SOPInstanceUID"): ds for ds in headers}
    facts = []
    for order, display_set in enumerate(display_sets):
        first = by_uid.get(display_set.sop_instance_uids[0]) if display_set.sop_instance_uids else None
        facts.append(
            DisplaySetFacts(
                uid=display_set.uid,
                study_uid=display_set.study_uid,
                series_uid=display_set.series_uid,
                series_number=display_set.series_number,
                order=order,
                values=display_set_values(display_set, first),
                display_set=display_set,
            )
        )
    return facts


def study_facts(summary: StudySummary, display_sets: Sequence[DisplaySetFacts], *, number_of_priors: int = 0) -> StudyFacts:
    """Protocol-level attributes of a study from its summary and its display sets."""
    modalities = {m.upper() for m in summary.modalities if m}
    modalities.update(str(d.get("Modality")) for d in display_sets if d.get("Modality"))
    values: dict[str, Any] = {
        "ModalitiesInStudy": tuple(sorted(modalities)),
        "NumberOfPriors": number_of_priors,
        "NumberOfDisplaySets": len(display_sets),
    }
    if summary.study_description:
        values["StudyDescription"] = summary.study_description
    if summary.patient_sex:
        values["PatientSex"] = summary.patient_sex.upper()
    regions = regions_of([summary.study_description, *(str(d.get("BodyPartExamined") or "") for d in display_sets)])
    if not regions:  # fall back on the series descriptions only when the study names no region
        regions = regions_of(str(d.get("SeriesDescription") or "") for d in display_sets)
    if regions:
        values["Region"] = tuple(sorted(regions))
    for key, name in (("BodyPartExamined", "BodyPartExamined"), ("ImageLaterality", "Laterality"),
                      ("SeriesDescription", "SeriesDescriptions")):
        found = sorted({str(d.get(key)) for d in display_sets if d.get(key)})
        if found:
            values[name] = tuple(found)
    return StudyFacts(summary=summary, values=values, display_sets=tuple(display_sets))


def study_from_headers(headers: Sequence[Dataset], *, origin: str = "library", number_of_priors: int = 0) -> StudyFacts:
    """Convenience: summary, display sets and facts of one study's instance headers."""
    if not headers:
        raise ValueError("no headers")
    summary = StudySummary.from_dataset(headers[0], origin)
    modalities = tuple(sorted({attr.text(ds, "Modality").upper() for ds in headers if attr.text(ds, "Modality")}))
    summary = replace(summary, modalities=modalities)
    sets = build_display_sets(headers)
    return study_facts(summary, describe_display_sets(sets, headers), number_of_priors=number_of_priors)


__all__ = [
    "DisplaySetFacts",
    "StudyFacts",
    "describe_display_sets",
    "display_set_values",
    "image_laterality",
    "study_facts",
    "study_from_headers",
    "view_position",
]
