"""The local access audit log: append-only, hash-chained, owner-only (PS3.15 A.5; IHE ITI ATNA).

One JSON object per line (JSON Lines, UTF-8) in ``audit.jsonl`` beside the local library. A
record says who (the signed-in identity from the provider, :mod:`workstation.identity`; the
operating-system account only as context), when (UTC, ISO 8601), on which machine, what (the
action and its ATNA coding, :mod:`workstation.audit.events`), on which study and patient (Study
Instance UID, Patient ID and its issuer; never the name or birth date) and with what outcome.

Tamper evidence: every record carries ``prev``, the SHA-256 of the record before it, and ``hash``,
the SHA-256 of its own canonical JSON (keys sorted, no spaces, UTF-8) without ``hash``. When the
line before a record is not a chained record (the start of the file, entries of the former QC log,
a line cut short by a crash) ``prev`` is the SHA-256 of every byte of the file before the record,
so those lines are protected too. Changing, removing or inserting a record breaks the chain at
that point, which :func:`verify_chain` (``workstation audit --verify``) names. A hash chain without
a key is evidence against edits, not against someone who rewrites the whole tail: the copy
forwarded to an audit repository (:mod:`workstation.audit.syslog`) is the outside anchor.

Patient data in the log is encrypted at rest like the rest of the library
(:mod:`workstation.crypt`): the study, series and instance UIDs, the Patient ID and its issuer,
the reason and the details of a record are sealed together into its ``sealed`` field with
AES-256-GCM under the installation's key (a random 96-bit nonce; the record's number and time as
associated data, so a sealed block cannot be moved to another record). What stays in clear is
what the chain and an auditor without the key need: number, time, action and its coding,
outcome, the signed-in person, machine. The hash covers the record as written (sealed), so
``--verify`` needs no key; reading the identifiers back does. On a machine whose settings say
the disk is already encrypted (``disk_encrypted``) records are written in clear.

Appends are serialised between threads (a lock) and between processes (``flock`` on the file,
POSIX), written with one ``write`` in append mode and flushed to disk (``fsync``) before the
action is reported done; the file is created 0600 (``workstation.private``).
"""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import hashlib
import json
import os
import socket
import threading
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from workstation.audit.events import OUTCOME_SUCCESS, AuditAction, coding_of
from workstation.errors import StoreError
from workstation.identity import Identity, current_identity, os_account
from workstation.settings import Settings

try:  # POSIX advisory locks; Windows has none here (one process writes there)
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

AUDIT_FILE = "audit.jsonl"
#: The fields of a record that identify a patient or study: sealed with the installation's key.
SEALED_FIELDS = ("study_uid", "patient_id", "issuer_of_patient_id", "series_uids",
                 "instance_uids", "reason", "detail")
_SEAL_PREFIX = b"workstation-audit-v1"
NOT_SIGNED_IN = "(not signed in)"
_TAIL = 65536


def utc_now() -> str:
    """Now, in UTC, as ISO 8601 with the offset (``2024-05-01T09:12:03.120000+00:00``)."""
    return dt.datetime.now(dt.timezone.utc).isoformat()


def default_audit_path(settings: Settings | None = None) -> Path:
    """``audit.jsonl`` in the folder that holds the library (the platform's data folder)."""
    return (settings or Settings()).library_path().parent / AUDIT_FILE


