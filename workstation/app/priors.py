"""The prior service: a patient's other studies, found in every archive and the library, ranked.

Priors are looked for everywhere, not only in the archive the current study came from: every
archive that is not a backup, searched at once (:class:`workstation.net.federated.FederatedSource`,
QIDO-RS by Patient ID, PS3.18 10.6), and the local library. The studies found are merged by
Study Instance UID and ranked (:func:`workstation.hanging.priors.rank_priors`: confirmed
identifiers first, earlier, same modality, same region, newest). The hanging protocols take the
best ones; the report's comparison section lists the earlier ones (:func:`comparison_rows`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from workstation.errors import WorkstationError
from workstation.hanging.priors import RankedPrior, rank_priors
from workstation.model.entities import StudySummary
from workstation.model.query import StudyQuery


def prior_sources(library: Any | None, archive: Any | None, everywhere: Any | None = None) -> list[Any]:
    """Where priors are looked for: every archive (``everywhere``, when some are configured),
    else the study's own ``archive``; then the library."""
    found = everywhere if everywhere is not None else archive
    return [s for s in (found, library) if s is not None]


@dataclass(frozen=True)
class PriorSearch:
    """The ranked priors, and a sentence for each source that could not be searched."""

    ranked: list[RankedPrior]
    problems: list[str]


def search_priors(study: StudySummary, sources: Sequence[Any], *,
                  current_regions: Iterable[str] = ()) -> PriorSearch:
    """The patient's other studies in ``sources``, merged and ranked against ``study``; a source
    that fails is named in ``problems`` and the others still count. Runs in a worker thread."""
    patient_id = study.patient_id.strip()
    if not patient_id:
        return PriorSearch([], [])
    found: list[StudySummary] = []
    problems: list[str] = []
    for source in sources:
        try:
            found.extend(source.search_studies(StudyQuery(patient_id=patient_id)))
        except WorkstationError as exc:
            problems.append(str(exc))
    return PriorSearch(rank_priors(study, found, current_regions=current_regions), problems)


def comparison_rows(ranked: Sequence[RankedPrior]) -> list[tuple[str, str, str]]:
    """(study date, modalities, description) of the earlier priors, for the report's comparison
    section (:func:`workstation.report.templates.comparison_line` orders them)."""
    return [(p.study.study_date, "/".join(p.study.modalities), p.study.study_description)
            for p in ranked if p.earlier]


__all__ = ["PriorSearch", "comparison_rows", "prior_sources", "search_priors"]
