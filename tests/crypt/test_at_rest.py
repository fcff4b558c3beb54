"""Patient data encrypted at rest, end to end: a study pulled from a real Orthanc and a report
signed on it leave no patient name, ID or pixel run in clear anywhere under the workstation's
folders, as ``strings`` and ``grep`` see them (issue 16, "done means")."""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pydicom
import pytest
from pydicom.data import get_testdata_file
from pydicom.uid import generate_uid

from tests.orthanc import OrthancServer
from tests.report.pki import ThrowawayPKI, make_pki
from workstation import cli
from workstation.crypt.keys import load_key
from workstation.crypt.stream import is_encrypted_file

NAME = "Lefèvre^Zoé-Héloïse"
PATIENT_ID = "PID-ATREST-4711"
NEEDLES = ["Lefèvre", "Lefevre", "LEFEVRE", "Héloïse", "Zo\u00e9", PATIENT_ID, "ATREST-4711"]


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> ThrowawayPKI:
    return make_pki(tmp_path_factory.mktemp("pki"))


def _study() -> tuple[str, list[bytes], bytes]:
    """Three CT instances of one patient with a name in UTF-8 (ISO_IR 192)."""
    template = get_testdata_file("CT_small.dcm")
    assert template is not None
    study, series = generate_uid(), generate_uid()
    parts = []
    for n in range(3):
        ds = pydicom.dcmread(template)
        ds.SpecificCharacterSet = "ISO_IR 192"
        ds.PatientName = NAME
        ds.PatientID = PATIENT_ID
        ds.StudyInstanceUID, ds.SeriesInstanceUID = study, series
        ds.SOPInstanceUID = ds.file_meta.MediaStorageSOPInstanceUID = generate_uid()
        ds.InstanceNumber = n + 1
        buffer = io.BytesIO()
        ds.save_as(buffer, enforce_file_format=True)
        parts.append(buffer.getvalue())
    pixels = pydicom.dcmread(io.BytesIO(parts[1])).pixel_array
    return study, parts, np.ascontiguousarray(pixels[40:44, :]).tobytes()  # 4 rows: 1 KiB of pixels


def _every_file(roots: list[Path]) -> list[Path]:
    return [p for root in roots if root.exists() for p in root.rglob("*") if p.is_file()]


