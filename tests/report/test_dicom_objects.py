"""TID 2000 SR and Encapsulated PDF: dciodvfy finds no errors; the SR reads back with our reader."""

from __future__ import annotations

import shutil
from pathlib import Path

import pydicom
import pytest
from pydicom.data import get_testdata_file

from tests.report.conftest import assert_valid_report_sr, dciodvfy_errors
from tests.report.pki import ThrowawayPKI
from workstation.errors import ReportError
from workstation.model.entities import LIBRARY, StudySummary
from workstation.model.pdf_document import read_pdf_document
from workstation.model.sr_document import BlockKind, read_sr_document
from workstation.report.dicom_objects import (
    build_encapsulated_pdf,
    build_report_sr,
    person_name,
    to_bytes,
    with_dicom_objects,
)
from workstation.report.model import KeyImage
from workstation.report.pdf import Letterhead, render_report_pdf
from workstation.report.signing import Pkcs12Credential, sign_report
from workstation.report.templates import fill_report, load_templates

pytestmark = pytest.mark.skipif(shutil.which("dciodvfy") is None, reason="dciodvfy (dicom3tools) is not installed")


@pytest.fixture
def ct() -> pydicom.Dataset:
    return pydicom.dcmread(get_testdata_file("CT_small.dcm"))


def _sections(sr_bytes: bytes) -> dict[str, list[str]]:
    doc = read_sr_document(sr_bytes)
    out: dict[str, list[str]] = {}
    current = ""
    for block in doc.blocks:
        if block.kind is BlockKind.HEADING and block.depth == 1:
            current = block.label
            out[current] = []
        elif block.depth == 2 and current:
            out[current].append(block.text)
    return out


def test_final_report_and_addendum_validate_and_read_back(
    tmp_path: Path, ct: pydicom.Dataset, credential: Pkcs12Credential, pki: ThrowawayPKI
) -> None:
    library = load_templates()
    template = library.get("ct_head")
    study = StudySummary.from_dataset(ct, LIBRARY)
    key = KeyImage(str(ct.SOPClassUID), str(ct.SOPInstanceUID), str(ct.SeriesInstanceUID), caption="Axial")
    report = fill_report(template, study, priors=[("20200101", "CT", "CT HEAD")], measurements=["Lesion: 12 mm"],
                         key_images=[key], author="Dr Bob")
    report = report.with_sections(findings="Para one.\n\nPara two.", impression="No acute abnormality.")
    report = report.with_field("midline_shift", 2).with_field("haemorrhage", False).with_placeholders_accepted()
    lh = Letterhead("Riverside Imaging")
    signed = sign_report(report, credential, letterhead=lh, template=template, trust_roots=[pki.ca_pem])
    signed = with_dicom_objects(signed, template=template, evidence=[ct], organization="Riverside Imaging")
    (tmp_path / "sr.dcm").write_bytes(signed.sr_bytes)
    (tmp_path / "pdf.dcm").write_bytes(signed.pdf_dicom_bytes)
    assert_valid_report_sr(tmp_path / "sr.dcm", tmp_path)
    assert dciodvfy_errors(tmp_path / "pdf.dcm") == []

    sr = pydicom.dcmread(tmp_path / "sr.dcm")
    assert sr.StudyInstanceUID == ct.StudyInstanceUID and sr.PatientID == ct.PatientID
    assert sr.SOPInstanceUID == signed.report.sr_instance_uid
    assert (sr.CompletionFlag, sr.VerificationFlag, sr.PreliminaryFlag) == ("COMPLETE", "VERIFIED", "FINAL")
    assert sr.ContentTemplateSequence[0].TemplateIdentifier == "2000"
    assert sr.ConceptNameCodeSequence[0].CodeValue == "18748-4"
    verifier = sr.VerifyingObserverSequence[0]
    assert str(verifier.VerifyingObserverName) == "Radiologist^Alice^^Dr"
    assert verifier.VerificationDateTime == signed.signed_at.strftime("%Y%m%d%H%M%S+0000")
    evidence = sr.CurrentRequestedProcedureEvidenceSequence[0].ReferencedSeriesSequence[0]
    assert evidence.ReferencedSOPSequence[0].ReferencedSOPInstanceUID == ct.SOPInstanceUID
    assert "PredecessorDocumentsSequence" not in sr

    sections = _sections(signed.sr_bytes)
    assert list(sections) == ["Current Procedure Descriptions", "Prior Procedure Descriptions", "Findings", "Impressions"]
    assert sections["Findings"][:2] == ["Para one.", "Para two."]
    assert "2 mm" in sections["Findings"] and "Lesion: 12 mm" in sections["Findings"]  # Midline shift: a NUM
    assert any(ct.SOPInstanceUID in line for line in sections["Findings"])  # the key image reference
    assert sections["Impressions"] == ["No acute abnormality."]
    assert sections["Prior Procedure Descriptions"] == ["CT 2020-01-01 (CT HEAD)."]

    pdf_ds = pydicom.dcmread(tmp_path / "pdf.dcm")
    assert pdf_ds.EncapsulatedDocument[: pdf_ds.EncapsulatedDocumentLength] == signed.pdf_bytes
    assert pdf_ds.StudyInstanceUID == ct.StudyInstanceUID and pdf_ds.Modality == "DOC"
    assert read_pdf_document(signed.pdf_dicom_bytes).data == signed.pdf_bytes

    # an addendum: new UIDs, predecessor document = the first SR
    add = signed.report.addendum("Prior reviewed").with_section("addendum", "Stable compared with 2020.")
    signed2 = sign_report(add, credential, letterhead=lh, template=template, trust_roots=[pki.ca_pem])
    with pytest.raises(ReportError, match="predecessor"):
        with_dicom_objects(signed2, template=template, evidence=[ct])
    signed2 = with_dicom_objects(signed2, template=template, evidence=[ct], predecessor=signed.report,
                                 organization="Riverside Imaging")
    (tmp_path / "sr2.dcm").write_bytes(signed2.sr_bytes)
    (tmp_path / "pdf2.dcm").write_bytes(signed2.pdf_dicom_bytes)
    assert_valid_report_sr(tmp_path / "sr2.dcm", tmp_path)
    assert dciodvfy_errors(tmp_path / "pdf2.dcm") == []
    sr2 = pydicom.dcmread(tmp_path / "sr2.dcm")
    pred = sr2.PredecessorDocumentsSequence[0].ReferencedSeriesSequence[0].ReferencedSOPSequence[0]
    assert pred.ReferencedSOPInstanceUID == sr.SOPInstanceUID
    assert sr2.SOPInstanceUID != sr.SOPInstanceUID and sr2.SeriesInstanceUID == sr.SeriesInstanceUID
    assert pydicom.dcmread(tmp_path / "pdf2.dcm").SOPInstanceUID != pdf_ds.SOPInstanceUID
    assert _sections(signed2.sr_bytes)["Addendum"] == ["Stable compared with 2020."]


