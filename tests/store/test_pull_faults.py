"""Faults during a pull from a real Orthanc and during an import: kill -9, disk full.

After each: nothing lost, nothing duplicated, one clear sentence, and the next pull or import
finishes the job. The disk-full tests use a real size-limited tmpfs when this process may mount
one (root on Linux), and an injected ENOSPC at the write call otherwise.
"""

from __future__ import annotations

import errno
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from io import BytesIO
from pathlib import Path

import pydicom
import pytest

from tests.orthanc import OrthancServer
from tests.store.helpers import instance_bytes
from workstation import demo
from workstation.errors import StoreError
from workstation.model.query import StudyQuery
from workstation.settings import Settings
from workstation.store.importer import import_paths
from workstation.store.library import Library

ROOT = Path(__file__).resolve().parents[2]
N = 28


def cli(*args: str, env: dict[str, str] | None = None, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "workstation", *args], cwd=ROOT, capture_output=True, text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}, timeout=timeout,
    )


@pytest.fixture
def study(orthanc: OrthancServer) -> tuple[str, dict[str, str]]:
    parts = list(demo.phantom_series(shape=(N, 64, 64), spacing=(2.0, 1.5, 1.5)))
    for data in parts:
        orthanc.upload(data)
    uid = str(pydicom.dcmread(BytesIO(parts[0]), stop_before_pixels=True).StudyInstanceUID)
    return uid, {"WORKSTATION_USER": orthanc.user, "WORKSTATION_PASSWORD": orthanc.password}


def library_root() -> Path:
    return Settings().library_path()


def _assert_whole(study_uid: str) -> None:
    """Every instance once, in files and index alike, and the library consistent."""
    with Library(library_root()) as lib:
        assert lib.check().clean, lib.check().summary()
        (summary,) = lib.search_studies(StudyQuery(study_uid=study_uid))
        assert summary.number_of_instances == N and not summary.incomplete
        assert lib.study_complete(study_uid)
    files = list((library_root() / "objects").rglob("*.dcm"))
    assert len(files) == N
    # What the pull wrote is readable by its owner only.
    wrong = [p for p in [library_root(), *library_root().rglob("*")] if p.stat().st_mode & 0o077]
    assert not wrong, wrong


# The child pulls with every store slowed down a little, so that the kill lands mid-pull.
_SLOW_PULL = r"""
import sys, time
from workstation.store import library as libmod
from workstation import cli
real = libmod.Library.add_bytes
def slow(self, data):
    time.sleep(0.05)
    return real(self, data)
libmod.Library.add_bytes = slow
sys.exit(cli.main(sys.argv[1:]))
"""


@pytest.mark.timeout(180)
def test_kill_9_during_a_pull_loses_nothing_and_the_next_pull_finishes(
    orthanc: OrthancServer, study: tuple[str, dict[str, str]]
) -> None:
    uid, creds = study
    objects = library_root() / "objects"
    child = subprocess.Popen(
        [sys.executable, "-c", _SLOW_PULL, "pull", uid, "--archive", orthanc.dicomweb_url, "-q"],
        cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT), **creds},
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while len(list(objects.rglob("*.dcm"))) < N // 2:
            assert child.poll() is None, "the pull ended before it could be killed"
            assert time.monotonic() < deadline
            time.sleep(0.01)
        os.kill(child.pid, signal.SIGKILL)
        assert child.wait(timeout=10) == -signal.SIGKILL
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    on_disk = len([p for p in objects.rglob("*.dcm") if not p.name.startswith(".tmp-")])
    assert N // 2 <= on_disk < N

    listed = cli("studies", "--library")
    assert listed.returncode == 0, listed.stderr
    # Every whole file is in the library, and the study says it is incomplete.
    assert f"incomplete: {on_disk} of {N} images, pull again" in listed.stdout, listed.stdout
    info = cli("info", uid)
    assert f"Incomplete: {on_disk} of {N} images, pull again." in info.stdout

    again = cli("pull", uid, "--archive", orthanc.dicomweb_url, "-q", env=creds)
    assert again.returncode == 0, again.stderr
    assert f"{N - on_disk} instances fetched" in again.stdout and f"{on_disk} were already here" in again.stdout
    _assert_whole(uid)


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """The library folder on a 192 KiB tmpfs (needs root and mount(8)); skipped otherwise."""
    folder = library_root()
    folder.mkdir(parents=True, exist_ok=True)
    mount = shutil.which("mount")
    if os.geteuid() != 0 or mount is None or sys.platform != "linux":
        pytest.skip("mounting a size-limited tmpfs needs root on Linux")
    done = subprocess.run([mount, "-t", "tmpfs", "-o", "size=192k,mode=0700", "tmpfs", str(folder)],
                          capture_output=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode(errors='replace').strip()}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], capture_output=True)


def _grow(folder: Path) -> None:
    subprocess.run(["mount", "-o", "remount,size=16m", str(folder)], check=True)


