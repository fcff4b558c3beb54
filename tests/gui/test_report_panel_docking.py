"""The report panel docked and floating (issue 20): opening it does not re-zoom the viewports
(it shares the side panel's place, so the images keep their size), its text boxes are tall
enough to write in, and "Insert measurements and key images" works when the panel floats."""

from __future__ import annotations

import pytest

pytest.importorskip("pytestqt")

from PySide6.QtCore import Qt  # noqa: E402

import workstation.qc.visibility  # noqa: E402, F401 - imported on this thread, not a worker's (see report_editor)
from tests.gui.helpers import dispose, shot  # noqa: E402
from tests.gui.test_report_editor import _window  # noqa: E402
from tests.gui.test_report_editor_measurements import _measure_and_mark  # noqa: E402

pytestmark = pytest.mark.gui


def _pixels_per_image_pixel(viewport) -> float:  # type: ignore[no-untyped-def]
    """Screen pixels between two image pixels 10 columns apart, over 10: the image's scale."""
    (x0, y0), (x1, y1) = viewport.renderer.image_to_screen(0.0, 0.0), viewport.renderer.image_to_screen(10.0, 0.0)
    return round(((x1 - x0) ** 2 + (y1 - y0) ** 2) ** 0.5 / 10.0, 4)


def test_report_panel_docked_then_floating_keeps_the_images_and_inserts(qtbot) -> None:  # type: ignore[no-untyped-def]
    window, study_uid = _window(qtbot)
    try:
        study = next(s for s in window.worklist._studies if s.study_uid == study_uid)
        window.open_study(study)
        qtbot.waitUntil(lambda: window.current_study() is not None, timeout=20000)
        view = window.current_study()
        _measure_and_mark(qtbot, window)
        viewport = view.active.viewport
        qtbot.wait(50)
        before = (viewport.view.width(), viewport.view.height(), _pixels_per_image_pixel(viewport))
        dock = window.toggle_report()
        qtbot.wait(100)
        assert dock.isVisible() and not dock.isFloating()
        after = (viewport.view.width(), viewport.view.height(), _pixels_per_image_pixel(viewport))
        assert after == before, "opening the report panel re-zoomed the viewports"
        editor = dock.editor
        assert editor.sections["findings"].text.minimumHeight() >= 120
        assert min(s.text.minimumHeight() for s in editor.sections.values()) >= 80
        shot(window, "20-report-docked")
        assert window.minimumSizeHint().width() < 1366  # still fits a laptop screen

        dock.setFloating(True)
        qtbot.wait(100)
        assert dock.isFloating() and dock.isVisible()
        qtbot.mouseClick(editor.insert_viewer_button, Qt.MouseButton.LeftButton)
        report = editor.report
        assert report is not None
        assert len(report.measurements) == 1 and report.measurements[0].startswith("Length: "), editor.result.text()
        assert "Inserted: 1 measurement and 1 key image" in editor.result.text()
        shot(dock, "20-report-floating")
    finally:
        dispose(qtbot, window)
