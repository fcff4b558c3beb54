"""The session lock and the export dialog in French (issue 17): what the reader sees is French,
what the audit log records stays English (its reasons and outcome sentences are read by tools
and auditors, not by the interface), and the export's choices still mean the same in French."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

pytest.importorskip("pytestqt")

from PySide6.QtCore import Qt  # noqa: E402

from tests.export.conftest import StudyToExport, study  # noqa: E402, F401 - the fixture
from tests.gui.helpers import dispose  # noqa: E402
from workstation.audit import AuditLog, default_audit_path  # noqa: E402
from workstation.lock_policy import set_unlock_password  # noqa: E402
from workstation.settings import Settings, load_settings, save_settings  # noqa: E402
from workstation.ui.app import create_main_window  # noqa: E402
from workstation.ui.export_dialog import ExportDialog  # noqa: E402
from workstation.ui.i18n import install_translations  # noqa: E402
from workstation.ui.session_lock import SessionLock  # noqa: E402

pytestmark = pytest.mark.gui


@pytest.fixture
def french(qapp) -> Iterator[None]:  # type: ignore[no-untyped-def]
    assert install_translations("fr") == "fr"
    yield
    install_translations("en")


def test_lock_speaks_french_and_the_audit_log_keeps_english(qtbot, french) -> None:  # type: ignore[no-untyped-def]
    save_settings(Settings(lock_after_min=30.0))
    set_unlock_password("mot-de-passe-éternel")
    window = create_main_window(load_settings())
    window.show()
    qtbot.waitExposed(window)
    log = AuditLog(default_audit_path())
    lock = SessionLock.instance()
    try:
        assert window.lock_action.text() == "&Verrouiller l'écran"
        assert window.sign_in_action.text() == "Se &connecter..."
        assert window.identity_label.text() == "Non connecté"
        window.lock_action.trigger()
        qtbot.waitUntil(lambda: lock.locked, timeout=5000)
        dialog = lock.dialog
        assert dialog is not None and dialog.password is not None
        assert dialog.windowTitle() == "Station de travail verrouillée"
        assert dialog.headline.text() == (
            "La station de travail est verrouillée (à la demande). Connecté : personne (non connecté).")
        assert window.windowTitle() == "Station de travail (verrouillée)"
        assert dialog.unlock_button.text() == "Déverrouiller"
        dialog.password.setText("mot-de-passe-eternel")  # wrong: "é" missing
        qtbot.keyClick(dialog.password, Qt.Key.Key_Return)
        assert lock.locked
        assert dialog.message.text() == "Le mot de passe de déverrouillage est incorrect ; réessayez."
        dialog.password.setText("mot-de-passe-éternel")
        qtbot.keyClick(dialog.password, Qt.Key.Key_Return)
        assert not lock.locked
        mine = [r for r in log.read() if r.action in ("session_locked", "session_unlocked")]
        assert [(r.action, r.outcome, r.outcome_text, r.detail) for r in mine] == [
            ("session_locked", "0", "", {"why": "on demand"}),
            ("session_unlocked", "4", "The unlock password is not right; try again.", {"method": "password"}),
            ("session_unlocked", "0", "", {"method": "password"})]
    finally:
        if lock.locked:
            lock.unlock_with_password("mot-de-passe-éternel")
        dispose(qtbot, window)


def test_export_dialog_in_french_keeps_its_choices(qtbot, french, study: StudyToExport, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    dialog = ExportDialog(Settings(), study.library, study.study_uid)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.windowTitle() == "Exporter l'examen"
    assert dialog.to_folder.text() == "Vers un dossier, un support amovible ou un ZIP"
    assert dialog.anonymise.title() == "Anonymiser (profil de base DICOM PS3.15)"
    assert all(dialog.series.item(i).text().endswith(" instances)") for i in range(dialog.series.count()))
    shown = [dialog.pictures.itemText(i) for i in range(dialog.pictures.count())]
    assert shown == ["Pas d'images", "Images PNG", "Images JPEG", "Vidéo MP4 par série"]
    dialog.pictures.setCurrentText("Images JPEG")  # the French label still asks for JPEG
    dialog.folder.setText(str(tmp_path / "pour-le-médecin"))
    assert dialog.request().images == "jpeg"
    dialog.folder.setText("")
    qtbot.mouseClick(dialog.buttons.button(dialog.buttons.StandardButton.Ok), Qt.MouseButton.LeftButton)
    assert dialog.message.text() == "Choisissez un dossier pour l'export."
    dialog._progress(3, 10, "Writing")  # a step the export reports (workstation.export.writer)
    assert dialog.message.text() == "Écriture 3 sur 10"
    dialog.close()
