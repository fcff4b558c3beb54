"""The radiology report: its content, its versions and its states.

A report belongs to one study (Study Instance UID, accession number) and is written from a
template (see :mod:`workstation.report.templates`). Its content follows the sections of a
diagnostic imaging report (DICOM TID 2000 "Basic Diagnostic Imaging Report", PS3.16; headings
of CID 7001): clinical information, technique, comparison, findings, impression and
recommendations, plus typed field values the template defines and, for an addendum, the text
added.

States (the workflow of IHE RAD "Reporting Workflow"; DICOM's Completion / Verification /
Preliminary flags of PS3.3 C.17.2 mirror them):

- ``draft``: being written, editable, never leaves the workstation except as a local draft;
- ``preliminary``: readable by others (a wet read), still editable;
- ``final``: signed and locked. Nothing in a final version changes again.

Placeholders: text and field values the workstation put into a draft (a template's default
text, a field's default value, the comparison line found from the priors, the study
description as technique) are *placeholders*, not the radiologist's words, until the
radiologist edits or accepts them. ``Report.placeholder_sections`` and
``Report.placeholder_fields`` name those never touched; :meth:`Report.spoken` is the report
without them, and that is what a final version, its PDF, its SR and the text sent to the RIS
(FHIR DiagnosticReport, HL7 v2 ORU) carry. Signing a draft that still has untouched
placeholders needs the signer's explicit consent (:meth:`Report._signed`,
``leave_out_placeholders``): a report says only what the radiologist said.

A final report is changed only by a *new version* linked to the one it changes: an
``addendum`` (text added, the original stands) or a ``correction`` (the content replaced).
Each version has its own version UID and number, names its predecessor and the reason; all
versions share the report UID. :class:`ReportHistory` keeps every version in order.

:class:`SignedReport` is what signing produces and what delivery consumes (FHIR
DiagnosticReport status ``preliminary``/``final``/``amended``/``appended``, HL7 v2 OBR-25).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from enum import Enum
from pathlib import Path
from types import MappingProxyType
from typing import Any

from pydicom.uid import generate_uid

from workstation.crypt.files import read_protected
from workstation.errors import PlaceholderError, ReportError

#: Report sections in reading order (TID 2000 section headings, CID 7001).
SECTIONS = (
    "clinical_information",
    "technique",
    "comparison",
    "findings",
    "impression",
    "recommendations",
)
#: The section an addendum writes to (CID 7001 "Addendum").
ADDENDUM = "addendum"
ALL_SECTIONS = SECTIONS + (ADDENDUM,)
#: What a radiologist calls each section.
SECTION_TITLES = {
    "clinical_information": "Clinical information",
    "technique": "Technique",
    "comparison": "Comparison",
    "findings": "Findings",
    "impression": "Impression",
    "recommendations": "Recommendations",
    ADDENDUM: "Addendum",
}

FieldValue = str | float | int | bool | None


class ReportStatus(str, Enum):
    """Where a version stands in the reporting workflow."""

    DRAFT = "draft"
    PRELIMINARY = "preliminary"
    FINAL = "final"


class VersionKind(str, Enum):
    """Why a version exists: the first one, an addendum to a final one, or a correction of it."""

    ORIGINAL = "original"
    ADDENDUM = "addendum"
    CORRECTION = "correction"


@dataclass(frozen=True)
class PatientHeader:
    """The patient as the report header names them (PS3.3 C.7.1.1 Patient Module)."""

    name: str = ""
    patient_id: str = ""
    issuer_of_patient_id: str = ""
    birth_date: str = ""  # DICOM DA, YYYYMMDD
    sex: str = ""


@dataclass(frozen=True)
class StudyHeader:
    """The study reported on (PS3.3 C.7.2.1 General Study Module)."""

    study_uid: str
    accession_number: str = ""
    study_id: str = ""
    study_date: str = ""  # DICOM DA
    study_time: str = ""  # DICOM TM
    description: str = ""
    timezone_offset: str = ""  # DICOM Timezone Offset From UTC (+HHMM) of the study's times; "" unknown
    placer_order_number: str = ""  # (0040,2016), the order's number at the placer (HL7 OBR-2)
    filler_order_number: str = ""  # (0040,2017), the order's number at the filler (HL7 OBR-3)
    modalities: tuple[str, ...] = ()
    referring_physician: str = ""


@dataclass(frozen=True)
class KeyImage:
    """An image the reader marked as key: what it is, and optionally its thumbnail pixels elsewhere."""

    sop_class_uid: str
    sop_instance_uid: str
    series_uid: str = ""
    frame: int | None = None
    caption: str = ""


@dataclass(frozen=True)
class HistoryEvent:
    """One thing that happened to a version (created, made preliminary, signed...)."""

    at: str  # ISO 8601 UTC
    action: str
    by: str = ""
    detail: str = ""


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0)


def _iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.timezone.utc).isoformat()


@dataclass(frozen=True)
class Report:
    """One version of a report. Immutable: every edit returns a new object (cheap, and a
    final version cannot be changed by accident); edits of a final version raise ``ReportError``.

    ``fields`` holds the template's typed field values by field id; ``measurements`` are lines
    of text ("Lesion 1: 12.3 mm") and ``key_images`` references, both filled by the viewer.
    The DICOM UIDs of the documents of this version (SR and Encapsulated PDF) are chosen when
    the version is created, so that a later version can name them as its predecessors.
    """

    report_uid: str
    version_uid: str
    study: StudyHeader
    patient: PatientHeader = field(default_factory=PatientHeader)
    template_id: str = "generic"
    version: int = 1
    kind: VersionKind = VersionKind.ORIGINAL
    predecessor_uid: str = ""
    reason: str = ""
    status: ReportStatus = ReportStatus.DRAFT
    sections: Mapping[str, str] = field(default_factory=dict)
    fields: Mapping[str, FieldValue] = field(default_factory=dict)
    measurements: tuple[str, ...] = ()
    key_images: tuple[KeyImage, ...] = ()
    author: str = ""
    signer_name: str = ""
    signed_at: str = ""  # ISO 8601 UTC, set when final
    sr_series_uid: str = ""
    sr_instance_uid: str = ""
    pdf_series_uid: str = ""
    pdf_instance_uid: str = ""
    events: tuple[HistoryEvent, ...] = ()
    #: Sections whose text the template or the workstation wrote and the radiologist has
    #: neither edited nor accepted (see the module docstring).
    placeholder_sections: frozenset[str] = frozenset()
    #: Field ids whose value is the template's default, neither edited nor accepted.
    placeholder_fields: frozenset[str] = frozenset()
    #: False for a draft saved before placeholders were recorded: what in it is template text
    #: is worked out again from the template (:func:`workstation.report.templates.mark_template_text`).
    placeholders_recorded: bool = field(default=True, compare=False)

    def __post_init__(self) -> None:
        unknown = set(self.sections) - set(ALL_SECTIONS)
        if unknown:
            raise ReportError(
                f"The report has an unknown section '{sorted(unknown)[0]}'; use one of "
                + ", ".join(ALL_SECTIONS) + "."
            )
        object.__setattr__(self, "sections", MappingProxyType(dict(self.sections)))
        object.__setattr__(self, "fields", MappingProxyType(dict(self.fields)))
        object.__setattr__(self, "kind", VersionKind(self.kind))
        object.__setattr__(self, "status", ReportStatus(self.status))
        object.__setattr__(self, "placeholder_sections", frozenset(self.placeholder_sections))
        object.__setattr__(self, "placeholder_fields", frozenset(self.placeholder_fields))
        for name in ("sr_series_uid", "sr_instance_uid", "pdf_series_uid", "pdf_instance_uid"):
            if not getattr(self, name):
                object.__setattr__(self, name, generate_uid())

    # -- creating ------------------------------------------------------------------------------

    @classmethod
    def new(
        cls,
        study: StudyHeader,
        patient: PatientHeader | None = None,
        *,
        template_id: str = "generic",
        author: str = "",
        sections: Mapping[str, str] | None = None,
        fields: Mapping[str, FieldValue] | None = None,
        placeholder_sections: frozenset[str] | set[str] = frozenset(),
        placeholder_fields: frozenset[str] | set[str] = frozenset(),
    ) -> Report:
        """A first draft with a new report UID; ``placeholder_*`` name the sections and fields
        whose content the workstation wrote (template text, defaults), not the radiologist."""
        if not study.study_uid:
            raise ReportError("A report needs the Study Instance UID of the study it reports on.")
        return cls(
            report_uid=generate_uid(),
            version_uid=generate_uid(),
            study=study,
            patient=patient or PatientHeader(),
            template_id=template_id,
            author=author,
            sections=dict(sections or {}),
            fields=dict(fields or {}),
            events=(HistoryEvent(_iso(utc_now()), "created", author),),
            placeholder_sections=frozenset(placeholder_sections),
            placeholder_fields=frozenset(placeholder_fields),
        )

    # -- state ---------------------------------------------------------------------------------

    @property
    def locked(self) -> bool:
        """True once signed: a final version never changes."""
        return self.status is ReportStatus.FINAL

    @property
    def fhir_status(self) -> str:
        """FHIR R4 DiagnosticReport.status for this version (HL7 value set report-status)."""
        if self.status is not ReportStatus.FINAL:
            return "preliminary" if self.status is ReportStatus.PRELIMINARY else "registered"
        if self.kind is VersionKind.ADDENDUM:
            return "appended"
        if self.kind is VersionKind.CORRECTION:
            return "amended"
        return "final"

    def section(self, name: str) -> str:
        return self.sections.get(name, "")

    def _editable(self, what: str) -> None:
        if self.locked:
            raise ReportError(
                f"Version {self.version} of this report is signed and locked, so its {what} cannot "
                "change; write an addendum or a correction instead."
            )

    def _event(self, action: str, by: str = "", detail: str = "") -> tuple[HistoryEvent, ...]:
        return self.events + (HistoryEvent(_iso(utc_now()), action, by, detail),)

    # -- editing (each returns a new Report) --------------------------------------------------

    def with_section(self, name: str, text: str) -> Report:
        """The report with the text of one section replaced."""
        self._editable("text")
        if name not in ALL_SECTIONS:
            raise ReportError(f"'{name}' is not a report section; use one of {', '.join(ALL_SECTIONS)}.")
        if name == ADDENDUM and self.kind is not VersionKind.ADDENDUM:
            raise ReportError("Only an addendum version has an addendum section; start an addendum first.")
        sections = dict(self.sections)
        sections[name] = text
        return replace(self, sections=sections, placeholder_sections=self.placeholder_sections - {name})

    def with_placeholder_section(self, name: str, text: str) -> Report:
        """The report with a section the workstation fills (a comparison line found from the
        priors): its text is a placeholder until the radiologist edits or accepts it."""
        report = self.with_section(name, text)
        return replace(report, placeholder_sections=report.placeholder_sections | {name})

    def with_sections(self, **texts: str) -> Report:
        report = self
        for name, text in texts.items():
            report = report.with_section(name, text)
        return report

    def with_field(self, field_id: str, value: FieldValue) -> Report:
        """The report with one typed field value set (``None`` clears it); the value is the
        radiologist's from now on."""
        self._editable("fields")
        values = dict(self.fields)
        if value is None:
            values.pop(field_id, None)
        else:
            values[field_id] = value
        return replace(self, fields=values, placeholder_fields=self.placeholder_fields - {field_id})

    # -- placeholders (what the radiologist did not say) --------------------------------------

    def untouched(self) -> tuple[list[str], list[str]]:
        """(sections, field ids) that hold a placeholder nobody edited or accepted, in reading
        order (sections) and sorted (fields); empty placeholders are not listed."""
        sections = [n for n in ALL_SECTIONS if n in self.placeholder_sections and self.section(n).strip()]
        fields = sorted(f for f in self.placeholder_fields if self.fields.get(f) not in (None, ""))
        return sections, fields

    @property
    def has_placeholders(self) -> bool:
        sections, fields = self.untouched()
        return bool(sections or fields)

    def with_placeholders_accepted(self, sections: Iterable[str] | None = None,
                                   fields: Iterable[str] | None = None) -> Report:
        """The report with placeholders accepted as the radiologist's own text (all of them when
        both are ``None``; else those named)."""
        self._editable("placeholders")
        if sections is None and fields is None:
            return replace(self, placeholder_sections=frozenset(), placeholder_fields=frozenset())
        return replace(self, placeholder_sections=self.placeholder_sections - set(sections or ()),
                       placeholder_fields=self.placeholder_fields - set(fields or ()))

    def spoken(self) -> Report:
        """The report without its untouched placeholders: only what the radiologist wrote or
        accepted. The PDF, the SR and the RIS text are made from this."""
        if not (self.placeholder_sections or self.placeholder_fields):
            return self
        sections = {k: v for k, v in self.sections.items() if k not in self.placeholder_sections}
        fields = {k: v for k, v in self.fields.items() if k not in self.placeholder_fields}
        return replace(self, sections=sections, fields=fields,
                       placeholder_sections=frozenset(), placeholder_fields=frozenset())

    def with_measurements(self, lines: tuple[str, ...] | list[str]) -> Report:
        self._editable("measurements")
        return replace(self, measurements=tuple(lines))

    def with_key_images(self, images: tuple[KeyImage, ...] | list[KeyImage]) -> Report:
        self._editable("key images")
        return replace(self, key_images=tuple(images))

    def made_preliminary(self, by: str = "") -> Report:
        """draft -> preliminary (a wet read others may see); needs findings or an impression
        the radiologist wrote (a placeholder does not count)."""
        if self.status is not ReportStatus.DRAFT:
            raise ReportError(f"Only a draft can be made preliminary; this version is {self.status.value}.")
        said = self.spoken()
        if not (said.section("findings").strip() or said.section("impression").strip()
                or said.section(ADDENDUM).strip()):
            raise ReportError("A preliminary report needs findings or an impression; write one first.")
        return replace(self, status=ReportStatus.PRELIMINARY, events=self._event("made preliminary", by))

    def _signed(self, signer_name: str, signed_at: dt.datetime, *,
                leave_out_placeholders: bool = False,
                labels: Mapping[str, str] | None = None) -> Report:
        """The final, locked version; only :func:`workstation.report.signing.sign_report` calls this.

        A draft with untouched placeholders raises :class:`PlaceholderError` unless the signer
        consented to ``leave_out_placeholders``; either way the final version holds only what the
        radiologist wrote or accepted (:meth:`spoken`). ``labels`` name fields in the sentence."""
        self._editable("status")
        if not signer_name.strip():
            raise ReportError("A final report needs the name of the person who signs it.")
        if self.has_placeholders and not leave_out_placeholders:
            raise PlaceholderError(self.placeholder_sentence(labels))
        return replace(
            self.spoken(),
            status=ReportStatus.FINAL,
            signer_name=signer_name,
            signed_at=_iso(signed_at),
            events=self._event("signed", signer_name),
        )

    def placeholder_names(self, labels: Mapping[str, str] | None = None) -> list[str]:
        """The untouched placeholders as a reader calls them: section titles, field labels."""
        sections, fields = self.untouched()
        labels = labels or {}
        return [SECTION_TITLES[s] for s in sections] + [labels.get(f, f) for f in fields]

    def placeholder_sentence(self, labels: Mapping[str, str] | None = None) -> str:
        """One sentence naming the untouched placeholders (for a refusal to sign)."""
        names = self.placeholder_names(labels)
        return ("The report still holds template text nobody wrote or accepted (" + ", ".join(names)
                + "); edit or accept it, or confirm that it is left out of the signed report.")

    def _next_version(self, kind: VersionKind, reason: str, author: str) -> Report:
        if not self.locked:
            raise ReportError(
                f"Only a final report gets an {kind.value}; this version is {self.status.value}, edit it instead."
            )
        if not reason.strip():
            raise ReportError(f"An {kind.value} needs a reason (why the signed report changes).")
        sections = dict(self.sections)
        sections.pop(ADDENDUM, None)
        return Report(
            report_uid=self.report_uid,
            version_uid=generate_uid(),
            study=self.study,
            patient=self.patient,
            template_id=self.template_id,
            version=self.version + 1,
            kind=kind,
            predecessor_uid=self.version_uid,
            reason=reason,
            status=ReportStatus.DRAFT,
            sections=sections,
            fields=dict(self.fields),
            measurements=self.measurements,
            key_images=self.key_images,
            author=author or self.author,
            sr_series_uid=self.sr_series_uid,
            pdf_series_uid=self.pdf_series_uid,
            events=(HistoryEvent(_iso(utc_now()), f"{kind.value} started", author, reason),),
        )

    def addendum(self, reason: str, author: str = "") -> Report:
        """A new draft version that adds text to this final one (which stands unchanged)."""
        return self._next_version(VersionKind.ADDENDUM, reason, author)

    def correction(self, reason: str, author: str = "") -> Report:
        """A new draft version that replaces the content of this final one."""
        return self._next_version(VersionKind.CORRECTION, reason, author)

    # -- JSON ----------------------------------------------------------------------------------

    def to_json(self) -> dict[str, Any]:
        return {
            "report_uid": self.report_uid,
            "version_uid": self.version_uid,
            "version": self.version,
            "kind": self.kind.value,
            "predecessor_uid": self.predecessor_uid,
            "reason": self.reason,
            "status": self.status.value,
            "template_id": self.template_id,
            "study": {**self.study.__dict__, "modalities": list(self.study.modalities)},
            "patient": dict(self.patient.__dict__),
            "sections": dict(self.sections),
            "fields": dict(self.fields),
            "measurements": list(self.measurements),
            "key_images": [dict(k.__dict__) for k in self.key_images],
            "author": self.author,
            "signer_name": self.signer_name,
            "signed_at": self.signed_at,
            "sr_series_uid": self.sr_series_uid,
            "sr_instance_uid": self.sr_instance_uid,
            "pdf_series_uid": self.pdf_series_uid,
            "pdf_instance_uid": self.pdf_instance_uid,
            "events": [dict(e.__dict__) for e in self.events],
            "placeholder_sections": sorted(self.placeholder_sections),
            "placeholder_fields": sorted(self.placeholder_fields),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Report:
        try:
            study = dict(data["study"])
            study["modalities"] = tuple(study.get("modalities", ()))
            return cls(
                report_uid=data["report_uid"],
                version_uid=data["version_uid"],
                version=int(data.get("version", 1)),
                kind=VersionKind(data.get("kind", "original")),
                predecessor_uid=data.get("predecessor_uid", ""),
                reason=data.get("reason", ""),
                status=ReportStatus(data.get("status", "draft")),
                template_id=data.get("template_id", "generic"),
                study=StudyHeader(**study),
                patient=PatientHeader(**data.get("patient", {})),
                sections=data.get("sections", {}),
                fields=data.get("fields", {}),
                measurements=tuple(data.get("measurements", ())),
                key_images=tuple(KeyImage(**k) for k in data.get("key_images", ())),
                author=data.get("author", ""),
                signer_name=data.get("signer_name", ""),
                signed_at=data.get("signed_at", ""),
                sr_series_uid=data.get("sr_series_uid", ""),
                sr_instance_uid=data.get("sr_instance_uid", ""),
                pdf_series_uid=data.get("pdf_series_uid", ""),
                pdf_instance_uid=data.get("pdf_instance_uid", ""),
                events=tuple(HistoryEvent(**e) for e in data.get("events", ())),
                placeholder_sections=frozenset(data.get("placeholder_sections", ())),
                placeholder_fields=frozenset(data.get("placeholder_fields", ())),
                placeholders_recorded="placeholder_sections" in data,
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise ReportError(f"The saved report is incomplete or invalid ({type(exc).__name__}: {exc}).") from exc


@dataclass
class ReportHistory:
    """Every version of one report, oldest first; only the newest may be unsigned.

    Appending checks the links: same report UID, version numbers counting up by one, each new
    version naming the previous one as its predecessor, and the previous one final.
    """

    versions: list[Report]

    def __post_init__(self) -> None:
        if not self.versions:
            raise ReportError("A report history needs at least one version.")
        checked = [self.versions[0]]
        for version in self.versions[1:]:
            _check_link(checked[-1], version)
            checked.append(version)

    @property
    def report_uid(self) -> str:
        return self.versions[0].report_uid

    @property
    def current(self) -> Report:
        return self.versions[-1]

    def update(self, report: Report) -> None:
        """Replace the newest version by its edited self, or append a new version."""
        current = self.current
        if report.version_uid == current.version_uid:
            if current.locked:
                raise ReportError(f"Version {current.version} is signed and locked; it cannot be replaced.")
            self.versions[-1] = report
            return
        _check_link(current, report)
        self.versions.append(report)

    def final_versions(self) -> list[Report]:
        return [v for v in self.versions if v.locked]

    def to_json(self) -> dict[str, Any]:
        return {"format": "workstation-report-history", "format_version": 1,
                "report_uid": self.report_uid, "versions": [v.to_json() for v in self.versions]}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ReportHistory:
        if not isinstance(data, Mapping) or data.get("format") != "workstation-report-history":
            raise ReportError("The file is not a saved report history.")
        return cls([Report.from_json(v) for v in data.get("versions", [])])


def _check_link(previous: Report, new: Report) -> None:
    if new.report_uid != previous.report_uid:
        raise ReportError("A version of another report cannot be added to this report's history.")
    if not previous.locked:
        raise ReportError(f"Version {previous.version} is not signed yet; a new version can follow only a final one.")
    if new.version != previous.version + 1 or new.predecessor_uid != previous.version_uid:
        raise ReportError(
            f"Version {new.version} does not follow version {previous.version} (its predecessor link is wrong)."
        )


@dataclass(frozen=True)
class SignerIdentity:
    """Who signed, as the RIS needs it: the structured name and the professional identifier.

    ``identifier`` is the radiologist's national professional number under ``identifier_system``
    (a FHIR system URI; in France the RPPS number, ``urn:oid:1.2.250.1.71.4.2.1``). The names
    come from the signing certificate's surname and givenName (X.520) when it has them, else
    from the settings (Settings > Signing).
    """

    family_name: str = ""
    given_name: str = ""
    identifier: str = ""
    identifier_system: str = ""


@dataclass(frozen=True)
class SignedReport:
    """A final, signed report version: what the outbox delivers to the RIS and the archive.

    ``pdf_bytes`` is the signed PDF (PAdES), the document of record. ``sr_bytes`` and
    ``pdf_dicom_bytes`` are the PS3.10 files of the TID 2000 SR and the Encapsulated PDF when they
    were built. ``fhir_status`` is DiagnosticReport.status: ``final``, ``amended`` (correction) or
    ``appended`` (addendum); ``hl7_result_status`` is OBR-25 (F, or C for a correction).
    """

    report: Report
    pdf_bytes: bytes = field(repr=False)
    signer_name: str
    signed_at: dt.datetime  # UTC
    sr_bytes: bytes = field(default=b"", repr=False)
    pdf_dicom_bytes: bytes = field(default=b"", repr=False)
    #: False when no trusted CA was configured: the signature then verified against the
    #: credential's own self-signed CA only (coherent, but the signer's identity not checked).
    identity_checked: bool = True
    signer_identity: SignerIdentity = field(default_factory=SignerIdentity)
    #: the PAdES baseline level reached (ETSI EN 319 142-1): B-B, B-T (RFC 3161 timestamp) or
    #: B-LT (timestamp and the validation data in the document security store)
    signature_level: str = "B-B"
    timestamped_at: dt.datetime | None = None  # the time in the TSA's token, when there is one
    #: The template's field values as the PDF prints them ("Pulmonary embolism: yes"), by
    #: section: the RIS text carries them too (untouched placeholders are already gone).
    field_text: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def report_uid(self) -> str:
        return self.report.report_uid

    @property
    def version_uid(self) -> str:
        return self.report.version_uid

    @property
    def fhir_status(self) -> str:
        return self.report.fhir_status

    @property
    def hl7_result_status(self) -> str:
        return "C" if self.report.kind is VersionKind.CORRECTION else "F"

    def metadata(self) -> dict[str, Any]:
        """The report.json of an outgoing folder (see :mod:`workstation.report.outgoing`)."""
        report = self.report
        sections = []
        for name in ALL_SECTIONS:  # each section's text, then its field values as the PDF prints them
            text = "\n".join(x for x in (report.section(name).strip(), *self.field_text.get(name, ())) if x)
            if text:
                sections.append({"title": SECTION_TITLES[name], "text": text})
        conclusion = report.section(ADDENDUM) if report.kind is VersionKind.ADDENDUM else ""
        conclusion = "\n\n".join(x for x in (report.section("impression").strip(), conclusion.strip()) if x)
        return {
            "format": "workstation-signed-report",
            "format_version": 1,
            # flat keys read by workstation.report.delivery.package (the outbox)
            "status": self.fhir_status,
            "study_uid": report.study.study_uid,
            "accession_number": report.study.accession_number,
            "patient_id": report.patient.patient_id,
            "patient_name": report.patient.name,
            "issuer_of_patient_id": report.patient.issuer_of_patient_id,
            "patient_birth_date": report.patient.birth_date,
            "patient_sex": report.patient.sex,
            "study_date": report.study.study_date,
            "study_time": report.study.study_time,
            "study_tz_offset": report.study.timezone_offset,
            "placer_order_number": report.study.placer_order_number,
            "filler_order_number": report.study.filler_order_number,
            "study_description": report.study.description,
            "modality": "\\".join(report.study.modalities),
            "predecessor_version_uid": report.predecessor_uid,
            "title": "Diagnostic imaging report",
            "conclusion": conclusion,
            "sections": sections,
            "report_uid": self.report_uid,
            "version_uid": self.version_uid,
            "version": self.report.version,
            "fhir_status": self.fhir_status,
            "hl7_result_status": self.hl7_result_status,
            "signer_name": self.signer_name,
            "signer_family_name": self.signer_identity.family_name,
            "signer_given_name": self.signer_identity.given_name,
            "signer_identifier": self.signer_identity.identifier,
            "signer_identifier_system": self.signer_identity.identifier_system,
            "signed_at": _iso(self.signed_at),
            "signature_level": self.signature_level,
            "timestamped_at": _iso(self.timestamped_at) if self.timestamped_at else "",
            "report": self.report.to_json(),
        }


def read_json_file(path: Path, what: str) -> Any:
    """A JSON file's content, or ``ReportError`` naming the file."""
    try:
        return json.loads(read_protected(path).decode("utf-8"))
    except OSError as exc:
        raise ReportError(f"The {what} {path} cannot be read ({exc.strerror}).") from exc
    except ValueError as exc:
        raise ReportError(f"The {what} {path} is not valid JSON ({exc}).") from exc
