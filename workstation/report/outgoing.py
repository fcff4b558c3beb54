"""The outgoing folder: signed report versions written to local storage before any delivery.

This is the contract between signing and delivery (the outbox). Layout::

    <data folder>/reports/outgoing/<version UID>/
        report.json   SignedReport.metadata(): format "workstation-signed-report", the flat keys
                      workstation.report.delivery.package reads (status final/amended/appended,
                      study_uid, accession_number, patient_id, patient_name, signer_name,
                      signed_at ISO 8601 UTC, report_uid, version_uid, predecessor_version_uid,
                      conclusion, sections [{title, text}]), hl7_result_status (F/C),
                      study_date/study_time (the exam time), the signer's identity
                      (signer_family_name, signer_given_name, signer_identifier[_system]),
                      signature_level (PAdES B-B/B-T/B-LT) and timestamped_at, and
                      report (the whole version as JSON, for reading it back)
        report.pdf    the signed PDF (PAdES), byte for byte the document of record
        sr.dcm        the TID 2000 Enhanced SR (PS3.10 file)
        pdf.dcm       the Encapsulated PDF (PS3.10 file) holding report.pdf

The folder is first written as ``.<version UID>.partial`` and renamed when every file is on disk
(and fsynced), so a folder named by a version UID is always complete: the outbox may take every
such folder it finds. Writing the same version twice is refused (a signed version never changes).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
from pathlib import Path

from workstation.atomic import fsync_directory
from workstation.crypt.files import read_protected, write_protected
from workstation.errors import ReportError
from workstation.report.drafts import reports_folder
from workstation.report.model import Report, SignedReport, SignerIdentity, read_json_file
from workstation.settings import Settings

FILES = ("report.json", "report.pdf", "sr.dcm", "pdf.dcm")


def outgoing_folder(settings: Settings | None = None) -> Path:
    return reports_folder(settings) / "outgoing"


def write_outgoing(signed: SignedReport, folder: Path | None = None) -> Path:
    """Write the signed version's folder (see the module docstring) and return its path."""
    if not signed.sr_bytes or not signed.pdf_dicom_bytes:
        raise ReportError("The signed report has no DICOM objects yet; build them before queueing it.")
    root = folder or outgoing_folder()
    final = root / signed.version_uid
    if final.exists():
        raise ReportError(f"Report version {signed.version_uid} is already in the outgoing folder; it is not written twice.")
    partial = root / f".{signed.version_uid}.partial"
    if partial.exists():
        shutil.rmtree(partial)
    partial.mkdir(parents=True)
    contents = {
        "report.json": json.dumps(signed.metadata(), indent=2, ensure_ascii=False).encode("utf-8"),
        "report.pdf": signed.pdf_bytes,
        "sr.dcm": signed.sr_bytes,
        "pdf.dcm": signed.pdf_dicom_bytes,
    }
    for name, data in contents.items():  # encrypted at rest (workstation.crypt)
        write_protected(partial / name, data)
    fsync_directory(partial)
    os.replace(partial, final)
    fsync_directory(root)
    return final


def read_outgoing(path: Path) -> SignedReport:
    """A SignedReport read back from its outgoing folder."""
    for name in FILES:
        if not (path / name).is_file():
            raise ReportError(f"The outgoing report folder {path.name} has no {name}; it is incomplete.")
    meta = read_json_file(path / "report.json", "signed report description")
    if meta.get("format") != "workstation-signed-report":
        raise ReportError(f"{path / 'report.json'} is not a signed report description.")
    return SignedReport(
        report=Report.from_json(meta["report"]),
        pdf_bytes=read_protected(path / "report.pdf"),
        signer_name=meta["signer_name"],
        signed_at=dt.datetime.fromisoformat(meta["signed_at"]),
        sr_bytes=read_protected(path / "sr.dcm"),
        pdf_dicom_bytes=read_protected(path / "pdf.dcm"),
        signer_identity=SignerIdentity(
            family_name=str(meta.get("signer_family_name") or ""),
            given_name=str(meta.get("signer_given_name") or ""),
            identifier=str(meta.get("signer_identifier") or ""),
            identifier_system=str(meta.get("signer_identifier_system") or "")),
        signature_level=str(meta.get("signature_level") or "B-B"),
        timestamped_at=(dt.datetime.fromisoformat(meta["timestamped_at"])
                        if meta.get("timestamped_at") else None),
    )
