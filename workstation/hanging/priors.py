"""Find a patient's other studies and rank them as priors for comparison.

Identity (PS3.3 C.7.1.1 Patient Module): a study is the same patient's when Patient ID
(0010,0020) is equal *and* Issuer of Patient ID (0010,0021) is equal (both empty counts as equal:
one assigning authority). When the IDs are equal but the issuers differ, or only one side names
an issuer, the study is returned as a *possible* prior with ``identifiers_differ`` set and is
never hung or prefetched by default: a person must confirm it. An empty Patient ID finds nothing
(searching for it would list every patient).

The search is QIDO-RS Search for Studies by PatientID (PS3.18 10.6.1) on any
:class:`~workstation.model.source.StudySource` (the archive or the local library); the issuer is
compared here because archives differ in whether they filter on it.

Ranking (best first): confirmed before possible; earlier studies before later ones (a "prior" is
older; later studies of the patient are kept, labelled "later study"); then same modality as the
current study; then same body region (:mod:`workstation.hanging.regions`, from the study
descriptions); then most recent; then Study Instance UID for a stable order.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from workstation.hanging.interval import interval_text, prior_label
from workstation.hanging.regions import regions_of
from workstation.model.entities import StudySummary
from workstation.model.query import StudyQuery
from workstation.model.source import StudySource

#: Modalities that are not images to compare (reports, presentation states, key objects...).
NON_IMAGE_MODALITIES = frozenset({"SR", "PR", "KO", "DOC", "SEG", "RTSTRUCT", "REG", "OT", "AU", "ECG"})


@dataclass(frozen=True)
class RankedPrior:
    """One of the patient's other studies, with why it ranks where it does."""

    rank: int  # 1 = best
    study: StudySummary
    same_modality: bool
    same_region: bool
    earlier: bool
    identifiers_differ: bool
    label: str  # "prior 2015-01-01, 3 y 2 m earlier"
    interval: str  # "3 y 2 m earlier"

    @property
    def confirmed(self) -> bool:
        """Same Patient ID and issuer: safe to hang beside the current study."""
        return not self.identifiers_differ

    def to_json(self) -> dict[str, Any]:
        s = self.study
        return {
            "rank": self.rank,
            "study_uid": s.study_uid,
            "study_date": s.study_date,
            "study_description": s.study_description,
            "modalities": list(s.modalities),
            "label": self.label if self.confirmed else f"possible {self.label}, identifiers differ",
            "interval": self.interval,
            "same_modality": self.same_modality,
            "same_region": self.same_region,
            "earlier": self.earlier,
            "identifiers_differ": self.identifiers_differ,
            "origin": sorted(s.origins),
        }


def _image_modalities(study: StudySummary) -> set[str]:
    return {m.upper() for m in study.modalities if m and m.upper() not in NON_IMAGE_MODALITIES}


def rank_priors(current: StudySummary, candidates: Iterable[StudySummary], *,
                current_regions: Iterable[str] = ()) -> list[RankedPrior]:
    """Rank the patient's other studies (already found) against ``current`` (see the module docstring).

    Studies with another Patient ID, and the current study itself, are left out. ``current_regions``
    adds regions known from the current study's series (Body Part Examined).
    """
    patient_id = current.patient_id.strip()
    if not patient_id:
        return []
    regions = set(current_regions) | regions_of([current.study_description])
    modalities = _image_modalities(current)
    merged: dict[str, StudySummary] = {}
    for study in candidates:
        if study.study_uid == current.study_uid or study.patient_id.strip() != patient_id:
            continue
        merged[study.study_uid] = merged[study.study_uid].merged_with(study) if study.study_uid in merged else study
    rows = []
    for study in merged.values():
        differ = study.issuer_of_patient_id.strip() != current.issuer_of_patient_id.strip()
        same_modality = bool(modalities & _image_modalities(study))
        same_region = bool(regions & regions_of([study.study_description]))
        earlier = current.date is None or study.date is None or study.date <= current.date
        rows.append((study, differ, same_modality, same_region, earlier))
    rows.sort(key=lambda r: (r[1], not r[4], not r[2], not r[3], -(r[0].date.toordinal() if r[0].date else 0), r[0].study_uid))
    ranked = []
    for n, (study, differ, same_modality, same_region, earlier) in enumerate(rows, start=1):
        ranked.append(RankedPrior(
            rank=n, study=study, same_modality=same_modality, same_region=same_region, earlier=earlier,
            identifiers_differ=differ, label=prior_label(study.date, current.date, study.study_date),
            interval=interval_text(study.date, current.date),
        ))
    return ranked


def find_priors(source: StudySource | Sequence[StudySource], study: StudySummary, *,
                current_regions: Iterable[str] = ()) -> list[RankedPrior]:
    """The patient's other studies in ``source`` (or several sources, merged by Study Instance UID), ranked."""
    if not study.patient_id.strip():
        return []
    sources = [source] if isinstance(source, StudySource) else list(source)
    found: list[StudySummary] = []
    for each in sources:
        found.extend(each.search_studies(StudyQuery(patient_id=study.patient_id.strip())))
    return rank_priors(study, found, current_regions=current_regions)


__all__ = ["NON_IMAGE_MODALITIES", "RankedPrior", "find_priors", "rank_priors"]
