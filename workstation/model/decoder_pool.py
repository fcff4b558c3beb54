"""Decoding many instances at once: worker processes for codecs that hold the GIL, threads for the rest.

The series loader hands every instance it receives to one :class:`DecoderPool`. We measured that
none of the installed codecs for JPEG (PS3.5 A.4.1), JPEG-LS (A.4.3) or JPEG 2000 (A.4.4, A.4.11)
releases Python's global interpreter lock (see ``GIL_BOUND_SYNTAXES`` in :mod:`.decode`), so those
run in a process pool, where two cores decode faster than one; RLE and native pixel data run in
a thread pool. At most ``max_pending`` instances are in flight, so a study that arrives faster
than it decodes waits at ``submit`` instead of filling memory with compressed bytes.

Measured here (2-core machine, decoded MB/s through the pool, best of 2): JPEG 2000 (18 WG04 /
dcm_qa_ts / fo-dicom instances) 1 thread 41, 2 threads 37, 1 process 36, 2 processes 49;
JPEG-LS (60 slices of the Philips CT phantom) 1 thread 81, 2 threads 93, 1 process 70,
2 processes 112. An application that is frozen (PyInstaller) must call
``multiprocessing.freeze_support()`` first in its entry point for the spawned workers.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from collections.abc import Collection, Iterable, Iterator
from concurrent.futures import (
    FIRST_COMPLETED,
    Executor,
    Future,
    ProcessPoolExecutor,
    ThreadPoolExecutor,
)
from concurrent.futures import wait as wait_futures
from concurrent.futures.process import BrokenProcessPool

import numpy as np
from pydicom.dataset import Dataset

from workstation.errors import DecodeError, WorkstationError
from workstation.model.decode import GIL_BOUND_SYNTAXES, decode_instance

Source = bytes | bytearray | memoryview | Dataset

_TS_TAG_EXPLICIT = b"\x02\x00\x10\x00UI"  # (0002,0010) Transfer Syntax UID, explicit VR


def transfer_syntax_of(data: Source) -> str | None:
    """The Transfer Syntax UID of a PS3.10 file, read from its File Meta Information (PS3.10 7.1)
    without parsing the rest; ``None`` when there is no file meta."""
    if isinstance(data, Dataset):
        meta = getattr(data, "file_meta", None)
        ts = meta.get("TransferSyntaxUID", None) if meta is not None else None
        return str(ts) if ts else None
    view = memoryview(data)
    if len(view) < 144 or bytes(view[128:132]) != b"DICM":
        return None
    meta_length = int.from_bytes(bytes(view[140:144]), "little")
    meta = bytes(view[132 : 144 + min(meta_length, 8192)])
    at = meta.find(_TS_TAG_EXPLICIT)
    if at < 0:
        return None
    length = int.from_bytes(meta[at + 6 : at + 8], "little")
    return meta[at + 8 : at + 8 + length].rstrip(b"\x00 ").decode("ascii", "replace")


#: How much lower than the UI the background work of loading runs (Unix niceness, 0..19). On a
#: machine with few cores the UI thread, the software OpenGL that draws the viewports and the
#: loads that fill them compete for the same CPUs; at 10 the scheduler gives the UI about nine
#: tenths of a contended core, so scrolling stays smooth while slices arrive (loading then
#: takes the time the UI leaves).
BACKGROUND_NICENESS = 10


def lower_thread_priority(niceness: int = BACKGROUND_NICENESS) -> None:
    """Run the calling thread (only it, on Linux) at ``niceness``; elsewhere, or when the
    system refuses, nothing changes. A thread's priority can only be lowered: call it in threads
    that do background work for their whole life (loader and decoder threads)."""
    try:
        tid = threading.get_native_id() if os.name == "posix" and os.uname().sysname == "Linux" else 0
        current = os.getpriority(os.PRIO_PROCESS, tid)
        if current < niceness:
            os.setpriority(os.PRIO_PROCESS, tid, niceness)
    except (AttributeError, OSError):
        pass


def _decode_in_process(data: Source) -> np.ndarray:
    arr = decode_instance(data)
    # A read-only view would pickle the whole source buffer's owner; send just the pixels.
    return np.ascontiguousarray(arr)


def _warm_worker() -> int:
    """Import the codecs in a worker process so that its first real decode pays no start-up."""
    import importlib

    for name in ("jpeg_ls", "gdcm", "openjpeg", "libjpeg", "rle"):
        try:
            importlib.import_module(name)
        except ImportError:
            pass
    return os.getpid()


class DecoderPool:
    """Concurrent decoding of whole instances into stored values (see :mod:`.decode`).

    ``threads`` and ``processes`` default to the number of cores; ``processes=0`` keeps every
    codec in threads (useful where starting processes is not allowed). The process pool uses the
    ``spawn`` start method so that it is safe next to Qt's and the network's threads.
    """

    def __init__(
        self,
        threads: int | None = None,
        processes: int | None = None,
        max_pending: int = 32,
        process_syntaxes: Collection[str] = GIL_BOUND_SYNTAXES,
    ) -> None:
        cores = os.cpu_count() or 1
        self._threads = ThreadPoolExecutor(
            max_workers=threads or cores, thread_name_prefix="decode", initializer=lower_thread_priority
        )
        self._process_count = cores if processes is None else processes
        self._processes: ProcessPoolExecutor | None = None
        self._lock = threading.Lock()
        self._slots = threading.BoundedSemaphore(max_pending)
        self._max_pending = max_pending
        self._closed = False
        self._process_syntaxes = frozenset(str(uid) for uid in process_syntaxes)

    def _process_pool(self) -> Executor:
        with self._lock:
            if self._processes is None:
                self._processes = ProcessPoolExecutor(
                    max_workers=self._process_count,
                    mp_context=multiprocessing.get_context("spawn"),
                    initializer=lower_thread_priority,
                )
            return self._processes

    def warm_up(self, timeout: float = 30.0) -> None:
        """Start the worker processes now and load their codecs (a few hundred ms each), so the
        first image of a study decodes at once. The app calls this at start-up, off the UI thread."""
        if self._process_count <= 0 or self._closed:
            return
        pool = self._process_pool()
        futures = [pool.submit(_warm_worker) for _ in range(self._process_count * 2)]
        wait_futures(futures, timeout=timeout)

    def submit(self, data: Source) -> Future[np.ndarray]:
        """Queue one instance; blocks while ``max_pending`` are already in flight."""
        if self._closed:
            raise RuntimeError("the decoder pool has been shut down")
        self._slots.acquire()
        try:
            if self._process_count > 0 and transfer_syntax_of(data) in self._process_syntaxes:
                future = self._submit_to_process(data)
            else:
                future = self._threads.submit(decode_instance, data)
        except BaseException:
            self._slots.release()
            raise
        future.add_done_callback(lambda _f: self._slots.release())
        return future

    def _submit_to_process(self, data: Source) -> Future[np.ndarray]:
        """Run in the process pool; a worker that dies (a codec crash) fails only its instance."""
        pool = self._process_pool()
        inner = pool.submit(_decode_in_process, data)
        outer: Future[np.ndarray] = Future()

        def relay(done: Future[np.ndarray]) -> None:
            if done.cancelled():
                outer.set_exception(DecodeError("Decoding was cancelled because the pool shut down."))
                return
            error = done.exception()
            if isinstance(error, BrokenProcessPool):
                with self._lock:
                    if self._processes is pool:
                        self._processes = None  # the next submit starts fresh workers
                uid = ""
                if isinstance(data, Dataset):
                    uid = f" {data.get('SOPInstanceUID', '')}"
                outer.set_exception(
                    DecodeError(
                        f"The decoder process stopped while decoding instance{uid or ' (from bytes)'}"
                        " (its compressed stream probably crashed the codec); the other images"
                        " are unaffected, ask the archive to resend this one."
                    )
                )
            elif error is not None:
                outer.set_exception(error)
            else:
                outer.set_result(done.result())

        outer.set_running_or_notify_cancel()
        inner.add_done_callback(relay)
        return outer

    def map_unordered(
        self, items: Iterable[Source]
    ) -> Iterator[tuple[int, np.ndarray | WorkstationError]]:
        """Decode ``items``, yielding ``(index, pixels or error)`` as each finishes.

        One bad instance yields its :class:`~workstation.errors.DecodeError` (or
        ``InvalidDicomError``) and the others go on. Items are read from ``items`` only as slots
        free up, so a generator of downloads is consumed at the pace of decoding.
        """
        pending: dict[Future[np.ndarray], int] = {}
        iterator = iter(enumerate(items))
        exhausted = False
        while True:
            while not exhausted and len(pending) < self._max_pending:
                try:
                    index, data = next(iterator)
                except StopIteration:
                    exhausted = True
                    break
                pending[self.submit(data)] = index
            if not pending:
                return
            done, _ = wait_futures(list(pending), return_when=FIRST_COMPLETED)
            for future in done:
                index = pending.pop(future)
                error = future.exception()
                if error is None:
                    yield index, future.result()
                elif isinstance(error, WorkstationError):
                    yield index, error
                else:
                    raise error

    def shutdown(self, wait: bool = True, cancel_pending: bool = False) -> None:
        """Stop the workers; with ``cancel_pending`` drop what has not started yet."""
        self._closed = True
        self._threads.shutdown(wait=wait, cancel_futures=cancel_pending)
        with self._lock:
            if self._processes is not None:
                self._processes.shutdown(wait=wait, cancel_futures=cancel_pending)

    def __enter__(self) -> DecoderPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.shutdown()
