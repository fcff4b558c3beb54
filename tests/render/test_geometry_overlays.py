"""Where things land on screen, and what the overlays say.

A generated image with a bright marker at a known patient point (placed with the Image Plane
equation of PS3.3 C.7.6.2.1.1, solved here by hand) must appear at the screen pixel that
ViewportState.image_to_screen predicts, under zoom, pan, every rotation and flip, with
non-square pixels; picking that screen pixel must give back the patient point.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from pydicom.dataset import Dataset
from pydicom.uid import generate_uid

from workstation.model.spatial import ReferenceLine
from workstation.render.slice_renderer import SliceRenderer

COLUMNS, ROWS = 60, 40
ROW_SPACING, COLUMN_SPACING = 1.2, 0.6  # non-square pixels: aspect 2
ORIGIN = np.array([-20.0, 35.0, 12.5])
ROW_DIR = np.array([0.0, 1.0, 0.0])  # columns grow towards posterior
COL_DIR = np.array([0.0, 0.0, -1.0])  # rows grow towards the feet: a sagittal image


def _header(**extra: object) -> Dataset:
    ds = Dataset()
    ds.SOPInstanceUID = generate_uid()
    ds.FrameOfReferenceUID = "1.2.3.4"
    ds.Modality = "MR"
    ds.PatientName = "TEST^MARKER"
    ds.PatientID = "ID42"
    ds.StudyDate = "20240102"
    ds.SeriesNumber = 7
    ds.SeriesDescription = "sag marker"
    ds.Rows, ds.Columns = ROWS, COLUMNS
    ds.SamplesPerPixel = 1
    ds.PhotometricInterpretation = "MONOCHROME2"
    ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 16, 16, 15, 1
    ds.ImagePositionPatient = [float(v) for v in ORIGIN]
    ds.ImageOrientationPatient = [float(v) for v in (*ROW_DIR, *COL_DIR)]
    ds.PixelSpacing = [ROW_SPACING, COLUMN_SPACING]
    ds.SliceThickness = 3.0
    ds.WindowCenter, ds.WindowWidth = 500, 1000
    for key, value in extra.items():
        setattr(ds, key, value)
    return ds


def _marker_image(column: int, row: int) -> np.ndarray:
    image = np.zeros((ROWS, COLUMNS), dtype=np.int16)
    image[row, column] = 1000
    return image


# The patient point of the marker, and its pixel found by hand from P = S + X*dc*c + Y*dr*r.
MARKER_POINT = ORIGIN + ROW_DIR * COLUMN_SPACING * 41 + COL_DIR * ROW_SPACING * 9
MARKER_PIXEL = (int(round((MARKER_POINT - ORIGIN) @ ROW_DIR / COLUMN_SPACING)), int(round((MARKER_POINT - ORIGIN) @ COL_DIR / ROW_SPACING)))


@pytest.mark.parametrize(("rotation", "flip_h", "flip_v"), list(itertools.product((0, 90, 180, 270), (False, True), (False, True))))
def test_marker_lands_where_the_state_says(offscreen_renderer: SliceRenderer, rotation: int, flip_h: bool, flip_v: bool) -> None:
    assert MARKER_PIXEL == (41, 9)
    r = offscreen_renderer
    r.set_overlays_visible(False)
    ds = _header()
    r.set_stack(1, [ds])
    r.set_image(0, _marker_image(*MARKER_PIXEL), ds)
    r.state.update(zoom=1.3, pan=(2.5, 1.5), rotation=rotation, flip_horizontal=flip_h, flip_vertical=flip_v)
    picture = r.capture()[..., 0].astype(np.float64)
    bright = picture > 128
    assert bright.any(), "the marker should be on screen"
    ys, xs = np.nonzero(bright)
    # Centre of the bright screen pixels (pixel centres at +0.5) vs the predicted point.
    centre = (xs.mean() + 0.5, ys.mean() + 0.5)
    expected = r.state.image_to_screen(MARKER_PIXEL, r.viewport_size(), (COLUMNS, ROWS), ROW_SPACING / COLUMN_SPACING)
    assert abs(centre[0] - expected[0]) <= 0.75 and abs(centre[1] - expected[1]) <= 0.75
    # One image pixel is scale x (scale * aspect) screen pixels, turned with the rotation.
    scale = r.state.scale(r.viewport_size(), (COLUMNS, ROWS), ROW_SPACING / COLUMN_SPACING)
    extent = (xs.max() - xs.min() + 1, ys.max() - ys.min() + 1)
    footprint = (scale, scale * ROW_SPACING / COLUMN_SPACING)
    if rotation in (90, 270):
        footprint = footprint[::-1]
    assert abs(extent[0] - footprint[0]) <= 1.5 and abs(extent[1] - footprint[1]) <= 1.5
    # Picking the marker's screen point gives back its pixel and its patient point.
    column, row = r.pick(*expected)
    assert (round(column), round(row)) == MARKER_PIXEL
    np.testing.assert_allclose(r.pick_patient(*expected), MARKER_POINT, atol=1e-6)


def test_corner_text_markers_and_scale_bar(offscreen_renderer: SliceRenderer) -> None:
    r = offscreen_renderer
    ds = _header()
    r.set_stack(3, [ds, ds, ds])
    r.set_image(1, _marker_image(5, 5), ds)
    r.state.image_index = 1
    r.render()
    lines = r.overlays.corner_lines()
    assert "TEST, MARKER" in lines["top_left"] and "ID42" in lines["top_left"]
    # the header has no Instance Number: '-' and the stack position, never the position as a number
    assert "Im: - (2/3)" in lines["bottom_left"] and "Thk: 3 mm" in lines["bottom_left"]
    assert "W: 1000 L: 500" in lines["bottom_right"]
    assert any(line.startswith("Se: 7") for line in lines["top_right"])
    # Sagittal: columns grow towards P, rows towards F.
    assert r.overlays.marker_text() == {"left": "A", "right": "P", "top": "H", "bottom": "F"}
    r.state.rotate_clockwise()
    r.render()
    # A quarter turn clockwise: the head (top) goes to the right edge.
    assert r.overlays.marker_text() == {"left": "F", "right": "H", "top": "A", "bottom": "P"}
    r.state.update(rotation=0, flip_horizontal=True)
    assert r.overlays.marker_text()["left"] == "P"
    label = r.overlays.scale_label.GetInput()
    assert label.endswith(("mm", "cm")) and r.overlays.scale_line.segments
    # Scale bar length on screen matches its label: length_mm / (column spacing / scale).
    (x0, _), (x1, _) = r.overlays.scale_line.segments[0]
    scale = r.state.scale(r.viewport_size(), (COLUMNS, ROWS), ROW_SPACING / COLUMN_SPACING)
    value = float(label.split()[0]) * (10.0 if label.endswith("cm") else 1.0)
    assert abs((x1 - x0) * COLUMN_SPACING / scale - value) < 1e-6
    # Not loaded yet: "loading".
    r.state.image_index = 0
    assert "Loading" in (r.overlays.message.GetInput() or "")


def test_scale_bar_says_uncalibrated_and_detector(offscreen_renderer: SliceRenderer) -> None:
    r = offscreen_renderer
    ds = _header()
    del ds.PixelSpacing
    r.set_stack(1, [ds])
    r.set_image(0, _marker_image(1, 1), ds)
    r.render()
    assert r.overlays.scale_label.GetInput() == "uncalibrated" and not r.overlays.scale_line.segments
    ds = _header()
    del ds.PixelSpacing
    ds.ImagerPixelSpacing = [0.2, 0.2]
    r.set_stack(1, [ds])
    r.set_image(0, _marker_image(1, 1), ds)
    r.render()
    assert "detector" in r.overlays.scale_label.GetInput()


def test_reference_line_and_cursor_are_drawn_where_expected(offscreen_renderer: SliceRenderer) -> None:
    r = offscreen_renderer
    ds = _header()
    r.set_stack(1, [ds])
    r.set_image(0, _marker_image(1, 1), ds)
    r.state.update(rotation=90, zoom=1.3)
    r.set_reference_lines([ReferenceLine((10.0, 0.0), (10.0, 39.0))])
    r.set_cursor(MARKER_POINT)
    r.render()
    height = r.viewport_size()[1]
    (a, b) = r.overlays.reference.segments[0]
    expected_a = r.image_to_screen(10.0, 0.0)
    assert abs(a[0] - expected_a[0]) < 1e-6 and abs((height - a[1]) - expected_a[1]) < 1e-6
    cross = r.overlays.cursor.segments
    assert len(cross) == 4
    xs = [p[0] for seg in cross for p in seg]
    ys = [height - p[1] for seg in cross for p in seg]
    centre = r.image_to_screen(*MARKER_PIXEL)
    assert abs((min(xs) + max(xs)) / 2 - centre[0]) < 1e-6 and abs((min(ys) + max(ys)) / 2 - centre[1]) < 1e-6
    # A point outside the image: no cross.
    r.set_cursor(ORIGIN + 500.0 * ROW_DIR)
    assert r.overlays.cursor.segments == []


def test_corner_names_the_instance_number(offscreen_renderer: SliceRenderer) -> None:
    """Images numbered against the stack order: the corner says 'Im: 20 (2/3)', the number a
    report cites, with the stack position beside it."""
    r = offscreen_renderer
    headers = []
    for number in (30, 20, 10):
        ds = _header()
        ds.InstanceNumber = number
        headers.append(ds)
    r.set_stack(3, headers)
    r.set_image(1, _marker_image(5, 5), headers[1])
    r.state.image_index = 1
    r.render()
    assert "Im: 20 (2/3)" in r.overlays.corner_lines()["bottom_left"]
