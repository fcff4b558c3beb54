"""Export of a study: de-identified (PS3.15 E.1) with no identity left in any byte, DICOMDIR read
by dcmtk, pixel data unchanged, references of the SR/KOS/GSPS/SEG resolved, burned-in images held
back, options applied, owner-only files, ZIP, pictures and MP4."""

from __future__ import annotations

import hashlib
import io
import shutil
import stat
import subprocess
import zipfile
from pathlib import Path

import pydicom
import pytest
from pydicom.dataset import Dataset

from tests.export.conftest import (
    ACCESSION,
    BIRTH_DATE,
    NAME,
    PATIENT_ID,
    SLICES,
    STUDY_DESCRIPTION,
    StudyToExport,
)
from workstation.annotate.kos import key_images_from_kos
from workstation.annotate.read_back import measurements_from_sr
from workstation.export.deidentify import DeidentificationOptions
from workstation.export.writer import ExportError, ExportRequest, run_export
from workstation.model.presentation_state import read_presentation_state

DCMTK = shutil.which("dcmdump") is not None and shutil.which("dcmftest") is not None


def identity_needles() -> list[bytes]:
    """The patient's identity as it could appear in bytes: whole and in parts, UTF-8 and Latin-1."""
    texts = {NAME, PATIENT_ID, BIRTH_DATE, ACCESSION, "Dupré", "Éloïse", "Marie-Thérèse",
             NAME.replace("^", " ")}
    needles = set()
    for t in texts:
        for encoding in ("utf-8", "latin-1"):
            needles.add(t.encode(encoding))
    return sorted(needles)


def all_uids(datasets: list[Dataset]) -> set[str]:
    """Every instance-level UID in the originals (not class UIDs, not the standard's own)."""
    found: set[str] = set()

    def visit(_: Dataset, element: pydicom.DataElement) -> None:
        if element.VR != "UI" or not element.value:
            return
        values = [element.value] if isinstance(element.value, str) else list(element.value)
        for v in values:
            if not (element.keyword or "").endswith("ClassUID") and not str(v).startswith("1.2.840.10008."):
                found.add(str(v))

    for ds in datasets:
        ds.walk(visit)
        ds.file_meta.walk(visit)
    found.discard(str(pydicom.uid.PYDICOM_IMPLEMENTATION_UID))
    return found


def files_under(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file())


def dicom_files(root: Path) -> list[Path]:
    return [p for p in files_under(root) if p.name != "DICOMDIR" and "IMAGES" not in p.parts]


def test_anonymised_export_holds_no_identity_and_same_pixels(study: StudyToExport, tmp_path: Path) -> None:
    out = tmp_path / "export"
    report = run_export(ExportRequest(study.study_uid, out, deidentify=True, dicomdir=True), study.library)
    # the burned-in slice is held back: SLICES - 1 images + SR + KOS + GSPS + SEG
    assert report.instances == SLICES - 1 + 4 and report.held_back == 1
    assert report.notes and "burned" in report.notes[0]

    needles = identity_needles()
    uids = all_uids(study.originals)
    assert len(uids) >= SLICES + 6  # instances, series, study, frame of reference...
    files = files_under(out)
    assert len(files) == report.instances + 1  # + DICOMDIR
    for path in files:
        data = path.read_bytes()
        for needle in needles:
            assert needle not in data, (path.name, needle)
        for uid in uids:
            assert uid.encode() not in data, (path.name, uid)
        assert NAME.split("^")[0].lower() not in path.as_posix().lower()

    exported = [pydicom.dcmread(p) for p in dicom_files(out)]
    images = [ds for ds in exported if ds.Modality == "CT"]
    assert all(ds.PatientIdentityRemoved == "YES" for ds in exported)
    assert all(not any(e.tag.is_private for e in ds.iterall()) for ds in exported)
    assert {str(ds.PatientID) for ds in exported} == {str(exported[0].PatientID)}  # one pseudonym
    assert all(str(ds.PatientName) == f"Anonymous^{ds.PatientID}" for ds in exported)
    assert {"113100", "113104"} <= {c.CodeValue for c in exported[0].DeidentificationMethodCodeSequence}

    # pixel data unchanged, byte for byte (matched by content, independently of any UID map)
    original_pixels = {hashlib.sha256(ds.PixelData).hexdigest() for ds in study.originals
                       if ds.Modality == "CT" and ds.SOPInstanceUID != study.burned_in_uid}
    assert {hashlib.sha256(ds.PixelData).hexdigest() for ds in images} == original_pixels
    # geometry untouched
    by_pixels = {hashlib.sha256(ds.PixelData).digest(): ds for ds in study.originals if ds.Modality == "CT"}
    for ds in images:
        before = by_pixels[hashlib.sha256(ds.PixelData).digest()]
        assert list(ds.ImagePositionPatient) == list(before.ImagePositionPatient)
        assert list(ds.PixelSpacing) == list(before.PixelSpacing)


