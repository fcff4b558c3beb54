"""The report as DICOM objects for the archive: a TID 2000 SR and an Encapsulated PDF.

**Structured report** (PS3.3 A.35.2 Enhanced SR IOD; content after PS3.16 TID 2000 "Basic
Diagnostic Imaging Report"), built with highdicom's generic content items:

- root CONTAINER "Diagnostic Imaging Report" (LOINC 18748-4, CID 7000), Template Identifier 2000;
- HAS CONCEPT MOD "Language of Content Item and Descendants" (TID 1204): English;
- HAS OBS CONTEXT person observer (TID 1001/1003): the signer (final) or the author;
- one CONTAINER per section (TID 2001), headings from PS3.16 CID 7001 "Diagnostic Imaging Report
  Heading" in its current LOINC codes (55752-0 Clinical Information, 55111-9 Current Procedure
  Descriptions, 55114-3 Prior Procedure Descriptions, 59776-5 Findings, 19005-8 Impressions,
  18783-1 Recommendations, 55107-7 Addendum). CID 7001 names these the preferable encoding; the
  DCM codes 121060-121078 of earlier editions are not written, but are understood when an SR is
  read back (see :mod:`workstation.report.sr_sections`). Each section holds TEXT items (TID 2002)
  named from CID 7002 (11329-0 History,
  121065 Procedure Description, 121071 Finding, 121073 Impression, 121075 Recommendation), one
  per paragraph, the template's field values (numbers with a unit as NUM items with UCUM units,
  :mod:`workstation.report.sr_fields`), the measurements as text; key images
  present in the evidence as IMAGE items "Best illustration of finding" (121080).

Both objects are in UTF-8 (Specific Character Set ISO_IR 192, PS3.5 6.1), so report text and
names may be in any language.

The SR Document General Module (PS3.3 C.17.2) flags follow the report's state: a draft or
preliminary version is PARTIAL / UNVERIFIED / PRELIMINARY; a final one COMPLETE / VERIFIED /
FINAL with the Verifying Observer Sequence (the signer, the organisation, the signing time). A
new version lists the version it changes in the Predecessor Documents Sequence. The study's
instances, when given, are listed in the Current Requested Procedure Evidence Sequence.

**Encapsulated PDF** (PS3.3 A.45.1; Encapsulated Document Module C.24.2): the signed PDF byte
for byte, Modality DOC, document title and concept name LOINC 18748-4, in the report's study.

Both objects have their own series (one for SRs, one for PDFs, shared by the report's versions)
and a new SOP Instance UID per version (chosen when the version was created, see
:class:`workstation.report.model.Report`).
"""

from __future__ import annotations

import datetime as dt
import io
import warnings
from collections.abc import Sequence
from typing import cast

import highdicom as hd
from pydicom.dataset import Dataset
from pydicom.sequence import Sequence as DicomSequence
from pydicom.sr.codedict import codes
from pydicom.sr.coding import Code
from pydicom.valuerep import DA, TM

from workstation import __version__
from workstation.errors import ReportError
from workstation.model import attributes as attr
from workstation.model import series_numbers
from workstation.model.charset import UTF8
from workstation.model.part10 import file_meta
from workstation.model.sop_classes import ENCAPSULATED_PDF
from workstation.report.model import ADDENDUM, Report, ReportStatus, SignedReport
from workstation.report.sr_fields import coding_scheme, field_items, uses_field_codes
from workstation.report.sr_sections import WRITTEN_HEADINGS
from workstation.report.templates import Template
from workstation.report.wording import word

ENHANCED_SR = "1.2.840.10008.5.1.4.1.1.88.22"
REPORT_TITLE = codes.LN.DiagnosticImagingReport  # 18748-4, meaning as in CID 7000
BEST_ILLUSTRATION = Code("121080", "DCM", "Best illustration of finding")
SR_SERIES_NUMBER = series_numbers.REPORT_SR  # not the measurement report's (9801)
PDF_SERIES_NUMBER = series_numbers.REPORT_PDF  # not the key images' (9802)
MANUFACTURER = "workstation"

#: Text item concept (CID 7002) of each section's paragraphs.
_TEXT_CODES: dict[str, Code] = {
    "clinical_information": codes.LN.History,
    "technique": codes.DCM.ProcedureDescription,
    "comparison": codes.DCM.ProcedureDescription,
    "findings": codes.DCM.Finding,
    "impression": codes.DCM.Impression,
    "recommendations": codes.DCM.Recommendation,
    ADDENDUM: codes.DCM.Finding,
}
#: Section -> (heading from CID 7001, LOINC; text item concept from CID 7002).
SECTION_CODES: dict[str, tuple[Code, Code]] = {
    name: (heading, _TEXT_CODES[name]) for name, heading in WRITTEN_HEADINGS.items()
}


