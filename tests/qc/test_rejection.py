"""IOCM rejection notes: built from real headers, validated by dciodvfy, round trip through Orthanc."""

from __future__ import annotations

from pathlib import Path

import pydicom
import pytest
from pydicom.dataset import Dataset

from tests import orthanc as orthanc_mod
from tests import validators
from tests.qc.helpers import PHANTOM, read_headers
from workstation.net.auth import store_secret
from workstation.net.dicomweb import DicomWebClient
from workstation.qc.rejection import (
    RejectionError,
    RejectionReason,
    build_rejection_note,
    note_bytes,
    rejected_instances,
    rejection_reason,
    send_rejection,
)
from workstation.settings import ArchiveProfile

KOS = "1.2.840.10008.5.1.4.1.1.88.59"


def _series_2010(shared_data: Path) -> tuple[list[Dataset], dict[str, Path]]:
    return read_headers(shared_data / PHANTOM / "S2010")


def dciodvfy_errors(path: Path) -> list[str]:
    found = validators.dciodvfy(path, path.parent)
    assert "KeyObjectSelectionDocument" in found.output, found.output  # it recognised the IOD
    return list(found.errors)


@pytest.mark.parametrize("reason", list(RejectionReason))
def test_note_is_a_valid_key_object_selection(shared_data: Path, tmp_path: Path, reason: RejectionReason) -> None:
    headers, _ = _series_2010(shared_data)
    rejected = headers[:3]
    note = build_rejection_note(rejected, reason)
    path = tmp_path / "note.dcm"
    path.write_bytes(note_bytes(note))
    assert dciodvfy_errors(path) == []
    validators.assert_valid_sr(path, tmp_path, dciodvfy_warnings={"Retired Person Name form": 1})

    back = pydicom.dcmread(path)
    assert back.SOPClassUID == KOS and back.Modality == "KO"
    name = back.ConceptNameCodeSequence[0]
    assert (name.CodeValue, name.CodingSchemeDesignator, name.CodeMeaning) == (reason.code_value, "DCM", reason.meaning)
    assert back.StudyInstanceUID == headers[0].StudyInstanceUID and back.PatientID == headers[0].PatientID
    assert back.SeriesInstanceUID not in {ds.SeriesInstanceUID for ds in headers}
    assert back.SOPInstanceUID not in {ds.SOPInstanceUID for ds in headers}
    evidence = back.CurrentRequestedProcedureEvidenceSequence[0]
    assert evidence.StudyInstanceUID == headers[0].StudyInstanceUID
    listed = {s.ReferencedSOPInstanceUID for series in evidence.ReferencedSeriesSequence for s in series.ReferencedSOPSequence}
    assert listed == {ds.SOPInstanceUID for ds in rejected}
    assert rejection_reason(back) is reason
    assert rejected_instances([back]) == listed


def test_note_lists_images_as_tid_2010_wants(shared_data: Path, tmp_path: Path) -> None:
    """Unnamed IMAGE items (TID 2010 rows 8-10): PixelMed, dsrdump and dciodvfy count no warning
    (dciodvfy's one is the phantom's own "HEAD" name, in the retired single-component PN form)."""
    headers, _ = _series_2010(shared_data)
    note = build_rejection_note(headers[:3], RejectionReason.QUALITY, description="Bougé – Bewegung – ruch 動き")
    references = [item for item in note.ContentSequence if item.ValueType != "TEXT"]
    assert [item.ValueType for item in references] == ["IMAGE"] * 3
    assert not any("ConceptNameCodeSequence" in item for item in references)
    validators.assert_valid_sr(note, tmp_path, dciodvfy_warnings={"Retired Person Name form": 1})
    dump = validators.dsrdump(note, tmp_path)
    assert "Bougé – Bewegung – ruch 動き" in dump.output and dump.output.count("<contains IMAGE:") == 3


def test_reasons_and_refusals(shared_data: Path) -> None:
    headers, _ = _series_2010(shared_data)
    assert rejection_reason(build_rejection_note(headers[:1], "113038")) is RejectionReason.INCORRECT_WORKLIST_ENTRY
    with pytest.raises(RejectionError, match="not a rejection reason"):
        build_rejection_note(headers[:1], "Rejected because I said so")
    with pytest.raises(RejectionError, match="No images"):
        build_rejection_note([], RejectionReason.QUALITY)
    other = pydicom.dcmread(next((shared_data / "ct_head_human_ge_tilt").glob("*.dcm")), stop_before_pixels=True)
    with pytest.raises(RejectionError, match="2 studies"):
        build_rejection_note([headers[0], other], RejectionReason.QUALITY)
    # A key object selection that is not a rejection (a teaching-file selection) rejects nothing.
    note = build_rejection_note(headers[:2], RejectionReason.QUALITY)
    note.ConceptNameCodeSequence[0].CodeValue = "113000"  # "Of Interest" (CID 7010)
    note.ConceptNameCodeSequence[0].CodeMeaning = "Of Interest"
    assert rejected_instances([note]) == set() and rejection_reason(note) is None
    assert rejected_instances(headers) == set()


def test_round_trip_through_orthanc(shared_data: Path, orthanc: orthanc_mod.OrthancServer) -> None:
    headers, paths = _series_2010(shared_data)
    chosen = sorted(headers, key=lambda ds: int(ds.InstanceNumber))[:4]
    for ds in chosen:
        orthanc.upload(paths[str(ds.SOPInstanceUID)].read_bytes())
    rejected = chosen[1:3]
    note = build_rejection_note(rejected, RejectionReason.QUALITY)

    profile = ArchiveProfile(name="qc-test", url=orthanc.dicomweb_url, username=orthanc.user)
    store_secret(profile, orthanc.password)
    study_uid = str(headers[0].StudyInstanceUID)
    with DicomWebClient(profile, retries=1, backoff_s=0.01) as client:
        result = send_rejection(client, note)
        assert result.ok and result.stored == (str(note.SOPInstanceUID),)
        series = client.search_series(study_uid)
        ko = [s for s in series if s.modality == "KO"]
        assert len(series) == 2 and len(ko) == 1 and ko[0].series_uid == note.SeriesInstanceUID
        metadata = client.series_metadata(study_uid, ko[0].series_uid)
        assert len(metadata) == 1
        hidden = rejected_instances(metadata)
        assert hidden == {str(ds.SOPInstanceUID) for ds in rejected}
        images = [s for s in series if s.modality == "CT"][0]
        offered = {i.sop_instance_uid for i in client.search_instances(study_uid, images.series_uid)} - hidden
        assert offered == {str(chosen[0].SOPInstanceUID), str(chosen[3].SOPInstanceUID)}
        stored = b"".join(client.iter_instances(study_uid, ko[0].series_uid))
    path = Path(orthanc.folder) / "note-back.dcm"
    path.write_bytes(stored)
    assert dciodvfy_errors(path) == []
    validators.assert_valid_sr(path, path.parent, dciodvfy_warnings={"Retired Person Name form": 1})
