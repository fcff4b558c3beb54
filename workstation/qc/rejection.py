"""IHE IOCM rejection notes: withdraw images from reading by a standard Key Object Selection.

IHE RAD TF-1 (Imaging Object Change Management) rejects objects with a Key Object Selection
Document (PS3.3 A.35.4, SOP Class 1.2.840.10008.5.1.4.1.1.88.59) whose Concept Name Code
(document title) is one of the rejection titles of CID 7010 "Key Object Selection Document Title"
(113001 "Rejected for Quality Reasons", 113037, 113038, 113039; CID 7011 is not the title list
but the optional "Document Title Modifier" detail of a quality rejection, TID 2010), and whose
Current Requested Procedure Evidence Sequence (PS3.3 C.17.2.1) lists every rejected instance; its
content tree lists each as an unnamed IMAGE item (COMPOSITE for non-images), as TID 2010 wants.
The note has new Series and SOP Instance UIDs and inherits the patient and study of the images
it rejects (one study per note), and is in UTF-8 (ISO_IR 192) whatever their character set. It is sent by STOW-RS (PS3.18 10.5); readers that see it hide
the instances it lists (:func:`rejected_instances`).
"""

from __future__ import annotations

import io
import warnings
from collections.abc import Iterable, Sequence
from enum import Enum

from pydicom.dataset import Dataset
from pydicom.sr.coding import Code
from pydicom.uid import generate_uid

from workstation import __version__
from workstation.errors import WorkstationError
from workstation.model import series_numbers
from workstation.model.charset import UTF8
from workstation.model.key_object_items import as_tid2010, image_uids
from workstation.model.sop_classes import KEY_OBJECT_SELECTION
from workstation.net.dicomweb import DicomWebClient, StoreResult
from workstation.qc.attributes import text
from workstation.qc.audit import AuditAction, AuditLog


class RejectionReason(Enum):
    """The IOCM rejection titles of CID 7010, as (code value, meaning) in the DCM scheme.

    IHE IOCM uses ``INCORRECT_WORKLIST_ENTRY`` (113038) for a data correction: the instances
    were acquired or labelled with the wrong patient or procedure data and are replaced by
    corrected copies with new UIDs. DICOM has no separate "data correction" title.
    """

    QUALITY = ("113001", "Rejected for Quality Reasons")
    PATIENT_SAFETY = ("113037", "Rejected for Patient Safety Reasons")
    INCORRECT_WORKLIST_ENTRY = ("113038", "Incorrect Modality Worklist Entry")
    RETENTION_EXPIRED = ("113039", "Data Retention Policy Expired")

    @property
    def code_value(self) -> str:
        return self.value[0]

    @property
    def meaning(self) -> str:
        return self.value[1]

    def code(self) -> Code:
        return Code(self.code_value, "DCM", self.meaning)


_REJECTION_CODES = {reason.code_value for reason in RejectionReason}
#: Series Number given to rejection notes (high, so they sort after the acquisitions).
REJECTION_SERIES_NUMBER = series_numbers.REJECTION_NOTES


class RejectionError(WorkstationError):
    """A rejection note could not be built (no images, several studies, incomplete headers)."""


def _reason(reason: RejectionReason | str) -> RejectionReason:
    if isinstance(reason, RejectionReason):
        return reason
    for candidate in RejectionReason:
        if reason in (candidate.code_value, candidate.name, candidate.meaning):
            return candidate
    raise RejectionError(f"'{reason}' is not a rejection reason of CID 7010; use one of "
                         + ", ".join(r.meaning for r in RejectionReason) + ".")


def _evidence(headers: Sequence[Dataset]) -> list[Dataset]:
    """Copies with what highdicom needs from each image (identity, study, series, instance)."""
    keep = (
        "PatientName", "PatientID", "IssuerOfPatientID", "PatientBirthDate", "PatientSex",
        "StudyInstanceUID", "StudyDate", "StudyTime", "StudyID", "AccessionNumber",
        "ReferringPhysicianName", "StudyDescription", "SeriesInstanceUID", "SOPClassUID",
        "SOPInstanceUID", "Modality",
    )
    out = []
    for ds in headers:
        copy = Dataset()
        for keyword in keep:
            if keyword in ds:
                copy[keyword] = ds[keyword]
        for keyword in ("SOPClassUID", "SOPInstanceUID", "StudyInstanceUID", "SeriesInstanceUID"):
            if not text(copy, keyword):
                raise RejectionError(
                    f"An image to reject has no {keyword}, so it cannot be referenced; check its header."
                )
        out.append(copy)
    return out


