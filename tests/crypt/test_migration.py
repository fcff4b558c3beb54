"""An existing clear library (and clear drafts and pending objects) is encrypted in place on the
first start, and a migration killed with SIGKILL at any point loses nothing: after a restart
every study, pin and file reads back identical, and nothing is left in clear."""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pydicom
import pytest
from pydicom.uid import generate_uid

from tests.conftest import keyring_env
from tests.store.helpers import instance_bytes
from workstation.crypt.files import Protection, read_protected
from workstation.crypt.stream import is_encrypted_file
from workstation.model.query import StudyQuery
from workstation.settings import Settings
from workstation.store.library import CLEAR_INDEX_HEADER, INDEX, Library, object_path

ROOT = Path(__file__).resolve().parents[2]
PATIENT_ID = "MIGR-ID-5309"


def _clear_library(root: Path, studies: int, per_study: int) -> dict[str, bytes]:
    """A library written in clear (as before this version); returns SOP UID -> stored bytes."""
    stored: dict[str, bytes] = {}
    with Library(root, protection=Protection(encrypt=False)) as lib:
        for s in range(studies):
            study, series = generate_uid(), generate_uid()
            for n in range(per_study):
                data = instance_bytes(study_uid=study, series_uid=series, patient_id=PATIENT_ID,
                                      patient_name=f"Müller^Anaïs{s}", instance_number=n + 1,
                                      padding=20000)
                result = lib.add_bytes(data)
                stored[result.sop_instance_uid] = lib.read_instance(result.sop_instance_uid)
            if s == 0:
                lib.pin(study)
    assert (root / INDEX).read_bytes()[:16] == CLEAR_INDEX_HEADER
    return stored


def _objects(root: Path) -> list[Path]:
    return [p for p in (root / "objects").rglob("*.dcm")]


def _start(args: list[str]) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), **keyring_env()}
    return subprocess.Popen([sys.executable, "-m", "workstation", *args], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def test_a_clear_library_is_encrypted_on_first_open_with_progress(tmp_path: Path) -> None:
    root = tmp_path / "lib"
    stored = _clear_library(root, 2, 3)
    seen: list[tuple[int, int]] = []
    with Library(root, encrypting=lambda done, total: seen.append((done, total))) as lib:
        assert lib.migration.index_encrypted and lib.migration.files_encrypted == 6
        assert seen[-1] == (6, 6)
        assert {u: lib.read_instance(u) for u in stored} == stored
        assert len(lib.search_studies(StudyQuery(patient_id=PATIENT_ID))) == 2
        assert lib.check().clean
    assert all(is_encrypted_file(p) for p in _objects(root))
    assert (root / INDEX).read_bytes()[:16] != CLEAR_INDEX_HEADER
    with Library(root) as again:  # nothing left to do
        assert not again.migration.index_encrypted and again.migration.files_encrypted == 0


def test_kill_9_mid_migration_then_restart_loses_nothing(
    tmp_path: Path, isolated_environment: Path
) -> None:
    settings = Settings()
    root = settings.library_path()
    stored = _clear_library(root, 4, 60)
    drafts = root.parent / "reports" / "drafts"
    drafts.mkdir(parents=True)
    (drafts / "1.2.3.json").write_text('{"patient": "Müller^Anaïs"}', encoding="utf-8")

    proc = _start(["studies", "--library", "--json"])
    deadline = time.monotonic() + 60
    partial = 0
    while proc.poll() is None and time.monotonic() < deadline:
        partial = sum(is_encrypted_file(p) for p in _objects(root))
        if partial >= 20:
            os.kill(proc.pid, signal.SIGKILL)
            break
        time.sleep(0.001)
    proc.wait(30)
    assert proc.returncode == -signal.SIGKILL, (proc.returncode, proc.stderr.read() if proc.stderr else b"")
    files = _objects(root)
    encrypted = sum(is_encrypted_file(p) for p in files)
    assert 0 < encrypted < len(stored), "the kill did not land mid-migration"
    # Killed part-way: every file is whole, clear or encrypted, under its own name.
    assert len(files) == len(stored)

    restart = _start(["studies", "--library", "--json"])
    _out, err = restart.communicate(timeout=120)
    assert restart.returncode == 0, err
    assert b"Encrypting patient data on this machine" in err  # the progress was shown
    with Library(root) as lib:
        assert lib.recovery.quarantined == 0 and lib.check().clean
        assert {u: lib.read_instance(u) for u in stored} == stored
        studies = lib.search_studies(StudyQuery())
        assert len(studies) == 4 and sum(lib.is_pinned(s.study_uid) for s in studies) == 1
        assert all(lib.search_studies(StudyQuery(patient_id=PATIENT_ID)))
    leftovers = [p for p in root.rglob("*") if p.is_file() and ".tmp" in p.name]
    assert not leftovers
    assert all(is_encrypted_file(p) for p in _objects(root))
    assert all(is_encrypted_file(p) for p in drafts.iterdir())
    assert read_protected(drafts / "1.2.3.json") == '{"patient": "Müller^Anaïs"}'.encode()
    found = subprocess.run(["grep", "-r", "-a", "-l", "-F", PATIENT_ID, str(root.parent)],
                           capture_output=True, timeout=60)
    assert found.returncode == 1, found.stdout


@pytest.mark.parametrize("where", ["index", "files"])
def test_a_library_encrypted_under_a_deleted_key_is_refused_in_one_sentence(
    tmp_path: Path, where: str
) -> None:
    from workstation.crypt import keys
    from workstation.errors import StoreError

    root = tmp_path / "lib"
    with Library(root) as lib:
        sop = lib.add_bytes(instance_bytes()).sop_instance_uid
    keys.forget_key()
    if where == "files":  # the index is gone too: the rebuild must not quarantine everything
        for name in ("index.sqlite3", "index.sqlite3-wal", "index.sqlite3-shm"):
            (root / name).unlink(missing_ok=True)
    with pytest.raises(StoreError, match="another installation's key|no longer in the system keyring"):
        Library(root)
    assert (root / object_path(sop)).exists()


def test_a_clear_file_put_back_after_the_migration_is_indexed_and_encrypted(tmp_path: Path) -> None:
    root = tmp_path / "lib"
    with Library(root) as lib:
        lib.add_bytes(instance_bytes())
    data = instance_bytes(patient_id=PATIENT_ID)
    sop = str(pydicom.dcmread(io.BytesIO(data)).SOPInstanceUID)
    target = root / object_path(sop)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)  # restored from an old clear backup
    with Library(root) as lib:
        assert lib.recovery.reindexed == 1 and lib.read_instance(sop) == data
    assert is_encrypted_file(target)


def test_a_damaged_clear_index_is_rebuilt_encrypted_from_the_files(tmp_path: Path) -> None:
    root = tmp_path / "lib"
    stored = _clear_library(root, 1, 3)
    index = root / INDEX
    with open(index, "r+b") as fh:  # keep the SQLite header, damage everything after it
        fh.seek(100)
        fh.write(os.urandom(index.stat().st_size - 100))
    with Library(root) as lib:
        assert lib.recovery.index_rebuilt and lib.recovery.reindexed == 3
        assert {u: lib.read_instance(u) for u in stored} == stored
    assert index.read_bytes()[:16] != CLEAR_INDEX_HEADER
    assert all(is_encrypted_file(p) for p in _objects(root))
