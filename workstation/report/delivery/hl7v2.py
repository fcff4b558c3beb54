"""Delivery to a RIS over HL7 v2.5: an ORU^R01 observation result message sent over MLLP.

Message (HL7 v2.5 chapter 7, ORU^R01 / ORU_R01):

* ``MSH``: encoding characters ``^~\\&``, message type ``ORU^R01^ORU_R01``, version 2.5, character
  set ``UNICODE UTF-8``; MSH-10 (message control ID) is derived from the version UID, so a resent
  message carries the same ID and a RIS that detects duplicates by MSH-10 drops it.
* ``PID``: patient identifier (PID-3, with the issuer when known), name (PID-5, XPN from the DICOM
  PN), birth date and sex when known.
* ``OBR``: OBR-3 filler order number = accession number, OBR-4 LOINC 18748-4, OBR-7 observation
  time, OBR-22 the signing time, OBR-24 ``RAD``, OBR-25 result status ``P`` (preliminary), ``F``
  (final) or ``C`` (correction: amended or appended) unless report.json names it, OBR-32 the
  principal result interpreter.
* one ``OBX`` of type ``TX`` per line of report text (OBX-11 as OBR-25);
* one ``OBX`` of type ``ED`` holding the signed PDF: ``^AP^PDF^Base64^<data>``.

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
from workstation.report.delivery.package import ReportVersion
from workstation.report.delivery.profile import RisProfile

log = logging.getLogger(__name__)

START_BLOCK = b"\x0b"
END_BLOCK = b"\x1c\x0d"
SEGMENT_END = "\r"
RESULT_STATUS = {"preliminary": "P", "final": "F", "amended": "C", "appended": "C"}
REPORT_CODE = "18748-4^Diagnostic imaging study^LN"
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
              now: dt.datetime | None = None) -> str:
    """The ORU^R01 message for ``version`` with segments separated by carriage returns."""
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
    obr = ["OBR", "1", "", escape(version.accession_number), REPORT_CODE, "", "", signed]
    obr += [""] * (22 - len(obr)) + [signed, "", "RAD", status]
    obr += [""] * (32 - len(obr)) + ["&" + escape(version.signer_name).replace("&", "")]
    segments.append("|".join(obr))
    set_id = 0
    for sub_id, line in enumerate(version.text_lines(), 1):
        set_id += 1
        segments.append("|".join(["OBX", str(set_id), "TX", REPORT_CODE, str(sub_id),
                                  escape(line), "", "", "", "", "", status]))
    set_id += 1
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
    message = build_oru(version, version.pdf_bytes(), profile)
    ack = send_mllp(message, profile.mllp_host, int(profile.mllp_port), profile.mllp_timeout_s)
    check_ack(ack, control_id, f"{profile.mllp_host}:{profile.mllp_port}")
    log.info("HL7 delivery of report version %s acknowledged", version.version_uid)
    return f"ORU^R01 {control_id} acknowledged"
