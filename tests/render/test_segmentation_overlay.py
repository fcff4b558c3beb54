"""Segmentations and structure sets drawn over their images (2D viewport and `render --overlays`),
on real data: the overlay lands on the image pixels it covers, in the object's colours."""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pydicom
import pytest
from PIL import Image

from workstation.model.image_plane import image_planes
from workstation.model.segmentation import outline_of, read_segmentation
from workstation.model.viewport import ViewportState
from workstation.render.slice_renderer import SliceRenderer

CT_SEG = "highdicom_test_files/seg_image_ct_binary_single_frame.dcm"
CT_IMAGE = "highdicom_test_files/ct_image.dcm"
RTH = "orthanc_tests_selected/HierarchicalAnonymization/RTH"


def _renderer(ct: pydicom.Dataset, size: tuple[int, int]) -> SliceRenderer:
    renderer = SliceRenderer(offscreen=True, size=size)
    state = ViewportState()
    state.show("ct", 1)
    renderer.set_state(state)
    renderer.set_stack(1, [ct])
    renderer.set_image(0, ct.pixel_array, ct)
    renderer.set_overlays_visible(False)
    return renderer


def test_seg_drawn_on_its_pixels(shared_data: Path) -> None:
    """Inside the segment the screen shows grey mixed with the segment colour (outline in full
    colour); outside it stays grey; hiding the segment gives back the plain image."""
    ct = pydicom.dcmread(shared_data / CT_IMAGE)
    seg_ds = pydicom.dcmread(shared_data / CT_SEG)
    seg = read_segmentation(seg_ds)
    renderer = _renderer(ct, (256, 256))
    try:
        plain = renderer.capture().copy()
        renderer.set_segmentations([seg])
        shown = renderer.capture()
        truth = seg_ds.pixel_array > 0
        edge = outline_of(truth.astype(np.float32))
        colour = np.asarray(seg.segments[0].colour)
        checked = 0
        for r in range(1, 127, 3):
            for c in range(1, 127, 3):
                x, y = renderer.image_to_screen(float(c), float(r))
                px, py = int(x), int(y)
                if edge[r, c]:
                    assert np.abs(shown[py, px].astype(int) - colour).max() <= 1
                    checked += 1
                elif truth[r, c]:
                    grey = plain[py, px].astype(float)
                    expected = grey * (1 - renderer.segment_opacity) + colour * renderer.segment_opacity
                    assert np.abs(shown[py, px].astype(float) - expected).max() <= 1.5
                    checked += 1
                else:
                    assert np.array_equal(shown[py, px], plain[py, px])
        assert checked > 50
        renderer.set_segment_visible(seg, 1, False)
        assert np.array_equal(renderer.capture(), plain)
    finally:
        renderer.close()


def test_rtstruct_drawn_where_its_contour_is(shared_data: Path) -> None:
    """The spinal cord's contour point nearest the image centre, projected by hand to a pixel,
    is drawn in the ROI colour (its outline) on screen."""
    from workstation.model.rtstruct import read_structure_set

    rt_ds = pydicom.dcmread(shared_data / RTH / "RT.dcm")
    ct = pydicom.dcmread(shared_data / RTH / "CT01.dcm")
    structures = read_structure_set(rt_ds)
    renderer = _renderer(ct, (512, 512))
    try:
        renderer.set_segmentations([structures])
        buffer = renderer.display_buffer
        assert buffer is not None and buffer.ndim == 3
        (segment, mask), = structures.masks_on(image_planes([ct])[0])
        rows, columns = np.nonzero(outline_of(mask))
        assert len(rows)
        for r, c in zip(rows[:20], columns[:20], strict=True):
            assert tuple(buffer[r, c]) == segment.colour
        assert np.ptp(buffer[0, 0]) == 0  # far from the cord: still grey
    finally:
        renderer.close()


def test_render_cli_overlays(shared_data: Path, tmp_path: Path) -> None:
    """`workstation render STUDY --overlays` on the CT and its structure set: the PNG shows the
    spinal cord in its colour; without --overlays it does not."""
    from workstation.render.cli import add_render_parser, cmd_render
    from workstation.settings import load_settings
    from workstation.sources import open_library

    library = open_library(load_settings())
    for name in ("CT01.dcm", "RT.dcm"):
        library.add_bytes((shared_data / RTH / name).read_bytes())
    library.close()
    ct = pydicom.dcmread(shared_data / RTH / "CT01.dcm", stop_before_pixels=True)
    parser = argparse.ArgumentParser()
    add_render_parser(parser.add_subparsers())
    pictures = {}
    for flag in ([], ["--overlays"]):
        out = tmp_path / f"ct{len(flag)}.png"
        args = parser.parse_args(["render", str(ct.StudyInstanceUID), "--no-overlay", "--out", str(out), *flag])
        assert cmd_render(args, load_settings()) == 0
        pictures[bool(flag)] = np.asarray(Image.open(out).convert("RGB")).astype(int)
    cord = np.array([242, 202, 48])
    near = lambda p: (np.abs(p - cord).max(axis=-1) <= 2).sum()  # noqa: E731
    assert near(pictures[False]) == 0
    assert near(pictures[True]) > 10
    changed = np.argwhere(np.abs(pictures[True] - pictures[False]).max(axis=-1) > 0)
    # Where the picture changed is the cord: the 512 image on 512 px, cord near the spine (lower middle).
    assert 200 < changed[:, 1].mean() < 312 and changed[:, 0].mean() > 256


@pytest.mark.parametrize("name", ["highdicom_test_files/seg_image_ct_binary.dcm"])
def test_unreferenced_seg_draws_nothing(shared_data: Path, name: str) -> None:
    """A SEG of other images (another grid and place) leaves this image as it was."""
    ct = pydicom.dcmread(shared_data / CT_IMAGE)
    renderer = _renderer(ct, (128, 128))
    try:
        plain = renderer.capture().copy()
        renderer.set_segmentations([read_segmentation(pydicom.dcmread(shared_data / name))])
        assert np.array_equal(renderer.capture(), plain)
    finally:
        renderer.close()