def test_pulled_study_and_signed_report_leave_no_patient_data_in_clear(
    orthanc: OrthancServer, pki: ThrowawayPKI, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str], isolated_environment: Path,
) -> None:
    study, parts, pixel_run = _study()
    for data in parts:
        orthanc.upload(data)
    monkeypatch.setenv("WORKSTATION_USER", orthanc.user)
    monkeypatch.setenv("WORKSTATION_PASSWORD", orthanc.password)
    assert cli.main(["pull", study, "--archive", orthanc.dicomweb_url, "-q"]) == 0, capsys.readouterr().err
    monkeypatch.setattr("sys.stdin", io.StringIO(pki.password + "\n"))
    assert cli.main(["report", "key", "add", str(pki.p12_path), "--password-stdin"]) == 0
    draft = tmp_path / "dictated.json"
    draft.write_text(json.dumps({
        "template": "ct_head", "author": "Dictée",
        "sections": {"findings": "Lésion frontale gauche.", "impression": "Pas d'anomalie aiguë."},
        "fields": {"haemorrhage": "no", "midline_shift": "0"},
    }), encoding="utf-8")
    capsys.readouterr()
    code = cli.main(["report", "sign", str(draft), "--study", study, "--key", str(pki.p12_path),
                     "--trust", str(pki.ca_pem), "--accept-placeholders", "--json"])
    assert code == 0, capsys.readouterr().err
    signed = Path(json.loads(capsys.readouterr().out)["folder"])
    # The library reads its own data back: the study, its patient and its pixels.
    assert cli.main(["studies", "--library", "--json"]) == 0
    [row] = json.loads(capsys.readouterr().out)
    assert row["patient_id"] == PATIENT_ID and row["patient_name"] == NAME

    home = isolated_environment
    ours = [home / sub / "workstation" for sub in ("data", "cache")]
    files = _every_file(ours)
    names = {p.name for p in files}
    assert {"index.sqlite3", "report.pdf", "sr.dcm", "pdf.dcm"} <= names, names
    assert sum(p.suffix == ".dcm" and "objects" in p.parts for p in files) == 3
    # Every file with content is in the encrypted format, or is the SQLCipher index, or is the
    # append-only audit log, whose identifiers are sealed record by record.
    clear = [p for p in files if p.stat().st_size and not is_encrypted_file(p)
             and not p.name.startswith("index.sqlite3") and p.name not in (".lock", "audit.jsonl")]
    assert not clear, clear
    audit = [json.loads(line) for line in (home / "data" / "workstation" / "audit.jsonl").read_text(
        encoding="utf-8").splitlines()]
    assert {r["action"] for r in audit} >= {"study_pulled", "report_signed"}, audit
    assert all("sealed" in r and "patient_id" not in r and "study_uid" not in r for r in audit)
    assert (signed / "report.pdf").read_bytes()[:4] != b"%PDF"

    strings, grep = shutil.which("strings"), shutil.which("grep")
    assert strings and grep, "binutils (strings) and grep are needed"
    dumped = subprocess.run([strings, "-a", "-n", "4", *map(str, files)], capture_output=True,
                            timeout=120, check=True).stdout
    wide = subprocess.run([strings, "-a", "-n", "4", "-e", "l", *map(str, files)],
                          capture_output=True, timeout=120, check=True).stdout  # UTF-16
    for needle in NEEDLES:
        for encoding in ("utf-8", "latin-1"):
            try:
                raw = needle.encode(encoding)
            except UnicodeEncodeError:
                continue
            assert raw not in dumped and raw not in wide, needle
        found = subprocess.run([grep, "-r", "-a", "-i", "-l", "-F", needle,
                                *[str(p) for p in ours if p.exists()]],
                               capture_output=True, timeout=120)
        assert found.returncode == 1, (needle, found.stdout)  # 1: grep found nothing
    assert not any(pixel_run in p.read_bytes() for p in files)

    # Without the key, nothing is readable: the same command now fails in one sentence.
    key = load_key(create=False)
    assert key is not None and len(key.key) == 32
    assert cli.main(["forget-all"]) == 2
    assert cli.main(["forget-all", "--yes"]) == 0
    assert "All patient data was removed" in capsys.readouterr().out
    assert not _every_file(ours) and load_key(create=False) is None


def _import_and_grep(tmp_path: Path, capsys: pytest.CaptureFixture[str], home: Path) -> bytes:
    _study_uid, parts, _pixels = _study()
    for n, data in enumerate(parts):
        (tmp_path / f"{n}.dcm").write_bytes(data)
    assert cli.main(["import", "-q", str(tmp_path)]) == 0, capsys.readouterr().err
    found = subprocess.run(["grep", "-r", "-a", "-l", "-F", PATIENT_ID, str(home / "data")],
                           capture_output=True, timeout=60)
    return found.stdout


def test_the_opt_out_writes_in_clear_and_grep_would_see_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], isolated_environment: Path
) -> None:
    """The check above can fail: with "disk_encrypted" (full-disk encryption, opt-out) the same
    files hold the ID in clear, and grep finds it in the index and the instance files."""
    from workstation.settings import Settings, save_settings

    save_settings(Settings(disk_encrypted=True))
    hits = _import_and_grep(tmp_path, capsys, isolated_environment)
    assert b"index.sqlite3" in hits and b".dcm" in hits
    assert load_key(create=False) is None  # no key was made for nothing


def test_by_default_grep_finds_nothing_after_an_import(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], isolated_environment: Path
) -> None:
    assert _import_and_grep(tmp_path, capsys, isolated_environment) == b""


def test_without_a_keyring_no_patient_data_is_written_and_one_sentence_says_why(
    tmp_path: Path, isolated_environment: Path
) -> None:
    _study_uid, parts, _pixels = _study()
    (tmp_path / "a.dcm").write_bytes(parts[0])

    env = {**os.environ, "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}
    run = subprocess.run([sys.executable, "-m", "workstation", "import", "-q", str(tmp_path)],
                         capture_output=True, text=True, timeout=120, env=env,
                         cwd=Path(__file__).resolve().parents[2])
    assert run.returncode == 1
    assert run.stderr.startswith("There is no system keyring to keep the key that encrypts")
    assert "Traceback" not in run.stderr and len(run.stderr.strip().splitlines()) == 1
    assert not [p for p in (isolated_environment / "data").rglob("*") if p.is_file() and p.stat().st_size]
