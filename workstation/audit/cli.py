"""``workstation audit [--study UID] [--since DATE] [--verify] [--json]``: who saw what.

Lists the access audit log's records, oldest first, optionally of one study or since a date
(UTC); ``--verify`` checks the hash chain (:func:`workstation.audit.log.verify_chain`) and exits
with status 1, naming the first broken record, when a record was changed, removed or inserted.
Reading the log is itself recorded (PS3.15 A.5.3.2 "Audit Log Used").
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from typing import Any

from workstation.audit.events import OUTCOME_SUCCESS, AuditAction
from workstation.audit.log import AuditEntry
from workstation.audit.record import audit_log_for
from workstation.settings import Settings


def _since(text: str) -> dt.datetime:
    try:
        when = dt.datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date (use YYYY-MM-DD or an ISO 8601 time)") from None
    return when if when.tzinfo else when.replace(tzinfo=dt.timezone.utc)


def add_audit_parser(subparsers: Any) -> None:
    p: argparse.ArgumentParser = subparsers.add_parser(
        "audit", help="list who accessed which study, and check the audit log's chain")
    p.add_argument("--study", help="only the records of this Study Instance UID")
    p.add_argument("--since", type=_since, help="only records from this date (YYYY-MM-DD, UTC) on")
    p.add_argument("--verify", action="store_true",
                   help="check that no record was changed, removed or inserted (exit 1 if so)")
    p.add_argument("--json", action="store_true", help="print the records as JSON")
    p.add_argument("--forward", action="store_true",
                   help="send the records not yet sent to the audit repository (syslog over TLS)")
    p.set_defaults(func=cmd_audit)


def _after(entry: AuditEntry, since: dt.datetime | None) -> bool:
    if since is None:
        return True
    try:
        when = dt.datetime.fromisoformat(entry.time)
    except ValueError:
        return False
    return (when if when.tzinfo else when.replace(tzinfo=dt.timezone.utc)) >= since


def _line(e: AuditEntry) -> str:
    outcome = "ok" if e.outcome == OUTCOME_SUCCESS else f"failed ({e.outcome_text or e.outcome})"
    who = e.user + (f" <{e.user_id}>" if e.user_id else "")
    subject = " ".join(x for x in (e.study_uid, f"patient {e.patient_id}" if e.patient_id else "") if x)
    return "  ".join(x for x in (e.time[:19].replace("T", " "), who, e.action, outcome, subject,
                                 f"on {e.machine}" if e.machine else "") if x)


def _forward(settings: Settings) -> int:
    from workstation.audit.log import default_audit_path
    from workstation.audit.syslog import SyslogForwarder
    from workstation.errors import SettingsError

    if not settings.audit.syslog_host:
        raise SettingsError("No audit repository is configured (the settings' audit.syslog_host).")
    sent = SyslogForwarder(settings.audit, default_audit_path(settings)).send_pending()
    print(f"{sent} audit records sent to {settings.audit.syslog_host}:{settings.audit.syslog_port}.")
    return 0


def cmd_audit(args: argparse.Namespace, settings: Settings) -> int:
    if args.forward:
        return _forward(settings)
    log = audit_log_for(settings)
    entries = [e for e in log.read(args.study) if _after(e, args.since)]
    status = 0
    report = log.verify() if args.verify else None
    if args.json:
        out: dict[str, Any] = {"records": [e.to_json() for e in entries]}
        if report is not None:
            out["intact"] = report.intact
            out["breaks"] = [vars(b) for b in report.breaks]
        json.dump(out, sys.stdout, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
    else:
        for e in entries:
            print(_line(e))
        if not entries and report is None:
            print("No audit record matches.")
    if report is not None:
        if report.intact:
            extra = f"; {report.unchained} older records precede the chain" if report.unchained else ""
            print(f"The audit log's chain is intact: {report.records} records{extra}; "
                  f"last hash {report.last_hash[:16]}.", file=sys.stderr)
        else:
            for b in report.breaks:
                print(b.sentence(), file=sys.stderr)
            status = 1
    log.record(AuditAction.AUDIT_LOG_READ,
               detail={"verify": bool(args.verify), "intact": report.intact if report else None,
                       "study": args.study or "", "records_listed": len(entries)})
    return status
