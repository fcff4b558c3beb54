"""Measurement labels as readers need them (issue 20): drawn on a dark box (legible over bone
and air alike) and kept whole inside the viewport when the measurement ends at its right edge,
beside the side panel."""

from __future__ import annotations

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
from workstation.ui.study_view import StudyView  # noqa: E402

pytestmark = pytest.mark.gui


@pytest.fixture
def window(qtbot) -> Iterator[MainWindow]:  # type: ignore[no-untyped-def]
    w = create_main_window(load_settings())
    for data in phantom_series(shape=(6, 128, 128), spacing=(3.0, 0.8, 0.8)):
        w.library.add_bytes(data)
    w.show()
    qtbot.waitExposed(w)
    w.activateWindow()
    yield w
    dispose(qtbot, w)


def test_a_label_at_the_right_edge_stays_whole_on_a_dark_box(qtbot, window) -> None:  # type: ignore[no-untyped-def]
    window.worklist.run_search()
    qtbot.waitUntil(lambda: window.worklist.model.rowCount() == 1, timeout=20000)
    window.open_study(window.worklist._studies[0])
    qtbot.waitUntil(lambda: isinstance(window.tabs.currentWidget(), StudyView), timeout=20000)
    view = window.tabs.currentWidget()
    viewport = view.active.viewport
    qtbot.waitUntil(lambda: viewport.loaded == view.active.count, timeout=30000)
    viewport.state.zoom = 3.0  # the image overflows the viewport: anatomy right up to its edge
    qtbot.wait(50)
    width, height = viewport.view.width(), viewport.view.height()
    window.measurements.set_tool(Kind.LENGTH)
    a, b = QPoint(width - 160, height // 2), QPoint(width - 4, height // 2 + 30)
    QTest.mousePress(viewport.view, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, a)
    QTest.mouseMove(viewport.view, b)
    QTest.mouseRelease(viewport.view, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, b)
    qtbot.wait(50)
    viewport.render_now()
    overlays = viewport.renderer.overlays
    shown = [actor for actor in overlays.annotation_texts if actor.GetVisibility() and "mm" in (actor.GetInput() or "")]
    assert len(shown) == 1
    actor = shown[0]
    box = [0.0] * 4
    actor.GetBoundingBox(viewport.renderer.vtk_renderer, box)  # relative to its position
    x, y = actor.GetPosition()
    box = [x + box[0], x + box[1], y + box[2], y + box[3]]
    ratio = viewport.view.devicePixelRatioF()
    render_width, render_height = width * ratio, height * ratio
    assert 0 <= box[0] and box[1] <= render_width, (box, render_width)  # whole, left of the edge
    assert 0 <= box[2] and box[3] <= render_height
    assert actor.GetTextProperty().GetBackgroundOpacity() >= 0.5
    # On screen: under the label the box is dark whatever the anatomy behind it.
    image = viewport.capture()
    rows = slice(int(render_height - box[3]) + 1, int(render_height - box[2]) - 1)
    columns = slice(int(box[0]) + 1, int(box[1]) - 1)
    patch = image[rows, columns, :3].astype(int)
    assert np.median(patch.max(axis=2)) < 110, "no dark box behind the label"
    shot(window, "20-label-at-the-edge")
