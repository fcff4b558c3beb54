"""Settings: one typed object in the platform's config folder; WORKSTATION_CONFIG overrides."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from workstation.errors import SettingsError
from workstation.settings import (
    ArchiveProfile,
    Settings,
    load_settings,
    save_settings,
    settings_path,
)


def test_settings_live_in_the_xdg_config_folder(isolated_environment: Path) -> None:
    path = settings_path()
    assert path == isolated_environment / "config" / "workstation" / "settings.json"
    assert Settings().library_path() == isolated_environment / "data" / "workstation" / "library"


def test_round_trip_and_override(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "elsewhere.json"
    monkeypatch.setenv("WORKSTATION_CONFIG", str(target))
    s = Settings(archives=[ArchiveProfile("pacs", "https://pacs.example.org/dicom-web", username="dr")])
    save_settings(s)
    assert target.exists()
    again = load_settings()
    assert again.archive() == s.archives[0]
    assert again.archive("pacs").username == "dr"  # type: ignore[union-attr]
    # Secrets are never part of the file.
    assert "password" not in target.read_text().lower()


def test_missing_file_gives_defaults() -> None:
    s = load_settings()
    assert s.archives == [] and s.archive() is None


def test_invalid_settings_are_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "s.json"
    bad.write_text("{not json")
    with pytest.raises(SettingsError, match="cannot be read"):
        load_settings(bad)
    bad.write_text(json.dumps({"archives": [{"name": "x", "url": "ftp://nope"}]}))
    with pytest.raises(SettingsError, match="http"):
        load_settings(bad)
    with pytest.raises(SettingsError, match="no archive profile named"):
        Settings().archive("missing")


def test_sections_of_other_parts_survive_a_save(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    path.write_text(json.dumps({"ris": {"fhir_url": "https://ris.example.org/fhir"}, "library_max_gb": 5,
                                "a_later_part": {"kept": "é"}}))
    s = load_settings(path)
    assert s.library_max_gb == 5
    s.default_archive = "x"
    save_settings(s, path)
    data = json.loads(path.read_text())
    assert data["a_later_part"] == {"kept": "é"}  # a section this version does not know
    assert data["ris"]["fhir_url"] == "https://ris.example.org/fhir"  # typed now (Settings.ris)
    assert data["default_archive"] == "x" and "extras" not in data
