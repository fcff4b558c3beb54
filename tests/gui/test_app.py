"""The application on a virtual X server: first start, demo study, opening and reading it offline."""

from __future__ import annotations

import pytest

pytest.importorskip("pytestqt")

from PySide6.QtCore import Qt  # noqa: E402

from tests.gui.helpers import centre_grey, dispose, expected_grey, open_row, shot  # noqa: E402
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
    w.show()
    qtbot.waitExposed(w)
    w.activateWindow()
    qtbot.waitUntil(w.isActiveWindow, timeout=5000)  # window shortcuts need the active window
    yield w
    dispose(qtbot, w)


def test_first_start_offers_the_demo_and_shows_images(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    worklist = window.worklist
    assert worklist.banner.isVisible(), "an empty library should offer the demo study"
    shot(window, "01-first-start")
    qtbot.mouseClick(worklist.demo_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: worklist.model.rowCount() == 3, timeout=30000)
    assert not worklist.banner.isVisible()
    shot(window, "02-worklist-demo")

    # Open the phantom study by selecting its row and pressing Enter (offline: library only).
    open_row(qtbot, worklist, "CT HEAD DEMO PHANTOM")
    qtbot.waitUntil(lambda: window.tabs.count() == 2, timeout=30000)
    view = window.tabs.widget(1)
    assert isinstance(view, StudyView)
    assert view.archive is None
    binding = view.binding(0)
    viewport = binding.viewport
    qtbot.waitUntil(lambda: viewport.loaded == viewport.count == 60, timeout=30000)
    assert viewport.index == 30
    assert binding.loader is not None and binding.loader.stats.first_index == 30  # middle first
    qtbot.waitUntil(lambda: not window.loading.text(), timeout=10000)

    # On screen: the centre of the viewport shows the middle of slice 30 through the phantom's
    # own brain window (PS3.3 C.11.2.1.2: centre 40, width 80), computed here with numpy.
    volume, _ = demo.phantom_volume()
    hu = volume[30, 126:130, 126:130]
    qtbot.wait(50)
    grey = centre_grey(viewport)
    assert expected_grey(hu, 40, 80).min() - 3 <= grey <= expected_grey(hu, 40, 80).max() + 3
    shot(window, "03-demo-study")

    # Scrolling with the keyboard; Home/End; invert turns air white.
    viewport.view.setFocus()
    qtbot.keyClick(viewport.view, Qt.Key.Key_Down)
    assert viewport.index == 31
    qtbot.keyClick(viewport.view, Qt.Key.Key_Home)
    assert viewport.index == 0
    qtbot.keyClick(viewport.view, Qt.Key.Key_End)
    assert viewport.index == 59
    qtbot.keyClick(viewport.view, Qt.Key.Key_I)
    assert viewport.state.invert
    qtbot.wait(50)
    corner = viewport.capture()
    h, w = corner.shape[:2]
    assert int(corner[h // 2, w // 2 - int(0.45 * min(h, w)), 0]) > 240  # air beside the head, inverted

    # Closing the study tab (Ctrl+W) returns to the worklist.
    window.tabs.setCurrentIndex(1)
    viewport.view.setFocus()
    qtbot.keyClick(viewport.view, Qt.Key.Key_W, Qt.KeyboardModifier.ControlModifier)
    assert window.tabs.count() == 1


def test_geometry_is_remembered_and_shortcuts_are_listed(qtbot) -> None:  # type: ignore[no-untyped-def]
    first = create_main_window(load_settings())
    first.show()
    qtbot.waitExposed(first)
    first.resize(701, 503)
    first.remember_grid(3, 3)
    qtbot.wait(50)
    size = (first.width(), first.height())  # as the window manager allowed it on this screen
    assert size[1] == 503
    dispose(qtbot, first)
    second = create_main_window(load_settings())
    second.show()
    qtbot.waitExposed(second)
    assert (second.width(), second.height()) == size
    assert MainWindow.remembered_grid() == (3, 3)

    dialog = second.show_shortcuts()
    rows = {dialog.table.item(r, 1).text(): dialog.table.item(r, 0).text() for r in range(dialog.table.rowCount())}
    assert rows["New window"] == "Ctrl+Shift+N"
    assert rows["Window preset: Brain (W 80 / L 40)"] == "1"  # F1 names the presets (CT with no study open)
    assert rows["Cine play/pause"] == "C"
    assert rows["Maximise / restore viewport"] == "Ctrl+M"
    assert len(rows) >= 30
    dialog.close()

    other = second.new_window()
    assert other.isVisible() and other is not second
    dispose(qtbot, other, second)
