"""The grayscale pipeline checked against naive per-pixel implementations of PS3.3 C.11."""

from __future__ import annotations

import copy
import math
from pathlib import Path

import numpy as np
import pydicom
import pytest
from pydicom.data import get_testdata_file

from workstation.model.decode import decode_instance
from workstation.model.pixels import (
    LINEAR,
    LINEAR_EXACT,
    SIGMOID,
    WindowPreset,
    apply_lut,
    apply_modality,
    auto_window,
    display_lut,
    modality_transform,
    to_display,
    voi_luts,
    voi_window,
    window_presets,
)


def _bundled(name: str) -> pydicom.Dataset:
    path = get_testdata_file(name, download=False)
    assert path is not None
    return pydicom.dcmread(path)


# Naive PS3.3 equations, one value at a time, written from the standard's text.
def naive_voi(x: float, c: float, w: float, function: str) -> int:
    y_min, y_max = 0.0, 255.0
    if function == LINEAR:  # C.11.2.1.2.1
        if x <= c - 0.5 - (w - 1) / 2:
            y = y_min
        elif x > c - 0.5 + (w - 1) / 2:
            y = y_max
        else:
            y = ((x - (c - 0.5)) / (w - 1) + 0.5) * (y_max - y_min) + y_min
    elif function == LINEAR_EXACT:  # C.11.2.1.3.2
        if x <= c - w / 2:
            y = y_min
        elif x > c + w / 2:
            y = y_max
        else:
            y = ((x - c) / w + 0.5) * (y_max - y_min) + y_min
    else:  # SIGMOID, C.11.2.1.3.1
        exponent = -4 * (x - c) / w
        y = y_min if exponent > 700 else (y_max - y_min) / (1 + math.exp(exponent)) + y_min
    return min(255, max(0, math.floor(y + 0.5)))


WINDOWS = [(40.0, 400.0), (-600.0, 1500.0), (0.0, 1.0), (10.0, 2.0), (100.5, 3.5), (2047.0, 4096.0)]


@pytest.mark.parametrize("function", [LINEAR, LINEAR_EXACT, SIGMOID])
@pytest.mark.parametrize(("center", "width"), WINDOWS)
def test_voi_functions_match_the_equations(function: str, center: float, width: float) -> None:
    if function != LINEAR and width < 1:
        width = 0.5
    x = np.concatenate([np.arange(-3000, 5000, 7, dtype=np.float64), np.arange(-5, 15, 0.25)])
    preset = WindowPreset(center, width, "", function)
    ours = np.clip(np.floor(voi_window(x, preset) + 0.5), 0, 255).astype(int)
    expected = np.array([naive_voi(float(v), center, width, function) for v in x])
    np.testing.assert_array_equal(ours, expected)


def test_linear_window_edges_follow_c_minus_half() -> None:
    # C=0.5, W=2: x <= -0.5 -> 0; x > 0.5 -> 255; between: ((x - 0) / 1 + 0.5) * 255
    preset = WindowPreset(0.5, 2.0)
    out = voi_window(np.array([-0.5, 0.0, 0.5, 0.5001]), preset)
    np.testing.assert_allclose(out, [0.0, 127.5, 255.0, 255.0])


def test_display_lut_equals_formula_on_ct_with_rescale() -> None:
    ds = _bundled("CT_small.dcm")
    stored = decode_instance(ds)[0]
    slope, intercept = float(ds.RescaleSlope), float(ds.RescaleIntercept)
    for function in (LINEAR, LINEAR_EXACT, SIGMOID):
        preset = WindowPreset(40.0, 400.0, "Soft tissue", function)
        shown = apply_lut(stored, display_lut(ds, preset))
        assert shown.dtype == np.uint8 and shown.shape == stored.shape
        sample = [(r, c) for r in range(0, 128, 9) for c in range(0, 128, 7)]
        for r, c in sample:
            hu = int(stored[r, c]) * slope + intercept
            assert shown[r, c] == naive_voi(hu, 40.0, 400.0, function), (r, c, function)


def test_display_lut_equals_direct_vectorised_pipeline(shared_data: Path) -> None:
    ds = pydicom.dcmread(shared_data / "codecs_wg04" / "REF" / "CT1_UNC.dcm")
    stored = decode_instance(ds)[0]
    preset = WindowPreset(-600.0, 1500.0)
    hu = stored.astype(np.float64) * float(ds.RescaleSlope) + float(ds.RescaleIntercept)
    direct = np.clip(np.floor(voi_window(hu, preset) + 0.5), 0, 255).astype(np.uint8)
    np.testing.assert_array_equal(apply_lut(stored, display_lut(ds, preset)), direct)


