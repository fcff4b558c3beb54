"""The viewport draws once per event-loop turn, whatever number of changes came in it."""

from __future__ import annotations

from io import BytesIO

import numpy as np
import pydicom
import pytest

pytest.importorskip("pytestqt")

from PySide6.QtWidgets import QApplication  # noqa: E402

from tests.render import naive  # noqa: E402
from workstation.demo import phantom_series  # noqa: E402
from workstation.model.decode import decode_instance  # noqa: E402
from workstation.ui.viewport import ViewportWidget  # noqa: E402

pytestmark = pytest.mark.gui


def test_many_changes_in_one_turn_draw_one_frame_of_the_last_state(qtbot) -> None:  # type: ignore[no-untyped-def]
    slices = [(pydicom.dcmread(BytesIO(d)), decode_instance(d)[0]) for d in phantom_series(shape=(8, 40, 40), spacing=(3.0, 1.0, 1.0))]
    w = ViewportWidget()
    qtbot.addWidget(w)
    w.resize(220, 200)
    w.show()
    qtbot.waitExposed(w)
    w.show_display_set(None, None, len(slices), [ds for ds, _ in slices])
    for i, (ds, stored) in enumerate(slices):
        w.set_image(i, stored, ds)
    qtbot.waitUntil(lambda: not w.render_pending, timeout=5000)
    frames: list[int] = []
    w.renderer.render_window.AddObserver("EndEvent", lambda *_: frames.append(w.state.image_index))
    for _ in range(5):  # five wheel notches (or linked steps) before control returns to Qt
        w.state.scroll(1)
    w.state.set_window(0.0, 400.0)
    assert w.render_pending and frames == []
    QApplication.processEvents()
    assert frames == [5] and not w.render_pending
    # What that one frame drew is image 5 with the new window, grey for grey (PS3.4 Annex N).
    ds, stored = slices[5]
    buffer = w.renderer.display_buffer
    assert buffer is not None
    assert np.array_equal(buffer, naive.grey(stored, ds, 0.0, 400.0))
    w.close()