@pytest.mark.timeout(180)
def test_disk_full_during_a_pull_is_one_sentence_and_the_next_pull_finishes(
    orthanc: OrthancServer, study: tuple[str, dict[str, str]], small_disk: Path
) -> None:
    uid, creds = study
    started = time.monotonic()
    full = cli("pull", uid, "--archive", orthanc.dicomweb_url, "-q", env=creds)
    seconds = time.monotonic() - started
    assert full.returncode == 1 and seconds < 60
    lines = full.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in full.stderr, full.stderr
    assert "No space left on device" in lines[0] or "disk is full" in lines[0], lines[0]
    assert "free space" in lines[0]
    assert not list(small_disk.rglob(".tmp-*")), "a half-written file was left behind"
    _grow(small_disk)
    again = cli("pull", uid, "--archive", orthanc.dicomweb_url, "-q", env=creds)
    assert again.returncode == 0, again.stderr
    _assert_whole(uid)


@pytest.mark.timeout(180)
def test_disk_full_during_an_import_fails_per_file_and_the_next_import_finishes(
    tmp_path: Path, small_disk: Path
) -> None:
    src = tmp_path / "cd"
    src.mkdir()
    parts = list(demo.phantom_series(shape=(N, 64, 64), spacing=(2.0, 1.5, 1.5)))
    for i, data in enumerate(parts):
        (src / f"IM{i:03d}.dcm").write_bytes(data)
    full = cli("import", "-q", str(src))
    assert full.returncode == 1 and "Traceback" not in full.stderr, full.stderr
    failed = [line for line in full.stderr.splitlines() if line.startswith("IM")]
    assert failed and all("free space" in line for line in failed)
    assert not list(small_disk.rglob(".tmp-*"))
    _grow(small_disk)
    again = cli("import", "-q", str(src))
    assert again.returncode == 0, again.stderr
    with Library(library_root()) as lib:
        assert lib.check().clean
        (summary,) = lib.search_studies(StudyQuery())
        assert summary.number_of_instances == N
    assert len(list((library_root() / "objects").rglob("*.dcm"))) == N


def test_enospc_at_the_write_call_fails_that_file_only(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Where no tmpfs can be mounted: the same fault injected at fsync(2), as a full disk
    reports it for delayed allocation (ext4, XFS)."""
    src = tmp_path / "src"
    src.mkdir()
    for i in range(4):
        (src / f"IM{i}.dcm").write_bytes(instance_bytes())
    real_fsync = os.fsync
    calls = {"n": 0}

    def fsync(fd: int) -> None:
        calls["n"] += 1
        if calls["n"] == 3:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        real_fsync(fd)

    with Library(tmp_path / "lib") as lib:
        monkeypatch.setattr(os, "fsync", fsync)
        report = import_paths(lib, [src])
        monkeypatch.setattr(os, "fsync", real_fsync)
        assert report.failed == 1 and report.stored == 3
        (line,) = report.failure_lines()
        assert line.endswith(
            "An instance could not be written to the library (No space left on device); "
            "check the free space on the disk."
        )
        assert not list((tmp_path / "lib").rglob(".tmp-*"))
        again = import_paths(lib, [src])
        assert (again.stored, again.duplicates) == (1, 3)
        assert lib.check().clean


def test_index_write_failure_is_a_store_error(tmp_path: Path) -> None:
    with Library(tmp_path / "lib") as lib:
        lib._conn().execute("PRAGMA query_only=1")  # every write now fails inside SQLite
        with pytest.raises(StoreError, match="The library index could not be written"):
            lib.begin_series("1.2.3", "1.2.3.4", ["1.2.3.4.5"])


def _cut(data: bytes, n: int = 1000) -> bytes:
    ds = pydicom.dcmread(BytesIO(data))
    if 0xFFFCFFFC in ds:
        del ds[0xFFFCFFFC]
    out = BytesIO()
    ds.save_as(out)
    return out.getvalue()[:-n]


@pytest.mark.timeout(180)
def test_a_truncated_imported_copy_is_fetched_again_by_the_next_pull(
    orthanc: OrthancServer, tmp_path: Path
) -> None:
    parts = list(demo.phantom_series(shape=(6, 64, 64), spacing=(2.0, 1.5, 1.5)))
    for data in parts:
        orthanc.upload(data)
    uid = str(pydicom.dcmread(BytesIO(parts[0]), stop_before_pixels=True).StudyInstanceUID)
    creds = {"WORKSTATION_USER": orthanc.user, "WORKSTATION_PASSWORD": orthanc.password}
    (tmp_path / "half.dcm").write_bytes(_cut(parts[0]))  # a CD copy cut short
    imported = cli("import", "-q", str(tmp_path / "half.dcm"))
    assert "1 of them with problems" in imported.stdout, imported.stdout
    assert "truncated: pixel data ends 1000 bytes early" in imported.stderr
    pulled = cli("pull", uid, "--archive", orthanc.dicomweb_url, "-q", env=creds)
    assert pulled.returncode == 0, pulled.stderr
    assert "6 instances fetched" in pulled.stdout, pulled.stdout
    with Library(library_root()) as lib:
        (summary,) = lib.search_studies(StudyQuery())
        assert summary.number_of_instances == 6 and summary.damaged_instances == 0
        assert lib.study_complete(uid) and lib.check().clean
        sop = str(pydicom.dcmread(BytesIO(parts[0])).SOPInstanceUID)
        stored = pydicom.dcmread(BytesIO(lib.read_instance(sop)))
        original = pydicom.dcmread(BytesIO(parts[0]))
        assert stored.PixelData == original.PixelData