def test_rescale_stays_integer_when_slope_is_one() -> None:
    ds = _bundled("CT_small.dcm")
    stored = decode_instance(ds)[0]
    hu = apply_modality(stored, ds)
    assert hu.dtype.kind == "i" and hu.dtype.itemsize <= 4
    np.testing.assert_array_equal(hu, stored.astype(np.int64) + int(ds.RescaleIntercept))
    ds2 = copy.deepcopy(ds)
    ds2.RescaleSlope = "0.5"
    scaled = apply_modality(stored, ds2)
    assert scaled.dtype == np.float32
    np.testing.assert_allclose(scaled, stored * 0.5 + float(ds.RescaleIntercept), rtol=1e-6)


def test_unsigned_16_bit_with_negative_intercept_widens() -> None:
    ds = _bundled("CT_small.dcm")
    ds2 = copy.deepcopy(ds)
    ds2.PixelRepresentation, ds2.BitsStored, ds2.RescaleIntercept = 0, 16, "-1024"
    stored = np.array([[0, 65535]], dtype=np.uint16)
    out = apply_modality(stored, ds2)
    assert out.dtype == np.int32
    assert out.tolist() == [[-1024, 64511]]


def test_modality_lut_sequence_on_cr(shared_data: Path) -> None:
    ds = pydicom.dcmread(shared_data / "fo_dicom_selected" / "CR-ModalitySequenceLUT.dcm")
    stored = decode_instance(ds)[0]
    item = ds.ModalityLUTSequence[0]
    entries, first, bits = (int(v) for v in item.LUTDescriptor)
    entries = entries or 65536
    raw = item.LUTData
    data = list(raw) if not isinstance(raw, bytes) else list(np.frombuffer(raw, "<u2")[:entries])
    out = apply_modality(stored, ds)
    for r, c in [(0, 0), (100, 200), (788, 988), (1575, 1975), (400, 1500), (1200, 300)]:
        x = int(stored[r, c])
        index = min(max(x - first, 0), entries - 1)  # clamp outside the table (C.11.1.1.1)
        assert int(out[r, c]) == int(data[index]), (r, c)
    assert bits in (8, 10, 12, 14, 16)
    # Inputs outside the table clamp to its first and last entries.
    lut = modality_transform(ds).lut
    assert lut is not None
    assert lut.map(np.array([first - 100, first + entries + 100])).tolist() == [int(data[0]), int(data[-1])]
    # MONOCHROME1: the display is inverted (a high modality value is dark).
    shown = to_display(stored, ds)
    window = display_lut(ds, stored=stored)
    assert window.inverted
    assert shown.shape == stored.shape and shown.dtype == np.uint8


def test_monochrome1_is_inverted(shared_data: Path) -> None:
    ds = pydicom.dcmread(shared_data / "codecs_wg04" / "REF" / "RG3_UNC.dcm")
    assert ds.PhotometricInterpretation == "MONOCHROME1"
    stored = decode_instance(ds)[0]
    as_mono2 = copy.deepcopy(ds)
    as_mono2.PhotometricInterpretation = "MONOCHROME2"
    mono1 = to_display(stored, ds)
    mono2 = to_display(stored, as_mono2)
    np.testing.assert_array_equal(mono1.astype(int), 255 - mono2.astype(int))
    np.testing.assert_array_equal(to_display(stored, ds, invert=True), mono2)


def test_window_presets_with_explanations() -> None:
    ds = _bundled("CT_small.dcm")
    ds.WindowCenter = [40, -600, 300]
    ds.WindowWidth = [400, 1500, 1500]
    ds.WindowCenterWidthExplanation = ["SOFT TISSUE", "LUNG", "BONE"]
    ds.VOILUTFunction = "SIGMOID"
    presets = window_presets(ds)
    assert [(p.center, p.width, p.explanation, p.function) for p in presets] == [
        (40.0, 400.0, "SOFT TISSUE", SIGMOID),
        (-600.0, 1500.0, "LUNG", SIGMOID),
        (300.0, 1500.0, "BONE", SIGMOID),
    ]
    stored = decode_instance(ds)[0]
    lung = apply_lut(stored, display_lut(ds, presets[1]))
    hu = int(stored[64, 64]) + int(ds.RescaleIntercept)
    assert lung[64, 64] == naive_voi(hu, -600.0, 1500.0, SIGMOID)
    # No preset given: the first one is used.
    assert display_lut(ds).voi == presets[0]


