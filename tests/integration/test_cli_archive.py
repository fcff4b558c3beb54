"""End to end through the command line against a real Orthanc: find, pull, resume, describe."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from io import BytesIO
from pathlib import Path

import pydicom
import pytest

from tests.orthanc import OrthancServer, free_port
from workstation import demo
from workstation.errors import TransferInterrupted
from workstation.model.query import StudyQuery
from workstation.net.dicomweb import DicomWebClient
from workstation.net.transfer import pull_study
from workstation.settings import ArchiveProfile, Settings
from workstation.store.library import Library

ROOT = Path(__file__).resolve().parents[2]


def cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    full_env = dict(os.environ)
    full_env.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "workstation", *args], cwd=ROOT, capture_output=True, text=True,
        env=full_env, timeout=120,
    )


@pytest.fixture
def phantom_study(orthanc: OrthancServer) -> tuple[str, str, int]:
    parts = list(demo.phantom_series(shape=(12, 64, 64), spacing=(2.0, 1.5, 1.5)))
    for data in parts:
        orthanc.upload(data)
    ds = pydicom.dcmread(BytesIO(parts[0]), stop_before_pixels=True)
    return str(ds.StudyInstanceUID), str(ds.SeriesInstanceUID), len(parts)


def creds(orthanc: OrthancServer, password: str | None = None) -> dict[str, str]:
    return {"WORKSTATION_USER": orthanc.user, "WORKSTATION_PASSWORD": password or orthanc.password}


def test_version() -> None:
    out = cli("--version")
    assert out.returncode == 0 and out.stdout.startswith("workstation ")


def test_find_pull_and_describe(orthanc: OrthancServer, phantom_study: tuple[str, str, int]) -> None:
    study_uid, _series, n = phantom_study
    env = creds(orthanc)
    found = cli("studies", "--name", "demo", "--archive", orthanc.dicomweb_url, "--json", env=env)
    assert found.returncode == 0, found.stderr
    rows = json.loads(found.stdout)
    assert [r["study_uid"] for r in rows] == [study_uid]
    assert rows[0]["modalities"] == ["CT"] and rows[0]["origin"] == ["archive"]

    pulled = cli("pull", study_uid, "--archive", orthanc.dicomweb_url, env=env)
    assert pulled.returncode == 0, pulled.stderr
    assert "complete" in pulled.stdout and f"{n} instances fetched" in pulled.stdout

    # Now the library answers the same search, offline (no archive given, none configured).
    local = cli("studies", "--library", "--json")
    assert [r["study_uid"] for r in json.loads(local.stdout)] == [study_uid]

    info = cli("info", study_uid, "--json")
    assert info.returncode == 0, info.stderr
    sets = json.loads(info.stdout)["display_sets"]
    volumes = [d for d in sets if str(d["kind"]).lower() == "volume"]
    assert len(volumes) == 1
    v = volumes[0]
    assert v["images"] == n and v["rows"] == 64 and v["columns"] == 64
    affine = v["affine"]
    # Column step 1.5 mm along +x, row step 1.5 mm along +y, slice step 2 mm along +z (LPS).
    assert affine[0][0] == pytest.approx(1.5) and affine[1][1] == pytest.approx(1.5)
    assert affine[2][2] == pytest.approx(2.0)

    again = cli("pull", study_uid, "--archive", orthanc.dicomweb_url, env=env)
    assert again.returncode == 0 and "0 instances fetched" in again.stdout


def test_archive_down_wrong_password_and_unknown_study(orthanc: OrthancServer, phantom_study: tuple[str, str, int]) -> None:
    down = cli("studies", "--archive", f"http://127.0.0.1:{free_port()}/dicom-web", env=creds(orthanc))
    assert down.returncode == 1
    assert len(down.stderr.strip().splitlines()) == 1 and "could not be reached" in down.stderr

    wrong = cli("studies", "--archive", orthanc.dicomweb_url, env=creds(orthanc, "not-the-password"))
    assert wrong.returncode == 1 and "password" in wrong.stderr.lower()
    assert "not-the-password" not in wrong.stderr + wrong.stdout

    missing = cli("pull", "1.2.3.4.5.6.7", "--archive", orthanc.dicomweb_url, env=creds(orthanc))
    assert missing.returncode == 1 and missing.stderr.strip()

    no_archive = cli("pull", phantom_study[0])
    assert no_archive.returncode == 1 and "No archive is configured" in no_archive.stderr


class CutAfter:
    """The real archive client, but the connection drops after ``n`` instances of a request."""

    def __init__(self, client: DicomWebClient, n: int) -> None:
        self.client, self.n, self.name = client, n, "cut"

    def __getattr__(self, name: str) -> object:
        return getattr(self.client, name)

    def iter_instances(self, study: str, series: str, sop_uids: object = None, cancel: object = None):  # type: ignore[no-untyped-def]
        for i, data in enumerate(self.client.iter_instances(study, series, sop_uids, cancel)):
            if i == self.n:
                raise TransferInterrupted("The connection to the archive was lost mid-transfer.")
            yield data


def test_interrupted_pull_is_incomplete_then_resumes(
    orthanc: OrthancServer, phantom_study: tuple[str, str, int], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    study_uid, series_uid, n = phantom_study
    monkeypatch.setenv("WORKSTATION_USER", orthanc.user)
    monkeypatch.setenv("WORKSTATION_PASSWORD", orthanc.password)
    client = DicomWebClient(ArchiveProfile("t", orthanc.dicomweb_url, username=orthanc.user))
    library = Library(tmp_path / "lib")
    report = pull_study(CutAfter(client, 5), library, study_uid, attempts=1)  # type: ignore[arg-type]
    assert not report.complete
    assert report.instances_fetched == 5
    assert len(report.series[0].missing) == n - 5
    assert "incomplete" in report.summary()
    assert not library.study_complete(study_uid)
    # The library shows only whole instances, and never calls the study complete.
    assert len(library.search_instances(study_uid, series_uid)) == 5

    resumed = pull_study(client, library, study_uid)
    assert resumed.complete and resumed.instances_fetched == n - 5
    assert library.study_complete(study_uid)
    summary = library.search_studies(StudyQuery(study_uid=study_uid))
    assert summary and summary[0].number_of_instances == n


def test_library_and_archive_answer_the_same_search(
    orthanc: OrthancServer, phantom_study: tuple[str, str, int], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WORKSTATION_USER", orthanc.user)
    monkeypatch.setenv("WORKSTATION_PASSWORD", orthanc.password)
    for data in demo.bundled_samples():
        orthanc.upload(data)
    client = DicomWebClient(ArchiveProfile("t", orthanc.dicomweb_url, username=orthanc.user))
    library = Library(tmp_path / "lib")
    for s in client.search_studies(StudyQuery()):
        assert pull_study(client, library, s.study_uid).complete
    queries = [
        StudyQuery(), StudyQuery(patient_name="demo"), StudyQuery(patient_name="*PHANTOM"),
        StudyQuery(modality="MR"), StudyQuery(modality="CT"), StudyQuery(patient_id="DEMO-0001"),
    ]
    for q in queries:
        archive_uids = sorted(s.study_uid for s in client.search_studies(q))
        library_uids = sorted(s.study_uid for s in library.search_studies(q))
        assert archive_uids == library_uids, q
    assert Settings().archive() is None
