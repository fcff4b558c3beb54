"""The application on a virtual X server: first start, demo study, opening and reading it."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("pytestqt")

from PySide6.QtCore import QPoint, Qt  # noqa: E402

from workstation import demo  # noqa: E402
from workstation.settings import load_settings  # noqa: E402
from workstation.ui.app import create_main_window  # noqa: E402
from workstation.ui.main_window import MainWindow  # noqa: E402
from workstation.ui.study_view import StudyView  # noqa: E402

pytestmark = pytest.mark.gui


@pytest.fixture
def window(qtbot):  # type: ignore[no-untyped-def]
    w = create_main_window(load_settings())
    assert isinstance(w, MainWindow)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    yield w
    w.close()


def test_first_start_offers_the_demo_and_shows_images(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    worklist = window.worklist
    assert worklist.banner.isVisible(), "an empty library should offer the demo study"
    qtbot.mouseClick(worklist.demo_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: worklist.model.rowCount() == 3, timeout=30000)
    assert not worklist.banner.isVisible()

    # Open the phantom study by selecting its row and pressing Enter.
    rows = [worklist.model.item(r, 6).text() for r in range(worklist.model.rowCount())]
    target = worklist.proxy.mapFromSource(worklist.model.index(rows.index("CT HEAD DEMO PHANTOM"), 0))
    worklist.table.setCurrentIndex(target)
    worklist.table.setFocus()
    qtbot.keyClick(worklist.table, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.tabs.count() == 2, timeout=30000)
    view = window.tabs.widget(1)
    assert isinstance(view, StudyView)
    image_view = view.view
    qtbot.waitUntil(lambda: image_view.loaded == image_view.count > 0, timeout=30000)
    assert image_view.count == 60 and image_view.index == 30
    # The phantom's own brain window (PS3.3 C.11.2.1.2: centre 40, width 80).
    assert image_view.window_level == (40.0, 80.0)

    qimage = image_view.display_image()
    assert qimage is not None
    volume, _ = demo.phantom_volume()
    hu = volume[30]
    # Grey level on screen equals the VOI LINEAR transform of the HU value, computed here.
    expected = np.clip(((hu - (40 - 0.5)) / (80 - 1) + 0.5) * 255, 0, 255)
    shown = np.frombuffer(qimage.constBits(), np.uint8).reshape(qimage.height(), qimage.bytesPerLine())[:, : qimage.width()]
    assert np.abs(shown.astype(float) - expected).max() <= 1.0

    # Painted on screen: the centre of the widget shows the image's central pixels, a corner air.
    grab = image_view.grab().toImage()
    centre = grab.pixelColor(QPoint(grab.width() // 2, grab.height() // 2))
    middle = expected[126:130, 126:130]
    assert middle.min() - 3 <= centre.red() <= middle.max() + 3
    rect = image_view.image_rect(qimage)
    corner = grab.pixelColor(QPoint(int(rect.left()) + 3, int(rect.top()) + 3))
    assert corner.red() == 0

    # Scrolling with the keyboard and the wheel; Home/End; invert.
    image_view.setFocus()
    qtbot.keyClick(image_view, Qt.Key.Key_Down)
    assert image_view.index == 31
    qtbot.keyClick(image_view, Qt.Key.Key_Home)
    assert image_view.index == 0
    qtbot.keyClick(image_view, Qt.Key.Key_End)
    assert image_view.index == 59
    qtbot.keyClick(image_view, Qt.Key.Key_I)
    qtbot.keyClick(image_view, Qt.Key.Key_Home)
    inverted = image_view.display_image()
    assert inverted is not None and inverted.pixelColor(0, 0).red() == 255  # air turns white

    # Closing the study tab (Ctrl+W) returns to the worklist.
    window.tabs.setCurrentIndex(1)
    window.close_tab(1)
    assert window.tabs.count() == 1
