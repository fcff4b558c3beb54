"""Which language the workstation speaks, and how the report writes dates and decimals
(workstation.i18n, Qt-free; Qt's own CLDR data is compared in tests/gui/test_french_interface.py)."""

from __future__ import annotations

import datetime as dt

import pytest

from workstation.i18n import (
    catalogue_path,
    format_date,
    format_decimal,
    format_dicom_date,
    localize_decimals,
    pick_language,
    translations_folder,
)


@pytest.mark.parametrize(("choice", "system", "expected"), [
    ("", "fr_FR.UTF-8", "fr"), ("", "fr-CA", "fr"), ("system", "fr", "fr"), ("", "en_GB", "en"),
    ("", "de_DE", "en"), ("", "", "en"), ("en", "fr_FR", "en"), ("fr", "en_US", "fr"), ("FR", "C", "fr"),
    ("es", "fr_BE", "fr"),
])
def test_the_setting_wins_over_the_system_language(choice: str, system: str, expected: str) -> None:
    assert pick_language(choice, system) == expected


def test_french_dates_and_decimals() -> None:
    assert format_date(dt.date(2025, 1, 12), "fr") == "12 janv. 2025"
    assert format_date(dt.date(2025, 8, 1), "fr") == "1 août 2025"
    assert format_date(dt.date(2025, 1, 12), "en") == "12 Jan 2025"
    assert format_dicom_date("20251203", "fr") == "3 déc. 2025"
    assert format_dicom_date("2025", "fr") == "2025"  # not a full date: shown as it is
    assert format_decimal(12.5, "fr") == "12,5" and format_decimal(12.5, "en") == "12.5"
    assert format_decimal(-0.04, "fr") == "0,0"
    assert localize_decimals("Length 12.5 mm, 3 images. Se 2.", "fr") == "Length 12,5 mm, 3 images. Se 2."
    assert localize_decimals("12.5 mm", "en") == "12.5 mm"


def test_catalogues_are_found(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:  # type: ignore[no-untyped-def]
    assert catalogue_path("en") is None
    shipped = catalogue_path("fr")
    assert shipped is not None and shipped.is_file() and shipped.parent == translations_folder()
    (tmp_path / "translations").mkdir()
    monkeypatch.setenv("WORKSTATION_RESOURCES", str(tmp_path))
    assert translations_folder() == tmp_path / "translations"
