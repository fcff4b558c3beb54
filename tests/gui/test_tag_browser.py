"""The tag browser as a technologist uses it: tree, search, expand, Ctrl+C, a hostile header."""

from __future__ import annotations

from pathlib import Path

import pydicom
import pytest
from pydicom.data import get_testdata_file
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication

from workstation.model.tag_tree import load_header
from workstation.ui.tag_browser import TagBrowser, open_tag_browser

pytestmark = pytest.mark.timeout(60)


def _row_by_tag(browser: TagBrowser, tag: str) -> int:
    return next(r.index for r in browser.rows if r.tag == tag)


def test_tree_search_and_copy(qtbot, shared_data: Path) -> None:  # type: ignore[no-untyped-def]
    path = next((shared_data / "ct_head_phantom_philips" / "S2010").iterdir())
    ds = pydicom.dcmread(path, stop_before_pixels=True)
    browser = TagBrowser(ds)
    qtbot.addWidget(browser)
    browser.show()
    qtbot.waitExposed(browser)

    top = [r for r in browser.rows if r.depth == 0]
    assert browser.model.rowCount() == len(top)
    seq = next(r for r in top if r.keyword == "ReferencedImageSequence")
    seq_item = browser.model.itemFromIndex(browser.index_of(seq.index))
    assert seq_item.rowCount() == len(ds.ReferencedImageSequence)  # item rows under the sequence
    assert seq_item.child(0, 0).rowCount() == len(ds.ReferencedImageSequence[0])

    browser.expand_all()
    assert browser.tree.isExpanded(browser.index_of(seq.index))
    browser.collapse_all()
    assert not browser.tree.isExpanded(browser.index_of(seq.index))

    # Search by a nested keyword: the match, its item and its sequence stay, the rest is hidden.
    qtbot.keyClicks(browser.search, "ReferencedSOPInstanceUID")
    hits = [r for r in browser.rows if r.keyword == "ReferencedSOPInstanceUID"]
    assert browser.matches_label.text() == ("1 match" if len(hits) == 1 else f"{len(hits)} matches")
    nested = next(r for r in hits if r.parent >= 0 and browser.rows[r.parent].parent == seq.index)
    assert not browser.is_row_hidden(nested.index) and not browser.is_row_hidden(seq.index)
    assert browser.tree.isExpanded(browser.index_of(seq.index))
    assert browser.is_row_hidden(_row_by_tag(browser, "(0010,0010)"))

    # Tag search, then Ctrl+C on the selected row copies its full value.
    browser.search.clear()
    assert not browser.is_row_hidden(_row_by_tag(browser, "(0010,0010)"))
    qtbot.keyClicks(browser.search, "(0008,0018)")
    assert browser.current_row() is not None and browser.current_row().keyword == "SOPInstanceUID"
    QGuiApplication.clipboard().clear()
    browser.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is browser, timeout=3000)
    browser.tree.setFocus()
    qtbot.waitUntil(lambda: browser.tree.hasFocus(), timeout=2000)
    qtbot.keyClick(browser.tree, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    assert QGuiApplication.clipboard().text() == str(ds.SOPInstanceUID)


def test_hostile_header_is_plain_text_and_window_closes(qtbot, shared_data: Path) -> None:  # type: ignore[no-untyped-def]
    ds = load_header(shared_data / "malformed" / "orthanc" / "2017-06-27-XSSInjection.dcm")
    browser = open_tag_browser(ds)
    qtbot.addWidget(browser)
    qtbot.waitExposed(browser)
    assert browser.isWindow() and "XSS" not in browser.windowTitle()
    row = _row_by_tag(browser, "(0008,1030)")
    value_index = browser.index_of(row).siblingAtColumn(4)
    assert value_index.data() == str(ds.StudyDescription)  # the markup is text, as stored
    assert value_index.data(Qt.ItemDataRole.ToolTipRole) is None  # no rich-text tooltip
    browser.close()
    qtbot.waitUntil(lambda: not any(w.isVisible() for w in QApplication.topLevelWidgets() if isinstance(w, TagBrowser)))


def test_private_names_and_binary_in_the_view(qtbot) -> None:  # type: ignore[no-untyped-def]
    ds = pydicom.dcmread(get_testdata_file("CT_small.dcm"))
    browser = TagBrowser(ds)
    qtbot.addWidget(browser)
    index = browser.index_of(_row_by_tag(browser, "(0009,1001)"))
    assert index.siblingAtColumn(1).data() == "GEMS_IDEN_01 \u00b7 Full fidelity"
    pixels = browser.index_of(_row_by_tag(browser, "(7FE0,0010)"))
    assert pixels.siblingAtColumn(4).data() == f"(binary, {len(ds.PixelData)} bytes)"
    browser.tree.setCurrentIndex(pixels)
    assert browser.copy_current() == f"(binary, {len(ds.PixelData)} bytes)"
