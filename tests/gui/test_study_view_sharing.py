"""A display set shown in two viewports (a hanging protocol's brain + bone windows) is loaded
once and its stored arrays are shared; while the active viewport scrolls, a linked viewport does
not draw every step but once the reader pauses. On a virtual X server, from the local library."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from workstation.model.foreground import FOREGROUND

pytest.importorskip("pytestqt")

from PySide6.QtWidgets import QApplication  # noqa: E402

from workstation import demo  # noqa: E402
from workstation.model.displayset import build_display_sets  # noqa: E402
from workstation.model.query import StudyQuery  # noqa: E402
from workstation.store.library import Library  # noqa: E402
from workstation.ui.study_view import FOLLOWER_DELAY_MS, StudyView  # noqa: E402
from workstation.ui.viewport import ViewportWidget  # noqa: E402

pytestmark = pytest.mark.gui

SHAPE = (16, 48, 48)


@pytest.fixture
def library(tmp_path: Path) -> Iterator[tuple[Library, str]]:
    lib = Library(tmp_path / "library")
    study_uid = ""
    for data in demo.phantom_series(shape=SHAPE, spacing=(2.0, 1.0, 1.0)):
        lib.add_bytes(data)
    study_uid = lib.search_studies(StudyQuery())[0].study_uid
    yield lib, study_uid
    lib.close()


def _view(qtbot, lib: Library, study_uid: str, hanging: list[str] | None, grid=(1, 2)) -> StudyView:  # type: ignore[no-untyped-def]
    study = lib.search_studies(StudyQuery(study_uid=study_uid))[0]
    headers = lib.study_headers(study_uid)
    display_sets = [ds for ds in build_display_sets(headers) if ds.kind.is_image]
    uid = display_sets[0].uid
    view = StudyView(study, display_sets, headers, library=lib, archive=None, decoder=None,
                     make_viewport=ViewportWidget, grid=grid,
                     hanging=[uid if h == "same" else h for h in hanging] if hanging is not None else None)
    qtbot.addWidget(view)
    view.resize(700, 400)
    view.show()
    qtbot.waitExposed(view)
    return view


def _pump(qtbot, ms: int = 0) -> None:  # type: ignore[no-untyped-def]
    QApplication.processEvents()
    if ms:
        qtbot.wait(ms)
    QApplication.processEvents()


def test_one_display_set_in_two_viewports_loads_once_and_shares_pixels(qtbot, library) -> None:  # type: ignore[no-untyped-def]
    lib, study_uid = library
    view = _view(qtbot, lib, study_uid, ["same", "same"])
    first, second = view.bindings
    assert first.display_set is second.display_set
    assert len(view.loaders) == 1 and first.loader is second.loader
    qtbot.waitUntil(lambda: first.viewport.loaded == SHAPE[0] and second.viewport.loaded == SHAPE[0], timeout=20000)
    loader = first.loader
    assert loader is not None
    qtbot.waitUntil(lambda: loader.finished, timeout=10000)
    # every instance read and decoded once, each image delivered once to both viewports
    assert loader.stats.from_library == SHAPE[0] and loader.stats.delivered == SHAPE[0]
    for i in range(SHAPE[0]):
        assert first.viewport.renderer.stored(i) is second.viewport.renderer.stored(i)
    # a viewport that shows the same display set later gets what arrived at once, no new load
    view.set_grid(1, 3)
    view.show_in_slot(2, first.display_set.uid)
    third = view.binding(2)
    assert third.loader is loader and third.viewport.loaded == SHAPE[0]
    assert third.arrived == set(range(SHAPE[0]))
    # leaving: the load is cancelled only when its last viewport leaves it
    view.clear_slot(2)
    view.clear_slot(1)
    assert not loader.cancelled
    view.clear_slot(0)
    assert loader.cancelled and view.loaders == []
    view.close_study()


def test_linked_viewport_draws_after_the_pause_not_every_step(qtbot, library) -> None:  # type: ignore[no-untyped-def]
    lib, study_uid = library
    view = _view(qtbot, lib, study_uid, ["same", "same"])
    active, linked = view.bindings
    qtbot.waitUntil(lambda: active.viewport.loaded == SHAPE[0] and linked.viewport.loaded == SHAPE[0], timeout=20000)
    view.grid.activate(0)
    assert view.active is active and active.viewport.active and not linked.viewport.active
    _pump(qtbot, 2 * FOLLOWER_DELAY_MS)
    qtbot.waitUntil(lambda: not active.viewport.render_pending and not linked.viewport.render_pending, timeout=5000)
    before_active, before_linked = active.viewport.renders, linked.viewport.renders
    assert linked.viewport.renderer.lazy and not active.viewport.renderer.lazy
    shown_key = linked.viewport.renderer._display_key  # what its display buffer was filled from
    start = active.state.image_index
    steps = 6
    for k in range(1, steps + 1):
        active.state.image_index = start - k if start - k >= 0 else start + k
        assert FOREGROUND.busy  # background loading steps aside while the reader scrolls
        _pump(qtbot)
        assert linked.state.image_index == active.state.image_index  # linked by position
    assert active.viewport.renders - before_active == steps  # one frame per step
    assert linked.viewport.renders == before_linked  # nothing drawn while scrolling ...
    assert linked.viewport.renderer._display_key == shown_key  # ... nor its buffer refilled
    assert linked.viewport.render_pending
    qtbot.waitUntil(lambda: not linked.viewport.render_pending, timeout=5000)
    assert linked.viewport.renders == before_linked + 1  # one frame after the pause
    # what it drew is the linked image: its display buffer is that slice through its table
    renderer = linked.viewport.renderer
    table = renderer.display_table
    assert table is not None
    stored = renderer.stored()
    expected = np.take(table.table, stored.view(np.uint16) if stored.dtype == np.int16 else stored, axis=0) \
        if table.offset == 0 else None
    if expected is not None:
        assert np.array_equal(renderer.display_buffer, expected)
    # the linked viewport made active draws at once again
    view.grid.activate(1)
    assert not linked.viewport.renderer.lazy and active.viewport.renderer.lazy
    linked.state.image_index = max(0, linked.state.image_index - 1)
    _pump(qtbot)
    assert linked.viewport.renders == before_linked + 2
    view.close_study()


def test_arrivals_are_handed_over_a_few_per_turn_the_shown_image_first(qtbot, library, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import workstation.ui.study_view as study_view

    lib, study_uid = library
    view = _view(qtbot, lib, study_uid, ["same", "same"])
    first, second = view.bindings
    qtbot.waitUntil(lambda: first.shared is not None and first.shared.done, timeout=20000)
    shared = first.shared
    current = first.state.image_index
    serial = {i: first.viewport.renderer._slices[i].serial for i in range(SHAPE[0])}
    # the same images arrive again, the shown one last; with no time budget one goes per turn
    order = [i for i in range(SHAPE[0]) if i != current] + [current]
    shared._arrivals.extend((i, *shared.images[i]) for i in order)
    monkeypatch.setattr(study_view, "ARRIVAL_BUDGET_S", 0.0)
    shared._drain()
    changed = [i for i in range(SHAPE[0]) if first.viewport.renderer._slices[i].serial != serial[i]]
    assert changed == [current]  # the image on screen first, and only it in this turn
    assert len(shared._arrivals) == SHAPE[0] - 1
    qtbot.waitUntil(lambda: not shared._arrivals, timeout=10000)  # the rest in later turns
    assert all(first.viewport.renderer._slices[i].serial != serial[i] for i in range(SHAPE[0]))
    assert all(second.viewport.renderer.stored(i) is first.viewport.renderer.stored(i) for i in range(SHAPE[0]))
    view.close_study()
