"""QIDO-RS and WADO-RS against a real Orthanc (PS3.18 10.4, 10.6)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from io import BytesIO

import pydicom
import pytest
from pydicom.dataset import Dataset
from pydicom.encaps import generate_frames

from tests import orthanc as orthanc_mod
from tests.net.conftest import renamed, sample, to_bytes
from workstation.errors import NotFoundError
from workstation.model.entities import ARCHIVE
from workstation.model.query import StudyQuery
from workstation.model.source import StudySource
from workstation.net.dicomweb import DicomWebClient, bulk_data_uris

pytestmark = pytest.mark.archive


@dataclass
class Seeded:
    server: orthanc_mod.OrthancServer
    datasets: list[Dataset]  # what was uploaded, in order
    series3: list[Dataset]  # three instances of one CT series


@pytest.fixture(scope="module")
def seeded(orthanc_server: orthanc_mod.OrthancServer) -> Iterator[Seeded]:
    """The archive holding pydicom's CT, MR and JPEG 2000 samples, a renamed CT study and a
    three-instance CT series (read-only for every test of this module)."""
    orthanc_server.clear()
    datasets = [sample("CT_small.dcm"), sample("MR_small.dcm"), sample("JPEG2000.dcm")]
    datasets.append(renamed(sample("CT_small.dcm"), PatientName="Smith^John",
                            PatientID="SMJ001", AccessionNumber="ACC123",
                            StudyDate="20200315", StudyDescription="CT Head"))
    base = renamed(sample("CT_small.dcm"), PatientName="Series^Three", PatientID="S3",
                   StudyDate="20210101")
    series3 = []
    for number in (1, 2, 3):
        ds = renamed(base, new_study=False, new_series=False, InstanceNumber=number)
        series3.append(ds)
    for ds in datasets + series3:
        orthanc_server.upload(to_bytes(ds))
    yield Seeded(orthanc_server, datasets, series3)
    orthanc_server.clear()


@pytest.fixture
def client(seeded: Seeded, make_client: Callable[..., DicomWebClient]) -> DicomWebClient:
    return make_client(seeded.server.dicomweb_url)


def uids(studies: list) -> set[str]:
    return {s.study_uid for s in studies}


def all_study_uids(seeded: Seeded) -> set[str]:
    return {str(ds.StudyInstanceUID) for ds in seeded.datasets + seeded.series3}


def test_client_is_a_study_source(client: DicomWebClient) -> None:
    assert isinstance(client, StudySource)
    assert client.name == client.profile.name


def test_search_all_and_summary_fields(seeded: Seeded, client: DicomWebClient) -> None:
    studies = client.search_studies(StudyQuery())
    assert uids(studies) == all_study_uids(seeded)
    smith = next(s for s in studies if s.patient_id == "SMJ001")
    assert smith.patient_name == "Smith^John" and smith.accession_number == "ACC123"
    assert smith.study_date == "20200315" and smith.study_description == "CT Head"
    assert smith.modalities == ("CT",) and smith.origins == frozenset({ARCHIVE})
    assert smith.number_of_series == 1 and smith.number_of_instances == 1
    three = next(s for s in studies if s.patient_id == "S3")
    assert three.number_of_instances == 3
    ct = seeded.datasets[0]
    original = next(s for s in studies if s.study_uid == ct.StudyInstanceUID)
    assert original.patient_sex == ct.PatientSex and original.study_time == ct.StudyTime


@pytest.mark.parametrize("name", ["Smith*", "smith", "SMITH^JO", "smith^john", "*^John", "Sm?th*"])
def test_patient_name_wildcards_and_prefix(seeded: Seeded, client: DicomWebClient,
                                           name: str) -> None:
    found = client.search_studies(StudyQuery(patient_name=name))
    assert uids(found) == {str(seeded.datasets[3].StudyInstanceUID)}


def test_patient_name_no_match(client: DicomWebClient) -> None:
    assert client.search_studies(StudyQuery(patient_name="Nobody")) == []
    assert client.search_studies(StudyQuery(patient_name="Smith^Jane")) == []


def test_id_accession_uid_description_modality(seeded: Seeded, client: DicomWebClient) -> None:
    smith_uid = str(seeded.datasets[3].StudyInstanceUID)
    assert uids(client.search_studies(StudyQuery(patient_id="SMJ001"))) == {smith_uid}
    assert uids(client.search_studies(StudyQuery(patient_id="SMJ*"))) == {smith_uid}
    assert uids(client.search_studies(StudyQuery(accession_number="ACC123"))) == {smith_uid}
    assert uids(client.search_studies(StudyQuery(study_uid=smith_uid))) == {smith_uid}
    assert uids(client.search_studies(StudyQuery(study_description="CT Head"))) == {smith_uid}
    nm = seeded.datasets[2]
    assert uids(client.search_studies(StudyQuery(study_description="Whole Body"))) == {
        str(nm.StudyInstanceUID)}
    for modality in ("MR", "NM"):
        expected = {str(ds.StudyInstanceUID) for ds in seeded.datasets + seeded.series3
                    if ds.Modality == modality}
        assert expected and uids(client.search_studies(StudyQuery(modality=modality))) == expected


def test_date_range(seeded: Seeded, client: DicomWebClient) -> None:
    start, end = dt.date(2004, 8, 1), dt.date(2020, 12, 31)
    expected = {
        str(ds.StudyInstanceUID) for ds in seeded.datasets + seeded.series3
        if start <= dt.datetime.strptime(ds.StudyDate, "%Y%m%d").date() <= end
    }
    assert 0 < len(expected) < len(all_study_uids(seeded))
    found = client.search_studies(StudyQuery(study_date_from=start, study_date_to=end))
    assert uids(found) == expected
    since = client.search_studies(StudyQuery(study_date_from=dt.date(2020, 1, 1)))
    assert uids(since) == {str(seeded.datasets[3].StudyInstanceUID),
                           str(seeded.series3[0].StudyInstanceUID)}


def test_paging(seeded: Seeded, client: DicomWebClient) -> None:
    everything = uids(client.search_studies(StudyQuery()))
    pages = [client.search_studies(StudyQuery(limit=2, offset=o)) for o in (0, 2, 4)]
    assert [len(p) for p in pages] == [2, 2, len(everything) - 4]
    seen = [s.study_uid for p in pages for s in p]
    assert len(seen) == len(set(seen)) and set(seen) == everything


def test_series_and_instances(seeded: Seeded, client: DicomWebClient) -> None:
    first = seeded.series3[0]
    (series,) = client.search_series(str(first.StudyInstanceUID))
    assert series.series_uid == first.SeriesInstanceUID and series.modality == "CT"
    assert series.number_of_instances == 3
    instances = client.search_instances(series.study_uid, series.series_uid)
    assert [i.sop_instance_uid for i in instances] == [str(d.SOPInstanceUID)
                                                       for d in seeded.series3]
    assert [i.instance_number for i in instances] == [1, 2, 3]
    assert all(i.rows == first.Rows and i.columns == first.Columns for i in instances)


def test_series_metadata_and_bulk_data(seeded: Seeded, client: DicomWebClient) -> None:
    ct = seeded.datasets[0]
    (meta,) = client.series_metadata(str(ct.StudyInstanceUID), str(ct.SeriesInstanceUID))
    assert meta.SOPInstanceUID == ct.SOPInstanceUID
    assert (meta.Rows, meta.Columns) == (ct.Rows, ct.Columns)
    assert [float(v) for v in meta.ImagePositionPatient] == [float(v) for v in ct.ImagePositionPatient]
    assert [float(v) for v in meta.PixelSpacing] == [float(v) for v in ct.PixelSpacing]
    uri = bulk_data_uris(meta)["7FE00010"]
    assert client.retrieve_bulkdata(uri) == ct.PixelData


def test_whole_series_in_stored_syntax(seeded: Seeded, client: DicomWebClient) -> None:
    for ds in seeded.datasets:
        (data,) = list(client.iter_instances(str(ds.StudyInstanceUID), str(ds.SeriesInstanceUID)))
        got = pydicom.dcmread(BytesIO(data))
        assert got.file_meta.TransferSyntaxUID == ds.file_meta.TransferSyntaxUID
        assert got.SOPInstanceUID == ds.SOPInstanceUID
        assert got.PixelData == ds.PixelData  # the stored bytes, not a transcoded copy


def test_series_of_three_one_request_and_parallel(seeded: Seeded, client: DicomWebClient) -> None:
    first = seeded.series3[0]
    study, series = str(first.StudyInstanceUID), str(first.SeriesInstanceUID)
    expected = {str(d.SOPInstanceUID): d.PixelData for d in seeded.series3}
    whole = [pydicom.dcmread(BytesIO(b)) for b in client.iter_instances(study, series)]
    assert {str(d.SOPInstanceUID): d.PixelData for d in whole} == expected
    subset = list(expected)[1:]
    parallel = [pydicom.dcmread(BytesIO(b))
                for b in client.iter_instances(study, series, subset)]
    assert sorted(str(d.SOPInstanceUID) for d in parallel) == sorted(subset)
    assert all(d.PixelData == expected[str(d.SOPInstanceUID)] for d in parallel)


def test_missing_instance_reported_after_the_others(seeded: Seeded,
                                                    client: DicomWebClient) -> None:
    first = seeded.series3[0]
    got = []
    with pytest.raises(NotFoundError) as err:
        for b in client.iter_instances(str(first.StudyInstanceUID), str(first.SeriesInstanceUID),
                                       [str(first.SOPInstanceUID), "1.2.3.4.5.404"]):
            got.append(pydicom.dcmread(BytesIO(b)).SOPInstanceUID)
    assert got == [first.SOPInstanceUID]
    assert "1.2.3.4.5.404" in str(err.value) and "1 of the 2" in str(err.value)


def test_frames_in_stored_syntax(seeded: Seeded, client: DicomWebClient) -> None:
    ct, nm = seeded.datasets[0], seeded.datasets[2]
    ((frame, syntax),) = client.retrieve_frames(str(ct.StudyInstanceUID),
                                                str(ct.SeriesInstanceUID),
                                                str(ct.SOPInstanceUID), [1])
    assert syntax == ct.file_meta.TransferSyntaxUID and frame == ct.PixelData
    ((frame, syntax),) = client.retrieve_frames(str(nm.StudyInstanceUID),
                                                str(nm.SeriesInstanceUID),
                                                str(nm.SOPInstanceUID), [1])
    assert syntax == nm.file_meta.TransferSyntaxUID == "1.2.840.10008.1.2.4.91"
    expected = next(generate_frames(nm.PixelData, number_of_frames=1))
    assert frame.rstrip(b"\0") == expected.rstrip(b"\0")  # fragments are padded to even length


def test_not_found(client: DicomWebClient) -> None:
    with pytest.raises(NotFoundError) as err:
        list(client.iter_instances("1.2.3.404", "1.2.3.405"))
    assert err.value.status == 404 and "HTTP 404" in str(err.value)
    with pytest.raises(NotFoundError):
        client.retrieve_frames("1.2.3.404", "1.2.3.405", "1.2.3.406", [1])


def test_check_connection(seeded: Seeded, client: DicomWebClient,
                          make_client: Callable[..., DicomWebClient]) -> None:
    check = client.check_connection()
    assert check.ok and "Connected" in str(check)
    wrong = make_client(seeded.server.dicomweb_url, password="not-the-password").check_connection()
    assert not wrong.ok and "401" in wrong.message and "not-the-password" not in wrong.message
    not_dicomweb = make_client(seeded.server.rest_url + "/nothing-here").check_connection()
    assert not not_dicomweb.ok and "404" in not_dicomweb.message


def test_real_ct_series_from_shared_data(shared_data, orthanc_server: orthanc_mod.OrthancServer,
                                         seeded: Seeded, client: DicomWebClient) -> None:
    files = sorted((shared_data / "ct_head_phantom_philips" / "S2010").glob("*.dcm"))[:4]
    if len(files) < 4:
        pytest.skip("the Philips CT phantom series is not in shared/data")
    originals = [pydicom.dcmread(f) for f in files]
    for f in files:
        orthanc_server.upload(f.read_bytes())
    study, series = str(originals[0].StudyInstanceUID), str(originals[0].SeriesInstanceUID)
    try:
        expected = {str(d.SOPInstanceUID): d for d in originals}
        listed = client.search_instances(study, series)
        assert {i.sop_instance_uid for i in listed} == set(expected)
        for data in client.iter_instances(study, series, list(expected)):
            got = pydicom.dcmread(BytesIO(data))
            ref = expected[str(got.SOPInstanceUID)]
            assert got.file_meta.TransferSyntaxUID == ref.file_meta.TransferSyntaxUID
            assert got.PixelData == ref.PixelData
    finally:
        for ds in originals:  # leave the module's archive as the other tests expect it
            import requests

            found = requests.post(f"{orthanc_server.rest_url}/tools/lookup",
                                  data=str(ds.StudyInstanceUID),
                                  auth=(orthanc_server.user, orthanc_server.password),
                                  timeout=10).json()
            for hit in found:
                requests.delete(f"{orthanc_server.rest_url}{hit['Path']}",
                                auth=(orthanc_server.user, orthanc_server.password), timeout=10)


def test_gzip_content_coding_is_decoded(seeded: Seeded,
                                        make_client: Callable[..., DicomWebClient]) -> None:
    # Orthanc gzips single-instance and bulk data answers when the client allows it.
    client = make_client(seeded.server.dicomweb_url)
    client.gzip_pixels = True
    ct = seeded.series3[0]
    (meta,) = [m for m in client.series_metadata(str(ct.StudyInstanceUID),
                                                 str(ct.SeriesInstanceUID))
               if m.SOPInstanceUID == ct.SOPInstanceUID]
    assert client.retrieve_bulkdata(bulk_data_uris(meta)["7FE00010"]) == ct.PixelData
    (data,) = list(client.iter_instances(str(ct.StudyInstanceUID), str(ct.SeriesInstanceUID),
                                         [str(ct.SOPInstanceUID)]))
    assert pydicom.dcmread(BytesIO(data)).PixelData == ct.PixelData