def test_references_of_sr_kos_gsps_resolve_after_export(study: StudyToExport, tmp_path: Path) -> None:
    out = tmp_path / "export"
    run_export(ExportRequest(study.study_uid, out, deidentify=True, include_burned_in=True), study.library)
    exported = [pydicom.dcmread(p) for p in dicom_files(out)]
    by_modality: dict[str, list[Dataset]] = {}
    for ds in exported:
        by_modality.setdefault(str(ds.Modality), []).append(ds)
    sop_uids = {str(ds.SOPInstanceUID) for ds in exported}
    series_uids = {str(ds.SeriesInstanceUID) for ds in exported}
    assert len({str(ds.StudyInstanceUID) for ds in exported}) == 1

    for modality in ("SR", "KO", "PR", "SEG"):
        (obj,) = by_modality[modality]
        referenced: set[str] = set()
        referenced_series: set[str] = set()

        def visit(_: Dataset, element: pydicom.DataElement, into: set[str] = referenced,
                  series: set[str] = referenced_series) -> None:
            if element.keyword == "ReferencedSOPInstanceUID":
                into.add(str(element.value))
            if element.keyword == "SeriesInstanceUID":
                series.add(str(element.value))

        obj.walk(visit)
        assert referenced, modality
        assert referenced <= sop_uids, modality
        assert referenced_series <= series_uids, modality

    # the SEG's frames point at exported slices, frame by frame, and highdicom still reads it
    import highdicom as hd

    seg = hd.seg.Segmentation.from_dataset(by_modality["SEG"][0])
    per_frame = [str(f.DerivationImageSequence[0].SourceImageSequence[0].ReferencedSOPInstanceUID)
                 for f in by_modality["SEG"][0].PerFrameFunctionalGroupsSequence]
    assert len(per_frame) == 3 and set(per_frame) <= sop_uids
    assert seg.get_segment_description(1).segment_label == "Crâne"

    # and the workstation's own readers still understand them, pointing at exported images
    ct_uids = {str(ds.SOPInstanceUID) for ds in by_modality["CT"]}
    measurements = list(measurements_from_sr(by_modality["SR"][0]))
    assert len(measurements) == 8 and {m.image.sop_instance_uid for m in measurements} <= ct_uids
    keys = key_images_from_kos(by_modality["KO"][0])
    assert keys.note == "Coupe clé" and {r.sop_instance_uid for r in keys.images} <= ct_uids
    state = read_presentation_state(by_modality["PR"][0])
    shown = [state.display_for(uid) for uid in ct_uids]
    assert any(s is not None and s.window == (40.0, 80.0) for s in shown)
    # GSPS text objects kept (Clean Graphics), SR tracking text kept
    texts = {op.text for s in shown if s is not None for op in s.annotations}
    assert "calcification" in texts


