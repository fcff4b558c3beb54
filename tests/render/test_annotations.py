"""Presentation-state annotations (PS3.3 C.10.5) land on the screen pixels their coordinates say.

Expected screen positions are worked out here by hand from the annotation coordinates of PS3.3
C.10.5.1.2 ((0, 0) is the outer top-left corner of the first pixel, so the centre of pixel
(c, r) is (c + 0.5, r + 0.5)), the fit scale, a clockwise rotation and a screen flip, without the
viewport's own transform functions.
"""

from __future__ import annotations

from io import BytesIO
from pathlib import Path

import numpy as np
import pydicom
import pytest

from workstation.demo import phantom_series
from workstation.model.decode import decode_instance
from workstation.model.presentation_state import DrawOp, read_presentation_state
from workstation.render.slice_renderer import SliceRenderer

RED = (255, 0, 0)
CYAN = (0, 255, 255)
SIZE = 64  # image columns = rows
VIEW = 240  # offscreen window is 240 x 200 (conftest)


def _is(picture: np.ndarray, x: float, y: float, rgb: tuple[int, int, int], radius: int = 1) -> bool:
    """Whether a pixel of this colour lies within ``radius`` pixels of screen point (x, y)."""
    xi, yi = int(np.floor(x)), int(np.floor(y))
    patch = picture[max(0, yi - radius): yi + radius + 1, max(0, xi - radius): xi + radius + 1].astype(int)
    return bool((np.abs(patch - np.array(rgb)).max(axis=-1) < 60).any())


@pytest.fixture(scope="module")
def phantom_slice() -> tuple[pydicom.Dataset, np.ndarray]:
    data = next(iter(phantom_series(shape=(1, SIZE, SIZE), spacing=(3.0, 1.0, 1.0))))
    return pydicom.dcmread(BytesIO(data)), decode_instance(data)[0]


def test_polyline_and_text_follow_zoom_rotation_and_flip(offscreen_renderer: SliceRenderer, phantom_slice) -> None:  # type: ignore[no-untyped-def]
    ds, stored = phantom_slice
    r = offscreen_renderer
    r.set_stack(1, [ds])
    r.set_image(0, stored, ds)
    r.set_overlays_visible(False)
    # A polyline through the centres of pixels (10, 20) and (50, 20); a text box below it.
    line = DrawOp("polyline", "L", 0, points=((10.5, 20.5), (50.5, 20.5)), colour=RED)
    text = DrawOp("text", "L", 0, text="MMMM", bounding_box=((12.0, 40.0), (40.0, 52.0)), colour=CYAN)
    r.set_annotations([line, text])
    zoom = 1.2
    r.state.update(zoom=zoom)
    r.state.rotate_clockwise()
    r.state.flip_screen_horizontal()
    picture = r.capture()
    height, width = picture.shape[:2]
    scale = zoom * min(width, height) / SIZE  # square image in a 240 x 200 window: fit to height
    centre = (SIZE - 1) / 2.0  # image centre in pixel-centre coordinates

    def expected(c: float, r_: float) -> tuple[float, float]:
        dx, dy = c - centre, r_ - centre
        # clockwise on screen (y down): (dx, dy) -> (-dy, dx); then a screen mirror: x -> -x
        return (width / 2.0 + scale * dy, height / 2.0 + scale * dx)

    for t in np.linspace(0.1, 0.9, 9):
        c = 10 + 40 * t
        x, y = expected(c, 20)
        assert _is(picture, x, y, RED), (c, x, y)
        # the line is thin: nothing red a few pixels to either side of it
        assert not _is(picture, x - 4, y, RED, 0) and not _is(picture, x + 4, y, RED, 0)
    # beyond the ends: no line
    x, y = expected(5, 20)
    assert not _is(picture, x, y, RED, 0)
    # text box: corners (11.5, 39.5) and (39.5, 51.5) in pixel-centre units; its on-screen box
    # after rotation + flip is the transpose; LEFT text starts at the box's left, top edge
    (x0, y0), (x1, y1) = expected(11.5, 39.5), expected(39.5, 51.5)
    placed = r.overlays.annotations[0]
    assert placed.text == "MMMM" and placed.justification == "LEFT"
    assert placed.position == pytest.approx((min(x0, x1), min(y0, y1)), abs=1e-6)
    cyan = np.abs(picture.astype(int) - np.array(CYAN)).max(axis=-1) < 60
    ys, xs = np.nonzero(cyan)
    assert len(xs) > 10
    assert xs.min() >= min(x0, x1) - 2 and ys.min() >= min(y0, y1) - 2
    # annotations belong to their image: none on another image of the stack
    assert r.annotations(0) == (line, text)
    r.set_annotations([])
    assert not _is(r.capture(), *expected(30, 20), RED)


