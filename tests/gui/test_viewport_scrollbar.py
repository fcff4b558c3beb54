"""The slice scroll bar beside the viewport (loaded slices marked, click and drag jump) and
presentation-state annotations drawn in the viewport widget, on a virtual X server."""

from __future__ import annotations

from io import BytesIO
from pathlib import Path

import numpy as np
import pydicom
import pytest

pytest.importorskip("pytestqt")

from PySide6.QtCore import QPoint, Qt  # noqa: E402
from PySide6.QtGui import QImage  # noqa: E402

from workstation.demo import phantom_series  # noqa: E402
from workstation.model.decode import decode_instance  # noqa: E402
from workstation.model.displayset import build_display_sets  # noqa: E402
from workstation.model.presentation_state import DrawOp  # noqa: E402
from workstation.ui.viewport import (  # noqa: E402
    SCROLL_FAILED_COLOUR,
    SCROLL_LOADED_COLOUR,
    SCROLL_POSITION_COLOUR,
    SCROLL_TRACK_COLOUR,
    ViewportWidget,
)

pytestmark = pytest.mark.gui

SHAPE = (20, 48, 48)


@pytest.fixture(scope="module")
def phantom() -> list[tuple[pydicom.Dataset, np.ndarray]]:
    return [(pydicom.dcmread(BytesIO(d)), decode_instance(d)[0]) for d in phantom_series(shape=SHAPE, spacing=(2.0, 1.0, 1.0))]


@pytest.fixture
def empty_viewport(qtbot, phantom):  # type: ignore[no-untyped-def]
    """A viewport showing the display set with no pixels arrived yet."""
    w = ViewportWidget()
    qtbot.addWidget(w)
    w.resize(300, 260)
    w.show()
    qtbot.waitExposed(w)
    display_set = build_display_sets([ds for ds, _ in phantom])[0]
    w.show_display_set(display_set, None, len(display_set.frames), [ds for ds, _ in phantom])
    by_uid = {str(ds.SOPInstanceUID): (ds, stored) for ds, stored in phantom}
    w.arrivals = [by_uid[uid] for uid, _frame in display_set.frames]  # display order
    yield w
    w.close()


def _strip(w: ViewportWidget) -> np.ndarray:
    """The scroll bar as painted, (height, width, 3) uint8."""
    image = w.scroll_bar.grab().toImage().convertToFormat(QImage.Format.Format_RGB888)
    ptr = image.constBits()
    array = np.frombuffer(ptr, dtype=np.uint8, count=image.sizeInBytes()).reshape(image.height(), image.bytesPerLine())
    return array[:, : image.width() * 3].reshape(image.height(), image.width(), 3).copy()


def _is(pixel: np.ndarray, colour) -> bool:  # type: ignore[no-untyped-def]
    return bool(np.abs(pixel.astype(int) - np.array([colour.red(), colour.green(), colour.blue()])).max() <= 2)


