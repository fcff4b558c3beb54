"""The window's remembered choices (ui/settings_store.py) live in the typed settings."""

from __future__ import annotations

import pytest

pytest.importorskip("pytestqt")

from workstation.settings import load_settings, settings_path  # noqa: E402
from workstation.ui.settings_store import settings_store  # noqa: E402

pytestmark = pytest.mark.gui


def test_the_window_choices_store_never_breaks_the_window(caplog: pytest.LogCaptureFixture) -> None:
    """A menu choice (apply protocols on open) saved while the settings file is damaged: the
    window goes on, the file is left as it is for the settings dialog to explain."""
    store = settings_store()
    store.setValue("hanging/apply_on_open", False)
    assert load_settings().hanging.apply_on_open is False and store.value("hanging/apply_on_open") == "false"
    settings_path().write_text("{ damaged", encoding="utf-8")
    store.setValue("hanging/apply_on_open", True)
    assert settings_path().read_text(encoding="utf-8") == "{ damaged"
    assert store.value("hanging/apply_on_open", "unset") == "unset"
    assert "the choice hanging/apply_on_open is not saved" in caplog.text


def test_the_worklist_reads_the_ris_of_the_window_settings(qtbot) -> None:  # type: ignore[no-untyped-def]
    """The report-status column asks the RIS of the settings the window holds (changed by the
    settings dialog), not a second reading of the file."""
    from tests.gui.helpers import dispose
    from workstation.settings import RisProfile, Settings
    from workstation.ui.app import create_main_window

    ris = RisProfile(name="RIS de l'hôpital", fhir_url="https://ris.example.org/fhir")
    window = create_main_window(Settings(ris=ris))  # never saved: the file has no RIS
    try:
        assert not settings_path().exists()
        assert window.worklist._ris_profile() == ris
        window.settings = Settings()  # what the settings dialog's "saved" does
        assert window.worklist._ris_profile() is None
    finally:
        dispose(qtbot, window)
