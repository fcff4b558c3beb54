"""The MPR planes as reference lines on the 2D source stack (issue 4): with MPR open on the
phantom CT from a real Orthanc, the study's axial viewport shows where the coronal and sagittal
planes cut the shown slice (the crosshair's row and column, computed apart from the image
geometry), the lines follow the crosshair, and they leave when the MPR tab closes."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("pytestqt")

from tests.gui import test_measure_tools as base  # noqa: E402
from tests.gui.helpers import shot  # noqa: E402
from tests.gui.test_measure_tools import _open  # noqa: E402
from tests.gui.test_mpr_measure_saved import _open_mpr  # noqa: E402
from workstation.model.spatial import patient_to_pixel  # noqa: E402
from workstation.ui.main_window import MainWindow  # noqa: E402

pytestmark = pytest.mark.gui

archive = base.archive
window = base.window


def _expected(binding, point: np.ndarray) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    """Column and row of ``point`` on the binding's shown slice (its own Image Plane)."""
    plane = binding.geometry.planes[binding.state.image_index]
    column, row, _distance = patient_to_pixel(plane, point)
    return column, row


def _horizontal_and_vertical(lines):  # type: ignore[no-untyped-def]
    rows = [ln for ln in lines if abs(ln.start[1] - ln.end[1]) < 1e-6 and abs(ln.start[0] - ln.end[0]) > 10]
    columns = [ln for ln in lines if abs(ln.start[0] - ln.end[0]) < 1e-6 and abs(ln.start[1] - ln.end[1]) > 10]
    return rows, columns


def test_mpr_planes_drawn_on_the_source_stack_follow_the_crosshair(qtbot, window: MainWindow, archive) -> None:  # type: ignore[no-untyped-def]
    study = _open(qtbot, window)
    binding = study.active
    mpr = _open_mpr(qtbot, window)
    state = mpr.state
    assert state is not None
    qtbot.waitUntil(lambda: len(binding.reference_lines) == 2, timeout=5000)  # coronal and sagittal; axial is parallel
    rows, columns = _horizontal_and_vertical(binding.reference_lines)
    column, row = _expected(binding, state.center)
    assert len(rows) == 1 and len(columns) == 1
    assert rows[0].start[1] == pytest.approx(row, abs=1e-3)  # the coronal plane: the crosshair's row
    assert columns[0].start[0] == pytest.approx(column, abs=1e-3)  # the sagittal plane: its column

    moved = state.center + np.array([12.0, -9.6, 0.0])  # 12 mm to the patient's left, 9.6 mm anterior
    mpr.move_crosshair(moved)
    column2, row2 = _expected(binding, state.center)
    qtbot.waitUntil(lambda: _horizontal_and_vertical(binding.reference_lines)[0][0].start[1] != row, timeout=5000)
    rows, columns = _horizontal_and_vertical(binding.reference_lines)
    assert column2 - column == pytest.approx(12.0 / 0.8, abs=1e-3) and row2 - row == pytest.approx(-9.6 / 0.8, abs=1e-3)
    assert rows[0].start[1] == pytest.approx(row2, abs=1e-3) and columns[0].start[0] == pytest.approx(column2, abs=1e-3)

    mpr_index = window.tabs.currentIndex()
    window.tabs.setCurrentWidget(study)
    qtbot.wait(300)  # the deferred frame of the viewport
    shot(window, "65-mpr-planes-on-the-source-stack")
    window.close_tab(mpr_index)  # MPR closed: its lines leave the 2D viewport
    assert binding.reference_lines == []