def test_point_circle_and_interpolated(offscreen_renderer: SliceRenderer, phantom_slice) -> None:  # type: ignore[no-untyped-def]
    ds, stored = phantom_slice
    r = offscreen_renderer
    r.set_stack(1, [ds])
    r.set_image(0, stored, ds)
    r.set_overlays_visible(False)
    ops = [
        DrawOp("circle", "L", 0, points=((32.0, 32.0), (42.0, 32.0)), centre=(32.0, 32.0), radii=(10.0, 10.0), colour=RED),
        DrawOp("point", "L", 0, points=((8.5, 8.5),), colour=CYAN),
        DrawOp("interpolated", "L", 0, points=((5.0, 55.0), (20.0, 60.0), (35.0, 55.0)), colour=CYAN),
    ]
    r.set_annotations(ops)
    picture = r.capture()
    height, width = picture.shape[:2]
    scale = min(width, height) / SIZE
    centre = (SIZE - 1) / 2.0

    def expected(c: float, r_: float) -> tuple[float, float]:
        return (width / 2.0 + scale * (c - centre), height / 2.0 + scale * (r_ - centre))

    for angle in np.linspace(0, 2 * np.pi, 12, endpoint=False):  # circle centre (31.5, 31.5), radius 10
        assert _is(picture, *expected(31.5 + 10 * np.cos(angle), 31.5 + 10 * np.sin(angle)), RED)
    assert not _is(picture, *expected(31.5, 31.5), RED, 2)
    assert _is(picture, *expected(8.0, 8.0), CYAN)  # the point's centre of the cross
    for c, row in ((4.5, 54.5), (19.5, 59.5), (34.5, 54.5)):  # the curve passes through its points
        assert _is(picture, *expected(c, row), CYAN)


