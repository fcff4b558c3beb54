"""Worklist filters, shared by the archive (QIDO-RS) and the local library.

Matching follows PS3.4 C.2.2.2: single value matching, wild card matching with ``*`` and ``?``
(case-insensitive for person names, as most archives do it), range matching on dates, and list of
UID matching.
"""

from __future__ import annotations

import datetime as dt
import fnmatch
import re
from dataclasses import dataclass

from workstation.model.entities import StudySummary, parse_da


@dataclass(frozen=True)
class StudyQuery:
    """The filters of a worklist search. Empty fields match everything."""

    patient_name: str = ""
    patient_id: str = ""
    accession_number: str = ""
    study_date_from: dt.date | None = None
    study_date_to: dt.date | None = None
    modality: str = ""
    study_description: str = ""
    study_uid: str = ""
    limit: int | None = None
    offset: int = 0

    def study_date_range(self) -> str:
        """The StudyDate matching key as a DICOM range (PS3.4 C.2.2.2.5), or ``""``."""
        if not self.study_date_from and not self.study_date_to:
            return ""
        start = self.study_date_from.strftime("%Y%m%d") if self.study_date_from else ""
        end = self.study_date_to.strftime("%Y%m%d") if self.study_date_to else ""
        if start and start == end:
            return start
        return f"{start}-{end}"

    def matches(self, study: StudySummary) -> bool:
        """Whether ``study`` satisfies every filter; used by sources that filter locally."""
        if self.study_uid and study.study_uid != self.study_uid:
            return False
        if self.patient_name and not wildcard_match(
            self.patient_name, study.patient_name, person_name=True
        ):
            return False
        if self.patient_id and not wildcard_match(self.patient_id, study.patient_id):
            return False
        if self.accession_number and not wildcard_match(
            self.accession_number, study.accession_number
        ):
            return False
        if self.study_description and not wildcard_match(
            self.study_description, study.study_description, person_name=True
        ):
            return False
        if self.modality and self.modality.upper() not in {m.upper() for m in study.modalities}:
            return False
        if self.study_date_from or self.study_date_to:
            date = parse_da(study.study_date)
            if date is None:
                return False
            if self.study_date_from and date < self.study_date_from:
                return False
            if self.study_date_to and date > self.study_date_to:
                return False
        return True


def wildcard_match(pattern: str, value: str, *, person_name: bool = False) -> bool:
    """DICOM wild card matching (PS3.4 C.2.2.2.4): ``*`` any run, ``?`` one character.

    Person names (and descriptions, as a convenience) match case-insensitively, and a pattern
    without a wildcard on a person name matches the start of any name component, so ``smith``
    finds ``SMITH^JOHN`` as a radiologist expects.
    """
    pattern = pattern.strip()
    value = value or ""
    if person_name:
        pattern, value = pattern.upper(), value.upper()
        if "*" not in pattern and "?" not in pattern:
            pattern = pattern + "*"
    translated = fnmatch.translate(pattern.replace("[", "[[]"))
    return re.fullmatch(translated, value, flags=re.DOTALL) is not None
