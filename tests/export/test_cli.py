"""``workstation export`` and ``workstation send`` on the command line: exit status, progress on
standard error, one sentence per error, no patient data in what is printed."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from workstation.cli import main
from workstation.settings import load_settings
from workstation.sources import open_library


@pytest.fixture
def demo_study(capsys: pytest.CaptureFixture[str]) -> str:
    assert main(["demo", "-q"]) == 0
    capsys.readouterr()
    library = open_library(load_settings())
    try:
        from workstation.model.query import StudyQuery

        (study,) = [s for s in library.search_studies(StudyQuery()) if s.patient_id == "DEMO-0001"]
        return study.study_uid
    finally:
        library.close()


def test_export_anonymised_zip(demo_study: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "for-referrer"
    code = main(["export", demo_study, "--out", str(out), "--anonymize", "--profile", "dates",
                 "--dicomdir", "--zip"])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert "60 instance(s) exported to" in captured.out and ".zip" in captured.out
    assert "Writing: 60/60" in captured.err and "Checking:" in captured.err
    (archive,) = list(out.iterdir())
    library = open_library(load_settings())
    try:
        originals = library.study_headers(demo_study)
    finally:
        library.close()
    uids = {str(ds.get(k)) for ds in originals for k in ("StudyInstanceUID", "SeriesInstanceUID", "SOPInstanceUID", "FrameOfReferenceUID")}
    assert len(uids) == 60 + 3
    needles = [b"DEMO^PHANTOM", b"DEMO-0001", b"19700101", b"PHANTOM"] + [u.encode() for u in uids]
    with zipfile.ZipFile(archive) as z:
        assert "DICOMDIR" in z.namelist()
        for name in z.namelist():
            data = z.read(name)
            assert not [n for n in needles if n in data], name
    assert "DEMO" not in captured.out + captured.err


@pytest.mark.parametrize("args, sentence", [
    (["--profile", "basic,everything", "--anonymize"], "Unknown de-identification option 'everything'"),
    ([], "is not empty"),
])
def test_export_errors_are_one_sentence(demo_study: str, tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                        args: list[str], sentence: str) -> None:
    out = tmp_path / "busy"
    out.mkdir()
    (out / "notes.txt").write_text("x")
    code = main(["export", demo_study, "--out", str(out), *args])
    err = capsys.readouterr().err
    assert code == 1 and sentence in err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_export_unknown_study(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["export", "1.2.3.4", "--out", str(tmp_path / "x")])
    err = capsys.readouterr().err
    assert code == 1 and err.strip() == "Study 1.2.3.4 is not in the local library; pull or import it first."


def test_send_to_unknown_destination(demo_study: str, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["send", demo_study, "--to", "nowhere"])
    err = capsys.readouterr().err
    assert code == 1 and "no archive profile named 'nowhere'" in err and len(err.strip().splitlines()) == 1


def test_send_to_an_unreachable_destination_waits(demo_study: str, capsys: pytest.CaptureFixture[str]) -> None:
    from tests.orthanc import free_port
    from workstation.settings import ArchiveProfile, save_settings

    settings = load_settings()
    settings.archives = [ArchiveProfile(name="referrer", url=f"http://127.0.0.1:{free_port()}/dicom-web",
                                        auth="none", connect_timeout_s=1.0)]
    save_settings(settings)
    code = main(["send", demo_study, "--to", "referrer", "-q"])
    out = capsys.readouterr().out
    assert code == 3
    assert out.startswith("0 instance(s) delivered to 'referrer'; 60 waiting in the queue")
    assert "workstation send --retry --to referrer" in out
    code = main(["send", "--retry", "--to", "referrer"])
    out = capsys.readouterr().out
    assert code == 3 and "60 waiting" in out
