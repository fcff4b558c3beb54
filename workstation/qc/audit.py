"""The local audit log of QC actions: who did what to which study, and when.

One JSON object per line (JSON Lines) in ``audit.jsonl`` beside the local library, in the
platform's data folder. Each entry records the operating-system user, the UTC time (ISO 8601),
the action, the Study / Series / SOP Instance UIDs concerned and the coded reason (for example a
CID 7010 rejection title such as ``113001``). It never records patient names, IDs or birth dates:
the UIDs are the link to the images (the rule of IHE ITI ATNA, RAD TF-2 audit events, which also
identify studies by UID).

The log is append-only: a line is written with one ``write`` on a file opened in append mode and
flushed to disk (``fsync``) before the action is reported done. A crash in the middle of a write
leaves at most a truncated last line, which :func:`read_audit` skips and the next append
terminates, so one torn entry never spoils the ones after it.
"""

from __future__ import annotations

import datetime as dt
import getpass
import json
import os
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Any

from workstation.errors import StoreError
from workstation.settings import Settings

AUDIT_FILE = "audit.jsonl"


class AuditAction(str, Enum):
    """What a technologist did (the ``action`` of an entry)."""

    QC_RUN = "qc_run"  # the checks were run on a study
    QC_PASSED = "qc_passed"  # "mark as checked (QC passed)"
    QC_PASS_WITHDRAWN = "qc_pass_withdrawn"  # a later run undid the pass (new images, errors)
    REJECTED = "rejected"  # an IOCM rejection note was stored for some instances
    CORRECTED = "corrected"  # corrected copies with new UIDs were stored (demographic correction)


@dataclass(frozen=True)
class AuditEntry:
    """One line of the audit log. ``detail`` holds keywords and counts, never patient data."""

    time: str
    user: str
    action: str
    study_uid: str = ""
    series_uids: tuple[str, ...] = ()
    instance_uids: tuple[str, ...] = ()
    reason: str = ""
    detail: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "time": self.time,
            "user": self.user,
            "action": self.action,
            "study_uid": self.study_uid,
            "series_uids": list(self.series_uids),
            "instance_uids": list(self.instance_uids),
            "reason": self.reason,
            "detail": self.detail,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> AuditEntry:
        return cls(
            time=str(data.get("time", "")),
            user=str(data.get("user", "")),
            action=str(data.get("action", "")),
            study_uid=str(data.get("study_uid", "")),
            series_uids=tuple(str(u) for u in data.get("series_uids", []) or []),
            instance_uids=tuple(str(u) for u in data.get("instance_uids", []) or []),
            reason=str(data.get("reason", "")),
            detail=dict(data.get("detail", {}) or {}),
        )


def default_audit_path(settings: Settings | None = None) -> Path:
    """``audit.jsonl`` in the folder that holds the library (the platform's data folder)."""
    return (settings or Settings()).library_path().parent / AUDIT_FILE


def current_user() -> str:
    """The operating-system user name (who is at the workstation)."""
    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001 - no user name in the environment or password database
        return f"uid-{os.getuid()}" if hasattr(os, "getuid") else "unknown"


def utc_now() -> str:
    """Now, in UTC, as ISO 8601 with the offset (``2024-05-01T09:12:03.120000+00:00``)."""
    return dt.datetime.now(dt.timezone.utc).isoformat()


_LOCK = threading.Lock()


class AuditLog:
    """The audit log at ``path`` (default: :func:`default_audit_path`)."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = Path(path) if path is not None else default_audit_path()

    def record(
        self,
        action: AuditAction | str,
        *,
        study_uid: str = "",
        series_uids: Iterable[str] = (),
        instance_uids: Iterable[str] = (),
        reason: str = "",
        detail: dict[str, Any] | None = None,
    ) -> AuditEntry:
        """Append one entry and flush it to disk; returns it. Raises :class:`StoreError`."""
        entry = AuditEntry(
            time=utc_now(),
            user=current_user(),
            action=action.value if isinstance(action, AuditAction) else str(action),
            study_uid=study_uid,
            series_uids=tuple(dict.fromkeys(series_uids)),
            instance_uids=tuple(dict.fromkeys(instance_uids)),
            reason=reason,
            detail=dict(detail or {}),
        )
        line = (json.dumps(entry.to_json(), ensure_ascii=True, separators=(",", ":")) + "\n").encode("ascii")
        with _LOCK:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
                try:
                    if _ends_torn(self.path):
                        line = b"\n" + line  # end the line a crash cut short
                    os.write(fd, line)
                    os.fsync(fd)
                finally:
                    os.close(fd)
            except OSError as exc:
                raise StoreError(
                    f"The audit log {self.path} cannot be written ({exc.strerror}); "
                    "check the disk and the folder's permissions before going on."
                ) from exc
        return entry

    def read(self, study_uid: str | None = None) -> list[AuditEntry]:
        """Every entry (of one study, if given), oldest first; torn or foreign lines are skipped."""
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return []
        except OSError as exc:
            raise StoreError(f"The audit log {self.path} cannot be read ({exc.strerror}).") from exc
        entries: list[AuditEntry] = []
        for line in raw.split(b"\n"):
            if not line.strip():
                continue
            try:
                data = json.loads(line)
            except ValueError:
                continue  # a line cut short by a crash
            if not isinstance(data, dict) or "action" not in data:
                continue
            entry = AuditEntry.from_json(data)
            if study_uid is None or entry.study_uid == study_uid:
                entries.append(entry)
        return entries


def _ends_torn(path: Path) -> bool:
    """True when the file is not empty and its last byte is not a newline."""
    try:
        size = path.stat().st_size
        if size == 0:
            return False
        with path.open("rb") as fh:
            fh.seek(size - 1)
            return fh.read(1) != b"\n"
    except OSError:
        return False


def record_action(
    action: AuditAction | str,
    *,
    study_uid: str = "",
    series_uids: Sequence[str] = (),
    instance_uids: Sequence[str] = (),
    reason: str = "",
    detail: dict[str, Any] | None = None,
    path: Path | None = None,
) -> AuditEntry:
    """Append one entry to the audit log at ``path`` (default: beside the library)."""
    return AuditLog(path).record(
        action, study_uid=study_uid, series_uids=series_uids, instance_uids=instance_uids,
        reason=reason, detail=detail,
    )


def read_audit(study_uid: str | None = None, path: Path | None = None) -> list[AuditEntry]:
    """The audit log's entries (of one study, if given), oldest first."""
    return AuditLog(path).read(study_uid)
