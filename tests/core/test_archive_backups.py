"""Archive profiles naming a backup (``backup_for``): saved, read back, and which are searched."""

from __future__ import annotations

import pytest

from workstation.errors import SettingsError
from workstation.settings import ArchiveProfile, Settings, load_settings, save_settings


def test_backup_for_round_trips_and_orders_the_archives() -> None:
    settings = Settings(archives=[
        ArchiveProfile("Hôpital Nord", "https://nord.example.org/dicom-web"),
        ArchiveProfile("Secours Lyon", "https://lyon.example.org/dicom-web", backup_for="Hôpital Nord"),
        ArchiveProfile("Régional", "https://region.example.org/dicom-web"),
        ArchiveProfile("Orphelin", "https://old.example.org/dicom-web", backup_for="Parti"),
    ])
    save_settings(settings)
    again = load_settings()
    assert [p.backup_for for p in again.archives] == ["", "Hôpital Nord", "", "Parti"]
    # A backup is not searched on its own; one whose primary is gone is an archive again.
    assert [p.name for p in again.primary_archives()] == ["Hôpital Nord", "Régional", "Orphelin"]
    assert [p.name for p in again.backups_of("Hôpital Nord")] == ["Secours Lyon"]
    assert again.backups_of("Régional") == []


def test_an_archive_cannot_be_its_own_backup() -> None:
    with pytest.raises(SettingsError, match="cannot be its own backup"):
        ArchiveProfile("pacs", "https://pacs.example.org/dicom-web", backup_for="pacs")
