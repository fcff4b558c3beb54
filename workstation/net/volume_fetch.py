"""Fetch a whole series as one volume: stream WADO-RS, decode in parallel, fill one array.

For MPR, 3D and benchmarks, where the whole series is needed. The series' instances are listed
(QIDO-RS, PS3.18 10.6) so the volume can be allocated once; the instances then stream in their
stored transfer syntax (WADO-RS, 10.4.1.1.1) and each is decoded in the :class:`DecoderPool` as
soon as its part arrives and written straight into the next free slice of the volume. When all
are in, the slices are put in order along the normal (PS3.3 C.7.6.2.1.1) in place, one slice
at a time. So the first slice is ready after one part, nothing waits for the whole series, and
memory stays near the size of the decoded volume: compressed parts are dropped once decoded,
headers keep no pixel data, and at most the pool's ``max_pending`` parts are held.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from functools import partial

import numpy as np
from pydicom.dataset import Dataset

from workstation.errors import ArchiveError, GeometryError
from workstation.model.decode import read_dataset
from workstation.model.decoder_pool import DecoderPool
from workstation.model.geometry import VolumeResult, build_volume_geometry
from workstation.model.source import CancelToken, StudySource

# Slices decoded before the instance count is known wait outside the volume; beyond this many
# the stream pauses until the listing arrives, so memory stays near the volume's size.
_AHEAD_OF_LISTING = 8


@dataclass
class FetchedVolume:
    """Stored values shaped (slices, rows, columns[, 3]) in volume order, with their headers."""

    volume: np.ndarray
    headers: list[Dataset]
    geometry: VolumeResult
    seconds_to_first_slice: float = 0.0
    seconds_total: float = 0.0
    failed: dict[str, str] = field(default_factory=dict)


def reorder_slices(volume: np.ndarray, order: list[int]) -> None:
    """Permute ``volume`` in place so that ``volume[k]`` becomes the old ``volume[order[k]]``,
    with one slice of extra memory (cycle decomposition of the permutation)."""
    done = [False] * len(order)
    spare = np.empty_like(volume[0])
    for start in range(len(order)):
        if done[start] or order[start] == start:
            done[start] = True
            continue
        spare[...] = volume[start]
        k = start
        while True:
            done[k] = True
            source = order[k]
            if source == start:
                volume[k] = spare
                break
            volume[k] = volume[source]
            k = source


def fetch_series_volume(
    source: StudySource,
    study_uid: str,
    series_uid: str,
    pool: DecoderPool,
    *,
    on_slice: Callable[[int], None] | None = None,
    cancel: CancelToken | None = None,
) -> FetchedVolume:
    """Retrieve and decode a single-frame series into one volume (see the module doc).

    ``on_slice(n)`` is called (from a worker thread) as the n-th slice is decoded. Raises
    ``GeometryError`` when the series is not one volume (open it as a stack instead) and
    ``ArchiveError`` when the archive sends fewer images than it lists.
    """
    started = time.perf_counter()
    settled = threading.Condition()
    # The instance list (QIDO-RS) arrives while the instances already stream.
    listing: dict[str, object] = {}

    def list_instances() -> None:
        try:
            listing["count"] = len(source.search_instances(study_uid, series_uid))
        except BaseException as exc:  # re-raised on the caller's thread
            listing["error"] = exc
        with settled:
            settled.notify_all()

    lock = threading.Lock()
    settled_count = [0]
    early: dict[str, np.ndarray] = {}  # decoded before the instance count was known
    slots: dict[str, int] = {}  # SOP Instance UID -> arrival slot in the volume
    headers: dict[str, Dataset] = {}
    failed: dict[str, str] = {}
    holder: dict[str, np.ndarray] = {}
    first_at: list[float] = []


    def place(uid: str, future: Future[np.ndarray]) -> None:
        try:
            _place(uid, future)
        finally:
            with settled:
                settled_count[0] += 1
                settled.notify_all()

    def _place(uid: str, future: Future[np.ndarray]) -> None:
        error = future.exception()
        if error is not None:
            failed[uid] = str(error)
            return
        _store(uid, future.result()[0])  # decode_instance gives (frames, rows, cols[, 3])

    def _store(uid: str, pixels: np.ndarray) -> None:
        with lock:
            if not first_at:
                first_at.append(time.perf_counter() - started)  # decoded: ready to be shown
            if "volume" not in holder:
                if "count" not in listing:
                    early[uid] = pixels  # a few slices at most: the listing is quick
                    return
                count = int(listing["count"])  # type: ignore[call-overload]
                holder["volume"] = np.empty((count, *pixels.shape), dtype=pixels.dtype)
            volume = holder["volume"]
            if pixels.shape != volume.shape[1:] or len(slots) >= volume.shape[0]:
                failed[uid] = "its size differs from the other images of the series"
                return
            slot = slots[uid] = len(slots)
        volume[slot] = pixels
        if on_slice is not None:
            on_slice(slot)

    def _flush_early() -> None:
        with lock:
            waiting = list(early.items())
            early.clear()
        for uid, pixels in waiting:
            _store(uid, pixels)

    lister = threading.Thread(target=list_instances, name="series-listing", daemon=True)
    lister.start()
    submitted = 0
    for data in source.iter_instances(study_uid, series_uid, None, cancel):
        header = read_dataset(data, stop_before_pixels=True)
        uid = str(header.SOPInstanceUID)
        if uid in headers:
            continue  # the archive sent an instance twice
        headers[uid] = header
        if submitted >= _AHEAD_OF_LISTING and "count" not in listing:
            lister.join()  # hold the stream (not memory) until the volume can be allocated
        future = pool.submit(data)
        del data
        future.add_done_callback(partial(place, uid))
        del future  # no reference may keep a decoded slice alive once it is in the volume
        submitted += 1
        if early and "count" in listing:
            _flush_early()
    lister.join()
    if "error" in listing:
        raise listing["error"]  # type: ignore[misc]
    with settled:  # every decode placed (a future's waiters may wake before its callbacks run)
        settled.wait_for(lambda: settled_count[0] == submitted)
    _flush_early()
    expected = int(listing["count"])  # type: ignore[call-overload]
    if failed:
        uid, reason = next(iter(failed.items()))
        raise ArchiveError(
            f"{len(failed)} image(s) of series {series_uid} could not be decoded "
            f"(instance {uid}: {reason})."
        )
    if expected == 0 or len(slots) < expected:
        raise ArchiveError(
            f"The archive sent {len(slots)} of the {expected} images of series {series_uid}; "
            "try again."
        )
    geometry = build_volume_geometry([headers[uid] for uid in slots])
    if len(geometry.frames) < 3:
        raise GeometryError(
            f"Series {series_uid} has {len(geometry.frames)} image position(s): not a volume; "
            "open it as a stack."
        )
    volume = holder["volume"]
    order = [slots[uid] for uid, _frame in geometry.frames]
    if len(order) != volume.shape[0]:  # duplicates left out of the volume's frames
        volume = volume[np.asarray(order)]
    else:
        reorder_slices(volume, order)
    return FetchedVolume(
        volume=volume,
        headers=[headers[uid] for uid, _frame in geometry.frames],
        geometry=geometry,
        seconds_to_first_slice=first_at[0] if first_at else 0.0,
        seconds_total=time.perf_counter() - started,
        failed=failed,
    )
