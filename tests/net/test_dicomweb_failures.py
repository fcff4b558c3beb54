"""Failures: archive down, slow, refusing, failing, cutting transfers; cancellation; secrets
and patient names kept out of logs. A faulty loopback proxy stands between the client and a
real Orthanc."""

from __future__ import annotations

import base64
import logging
import time
from collections.abc import Callable
from io import BytesIO

import pydicom
import pytest
from pydicom.dataset import Dataset

from tests import orthanc as orthanc_mod
from tests.net.conftest import renamed, sample, to_bytes
from tests.net.faulty_proxy import Behaviour, FaultyProxy
from workstation.errors import (
    ArchiveError,
    AuthError,
    Cancelled,
    NotFoundError,
    TransferInterrupted,
)
from workstation.model.query import StudyQuery
from workstation.model.source import CancelToken
from workstation.net.dicomweb import DicomWebClient

pytestmark = pytest.mark.archive

MakeClient = Callable[..., DicomWebClient]


def upload_series(orthanc: orthanc_mod.OrthancServer, n: int = 3) -> list[Dataset]:
    """``n`` CT instances of one new series (about 40 kB each)."""
    base = renamed(sample("CT_small.dcm"), PatientName="Fault^Test", PatientID="F1")
    series = [renamed(base, new_study=False, new_series=False, InstanceNumber=i + 1)
              for i in range(n)]
    for ds in series:
        orthanc.upload(to_bytes(ds))
    return series


def sop_of(data: bytes) -> str:
    return str(pydicom.dcmread(BytesIO(data), stop_before_pixels=True).SOPInstanceUID)


def test_archive_down(make_client: MakeClient) -> None:
    port = orthanc_mod.free_port()  # nothing listens there
    client = make_client(f"http://127.0.0.1:{port}/dicom-web", retries=2)
    started = time.monotonic()
    with pytest.raises(ArchiveError) as err:
        client.search_studies(StudyQuery())
    assert time.monotonic() - started < 2
    message = str(err.value)
    assert message.startswith(f"The archive at 127.0.0.1:{port} could not be reached")
    assert "refused" in message and "Check the URL and your connection." in message
    assert err.value.retryable
    check = client.check_connection()
    assert not check.ok and "could not be reached" in check.message


def test_unknown_host(make_client: MakeClient) -> None:
    client = make_client("http://no-such-archive.invalid/dicom-web", retries=0, auth="none")
    with pytest.raises(ArchiveError) as err:
        client.search_studies(StudyQuery())
    assert "no-such-archive.invalid could not be reached" in str(err.value)


def test_slow_archive_times_out_after_retries(proxy: FaultyProxy, make_client: MakeClient) -> None:
    proxy.default = Behaviour("delay", seconds=1.0)
    client = make_client(proxy.dicomweb_url, retries=2, read_timeout_s=0.2)
    started = time.monotonic()
    with pytest.raises(ArchiveError) as err:
        client.search_studies(StudyQuery())
    elapsed = time.monotonic() - started
    assert len(proxy.seen) == 3  # first try and two retries
    assert "stopped answering for 0.2 s" in str(err.value)
    assert elapsed < 2.5, elapsed


def test_slow_once_then_answers(proxy: FaultyProxy, make_client: MakeClient) -> None:
    proxy.plan = [Behaviour("delay", seconds=1.0)]
    client = make_client(proxy.dicomweb_url, retries=2, read_timeout_s=0.3)
    assert client.search_studies(StudyQuery()) == []
    assert len(proxy.seen) == 2


def test_wrong_password(orthanc: orthanc_mod.OrthancServer, make_client: MakeClient) -> None:
    client = make_client(orthanc.dicomweb_url, password="wrong-password-123")
    with pytest.raises(AuthError) as err:
        client.search_studies(StudyQuery())
    assert err.value.status == 401
    assert "user name or password" in str(err.value)
    assert "wrong-password-123" not in str(err.value)


def test_missing_password(orthanc: orthanc_mod.OrthancServer) -> None:
    from workstation.settings import ArchiveProfile

    profile = ArchiveProfile(name="Nosecret", url=orthanc.dicomweb_url, username="someone")
    with pytest.raises(AuthError) as err:
        DicomWebClient(profile).search_studies(StudyQuery())
    assert "No password is saved for archive profile 'Nosecret'" in str(err.value)


