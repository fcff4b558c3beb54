"""Headers kept per slice must not keep the instance's bytes (pixels included) alive: the
series loader keeps one header per image beside its decoded pixels, so a retained source
buffer would hold a second copy of the whole volume."""

from __future__ import annotations

import gc
import sys

from workstation import demo
from workstation.model.decode import read_dataset
from workstation.net.series_loader import read_header


def test_header_keeps_no_reference_to_the_instance_bytes() -> None:
    data = next(demo.phantom_series(shape=(1, 64, 64)))
    before = sys.getrefcount(data)
    header = read_dataset(data, stop_before_pixels=True)
    also = read_header(data, str(header.SOPInstanceUID))
    gc.collect()
    assert sys.getrefcount(data) == before
    assert "PixelData" not in header and "PixelData" not in also
    assert int(header.Rows) == 64 and str(also.SOPInstanceUID) == str(header.SOPInstanceUID)


def test_full_read_still_has_its_pixels() -> None:
    data = next(demo.phantom_series(shape=(1, 32, 32)))
    ds = read_dataset(data)
    assert ds.pixel_array.shape == (32, 32)
