"""A stored window that misses the image's values entirely (issue 20): the model says so, so the
viewport can offer the automatic window instead of a silent white or black image.

Whether the image is flat on screen is checked with the naive pipeline of tests.render.naive
(PS3.3 C.11.1 and C.11.2.1.2.1 written out), independent of workstation.model.pixels.
"""

from __future__ import annotations

import copy

import numpy as np
import pydicom
import pytest
from pydicom.data import get_testdata_file
from pydicom.dataset import Dataset

from tests.render import naive
from workstation.model.pixels import (
    STORED_WINDOW_MISSES,
    LookupTable,
    WindowPreset,
    stored_window_hint,
    window_misses,
)


def _ct(center: float, width: float) -> tuple[Dataset, np.ndarray]:
    ds = Dataset()
    ds.Modality, ds.PhotometricInterpretation = "CT", "MONOCHROME2"
    ds.RescaleSlope, ds.RescaleIntercept = 1, -1024
    ds.WindowCenter, ds.WindowWidth = center, width
    stored = np.linspace(24, 2024, 64 * 64).astype(np.int16).reshape(64, 64)  # -1000 .. 1000 HU
    return ds, stored


def _flat(ds: Dataset, stored: np.ndarray) -> bool:
    grey = naive.grey(stored, ds, float(ds.WindowCenter), float(ds.WindowWidth))
    return bool(grey.min() == grey.max())


@pytest.mark.parametrize(("center", "width", "misses"), [
    (40, 400, False),        # soft tissue: the usual case
    (30000, 400, True),      # far above every value: all black
    (-30000, 400, True),     # far below: all white
    (1500.5, 1, True),       # just above the highest value (1000 HU)
    (1000, 2, False),        # its upper edge still splits the top values from the rest
    (-1000, 300, False),     # overlaps the lowest values
    (-1200, 300, True),      # ends below the lowest value (-1000 HU): all white
])
def test_the_hint_when_the_window_leaves_the_image_flat(center: float, width: float, misses: bool) -> None:
    ds, stored = _ct(center, width)
    assert _flat(ds, stored) is misses  # the independent check that the picture is one grey
    assert stored_window_hint(ds, stored) == (STORED_WINDOW_MISSES if misses else "")


def test_no_hint_without_a_stored_window_for_uniform_images_or_colour() -> None:
    ds, stored = _ct(30000, 400)
    assert stored_window_hint(ds, np.full_like(stored, 1024)) == ""  # one value: no window shows more
    del ds.WindowCenter, ds.WindowWidth
    assert stored_window_hint(ds, stored) == ""
    rgb = copy.deepcopy(ds)
    rgb.PhotometricInterpretation = "RGB"
    assert stored_window_hint(rgb, np.zeros((8, 8, 3), dtype=np.uint8)) == ""


def test_window_misses_for_functions_and_lookup_tables() -> None:
    values = np.array([-1000.0, 0.0, 1000.0])
    assert window_misses(values, WindowPreset(30000, 400, "", "SIGMOID"))
    assert not window_misses(values, WindowPreset(0, 400, "", "SIGMOID"))
    assert window_misses(values, WindowPreset(5000, 10, "", "LINEAR_EXACT"))
    # A VOI LUT whose inputs start at -1001: -1000 maps to 0, anything from -999 up to 255.
    lut = LookupTable(first_mapped=-1001, bits=8, data=np.array([0, 0, 255], dtype=np.uint16))
    assert window_misses(np.array([0.0, 500.0, 1000.0]), lut)
    assert not window_misses(values, lut)


def test_a_real_ct_with_a_stored_window_moved_off_its_values() -> None:
    ds = pydicom.dcmread(get_testdata_file("693_UNCR.dcm", download=False))  # real CT, window 40/100 (pydicom-data)
    stored = ds.pixel_array
    assert stored_window_hint(ds, stored) == ""  # its own window shows it
    moved = copy.deepcopy(ds)
    moved.WindowCenter, moved.WindowWidth = 20000, 100  # as after a rescale that left the window behind
    assert _flat(moved, stored)
    assert stored_window_hint(moved, stored) == STORED_WINDOW_MISSES