@pytest.mark.skipif(not DCMTK, reason="dcmtk (dcmdump, dcmftest) is not installed")
def test_dcmtk_reads_the_dicomdir(study: StudyToExport, tmp_path: Path) -> None:
    out = tmp_path / "media"
    run_export(ExportRequest(study.study_uid, out, deidentify=True, dicomdir=True, include_burned_in=True),
               study.library)
    dump = subprocess.run(["dcmdump", str(out / "DICOMDIR")], capture_output=True, text=True, errors="replace", timeout=60)
    assert dump.returncode == 0, dump.stderr
    assert dump.stdout.count("ReferencedFileID") == SLICES + 4
    for record in ("PATIENT", "STUDY", "SERIES", "IMAGE", "SR DOCUMENT", "KEY OBJECT DOC", "PRESENTATION"):
        assert f"[{record}" in dump.stdout, record
    files = files_under(out)
    check = subprocess.run(["dcmftest", *map(str, files)], capture_output=True, text=True, errors="replace", timeout=60)
    assert check.returncode == 0 and check.stdout.count("yes:") == len(files), check.stdout
    # PS3.10 File IDs: at most 8 upper-case characters per component
    for path in files:
        for part in path.relative_to(out).parts:
            assert len(part) <= 8 and part == part.upper()


def test_plain_export_keeps_identity_and_is_owner_only(study: StudyToExport, tmp_path: Path) -> None:
    out = tmp_path / "plain"
    report = run_export(ExportRequest(study.study_uid, out), study.library)
    assert report.instances == SLICES + 4 and report.held_back == 0
    exported = [pydicom.dcmread(p) for p in dicom_files(out)]
    assert {str(ds.PatientName) for ds in exported} == {NAME}
    assert {str(ds.SOPInstanceUID) for ds in exported} == {str(ds.SOPInstanceUID) for ds in study.originals}
    for path in [out, *out.rglob("*")]:
        mode = stat.S_IMODE(path.stat().st_mode)
        assert mode == (0o700 if path.is_dir() else 0o600), (path, oct(mode))
        assert "Dupr" not in path.name and PATIENT_ID not in path.name


def test_options_dates_device_descriptors(study: StudyToExport, tmp_path: Path) -> None:
    original = next(ds for ds in study.originals if ds.Modality == "CT")
    basic = tmp_path / "basic"
    run_export(ExportRequest(study.study_uid, basic, deidentify=True), study.library)
    plain = pydicom.dcmread(dicom_files(basic)[0])
    assert str(plain.get("StudyDate", "")) != str(original.StudyDate)
    assert plain.get("StationName", "") != original.StationName
    assert not plain.get("StudyDescription", "")
    assert "LongitudinalTemporalInformationModified" not in plain

    kept = tmp_path / "options"
    options = DeidentificationOptions.parse("basic,dates,device,descriptors")
    run_export(ExportRequest(study.study_uid, kept, deidentify=True, options=options), study.library)
    exported = [pydicom.dcmread(p) for p in dicom_files(kept)]
    images = [ds for ds in exported if ds.Modality == "CT"]
    import datetime as dt

    shifts = {(dt.date.fromisoformat(f"{o.StudyDate[:4]}-{o.StudyDate[4:6]}-{o.StudyDate[6:]}")
               - dt.date.fromisoformat(f"{e.StudyDate[:4]}-{e.StudyDate[4:6]}-{e.StudyDate[6:]}")).days
              for o, e in ((original, ds) for ds in exported)}
    assert len(shifts) == 1 and next(iter(shifts)) > 0  # one shift for the whole export, earlier
    assert all(ds.LongitudinalTemporalInformationModified == "MODIFIED" for ds in exported)
    assert all(ds.StudyTime == original.StudyTime for ds in images)
    assert all(not ds.get("PatientBirthDate", "") for ds in exported)
    assert all(ds.StationName == "CT-SALLE-2" and ds.DeviceSerialNumber == "SN-445566" for ds in images)
    # descriptors kept, in UTF-8, with the patient's name cleaned out
    assert {str(ds.StudyDescription) for ds in images} == {"Scanner crânien contrôle"}
    assert STUDY_DESCRIPTION.encode("utf-8") not in dicom_files(kept)[0].read_bytes()
    assert "Scanner crânien contrôle".encode() in dicom_files(kept)[0].read_bytes()
    codes = {c.CodeValue for c in images[0].DeidentificationMethodCodeSequence}
    assert {"113100", "113107", "113109", "113105"} <= codes


def test_burned_in_included_when_confirmed(study: StudyToExport, tmp_path: Path) -> None:
    report = run_export(ExportRequest(study.study_uid, tmp_path / "x", deidentify=True, include_burned_in=True),
                        study.library)
    assert report.held_back == 0 and report.instances == SLICES + 4
    assert report.notes  # still said