def test_preliminary_sr_flags_and_no_evidence(tmp_path: Path, ct: pydicom.Dataset) -> None:
    template = load_templates().get("generic")
    study = StudySummary.from_dataset(ct, LIBRARY)
    report = fill_report(template, study, author="Dr Bob").with_section("findings", "Wet read: no fracture.")
    report = report.made_preliminary("Dr Bob")
    sr = build_report_sr(report, template=template)
    path = tmp_path / "prelim.dcm"
    path.write_bytes(to_bytes(sr))
    assert_valid_report_sr(path, tmp_path)
    assert (sr.CompletionFlag, sr.VerificationFlag, sr.PreliminaryFlag) == ("PARTIAL", "UNVERIFIED", "PRELIMINARY")
    assert "VerifyingObserverSequence" not in sr and "CurrentRequestedProcedureEvidenceSequence" not in sr
    doc = read_sr_document(path)
    names = [str(i.PersonName) for i in sr.ContentSequence if i.ValueType == "PNAME"]
    assert names == ["Bob^^^Dr"]  # the author observes a preliminary report; nobody verified it
    assert "Wet read: no fracture." in doc.to_text()
    pdf = build_encapsulated_pdf(report, render_report_pdf(report, Letterhead()))
    pdf_path = tmp_path / "prelim_pdf.dcm"
    pdf_path.write_bytes(to_bytes(pdf))
    assert dciodvfy_errors(pdf_path) == [] and pdf.VerificationFlag == "UNVERIFIED"


def test_evidence_from_another_patient_is_refused(ct: pydicom.Dataset) -> None:
    template = load_templates().get("generic")
    report = fill_report(template, StudySummary.from_dataset(ct, LIBRARY)).with_section("impression", "x")
    other = ct.copy()
    other.PatientID = "SOMEONE-ELSE"
    with pytest.raises(ReportError, match="another patient ID"):
        build_report_sr(report, evidence=[other])
    with pytest.raises(ReportError, match="not a PDF"):
        build_encapsulated_pdf(report, b"hello")


def test_person_name() -> None:
    assert person_name("Dr Alice Radiologist") == "Radiologist^Alice^^Dr"
    assert person_name("Alice Mary Smith") == "Smith^Alice Mary"
    assert person_name("Smith^Alice") == "Smith^Alice"
