"""Objects waiting for the archive: saving never loses work (PS3.18 10.5 STOW-RS).

Every object produced here (measurement report, key object selection, presentation state) is
first written to the local pending folder (``<platform data folder>/workstation/pending``), then
sent with STOW-RS. A file is written atomically (temporary file, fsync, rename) and its sidecar
JSON (what it is, its SOP Instance UID, attempts, last error, state) is written after it, so a
crash leaves either a complete entry or nothing listed. When the archive cannot be reached the
object stays pending and the next :meth:`PendingQueue.send` delivers it (likewise after an
authentication failure: log in and send again); when the archive refuses the object itself (STOW
failure, HTTP 400/409) it is kept as ``refused`` with the archive's reason and not retried on its
own.
File names are a time stamp and a random suffix: never patient data. The sidecar keeps the
study's description and date (what the "waiting for the archive" list shows), never the patient's
name or ID.
"""

from __future__ import annotations

import io
import json
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Protocol

import platformdirs
from pydicom import dcmread
from pydicom.dataset import Dataset
from pydicom.errors import InvalidDicomError
from pydicom.filewriter import dcmwrite

from workstation.crypt.files import read_protected, write_protected
from workstation.errors import ArchiveError, AuthError, StoreError
from workstation.file_lock import exclusive_lock
from workstation.net.dicomweb import StoreRejected
from workstation.settings import APP_NAME

PENDING = "pending"
REFUSED = "refused"


class StoreClient(Protocol):
    """What sending needs: :meth:`workstation.net.dicomweb.DicomWebClient.store_instances`."""

    def store_instances(self, instances: Sequence[bytes], study_uid: str | None = None) -> object: ...


@dataclass(frozen=True)
class PendingObject:
    """One object in the queue, as the "pending" list shows it."""

    id: str
    sop_instance_uid: str
    study_instance_uid: str
    what: str
    created: float
    attempts: int = 0
    last_error: str = ""
    state: str = PENDING
    study_description: str = ""
    study_date: str = ""


@dataclass(frozen=True)
class SendResult:
    """What one :meth:`PendingQueue.send` did."""

    sent: tuple[PendingObject, ...]
    pending: tuple[PendingObject, ...]
    refused: tuple[PendingObject, ...]


def _refused(exc: ArchiveError) -> bool:
    """The archive refused this object itself (STOW failure, or HTTP 4xx other than
    authentication, not found, timeout or rate limiting): sending it again will not help."""
    if isinstance(exc, StoreRejected):
        return True
    if isinstance(exc, AuthError) or exc.retryable or exc.status is None:
        return False
    return 400 <= exc.status < 500 and exc.status not in (404, 408, 429)


_SEND_LOCKS: dict[Path, threading.Lock] = {}
_LOCKS_GUARD = threading.Lock()


def _send_lock(folder: Path) -> threading.Lock:
    """One lock per pending folder: a save and "Send now" never send the same object twice."""
    with _LOCKS_GUARD:
        return _SEND_LOCKS.setdefault(folder.resolve(), threading.Lock())


def default_folder() -> Path:
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)) / "pending"


def _what(ds: Dataset) -> str:
    modality = str(ds.get("Modality", "") or "")
    return {"SR": "measurement report", "KO": "key images", "PR": "presentation state"}.get(modality, modality or "DICOM object")


