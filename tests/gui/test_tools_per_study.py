"""Tools as readers expect them (issue 20): each new study starts with the browse tool (the
Probe chosen on one study does not carry over to the next), and a click on a viewport that is not
the active one only activates it (no probe placed); the next click measures."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest

pytest.importorskip("pytestqt")

from PySide6.QtCore import QPoint, Qt  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402

from tests.gui.helpers import dispose  # noqa: E402
from tests.gui.reading_studies import chest_study, open_study, study_uid  # noqa: E402
from workstation.annotate.measurements import Kind  # noqa: E402
from workstation.settings import load_settings  # noqa: E402
from workstation.ui.app import create_main_window  # noqa: E402
from workstation.ui.main_window import MainWindow  # noqa: E402

pytestmark = pytest.mark.gui


@pytest.fixture
def window(qtbot) -> Iterator[tuple[MainWindow, str, str]]:  # type: ignore[no-untyped-def]
    w = create_main_window(load_settings())
    first, second = chest_study(dt.date(2024, 1, 5)), chest_study(dt.date(2025, 3, 7), description="CT THORAX")
    for data in first + second:
        w.library.add_bytes(data)
    w.show()
    qtbot.waitExposed(w)
    w.activateWindow()
    yield w, study_uid(first), study_uid(second)
    dispose(qtbot, w)


def _centre(viewport) -> QPoint:  # type: ignore[no-untyped-def]
    return QPoint(viewport.view.width() // 2, viewport.view.height() // 2)


def _loaded(qtbot, view) -> None:  # type: ignore[no-untyped-def]
    for binding in view.bindings:
        qtbot.waitUntil(lambda b=binding: b.viewport.loaded == b.count, timeout=30000)
    qtbot.wait(50)


def test_probe_does_not_carry_over_and_a_click_on_an_inactive_viewport_only_activates(qtbot, window) -> None:  # type: ignore[no-untyped-def]
    w, first_uid, second_uid = window
    room = w.measurements
    first = open_study(qtbot, w, first_uid)
    _loaded(qtbot, first)
    room.set_tool(Kind.PROBE)
    assert room.current_tool() is Kind.PROBE and room.tools(first).tool is Kind.PROBE

    second = open_study(qtbot, w, second_uid)
    _loaded(qtbot, second)
    qtbot.wait(20)  # the front-changed hook runs on the next event-loop turn
    tools = room.tools(second)
    assert tools is not None
    assert room.current_tool() is None, "a new study starts with the browse tool"
    assert tools.tool is None
    # A click in the new study places nothing.
    viewport = second.active.viewport
    QTest.mouseClick(viewport.view, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, _centre(viewport))
    qtbot.wait(20)
    assert len(tools.measurements) == 0

    # The first study kept its own tool: back in front, the Probe button is checked again.
    w.tabs.setCurrentWidget(first)
    qtbot.wait(20)
    assert room.current_tool() is Kind.PROBE
    w.tabs.setCurrentWidget(second)
    qtbot.wait(20)

    # Click-activates: two viewports, the probe chosen; a click on the inactive one activates it only.
    assert second.grid.grid == (1, 2)
    room.set_tool(Kind.PROBE)
    assert second.grid.active == 0
    other = second.binding(1).viewport
    QTest.mouseClick(other.view, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, _centre(other))
    qtbot.wait(20)
    assert second.grid.active == 1
    assert len(tools.measurements) == 0, "the click that activated the viewport placed a probe"
    QTest.mouseClick(other.view, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, _centre(other))
    qtbot.wait(20)
    assert len(tools.measurements) == 1
    assert next(iter(tools.measurements)).kind is Kind.PROBE