def _dicom_dt(iso: str) -> tuple[str, str, str]:
    """(DA, TM, DT) in UTC from an ISO 8601 time ("" -> now)."""
    moment = dt.datetime.fromisoformat(iso) if iso else dt.datetime.now(dt.timezone.utc)
    moment = moment.astimezone(dt.timezone.utc)
    return moment.strftime("%Y%m%d"), moment.strftime("%H%M%S"), moment.strftime("%Y%m%d%H%M%S+0000")


def _patient_study(report: Report) -> Dataset:
    """Patient and General Study module attributes from the report header (PS3.3 C.7.1.1, C.7.2.1)."""
    ds = Dataset()
    ds.PatientName = report.patient.name
    ds.PatientID = report.patient.patient_id
    if report.patient.issuer_of_patient_id:
        ds.IssuerOfPatientID = report.patient.issuer_of_patient_id
    ds.PatientBirthDate = report.patient.birth_date
    ds.PatientSex = report.patient.sex if report.patient.sex in ("M", "F", "O") else ""
    ds.StudyInstanceUID = report.study.study_uid
    ds.StudyDate = report.study.study_date
    ds.StudyTime = report.study.study_time
    ds.ReferringPhysicianName = report.study.referring_physician
    ds.StudyID = report.study.study_id
    ds.AccessionNumber = report.study.accession_number
    if report.study.description:
        ds.StudyDescription = report.study.description
    return ds


def _check_evidence(report: Report, evidence: Sequence[Dataset]) -> list[Dataset]:
    out = []
    for ds in evidence:
        if attr.text(ds, "StudyInstanceUID") != report.study.study_uid:
            raise ReportError("An evidence image belongs to another study than the report; give only the study's images.")
        pid = attr.text(ds, "PatientID")
        if report.patient.patient_id and pid and pid != report.patient.patient_id:
            raise ReportError(
                "An image of the study names another patient ID than the report header; check the study's identity before signing."
            )
        for keyword in ("SeriesInstanceUID", "SOPClassUID", "SOPInstanceUID"):
            if not attr.text(ds, keyword):
                raise ReportError(f"An evidence image has no {keyword}, so the report cannot reference it.")
        out.append(ds)
    return out


def _evidence_sequence(evidence: Sequence[Dataset]) -> list[Dataset]:
    """Hierarchical SOP Instance Reference Macro (PS3.3 Table C.17-3) for one study."""
    by_series: dict[str, dict[str, str]] = {}
    for ds in evidence:
        by_series.setdefault(attr.text(ds, "SeriesInstanceUID"), {})[attr.text(ds, "SOPInstanceUID")] = \
            attr.text(ds, "SOPClassUID")
    study = Dataset()
    study.StudyInstanceUID = attr.text(evidence[0], "StudyInstanceUID")
    series_items = []
    for series_uid, instances in by_series.items():
        series = Dataset()
        series.SeriesInstanceUID = series_uid
        refs = []
        for sop_uid, sop_class in instances.items():
            ref = Dataset()
            ref.ReferencedSOPClassUID = sop_class
            ref.ReferencedSOPInstanceUID = sop_uid
            refs.append(ref)
        series.ReferencedSOPSequence = DicomSequence(refs)
        series_items.append(series)
    study.ReferencedSeriesSequence = DicomSequence(series_items)
    return [study]


_PREFIXES = {"dr", "dr.", "prof", "prof.", "mr", "mr.", "mrs", "mrs.", "ms", "ms."}


def person_name(display: str) -> str:
    """A DICOM PN (PS3.5 6.2, "Family^Given^Middle^Prefix") from a display name such as a
    certificate's common name ("Dr Alice Radiologist" -> "Radiologist^Alice^^Dr"); a name that
    already has "^" is kept as is."""
    if "^" in display:
        return display
    words = display.split()
    prefix = words.pop(0) if len(words) > 1 and words[0].lower() in _PREFIXES else ""
    if not words:
        return prefix
    family, given = words[-1], " ".join(words[:-1])
    return "^".join([family, given, "", prefix]).rstrip("^")


def _paragraphs(text: str) -> list[str]:
    return [p.strip() for p in text.replace("\r\n", "\n").split("\n\n") if p.strip()]


