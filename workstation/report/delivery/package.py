"""One signed report version as it waits in the outbox: the "outgoing" folder contract.

Each version lives in a folder named by its version UID, holding:

* ``report.json``: the report's fields (below);
* ``report.pdf``: the signed PDF, the document of record;
* ``sr.dcm``: the DICOM Structured Report (PS3.3 A.35, TID 2000);
* ``pdf.dcm``: the Encapsulated PDF (PS3.3 A.45.1).

``report.json`` keys (aliases in brackets are accepted too): ``study_uid``
[``study_instance_uid``], ``accession_number`` (may be empty: imported CDs and external studies
have none; the destinations then identify the study by its Study Instance UID), ``patient_id``, ``patient_name`` (DICOM PN,
``Family^Given``), ``issuer_of_patient_id`` (optional), ``status`` (``preliminary``, ``final``,
``amended`` or ``appended``), ``signer_name`` [``signed_by``], ``signed_at``
[``signing_time``] (ISO 8601 with a time zone), ``report_uid`` (the same for every version of a
report), ``version_uid`` (this version; the folder's name), ``conclusion`` [``impression``],
``sections`` (a list of ``{"title", "text"}`` [``heading``/``code``], or a mapping title -> text),
and optionally ``predecessor_version_uid``, ``study_date`` (DICOM DA) and ``study_time`` (DICOM TM):
the exam time, ``study_tz_offset`` (DICOM Timezone Offset From UTC, ``+HHMM``; absent: the
workstation's zone), ``placer_order_number`` and ``filler_order_number`` (the order's numbers when
the study came with them), ``signer_family_name``, ``signer_given_name``, ``signer_identifier``
and ``signer_identifier_system`` (the radiologist's professional identifier, in France the RPPS
number), ``study_description``, ``modality``,
``patient_birth_date``, ``patient_sex``, ``title``, ``hl7_result_status`` (OBR-25 P/F/C; when
absent it follows the status: preliminary P, final F, amended and appended C). Other keys (the
report model's own ``report``, ``format``, ``version``) are kept in ``extra`` and not needed here.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from workstation.crypt.files import read_protected
from workstation.report.delivery.errors import ReportPackageError

STATUSES = ("preliminary", "final", "amended", "appended")
_UID = re.compile(r"^[0-9]+(\.[0-9]+)*$")
REPORT_JSON = "report.json"
REPORT_PDF = "report.pdf"
SR_FILE = "sr.dcm"
PDF_DICOM_FILE = "pdf.dcm"


@dataclass(frozen=True)
class Section:
    """One report section (history, technique, findings, impression ...)."""

    title: str
    text: str


@dataclass(frozen=True)
class ReportVersion:
    """A signed report version read from its outgoing folder."""

    folder: Path
    study_uid: str
    accession_number: str
    patient_id: str
    patient_name: str
    status: str
    signer_name: str
    signed_at: dt.datetime
    report_uid: str
    version_uid: str
    conclusion: str
    sections: tuple[Section, ...] = ()
    issuer_of_patient_id: str = ""
    predecessor_version_uid: str = ""
    title: str = "Diagnostic imaging report"
    study_description: str = ""
    modality: str = ""
    patient_birth_date: str = ""
    patient_sex: str = ""
    hl7_result_status: str = ""  # OBR-25 chosen by the report model (P/F/C); "" = from status
    study_date: str = ""  # DICOM DA
    study_time: str = ""  # DICOM TM
    study_tz_offset: str = ""  # DICOM Timezone Offset From UTC (+HHMM); "" = the local zone
    placer_order_number: str = ""
    filler_order_number: str = ""
    signer_family_name: str = ""
    signer_given_name: str = ""
    signer_identifier: str = ""  # e.g. the RPPS number of a French radiologist
    signer_identifier_system: str = ""  # its FHIR system URI (RPPS: urn:oid:1.2.250.1.71.4.2.1)
    extra: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def pdf_path(self) -> Path:
        return self.folder / REPORT_PDF

    @property
    def sr_path(self) -> Path:
        return self.folder / SR_FILE

    @property
    def pdf_dicom_path(self) -> Path:
        return self.folder / PDF_DICOM_FILE

    def pdf_bytes(self) -> bytes:
        return _read(self.pdf_path)

    @property
    def exam_time(self) -> dt.datetime | dt.date | None:
        """When the study was performed, from ``study_date``/``study_time`` (PS3.5 6.2 DA/TM):
        a time-zone-aware moment when the time is known (the study's offset, else the
        workstation's zone), a date when only the date is, ``None`` when neither is."""
        return exam_moment(self.study_date, self.study_time, self.study_tz_offset)

    def text_lines(self) -> list[str]:
        """The report as plain text lines: each section's title, its lines, then a blank."""
        lines: list[str] = []
        for section in self.sections:
            lines.append(section.title.upper() + ":")
            lines.extend(section.text.splitlines() or [""])
            lines.append("")
        if self.conclusion and not any(_is_impression(s.title) for s in self.sections):
            lines.append("IMPRESSION:")
            lines.extend(self.conclusion.splitlines())
            lines.append("")
        while lines and not lines[-1]:
            lines.pop()
        return lines


_DA = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_TM = re.compile(r"^(\d{2})(\d{2})?(\d{2})?(?:\.\d{1,6})?$")
_TZ = re.compile(r"^([+-])(\d{2})(\d{2})$")


def exam_moment(study_date: str, study_time: str = "",
                tz_offset: str = "") -> dt.datetime | dt.date | None:
    """The exam time from DICOM Study Date (DA), Study Time (TM) and Timezone Offset From UTC
    (PS3.5 6.2, PS3.3 C.12.1.1.8); ``None`` when the date is absent or malformed. Without an
    offset the time is taken in the workstation's own zone (where the modality usually is)."""
    day = _DA.match(study_date.strip())
    if not day:
        return None
    try:
        date = dt.date(int(day[1]), int(day[2]), int(day[3]))
    except ValueError:
        return None
    clock = _TM.match(study_time.strip())
    if not clock:
        return date
    try:
        moment = dt.datetime(date.year, date.month, date.day, int(clock[1]),
                             int(clock[2] or 0), int(clock[3] or 0))
    except ValueError:
        return date
    zone = _TZ.match(tz_offset.strip())
    if zone:
        sign = -1 if zone[1] == "-" else 1
        offset = dt.timedelta(hours=int(zone[2]), minutes=int(zone[3]))
        return moment.replace(tzinfo=dt.timezone(sign * offset))
    return moment.astimezone()


def _is_impression(title: str) -> bool:
    return title.strip().lower() in ("impression", "impressions", "conclusion")


def _read(path: Path) -> bytes:
    try:
        return read_protected(path)
    except OSError as exc:
        raise ReportPackageError(
            f"The outgoing report file {path} cannot be read ({exc.strerror or exc}); the "
            "report must be signed again."
        ) from None


def _pick(data: dict[str, Any], *keys: str, required: bool = True, path: Path) -> str:
    for key in keys:
        value = data.get(key)
        if value not in (None, ""):
            return str(value)
    if required:
        raise ReportPackageError(
            f"The outgoing report {path} has no '{keys[0]}': the report must be signed again."
        )
    return ""


def _sections(raw: Any, path: Path) -> tuple[Section, ...]:
    if raw is None:
        return ()
    if isinstance(raw, dict):
        return tuple(Section(str(k), str(v)) for k, v in raw.items())
    if isinstance(raw, list):
        out = []
        for item in raw:
            if not isinstance(item, dict):
                raise ReportPackageError(f"The outgoing report {path} has a malformed section.")
            title = item.get("title") or item.get("heading") or item.get("name") or ""
            out.append(Section(str(title), str(item.get("text") or item.get("value") or "")))
        return tuple(out)
    raise ReportPackageError(f"The outgoing report {path} has malformed sections.")


def _hl7_status(data: dict[str, Any], path: Path) -> str:
    value = str(data.get("hl7_result_status") or "").upper()
    if value and value not in ("P", "F", "C"):
        raise ReportPackageError(
            f"The outgoing report {path} has HL7 result status '{value}'; only P, F or C are sent."
        )
    return value


def load_report_version(folder: Path) -> ReportVersion:
    """Read and check one outgoing folder; raises :class:`ReportPackageError` naming the file."""
    path = folder / REPORT_JSON
    try:
        data = json.loads(_read(path).decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise ReportPackageError(
            f"The outgoing report {path} is not valid JSON: the report must be signed again."
        ) from None
    if not isinstance(data, dict):
        raise ReportPackageError(f"The outgoing report {path} does not hold a JSON object.")
    status = _pick(data, "status", path=path).lower()
    if status not in STATUSES:
        raise ReportPackageError(
            f"The outgoing report {path} has status '{status}'; only "
            f"{', '.join(STATUSES)} reports are delivered."
        )
    signed_raw = _pick(data, "signed_at", "signing_time", "signed", path=path)
    try:
        signed_at = dt.datetime.fromisoformat(signed_raw.replace("Z", "+00:00"))
    except ValueError:
        raise ReportPackageError(
            f"The outgoing report {path} has a signing time that is not ISO 8601."
        ) from None
    if signed_at.tzinfo is None:
        signed_at = signed_at.astimezone()  # local time, made explicit
    version_uid = _pick(data, "version_uid", path=path)
    for key, uid in (("version_uid", version_uid),
                     ("report_uid", _pick(data, "report_uid", path=path)),
                     ("study_uid", _pick(data, "study_uid", "study_instance_uid", path=path))):
        if not _UID.match(uid) or len(uid) > 64:
            raise ReportPackageError(f"The outgoing report {path} has an invalid {key}.")
    if folder.name != version_uid:
        raise ReportPackageError(
            f"The outgoing report folder {folder} is not named by its version UID."
        )
    return ReportVersion(
        folder=folder,
        study_uid=_pick(data, "study_uid", "study_instance_uid", path=path),
        accession_number=_pick(data, "accession_number", required=False, path=path),
        patient_id=_pick(data, "patient_id", path=path),
        patient_name=_pick(data, "patient_name", required=False, path=path),
        status=status,
        signer_name=_pick(data, "signer_name", "signed_by", "signer", path=path),
        signed_at=signed_at,
        report_uid=_pick(data, "report_uid", path=path),
        version_uid=version_uid,
        conclusion=_pick(data, "conclusion", "impression", required=False, path=path),
        sections=_sections(data.get("sections"), path),
        issuer_of_patient_id=_pick(data, "issuer_of_patient_id", required=False, path=path),
        predecessor_version_uid=_pick(data, "predecessor_version_uid", "predecessor_uid",
                                      required=False, path=path),
        title=_pick(data, "title", required=False, path=path) or "Diagnostic imaging report",
        study_description=_pick(data, "study_description", required=False, path=path),
        modality=_pick(data, "modality", required=False, path=path),
        patient_birth_date=_pick(data, "patient_birth_date", required=False, path=path),
        patient_sex=_pick(data, "patient_sex", required=False, path=path),
        hl7_result_status=_hl7_status(data, path),
        study_date=_pick(data, "study_date", required=False, path=path),
        study_time=_pick(data, "study_time", required=False, path=path),
        study_tz_offset=_pick(data, "study_tz_offset", required=False, path=path),
        placer_order_number=_pick(data, "placer_order_number", required=False, path=path),
        filler_order_number=_pick(data, "filler_order_number", required=False, path=path),
        signer_family_name=_pick(data, "signer_family_name", required=False, path=path),
        signer_given_name=_pick(data, "signer_given_name", required=False, path=path),
        signer_identifier=_pick(data, "signer_identifier", required=False, path=path),
        signer_identifier_system=_pick(data, "signer_identifier_system", required=False, path=path),
        extra=data,
    )
