"""Encrypt a folder of patient data written in clear, in place, resumable.

Each clear file is rewritten encrypted to a temporary file beside it, fsynced and renamed over
the clear one (``Protection.encrypt_in_place``): a migration killed at any point leaves every
file whole, clear or encrypted, and the next start carries on where it stopped. Readers accept
both kinds meanwhile. Names starting with a dot (locks, temporary files of a save in progress)
are left alone; the library folder has its own migration (``store.library``).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path

from workstation.crypt.files import Protection
from workstation.crypt.stream import is_encrypted_file

#: progress(files_done, files_total)
Progress = Callable[[int, int], None]


def clear_files(folders: Sequence[Path]) -> list[Path]:
    """The regular files under ``folders`` that are not in the encrypted format."""
    found: list[Path] = []
    for folder in folders:
        if not Path(folder).is_dir():
            continue
        for dirpath, dirs, names in os.walk(folder):
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))  # writes in progress
            for name in sorted(names):
                path = Path(dirpath) / name
                if name.startswith(".") or path.is_symlink() or not path.is_file():
                    continue
                if not is_encrypted_file(path):
                    found.append(path)
    return found


def encrypt_folders(folders: Sequence[Path], protection: Protection,
                    progress: Progress | None = None) -> int:
    """Encrypt every clear file under ``folders``; returns how many were encrypted. Nothing
    happens when ``protection`` writes in clear (the opt-out)."""
    if not protection.encrypt:
        return 0
    todo = clear_files(folders)
    for done, path in enumerate(todo, start=1):
        protection.encrypt_in_place(path)
        if progress is not None:
            progress(done, len(todo))
    return len(todo)
