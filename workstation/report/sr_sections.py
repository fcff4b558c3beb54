"""Section headings of a TID 2000 Basic Diagnostic Imaging Report: the codes we write, and those
we accept when reading an SR back.

PS3.16 CID 7001 "Diagnostic Imaging Report Heading" (current edition) lists LOINC codes
(Coding Scheme Designator ``LN``): 11329-0 History, 55752-0 Clinical Information, 18785-6
Indications for Procedure, 55115-0 Request, 55111-9 Current Procedure Descriptions, 55114-3 Prior
Procedure Descriptions, 18834-2 Previous Findings, 59776-5 Findings, 19005-8 Impressions, 18783-1
Recommendations, 55110-1 Conclusions, 55107-7 Addendum, and more. Its notes say that earlier
releases of the Standard used DICOM's own codes (``DCM``) for the same headings (121060 History,
121062 Request, 121064 Current Procedure Descriptions, 121066 Prior Procedure Descriptions,
121068 Previous Findings, 121070 Findings, 121072 Impressions, 121074 Recommendations, 121076
Conclusions, 121078 Addendum, 121109 Indications for Procedure), that the LOINC codes are the
preferable encoding, and that supporting the equivalent DCM codes is recommended for backward
compatibility; a still earlier version had (18782-3, LN, "Study Observation") where Findings is now.

So the SRs we write use the LOINC codes (:data:`WRITTEN_HEADINGS`, the same as pydicom's CID 7001
concepts), and :func:`read_report_sections` understands both the LOINC and the legacy DCM
headings, mapping each to our report section (:data:`workstation.report.model.SECTIONS`).
Headings with no section of ours (Conclusions, Summary, Key Images, ...) are kept under their own
name in :attr:`ReportSections.other`.

Core module: no Qt.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from pathlib import Path

import pydicom
from pydicom.dataset import Dataset
from pydicom.sr.codedict import codes
from pydicom.sr.coding import Code

from workstation.errors import ReportError
from workstation.model import attributes as attr
from workstation.report.model import ADDENDUM

#: Our section -> the CID 7001 heading the SR writes (LOINC, current PS3.16).
WRITTEN_HEADINGS: dict[str, Code] = {
    "clinical_information": codes.LN.ClinicalInformation,  # 55752-0
    "technique": codes.LN.CurrentProcedureDescriptions,  # 55111-9
    "comparison": codes.LN.PriorProcedureDescriptions,  # 55114-3
    "findings": codes.LN.Findings,  # 59776-5
    "impression": codes.LN.Impressions,  # 19005-8
    "recommendations": codes.LN.Recommendations,  # 18783-1
    ADDENDUM: codes.LN.Addendum,  # 55107-7
}

#: (coding scheme, code value) of a heading read back -> our section: the current LOINC codes,
#: the headings the Standard equates with them (History, Indications, Request all describe
#: why the study was done), and the DCM codes of earlier editions.
READ_HEADINGS: dict[tuple[str, str], str] = {
    # LOINC, current CID 7001
    ("LN", "55752-0"): "clinical_information",
    ("LN", "11329-0"): "clinical_information",  # History
    ("LN", "18785-6"): "clinical_information",  # Indications for Procedure
    ("LN", "55115-0"): "clinical_information",  # Request
    ("LN", "55108-5"): "clinical_information",  # Patient Presentation
    ("LN", "55111-9"): "technique",
    ("LN", "55114-3"): "comparison",
    ("LN", "18834-2"): "comparison",  # Previous Findings
    ("LN", "59776-5"): "findings",
    ("LN", "18782-3"): "findings",  # Study Observation, in an earlier version of CID 7001
    ("LN", "19005-8"): "impression",
    ("LN", "18783-1"): "recommendations",
    ("LN", "55107-7"): ADDENDUM,
    # DCM, CID 7001 before LOINC replaced these codes
    ("DCM", "121060"): "clinical_information",  # History
    ("DCM", "121062"): "clinical_information",  # Request
    ("DCM", "121109"): "clinical_information",  # Indications for Procedure
    ("DCM", "121110"): "clinical_information",  # Patient Presentation
    ("DCM", "121064"): "technique",  # Current Procedure Descriptions
    ("DCM", "121066"): "comparison",  # Prior Procedure Descriptions
    ("DCM", "121068"): "comparison",  # Previous Findings
    ("DCM", "121070"): "findings",
    ("DCM", "121072"): "impression",
    ("DCM", "121074"): "recommendations",
    ("DCM", "121078"): ADDENDUM,
}

_SR_PREFIX = "1.2.840.10008.5.1.4.1.1.88."


@dataclass
class ReportSections:
    """The text of a diagnostic imaging report SR, by our section names.

    ``sections`` maps a section (``findings``, ``impression``, ...) to its paragraphs in document
    order (two SR containers mapping to one section, say History and Request, are joined);
    ``other`` keeps headings we have no section for, as (code meaning, paragraphs).
    """

    title: str = ""
    sections: dict[str, list[str]] = field(default_factory=dict)
    other: list[tuple[str, list[str]]] = field(default_factory=list)

    def text(self, section: str) -> str:
        """One section as text, paragraphs separated by a blank line (as the editor writes them)."""
        return "\n\n".join(self.sections.get(section, []))


def heading_section(item: Dataset) -> str | None:
    """Our section for a CONTAINER content item's concept name (CID 7001, LOINC or legacy DCM)."""
    names = attr.items(item, "ConceptNameCodeSequence")
    if not names:
        return None
    key = (attr.text(names[0], "CodingSchemeDesignator").upper(), attr.text(names[0], "CodeValue"))
    return READ_HEADINGS.get(key)


def _texts(container: Dataset) -> list[str]:
    out = []
    for child in attr.items(container, "ContentSequence"):
        if attr.text(child, "ValueType").upper() == "TEXT":
            value = attr.text(child, "TextValue", strip=False).strip()
            if value:
                out.append(value)
    return out


def read_report_sections(source: Dataset | bytes | Path) -> ReportSections:
    """The section texts of a TID 2000 SR (ours or another product's, current or older codes).

    Only the root's CONTAINER children and their TEXT items are read (TID 2000 puts section
    text there, TID 2001/2002); codes, numbers and image references are not text and are left
    out. Raises ``ReportError`` when ``source`` is not a DICOM SR document.
    """
    name = source.name if isinstance(source, Path) else "the document"
    if isinstance(source, Dataset):
        ds = source
    else:
        try:
            ds = pydicom.dcmread(source if isinstance(source, Path) else io.BytesIO(source))
        except Exception as exc:  # noqa: BLE001 - pydicom raises many types on damaged files
            raise ReportError(f"{name} is not a readable DICOM file ({type(exc).__name__}).") from exc
    if not attr.text(ds, "SOPClassUID").startswith(_SR_PREFIX):
        raise ReportError(f"{name} is not a DICOM structured report, so it has no report sections.")
    title_items = attr.items(ds, "ConceptNameCodeSequence")
    result = ReportSections(title=attr.text(title_items[0], "CodeMeaning") if title_items else "")
    for item in attr.items(ds, "ContentSequence"):
        if attr.text(item, "ValueType").upper() != "CONTAINER":
            continue
        paragraphs = _texts(item)
        section = heading_section(item)
        if section is not None:
            result.sections.setdefault(section, []).extend(paragraphs)
        elif paragraphs:
            names = attr.items(item, "ConceptNameCodeSequence")
            meaning = attr.text(names[0], "CodeMeaning") if names else "Untitled section"
            result.other.append((meaning or "Untitled section", paragraphs))
    return result
