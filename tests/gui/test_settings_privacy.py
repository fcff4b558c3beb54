"""The settings dialog's privacy controls: the retention limit and the full-disk-encryption
opt-out are saved, and "Remove all patient data from this machine" (asked once) closes the
library, removes every file and the data key, and closes the window."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("pytestqt")

from PySide6.QtWidgets import QMessageBox  # noqa: E402

from tests.store.helpers import instance_bytes  # noqa: E402
from workstation.crypt.keys import load_key  # noqa: E402
from workstation.settings import Settings, load_settings, save_settings  # noqa: E402
from workstation.sources import open_library  # noqa: E402
from workstation.ui.settings_dialog import SettingsDialog  # noqa: E402

pytestmark = pytest.mark.gui


def test_retention_and_opt_out_are_saved(qtbot) -> None:  # type: ignore[no-untyped-def]
    save_settings(Settings())
    dialog = SettingsDialog(load_settings())
    qtbot.addWidget(dialog)
    assert dialog.retention_days.value() == 0 and not dialog.disk_encrypted.isChecked()
    dialog.retention_days.setValue(45)
    dialog.disk_encrypted.setChecked(True)
    with qtbot.waitSignal(dialog.saved, timeout=5000):
        dialog.accept()
    saved = load_settings()
    assert saved.retention_days == 45 and saved.disk_encrypted


def test_remove_all_patient_data_from_the_settings(qtbot, monkeypatch: pytest.MonkeyPatch,  # type: ignore[no-untyped-def]
                                                   isolated_environment: Path) -> None:
    from workstation.ui.main_window import MainWindow

    settings = Settings()
    save_settings(settings)
    library = open_library(settings)
    library.add_bytes(instance_bytes(patient_id="GUI-FORGET-1"))
    window = MainWindow(settings, library)
    qtbot.addWidget(window)
    data = isolated_environment / "data"
    assert [p for p in data.rglob("*.dcm")] and load_key(create=False) is not None

    asked: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *a, **k: asked.append(a[2]) or QMessageBox.StandardButton.Cancel)
    dialog = window.open_settings()
    assert dialog.confirm_forget_all() is False  # cancelled: nothing happens
    assert [p for p in data.rglob("*.dcm")] and asked and "delete the key" in asked[0]

    told: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *a, **k: QMessageBox.StandardButton.Yes)
    monkeypatch.setattr(QMessageBox, "information", lambda *a, **k: told.append(a[2]))
    dialog = window.open_settings()
    assert dialog.confirm_forget_all() is True
    assert told and told[0].startswith("All patient data was removed from this machine")
    assert not [p for p in data.rglob("*") if p.is_file()]
    assert load_key(create=False) is None
    assert not window.isVisible()
