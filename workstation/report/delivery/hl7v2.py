"""Delivery to a RIS over HL7 v2.5: an ORU^R01 observation result message sent over MLLP.

Message (HL7 v2.5 chapter 7, ORU^R01 / ORU_R01):

* ``MSH``: encoding characters ``^~\\&``, message type ``ORU^R01^ORU_R01``, version 2.5, character
  set ``UNICODE UTF-8``; MSH-10 (message control ID) is derived from the version UID, so a resent
  message carries the same ID and a RIS that detects duplicates by MSH-10 drops it.
* ``PID``: patient identifier (PID-3, with the issuer when known), name (PID-5, XPN from the DICOM
  PN), birth date and sex when known.
* ``OBR``: OBR-2 placer order number (when the study came with one), OBR-3 filler order number
  (the accession number, else the order's filler number, else the Study Instance UID as an EI
  with universal ID type ISO: a study without an accession number is still identified),
  OBR-4 LOINC 18748-4, OBR-7 observation date/time = the exam time (Study Date and Time; empty
  when unknown, never the signing time), OBR-22 the signing time, OBR-24 ``RAD``, OBR-25 result
  status ``P`` (preliminary), ``F`` (final) or ``C`` (correction: amended or appended) unless
  report.json names it, OBR-32 the principal result interpreter as NDL whose first component is
  a CNN (HL7 v2.5 2.A.49/2.A.7): ID number (the professional identifier, its system's OID as the
  assigning authority), family name and given name in their own subcomponents.
* one ``OBX`` of type ``ST``, DICOM code 110180 "Study Instance UID", with the study's UID;
* one ``OBX`` of type ``TX`` per line of report text (OBX-11 as OBR-25);
* one ``OBX`` holding the signed PDF: type ``ED`` ``^AP^PDF^Base64^<data>`` while the Base64 text
  fits the RIS profile's ``hl7_max_ed_chars`` (default 65536: the TX/ED data length that strict
  receivers and parsers such as hl7apy accept; 0 = no limit); a larger PDF goes as type ``RP``
  (reference pointer, HL7 v2.5 2.A.65) to the PDF's ``Binary`` on the RIS's FHIR server,
  ``<url>^<sending application>^AP^PDF``, sent once that Binary is there. With no FHIR server
  to point to, a PDF over the limit is refused with a sentence (raise the limit or configure
  FHIR), never cut.

Every text value is escaped with the HL7 escape sequences (``\\F\\ \\S\\ \\T\\ \\R\\ \\E\\``,
HL7 v2.5 2.7). MLLP framing (HL7 v2.5 Appendix C, MLLP release 1): ``0x0B`` message ``0x1C 0x0D``.

The acknowledgment (original mode): MSA-1 ``AA`` (or ``CA``) is success; ``AE`` is an
application error and is retried later; ``AR`` is a rejection that needs a person; the sentence
quotes MSA-3 / ERR text. No answer within the timeout is retried later.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import logging
import socket

from workstation.report.delivery.errors import DeliveryError
from workstation.report.delivery.fhir import FhirClient, binary_id
from workstation.report.delivery.package import ReportVersion
from workstation.report.delivery.profile import RisProfile

log = logging.getLogger(__name__)

START_BLOCK = b"\x0b"
END_BLOCK = b"\x1c\x0d"
SEGMENT_END = "\r"
RESULT_STATUS = {"preliminary": "P", "final": "F", "amended": "C", "appended": "C"}
REPORT_CODE = "18748-4^Diagnostic imaging study^LN"
STUDY_UID_CODE = "110180^Study Instance UID^DCM"
MAX_ACK_BYTES = 1 << 20


def escape(value: str) -> str:
    """A text value with HL7 delimiters escaped (HL7 v2.5 2.7.1); line breaks become spaces."""
    out = (value.replace("\\", "\\E\\").replace("|", "\\F\\").replace("^", "\\S\\")
           .replace("&", "\\T\\").replace("~", "\\R\\"))
    return out.replace("\r\n", " ").replace("\r", " ").replace("\n", " ")


def hl7_timestamp(moment: dt.datetime) -> str:
    """HL7 TS/DTM ``YYYYMMDDHHMMSS+ZZZZ``."""
    if moment.tzinfo is None:
        moment = moment.astimezone()
    return moment.strftime("%Y%m%d%H%M%S%z")


def hl7_exam_time(version: ReportVersion) -> str:
    """OBR-7: the exam time as DTM (``YYYYMMDDHHMMSS+ZZZZ``, or ``YYYYMMDD``), "" when unknown."""
    moment = version.exam_time
    if isinstance(moment, dt.datetime):
        return hl7_timestamp(moment)
    if isinstance(moment, dt.date):
        return moment.strftime("%Y%m%d")
    return ""


def _oid(system: str) -> str:
    return system[len("urn:oid:"):] if system.startswith("urn:oid:") else ""


def interpreter_ndl(version: ReportVersion) -> str:
    """OBR-32: NDL whose CNN (ID&family&given&second&suffix&prefix&degree&source table&
    assigning authority namespace&universal ID&universal ID type) names the signer.

    The family and given names come from the signed report; when it has none (no structured
    name in the certificate or the settings), the whole name is the family name, as before:
    signing warns about it."""
    family = version.signer_family_name or (version.signer_name if not
                                             version.signer_given_name else "")
    oid = _oid(version.signer_identifier_system)
    parts = [version.signer_identifier, family, version.signer_given_name, "", "", "", "", "",
             "", oid, "ISO" if oid else ""]
    clean = [escape(p).replace("&", "") for p in parts]
    return "&".join(clean).rstrip("&")


def filler_order_number(version: ReportVersion) -> str:
    """OBR-3 (EI): the accession number (as this workstation always sent it, so RIS matching
    stays the same), else the order's filler number from the study, else the Study Instance UID
    (``<UID>^^<UID>^ISO``: a DICOM UID is an ISO OID)."""
    number = version.accession_number or version.filler_order_number
    if number:
        return escape(number)
    return f"{version.study_uid}^^{version.study_uid}^ISO"


def pdf_too_large(pdf: bytes, profile: RisProfile) -> bool:
    """Whether the PDF's Base64 text exceeds the profile's ``hl7_max_ed_chars`` (0: no limit)."""
    limit = int(profile.hl7_max_ed_chars)
    return limit > 0 and 4 * ((len(pdf) + 2) // 3) > limit


def binary_url(version: ReportVersion, profile: RisProfile) -> str:
    """The absolute URL of the PDF's Binary on the RIS's FHIR server ("" without one)."""
    if not profile.fhir_url:
        return ""
    return f"{profile.fhir_url.rstrip('/')}/Binary/{binary_id(version)}"


def message_control_id(version: ReportVersion) -> str:
    """MSH-10: 20 hex digits of the SHA-1 of the version UID (stable across retries)."""
    return hashlib.sha1(version.version_uid.encode("ascii")).hexdigest()[:20].upper()


def _xpn(pn: str) -> str:
    """HL7 XPN (family^given^second^suffix^prefix) from a DICOM PN (family^given^middle^prefix^
    suffix, PS3.5 6.2)."""
    parts = (pn.split("=")[0].split("^") + [""] * 5)[:5]
    family, given, middle, prefix, suffix = (escape(p) for p in parts)
    return "^".join([family, given, middle, suffix, prefix]).rstrip("^")


def build_oru(version: ReportVersion, pdf: bytes, profile: RisProfile,
              now: dt.datetime | None = None, *, pdf_reference: str = "") -> str:
    """The ORU^R01 message for ``version`` with segments separated by carriage returns; with
    ``pdf_reference`` (a URL) the PDF is referenced (OBX type RP) instead of embedded."""
    now = now or dt.datetime.now().astimezone()
    status = version.hl7_result_status or RESULT_STATUS[version.status]
    signed = hl7_timestamp(version.signed_at)
    pid3 = escape(version.patient_id)
    if version.issuer_of_patient_id:
        pid3 += "^^^" + escape(version.issuer_of_patient_id)
    segments = [
        "|".join([
            "MSH", "^~\\&", escape(profile.sending_application), escape(profile.sending_facility),
            escape(profile.receiving_application), escape(profile.receiving_facility),
            hl7_timestamp(now), "", "ORU^R01^ORU_R01", message_control_id(version), "P", "2.5",
            "", "", "", "", "", "UNICODE UTF-8",
        ]),
        "|".join([
            "PID", "1", "", pid3, "", _xpn(version.patient_name),
            "", escape(version.patient_birth_date), escape(version.patient_sex[:1]),
        ]).rstrip("|"),
    ]
    obr = ["OBR", "1", escape(version.placer_order_number), filler_order_number(version),
           REPORT_CODE, "", "", hl7_exam_time(version)]
    obr += [""] * (22 - len(obr)) + [signed, "", "RAD", status]
    obr += [""] * (32 - len(obr)) + [interpreter_ndl(version)]
    segments.append("|".join(obr))
    set_id = 1
    segments.append("|".join(["OBX", str(set_id), "ST", STUDY_UID_CODE, "",
                              version.study_uid, "", "", "", "", "", status]))
    for sub_id, line in enumerate(version.text_lines(), 1):
        set_id += 1
        segments.append("|".join(["OBX", str(set_id), "TX", REPORT_CODE, str(sub_id),
                                  escape(line), "", "", "", "", "", status]))
    set_id += 1
    if pdf_reference:
        pointer = (f"{escape(pdf_reference)}^{escape(profile.sending_application)}^AP^PDF")
        segments.append("|".join(["OBX", str(set_id), "RP", REPORT_CODE, "PDF", pointer,
                                  "", "", "", "", "", status]))
    else:
        data = escape(base64.b64encode(pdf).decode("ascii"))
        segments.append("|".join(["OBX", str(set_id), "ED", REPORT_CODE, "PDF",
                                  f"^AP^PDF^Base64^{data}", "", "", "", "", "", status]))
    return SEGMENT_END.join(segments) + SEGMENT_END


def frame(message: str) -> bytes:
    """The message in an MLLP block (UTF-8)."""
    return START_BLOCK + message.encode("utf-8") + END_BLOCK


def _fields(segment: str) -> list[str]:
    return segment.split("|")


def check_ack(ack: str, control_id: str, where: str) -> None:
    """Raise :class:`DeliveryError` unless ``ack`` accepts the message ``control_id``."""
    segments = [s for s in ack.replace("\n", "\r").split("\r") if s]
    msa = next((_fields(s) for s in segments if s.startswith("MSA")), None)
    if msa is None or len(msa) < 2:
        raise DeliveryError(
            f"The RIS at {where} answered without an acknowledgment (no MSA segment); the report "
            "is sent again later.", retryable=True)
    code = msa[1].strip().upper()
    acked_id = msa[2].strip() if len(msa) > 2 else ""
    text = msa[3].strip() if len(msa) > 3 else ""
    err = next((_fields(s) for s in segments if s.startswith("ERR")), None)
    if not text and err is not None:
        text = next((f for f in reversed(err[1:]) if f.strip()), "")
    text = text.replace("^", " ").strip()[:160]
    if code in ("AA", "CA"):
        if acked_id and acked_id != control_id:
            raise DeliveryError(
                f"The RIS at {where} acknowledged another message ({acked_id}); the report is "
                "sent again later.", retryable=True)
        return
    said = f": {text}" if text else ""
    if code in ("AE", "CE"):
        raise DeliveryError(
            f"The RIS at {where} could not process the report (HL7 {code}{said}); it is sent "
            "again later.", retryable=True)
    raise DeliveryError(
        f"The RIS at {where} rejected the report (HL7 {code or 'no code'}{said}); tell the RIS "
        "administrator.", retryable=False)


def send_mllp(message: str, host: str, port: int, timeout_s: float) -> str:
    """Send one message over MLLP and return the acknowledgment's text."""
    where = f"{host}:{port}"
    try:
        with socket.create_connection((host, port), timeout=timeout_s) as sock:
            sock.settimeout(timeout_s)
            sock.sendall(frame(message))
            buffer = b""
            while END_BLOCK not in buffer:
                chunk = sock.recv(65536)
                if not chunk:
                    raise DeliveryError(
                        f"The RIS at {where} closed the connection before acknowledging the "
                        "report; it is sent again later.", retryable=True)
                buffer += chunk
                if len(buffer) > MAX_ACK_BYTES:
                    raise DeliveryError(
                        f"The RIS at {where} answered with more than an acknowledgment; the "
                        "report is sent again later.", retryable=True)
    except TimeoutError:
        raise DeliveryError(
            f"The RIS at {where} did not acknowledge the report within {timeout_s:g} s; it is "
            "sent again later.", retryable=True) from None
    except (ConnectionResetError, BrokenPipeError):
        raise DeliveryError(
            f"The RIS at {where} closed the connection before acknowledging the report; it is "
            "sent again later.", retryable=True) from None
    except OSError as exc:
        reason = "the connection was refused" if isinstance(exc, ConnectionRefusedError) \
            else "the connection failed"
        raise DeliveryError(
            f"The RIS at {where} could not be reached over MLLP ({reason}); the report is sent "
            "again later.", retryable=True) from None
    start = buffer.find(START_BLOCK)
    block = buffer[start + 1: buffer.index(END_BLOCK)] if start >= 0 else buffer
    return block.decode("utf-8", errors="replace")


