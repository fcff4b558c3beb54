"""A record as a DICOM audit message: the XML of PS3.15 A.5.1 (IHE ITI ATNA, RFC 3881 lineage).

An audit repository reads these: ``EventIdentification`` (EventID, EventTypeCode, action, time,
outcome), two ``ActiveParticipant`` (the signed-in person, the requestor, at this machine; and
the application, RoleIDCode 110150), the
``AuditSourceIdentification`` (this workstation, an "End-user display device") and one
``ParticipantObjectIdentification`` each for the study (Study Instance UID, PS3.15 A.5.2.5) and
the patient (Patient Number, ``ID^^^&issuer`` as HL7 CX), and for a query the query itself.
"""

from __future__ import annotations

import base64
import json
import xml.etree.ElementTree as ET

from workstation.audit.events import APPLICATION, Code, coding_of
from workstation.audit.log import AuditEntry

END_USER_DISPLAY_DEVICE = Code("1", "DCM", "End-user display device")
PATIENT_NUMBER = Code("2", "RFC-3881", "Patient Number")
STUDY_UID = Code("110180", "DCM", "Study Instance UID")
QUERY_OBJECT = Code("110181", "DCM", "SOP Class UID")
STUDY_ROOT_FIND = "1.2.840.10008.5.1.4.1.2.2.1"  # QIDO-RS searches like a Study Root C-FIND


def _coded(parent: ET.Element, tag: str, code: Code) -> ET.Element:
    return ET.SubElement(parent, tag, {"csd-code": code.value, "codeSystemName": code.scheme,
                                       "originalText": code.meaning})


def to_xml(entry: AuditEntry) -> str:
    """The ``AuditMessage`` XML of ``entry`` (one line, UTF-8 text)."""
    coding = coding_of(entry.action)
    root = ET.Element("AuditMessage")
    event = ET.SubElement(root, "EventIdentification", {
        "EventActionCode": entry.action_code or coding.action_code,
        "EventDateTime": entry.time,
        "EventOutcomeIndicator": entry.outcome,
    })
    _coded(event, "EventID", coding.event_id)
    if coding.event_type is not None:
        _coded(event, "EventTypeCode", coding.event_type)
    if entry.outcome_text:
        ET.SubElement(event, "EventOutcomeDescription").text = entry.outcome_text
    participant = {"UserID": entry.user_id or "unidentified", "UserIsRequestor": "true",
                   "NetworkAccessPointID": entry.machine, "NetworkAccessPointTypeCode": "1"}
    if entry.user_id:
        participant["UserName"] = entry.user
    if entry.os_account:
        participant["AlternativeUserID"] = entry.os_account
    ET.SubElement(root, "ActiveParticipant", participant)
    application = ET.SubElement(root, "ActiveParticipant", {
        "UserID": "workstation", "UserIsRequestor": "false",
        "NetworkAccessPointID": entry.machine, "NetworkAccessPointTypeCode": "1"})
    _coded(application, "RoleIDCode", APPLICATION)
    source = ET.SubElement(root, "AuditSourceIdentification", {"AuditSourceID": entry.machine})
    _coded(source, "AuditSourceTypeCode", END_USER_DISPLAY_DEVICE)
    if entry.study_uid:
        study = ET.SubElement(root, "ParticipantObjectIdentification", {
            "ParticipantObjectID": entry.study_uid, "ParticipantObjectTypeCode": "2",
            "ParticipantObjectTypeCodeRole": "3"})
        _coded(study, "ParticipantObjectIDTypeCode", STUDY_UID)
    if entry.patient_id:
        cx = entry.patient_id + (f"^^^&{entry.issuer_of_patient_id}" if entry.issuer_of_patient_id else "")
        patient = ET.SubElement(root, "ParticipantObjectIdentification", {
            "ParticipantObjectID": cx, "ParticipantObjectTypeCode": "1",
            "ParticipantObjectTypeCodeRole": "1"})
        _coded(patient, "ParticipantObjectIDTypeCode", PATIENT_NUMBER)
    query = entry.detail.get("query")
    if isinstance(query, dict):
        obj = ET.SubElement(root, "ParticipantObjectIdentification", {
            "ParticipantObjectID": STUDY_ROOT_FIND, "ParticipantObjectTypeCode": "2",
            "ParticipantObjectTypeCodeRole": "24"})
        _coded(obj, "ParticipantObjectIDTypeCode", QUERY_OBJECT)
        text = json.dumps(query, ensure_ascii=False, sort_keys=True).encode("utf-8")
        ET.SubElement(obj, "ParticipantObjectQuery").text = base64.b64encode(text).decode("ascii")
    return ET.tostring(root, encoding="unicode")
