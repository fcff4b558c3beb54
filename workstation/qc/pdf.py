"""The QC report as a PDF for the study's record (reportlab).

A clinical document: its header may name the patient (a PDF handed to a person, never written
to a log), then the study (UID, date, description, modalities, accession), the overall status
and a table of findings, errors first, repeated on as many pages as needed with the column
heads on every page. Instance UIDs are listed in full so the images can be found again.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from workstation import __version__
from workstation.qc.findings import QCReport, Severity

_SEVERITY_COLOUR = {
    Severity.ERROR: colors.HexColor("#f8d0d0"),
    Severity.WARNING: colors.HexColor("#fbe9c0"),
    Severity.INFO: colors.HexColor("#e4ecf6"),
}
#: Instance UIDs shown per finding before "and N more".
MAX_UIDS_SHOWN = 4


def _p(text: str, style: ParagraphStyle) -> Paragraph:
    return Paragraph(escape(text), style)


def write_pdf(
    report: QCReport,
    path: Path | str,
    *,
    patient_name: str = "",
    patient_id: str = "",
    checked_by: str = "",
) -> Path:
    """Write ``report`` as a PDF at ``path`` (A4 landscape) and return the path.

    ``patient_name`` and ``patient_id`` go in the document header when given (the PDF is a
    clinical document); they never go anywhere else.
    """
    path = Path(path)
    styles = getSampleStyleSheet()
    body = ParagraphStyle("qc-body", parent=styles["BodyText"], fontSize=8.5, leading=10.5)
    small = ParagraphStyle("qc-small", parent=body, fontSize=7, leading=8.5, textColor=colors.HexColor("#333333"))
    head = ParagraphStyle("qc-head", parent=body, fontName="Helvetica-Bold", textColor=colors.white)
    facts = report.facts

    story: list[Any] = [Paragraph("Acquisition quality control report", styles["Title"])]
    rows = [
        ("Study Instance UID", facts.study_uid),
        ("Study date", _date(facts.study_date)),
        ("Study description", facts.study_description or "-"),
        ("Modalities", ", ".join(facts.modalities) or "-"),
        ("Accession number", facts.accession_number or "-"),
        ("Series / instances", f"{facts.number_of_series} / {facts.number_of_instances}"),
        ("Pixel data checked", "yes" if facts.pixels_checked else "no (headers only)"),
    ]
    if patient_name or patient_id:
        rows.insert(0, ("Patient", " ".join(x for x in (patient_name.replace("^", " ").strip(), f"({patient_id})" if patient_id else "") if x)))
    counts = report.counts()
    rows.append(("Status", f"{report.status.value.replace('_', ' ')}: {counts['error']} error(s), "
                           f"{counts['warning']} warning(s), {counts['info']} note(s)"))
    rows.append(("Checked", dt.datetime.now().strftime("%Y-%m-%d %H:%M") + (f" by {checked_by}" if checked_by else "")))
    header = Table([[_p(k, body), _p(v, body)] for k, v in rows], colWidths=[45 * mm, 220 * mm], hAlign="LEFT")
    header.setStyle(TableStyle([
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("FONTNAME", (0, 0), (0, -1), "Helvetica-Bold"),
        ("LINEBELOW", (0, -1), (-1, -1), 0.5, colors.grey),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
    ]))
    story += [header, Spacer(1, 5 * mm)]

    findings = report.sorted_findings()
    if not findings:
        story.append(_p("No findings: every check passed.", body))
    else:
        data = [[Paragraph("Severity", head), Paragraph("Check", head), Paragraph("Finding", head), Paragraph("Instances", head)]]
        styling = [
            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#3a4a5c")),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("GRID", (0, 0), (-1, -1), 0.3, colors.HexColor("#9aa5b1")),
            ("TOPPADDING", (0, 0), (-1, -1), 3),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
        ]
        for n, finding in enumerate(findings, start=1):
            shown = list(finding.instances[:MAX_UIDS_SHOWN])
            extra = len(finding.instances) - len(shown)
            uid_text = "\n".join(shown) + (f"\n... and {extra} more" if extra > 0 else "")
            data.append([
                _p(finding.severity.value.upper(), body),
                _p(finding.code.replace("_", " "), body),
                _p(finding.sentence, body),
                Paragraph(escape(uid_text).replace("\n", "<br/>") or "-", small),
            ])
            styling.append(("BACKGROUND", (0, n), (0, n), _SEVERITY_COLOUR[finding.severity]))
        table = Table(data, colWidths=[20 * mm, 35 * mm, 135 * mm, 77 * mm], repeatRows=1, hAlign="LEFT")
        table.setStyle(TableStyle(styling))
        story.append(table)

    def footer(canvas: Canvas, doc: Any) -> None:
        canvas.saveState()
        canvas.setFont("Helvetica", 7)
        canvas.drawString(15 * mm, 8 * mm, f"QC report, study {facts.study_uid}")
        canvas.drawRightString(landscape(A4)[0] - 15 * mm, 8 * mm, f"page {doc.page}")
        canvas.restoreState()

    document = SimpleDocTemplate(
        str(path), pagesize=landscape(A4), leftMargin=15 * mm, rightMargin=15 * mm,
        topMargin=12 * mm, bottomMargin=14 * mm, title="Acquisition quality control report",
        author="workstation", creator=f"workstation {__version__}",
    )
    document.build(story, onFirstPage=footer, onLaterPages=footer)
    return path


def _date(value: str) -> str:
    if len(value) == 8 and value.isdigit():
        return f"{value[:4]}-{value[4:6]}-{value[6:]}"
    return value or "-"
