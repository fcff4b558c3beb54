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