def canonical(data: dict[str, Any]) -> bytes:
    """The bytes a record's hash covers: its JSON with sorted keys, no spaces, UTF-8."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def record_hash(data: dict[str, Any]) -> str:
    return hashlib.sha256(canonical({k: v for k, v in data.items() if k != "hash"})).hexdigest()


@dataclass(frozen=True)
class AuditEntry:
    """One record. ``user`` is the signed-in person's name (or ``(not signed in)``)."""

    time: str
    user: str
    action: str
    study_uid: str = ""
    series_uids: tuple[str, ...] = ()
    instance_uids: tuple[str, ...] = ()
    reason: str = ""
    detail: dict[str, Any] = field(default_factory=dict)
    user_id: str = ""
    machine: str = ""
    os_account: str = ""
    patient_id: str = ""
    issuer_of_patient_id: str = ""
    outcome: str = OUTCOME_SUCCESS
    outcome_text: str = ""
    event_id: str = ""
    event_type: str = ""
    action_code: str = ""
    seq: int = 0
    prev: str = ""
    hash: str = ""

    @property
    def succeeded(self) -> bool:
        return self.outcome == OUTCOME_SUCCESS

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "seq": self.seq,
            "time": self.time,
            "action": self.action,
            "event_id": self.event_id,
            "event_type": self.event_type,
            "action_code": self.action_code,
            "outcome": self.outcome,
            "outcome_text": self.outcome_text,
            "user": self.user,
            "user_id": self.user_id,
            "os_account": self.os_account,
            "machine": self.machine,
            "study_uid": self.study_uid,
            "patient_id": self.patient_id,
            "issuer_of_patient_id": self.issuer_of_patient_id,
            "series_uids": list(self.series_uids),
            "instance_uids": list(self.instance_uids),
            "reason": self.reason,
            "detail": self.detail,
            "prev": self.prev,
        }
        if self.hash:
            data["hash"] = self.hash
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> AuditEntry:
        text = {k: str(data.get(k, "") or "") for k in (
            "time", "user", "action", "study_uid", "reason", "user_id", "machine", "os_account",
            "patient_id", "issuer_of_patient_id", "outcome_text", "event_id", "event_type",
            "action_code", "prev", "hash")}
        seq = data.get("seq", 0)
        return cls(
            **text,
            series_uids=tuple(str(u) for u in data.get("series_uids", []) or []),
            instance_uids=tuple(str(u) for u in data.get("instance_uids", []) or []),
            detail=dict(data.get("detail", {}) or {}),
            outcome=str(data.get("outcome", OUTCOME_SUCCESS)),
            seq=seq if isinstance(seq, int) else 0,
        )


@dataclass(frozen=True)
class ChainBreak:
    """Where the chain is broken: the line number (1-based), the record's number and why."""

    line: int
    seq: int
    time: str
    reason: str

    def sentence(self) -> str:
        which = f"record {self.seq}" if self.seq else "the record"
        when = f" ({self.time})" if self.time else ""
        return f"The audit log is broken at line {self.line}, {which}{when}: {self.reason}."


@dataclass
class ChainReport:
    """What :func:`verify_chain` found."""

    records: int = 0
    unchained: int = 0  # lines before the first chained record (the former QC log)
    torn: int = 0  # lines cut short by a crash (tolerated; covered by the next record's prev)
    last_hash: str = ""
    breaks: list[ChainBreak] = field(default_factory=list)

    @property
    def intact(self) -> bool:
        return not self.breaks


_LOCK = threading.Lock()


def _seal_aad(data: dict[str, Any]) -> bytes:
    return b"|".join((_SEAL_PREFIX, str(data.get("seq", 0)).encode(), str(data.get("time", "")).encode()))


def _seal(data: dict[str, Any], key: bytes) -> dict[str, Any]:
    """``data`` with :data:`SEALED_FIELDS` replaced by one AES-GCM ``sealed`` field."""
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    hidden = {k: data.pop(k) for k in SEALED_FIELDS if k in data}
    nonce = os.urandom(12)
    box = AESGCM(key).encrypt(nonce, canonical(hidden), _seal_aad(data))
    data["sealed"] = base64.b64encode(nonce + box).decode("ascii")
    return data


def unseal(data: dict[str, Any]) -> dict[str, Any]:
    """``data`` with its sealed fields opened (left sealed, with a note, without the key)."""
    sealed = data.get("sealed")
    if not isinstance(sealed, str):
        return data
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    from workstation.crypt import keys

    try:
        key = keys.load_key(create=False)
        blob = base64.b64decode(sealed, validate=True)
        if key is None or len(blob) < 28:
            raise ValueError("no key")
        hidden = json.loads(AESGCM(key.key).decrypt(blob[:12], blob[12:], _seal_aad(data)))
    except (ValueError, InvalidTag, StoreError):
        return {**data, "reason": "(sealed: this installation's key cannot open it)"}
    opened = {k: v for k, v in data.items() if k != "sealed"}
    opened.update(hidden if isinstance(hidden, dict) else {})
    return opened