def _content(report: Report, template: Template | None, evidence: Sequence[Dataset]) -> tuple[hd.sr.ContainerContentItem, bool]:
    """The content tree, and whether it names template fields from the local field scheme."""
    root = hd.sr.ContainerContentItem(name=REPORT_TITLE, template_id="2000")
    # TID 1204 Language of Content Item and Descendants: RFC 5646 tags (PS3.16 CID 5000).
    tag, meaning = (("fr-FR", "French (France)") if template is not None and template.language == "fr"
                    else ("en-US", "English (United States)"))
    language = hd.sr.LanguageOfContentItemAndDescendants(language=hd.sr.CodedConcept(tag, "RFC5646", meaning))
    items: list[hd.sr.ContentItem] = [cast(hd.sr.ContentItem, item) for item in language]
    observer = report.signer_name if report.status is ReportStatus.FINAL else (report.author or "")
    if observer:
        context = hd.sr.ObservationContext(
            observer_person_context=hd.sr.ObserverContext(
                observer_type=codes.DCM.Person,
                observer_identifying_attributes=hd.sr.PersonObserverIdentifyingAttributes(name=person_name(observer)),
            )
        )
        items += [cast(hd.sr.ContentItem, item) for item in context]
    fields = field_items(report, template, _TEXT_CODES)
    known = {attr.text(ds, "SOPInstanceUID"): ds for ds in evidence}
    for name, (heading, text_code) in SECTION_CODES.items():
        lines = _paragraphs(report.section(name))
        measurements = list(report.measurements) if name == "findings" else []
        images = [k for k in report.key_images if k.sop_instance_uid in known] if name == "findings" else []
        if not lines and not fields.get(name) and not measurements and not images:
            continue
        section = hd.sr.ContainerContentItem(name=heading, relationship_type="CONTAINS")
        children: list[hd.sr.ContentItem] = [hd.sr.TextContentItem(name=text_code, value=line, relationship_type="CONTAINS")
                                             for line in lines]
        children += fields.get(name, [])
        children += [hd.sr.TextContentItem(name=text_code, value=line, relationship_type="CONTAINS") for line in measurements]
        for image in images:
            children.append(hd.sr.ImageContentItem(
                name=BEST_ILLUSTRATION,
                referenced_sop_class_uid=attr.text(known[image.sop_instance_uid], "SOPClassUID"),
                referenced_sop_instance_uid=image.sop_instance_uid,
                referenced_frame_numbers=image.frame,
                relationship_type="CONTAINS",
            ))
        section.ContentSequence = hd.sr.ContentSequence(children, is_root=False)
        items.append(section)
    root.ContentSequence = hd.sr.ContentSequence(items, is_root=False)
    return root, uses_field_codes(fields)


def build_report_sr(
    report: Report,
    *,
    template: Template | None = None,
    evidence: Sequence[Dataset] = (),
    predecessor: Report | None = None,
    organization: str = "",
) -> Dataset:
    """The TID 2000 Enhanced SR of one report version (see the module docstring).

    ``evidence`` are headers of the study's instances (for the Current Requested Procedure
    Evidence Sequence and key-image references); ``predecessor`` is the version this one changes
    (required for version 2 onwards); ``organization`` names the verifying organisation.
    """
    if report.version > 1 and (predecessor is None or predecessor.version_uid != report.predecessor_uid):
        raise ReportError(f"Version {report.version} needs the version it changes to name it as predecessor document.")
    checked = _check_evidence(report, evidence)
    header = _patient_study(report)
    # highdicom takes patient and study from its first evidence dataset; this one is the SR
    # itself, and is not recorded as evidence (record_evidence=False; sequences rebuilt below).
    header.SeriesInstanceUID = report.sr_series_uid
    header.SOPClassUID = ENHANCED_SR
    header.SOPInstanceUID = report.sr_instance_uid
    final = report.status is ReportStatus.FINAL
    previous = []
    if predecessor is not None:
        prior = Dataset()
        prior.StudyInstanceUID = report.study.study_uid
        prior.SeriesInstanceUID = predecessor.sr_series_uid
        prior.SOPClassUID = ENHANCED_SR
        prior.SOPInstanceUID = predecessor.sr_instance_uid
        previous.append(prior)
    content, field_codes = _content(report, template, checked)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # highdicom's person-name warnings would quote names
        sr = hd.sr.EnhancedSR(
            evidence=[header, *checked],
            content=content,
            coding_schemes=[coding_scheme()] if field_codes else None,
            series_instance_uid=report.sr_series_uid,
            series_number=SR_SERIES_NUMBER,
            sop_instance_uid=report.sr_instance_uid,
            instance_number=report.version,
            manufacturer=MANUFACTURER,
            software_versions=__version__,
            is_complete=final,
            is_final=final,
            is_verified=final,
            verifying_observer_name=person_name(report.signer_name) if final else None,
            verifying_organization=(organization or "Unknown") if final else None,
            previous_versions=previous or None,
            record_evidence=False,
            institution_name=organization or None,
            specific_character_set=UTF8,  # report text and names in any language (PS3.5 6.1)
        )
    for keyword in ("CurrentRequestedProcedureEvidenceSequence", "PertinentOtherEvidenceSequence"):
        if keyword in sr:
            del sr[keyword]
    if checked:
        sr.CurrentRequestedProcedureEvidenceSequence = _evidence_sequence(checked)
    if "IssuerOfPatientID" in header:
        sr.IssuerOfPatientID = header.IssuerOfPatientID
    if "StudyDescription" in header:
        sr.StudyDescription = header.StudyDescription
    sr.SeriesDescription = "Radiology report"
    when = report.signed_at if final else ""
    date, time, datetime = _dicom_dt(when)
    sr.ContentDate, sr.ContentTime = DA(date), TM(time)
    sr.TimezoneOffsetFromUTC = "+0000"
    if final:
        sr.VerifyingObserverSequence[0].VerificationDateTime = datetime
    if not final:
        sr.CompletionFlag = "PARTIAL"
    return sr


