"""One image number everywhere the reader sees it: a series numbered against its stack order
(Instance Number 106 is the first image by position); the viewport's corner says
"Im: 106 (1/6)", the measurement list and the key images "series 2, image 106", and the report
text inserted from the viewer names "image 106" as well."""

from __future__ import annotations

import datetime as dt
import io

import pydicom
import pytest

pytest.importorskip("pytestqt")

from PySide6.QtCore import Qt  # noqa: E402

import workstation.qc.visibility  # noqa: E402, F401 - imported on this thread, not a worker's (see report_editor)
from tests.gui.helpers import dispose, shot  # noqa: E402
from tests.gui.test_report_editor import _open_with_report  # noqa: E402
from tests.gui.test_report_editor_measurements import NOTE, _measure_and_mark  # noqa: E402
from workstation import demo  # noqa: E402
from workstation.settings import load_settings  # noqa: E402
from workstation.ui.app import create_main_window  # noqa: E402
from workstation.ui.main_window import MainWindow  # noqa: E402
from workstation.ui.study_view import StudyView  # noqa: E402

pytestmark = pytest.mark.gui

SHAPE = (6, 48, 48)


def _renumbered_window(qtbot) -> tuple[MainWindow, str]:  # type: ignore[no-untyped-def]
    """The main window with the demo study numbered 106 down to 101 along its positions."""
    window = create_main_window(load_settings())
    study_uid = ""
    for k, data in enumerate(demo.phantom_series(shape=SHAPE, study_date=dt.date.today())):
        ds = pydicom.dcmread(io.BytesIO(data))
        ds.InstanceNumber = 106 - k
        study_uid = str(ds.StudyInstanceUID)
        buffer = io.BytesIO()
        ds.save_as(buffer, enforce_file_format=True)
        window.library.add_bytes(buffer.getvalue())
    window.show()
    qtbot.waitExposed(window)
    window.worklist.run_search()
    qtbot.waitUntil(lambda: window.worklist.model.rowCount() == 1, timeout=10000)
    return window, study_uid


def test_corner_panel_key_images_and_report_say_the_same_number(qtbot) -> None:  # type: ignore[no-untyped-def]
    window, study_uid = _renumbered_window(qtbot)
    try:
        editor = _open_with_report(qtbot, window, study_uid)
        _expected, sop_uid = _measure_and_mark(qtbot, window)
        view = window.current_study()
        assert isinstance(view, StudyView)
        viewport = view.active.viewport
        header = viewport.renderer.header()
        number = int(header.InstanceNumber)
        position = viewport.renderer.state.image_index + 1
        assert str(header.SOPInstanceUID) == sop_uid and number != position
        series = str(header.SeriesNumber)
        # the corner: the Instance Number, with the stack position beside it (they differ here)
        corner = viewport.renderer.overlays.corner_lines()["bottom_left"]
        assert f"Im: {number} ({position}/{SHAPE[0]})" in corner, corner
        # the measurement list and the key-image strip: the same number
        panel = window.measurements.panel
        qtbot.waitUntil(lambda: panel.list.count() == 1 and panel.key_strip.count() == 1, timeout=5000)
        assert panel.list.item(0).text().endswith(f"(series {series}, image {number})"), panel.list.item(0).text()
        assert panel.key_strip.item(0).toolTip().startswith(f"series {series}, image {number}")
        # the report text inserted from the viewer: the same number again
        qtbot.mouseClick(editor.insert_viewer_button, Qt.MouseButton.LeftButton)
        report = editor.report
        assert report is not None
        assert report.measurements[0].endswith(f" (series {series}, image {number})"), report.measurements
        assert report.key_images[0].caption == f"{NOTE} (series {series}, image {number})"
        assert f"image {position}" not in " ".join(report.measurements)
        shot(window, "image_numbers_everywhere")
    finally:
        dispose(qtbot, window)
