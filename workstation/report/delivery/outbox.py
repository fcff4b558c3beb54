"""The outbox: signed report versions kept on disk until every destination acknowledged them.

A version is in ``<outbox>/outgoing/<version UID>/`` (the outgoing-folder contract of
:mod:`workstation.report.delivery.package`) before anything is sent: ``<outbox>`` is by default
the report model's reports folder, so a version written there by
:func:`workstation.report.outgoing.write_outgoing` is taken in place, and :meth:`Outbox.add`
copies (fsynced, renamed in whole) a folder from elsewhere. Its delivery state lives
beside it in ``<outbox>/state/<version UID>.json``, one entry per destination (``fhir``,
``hl7``, ``stow``): ``pending`` (with the last error sentence, the number of attempts and the
time of the next try), ``delivered`` (with the time and what the destination answered) or
``failed`` (the destination refused it; a person must act, then ``retry``). Every state change is
written atomically (temporary file, fsync, rename), so a crash or a power cut leaves the old or
the new state, never half a file.

Exactly-once: the attempt is recorded before the send, the acknowledgment after it. A crash in
between makes the next run send again, which the destinations absorb: FHIR by conditional
create / versioned update (see :mod:`~workstation.report.delivery.fhir`), STOW-RS because an
archive keeps one copy per SOP Instance UID, HL7 v2 by the unchanged MSH-10 control ID (a RIS
that does not check MSH-10 can see such a message twice; that window is the send itself).
Only one process delivers at a time (a lock file), so the app and ``workstation outbox --retry``
never send the same version concurrently. Versions of one report go to each destination in
signing order.

Nothing is dropped silently: a folder in ``outgoing/`` that cannot be read is listed as an entry
with its ``problem`` (one sentence), and a version is never "delivered" while the outbox has no
destination configured; :attr:`OutboxEntry.blocked` says which versions need a person.

Retries back off exponentially: ``base_delay_s * 2**(attempts-1)``, at most ``max_delay_s``.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from workstation.atomic import fsync_directory
from workstation.crypt.files import read_protected, write_protected
from workstation.errors import WorkstationError
from workstation.file_lock import exclusive_lock
from workstation.report.delivery.errors import DeliveryError, ReportPackageError
from workstation.report.delivery.package import REPORT_JSON, ReportVersion, load_report_version
from workstation.settings import Settings

log = logging.getLogger(__name__)

DESTINATIONS = ("fhir", "hl7", "stow")
PENDING, DELIVERED, FAILED = "pending", "delivered", "failed"

Deliver = Callable[[ReportVersion], str]
"""Sends one version to one destination; returns a short description, raises DeliveryError."""


class OutboxBusy(DeliveryError):
    """Another process is delivering from the same outbox right now."""


def default_outbox_folder(settings: Settings | None = None) -> Path:
    """The report model's reports folder (``<library folder's parent>/reports``): its
    ``outgoing/`` is where :func:`workstation.report.outgoing.write_outgoing` puts signed
    versions, and the outbox keeps its ``state/`` beside it."""
    return (settings or Settings()).library_path().parent / "reports"


@dataclass
class DestinationState:
    """Where one version stands with one destination."""

    state: str = PENDING
    attempts: int = 0
    next_try: float = 0.0  # seconds since the epoch; 0: as soon as possible
    last_error: str = ""
    delivered_at: str = ""
    detail: str = ""


@dataclass
class OutboxEntry:
    """One report version in the outbox, with its state per destination."""

    version_uid: str
    report_uid: str
    status: str
    signed_at: str
    accession_number: str
    added_at: str
    destinations: dict[str, DestinationState] = field(default_factory=dict)
    problem: str = ""  # why the version cannot be delivered at all (unreadable folder), or ""

    @property
    def delivered(self) -> bool:
        """Every configured destination acknowledged it (never with no destination at all)."""
        return (not self.problem and bool(self.destinations)
                and all(d.state == DELIVERED for d in self.destinations.values()))

    @property
    def blocked(self) -> bool:
        """A person must act before it can be delivered: its folder cannot be read, no
        destination is configured, or a destination refused it."""
        return (bool(self.problem) or not self.destinations
                or any(d.state == FAILED for d in self.destinations.values()))

    def why_undelivered(self) -> str:
        """One sentence on what holds the version back, or "" when it is delivered."""
        if self.problem:
            return self.problem
        if not self.destinations:
            return ("No destination is configured: set up the RIS (FHIR or HL7) or an archive "
                    "in the settings, then run 'workstation outbox --retry'.")
        failed = sorted(n for n, d in self.destinations.items() if d.state == FAILED)
        if failed:
            return (f"Refused by {', '.join(failed)}: see the error, fix it, then run "
                    "'workstation outbox --retry'.")
        pending = sorted(n for n, d in self.destinations.items() if d.state != DELIVERED)
        if pending:
            return f"Waiting for {', '.join(pending)}; it is tried again automatically."
        return ""

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> OutboxEntry:
        dests = {k: DestinationState(**v) for k, v in dict(data.get("destinations", {})).items()}
        return cls(**{**{k: v for k, v in data.items() if k != "destinations"},
                      "destinations": dests})


def _now_iso() -> str:
    return dt.datetime.now().astimezone().isoformat(timespec="seconds")


def _signed_key(signed_at: str) -> float:
    """Signing time as seconds since the epoch (ISO strings with other offsets sort wrongly)."""
    try:
        moment = dt.datetime.fromisoformat(signed_at)
    except ValueError:
        return 0.0
    if moment.tzinfo is None:
        moment = moment.astimezone()
    return moment.timestamp()


def _unreadable_entry(folder: Path, problem: str) -> OutboxEntry:
    """A listing entry for an outgoing folder whose report cannot be read (nothing is saved:
    the folder is read again on every listing, so a repaired folder is taken up)."""
    try:
        added = dt.datetime.fromtimestamp(folder.stat().st_mtime).astimezone()
        added_at = added.isoformat(timespec="seconds")
    except OSError:
        added_at = ""
    return OutboxEntry(version_uid=folder.name, report_uid="", status="unreadable",
                       signed_at="", accession_number="", added_at=added_at, problem=problem)


def _write_json_atomic(path: Path, data: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    write_protected(path, json.dumps(data, indent=1).encode("utf-8"))


class Outbox:
    """Signed report versions waiting for delivery, in ``folder``.

    ``destinations`` maps a destination name (``fhir``, ``hl7``, ``stow``) to the function that
    sends a version there. Versions added get a pending state for each of them.
    """

    def __init__(
        self,
        folder: Path | None = None,
        destinations: Mapping[str, Deliver] | None = None,
        *,
        base_delay_s: float = 30.0,
        max_delay_s: float = 3600.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.folder = Path(folder) if folder else default_outbox_folder()
        self.outgoing_dir = self.folder / "outgoing"
        self.state_dir = self.folder / "state"
        self.destinations = dict(destinations or {})
        unknown = set(self.destinations) - set(DESTINATIONS)
        if unknown:
            raise ValueError(f"unknown destinations: {sorted(unknown)}")
        self.base_delay_s = base_delay_s
        self.max_delay_s = max_delay_s
        self.clock = clock
        self.outgoing_dir.mkdir(parents=True, exist_ok=True)
        self.state_dir.mkdir(parents=True, exist_ok=True)

    # -- adding ---------------------------------------------------------------------------------

    def add(self, source: Path) -> OutboxEntry:
        """Copy a signed version's folder into the outbox (fsynced) and queue it for every
        destination. Adding the same version again changes nothing."""
        version = load_report_version(Path(source))
        target = self.outgoing_dir / version.version_uid
        if Path(source).resolve() != target.resolve():
            if target.exists():
                same = read_protected(target / REPORT_JSON) == read_protected(Path(source) / REPORT_JSON)
                if not same:
                    raise ReportPackageError(
                        f"The outbox already holds a different report with version UID "
                        f"{version.version_uid}; every signed version needs a new UID."
                    )
            else:
                tmp = Path(tempfile.mkdtemp(dir=self.outgoing_dir, prefix=".incoming-"))
                try:
                    for item in Path(source).iterdir():
                        if item.is_file():
                            shutil.copyfile(item, tmp / item.name)
                            with open(tmp / item.name, "rb") as fh:
                                os.fsync(fh.fileno())
                    fsync_directory(tmp)
                    os.replace(tmp, target)
                    fsync_directory(self.outgoing_dir)
                except BaseException:
                    shutil.rmtree(tmp, ignore_errors=True)
                    raise
        return self._entry_for(load_report_version(target))

    def _state_path(self, version_uid: str) -> Path:
        return self.state_dir / f"{version_uid}.json"

    def _entry_for(self, version: ReportVersion) -> OutboxEntry:
        """The stored entry, created (pending everywhere configured) when there is none."""
        path = self._state_path(version.version_uid)
        entry = self._read_entry(path)
        if entry is None:
            entry = OutboxEntry(
                version_uid=version.version_uid, report_uid=version.report_uid,
                status=version.status, signed_at=version.signed_at.isoformat(),
                accession_number=version.accession_number, added_at=_now_iso(),
                destinations={name: DestinationState() for name in self.destinations},
            )
            self._save(entry)
        else:
            self._add_missing_destinations(entry)
        return entry

    def _add_missing_destinations(self, entry: OutboxEntry) -> None:
        """Queue a version for destinations configured after it was added (a report signed
        before the RIS was set up goes there once it is)."""
        missing = [n for n in self.destinations if n not in entry.destinations]
        for name in missing:
            entry.destinations[name] = DestinationState()
        if missing:
            self._save(entry)

    def _read_entry(self, path: Path) -> OutboxEntry | None:
        try:
            return OutboxEntry.from_json(json.loads(read_protected(path).decode("utf-8")))
        except FileNotFoundError:
            return None
        except (OSError, ValueError, TypeError) as exc:
            raise DeliveryError(
                f"The outbox state file {path} cannot be read ({type(exc).__name__}); move it "
                "aside and run 'workstation outbox' to queue the report again.",
                retryable=False,
            ) from None

    def _save(self, entry: OutboxEntry) -> None:
        _write_json_atomic(self._state_path(entry.version_uid), entry.to_json())

    # -- status ---------------------------------------------------------------------------------

    def outbox_status(self) -> list[OutboxEntry]:
        """Every version in the outbox with its state per destination, oldest signature first.

        Folders put into ``outgoing/`` by another process (renamed in whole) are adopted here.
        """
        entries = []
        for folder in sorted(self.outgoing_dir.iterdir()):
            if not folder.is_dir() or folder.name.startswith("."):
                continue
            try:
                entry = self._read_entry(self._state_path(folder.name))
            except DeliveryError as exc:  # a damaged state file: listed, not a crash
                entries.append(_unreadable_entry(folder, str(exc)))
                continue
            if entry is not None:
                self._add_missing_destinations(entry)
            else:
                try:
                    entry = self._entry_for(load_report_version(folder))
                except ReportPackageError as exc:
                    log.warning("Outgoing folder %s cannot be delivered: %s", folder.name, exc)
                    entry = _unreadable_entry(folder, str(exc))
            entries.append(entry)
        entries.sort(key=lambda e: (_signed_key(e.signed_at), e.version_uid))
        return entries

    def pending_count(self) -> int:
        return sum(1 for e in self.outbox_status() if not e.delivered)

    def undelivered(self) -> list[OutboxEntry]:
        """Every version not delivered everywhere, with :meth:`OutboxEntry.why_undelivered`."""
        return [e for e in self.outbox_status() if not e.delivered]

    # -- delivering -----------------------------------------------------------------------------

    @contextmanager
    def _locked(self) -> Iterator[None]:
        with exclusive_lock(self.folder / ".deliver.lock", wait=False) as held:
            if not held:
                raise OutboxBusy(
                    "Another workstation process is delivering reports from this outbox right "
                    "now; try again in a moment.", retryable=True)
            yield

    def backoff(self, attempts: int) -> float:
        """Seconds to wait after the ``attempts``-th failed attempt."""
        return float(min(self.max_delay_s, self.base_delay_s * 2 ** max(0, attempts - 1)))

    def deliver_all(self, *, force: bool = False) -> list[OutboxEntry]:
        """Try every pending delivery whose next try is due (all of them with ``force``).

        Returns the outbox status afterwards. Failed deliveries stay failed until
        :meth:`retry`. Raises :class:`OutboxBusy` when another process is delivering.
        """
        with self._locked():
            entries = self.outbox_status()
            for entry in entries:
                if entry.problem:
                    continue
                for name in self.destinations:
                    if self._waits_for_earlier(entry, name, entries):
                        continue
                    dest = entry.destinations.get(name)
                    if dest is None or dest.state != PENDING:
                        continue
                    if not force and dest.next_try > self.clock():
                        continue
                    self._attempt(entry, name)
            return self.outbox_status()

    def retry(self) -> list[OutboxEntry]:
        """Put failed deliveries back in the queue and try everything undelivered now."""
        with self._locked():
            for entry in self.outbox_status():
                changed = False
                for dest in entry.destinations.values():
                    if dest.state == FAILED:
                        dest.state, dest.next_try, changed = PENDING, 0.0, True
                if changed:
                    self._save(entry)
        return self.deliver_all(force=True)

    def _waits_for_earlier(self, entry: OutboxEntry, name: str,
                           entries: list[OutboxEntry]) -> bool:
        """An earlier version of the same report is still pending for this destination."""
        for other in entries:
            if other is entry:
                return False
            if other.report_uid == entry.report_uid:
                dest = other.destinations.get(name)
                if dest is not None and dest.state == PENDING:
                    return True
        return False

    def _attempt(self, entry: OutboxEntry, name: str) -> None:
        dest = entry.destinations[name]
        dest.attempts += 1
        dest.next_try = self.clock() + self.backoff(dest.attempts)
        self._save(entry)  # recorded before sending: a crash mid-send is retried later
        version = None
        try:
            version = load_report_version(self.outgoing_dir / entry.version_uid)
            detail = self.destinations[name](version)
        except DeliveryError as exc:
            dest.last_error = str(exc)
            if not exc.retryable:
                dest.state = FAILED
                self._audit(version, name, str(exc))
            log.info("Delivery of %s to %s: attempt %d failed (%s)", entry.version_uid, name,
                     dest.attempts, "will retry" if exc.retryable else "needs a person")
        except WorkstationError as exc:
            dest.last_error = str(exc)
            dest.state = FAILED
        except Exception as exc:  # a bug must not lose the report: record it and go on
            log.exception("Delivery of %s to %s failed unexpectedly", entry.version_uid, name)
            dest.last_error = (f"Delivery failed with an unexpected error ({type(exc).__name__}); "
                               "it is tried again later.")
        else:
            dest.state = DELIVERED
            dest.delivered_at = _now_iso()
            dest.detail = detail
            dest.last_error = ""
            dest.next_try = 0.0
            self._audit(version, name, "")
        self._save(entry)

    def _audit(self, version: ReportVersion | None, destination: str, problem: str) -> None:
        """Record a delivery (or its final failure) in the access audit log (PS3.15 A.5.3.4)."""
        if version is None:
            return
        from workstation.audit import AuditAction, AuditLog
        from workstation.audit.events import OUTCOME_SERIOUS_FAILURE, OUTCOME_SUCCESS
        from workstation.audit.log import AUDIT_FILE

        # The log beside the reports folder: that of the library (default_audit_path).
        AuditLog(self.folder.parent / AUDIT_FILE).record(
            AuditAction.REPORT_DELIVERED, study_uid=version.study_uid, patient_id=version.patient_id,
            issuer_of_patient_id=version.issuer_of_patient_id,
            instance_uids=[version.version_uid], detail={"destination": destination},
            outcome=OUTCOME_SERIOUS_FAILURE if problem else OUTCOME_SUCCESS, outcome_text=problem)
