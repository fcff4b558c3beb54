"""app.open_study: a study's headers read one way, from a real Orthanc and a real library."""

from __future__ import annotations

from io import BytesIO
from pathlib import Path

import pydicom
import pytest
from pydicom.dataset import Dataset
from pydicom.uid import generate_uid

from tests import orthanc as orthanc_mod
from workstation import demo
from workstation.app.open_study import (
    NoImagesError,
    open_study,
    series_headers,
    study_headers,
)
from workstation.audit import AuditAction, audit_log_for
from workstation.model.entities import ARCHIVE, LIBRARY, StudySummary
from workstation.net.auth import store_secret
from workstation.net.dicomweb import DicomWebClient
from workstation.qc.rejection import build_rejection_note
from workstation.settings import ArchiveProfile, Settings
from workstation.store.library import Library


def _bytes(ds: Dataset) -> bytes:
    buffer = BytesIO()
    ds.save_as(buffer, enforce_file_format=True)
    return buffer.getvalue()


def _study() -> list[Dataset]:
    """Two series of three images each (the second a copy with new UIDs), and one French name."""
    first = [pydicom.dcmread(BytesIO(b)) for b in demo.phantom_series(shape=(3, 16, 16), spacing=(2.0, 0.5, 0.5))]
    second = []
    series_uid = generate_uid()
    for ds in first:
        copy = pydicom.dcmread(BytesIO(_bytes(ds)))
        copy.SeriesInstanceUID, copy.SOPInstanceUID = series_uid, generate_uid()
        copy.file_meta.MediaStorageSOPInstanceUID = copy.SOPInstanceUID
        copy.SeriesNumber = 2
        second.append(copy)
    for ds in (*first, *second):
        ds.SpecificCharacterSet = "ISO_IR 192"
        ds.PatientName = "Lefèvre^Hélène"
    return [*first, *second]


def _summary(images: list[Dataset], origins: frozenset[str]) -> StudySummary:
    return StudySummary(study_uid=str(images[0].StudyInstanceUID), patient_id=str(images[0].PatientID),
                        origins=origins)


def test_opening_from_the_archive_hides_rejected_images_audits_and_reports_progress(
        orthanc: orthanc_mod.OrthancServer, tmp_path: Path) -> None:
    images = _study()
    note = build_rejection_note([images[4]])
    for ds in (*images, note):
        orthanc.upload(_bytes(ds))
    settings = Settings()
    study = _summary(images, frozenset({ARCHIVE}))
    profile = ArchiveProfile(name="open-study", url=orthanc.dicomweb_url, username=orthanc.user)
    store_secret(profile, orthanc.password)
    steps: list[tuple[int, int]] = []
    with DicomWebClient(profile) as client, Library(tmp_path / "lib") as library:
        opened = open_study(study, settings=settings, library=library, archive=client,
                            progress=lambda done, total: steps.append((done, total)))
    shown = {str(h.SOPInstanceUID) for h in opened.headers}
    assert opened.hidden == 1
    assert shown == {str(ds.SOPInstanceUID) for ds in images} - {str(images[4].SOPInstanceUID)}
    assert steps == [(1, 3), (2, 3), (3, 3)]  # two image series and the rejection note's
    assert sorted(len(d.sop_instance_uids) for d in opened.display_sets) == [2, 3]
    assert str(opened.headers[0].PatientName) == "Lefèvre^Hélène"
    opened_records = [e for e in audit_log_for(settings).read(study.study_uid)
                      if e.action == AuditAction.STUDY_OPENED.value]
    assert len(opened_records) == 1 and opened_records[0].patient_id == study.patient_id


def test_opening_from_the_library_uses_its_display_sets_and_a_missing_study_is_a_sentence(tmp_path: Path) -> None:
    images = _study()
    settings = Settings()
    with Library(tmp_path / "lib") as library:
        for ds in images:
            assert library.add_bytes(_bytes(ds))
        study = _summary(images, frozenset({LIBRARY}))
        opened = open_study(study, settings=settings, library=library, archive=None)
        assert opened.hidden == 0 and len(opened.headers) == 6
        assert [d.series_uid for d in opened.display_sets] == [
            d.series_uid for d in library.display_sets(study.study_uid, opened.headers)]
        with pytest.raises(NoImagesError, match="no images in the local library"):
            open_study(StudySummary(study_uid=generate_uid(), origins=frozenset({LIBRARY})),
                       settings=settings, library=library, archive=None)


def test_a_prior_is_read_from_the_archive_or_the_library_and_only_the_planned_series(
        orthanc: orthanc_mod.OrthancServer, tmp_path: Path) -> None:
    images = _study()
    wanted = str(images[3].SeriesInstanceUID)
    for ds in images:
        orthanc.upload(_bytes(ds))
    profile = ArchiveProfile(name="open-study", url=orthanc.dicomweb_url, username=orthanc.user)
    store_secret(profile, orthanc.password)
    with DicomWebClient(profile) as client, Library(tmp_path / "lib") as library:
        from_archive = study_headers(_summary(images, frozenset({ARCHIVE})), archive=client, library=library,
                                     series_uids=[wanted])
        assert {str(h.SeriesInstanceUID) for h in from_archive} == {wanted} and len(from_archive) == 3
        everything = series_headers(client, str(images[0].StudyInstanceUID), requests=1)
        assert len(everything) == 6
        for ds in images:
            library.add_bytes(_bytes(ds))
        in_library = _summary(images, frozenset({LIBRARY, ARCHIVE}))
        from_library = study_headers(in_library, archive=None, library=library, series_uids=[wanted])
        assert {str(h.SeriesInstanceUID) for h in from_library} == {wanted} and len(from_library) == 3