def test_loaded_slices_are_marked_and_a_click_jumps(qtbot, empty_viewport: ViewportWidget) -> None:  # type: ignore[no-untyped-def]
    w = empty_viewport
    bar = w.scroll_bar
    assert bar.isVisible() and bar.width() > 4 and bar.height() > SHAPE[0]
    x = bar.width() // 2
    strip = _strip(w)
    for i in range(SHAPE[0]):  # nothing arrived: every slice shows the bare track
        top, bottom = bar.span(i)
        if i != w.index:
            assert _is(strip[(top + bottom) // 2, x], SCROLL_TRACK_COLOUR), i
    arrived = [3, 4, 5, 15]
    for i in arrived:
        ds, stored = w.arrivals[i]
        w.set_image(i, stored, ds)
    strip = _strip(w)
    for i in range(SHAPE[0]):
        top, bottom = bar.span(i)
        pixel = strip[(top + bottom) // 2, x]
        if abs(i - w.index) <= 1:
            continue  # the position handle is painted over its neighbours
        assert _is(pixel, SCROLL_LOADED_COLOUR if i in arrived else SCROLL_TRACK_COLOUR), i
    # A slice that failed to load is marked red; a new display set starts clean.
    w.mark_failed(18)
    top, bottom = bar.span(18)
    assert _is(_strip(w)[(top + bottom) // 2, x], SCROLL_FAILED_COLOUR)
    # The position handle sits at the current image.
    top, bottom = bar.span(w.index)
    assert _is(strip[(top + bottom) // 2, x], SCROLL_POSITION_COLOUR)
    # A click on slice 15's band jumps there (and tells the loader via index_changed).
    seen: list[int] = []
    w.index_changed.connect(seen.append)
    top, bottom = bar.span(15)
    qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=QPoint(x, (top + bottom) // 2))
    assert w.index == 15 and seen == [15]
    picture = w.capture()  # and slice 15 is what is on screen (its pixels arrived)
    assert w.renderer.stored() is w.renderer.stored(15) and picture.max() > 0
    strip = _strip(w)
    assert _is(strip[(top + bottom) // 2, x], SCROLL_POSITION_COLOUR)
    # Dragging moves through the stack, clamped at the ends.
    top0, _ = bar.span(0)
    qtbot.mousePress(bar, Qt.MouseButton.LeftButton, pos=QPoint(x, (top + bottom) // 2))
    qtbot.mouseMove(bar, QPoint(x, bar.span(8)[0] + 1))
    assert w.index == 8
    qtbot.mouseMove(bar, QPoint(x, top0))
    qtbot.mouseRelease(bar, Qt.MouseButton.LeftButton, pos=QPoint(x, top0))
    assert w.index == 0 and seen[-1] == 0


def test_scroll_bar_hidden_for_one_image(qtbot, phantom) -> None:  # type: ignore[no-untyped-def]
    w = ViewportWidget()
    qtbot.addWidget(w)
    w.resize(200, 200)
    w.show()
    qtbot.waitExposed(w)
    ds, stored = phantom[0]
    w.show_display_set(None, None, 1, [ds])
    w.set_image(0, stored, ds)
    assert not w.scroll_bar.isVisible()
    w.close()


def test_annotations_in_the_widget_follow_the_view(qtbot, empty_viewport: ViewportWidget) -> None:  # type: ignore[no-untyped-def]
    w = empty_viewport
    for i, (ds, stored) in enumerate(w.arrivals):
        w.set_image(i, stored, ds)
    w.renderer.set_overlays_visible(False)
    # A short red polyline through the centres of pixels (10, 30) and (30, 30) on image 2 only.
    op = DrawOp("polyline", "L", 0, points=((10.5, 30.5), (30.5, 30.5)), colour=(255, 0, 0))
    w.set_annotations([op], 2)
    w.state.image_index = 2
    w.state.rotate_clockwise()
    picture = w.capture()
    vw, vh = w.renderer.viewport_size()
    scale = min(vw, vh) / SHAPE[1]
    centre = (SHAPE[1] - 1) / 2.0
    red = (picture[..., 0] > 200) & (picture[..., 1] < 80) & (picture[..., 2] < 80)
    for c in (12, 20, 28):
        # clockwise (y down): (dx, dy) -> (-dy, dx)
        x, y = vw / 2.0 - scale * (30 - centre), vh / 2.0 + scale * (c - centre)
        assert red[int(y) - 1: int(y) + 2, int(x) - 1: int(x) + 2].any(), c
    w.state.image_index = 3  # another image: its own (no) annotations
    assert not ((w.capture()[..., 0] > 200) & (w.capture()[..., 1] < 80)).any()


@pytest.mark.shared_data
def test_study_view_draws_the_presentation_state(qtbot, shared_data: Path) -> None:  # type: ignore[no-untyped-def]
    """Opening the GSPS's study: its ellipse and measurement text go to the viewport."""
    from tests.gui.helpers import dispose
    from workstation.settings import load_settings
    from workstation.ui.app import create_main_window

    folder = shared_data / "orthanc_tests_selected" / "HierarchicalAnonymization" / "2019-03-28"
    window = create_main_window(load_settings())
    for name in ("PR000000.dcm", "CR000000.dcm"):
        window.library.add_file(folder / name)
    window.show()
    qtbot.waitExposed(window)
    window.worklist.run_search()
    qtbot.waitUntil(lambda: window.worklist.model.rowCount() == 1, timeout=10000)
    window.open_study(window.worklist._studies[0])
    from workstation.ui.study_view import StudyView

    qtbot.waitUntil(lambda: isinstance(window.tabs.currentWidget(), StudyView), timeout=10000)
    view = window.tabs.currentWidget()
    qtbot.waitUntil(lambda: view.binding(0).presentation is not None, timeout=10000)
    viewport = view.binding(0).viewport
    kinds = sorted(op.kind for op in viewport.renderer.annotations())
    assert kinds == ["ellipse", "text"]
    viewport.capture()
    assert viewport.renderer.overlays.annotation_lines.lines  # the ellipse, on screen
    assert any(t.text.startswith("Mean:") for t in viewport.renderer.overlays.annotations)
    assert "drawn on the image" in view.binding(0).slot.annotations.text()
    dispose(qtbot, window)
