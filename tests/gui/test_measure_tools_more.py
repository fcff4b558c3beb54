"""The other measurement tools drawn with the mouse on the demo phantom CT (0.8 mm pixels, known
HU), checked against numpy from the picked points: angle, Cobb angle, bidirectional, rectangle and
freehand ROIs, probe (HU and LPS from the Image Plane equation, PS3.3 C.7.6.2.1.1), arrow and text
(kept in the presentation state only), Delete, moving an ROI, reshaping by handles with undo, and
the key-image strip (thumbnails through the display pipeline, the note dialog, jumping)."""

from __future__ import annotations

import math

import numpy as np
import pytest

pytest.importorskip("pytestqt")

from PySide6.QtCore import QPoint, Qt, QTimer  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402

from tests.gui.test_measure_tools import (  # noqa: E402, F401  (fixtures archive and window)
    SHAPE,
    SPACING,
    _drag,
    _label_texts,
    _open,
    _screen,
    archive,
    window,
)
from workstation import demo  # noqa: E402
from workstation.annotate.kos import key_images_from_kos  # noqa: E402
from workstation.annotate.measurements import Kind  # noqa: E402
from workstation.ui.main_window import MainWindow  # noqa: E402

pytestmark = pytest.mark.gui
NO = Qt.KeyboardModifier.NoModifier
LEFT = Qt.MouseButton.LeftButton


def _click(qtbot, viewport, at: tuple[float, float]) -> None:  # type: ignore[no-untyped-def]
    QTest.mouseClick(viewport.view, LEFT, NO, _screen(viewport, *at))
    qtbot.wait(10)


def _path(qtbot, viewport, points: list[tuple[float, float]]) -> None:  # type: ignore[no-untyped-def]
    """Press at the first point, move through the others (in small steps), release at the last."""
    view = viewport.view
    QTest.mousePress(view, LEFT, NO, _screen(viewport, *points[0]))
    for a, b in zip(points, points[1:], strict=False):
        for t in np.linspace(0.1, 1.0, 10):
            QTest.mouseMove(view, _screen(viewport, a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1])))
    QTest.mouseRelease(view, LEFT, NO, _screen(viewport, *points[-1]))
    qtbot.wait(10)


def _newest(tools):  # type: ignore[no-untyped-def]
    return list(tools.measurements)[-1]


def _near(points, wanted) -> None:  # type: ignore[no-untyped-def]
    """The picked points are the pixels under the pointer: within a pixel of where we aimed."""
    assert len(points) == len(wanted)
    for p, w in zip(points, wanted, strict=True):
        assert math.dist(p, w) < 1.5, (points, wanted)


def _angle(u: np.ndarray, v: np.ndarray) -> float:
    return float(np.degrees(np.arccos(np.dot(u, v) / (np.linalg.norm(u) * np.linalg.norm(v)))))


def _key(qtbot, viewport, key, modifiers=NO) -> None:  # type: ignore[no-untyped-def]
    qtbot.keyClick(viewport.view, key, modifiers)