@pytest.mark.shared_data
def test_real_gsps_ellipse_drawn_where_its_graphic_data_says(shared_data: Path, offscreen_renderer: SliceRenderer) -> None:
    folder = shared_data / "orthanc_tests_selected" / "HierarchicalAnonymization" / "2019-03-28"
    image_path, ps_path = folder / "CR000000.dcm", folder / "PR000000.dcm"
    if not image_path.exists() or not ps_path.exists():
        pytest.skip("the GSPS test pair is not in the shared data")
    ds = pydicom.dcmread(image_path)
    # This anonymised CR has its header only (no Pixel Data): grey stored values of its size.
    stored = np.ascontiguousarray(ds.pixel_array) if "PixelData" in ds else np.full((int(ds.Rows), int(ds.Columns)), 2048, np.uint16)
    state = read_presentation_state(ps_path.read_bytes())
    params = state.display_for(str(ds.SOPInstanceUID), 1, rows=int(ds.Rows), columns=int(ds.Columns))
    assert params is not None
    r = offscreen_renderer
    r.set_stack(1, [ds])
    r.set_image(0, stored, ds)
    r.set_overlays_visible(False)
    r.state.update(rotation=params.rotation, flip_horizontal=params.flip_horizontal)
    r.set_annotations(params.annotations)
    picture = r.capture()
    height, width = picture.shape[:2]
    columns, rows = int(ds.Columns), int(ds.Rows)
    scale = min(width / columns, height / rows)
    # The ellipse straight from the GraphicData: major axis ends, then minor axis ends.
    ps = pydicom.dcmread(ps_path)
    graphic = next(g for item in ps.GraphicAnnotationSequence for g in item.get("GraphicObjectSequence", [])
                   if g.GraphicType == "ELLIPSE")
    xs, ys = [float(v) for v in graphic.GraphicData[0::2]], [float(v) for v in graphic.GraphicData[1::2]]
    cx, cy = (xs[0] + xs[1]) / 2, (ys[0] + ys[1]) / 2
    a, b = np.hypot(xs[1] - xs[0], ys[1] - ys[0]) / 2, np.hypot(xs[3] - xs[2], ys[3] - ys[2]) / 2
    assert ys[0] == ys[1]  # this one's major axis is horizontal
    green = (picture[..., 1].astype(int) > 200) & (picture[..., 0].astype(int) < 150) & (picture[..., 2].astype(int) < 150)
    hits = 0
    for angle in np.linspace(0, 2 * np.pi, 24, endpoint=False):
        # annotation units (outer corner origin) -> screen: subtract the half pixel, then scale
        px, py = cx + a * np.cos(angle) - 0.5, cy + b * np.sin(angle) - 0.5
        x = width / 2.0 + scale * (px - (columns - 1) / 2.0)
        y = height / 2.0 + scale * (py - (rows - 1) / 2.0)
        xi, yi = int(np.floor(x)), int(np.floor(y))
        if 0 <= xi < width and 0 <= yi < height:
            hits += bool(green[max(0, yi - 1): yi + 2, max(0, xi - 1): xi + 2].any())
    assert hits >= 20
    # and nowhere near the ellipse's centre
    x = width / 2.0 + scale * (cx - 0.5 - (columns - 1) / 2.0)
    y = height / 2.0 + scale * (cy - 0.5 - (rows - 1) / 2.0)
    assert not green[int(y) - 3: int(y) + 4, int(x) - 3: int(x) + 4].any()
    # its measurement text is placed too (plain text, first line)
    assert any(t.text.startswith("Mean:") for t in r.overlays.annotations)


def test_filled_graphics_are_filled_inside_only(offscreen_renderer: SliceRenderer, phantom_slice) -> None:  # type: ignore[no-untyped-def]
    """Graphic Filled (PS3.3 C.10.5.1.2): a filled circle and a filled concave (L-shaped) closed
    polyline cover their inside, and not the notch of the L."""
    ds, stored = phantom_slice
    r = offscreen_renderer
    r.set_stack(1, [ds])
    r.set_image(0, stored, ds)
    r.set_overlays_visible(False)
    ell = ((4.0, 4.0), (28.0, 4.0), (28.0, 12.0), (12.0, 12.0), (12.0, 28.0), (4.0, 28.0), (4.0, 4.0))
    ops = [
        DrawOp("circle", "L", 0, points=((44.0, 44.0), (52.0, 44.0)), filled=True, closed=True, centre=(44.0, 44.0), radii=(8.0, 8.0), colour=RED),
        DrawOp("polyline", "L", 0, points=ell, filled=True, closed=True, colour=CYAN),
    ]
    r.set_annotations(ops)
    picture = r.capture()
    height, width = picture.shape[:2]
    scale = min(width, height) / SIZE
    centre = (SIZE - 1) / 2.0

    def expected(c: float, r_: float) -> tuple[float, float]:
        return (width / 2.0 + scale * (c - centre), height / 2.0 + scale * (r_ - centre))

    assert _is(picture, *expected(43.5, 43.5), RED, 0)  # circle centre (44, 44) - 0.5
    assert _is(picture, *expected(7.5, 7.5), CYAN, 0)  # inside the L
    assert _is(picture, *expected(7.5, 23.5), CYAN, 0)
    assert not _is(picture, *expected(19.5, 19.5), CYAN, 1)  # the notch of the L stays image
