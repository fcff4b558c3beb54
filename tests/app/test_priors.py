"""app.priors: one search for priors over the archives and the library (real Orthanc, real library)."""

from __future__ import annotations

import uuid
from pathlib import Path

from tests import orthanc as orthanc_mod
from tests.hanging.headers import Study, to_bytes
from workstation.app.priors import comparison_rows, prior_sources, search_priors
from workstation.model.query import StudyQuery
from workstation.net.auth import store_secret
from workstation.net.dicomweb import DicomWebClient
from workstation.settings import ArchiveProfile
from workstation.store.library import Library


def test_priors_from_archive_and_library_merged_ranked_and_a_dead_archive_named(
        orthanc: orthanc_mod.OrthancServer, tmp_path: Path) -> None:
    patient = f"PRI-{uuid.uuid4().hex[:8]}"
    current = Study("CT HEAD", "20180301", patient_id=patient)
    current.slices("CT", "Brain", 2)
    in_archive = Study("CT HEAD", "20120405", patient_id=patient)  # only in the archive
    in_archive.slices("CT", "Brain", 2)
    in_both = Study("IRM cérébrale", "20150101", patient_id=patient)  # in both: counted once
    in_both.slices("MR", "T2", 2)
    later = Study("CT HEAD", "20190101", patient_id=patient)  # not a comparison
    later.slices("CT", "Brain", 2)
    for study in (current, in_archive, in_both, later):
        for ds in study.headers:
            orthanc.upload(to_bytes(ds))
    profile = ArchiveProfile(name="priors", url=orthanc.dicomweb_url, username=orthanc.user)
    store_secret(profile, orthanc.password)
    dead = ArchiveProfile(name="dead", url="http://127.0.0.1:9/dicom-web")
    with DicomWebClient(profile) as client, DicomWebClient(dead) as gone, Library(tmp_path / "lib") as library:
        for ds in (*current.headers, *in_both.headers):
            assert library.add_bytes(to_bytes(ds)).stored
        me = next(s for s in library.search_studies(StudyQuery(patient_id=patient)) if s.study_uid == current.uid)
        assert prior_sources(library, gone, client) == [client, library]  # every archive wins
        found = search_priors(me, prior_sources(library, client), current_regions=["HEAD"])
        assert found.problems == []
        assert [p.study.study_uid for p in found.ranked] == [in_archive.uid, in_both.uid, later.uid]
        assert [p.earlier for p in found.ranked] == [True, True, False]
        rows = comparison_rows(found.ranked)
        assert rows == [("20120405", "CT", "CT HEAD"), ("20150101", "MR", "IRM cérébrale")]
        broken = search_priors(me, [gone, library])
        assert len(broken.problems) == 1 and [p.study.study_uid for p in broken.ranked] == [in_both.uid]
