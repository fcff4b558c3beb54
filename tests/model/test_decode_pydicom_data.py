"""JPEG 2000 decoding of real WG04 images from the pydicom-data package (no network, any machine).

pydicom-data (the ``data_store`` package; found by pydicom's ``get_testdata_file`` with
``download=False``) holds five NEMA WG04 images, each as the uncompressed original (``_UNCR``),
JPEG 2000 lossless (``_J2KR``, PS3.5 A.4.4), JPEG 2000 lossy (``_J2KI``) and that lossy image as
decompressed by WG04's reference decoder (``_UNCI``). The lossless copy must decode to the original
exactly and the lossy one to the reference decoder's values exactly. These cover on a clean clone
what the larger WG04 set covers for JPEG 2000 where that set is present (tests/model/test_decode.py).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from pydicom.data import get_testdata_file

from workstation.model.decode import DecodedImage, decode

# image: (modality, stored dtype, shape, photometric interpretation after decoding)
IMAGES = {
    "693": ("CT", "int16", (1, 512, 512), "MONOCHROME2"),
    "MR2": ("MR", "uint16", (1, 1024, 1024), "MONOCHROME2"),
    "RG1": ("CR", "uint16", (1, 1955, 1841), "MONOCHROME1"),
    "RG3": ("CR", "uint16", (1, 1760, 1760), "MONOCHROME1"),
    "US1": ("US", "uint8", (1, 480, 640, 3), "RGB"),  # stored as YBR_RCT / YBR_ICT: back to RGB once
}


def _decoded(name: str) -> DecodedImage:
    path = get_testdata_file(name, download=False)
    if path is None:
        pytest.fail(f"{name} is not in pydicom-data (a test dependency: pip install -e '.[test]')")
    return decode(Path(path).read_bytes())


@pytest.mark.parametrize("image", sorted(IMAGES))
def test_jpeg2000_lossless_equals_the_original(image: str) -> None:
    _, dtype, shape, photometric = IMAGES[image]
    original, lossless = _decoded(f"{image}_UNCR.dcm"), _decoded(f"{image}_J2KR.dcm")
    assert lossless.transfer_syntax_uid == "1.2.840.10008.1.2.4.90"
    assert (lossless.pixels.dtype.name, lossless.pixels.shape) == (dtype, shape)
    assert lossless.photometric_interpretation == photometric
    np.testing.assert_array_equal(lossless.pixels, original.pixels)


@pytest.mark.parametrize("image", sorted(IMAGES))
def test_jpeg2000_lossy_equals_the_reference_decoder(image: str) -> None:
    _, dtype, shape, photometric = IMAGES[image]
    lossy, reference = _decoded(f"{image}_J2KI.dcm"), _decoded(f"{image}_UNCI.dcm")
    assert lossy.transfer_syntax_uid == "1.2.840.10008.1.2.4.91"
    assert (lossy.pixels.dtype.name, lossy.pixels.shape, lossy.photometric_interpretation) == (dtype, shape, photometric)
    np.testing.assert_array_equal(lossy.pixels, reference.pixels)
    assert not np.array_equal(lossy.pixels, _decoded(f"{image}_UNCR.dcm").pixels)  # really lossy
