"""STOW-RS against a real Orthanc (PS3.18 10.5)."""

from __future__ import annotations

from collections.abc import Callable
from io import BytesIO

import pydicom
import pytest

from tests import orthanc as orthanc_mod
from tests.net.conftest import renamed, sample, to_bytes
from workstation.errors import InvalidDicomError
from workstation.model.query import StudyQuery
from workstation.net.dicomweb import DicomWebClient, StoreRejected

pytestmark = pytest.mark.archive


def test_store_then_find_and_retrieve(orthanc: orthanc_mod.OrthancServer,
                                      make_client: Callable[..., DicomWebClient]) -> None:
    client = make_client(orthanc.dicomweb_url)
    ct = renamed(sample("CT_small.dcm"), PatientName="Stow^Roundtrip", PatientID="STOW1")
    mr = renamed(sample("MR_small.dcm"), PatientName="Stow^Roundtrip", PatientID="STOW1")
    result = client.store_instances([to_bytes(ct), to_bytes(mr)])
    assert result.ok and set(result.stored) == {str(ct.SOPInstanceUID), str(mr.SOPInstanceUID)}
    found = client.search_studies(StudyQuery(patient_name="stow"))
    assert {s.study_uid for s in found} == {str(ct.StudyInstanceUID), str(mr.StudyInstanceUID)}
    (data,) = list(client.iter_instances(str(mr.StudyInstanceUID), str(mr.SeriesInstanceUID)))
    assert pydicom.dcmread(BytesIO(data)).PixelData == mr.PixelData


def test_partly_refused_store_names_the_refused_instance(
        orthanc: orthanc_mod.OrthancServer, make_client: Callable[..., DicomWebClient]) -> None:
    client = make_client(orthanc.dicomweb_url)
    inside = renamed(sample("CT_small.dcm"))
    outside = renamed(sample("CT_small.dcm"))  # another study
    with pytest.raises(StoreRejected) as err:
        client.store_instances([to_bytes(inside), to_bytes(outside)],
                               study_uid=str(inside.StudyInstanceUID))
    result = err.value.result
    assert [f.sop_instance_uid for f in result.failed] == [str(outside.SOPInstanceUID)]
    assert str(outside.SOPInstanceUID) in str(err.value)
    assert str(inside.SOPInstanceUID) not in str(err.value)
    assert result.stored == (str(inside.SOPInstanceUID),)
    # what the archive said it stored is really there, and the refused one is not
    assert [s.study_uid for s in client.search_studies(StudyQuery())] == [
        str(inside.StudyInstanceUID)]


def test_not_dicom_is_refused_before_sending(orthanc: orthanc_mod.OrthancServer,
                                              make_client: Callable[..., DicomWebClient]) -> None:
    client = make_client(orthanc.dicomweb_url)
    with pytest.raises(InvalidDicomError) as err:
        client.store_instances([to_bytes(renamed(sample("CT_small.dcm"))), b"not dicom at all"])
    assert "Instance 2" in str(err.value)
    assert client.search_studies(StudyQuery()) == []
