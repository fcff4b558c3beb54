"""How often the viewport draws: one VTK frame per newly shown image (an expose of the VTK
window goes through the same coalesced render), none for slices that arrive off screen, and a
slice scroll bar whose partial repaints (only the rows that changed) add up to the full picture.
On a virtual X server."""

from __future__ import annotations

from io import BytesIO

import numpy as np
import pydicom
import pytest

pytest.importorskip("pytestqt")

from PySide6.QtGui import QImage  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from workstation.demo import phantom_series  # noqa: E402
from workstation.model.decode import decode_instance  # noqa: E402
from workstation.model.displayset import build_display_sets  # noqa: E402
from workstation.ui.viewport import SCROLL_LOADED_COLOUR, SCROLL_TRACK_COLOUR, ViewportWidget  # noqa: E402

pytestmark = pytest.mark.gui

SHAPE = (24, 40, 40)


@pytest.fixture(scope="module")
def phantom() -> list[tuple[pydicom.Dataset, np.ndarray]]:
    return [(pydicom.dcmread(BytesIO(d)), decode_instance(d)[0]) for d in phantom_series(shape=SHAPE, spacing=(2.0, 1.0, 1.0))]


class RenderCounter:
    """Counts Render() calls of a VTK render window (its StartEvent)."""

    def __init__(self, window) -> None:  # type: ignore[no-untyped-def]
        self.count = 0
        window.AddObserver("StartEvent", self._seen)

    def _seen(self, *_args) -> None:  # type: ignore[no-untyped-def]
        self.count += 1


def _settle(qtbot, w: ViewportWidget) -> None:  # type: ignore[no-untyped-def]
    for _ in range(5):
        QApplication.processEvents()
        qtbot.wait(20)
    assert not w.render_pending


def _viewport(qtbot, phantom):  # type: ignore[no-untyped-def]
    w = ViewportWidget()
    qtbot.addWidget(w)
    w.resize(320, 280)
    display_set = build_display_sets([ds for ds, _ in phantom])[0]
    by_uid = {str(ds.SOPInstanceUID): (ds, stored) for ds, stored in phantom}
    w.arrivals = [by_uid[uid] for uid, _frame in display_set.frames]  # display order
    w.display_set_under_test = display_set
    return w


def test_first_show_and_expose_draw_once(qtbot, phantom) -> None:  # type: ignore[no-untyped-def]
    w = _viewport(qtbot, phantom)
    w.show()
    qtbot.waitExposed(w)
    _settle(qtbot, w)
    counter = RenderCounter(w.renderer.render_window)
    display_set = w.display_set_under_test
    w.show_display_set(display_set, None, len(display_set.frames), [ds for ds, _ in w.arrivals])
    _settle(qtbot, w)
    counter.count = 0
    current = w.index
    ds, stored = w.arrivals[current]
    w.set_image(current, stored, ds)
    assert w.render_pending
    _settle(qtbot, w)
    assert counter.count == 1, "the image on screen arrived: exactly one frame"
    # An expose of the VTK window (uncovered, shown again) draws the current image once...
    counter.count = 0
    w.view.repaint()
    assert counter.count == 1 and not w.render_pending
    # ... and one that comes while a frame is pending draws that frame, not a second one.
    counter.count = 0
    w.state.image_index = (current + 1) % len(w.arrivals)
    assert w.render_pending
    w.view.repaint()
    _settle(qtbot, w)
    assert counter.count == 1
    # What the expose drew is the image: its centre is not the black background.
    w.state.image_index = current
    _settle(qtbot, w)
    w.view.repaint()
    frame = w.renderer.capture()
    assert frame.max() > 0
    w.close()


def test_slices_arriving_off_screen_draw_nothing(qtbot, phantom) -> None:  # type: ignore[no-untyped-def]
    w = _viewport(qtbot, phantom)
    w.show()
    qtbot.waitExposed(w)
    display_set = w.display_set_under_test
    w.show_display_set(display_set, None, len(display_set.frames), [ds for ds, _ in w.arrivals])
    _settle(qtbot, w)
    counter = RenderCounter(w.renderer.render_window)
    current = w.index
    others = [i for i in range(len(w.arrivals)) if i != current]
    for i in others:
        ds, stored = w.arrivals[i]
        w.set_image(i, stored, ds)
        assert not w.render_pending, i
    _settle(qtbot, w)
    assert counter.count == 0
    assert w.loaded == len(others) == sum(w.loaded_mask)
    ds, stored = w.arrivals[others[0]]
    w.set_image(others[0], stored, ds)  # the same slice again is not counted twice
    assert w.loaded == len(others)
    ds, stored = w.arrivals[current]
    w.set_image(current, stored, ds)
    _settle(qtbot, w)
    assert counter.count == 1 and w.loaded == len(w.arrivals)
    w.close()


def _rgb(image: QImage) -> np.ndarray:
    image = image.convertToFormat(QImage.Format.Format_RGB888)
    array = np.frombuffer(image.constBits(), dtype=np.uint8, count=image.sizeInBytes()).reshape(image.height(), image.bytesPerLine())
    return array[:, : image.width() * 3].reshape(image.height(), image.width(), 3).copy()


def test_partial_scroll_bar_repaints_add_up_to_the_full_picture(qtbot, phantom) -> None:  # type: ignore[no-untyped-def]
    w = _viewport(qtbot, phantom)
    w.show()
    qtbot.waitExposed(w)
    display_set = w.display_set_under_test
    w.show_display_set(display_set, None, len(display_set.frames), [ds for ds, _ in w.arrivals])
    _settle(qtbot, w)
    bar = w.scroll_bar
    # Arrivals in the loader's order (outwards from the shown slice), scrolling in between.
    for step, i in enumerate([12, 11, 13, 10, 14, 3, 22, 0]):
        ds, stored = w.arrivals[i]
        w.set_image(i, stored, ds)
        if step % 3 == 2:
            w.state.image_index = (w.index + 5) % len(w.arrivals)
        QApplication.processEvents()
    w.mark_failed(7)
    _settle(qtbot, w)
    origin = bar.mapTo(w.window(), bar.rect().topLeft())
    screen = bar.screen().grabWindow(w.window().winId(), origin.x(), origin.y(), bar.width(), bar.height())
    on_screen = _rgb(screen.toImage())
    full = _rgb(bar.grab().toImage())  # everything painted at once
    assert on_screen.shape == full.shape
    assert np.abs(on_screen.astype(int) - full.astype(int)).max() <= 2
    # and the full picture says what arrived (the bar's own colours, checked independently)
    x = bar.width() // 2
    for i in (0, 3, 22, 1, 20):
        top, bottom = bar.span(i)
        row = full[(top + bottom) // 2, x]
        colour = SCROLL_LOADED_COLOUR if w.renderer.has_image(i) else SCROLL_TRACK_COLOUR
        if abs((top + bottom) // 2 - sum(bar.span(w.index)) // 2) > 3:
            assert np.abs(row.astype(int) - [colour.red(), colour.green(), colour.blue()]).max() <= 2, i
    w.close()
