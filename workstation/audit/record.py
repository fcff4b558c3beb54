"""Recording an access from the code that does it: one call per call site.

:func:`audit_log_for` gives the log of the settings' library folder, forwarding to the audit
repository the settings name (:mod:`workstation.audit.syslog`); :func:`audited` wraps an action so
that it is recorded with its outcome: success when the block ends, a serious failure (outcome 8,
PS3.15 A.5.1 EventOutcomeIndicator) with the error's sentence when it raises.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from workstation.audit.events import OUTCOME_SERIOUS_FAILURE, OUTCOME_SUCCESS, AuditAction
from workstation.audit.log import AuditLog, default_audit_path
from workstation.settings import Settings


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
