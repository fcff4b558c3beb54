"""Open the study sources the settings name: the local library and the hosted archive.

Shared by the command line and the QC tools so that ``--archive NAME|URL`` means the same
everywhere: a profile name from the settings, or a DICOMweb URL whose user and password come from
``WORKSTATION_USER`` / ``WORKSTATION_PASSWORD`` (never from the command line).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

import platformdirs
from pydicom.dataset import Dataset

from workstation.errors import WorkstationError
from workstation.settings import APP_NAME, ArchiveProfile, Settings

if TYPE_CHECKING:
    from workstation.net.dicomweb import DicomWebClient
    from workstation.store.library import Library, RebuildProgress


def open_library(settings: Settings, progress: RebuildProgress | None = None,
                 encrypting: RebuildProgress | None = None) -> Library:
    """The local library at the settings' folder, with its size limit; ``progress(done, total)``
    is called while a lost or damaged index is rebuilt from the files.

    Patient data is encrypted at rest unless the settings opt out (``workstation.crypt``): on
    the first start after an update, a library, reports and pending objects written in clear are
    encrypted in place, ``encrypting(done, total)`` reporting it."""
    from workstation.crypt.files import Protection
    from workstation.crypt.migrate import encrypt_folders
    from workstation.store.library import Library

    protection = Protection.for_settings(settings)
    max_bytes = int(settings.library_max_gb * 1e9) if settings.library_max_gb > 0 else None
    library = Library(settings.library_path(), max_bytes=max_bytes, progress=progress,
                      protection=protection, encrypting=encrypting)
    try:
        encrypt_folders(patient_data_folders(settings), protection, encrypting)
    except BaseException:
        library.close()
        raise
    return library


def patient_data_folders(settings: Settings) -> list[Path]:
    """The folders of patient data beside the library: reports (drafts, signed versions, the
    outbox) and the objects pending for the archive."""
    return [settings.library_path().parent / "reports",
            Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)) / "pending"]


def archive_profile(settings: Settings, archive: str | None) -> ArchiveProfile | None:
    """``archive`` may name a profile or give a URL; without it, the default profile (or None)."""
    if archive and archive.startswith(("http://", "https://")):
        user = os.environ.get("WORKSTATION_USER", "")
        return ArchiveProfile(
            name="command-line", url=archive, auth="basic" if user else "none", username=user
        )
    return settings.archive(archive)


def open_archive(settings: Settings, archive: str | None) -> DicomWebClient | None:
    """A DICOMweb client for the profile, or None when no archive is configured."""
    profile = archive_profile(settings, archive)
    if profile is None:
        return None
    from workstation.net.dicomweb import DicomWebClient

    return DicomWebClient(profile)


def archive_study_headers(settings: Settings, study_uid: str, archive: str | None) -> list[Dataset]:
    """Every instance header of a study from the archive's WADO-RS metadata (PS3.18 10.4.1.1.2)."""
    client = open_archive(settings, archive)
    if client is None:
        raise WorkstationError(
            f"Study {study_uid} is not in the library and no archive is configured; "
            "import or pull it first, or give --archive."
        )
    headers: list[Dataset] = []
    with client:
        for series in client.search_series(study_uid):
            headers.extend(client.series_metadata(study_uid, series.series_uid))
    return headers
