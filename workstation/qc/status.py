"""Each study's QC status (not checked / warnings / errors / passed), kept on this workstation.

The status comes from the last QC run (:func:`workstation.qc.run.run_checks`) and from the
technologist's "mark as checked (QC passed)". It is stored in ``qc_status.json`` beside the audit
log (written atomically) and every change is also recorded in the audit log.

Why only locally: DICOM has no standard, widely supported way to say "a technologist checked this
study". The nearest standard records would be a Key Object Selection (PS3.3 A.35.4) titled with a
CID 7010 concept, or a Modality Performed Procedure Step / UPS state (PS3.4 F, CC), but none of
them *means* "QC passed" and archives do not act on them, so writing one would invent semantics.
The workstation therefore records it here and in the audit log, and nothing in the archive.

``qc_worklist`` lists one day's studies from the local library by study date and time (the time the
acquisition started) with their status: the QC mode of the worklist.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
from dataclasses import asdict, dataclass, field, replace
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Any

from workstation.atomic import write_text_atomic
from workstation.errors import StoreError, WorkstationError
from workstation.model.entities import StudySummary
from workstation.model.query import StudyQuery
from workstation.qc.audit import AuditAction, AuditLog, default_audit_path, utc_now
from workstation.qc.findings import QCReport, QCStatus
from workstation.settings import Settings

if TYPE_CHECKING:
    from workstation.model.source import StudySource

STATUS_FILE = "qc_status.json"


class StudyQCState(str, Enum):
    """The QC status column of the worklist."""

    NOT_CHECKED = "not_checked"  # no run yet, or a clean run not yet signed off
    WARNINGS = "warnings"
    ERRORS = "errors"
    PASSED = "passed"  # a technologist marked it as checked

    @property
    def label(self) -> str:
        return {"not_checked": "not checked", "warnings": "warnings", "errors": "errors",
                "passed": "passed"}[self.value]


class QCPassRefused(WorkstationError):
    """A study with error-level findings cannot be marked "QC passed" without saying so."""


@dataclass(frozen=True)
class StudyQCRecord:
    """What this workstation knows about one study's QC (no patient data)."""

    study_uid: str
    state: StudyQCState = StudyQCState.NOT_CHECKED
    last_run: str = ""  # UTC ISO time of the last QC run
    last_run_status: str = ""  # QCStatus value of the last run
    counts: dict[str, int] = field(default_factory=dict)  # findings per severity
    instances: int = 0  # number of instances the last run saw
    passed_by: str = ""
    passed_at: str = ""
    passed_despite_errors: bool = False

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["state"] = self.state.value
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> StudyQCRecord:
        try:
            state = StudyQCState(data.get("state", "not_checked"))
        except ValueError:
            state = StudyQCState.NOT_CHECKED
        return cls(
            study_uid=str(data.get("study_uid", "")),
            state=state,
            last_run=str(data.get("last_run", "")),
            last_run_status=str(data.get("last_run_status", "")),
            counts={str(k): int(v) for k, v in (data.get("counts") or {}).items()},
            instances=int(data.get("instances", 0) or 0),
            passed_by=str(data.get("passed_by", "")),
            passed_at=str(data.get("passed_at", "")),
            passed_despite_errors=bool(data.get("passed_despite_errors", False)),
        )


def _state_of_run(status: QCStatus) -> StudyQCState:
    if status is QCStatus.ERRORS:
        return StudyQCState.ERRORS
    if status is QCStatus.WARNINGS:
        return StudyQCState.WARNINGS
    return StudyQCState.NOT_CHECKED  # clean: still waits for the technologist's sign-off


