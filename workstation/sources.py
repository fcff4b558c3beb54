"""Open the study sources the settings name: the local library and the hosted archives.

An archive with backups (profiles whose ``backup_for`` names it) opens as a
:class:`~workstation.net.failover.FailoverClient`; :func:`open_all_archives` opens every archive
that is not a backup, for the searches that go to all of them at once
(:mod:`workstation.net.federated`).

Shared by the command line and the QC tools so that ``--archive NAME|URL`` means the same
everywhere: a profile name from the settings, or a DICOMweb URL whose user and password come from
``WORKSTATION_USER`` / ``WORKSTATION_PASSWORD`` (never from the command line).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import platformdirs

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


def open_archive(settings: Settings, archive: str | None,
                 notify: Callable[[str], None] | None = None) -> DicomWebClient | None:
    """A DICOMweb client for the profile, or None when no archive is configured. A profile with
    backups gives a failover client (the same calls); ``notify`` hears its switches."""
    profile = archive_profile(settings, archive)
    if profile is None:
        return None
    return client_for(settings, profile, notify)


def client_for(settings: Settings, profile: ArchiveProfile,
               notify: Callable[[str], None] | None = None) -> Any:
    """The client of one profile: plain, or failing over to the profile's backups."""
    from workstation.net.dicomweb import DicomWebClient

    backups = settings.backups_of(profile.name) if profile.name != "command-line" else []
    if backups:
        from workstation.net.failover import FailoverClient

        return FailoverClient.from_profiles(profile, backups, notify=notify)
    return DicomWebClient(profile)


def open_all_archives(settings: Settings,
                      notify: Callable[[str], None] | None = None) -> list[tuple[str, Any]]:
    """``(name, client)`` of every archive that is not another's backup, in settings order."""
    return [(p.name, client_for(settings, p, notify)) for p in settings.primary_archives()]
