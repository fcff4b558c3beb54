"""The QC actions' audit log is the workstation's access audit log (:mod:`workstation.audit`).

Kept so that QC code reads as before: the names here are those of :mod:`workstation.audit.log`.
"""

from __future__ import annotations

from workstation.audit.events import AuditAction
from workstation.audit.log import (
    AUDIT_FILE,
    AuditEntry,
    AuditLog,
    default_audit_path,
    read_audit,
    record_action,
    utc_now,
)
from workstation.identity import current_identity


def current_user() -> str:
    """The signed-in person's name, or "" when nobody signed in (the OS login is no identity)."""
    who = current_identity()
    return who.display() if who else ""


__all__ = ["AUDIT_FILE", "AuditAction", "AuditEntry", "AuditLog", "current_user", "default_audit_path",
           "read_audit", "record_action", "utc_now"]
