"""Import reads only what it should, and one bad entry never stops the rest.

Real folders with real links, FIFOs and devices; real files with a transfer syntax pydicom does
not know; a damaged copy followed by the intact one.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from io import BytesIO
from pathlib import Path

import pydicom
import pytest
from pydicom.dataset import FileMetaDataset
from pydicom.encaps import encapsulate
from pydicom.filebase import DicomBytesIO
from pydicom.filewriter import write_dataset, write_file_meta_info
from pydicom.uid import generate_uid

from tests.store.helpers import instance_bytes
from workstation.model.query import StudyQuery
from workstation.store import importer
from workstation.store.importer import FAILED, SKIPPED, STORED, import_paths
from workstation.store.library import Library

ROOT = Path(__file__).resolve().parents[2]
JPEG_XL = "1.2.840.10008.1.2.4.111"  # JPEG XL JPEG Recompression (PS3.5 A.4.12); pydicom 3.0 lacks it


@pytest.fixture
def library(tmp_path: Path) -> Library:
    lib = Library(tmp_path / "lib")
    yield lib  # type: ignore[misc]
    lib.close()


# Reading /dev/zero or a FIFO would eat all memory or block forever (as it did before this
# change): the import runs in a child with a memory cap and a time limit, and reports as JSON.
_IMPORT_CHILD = r"""
import json, resource, sys
from pathlib import Path
cap = 3 * 1024**3
resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
from workstation.store import importer
from workstation.store.library import Library
if len(sys.argv) > 3:
    importer.MAX_FILE_BYTES = int(sys.argv[3])
with Library(Path(sys.argv[1])) as lib:
    report = importer.import_paths(lib, [Path(p) for p in json.loads(sys.argv[2])])
