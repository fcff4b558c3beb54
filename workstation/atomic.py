"""Crash-safe replacement of one file: the previous file stays whole if the process dies mid-write.

The new content is written to a temporary file in the same folder (``.<name>.<random>.tmp``, so
it is on the same file system and never matches a ``*.json`` or ``*.dcm`` listing), flushed and
fsynced, then renamed over the target with :func:`os.replace`, which is atomic on POSIX
(rename(2)) and on Windows (MoveFileEx with MOVEFILE_REPLACE_EXISTING). A reader, or the next
start after a crash or power cut, therefore finds the old file or the new one, never half of
either. If writing fails the temporary file is removed and the exception propagates; the old
file is untouched. ``fsync_dir=True`` also fsyncs the folder after the rename so that the rename
itself survives a power cut (POSIX only; elsewhere it does nothing).

The folder must exist: creating it is the caller's job. These functions are not a lock: two
writers of the same file each replace it whole, and the last rename wins.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

__all__ = ["fsync_directory", "replace_file", "write_bytes_atomic", "write_text_atomic"]


def fsync_directory(folder: Path) -> None:
    """Flush a folder's entries (a rename or a new file in it) to disk; POSIX only, a no-op elsewhere."""
    if os.name != "posix":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def replace_file(path: Path, write: Callable[[IO[Any]], object], *, mode: str = "wb",
                 encoding: str | None = None, newline: str | None = None, fsync_dir: bool = False,
                 temp_prefix: str = "") -> None:
    """Replace ``path`` crash-safely with what ``write`` writes into the open temporary file
    (opened with ``mode``, ``encoding``, ``newline`` as :func:`open` would; named
    ``temp_prefix`` + random, default ``.<name>.``): flushed and fsynced, then renamed over
    ``path``; on any error the temporary file is removed and ``path`` is untouched. The one
    temp+fsync+rename of the workstation (the encrypted files of ``workstation.crypt`` too)."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=temp_prefix or f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, mode, encoding=encoding, newline=newline) as fh:
            write(fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    if fsync_dir:
        fsync_directory(path.parent)


def write_bytes_atomic(path: Path, data: bytes, *, fsync_dir: bool = False) -> None:
    """Replace ``path`` with ``data`` crash-safely (see the module docstring); the folder must exist."""
    replace_file(path, lambda fh: fh.write(data), fsync_dir=fsync_dir)


def write_text_atomic(path: Path, text: str, *, encoding: str = "utf-8", newline: str | None = None,
                      fsync_dir: bool = False) -> None:
    """Replace ``path`` with ``text`` crash-safely, written in text mode as :func:`open` would
    (``encoding``, ``newline`` as there); the folder must exist."""
    replace_file(path, lambda fh: fh.write(text), mode="w", encoding=encoding, newline=newline, fsync_dir=fsync_dir)
