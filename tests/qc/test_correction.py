"""Demographic correction (IOCM): corrected copies with new UIDs, a 113038 rejection note, real Orthanc."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import pydicom
import pytest
from pydicom.dataset import Dataset

from tests import orthanc as orthanc_mod
from tests import validators
from tests.qc.helpers import PHANTOM, read_headers
from workstation.model.query import StudyQuery
from workstation.net.auth import store_secret
from workstation.net.dicomweb import DicomWebClient
from workstation.qc.audit import AuditLog
from workstation.qc.correction import (
    CORRECTION_REASON,
    CorrectionError,
    apply_corrections,
    propose_corrections,
    send_correction,
)
from workstation.qc.rejection import RejectionReason, rejected_instances, rejection_reason
from workstation.qc.visibility import visible_headers
from workstation.settings import ArchiveProfile

NEW = {"PatientName": "CORRECTED^PATIENT", "PatientID": "QC-FIX-0001", "AccessionNumber": "ACC-QC-77"}


def _study(shared_data: Path) -> tuple[list[Dataset], list[bytes]]:
    """The phantom's localizer and three axial slices that reference it (ReferencedImageSequence)."""
    localizer, _ = read_headers(shared_data / PHANTOM / "S1000")
    axial, paths = read_headers(shared_data / PHANTOM / "S2010")
    axial = sorted(axial, key=lambda ds: int(ds.InstanceNumber))[:3]
    files = [next((shared_data / PHANTOM / "S1000").iterdir())] + [paths[str(ds.SOPInstanceUID)] for ds in axial]
    return localizer + axial, [p.read_bytes() for p in files]


def _dciodvfy(data: bytes, folder: Path, name: str) -> set[str]:
    found = validators.dciodvfy(data, folder, name)
    lines = found.output.splitlines()
    assert {"CTImage", "KeyObjectSelectionDocument"} & set(lines), lines[-5:]  # it recognised the IOD
    # Errors without the quoted values (they differ where a value was corrected).
    return {line.split(" = <")[0] for line in found.errors}


def test_proposed_changes_list_old_values_and_instances(shared_data: Path) -> None:
    headers, _ = _study(shared_data)
    changes = propose_corrections(headers, {**NEW, "PatientSex": str(headers[0].PatientSex)})
    by_keyword = {c.keyword: c for c in changes}
    assert set(by_keyword) == set(NEW)  # an unchanged value proposes nothing
    for keyword, change in by_keyword.items():
        assert change.old == str(headers[0].get(keyword, "")) and change.new == NEW[keyword]
        assert set(change.instances) == {str(ds.SOPInstanceUID) for ds in headers}
    with pytest.raises(CorrectionError, match="not a patient or study attribute"):
        propose_corrections(headers, {"SliceThickness": "3"})
    with pytest.raises(CorrectionError, match="PatientBirthDate is not a valid DA") as info:
        propose_corrections(headers, {"PatientBirthDate": "19991340"})
    assert "19991340" not in str(info.value)  # values never quoted in errors
    with pytest.raises(CorrectionError, match="M, F, O"):
        propose_corrections(headers, {"PatientSex": "X"})


def test_copies_have_new_uids_and_references_follow(shared_data: Path) -> None:
    headers, data = _study(shared_data)
    before = [hashlib.sha256(d).hexdigest() for d in data]
    corrected = apply_corrections(data, propose_corrections(headers, NEW))
    assert [hashlib.sha256(d).hexdigest() for d in data] == before  # originals untouched

    old_uids = {kw: {str(ds[kw].value) for ds in headers} for kw in ("StudyInstanceUID", "SeriesInstanceUID", "SOPInstanceUID")}
    assert len(corrected.uid_map) == sum(len(v) for v in old_uids.values()) == 1 + 2 + 4
    assert len(set(corrected.uid_map.values())) == len(corrected.uid_map)  # one new UID per old one
    copies = [pydicom.dcmread(io.BytesIO(d)) for d in corrected.instances]
    originals = [pydicom.dcmread(io.BytesIO(d)) for d in data]
    localizer_new = corrected.uid_map[str(originals[0].SOPInstanceUID)]
    for old, new in zip(originals, copies, strict=True):
        for keyword in ("StudyInstanceUID", "SeriesInstanceUID", "SOPInstanceUID"):
            assert new[keyword].value == corrected.uid_map[str(old[keyword].value)] != old[keyword].value
        assert new.file_meta.MediaStorageSOPInstanceUID == new.SOPInstanceUID
        for keyword, value in NEW.items():
            assert str(new[keyword].value) == value
        assert new.PixelData == old.PixelData and new.PatientBirthDate == old.PatientBirthDate
        assert new.FrameOfReferenceUID == old.FrameOfReferenceUID  # same acquisition geometry
        if "ReferencedImageSequence" in old:  # the axial slices point at the re-UIDed localizer
            assert new.ReferencedImageSequence[0].ReferencedSOPInstanceUID == localizer_new
        # The performed procedure step is not an object we copied: its reference is kept.
        pps_old = old.ReferencedPerformedProcedureStepSequence[0].ReferencedSOPInstanceUID
        assert new.ReferencedPerformedProcedureStepSequence[0].ReferencedSOPInstanceUID == pps_old
    assert [str(ds.SOPInstanceUID) for ds in corrected.replaced] == [str(ds.SOPInstanceUID) for ds in originals]

    note = corrected.rejection_note()
    assert rejection_reason(note) is RejectionReason.INCORRECT_WORKLIST_ENTRY is CORRECTION_REASON
    assert rejected_instances([note]) == {str(ds.SOPInstanceUID) for ds in headers}
    assert note.StudyInstanceUID == headers[0].StudyInstanceUID  # the note belongs to the old study

    # A rejection note already in the study is not copied (its copy would reject the corrected images).
    again = apply_corrections([*data, pydicom_bytes(note)], corrected.changes)
    assert again.skipped == [str(note.SOPInstanceUID)] and len(again.instances) == len(data)
    with pytest.raises(CorrectionError, match="nothing to correct"):
        apply_corrections(data, [])


