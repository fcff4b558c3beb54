"""Which instances of a study are offered for reading once IOCM rejection notes are taken into account.

IHE RAD TF-2 (Imaging Object Change Management, "Rejection Note Stored") asks an Image Display to
stop presenting the instances a rejection note lists. A rejection note is a Key Object Selection
Document (PS3.3 A.35.4) whose document title (Concept Name) is one of the rejection titles of
CID 7010 (113001 Rejected for Quality Reasons, 113037 Rejected for Patient Safety Reasons, 113038
Incorrect Modality Worklist Entry, 113039 Data Retention Policy Expired); see
:mod:`workstation.qc.rejection`. The reading view drops what :func:`visible_headers` leaves out;
the QC view shows the rejected ones greyed with :func:`rejection_map`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from pydicom.dataset import Dataset

from workstation.qc.attributes import text
from workstation.qc.rejection import RejectionReason, rejected_instances, rejection_reason


def rejection_notes(headers: Iterable[Dataset]) -> list[Dataset]:
    """The IOCM rejection notes among a study's headers."""
    return [ds for ds in headers if rejection_reason(ds) is not None]


def visible_headers(headers: Sequence[Dataset]) -> tuple[list[Dataset], set[str]]:
    """(headers offered for reading, SOP Instance UIDs rejected by the study's rejection notes).

    The visible list keeps the input order and leaves out both the rejected instances and the
    rejection notes themselves (they are instructions to the archive, not documents to read).
    Other key object selections (key images, "Of Interest") stay visible.
    """
    notes = rejection_notes(headers)
    rejected = rejected_instances(notes)
    note_uids = {text(ds, "SOPInstanceUID") for ds in notes}
    visible = [
        ds for ds in headers
        if text(ds, "SOPInstanceUID") not in rejected and text(ds, "SOPInstanceUID") not in note_uids
    ]
    return visible, rejected


def rejection_map(headers: Iterable[Dataset]) -> dict[str, RejectionReason]:
    """SOP Instance UID -> why it was rejected, for greying rejected images in QC mode.

    When several notes reject one instance, the first note in ``headers`` order gives the reason.
    """
    reasons: dict[str, RejectionReason] = {}
    for note in rejection_notes(headers):
        reason = rejection_reason(note)
        if reason is None:
            continue
        for uid in rejected_instances([note]):
            reasons.setdefault(uid, reason)
    return reasons
