"""The 2D viewport widget on a virtual X server (pytest-xvfb): what the user does, what it shows."""

from __future__ import annotations

from io import BytesIO

import numpy as np
import pydicom
import pytest

pytest.importorskip("pytestqt")

from PySide6.QtCore import QPoint, QPointF, Qt  # noqa: E402
from PySide6.QtGui import QWheelEvent  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from tests.render import naive  # noqa: E402
from workstation.demo import phantom_series  # noqa: E402
from workstation.model.decode import decode_instance  # noqa: E402
from workstation.model.displayset import build_display_sets  # noqa: E402
from workstation.ui.viewport import ViewportWidget, dragged_window  # noqa: E402

pytestmark = pytest.mark.gui

SHAPE = (6, 64, 80)
SPACING = (3.0, 2.0, 2.0)


@pytest.fixture(scope="module")
def phantom() -> list[tuple[pydicom.Dataset, np.ndarray]]:
    items = []
    for data in phantom_series(shape=SHAPE, spacing=SPACING):
        items.append((pydicom.dcmread(BytesIO(data)), decode_instance(data)[0]))
    return items


@pytest.fixture
def viewport(qtbot, phantom):  # type: ignore[no-untyped-def]
    w = ViewportWidget()
    qtbot.addWidget(w)
    w.resize(324, 264)
    w.show()
    qtbot.waitExposed(w)
    display_set = build_display_sets([ds for ds, _ in phantom])[0]
    w.show_display_set(display_set, None, len(display_set.frames))
    by_uid = {str(ds.SOPInstanceUID): (ds, stored) for ds, stored in phantom}
    for index, (uid, _frame) in enumerate(display_set.frames):
        ds, stored = by_uid[uid]
        w.set_image(index, stored, ds)
    w.renderer.set_overlays_visible(False)
    w.display_set_frames = display_set.frames
    yield w
    w.close()


def _wheel(widget: ViewportWidget, notches: int, pos: QPointF, modifiers=Qt.KeyboardModifier.NoModifier) -> None:  # type: ignore[no-untyped-def]
    event = QWheelEvent(
        pos, widget.view.mapToGlobal(pos), QPoint(0, 0), QPoint(0, 120 * notches),
        Qt.MouseButton.NoButton, modifiers, Qt.ScrollPhase.NoScrollPhase, False,
    )
    QApplication.sendEvent(widget.view, event)


def _current(w: ViewportWidget) -> tuple[pydicom.Dataset, np.ndarray]:
    header, stored = w.renderer.header(), w.renderer.stored()
    assert header is not None and stored is not None
    return header, stored


def _assert_grey(w: ViewportWidget, center: float, width: float) -> None:
    """Sampled screen pixels equal the naive modality + VOI LINEAR of the stored values."""
    picture = w.capture()
    ds, stored = _current(w)
    expected = naive.grey(stored, ds, center, width, w.state.invert)
    checked = 0
    height, width_px = picture.shape[:2]
    for r in range(2, SHAPE[1] - 2, 3):
        for c in range(2, SHAPE[2] - 2, 3):
            x, y = w.renderer.image_to_screen(c, r)
            if 0 <= x < width_px and 0 <= y < height:
                assert picture[int(y), int(x), 0] == expected[r, c], (c, r)
                checked += 1
    assert checked > 100
    assert len(np.unique(expected)) > 2


def test_scroll_by_wheel_and_keys(qtbot, viewport: ViewportWidget) -> None:  # type: ignore[no-untyped-def]
    w = viewport
    assert w.count == SHAPE[0] and w.loaded == SHAPE[0] and w.state.image_index == 0
    seen: list[int] = []
    w.index_changed.connect(seen.append)
    centre = QPointF(100, 100)
    _wheel(w, -2, centre)  # towards the user: forward
    assert w.state.image_index == 2
    _wheel(w, 1, centre)
    assert w.state.image_index == 1
    qtbot.keyClick(w.view, Qt.Key.Key_Down)
    qtbot.keyClick(w.view, Qt.Key.Key_Right)
    assert w.state.image_index == 3
    qtbot.keyClick(w.view, Qt.Key.Key_Up)
    assert w.state.image_index == 2
    qtbot.keyClick(w.view, Qt.Key.Key_End)
    assert w.state.image_index == SHAPE[0] - 1
    qtbot.keyClick(w.view, Qt.Key.Key_Home)
    assert w.state.image_index == 0
    qtbot.keyClick(w.view, Qt.Key.Key_PageDown)
    assert w.state.image_index == SHAPE[0] - 1  # clamped at the last image
    assert seen == [2, 1, 2, 3, 2, SHAPE[0] - 1, 0, SHAPE[0] - 1]
    # What is on screen is the image the state names.
    ds, _ = _current(w)
    uid = w.display_set_frames[w.state.image_index][0]
    assert str(ds.SOPInstanceUID) == uid
    _assert_grey(w, 40.0, 80.0)
    # Left-drag scrolls the stack too.
    qtbot.mousePress(w.view, Qt.MouseButton.LeftButton, pos=QPoint(150, 200))
    qtbot.mouseMove(w.view, QPoint(150, 150))
    qtbot.mouseRelease(w.view, Qt.MouseButton.LeftButton, pos=QPoint(150, 150))
    assert w.state.image_index < SHAPE[0] - 1


