"""QC mode as a technologist uses it: the day's studies, the checks, refusal to pass a study with
errors, PDF/JSON export, rejecting a series in a real Orthanc, reading without the rejected
series, and the tag browser from the reading view."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from io import BytesIO
from pathlib import Path
from typing import Any

import pydicom
import pytest
import requests

pytest.importorskip("pytestqt")

from pydicom.dataset import Dataset  # noqa: E402
from pydicom.uid import generate_uid  # noqa: E402
from PySide6.QtCore import Qt, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication, QMessageBox  # noqa: E402

from tests.gui.helpers import dispose, shot  # noqa: E402
from workstation import demo  # noqa: E402
from workstation.qc.audit import AuditLog, default_audit_path  # noqa: E402
from workstation.qc.rejection import rejected_instances  # noqa: E402
from workstation.settings import ArchiveProfile, Settings, load_settings, save_settings  # noqa: E402
from workstation.ui.app import create_main_window  # noqa: E402
from workstation.ui.main_window import MainWindow  # noqa: E402
from workstation.ui.qc_dialogs import RejectDialog  # noqa: E402
from workstation.ui.qc_view import STATE_COLUMN, QCView  # noqa: E402
from workstation.ui.study_view import StudyView  # noqa: E402
from workstation.ui.tag_browser import TagBrowser  # noqa: E402

pytestmark = [pytest.mark.gui, pytest.mark.timeout(120)]

SHAPE = (8, 64, 64)


def _part10(ds: Dataset) -> bytes:
    buf = BytesIO()
    ds.save_as(buf, enforce_file_format=True)
    return buf.getvalue()


def qc_study() -> tuple[list[bytes], list[Dataset], list[Dataset]]:
    """The demo phantom (series 2) and a copy of it as series 3 whose Patient Sex differs: the
    kind of mix-up the identity check must call an error."""
    study_uid = generate_uid()
    phantom = [pydicom.dcmread(BytesIO(b)) for b in demo.phantom_series(shape=SHAPE, study_uid=study_uid)]
    series_uid = generate_uid()
    other = []
    for ds in phantom:
        copy_ = copy.deepcopy(ds)
        copy_.SeriesInstanceUID = series_uid
        copy_.SOPInstanceUID = generate_uid()
        copy_.file_meta.MediaStorageSOPInstanceUID = copy_.SOPInstanceUID
        copy_.SeriesNumber = 3
        copy_.SeriesDescription = "Axial 3 mm copy"
        copy_.PatientSex = "F"  # the phantom says "O"
        other.append(copy_)
    return [_part10(ds) for ds in phantom + other], phantom, other


def answer_modal(act: Callable[[Any], None], seen: list[Any]) -> None:
    """When the next modal dialog is up, remember it and let ``act`` answer it (as a user would)."""

    def poll() -> None:
        widget = QApplication.activeModalWidget()
        if widget is None or not widget.isVisible():
            QTimer.singleShot(20, poll)
            return
        seen.append(widget)
        act(widget)

    QTimer.singleShot(0, poll)


def _window(qtbot: Any, settings: Settings) -> MainWindow:
    save_settings(settings)
    window = create_main_window(load_settings())
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=5000)
    return window


def _qc_tab(qtbot: Any, window: MainWindow, study_uid: str) -> QCView:
    qtbot.keyClick(window, Qt.Key.Key_F3)  # View > QC mode
    qc = window.qc_view
    assert qc is not None and window.tabs.currentWidget() is qc
    qtbot.waitUntil(lambda: qc._row_of(study_uid) >= 0, timeout=10000)
    return qc


def _check(qtbot: Any, qc: QCView, study_uid: str) -> None:
    """Click the study's row and wait for its checks."""
    row = qc.proxy.mapFromSource(qc.worklist_model.index(qc._row_of(study_uid), 0)).row()
    rect = qc.worklist.visualRect(qc.proxy.index(row, 1))
    qtbot.mouseClick(qc.worklist.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.waitUntil(lambda: qc.current is not None and qc.current.study.study_uid == study_uid and not qc.busy,
                    timeout=30000)


def _finding_rows(qc: QCView) -> list[tuple[str, str, str, str]]:
    m = qc.findings_model
    return [tuple(m.item(r, c).text() for c in range(4)) for r in range(m.rowCount())]  # type: ignore[misc]


def test_qc_tab_finds_the_error_refuses_the_pass_and_exports(qtbot: Any, tmp_path: Path) -> None:
    data, phantom, other = qc_study()
    window = _window(qtbot, Settings())
    try:
        for item in data:
            assert window.library.add_bytes(item).stored
        study_uid = str(phantom[0].StudyInstanceUID)
        qc = _qc_tab(qtbot, window, study_uid)
        assert qc.state_text(study_uid) == "not checked"
        _check(qtbot, qc, study_uid)

        # The identity error is listed, in red with the error icon, against the study's images.
        rows = _finding_rows(qc)
        errors = [r for r in rows if r[0] == "error"]
        assert errors and any("patient sex" in r[1].lower() for r in errors), rows
        sex_row = next(r for r in errors if "patient sex" in r[1].lower())
        finding = qc.current.report.by_code("patient_sex_mismatch")[0]  # type: ignore[union-attr]
        assert sex_row[1] == finding.sentence
        concerned = set(finding.instances)
        ours = {str(ds.SOPInstanceUID) for ds in phantom + other}
        assert concerned and concerned <= ours
        assert sex_row[3] == str(len(concerned))
        assert "O" not in sex_row[1].split() and "F" not in sex_row[1].split()  # no patient data quoted
        assert qc.summary.text().startswith("QC errors:")
        assert f"{2 * SHAPE[0]} images checked" in qc.summary.text()
        assert qc.state_text(study_uid) == "errors"
        assert [label for label, _grey in qc.series_rows()] == ["2 Axial 3 mm (generated phantom)", "3 Axial 3 mm copy"]
        assert not any(grey for _label, grey in qc.series_rows())
        # The images of the selected series are listed in instance order.
        assert qc.images_model.rowCount() == SHAPE[0]
        assert [qc.images_model.item(r, 0).text() for r in range(SHAPE[0])] == [str(n) for n in range(1, SHAPE[0] + 1)]
        shot(qc, "qc_tab_errors")

        # The worklist sorts by the status column.
        qc.worklist.sortByColumn(STATE_COLUMN, Qt.SortOrder.DescendingOrder)
        assert qc.state_text(study_uid) == "errors"

        # "Mark as checked" is refused after errors unless the technologist confirms.
        seen: list[Any] = []
        answer_modal(lambda box: box.button(QMessageBox.StandardButton.Cancel).click(), seen)
        qtbot.mouseClick(qc.pass_button, Qt.MouseButton.LeftButton)
        assert seen and "error-level QC finding" in seen[0].text()
        assert qc.notice.text().startswith("Not marked as passed:")
        assert qc.store.get(study_uid).state.value == "errors"
        assert qc.state_text(study_uid) == "errors"

        # Export PDF and JSON: files that exist and parse.
        pdf_path, json_path = tmp_path / "qc.pdf", tmp_path / "qc.json"
        qc.export_pdf(pdf_path)
        qtbot.waitUntil(lambda: pdf_path.exists() and not qc.busy, timeout=20000)
        qc.export_json(json_path)
        qtbot.waitUntil(lambda: json_path.exists() and not qc.busy, timeout=10000)
        import pypdfium2 as pdfium

        document = pdfium.PdfDocument(str(pdf_path))
        page_text = "".join(document[i].get_textpage().get_text_range() for i in range(len(document)))
        assert "Acquisition quality control report" in page_text and study_uid in page_text
        assert "patient sex" in page_text.lower()
        document.close()
        exported = json.loads(json_path.read_text())
        assert exported["status"] == "errors" and exported["study"]["study_uid"] == study_uid
        assert exported["study"]["number_of_instances"] == 2 * SHAPE[0]
        codes = {(f["code"], f["severity"]) for f in exported["findings"]}
        assert ("patient_sex_mismatch", "error") in codes
        written = json_path.read_text()
        assert demo.DEMO_PATIENT_NAME not in written and demo.DEMO_PATIENT_ID not in written

        # Confirming passes it despite the errors, recorded as such (and audited).
        answer_modal(lambda box: next(b for b in box.buttons() if "despite" in b.text()).click(), seen)
        qtbot.mouseClick(qc.pass_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: qc.state_text(study_uid) == "passed", timeout=10000)
        record = qc.store.get(study_uid)
        assert record.state.value == "passed" and record.passed_despite_errors
        actions = [e.action for e in AuditLog(default_audit_path(load_settings())).read(study_uid)]
        assert actions[-1] == "qc_passed" and "qc_run" in actions
    finally:
        dispose(qtbot, window)


def test_reject_a_series_in_orthanc_then_read_without_it(qtbot: Any, orthanc: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    data, phantom, other = qc_study()
    for item in data:
        orthanc.upload(item)
    monkeypatch.setenv("WORKSTATION_USER", orthanc.user)
    monkeypatch.setenv("WORKSTATION_PASSWORD", orthanc.password)
    profile = ArchiveProfile(name="Test archive", url=orthanc.dicomweb_url, auth="basic", username="someone-else")
    window = _window(qtbot, Settings(archives=[profile], default_archive=profile.name))
    try:
        for item in data:
            window.library.add_bytes(item)
        study_uid = str(phantom[0].StudyInstanceUID)
        rejected_series = str(other[0].SeriesInstanceUID)
        qc = _qc_tab(qtbot, window, study_uid)
        _check(qtbot, qc, study_uid)
        assert qc.state_text(study_uid) == "errors"

        # Select series 3 and reject it; the confirmation says what will happen and where.
        qc.select_series(rejected_series)
        seen: list[Any] = []

        def confirm(dialog: RejectDialog) -> None:
            dialog.reasons.setCurrentIndex(1)  # Rejected for Patient Safety Reasons
            dialog.reject_button.click()

        answer_modal(confirm, seen)
        qtbot.mouseClick(qc.reject_series_button, Qt.MouseButton.LeftButton)
        assert isinstance(seen[0], RejectDialog)
        said = seen[0].consequence.text()
        assert f"{SHAPE[0]} image(s) of series 3 Axial 3 mm copy" in said
        assert "Rejected for Patient Safety Reasons" in said and "Test archive" in said
        qtbot.waitUntil(lambda: qc.current is not None and any(g for _l, g in qc.series_rows()) and not qc.busy,
                        timeout=30000)
        assert qc.series_rows() == [("2 Axial 3 mm (generated phantom)", False), ("3 Axial 3 mm copy", True)]
        assert qc.series_model.item(1, 4).text() == "rejected: Rejected for Patient Safety Reasons"
        # The rejected series is no longer checked: the identity error is gone.
        assert "patient_sex_mismatch" not in qc.current.report.codes()  # type: ignore[union-attr]
        assert qc.state_text(study_uid) != "errors"
        qc.select_series(rejected_series)
        shot(qc, "qc_tab_rejected_series")

        # The note arrived in the archive (QIDO-RS, asked here without the app's client).
        auth = (orthanc.user, orthanc.password)
        found = requests.get(f"{orthanc.dicomweb_url}/studies/{study_uid}/series", params={"Modality": "KO"},
                             auth=auth, timeout=30).json()
        assert len(found) == 1
        note_series = found[0]["0020000E"]["Value"][0]
        metadata = requests.get(f"{orthanc.dicomweb_url}/studies/{study_uid}/series/{note_series}/metadata",
                                auth=auth, timeout=30).json()
        note = Dataset.from_json(metadata[0])
        assert rejected_instances([note]) == {str(ds.SOPInstanceUID) for ds in other}
        entries = AuditLog(default_audit_path(load_settings())).read(study_uid)
        (entry,) = [e for e in entries if e.action == "rejected"]
        assert entry.reason == "113037" and set(entry.instance_uids) == {str(ds.SOPInstanceUID) for ds in other}
        assert entries[-1].action == "qc_run"  # checked again after the rejection

        # Opening the study for reading hides the rejected series.
        qtbot.mouseClick(qc.read_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: isinstance(window.tabs.currentWidget(), StudyView), timeout=20000)
        view = window.tabs.currentWidget()
        assert isinstance(view, StudyView)
        assert [ds.series_uid for ds in view.display_sets] == [str(phantom[0].SeriesInstanceUID)]
        assert window.hidden_note == f"{SHAPE[0]} rejected images hidden"
        assert window.statusBar().currentMessage().endswith(f"{SHAPE[0]} rejected images hidden")

        # The tag browser opens on the active viewport's image (Ctrl+T).
        binding = view.active
        qtbot.waitUntil(lambda: binding.header() is not None, timeout=20000)
        qtbot.keyClick(window, Qt.Key.Key_T, Qt.KeyboardModifier.ControlModifier)
        browsers = [w for w in QApplication.topLevelWidgets() if isinstance(w, TagBrowser) and w.isVisible()]
        assert len(browsers) == 1
        shown_uid = str(binding.header().SOPInstanceUID)  # type: ignore[union-attr]
        assert browsers[0].windowTitle().endswith(shown_uid)
        assert shown_uid in {str(ds.SOPInstanceUID) for ds in phantom}
        assert any(r.keyword == "PatientSex" and r.value == "O" for r in browsers[0].rows)
        browsers[0].close()

        # And from the QC tab: the selected series' first image.
        window.show_qc()
        qc.select_series(rejected_series)
        qc.images.clearSelection()
        browser = qc.show_tags()
        assert isinstance(browser, TagBrowser)
        assert browser.windowTitle().endswith(str(other[0].SOPInstanceUID))
        browser.close()
        shortcuts = dict(window.all_shortcuts())
        assert shortcuts.get("F3") == "QC mode" and shortcuts.get("Ctrl+T") == "DICOM tags"
    finally:
        dispose(qtbot, window)


def test_correct_demographics_locally(qtbot: Any) -> None:
    """No archive: corrected copies (new UIDs) and the 113038 note go to the local library."""
    data, phantom, other = qc_study()
    window = _window(qtbot, Settings())
    try:
        for item in data:
            window.library.add_bytes(item)
        study_uid = str(phantom[0].StudyInstanceUID)
        qc = _qc_tab(qtbot, window, study_uid)
        _check(qtbot, qc, study_uid)
        seen: list[Any] = []

        def correct(dialog: Any) -> None:
            assert dialog.values()["PatientSex"] in ("O", "F")
            dialog.set_value("PatientSex", "O")
            assert not dialog.apply_button.isEnabled()  # nothing confirmed yet
            dialog.preview.click()
            listed = [dialog.change_list.item(i).text() for i in range(dialog.change_list.count())]
            assert listed == [f"PatientSex: 'F' -> 'O' in {SHAPE[0]} instance(s)"]
            dialog.apply_button.click()

        answer_modal(correct, seen)
        qtbot.mouseClick(qc.correct_button, Qt.MouseButton.LeftButton)
        assert seen and "local library" in " ".join(w.text() for w in seen[0].findChildren(type(qc.summary)))
        qtbot.waitUntil(lambda: qc.worklist_model.rowCount() == 2 and not qc.busy, timeout=30000)
        new_uid = next(qc.worklist_model.item(r, 0).data(Qt.ItemDataRole.UserRole + 2)
                       for r in range(2) if qc.worklist_model.item(r, 0).data(Qt.ItemDataRole.UserRole + 2) != study_uid)
        copies = window.library.study_headers(new_uid)
        assert len(copies) == 2 * SHAPE[0] and {str(ds.PatientSex) for ds in copies} == {"O"}
        assert not {str(ds.SOPInstanceUID) for ds in copies} & {str(ds.SOPInstanceUID) for ds in phantom + other}
        # The original study is now wholly rejected: both series greyed, nothing left to check.
        _check(qtbot, qc, study_uid)
        assert [grey for _l, grey in qc.series_rows()] == [True, True]
        assert "every image of the study is rejected" in qc.summary.text()
        # The corrected study checks clean of identity errors.
        _check(qtbot, qc, new_uid)
        assert "patient_sex_mismatch" not in qc.current.report.codes()  # type: ignore[union-attr]
        actions = [e.action for e in AuditLog(default_audit_path(load_settings())).read(study_uid)]
        assert "corrected" in actions
    finally:
        dispose(qtbot, window)
