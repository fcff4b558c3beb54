"""MPR measurements saved as a TID 1500 report with SCOORD3D (workstation.annotate.plane_sr):
valid for dciodvfy, read back with the same points and values, through a real Orthanc."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pydicom
import pytest
from pydicom.dataset import Dataset

from tests import orthanc as orthanc_mod
from tests import validators
from tests.annotate.test_archive_round_trip import _client
from workstation.annotate.measurements import Kind
from workstation.annotate.plane_measurements import measure_on_plane
from workstation.annotate.plane_sr import build_plane_measurement_report, plane_measurements_from_sr
from workstation.annotate.sr_tid1500 import MeasurementReportError
from workstation.demo import phantom_series
from workstation.model.geometry import build_volume_geometry
from workstation.model.mpr import MprState


def _series() -> tuple[list[bytes], list[Dataset]]:
    data = list(phantom_series(shape=(12, 64, 64), spacing=(3.0, 3.0, 3.0)))
    headers = [pydicom.dcmread(io.BytesIO(b), stop_before_pixels=True) for b in data]
    return data, headers


def _measurements(headers: list[Dataset]):  # type: ignore[no-untyped-def]
    geometry = build_volume_geometry(headers).geometry
    volume = np.arange(int(np.prod(geometry.shape)), dtype=np.int32).reshape(geometry.shape).astype(np.uint16)
    state = MprState(geometry)
    state.rotate("axial", 30.0)
    coronal = state.plane("coronal")
    axial = state.plane("axial")
    return [
        measure_on_plane(Kind.LENGTH, [coronal.pixel_to_patient(5, 6), coronal.pixel_to_patient(30, 20)], "coronal", coronal.normal),
        measure_on_plane(Kind.ANGLE, [axial.pixel_to_patient(10, 10), axial.pixel_to_patient(20, 20), axial.pixel_to_patient(35, 12)], "axial", axial.normal),
        measure_on_plane(Kind.PROBE, [axial.pixel_to_patient(30, 31)], "axial", axial.normal, volume=volume, geometry=geometry, header=headers[0]),
    ]


def _assert_same(back, written) -> None:  # type: ignore[no-untyped-def]
    assert [m.id for m in back] == [m.id for m in written]
    for b, w in zip(back, written, strict=True):
        assert b.kind is w.kind and b.plane_name == w.plane_name
        np.testing.assert_allclose(b.points, w.points, atol=1e-5)
        assert [(v.name, v.unit) for v in b.values] == [(v.name, v.unit) for v in w.values]
        np.testing.assert_allclose([v.value for v in b.values], [v.value for v in w.values], rtol=1e-6)


def test_report_is_valid_and_reads_back(tmp_path: Path) -> None:
    _data, headers = _series()
    written = _measurements(headers)
    report = build_plane_measurement_report(written, headers)
    validators.assert_valid_sr(report, tmp_path)
    scoords = [item for item in _all(report) if item.get("ValueType") == "SCOORD3D"]
    assert [str(s.GraphicType) for s in scoords] == ["POLYLINE", "POLYLINE", "POINT"]
    assert all(str(s.ReferencedFrameOfReferenceUID) == str(headers[0].FrameOfReferenceUID) for s in scoords)
    _assert_same(plane_measurements_from_sr(report), written)
    newer = build_plane_measurement_report(written[:1], headers, previous_version=report)
    assert newer.SOPInstanceUID != report.SOPInstanceUID and newer.SeriesInstanceUID == report.SeriesInstanceUID
    with pytest.raises(MeasurementReportError):
        build_plane_measurement_report([], headers)
    bad = [Dataset()]
    with pytest.raises(MeasurementReportError):
        build_plane_measurement_report(written, bad)


def _all(ds: Dataset) -> list[Dataset]:
    out = []
    for item in ds.get("ContentSequence", []):
        out.append(item)
        out.extend(_all(item))
    return out


def test_round_trip_through_the_archive(orthanc: orthanc_mod.OrthancServer) -> None:
    data, headers = _series()
    for b in data:
        orthanc.upload(b)
    written = _measurements(headers)
    report = build_plane_measurement_report(written, headers)
    buffer = io.BytesIO()
    report.save_as(buffer, enforce_file_format=True)
    orthanc.upload(buffer.getvalue())
    with _client(orthanc.dicomweb_url, orthanc.user, orthanc.password) as client:
        study = str(headers[0].StudyInstanceUID)
        found = {s.modality: s.series_uid for s in client.search_series(study)}
        assert set(found) == {"CT", "SR"}
        back = pydicom.dcmread(io.BytesIO(b"".join(client.iter_instances(study, found["SR"]))))
    _assert_same(plane_measurements_from_sr(back), written)
