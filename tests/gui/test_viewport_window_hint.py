"""A stored window that misses the image's values (issue 20): the viewport says so and A gives an
automatic window, instead of a silent white or black image."""

from __future__ import annotations

from io import BytesIO

import numpy as np
import pydicom
import pytest

pytest.importorskip("pytestqt")

from PySide6.QtCore import Qt  # noqa: E402

from workstation.demo import phantom_series  # noqa: E402
from workstation.model.decode import decode_instance  # noqa: E402
from workstation.model.displayset import build_display_sets  # noqa: E402
from workstation.ui.viewport import ViewportWidget  # noqa: E402

pytestmark = pytest.mark.gui


def _viewport(qtbot, center: float, width: float) -> ViewportWidget:  # type: ignore[no-untyped-def]
    items = []
    for data in phantom_series(shape=(3, 64, 80), spacing=(3.0, 2.0, 2.0)):
        ds = pydicom.dcmread(BytesIO(data))
        ds.WindowCenter, ds.WindowWidth = center, width
        items.append((ds, decode_instance(data)[0]))
    w = ViewportWidget()
    qtbot.addWidget(w)
    w.resize(420, 300)
    w.show()
    qtbot.waitExposed(w)
    display_set = build_display_sets([ds for ds, _ in items])[0]
    w.show_display_set(display_set, None, len(display_set.frames))
    by_uid = {str(ds.SOPInstanceUID): (ds, stored) for ds, stored in items}
    for index, (uid, _frame) in enumerate(display_set.frames):
        ds, stored = by_uid[uid]
        w.set_image(index, stored, ds)
    return w


def _image_greys(w: ViewportWidget) -> np.ndarray:
    """Grey levels on screen over the top and bottom bands of the image, away from the message
    in the middle (corner text and markers hidden)."""
    w.renderer.set_overlays_visible(False)
    picture = w.capture()
    stored = w.renderer.stored()
    assert stored is not None
    rows, columns = stored.shape
    band = [*range(2, 14, 2), *range(rows - 14, rows - 2, 2)]
    points = [w.renderer.image_to_screen(c, r) for r in band for c in range(4, columns - 4, 3)]
    return np.array([picture[int(y), int(x), 0] for x, y in points])


def test_a_window_off_the_values_is_said_and_a_gives_an_automatic_one(qtbot) -> None:  # type: ignore[no-untyped-def]
    w = _viewport(qtbot, 30000, 400)  # far above the phantom's values: all black
    greys = _image_greys(w)
    assert greys.max() == greys.min() == 0
    message = " ".join(w.renderer.message().split())
    assert message == "The stored window misses this image's values: press A for an automatic window."

    qtbot.keyClick(w.view, Qt.Key.Key_A)
    assert w.state.window is not None
    assert w.renderer.message() == ""
    greys = _image_greys(w)
    assert greys.max() - greys.min() > 100  # the phantom's structures are visible

    w.state.reset_window()  # back to the stored window: the hint comes back
    assert "press A" in w.renderer.message()


def test_no_hint_when_the_stored_window_shows_the_image(qtbot) -> None:  # type: ignore[no-untyped-def]
    w = _viewport(qtbot, 40, 400)
    assert w.renderer.message() == ""
    greys = _image_greys(w)
    assert greys.max() > greys.min()
