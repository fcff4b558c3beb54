"""Measurements and key images from the viewer in the report (issue 7): draw a length on the demo
phantom with the mouse, mark a key image with a note, insert them into the report with the
editor's button (or let signing insert them), sign with a throwaway PKCS#12 key, and read the
signed PDF back: the length's value is in its text and the key image's thumbnail is an image."""

from __future__ import annotations

import math

import pytest

pytest.importorskip("pytestqt")
pdfium = pytest.importorskip("pypdfium2")

from PySide6.QtCore import Qt  # noqa: E402

import workstation.qc.visibility  # noqa: E402, F401 - imported on this thread, not a worker's (see report_editor)
from tests.gui.helpers import dispose  # noqa: E402
from tests.gui.test_measure_tools import _drag, _screen  # noqa: E402
from tests.gui.test_report_editor import IMPRESSION, _open_with_report, _sign, _type, _window  # noqa: E402
from tests.report.pki import ThrowawayPKI, make_pki  # noqa: E402
from workstation.annotate.measurements import Kind  # noqa: E402
from workstation.crypt.files import read_protected  # noqa: E402
from workstation.settings import load_settings  # noqa: E402
from workstation.ui.main_window import MainWindow  # noqa: E402
from workstation.ui.report_editor import ReportEditor  # noqa: E402
from workstation.ui.study_view import StudyView  # noqa: E402

pytestmark = pytest.mark.gui

NOTE = "Subdural collection"


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> ThrowawayPKI:
    return make_pki(tmp_path_factory.mktemp("pki"))


def _measure_and_mark(qtbot, window: MainWindow) -> tuple[float, str]:
    """Draw a length with the L tool and mark the shown image as key; (length in mm computed from
    the picked pixels and the header's Pixel Spacing, the SOP Instance UID marked)."""
    view = window.current_study()
    assert isinstance(view, StudyView)
    binding = view.active
    qtbot.waitUntil(lambda: binding.viewport.loaded == binding.count, timeout=30000)
    qtbot.wait(50)
    viewport = binding.viewport
    header = viewport.renderer.header()
    spacing = [float(x) for x in header.PixelSpacing]
    assert spacing[0] == spacing[1]
    room = window.measurements
    room.set_tool(Kind.LENGTH)  # the L key's action (the report dock may hold the focus)
    assert room.current_tool() is Kind.LENGTH
    start, end = (8.0, 10.0), (40.0, 34.0)
    _drag(qtbot, viewport, start, end)
    tools = room.tools(view)
    assert tools is not None and len(tools.measurements) == 1
    picked = [viewport.pick(_screen(viewport, *p).x(), _screen(viewport, *p).y()) for p in (start, end)]
    expected = math.dist(*picked) * spacing[0]
    room.toggle_key_image()
    tools.set_key_note(NOTE)
    assert len(tools.key_images.images) == 1
    return expected, str(header.SOPInstanceUID)


def _pdf_text_and_images(editor: ReportEditor) -> tuple[str, int]:
    assert editor.report is not None
    folder = load_settings().library_path().parent / "reports" / "outgoing" / editor.report.version_uid
    pdf = pdfium.PdfDocument(read_protected(folder / "report.pdf"))
    text, images = "", 0
    for page in pdf:
        text += page.get_textpage().get_text_range()
        images += sum(1 for _ in page.get_objects(filter=[pdfium.raw.FPDF_PAGEOBJ_IMAGE], max_depth=5))
    return text, images


def test_insert_button_puts_length_and_key_image_into_the_signed_pdf(qtbot, pki: ThrowawayPKI) -> None:
    window, study_uid = _window(qtbot)
    try:
        editor = _open_with_report(qtbot, window, study_uid)
        text, images = "", 0
        expected, sop_uid = _measure_and_mark(qtbot, window)
        assert editor.report is not None and not editor.report.measurements
        qtbot.mouseClick(editor.insert_viewer_button, Qt.MouseButton.LeftButton)
        report = editor.report
        assert len(report.measurements) == 1 and report.measurements[0].startswith("Length: ")
        value, where = report.measurements[0].split(": ")[1].split(" mm ")
        shown = float(value)
        assert abs(shown - expected) <= 0.051
        assert where.startswith("(series ") and ", image " in where  # the Instance Number, as the corner says
        assert [(k.sop_instance_uid, k.caption) for k in report.key_images] == [(sop_uid, f"{NOTE} {where}")]
        assert "Inserted: 1 measurement and 1 key image" in editor.result.text()
        thumb = editor.key_image_pixels[sop_uid]
        assert thumb.dtype.name == "uint8" and thumb.ndim in (2, 3) and thumb.size > 0 and thumb.std() > 0
        _type(qtbot, editor, "impression", IMPRESSION)
        _sign(qtbot, editor, pki)
        text, images = _pdf_text_and_images(editor)
        assert f"{shown:.1f} mm" in text, text
        assert NOTE in text
        assert images >= 1
    finally:
        dispose(qtbot, window)


def test_signing_inserts_them_when_the_report_has_none(qtbot, pki: ThrowawayPKI) -> None:
    window, study_uid = _window(qtbot)
    try:
        editor = _open_with_report(qtbot, window, study_uid)
        _expected, sop_uid = _measure_and_mark(qtbot, window)
        _type(qtbot, editor, "impression", IMPRESSION)
        _sign(qtbot, editor, pki)
        assert editor.report is not None
        assert len(editor.report.measurements) == 1 and [k.sop_instance_uid for k in editor.report.key_images] == [sop_uid]
        text, images = _pdf_text_and_images(editor)
        assert editor.report.measurements[0].split(": ")[1] in text
        assert images >= 1
    finally:
        dispose(qtbot, window)