class QCStatusStore:
    """The QC status of every study seen here, in ``folder/qc_status.json``, audited."""

    def __init__(self, folder: Path | None = None, audit: AuditLog | None = None) -> None:
        self.folder = Path(folder) if folder is not None else default_audit_path().parent
        self.path = self.folder / STATUS_FILE
        self.audit = audit or AuditLog(self.folder / default_audit_path().name)
        self._lock = threading.Lock()

    @classmethod
    def for_settings(cls, settings: Settings) -> QCStatusStore:
        """The store beside the settings' library folder."""
        from workstation.audit import audit_log_for  # forwards to the audit repository too

        audit_path = default_audit_path(settings)
        return cls(audit_path.parent, audit_log_for(settings))

    # ------------------------------------------------------------------ file

    def _load(self) -> dict[str, StudyQCRecord]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as exc:
            raise StoreError(
                f"The QC status file {self.path} cannot be read ({type(exc).__name__}); "
                "move it aside and run the checks again (the audit log keeps the history)."
            ) from exc
        studies = data.get("studies", {}) if isinstance(data, dict) else {}
        return {uid: StudyQCRecord.from_json(rec) for uid, rec in studies.items() if isinstance(rec, dict)}

    def _save(self, records: dict[str, StudyQCRecord]) -> None:
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            write_text_atomic(
                self.path, json.dumps({"version": 1, "studies": {u: r.to_json() for u, r in records.items()}})
            )
        except OSError as exc:
            raise StoreError(
                f"The QC status file {self.path} cannot be written ({exc.strerror}); check the disk."
            ) from exc

    # ------------------------------------------------------------------ queries

    def get(self, study_uid: str) -> StudyQCRecord:
        """The study's record; a study never checked here is ``NOT_CHECKED``."""
        return self._load().get(study_uid, StudyQCRecord(study_uid))

    def states(self) -> dict[str, StudyQCRecord]:
        return self._load()

    # ------------------------------------------------------------------ changes

    def record_run(self, report: QCReport) -> StudyQCRecord:
        """Record a QC run's outcome. A pass stands while the study is unchanged and error-free."""
        uid = report.facts.study_uid
        if not uid:
            raise WorkstationError("The QC report names no study, so its status cannot be recorded.")
        with self._lock:
            records = self._load()
            before = records.get(uid, StudyQCRecord(uid))
            state = _state_of_run(report.status)
            withdrawn = False
            if before.state is StudyQCState.PASSED:
                same = report.facts.number_of_instances == before.instances
                if same and (report.status is not QCStatus.ERRORS or before.passed_despite_errors):
                    state = StudyQCState.PASSED
                else:
                    withdrawn = True
            after = replace(
                before,
                state=state,
                last_run=utc_now(),
                last_run_status=report.status.value,
                counts=report.counts(),
                instances=report.facts.number_of_instances,
            )
            if state is not StudyQCState.PASSED:
                after = replace(after, passed_by="", passed_at="", passed_despite_errors=False)
            records[uid] = after
            self._save(records)
        self.audit.record(AuditAction.QC_RUN, study_uid=uid, reason=report.status.value,
                          detail={"counts": report.counts(), "instances": report.facts.number_of_instances})
        if withdrawn:
            self.audit.record(AuditAction.QC_PASS_WITHDRAWN, study_uid=uid, reason=report.status.value)
        return after

    def mark_passed(self, study_uid: str, *, despite_errors: bool = False) -> StudyQCRecord:
        """"Mark as checked (QC passed)". Refused after a run with errors unless ``despite_errors``."""
        with self._lock:
            records = self._load()
            before = records.get(study_uid, StudyQCRecord(study_uid))
            if before.state is StudyQCState.ERRORS and not despite_errors:
                raise QCPassRefused(
                    f"Study {study_uid} has error-level QC findings; correct or reject the images "
                    "first, or confirm that it passes despite them."
                )
            entry = self.audit.record(
                AuditAction.QC_PASSED, study_uid=study_uid,
                reason="despite_errors" if before.state is StudyQCState.ERRORS else (before.last_run_status or "not_run"),
            )
            after = replace(
                before, state=StudyQCState.PASSED, passed_by=entry.user, passed_at=entry.time,
                passed_despite_errors=before.state is StudyQCState.ERRORS,
            )
            records[study_uid] = after
            self._save(records)
        return after


@dataclass(frozen=True)
class QCWorklistRow:
    """One row of the QC worklist: the study (as the worklist shows it) and its QC record."""

    study: StudySummary
    record: StudyQCRecord

    @property
    def state(self) -> StudyQCState:
        return self.record.state


def qc_worklist(
    library: StudySource, date: dt.date | None = None, store: QCStatusStore | None = None
) -> list[QCWorklistRow]:
    """The studies of ``date`` (default today, local time) in acquisition order, with QC status.

    Studies come from the source's study search on Study Date (PS3.4 C.2.2.2.5 range matching);
    they are ordered by Study Time, the time the procedure started, then by UID.
    """
    day = date or dt.date.today()
    store = store or QCStatusStore()
    studies = library.search_studies(StudyQuery(study_date_from=day, study_date_to=day))
    records = store.states()
    studies = sorted(studies, key=lambda s: (s.study_time or "999999", s.study_uid))
    return [QCWorklistRow(s, records.get(s.study_uid, StudyQCRecord(s.study_uid))) for s in studies]
