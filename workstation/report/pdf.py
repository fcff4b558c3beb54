"""The report as a PDF: the document of record once signed (reportlab).

Layout (A4 portrait): the practice letterhead, a box with the patient and the study (the PDF is a
clinical document handed to people, so it names the patient; nothing here is logged), the
report's sections in the order of a diagnostic imaging report (TID 2000 headings, PS3.16 CID
7001) with the template's typed fields under their section, measurements, key-image
thumbnails with captions, then the signature block (signer's name and signing time in UTC, or a
"not signed" note). An unsigned version carries a "DRAFT" or "PRELIMINARY" mark on every page;
an addendum or a correction says so, with its reason, above the sections. The PDF carries no
digital signature itself: :mod:`workstation.report.signing` adds it (PAdES).

Only what the radiologist said is printed: the report is rendered without its untouched
placeholders (:meth:`workstation.report.model.Report.spoken`). Text is set in embedded Unicode
TrueType fonts (:mod:`workstation.report.fonts`), so accented, Polish or CJK names print as
written; when no font has a character, the page says so.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from PIL import Image as PILImage
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    Image,
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from workstation import __version__
from workstation.errors import ReportError
from workstation.i18n import ENGLISH, format_date, format_dicom_date
from workstation.report.fonts import report_fonts
from workstation.report.model import (
    ADDENDUM,
    SECTIONS,
    Report,
    ReportStatus,
    VersionKind,
)
from workstation.report.templates import Template, field_lines
from workstation.report.wording import heading as section_heading
from workstation.report.wording import report_language, word
from workstation.settings import LetterheadSettings

THUMB_MM = 55.0


@dataclass(frozen=True)
class Letterhead:
    """The practice's letterhead (:meth:`from_settings`: the settings' ``letterhead`` entry)."""

    practice_name: str = ""
    address_lines: tuple[str, ...] = ()
    phone: str = ""
    email: str = ""
    department: str = ""
    logo_png: bytes | None = None

    @classmethod
    def from_settings(cls, settings: LetterheadSettings, practice: str = "") -> Letterhead:
        """The letterhead of the settings; ``practice``, when given, names the practice."""
        return cls(practice_name=practice or settings.practice_name, address_lines=tuple(settings.address_lines),
                   phone=settings.phone, email=settings.email, department=settings.department)


def _p(text: str, style: ParagraphStyle) -> Paragraph:
    return Paragraph(report_fonts().markup(text), style)


def _table_style(font: str, commands: list[Any]) -> TableStyle:
    """A table style whose text cells use ``font`` (an embedded one, not Helvetica)."""
    return TableStyle([("FONTNAME", (0, 0), (-1, -1), font), *commands])


def _date(value: str, language: str = ENGLISH) -> str:
    """A DICOM date as the report's language writes it: ISO 8601 in English (as before),
    "12 janv. 2025" in French."""
    if len(value) == 8 and value.isdigit():
        return f"{value[:4]}-{value[4:6]}-{value[6:]}" if language == ENGLISH else format_dicom_date(value, language)
    return value


def _time(value: str) -> str:
    digits = value.split(".")[0]
    if len(digits) >= 4 and digits.isdigit():
        return f"{digits[:2]}:{digits[2:4]}"
    return value


def _person(value: str) -> str:
    parts = value.split("^")
    family = parts[0].strip()
    given = " ".join(p.strip() for p in parts[1:3] if p.strip())
    return ", ".join(x for x in (family.upper() if family else "", given) if x)


def _signed_text(iso: str, language: str = ENGLISH) -> str:
    moment = dt.datetime.fromisoformat(iso).astimezone(dt.timezone.utc)
    day = moment.strftime("%Y-%m-%d") if language == ENGLISH else format_date(moment.date(), language)
    return word("at", language, day, moment.strftime("%H:%M:%S"))


def _thumbnail(pixels: np.ndarray, index: int) -> PILImage.Image:
    array = np.asarray(pixels)
    if array.ndim == 2:
        array = np.stack([array] * 3, axis=-1)
    if array.ndim != 3 or array.shape[2] != 3 or array.shape[0] < 1 or array.shape[1] < 1:
        raise ReportError(
            f"Key image {index} must be an RGB array of shape (rows, columns, 3); got shape {array.shape}."
        )
    if array.dtype != np.uint8:
        raise ReportError(f"Key image {index} must hold 8-bit values (uint8) after windowing; got {array.dtype}.")
    image = PILImage.fromarray(np.ascontiguousarray(array), "RGB")
    image.thumbnail((512, 512))
    return image


def _all_text(report: Report, letterhead: Letterhead) -> str:
    """Every piece of text the page prints (to find characters no font has)."""
    p, s = report.patient, report.study
    parts = [letterhead.practice_name, letterhead.department, *letterhead.address_lines, letterhead.phone,
             letterhead.email, p.name, p.patient_id, s.description, s.accession_number, s.referring_physician,
             report.reason, report.signer_name, *report.sections.values(), *report.measurements,
             *(k.caption for k in report.key_images), *(str(v) for v in report.fields.values())]
    return " ".join(x for x in parts if x)


def render_report_pdf(
    report: Report,
    letterhead: Letterhead,
    *,
    template: Template | None = None,
    key_image_pixels: Sequence[np.ndarray] = (),
    language: str | None = None,
) -> bytes:
    """The report version as PDF bytes (see the module docstring for what is on the page).

    ``key_image_pixels`` are rendered key images (uint8 RGB, as shown on screen), paired in order
    with ``report.key_images`` for their captions. ``language`` ("en", "fr"; default: the
    template's) sets the headings, fixed words, dates and decimals (:mod:`workstation.report.wording`).
    """
    lang = report_language(language or (template.language if template else ENGLISH))
    report = report.spoken()  # untouched placeholders are not the radiologist's: not printed
    fonts = report_fonts()
    styles = getSampleStyleSheet()
    body = ParagraphStyle("r-body", parent=styles["BodyText"], fontName=fonts.text, fontSize=10, leading=13.5)
    small = ParagraphStyle("r-small", parent=body, fontSize=8, leading=10, textColor=colors.HexColor("#444444"))
    heading = ParagraphStyle("r-head", parent=body, fontName=fonts.bold, fontSize=11, leading=14,
                             spaceBefore=6, spaceAfter=2, textColor=colors.HexColor("#1f3a5f"))
    practice = ParagraphStyle("r-practice", parent=body, fontName=fonts.bold, fontSize=15, leading=18)
    title = ParagraphStyle("r-title", parent=body, fontName=fonts.bold, fontSize=13, leading=16, spaceBefore=4)

    story: list[Any] = []
    warning = fonts.missing_note(_all_text(report, letterhead))
    if warning:
        story += [_p(warning, ParagraphStyle("r-warn", parent=body, textColor=colors.HexColor("#b00000"))),
                  Spacer(1, 2 * mm)]
    lh_lines = [x for x in (letterhead.department, *letterhead.address_lines,
                            " · ".join(v for v in (letterhead.phone, letterhead.email) if v)) if x]
    lh_cell: list[Any] = [_p(letterhead.practice_name or word("Radiology report", lang), practice)]
    lh_cell += [_p(line, small) for line in lh_lines]
    if letterhead.logo_png:
        try:
            logo = ImageReader(io.BytesIO(letterhead.logo_png))
        except Exception as exc:  # noqa: BLE001 - any decoder failure: the logo is unusable
            raise ReportError("The letterhead logo is not a readable PNG image; choose another logo file.") from exc
        w, h = logo.getSize()
        scale = min(40 * mm / w, 20 * mm / h)
        head_table = Table([[lh_cell, Image(io.BytesIO(letterhead.logo_png), w * scale, h * scale)]],
                           colWidths=[130 * mm, 50 * mm])
    else:
        head_table = Table([[lh_cell]], colWidths=[180 * mm])
    head_table.setStyle(_table_style(fonts.text, [
        ("VALIGN", (0, 0), (-1, -1), "TOP"), ("ALIGN", (-1, 0), (-1, 0), "RIGHT"),
        ("LINEBELOW", (0, 0), (-1, 0), 1.2, colors.HexColor("#1f3a5f")), ("LEFTPADDING", (0, 0), (-1, -1), 0)]))
    story += [head_table, Spacer(1, 4 * mm)]

    patient, study = report.patient, report.study
    rows = [
        (word("Patient", lang), _person(patient.name) or "-", word("Patient ID", lang), patient.patient_id or "-"),
        (word("Birth date", lang), _date(patient.birth_date, lang) or "-", word("Sex", lang), patient.sex or "-"),
        (word("Study", lang), study.description or "-", word("Accession", lang), study.accession_number or "-"),
        (word("Study date", lang), " ".join(x for x in (_date(study.study_date, lang), _time(study.study_time)) if x) or "-",
         word("Modality", lang), ", ".join(study.modalities) or "-"),
        (word("Referring", lang), _person(study.referring_physician) or "-", word("Report", lang),
         word("version", lang, report.version)),
    ]
    header = Table([[_p(a, small), _p(b, body), _p(c, small), _p(d, body)] for a, b, c, d in rows],
                   colWidths=[22 * mm, 78 * mm, 22 * mm, 58 * mm])
    header.setStyle(_table_style(fonts.text, [
        ("BOX", (0, 0), (-1, -1), 0.6, colors.HexColor("#9aa5b1")),
        ("BACKGROUND", (0, 0), (-1, -1), colors.HexColor("#f3f5f8")),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 1.5), ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
    ]))
    story += [header, Spacer(1, 2 * mm)]
    story.append(_p(template.title if template else word("Imaging report", lang), title))
    if report.kind is not VersionKind.ORIGINAL:
        kind = word("Addendum" if report.kind is VersionKind.ADDENDUM else "Corrected report", lang)
        story.append(_p(word("replaces", lang, kind, report.version, report.version - 1, report.reason), ParagraphStyle("r-amend", parent=body, textColor=colors.HexColor("#8a1c1c"))))

    fields = field_lines(report, template)
    order = list(SECTIONS) + ([ADDENDUM] if report.kind is VersionKind.ADDENDUM else [])
    for name in order:
        text = report.section(name).strip()
        lines = fields.get(name, [])
        extra = list(report.measurements) if name == "findings" else []
        if not (text or lines or extra):
            continue
        block: list[Any] = [_p(section_heading(name, lang), heading)]
        if text:
            block.append(_p(text, body))
        for line in lines:
            block.append(_p(line, body))
        if extra:
            block.append(_p(word("Measurements:", lang), body))
            block += [_p(f"• {m}", body) for m in extra]
        story.append(KeepTogether(block))

    if key_image_pixels:
        story.append(_p(word("Key images", lang), heading))
        cells: list[Any] = []
        for i, pixels in enumerate(key_image_pixels, start=1):
            image = _thumbnail(pixels, i)
            buffer = io.BytesIO()
            image.save(buffer, format="PNG")
            w, h = image.size
            scale = min(THUMB_MM * mm / w, THUMB_MM * mm / h)
            caption = report.key_images[i - 1].caption if i - 1 < len(report.key_images) else ""
            cells.append([Image(io.BytesIO(buffer.getvalue()), w * scale, h * scale),
                          _p(caption or word("Key image", lang, i), small)])
        grid = [cells[i:i + 3] for i in range(0, len(cells), 3)]
        for row in grid:
            row += [""] * (3 - len(row))
            table = Table([row], colWidths=[60 * mm] * 3)
            table.setStyle(_table_style(fonts.text, [("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0)]))
            story.append(table)

    story.append(Spacer(1, 6 * mm))
    if report.status is ReportStatus.FINAL:
        sign = word("signed", lang, report.signer_name, _signed_text(report.signed_at, lang))
    else:
        sign = word("unsigned", lang, word(report.status.value, lang))
    sign_table = Table([[_p(sign, body)]], colWidths=[180 * mm])
    sign_table.setStyle(_table_style(fonts.text, [("LINEABOVE", (0, 0), (-1, 0), 0.8, colors.HexColor("#1f3a5f")),
                                    ("LEFTPADDING", (0, 0), (-1, -1), 0)]))
    story.append(sign_table)

    mark = "" if report.status is ReportStatus.FINAL else word(report.status.value.upper(), lang)
    footer_text = word("footer", lang, report.report_uid, report.version)

    def decorate(canvas: Canvas, doc: Any) -> None:
        canvas.saveState()
        canvas.setFont(fonts.text, 7)
        canvas.setFillColor(colors.HexColor("#555555"))
        canvas.drawString(15 * mm, 8 * mm, footer_text)
        canvas.drawRightString(A4[0] - 15 * mm, 8 * mm, word("page", lang, doc.page))
        if mark:
            canvas.setFont(fonts.bold, 72)
            canvas.setFillColor(colors.Color(0.85, 0.2, 0.2, alpha=0.15))
            canvas.translate(A4[0] / 2, A4[1] / 2)
            canvas.rotate(40)
            canvas.drawCentredString(0, 0, mark)
        canvas.restoreState()

    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer, pagesize=A4, leftMargin=15 * mm, rightMargin=15 * mm, topMargin=12 * mm, bottomMargin=15 * mm,
        title=template.title if template else "Imaging report", author=report.signer_name or "workstation",
        subject="Diagnostic imaging report", creator=f"workstation {__version__}",
        initialFontName=fonts.text,  # else the canvas names Helvetica (not embedded) on every page
    )
    document.build(story, onFirstPage=decorate, onLaterPages=decorate)
    return buffer.getvalue()
