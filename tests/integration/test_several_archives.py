"""Several archives at once, and failover to a backup, against real Orthancs.

Two Orthancs hold overlapping studies; a third profile points at a port nobody listens on and a
fourth at a server that accepts connections and never answers. ``workstation studies`` lists
every study once with where it is, names the dead and the silent archive in one sentence each,
and does not wait for the silent one. A pull from a primary killed with SIGKILL mid-transfer
completes from its backup with every instance fetched exactly once.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import threading
import time
from collections import Counter
from collections.abc import Iterator
from io import BytesIO
from pathlib import Path

import pydicom
import pytest

from tests import orthanc as orthanc_mod
from tests.orthanc import OrthancServer, free_port, start_orthanc
from workstation import demo
from workstation.cli import main
from workstation.model.query import StudyQuery
from workstation.net.failover import FailoverClient
from workstation.net.transfer import pull_study
from workstation.settings import ArchiveProfile, Settings, load_settings, save_settings
from workstation.store.library import Library


@pytest.fixture
def two_orthancs() -> Iterator[tuple[OrthancServer, OrthancServer]]:
    if not orthanc_mod.available():
        pytest.skip("Orthanc with the DICOMweb plugin is not installed")
    first = start_orthanc()
    try:
        second = start_orthanc()
    except BaseException:
        first.stop()
        raise
    yield first, second
    first.stop()
    second.stop()


@pytest.fixture
def credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WORKSTATION_USER", orthanc_mod.USER)
    monkeypatch.setenv("WORKSTATION_PASSWORD", orthanc_mod.PASSWORD)


def _study(shape: tuple[int, int, int] = (3, 32, 32)) -> tuple[str, list[bytes]]:
    parts = list(demo.phantom_series(shape=shape, spacing=(2.0, 1.0, 1.0)))
    uid = str(pydicom.dcmread(BytesIO(parts[0]), stop_before_pixels=True).StudyInstanceUID)
    return uid, parts


class SilentServer:
    """Accepts TCP connections on 127.0.0.1 and never answers (a hung archive)."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.held: list[socket.socket] = []
        self._stop = False
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while not self._stop:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.held.append(conn)

    def close(self) -> None:
        self._stop = True
        self.sock.close()
        for conn in self.held:
            conn.close()


def _profile(name: str, url: str, **kw: object) -> ArchiveProfile:
    return ArchiveProfile(name=name, url=url, username=orthanc_mod.USER, **kw)  # type: ignore[arg-type]


def test_studies_searches_every_archive_at_once(
    two_orthancs: tuple[OrthancServer, OrthancServer], credentials: None,
    capsys: pytest.CaptureFixture[str],
) -> None:
    north, south = two_orthancs
    both_uid, both = _study()
    north_uid, north_only = _study()
    south_uid, south_only = _study()
    for data in both + north_only:
        north.upload(data)
    for data in both + south_only:
        south.upload(data)
    silent = SilentServer()
    try:
        settings = Settings(archives=[
            _profile("north", north.dicomweb_url),
            _profile("south", south.dicomweb_url),
            _profile("gone", f"http://127.0.0.1:{free_port()}/dicom-web"),
            _profile("hung", f"http://127.0.0.1:{silent.port}/dicom-web"),
        ])
        save_settings(settings)
        library_uid, library_only = _study()
        library = Library(load_settings().library_path())
        for data in library_only + both[:1]:
            library.add_bytes(data)
        library.close()
        capsys.readouterr()

        started = time.monotonic()
        assert main(["studies", "--json", "--deadline", "6"]) == 0
        took = time.monotonic() - started
        out, err = capsys.readouterr()
    finally:
        silent.close()
    rows = {r["study_uid"]: r for r in json.loads(out)}
    assert set(rows) == {both_uid, north_uid, south_uid, library_uid}
    assert rows[both_uid]["where"] == ["north", "south", "library"]  # one row, every origin
    assert rows[north_uid]["where"] == ["north"]
    assert rows[south_uid]["where"] == ["south"]
    assert rows[library_uid]["where"] == ["library"]
    lines = err.strip().splitlines()
    assert len(lines) == 2, lines  # one sentence each for the dead and the silent archive
    assert any("could not be reached" in line and "refused" in line for line in lines), lines
    assert any("'hung' has not answered yet" in line for line in lines)
    assert took < 15, took  # the silent archive's 60 s read timeout was not waited for


