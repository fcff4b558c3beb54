"""Whole-series volume retrieval from a real Orthanc equals the slices decoded one by one."""

from __future__ import annotations

from io import BytesIO

import numpy as np
import pydicom
import pytest

from tests.orthanc import OrthancServer
from workstation import demo
from workstation.errors import GeometryError
from workstation.model.decoder_pool import DecoderPool
from workstation.net.dicomweb import DicomWebClient
from workstation.net.volume_fetch import fetch_series_volume
from workstation.settings import ArchiveProfile


@pytest.fixture
def client(orthanc: OrthancServer, monkeypatch: pytest.MonkeyPatch) -> DicomWebClient:
    monkeypatch.setenv("WORKSTATION_USER", orthanc.user)
    monkeypatch.setenv("WORKSTATION_PASSWORD", orthanc.password)
    return DicomWebClient(ArchiveProfile("t", orthanc.dicomweb_url, username=orthanc.user))


def test_generated_ct_volume(orthanc: OrthancServer, client: DicomWebClient) -> None:
    parts = list(demo.phantom_series(shape=(24, 64, 64), spacing=(2.0, 1.0, 1.0)))
    for data in reversed(parts):  # stored in the opposite order: the volume must sort by position
        orthanc.upload(data)
    first = pydicom.dcmread(BytesIO(parts[0]), stop_before_pixels=True)
    seen: list[int] = []
    with DecoderPool() as pool:
        fetched = fetch_series_volume(client, first.StudyInstanceUID, first.SeriesInstanceUID, pool,
                                      on_slice=seen.append)
    expected, _ = demo.phantom_volume((24, 64, 64), (2.0, 1.0, 1.0))
    assert fetched.volume.dtype == np.uint16  # stored values, not rescaled
    assert np.array_equal(fetched.volume.astype(np.int32) - 1024, expected)
    assert sorted(seen) == list(range(24))
    z = [float(h.ImagePositionPatient[2]) for h in fetched.headers]
    assert z == sorted(z)
    assert fetched.geometry.geometry.spacing[2] == pytest.approx(2.0)
    assert 0 < fetched.seconds_to_first_slice <= fetched.seconds_total
    assert not fetched.failed


def test_phantom_ct_jpeg_ls(orthanc: OrthancServer, client: DicomWebClient, shared_data) -> None:  # type: ignore[no-untyped-def]
    files = sorted((shared_data / "ct_head_phantom_philips" / "S2010").iterdir())
    files = [f for f in files if f.is_file()]
    for f in files:
        orthanc.upload(f.read_bytes())
    headers = [pydicom.dcmread(f) for f in files]
    with DecoderPool() as pool:
        fetched = fetch_series_volume(client, headers[0].StudyInstanceUID, headers[0].SeriesInstanceUID, pool)
    by_uid = {h.SOPInstanceUID: h for h in headers}
    for k, h in enumerate(fetched.headers):
        assert np.array_equal(fetched.volume[k], by_uid[h.SOPInstanceUID].pixel_array)


def test_not_a_volume_is_a_clear_error(orthanc: OrthancServer, client: DicomWebClient) -> None:
    data = next(demo.bundled_samples())
    orthanc.upload(data)
    ds = pydicom.dcmread(BytesIO(data), stop_before_pixels=True)
    with DecoderPool() as pool, pytest.raises(GeometryError):
        fetch_series_volume(client, ds.StudyInstanceUID, ds.SeriesInstanceUID, pool)


def test_reorder_slices_in_place() -> None:
    from workstation.net.volume_fetch import reorder_slices

    rng = np.random.default_rng(7)
    for n in (1, 2, 5, 40):
        volume = rng.integers(0, 1000, size=(n, 3, 4)).astype(np.int16)
        order = list(rng.permutation(n))
        expected = volume[np.asarray(order)].copy()
        reorder_slices(volume, order)
        assert np.array_equal(volume, expected)
