"""Current and prior of two Frames of Reference scroll together: first by the automatic guess
(the stacks' extent centres aligned), then by the offset the reader sets with "Link current and
prior here", which is remembered after reopening; W/L follows within the protocol's group.
Expected slices are worked out here from the headers' Image Position (Patient)."""

from __future__ import annotations

from io import BytesIO

import numpy as np
import pydicom
import pytest

pytest.importorskip("pytestqt")

from tests.gui.helpers import dispose  # noqa: E402
from tests.gui.test_hanging import PRIOR_DATE, THICK, TODAY, _open, _uid, head_study  # noqa: E402
from workstation.settings import load_settings  # noqa: E402
from workstation.ui.app import create_main_window  # noqa: E402
from workstation.ui.hanging_bridge import AlignmentStore  # noqa: E402

pytestmark = pytest.mark.gui

Z_SHIFT = 12.0  # the prior sits 12 mm higher in its own Frame of Reference


def shifted(items: list[bytes], dz: float) -> list[bytes]:
    out = []
    for data in items:
        ds = pydicom.dcmread(BytesIO(data))
        x, y, z = (float(v) for v in ds.ImagePositionPatient)
        ds.ImagePositionPatient = [x, y, z + dz]
        buf = BytesIO()
        ds.save_as(buf, enforce_file_format=True)
        out.append(buf.getvalue())
    return out


def z_of(binding) -> np.ndarray:  # type: ignore[no-untyped-def]
    return np.array([float(h.ImagePositionPatient[2]) for h in binding.headers])


def nearest(z: np.ndarray, wanted: float) -> int:
    return int(np.argmin(np.abs(z - wanted)))


def open_window(qtbot, current: list[bytes], prior: list[bytes] | None):  # type: ignore[no-untyped-def]
    window = create_main_window(load_settings())
    window.set_hanging_on_open(True)
    for data in (current + prior) if prior else []:
        window.library.add_bytes(data)
    window.show()
    qtbot.waitExposed(window)
    view = _open(qtbot, window, _uid(current), 2)
    qtbot.waitUntil(lambda: window.hanging.hung[view].result.stage_index == 0 and view.grid.grid == (2, 2), timeout=30000)
    return window, view


def test_current_and_prior_link_by_guess_then_by_the_aligned_offset(qtbot) -> None:  # type: ignore[no-untyped-def]
    current, prior = head_study(TODAY), shifted(head_study(PRIOR_DATE), Z_SHIFT)
    window, view = open_window(qtbot, current, prior)
    cur, cur_bone, pri, _pri_bone = (view.binding(i) for i in range(4))
    assert cur.display_set.study_uid == _uid(current) and pri.display_set.study_uid == _uid(prior)
    assert cur.frame_of_reference != pri.frame_of_reference  # nothing relates them but the offset
    zc, zp = z_of(cur), z_of(pri)
    assert len(zc) == len(zp) == THICK[0]
    group = view._groups["hanging:brain"]
    # Automatic guess: the centres of the two extents, from the headers.
    guess = (zp.min() + zp.max()) / 2 - (zc.min() + zc.max()) / 2
    assert guess == pytest.approx(Z_SHIFT)
    assert group.offset(cur.state, pri.state) == pytest.approx(guess)
    for k in (0, 3, THICK[0] - 1):
        cur.state.image_index = k
        assert pri.state.image_index == nearest(zp, zc[k] + guess)
    # The reader aligns another pair: current slice 2 is prior slice 6.
    group.scroll = False
    cur.state.image_index, pri.state.image_index = 2, 6
    group.scroll = True
    view.grid.activate(0)
    assert view.active is cur
    offset = window.hanging.align_here(view)
    assert offset == pytest.approx(zp[6] - zc[2])
    for k in (0, 5, 8):
        cur.state.image_index = k
        assert pri.state.image_index == nearest(zp, zc[k] + offset)
    assert AlignmentStore().get(cur.display_set.series_uid, pri.display_set.series_uid) == pytest.approx(offset)
    assert AlignmentStore().get(pri.display_set.series_uid, cur.display_set.series_uid) == pytest.approx(-offset)
    # W/L follows within the brain group, not into the bone group.
    bone_window = cur_bone.state.window
    cur.state.update(window_center=55.0, window_width=130.0)
    assert pri.state.window == (55.0, 130.0) and cur_bone.state.window == bone_window
    dispose(qtbot, window)

    # Reopened: the stored offset links them again (not the guess).
    window, view = open_window(qtbot, current, None)
    cur, pri = view.binding(0), view.binding(2)
    group = view._groups["hanging:brain"]
    assert group.offset(cur.state, pri.state) == pytest.approx(offset)
    cur.state.image_index = 7
    assert pri.state.image_index == nearest(z_of(pri), z_of(cur)[7] + offset)
    dispose(qtbot, window)
