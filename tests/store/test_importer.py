"""Importing files, folders, DICOMDIRs and ZIP archives into the library."""

from __future__ import annotations

import time
import zipfile
from pathlib import Path

import numpy as np
import pydicom
import pytest
from pydicom.fileset import FileSet
from pydicom.uid import generate_uid

from tests.store.helpers import bundled, instance_bytes, read
from workstation.model.query import StudyQuery
from workstation.store import importer
from workstation.store.importer import DUPLICATE, FAILED, SKIPPED, STORED, import_paths
from workstation.store.library import Library


@pytest.fixture
def library(tmp_path: Path):
    lib = Library(tmp_path / "lib")
    yield lib
    lib.close()


def _write_series(folder: Path, n: int, study: str | None = None) -> list[bytes]:
    folder.mkdir(parents=True, exist_ok=True)
    study, series = study or generate_uid(), generate_uid()
    parts = [
        instance_bytes(study_uid=study, series_uid=series, instance_number=i) for i in range(n)
    ]
    for i, data in enumerate(parts):
        (folder / f"IM{i:04d}.dcm").write_bytes(data)
    return parts


def test_folder_import_skips_non_dicom_quietly_and_reports_progress(
    library: Library, tmp_path: Path
) -> None:
    src = tmp_path / "cd"
    parts = _write_series(src / "series1", 4)
    (src / "README.txt").write_text("Patient CD. Insert into drive.\n")
    (src / "thumb.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 100)
    calls: list[tuple[int, int, str]] = []
    report = import_paths(library, [src], progress=lambda d, t, n: calls.append((d, t, n)))
    assert (report.stored, report.skipped, report.failed) == (4, 2, 0) and report.ok
    assert [c[0] for c in calls] == list(range(1, 7)) and {c[1] for c in calls} == {6}
    assert {c[2] for c in calls} >= {"README.txt", "series1/IM0000.dcm"}
    study = read(parts[0]).StudyInstanceUID
    assert report.study_uids == [study]
    assert report.bytes_stored == sum(len(p) for p in parts)
    again = import_paths(library, [src])
    assert (again.stored, again.duplicates) == (0, 4)
    assert "4 stored, 0 already in the library, 0 failed, 2 skipped" in report.summary()


def test_a_single_non_dicom_file_fails_with_a_reason(library: Library, tmp_path: Path) -> None:
    f = tmp_path / "ct_042.dcm"
    f.write_text("not an image at all, just text that is long enough\n" * 4)
    (result,) = import_paths(library, [f, tmp_path / "absent.dcm"]).results[:1]
    assert result.status == FAILED
    assert result.reason == "ct_042.dcm: not a DICOM file (no DICM prefix and no valid dataset)"
    both = import_paths(library, [f, tmp_path / "absent.dcm"])
    assert not both.ok and both.failure_lines() == [
        "ct_042.dcm: not a DICOM file (no DICM prefix and no valid dataset)",
        "absent.dcm: does not exist",
    ]
    report = import_paths(library, [tmp_path / "absent.dcm"])
    assert report.results[0].reason == "absent.dcm: does not exist"


def test_dicomdir_import_follows_its_records(library: Library, tmp_path: Path) -> None:
    fs = FileSet()
    study = generate_uid()
    datasets = [read(instance_bytes(study_uid=study, instance_number=i)) for i in range(3)]
    datasets.append(pydicom.dcmread(bundled("MR_small.dcm")))
    for ds in datasets:
        fs.add(ds)
    media = tmp_path / "media"
    fs.write(media)
    dicomdir = media / "DICOMDIR"
    assert dicomdir.is_file()

    report = import_paths(library, [dicomdir])
    assert (report.stored, report.failed, report.skipped) == (4, 0, 0)
    assert all(r.name.startswith("DICOMDIR:") for r in report.results)
    stored = {s.study_uid for s in library.search_studies(StudyQuery())}
    assert stored == {study, datasets[-1].StudyInstanceUID}
    assert library.search_studies(StudyQuery(study_uid=study))[0].number_of_instances == 3

    # The folder holding the DICOMDIR: the DICOMDIR is skipped, never stored as an instance.
    folder = import_paths(library, [media])
    assert folder.duplicates == 4
    (dd,) = [r for r in folder.results if r.name == "DICOMDIR"]
    assert dd.status == SKIPPED
    assert library.check().clean and library.check().instances == 4


def test_dicomdir_with_a_missing_file_names_it(library: Library, tmp_path: Path) -> None:
    fs = FileSet()
    for i in range(2):
        fs.add(read(instance_bytes(instance_number=i)))
    media = tmp_path / "media"
    fs.write(media)
    victim = next(p for p in media.rglob("*") if p.is_file() and p.name != "DICOMDIR")
    victim.unlink()
    report = import_paths(library, [media / "DICOMDIR"])
    assert (report.stored, report.failed) == (1, 1)
    rel = victim.relative_to(media).as_posix()
    assert report.failures[0].reason == f"DICOMDIR:{rel}: referenced by the DICOMDIR but missing"


def test_zip_import_streams_members_and_ignores_path_tricks(
    library: Library, tmp_path: Path
) -> None:
    parts = [instance_bytes(instance_number=i) for i in range(3)]
    archive = tmp_path / "study.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("CT/IM1.dcm", parts[0])
        zf.writestr("../../escape.dcm", parts[1])
        zf.writestr("/abs/IM3", parts[2])
        zf.writestr("CT/README", "burned on 2024-01-01")
        zf.writestr("empty/", "")
    before = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*") if "lib" not in p.parts)
    report = import_paths(library, [archive])
    assert (report.stored, report.skipped, report.failed) == (3, 1, 0)
    assert {r.name for r in report.results} == {
        "study.zip:CT/IM1.dcm",
        "study.zip:../../escape.dcm",
        "study.zip:abs/IM3",
        "study.zip:CT/README",
    }
    after = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*") if "lib" not in p.parts)
    assert after == before  # nothing was extracted anywhere
    assert not (tmp_path.parent / "escape.dcm").exists()
    assert library.check().instances == 3


def test_zip_bombs_and_oversized_members_are_refused(
    library: Library, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    archive = tmp_path / "bomb.zip"
    good = instance_bytes()
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        zf.writestr("zeros.dcm", b"\x00" * (40 * 1024**2))  # ~40 kB compressed: > 1000:1
        zf.writestr("good.dcm", good)
    report = import_paths(library, [archive])
    bomb = next(r for r in report.results if r.name == "bomb.zip:zeros.dcm")
    assert bomb.status == FAILED and "zip bomb" in bomb.reason
    assert report.stored == 1

    monkeypatch.setattr(importer, "MAX_MEMBER_BYTES", len(good) - 1)
    small = tmp_path / "small.zip"
    with zipfile.ZipFile(small, "w") as zf:
        zf.writestr("big.dcm", good)
    (result,) = import_paths(library, [small]).results
    assert result.status == FAILED
    assert result.reason.startswith("small.zip:big.dcm: ZIP member claims")


def test_corrupt_zip_fails_with_a_reason(library: Library, tmp_path: Path) -> None:
    archive = tmp_path / "broken.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_STORED) as zf:
        zf.writestr("a.dcm", instance_bytes())
    raw = bytearray(archive.read_bytes())
    raw[200:260] = b"\xff" * 60  # damage the member's data: its CRC no longer matches
    archive.write_bytes(bytes(raw))
    (result,) = import_paths(library, [archive]).results
    assert result.status == FAILED and result.reason.startswith("broken.zip:a.dcm: ")
    assert library.check().clean and library.total_bytes() == 0


# ---------------------------------------------------------------------- real data


def test_phantom_ct_round_trip_and_throughput(
    library: Library, shared_data: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    phantom = shared_data / "ct_head_phantom_philips"
    series = phantom / "S2020"
    files = sorted(series.glob("*.dcm"))
    assert len(files) >= 140
    size = sum(f.stat().st_size for f in files)
    started = time.perf_counter()
    report = import_paths(library, [series])
    seconds = time.perf_counter() - started
    assert (report.stored, report.failed) == (len(files), 0)
    with capsys.disabled():
        print(
            f"\n[library import] {len(files)} files, {size / 1e6:.1f} MB in {seconds:.2f} s: "
            f"{len(files) / seconds:.0f} files/s, {size / 1e6 / seconds:.1f} MB/s"
        )

    original = {pydicom.dcmread(f, stop_before_pixels=True).SOPInstanceUID: f for f in files}
    (study,) = library.search_studies(StudyQuery())
    (s,) = library.search_series(study.study_uid)
    assert s.number_of_instances == len(files) and study.modalities == ("CT",)
    headers = library.series_metadata(study.study_uid, s.series_uid)
    assert {h.SOPInstanceUID for h in headers} == set(original)
    numbers = [int(h.InstanceNumber) for h in headers]
    assert numbers == sorted(numbers)
    for h in headers[:5]:
        ref = pydicom.dcmread(original[h.SOPInstanceUID], stop_before_pixels=True)
        assert h.ImagePositionPatient == ref.ImagePositionPatient
        assert h.PatientName == ref.PatientName
    stored = list(library.iter_instances(study.study_uid, s.series_uid))
    by_uid = {read(b).SOPInstanceUID: b for b in stored}
    assert all(by_uid[u] == original[u].read_bytes() for u in original)

    # Two more series of the same study through a folder import, with their counts.
    more = import_paths(library, [phantom / "S2010", phantom / "S4010"])
    assert more.failed == 0
    (study,) = library.search_studies(StudyQuery())
    assert study.number_of_series == 3
    assert study.number_of_instances == len(files) + more.stored
    assert library.check().clean


def test_every_malformed_file_imports_or_fails_with_a_named_reason(
    library: Library, shared_data: Path
) -> None:
    malformed = shared_data / "malformed"
    good = shared_data / "ct_head_phantom_philips" / "S2010"
    good_files = sorted(good.glob("*.dcm"))
    report = import_paths(library, [malformed, good])

    all_files = sorted(p for p in malformed.rglob("*") if p.is_file())
    assert len(report.results) == len(all_files) + len(good_files)
    by_name = {r.name: r for r in report.results}
    for path in all_files:
        label = path.relative_to(malformed).as_posix()
        result = by_name[label]
        if result.status in (FAILED, SKIPPED):
            assert result.reason.startswith(f"{label}: "), result
            assert "\n" not in result.reason and len(result.reason) < 250
        else:
            assert result.status in (STORED, DUPLICATE)
    for label in ("MANIFEST.tsv", "SOURCE.txt", "orthanc/2017-06-27-XSSInjection.txt"):
        assert by_name[label].status == SKIPPED
    assert by_name["orthanc/2026-05-06-Deeply-Nested-Sequence.dcm"].status == FAILED
    assert by_name["pydicom/no_meta.dcm"].reason == (
        "pydicom/no_meta.dcm: not a DICOM file (no DICM prefix and no valid dataset)"
    )
    assert by_name["pydicom/MR_truncated.dcm"].warnings == (
        "pydicom/MR_truncated.dcm: truncated: pixel data ends 62 bytes early",
    )
    assert report.stored > 10 and report.failed > 5

    assert library.check().clean, library.check().summary()
    # The good series imported in the same run reads fully, pixel for pixel.
    study_uid = pydicom.dcmread(good_files[0], stop_before_pixels=True).StudyInstanceUID
    series_uid = pydicom.dcmread(good_files[0], stop_before_pixels=True).SeriesInstanceUID
    stored = {
        read(b).SOPInstanceUID: read(b) for b in library.iter_instances(study_uid, series_uid)
    }
    assert len(stored) == len(good_files)
    for f in good_files:
        ref = pydicom.dcmread(f)
        assert np.array_equal(stored[ref.SOPInstanceUID].pixel_array, ref.pixel_array)
