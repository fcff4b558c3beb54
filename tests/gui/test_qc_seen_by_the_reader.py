"""What QC knows, the reader sees (issue 20): a CT chest with two slices missing from its lung
series shows a red mark on the viewport's scroll bar at the gap; F3 on that study opens QC for it
(not just the day's list, though another study of the same day is listed); the worklist row then
says "QC errors"; choosing the finding takes the open study's viewport to the gap."""

from __future__ import annotations

import datetime as dt
from io import BytesIO

import pydicom
import pytest

pytest.importorskip("pytestqt")

from PySide6.QtCore import Qt  # noqa: E402

from tests.gui.helpers import dispose, shot  # noqa: E402
from tests.gui.reading_studies import chest_study, open_study, study_uid  # noqa: E402
from workstation.settings import load_settings  # noqa: E402
from workstation.ui.app import create_main_window  # noqa: E402
from workstation.ui.qc_view import QCView  # noqa: E402

pytestmark = pytest.mark.gui

MISSING = (10, 11)  # Instance Numbers of the lung series left out: the gap is after image 9


def test_missing_slices_marked_on_the_scroll_bar_f3_qc_of_the_study_and_the_worklist(qtbot) -> None:  # type: ignore[no-untyped-def]
    today = dt.date.today()
    gapped = [b for b in chest_study(today)
              if not (pydicom.dcmread(BytesIO(b)).SeriesNumber == 2 and pydicom.dcmread(BytesIO(b)).InstanceNumber in MISSING)]
    other = chest_study(today, description="CT CHEST OTHER")
    window = create_main_window(load_settings())
    for data in gapped + other:
        window.library.add_bytes(data)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=5000)
    uid = study_uid(gapped)
    view = open_study(qtbot, window, uid)
    lung = next(b for b in view.bindings if b.display_set is not None and b.display_set.series_number == 2)
    qtbot.waitUntil(lambda: lung.viewport.loaded == lung.count, timeout=30000)

    # The gap: after display index 8 (Instance Number 9), worked out here from the headers.
    numbers = [int(lung.header(i).InstanceNumber) for i in range(lung.count)]
    before = numbers.index(MISSING[0] - 1)
    assert [g[0] for g in lung.viewport.gaps] == [before]
    bar = lung.viewport.scroll_bar
    qtbot.wait(20)
    image = bar.grab().toImage()
    _top, bottom = bar.span(before)
    y = min(image.height() - 1, bottom)
    red = image.pixelColor(bar.width() // 2, y)
    assert red.red() > 200 and red.green() < 80, red.name()
    assert "missing" in bar.toolTip()
    shot(window, "20-qc-gap-on-scroll-bar")

    # F3 on the study in front: QC of that study.
    with qtbot.waitSignal(window.tabs.currentChanged, timeout=5000):
        qtbot.keyClick(window, Qt.Key.Key_F3)
    qc = window.tabs.currentWidget()
    assert isinstance(qc, QCView)
    qtbot.waitUntil(lambda: qc.current is not None and qc.current.study.study_uid == uid, timeout=30000)
    assert qc.worklist_model.rowCount() == 2  # the day's other study is listed, this one checked
    findings = qc.current.report.sorted_findings()
    row = next(i for i, f in enumerate(findings) if f.code == "missing_slices")
    assert findings[row].severity.value == "error"
    shot(window, "20-qc-of-the-study-in-front")

    # The worklist row says so.
    window.tabs.setCurrentIndex(0)
    qtbot.waitUntil(lambda: window.worklist.qc_text(uid) == "QC errors", timeout=5000)
    assert window.worklist.qc_text(study_uid(other)) == ""

    # Choosing the finding selects its two images and takes the open viewport to the gap.
    lung.state.image_index = 0
    window.tabs.setCurrentWidget(qc)
    qc.findings.selectRow(row)
    qtbot.wait(20)
    assert len(qc.images.selectionModel().selectedRows()) == 2
    assert lung.state.image_index in (before, before + 1)
    dispose(qtbot, window)