def _write_key() -> bytes | None:
    """The installation's key to seal records with, or ``None`` where the settings write patient
    data in clear (full-disk encryption). Raises ``StoreError`` when no keyring can hold it."""
    from workstation.crypt.files import Protection

    key = Protection.for_settings().write_key()
    return key.key if key is not None else None


class AuditLog:
    """The audit log at ``path`` (default: :func:`default_audit_path`)."""

    def __init__(self, path: Path | None = None, *, forward: Any = None) -> None:
        self.path = Path(path) if path is not None else default_audit_path()
        self.forward = forward  # a callable taking the written AuditEntry (syslog forwarding)

    def record(
        self,
        action: AuditAction | str,
        *,
        study_uid: str = "",
        patient_id: str = "",
        issuer_of_patient_id: str = "",
        series_uids: Iterable[str] = (),
        instance_uids: Iterable[str] = (),
        reason: str = "",
        detail: dict[str, Any] | None = None,
        outcome: str = OUTCOME_SUCCESS,
        outcome_text: str = "",
        identity: Identity | None = None,
    ) -> AuditEntry:
        """Append one chained record and flush it to disk; returns it. Raises :class:`StoreError`.

        ``identity`` defaults to the signed-in one (:func:`workstation.identity.current_identity`).
        """
        name = action.value if isinstance(action, AuditAction) else str(action)
        coding = coding_of(name)
        who = identity if identity is not None else current_identity()
        base = AuditEntry(
            time=utc_now(),
            user=who.display() if who else NOT_SIGNED_IN,
            user_id=who.user_id if who else "",
            action=name,
            event_id=coding.event_id.value,
            event_type=coding.event_type.value if coding.event_type else "",
            action_code=coding.action_code,
            outcome=outcome,
            outcome_text=outcome_text,
            machine=socket.gethostname(),
            os_account=os_account(),
            study_uid=study_uid,
            patient_id=patient_id,
            issuer_of_patient_id=issuer_of_patient_id,
            series_uids=tuple(dict.fromkeys(series_uids)),
            instance_uids=tuple(dict.fromkeys(instance_uids)),
            reason=reason,
            detail=dict(detail or {}),
        )
        key = _write_key()  # before the file is touched: no key, nothing written
        with _LOCK:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                fd = os.open(self.path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o600)
                try:
                    if fcntl is not None:
                        fcntl.flock(fd, fcntl.LOCK_EX)
                    prefix, seq, prev = _chain_tail(fd)
                    clear = base.to_json()
                    clear["seq"], clear["prev"] = seq, prev
                    data = _seal(dict(clear), key) if key is not None else dict(clear)
                    data["hash"] = record_hash(data)
                    clear["hash"] = data["hash"]
                    line = prefix + canonical(data) + b"\n"
                    os.write(fd, line)
                    os.fsync(fd)
                finally:
                    os.close(fd)  # closing releases the flock
            except OSError as exc:
                raise StoreError(
                    f"The audit log {self.path} cannot be written ({exc.strerror}); "
                    "check the disk and the folder's permissions before going on."
                ) from exc
        entry = AuditEntry.from_json(clear)
        if self.forward is not None:
            with contextlib.suppress(Exception):  # forwarding never stops the work; it catches up
                self.forward(entry)
        return entry

    def read(self, study_uid: str | None = None) -> list[AuditEntry]:
        """Every record (of one study, if given), oldest first; torn or foreign lines skipped."""
        entries: list[AuditEntry] = []
        for _number, _raw, data in iter_lines(self._bytes()):
            if data is None or "action" not in data:
                continue
            entry = AuditEntry.from_json(unseal(data))
            if study_uid is None or entry.study_uid == study_uid:
                entries.append(entry)
        return entries

    def verify(self) -> ChainReport:
        """Check every link of the chain (:func:`verify_chain`)."""
        return verify_chain(self._bytes())

    def _bytes(self) -> bytes:
        try:
            return self.path.read_bytes()
        except FileNotFoundError:
            return b""
        except OSError as exc:
            raise StoreError(f"The audit log {self.path} cannot be read ({exc.strerror}).") from exc