def test_forbidden(proxy: FaultyProxy, make_client: MakeClient) -> None:
    proxy.default = Behaviour("status", status=403)
    with pytest.raises(AuthError) as err:
        make_client(proxy.dicomweb_url).search_series("1.2.3")
    assert err.value.status == 403 and "administrator" in str(err.value)
    assert len(proxy.seen) == 1  # not retried


def test_not_found_through_proxy(proxy: FaultyProxy, make_client: MakeClient) -> None:
    with pytest.raises(NotFoundError):
        make_client(proxy.dicomweb_url).series_metadata("1.2.3.404", "1.2.3.405")
    assert len(proxy.seen) == 1


def test_server_error_retried_for_get(proxy: FaultyProxy, make_client: MakeClient) -> None:
    proxy.plan = [Behaviour("status", status=500), Behaviour("status", status=503)]
    client = make_client(proxy.dicomweb_url, retries=3)
    assert client.search_studies(StudyQuery()) == []
    assert len(proxy.seen) == 3

    proxy.seen.clear()
    proxy.default = Behaviour("status", status=500)
    with pytest.raises(ArchiveError) as err:
        client.search_studies(StudyQuery())
    assert len(proxy.seen) == 4
    assert err.value.status == 500 and err.value.retryable
    assert "HTTP 500" in str(err.value) and "try again later" in str(err.value)


def test_post_is_not_retried(proxy: FaultyProxy, make_client: MakeClient) -> None:
    proxy.default = Behaviour("status", status=503)
    client = make_client(proxy.dicomweb_url, retries=3)
    with pytest.raises(ArchiveError) as err:
        client.store_instances([to_bytes(renamed(sample("CT_small.dcm")))])
    assert err.value.status == 503
    assert [s.method for s in proxy.seen] == ["POST"]


@pytest.mark.parametrize("keep_length", [True, False])
def test_truncated_series_yields_complete_instances(
        orthanc: orthanc_mod.OrthancServer, proxy: FaultyProxy, make_client: MakeClient,
        keep_length: bool) -> None:
    series = upload_series(orthanc, 3)
    # 5/6 of the body ends in the middle of the third instance
    proxy.default = Behaviour("truncate", fraction=5 / 6, keep_length=keep_length)
    client = make_client(proxy.dicomweb_url)
    got: list[bytes] = []
    with pytest.raises(TransferInterrupted) as err:
        for data in client.iter_instances(str(series[0].StudyInstanceUID),
                                          str(series[0].SeriesInstanceUID)):
            got.append(data)
    assert len(got) == 2
    by_uid = {str(d.SOPInstanceUID): d for d in series}
    for data in got:
        ds = pydicom.dcmread(BytesIO(data))
        assert ds.PixelData == by_uid[str(ds.SOPInstanceUID)].PixelData
    assert "cut short" in str(err.value)


def test_cut_instance_is_fetched_again_in_parallel_mode(
        orthanc: orthanc_mod.OrthancServer, proxy: FaultyProxy, make_client: MakeClient) -> None:
    series = upload_series(orthanc, 2)
    proxy.plan = [Behaviour("truncate", fraction=0.5)]
    client = make_client(proxy.dicomweb_url, max_connections=1)
    sops = [str(d.SOPInstanceUID) for d in series]
    got = list(client.iter_instances(str(series[0].StudyInstanceUID),
                                     str(series[0].SeriesInstanceUID), sops))
    assert sorted(sop_of(b) for b in got) == sorted(sops)
    assert len(proxy.seen) == 3  # the cut instance was asked for twice


def test_fallback_when_stored_syntax_is_refused(
        orthanc: orthanc_mod.OrthancServer, proxy: FaultyProxy, make_client: MakeClient) -> None:
    series = upload_series(orthanc, 2)
    proxy.default = Behaviour("reject-stored")
    client = make_client(proxy.dicomweb_url)
    study, uid = str(series[0].StudyInstanceUID), str(series[0].SeriesInstanceUID)
    got = [pydicom.dcmread(BytesIO(b)) for b in client.iter_instances(study, uid)]
    assert sorted(str(d.SOPInstanceUID) for d in got) == sorted(str(d.SOPInstanceUID)
                                                                for d in series)
    assert all(d.PixelData == series[0].PixelData for d in got)
    accepts = [s.accept for s in proxy.seen]
    assert "transfer-syntax=*" in accepts[0] and "transfer-syntax" not in accepts[1]
    # remembered: the next retrieval asks for the default syntax straight away
    proxy.seen.clear()
    list(client.iter_instances(study, uid))
    assert len(proxy.seen) == 1 and "transfer-syntax" not in proxy.seen[0].accept


