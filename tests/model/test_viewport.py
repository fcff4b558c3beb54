"""Viewport state, the display transform, sync groups and the layout grid."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pydicom
import pytest
from pydicom.data import get_testdata_file
from pydicom.dataset import Dataset

from workstation.model.displayset import build_display_sets
from workstation.model.image_plane import ImagePlane
from workstation.model.spatial import StackGeometry
from workstation.model.viewport import (
    DEFAULT_CINE_FPS,
    PIXELS,
    Layout,
    SyncGroup,
    ViewportState,
    default_cine_fps,
)

AXIAL = (1.0, 0.0, 0.0, 0.0, 1.0, 0.0)
FOR = "1.2.826.0.1.3680043.2.1125.7"


def axial_stack(z_values, frame=FOR) -> StackGeometry:
    planes = [
        ImagePlane(f"1.2.{n}", None, n, n + 1, np.array([-50.0, -50.0, z]), np.array(AXIAL), (0.5, 0.5), 200, 200)
        for n, z in enumerate(z_values)
    ]
    return StackGeometry(planes, frame)


class Recorder:
    def __init__(self) -> None:
        self.calls: list[frozenset[str]] = []

    def __call__(self, names: frozenset[str]) -> None:
        self.calls.append(names)


def test_changes_notify_with_field_names_once():
    state = ViewportState(display_set_uid="a", image_count=10)
    seen = Recorder()
    state.events.connect(seen)
    state.image_index = 4
    state.image_index = 4  # no change: no call
    state.update(window_center=40, window_width=80, invert=False)  # invert unchanged
    assert seen.calls == [frozenset({"image_index"}), frozenset({"window_center", "window_width"})]
    state.scroll(100)
    assert state.image_index == 9
    state.scroll(-100)
    assert state.image_index == 0
    state.update(image_index=7)
    state.image_count = 5  # clamps the index and says so
    assert state.image_index == 4 and seen.calls[-1] == frozenset({"image_count", "image_index"})
    state.window_width = 0.2
    assert state.window_width == 1.0  # PS3.3 C.11.2.1.2: width >= 1
    with pytest.raises(ValueError):
        state.rotation = 45
    with pytest.raises(AttributeError):
        state.update(slab=3)
    heard_so_far = len(seen.calls)
    state.events.disconnect(seen)
    state.image_index = 1
    assert len(seen.calls) == heard_so_far


def test_show_resets_the_view_and_cine_loops():
    state = ViewportState()
    state.update(zoom=3, rotation=90, flip_horizontal=True, window_center=1, window_width=2, colormap="hot_iron")
    state.show("b#1", 34, image_index=33, cine_fps=25.0)
    assert state.snapshot() == {
        "display_set_uid": "b#1", "image_index": 33, "image_count": 34, "window_center": None, "window_width": None,
        "invert": False, "colormap": "", "zoom": 1.0, "zoom_mode": "fit", "pan": (0.0, 0.0), "rotation": 0,
        "flip_horizontal": False, "flip_vertical": False, "cine_playing": False, "cine_fps": 25.0,
    }
    state.next_cine_frame()
    assert state.image_index == 0


def test_transform_by_hand():
    state = ViewportState()
    viewport, image = (400.0, 200.0), (100, 50)
    # fit: min(400/100, 200/50) = 4 screen pixels per image pixel
    assert state.scale(viewport, image) == pytest.approx(4.0)
    # image centre (49.5, 24.5) at screen centre (200, 100); pixel (0, 0) 49.5*4 left, 24.5*4 up
    assert state.image_to_screen((0, 0), viewport, image) == pytest.approx((2.0, 2.0))
    state.rotate_clockwise()
    # rotated, the image is 50 wide and 100 tall: min(400/50, 200/100) = 2
    assert state.scale(viewport, image) == pytest.approx(2.0)
    # clockwise: the image's top-left corner goes to the top-right
    x, y = state.image_to_screen((0, 0), viewport, image)
    assert (x, y) == pytest.approx((200 + 24.5 * 2, 100 - 49.5 * 2))
    state.update(rotation=0, flip_horizontal=True, zoom=2.0, pan=(10.0, -5.0))
    # flipped: pixel 0 is at the right; zoom 2 -> scale 8; pan 10, -5 image pixels -> 80, -40
    assert state.image_to_screen((0, 0), viewport, image) == pytest.approx((200 + 80 + 49.5 * 8, 100 - 40 - 24.5 * 8))
    for point in ((3.0, 7.0), (99.0, 0.0)):
        assert state.screen_to_image(state.image_to_screen(point, viewport, image), viewport, image) == pytest.approx(point)
    state.one_to_one()
    assert state.zoom_mode == PIXELS and state.scale(viewport, image) == 1.0


def test_non_square_pixels_keep_their_aspect():
    state = ViewportState()
    # rows twice as far apart as columns: 100 x 50 pixels are 100 x 100 units
    assert state.scale((300.0, 300.0), (100, 50), pixel_aspect=2.0) == pytest.approx(3.0)
    a = state.image_to_screen((0, 0), (300.0, 300.0), (100, 50), 2.0)
    b = state.image_to_screen((0, 1), (300.0, 300.0), (100, 50), 2.0)
    c = state.image_to_screen((1, 0), (300.0, 300.0), (100, 50), 2.0)
    assert b[1] - a[1] == pytest.approx(2 * (c[0] - a[0]))


def test_zoom_about_keeps_the_point_under_the_mouse():
    state = ViewportState(rotation=90, flip_vertical=True)
    viewport, image = (512.0, 384.0), (256, 256)
    anchor = (100.0, 300.0)
    under = state.screen_to_image(anchor, viewport, image)
    state.zoom_about(2.5, anchor, viewport, image)
    assert state.zoom == pytest.approx(2.5)
    assert state.image_to_screen(under, viewport, image) == pytest.approx(anchor)
    before = state.image_to_screen((10, 10), viewport, image)
    state.pan_by_screen(30, -12, viewport, image)
    after = state.image_to_screen((10, 10), viewport, image)
    assert (after[0] - before[0], after[1] - before[1]) == pytest.approx((30, -12))


def test_screen_flips_compose_with_rotation():
    viewport, image = (300.0, 300.0), (100, 100)
    state = ViewportState()
    state.rotate_clockwise()
    before = state.image_to_screen((0, 0), viewport, image)
    state.flip_screen_horizontal()
    after = state.image_to_screen((0, 0), viewport, image)
    # mirroring the screen left-right moves x to 300 - x and keeps y
    assert after == pytest.approx((300 - before[0], before[1]))
    state.flip_screen_vertical()
    last = state.image_to_screen((0, 0), viewport, image)
    assert last == pytest.approx((after[0], 300 - after[1]))


def test_default_cine_rate_from_the_cine_module():
    ds = Dataset()
    assert default_cine_fps(ds) == DEFAULT_CINE_FPS
    ds.CineRate = 20
    assert default_cine_fps(ds) == 20
    ds.FrameTimeVector = [0, 40, 40, 40]
    assert default_cine_fps(ds) == pytest.approx(25.0)
    ds.FrameTime = "33.3333"
    assert default_cine_fps(ds) == pytest.approx(30.0, rel=1e-4)
    ds.RecommendedDisplayFrameRate = 15
    assert default_cine_fps(ds) == 15


def test_cine_rate_of_real_multiframe():
    # a real 30-frame ultrasound cine bundled with pydicom (Frame Time 33.333 ms)
    ds = pydicom.dcmread(get_testdata_file("examples_ybr_color.dcm", download=False), stop_before_pixels=True)
    expected = None
    if "RecommendedDisplayFrameRate" in ds:
        expected = float(ds.RecommendedDisplayFrameRate)
    elif "FrameTime" in ds:
        expected = 1000.0 / float(ds.FrameTime)
    elif "CineRate" in ds:
        expected = float(ds.CineRate)
    assert expected is not None, "the cine should carry a frame rate"
    assert default_cine_fps(ds) == pytest.approx(expected)


# -- sync --------------------------------------------------------------------------------------


def test_sync_by_position_between_thick_and_thin_slices():
    fine = axial_stack([float(z) for z in range(0, 50)])  # 1 mm
    thick = axial_stack([2.0 + 5.0 * k for k in range(10)])  # 5 mm, from z = 2
    a, b = ViewportState("fine", image_count=50), ViewportState("thick", image_count=10)
    group = SyncGroup()
    group.add(a, fine)
    group.add(b, thick)
    heard = Recorder()
    a.events.connect(heard)
    a.image_index = 23  # z = 23: nearest thick slice is z = 22 (index 4)
    assert b.image_index == 4
    a.image_index = 25  # z = 25: 27 is 2 away, 22 is 3 away
    assert b.image_index == 5
    b.image_index = 9  # z = 47 -> fine index 47
    assert a.image_index == 47
    assert heard.calls == [frozenset({"image_index"})] * 3  # no echo back to the leader


def test_reversed_order_and_other_frames_sync_by_index_offset():
    up = axial_stack([float(z) for z in range(20)])
    down = axial_stack([float(z) for z in range(19, -1, -1)])
    a, b = ViewportState("up", image_count=20), ViewportState("down", image_count=20)
    group = SyncGroup()
    group.add(a, up)
    group.add(b, down)
    a.image_index = 3
    assert b.image_index == 16  # same z = 3

    other = axial_stack([float(z) for z in range(20)], frame="9.9")
    c = ViewportState("other", image_count=20, image_index=5)
    d = ViewportState("up2", image_count=20, image_index=2)
    group2 = SyncGroup()
    group2.add(c, other)
    group2.add(d, up)
    c.image_index = 9  # different Frame of Reference: offset kept (5 -> 2, so 9 -> 6)
    assert d.image_index == 6
    c.image_index = 19
    assert d.image_index == 16


def test_window_and_zoom_sync_and_removal():
    a, b, c = ViewportState(), ViewportState(), ViewportState()
    group = SyncGroup(scroll=False, window=True, zoom_pan=True)
    for state in (a, b, c):
        group.add(state)
    a.set_window(40, 80)
    a.update(zoom=2.0, pan=(3.0, 4.0))
    for state in (b, c):
        assert state.window == (40.0, 80.0) and state.zoom == 2.0 and state.pan == (3.0, 4.0)
    group.remove(c)
    b.set_window(-600, 1500)
    assert a.window == (-600.0, 1500.0) and c.window == (40.0, 80.0)
    assert len(c.events) == 0


def test_groups_chain_but_cycles_stop():
    a, b = ViewportState("a", image_count=100), ViewportState("b", image_count=100)
    c = ViewportState("c", image_count=5)  # short: it stops at its last image
    groups = [SyncGroup(), SyncGroup(), SyncGroup()]
    for group, pair in zip(groups, ((a, b), (b, c), (c, a)), strict=True):
        for state in pair:
            group.add(state)  # no geometry: index offsets (all 0 when linked)
    a_heard, b_heard = Recorder(), Recorder()
    a.events.connect(a_heard)
    b.events.connect(b_heard)
    a.image_index = 20
    # c stops at 4; without the wave guard c would pull a (and b) back to 4 through the cycle
    assert (a.image_index, b.image_index, c.image_index) == (20, 20, 4)
    assert a_heard.calls == [frozenset({"image_index"})] and b_heard.calls == [frozenset({"image_index"})]
    # a chain through two groups: d -> e (group 1), e -> f (group 2)
    d, e, f = (ViewportState(n, image_count=50) for n in "def")
    one, two = SyncGroup(), SyncGroup()
    one.add(d)
    one.add(e)
    two.add(e)
    two.add(f)
    d.image_index = 7
    assert (e.image_index, f.image_index) == (7, 7)


def test_non_parallel_series_of_one_frame_do_not_scroll_each_other():
    axial = axial_stack([0.0, 1.0, 2.0])
    sag = StackGeometry(
        [ImagePlane(f"9.{k}", None, k, k, np.array([float(k), 0, 0]), np.array([0.0, 1, 0, 0, 0, -1]), (1.0, 1.0), 10, 10) for k in range(3)],
        FOR,
    )
    a, b = ViewportState("ax", image_count=3), ViewportState("sag", image_count=3)
    group = SyncGroup()
    group.add(a, axial)
    group.add(b, sag)
    a.image_index = 2
    assert b.image_index == 0


@pytest.fixture(scope="module")
def phantom_sets(shared_data: Path):
    root = shared_data / "ct_head_phantom_philips"
    headers = {name: [pydicom.dcmread(f, stop_before_pixels=True) for f in sorted((root / name).glob("*.dcm"))] for name in ("S2010", "S2020")}
    return headers, {name: build_display_sets(h)[0] for name, h in headers.items()}


def test_phantom_1mm_scroll_moves_5mm_to_nearest_position(phantom_sets):
    headers, sets = phantom_sets
    frame = str(headers["S2020"][0].FrameOfReferenceUID)
    assert str(headers["S2010"][0].FrameOfReferenceUID) == frame
    fine_geo = StackGeometry.from_display_set(sets["S2020"], frame)
    thick_geo = StackGeometry.from_display_set(sets["S2010"], frame)
    fine = ViewportState(sets["S2020"].uid, image_count=len(sets["S2020"].frames))
    thick = ViewportState(sets["S2010"].uid, image_count=len(sets["S2010"].frames))
    group = SyncGroup()
    group.add(fine, fine_geo)
    group.add(thick, thick_geo)
    # independent: z of each slice straight from the headers, in the display set's order
    z_of = {h.SOPInstanceUID: float(h.ImagePositionPatient[2]) for h in headers["S2020"] + headers["S2010"]}
    z_fine = [z_of[uid] for uid, _ in sets["S2020"].frames]
    z_thick = np.array([z_of[uid] for uid, _ in sets["S2010"].frames])
    moved = set()
    for k in range(0, len(z_fine), 7):
        fine.image_index = k
        expected = int(np.argmin(np.abs(z_thick - z_fine[k])))
        assert thick.image_index == expected, k
        assert abs(z_thick[thick.image_index] - z_fine[k]) <= 2.5 + 1e-6 or z_fine[k] < z_thick.min() or z_fine[k] > z_thick.max()
        moved.add(expected)
    assert len(moved) > 10  # the 5 mm series really scrolled, not by index


# -- layout ------------------------------------------------------------------------------------


def test_layout_grid_active_and_maximise():
    layout = Layout()
    heard = Recorder()
    layout.events.connect(heard)
    layout.set_grid(2, 3)
    assert layout.grid == (2, 3) and len(layout.viewports) == 6
    layout.assign(4, "s#1", 30, image_index=12)
    assert layout.display_sets() == (None, None, None, None, "s#1", None)
    assert layout.cell(4) == (1, 1)
    layout.activate(4)
    layout.toggle_maximise()
    assert layout.maximised == 4 and layout.visible() == (4,)
    layout.toggle_maximise(4)
    assert layout.maximised is None and layout.visible() == tuple(range(6))
    layout.toggle_maximise(5)
    assert layout.active == 5 and layout.maximised == 5
    kept = layout.viewport(4)
    layout.set_grid(2, 2)  # viewports 4 and 5 go; so do active and maximised
    assert layout.active == 0 and layout.maximised is None and kept not in layout.viewports
    layout.set_grid(4, 4)
    assert len(layout.viewports) == 16
    with pytest.raises(ValueError):
        layout.set_grid(5, 1)
    with pytest.raises(IndexError):
        layout.activate(16)
    assert heard.calls[0] == frozenset({"grid"})
    assert frozenset({"grid", "active", "maximised"}) in heard.calls
