"""Remove all patient data from this machine, in one action.

What goes: the data key from the OS keyring first (``workstation.crypt.keys.forget_key``), which
makes every encrypted copy of the data unreadable at once, including copies on backups or a disk
taken away (crypto-shredding, NIST SP 800-88 Rev. 1 section 2.6 "cryptographic erase"); then the
library (wherever the settings put it), the reports folder (drafts, signed versions, the outbox),
the pending measurements and every other file in the workstation's data and cache folders. The
settings, archive profiles and their secrets stay: the machine can pull again at once.

Refused while the workstation (or another command) has the library open: its files would come
back. A file that cannot be removed is named in one sentence; the key is gone regardless.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import platformdirs

from workstation.crypt.keys import forget_key
from workstation.errors import StoreError
from workstation.settings import APP_NAME, Settings
from workstation.store.lockfile import LibraryLock


@dataclass
class ForgetReport:
    """What ``forget_all`` removed."""

    key_deleted: bool = False
    folders: list[Path] = field(default_factory=list)
    files_removed: int = 0

    def summary(self) -> str:
        key = "the encryption key was deleted" if self.key_deleted else "there was no encryption key"
        return (f"All patient data was removed from this machine ({self.files_removed} files; "
                f"{key}).")


def patient_data_folders(settings: Settings) -> list[Path]:
    """Every folder that may hold patient data: the library, the data folder (reports,
    pending objects, logs) and the cache folder."""
    folders = [
        settings.library_path(),
        settings.library_path().parent / "reports",
        Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)),
        Path(platformdirs.user_cache_dir(APP_NAME, appauthor=False)),
    ]
    unique: list[Path] = []
    for folder in folders:
        if folder not in unique:
            unique.append(folder)
    return unique


def forget_all(settings: Settings) -> ForgetReport:
    """Delete the data key, then every patient-data file (see the module docstring)."""
    library = settings.library_path()
    lock = None
    if library.is_dir():
        lock = LibraryLock(library / ".lock")
        if not lock.exclusive_at_open:
            lock.release()
            raise StoreError(
                "The library is open in the workstation or another command: close it, then "
                "remove all patient data again."
            )
    report = ForgetReport()
    try:
        report.key_deleted = forget_key()
        failed: list[str] = []
        for folder in patient_data_folders(settings):
            if not folder.exists():
                continue
            report.folders.append(folder)
            for _dirpath, _dirs, names in os.walk(folder):
                report.files_removed += sum(1 for n in names if n != ".lock")

            def note(_function: object, path: str, _exc: object) -> None:
                failed.append(path)

            shutil.rmtree(folder, onerror=note)
        if failed:
            raise StoreError(
                f"The encryption key was deleted, so the data is unreadable, but {len(failed)} "
                f"files could not be removed (the first: {failed[0]}); remove them by hand."
            )
    finally:
        if lock is not None:
            with contextlib.suppress(OSError):
                lock.release()
    return report