class PendingQueue:
    """A folder of DICOM objects waiting to be stored in the archive."""

    def __init__(self, folder: Path | None = None) -> None:
        self.folder = Path(folder) if folder is not None else default_folder()

    def _ensure(self) -> None:
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(f"The pending folder {self.folder} cannot be created ({exc.strerror}); check the disk and its permissions.") from exc

    def add(self, ds: Dataset) -> PendingObject:
        """Write an object to the queue (before any sending) and return its entry."""
        self._ensure()
        buffer = io.BytesIO()
        dcmwrite(buffer, ds, enforce_file_format=True)
        entry = PendingObject(
            id=f"{time.time_ns():020d}-{uuid.uuid4().hex[:8]}",
            sop_instance_uid=str(ds.get("SOPInstanceUID", "")),
            study_instance_uid=str(ds.get("StudyInstanceUID", "")),
            what=_what(ds),
            created=time.time(),
            study_description=str(ds.get("StudyDescription", "") or ""),
            study_date=str(ds.get("StudyDate", "") or ""),
        )
        try:
            write_protected(self.folder / f"{entry.id}.dcm", buffer.getvalue())
            self._write_entry(entry)
        except OSError as exc:
            raise StoreError(f"The {entry.what} could not be saved in {self.folder} ({exc.strerror}); free some disk space and save again.") from exc
        return entry

    def add_part10(self, data: bytes, what: str = "") -> PendingObject:
        """Queue a PS3.10 file as it is (an instance of a study sent to another destination):
        its bytes are kept unchanged, only its header is read for the entry."""
        try:
            ds = dcmread(io.BytesIO(data), stop_before_pixels=True)
        except (InvalidDicomError, OSError, ValueError) as exc:
            raise StoreError(f"An instance cannot be queued: it is not a readable DICOM file ({type(exc).__name__}).") from None
        self._ensure()
        entry = PendingObject(
            id=f"{time.time_ns():020d}-{uuid.uuid4().hex[:8]}",
            sop_instance_uid=str(ds.get("SOPInstanceUID", "")),
            study_instance_uid=str(ds.get("StudyInstanceUID", "")),
            what=what or _what(ds),
            created=time.time(),
            study_description=str(ds.get("StudyDescription", "") or ""),
            study_date=str(ds.get("StudyDate", "") or ""),
        )
        try:
            write_protected(self.folder / f"{entry.id}.dcm", data)
            self._write_entry(entry)
        except OSError as exc:
            raise StoreError(f"An instance could not be queued in {self.folder} ({exc.strerror}); free some disk space and try again.") from exc
        return entry

    def _write_entry(self, entry: PendingObject) -> None:
        write_protected(self.folder / f"{entry.id}.json", json.dumps(asdict(entry)).encode())

    def list(self) -> list[PendingObject]:
        """Everything waiting (and refused), oldest first."""
        if not self.folder.is_dir():
            return []
        out = []
        for path in sorted(self.folder.glob("*.json")):
            try:
                fields = json.loads(read_protected(path).decode("utf-8"))
                known = set(PendingObject.__dataclass_fields__)
                entry = PendingObject(**{k: v for k, v in fields.items() if k in known})
            except (OSError, ValueError, TypeError, AttributeError):
                continue
            if (self.folder / f"{entry.id}.dcm").is_file():
                out.append(entry)
        return out

    def data(self, entry: PendingObject) -> bytes:
        return read_protected(self.folder / f"{entry.id}.dcm")

    def remove(self, entry: PendingObject) -> None:
        """Forget an entry (after delivery, or when the user discards a refused object)."""
        (self.folder / f"{entry.id}.json").unlink(missing_ok=True)
        (self.folder / f"{entry.id}.dcm").unlink(missing_ok=True)

    def requeue(self, entry: PendingObject) -> PendingObject:
        """A refused object back to pending (the user fixed the cause and asks to send again)."""
        again = replace(entry, state=PENDING)
        self._write_entry(again)
        return again

    def send(self, client: StoreClient, progress: Callable[[int, int, str], None] | None = None) -> SendResult:
        """Send every pending object, oldest first; stop at the first unreachable-archive error.
        One send at a time per folder (a second waits for the first)."""
        if not self.folder.is_dir():
            return SendResult((), (), ())
        with _send_lock(self.folder), exclusive_lock(self.folder / ".send.lock"):
            return self._send(client, progress)

    def _send(self, client: StoreClient, progress: Callable[[int, int, str], None] | None = None) -> SendResult:
        sent: list[PendingObject] = []
        refused: list[PendingObject] = []
        waiting = [e for e in self.list() if e.state == PENDING]
        for index, entry in enumerate(waiting):
            try:
                client.store_instances([self.data(entry)], entry.study_instance_uid or None)
            except ArchiveError as exc:
                failed = replace(entry, attempts=entry.attempts + 1, last_error=str(exc))
                if _refused(exc):
                    failed = replace(failed, state=REFUSED)
                    self._write_entry(failed)
                    refused.append(failed)
                    continue
                self._write_entry(failed)
                left = [failed] + waiting[index + 1:]
                return SendResult(tuple(sent), tuple(left), tuple(refused))
            self.remove(entry)
            sent.append(entry)
            if progress is not None:
                progress(index + 1, len(waiting), "Sending")
        return SendResult(tuple(sent), (), tuple(refused))

    def save_and_send(self, ds: Dataset, client: StoreClient | None) -> tuple[PendingObject, SendResult | None]:
        """Queue an object, then send the queue when a client is given (offline: just queued)."""
        entry = self.add(ds)
        return entry, (self.send(client) if client is not None else None)