print(json.dumps([[r.name, r.status, r.reason] for r in report.results]))
"""


def _import_in_child(root: Path, paths: list[Path], max_file_bytes: int | None = None) -> dict[str, tuple[str, str]]:
    args = [sys.executable, "-c", _IMPORT_CHILD, str(root), json.dumps([str(p) for p in paths])]
    if max_file_bytes is not None:
        args.append(str(max_file_bytes))
    out = subprocess.run(args, capture_output=True, text=True, timeout=60,
                         env={**os.environ, "PYTHONPATH": str(ROOT), "PYTHONWARNINGS": "ignore"})
    assert out.returncode == 0, out.stderr[-2000:]
    return {name: (status, reason) for name, status, reason in json.loads(out.stdout.splitlines()[-1])}


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="POSIX FIFOs")
@pytest.mark.timeout(90)
def test_links_fifos_devices_and_oversized_files_are_refused_one_line_each(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    secret = outside / "elsewhere.dcm"
    secret.write_bytes(instance_bytes(patient_id="NOT-CHOSEN"))
    src = tmp_path / "cd"
    (src / "sub").mkdir(parents=True)
    (src / "a_good.dcm").write_bytes(instance_bytes(patient_id="CHOSEN-1"))
    (src / "sub" / "b_good.dcm").write_bytes(instance_bytes(patient_id="CHOSEN-2"))
    os.symlink("/dev/zero", src / "zero.dcm")
    os.mkfifo(src / "x.dcm")
    os.symlink(secret, src / "out.dcm")
    os.symlink(outside, src / "outdir")
    os.symlink(src / "a_good.dcm", src / "c_inside_link.dcm")  # a link inside: followed
    (src / "huge.dcm").write_bytes(b"\0" * 200_000)

    by_name = _import_in_child(tmp_path / "lib", [src], max_file_bytes=100_000)

    assert by_name["a_good.dcm"][0] == STORED and by_name["sub/b_good.dcm"][0] == STORED
    assert by_name["c_inside_link.dcm"][0] == "duplicate"
    assert by_name["zero.dcm"] == (FAILED, "zero.dcm: a link out of the chosen folder; not followed")
    assert by_name["x.dcm"] == (FAILED, "x.dcm: a FIFO (named pipe), not a file; refused")
    assert by_name["out.dcm"] == (FAILED, "out.dcm: a link out of the chosen folder; not followed")
    assert by_name["outdir"] == (FAILED, "outdir: a link out of the chosen folder; not followed")
    assert by_name["huge.dcm"] == (FAILED, "huge.dcm: is 200000 bytes, more than the 100000 allowed; refused")
    assert all("\n" not in reason for _status, reason in by_name.values())
    with Library(tmp_path / "lib") as lib:
        ids = {s.patient_id for s in lib.search_studies(StudyQuery())}
    assert ids == {"CHOSEN-1", "CHOSEN-2"}


@pytest.mark.timeout(90)
def test_a_device_or_fifo_named_on_its_own_is_refused(tmp_path: Path) -> None:
    paths = [Path("/dev/zero"), Path("/dev/null")]
    if hasattr(os, "mkfifo"):
        os.mkfifo(tmp_path / "pipe.dcm")
        paths.append(tmp_path / "pipe.dcm")
    by_name = _import_in_child(tmp_path / "lib", paths)
    assert by_name["zero"] == (FAILED, "zero: a device, not a file; refused")
    assert by_name["null"] == (FAILED, "null: a device, not a file; refused")
    if hasattr(os, "mkfifo"):
        assert by_name["pipe.dcm"] == (FAILED, "pipe.dcm: a FIFO (named pipe), not a file; refused")


def _jpeg_xl_instance() -> bytes:
    """A small CT instance whose File Meta Information names JPEG XL, with one encapsulated
    dummy frame (pydicom refuses to write an unknown syntax: the body is written as Explicit VR
    Little Endian, which every JPEG XL file's data set is, and the meta group by hand)."""
    ds = pydicom.dcmread(BytesIO(instance_bytes()))
    ds.SOPInstanceUID = generate_uid()
    ds.PixelData = encapsulate([b"\xff\x0a" + b"\x00" * 30])  # a dummy JPEG XL codestream
    ds["PixelData"].VR = "OB"
    ds["PixelData"].is_undefined_length = True
    body = DicomBytesIO()
    body.is_little_endian, body.is_implicit_VR = True, False
    write_dataset(body, ds)
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = ds.SOPClassUID
    meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
    meta.TransferSyntaxUID = JPEG_XL
    meta.ImplementationClassUID = "1.2.826.0.1.3680043.8.498.1"
    out = DicomBytesIO()
    out.write(b"\0" * 128 + b"DICM")
    write_file_meta_info(out, meta, enforce_standard=True)
    return bytes(out.getvalue()) + bytes(body.getvalue())


def test_unknown_transfer_syntax_is_stored_with_a_note_and_the_import_goes_on(
    tmp_path: Path, library: Library
) -> None:
    src = tmp_path / "src"
    src.mkdir()
    (src / "1_jxl.dcm").write_bytes(_jpeg_xl_instance())
    (src / "2_after.dcm").write_bytes(instance_bytes())
    report = import_paths(library, [src])
    assert [r.status for r in report.results] == [STORED, STORED]
    assert report.results[0].warnings == (
        f"1_jxl.dcm: its pixels cannot be shown yet (transfer syntax {JPEG_XL} is not supported)",
    )
    assert report.problem_lines() == [report.results[0].warnings[0]]
    assert "2 stored, 1 of them with problems" in report.summary()


def _truncated(data: bytes) -> bytes:
    ds = pydicom.dcmread(BytesIO(data))
    del ds[0xFFFCFFFC]
    out = BytesIO()
    ds.save_as(out)
    return out.getvalue()[:-1000]


def test_intact_file_imported_after_a_truncated_copy_replaces_it(tmp_path: Path, library: Library) -> None:
    intact = instance_bytes()
    (tmp_path / "half.dcm").write_bytes(_truncated(intact))
    (tmp_path / "whole.dcm").write_bytes(intact)
    first = import_paths(library, [tmp_path / "half.dcm"])
    assert first.stored == 1 and first.problem_lines() == [
        "half.dcm: truncated: pixel data ends 1000 bytes early"
    ]
    assert "1 of them with problems" in first.summary()
    second = import_paths(library, [tmp_path / "whole.dcm"])
    assert (second.stored, second.duplicates, second.replaced) == (1, 0, 1)
    assert second.summary().startswith("1 stored (1 replaced a damaged copy), 0 already")
    sop = pydicom.dcmread(BytesIO(intact)).SOPInstanceUID
    assert library.read_instance(sop) == intact
    third = import_paths(library, [tmp_path / "whole.dcm"])
    assert third.duplicates == 1


def test_skipped_entries_are_reported(tmp_path: Path, library: Library) -> None:
    src = tmp_path / "src"
    (src / "real").mkdir(parents=True)
    os.symlink(src / "real", src / "again")
    (r,) = import_paths(library, [src]).results
    assert r.status == SKIPPED and r.reason == "again: a link to a folder; not followed"


# The child imports a ZIP whose one member is 96 MiB and reports its peak resident memory.
# VmHWM (peak resident set of this process image; getrusage's maxrss would carry the peak of the
# process that forked it across exec) before and after the import, in MB.
_ZIP_CHILD = r"""
import sys, tempfile
from pathlib import Path
from workstation.store.library import Library
from workstation.store.importer import import_paths
def peak_mb():
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) // 1024
lib = Library(Path(tempfile.mkdtemp()) / "lib")
base = peak_mb()
report = import_paths(lib, [Path(sys.argv[1])])
grown = peak_mb() - base
lib.close()
print(report.stored, grown)
"""


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads VmHWM from /proc")
@pytest.mark.timeout(120)
def test_a_large_zip_member_is_streamed_not_held_twice(tmp_path: Path) -> None:
    import subprocess
    import sys
    import zipfile

    size = 96 * 1024**2
    data = instance_bytes(padding=size)
    archive = tmp_path / "cd.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_STORED) as zf:
        zf.writestr("IM0001.dcm", data)
    del data
    root = Path(__file__).resolve().parents[2]
    out = subprocess.run(
        [sys.executable, "-c", _ZIP_CHILD, str(archive)], capture_output=True, text=True,
        env={**os.environ, "PYTHONPATH": str(root), "PYTHONWARNINGS": "ignore"}, timeout=100,
    )
    assert out.returncode == 0, out.stderr
    stored, grown_mb = (int(v) for v in out.stdout.split())
    assert stored == 1
    assert grown_mb < 32, f"peak memory grew by {grown_mb} MB for a 96 MiB member"


def test_large_files_are_stored_byte_for_byte_and_checked_like_small_ones(
    tmp_path: Path, library: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    from workstation.store import instance_file

    monkeypatch.setattr(instance_file, "LARGE_FILE_BYTES", 1024)
    monkeypatch.setattr(importer, "LARGE_FILE_BYTES", 1024)
    whole = instance_bytes()
    (tmp_path / "whole.dcm").write_bytes(whole)
    (tmp_path / "half.dcm").write_bytes(_truncated(instance_bytes()))
    with zipfile_of(tmp_path / "z.zip", {"in_zip.dcm": instance_bytes()}):
        pass
    report = import_paths(library, [tmp_path / "whole.dcm", tmp_path / "half.dcm", tmp_path / "z.zip"])
    assert [r.status for r in report.results] == [STORED, STORED, STORED]
    assert report.results[1].damage == ("truncated: pixel data ends 1000 bytes early",)
    sop = pydicom.dcmread(BytesIO(whole)).SOPInstanceUID
    assert library.read_instance(sop) == whole
    assert not any(library.spool_folder().iterdir())
    assert library.check().clean


def zipfile_of(path: Path, members: dict[str, bytes]):  # type: ignore[no-untyped-def]
    import zipfile

    zf = zipfile.ZipFile(path, "w", zipfile.ZIP_STORED)
    for name, data in members.items():
        zf.writestr(name, data)
    return zf
