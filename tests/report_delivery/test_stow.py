"""STOW-RS delivery of the SR and the Encapsulated PDF to a real Orthanc."""

from __future__ import annotations

from io import BytesIO
from pathlib import Path

import pytest
import requests
from pydicom import dcmread

from tests.orthanc import OrthancServer
from tests.report_delivery.reports import make_report_folder
from workstation.net.auth import store_secret
from workstation.net.dicomweb import DicomWebClient
from workstation.report.delivery.errors import DeliveryError, ReportPackageError
from workstation.report.delivery.package import load_report_version
from workstation.report.delivery.stow import deliver_stow
from workstation.settings import ArchiveProfile

pytestmark = pytest.mark.archive


def _client(orthanc: OrthancServer) -> DicomWebClient:
    profile = ArchiveProfile(name="test", url=orthanc.dicomweb_url, username=orthanc.user)
    store_secret(profile, orthanc.password)
    return DicomWebClient(profile, retries=0)


def _wado(orthanc: OrthancServer, path: Path) -> bytes:
    ds = dcmread(path)
    url = (f"{orthanc.dicomweb_url}/studies/{ds.StudyInstanceUID}/series/{ds.SeriesInstanceUID}"
           f"/instances/{ds.SOPInstanceUID}")
    r = requests.get(url, auth=(orthanc.user, orthanc.password), timeout=30,
                     headers={"Accept": 'multipart/related; type="application/dicom"; '
                                        "transfer-syntax=*"})
    r.raise_for_status()
    body = r.content
    start = body.index(b"DICM") - 128
    return body[start:]


def test_sr_and_pdf_arrive_and_read_back(tmp_path: Path, orthanc: OrthancServer) -> None:
    version = load_report_version(make_report_folder(tmp_path))
    with _client(orthanc) as client:
        assert deliver_stow(version, client) == "2 object(s) stored"
        found = {i.sop_class_uid for s in client.search_series(version.study_uid)
                 for i in client.search_instances(version.study_uid, s.series_uid)}
    assert found == {"1.2.840.10008.5.1.4.1.1.88.33", "1.2.840.10008.5.1.4.1.1.104.1"}
    pdf_object = dcmread(BytesIO(_wado(orthanc, version.pdf_dicom_path)))
    pdf = version.pdf_path.read_bytes()
    assert bytes(pdf_object.EncapsulatedDocument)[: len(pdf)] == pdf
    sr = dcmread(BytesIO(_wado(orthanc, version.sr_path)))
    assert sr.ContentSequence[0].TextValue == version.conclusion
    assert sr.SOPInstanceUID == dcmread(version.sr_path).SOPInstanceUID


def test_duplicate_counts_as_delivered(tmp_path: Path, orthanc: OrthancServer) -> None:
    version = load_report_version(make_report_folder(tmp_path))
    with _client(orthanc) as client:
        deliver_stow(version, client)
        assert deliver_stow(version, client) == "2 object(s) stored"
    stats = requests.get(f"{orthanc.rest_url}/statistics",
                         auth=(orthanc.user, orthanc.password), timeout=10).json()
    assert stats["CountInstances"] == 2


def test_object_of_another_study_is_refused(tmp_path: Path, orthanc: OrthancServer) -> None:
    folder = make_report_folder(tmp_path)
    other = make_report_folder(tmp_path, study_uid="1.2.826.0.1.3680043.8.498.999")
    (folder / "sr.dcm").write_bytes((other / "sr.dcm").read_bytes())
    with _client(orthanc) as client, pytest.raises(ReportPackageError, match="another study"):
        deliver_stow(load_report_version(folder), client)


def test_wrong_password_is_not_retried(tmp_path: Path, orthanc: OrthancServer) -> None:
    version = load_report_version(make_report_folder(tmp_path))
    profile = ArchiveProfile(name="bad", url=orthanc.dicomweb_url, username=orthanc.user)
    store_secret(profile, "wrong")
    with DicomWebClient(profile, retries=0) as client, \
            pytest.raises(DeliveryError, match="HTTP 401") as info:
        deliver_stow(version, client)
    assert not info.value.retryable
