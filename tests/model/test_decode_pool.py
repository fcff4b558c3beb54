"""DecoderPool: concurrent decoding gives exactly what serial decoding gives."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pydicom
from pydicom.data import get_testdata_file
from pydicom.encaps import encapsulate

from workstation.errors import DecodeError
from workstation.model.decode import decode_instance
from workstation.model.decoder_pool import DecoderPool, transfer_syntax_of


def _bundled_bytes(name: str) -> bytes:
    """A file of pydicom's bundled test files or of the pydicom-data package (no download)."""
    path = get_testdata_file(name, download=False)
    assert path is not None, f"{name} is in neither pydicom's test files nor pydicom-data"
    return Path(path).read_bytes()


def test_transfer_syntax_read_from_file_meta() -> None:
    assert transfer_syntax_of(_bundled_bytes("MR_small_jp2klossless.dcm")) == "1.2.840.10008.1.2.4.90"
    assert transfer_syntax_of(_bundled_bytes("MR_small_RLE.dcm")) == "1.2.840.10008.1.2.5"
    assert transfer_syntax_of(b"not dicom") is None


def test_pool_equals_serial_with_threads_and_processes() -> None:
    names = [
        "693_J2KR.dcm",  # real CT, JPEG 2000 lossless (pydicom-data, NEMA WG04)
        "693_J2KI.dcm",  # the same, JPEG 2000 lossy
        "MR_small_jpeg_ls_lossless.dcm",  # JPEG-LS lossless (pydicom's bundled files from here on)
        "SC_rgb_rle.dcm",  # RLE, colour
        "JPGLosslessP14SV1_1s_1f_8b.dcm",  # JPEG lossless SV1 (pydicom-data)
        "MR_small_bigendian.dcm",  # explicit VR big endian
        "MR_small_jp2klossless.dcm",
    ]
    items: list[bytes | pydicom.Dataset] = [_bundled_bytes(name) for name in names]
    broken = pydicom.dcmread(get_testdata_file("MR_small_jpeg_ls_lossless.dcm", download=False))
    broken.PixelData = encapsulate([b"\xff\xd8\xff\xf7" + b"\x00" * 64])
    items.append(broken)
    serial = [decode_instance(item) for item in items[:-1]]
    with DecoderPool(threads=2, processes=2, max_pending=3) as pool:
        results = dict(pool.map_unordered(items))
    assert sorted(results) == list(range(len(items)))
    for index, expected in enumerate(serial):
        got = results[index]
        assert isinstance(got, np.ndarray), got
        np.testing.assert_array_equal(got, expected)
    assert isinstance(results[len(items) - 1], DecodeError)  # one bad instance, the rest decoded


def test_submit_blocks_when_the_queue_is_full() -> None:
    data = _bundled_bytes("MR_small_RLE.dcm")
    expected = decode_instance(data)
    with DecoderPool(threads=1, processes=0, max_pending=1) as pool:
        futures = []
        for _ in range(4):
            futures.append(pool.submit(data))
            # With one slot, a submit returns only after the previous instance has finished.
            assert all(previous.done() for previous in futures[:-1])
        for future in futures:
            np.testing.assert_array_equal(future.result(timeout=30), expected)
