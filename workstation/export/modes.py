"""Owner-only modes for what an export writes, on file systems that may not keep them.

Exports are private like everything else the workstation writes (folders 0700, files 0600,
:mod:`workstation.private`), but they often go to removable media: a FAT or exFAT USB stick or
an optical disc image has no POSIX modes, and chmod(2) fails there with EPERM (or ENOTSUP).
There the modes are left to the media (its mount options decide), and the export goes on.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

from workstation.private import FILE_MODE, FOLDER_MODE


def chmod_if_supported(path: Path, mode: int) -> None:
    """chmod(2), ignored where the file system cannot keep modes."""
    with contextlib.suppress(PermissionError, NotImplementedError, OSError):
        os.chmod(path, mode)


def owner_only_folder(path: Path) -> Path:
    """Create ``path`` (and parents) 0700 where the file system keeps modes."""
    path = Path(path)
    path.mkdir(mode=FOLDER_MODE, parents=True, exist_ok=True)
    chmod_if_supported(path, FOLDER_MODE)
    return path


def tighten(root: Path) -> None:
    """0700 folders and 0600 files under ``root`` (FileSet and encoders write with the umask)."""
    for folder, dirs, files in os.walk(root):
        chmod_if_supported(Path(folder), FOLDER_MODE)
        for name in dirs:
            chmod_if_supported(Path(folder) / name, FOLDER_MODE)
        for name in files:
            chmod_if_supported(Path(folder) / name, FILE_MODE)
