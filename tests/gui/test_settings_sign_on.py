"""The settings dialog shows and keeps an archive and a RIS that use single sign-on (auth "oidc")."""

from __future__ import annotations

import json

import pytest

pytest.importorskip("pytestqt")

from workstation.settings import (  # noqa: E402
    ArchiveProfile,
    Settings,
    load_settings,
    save_settings,
    settings_path,
)
from workstation.ui.settings_dialog import SettingsDialog  # noqa: E402

pytestmark = pytest.mark.gui


def test_sign_on_profiles_open_and_save_unchanged(qtbot) -> None:  # type: ignore[no-untyped-def]
    settings = Settings(archives=[ArchiveProfile("Hosted", "https://pacs.example.org/dicom-web", auth="oidc")],
                        default_archive="Hosted", extras={"ris": {"fhir_url": "https://ris.example.org/fhir",
                                                                  "auth": "oidc"}})
    save_settings(settings)
    dialog = SettingsDialog(load_settings())  # opening it with an 'oidc' profile must not fail
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.list.setCurrentRow(0)
    assert dialog.auth.currentData() == "oidc" and dialog.ris_auth.currentData() == "oidc"
    assert not dialog.secret.isEnabled() and not dialog.ris_secret.isEnabled()  # no secret to type
    assert not dialog.username.isEnabled()
    with qtbot.waitSignal(dialog.saved, timeout=5000):
        dialog.accept()
    [saved] = load_settings().archives
    assert saved.auth == "oidc"
    assert json.loads(settings_path().read_text(encoding="utf-8"))["ris"]["auth"] == "oidc"
