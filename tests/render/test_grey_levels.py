"""Rendered grey levels equal the DICOM grayscale pipeline (PS3.4 N.2) computed naively.

Each image goes through the project's decoder and the VTK SliceRenderer offscreen; the expected
value of each sampled screen pixel is computed here with numpy from pydicom's own stored values.
The view is zoomed so that one image pixel covers 4x4 screen pixels, and the screen pixel sampled
for image pixel (c, r) is the one under ViewportState.image_to_screen((c, r)).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pydicom
import pytest
from pydicom.data import get_testdata_file
from pydicom.pixels import apply_color_lut

from tests.render import naive
from workstation.model.decode import decode_instance
from workstation.model.viewport import PIXELS
from workstation.render.slice_renderer import SliceRenderer

ZOOM = 4.0


def _load(path: Path) -> tuple[pydicom.Dataset, np.ndarray, np.ndarray]:
    """(dataset, pydicom's stored values, the project's decoded stored values) of frame 1."""
    ds = pydicom.dcmread(path)
    reference = ds.pixel_array
    frames = int(ds.get("NumberOfFrames", 1) or 1)
    if frames > 1:
        reference = reference[0]
    ours = decode_instance(path.read_bytes())[0]
    return ds, reference, ours


def _samples(renderer: SliceRenderer, columns: int, rows: int, centre: tuple[int, int], half: int = 20):
    """(image column, row, screen x, y) for image pixels around ``centre`` that are on screen."""
    width, height = renderer.viewport_size()
    out = []
    for r in range(max(0, centre[1] - half), min(rows, centre[1] + half)):
        for c in range(max(0, centre[0] - half), min(columns, centre[0] + half)):
            x, y = renderer.image_to_screen(c, r)
            if 1 <= x < width - 1 and 1 <= y < height - 1:
                out.append((c, r, int(np.floor(x)), int(np.floor(y))))
    return out


def _show(renderer: SliceRenderer, ds: pydicom.Dataset, stored: np.ndarray, centre: tuple[int, int]) -> None:
    renderer.set_overlays_visible(False)
    renderer.set_stack(1, [ds])
    renderer.set_image(0, stored, ds)
    columns, rows = stored.shape[1], stored.shape[0]
    # Pan so that image pixel ``centre`` sits at the viewport centre, 1 image pixel = 4x4 screen pixels.
    renderer.state.update(zoom_mode=PIXELS, zoom=ZOOM, pan=((columns - 1) / 2 - centre[0], (rows - 1) / 2 - centre[1]))


def _busy_centre(values: np.ndarray) -> tuple[int, int]:
    """An image pixel in a region with contrast (so the samples are not all one grey)."""
    rows, columns = values.shape[:2]
    best, where = -1.0, (columns // 2, rows // 2)
    for r in range(rows // 8, rows - rows // 8, max(1, rows // 8)):
        for c in range(columns // 8, columns - columns // 8, max(1, columns // 8)):
            patch = values[max(0, r - 20): r + 20, max(0, c - 20): c + 20]
            spread = float(len(np.unique(patch)))
            if spread > best:
                best, where = spread, (c, r)
    return where


GREY_CASES = {
    "ct_uncompressed": "ct_head_phantom_philips/S2010/I10.dcm",
    "ct_jpeg_ls": "ct_head_phantom_philips/S2020/I100.dcm",
    "mr_jpeg_ls_oblique": "mr_brain_sag_fnndsc/series/0090-*.dcm",
    "mr_jpeg2000": "codecs_dcm_qa_ts/9.dcm",
    "mr_big_endian": "codecs_dcm_qa_ts/3.dcm",
    "cr_modality_lut_sequence_monochrome1": "fo_dicom_selected/CR-ModalitySequenceLUT.dcm",
    "cr_monochrome1": "codecs_wg04/REF/RG3_UNC.dcm",
    "rf_modality_lut_sequence": "orthanc_tests_selected/KarstenHilbertRF.dcm",
    "nm_rle": "orthanc_tests_selected/TransferSyntaxes/1.2.840.10008.1.2.5.dcm",
    "ct_jpeg_lossless": "orthanc_tests_selected/TransferSyntaxes/1.2.840.10008.1.2.4.70.dcm",
}


def _shared_file(shared_data: Path, pattern: str) -> Path:
    matches = sorted(shared_data.glob(pattern))
    if not matches:
        pytest.skip(f"{pattern} is not in ../shared/data")
    return matches[0]


def _check_grey(renderer: SliceRenderer, path: Path, invert: bool = False) -> None:
    ds, reference, ours = _load(path)
    modality = naive.modality_values(reference, ds)
    centre = _busy_centre(modality)
    _show(renderer, ds, ours, centre)
    patch = modality[max(0, centre[1] - 20): centre[1] + 20, max(0, centre[0] - 20): centre[0] + 20]
    low, high = np.percentile(patch, [5, 95])
    center, width = float(low + high) / 2 + 0.25, max(float(high - low), 8.0) + 0.5
    renderer.state.update(window_center=center, window_width=width, invert=invert)
    picture = renderer.capture()
    samples = _samples(renderer, ours.shape[1], ours.shape[0], centre)
    assert len(samples) > 200
    expected = naive.grey(reference, ds, center, width, invert)
    got = np.array([picture[y, x] for c, r, x, y in samples])
    want = np.array([expected[r, c] for c, r, x, y in samples])
    assert len(np.unique(want)) > 5, "the sampled region should span many grey levels"
    assert np.all(got[:, 0] == got[:, 1]) and np.all(got[:, 1] == got[:, 2]), "grayscale should be grey"
    mismatches = np.flatnonzero(got[:, 0] != want)
    assert mismatches.size == 0, f"{mismatches.size} of {len(samples)} samples differ, first {got[mismatches[0], 0]} != {want[mismatches[0]]}"


@pytest.mark.shared_data
@pytest.mark.parametrize("case", sorted(GREY_CASES))
def test_grey_level_equals_modality_then_voi(shared_data: Path, offscreen_renderer: SliceRenderer, case: str) -> None:
    _check_grey(offscreen_renderer, _shared_file(shared_data, GREY_CASES[case]))


@pytest.mark.parametrize("name", ["CT_small.dcm", "MR_small.dcm", "JPEG2000.dcm"])
def test_grey_level_on_pydicom_samples(offscreen_renderer: SliceRenderer, name: str) -> None:
    _check_grey(offscreen_renderer, Path(get_testdata_file(name)))


def test_invert_flips_the_grey_levels(offscreen_renderer: SliceRenderer) -> None:
    _check_grey(offscreen_renderer, Path(get_testdata_file("CT_small.dcm")), invert=True)


def test_image_own_window_is_used_by_default(offscreen_renderer: SliceRenderer) -> None:
    """Without a user window, the first Window Center/Width of the image applies (C.11.2.1.2)."""
    from io import BytesIO

    from workstation.demo import phantom_series

    data = next(iter(phantom_series(shape=(1, 96, 96), spacing=(3.0, 2.0, 2.0))))
    ds = pydicom.dcmread(BytesIO(data))
    reference = ds.pixel_array
    ours = decode_instance(data)[0]
    _show(offscreen_renderer, ds, ours, (60, 48))
    picture = offscreen_renderer.capture()
    center, width = float(ds.WindowCenter[0]), float(ds.WindowWidth[0])  # 40 / 80, the brain window
    expected = naive.grey(reference, ds, center, width)
    samples = _samples(offscreen_renderer, 96, 96, (60, 48))
    got = np.array([picture[y, x, 0] for c, r, x, y in samples])
    want = np.array([expected[r, c] for c, r, x, y in samples])
    assert len(np.unique(want)) > 2
    assert np.array_equal(got, want)
    assert offscreen_renderer.current_window() == (center, width)


def test_window_change_refills_the_display_buffer_only(offscreen_renderer: SliceRenderer) -> None:
    """One copy of the stored values is kept (no copy of the caller's array); a W/L change or a
    scroll refills the viewport's one 8-bit display buffer in place (same VTK image, same
    memory), whose bytes are the display table applied to the stored values."""
    ds = pydicom.dcmread(get_testdata_file("CT_small.dcm"))
    stored = np.ascontiguousarray(ds.pixel_array)
    offscreen_renderer.set_stack(2, [ds, ds])
    offscreen_renderer.set_image(0, stored, ds)
    offscreen_renderer.set_image(1, stored[::-1].copy(), ds)
    offscreen_renderer.render()
    kept = offscreen_renderer.stored(0)
    assert kept is not None and np.shares_memory(kept, stored) and kept.dtype == np.int16
    image = offscreen_renderer._mapper.GetInput()
    from vtkmodules.util.numpy_support import vtk_to_numpy

    shown = vtk_to_numpy(image.GetPointData().GetScalars())
    assert shown.dtype == np.uint8 and not np.shares_memory(shown, stored)
    offscreen_renderer.state.set_window(100, 500)
    offscreen_renderer.render()
    assert offscreen_renderer._mapper.GetInput() is image
    expected = naive.grey(stored, ds, 100, 500)
    assert np.array_equal(shown.reshape(stored.shape), expected)
    offscreen_renderer.state.image_index = 1
    offscreen_renderer.render()
    assert offscreen_renderer._mapper.GetInput() is image
    assert np.array_equal(shown.reshape(stored.shape), expected[::-1])


def _colour_check(renderer: SliceRenderer, path: Path, expected_rgb: np.ndarray, stored: np.ndarray, ds: pydicom.Dataset) -> None:
    centre = _busy_centre(expected_rgb[..., 0])
    _show(renderer, ds, stored, centre)
    picture = renderer.capture()
    samples = _samples(renderer, stored.shape[1], stored.shape[0], centre)
    got = np.array([picture[y, x] for c, r, x, y in samples])
    want = np.array([expected_rgb[r, c] for c, r, x, y in samples])
    assert len(np.unique(want[:, 0])) > 5
    assert np.array_equal(got, want)


@pytest.mark.shared_data
@pytest.mark.parametrize("name", ["codecs_wg04/REF/US1_UNC.dcm", "codecs_wg04/REF/VL1_UNC.dcm", "orthanc_tests_selected/TransferSyntaxes/1.2.840.10008.1.2.2.dcm"])
def test_rgb_is_shown_directly(shared_data: Path, offscreen_renderer: SliceRenderer, name: str) -> None:
    path = _shared_file(shared_data, name)
    ds, reference, ours = _load(path)
    _colour_check(offscreen_renderer, path, reference, ours, ds)


@pytest.mark.shared_data
def test_palette_colour(shared_data: Path, offscreen_renderer: SliceRenderer) -> None:
    path = _shared_file(shared_data, "orthanc_tests_selected/Implicit-vr-us-palette.dcm")
    ds, reference, ours = _load(path)
    rgb = apply_color_lut(reference, ds).astype(np.float64)
    top = 65535.0 if rgb.max() > 255 or int(ds.RedPaletteColorLookupTableDescriptor[2]) == 16 else 255.0
    expected = np.floor(rgb * 255.0 / top + 0.5).astype(np.uint8)
    _colour_check(offscreen_renderer, path, expected, ours, ds)
