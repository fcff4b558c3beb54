"""Failover from an archive to its backup, and back when it answers again.

A profile with ``backup_for: PRIMARY`` (``workstation archive add NAME URL --backup-for PRIMARY``)
stands in for PRIMARY. :class:`FailoverClient` wraps the DICOMweb clients of the primary and its
backups and answers the same calls as one :class:`~workstation.net.dicomweb.DicomWebClient`
(the study-source interface, PS3.18 QIDO-RS/WADO-RS/STOW-RS): each call goes to the first
member that is up. A member is marked down when it does not answer: connection refused or cut,
timeouts, HTTP 5xx (PS3.18 8.6 leaves retries to the user agent; RFC 9110 15.6 makes 5xx the
server's fault). An answer that is the archive's word (404, 401/403, a STOW refusal of an
instance) is not a failure of the archive and never fails over.

While a member is down, a health check (a one-result QIDO-RS search) is tried before a call
once its back-off has passed, doubling from ``first_probe_s`` up to ``max_probe_s``; when it
answers, calls go to it again. Each switch is said once, in one sentence, to ``notify`` (the
command line prints it, the app shows it in the status bar).

A retrieval cut by the primary's failure raises :class:`TransferInterrupted`; the retrieval loop
(:func:`workstation.net.transfer.pull_study`) then asks again for what the library still misses
(its ``missing_instances`` bookkeeping) and that request goes to the backup: nothing already
stored is fetched twice. A STOW-RS request is never sent twice to the same archive: a delivery
the primary did not take goes to the backup, and the outbox records it delivered there.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

from pydicom.dataset import Dataset

from workstation.errors import (
    ArchiveError,
    AuthError,
    NotFoundError,
    TransferInterrupted,
)
from workstation.model.entities import InstanceSummary, SeriesSummary, StudySummary
from workstation.model.query import StudyQuery
from workstation.model.source import CancelToken
from workstation.net.dicomweb import ConnectionCheck, DicomWebClient, StoreResult
from workstation.settings import ArchiveProfile

log = logging.getLogger(__name__)

T = TypeVar("T")
Notify = Callable[[str], None]


def archive_unavailable(exc: BaseException) -> bool:
    """Whether ``exc`` says the archive did not answer (fail over), rather than answered "no"."""
    if not isinstance(exc, ArchiveError) or isinstance(exc, (AuthError, NotFoundError)):
        return False
    if isinstance(exc, TransferInterrupted):
        return True
    if isinstance(exc.status, int):
        return exc.status >= 500
    return exc.retryable or "too slow" in str(exc)


class Health:
    """Up or down, and when to look again (exponential back-off between health checks)."""

    def __init__(self, probe: Callable[[], bool], *, first_probe_s: float = 2.0,
                 max_probe_s: float = 60.0, clock: Callable[[], float] = time.monotonic) -> None:
        self._probe = probe
        self.first_probe_s = first_probe_s
        self.max_probe_s = max_probe_s
        self._clock = clock
        self._lock = threading.Lock()
        self.down = False
        self.delay_s = first_probe_s
        self.next_probe = 0.0
        self.probes = 0

    def mark_down(self) -> bool:
        """Record a failure; ``True`` when this is the change from up to down."""
        with self._lock:
            if self.down:
                return False
            self.down = True
            self.delay_s = self.first_probe_s
            self.next_probe = self._clock() + self.delay_s
            return True

    def usable(self) -> tuple[bool, bool]:
        """``(usable, came_back)``: up, or down with its check due and answering now."""
        with self._lock:
            if not self.down:
                return True, False
            if self._clock() < self.next_probe:
                return False, False
            # One probe at a time: the others skip this member until the next one is due.
            self.delay_s = min(self.delay_s * 2, self.max_probe_s)
            self.next_probe = self._clock() + self.delay_s
        self.probes += 1
        try:
            ok = self._probe()
        except Exception:  # noqa: BLE001 - a probe that fails in any way means "still down"
            ok = False
        if ok:
            with self._lock:
                came_back = self.down
                self.down = False
                self.delay_s = self.first_probe_s
            return True, came_back
        return False, False


class FailoverClient:
    """The primary archive and its backups behind one client (see the module's description)."""

    def __init__(self, members: Sequence[DicomWebClient], *, notify: Notify | None = None,
                 probes: Sequence[Callable[[], bool]] | None = None,
                 first_probe_s: float = 2.0, max_probe_s: float = 60.0) -> None:
        if not members:
            raise ValueError("a failover client needs at least one archive")
        self.members = list(members)
        self.primary = self.members[0]
        self.profile: ArchiveProfile = self.primary.profile
        self.name = self.primary.name
        self.notify: Notify = notify or (lambda sentence: log.warning("%s", sentence))
        probe_list = list(probes) if probes is not None else [_probe_of(m) for m in self.members]
        self.health = [Health(p, first_probe_s=first_probe_s, max_probe_s=max_probe_s)
                       for p in probe_list]
        self._active = 0

    @classmethod
    def from_profiles(cls, primary: ArchiveProfile, backups: Sequence[ArchiveProfile], *,
                      notify: Notify | None = None, **kwargs: Any) -> FailoverClient:
        """Clients for ``primary`` and ``backups``; the primary retries once, quickly, so that a
        dead primary costs well under a second before the backup is asked."""
        members = [DicomWebClient(primary, retries=1, backoff_s=0.2)]
        members += [DicomWebClient(b) for b in backups]
        return cls(members, notify=notify, **kwargs)

    # -- routing ---------------------------------------------------------------------------------

    @property
    def active(self) -> DicomWebClient:
        """The member calls go to now."""
        return self.members[self._active]

    @property
    def transport(self) -> Any:
        return self.active.transport

    def _candidates(self) -> Iterator[int]:
        for index, health in enumerate(self.health):
            usable, came_back = health.usable()
            if came_back:
                self._say_back(index)
            if usable:
                yield index

    def _switch_to(self, index: int) -> None:
        if index != self._active:
            previous, self._active = self._active, index
            if index > previous:
                down = self.members[previous].name
                self.notify(f"Archive '{down}' does not answer; searches, retrievals and "
                            f"deliveries go to its backup '{self.members[index].name}' until it "
                            "answers again.")

    def _say_back(self, index: int) -> None:
        if index < self._active:
            self._active = index
            self.notify(f"Archive '{self.members[index].name}' answers again; searches, "
                        "retrievals and deliveries go to it again.")

    def _failed(self, index: int, exc: ArchiveError) -> None:
        log.info("archive %r failed: %s", self.members[index].name, type(exc).__name__)
        self.health[index].mark_down()

    def _call(self, what: Callable[[DicomWebClient], T]) -> T:
        last: ArchiveError | None = None
        for index in self._candidates():
            try:
                result = what(self.members[index])
            except ArchiveError as exc:
                if not archive_unavailable(exc):
                    raise
                self._failed(index, exc)
                last = exc
                continue
            self._switch_to(index)
            return result
        raise self._none_answers(last)

    def _none_answers(self, last: ArchiveError | None) -> ArchiveError:
        names = " nor ".join(f"'{m.name}'" for m in self.members)
        why = f" ({str(last).rstrip('.')})" if last is not None else ""
        return ArchiveError(f"Neither archive {names} answers{why}; "
                            "try again when one of them is back.", retryable=True)

    # -- the study-source calls (PS3.18 10.6 QIDO-RS, 10.4 WADO-RS) -------------------------------

    def search_studies(self, query: StudyQuery) -> list[StudySummary]:
        return self._call(lambda m: m.search_studies(query))

    def search_series(self, study_uid: str) -> list[SeriesSummary]:
        return self._call(lambda m: m.search_series(study_uid))

    def search_instances(self, study_uid: str, series_uid: str) -> list[InstanceSummary]:
        return self._call(lambda m: m.search_instances(study_uid, series_uid))

    def series_metadata(self, study_uid: str, series_uid: str) -> list[Dataset]:
        return self._call(lambda m: m.series_metadata(study_uid, series_uid))

    def instance_metadata(self, study_uid: str, series_uid: str, sop_uid: str) -> Dataset:
        return self._call(lambda m: m.instance_metadata(study_uid, series_uid, sop_uid))

    def retrieve_frames(self, *args: Any, **kwargs: Any) -> Any:
        return self._call(lambda m: m.retrieve_frames(*args, **kwargs))

    def retrieve_bulkdata(self, uri: str, cancel: CancelToken | None = None) -> bytes:
        return self._call(lambda m: m.retrieve_bulkdata(uri, cancel))

    def iter_instances(self, study_uid: str, series_uid: str,
                       sop_instance_uids: Sequence[str] | None = None,
                       cancel: CancelToken | None = None) -> Iterator[bytes]:
        """Instances from the first member up; a member that fails before the first instance
        is passed over, one that fails after it is marked down and the stream ends with
        :class:`TransferInterrupted`, so the caller asks again for only what it misses."""
        last: ArchiveError | None = None
        for index in self._candidates():
            member = self.members[index]
            yielded = False
            try:
                for data in member.iter_instances(study_uid, series_uid, sop_instance_uids, cancel):
                    if not yielded:
                        self._switch_to(index)
                        yielded = True
                    yield data
            except ArchiveError as exc:
                if not archive_unavailable(exc):
                    raise
                self._failed(index, exc)
                if yielded:
                    raise TransferInterrupted(
                        f"Archive '{member.name}' stopped answering during the retrieval; what "
                        "is still missing comes from its backup.") from None
                last = exc
                continue
            self._switch_to(index)
            return
        raise self._none_answers(last)

    # -- STOW-RS (PS3.18 10.5) and the connection check ----------------------------------------------

    def store_instances(self, instances: Sequence[bytes], study_uid: str | None = None) -> StoreResult:
        """Store in the first member up; never sent twice to the same member (no retry)."""
        return self._call(lambda m: m.store_instances(instances, study_uid))

    def check_connection(self) -> ConnectionCheck:
        """The primary's check, and the backups' when it fails."""
        checks = [m.check_connection() for m in self.members]
        if checks[0].ok:
            return checks[0]
        standing = next((m for m, c in zip(self.members, checks, strict=True) if c.ok), None)
        if standing is None:
            return checks[0]
        return ConnectionCheck(True, f"{checks[0].message} Its backup '{standing.name}' answers "
                                     "and is used until it is back.")

    def close(self) -> None:
        for member in self.members:
            member.close()

    def __enter__(self) -> FailoverClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _probe_of(client: DicomWebClient) -> Callable[[], bool]:
    """A health check: a one-result study search with no retry and a short timeout."""

    def probe() -> bool:
        profile = client.profile
        quick = DicomWebClient(profile, retries=0)
        quick.transport.timeout = (min(profile.connect_timeout_s, 2.0), min(profile.read_timeout_s, 5.0))
        try:
            return quick.check_connection().ok
        finally:
            quick.close()

    return probe
