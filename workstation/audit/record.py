"""Recording an access from the code that does it: one call per call site.

:func:`audit_log_for` gives the log of the settings' library folder, forwarding to the audit
repository the settings name (:mod:`workstation.audit.syslog`); :func:`audited` wraps an action so
that it is recorded with its outcome: success when the block ends, a serious failure (outcome 8,
PS3.15 A.5.1 EventOutcomeIndicator) with the error's sentence when it raises.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from workstation.audit.events import (
    OUTCOME_MINOR_FAILURE,
    OUTCOME_SERIOUS_FAILURE,
    OUTCOME_SUCCESS,
    AuditAction,
)
from workstation.audit.log import AuditLog, default_audit_path
from workstation.settings import Settings

if TYPE_CHECKING:
    from workstation.model.entities import StudySummary
    from workstation.model.query import StudyQuery


class _Searchable(Protocol):  # the library (workstation.store sits above; no import of it here)
    def search_studies(self, query: StudyQuery) -> list[StudySummary]: ...


class _FileResult(Protocol):
    @property
    def study_uid(self) -> str: ...


class _Imported(Protocol):  # workstation.store.importer.ImportReport
    @property
    def study_uids(self) -> list[str]: ...
    @property
    def ok(self) -> bool: ...
    @property
    def results(self) -> Sequence[_FileResult]: ...


def audit_log_for(settings: Settings | None = None) -> AuditLog:
    """The audit log beside the settings' library, forwarding as the settings say."""
    settings = settings or Settings()
    forward = None
    if settings.audit.syslog_host:
        from workstation.audit.syslog import SyslogForwarder

        forward = SyslogForwarder.from_settings(settings.audit, default_audit_path(settings))
    return AuditLog(default_audit_path(settings), forward=forward)


@dataclass
class Subject:
    """What an audited block touched; the block fills in what it learns (the patient ID...)."""

    study_uid: str = ""
    patient_id: str = ""
    issuer_of_patient_id: str = ""
    detail: dict[str, Any] = field(default_factory=dict)
    outcome: str = ""  # set by the block for a partial success (e.g. an incomplete pull)
    outcome_text: str = ""


@contextmanager
def audited(settings: Settings | None, action: AuditAction, *, study_uid: str = "",
            patient_id: str = "", detail: dict[str, Any] | None = None) -> Iterator[Subject]:
    """Record ``action`` once the block ends, with its outcome (the error re-raised)."""
    subject = Subject(study_uid, patient_id, "", dict(detail or {}))
    outcome, text = OUTCOME_SUCCESS, ""
    try:
        yield subject
        outcome, text = subject.outcome or OUTCOME_SUCCESS, subject.outcome_text
    except BaseException as exc:
        outcome, text = OUTCOME_SERIOUS_FAILURE, str(exc) or type(exc).__name__
        raise
    finally:
        audit_log_for(settings).record(
            action, study_uid=subject.study_uid, patient_id=subject.patient_id,
            issuer_of_patient_id=subject.issuer_of_patient_id, detail=subject.detail,
            outcome=outcome, outcome_text=text)


def query_keys(query: StudyQuery) -> dict[str, str]:
    """The matching keys a search used (the ATNA Query message's query), empty ones left out."""
    keys = {"patient_name": query.patient_name, "patient_id": query.patient_id,
            "accession_number": query.accession_number, "modality": query.modality,
            "study_description": query.study_description, "study_uid": query.study_uid,
            "study_date": query.study_date_range()}
    return {k: v for k, v in keys.items() if v}


def record_search(settings: Settings | None, query: StudyQuery, matches: int, *,
                  problem: str = "") -> None:
    """A worklist search (PS3.15 A.5.3.10 Query): its keys and how many studies matched."""
    audit_log_for(settings).record(
        AuditAction.STUDY_SEARCHED, detail={"query": query_keys(query), "matches": matches},
        outcome=OUTCOME_MINOR_FAILURE if problem else OUTCOME_SUCCESS, outcome_text=problem)


def record_import(settings: Settings | None, library: _Searchable, report: _Imported) -> None:
    """One Import record (PS3.15 A.5.3.7) per study that received files, with its patient."""
    from workstation.model.query import StudyQuery

    log = audit_log_for(settings)
    for uid in report.study_uids:
        found = library.search_studies(StudyQuery(study_uid=uid))
        log.record(AuditAction.STUDY_IMPORTED, study_uid=uid,
                   patient_id=found[0].patient_id if found else "",
                   issuer_of_patient_id=found[0].issuer_of_patient_id if found else "",
                   detail={"files": sum(1 for r in report.results if r.study_uid == uid)},
                   outcome=OUTCOME_SUCCESS if report.ok else OUTCOME_MINOR_FAILURE,
                   outcome_text="" if report.ok else "some files failed")


class _Pulled(Protocol):  # workstation.net.transfer.PullReport
    @property
    def study_uid(self) -> str: ...
    @property
    def complete(self) -> bool: ...
    @property
    def instances_fetched(self) -> int: ...
    @property
    def instances_expected(self) -> int: ...


def record_pull(settings: Settings | None, library: _Searchable, report: _Pulled, *, why: str) -> None:
    """A study (or part of it) brought into the library (PS3.15 A.5.3.4, instances transferred,
    created here): ``why`` says what asked for it (``"pull"``, ``"prior prefetch"``)."""
    from workstation.model.query import StudyQuery

    found = library.search_studies(StudyQuery(study_uid=report.study_uid))
    audit_log_for(settings).record(
        AuditAction.STUDY_PULLED, study_uid=report.study_uid,
        patient_id=found[0].patient_id if found else "",
        issuer_of_patient_id=found[0].issuer_of_patient_id if found else "",
        detail={"why": why, "instances": report.instances_fetched, "expected": report.instances_expected},
        outcome=OUTCOME_SUCCESS if report.complete else OUTCOME_MINOR_FAILURE,
        outcome_text="" if report.complete else "incomplete")
