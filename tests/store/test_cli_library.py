"""The library through the command line: whole identifiers, incomplete studies said as such,
private files, and no patient data on standard error."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from io import BytesIO
from pathlib import Path

import pydicom
import pytest
from pydicom.uid import generate_uid

from tests.store.helpers import instance_bytes
from workstation.model.query import StudyQuery
from workstation.settings import Settings
from workstation.store.library import INDEX, Library

ROOT = Path(__file__).resolve().parents[2]


def cli(*args: str, umask: int | None = None, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "workstation", *args], cwd=ROOT, capture_output=True, text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}, timeout=120,
        preexec_fn=(lambda: os.umask(umask)) if umask is not None else None,  # noqa: PLW1509
    )


def library_root() -> Path:
    return Settings().library_path()


def test_studies_never_cuts_identifiers(tmp_path: Path) -> None:
    long_accession = "ACC-2026-000000123456"
    (tmp_path / "a.dcm").write_bytes(
        instance_bytes(patient_id="LIDC-IDRI-0314", accession=long_accession,
                       patient_name="Lefèvre^Éloïse Marie-Thérèse de la Tour", study_date="20260102")
    )
    (tmp_path / "b.dcm").write_bytes(
        instance_bytes(patient_id="LIDC-IDRI-0315", patient_name="Lefèvre^Éloïse Marie-Thérèse de la Tour",
                       study_date="20260101")
    )
    assert cli("import", "-q", str(tmp_path)).returncode == 0
    out = cli("studies", "--library")
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert "LIDC-IDRI-0314" in lines[1] and "LIDC-IDRI-0315" in lines[2]
    assert long_accession in lines[1]
    assert "Lefèvre^Éloïse Marie-Thérèse de la Tour" in lines[1]
    with Library(library_root()) as lib:
        uids = {s.patient_id: s.study_uid for s in lib.search_studies(StudyQuery())}
    assert uids["LIDC-IDRI-0314"] in lines[1] and uids["LIDC-IDRI-0315"] in lines[2]
    # The columns line up: every row starts its Study UID at the same place.
    starts = {line.index(uid) for line, uid in zip(lines[1:], [uids["LIDC-IDRI-0314"], uids["LIDC-IDRI-0315"]], strict=True)}
    assert len(starts) == 1


def test_an_interrupted_study_says_it_is_incomplete(tmp_path: Path) -> None:
    study, series = generate_uid(), generate_uid()
    sops = [generate_uid() for _ in range(28)]
    with Library(library_root()) as lib:
        lib.begin_series(study, series, sops)
        for i, sop in enumerate(sops[:16]):
            lib.add_bytes(instance_bytes(study_uid=study, series_uid=series, sop_uid=sop, instance_number=i))
    listed = cli("studies", "--library")
    assert "incomplete: 16 of 28 images, pull again" in listed.stdout, listed.stdout
    as_json = cli("studies", "--library", "--json")
    assert '"incomplete": true' in as_json.stdout and '"expected_instances": 28' in as_json.stdout
    info = cli("info", study)
    assert info.returncode == 0, info.stderr
    assert "Incomplete: 16 of 28 images, pull again." in info.stdout


def test_rebuilt_index_is_said_in_one_sentence(tmp_path: Path) -> None:
    (tmp_path / "a.dcm").write_bytes(instance_bytes())
    assert cli("import", "-q", str(tmp_path)).returncode == 0
    (library_root() / INDEX).write_bytes(b"garbage" * 1000)
    out = cli("studies", "--library")
    assert out.returncode == 0
    assert out.stderr.splitlines()[-1] == (
        "The library index was damaged and moved aside; it was rebuilt from the files: "
        "1 study (1 image) recovered."
    )
    assert len(out.stdout.splitlines()) == 2


def test_pydicom_warnings_do_not_print_patient_data(tmp_path: Path) -> None:
    ds = pydicom.dcmread(BytesIO(instance_bytes()))
    ds.SeriesInstanceUID = "DUPONT_Jeanne_1957"  # an invalid UI value that carries a name
    ds.PatientName = "Müller^Jürgen"
    out = BytesIO()
    ds.save_as(out)
    (tmp_path / "a.dcm").write_bytes(out.getvalue())
    quiet = cli("import", "-q", str(tmp_path))
    assert quiet.returncode == 0, quiet.stderr
    assert "1 stored" in quiet.stdout
    assert "DUPONT" not in quiet.stderr and "Warning" not in quiet.stderr, quiet.stderr
    info = cli("info", str(ds.StudyInstanceUID))
    assert info.returncode == 0 and "DUPONT" not in info.stderr, info.stderr
    # With -v the user asked for details: the log shows them.
    verbose = cli("-v", "info", str(ds.StudyInstanceUID))
    assert "DUPONT_Jeanne_1957" in verbose.stderr


def _modes(folder: Path) -> dict[str, int]:
    return {p.relative_to(folder).as_posix(): stat.S_IMODE(p.lstat().st_mode)
            for p in folder.rglob("*") if not p.is_symlink()}


@pytest.fixture
def open_home(monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Config and data folders under a folder any user may traverse (pytest's own temporary
    folder is private already, which would hide a wrong mode from another user)."""
    home = Path(tempfile.mkdtemp(prefix="ws-modes-"))
    os.chmod(home, 0o755)
    for var, sub in (("XDG_CONFIG_HOME", "config"), ("XDG_DATA_HOME", "data"), ("XDG_CACHE_HOME", "cache")):
        monkeypatch.setenv(var, str(home / sub))
    yield home
    shutil.rmtree(home, ignore_errors=True)


@pytest.mark.skipif(os.name != "posix", reason="POSIX modes")
def test_everything_written_is_private_even_with_an_open_umask(tmp_path: Path, open_home: Path) -> None:
    src = tmp_path / "cd"
    src.mkdir()
    for i in range(3):
        (src / f"{i}.dcm").write_bytes(instance_bytes(patient_name="Nguyễn^Thị"))
    assert cli("import", "-q", str(src), umask=0o022).returncode == 0
    assert cli("studies", "--library", umask=0o022).returncode == 0
    modes = _modes(open_home)
    assert any(p.endswith("index.sqlite3") for p in modes) and len(modes) > 5
    wrong = {p: oct(m) for p, m in modes.items() if m & 0o077}
    assert not wrong, wrong
    # Another local user cannot read the index (it holds every patient's name and ID).
    index = next(open_home.rglob("index.sqlite3"))
    setpriv = shutil.which("setpriv")
    if os.geteuid() == 0 and setpriv:
        other = subprocess.run([setpriv, "--reuid=65534", "--regid=65534", "--clear-groups", "cat", str(index)],
                               capture_output=True, timeout=30)
        assert other.returncode != 0 and b"Permission denied" in other.stderr
