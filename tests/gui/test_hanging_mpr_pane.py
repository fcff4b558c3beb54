"""A protocol that asks for an MPR plane gets a real reformat (issue 20): the shipped ct-chest
protocol's 'Lung, mediastinum, coronal' stage (the one a chest CT without a prior opens on) shows
in its third viewport the coronal plane of the volume, in the Lung window, not the stored axial
images with a banner; pixels checked against a coronal cut of the phantom made here with numpy."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import numpy as np
import pytest

pytest.importorskip("pytestqt")

from tests.gui.helpers import dispose, expected_grey  # noqa: E402
from tests.gui.reading_studies import SHAPE, chest_study, open_study, study_uid  # noqa: E402
from workstation.settings import load_settings  # noqa: E402
from workstation.ui.app import create_main_window  # noqa: E402
from workstation.ui.main_window import MainWindow  # noqa: E402
from workstation.ui.mpr_view import MprView  # noqa: E402

pytestmark = pytest.mark.gui


@pytest.fixture
def window(qtbot) -> Iterator[tuple[MainWindow, str]]:  # type: ignore[no-untyped-def]
    w = create_main_window(load_settings())
    w.set_hanging_on_open(True)
    items = chest_study(dt.date.today())
    for data in items:
        w.library.add_bytes(data)
    w.show()
    qtbot.waitExposed(w)
    w.activateWindow()
    yield w, study_uid(items)
    dispose(qtbot, w)


def test_the_coronal_viewport_is_a_real_reformat(qtbot, window) -> None:  # type: ignore[no-untyped-def]
    w, uid = window
    view = open_study(qtbot, w, uid)
    hung = w.hanging.hung[view]
    assert hung.result.protocol.id == "ct-chest" and hung.result.stage.name == "Lung, mediastinum, coronal"
    assert view.grid.grid == (1, 3)
    slot = view.binding(2).slot
    pane = getattr(slot, "reformat", None)
    assert isinstance(pane, MprView), "the coronal viewport shows stored images"
    lung = view.binding(0)
    assert lung.display_set is not None and lung.display_set.uid == pane.reformat_display_set.uid
    if lung.loading:  # the same series loads for the lung viewport: the pane reads it after, once
        assert not pane.loading
    qtbot.waitUntil(lambda: pane.viewer is not None, timeout=30000)
    assert pane.pane == "coronal" and pane.maximised == "coronal"
    assert pane.current_window() == (-600.0, 1500.0)  # the viewport's Lung preset
    normal = pane.state.plane("coronal").normal
    assert abs(abs(float(normal[1])) - 1.0) < 1e-6  # the coronal plane: normal along patient y
    assert "stored images" not in slot.annotations.text()
    assert view.binding(2).display_set is None and not view.binding(2).loading  # no stored images loading there

    # What the pane shows, where two uniform regions of the coronal cut project: the Lung
    # window of their HU (PS3.3 C.11.2.1.2.1, written out in tests.gui.helpers.expected_grey).
    volume = pane.viewer.source.volume.astype(float) - 1024.0  # stored -> HU (intercept -1024)
    assert volume.shape == SHAPE
    geometry = pane.state.geometry
    j = (SHAPE[1] - 1) / 2.0  # the coronal plane through the volume's centre
    image = pane.capture()
    checked = set()
    for k in range(3, SHAPE[0] - 3):
        if abs(k - (SHAPE[0] - 1) / 2.0) < 3:
            continue  # away from the crosshair's horizontal line
        for i in range(3, SHAPE[2] - 3):
            if abs(i - (SHAPE[2] - 1) / 2.0) < 3:
                continue
            block = volume[k - 2:k + 3, int(j) - 1:int(j) + 3, i - 2:i + 3]
            if block.min() != block.max() or block.min() in checked:
                continue
            x, y = pane.screen_of("coronal", geometry.index_to_patient((i, j, k)))
            grey = int(image[int(round(y)), int(round(x)), 0])
            want = float(expected_grey(np.array([block.min()]), -600.0, 1500.0)[0])
            assert abs(grey - want) <= 3, (i, k, block.min(), grey, want)
            checked.add(block.min())
    assert len(checked) >= 2  # at least two tissues (air-like and soft tissue) compared


def test_the_mpr_stage_opens_at_the_readers_slice(qtbot, window) -> None:  # type: ignore[no-untyped-def]
    w, uid = window
    view = open_study(qtbot, w, uid)
    lung = view.binding(0)
    qtbot.waitUntil(lambda: lung.viewport.loaded == lung.count, timeout=30000)
    lung.state.image_index = 5
    qtbot.wait(20)
    z = float(lung.header(5).ImagePositionPatient[2])  # the slice the reader is on, from its header
    lung.viewport.view.setFocus()
    w.hanging.step(1, view)  # N: the MPR stage (the comparison stage needs a prior)
    assert w.hanging.hung[view].result.stage.name == "MPR"
    panes = [b.slot.reformat for b in view.bindings]
    assert [p.pane for p in panes] == ["axial", "coronal", "sagittal"]
    qtbot.waitUntil(lambda: all(p.viewer is not None for p in panes), timeout=30000)
    qtbot.wait(20)
    for pane in panes:
        assert abs(float(pane.state.center[2]) - z) < 1e-3, (pane.pane, pane.state.center, z)
    # One volume for the three planes: the same array, read and decoded once.
    assert panes[1].viewer.source.volume is panes[0].viewer.source.volume
    assert panes[2].viewer.source.volume is panes[0].viewer.source.volume

    # And back (Shift+N) from the axial pane moved 4 slices down: the 2D lung opens at that slice.
    view.grid.activate(0)
    panes[0].scroll_plane("axial", -4)
    qtbot.wait(20)
    there = float(panes[0].state.center[2])
    w.hanging.step(-1, view)
    assert w.hanging.hung[view].result.stage.name == "Lung, mediastinum, coronal"
    lung = view.binding(0)
    assert abs(float(lung.header(lung.state.image_index).ImagePositionPatient[2]) - there) < 1e-3

