"""SR section headings (PS3.16 CID 7001): written with the current LOINC codes, read back from
ours and from SRs that use the DCM codes of earlier editions (121060-121078)."""

from __future__ import annotations

import copy
import shutil
from pathlib import Path

import pydicom
import pytest
from pydicom.data import get_testdata_file
from pydicom.dataset import Dataset

from tests.report.conftest import assert_valid_report_sr
from workstation.errors import ReportError
from workstation.model.entities import LIBRARY, StudySummary
from workstation.report.dicom_objects import build_report_sr, to_bytes
from workstation.report.sr_sections import READ_HEADINGS, WRITTEN_HEADINGS, read_report_sections
from workstation.report.templates import fill_report, load_templates

#: The DCM code each LOINC heading had before CID 7001 moved to LOINC (PS3.16 DCM Annex D).
LEGACY = {"55752-0": "121060", "55111-9": "121064", "55114-3": "121066", "59776-5": "121070",
          "19005-8": "121072", "18783-1": "121074", "55107-7": "121078"}
MEANINGS = {"121060": "History", "121064": "Current Procedure Descriptions", "121066": "Prior Procedure Descriptions",
            "121070": "Findings", "121072": "Impressions", "121074": "Recommendations", "121078": "Addendum"}


def _report_sr() -> tuple[Dataset, dict[str, str]]:
    ct = pydicom.dcmread(get_testdata_file("CT_small.dcm"))
    template = load_templates().get("generic")
    texts = {
        "clinical_information": "Headache for three days.",
        "technique": "Axial CT of the head without contrast.",
        "findings": "No haemorrhage.\n\nVentricles normal in size.",
        "impression": "No acute intracranial abnormality.",
        "recommendations": "None.",
    }
    report = fill_report(template, StudySummary.from_dataset(ct, LIBRARY), author="Dr Bob")
    for name, text in texts.items():
        report = report.with_section(name, text)
    texts["comparison"] = report.section("comparison")  # the template's "no prior" line
    assert texts["comparison"].strip()
    return build_report_sr(report.made_preliminary("Dr Bob"), template=template), texts


def _sections(ds: Dataset) -> list[Dataset]:
    return [item for item in ds.ContentSequence if item.ValueType == "CONTAINER"]


@pytest.mark.skipif(shutil.which("dciodvfy") is None, reason="dciodvfy (dicom3tools) is not installed")
def test_written_with_loinc_and_read_back(tmp_path: Path) -> None:
    sr, texts = _report_sr()
    path = tmp_path / "sr.dcm"
    path.write_bytes(to_bytes(sr))
    assert_valid_report_sr(path, tmp_path)
    written = [(s.ConceptNameCodeSequence[0].CodingSchemeDesignator, s.ConceptNameCodeSequence[0].CodeValue)
               for s in _sections(sr)]
    assert written == [("LN", "55752-0"), ("LN", "55111-9"), ("LN", "55114-3"), ("LN", "59776-5"), ("LN", "19005-8"), ("LN", "18783-1")]
    assert {(c.scheme_designator, c.value) for c in WRITTEN_HEADINGS.values()} <= set(READ_HEADINGS)
    back = read_report_sections(path)
    assert back.title == "Diagnostic Imaging Report"  # the CID 7000 meaning
    assert back.sections["findings"] == ["No haemorrhage.", "Ventricles normal in size."]
    for name, text in texts.items():
        assert back.text(name) == text
    assert back.other == []


def test_older_dcm_headings_read_the_same(tmp_path: Path) -> None:
    sr, texts = _report_sr()
    old = copy.deepcopy(sr)
    for section in _sections(old):
        code = section.ConceptNameCodeSequence[0]
        dcm = LEGACY[code.CodeValue]
        code.CodeValue, code.CodingSchemeDesignator, code.CodeMeaning = dcm, "DCM", MEANINGS[dcm]
    assert {s.ConceptNameCodeSequence[0].CodingSchemeDesignator for s in _sections(old)} == {"DCM"}
    assert read_report_sections(to_bytes(old)).sections == read_report_sections(sr).sections
    assert read_report_sections(old).text("impression") == texts["impression"]

    # a heading we have no section for (LN 55110-1 Conclusions) is kept under its own name
    conclusions = _sections(old)[-1]
    conclusions.ConceptNameCodeSequence[0].CodeValue = "55110-1"
    conclusions.ConceptNameCodeSequence[0].CodingSchemeDesignator = "LN"
    conclusions.ConceptNameCodeSequence[0].CodeMeaning = "Conclusions"
    back = read_report_sections(old)
    assert "recommendations" not in back.sections
    assert back.other == [("Conclusions", ["None."])]


def test_not_an_sr(tmp_path: Path) -> None:
    with pytest.raises(ReportError, match="CT_small.dcm is not a DICOM structured report"):
        read_report_sections(Path(get_testdata_file("CT_small.dcm")))
    junk = tmp_path / "notes.dcm"
    junk.write_bytes(b"hello")
    with pytest.raises(ReportError, match="notes.dcm is not a readable DICOM file"):
        read_report_sections(junk)
