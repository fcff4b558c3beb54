"""Fault injection: the real DICOMweb client against a real misbehaving archive on 127.0.0.1.

Each fault (tests/faultserver.py) is aimed at one of the client's real code paths: QIDO-RS
search, WADO-RS metadata, the pull of a series (WADO-RS retrieve, then instance by instance for
what is missing), a frame retrieve, a STOW-RS store. After each: the error is one sentence
naming the archive, nothing is lost or duplicated (a second pull completes the library with every
instance exactly once), memory stays under a bound (tracemalloc peak, every thread) and so does
the time to the error. Caps and deadlines are set small so each case runs in about a second.

``FAULTS_TABLE=path`` writes the measured rows as a Markdown table (pasted into the "Faults survived" section of bench/RESULTS.md).
"""

from __future__ import annotations

import os
import time
import tracemalloc
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.faultserver import Fault, FaultServer, self_signed_tls
from workstation.errors import ArchiveError, AuthError, SettingsError
from workstation.model.query import StudyQuery
from workstation.net.auth import store_secret
from workstation.net.dicomweb import DicomWebClient
from workstation.net.transfer import pull_study
from workstation.settings import ArchiveProfile
from workstation.store.library import Library

pytestmark = pytest.mark.timeout(60)

CAP_MB = 1.0  # max_json_mb and max_instance_mb in these tests
GRACE_S = 0.5
FLOOR_KBPS = 4.0
MEMORY_BOUND = 8 * 1024 * 1024  # bytes: the caps (1 MB) plus chunks, far under a fault's 64 MB
ROWS: list[dict[str, str]] = []


@dataclass
class Measured:
    error: BaseException | None
    result: Any
    seconds: float
    peak: int


def measure(fn: Callable[[], Any]) -> Measured:
    """Run ``fn``, recording its exception, time and peak traced memory (all threads)."""
    tracemalloc.start()
    tracemalloc.reset_peak()
    started = time.monotonic()
    error: BaseException | None = None
    result = None
    try:
        result = fn()
    except Exception as exc:  # noqa: BLE001 - recorded for the assertions
        error = exc
    seconds = time.monotonic() - started
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return Measured(error, result, seconds, peak)


def record(fault: str, expected: str, m: Measured, result: str) -> None:
    ROWS.append({"fault": fault, "expected": expected, "result": result,
                 "peak": f"{m.peak / 1e6:.1f} MB", "time": f"{m.seconds:.2f} s"})


def one_sentence(text: str) -> bool:
    return bool(text) and "\n" not in text and "Traceback" not in text and text.endswith(".")


@pytest.fixture
def archive() -> Iterator[FaultServer]:
    server = FaultServer().start()
    yield server
    server.stop()


@pytest.fixture
def client_for() -> Iterator[Callable[..., DicomWebClient]]:
    clients: list[DicomWebClient] = []

    def build(server: FaultServer, **kw: Any) -> DicomWebClient:
        settings: dict[str, Any] = dict(
            name="Fault PACS", url=server.url, auth="basic", username="radiologue",
            max_json_mb=CAP_MB, max_instance_mb=CAP_MB, min_throughput_kbps=FLOOR_KBPS,
            deadline_grace_s=GRACE_S, read_timeout_s=5.0, max_connections=2,
        )
        settings.update(kw)
        profile = ArchiveProfile(**settings)
        if profile.auth != "none":
            store_secret(profile, "mot-de-passe-é")
        client = DicomWebClient(profile, retries=1, backoff_s=0.01)
        clients.append(client)
        return client

    yield build
    for c in clients:
        c.close()


def library_instances(library: Library, server: FaultServer) -> list[str]:
    return sorted(i.sop_instance_uid
                  for i in library.search_instances(server.study_uid, server.series_uid))


def assert_pull_recovers(server: FaultServer, client: DicomWebClient, library: Library,
                         fetched_before: int) -> None:
    """With the fault gone, a second pull completes the library, each instance exactly once."""
    server.faults.clear()
    report = pull_study(client, library, server.study_uid)
    assert report.complete, report.summary()
    assert library_instances(library, server) == sorted(server.sop_uids)
    assert fetched_before + report.instances_fetched == len(server.sop_uids)  # none twice


