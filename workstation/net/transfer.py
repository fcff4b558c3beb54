"""Transfer scheduling: bring a study from a source (the archive) into a sink (the library).

Retrieval is resumable: the sink learns which instances a complete series holds (from QIDO-RS,
PS3.18 10.6) before anything is fetched, each instance is stored atomically as it arrives, and a
series is recorded complete only when nothing is missing. A cut connection or a cancelled
transfer therefore leaves a partial series that the next pull completes by fetching only what
is missing.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field

from workstation.errors import ArchiveError, Cancelled, TransferInterrupted
from workstation.model.source import CancelToken, InstanceSink, StudySource
from workstation.net.throttle import ByteThrottle

log = logging.getLogger(__name__)

# progress(instances_done, instances_total, bytes_done)
Progress = Callable[[int, int, int], None]


@dataclass
class SeriesOutcome:
    series_uid: str
    expected: int
    fetched: int = 0
    already_here: int = 0
    missing: list[str] = field(default_factory=list)
    error: str = ""

    @property
    def complete(self) -> bool:
        return not self.missing and not self.error


@dataclass
class PullReport:
    study_uid: str
    series: list[SeriesOutcome] = field(default_factory=list)
    bytes_received: int = 0
    seconds: float = 0.0

    @property
    def complete(self) -> bool:
        return bool(self.series) and all(s.complete for s in self.series)

    @property
    def instances_fetched(self) -> int:
        return sum(s.fetched for s in self.series)

    @property
    def instances_expected(self) -> int:
        return sum(s.expected for s in self.series)

    def summary(self) -> str:
        """One sentence for the user."""
        mb = self.bytes_received / 1e6
        if self.complete:
            return (
                f"Study {self.study_uid} is complete in the library: {self.instances_fetched} "
                f"instances fetched ({mb:.1f} MB in {self.seconds:.1f} s), "
                f"{self.instances_expected - self.instances_fetched} were already here."
            )
        incomplete = [s for s in self.series if not s.complete]
        missing = sum(len(s.missing) for s in incomplete)
        reason = next((s.error for s in incomplete if s.error), "").rstrip(".")
        return (
            f"Study {self.study_uid} is incomplete: {missing} instances in {len(incomplete)} "
            f"series are still missing{': ' + reason if reason else ''}. "
            "Run the pull again to fetch only what is missing."
        )


class _Counter:
    """Progress shared by the series workers (called from several threads)."""

    def __init__(self, total: int, progress: Progress | None) -> None:
        import threading

        self.total = total
        self.done = 0
        self.bytes = 0
        self._lock = threading.Lock()
        self._progress = progress

    def add(self, n_bytes: int, already: bool = False) -> None:
        with self._lock:
            self.done += 1
            if not already:
                self.bytes += n_bytes
            done, total, nbytes = self.done, self.total, self.bytes
        if self._progress:
            self._progress(done, total, nbytes)


def _slow(source: StudySource) -> bool:
    """Whether the source's measured link is slow (see :class:`workstation.net.link.ArchiveLink`)."""
    return bool(getattr(getattr(source, "link", None), "slow", False))


def pull_study(
    source: StudySource,
    sink: InstanceSink,
    study_uid: str,
    *,
    progress: Progress | None = None,
    cancel: CancelToken | None = None,
    parallel_series: int = 3,
    attempts: int = 2,
    throttle: ByteThrottle | None = None,
) -> PullReport:
    """Fetch every instance of ``study_uid`` that ``sink`` does not hold yet.

    Series are fetched concurrently (``parallel_series`` at a time), each as one streamed
    WADO-RS request; after a failure only the missing instances are asked for again, up to
    ``attempts`` times. Raises ``Cancelled`` when ``cancel`` is set; other errors are recorded
    per series so one bad series does not stop the others. ``throttle`` (background transfers
    such as prior prefetch, :mod:`workstation.net.throttle`) is told each instance's size as it
    arrives and may pause the stream to hold its bandwidth; None (the default) never waits.
    """
    started = time.monotonic()
    report = PullReport(study_uid)
    series_list = source.search_series(study_uid)
    if not series_list:
        raise ArchiveError(f"The archive holds no series for study {study_uid}.")

    plans: list[tuple[str, list[str]]] = []
    for s in series_list:
        expected = [i.sop_instance_uid for i in source.search_instances(study_uid, s.series_uid)]
        sink.begin_series(study_uid, s.series_uid, expected)
        plans.append((s.series_uid, expected))

    counter = _Counter(sum(len(e) for _, e in plans), progress)

    def run(series_uid: str, expected: list[str]) -> SeriesOutcome:
        outcome = SeriesOutcome(series_uid, expected=len(expected))
        missing = sink.missing_instances(study_uid, series_uid)
        outcome.already_here = len(expected) - len(missing)
        for _ in range(outcome.already_here):
            counter.add(0, already=True)
        attempt = 0
        while missing and attempt < attempts:
            if cancel is not None:
                cancel.raise_if_cancelled()
            # The whole series in one stream when nothing is here yet, else only what is missing
            # (one request per instance). On a slow link (workstation.net.link) the stream stops
            # once that is measured and the rest comes instance by instance, in the syntax the
            # link calls for, transcoded by the archive several at a time.
            wanted = None if len(missing) == len(expected) and not _slow(source) else missing
            switched = False
            stream = source.iter_instances(study_uid, series_uid, wanted, cancel)
            try:
                for data in stream:
                    sink.add_bytes(data)
                    outcome.fetched += 1
                    counter.add(len(data))
                    if throttle is not None:
                        throttle.consume(len(data), cancel)
                    if wanted is None and _slow(source):
                        switched = True
                        break
                outcome.error = ""
            except Cancelled:
                raise
            except (TransferInterrupted, ArchiveError) as exc:
                outcome.error = str(exc)
                log.info("series %s attempt %d failed: %s", series_uid, attempt + 1, type(exc).__name__)
            finally:
                close = getattr(stream, "close", None)
                if close is not None:
                    close()
            if not switched:
                attempt += 1
            missing = sink.missing_instances(study_uid, series_uid)
        outcome.missing = missing
        if not missing:
            outcome.error = ""
            sink.mark_series_complete(study_uid, series_uid)
        elif not outcome.error:
            outcome.error = "the archive did not send every instance it listed"
        return outcome

    with ThreadPoolExecutor(max_workers=max(1, parallel_series), thread_name_prefix="pull") as pool:
        futures = [pool.submit(run, uid, expected) for uid, expected in plans]
        try:
            for fut in as_completed(futures):
                report.series.append(fut.result())
        except BaseException:
            if cancel is not None:
                cancel.cancel()
            for fut in futures:
                fut.cancel()
            raise
    report.bytes_received = counter.bytes
    report.seconds = time.monotonic() - started
    return report
