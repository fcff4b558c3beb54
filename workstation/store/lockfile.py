"""Who else has the library open: an advisory lock on ``<library>/.lock``.

The first program to open a library takes the lock exclusively, cleans up after any crash
(leftover temporary files, unindexed files), then shares it. A program that finds the library
already open shares the lock at once and leaves the cleanup alone, so it never deletes a file
that the other program is still writing. On platforms without ``fcntl`` no lock is taken and the
cleanup always runs.
"""

from __future__ import annotations

from pathlib import Path
from typing import IO

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None  # type: ignore[assignment]


class LibraryLock:
    """A shared lock held for the life of a ``Library``; ``exclusive_at_open`` tells whether
    this program was the only one with the library open when it opened it."""

    def __init__(self, path: Path) -> None:
        self._fh: IO[bytes] | None = open(path, "a+b")  # noqa: SIM115 - held until release()
        self.exclusive_at_open = True
        if fcntl is None:
            return
        try:
            fcntl.flock(self._fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            self.exclusive_at_open = False
            fcntl.flock(self._fh.fileno(), fcntl.LOCK_SH)

    def share(self) -> None:
        """Turn the exclusive lock into a shared one once the cleanup is done."""
        if fcntl is not None and self._fh is not None and self.exclusive_at_open:
            fcntl.flock(self._fh.fileno(), fcntl.LOCK_SH)

    def release(self) -> None:
        if self._fh is None:
            return
        if fcntl is not None:
            fcntl.flock(self._fh.fileno(), fcntl.LOCK_UN)
        self._fh.close()
        self._fh = None


