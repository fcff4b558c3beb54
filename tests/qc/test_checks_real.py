"""Every QC check on real data that exhibits it, or on real headers changed in one place."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import numpy as np
import pytest
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import JPEGBaseline8Bit

from tests.qc.helpers import D2N, byte_reader, copies, read_headers, series_of
from workstation.qc.findings import QCStatus, Severity
from workstation.qc.run import run_checks

Phantom = tuple[list[Dataset], dict[str, Path]]


def uids(headers: list[Dataset]) -> set[str]:
    return {str(ds.SOPInstanceUID) for ds in headers}


def test_phantom_study_is_clean_with_every_pixel_decoded(phantom: Phantom) -> None:
    headers, paths = phantom
    decoded: list[str] = []

    def reader(uid: str) -> bytes:
        decoded.append(uid)
        return paths[uid].read_bytes()

    report = run_checks(headers, reader)
    assert report.status is QCStatus.INFO, report.text_lines()
    assert report.codes(Severity.ERROR) == set() and report.codes(Severity.WARNING) == set()
    assert set(decoded) == uids(headers) and len(decoded) == 175  # every image went through the decoder
    # The dose screen's burned-in text is noted, not warned about; its screens have no spacing.
    screens = uids(series_of(headers, 401))
    burned = report.by_code("burned_in_annotation")
    assert len(burned) == 1 and burned[0].severity is Severity.INFO and set(burned[0].instances) <= screens
    assert report.facts.number_of_series == 4 and report.facts.pixels_checked


def test_tilted_ct(shared_data: Path) -> None:
    headers, _ = read_headers(shared_data / "ct_head_human_ge_tilt")
    report = run_checks(headers)
    tilt = report.by_code("gantry_tilt")
    assert len(tilt) == 1 and tilt[0].severity is Severity.WARNING and "18.5 degrees" in tilt[0].sentence
    assert set(tilt[0].instances) == uids(headers)
    # Independent check of the unevenness: distances along the normal from the headers.
    normal = np.cross(*np.array(headers[0].ImageOrientationPatient, dtype=float).reshape(2, 3))
    gaps = np.diff(np.sort([float(np.dot(ds.ImagePositionPatient, normal)) for ds in headers]))
    uneven = report.by_code("uneven_spacing")
    assert len(uneven) == 1 and f"{gaps.min():.2f} to {gaps.max():.2f} mm" in uneven[0].sentence
    assert report.by_code("missing_ct_dose")[0].severity is Severity.WARNING  # no CTDIvol, no dose report
    assert report.status is QCStatus.WARNINGS


@pytest.mark.parametrize(
    ("folder", "code", "severity"),
    [
        ("failing/gantrytilting/001", "gantry_tilt", Severity.WARNING),
        ("failing/notavolume/001", "not_a_volume", Severity.INFO),
        ("failing/slicecount/001", "not_a_volume", Severity.INFO),
        ("failing/sliceincrement/001", "missing_slices", Severity.ERROR),
        ("failing/sliceincrement/002", "missing_slices", Severity.ERROR),
        ("failing/sliceincrement/002", "instance_number_gaps", Severity.WARNING),
        ("failing/sliceorientation/001", "mixed_orientation", Severity.WARNING),
        ("failing/sliceorientation/001", "duplicate_instance_numbers", Severity.WARNING),
    ],
)
def test_dicom2nifti_reject_set(shared_data: Path, folder: str, code: str, severity: Severity) -> None:
    headers, paths = read_headers(shared_data / D2N / folder)  # one folder at a time: they share Series UIDs
    report = run_checks(headers, byte_reader(paths))
    found = report.by_code(code)
    assert found and {f.severity for f in found} == {severity}, report.text_lines()
    assert "undecodable_pixels" not in report.codes()


def test_missing_slice_names_the_neighbours(shared_data: Path) -> None:
    headers, _ = read_headers(shared_data / D2N / "failing/sliceincrement/001")
    finding = run_checks(headers).by_code("missing_slices")[0]
    # Independent: the two slices around the largest gap along the normal.
    normal = np.cross(*np.array(headers[0].ImageOrientationPatient, dtype=float).reshape(2, 3))
    ordered = sorted(headers, key=lambda ds: float(np.dot(ds.ImagePositionPatient, normal)))
    loc = [float(np.dot(ds.ImagePositionPatient, normal)) for ds in ordered]
    n = int(np.argmax(np.diff(loc)))
    assert set(finding.instances) == {str(ordered[n].SOPInstanceUID), str(ordered[n + 1].SOPInstanceUID)}


def test_slice_removed_from_phantom_is_missing(phantom: Phantom) -> None:
    headers, _ = phantom
    s2010 = sorted(series_of(headers, 201), key=lambda ds: float(ds.ImagePositionPatient[2]))
    kept = s2010[:10] + s2010[11:]
    report = run_checks(kept)
    missing = report.by_code("missing_slices")
    assert len(missing) == 1 and missing[0].severity is Severity.ERROR and report.has_errors
    assert set(missing[0].instances) == {str(s2010[9].SOPInstanceUID), str(s2010[11].SOPInstanceUID)}
    assert "instance_number_gaps" in report.codes()


@pytest.mark.parametrize(
    ("keyword", "value", "code"),
    [
        ("PatientSex", "F", "patient_sex_mismatch"),
        ("PatientName", "OTHER^PERSON", "patient_name_mismatch"),
        ("PatientID", "ZZ-99871", "patient_id_mismatch"),
        ("PatientBirthDate", "19700101", "patient_birth_date_mismatch"),
        ("AccessionNumber", "ACC5551", "accession_number_mismatch"),
        ("StudyDate", "20150207", "study_date_mismatch"),
    ],
)
def test_identity_changed_on_one_series(phantom: Phantom, keyword: str, value: str, code: str) -> None:
    headers, _ = phantom
    changed = copies(headers)
    if not str(headers[0].get(keyword, "")):  # empty in the phantom: give the study one value first
        for ds in changed:
            setattr(ds, keyword, "19650302" if keyword == "PatientBirthDate" else "ACC0001")
    altered = series_of(changed, 201)
    for ds in altered:
        setattr(ds, keyword, value)
    report = run_checks(changed)
    found = report.by_code(code)
    assert len(found) == 1, report.text_lines()
    assert set(found[0].instances) == uids(altered)
    assert found[0].severity is (Severity.WARNING if keyword == "StudyDate" else Severity.ERROR)
    assert "series 201" in found[0].sentence
    original = str(headers[0].get(keyword, ""))
    for text in (value, original):
        if len(text) > 1:
            assert text not in found[0].sentence and text not in json.dumps(report.to_json()["findings"])


def test_identity_given_in_one_series_only(phantom: Phantom) -> None:
    headers, _ = phantom
    assert not str(headers[0].get("AccessionNumber", ""))
    changed = copies(headers)
    for ds in series_of(changed, 201):
        ds.AccessionNumber = "ACC0001"
    found = run_checks(changed).by_code("accession_number_missing")
    assert len(found) == 1 and found[0].severity is Severity.WARNING
    assert set(found[0].instances) == uids([ds for ds in changed if int(ds.SeriesNumber) != 201])
    assert "given in series 201 but empty in series 100, series 202, series 401" in found[0].sentence


def test_duplicate_sop_uids(phantom: Phantom) -> None:
    headers, paths = phantom
    s2010 = copies(series_of(headers, 201))
    same = copy.deepcopy(s2010[0])
    harmless = run_checks(s2010 + [same])
    assert [f.severity for f in harmless.by_code("duplicate_sop_instance")] == [Severity.INFO]
    assert "duplicate_sop_uid_conflict" not in harmless.codes()

    other = copy.deepcopy(s2010[5])
    other.SOPInstanceUID = s2010[0].SOPInstanceUID  # a different image with the same UID
    conflict = run_checks(s2010 + [other]).by_code("duplicate_sop_uid_conflict")
    assert len(conflict) == 1 and conflict[0].instances == (str(s2010[0].SOPInstanceUID),)

    import hashlib

    uid = str(s2010[0].SOPInstanceUID)
    first = hashlib.sha256(paths[uid].read_bytes()).hexdigest()
    second = hashlib.sha256(paths[uid].read_bytes() + b"\0\0").hexdigest()
    hashed = run_checks(s2010 + [same], content_hashes=[(uid, first), (uid, second)])
    assert hashed.by_code("duplicate_sop_uid_conflict")[0].instances == (uid,)
    assert not run_checks(s2010 + [same], content_hashes=[(uid, first), (uid, first)]).by_code("duplicate_sop_uid_conflict")


def test_slice_thickness_against_spacing(phantom: Phantom) -> None:
    headers, _ = phantom
    s2010 = copies(series_of(headers, 201))
    positions = np.sort([float(ds.ImagePositionPatient[2]) for ds in s2010])
    spacing = float(np.median(np.diff(positions)))  # 5 mm, measured independently
    assert float(s2010[0].SliceThickness) == pytest.approx(spacing)
    assert not {"gaps_between_slices", "overlapping_slices"} & run_checks(s2010).codes()
    for ds in s2010:
        ds.SliceThickness = spacing - 2
    gap = run_checks(s2010).by_code("gaps_between_slices")
    assert gap and gap[0].severity is Severity.WARNING and f"{2.0:.2f} mm between slices" in gap[0].sentence
    for ds in s2010:
        ds.SliceThickness = spacing * 2
    overlap = run_checks(s2010).by_code("overlapping_slices")
    assert overlap and overlap[0].severity is Severity.INFO and f"by {spacing:.2f} mm" in overlap[0].sentence


def test_mixed_size_and_missing_pixel_spacing(phantom: Phantom) -> None:
    headers, _ = phantom
    s2010 = copies(series_of(headers, 201))
    s2010[3].Rows = 256
    mixed = run_checks(s2010).by_code("mixed_size")
    assert mixed and mixed[0].instances == (str(s2010[3].SOPInstanceUID),)

    s2010 = copies(series_of(headers, 201))
    for ds in s2010:
        del ds.PixelSpacing
    report = run_checks(s2010)
    assert report.by_code("no_pixel_spacing")[0].severity is Severity.WARNING
    plane = report.by_code("image_plane_missing")
    assert plane[0].severity is Severity.ERROR and set(plane[0].instances) == uids(s2010)


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"BitsStored": 17}, "bits_stored_exceeds_allocated"),
        ({"HighBit": 15}, "high_bit_mismatch"),
        ({"PixelSpacing": [0.5, -0.5]}, "invalid_pixel_spacing"),
        ({"PixelSpacing": [0.5]}, "invalid_pixel_spacing"),
        ({"ImageOrientationPatient": [1, 0, 0, 0.1, 1, 0]}, "invalid_orientation"),
        ({"ImageOrientationPatient": [2, 0, 0, 0, 1, 0]}, "invalid_orientation"),
        ({"SamplesPerPixel": 3}, "photometric_samples_mismatch"),
        ({"PhotometricInterpretation": "RGB"}, "photometric_samples_mismatch"),
        ({"PixelRepresentation": None}, "image_pixel_missing"),
    ],
)
def test_iod_violations(phantom: Phantom, change: dict[str, object], code: str) -> None:
    headers, _ = phantom
    s2010 = copies(series_of(headers, 201))
    assert not run_checks(s2010).codes(Severity.ERROR)
    target = s2010[7]
    for keyword, value in change.items():
        if value is None:
            delattr(target, keyword)
        else:
            setattr(target, keyword, value)
    found = run_checks(s2010).by_code(code)
    assert len(found) == 1 and found[0].severity is Severity.ERROR
    assert found[0].instances == (str(target.SOPInstanceUID),)


def test_malformed_corpus(shared_data: Path) -> None:
    root = shared_data / "malformed"
    expected = {
        "pydicom/MR_truncated.dcm": {"undecodable_pixels"},
        "fo-dicom/GH1376.dcm": {"undecodable_pixels"},
        "orthanc/MultiframeWindowing.dcm": {"undecodable_pixels", "image_pixel_missing"},
        "orthanc/Issue56-NoPixelData.dcm": {"undecodable_pixels"},
        "fo-dicom/GH626.dcm": {"undecodable_pixels", "image_plane_missing"},
        "dcm4che/3gb-bulk-data-truncated": {"undecodable_pixels", "image_pixel_invalid"},
    }
    for name, codes in expected.items():
        headers, paths = read_headers_file(root / name)
        report = run_checks(headers, byte_reader(paths))
        assert codes <= report.codes(Severity.ERROR), (name, report.text_lines())
        assert report.has_errors
    # Files that decode stay free of pixel errors.
    headers, paths = read_headers_file(root / "pydicom/J2K_pixelrep_mismatch.dcm")
    assert "undecodable_pixels" not in run_checks(headers, byte_reader(paths)).codes()


def read_headers_file(path: Path) -> tuple[list[Dataset], dict[str, Path]]:
    import warnings

    import pydicom

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ds = pydicom.dcmread(path, stop_before_pixels=True, force=True)
    return [ds], {str(ds.get("SOPInstanceUID", "")): path}


def test_burned_in_annotation_on_an_acquisition(shared_data: Path) -> None:
    headers, _ = read_headers_file(shared_data / "fo_dicom_selected" / "GH364.dcm")  # US, Burned In YES
    assert headers[0].BurnedInAnnotation == "YES"
    found = run_checks(headers).by_code("burned_in_annotation")
    assert [f.severity for f in found] == [Severity.WARNING]
    assert found[0].instances == (str(headers[0].SOPInstanceUID),)


def test_lossy_mammography(shared_data: Path) -> None:
    headers, paths = read_headers_file(shared_data / "fo_dicom_selected" / "GH133.dcm")  # MG, JPEG lossless
    clean = run_checks(headers, byte_reader(paths))
    assert not {"lossy_mammography", "lossy_compression", "undecodable_pixels"} & clean.codes()

    flagged = copies(headers)
    flagged[0].LossyImageCompression = "01"
    assert [f.severity for f in run_checks(flagged).by_code("lossy_mammography")] == [Severity.ERROR]

    baseline = copies(headers)
    baseline[0].file_meta = FileMetaDataset()
    baseline[0].file_meta.TransferSyntaxUID = JPEGBaseline8Bit
    assert run_checks(baseline).by_code("lossy_mammography")

    ct, _ = read_headers_file(shared_data / "fo_dicom_selected" / "IM-0001-0001-0001.dcm")
    ct[0].LossyImageCompression = "01"
    lossy_ct = run_checks(ct)
    assert [f.severity for f in lossy_ct.by_code("lossy_compression")] == [Severity.INFO]
    assert "lossy_mammography" not in lossy_ct.codes()


def test_ct_dose(phantom: Phantom) -> None:
    headers, _ = phantom
    assert "missing_ct_dose" not in run_checks(headers).codes()  # CTDIvol in the axial images
    without = copies(h for h in headers if int(h.SeriesNumber) in (100, 201, 401))
    for ds in without:
        if "CTDIvol" in ds:
            del ds.CTDIvol
    # The Exam Summary dose screen (series 401) still records the dose.
    assert "missing_ct_dose" not in run_checks(without).codes()
    no_screen = [ds for ds in without if int(ds.SeriesNumber) != 401]
    found = run_checks(no_screen).by_code("missing_ct_dose")
    assert len(found) == 1 and found[0].severity is Severity.WARNING
    assert set(found[0].instances) == uids(no_screen)


def test_report_json_and_status(phantom: Phantom) -> None:
    headers, _ = phantom
    changed = copies(headers)
    for ds in series_of(changed, 202)[:3]:
        ds.PatientName = "WRONG^PATIENT"
    report = run_checks(changed)
    data = json.loads(json.dumps(report.to_json()))
    assert data["status"] == "errors" and data["worst"] == "error" and report.worst is Severity.ERROR
    assert data["counts"]["error"] == sum(1 for f in report.findings if f.severity is Severity.ERROR)
    assert data["findings"][0]["severity"] == "error"  # errors first
    text = json.dumps(data["findings"])
    assert "WRONG" not in text and str(headers[0].PatientName) not in text
    assert "The patient name differs within series 202" in text
    assert data["study"]["study_uid"] == str(headers[0].StudyInstanceUID)
    assert "PatientName" not in json.dumps(data) and "patient_name" not in data["study"]
