"""File > Export...: the dialog exports the study anonymised in the background, some series only
when some are unchecked, and says an error in one sentence."""

from __future__ import annotations

from pathlib import Path

import pydicom
import pytest

pytest.importorskip("pytestqt")

from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtWidgets import QDialogButtonBox  # noqa: E402

from tests.export.conftest import SLICES, StudyToExport, study  # noqa: E402, F401 - the fixture
from workstation.settings import Settings  # noqa: E402
from workstation.ui.export_dialog import ExportDialog  # noqa: E402

pytestmark = pytest.mark.gui


def _export(dialog: ExportDialog, qtbot) -> str:  # type: ignore[no-untyped-def]
    dialog.result_text = ""
    qtbot.mouseClick(dialog.buttons.button(QDialogButtonBox.StandardButton.Ok), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(dialog.result_text), timeout=60000)
    return dialog.result_text


def test_export_dialog_anonymised_some_series(qtbot, study: StudyToExport, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    dialog = ExportDialog(Settings(), study.library, study.study_uid)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.series.count() == 5  # CT, SR, KO, PR, SEG
    assert not dialog.to_archive.isEnabled()  # no archive profile to send to
    ct_row = next(i for i in range(dialog.series.count()) if dialog.series.item(i).text().startswith("CT"))
    for i in range(dialog.series.count()):
        if i != ct_row:
            dialog.series.item(i).setCheckState(Qt.CheckState.Unchecked)
    out = tmp_path / "for-referrer"
    dialog.folder.setText(str(out))
    dialog.anonymise.setChecked(True)
    dialog.keep_dates.setChecked(True)
    sentence = _export(dialog, qtbot)
    assert f"{SLICES - 1} instance(s) exported to {out} with a DICOMDIR" in sentence
    assert "1 instance(s) were left out" in sentence and "burned into the pixels" in sentence
    files = [p for p in out.rglob("IM*") if p.is_file()]
    assert len(files) == SLICES - 1
    ds = pydicom.dcmread(files[0])
    assert ds.PatientIdentityRemoved == "YES" and ds.Modality == "CT"
    assert ds.LongitudinalTemporalInformationModified == "MODIFIED"

    # the same folder again: not empty, one sentence, shown in the dialog
    sentence = _export(dialog, qtbot)
    assert sentence.startswith(f"The folder {out} is not empty") and "\n" not in sentence
    assert dialog.message.text() == sentence
    dialog.close()


def test_file_export_menu_opens_the_dialog_for_the_current_study(qtbot) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtGui import QAction

    from tests.gui.helpers import dispose, open_row
    from workstation.settings import load_settings
    from workstation.ui.app import create_main_window

    window = create_main_window(load_settings())
    window.show()
    qtbot.waitExposed(window)
    try:
        (action,) = [a for a in window.findChildren(QAction) if a.text() == "&Export..."]
        assert action.shortcut().toString() == "Ctrl+E"
        action.trigger()
        assert window.notice.text() == "Open a study to export it."
        qtbot.mouseClick(window.worklist.demo_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: window.worklist.model.rowCount() == 3, timeout=30000)
        open_row(qtbot, window.worklist, "CT HEAD DEMO PHANTOM")
        qtbot.waitUntil(lambda: window.tabs.count() == 2, timeout=30000)
        dialog = window.export_dialog()
        assert isinstance(dialog, ExportDialog) and dialog.isVisible()
        assert dialog.study_uid == window.current_study().study.study_uid
        assert dialog.series.count() == 1 and "60 instances" in dialog.series.item(0).text()
        dialog.close()
    finally:
        dispose(qtbot, window)


@pytest.mark.archive
def test_send_from_the_dialog_to_another_archive(qtbot, study: StudyToExport, orthanc) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    """Send to another archive from File > Export...: every instance arrives in a real Orthanc."""
    import requests

    from workstation.net.auth import store_secret
    from workstation.settings import ArchiveProfile

    profile = ArchiveProfile(name="second opinion", url=orthanc.dicomweb_url, username=orthanc.user)
    store_secret(profile, orthanc.password)
    dialog = ExportDialog(Settings(archives=[profile]), study.library, study.study_uid)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.to_archive.isEnabled()
    dialog.to_archive.setChecked(True)
    assert not dialog.folder.isEnabled() and not dialog.anonymise.isEnabled()
    sentence = _export(dialog, qtbot)
    assert sentence == f"{SLICES + 4} instance(s) delivered to 'second opinion'."
    held = requests.get(f"{orthanc.rest_url}/instances", auth=(orthanc.user, orthanc.password), timeout=10).json()
    assert len(held) == SLICES + 4
    dialog.close()