def test_all_tools_handles_delete_move_and_key_image_strip(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    view = _open(qtbot, window)
    viewport = view.active.viewport
    room = window.measurements
    header = viewport.renderer.header()
    volume, _origin = demo.phantom_volume(SHAPE, SPACING)
    hu = volume[int(header.InstanceNumber) - 1].astype(float)
    rows, columns = np.mgrid[0:hu.shape[0], 0:hu.shape[1]]
    pixel_mm = SPACING[1]
    viewport.view.setFocus()
    _key(qtbot, viewport, Qt.Key.Key_G)
    tools = room.tools()
    assert tools is not None and room.current_tool() is Kind.ANGLE

    # Angle: drag the first arm, click the third point; the angle at the middle point.
    _drag(qtbot, viewport, (30.0, 40.0), (60.0, 70.0))
    _click(qtbot, viewport, (100.0, 50.0))
    angle = _newest(tools)
    assert angle.kind is Kind.ANGLE
    _near(angle.points, [(30, 40), (60, 70), (100, 50)])
    p = np.asarray(angle.points)
    expected = _angle(p[0] - p[1], p[2] - p[1])
    assert abs(angle.value("Angle").value - expected) < 1e-6
    assert f"{expected:.1f}°" in _label_texts(viewport)

    # Cobb angle: two dragged lines; the acute angle between them.
    _key(qtbot, viewport, Qt.Key.Key_G, Qt.KeyboardModifier.ShiftModifier)
    assert room.current_tool() is Kind.COBB
    _drag(qtbot, viewport, (20.0, 120.0), (70.0, 110.0))
    _drag(qtbot, viewport, (80.0, 100.0), (130.0, 140.0))
    cobb = _newest(tools)
    assert cobb.kind is Kind.COBB
    p = np.asarray(cobb.points)
    between = _angle(p[1] - p[0], p[3] - p[2])
    assert abs(cobb.value("Cobb angle").value - min(between, 180 - between)) < 1e-6

    # Bidirectional: long axis dragged, a click sets the short axis; perpendicular, through the middle.
    _key(qtbot, viewport, Qt.Key.Key_B)
    _drag(qtbot, viewport, (50.0, 60.0), (100.0, 90.0))
    _click(qtbot, viewport, (70.0, 90.0))
    bidi = _newest(tools)
    assert bidi.kind is Kind.BIDIRECTIONAL
    a = np.asarray(bidi.axes)
    long_axis, short_axis = a[1] - a[0], a[3] - a[2]
    assert abs(np.dot(long_axis, short_axis)) / (np.linalg.norm(long_axis) * np.linalg.norm(short_axis)) < 1e-9
    assert np.allclose((a[2] + a[3]) / 2, (a[0] + a[1]) / 2)
    assert abs(bidi.value("Long axis").value - np.linalg.norm(long_axis) * pixel_mm) < 1e-6
    assert abs(np.linalg.norm(long_axis) - math.dist((50, 60), (100, 90))) < 2.0
    assert abs(bidi.value("Short axis").value - np.linalg.norm(short_axis) * pixel_mm) < 1e-6
    assert np.linalg.norm(short_axis) > 5

    # Rectangle ROI: statistics over the pixel centres inside the box, against numpy.
    _key(qtbot, viewport, Qt.Key.Key_E, Qt.KeyboardModifier.ShiftModifier)
    _drag(qtbot, viewport, (45.3, 55.3), (95.3, 85.3))
    rect = _newest(tools)
    assert rect.kind is Kind.RECTANGLE

    def rect_mask(points):  # type: ignore[no-untyped-def]
        (x0, y0), (x1, y1) = points
        return (columns >= min(x0, x1)) & (columns < max(x0, x1)) & (rows >= min(y0, y1)) & (rows < max(y0, y1))

    inside = rect_mask(rect.points)
    assert inside.sum() > 1000
    for name, number in (("Mean", hu[inside].mean()), ("Standard deviation", hu[inside].std()),
                         ("Minimum", hu[inside].min()), ("Maximum", hu[inside].max())):
        assert abs(rect.value(name).value - number) < 1e-3, name
    (x0, y0), (x1, y1) = rect.points
    assert abs(rect.value("Area").value - abs(x1 - x0) * abs(y1 - y0) * pixel_mm**2) < 1e-6
    # Min and max with mean and SD: on the image's label and in the measurement list.
    shown = f"Min {hu[inside].min():.0f} HU, Max {hu[inside].max():.0f} HU"
    assert any(shown in t for t in _label_texts(viewport)), _label_texts(viewport)
    rows_listed = [room.panel.list.item(i).text() for i in range(room.panel.list.count())]
    assert any("Rectangle ROI" in t and "Mean" in t and "SD" in t and shown in t for t in rows_listed), rows_listed

    # Freehand ROI: area by the shoelace formula in mm².
    _key(qtbot, viewport, Qt.Key.Key_D)
    _path(qtbot, viewport, [(100.0, 30.0), (140.0, 35.0), (135.0, 70.0), (105.0, 60.0), (100.5, 31.0)])
    free = _newest(tools)
    assert free.kind is Kind.FREEHAND and len(free.points) > 10
    x, y = np.asarray(free.points).T
    shoelace = abs(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1))) / 2
    assert abs(free.value("Area").value - shoelace * pixel_mm**2) < 1e-6
    assert 900 * pixel_mm**2 < free.value("Area").value < 1600 * pixel_mm**2

    # Probe: the HU of the pixel and its patient position by the Image Plane equation.
    _key(qtbot, viewport, Qt.Key.Key_P)
    _click(qtbot, viewport, (77.0, 66.0))
    probe = _newest(tools)
    (c, r), = probe.points
    assert probe.value("Value").value == hu[round(r), round(c)]
    ipp = np.asarray(header.ImagePositionPatient, float)
    iop = np.asarray(header.ImageOrientationPatient, float)
    row_spacing, column_spacing = (float(v) for v in header.PixelSpacing)
    lps = ipp + iop[:3] * column_spacing * c + iop[3:] * row_spacing * r
    assert np.allclose(probe.position_lps, lps, atol=1e-6)

    # Arrow and text: drawn, and saved in the presentation state only (not the measurement report).
    _key(qtbot, viewport, Qt.Key.Key_A, Qt.KeyboardModifier.ShiftModifier)
    _drag(qtbot, viewport, (20.0, 20.0), (40.0, 30.0))
    arrow = _newest(tools)
    assert arrow.kind is Kind.ARROW
    tools.ask_text = lambda _title: "Calcification here"
    _key(qtbot, viewport, Qt.Key.Key_T)
    _click(qtbot, viewport, (130.0, 130.0))
    assert _newest(tools).text == "Calcification here"
    assert "Calcification here" in _label_texts(viewport)
    objects = {str(ds.Modality): ds for ds in room.build_objects(view)}
    assert "Calcification here" not in str(objects["SR"])
    texts = [t.UnformattedTextValue for item in objects["PR"].GraphicAnnotationSequence for t in item.get("TextObjectSequence", [])]
    assert "Calcification here" in texts
    arrows = [g for item in objects["PR"].GraphicAnnotationSequence for g in item.get("GraphicObjectSequence", [])]
    assert arrows  # the arrow's lines (and the measurements') are graphics of the state

    # Delete: select the arrow by its line in scroll mode, Del removes it.
    _key(qtbot, viewport, Qt.Key.Key_Escape)
    assert tools.tool is None
    count = len(tools.measurements)
    _click(qtbot, viewport, (30.0, 25.0))
    assert tools.selected == arrow.id
    _key(qtbot, viewport, Qt.Key.Key_Delete)
    assert len(tools.measurements) == count - 1 and arrow.id not in {m.id for m in tools.measurements}

    # Move: drag the rectangle by its lower edge (away from its corners); it is measured again.
    (x0, y0), (x1, y1) = rect.points
    bottom = ((x0 + x1) / 2, max(y0, y1))
    _drag(qtbot, viewport, bottom, (bottom[0] + 12, bottom[1] + 20))
    moved = tools.measurements.get(rect.id)
    shift = np.asarray(moved.points) - np.asarray(rect.points)
    assert np.allclose(shift, shift[0]) and abs(shift[0][0] - 12) < 1.5 and abs(shift[0][1] - 20) < 1.5
    inside = rect_mask(moved.points)
    assert abs(moved.value("Mean").value - hu[inside].mean()) < 1e-3
    assert moved.value("Mean").value != rect.value("Mean").value

    # Reshape: a corner of the rectangle (the handle, not the move), re-measured; undo restores.
    (x0, y0), (x1, y1) = moved.points
    corner = (max(x0, x1), max(y0, y1))
    _drag(qtbot, viewport, corner, (corner[0] + 15, corner[1] + 10))
    edited = tools.measurements.get(rect.id)
    xs, ys = [q[0] for q in edited.points], [q[1] for q in edited.points]
    assert abs(min(xs) - min(x0, x1)) < 1e-9 and abs(min(ys) - min(y0, y1)) < 1e-9  # opposite corner stays
    assert abs(max(xs) - corner[0] - 15) < 1.5 and abs(max(ys) - corner[1] - 10) < 1.5
    inside = rect_mask(edited.points)
    assert abs(edited.value("Mean").value - hu[inside].mean()) < 1e-3
    assert abs(edited.value("Area").value - (max(xs) - min(xs)) * (max(ys) - min(ys)) * pixel_mm**2) < 1e-6
    _key(qtbot, viewport, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert tools.measurements.get(rect.id).points == moved.points

    # Reshape the angle's vertex handle: the angle is computed again from the new points.
    vertex = angle.points[1]
    _drag(qtbot, viewport, vertex, (vertex[0] - 10, vertex[1] + 8))
    reshaped = tools.measurements.get(angle.id)
    assert reshaped.points[0] == angle.points[0] and reshaped.points[2] == angle.points[2]
    p = np.asarray(reshaped.points)
    assert abs(reshaped.value("Angle").value - _angle(p[0] - p[1], p[2] - p[1])) < 1e-6
    assert abs(reshaped.value("Angle").value - angle.value("Angle").value) > 1

    # Reshape the bidirectional's long end: the short axis stays perpendicular with its length.
    end = bidi.axes[1]
    _drag(qtbot, viewport, end, (end[0] + 10, end[1] - 10))
    b2 = tools.measurements.get(bidi.id)
    a = np.asarray(b2.axes)
    assert abs(np.dot(a[1] - a[0], a[3] - a[2])) < 1e-6
    assert abs(b2.value("Short axis").value - bidi.value("Short axis").value) < 1e-6
    assert abs(b2.value("Long axis").value - np.linalg.norm(a[1] - a[0]) * pixel_mm) < 1e-6

    # Reshape a freehand vertex: the area follows the shoelace formula of the new outline.
    k = int(np.argmax(np.asarray(free.points)[:, 0]))
    vertex = free.points[k]
    _drag(qtbot, viewport, vertex, (vertex[0] + 10, vertex[1]))
    f2 = tools.measurements.get(free.id)
    x, y = np.asarray(f2.points).T
    assert abs(f2.value("Area").value - abs(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1))) / 2 * pixel_mm**2) < 1e-6
    assert f2.value("Area").value > free.value("Area").value

    # Key image: K; the strip shows a thumbnail made by the display pipeline (window on screen).
    index = viewport.index
    _key(qtbot, viewport, Qt.Key.Key_K)
    assert room.panel.key_strip.count() == 1
    item = room.panel.key_strip.item(0)
    assert not item.icon().isNull()
    uid = str(header.SOPInstanceUID)
    thumb = tools.thumbnails[uid]
    centre, width = viewport.renderer.current_window()
    step = math.ceil(max(hu.shape) / 96)
    shown = hu[::step, ::step]
    linear = np.clip((shown - (centre - 0.5)) / (width - 1) + 0.5, 0, 1) * 255  # PS3.3 C.11.2.1.2.1
    assert thumb.shape == shown.shape
    assert np.abs(thumb.astype(float) - linear).max() <= 1.0

    # The note: a small dialog edits the selection's one description, saved in the KOS.
    def answer() -> None:
        dialog = room.panel.note_dialog
        assert dialog is not None
        dialog.editor.setPlainText("Lesion at its largest")
        dialog.accept()

    QTimer.singleShot(50, answer)
    QTest.mouseClick(room.panel.note_button, LEFT)
    assert tools.key_images.note == "Lesion at its largest"
    assert "Lesion at its largest" in room.panel.key_label.text()
    objects = {str(ds.Modality): ds for ds in room.build_objects(view)}
    assert key_images_from_kos(objects["KO"]).note == "Lesion at its largest"

    # Clicking the thumbnail shows its image again.
    view.active.state.image_index = 0 if index else 1
    qtbot.waitUntil(lambda: viewport.index != index, timeout=2000)
    strip = room.panel.key_strip
    rect_item = strip.visualItemRect(strip.item(0))
    QTest.mouseClick(strip.viewport(), LEFT, NO, QPoint(rect_item.center()))
    qtbot.waitUntil(lambda: viewport.index == index, timeout=2000)
