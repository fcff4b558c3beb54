"""The settings dialog refuses an archive that would send its password over plain HTTP to
another machine, with the same sentence as the command line and the client, unless the
profile's plain-HTTP option is ticked (RFC 7617 section 4)."""

from __future__ import annotations

import pytest

pytest.importorskip("pytestqt")

from workstation.settings import ArchiveProfile, Settings, load_settings, settings_path  # noqa: E402
from workstation.ui.settings_dialog import SettingsDialog  # noqa: E402

pytestmark = pytest.mark.gui

REFUSAL = ("Archive profile 'Clinique' would send its password unencrypted over plain HTTP to "
           "pacs.example.org")


def _dialog(qtbot, settings: Settings) -> SettingsDialog:  # type: ignore[no-untyped-def]
    dialog = SettingsDialog(settings)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def test_plain_http_password_is_refused_until_allowed(qtbot) -> None:  # type: ignore[no-untyped-def]
    profile = ArchiveProfile("Clinique", "http://pacs.example.org/dicom-web", username="médecin")
    dialog = _dialog(qtbot, Settings(archives=[profile], default_archive="Clinique"))
    dialog.list.setCurrentRow(0)
    dialog.test_button.click()  # refused before any connection: no network needed
    qtbot.waitUntil(lambda: dialog.test_result.text() not in ("", "Testing..."), timeout=10000)
    assert dialog.test_result.text().startswith(REFUSAL)
    dialog.accept()
    assert dialog.error.text().startswith(REFUSAL)
    assert not settings_path().exists()  # nothing saved
    dialog.allow_http.setChecked(True)
    with qtbot.waitSignal(dialog.saved, timeout=5000):
        dialog.accept()
    [saved] = load_settings().archives
    assert saved.allow_insecure_http and saved.username == "médecin"