def test_cancel_mid_transfer(orthanc: orthanc_mod.OrthancServer, proxy: FaultyProxy,
                             make_client: MakeClient) -> None:
    series = upload_series(orthanc, 3)
    # about 120 kB at 4 kB every 100 ms: 3 s for the whole series, 1 s for the first instance
    proxy.default = Behaviour("trickle", chunk=4096, seconds=0.1)
    client = make_client(proxy.dicomweb_url)
    token = CancelToken()
    stream = client.iter_instances(str(series[0].StudyInstanceUID),
                                   str(series[0].SeriesInstanceUID), cancel=token)
    started = time.monotonic()
    first = next(stream)
    assert sop_of(first) in {str(d.SOPInstanceUID) for d in series}
    token.cancel()
    with pytest.raises(Cancelled):
        next(stream)
    assert time.monotonic() - started < 2.0


def test_cancel_parallel_retrieval(orthanc: orthanc_mod.OrthancServer, proxy: FaultyProxy,
                                   make_client: MakeClient) -> None:
    series = upload_series(orthanc, 4)
    proxy.default = Behaviour("trickle", chunk=2048, seconds=0.05)
    client = make_client(proxy.dicomweb_url, max_connections=2)
    token = CancelToken()
    stream = client.iter_instances(str(series[0].StudyInstanceUID),
                                   str(series[0].SeriesInstanceUID),
                                   [str(d.SOPInstanceUID) for d in series], cancel=token)
    started = time.monotonic()
    next(stream)
    token.cancel()
    with pytest.raises(Cancelled):
        list(stream)
    assert time.monotonic() - started < 2.5
    time.sleep(0.2)
    assert len(proxy.seen) < 4 + 2  # no new requests were started after the cancel


def test_parallel_requests_are_in_flight_together(
        orthanc: orthanc_mod.OrthancServer, proxy: FaultyProxy, make_client: MakeClient) -> None:
    series = upload_series(orthanc, 4)
    proxy.default = Behaviour("delay", seconds=0.4)
    sops = [str(d.SOPInstanceUID) for d in series]
    study, uid = str(series[0].StudyInstanceUID), str(series[0].SeriesInstanceUID)
    serial = make_client(proxy.dicomweb_url, max_connections=1)
    started = time.monotonic()
    assert len(list(serial.iter_instances(study, uid, sops))) == 4
    one_at_a_time = time.monotonic() - started
    parallel = make_client(proxy.dicomweb_url, max_connections=4)
    started = time.monotonic()
    assert sorted(sop_of(b) for b in parallel.iter_instances(study, uid, sops)) == sorted(sops)
    four_at_a_time = time.monotonic() - started
    assert one_at_a_time > 1.5 and four_at_a_time < one_at_a_time / 2, (
        one_at_a_time, four_at_a_time)


def test_no_secret_or_patient_name_in_logs(orthanc: orthanc_mod.OrthancServer,
                                           make_client: MakeClient,
                                           caplog: pytest.LogCaptureFixture) -> None:
    series = upload_series(orthanc, 1)
    token = base64.b64encode(f"{orthanc.user}:{orthanc.password}".encode()).decode()
    with caplog.at_level(logging.DEBUG):
        client = make_client(orthanc.dicomweb_url)
        assert client.search_studies(StudyQuery(patient_name="Fault^Test"))
        list(client.iter_instances(str(series[0].StudyInstanceUID),
                                   str(series[0].SeriesInstanceUID)))
        assert client.check_connection().ok
        bad = make_client(orthanc.dicomweb_url, password="Wr0ng-Secret")
        with pytest.raises(AuthError):
            bad.search_studies(StudyQuery(patient_name="Fault"))
    text = "\n".join(r.getMessage() for r in caplog.records)
    assert "GET /dicom-web/studies" in text  # the requests were logged...
    for secret in (orthanc.password, token, "Wr0ng-Secret"):
        assert secret not in text  # ...without credentials
    assert "Fault" not in text  # and without the patient name from the query string
