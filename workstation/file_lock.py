"""An exclusive lock between processes on a lock file (the app and a command line working on the
same queue): ``flock(2)`` on POSIX, ``LockFileEx`` through ``msvcrt.locking`` on Windows.

The lock belongs to the open file: it is released when the block ends, or by the system when
the process dies, so a crash never leaves a queue locked. It is advisory: only code that takes
the same lock waits for it.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

__all__ = ["exclusive_lock"]

#: How often a waiting Windows process tries again (msvcrt has no blocking lock without a limit).
_WINDOWS_RETRY_S = 0.1


def _try_lock(handle: IO[bytes], wait: bool) -> bool:
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows
        import msvcrt

        while True:
            try:
                msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)  # type: ignore[attr-defined]
                return True
            except OSError:
                if not wait:
                    return False
                time.sleep(_WINDOWS_RETRY_S)
    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        return True
    except BlockingIOError:
        return False


@contextmanager
def exclusive_lock(path: Path, *, wait: bool = True) -> Iterator[bool]:
    """Hold the lock on ``path`` (created if missing) for the block. ``wait``: wait for another
    holder; otherwise the block gets ``False`` at once when another process holds it (and runs
    without the lock: the caller decides)."""
    with open(path, "a+b") as handle:
        held = _try_lock(handle, wait)
        yield held  # closing the file releases the lock