def deliver_hl7(version: ReportVersion, profile: RisProfile) -> str:
    """Send ``version`` as ORU^R01 and check the ACK; returns a short description."""
    if not profile.mllp_host or not profile.mllp_port:
        raise DeliveryError(
            f"RIS profile '{profile.name}' has no MLLP host and port: enter them in the RIS "
            "settings.", retryable=False)
    control_id = message_control_id(version)
    pdf = version.pdf_bytes()
    reference = _pdf_reference(version, pdf, profile)
    message = build_oru(version, pdf, profile, pdf_reference=reference)
    ack = send_mllp(message, profile.mllp_host, int(profile.mllp_port), profile.mllp_timeout_s)
    check_ack(ack, control_id, f"{profile.mllp_host}:{profile.mllp_port}")
    log.info("HL7 delivery of report version %s acknowledged", version.version_uid)
    how = " (PDF referenced on the FHIR server)" if reference else ""
    return f"ORU^R01 {control_id} acknowledged{how}"


def _pdf_reference(version: ReportVersion, pdf: bytes, profile: RisProfile) -> str:
    """"" when the PDF is embedded; the Binary's URL when it is too large and the RIS's FHIR
    server holds it. Raises :class:`DeliveryError` when it can be neither embedded nor pointed
    to (yet)."""
    if not pdf_too_large(pdf, profile):
        return ""
    size = f"{len(pdf) // 1024} kB"
    url = binary_url(version, profile)
    if not url:
        raise DeliveryError(
            f"The signed PDF ({size}) is larger than the RIS accepts in one HL7 message "
            f"({profile.hl7_max_ed_chars} characters) and no FHIR server is configured to hold "
            "it; raise the HL7 size limit or add the FHIR URL in the RIS settings.",
            retryable=False)
    client = FhirClient(profile)
    try:
        held = client.read("Binary", binary_id(version), what="PDF check")
    finally:
        client.close()
    if held is None:
        raise DeliveryError(
            f"The signed PDF ({size}) is too large to embed in the HL7 message and is referenced "
            "on the FHIR server, which does not hold it yet; the HL7 report is sent once the "
            "FHIR delivery is done.", retryable=True)
    return url