def test_zip_export(study: StudyToExport, tmp_path: Path) -> None:
    out = tmp_path / "zipped"
    report = run_export(ExportRequest(study.study_uid, out, deidentify=True, dicomdir=True, zip=True), study.library)
    assert report.zip_path is not None and report.zip_path.parent == out
    assert [p.name for p in out.iterdir()] == [report.zip_path.name]  # the staging folder is gone
    assert stat.S_IMODE(report.zip_path.stat().st_mode) == 0o600
    with zipfile.ZipFile(report.zip_path) as archive:
        names = archive.namelist()
        assert "DICOMDIR" in names and len(names) == report.instances + 1
        for name in names:
            data = archive.read(name)
            assert NAME.encode() not in data and PATIENT_ID.encode() not in data
        ds = pydicom.dcmread(io.BytesIO(archive.read(next(n for n in names if n != "DICOMDIR"))))
        assert ds.PatientIdentityRemoved == "YES"


def test_refuses_a_folder_that_is_not_empty(study: StudyToExport, tmp_path: Path) -> None:
    out = tmp_path / "busy"
    out.mkdir()
    (out / "keep.txt").write_text("someone's file")
    with pytest.raises(ExportError, match="not empty"):
        run_export(ExportRequest(study.study_uid, out), study.library)
    assert (out / "keep.txt").read_text() == "someone's file"


def test_unknown_profile_option_is_one_sentence() -> None:
    from workstation.errors import WorkstationError

    with pytest.raises(WorkstationError, match="Unknown de-identification option 'dates2'"):
        DeidentificationOptions.parse("basic,dates2")


def test_short_id_found_by_chance_in_the_pixels_is_not_a_leak(tmp_path: Path) -> None:
    """The read-back check looks for names and IDs outside the pixel values: a 4-character ID
    whose bytes occur in the pixels (chance, in a large study) must not stop the export, while
    the same ID left in a header would."""
    import numpy as np

    from tests.export.conftest import _part10
    from workstation import demo
    from workstation.export.deidentify import Deidentifier
    from workstation.export.writer import without_pixel_values
    from workstation.store.library import Library

    library = Library(tmp_path / "library")
    (data,) = list(demo.phantom_series(shape=(1, 64, 64)))
    ds = pydicom.dcmread(io.BytesIO(data))
    ds.PatientID = "A1B2"
    pixels = np.frombuffer(ds.PixelData, dtype=np.uint8).copy()
    pixels[100:104] = np.frombuffer(b"A1B2", dtype=np.uint8)
    ds.PixelData = pixels.tobytes()
    library.add_bytes(_part10(ds))
    report = run_export(ExportRequest(str(ds.StudyInstanceUID), tmp_path / "out", deidentify=True), library)
    assert report.instances == 1
    (written,) = dicom_files(tmp_path / "out")
    assert b"A1B2" in written.read_bytes()  # in the pixels, untouched
    assert b"A1B2" not in without_pixel_values(written.read_bytes())

    deid = Deidentifier()
    deid.identifiers.add("A1B2")
    header_leak = b"\x10\x00\x20\x00LO\x04\x00A1B2"
    assert deid.leaks(header_leak, text_part=header_leak) == ["an identifier of the patient"]


