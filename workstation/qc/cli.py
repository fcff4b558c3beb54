"""``workstation qc STUDY_UID [--json] [--pdf PATH] [--archive URL]``: acquisition QC from a shell.

Headers come from the local library (pixels are then decoded too) or, when the study is not
there, from the archive's WADO-RS metadata (PS3.18 10.4.1.1.2; pixels not checked, which the
report says). Prints the report as text or JSON; exit status 1 when a finding is an error, 0
otherwise. Each run is recorded in the local QC status and audit log (``qc_status.json``,
``audit.jsonl`` beside the library); ``--mark-passed`` also marks the study as checked, which is
refused (an error) when a finding is an error. Nothing here logs patient data: the PDF header is the only place a name may appear.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from pydicom.dataset import Dataset

from workstation.app.open_study import archive_study_headers
from workstation.errors import WorkstationError
from workstation.qc.attributes import text
from workstation.qc.audit import AuditAction
from workstation.qc.findings import Finding, QCReport, Severity
from workstation.qc.pdf import write_pdf
from workstation.qc.run import run_checks
from workstation.qc.status import QCStatusStore
from workstation.settings import Settings
from workstation.sources import open_library


def add_qc_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add the ``qc`` verb to the ``workstation`` command's subparsers."""
    p: argparse.ArgumentParser = subparsers.add_parser(
        "qc", help="check a study's acquisitions (slices, geometry, identity, headers, pixels)"
    )
    p.add_argument("study_uid")
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.add_argument("--pdf", metavar="PATH", help="also write the report as a PDF")
    p.add_argument("--archive", help="archive profile name or DICOMweb URL (if not in the library)")
    p.add_argument("--mark-passed", action="store_true",
                   help="mark the study as checked (QC passed) unless a finding is an error")
    p.set_defaults(func=cmd_qc)
    return p


def qc_study(settings: Settings, study_uid: str, archive: str | None = None) -> tuple[QCReport, list[Dataset]]:
    """Run the checks on a study from the library (with pixels) or else the archive (headers)."""
    library = open_library(settings)
    try:
        headers = library.study_headers(study_uid)
        if headers:
            return run_checks(headers, library.read_instance), headers
    finally:
        library.close()
    headers = archive_study_headers(settings, study_uid, archive)
    if not headers:
        raise WorkstationError(f"Study {study_uid} was found neither in the library nor in the archive.")
    report = run_checks(headers)
    report.findings = [f for f in report.findings if f.code != "pixels_not_checked"]
    report.extend([Finding(
        Severity.INFO, "pixels_not_checked",
        "The study was checked from the archive's metadata, not from local files: "
        "pixel data was not decoded; pull the study to check it too.",
        (), "")])
    return report, headers


def cmd_qc(args: argparse.Namespace, settings: Settings) -> int:
    """Print the QC report of ``args.study_uid``; 1 when a finding is an error, else 0."""
    report, headers = qc_study(settings, args.study_uid, getattr(args, "archive", None))
    status = QCStatusStore.for_settings(settings)
    status.record_run(report)  # the worklist's QC column and the audit log
    if getattr(args, "mark_passed", False):
        status.mark_passed(report.facts.study_uid or args.study_uid)  # refused after an error finding
    if getattr(args, "pdf", None):
        first = headers[0]
        write_pdf(report, args.pdf, patient_name=text(first, "PatientName"), patient_id=text(first, "PatientID"))
        status.audit.record(AuditAction.STUDY_EXPORTED, study_uid=args.study_uid,
                            patient_id=text(first, "PatientID"), detail={"as": "qc report pdf"})
    if args.json:
        json.dump(report.to_json(), sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        for line in report.text_lines():
            print(line)
        if getattr(args, "pdf", None):
            print(f"PDF written to {args.pdf}")
    return 1 if report.has_errors else 0
