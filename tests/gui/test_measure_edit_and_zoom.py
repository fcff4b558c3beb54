"""Measurements edited as a reader does (issue 6): select with a click, delete, undo and redo the
delete, move with a drag and undo the move; the label of a length stays readable at every zoom
(the same font size and on-screen height from 0.25x to 8x, placed just below-right of its end
point on screen); an arrow and a text annotation (kept only in the presentation state) come back
from the archive on reopening, drawn once and editable again."""

from __future__ import annotations

import math

import pytest

pytest.importorskip("pytestqt")

from PySide6.QtCore import QPoint, Qt  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402

from tests.gui.test_measure_tools import (  # noqa: E402, F401  (fixtures archive and window)
    _drag,
    _open,
    _screen,
    archive,
    window,
)
from workstation.annotate.measurements import Kind  # noqa: E402
from workstation.ui.main_window import MainWindow  # noqa: E402

pytestmark = pytest.mark.gui


def _click(qtbot, viewport, at: tuple[float, float]) -> None:  # type: ignore[no-untyped-def]
    point = _screen(viewport, *at)
    QTest.mousePress(viewport.view, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, point)
    QTest.mouseRelease(viewport.view, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, point)
    qtbot.wait(20)


def test_select_delete_undo_redo_move_undo_and_labels_at_every_zoom(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    view = _open(qtbot, window)
    viewport = view.active.viewport
    room = window.measurements
    viewport.view.setFocus()
    room.set_tool(Kind.LENGTH)
    start, end = (70.0, 72.0), (86.0, 84.0)
    _drag(qtbot, viewport, start, end)
    tools = room.tools()
    assert tools is not None and len(tools.measurements) == 1
    drawn = next(iter(tools.measurements))
    room.set_tool(None)

    # Select by clicking on the line (scroll mode), Delete, then undo and redo the delete.
    tools.selected = None
    middle = ((drawn.points[0][0] + drawn.points[1][0]) / 2, (drawn.points[0][1] + drawn.points[1][1]) / 2)
    _click(qtbot, viewport, middle)
    assert tools.selected == drawn.id
    qtbot.keyClick(viewport.view, Qt.Key.Key_Delete)
    assert len(tools.measurements) == 0 and tools.selected is None
    room.undo_action.trigger()
    assert [m.id for m in tools.measurements] == [drawn.id]
    assert list(tools.measurements)[0].points == drawn.points
    room.redo_action.trigger()
    assert len(tools.measurements) == 0
    room.undo_action.trigger()
    assert len(tools.measurements) == 1

    # Move: drag the line by its middle 10 columns right and 6 rows down; undo puts it back.
    a = _screen(viewport, *middle)
    b = _screen(viewport, middle[0] + 10, middle[1] + 6)
    QTest.mousePress(viewport.view, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, a)
    for t in (0.3, 0.6, 1.0):
        QTest.mouseMove(viewport.view, QPoint(round(a.x() + t * (b.x() - a.x())), round(a.y() + t * (b.y() - a.y()))))
    QTest.mouseRelease(viewport.view, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, b)
    qtbot.wait(20)
    moved = list(tools.measurements)[0]
    shift = (moved.points[0][0] - drawn.points[0][0], moved.points[0][1] - drawn.points[0][1])
    assert abs(shift[0] - 10) < 1.0 and abs(shift[1] - 6) < 1.0  # the pointer's pixel, within its rounding
    assert abs(moved.values[0].value - drawn.values[0].value) < 1e-9  # a move keeps the length
    room.undo_action.trigger()
    assert list(tools.measurements)[0].points == drawn.points

    # Labels at every zoom: fixed font size and on-screen height, below-right of the end point.
    renderer = viewport.renderer
    overlays = renderer.overlays
    anchor = max(drawn.points, key=lambda p: (p[0], -p[1]))
    heights = []
    for zoom in (0.25, 1.0, 3.0, 8.0):
        view.active.state.zoom = zoom
        qtbot.wait(30)
        renderer.render()
        [text] = [t for t in overlays.annotations if t.text == drawn.label]
        x, y = renderer.image_to_screen(*anchor)
        assert math.dist(text.position, (x + 4.0, y + 4.0)) < 1.0, (zoom, text.position, (x, y))
        actor = next(a for a in overlays.annotation_texts if a.GetVisibility() and a.GetInput() == drawn.label)
        assert actor.GetTextProperty().GetFontSize() == overlays.font_size
        box = [0.0] * 4
        actor.GetBoundingBox(renderer.vtk_renderer, box)
        heights.append(box[3] - box[2])
    assert min(heights) >= 10 and max(heights) - min(heights) <= 1, heights


def test_arrow_and_text_come_back_editable_after_reopening(qtbot, window: MainWindow, archive) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    view = _open(qtbot, window)
    viewport = view.active.viewport
    room = window.measurements
    tools = room.tools()
    assert tools is not None
    room.set_tool(Kind.ARROW)
    _drag(qtbot, viewport, (30.0, 40.0), (60.0, 55.0))
    tools.ask_text = lambda _title: "Calcification here"
    room.set_tool(Kind.TEXT)
    _click(qtbot, viewport, (110.0, 120.0))
    room.set_tool(None)
    drawn = {m.kind: m for m in tools.measurements}
    assert set(drawn) == {Kind.ARROW, Kind.TEXT}
    room.save()
    qtbot.waitUntil(lambda: not room.saving, timeout=20000)
    assert "saved" in room.last_message.lower(), room.last_message

    window.close_tab(window.tabs.currentIndex())
    view = _open(qtbot, window)
    viewport = view.active.viewport
    tools2 = room.tools(view)
    assert tools2 is not None and tools2 is not tools
    qtbot.waitUntil(lambda: len(tools2.measurements) == 2, timeout=5000)
    back = {m.kind: m for m in tools2.measurements}
    for kind in (Kind.ARROW, Kind.TEXT):  # GraphicData is FL (32-bit float): equal to its precision
        assert back[kind].image == drawn[kind].image
        assert all(math.dist(p, q) < 1e-4 for p, q in zip(back[kind].points, drawn[kind].points, strict=True))
    assert back[Kind.TEXT].text == "Calcification here"
    qtbot.wait(50)
    labels = [op.text for op in viewport.renderer.annotations() if op.kind == "text"]
    assert labels.count("Calcification here") == 1, labels  # the state's copy is not drawn twice
    # Editable again: drag the arrow by its middle; it moves.
    (x0, y0), (x1, y1) = back[Kind.ARROW].points
    _drag(qtbot, viewport, ((x0 + x1) / 2, (y0 + y1) / 2), ((x0 + x1) / 2 + 8, (y0 + y1) / 2))
    moved = next(m for m in tools2.measurements if m.kind is Kind.ARROW)
    assert abs(moved.points[0][0] - x0 - 8) < 1.0 and abs(moved.points[0][1] - y0) < 1.0