def test_enhanced_mr_window_per_frame(shared_data: Path) -> None:
    ds = pydicom.dcmread(shared_data / "fo_dicom_selected" / "MOVEKNEE.dcm")
    frames = ds.PerFrameFunctionalGroupsSequence
    for index in (0, len(frames) - 1):
        voi = frames[index].get("FrameVOILUTSequence") or ds.SharedFunctionalGroupsSequence[0].FrameVOILUTSequence
        expected = float(voi[0].WindowCenter if not isinstance(voi[0].WindowCenter, list) else voi[0].WindowCenter[0])
        assert window_presets(ds, index)[0].center == expected


def test_voi_lut_sequence_is_applied() -> None:
    ds = _bundled("MR_small.dcm")
    stored = decode_instance(ds)[0]
    item = pydicom.Dataset()
    first, entries = 0, 2048
    item.LUTDescriptor = [entries, first, 12]
    item.LUTData = [min(4095, v * 2) for v in range(entries)]
    item.LUTExplanation = "Doubling"
    ds.VOILUTSequence = [item]
    del ds.WindowCenter
    del ds.WindowWidth
    luts = voi_luts(ds)
    assert len(luts) == 1 and luts[0].explanation == "Doubling"
    shown = apply_lut(stored, display_lut(ds))
    for r, c in [(0, 0), (10, 20), (32, 32), (63, 1)]:
        x = int(stored[r, c])
        value = item.LUTData[min(max(x - first, 0), entries - 1)]
        assert shown[r, c] == math.floor(value * 255 / 4095 + 0.5)


def test_auto_window_when_the_image_has_none() -> None:
    ds = _bundled("CT_small.dcm")
    assert not window_presets(ds)
    stored = decode_instance(ds)[0]
    lut = display_lut(ds, stored=stored)
    assert isinstance(lut.voi, WindowPreset) and lut.voi.explanation == "Auto"
    hu = stored.astype(float) + float(ds.RescaleIntercept)
    low, high = np.percentile(hu, [0.5, 99.5])
    assert lut.voi.center == pytest.approx((low + high) / 2 + 0.5)
    shown = apply_lut(stored, lut)
    assert (shown == 0).mean() <= 0.01 and (shown == 255).mean() <= 0.01
    assert auto_window(hu).width == lut.voi.width


def test_palette_colour(tmp_path: Path) -> None:
    ds = _bundled("examples_palette.dcm")
    stored = decode_instance(ds)[0]
    rgb = to_display(stored, ds)
    assert rgb.shape == stored.shape + (3,) and rgb.dtype == np.uint8
    bits = int(ds.RedPaletteColorLookupTableDescriptor[2])
    first = int(ds.RedPaletteColorLookupTableDescriptor[1])
    tables = []
    for colour in ("Red", "Green", "Blue"):
        raw = getattr(ds, f"{colour}PaletteColorLookupTableData")
        tables.append(np.frombuffer(raw, "<u2") if bits == 16 else np.frombuffer(raw, "u1"))
    for r, c in [(0, 0), (100, 400), (200, 123), (349, 799), (175, 600)]:
        index = max(int(stored[r, c]) - first, 0)
        for channel in range(3):
            entry = int(tables[channel][min(index, len(tables[channel]) - 1)])
            expected = entry if bits == 8 else math.floor(entry * 255 / 65535 + 0.5)
            assert int(rgb[r, c, channel]) == expected


def test_rgb_passes_through_and_inverts() -> None:
    ds = _bundled("SC_rgb_rle.dcm")
    stored = decode_instance(ds)
    shown = to_display(stored, ds)
    np.testing.assert_array_equal(shown, stored[0])
    np.testing.assert_array_equal(to_display(stored, ds, invert=True), 255 - stored[0])


def test_sixteen_bit_rgb_scales_to_eight_bits() -> None:
    ds = _bundled("SC_rgb_rle_16bit.dcm")
    stored = decode_instance(ds)[0]
    shown = to_display(stored, ds)
    expected = np.clip(np.floor(stored.astype(float) * 255 / 65535 + 0.5), 0, 255)
    np.testing.assert_array_equal(shown, expected.astype(np.uint8))


def test_window_change_rebuilds_a_small_table_only() -> None:
    ds = _bundled("CT_small.dcm")
    lut = display_lut(ds, WindowPreset(40, 400))
    assert lut.table.shape == (65536,)  # one entry per int16 stored value, not per pixel