def test_archive_add_backup_for_and_search_fails_over(
    two_orthancs: tuple[OrthancServer, OrthancServer], credentials: None,
    capsys: pytest.CaptureFixture[str],
) -> None:
    primary, backup = two_orthancs
    uid, parts = _study()
    for server in (primary, backup):
        for data in parts:
            server.upload(data)
    assert main(["archive", "add", "main", primary.dicomweb_url, "--user", orthanc_mod.USER]) == 0
    assert main(["archive", "add", "dr-site", backup.dicomweb_url, "--user", orthanc_mod.USER,
                 "--backup-for", "main"]) == 0
    assert main(["archive", "add", "x", backup.dicomweb_url, "--backup-for", "nowhere"]) == 1
    settings = load_settings()
    assert settings.default_archive == "main"
    assert [p.name for p in settings.primary_archives()] == ["main"]
    assert [p.name for p in settings.backups_of("main")] == ["dr-site"]
    capsys.readouterr()

    # Both up: the backup is not searched as an archive of its own: one origin, the primary.
    assert main(["studies", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [(r["study_uid"], r["where"]) for r in rows] == [(uid, ["main"])]

    primary.process.send_signal(signal.SIGKILL)
    primary.process.wait()
    assert main(["studies", "--json", "--archive", "main"]) == 0
    out, err = capsys.readouterr()
    assert [r["study_uid"] for r in json.loads(out)] == [uid]
    assert err.strip().splitlines() == [
        "Archive 'main' does not answer; searches, retrievals and deliveries go to its backup "
        "'dr-site' until it answers again."]

    # The pull through the command line: from the backup, complete, the switch said once.
    assert main(["pull", uid, "-q"]) == 0
    out, err = capsys.readouterr()
    assert f"Study {uid} is complete in the library: {len(parts)} instances fetched" in out
    assert err.strip().splitlines() == [
        "Archive 'main' does not answer; searches, retrievals and deliveries go to its backup "
        "'dr-site' until it answers again."]


class CountingLibrary:
    """The real library, counting what each SOP Instance UID was given to it."""

    def __init__(self, library: Library) -> None:
        self.library = library
        self.added: Counter[str] = Counter()

    def add_bytes(self, data: bytes) -> object:
        ds = pydicom.dcmread(BytesIO(data), stop_before_pixels=True, specific_tags=["SOPInstanceUID"])
        self.added[str(ds.SOPInstanceUID)] += 1
        return self.library.add_bytes(data)

    def __getattr__(self, name: str) -> object:
        return getattr(self.library, name)


def test_pull_killed_primary_resumes_from_backup_each_instance_once(
    two_orthancs: tuple[OrthancServer, OrthancServer], credentials: None, tmp_path: Path,
) -> None:
    primary, backup = two_orthancs
    uid, parts = _study(shape=(60, 256, 256))  # 7.9 MB: more than the loopback buffers hold
    for server in (primary, backup):
        for data in parts:
            server.upload(data)
    said: list[str] = []
    client = FailoverClient.from_profiles(_profile("main", primary.dicomweb_url),
                                          [_profile("dr-site", backup.dicomweb_url)],
                                          notify=said.append, first_probe_s=0.2,
                                          max_probe_s=1.0)
    sink = CountingLibrary(Library(tmp_path / "library"))
    killed_after: list[int] = []

    def progress(done: int, _total: int, _nbytes: int) -> None:
        if done >= 3 and not killed_after:
            killed_after.append(done)
            os.kill(primary.process.pid, signal.SIGKILL)

    try:
        report = pull_study(client, sink, uid, progress=progress, parallel_series=1, attempts=3)
        primary.process.wait()
        assert killed_after, "the primary was never killed"
        assert report.complete, report.summary()
        assert set(sink.added) == {str(pydicom.dcmread(BytesIO(p)).SOPInstanceUID) for p in parts}
        assert max(sink.added.values()) == 1  # each instance once, none again from the backup
        assert report.instances_fetched == len(parts)
        assert 0 < report.series[0].fetched
        assert said == ["Archive 'main' does not answer; searches, retrievals and deliveries go "
                        "to its backup 'dr-site' until it answers again."]
        assert client.active.name == "dr-site"
        assert len(sink.library.study_headers(uid)) == len(parts)
        assert [s.study_uid for s in client.search_studies(StudyQuery())] == [uid]  # the backup

        # The primary comes back where it was (empty: a new storage): after the health check's
        # back-off, calls go to it again, and that is said once.
        restarted = start_orthanc(port=primary.port)
        try:
            deadline = time.monotonic() + 20
            while client.active.name != "main" and time.monotonic() < deadline:
                found = client.search_studies(StudyQuery())
                time.sleep(0.2)
            assert client.active.name == "main" and found == []
            assert said[1:] == ["Archive 'main' answers again; searches, retrievals and "
                                "deliveries go to it again."]
        finally:
            restarted.stop()
    finally:
        client.close()


def test_priors_are_found_and_read_in_every_archive(
    two_orthancs: tuple[OrthancServer, OrthancServer], credentials: None,
) -> None:
    import datetime as dt

    from workstation.hanging.priors import find_priors
    from workstation.net.dicomweb import DicomWebClient
    from workstation.net.federated import FederatedSource

    north, south = two_orthancs
    current = list(demo.phantom_series(shape=(2, 16, 16), study_date=dt.date(2026, 5, 4)))
    prior = list(demo.phantom_series(shape=(2, 16, 16), study_date=dt.date(2024, 1, 9)))
    for data in current:
        north.upload(data)
    for data in prior:
        south.upload(data)  # the prior is only in the other archive
    prior_uid = str(pydicom.dcmread(BytesIO(prior[0])).StudyInstanceUID)
    with DicomWebClient(_profile("north", north.dicomweb_url)) as only_north, \
            DicomWebClient(_profile("south", south.dicomweb_url)) as only_south:
        everywhere = FederatedSource([("north", only_north), ("south", only_south)])
        study = only_north.search_studies(StudyQuery())[0]
        # One archive alone (the behaviour before): the prior in the other is not found.
        assert all(p.study.study_uid != prior_uid for p in find_priors(only_north, study))
        ranked = find_priors(everywhere, study)
        assert [p.study.study_uid for p in ranked if p.earlier] == [prior_uid]
        assert ranked[0].study.where() == ["south"]
        series = everywhere.search_series(prior_uid)  # read from the archive that holds it
        assert len(series) == 1
        headers = everywhere.series_metadata(prior_uid, series[0].series_uid)
        assert len(headers) == len(prior)