def assert_bounded(m: Measured, seconds: float) -> None:
    assert m.peak < MEMORY_BOUND, f"peak {m.peak / 1e6:.1f} MB"
    assert m.seconds < seconds, f"{m.seconds:.2f} s"


# -- QIDO-RS search and WADO-RS metadata -------------------------------------------------------


@pytest.mark.parametrize("kind", ["studies", "metadata"])
def test_huge_listing_is_refused_past_the_cap(archive: FaultServer, client_for: Callable[..., DicomWebClient],
                                              kind: str) -> None:
    archive.faults[kind] = Fault("huge-listing")  # 64 MB of JSON, no Content-Length
    client = client_for(archive)
    call = (lambda: client.search_studies(StudyQuery())) if kind == "studies" else (
        lambda: client.series_metadata(archive.study_uid, archive.series_uid))
    m = measure(call)
    assert isinstance(m.error, ArchiveError), m.error
    message = str(m.error)
    assert one_sentence(message)
    assert message.startswith(f"The archive at 127.0.0.1:{archive.port} sent a ")
    assert "larger than 1 MB" in message
    assert_bounded(m, 5.0)
    record(f"huge listing ({kind}, 64 MB streamed)", "refused past max_json_mb", m, message)


def test_declared_huge_listing_is_refused_unread(archive: FaultServer,
                                                 client_for: Callable[..., DicomWebClient]) -> None:
    archive.faults["studies"] = Fault("huge-listing", declare_length=True)  # "6 GB" declared
    client = client_for(archive)
    m = measure(lambda: client.search_studies(StudyQuery()))
    assert isinstance(m.error, ArchiveError) and "larger than 1 MB" in str(m.error)
    assert_bounded(m, 2.0)
    assert m.peak < 1024 * 1024  # nothing of the body was kept
    record("listing declaring 6 GB (Content-Length)", "refused before reading", m, str(m.error))


@pytest.mark.parametrize("kind", ["studies", "metadata"])
def test_dripping_archive_is_abandoned(archive: FaultServer, client_for: Callable[..., DicomWebClient],
                                       kind: str) -> None:
    archive.faults[kind] = Fault("drip", drip_s=0.2)  # 5 bytes/s, far under the floor
    client = client_for(archive)
    call = (lambda: client.search_studies(StudyQuery())) if kind == "studies" else (
        lambda: client.series_metadata(archive.study_uid, archive.series_uid))
    m = measure(call)
    assert isinstance(m.error, ArchiveError), m.error
    message = str(m.error)
    assert one_sentence(message)
    assert message.startswith(f"The archive 'Fault PACS' at 127.0.0.1:{archive.port} is too slow")
    assert m.error.retryable
    # grace 0.5 s + a few drips; the server would drip for 8 s (and forever on a real one)
    assert_bounded(m, GRACE_S + 1.5)
    record(f"drip, 1 byte / 0.2 s ({kind})", "abandoned after the throughput floor", m, message)


def test_archive_dripping_its_headers_is_abandoned(archive: FaultServer,
                                                   client_for: Callable[..., DicomWebClient]) -> None:
    # the status line and headers arrive one byte every 0.2 s: each read succeeds, so only the
    # deadline ends it (the server would go on for 8 s; a real one, for hours)
    archive.faults["studies"] = Fault("drip-headers", drip_s=0.2)
    client = client_for(archive)
    m = measure(lambda: client.search_studies(StudyQuery()))
    assert isinstance(m.error, ArchiveError), m.error
    message = str(m.error)
    assert one_sentence(message)
    assert message.startswith(f"The archive 'Fault PACS' at 127.0.0.1:{archive.port} is too slow")
    assert len(archive.requests_of("studies")) == 1  # not retried
    assert_bounded(m, GRACE_S + 1.0)
    record("status line and headers dripped, 1 byte / 0.2 s (search)",
           "abandoned after the throughput floor", m, message)


