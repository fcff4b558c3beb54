"""Rejected instances hidden from reading, greyed in QC: real phantom slices and real rejection notes."""

from __future__ import annotations

import copy
from pathlib import Path

from tests import orthanc as orthanc_mod
from tests.qc.helpers import PHANTOM, read_headers
from workstation.model.displayset import build_display_sets
from workstation.net.auth import store_secret
from workstation.net.dicomweb import DicomWebClient
from workstation.qc.audit import AuditLog
from workstation.qc.rejection import RejectionReason, build_rejection_note, send_rejection
from workstation.qc.visibility import rejection_map, rejection_notes, visible_headers
from workstation.settings import ArchiveProfile


def test_rejected_images_and_notes_are_left_out(shared_data: Path) -> None:
    headers, _ = read_headers(shared_data / PHANTOM / "S2010")
    ordered = sorted(headers, key=lambda ds: int(ds.InstanceNumber))
    quality = build_rejection_note(ordered[3:6], RejectionReason.QUALITY)
    safety = build_rejection_note(ordered[5:7], RejectionReason.PATIENT_SAFETY)
    key_images = copy.deepcopy(build_rejection_note(ordered[:2], RejectionReason.QUALITY))
    key_images.ConceptNameCodeSequence[0].CodeValue = "113000"  # "Of Interest" (CID 7010): not a rejection
    key_images.ConceptNameCodeSequence[0].CodeMeaning = "Of Interest"
    study = [*ordered, quality, safety, key_images]

    visible, rejected = visible_headers(study)
    expected = {str(ds.SOPInstanceUID) for ds in ordered[3:7]}
    assert rejected == expected
    kept = [str(ds.SOPInstanceUID) for ds in visible]
    assert kept == [str(ds.SOPInstanceUID) for ds in ordered if str(ds.SOPInstanceUID) not in expected] + [
        str(key_images.SOPInstanceUID)
    ]
    assert rejection_notes(study) == [quality, safety]

    reasons = rejection_map(study)
    assert set(reasons) == expected
    assert reasons[str(ordered[3].SOPInstanceUID)] is RejectionReason.QUALITY
    assert reasons[str(ordered[5].SOPInstanceUID)] is RejectionReason.QUALITY  # first note wins
    assert reasons[str(ordered[6].SOPInstanceUID)] is RejectionReason.PATIENT_SAFETY

    # The reading view builds its display sets from what is visible: the CT series loses 4 slices.
    image_sets = build_display_sets([ds for ds in visible if ds.Modality == "CT"])
    shown = {uid for d in image_sets for uid in d.sop_instance_uids}
    assert len(shown) == len(ordered) - 4 and not shown & expected


def test_nothing_rejected_without_notes(shared_data: Path) -> None:
    headers, _ = read_headers(shared_data / PHANTOM / "S2010")
    visible, rejected = visible_headers(headers)
    assert rejected == set() and len(visible) == len(headers)


def test_rejection_through_orthanc_is_audited_and_hidden(
    shared_data: Path, orthanc: orthanc_mod.OrthancServer, tmp_path: Path
) -> None:
    headers, paths = read_headers(shared_data / PHANTOM / "S2010")
    chosen = sorted(headers, key=lambda ds: int(ds.InstanceNumber))[:5]
    for ds in chosen:
        orthanc.upload(paths[str(ds.SOPInstanceUID)].read_bytes())
    note = build_rejection_note(chosen[:2], RejectionReason.QUALITY)
    audit = AuditLog(tmp_path / "audit.jsonl")
    profile = ArchiveProfile(name="qc-test", url=orthanc.dicomweb_url, username=orthanc.user)
    store_secret(profile, orthanc.password)
    study_uid = str(chosen[0].StudyInstanceUID)
    with DicomWebClient(profile, retries=1, backoff_s=0.01) as client:
        assert send_rejection(client, note, audit=audit).ok
        archived: list = []
        for series in client.search_series(study_uid):
            archived.extend(client.series_metadata(study_uid, series.series_uid))
    visible, rejected = visible_headers(archived)
    assert rejected == {str(ds.SOPInstanceUID) for ds in chosen[:2]}
    assert {str(ds.SOPInstanceUID) for ds in visible} == {str(ds.SOPInstanceUID) for ds in chosen[2:]}
    (entry,) = audit.read(study_uid)
    assert entry.action == "rejected" and entry.reason == "113001"
    assert set(entry.instance_uids) == rejected and entry.series_uids == (str(chosen[0].SeriesInstanceUID),)
    assert str(chosen[0].PatientName) not in audit.path.read_text()
