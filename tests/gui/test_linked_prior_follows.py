"""Linked scrolling keeps up (issue 20): while the reader scrolls the current lung fast (a step
every 16 ms), the prior's viewport in the same sync group draws the matching slice within a frame
or two, not only after the scrolling stops. Measured on the CT chest pair (current and prior in
the library, laid out by the shipped ct-chest protocol): for every step, the time from the step
to the prior's first frame showing its matching slice (or a later one)."""

from __future__ import annotations

import datetime as dt
import statistics
import time
from collections.abc import Iterator

import pytest

pytest.importorskip("pytestqt")

from tests.gui.helpers import dispose  # noqa: E402
from tests.gui.reading_studies import chest_study, open_study, study_uid  # noqa: E402
from workstation.settings import load_settings  # noqa: E402
from workstation.ui.app import create_main_window  # noqa: E402
from workstation.ui.main_window import MainWindow  # noqa: E402

pytestmark = pytest.mark.gui

SHAPE = (80, 96, 96)
STEP_MS = 16


@pytest.fixture
def window(qtbot) -> Iterator[tuple[MainWindow, str]]:  # type: ignore[no-untyped-def]
    w = create_main_window(load_settings())
    w.set_hanging_on_open(True)
    current = chest_study(dt.date.today(), shape=SHAPE)
    for data in current + chest_study(dt.date(2021, 5, 4), shape=SHAPE):
        w.library.add_bytes(data)
    w.show()
    qtbot.waitExposed(w)
    w.activateWindow()
    yield w, study_uid(current)
    dispose(qtbot, w)


def test_the_prior_follows_fast_scrolling_within_a_frame_or_two(qtbot, window) -> None:  # type: ignore[no-untyped-def]
    w, uid = window
    view = open_study(qtbot, w, uid)
    qtbot.waitUntil(lambda: view.grid.grid == (2, 2), timeout=30000)
    for binding in view.bindings:
        qtbot.waitUntil(lambda b=binding: b.viewport.loaded == b.count, timeout=60000)
    lead, prior = view.binding(0), view.binding(2)
    view.grid.activate(0)
    lead.state.image_index = 0
    qtbot.wait(300)
    assert prior.state.image_index == 0 and SHAPE[0] > 61
    drawn: list[tuple[float, int]] = []
    original = prior.viewport.render_now

    def recording() -> None:
        original()
        drawn.append((time.perf_counter(), prior.state.image_index))

    prior.viewport.render_now = recording  # type: ignore[method-assign]
    steps: list[tuple[float, int]] = []
    lead_frames = lead.viewport.renders
    for _ in range(60):
        lead.state.scroll(1)
        steps.append((time.perf_counter(), prior.state.image_index))
        qtbot.wait(STEP_MS)
    end = time.perf_counter()
    lead_frames = lead.viewport.renders - lead_frames
    qtbot.wait(400)
    lags = []
    for t, wanted in steps:
        shown = next((when for when, index in drawn if when >= t and index >= wanted), None)
        lags.append(((shown if shown is not None else end + 1.0) - t) * 1000)
    during = sum(1 for when, _i in drawn if when <= end)
    print(f"\nprior lag over {len(steps)} steps of {STEP_MS} ms: median {statistics.median(lags):.0f} ms, "
          f"max {max(lags):.0f} ms; frames while scrolling: prior {during}, current {lead_frames}")
    # Thresholds with room for a loaded machine; the code before this change measured a median
    # of 720-750 ms and a maximum of 1.3 s, with no prior frame while scrolling.
    assert during >= len(steps) // 10, "the prior did not draw while the reader scrolled"
    assert statistics.median(lags) < 200
    assert max(lags) < 500
