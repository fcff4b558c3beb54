"""``workstation outbox [--retry] [--json]``: the delivery state of signed reports.

Without ``--retry`` it delivers what is due (back-off respected) and lists the outbox; with
``--retry`` failed deliveries are queued again and everything undelivered is tried now.
Every version not delivered everywhere is listed with why (a report whose folder cannot be read
included), then a summary line. Exit status 0 when everything is delivered, 3 while something is
only waiting for a retry, 4 while something is blocked until a person acts (a destination refused
it, its folder cannot be read, or no destination is configured).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path
from typing import Any

from workstation.report.delivery.destinations import open_outbox
from workstation.report.delivery.outbox import DELIVERED, OutboxBusy, OutboxEntry
from workstation.settings import Settings

EXIT_UNDELIVERED = 3
EXIT_BLOCKED = 4


def add_outbox_parser(subparsers: Any) -> None:
    """Add the ``outbox`` verb to the ``workstation`` command's sub-parsers."""
    p = subparsers.add_parser("outbox", help="list signed reports and their delivery state")
    p.add_argument("--retry", action="store_true",
                   help="queue failed deliveries again and try everything undelivered now")
    p.add_argument("--list-only", action="store_true", help="list only, send nothing")
    p.add_argument("--json", action="store_true", help="print the state as JSON")
    p.add_argument("--folder", help="outbox folder (default: the platform's data folder)")
    p.set_defaults(func=cmd_outbox)


def _when(epoch: float) -> str:
    if not epoch:
        return "now"
    return dt.datetime.fromtimestamp(epoch).astimezone().strftime("%Y-%m-%d %H:%M:%S")


def format_entry(entry: OutboxEntry) -> list[str]:
    """Lines describing one version: its header, then one line per destination."""
    if entry.problem:
        return [f"{entry.version_uid}  NOT DELIVERED: {entry.problem}"]
    accession = entry.accession_number or "none (the study is identified by its UID)"
    lines = [f"{entry.version_uid}  {entry.status}  signed {entry.signed_at}  "
             f"accession {accession}"]
    if not entry.destinations:
        lines.append(f"  NOT DELIVERED: {entry.why_undelivered()}")
    for name, dest in sorted(entry.destinations.items()):
        if dest.state == DELIVERED:
            lines.append(f"  {name:5} delivered {dest.delivered_at} ({dest.detail})")
        else:
            tail = f"; next try {_when(dest.next_try)}" if dest.state == "pending" else ""
            error = f": {dest.last_error}" if dest.last_error else ""
            lines.append(f"  {name:5} {dest.state} after {dest.attempts} attempt(s){tail}{error}")
    return lines


def cmd_outbox(args: argparse.Namespace, settings: Settings) -> int:
    """List (and deliver what is due, or retry with ``--retry``) the outbox."""
    folder = getattr(args, "folder", None)
    outbox = open_outbox(settings, Path(folder) if folder else None)
    try:
        if args.retry:
            entries = outbox.retry()
        elif args.list_only:
            entries = outbox.outbox_status()
        else:
            entries = outbox.deliver_all()
    except OutboxBusy as exc:
        print(str(exc), file=sys.stderr)
        entries = outbox.outbox_status()
    undelivered = [e for e in entries if not e.delivered]
    blocked = [e for e in undelivered if e.blocked]
    if args.json:
        print(json.dumps([{**e.to_json(), "delivered": e.delivered, "blocked": e.blocked,
                           "why": e.why_undelivered()} for e in entries], indent=1))
    elif not entries:
        print("The outbox is empty.")
    else:
        for entry in entries:
            print("\n".join(format_entry(entry)))
        print(summary(entries))
    if blocked:
        return EXIT_BLOCKED
    return EXIT_UNDELIVERED if undelivered else 0


def summary(entries: list[OutboxEntry]) -> str:
    """One line: how many versions are delivered, waiting, and blocked until a person acts."""
    undelivered = [e for e in entries if not e.delivered]
    blocked = sum(1 for e in undelivered if e.blocked)
    if not undelivered:
        return f"All {len(entries)} signed report version(s) are delivered."
    return (f"{len(undelivered)} of {len(entries)} signed report version(s) are not delivered: "
            f"{blocked} blocked until someone acts, {len(undelivered) - blocked} waiting for a "
            "retry.")
