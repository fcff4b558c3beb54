"""Who saw what: the access audit log (PS3.15 A.5 audit messages, IHE ITI ATNA).

:mod:`~workstation.audit.events` holds the coded vocabulary, :mod:`~workstation.audit.log` the
hash-chained local log, :mod:`~workstation.audit.record` the one-line hooks for call sites,
:mod:`~workstation.audit.atna` the XML audit message and :mod:`~workstation.audit.syslog` the
forwarding to an audit repository over TLS syslog (RFC 5425).
"""

from workstation.audit.events import AuditAction
from workstation.audit.log import AuditEntry, AuditLog, default_audit_path, verify_chain
from workstation.audit.record import audit_log_for, audited

__all__ = ["AuditAction", "AuditEntry", "AuditLog", "audit_log_for", "audited", "default_audit_path",
           "verify_chain"]
