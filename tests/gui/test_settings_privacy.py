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


def test_the_app_start_encrypts_a_clear_library_and_applies_the_retention_limit(qtbot) -> None:  # type: ignore[no-untyped-def]
    import time

    from workstation.crypt.files import Protection
    from workstation.crypt.stream import is_encrypted_file
    from workstation.model.query import StudyQuery
    from workstation.store.library import Library
    from workstation.ui.app import create_main_window

    settings = Settings(retention_days=30)
    save_settings(settings)
    with Library(settings.library_path(), protection=Protection(encrypt=False)) as lib:  # as before
        old = lib.add_bytes(instance_bytes(patient_id="OLD-1")).study_uid
        kept = lib.add_bytes(instance_bytes(patient_id="NEW-1")).study_uid
        with lib._transaction() as tx:
            tx.execute("UPDATE instances SET added=? WHERE study_uid=?", (time.time() - 40 * 86400, old))
    window = create_main_window(settings)
    qtbot.addWidget(window)
    assert "1 study not opened for 30 days was removed" in window.statusBar().currentMessage()
    assert [s.study_uid for s in window.library.search_studies(StudyQuery())] == [kept]
    assert all(is_encrypted_file(p) for p in (settings.library_path() / "objects").rglob("*.dcm"))