def test_https_archive_keeps_to_the_deadline(tmp_path: Path,
                                             client_for: Callable[..., DicomWebClient]) -> None:
    context, ca = self_signed_tls(tmp_path)
    server = FaultServer(tls=context).start()
    try:
        client = client_for(server, ca_bundle=str(ca))
        assert server.url.startswith("https://")
        found = client.search_studies(StudyQuery())  # TLS through the watched connections
        assert [s.study_uid for s in found] == [server.study_uid]
        server.faults["studies"] = Fault("drip-headers", drip_s=0.2)
        m = measure(lambda: client.search_studies(StudyQuery()))
        assert isinstance(m.error, ArchiveError) and "is too slow" in str(m.error)
        assert_bounded(m, GRACE_S + 1.0)
        record("headers dripped over https (search)", "abandoned after the throughput floor", m,
               str(m.error))
    finally:
        server.stop()


def test_wrong_content_type_on_search(archive: FaultServer,
                                      client_for: Callable[..., DicomWebClient]) -> None:
    archive.faults["studies"] = Fault("wrong-type")
    client = client_for(archive)
    m = measure(lambda: client.search_studies(StudyQuery()))
    assert isinstance(m.error, ArchiveError)
    assert one_sentence(str(m.error)) and "not valid DICOM JSON" in str(m.error)
    assert_bounded(m, 2.0)
    record("HTML page instead of JSON (search)", "one sentence", m, str(m.error))


@pytest.mark.parametrize("status", [500, 401])
def test_error_status_on_search(archive: FaultServer, client_for: Callable[..., DicomWebClient],
                                status: int) -> None:
    archive.faults["studies"] = Fault("status", status=status)
    client = client_for(archive)
    m = measure(lambda: client.search_studies(StudyQuery()))
    assert isinstance(m.error, AuthError if status == 401 else ArchiveError)
    assert one_sentence(str(m.error)) and f"HTTP {status}" in str(m.error)
    assert len(archive.requests_of("studies")) == (2 if status == 500 else 1)  # 500 retried once
    assert_bounded(m, 2.0)
    record(f"HTTP {status} (search)", "one sentence" + (", retried once" if status == 500 else ""),
           m, str(m.error))


def test_redirect_to_another_host_is_refused(archive: FaultServer,
                                             client_for: Callable[..., DicomWebClient]) -> None:
    try:
        other = FaultServer(host="127.0.0.2").start()
    except OSError:
        pytest.skip("127.0.0.2 cannot be bound here")
    try:
        archive.faults["studies"] = Fault("redirect", location=f"http://127.0.0.2:{other.port}")
        client = client_for(archive)
        assert archive.url.startswith("http://127.0.0.1")
        m = measure(lambda: client.search_studies(StudyQuery()))
        assert archive.requests_of("studies")[0].authorization.startswith("Basic ")
        assert other.seen == []  # not followed: neither the request nor the password went there
        assert isinstance(m.error, ArchiveError)
        message = str(m.error)
        assert one_sentence(message) and f"another server (127.0.0.2:{other.port})" in message
        assert_bounded(m, 2.0)
        record("redirect to another host (search)", "refused; no credentials sent there", m,
               message)
    finally:
        other.stop()


def test_redirect_on_the_same_host_is_followed(archive: FaultServer,
                                               client_for: Callable[..., DicomWebClient]) -> None:
    archive.faults["studies"] = Fault("redirect", times=1, location=f"http://127.0.0.1:{archive.port}")
    client = client_for(archive)
    found = client.search_studies(StudyQuery())
    assert [s.study_uid for s in found] == [archive.study_uid]
    assert found[0].patient_name.startswith("Défaut")
    assert len(archive.requests_of("studies")) == 2


# -- WADO-RS retrieve as the pull does it ------------------------------------------------------


@pytest.fixture
def library(tmp_path: Path) -> Iterator[Library]:
    lib = Library(tmp_path / "library")
    yield lib
    lib.close()


def test_truncated_series_is_completed_without_duplicates(
        archive: FaultServer, client_for: Callable[..., DicomWebClient], library: Library) -> None:
    archive.faults["retrieve-series"] = Fault("truncate", parts=2, times=1)
    client = client_for(archive)
    m = measure(lambda: pull_study(client, library, archive.study_uid))
    assert m.error is None
    report = m.result
    # the cut stream gave 2 instances; the second attempt asked only for the 2 missing
    assert report.complete and report.instances_fetched == len(archive.sop_uids)
    assert len(archive.requests_of("retrieve-instance")) == 2
    assert library_instances(library, archive) == sorted(archive.sop_uids)
    assert_bounded(m, 5.0)
    record("multipart cut after 2 of 4 parts (pull)", "the missing 2 fetched again, none twice",
           m, report.summary())