def document_title(report: Report, language: str = "en") -> str:
    """The Encapsulated PDF's Document Title (ST, PS3.3 C.24.2): what a viewer lists it as,
    naming the study in its own words (any language: the object is UTF-8) and the version, in
    the report's language ("Compte rendu d'imagerie, version 1")."""
    title = word("document title", language, report.version)
    return f"{report.study.description.strip()} – {title}"[:1024] if report.study.description.strip() else title


def build_encapsulated_pdf(report: Report, pdf_bytes: bytes, *, organization: str = "", language: str = "en") -> Dataset:
    """The Encapsulated PDF object (PS3.3 A.45.1) of one report version, holding ``pdf_bytes`` as
    is; ``language`` (the template's) words its Document Title and Series Description."""
    if not pdf_bytes.startswith(b"%PDF-"):
        raise ReportError("The report document is not a PDF file, so it cannot be encapsulated.")
    ds = _patient_study(report)
    ds.SOPClassUID = ENCAPSULATED_PDF
    ds.SOPInstanceUID = report.pdf_instance_uid
    ds.SpecificCharacterSet = UTF8
    ds.Modality = "DOC"
    ds.SeriesInstanceUID = report.pdf_series_uid
    ds.SeriesNumber = PDF_SERIES_NUMBER
    ds.SeriesDescription = word("pdf series", language)
    ds.Manufacturer = MANUFACTURER
    ds.SoftwareVersions = __version__
    if organization:
        ds.InstitutionName = organization
    ds.ConversionType = "WSD"  # workstation (PS3.3 C.8.6.1 SC Equipment Module)
    ds.InstanceNumber = report.version
    date, time, datetime = _dicom_dt(report.signed_at)
    ds.ContentDate, ds.ContentTime, ds.AcquisitionDateTime = date, time, datetime
    ds.TimezoneOffsetFromUTC = "+0000"
    ds.BurnedInAnnotation = "YES"  # it names the patient
    ds.RecognizableVisualFeatures = "NO"
    ds.DocumentTitle = document_title(report, language)
    title = Dataset()
    title.CodeValue, title.CodingSchemeDesignator, title.CodeMeaning = REPORT_TITLE.value, "LN", REPORT_TITLE.meaning
    ds.ConceptNameCodeSequence = DicomSequence([title])
    ds.VerificationFlag = "VERIFIED" if report.status is ReportStatus.FINAL else "UNVERIFIED"
    source = Dataset()  # the SR of the same version: both are the same report
    source.ReferencedSOPClassUID = ENHANCED_SR
    source.ReferencedSOPInstanceUID = report.sr_instance_uid
    ds.SourceInstanceSequence = DicomSequence([source])
    ds.MIMETypeOfEncapsulatedDocument = "application/pdf"
    ds.EncapsulatedDocument = pdf_bytes + (b"\0" if len(pdf_bytes) % 2 else b"")
    ds.EncapsulatedDocumentLength = len(pdf_bytes)
    ds.file_meta = file_meta(ds.SOPClassUID, ds.SOPInstanceUID)
    return ds


def to_bytes(ds: Dataset) -> bytes:
    """A PS3.10 file (preamble, file meta information) of ``ds``."""
    buffer = io.BytesIO()
    ds.save_as(buffer, enforce_file_format=True)
    return buffer.getvalue()


def with_dicom_objects(
    signed: SignedReport,
    *,
    template: Template | None = None,
    evidence: Sequence[Dataset] = (),
    predecessor: Report | None = None,
    organization: str = "",
) -> SignedReport:
    """``signed`` with its SR and Encapsulated PDF built (``sr_bytes``, ``pdf_dicom_bytes``)."""
    from dataclasses import replace

    sr = build_report_sr(signed.report, template=template, evidence=evidence, predecessor=predecessor,
                         organization=organization)
    pdf = build_encapsulated_pdf(signed.report, signed.pdf_bytes, organization=organization,
                                 language=template.language if template is not None else "en")
    return replace(signed, sr_bytes=to_bytes(sr), pdf_dicom_bytes=to_bytes(pdf))
