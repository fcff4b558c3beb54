"""Real data: the phantom CT study, the sagittal MR, real MG views, priors served by Orthanc, the CLI."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pydicom
import pytest
from pydicom.uid import generate_uid

from tests.hanging.headers import Study, to_bytes
from workstation.hanging.cli import cmd_hang
from workstation.hanging.engine import match
from workstation.hanging.facts import study_from_headers
from workstation.hanging.priors import find_priors
from workstation.model.entities import StudySummary
from workstation.net.auth import store_secret
from workstation.net.dicomweb import DicomWebClient
from workstation.settings import ArchiveProfile, Settings, save_settings
from workstation.sources import open_library


def _headers(folder: Path) -> list[pydicom.Dataset]:
    files = [p for p in folder.rglob("*") if p.is_file() and p.suffix not in (".txt", ".md", ".tsv") and p.name != "LICENSE"]
    return [pydicom.dcmread(p, stop_before_pixels=True) for p in files]


def test_phantom_ct_study_hangs_as_ct_head(shipped, shared_data):
    facts = study_from_headers(_headers(shared_data / "ct_head_phantom_philips"))
    result = match(facts.summary, facts.display_sets, [], shipped)
    assert result.protocol.id == "ct-head" and result.stage.name == "Brain and bone"
    brain, bone = result.viewports
    assert brain.display_set_label == "CT 201 STD BRAIN 5MM"
    assert bone.display_set_label == "CT 202 STD BRAIN 1MM, iDose"  # the 1 mm reconstruction takes the bone window
    mpr = result.chosen.stages[2]
    assert mpr.enabled and {v.display_set_label for v in mpr.viewports} == {"CT 202 STD BRAIN 1MM, iDose"}
    labels = {v.display_set_label for s in result.chosen.stages for v in s.viewports}
    assert not any("Exam Summary" in label for label in labels)  # the dose screens never hang


def test_sagittal_mr_hangs_as_mr_brain(shipped, shared_data):
    facts = study_from_headers(_headers(shared_data / "mr_brain_sag_fnndsc"))
    t1 = facts.display_sets[0]
    assert t1.get("Orientation") == "sagittal" and t1.get("Oblique") is True and t1.get("IsVolume") is True
    result = match(facts.summary, facts.display_sets, [], shipped)
    assert result.protocol.id == "mr-brain"
    assert result.viewports[0].display_set_label == "MR 5 SAG MPRAGE 220 FOV"
    assert sum(v.filled for v in result.viewports) == 1
    assert result.chosen.stages[3].enabled  # the 3D T1 feeds the MPR stage


def test_real_mammograms_regrouped_into_one_exam(shipped, shared_data):
    study_uid = generate_uid()
    headers = []
    for name in ("GH133.dcm", "OutOfBoundsOverlay.dcm"):  # a right MLO and a left CC from two exams
        ds = pydicom.dcmread(shared_data / "fo_dicom_selected" / name, stop_before_pixels=True)
        ds.StudyInstanceUID = study_uid
        ds.PatientID = "MG1"
        headers.append(ds)
    facts = study_from_headers(headers)
    result = match(facts.summary, facts.display_sets, [], shipped)
    assert result.protocol.id == "mg-screening"
    filled = {v.viewport.label: v.filled for v in result.viewports}
    assert filled == {"RCC": False, "LCC": True, "RMLO": True, "LMLO": False}


def _prior_pair(shared_data: Path) -> list[Path]:
    return sorted((shared_data / "prior_pairs" / "orthanc_PatientWith2studies").glob("*.dcm"))


@pytest.mark.archive
def test_find_priors_through_orthanc(orthanc, shared_data):
    for path in _prior_pair(shared_data) + sorted((shared_data / "prior_pairs" / "covid19_ny_sbu_axial" / "A002304").glob("*.dcm")):
        orthanc.upload(path.read_bytes())
    profile = ArchiveProfile(name="hang-test", url=orthanc.dicomweb_url, username=orthanc.user)
    store_secret(profile, orthanc.password)
    newer = pydicom.dcmread(_prior_pair(shared_data)[1], stop_before_pixels=True)
    older = pydicom.dcmread(_prior_pair(shared_data)[0], stop_before_pixels=True)
    if str(newer.StudyDate) < str(older.StudyDate):
        newer, older = older, newer
    current = StudySummary.from_dataset(newer, "archive")
    with DicomWebClient(profile, retries=1, backoff_s=0.01) as client:
        ranked = find_priors(client, current)
    assert [r.study.study_uid for r in ranked] == [str(older.StudyInstanceUID)]
    assert ranked[0].label == "prior 2010-06-30, 4 y 6 m earlier" and ranked[0].confirmed


def _cli(study_uid: str, archive: str | None = None) -> argparse.Namespace:
    return argparse.Namespace(study_uid=study_uid, json=True, archive=archive)


def test_cmd_hang_from_the_library(capsys):
    current = Study("CT HEAD", "20180301", patient_id="CLI1")
    current.slices("CT", "Brain 5mm", 6, thickness=5.0)
    prior = Study("CT HEAD", "20150101", patient_id="CLI1")
    prior.slices("CT", "Brain 5mm", 6, thickness=5.0)
    settings = Settings()
    library = open_library(settings)
    for ds in current.headers + prior.headers:
        library.add_bytes(to_bytes(ds))
    library.close()
    assert cmd_hang(_cli(current.uid), settings) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["origin"] == "library" and out["protocol"]["id"] == "ct-head" and out["stage"] == 0
    assert out["priors"][0]["study_uid"] == prior.uid and out["priors"][0]["label"] == "prior 2015-01-01, 3 y 2 m earlier"
    prior_vp = out["stages"][0]["viewports"][2]
    assert prior_vp["study_uid"] == prior.uid and prior_vp["display_set_uid"].startswith(prior.headers[0].SeriesInstanceUID)
    assert out["prefetch"]["items"][0]["study_uid"] == prior.uid
    assert "CLI1" not in json.dumps(out) and "TEST^HANGING" not in json.dumps(out)
    args = _cli(current.uid)
    args.json = False
    assert cmd_hang(args, settings) == 0
    text = capsys.readouterr().out
    assert "Protocol: CT head [ct-head, shipped]" in text and "prior 2015-01-01, 3 y 2 m earlier" in text


@pytest.mark.archive
def test_cmd_hang_from_the_archive(orthanc, shared_data, capsys):
    for path in _prior_pair(shared_data):
        orthanc.upload(path.read_bytes())
    settings = Settings(archives=[ArchiveProfile(name="pacs", url=orthanc.dicomweb_url, username=orthanc.user)],
                        default_archive="pacs")
    store_secret(settings.archives[0], orthanc.password)
    save_settings(settings)
    newest = max((pydicom.dcmread(p, stop_before_pixels=True) for p in _prior_pair(shared_data)), key=lambda d: str(d.StudyDate))
    assert cmd_hang(_cli(str(newest.StudyInstanceUID)), settings) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["origin"] == "archive"
    assert [p["label"] for p in out["priors"]] == ["prior 2010-06-30, 4 y 6 m earlier"]
    assert out["protocol"]["id"] == "ct-chest"  # the sagittal slices are labelled CHEST
    assert out["studies"][1] == "prior 2010-06-30, 4 y 6 m earlier"
