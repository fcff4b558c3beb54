"""Progressive loading of one display set into a viewport: first image first, then nearest-first.

What a viewport (or the CLI's render command) drives to show a series while it arrives:

* The display order is a list of (SOP Instance UID, 1-based frame number), as in
  :attr:`workstation.model.displayset.DisplaySet.frames`; a multi-frame instance (PS3.3 C.7.6.6)
  is fetched and decoded once and gives every one of its frames.
* Instances already in the local library are read from disk, nearest to the focus first.
  Missing ones are fetched from the archive one instance per WADO-RS request (PS3.18 10.4.1.1.1:
  the stored bytes as they are, ``transfer-syntax=*``, or on a slow link a lossless compressed
  syntax, see :mod:`workstation.net.link`), in order of distance from the focus. The focus goes out alone, so that on a slow link it has the whole bandwidth and the time
  to the first image is one instance round trip; then ``max_connections`` requests are in flight.
  :meth:`SeriesLoader.set_focus` reorders what is still queued at once (requests in flight finish).
* Every fetched instance is kept in the library as it arrives (``add_bytes``), with the retrieval
  bookkeeping of :mod:`workstation.net.transfer`: the series' instance list from QIDO-RS
  (PS3.18 10.6) is recorded first (``begin_series``) and the series is marked complete only when
  nothing is missing, so an interrupted load is resumable and never recorded as complete.
* Decoding runs in a :class:`~workstation.model.decoder_pool.DecoderPool`; network, disk and
  decoding never run on the caller's thread. At most ``max_connections`` compressed instances
  from the archive are held at a time (in flight or waiting to be decoded).
* :meth:`SeriesLoader.cancel` (closing the study) stops everything promptly; after it returns no
  callback is made. One failed instance is reported with its sentence and the rest go on; an
  archive that goes away mid-load is reported once and what arrived stays usable.

Callbacks run on worker threads: the UI marshals them to its own thread (a queued Qt signal) and
must not block on that thread from inside a callback.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

import numpy as np
from pydicom.dataset import Dataset

from workstation.errors import (
    ArchiveError,
    AuthError,
    Cancelled,
    InvalidDicomError,
    NotFoundError,
    TransferInterrupted,
    WorkstationError,
)
from workstation.model.decode import read_dataset
from workstation.model.decoder_pool import DecoderPool, lower_thread_priority
from workstation.model.entities import InstanceSummary
from workstation.model.foreground import FOREGROUND
from workstation.model.source import CancelToken, InstanceSink, LinkedCancelToken, StudySource
from workstation.net.scheduler import NearestFirstQueue

if TYPE_CHECKING:
    from concurrent.futures import Future

    from workstation.model.displayset import DisplaySet

log = logging.getLogger(__name__)

# on_image(display index, stored pixel values (rows, columns[, samples]), instance header)
ImageCallback = Callable[[int, np.ndarray, Dataset], None]
# on_error(display index, or None for the whole load, one sentence for the user)
ErrorCallback = Callable[[int | None, str], None]
DoneCallback = Callable[[], None]

# Compressed instances read from the library and waiting to be decoded, at most.
LOCAL_HELD = 2


class LocalInstances(Protocol):
    """What the loader reads from the local library (``workstation.store.library.Library``)."""

    def search_instances(self, study_uid: str, series_uid: str) -> list[InstanceSummary]:
        ...

    def read_instance(self, sop_instance_uid: str) -> bytes:
        ...


@dataclass
class LoadStats:
    """Timings and counts of one load, for benchmarks and the status line.

    Times are seconds since :meth:`SeriesLoader.start` (``time.monotonic``).
    """

    images: int = 0
    instances: int = 0
    started: float = 0.0
    first_image_s: float | None = None
    first_index: int | None = None
    arrivals: list[tuple[int, float]] = field(default_factory=list)
    from_library: int = 0
    fetched: int = 0
    bytes_fetched: int = 0
    failed: int = 0
    peak_held: int = 0
    finished_s: float | None = None

    @property
    def delivered(self) -> int:
        return len(self.arrivals)

    def arrival_order(self) -> list[int]:
        """Display indices in the order their images were delivered."""
        return [index for index, _ in self.arrivals]

    def summary(self) -> str:
        first = "no image" if self.first_image_s is None else f"first image in {self.first_image_s * 1000:.0f} ms"
        total = "" if self.finished_s is None else f", all in {self.finished_s:.2f} s"
        return (
            f"{self.delivered} of {self.images} images ({first}{total}; {self.from_library} "
            f"instances from the library, {self.fetched} fetched, {self.bytes_fetched / 1e6:.1f} MB)"
        )


def read_header(data: bytes, sop_instance_uid: str) -> Dataset:
    """The instance's header without its pixel data (PS3.10 file or bare data set)."""
    try:
        return read_dataset(data, stop_before_pixels=True)
    except InvalidDicomError as exc:
        raise InvalidDicomError(
            f"Instance {sop_instance_uid} is not a readable DICOM object "
            f"({str(exc.__cause__.__class__.__name__) if exc.__cause__ else 'unreadable'}); "
            "ask the archive to resend it."
        ) from None


