"""Patient data readable by its owner only: folders 0700, files 0600.

Everything the workstation writes may carry patient data (the library index holds names and
IDs; drafts, reports, the outbox and the audit log hold more), so the process creates files
and folders for its user alone. Two tools, used together:

* :func:`restrict_umask` sets the process umask to 077 at start-up (the command line and the
  application both start in ``workstation.cli.main``): every writer in the process, including
  SQLite's ``-wal``/``-shm`` files and ``tempfile``, then creates 0700 folders and 0600 files
  without each one having to remember (POSIX umask(2)).
* :func:`private_folder` and :func:`make_private` for code that may run in a process that did
  not set the umask (the library used as a package, tests) and to tighten folders made by older
  versions: they set the modes explicitly.

On Windows the modes mean little (ACLs decide); these functions do nothing harmful there.
"""

from __future__ import annotations

import contextlib
import os
import stat
from pathlib import Path

FOLDER_MODE = 0o700
FILE_MODE = 0o600
UMASK = 0o077


def restrict_umask() -> int:
    """Make everything this process creates private to its user; returns the previous umask."""
    return os.umask(UMASK)


def private_folder(path: Path) -> Path:
    """Create ``path`` and any missing parents with mode 0700, and tighten ``path`` itself to
    0700 when it exists with wider modes (a folder made by an older version)."""
    path = Path(path)
    missing: list[Path] = []
    current = path
    while not current.exists():
        missing.append(current)
        if current.parent == current:
            break
        current = current.parent
    for folder in reversed(missing):
        with contextlib.suppress(FileExistsError):
            folder.mkdir(mode=FOLDER_MODE)
        os.chmod(folder, FOLDER_MODE)  # mkdir's mode is filtered by the umask
    make_private(path)
    return path


def tighten_app_folders(folders: list[Path]) -> None:
    """Make existing top-level folders of the workstation (its config, data and cache folders,
    made 0755 by versions before this rule) private; what lies under them keeps its modes and
    is unreachable by others once the folder is 0700."""
    for folder in folders:
        make_private(folder)


def make_private(path: Path) -> None:
    """Remove group and other permissions from an existing file or folder we own."""
    with contextlib.suppress(FileNotFoundError):
        st = os.lstat(path)
        if stat.S_ISLNK(st.st_mode):
            return
        if os.name == "posix" and st.st_uid != os.getuid():
            return
        wanted = stat.S_IMODE(st.st_mode) & ~0o077
        if stat.S_ISDIR(st.st_mode):
            wanted |= 0o700
        if wanted != stat.S_IMODE(st.st_mode):
            os.chmod(path, wanted)