def build_rejection_note(
    headers_to_reject: Sequence[Dataset],
    reason: RejectionReason | str = RejectionReason.QUALITY,
    *,
    description: str | None = None,
    institution_name: str | None = None,
) -> Dataset:
    """A Key Object Selection rejection note (IHE IOCM) for the given instances of one study.

    ``reason`` is a :class:`RejectionReason` or its code value / meaning. The note has a new
    Series Instance UID and SOP Instance UID, the patient and study of the rejected images, the
    rejection reason as its Concept Name, and every rejected instance in its content tree and
    in the Current Requested Procedure Evidence Sequence. Raises :class:`RejectionError`.
    """
    if not headers_to_reject:
        raise RejectionError("No images were chosen for rejection; select the images or series to reject.")
    why = _reason(reason)
    evidence = _evidence(headers_to_reject)
    studies = {text(ds, "StudyInstanceUID") for ds in evidence}
    if len(studies) > 1:
        raise RejectionError(
            f"The images to reject belong to {len(studies)} studies; reject the images of one study at a time."
        )
    unique = list({text(ds, "SOPInstanceUID"): ds for ds in evidence}.values())
    with warnings.catch_warnings():
        # highdicom's person-name warnings quote the patient's name: keep them out of logs.
        warnings.simplefilter("ignore")
        document = _document(why, unique, description, institution_name)
    as_tid2010(document, image_uids(list(headers_to_reject)))
    document.SeriesDescription = why.meaning
    return document


def _document(
    why: RejectionReason, unique: list[Dataset], description: str | None, institution_name: str | None
) -> Dataset:
    import highdicom as hd  # heavy: only when a note is built, not for reading (visibility)

    content = hd.ko.KeyObjectSelection(
        document_title=why.code(),
        referenced_objects=unique,
        description=description,
    )
    document = hd.ko.KeyObjectSelectionDocument(
        evidence=unique,
        content=content,
        series_instance_uid=generate_uid(),
        series_number=REJECTION_SERIES_NUMBER,
        sop_instance_uid=generate_uid(),
        instance_number=1,
        manufacturer="workstation",
        software_versions=__version__,
        institution_name=institution_name,
        specific_character_set=UTF8,  # the description in any language, whatever the images' set
    )
    return document


def note_bytes(note: Dataset) -> bytes:
    """The note as a PS3.10 file (with file meta information)."""
    buffer = io.BytesIO()
    note.save_as(buffer, enforce_file_format=True)
    return buffer.getvalue()


def send_rejection(client: DicomWebClient, note: Dataset, *, audit: AuditLog | None = None) -> StoreResult:
    """Store the rejection note in the archive by STOW-RS (PS3.18 10.5.1).

    With ``audit``, the rejection is recorded in the local audit log once the archive took it
    (study, series and instances by UID, the rejection title's code value).
    """
    result = client.store_instances([note_bytes(note)], study_uid=text(note, "StudyInstanceUID") or None)
    if audit is not None and result.ok:
        evidence = note.get("CurrentRequestedProcedureEvidenceSequence", None) or []
        series = [text(s, "SeriesInstanceUID") for study in evidence
                  for s in study.get("ReferencedSeriesSequence", None) or []]
        why = rejection_reason(note)
        audit.record(
            AuditAction.REJECTED,
            study_uid=text(note, "StudyInstanceUID"),
            series_uids=series,
            instance_uids=sorted(rejected_instances([note])),
            reason=why.code_value if why else "",
            detail={"rejection_note_uid": text(note, "SOPInstanceUID")},
        )
    return result


def rejection_reason(ds: Dataset) -> RejectionReason | None:
    """The CID 7010 rejection title of a Key Object Selection, ``None`` when it is not a rejection note."""
    if text(ds, "SOPClassUID") != KEY_OBJECT_SELECTION:
        return None
    names = ds.get("ConceptNameCodeSequence", None) or []
    if not names:
        return None
    item = names[0]
    if text(item, "CodingSchemeDesignator") != "DCM" or text(item, "CodeValue") not in _REJECTION_CODES:
        return None
    return _reason(text(item, "CodeValue"))


def _referenced_in_evidence(ds: Dataset) -> Iterable[str]:
    for study in ds.get("CurrentRequestedProcedureEvidenceSequence", None) or []:
        for series in study.get("ReferencedSeriesSequence", None) or []:
            for sop in series.get("ReferencedSOPSequence", None) or []:
                uid = text(sop, "ReferencedSOPInstanceUID")
                if uid:
                    yield uid


def _referenced_in_content(ds: Dataset) -> Iterable[str]:
    for item in ds.get("ContentSequence", None) or []:
        for sop in item.get("ReferencedSOPSequence", None) or []:
            uid = text(sop, "ReferencedSOPInstanceUID")
            if uid:
                yield uid


def rejected_instances(headers_of_kos_objects: Iterable[Dataset]) -> set[str]:
    """SOP Instance UIDs rejected by the IOCM rejection notes among the given objects.

    Objects that are not rejection notes (other key object selections, images) are ignored.
    Both the evidence sequence and the content tree are read, since archives may return either
    (WADO-RS metadata of an SR carries both).
    """
    rejected: set[str] = set()
    for ds in headers_of_kos_objects:
        if rejection_reason(ds) is None:
            continue
        rejected.update(_referenced_in_evidence(ds))
        rejected.update(_referenced_in_content(ds))
    return rejected
