"""Anonymised export of real studies: pydicom's own test files (installed with pydicom) and, when
present, the shared data (a Philips CT phantom study of four series, highdicom's CT with its TID
1500 SR). No original name, ID, birth date or UID in any byte; pixels unchanged; dcmtk reads the
DICOMDIR; the SR's references resolve."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
from pathlib import Path

import pydicom
import pytest
from pydicom.data import get_testdata_file
from pydicom.dataset import Dataset

from tests.export.test_export import all_uids, dicom_files, files_under
from workstation.export.writer import ExportRequest, run_export
from workstation.store.library import Library


def _identity(ds: Dataset) -> list[bytes]:
    needles = []
    for keyword in ("PatientName", "PatientID", "PatientBirthDate", "OtherPatientIDs"):
        value = str(ds.get(keyword, "") or "").strip()
        if len(value) >= 4:
            needles.append(value.encode("latin-1", "replace"))
            needles.extend(p.encode("latin-1", "replace") for p in value.split("^") if len(p) >= 4)
    return needles


def _export_and_check(paths: list[Path], tmp_path: Path, *, dicomdir: bool) -> list[Dataset]:
    library = Library(tmp_path / "library")
    originals = [pydicom.dcmread(p) for p in paths]
    for p in paths:
        assert library.add_file(p).stored or library.add_file(p).duplicate
    studies = {str(ds.StudyInstanceUID) for ds in originals}
    exported: list[Dataset] = []
    needles = sorted({n for ds in originals for n in _identity(ds)})
    uids = all_uids(originals)
    for number, study_uid in enumerate(sorted(studies)):
        out = tmp_path / f"export{number}"
        report = run_export(ExportRequest(study_uid, out, deidentify=True, dicomdir=dicomdir,
                                          include_burned_in=True), library)
        assert report.instances == sum(1 for ds in originals if str(ds.StudyInstanceUID) == study_uid)
        for path in files_under(out):
            data = path.read_bytes()
            assert not [n for n in needles if n in data], path.name
            assert not [u for u in uids if u.encode() in data], path.name
        if dicomdir and shutil.which("dcmdump"):
            dump = subprocess.run(["dcmdump", str(out / "DICOMDIR")], capture_output=True, text=True, errors="replace", timeout=60)
            assert dump.returncode == 0 and dump.stdout.count("ReferencedFileID") == report.instances
        exported.extend(pydicom.dcmread(p) for p in dicom_files(out))
    pixels = {hashlib.sha256(ds.PixelData).hexdigest() for ds in originals if "PixelData" in ds}
    assert {hashlib.sha256(ds.PixelData).hexdigest() for ds in exported if "PixelData" in ds} == pixels
    return exported


@pytest.mark.parametrize("names", [["CT_small.dcm"], ["MR_small.dcm"], ["JPEG2000.dcm"], ["test-SR.dcm"]])
def test_pydicom_test_files(names: list[str], tmp_path: Path) -> None:
    paths = [Path(str(get_testdata_file(n, download=False))) for n in names]
    exported = _export_and_check(paths, tmp_path, dicomdir=True)
    assert all(ds.PatientIdentityRemoved == "YES" for ds in exported)


@pytest.mark.shared_data
def test_philips_ct_phantom_study(shared_data: Path, tmp_path: Path) -> None:
    folder = shared_data / "ct_head_phantom_philips"
    paths = sorted(p for p in folder.rglob("*.dcm") if "S2020" not in p.parts)  # 140 JPEG-LS slices left out for time
    assert len(paths) >= 28
    exported = _export_and_check(paths, tmp_path, dicomdir=True)
    assert len({str(ds.SeriesInstanceUID) for ds in exported}) >= 3


@pytest.mark.shared_data
def test_highdicom_sr_references_resolve(shared_data: Path, tmp_path: Path) -> None:
    folder = shared_data / "highdicom_test_files"
    exported = _export_and_check([folder / "ct_image.dcm", folder / "sr_document.dcm"], tmp_path, dicomdir=True)
    (sr,) = [ds for ds in exported if ds.Modality == "SR"]
    (ct,) = [ds for ds in exported if ds.Modality == "CT"]
    referenced: set[str] = set()
    sr.walk(lambda _, e: referenced.add(str(e.value)) if e.keyword == "ReferencedSOPInstanceUID" else None)
    assert referenced == {str(ct.SOPInstanceUID)}


@pytest.mark.skipif(shutil.which("dcmdump") is None, reason="dcmtk is not installed")
def test_plain_dicomdir_when_labels_are_empty(tmp_path: Path) -> None:
    """pydicom's CT with its Study ID, Series Number and Instance Number left empty, as Type 2
    allows (Type 1 in the DICOMDIR's STUDY, SERIES and IMAGE records): the records get values,
    as dcmgpdir --invent does, and the file keeps its own empty ones."""
    import io

    original = pydicom.dcmread(str(get_testdata_file("CT_small.dcm", download=False)))
    original.StudyID = ""
    original.SeriesNumber = None
    original.InstanceNumber = None
    buffer = io.BytesIO()
    original.save_as(buffer, enforce_file_format=True)
    library = Library(tmp_path / "library")
    library.add_bytes(buffer.getvalue())
    out = tmp_path / "media"
    report = run_export(ExportRequest(str(original.StudyInstanceUID), out, dicomdir=True), library)
    assert report.instances == 1
    dump = subprocess.run(["dcmdump", str(out / "DICOMDIR")], capture_output=True, text=True,
                          errors="replace", timeout=60)
    assert dump.returncode == 0
    assert "(0020,0010) SH [1]" in dump.stdout and "(0020,0011) IS [1]" in dump.stdout
    assert "(0020,0013) IS [1]" in dump.stdout
    (written,) = dicom_files(out)
    exported = pydicom.dcmread(written)
    assert exported.StudyID == "" and exported.SeriesNumber is None and exported.InstanceNumber is None
    assert exported.PixelData == original.PixelData


def test_dicomdir_refused_in_one_sentence_without_a_patient_id(tmp_path: Path) -> None:
    """pydicom's test-SR has no Patient ID: identity is never invented, the export says why."""
    from workstation.export.writer import ExportError

    path = Path(str(get_testdata_file("test-SR.dcm", download=False)))
    library = Library(tmp_path / "library")
    library.add_file(path)
    study_uid = str(pydicom.dcmread(path).StudyInstanceUID)
    with pytest.raises(ExportError) as caught:
        run_export(ExportRequest(study_uid, tmp_path / "media", dicomdir=True), library)
    sentence = str(caught.value)
    assert "'Patient ID' element cannot be empty" in sentence and "without --dicomdir" in sentence
    assert "\n" not in sentence and not list((tmp_path / "media").iterdir())


def test_ultrasound_without_burned_in_flag_needs_confirmation(tmp_path: Path) -> None:
    """pydicom's ultrasound says nothing about burned-in text (ultrasound usually has it): an
    anonymised export leaves it out unless confirmed, then exports it unchanged in its pixels."""
    path = Path(str(get_testdata_file("US1_UNCR.dcm", download=False)))
    original = pydicom.dcmread(path)
    assert "BurnedInAnnotation" not in original
    library = Library(tmp_path / "library")
    library.add_file(path)
    study_uid = str(original.StudyInstanceUID)
    from workstation.export.writer import ExportError

    with pytest.raises(ExportError, match="burned into its pixels; confirm"):
        run_export(ExportRequest(study_uid, tmp_path / "a", deidentify=True), library)
    report = run_export(ExportRequest(study_uid, tmp_path / "b", deidentify=True, include_burned_in=True), library)
    assert report.instances == 1 and "do not say whether text is burned" in report.summary()
    (written,) = dicom_files(tmp_path / "b")
    assert pydicom.dcmread(written).PixelData == original.PixelData
    plain = run_export(ExportRequest(study_uid, tmp_path / "c"), library)
    assert plain.instances == 1 and not plain.notes  # a plain export carries the identity anyway
