"""The comparison is there when the study opens (issue 20): a CT chest with a prior of the same
patient in the library opens (once the prior is found) on the shipped ct-chest protocol's first
stage with the prior under the current study, scroll-linked; the prior's series are listed in the
series browser under its date; changing stage keeps the reader's place (N and back)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest

pytest.importorskip("pytestqt")

from PySide6.QtCore import Qt  # noqa: E402

from tests.gui.helpers import dispose, shot  # noqa: E402
from tests.gui.reading_studies import SHAPE, chest_study, open_study, study_uid  # noqa: E402
from workstation.settings import load_settings  # noqa: E402
from workstation.ui.app import create_main_window  # noqa: E402
from workstation.ui.main_window import MainWindow  # noqa: E402
from workstation.ui.viewport_grid import DISPLAY_SET_MIME  # noqa: E402

pytestmark = pytest.mark.gui

TODAY = dt.date.today()
PRIOR_DATE = dt.date(2021, 5, 4)


@pytest.fixture
def window(qtbot) -> Iterator[tuple[MainWindow, str, str]]:  # type: ignore[no-untyped-def]
    w = create_main_window(load_settings())
    w.set_hanging_on_open(True)
    current, prior = chest_study(TODAY), chest_study(PRIOR_DATE)
    for data in current + prior:
        w.library.add_bytes(data)
    w.show()
    qtbot.waitExposed(w)
    w.activateWindow()
    yield w, study_uid(current), study_uid(prior)
    dispose(qtbot, w)


def test_ct_chest_opens_beside_its_prior_linked_and_stages_keep_the_place(qtbot, window) -> None:  # type: ignore[no-untyped-def]
    w, current_uid, prior_uid = window
    view = open_study(qtbot, w, current_uid)
    qtbot.waitUntil(lambda: view.grid.grid == (2, 2), timeout=30000)
    hung = w.hanging.hung[view]
    assert hung.result.protocol.id == "ct-chest" and hung.result.stage_index == 0
    studies = [b.display_set.study_uid if b.display_set is not None else None for b in view.bindings]
    assert studies == [current_uid, current_uid, prior_uid, prior_uid]
    assert [b.display_set.series_number for b in view.bindings] == [2, 3, 2, 3]  # type: ignore[union-attr]
    for binding in view.bindings:
        qtbot.waitUntil(lambda b=binding: b.viewport.loaded == b.count, timeout=30000)

    # The prior's series are listed in the series browser, under a heading with its date.
    prior_sets = [b.display_set.uid for b in view.bindings[2:]]  # type: ignore[union-attr]
    listed = view.browser.uids()
    assert all(uid in listed for uid in prior_sets)
    headings = [view.browser.item(r).text() for r in range(view.browser.count()) if not view.browser.uid_at(r)]
    assert headings and headings[0].startswith(f"Prior {PRIOR_DATE.isoformat()}")

    # Linked already: scrolling the current lung moves the prior lung (same anatomy, same index
    # here: both stacks cover the same extent) and the current mediastinum.
    lung, medi, prior_lung, prior_medi = view.bindings
    lung.state.image_index = 7
    qtbot.wait(20)
    assert prior_lung.state.image_index == 7
    assert medi.state.image_index == 7 and prior_medi.state.image_index == 7
    shot(w, "20-ct-chest-with-prior")

    # Changing stage keeps the place: N (lung, mediastinum, coronal), then back (Shift+N).
    view.grid.activate(0)
    lung.viewport.view.setFocus()
    qtbot.keyClick(lung.viewport.view, Qt.Key.Key_N)
    qtbot.waitUntil(lambda: view.grid.grid == (1, 3), timeout=5000)
    assert hung.result.stage_index == 1
    assert view.binding(0).state.image_index == 7
    assert view.binding(1).state.image_index == 7
    view.binding(0).state.image_index = 11
    qtbot.wait(20)
    view.binding(0).viewport.view.setFocus()
    qtbot.keyClick(view.binding(0).viewport.view, Qt.Key.Key_N, Qt.KeyboardModifier.ShiftModifier)
    qtbot.waitUntil(lambda: view.grid.grid == (2, 2), timeout=5000)
    assert hung.result.stage_index == 0
    assert [b.state.image_index for b in view.bindings] == [11, 11, 11, 11]
    assert SHAPE[0] > 11

    # A prior series dragged from the list onto a viewport shows there; its heading drags nothing.
    rows = [view.browser.uid_at(r) for r in range(view.browser.count())]
    dragged = view.browser.mimeData([view.browser.item(rows.index(prior_sets[1]))])
    uid = bytes(dragged.data(DISPLAY_SET_MIME).data()).decode("utf-8")
    assert uid == prior_sets[1]
    assert not view.browser.mimeData([view.browser.item(rows.index(""))]).hasFormat(DISPLAY_SET_MIME)
    view.binding(1).slot.dropped.emit(1, uid)
    assert view.binding(1).display_set is not None and view.binding(1).display_set.uid == prior_sets[1]
