"""Signed-report folders for the delivery tests, made the way the outgoing-folder contract says:
report.json, report.pdf (reportlab), sr.dcm (Comprehensive SR) and pdf.dcm (Encapsulated PDF)
built with pydicom. The report PDF is not PAdES-signed here: delivery moves bytes and must keep
them identical, which is what these tests check."""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path
from typing import Any

from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import ExplicitVRLittleEndian, generate_uid
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

COMPREHENSIVE_SR = "1.2.840.10008.5.1.4.1.1.88.33"
ENCAPSULATED_PDF = "1.2.840.10008.5.1.4.1.1.104.1"


def make_pdf(lines: list[str]) -> bytes:
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4, invariant=1)
    y = 800
    for line in lines:
        pdf.drawString(60, y, line)
        y -= 16
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def _base(fields: dict[str, Any], sop_class: str, modality: str) -> Dataset:
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = sop_class
    meta.MediaStorageSOPInstanceUID = generate_uid()
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds = Dataset()
    ds.file_meta = meta
    ds.SOPClassUID = sop_class
    ds.SOPInstanceUID = meta.MediaStorageSOPInstanceUID
    ds.StudyInstanceUID = fields["study_uid"]
    ds.SeriesInstanceUID = generate_uid()
    ds.Modality = modality
    ds.PatientName = fields["patient_name"]
    ds.PatientID = fields["patient_id"]
    ds.AccessionNumber = fields["accession_number"]
    ds.SeriesNumber = 900
    ds.InstanceNumber = 1
    ds.ContentDate = fields["signed_at"][:10].replace("-", "")
    ds.ContentTime = "120000"
    return ds


def _to_bytes(ds: Dataset) -> bytes:
    buffer = io.BytesIO()
    ds.save_as(buffer, enforce_file_format=True)
    return buffer.getvalue()


def make_sr(fields: dict[str, Any]) -> bytes:
    ds = _base(fields, COMPREHENSIVE_SR, "SR")
    ds.CompletionFlag = "COMPLETE"
    ds.VerificationFlag = "VERIFIED" if fields["status"] != "preliminary" else "UNVERIFIED"
    ds.ValueType = "CONTAINER"
    ds.ContinuityOfContent = "SEPARATE"
    concept = Dataset()
    concept.CodeValue, concept.CodingSchemeDesignator = "18748-4", "LN"
    concept.CodeMeaning = "Diagnostic imaging report"
    ds.ConceptNameCodeSequence = [concept]
    item = Dataset()
    item.RelationshipType, item.ValueType = "CONTAINS", "TEXT"
    name = Dataset()
    name.CodeValue, name.CodingSchemeDesignator, name.CodeMeaning = "121073", "DCM", "Impression"
    item.ConceptNameCodeSequence = [name]
    item.TextValue = fields["conclusion"]
    ds.ContentSequence = [item]
    return _to_bytes(ds)


def make_pdf_object(fields: dict[str, Any], pdf: bytes) -> bytes:
    ds = _base(fields, ENCAPSULATED_PDF, "DOC")
    ds.MIMETypeOfEncapsulatedDocument = "application/pdf"
    ds.DocumentTitle = "Diagnostic imaging report"
    ds.BurnedInAnnotation = "YES"
    ds.EncapsulatedDocument = pdf + (b"\0" if len(pdf) % 2 else b"")
    ds.EncapsulatedDocumentLength = len(pdf)
    return _to_bytes(ds)


def make_report_folder(root: Path, **overrides: Any) -> Path:
    """One outgoing folder; ``overrides`` replace report.json fields (``version_uid`` new)."""
    fields: dict[str, Any] = {
        "study_uid": "1.2.826.0.1.3680043.8.498.1001",
        "accession_number": "ACC-2026-0042",
        "patient_id": "PID-77",
        "patient_name": "Testperson^Anna^M",
        "status": "final",
        "signer_name": "Dr Grace Hopper",
        "signed_at": dt.datetime(2026, 11, 25, 10, 30, tzinfo=dt.timezone.utc).isoformat(),
        "report_uid": "1.2.826.0.1.3680043.8.498.2002",
        "version_uid": generate_uid(),
        "conclusion": "No acute intracranial abnormality.",
        "sections": [
            {"title": "Clinical information", "text": "Headache & dizziness | 3 days ^ ~"},
            {"title": "Findings", "text": "No haemorrhage.\nVentricles normal in size."},
            {"title": "Impression", "text": "No acute intracranial abnormality."},
        ],
    }
    fields.update(overrides)
    folder = root / fields["version_uid"]
    folder.mkdir(parents=True)
    pdf = make_pdf([f"{s['title']}: {s['text']}" for s in fields["sections"]]
                   + [f"Status: {fields['status']}", f"Version {fields['version_uid']}"])
    (folder / "report.json").write_text(json.dumps(fields, indent=1), encoding="utf-8")
    (folder / "report.pdf").write_bytes(pdf)
    (folder / "sr.dcm").write_bytes(make_sr(fields))
    (folder / "pdf.dcm").write_bytes(make_pdf_object(fields, pdf))
    return folder
