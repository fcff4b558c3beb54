"""MPR opens where the reader is (issue 20): M on a 2D viewport opens the MPR with the crosshair
on the slice shown (its centre, in patient mm worked out here from the header), the viewport's
window, and the length drawn on that slice carried onto the axial plane with the same value;
saving leaves the carried copy out (the 2D original is what is saved)."""

from __future__ import annotations

import math
from collections.abc import Iterator

import numpy as np
import pytest

pytest.importorskip("pytestqt")

from PySide6.QtCore import QPoint, Qt  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402

from tests.gui.helpers import dispose, shot  # noqa: E402
from workstation.annotate.measurements import Kind  # noqa: E402
from workstation.demo import phantom_series  # noqa: E402
from workstation.settings import load_settings  # noqa: E402
from workstation.ui.app import create_main_window  # noqa: E402
from workstation.ui.main_window import MainWindow  # noqa: E402
from workstation.ui.mpr_view import MprView  # noqa: E402
from workstation.ui.study_view import StudyView  # noqa: E402

pytestmark = pytest.mark.gui

SHAPE = (20, 64, 64)
SPACING = (3.0, 3.6, 3.6)
SLICE = 5  # not the middle (10): the MPR used to open at the volume centre


@pytest.fixture
def window(qtbot) -> Iterator[MainWindow]:  # type: ignore[no-untyped-def]
    w = create_main_window(load_settings())
    for data in phantom_series(shape=SHAPE, spacing=SPACING):
        w.library.add_bytes(data)
    w.show()
    qtbot.waitExposed(w)
    w.activateWindow()
    qtbot.waitUntil(w.isActiveWindow, timeout=5000)
    yield w
    dispose(qtbot, w)


def _screen(viewport, column: float, row: float) -> QPoint:  # type: ignore[no-untyped-def]
    x, y = viewport.renderer.image_to_screen(column, row)
    ratio = viewport.view.devicePixelRatioF()
    return QPoint(round(x / ratio), round(y / ratio))


def test_mpr_opens_at_the_slice_window_and_measurements_of_the_viewport(qtbot, window) -> None:  # type: ignore[no-untyped-def]
    window.worklist.run_search()
    qtbot.waitUntil(lambda: window.worklist.model.rowCount() == 1, timeout=20000)
    window.open_study(window.worklist._studies[0])
    qtbot.waitUntil(lambda: isinstance(window.tabs.currentWidget(), StudyView), timeout=20000)
    study = window.tabs.currentWidget()
    binding = study.active
    qtbot.waitUntil(lambda: binding.viewport.loaded == binding.count, timeout=30000)
    binding.state.image_index = SLICE
    binding.state.set_window(300.0, 1500.0)
    qtbot.wait(50)
    viewport = binding.viewport
    room = window.measurements
    room.set_tool(Kind.LENGTH)
    a, b = _screen(viewport, 10.0, 20.0), _screen(viewport, 50.0, 44.0)
    QTest.mousePress(viewport.view, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, a)
    QTest.mouseMove(viewport.view, b)
    QTest.mouseRelease(viewport.view, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, b)
    qtbot.wait(20)
    tools = room.tools(study)
    assert tools is not None and len(tools.measurements) == 1
    drawn = next(iter(tools.measurements))
    room.set_tool(None)

    header = viewport.renderer.header()
    assert int(header.InstanceNumber) == SLICE + 1
    # The slice centre, from the header alone: IPP + half the image along rows and columns.
    ipp = np.array([float(v) for v in header.ImagePositionPatient])
    row_spacing, column_spacing = (float(v) for v in header.PixelSpacing)
    expected = ipp + np.array([(SHAPE[2] - 1) / 2 * column_spacing, (SHAPE[1] - 1) / 2 * row_spacing, 0.0])

    window.toggle_reformat("mpr")
    mpr = window.tabs.currentWidget()
    assert isinstance(mpr, MprView)
    qtbot.waitUntil(lambda: mpr.viewer is not None, timeout=30000)
    qtbot.wait(20)
    assert mpr.state is not None
    assert np.allclose(mpr.state.center, expected, atol=1e-3), (mpr.state.center, expected)
    assert mpr.current_window() == (300.0, 1500.0)
    carried = [m for m in mpr.measurements if m.id.endswith(drawn.id)]
    assert len(carried) == 1
    length = carried[0].values[0].value
    assert math.isclose(length, drawn.values[0].value, abs_tol=1e-6)
    # Independently: the two image points are in one axial plane, so the length is the in-plane one.
    (c0, r0), (c1, r1) = drawn.points
    assert math.isclose(length, math.hypot((c1 - c0) * column_spacing, (r1 - r0) * row_spacing), abs_tol=1e-6)
    assert any(m.id == carried[0].id for m in mpr.measure.visible_on("axial"))
    mpr.render_now()
    shot(window, "20-mpr-opens-in-place")
    # Saving: the 2D length in the measurement report, no second copy from the MPR planes.
    window.tabs.setCurrentWidget(study)
    objects = room.build_objects(study)
    assert [str(o.Modality) for o in objects].count("SR") == 1
