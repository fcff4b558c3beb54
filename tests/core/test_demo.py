"""The demo phantom: a real CT volume with correct geometry and Hounsfield units."""

from __future__ import annotations

from io import BytesIO

import numpy as np
import pydicom

from workstation import demo


def test_phantom_series_is_a_consistent_ct_volume() -> None:
    parts = list(demo.phantom_series(shape=(8, 64, 64), spacing=(2.5, 3.0, 3.0)))
    assert len(parts) == 8
    datasets = [pydicom.dcmread(BytesIO(p)) for p in parts]
    assert len({d.SeriesInstanceUID for d in datasets}) == 1
    assert len({d.SOPInstanceUID for d in datasets}) == 8
    z = [float(d.ImagePositionPatient[2]) for d in datasets]
    assert np.allclose(np.diff(z), 2.5)
    volume, origin = demo.phantom_volume((8, 64, 64), (2.5, 3.0, 3.0))
    for k, d in enumerate(datasets):
        hu = d.pixel_array.astype(np.int32) * int(d.RescaleSlope) + int(d.RescaleIntercept)
        assert np.array_equal(hu, volume[k])
        assert np.allclose([float(v) for v in d.ImagePositionPatient], [origin[0], origin[1], origin[2] + 2.5 * k])
    # Air outside, bone in the skull, brain inside: the tissue classes a window preset expects.
    middle = volume[4]
    assert middle[0, 0] == -1000
    assert 1000 in middle and 40 in middle


def test_bundled_samples_are_real_dicom() -> None:
    samples = list(demo.bundled_samples())
    assert len(samples) == len(demo.BUNDLED_SAMPLES)
    for data in samples:
        assert pydicom.dcmread(BytesIO(data)).SOPInstanceUID