def test_media_without_modes_still_get_the_export(study: StudyToExport, tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """A FAT USB stick has no POSIX modes: chmod fails with EPERM there, and the export must
    still be written (the kernel of the test machine has no FAT driver, so chmod is made to
    fail as it does on such media)."""
    import errno
    import os

    real_chmod = os.chmod
    media = tmp_path / "usb"

    def fat_chmod(path: object, mode: int, *args: object, **kwargs: object) -> None:
        if str(path).startswith(str(media)):
            raise PermissionError(errno.EPERM, "Operation not permitted", str(path))
        real_chmod(path, mode, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "chmod", fat_chmod)
    media.mkdir()
    report = run_export(ExportRequest(study.study_uid, media, deidentify=True, dicomdir=True,
                                      include_burned_in=True), study.library)
    assert report.instances == SLICES + 4 and (media / "DICOMDIR").is_file()


@pytest.mark.parametrize("profile", ["basic", "basic,dates,device,descriptors"])
def test_anonymisation_adds_no_iod_error(study: StudyToExport, tmp_path: Path, profile: str) -> None:
    """dciodvfy (dicom3tools) finds no error in the de-identified CT, SR, KOS, GSPS and SEG that
    it did not find in the originals: dummy values are valid for their VR, Type 1 attributes
    stay (the table's dummy date, year 1, is not a valid DA: 1900-01-01 is used)."""
    from tests import validators

    run_export(ExportRequest(study.study_uid, tmp_path / "o", deidentify=True, include_burned_in=True,
                             options=DeidentificationOptions.parse(profile)), study.library)
    exported = {str(ds.Modality): ds for ds in (pydicom.dcmread(p) for p in dicom_files(tmp_path / "o"))}
    originals = {str(ds.Modality): ds for ds in study.originals}
    for modality in ("CT", "SR", "KO", "PR", "SEG"):
        before = set(validators.dciodvfy_errors(originals[modality], tmp_path))
        after = set(validators.dciodvfy_errors(exported[modality], tmp_path))
        assert not after - before, (modality, sorted(after - before)[:5])


def test_encapsulated_pdf_left_out_of_an_anonymised_export(study: StudyToExport, tmp_path: Path) -> None:
    """A report PDF names the patient in its text, which header de-identification cannot reach:
    left out of an anonymised export with a sentence, kept in a plain one."""
    from pydicom.uid import EncapsulatedPDFStorage, generate_uid

    from tests.export.conftest import _part10

    ct = next(ds for ds in study.originals if ds.Modality == "CT")
    pdf = Dataset()
    for keyword in ("PatientName", "PatientID", "PatientBirthDate", "PatientSex", "StudyInstanceUID",
                    "StudyDate", "StudyTime", "StudyID", "AccessionNumber", "ReferringPhysicianName",
                    "SpecificCharacterSet"):
        setattr(pdf, keyword, ct.get(keyword, ""))
    pdf.SOPClassUID = EncapsulatedPDFStorage
    pdf.SOPInstanceUID = generate_uid()
    pdf.SeriesInstanceUID = generate_uid()
    pdf.Modality, pdf.SeriesNumber, pdf.InstanceNumber = "DOC", 99, 1
    pdf.ContentDate, pdf.ContentTime, pdf.AcquisitionDateTime = ct.StudyDate, "120000", ct.StudyDate + "120000"
    pdf.BurnedInAnnotation = "YES"
    pdf.DocumentTitle = "Compte rendu"
    pdf.MIMETypeOfEncapsulatedDocument = "application/pdf"
    pdf.EncapsulatedDocument = b"%PDF-1.4\n% Patient: " + NAME.encode() + b"\n%%EOF\n"
    study.library.add_bytes(_part10(pdf))

    report = run_export(ExportRequest(study.study_uid, tmp_path / "anon", deidentify=True,
                                      include_burned_in=True), study.library)
    assert report.held_back == 1 and report.instances == SLICES + 4
    assert "1 encapsulated document(s) (PDF or CDA) were left out" in report.summary()
    assert not any(pydicom.dcmread(p).Modality == "DOC" for p in dicom_files(tmp_path / "anon"))
    plain = run_export(ExportRequest(study.study_uid, tmp_path / "plain"), study.library)
    assert plain.instances == SLICES + 5 and plain.held_back == 0


@pytest.mark.parametrize("dicomdir", [False, True])
def test_cancelled_export_leaves_nothing(study: StudyToExport, tmp_path: Path, dicomdir: bool) -> None:
    """Cancelling mid-way (the dialog's Close) stops at the next instance and removes what was
    written: an export is whole or absent."""
    from workstation.errors import Cancelled
    from workstation.model.source import CancelToken

    token = CancelToken()

    def progress(done: int, total: int, what: str) -> None:
        if done == 3:
            token.cancel()

    out = tmp_path / "half"
    with pytest.raises(Cancelled, match="cancelled; nothing was left"):
        run_export(ExportRequest(study.study_uid, out, deidentify=True, dicomdir=dicomdir), study.library,
                   progress=progress, cancel=token)
    assert out.is_dir() and list(out.iterdir()) == []