def test_window_level_by_right_drag(qtbot, viewport: ViewportWidget) -> None:  # type: ignore[no-untyped-def]
    w = viewport
    w.state.image_index = 3
    assert w.renderer.current_window() == (40.0, 80.0)
    _assert_grey(w, 40.0, 80.0)
    qtbot.mousePress(w.view, Qt.MouseButton.RightButton, pos=QPoint(100, 100))
    qtbot.mouseMove(w.view, QPoint(160, 130))
    qtbot.mouseRelease(w.view, Qt.MouseButton.RightButton, pos=QPoint(160, 130))
    center, width = dragged_window((40.0, 80.0), 60, 30)
    assert (center, width) == (70.0, 140.0)  # 1 unit per pixel below a 256 width
    assert w.state.window == (center, width)
    _assert_grey(w, center, width)
    qtbot.keyClick(w.view, Qt.Key.Key_I)
    assert w.state.invert
    _assert_grey(w, center, width)
    qtbot.keyClick(w.view, Qt.Key.Key_Escape)
    assert w.state.window is None and not w.state.invert
    _assert_grey(w, 40.0, 80.0)


@pytest.mark.parametrize(("key", "window"), [(1, (40.0, 80.0)), (4, (-600.0, 1500.0)), (8, (400.0, 1800.0)), (9, (40.0, 80.0))])
def test_presets_by_number_keys(qtbot, viewport: ViewportWidget, key: int, window: tuple[float, float]) -> None:  # type: ignore[no-untyped-def]
    """CT: keys 1-8 are the CT presets (brain, subdural, stroke, lung, mediastinum, abdomen, liver,
    bone), 9 the image's own first window (the phantom's BRAIN 40/80)."""
    w = viewport
    w.state.image_index = 3
    qtbot.keyClick(w.view, getattr(Qt.Key, f"Key_{key}"))
    assert w.state.window == window
    _assert_grey(w, *window)


def test_view_keys_and_ctrl_wheel_zoom(qtbot, viewport: ViewportWidget) -> None:  # type: ignore[no-untyped-def]
    w = viewport
    anchor = QPointF(90, 70)
    before = w.renderer.pick(90, 70)
    _wheel(w, 2, anchor, Qt.KeyboardModifier.ControlModifier)
    assert w.state.zoom == pytest.approx(1.15**2)
    after = w.renderer.pick(90, 70)
    assert after == pytest.approx(before, abs=1e-6)  # zoom about the pointer
    qtbot.keyClick(w.view, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
    assert w.state.rotation == 90
    qtbot.keyClick(w.view, Qt.Key.Key_H)
    assert w.state.flip_horizontal
    qtbot.keyClick(w.view, Qt.Key.Key_F)
    assert w.state.zoom == 1.0 and w.state.pan == (0.0, 0.0)
    qtbot.keyClick(w.view, Qt.Key.Key_Z)
    assert w.state.zoom_mode == "pixels"
    qtbot.mousePress(w.view, Qt.MouseButton.MiddleButton, pos=QPoint(100, 100))
    qtbot.mouseMove(w.view, QPoint(110, 95))
    qtbot.mouseRelease(w.view, Qt.MouseButton.MiddleButton, pos=QPoint(110, 95))
    assert w.state.pan == pytest.approx((10.0, -5.0))  # 1:1 pixels: screen px = image px
    qtbot.keyClick(w.view, Qt.Key.Key_A)
    assert w.state.window is not None
    qtbot.keyClick(w.view, Qt.Key.Key_R)
    assert w.state.rotation == 0 and not w.state.flip_horizontal and w.state.window is None


def test_shift_click_picks_the_patient_point(qtbot, viewport: ViewportWidget) -> None:  # type: ignore[no-untyped-def]
    w = viewport
    w.state.update(image_index=4, zoom=1.4, pan=(3.0, -2.0), rotation=270, flip_vertical=True)
    picked: list[np.ndarray] = []
    activated: list[bool] = []
    w.point_picked.connect(picked.append)
    w.activated.connect(lambda: activated.append(True))
    click = QPoint(140, 90)
    qtbot.mouseClick(w.view, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.ShiftModifier, click)
    assert len(picked) == 1 and activated
    ratio = w.view.devicePixelRatioF()
    column, row = w.state.screen_to_image((click.x() * ratio, click.y() * ratio), w.renderer.viewport_size(), (SHAPE[2], SHAPE[1]), 1.0)
    ds, _ = _current(w)
    # PS3.3 C.7.6.2.1.1 by hand: P = S + X * column spacing * c + Y * row spacing * r.
    s = np.array([float(v) for v in ds.ImagePositionPatient])
    o = np.array([float(v) for v in ds.ImageOrientationPatient])
    dr, dc = (float(v) for v in ds.PixelSpacing)
    expected = s + o[:3] * dc * column + o[3:] * dr * row
    np.testing.assert_allclose(picked[0], expected, atol=1e-6)
    assert w.state.image_index == 4  # a Shift+click does not scroll