def pydicom_bytes(ds: Dataset) -> bytes:
    buffer = io.BytesIO()
    ds.save_as(buffer, enforce_file_format=True)
    return buffer.getvalue()


def test_no_new_dciodvfy_errors(shared_data: Path, tmp_path: Path) -> None:
    headers, data = _study(shared_data)
    corrected = apply_corrections(data, propose_corrections(headers, NEW))
    for index, (old, new) in enumerate(zip(data, corrected.instances, strict=True)):
        assert _dciodvfy(new, tmp_path, f"new{index}.dcm") <= _dciodvfy(old, tmp_path, f"old{index}.dcm")
    assert _dciodvfy(pydicom_bytes(corrected.rejection_note()), tmp_path, "note.dcm") == set()
    validators.assert_valid_sr(pydicom_bytes(corrected.rejection_note()), tmp_path, dciodvfy_warnings={"Retired Person Name form": 1})


def test_correction_round_trip_through_orthanc(
    shared_data: Path, orthanc: orthanc_mod.OrthancServer, tmp_path: Path
) -> None:
    headers, data = _study(shared_data)
    for d in data:
        orthanc.upload(d)
    old_study = str(headers[0].StudyInstanceUID)
    corrected = apply_corrections(data, propose_corrections(headers, NEW))
    (new_study,) = corrected.new_study_uids
    audit = AuditLog(tmp_path / "audit.jsonl")

    profile = ArchiveProfile(name="qc-test", url=orthanc.dicomweb_url, username=orthanc.user)
    store_secret(profile, orthanc.password)
    with DicomWebClient(profile, retries=1, backoff_s=0.01) as client:
        copies, note_result = send_correction(client, corrected, audit=audit)
        assert copies.ok and len(copies.stored) == len(data) and note_result.ok

        found = client.search_studies(StudyQuery(patient_id=NEW["PatientID"]))
        assert [s.study_uid for s in found] == [new_study]
        assert found[0].patient_name == NEW["PatientName"] and found[0].accession_number == NEW["AccessionNumber"]
        assert client.search_studies(StudyQuery(accession_number=NEW["AccessionNumber"]))[0].study_uid == new_study

        # The old study now holds its images and one rejection note listing all of them.
        old_headers: list[Dataset] = []
        for series in client.search_series(old_study):
            old_headers.extend(client.series_metadata(old_study, series.series_uid))
        assert sum(1 for ds in old_headers if rejection_reason(ds) is CORRECTION_REASON) == 1
        visible, rejected = visible_headers(old_headers)
        assert rejected == {str(ds.SOPInstanceUID) for ds in headers}
        assert visible == []
        new_headers: list[Dataset] = []
        for series in client.search_series(new_study):
            new_headers.extend(client.series_metadata(new_study, series.series_uid))
        assert len(visible_headers(new_headers)[0]) == len(data)

    (entry,) = audit.read(old_study)
    assert entry.action == "corrected" and entry.reason == "113038"
    assert set(entry.instance_uids) == {str(ds.SOPInstanceUID) for ds in headers}
    assert entry.detail["attributes"] == sorted(NEW) and entry.detail["new_study_uid"] == new_study
    text = audit.path.read_text()
    for value in (*NEW.values(), str(headers[0].PatientName), str(headers[0].PatientID)):
        assert value not in text


def test_rejection_not_sent_when_copies_fail(
    shared_data: Path, orthanc: orthanc_mod.OrthancServer, tmp_path: Path
) -> None:
    headers, data = _study(shared_data)
    for d in data:
        orthanc.upload(d)
    corrected = apply_corrections(data, propose_corrections(headers, NEW))
    corrected.instances[1] = corrected.instances[1][:600]  # a copy the archive cannot take
    profile = ArchiveProfile(name="qc-test", url=orthanc.dicomweb_url, username=orthanc.user)
    store_secret(profile, orthanc.password)
    with DicomWebClient(profile, retries=1, backoff_s=0.01) as client:
        with pytest.raises(CorrectionError, match="originals were not rejected"):
            send_correction(client, corrected, audit=AuditLog(tmp_path / "a.jsonl"))
        old_study = str(headers[0].StudyInstanceUID)
        series = client.search_series(old_study)
        assert len(series) == 2 and all(s.modality == "CT" for s in series)  # no rejection note
    assert AuditLog(tmp_path / "a.jsonl").read() == []
