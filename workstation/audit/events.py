"""The audit vocabulary: what happened, in the DICOM / IHE ATNA codes (PS3.15 A.5, PS3.16 CID 400-403).

Each event the workstation records has a name (the ``action`` of a record, readable in
``workstation audit``) and its coded form in the DICOM audit message schema (PS3.15 A.5.1):

* ``EventID`` from CID 400 "Audit Event ID" (coding scheme ``DCM``), e.g. 110112 "Query";
* ``EventTypeCode`` from CID 401 "Audit Event Type Code" where the schema asks for one
  (110122 "Login" / 110123 "Logout" for a User Authentication event);
* ``EventActionCode``: C create, R read/view/print, U update, D delete, E execute
  (PS3.15 A.5.1, RFC 3881 5.1.2);
* ``EventOutcomeIndicator``: 0 success, 4 minor failure, 8 serious failure, 12 major failure.

The events follow the messages of PS3.15 A.5.3: A.5.3.3 DICOM Instances Accessed (a study opened,
a report signed, a QC action), A.5.3.4 DICOM Instances Transferred (a study pulled, a report
delivered), A.5.3.6 Export (exported, printed), A.5.3.7 Import, A.5.3.10 Query, A.5.3.12 User
Authentication, A.5.3.2 Audit Log Used.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


@dataclass(frozen=True)
class Code:
    """A coded concept (PS3.3 8.8): value, coding scheme designator, meaning."""

    value: str
    scheme: str
    meaning: str


# CID 400 Audit Event ID
APPLICATION_ACTIVITY = Code("110100", "DCM", "Application Activity")
AUDIT_LOG_USED = Code("110101", "DCM", "Audit Log Used")
INSTANCES_ACCESSED = Code("110103", "DCM", "DICOM Instances Accessed")
INSTANCES_TRANSFERRED = Code("110104", "DCM", "DICOM Instances Transferred")
EXPORT = Code("110106", "DCM", "Export")
IMPORT = Code("110107", "DCM", "Import")
QUERY = Code("110112", "DCM", "Query")
USER_AUTHENTICATION = Code("110114", "DCM", "User Authentication")
# CID 401 Audit Event Type Code
LOGIN = Code("110122", "DCM", "Login")
LOGOUT = Code("110123", "DCM", "Logout")
# CID 402 / 404 participant and object identifiers
STUDY_INSTANCE_UID = Code("110180", "DCM", "Study Instance UID")
APPLICATION = Code("110150", "DCM", "Application")
SOURCE_ROLE = Code("110153", "DCM", "Source Role ID")
DESTINATION_ROLE = Code("110152", "DCM", "Destination Role ID")

OUTCOME_SUCCESS = "0"
OUTCOME_MINOR_FAILURE = "4"
OUTCOME_SERIOUS_FAILURE = "8"
OUTCOME_MAJOR_FAILURE = "12"


class AuditAction(str, Enum):
    """What was done (the ``action`` of a record). The QC values are those of the former QC log."""

    SIGNED_IN = "signed_in"
    SIGNED_OUT = "signed_out"
    SESSION_LOCKED = "session_locked"  # idle or on demand: the reader must authenticate again
    SESSION_UNLOCKED = "session_unlocked"  # re-authenticated (a failure: outcome 4)
    STUDY_SEARCHED = "study_searched"
    STUDY_OPENED = "study_opened"
    STUDY_PULLED = "study_pulled"
    STUDY_IMPORTED = "study_imported"
    STUDY_EXPORTED = "study_exported"
    STUDY_PRINTED = "study_printed"
    REPORT_SIGNED = "report_signed"
    REPORT_DELIVERED = "report_delivered"
    AUDIT_LOG_READ = "audit_log_read"
    QC_RUN = "qc_run"  # the checks were run on a study
    QC_PASSED = "qc_passed"  # "mark as checked (QC passed)"
    QC_PASS_WITHDRAWN = "qc_pass_withdrawn"  # a later run undid the pass (new images, errors)
    REJECTED = "rejected"  # an IOCM rejection note was stored for some instances
    CORRECTED = "corrected"  # corrected copies with new UIDs were stored (demographic correction)


@dataclass(frozen=True)
class EventCoding:
    """The ATNA coding of one action: EventID, EventTypeCode (or ``None``), EventActionCode."""

    event_id: Code
    event_type: Code | None
    action_code: str


EVENTS: dict[str, EventCoding] = {
    AuditAction.SIGNED_IN.value: EventCoding(USER_AUTHENTICATION, LOGIN, "E"),
    AuditAction.SIGNED_OUT.value: EventCoding(USER_AUTHENTICATION, LOGOUT, "E"),
    AuditAction.SESSION_LOCKED.value: EventCoding(USER_AUTHENTICATION, LOGOUT, "E"),
    AuditAction.SESSION_UNLOCKED.value: EventCoding(USER_AUTHENTICATION, LOGIN, "E"),
    AuditAction.STUDY_SEARCHED.value: EventCoding(QUERY, None, "E"),
    AuditAction.STUDY_OPENED.value: EventCoding(INSTANCES_ACCESSED, None, "R"),
    AuditAction.STUDY_PULLED.value: EventCoding(INSTANCES_TRANSFERRED, None, "C"),
    AuditAction.STUDY_IMPORTED.value: EventCoding(IMPORT, None, "C"),
    AuditAction.STUDY_EXPORTED.value: EventCoding(EXPORT, None, "R"),
    AuditAction.STUDY_PRINTED.value: EventCoding(EXPORT, None, "R"),
    AuditAction.REPORT_SIGNED.value: EventCoding(INSTANCES_ACCESSED, None, "C"),
    AuditAction.REPORT_DELIVERED.value: EventCoding(INSTANCES_TRANSFERRED, None, "R"),
    AuditAction.AUDIT_LOG_READ.value: EventCoding(AUDIT_LOG_USED, None, "R"),
    AuditAction.QC_RUN.value: EventCoding(INSTANCES_ACCESSED, None, "R"),
    AuditAction.QC_PASSED.value: EventCoding(INSTANCES_ACCESSED, None, "U"),
    AuditAction.QC_PASS_WITHDRAWN.value: EventCoding(INSTANCES_ACCESSED, None, "U"),
    AuditAction.REJECTED.value: EventCoding(INSTANCES_ACCESSED, None, "D"),
    AuditAction.CORRECTED.value: EventCoding(INSTANCES_ACCESSED, None, "C"),
}


def coding_of(action: str) -> EventCoding:
    """The ATNA coding of ``action``; an unknown action is an Application Activity (110100)."""
    return EVENTS.get(action, EventCoding(APPLICATION_ACTIVITY, None, "E"))