def _in_background(target: Callable[[], None]) -> None:
    """A loader thread: below the UI's priority (see ``BACKGROUND_NICENESS``), then ``target``."""
    lower_thread_priority()
    target()


def _normalise_order(order: Sequence[tuple[str, int]] | Sequence[str]) -> list[tuple[str, int]]:
    frames: list[tuple[str, int]] = []
    for item in order:
        if isinstance(item, str):
            frames.append((item, 1))
        else:
            uid, frame = item
            if int(frame) < 1:
                raise ValueError("frame numbers start at 1 (PS3.3 C.7.6.6)")
            frames.append((str(uid), int(frame)))
    return frames


class SeriesLoader:
    """Loads one display set nearest-first from the library and the archive (see module doc).

    ``order``: SOP Instance UIDs in display order, or (SOP Instance UID, frame number) pairs.
    ``archive``: where missing instances come from (``None``: read the library only).
    ``library``: the local copy read first; ``sink``: where fetched instances are kept (defaults
    to ``library`` when it is an :class:`InstanceSink`). ``decoder``: a shared decoder pool
    (one is made and shut down with the load when ``None``). ``max_connections`` defaults to the
    archive profile's. ``series_sop_uids``: every instance of the series (as the archive lists
    it); asked of the archive (QIDO-RS) in parallel with the first fetch when ``None``.
    ``failures_before_abort``: consecutive failed requests after which the archive is treated as
    gone (connection refusals and login failures stop the load at the first).

    Callbacks: ``on_image(index, pixels, header)`` once per display index that arrived,
    ``on_error(index, sentence)`` for an image that cannot be shown (``index`` is ``None`` for a
    sentence about the whole load, said once), ``on_done()`` once at the end unless cancelled.
    """

    def __init__(
        self,
        study_uid: str,
        series_uid: str,
        order: Sequence[tuple[str, int]] | Sequence[str],
        *,
        on_image: ImageCallback,
        on_error: ErrorCallback | None = None,
        on_done: DoneCallback | None = None,
        archive: StudySource | None = None,
        library: LocalInstances | None = None,
        sink: InstanceSink | None = None,
        decoder: DecoderPool | None = None,
        focus: int = 0,
        max_connections: int | None = None,
        series_sop_uids: Sequence[str] | None = None,
        failures_before_abort: int = 3,
    ) -> None:
        self.study_uid = study_uid
        self.series_uid = series_uid
        self._frames = _normalise_order(order)
        if not self._frames:
            raise ValueError("a display set to load has at least one image")
        self._on_image = on_image
        self._on_error = on_error
        self._on_done = on_done
        self.archive = archive
        self.library = library
        if sink is None and library is not None and isinstance(library, InstanceSink):
            sink = library
        self.sink = sink
        self._own_decoder = decoder is None
        self._decoder = decoder
        profile = getattr(archive, "profile", None)
        connections = max_connections or getattr(profile, "max_connections", 0) or 6
        self.max_connections = max(1, int(connections))
        self._series_sop_uids = list(series_sop_uids) if series_sop_uids is not None else None
        self._failures_before_abort = max(1, failures_before_abort)

        self._positions: dict[str, list[int]] = {}
        for index, (uid, _frame) in enumerate(self._frames):
            self._positions.setdefault(uid, []).append(index)
        focus = self._clamp(focus)
        self._local_queue = NearestFirstQueue(self._positions, focus)
        self._net_queue = NearestFirstQueue(self._positions, focus)

        self._token = CancelToken()
        self._net_token = LinkedCancelToken(self._token)
        self._cond = threading.Condition()
        self._deliver_lock = threading.RLock()
        self._cancelled = False
        self._in_flight = 0
        self._net_held = 0
        self._local_held = 0
        self._outstanding = 0
        # The focus from the archive goes alone until its bytes are here. Images decoded before
        # the focus is shown are parked a moment, so the focus is always the first image shown.
        self._fanned_out = False
        self._focus_uid = self._frames[focus][0]
        self._first_settled = False
        self._parked: list[tuple[str, np.ndarray, Dataset]] = []
        # Fetched instances waiting for the library's (serialised, fsync'ed) write: a separate
        # thread keeps them so that showing images never waits for the disk.
        self._to_keep: deque[tuple[str, bytes]] = deque()
        self._keep_limit = 2 * self.max_connections
        self._net_workers = 0
        self._consecutive_failures = 0
        self._futures: set[Future[np.ndarray]] = set()
        self._load_error: str | None = None
        self._begun = False
        self._complete = False
        self._started = False
        self._finished = threading.Event()
        self._threads: list[threading.Thread] = []
        self.stats = LoadStats(images=len(self._frames), instances=len(self._positions))

    @classmethod
    def for_display_set(cls, display_set: DisplaySet, **kwargs: object) -> SeriesLoader:
        """A loader for a :class:`~workstation.model.displayset.DisplaySet` (its ``frames``)."""
        return cls(display_set.study_uid, display_set.series_uid, display_set.frames,
                   **kwargs)  # type: ignore[arg-type]

    # -- the caller's side ------------------------------------------------------------------

    def start(self) -> None:
        """Begin loading in the background; returns at once."""
        if self._started:
            raise RuntimeError("a series loader starts once")
        self._started = True
        self.stats.started = time.monotonic()
        thread = threading.Thread(target=self._run, name="series-loader", daemon=True)
        thread.start()

    def set_focus(self, index: int) -> None:
        """The user moved to display position ``index``: what is queued is reordered now."""
        index = self._clamp(index)
        with self._cond:
            self._fanned_out = True  # after a jump nothing waits for the first focus
            self._cond.notify_all()
            self._local_queue.set_focus(index)
            self._net_queue.set_focus(index)

    @property
    def focus(self) -> int:
        return self._net_queue.focus

    def cancel(self) -> None:
        """Stop loading (closing the study). Once this returns no callback is made; requests in
        flight are abandoned and what they bring is dropped."""
        self._token.cancel()
        with self._deliver_lock:
            self._cancelled = True
        with self._cond:
            self._local_queue.clear()
            self._net_queue.clear()
            futures = list(self._futures)
            self._cond.notify_all()
        for future in futures:
            future.cancel()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the loader's work has stopped (finished or cancelled); ``False`` on timeout.
        For scripts and tests: never call it on the UI thread."""
        return self._finished.wait(timeout)

    @property
    def finished(self) -> bool:
        return self._finished.is_set()

    @property
    def cancelled(self) -> bool:
        return self._token.cancelled

    @property
    def complete(self) -> bool:
        """Whether the load recorded the series as complete in the library."""
        return self._complete

    @property
    def load_error(self) -> str | None:
        """The sentence reported for the whole load, if any (the archive went away...)."""
        return self._load_error

    # -- the coordinator ----------------------------------------------------------------------

    def _clamp(self, index: int) -> int:
        return min(max(0, int(index)), len(self._frames) - 1)

    def _run(self) -> None:
        lower_thread_priority()
        try:
            self._load()
        except Exception as exc:  # noqa: BLE001 - reported, never raised into a thread's void
            log.exception("series load failed unexpectedly")
            self._set_load_error(
                str(exc) if isinstance(exc, WorkstationError) else
                f"Loading the series stopped on an unexpected {type(exc).__name__}; "
                "open it again, and report the problem if it comes back."
            )
        finally:
            if self._own_decoder and self._decoder is not None:
                self._decoder.shutdown(wait=False, cancel_pending=True)
            self.stats.finished_s = time.monotonic() - self.stats.started
            cancelled = self._token.cancelled
            if not cancelled:
                if self._load_error:
                    self._emit_error(None, self._load_error)
                self._emit_done()
            self._finished.set()

    def _load(self) -> None:
        if self._decoder is None:
            self._decoder = DecoderPool()
        wanted = list(self._positions)
        present: set[str] = set()
        if self.library is not None:
            try:
                held = self.library.search_instances(self.study_uid, self.series_uid)
                present = {i.sop_instance_uid for i in held} & set(wanted)
            except WorkstationError as exc:
                log.info("library lookup failed: %s", type(exc).__name__)
        missing = [uid for uid in wanted if uid not in present]
        with self._cond:
            self._local_queue.extend(uid for uid in wanted if uid in present)
            if self.archive is not None:
                self._net_queue.extend(missing)
            if self.archive is None or self._focus_uid in present:
                self._fanned_out = True  # the focus comes from disk: no need to send it alone
        if self._focus_uid not in present and self.archive is None:
            self._settle_first()  # the focus will not come: nothing waits for it
        if missing and self.archive is None:
            images = sum(len(self._positions[u]) for u in missing)
            self.stats.failed += len(missing)
            self._set_load_error(
                f"{images} of {len(self._frames)} images of series {self.series_uid} are not in "
                "the library and no archive is connected; connect to the archive to see them."
            )
        if present:
            self._spawn(self._local_worker, "series-read")
        if self.archive is not None and missing:
            workers = min(self.max_connections, len(missing))
            with self._cond:
                self._net_workers = workers
            for n in range(workers):
                self._spawn(self._network_worker, f"series-fetch-{n}")
            if self.sink is not None:
                self._spawn(self._keeper, "series-keep")
        bookkeeping: threading.Thread | None = None
        if self.archive is not None and self.sink is not None:
            bookkeeping = threading.Thread(target=_in_background, args=(self._bookkeeping,),
                                           name="series-bookkeeping", daemon=True)
            bookkeeping.start()
        for thread in self._threads:
            thread.join()
        # The instance list has no cancel: abandon it when the load is cancelled or the
        # archive went away (it can then only record the series as incomplete).
        while bookkeeping is not None and bookkeeping.is_alive():
            if self._net_token.cancelled:
                break
            bookkeeping.join(0.05)
        with self._cond:
            while self._outstanding and not self._token.cancelled:
                self._cond.wait(0.1)
        if self._token.cancelled:
            return
        self._settle_first()
        self._finish_bookkeeping()

    def _spawn(self, target: Callable[[], None], name: str) -> None:
        thread = threading.Thread(target=_in_background, args=(target,), name=name, daemon=True)
        self._threads.append(thread)
        thread.start()

    # -- retrieval bookkeeping (as workstation.net.transfer does it) ---------------------------

    def _bookkeeping(self) -> None:
        assert self.archive is not None and self.sink is not None
        with self._cond:  # after the focus: on a slow link the first image goes alone
            while not self._fanned_out and not self._net_token.cancelled:
                self._cond.wait(0.1)
        try:
            expected = self._series_sop_uids
            if expected is None:
                expected = [
                    i.sop_instance_uid
                    for i in self.archive.search_instances(self.study_uid, self.series_uid)
                ]
            if self._token.cancelled:
                return
            if not expected:
                return
            self.sink.begin_series(self.study_uid, self.series_uid, expected)
            self._begun = True
        except WorkstationError as exc:
            log.info("could not record the series' instance list: %s", type(exc).__name__)
            if not self._token.cancelled and not self._net_token.cancelled:
                self._set_load_error(
                    f"The library could not record which instances series {self.series_uid} "
                    f"holds, so it will not be marked complete ({str(exc).rstrip('.')})."
                )

    def _finish_bookkeeping(self) -> None:
        if not self._begun or self.sink is None:
            return
        try:
            if not self.sink.missing_instances(self.study_uid, self.series_uid):
                self.sink.mark_series_complete(self.study_uid, self.series_uid)
                self._complete = True
        except WorkstationError as exc:
            self._set_load_error(str(exc))

    # -- reading the library ------------------------------------------------------------------

    def _local_worker(self) -> None:
        assert self.library is not None
        while True:
            FOREGROUND.step_aside()  # the reader is scrolling: let the frame go first
            with self._cond:
                while self._local_held >= LOCAL_HELD and not self._token.cancelled:
                    self._cond.wait(0.1)
                if self._token.cancelled:
                    return
                uid = self._local_queue.pop()
                if uid is None:
                    return
                self._local_held += 1
            try:
                data = self.library.read_instance(uid)
            except WorkstationError as exc:
                self._release(local=True)
                self._fail_instance(uid, str(exc))
                continue
            with self._deliver_lock:
                self.stats.from_library += 1
            self._decode(uid, data, local=True)

    # -- fetching from the archive ------------------------------------------------------------

    def _take_network(self) -> str | None:
        with self._cond:
            while True:
                if self._net_token.cancelled or not len(self._net_queue):
                    return None
                # The focus goes alone: on a slow link it gets the whole bandwidth.
                gated = not self._fanned_out and self._in_flight > 0
                room = (self._net_held < self.max_connections
                        and len(self._to_keep) < self._keep_limit)
                if not gated and room:
                    uid = self._net_queue.pop()
                    if uid is None:  # pragma: no cover - len() said otherwise
                        return None
                    self._in_flight += 1
                    self._net_held += 1
                    self.stats.peak_held = max(self.stats.peak_held, self._net_held)
                    return uid
                self._cond.wait(0.1)

    def _network_worker(self) -> None:
        try:
            self._fetch_loop()
        finally:
            with self._cond:
                self._net_workers -= 1
                self._cond.notify_all()

    def _fetch_loop(self) -> None:
        while True:
            FOREGROUND.step_aside()  # the reader is scrolling: let the frame go first
            uid = self._take_network()
            if uid is None:
                return
            try:
                data = self._fetch(uid)
            except Cancelled:
                self._after_request(ok=False)
                self._release(local=False)
                return
            except WorkstationError as exc:
                self._after_request(ok=False)
                self._release(local=False)
                if self._request_failed(uid, exc):
                    return
                continue
            self._after_request(ok=True)
            if self._net_token.cancelled:
                self._release(local=False)
                return
            with self._deliver_lock:
                self.stats.fetched += 1
                self.stats.bytes_fetched += len(data)
            self._decode(uid, data, local=False)  # shown first, then kept
            if self.sink is not None:
                with self._cond:
                    self._to_keep.append((uid, data))
                    self._cond.notify_all()

    def _fetch(self, uid: str) -> bytes:
        assert self.archive is not None
        bodies = list(
            self.archive.iter_instances(self.study_uid, self.series_uid, [uid], self._net_token)
        )
        if not bodies:
            raise NotFoundError(f"The archive did not send instance {uid}, which it listed.")
        return bodies[0]

    def _after_request(self, ok: bool) -> None:
        with self._cond:
            self._in_flight -= 1
            self._fanned_out = True
            if ok:
                self._consecutive_failures = 0
            self._cond.notify_all()

    def _request_failed(self, uid: str, exc: WorkstationError) -> bool:
        """Report one failed request; ``True`` when the archive is gone and fetching stops."""
        if self._net_token.cancelled:
            return True  # already stopped: the other requests' failures are no news
        gone = isinstance(exc, AuthError) or (
            isinstance(exc, ArchiveError)
            and not isinstance(exc, (NotFoundError, TransferInterrupted))
            and exc.status is None
        )
        if isinstance(exc, ArchiveError) and not isinstance(exc, NotFoundError):
            with self._cond:
                self._consecutive_failures += 1
                gone = gone or self._consecutive_failures >= self._failures_before_abort
        if not gone:
            self._fail_instance(uid, str(exc))
            return False
        self._net_token.cancel()
        with self._cond:
            self._net_queue.clear()
            self._cond.notify_all()
        self._settle_first()
        shown = self.stats.delivered
        self._set_load_error(
            f"{str(exc).rstrip('.')}; loading stopped with {shown} of {len(self._frames)} "
            "images here, which stay in the library: open the series again to fetch the rest."
        )
        return True

    def _keeper(self) -> None:
        """Store fetched instances in the library as they arrive (resumable retrieval). What
        arrived is kept, also after a cancel (at most ``max_connections`` instances wait here),
        so an image that was shown is never fetched twice."""
        while True:
            FOREGROUND.step_aside()  # storing can wait for the reader's frame
            with self._cond:
                while not self._to_keep and self._net_workers > 0 and not self._token.cancelled:
                    self._cond.wait(0.1)
                if not self._to_keep:
                    return
                uid, data = self._to_keep.popleft()
                self._cond.notify_all()
            self._keep(uid, data)

    def _keep(self, uid: str, data: bytes) -> None:
        assert self.sink is not None
        try:
            result = self.sink.add_bytes(data)
        except WorkstationError as exc:
            self._set_load_error(
                f"Images are shown but cannot be kept in the library ({str(exc).rstrip('.')})."
            )
            return
        if getattr(result, "rejected", False):
            log.info("the library refused instance %s: %s", uid, getattr(result, "reason", ""))

    # -- decoding and delivery ----------------------------------------------------------------

    def _decode(self, uid: str, data: bytes, *, local: bool) -> bool:
        """Hand the instance to the decoder pool; ``False`` when it ended here instead."""
        assert self._decoder is not None
        try:
            header = read_header(data, uid)
            sent = str(header.get("SOPInstanceUID", "") or "")
            if sent and sent != uid:
                raise InvalidDicomError(
                    f"Asked for instance {uid}, the archive sent instance {sent}; it is not "
                    "shown in its place, tell the archive's administrator."
                )
        except WorkstationError as exc:
            self._release(local=local)
            self._fail_instance(uid, str(exc))
            return False
        with self._cond:
            if self._token.cancelled:
                self._release_locked(local)
                return False
            self._outstanding += 1
        try:
            future = self._decoder.submit(data)
        except RuntimeError:  # the pool was shut down: the load is ending
            with self._cond:
                self._outstanding -= 1
                self._release_locked(local)
            return False
        with self._cond:
            self._futures.add(future)
        future.add_done_callback(lambda f: self._decoded(uid, header, f, local))
        return True

    def _decoded(self, uid: str, header: Dataset, future: Future[np.ndarray], local: bool) -> None:
        with self._cond:
            self._futures.discard(future)
            self._release_locked(local)
        try:
            if future.cancelled():
                return
            error = future.exception()
            if error is not None:
                if isinstance(error, WorkstationError):
                    self._fail_instance(uid, str(error))
                else:
                    self._fail_instance(
                        uid, f"Instance {uid} could not be decoded ({type(error).__name__}); "
                             "ask the archive to resend it."
                    )
                return
            self._deliver(uid, future.result(), header)
        finally:
            with self._cond:
                self._outstanding -= 1
                self._cond.notify_all()

    def _deliver(self, uid: str, pixels: np.ndarray, header: Dataset) -> None:
        with self._deliver_lock:
            if not self._first_settled and uid != self._focus_uid:
                self._parked.append((uid, pixels, header))
                return
            self._show(uid, pixels, header)
            self._settle_first()

    def _settle_first(self) -> None:
        """The first focus was shown, failed or will not come: show what was parked."""
        with self._deliver_lock:
            if self._first_settled:
                return
            self._first_settled = True
            parked, self._parked = self._parked, []
            for uid, pixels, header in parked:
                self._show(uid, pixels, header)

    def _show(self, uid: str, pixels: np.ndarray, header: Dataset) -> None:
        focus = self.focus
        indices = sorted(self._positions[uid], key=lambda i: abs(i - focus))
        with self._deliver_lock:
            for index in indices:
                if self._cancelled:
                    return
                frame = self._frames[index][1]
                if frame > pixels.shape[0]:
                    self._fail_locked(
                        index, f"Instance {uid} has {pixels.shape[0]} frame(s), not frame "
                               f"{frame}; the display set does not match the images."
                    )
                    continue
                now = time.monotonic() - self.stats.started
                if self.stats.first_image_s is None:
                    self.stats.first_image_s = now
                    self.stats.first_index = index
                self.stats.arrivals.append((index, now))
                try:
                    self._on_image(index, pixels[frame - 1], header)
                except Exception:  # noqa: BLE001 - a viewport's bug must not stop the load
                    log.exception("the image callback failed")

    def _fail_instance(self, uid: str, sentence: str) -> None:
        with self._deliver_lock:
            if self._cancelled:
                return
            self.stats.failed += 1
            for index in self._positions[uid]:
                self._fail_locked(index, sentence)
            if uid == self._focus_uid:
                self._settle_first()

    def _fail_locked(self, index: int, sentence: str) -> None:
        if self._on_error is None:
            return
        try:
            self._on_error(index, sentence)
        except Exception:  # noqa: BLE001
            log.exception("the error callback failed")

    def _set_load_error(self, sentence: str) -> None:
        with self._cond:
            if self._load_error is None:
                self._load_error = sentence

    def _emit_error(self, index: int | None, sentence: str) -> None:
        with self._deliver_lock:
            if self._cancelled or self._on_error is None:
                return
            try:
                self._on_error(index, sentence)
            except Exception:  # noqa: BLE001
                log.exception("the error callback failed")

    def _emit_done(self) -> None:
        with self._deliver_lock:
            if self._cancelled or self._on_done is None:
                return
            try:
                self._on_done()
            except Exception:  # noqa: BLE001
                log.exception("the done callback failed")

    def _release(self, *, local: bool) -> None:
        with self._cond:
            self._release_locked(local)

    def _release_locked(self, local: bool) -> None:
        if local:
            self._local_held -= 1
        else:
            self._net_held -= 1
        self._cond.notify_all()
