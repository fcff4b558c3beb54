"""A report says only what the radiologist said, in the editor: no normal report pre-filled,
template text marked as a placeholder until edited or accepted, normal findings inserted on
demand, a yes/no with no answer until given, a question listing the untouched placeholders
before signing, and the PDF pages shown as they will be signed."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pydicom
import pytest

pytest.importorskip("pytestqt")
pdfium = pytest.importorskip("pypdfium2")

from PySide6.QtCore import QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

import workstation.qc.visibility  # noqa: E402, F401 - imported on this thread (see report_editor)
from tests.gui.helpers import shot  # noqa: E402
from tests.report.pki import ThrowawayPKI, make_pki  # noqa: E402
from workstation import demo  # noqa: E402
from workstation.crypt.files import read_protected  # noqa: E402
from workstation.model.entities import LIBRARY, StudySummary  # noqa: E402
from workstation.report.pdf import Letterhead, render_report_pdf  # noqa: E402
from workstation.settings import load_settings  # noqa: E402
from workstation.ui.report_editor import ReportEditor  # noqa: E402
from workstation.ui.sign_dialogs import KEEP, LEAVE_OUT, PlaceholderDialog, SignPreviewDialog  # noqa: E402

pytestmark = pytest.mark.gui


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> ThrowawayPKI:
    return make_pki(tmp_path_factory.mktemp("pki"))


def _text(pdf: bytes) -> str:
    doc = pdfium.PdfDocument(pdf)
    try:
        return "\n".join(doc[i].get_textpage().get_text_range() for i in range(len(doc)))
    finally:
        doc.close()


def _chest_editor(qtbot) -> ReportEditor:  # type: ignore[no-untyped-def]
    """The editor on the demo CT study, switched to the CT chest template as a reader would."""
    from workstation.sources import open_library

    library = open_library(load_settings())
    items = list(demo.phantom_series(shape=(4, 32, 32), study_date=dt.date.today()))
    for data in items:
        library.add_bytes(data)
    headers = [pydicom.dcmread(io.BytesIO(d), stop_before_pixels=True) for d in items]
    editor = ReportEditor(load_settings)
    qtbot.addWidget(editor)
    editor.resize(520, 1100)
    editor.show()
    editor.open_study(StudySummary.from_dataset(headers[0], LIBRARY), headers, library=library)
    editor.template_combo.setCurrentIndex(editor.template_combo.findData("ct_chest"))
    editor.template_combo.activated.emit(editor.template_combo.currentIndex())
    assert editor.template is not None and editor.template.id == "ct_chest"
    return editor


def _signed_pdf(editor: ReportEditor) -> bytes:
    assert editor.report is not None
    folder = load_settings().library_path().parent / "reports" / "outgoing" / editor.report.version_uid
    return read_protected(folder / "report.pdf")


def _wait_signed(qtbot, editor: ReportEditor) -> None:  # type: ignore[no-untyped-def]
    qtbot.waitUntil(lambda: editor.report is not None and editor.report.locked
                    or editor.result.styleSheet().startswith("color: #d04040"), timeout=30000)
    assert editor.report is not None and editor.report.locked, editor.result.text()


def test_chest_report_signs_only_what_the_radiologist_wrote(qtbot, pki: ThrowawayPKI) -> None:  # type: ignore[no-untyped-def]
    editor = _chest_editor(qtbot)
    findings, impression = editor.sections["findings"], editor.sections["impression"]
    # no normal report pre-filled; the pulmonary embolism question has no answer
    assert findings.text.toPlainText() == "" and impression.text.toPlainText() == ""
    assert findings.fields["pulmonary_embolism"].value() is None
    assert findings.fields["pulmonary_embolism"].widget.currentText() == ""
    # the template's technique and the contrast default are marked placeholders
    technique = editor.sections["technique"]
    assert technique.has_placeholders and not technique.placeholder_row.isHidden()
    assert "italic" in technique.text.styleSheet()
    assert editor.normal_button.isEnabled()
    qtbot.wait(200)
    shot(editor, "report_editor_placeholders")

    # the reader writes findings and an impression, leaves the placeholders alone
    findings.text.setPlainText("Filling defect in a right lower lobe segmental artery.")
    findings.fields["largest_nodule"].widget.setText("6")
    impression.text.setPlainText("Right lower lobe segmental pulmonary embolism.")
    editor.save_draft()
    asked: list[list[str]] = []
    previews: list[bytes] = []

    # going back from the question signs nothing
    editor.confirm_placeholders = lambda names: (asked.append(names), None)[1]
    editor.sign()
    assert asked == [["Technique", "Comparison", "Intravenous contrast"]]
    assert editor.report is not None and not editor.report.locked
    assert editor.result.text().startswith("Not signed: edit or accept the template text first")

    # going back from the preview signs nothing either
    editor.confirm_placeholders = lambda names: (asked.append(names), LEAVE_OUT)[1]
    editor.preview_signing = lambda pdf: (previews.append(pdf), False)[1]
    editor.sign()
    assert len(previews) == 1 and not editor.report.locked
    assert editor.result.text() == "Not signed: the report is still a draft."
    preview = _text(previews[0])
    assert "Filling defect" in preview and "Largest pulmonary nodule: 6 mm" in preview
    for absent in ("Pulmonary embolism:", "Intravenous contrast", "Axial CT of the chest", "lungs are clear",
                   "No acute cardiopulmonary"):
        assert absent not in preview, absent

    # leave them out, accept the preview, sign
    editor.preview_signing = lambda pdf: (previews.append(pdf), True)[1]
    editor.choose_key_file = lambda: pki.p12_path
    editor.ask_password = lambda _prompt: pki.password
    editor.sign()
    _wait_signed(qtbot, editor)
    signed = _text(_signed_pdf(editor))
    assert "Right lower lobe segmental pulmonary embolism." in signed
    for absent in ("Pulmonary embolism:", "Intravenous contrast", "Axial CT of the chest", "Technique", "Comparison"):
        assert absent not in signed, absent
    assert editor.report.fields == {"largest_nodule": 6}


def test_normal_findings_accept_and_keep(qtbot, pki: ThrowawayPKI) -> None:  # type: ignore[no-untyped-def]
    editor = _chest_editor(qtbot)
    editor.normal_button.click()
    findings = editor.sections["findings"].text.toPlainText()
    assert findings.startswith("The lungs are clear.")
    assert editor.sections["impression"].text.toPlainText() == "No acute cardiopulmonary abnormality."
    assert "Normal findings of 'CT chest' inserted as your text" in editor.result.text()
    assert editor.report is not None and "findings" not in editor.report.placeholder_sections
    # the technique accepted with its button: the section's text and the contrast default are the reader's
    technique = editor.sections["technique"]
    technique.accept_button.click()
    assert not technique.has_placeholders
    assert editor.report.untouched() == (["comparison"], [])
    # the question lists only the comparison; "keep" makes it the reader's text as well
    asked: list[list[str]] = []
    editor.confirm_placeholders = lambda names: (asked.append(names), KEEP)[1]
    editor.preview_signing = lambda _pdf: True
    editor.sections["findings"].fields["pulmonary_embolism"].widget.setCurrentText("no")
    editor.choose_key_file = lambda: pki.p12_path
    editor.ask_password = lambda _prompt: pki.password
    editor.sign()
    _wait_signed(qtbot, editor)
    assert asked == [["Comparison"]]
    signed = _text(_signed_pdf(editor))
    for present in ("The lungs are clear.", "Axial CT of the chest", "Intravenous contrast: none",
                    "None available.", "Pulmonary embolism: no"):
        assert present in signed, present


def test_the_real_dialogs(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """The question and the preview as the reader sees them, and the editor going back from them."""
    dialog = PlaceholderDialog(["Technique", "Intravenous contrast"])
    qtbot.addWidget(dialog)
    dialog.show()
    assert [dialog.names.item(i).text() for i in range(dialog.names.count())] == ["Technique", "Intravenous contrast"]
    assert dialog.back_button.isDefault()
    shot(dialog, "report_placeholder_question")
    dialog.leave_button.click()
    assert dialog.choice == LEAVE_OUT and dialog.result() == dialog.DialogCode.Accepted

    editor = _chest_editor(qtbot)
    editor.sections["impression"].text.setPlainText("Pulmonary embolism.")
    assert editor.report is not None
    pdf = render_report_pdf(editor.collect() or editor.report, Letterhead("Riverside Imaging"),
                            template=editor.template)
    preview = SignPreviewDialog(pdf)
    qtbot.addWidget(preview)
    preview.show()
    assert len(preview.page_labels) == 1
    pixmap = preview.page_labels[0].pixmap()
    assert 600 <= pixmap.width() <= 700 and 900 <= pixmap.height() <= 960  # A4 at 80 dpi
    image = pixmap.toImage()
    dark = sum(1 for x in range(0, image.width(), 2) for y in range(0, 200, 2) if image.pixelColor(x, y).lightness() < 128)
    assert dark > 200  # the letterhead and the patient box are drawn, not a blank page
    shot(preview, "report_sign_preview")
    preview.back_button.click()
    assert preview.result() == preview.DialogCode.Rejected

    # the editor's own dialogs: go back from the question (modal, answered by a timer)
    def answer() -> None:
        modal = QApplication.activeModalWidget()
        assert isinstance(modal, PlaceholderDialog)
        modal.back_button.click()

    QTimer.singleShot(200, answer)
    editor.sign()
    assert editor.result.text().startswith("Not signed: edit or accept the template text first")

    # then leave them out and go back from the real preview
    def leave_then_back() -> None:
        modal = QApplication.activeModalWidget()
        if isinstance(modal, PlaceholderDialog):
            modal.leave_button.click()
            QTimer.singleShot(200, leave_then_back)
        elif isinstance(modal, SignPreviewDialog):
            assert modal.page_labels and not modal.page_labels[0].pixmap().isNull()
            modal.back_button.click()
        else:
            QTimer.singleShot(100, leave_then_back)

    editor.sections["findings"].fields["pulmonary_embolism"].widget.setCurrentText("yes")
    QTimer.singleShot(200, leave_then_back)
    editor.sign()
    assert editor.result.text() == "Not signed: the report is still a draft."
    assert not editor.report.locked


def test_a_draft_from_the_earlier_editor_is_marked_when_restored(qtbot) -> None:  # type: ignore[no-untyped-def]
    """A draft saved by the earlier editor (normal report pre-filled, "no" for an unanswered
    yes/no, nothing recorded about it): restored with those marked as placeholders."""
    import json

    from workstation.report.drafts import DraftStore
    from workstation.report.model import ReportHistory
    from workstation.report.templates import fill_report, load_templates
    from workstation.sources import open_library

    library = open_library(load_settings())
    items = list(demo.phantom_series(shape=(4, 32, 32), study_date=dt.date.today()))
    for data in items:
        library.add_bytes(data)
    headers = [pydicom.dcmread(io.BytesIO(d), stop_before_pixels=True) for d in items]
    study = StudySummary.from_dataset(headers[0], LIBRARY)
    template = load_templates().get("ct_head")
    normal = template.section("findings").normal  # type: ignore[union-attr]
    old = fill_report(template, study).with_sections(findings=normal, impression="No acute abnormality.")
    old = old.with_field("haemorrhage", False)
    history = ReportHistory([old]).to_json()
    for version in history["versions"]:
        del version["placeholder_sections"], version["placeholder_fields"]
    store = DraftStore.open(load_settings())
    path = store.path_for(old.report_uid)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(history), encoding="utf-8")

    editor = ReportEditor(load_settings)
    qtbot.addWidget(editor)
    editor.show()
    editor.open_study(study, headers, library=library)
    assert editor.report is not None and editor.report.report_uid == old.report_uid
    assert "restored" in editor.reason.text()
    assert editor.sections["findings"].has_placeholders  # the normal text nobody chose
    assert not editor.sections["impression"].has_placeholders  # written by the radiologist
    assert editor.report.untouched()[1] == ["contrast", "haemorrhage"]
    editor.save_draft()
    saved = json.loads(read_protected(path))["versions"][-1]
    assert "findings" in saved["placeholder_sections"]