@pytest.mark.parametrize("fault", [
    Fault("endless-part"), Fault("drip", drip_s=0.2), Fault("wrong-type"), Fault("status", status=500),
], ids=["endless-part", "drip", "wrong-type", "500"])
def test_pull_survives(archive: FaultServer, client_for: Callable[..., DicomWebClient],
                       library: Library, fault: Fault) -> None:
    archive.faults["retrieve-series"] = fault
    archive.faults["retrieve-instance"] = fault
    client = client_for(archive)
    m = measure(lambda: pull_study(client, library, archive.study_uid))
    assert m.error is None, m.error  # the failure is reported, not raised
    report = m.result
    assert not report.complete
    summary = report.summary()
    assert one_sentence(summary), summary
    assert "Run the pull again" in summary
    expected_reason = {"endless-part": "sent a part larger than 1 MB",
                       "drip": "'Fault PACS' at 127.0.0.1",
                       "wrong-type": "text/html instead of DICOM",
                       "status": "HTTP 500"}[fault.what]
    assert expected_reason in summary
    assert_bounded(m, 6.0)
    record(f"{fault.what} (pull of a series)", "series left incomplete, one sentence", m, summary)
    assert_pull_recovers(archive, client, library, report.instances_fetched)


def test_endless_frame_is_refused(archive: FaultServer,
                                  client_for: Callable[..., DicomWebClient]) -> None:
    archive.faults["frames"] = Fault("endless-part")
    client = client_for(archive)
    m = measure(lambda: client.retrieve_frames(archive.study_uid, archive.series_uid,
                                               archive.sop_uids[0], [1]))
    assert isinstance(m.error, ArchiveError)
    assert one_sentence(str(m.error)) and "larger than 1 MB" in str(m.error)
    assert_bounded(m, 5.0)
    record("endless part (frames)", "refused past max_instance_mb", m, str(m.error))


# -- STOW-RS ----------------------------------------------------------------------------------


@pytest.mark.parametrize("fault", [Fault("status", status=500), Fault("status", status=401),
                                   Fault("drip", drip_s=0.2)], ids=["500", "401", "drip"])
def test_store_fails_once_then_stores_once(archive: FaultServer,
                                           client_for: Callable[..., DicomWebClient],
                                           fault: Fault) -> None:
    archive.faults["store"] = fault
    client = client_for(archive)
    data = archive.files[0]
    m = measure(lambda: client.store_instances([data]))
    assert isinstance(m.error, ArchiveError), m.error
    assert one_sentence(str(m.error))
    assert archive.store_posts == 1  # a store is never retried by itself
    assert_bounded(m, GRACE_S + 1.5 if fault.what == "drip" else 2.0)
    label = f"HTTP {fault.status}" if fault.what == "status" else fault.what
    record(f"{label} (store)", "one sentence, not retried", m, str(m.error))
    archive.faults.clear()
    result = client.store_instances([data])
    assert result.stored == (archive.sop_uids[0],)
    assert list(archive.stored) == [archive.sop_uids[0]]


def test_bounds_in_the_settings_are_checked() -> None:
    for bad in ({"max_json_mb": "256"}, {"max_instance_mb": 0}, {"min_throughput_kbps": -1},
                {"deadline_grace_s": True}):
        with pytest.raises(SettingsError) as err:
            ArchiveProfile(name="PACS", url="https://pacs.example.org/dicom-web", **bad)
        assert str(err.value).startswith(f"Archive profile 'PACS': {next(iter(bad))} must be")


# -- the table ---------------------------------------------------------------------------------


def teardown_module() -> None:
    target = os.environ.get("FAULTS_TABLE")
    if not target or not ROWS:
        return
    lines = ["| Fault | Expected | Peak memory | Time to the error | Result (the sentence) |",
             "|---|---|---|---|---|"]
    for r in ROWS:
        lines.append(f"| {r['fault']} | {r['expected']} | {r['peak']} | {r['time']} | "
                     f"{r['result'].replace('|', '/')} |")
    Path(target).write_text("\n".join(lines) + "\n", encoding="utf-8")
