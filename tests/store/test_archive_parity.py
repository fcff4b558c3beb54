"""The library answers like the archive: a study pulled from a real Orthanc (DICOMweb) is found
by the same searches, with the same worklist fields, and its instances come back byte for byte.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from pydicom.uid import generate_uid

from tests import orthanc as orthanc_mod
from tests.store.helpers import instance_bytes, read
from workstation.model.query import StudyQuery
from workstation.net.auth import store_secret
from workstation.net.dicomweb import DicomWebClient
from workstation.net.transfer import pull_study
from workstation.settings import ArchiveProfile
from workstation.store.library import Library

pytestmark = pytest.mark.archive


def test_pulled_study_matches_the_archive(
    orthanc: orthanc_mod.OrthancServer, tmp_path: Path
) -> None:
    study = generate_uid()
    ct, mr = generate_uid(), generate_uid()
    sent: dict[str, bytes] = {}
    common = {
        "study_uid": study,
        "patient_name": "PARITY^ANNA",
        "patient_id": "PAR-1",
        "study_date": "20240115",
        "accession": "ACC9",
        "description": "HEAD",
    }
    for i in range(3):
        data = instance_bytes(series_uid=ct, instance_number=i, modality="CT", **common)
        sent[read(data).SOPInstanceUID] = data
    for i in range(2):
        data = instance_bytes(
            template="MR_small.dcm", series_uid=mr, instance_number=i, modality="MR", **common
        )
        sent[read(data).SOPInstanceUID] = data
    other = instance_bytes(patient_name="OTHER^BOB", patient_id="PAR-2", study_date="20230101")
    for data in [*sent.values(), other]:
        orthanc.upload(data)

    profile = ArchiveProfile(name="parity", url=orthanc.dicomweb_url, username=orthanc.user)
    store_secret(profile, orthanc.password)
    with (
        DicomWebClient(profile, retries=1, backoff_s=0.01) as archive,
        Library(tmp_path / "lib") as library,
    ):
        report = pull_study(archive, library, study)
        assert report.complete, report.summary()
        assert library.study_complete(study)
        assert library.series_complete(study, ct) and library.series_complete(study, mr)

        for query in (
            StudyQuery(patient_name="parity"),
            StudyQuery(patient_id="PAR-1"),
            StudyQuery(modality="MR"),
            StudyQuery(study_date_from=dt.date(2024, 1, 1), study_date_to=dt.date(2024, 1, 31)),
            StudyQuery(accession_number="ACC9"),
        ):
            (remote,) = archive.search_studies(query)
            (local,) = library.search_studies(query)
            for name in (
                "study_uid",
                "patient_name",
                "patient_id",
                "study_date",
                "accession_number",
                "study_description",
                "modalities",
                "number_of_series",
                "number_of_instances",
            ):
                assert getattr(local, name) == getattr(remote, name), (query, name)

        remote_series = {s.series_uid: s for s in archive.search_series(study)}
        for s in library.search_series(study):
            assert s.modality == remote_series[s.series_uid].modality
            assert s.number_of_instances == remote_series[s.series_uid].number_of_instances
        for series in (ct, mr):
            got = list(library.iter_instances(study, series))
            assert {read(b).SOPInstanceUID: b for b in got} == {
                u: sent[u] for u in sent if read(sent[u]).SeriesInstanceUID == series
            }
        # Pulling again fetches nothing: everything is here and recorded complete.
        again = pull_study(archive, library, study)
        assert again.complete and again.instances_fetched == 0
