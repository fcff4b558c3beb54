"""Study, series and instance summaries: the rows of a worklist and a series browser.

The attributes are those of the QIDO-RS study, series and instance resources (PS3.18 10.6.3,
Table 10.6.3-3 to -5) and of the Patient/Study/Series/Instance levels of the query information
model (PS3.4 C.6.2). The archive (from QIDO-RS JSON) and the local library (from its index) both
produce these, so the rest of the workstation never cares where a study came from.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from typing import Any

from pydicom.dataset import Dataset

from workstation.model import attributes as attr

ARCHIVE = "archive"
LIBRARY = "library"


def parse_da(value: str) -> dt.date | None:
    """Parse a DICOM DA value (YYYYMMDD, PS3.5 6.2); ``None`` when empty or invalid."""
    value = (value or "").strip()
    if len(value) == 10 and value[4] == "." and value[7] == ".":  # ACR-NEMA 2.0 form
        value = value.replace(".", "")
    if len(value) != 8 or not value.isdigit():
        return None
    try:
        return dt.date(int(value[:4]), int(value[4:6]), int(value[6:8]))
    except ValueError:
        return None


@dataclass(frozen=True)
class StudySummary:
    """One study as a worklist shows it (PS3.4 C.6.2.1 Study level + Patient level)."""

    study_uid: str
    patient_name: str = ""
    patient_id: str = ""
    issuer_of_patient_id: str = ""
    patient_birth_date: str = ""
    patient_sex: str = ""
    study_date: str = ""
    study_time: str = ""
    accession_number: str = ""
    study_description: str = ""
    study_id: str = ""
    referring_physician: str = ""
    modalities: tuple[str, ...] = ()
    number_of_series: int | None = None
    number_of_instances: int | None = None
    origins: frozenset[str] = field(default_factory=frozenset)
    #: The names of the archives that listed the study (a federated search over several).
    archives: frozenset[str] = field(default_factory=frozenset)
    #: The local library only: how many instances of the study it holds.
    local_instances: int | None = None
    #: The local library only: how many instances a complete copy holds, as the archive's
    #: instance list told a retrieval (None when never retrieved, e.g. only imported).
    expected_instances: int | None = None
    #: The local library only: stored copies that are damaged (truncated, unreadable pixels).
    damaged_instances: int = 0

    @classmethod
    def from_dataset(cls, ds: Dataset, origin: str) -> StudySummary:
        """Build from a QIDO-RS study result or from any instance header of the study."""
        modalities: tuple[str, ...]
        if "ModalitiesInStudy" in ds:
            raw = ds.ModalitiesInStudy
            values = [raw] if isinstance(raw, str) else list(raw)
            modalities = tuple(sorted({str(v) for v in values if v}))
        elif "Modality" in ds:
            modalities = (str(ds.Modality),) if ds.Modality else ()
        else:
            modalities = ()
        return cls(
            study_uid=attr.text(ds, "StudyInstanceUID"),
            patient_name=attr.text(ds, "PatientName"),
            patient_id=attr.text(ds, "PatientID"),
            issuer_of_patient_id=attr.text(ds, "IssuerOfPatientID"),
            patient_birth_date=attr.text(ds, "PatientBirthDate"),
            patient_sex=attr.text(ds, "PatientSex"),
            study_date=attr.text(ds, "StudyDate"),
            study_time=attr.text(ds, "StudyTime"),
            accession_number=attr.text(ds, "AccessionNumber"),
            study_description=attr.text(ds, "StudyDescription"),
            study_id=attr.text(ds, "StudyID"),
            referring_physician=attr.text(ds, "ReferringPhysicianName"),
            modalities=modalities,
            number_of_series=attr.int_or_none(ds, "NumberOfStudyRelatedSeries"),
            number_of_instances=attr.int_or_none(ds, "NumberOfStudyRelatedInstances"),
            origins=frozenset({origin}),
        )

    def where(self) -> list[str]:
        """Where the study is: the archives that listed it by name, then the library."""
        names = sorted(self.archives) or ([ARCHIVE] if ARCHIVE in self.origins else [])
        return names + ([LIBRARY] if LIBRARY in self.origins else [])

    @property
    def date(self) -> dt.date | None:
        return parse_da(self.study_date)

    @property
    def usable_instances(self) -> int | None:
        """Instances held whose copy is not damaged (None when the count is unknown)."""
        if self.local_instances is None:
            return None
        return max(self.local_instances - self.damaged_instances, 0)

    @property
    def incomplete(self) -> bool:
        """The local copy lacks instances a retrieval expected, or holds damaged ones."""
        usable = self.usable_instances
        if self.damaged_instances:
            return True
        return self.expected_instances is not None and usable is not None and usable < self.expected_instances

    def completeness_note(self) -> str:
        """'incomplete: 16 of 28 images, pull again' for an incomplete local copy, else ''."""
        if not self.incomplete:
            return ""
        usable = self.usable_instances or 0
        of = self.expected_instances if self.expected_instances is not None else self.local_instances
        damaged = f" ({self.damaged_instances} damaged)" if self.damaged_instances else ""
        return f"incomplete: {usable} of {of} images{damaged}, pull again"

    def merged_with(self, other: StudySummary) -> StudySummary:
        """The same study seen in two sources: keep our fields, fill gaps, union the origins."""
        filled: dict[str, Any] = {}
        for name in self.__dataclass_fields__:
            mine, theirs = getattr(self, name), getattr(other, name)
            if mine in ("", None, ()) and theirs not in ("", None, ()):
                filled[name] = theirs
        filled["origins"] = self.origins | other.origins
        filled["archives"] = self.archives | other.archives
        filled["damaged_instances"] = max(self.damaged_instances, other.damaged_instances)
        return replace(self, **filled)


@dataclass(frozen=True)
class SeriesSummary:
    """One series as a series browser shows it (PS3.4 C.6.2.1 Series level)."""

    study_uid: str
    series_uid: str
    modality: str = ""
    series_number: int | None = None
    series_description: str = ""
    body_part_examined: str = ""
    number_of_instances: int | None = None

    @classmethod
    def from_dataset(cls, ds: Dataset, study_uid: str = "") -> SeriesSummary:
        return cls(
            study_uid=attr.text(ds, "StudyInstanceUID") or study_uid,
            series_uid=attr.text(ds, "SeriesInstanceUID"),
            modality=attr.text(ds, "Modality"),
            series_number=attr.int_or_none(ds, "SeriesNumber"),
            series_description=attr.text(ds, "SeriesDescription"),
            body_part_examined=attr.text(ds, "BodyPartExamined"),
            number_of_instances=attr.int_or_none(ds, "NumberOfSeriesRelatedInstances"),
        )


@dataclass(frozen=True)
class InstanceSummary:
    """One composite instance (PS3.4 C.6.2.1 Composite Object Instance level)."""

    study_uid: str
    series_uid: str
    sop_instance_uid: str
    sop_class_uid: str = ""
    instance_number: int | None = None
    number_of_frames: int | None = None
    rows: int | None = None
    columns: int | None = None

    @classmethod
    def from_dataset(cls, ds: Dataset, study_uid: str = "", series_uid: str = "") -> InstanceSummary:
        return cls(
            study_uid=attr.text(ds, "StudyInstanceUID") or study_uid,
            series_uid=attr.text(ds, "SeriesInstanceUID") or series_uid,
            sop_instance_uid=attr.text(ds, "SOPInstanceUID"),
            sop_class_uid=attr.text(ds, "SOPClassUID"),
            instance_number=attr.int_or_none(ds, "InstanceNumber"),
            number_of_frames=attr.int_or_none(ds, "NumberOfFrames"),
            rows=attr.int_or_none(ds, "Rows"),
            columns=attr.int_or_none(ds, "Columns"),
        )