def iter_lines(raw: bytes) -> Iterator[tuple[int, bytes, dict[str, Any] | None]]:
    """``(line number, bytes with the newline, parsed object or None)`` for each line."""
    start = 0
    number = 0
    while start < len(raw):
        end = raw.find(b"\n", start)
        end = len(raw) if end < 0 else end + 1
        chunk = raw[start:end]
        number += 1
        data: dict[str, Any] | None = None
        if chunk.strip():
            try:
                parsed = json.loads(chunk)
                data = parsed if isinstance(parsed, dict) else None
            except ValueError:
                data = None
        yield number, chunk, data
        start = end


def _is_chained(data: dict[str, Any] | None) -> bool:
    return data is not None and isinstance(data.get("hash"), str) and "prev" in data


def _chain_tail(fd: int) -> tuple[bytes, int, str]:
    """What the next record needs: a newline to end a torn last line (or b""), its number, and
    its ``prev``. Reads only the tail of the file unless the last line is not a chained record."""
    size = os.fstat(fd).st_size
    if size == 0:
        return b"", 1, hashlib.sha256(b"").hexdigest()
    offset = max(0, size - _TAIL)
    tail = os.pread(fd, size - offset, offset)
    torn = not tail.endswith(b"\n")
    body = tail if torn else tail[:-1]
    cut = body.rfind(b"\n")
    last: dict[str, Any] | None = None
    if not torn and (cut >= 0 or offset == 0):
        with contextlib.suppress(ValueError):
            parsed = json.loads(body[cut + 1:])
            last = parsed if isinstance(parsed, dict) else None
    if _is_chained(last) and last is not None and isinstance(last.get("seq"), int):
        return b"", int(last["seq"]) + 1, str(last["hash"])
    # The last line is legacy, foreign or cut short: prev covers every byte before the record.
    whole = os.pread(fd, size, 0)
    prefix = b"\n" if torn else b""
    seq = 1
    for _n, _raw, data in iter_lines(whole):
        if _is_chained(data) and data is not None and isinstance(data.get("seq"), int):
            seq = int(data["seq"]) + 1
    return prefix, seq, hashlib.sha256(whole + prefix).hexdigest()


def verify_chain(raw: bytes) -> ChainReport:
    """Check each record's own hash and its link to what precedes it (see the module docstring)."""
    report = ChainReport()
    before = hashlib.sha256()  # every byte before the current line
    previous: dict[str, Any] | None = None  # the line before, when it is a chained record
    seen_chain = False
    last_seq = 0
    for number, chunk, data in iter_lines(raw):
        if _is_chained(data) and data is not None:
            seen_chain = True
            report.records += 1
            seq = data.get("seq") if isinstance(data.get("seq"), int) else 0
            time = str(data.get("time", ""))
            expected_prev = str(previous["hash"]) if previous is not None else before.hexdigest()
            if record_hash(data) != data["hash"]:
                report.breaks.append(ChainBreak(number, int(seq or 0), time,
                                                "its content does not match its hash (it was changed after it was written)"))
            elif data.get("prev") != expected_prev:
                report.breaks.append(ChainBreak(number, int(seq or 0), time,
                                                "it does not follow the record before it (a record was changed, removed or inserted before it)"))
            elif last_seq and seq != last_seq + 1:
                report.breaks.append(ChainBreak(number, int(seq or 0), time,
                                                f"its number does not follow record {last_seq}"))
            last_seq = int(seq or 0)
            report.last_hash = str(data["hash"])
            previous = data
        else:
            if seen_chain and chunk.endswith(b"\n") and data is not None:
                report.breaks.append(ChainBreak(number, 0, str(data.get("time", "")),
                                                "it is not a chained record (added after the chain began)"))
            elif seen_chain:
                report.torn += 1
            else:
                report.unchained += 1
            previous = None
        before.update(chunk)
    return report


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
    """Append one record to the audit log at ``path`` (default: beside the library)."""
    return AuditLog(path).record(
        action, study_uid=study_uid, series_uids=series_uids, instance_uids=instance_uids,
        reason=reason, detail=detail,
    )


def read_audit(study_uid: str | None = None, path: Path | None = None) -> list[AuditEntry]:
    """The audit log's records (of one study, if given), oldest first."""
    return AuditLog(path).read(study_uid)
