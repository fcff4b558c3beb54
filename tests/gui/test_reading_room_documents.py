"""Non-image display sets in the reading room, from real files: a structured report, an
encapsulated PDF, and a presentation state applied to the image it references (offline, from
the local library)."""

from __future__ import annotations

import re
from pathlib import Path

import pydicom
import pytest

pytest.importorskip("pytestqt")

from PySide6.QtCore import QByteArray, QMimeData, QPointF, Qt  # noqa: E402
from PySide6.QtGui import QDragEnterEvent, QDropEvent  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from tests.gui.helpers import dispose, open_row, shot  # noqa: E402
from workstation.model.sop_classes import DisplaySetKind  # noqa: E402
from workstation.settings import load_settings  # noqa: E402
from workstation.ui.app import create_main_window  # noqa: E402
from workstation.ui.main_window import MainWindow  # noqa: E402
from workstation.ui.study_view import StudyView  # noqa: E402
from workstation.ui.viewport_grid import DISPLAY_SET_MIME  # noqa: E402

pytestmark = pytest.mark.gui

FOLDER = "orthanc_tests_selected"
SR_STUDY = ("HierarchicalAnonymization/StructuredReports/IM0.dcm", "HierarchicalAnonymization/StructuredReports/IM631.dcm")
PDF = "sample-pdf.dcm"
PS_STUDY = ("HierarchicalAnonymization/2019-03-28/PR000000.dcm", "HierarchicalAnonymization/2019-03-28/CR000000.dcm")


@pytest.fixture
def window(qtbot, shared_data: Path):  # type: ignore[no-untyped-def]
    w = create_main_window(load_settings())
    assert isinstance(w, MainWindow)
    for name in SR_STUDY + (PDF,) + PS_STUDY:
        w.library.add_file(shared_data / FOLDER / name)
    w.show()
    qtbot.waitExposed(w)
    w.worklist.run_search()
    qtbot.waitUntil(lambda: w.worklist.model.rowCount() == 3, timeout=10000)
    yield w
    dispose(qtbot, w)


def _open_study(qtbot, window: MainWindow, path: Path) -> StudyView:  # type: ignore[no-untyped-def]
    """Open the study of ``path`` by its worklist row (found by Study Instance UID)."""
    uid = str(pydicom.dcmread(path, stop_before_pixels=True).StudyInstanceUID)
    studies = window.worklist._studies
    row = next(i for i, s in enumerate(studies) if s.study_uid == uid)
    description = window.worklist.model.item(row, 6).text()
    if [window.worklist.model.item(r, 6).text() for r in range(len(studies))].count(description) == 1:
        open_row(qtbot, window.worklist, description)
    else:
        window.open_study(studies[row])
    before = window.tabs.count()
    qtbot.waitUntil(lambda: window.tabs.count() == before + 1 or any(
        isinstance(v, StudyView) and v.study.study_uid == uid for v in window.studies()), timeout=10000)
    view = next(v for v in window.studies() if v.study.study_uid == uid)
    window.tabs.setCurrentWidget(view)
    return view


def _drop(slot, uid: str) -> None:  # type: ignore[no-untyped-def]
    """Drop a display set on a viewport slot the way the series browser's drag does."""
    mime = QMimeData()
    mime.setData(DISPLAY_SET_MIME, QByteArray(uid.encode("utf-8")))
    centre = QPointF(slot.width() / 2, slot.height() / 2)
    enter = QDragEnterEvent(centre.toPoint(), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(slot, enter)
    assert enter.isAccepted()
    drop = QDropEvent(centre, Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(slot, drop)


def test_report_dropped_on_a_viewport_reads_as_a_document(qtbot, window: MainWindow, shared_data: Path) -> None:  # type: ignore[no-untyped-def]
    sr_path = shared_data / FOLDER / SR_STUDY[0]
    view = _open_study(qtbot, window, sr_path)
    sr = next(ds for ds in view.display_sets if ds.kind is DisplaySetKind.SR)
    assert view.grid.grid == (1, 1)  # one image display set (the MR); the report waits in the list
    slot = view.grid.slots[0]
    row = [view.browser.uid_at(r) for r in range(view.browser.count())].index(sr.uid)
    dragged = view.browser.mimeData([view.browser.item(row)])  # what a drag from the list carries
    assert bytes(dragged.data(DISPLAY_SET_MIME).data()).decode() == sr.uid
    _drop(slot, sr.uid)
    assert slot.showing_document
    qtbot.waitUntil(lambda: slot.document.stack.currentWidget() is slot.document.report, timeout=10000)
    # The report's own text, read here with pydicom, is on screen; links are never followed.
    text = pydicom.dcmread(sr_path).ContentSequence
    values = [item.TextValue for item in text if "TextValue" in item]
    first_line = values[0].strip().splitlines()[0].strip()
    assert first_line in slot.document.report_text
    assert not slot.document.report.openLinks() and not slot.document.report.openExternalLinks()
    shot(window, "20-structured-report")
    # Dropping the MR back shows an image viewport again.
    mr = next(ds for ds in view.display_sets if ds.kind.is_image)
    _drop(slot, mr.uid)
    assert not slot.showing_document


def test_pdf_opens_as_pages(qtbot, window: MainWindow, shared_data: Path) -> None:  # type: ignore[no-untyped-def]
    path = shared_data / FOLDER / PDF
    view = _open_study(qtbot, window, path)
    slot = view.grid.slots[0]
    assert slot.showing_document
    document = slot.document
    qtbot.waitUntil(lambda: document.page_count > 0, timeout=10000)
    # Pages counted independently: page objects in the PDF bytes (ISO 32000-1 7.7.3.3).
    raw = bytes(pydicom.dcmread(path).EncapsulatedDocument)
    assert document.page_count == len(re.findall(rb"/Type\s*/Page(?!s)", raw))
    pixmap = document.page_pixmap
    assert pixmap is not None and not pixmap.isNull() and pixmap.width() > 100
    assert document.page_number.text() == f"Page 1 of {document.page_count}"
    shot(window, "21-pdf")


def test_presentation_state_is_applied_and_a_bad_image_says_why(qtbot, window: MainWindow, shared_data: Path) -> None:  # type: ignore[no-untyped-def]
    ps_path = shared_data / FOLDER / PS_STUDY[0]
    view = _open_study(qtbot, window, ps_path)
    binding = view.binding(0)
    assert binding.display_set is not None and binding.display_set.modality == "CR"
    # The GSPS's Softcopy VOI LUT window (PS3.3 C.11.8), read here with pydicom.
    voi = pydicom.dcmread(ps_path).SoftcopyVOILUTSequence[0]
    assert binding.state.window == (float(voi.WindowCenter), float(voi.WindowWidth))
    assert binding.presentation is not None
    assert "Mean: 2651.41" in binding.slot.annotations.text()
    assert binding.slot.annotations.isVisible()
    # This CR has no pixel data: its slot says so in a sentence, and the window keeps going.
    qtbot.waitUntil(lambda: bool(binding.errors) or binding.load_error is not None, timeout=10000)
    sentence = binding.errors.get(0) or binding.load_error
    assert sentence and sentence.rstrip().endswith(".")
    assert window.notice.text() == sentence
    shot(window, "22-presentation-state")
