"""Demographic corrections by the IHE IOCM way: corrected copies with new UIDs, then a rejection note.

The technologist enters corrected Patient and Study level values; :func:`propose_corrections`
turns them into a list of :class:`Change` (attribute, old value, new value, instances) to
confirm. DICOMweb has no standard call that edits stored instances, so :func:`apply_corrections`
makes corrected *copies* of the instances with new Study, Series and SOP Instance UIDs (one new
UID per old one, PS3.3 C.7.2.1 / C.7.3.1 / C.12.1; a changed object is a new object, PS3.3
C.12.1.1.1), and rewrites every UID reference inside the copies that points at a re-UIDed object
(source images, referenced series, evidence sequences). The copies are re-encoded in UTF-8
(ISO_IR 192, :mod:`workstation.model.charset`): every value decoded with the source's own character
set, so a corrected name may use any letters. The originals are never modified.

The old instances are then withdrawn with a rejection note (Key Object Selection, PS3.3 A.35.4)
titled (113038, DCM, "Incorrect Modality Worklist Entry") from CID 7010: IHE RAD TF IOCM uses
that title for the "data correction" case, where images carry wrong patient or procedure data and
are replaced by corrected copies; DICOM defines no separate "data correction" title.
:func:`send_correction` stores the copies first (STOW-RS, PS3.18 10.5) and the rejection note only
after every copy was accepted, so the images are never lost between the two steps.
"""

from __future__ import annotations

import io
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import pydicom
from pydicom import config as pydicom_config
from pydicom.datadict import dictionary_VR
from pydicom.dataset import Dataset
from pydicom.multival import MultiValue
from pydicom.uid import generate_uid
from pydicom.valuerep import validate_value

from workstation.errors import ArchiveError, InvalidDicomError, WorkstationError
from workstation.model.charset import recode_as_utf8
from workstation.net.dicomweb import DicomWebClient, StoreResult
from workstation.qc.attributes import text
from workstation.qc.audit import AuditAction, AuditLog
from workstation.qc.rejection import (
    RejectionReason,
    build_rejection_note,
    note_bytes,
    rejection_reason,
    send_rejection,
)

#: The IOCM rejection title for corrected data (see the module docstring).
CORRECTION_REASON = RejectionReason.INCORRECT_WORKLIST_ENTRY

#: Patient and Study level attributes a technologist may correct (PS3.3 C.7.1.1, C.7.2.1).
CORRECTABLE: tuple[str, ...] = (
    "PatientName",
    "PatientID",
    "IssuerOfPatientID",
    "PatientBirthDate",
    "PatientSex",
    "OtherPatientIDs",
    "AccessionNumber",
    "StudyDescription",
    "StudyID",
    "ReferringPhysicianName",
)

#: UIDs that get a new value in the corrected copies.
_RENEWED = ("StudyInstanceUID", "SeriesInstanceUID", "SOPInstanceUID")


class CorrectionError(WorkstationError):
    """A correction cannot be proposed, applied or sent as asked."""


@dataclass(frozen=True)
class Change:
    """One attribute to change: from ``old`` to ``new`` in the listed instances (SOP UIDs)."""

    keyword: str
    old: str
    new: str
    instances: tuple[str, ...]

    def sentence(self) -> str:
        """For the confirmation dialog (shows the values: it is for the technologist's eyes)."""
        return f"{self.keyword}: '{self.old}' -> '{self.new}' in {len(self.instances)} instance(s)"


@dataclass
class CorrectedStudy:
    """The corrected copies and what it takes to send them."""

    changes: list[Change]
    instances: list[bytes]  # PS3.10 files of the corrected copies
    uid_map: dict[str, str]  # old UID -> new UID (study, series and instances)
    replaced: list[Dataset]  # headers of the originals the copies replace (to be rejected)
    skipped: list[str] = field(default_factory=list)  # SOP UIDs not copied (rejection notes)

    @property
    def new_study_uids(self) -> set[str]:
        return {self.uid_map[text(ds, "StudyInstanceUID")] for ds in self.replaced}

    def rejection_note(self, *, description: str | None = None) -> Dataset:
        """The IOCM rejection note for the originals (113038, Incorrect Modality Worklist Entry)."""
        return build_rejection_note(
            self.replaced, CORRECTION_REASON,
            description=description or "Replaced by corrected copies with new UIDs",
        )


def _valid(keyword: str, value: str) -> None:
    vr = dictionary_VR(keyword)
    try:
        validate_value(vr, value, pydicom_config.RAISE)
    except ValueError as exc:
        # pydicom's message quotes the value: keep patient data out of errors.
        raise CorrectionError(
            f"The new value of {keyword} is not a valid {vr} value (PS3.5 6.2); check its format and length."
        ) from exc
    if keyword == "PatientSex" and value not in ("", "M", "F", "O"):
        raise CorrectionError("The new value of PatientSex must be M, F, O or empty (PS3.3 C.7.1.1).")


def propose_corrections(headers: Sequence[Dataset], corrected: dict[str, str]) -> list[Change]:
    """The changes that would give every instance the ``corrected`` values (keyword -> value).

    One :class:`Change` per attribute and distinct old value, listing the instances that hold it;
    instances that already hold the new value need no change. Raises :class:`CorrectionError` for
    an attribute that is not a Patient / Study level one, or a value its VR does not allow.
    """
    changes: list[Change] = []
    for keyword, value in corrected.items():
        if keyword not in CORRECTABLE:
            raise CorrectionError(
                f"{keyword} is not a patient or study attribute that can be corrected here; "
                "use one of " + ", ".join(CORRECTABLE) + "."
            )
        new = str(value).strip()
        _valid(keyword, new)
        by_old: dict[str, list[str]] = {}
        for ds in headers:
            if rejection_reason(ds) is not None:
                continue
            old = text(ds, keyword)
            if old != new:
                by_old.setdefault(old, []).append(text(ds, "SOPInstanceUID"))
        for old, uids in by_old.items():
            changes.append(Change(keyword, old, new, tuple(uids)))
    return changes


def _read(data: bytes, index: int, *, header_only: bool = False) -> Dataset:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return pydicom.dcmread(io.BytesIO(data), force=True, stop_before_pixels=header_only)
    except Exception as exc:  # noqa: BLE001 - pydicom raises many kinds on bad input
        raise InvalidDicomError(
            f"Instance {index} of the study cannot be read as DICOM ({type(exc).__name__}); "
            "it cannot be corrected."
        ) from exc


def _remap(ds: Dataset, uid_map: dict[str, str], depth: int = 0) -> None:
    """Replace, at every nesting level, UI values that name a re-UIDed object."""
    if depth > 64:
        return
    for elem in ds:
        if elem.VR == "SQ":
            for item in elem.value:
                _remap(item, uid_map, depth + 1)
        elif elem.VR == "UI" and elem.value:
            if isinstance(elem.value, (list, MultiValue)):
                values = [uid_map.get(str(v), str(v)) for v in elem.value]
                if values != [str(v) for v in elem.value]:
                    elem.value = values
            elif str(elem.value) in uid_map:
                elem.value = uid_map[str(elem.value)]


def apply_corrections(instances: Sequence[bytes], changes: Iterable[Change]) -> CorrectedStudy:
    """Corrected copies of ``instances`` (PS3.10 bytes) with new Study/Series/SOP Instance UIDs.

    Every instance is copied (the whole study moves to its new Study Instance UID together);
    the changes apply to the instances they list. IOCM rejection notes among the instances are
    not copied (a copy would reject the corrected images). The input bytes are not touched.
    """
    changes = list(changes)
    if not changes:
        raise CorrectionError("There is nothing to correct: every instance already holds the values given.")
    kept: list[Dataset] = []
    replaced: list[Dataset] = []
    skipped: list[str] = []
    for index, data in enumerate(instances, 1):
        ds = _read(data, index)
        if rejection_reason(ds) is not None:
            skipped.append(text(ds, "SOPInstanceUID"))
            continue
        kept.append(recode_as_utf8(ds))  # corrected values in any language (PS3.5 6.1)
        replaced.append(_read(data, index, header_only=True))  # a separate, untouched copy
    if not kept:
        raise CorrectionError("The study holds no instances to correct.")
    for ds in kept:
        for keyword in _RENEWED:
            if not text(ds, keyword):
                raise CorrectionError(
                    f"An instance has no {keyword}, so its corrected copy cannot be referenced; check its header."
                )
    uid_map: dict[str, str] = {}
    for ds in kept:
        for keyword in _RENEWED:
            old = text(ds, keyword)
            if old not in uid_map:
                uid_map[old] = generate_uid()
    by_sop = {text(ds, "SOPInstanceUID"): ds for ds in kept}
    for change in changes:
        for uid in change.instances:
            target = by_sop.get(uid)
            if target is None:
                continue
            if change.new:
                setattr(target, change.keyword, change.new)
            elif change.keyword in target:
                target[change.keyword].value = ""  # type 2 attributes stay present, empty
    out: list[bytes] = []
    for ds in kept:
        _remap(ds, uid_map)
        if getattr(ds, "file_meta", None) is not None and "MediaStorageSOPInstanceUID" in ds.file_meta:
            ds.file_meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
        buffer = io.BytesIO()
        ds.save_as(buffer, enforce_file_format=True)
        out.append(buffer.getvalue())
    return CorrectedStudy(changes=changes, instances=out, uid_map=uid_map, replaced=replaced, skipped=skipped)


def send_correction(
    client: DicomWebClient,
    corrected: CorrectedStudy,
    *,
    audit: AuditLog | None = None,
    note: Dataset | None = None,
) -> tuple[StoreResult, StoreResult]:
    """Store the corrected copies, then (only if all were stored) the rejection note of the originals.

    Returns both STOW-RS results. Raises :class:`CorrectionError` when the archive did not take
    every copy: the rejection note is then not sent and the originals stay in place (copies the
    archive did store stay too, as a second study, until the correction is sent again; sending
    again is safe since the copies keep their UIDs). A failure to store the note itself raises
    the archive's error; the corrected copies are then already stored.
    """
    if note is None:
        note = corrected.rejection_note()
    new_study = next(iter(corrected.new_study_uids))
    try:
        copies = client.store_instances(corrected.instances, study_uid=new_study)
    except ArchiveError as exc:
        raise CorrectionError(
            f"The archive did not take the corrected copies ({exc}), so the originals were not "
            "rejected; check the archive and send the correction again."
        ) from exc
    expected = {corrected.uid_map[text(ds, "SOPInstanceUID")] for ds in corrected.replaced}
    if not copies.ok or not expected <= set(copies.stored):
        raise CorrectionError(
            f"The archive stored {len(set(copies.stored) & expected)} of {len(expected)} corrected "
            "copies, so the originals were not rejected; try sending the correction again."
        )
    rejected = send_rejection(client, note)
    if audit is not None:
        old_study = text(corrected.replaced[0], "StudyInstanceUID")
        audit.record(
            AuditAction.CORRECTED,
            study_uid=old_study,
            series_uids=sorted({text(ds, "SeriesInstanceUID") for ds in corrected.replaced}),
            instance_uids=[text(ds, "SOPInstanceUID") for ds in corrected.replaced],
            reason=CORRECTION_REASON.code_value,
            detail={
                "attributes": sorted({c.keyword for c in corrected.changes}),
                "new_study_uid": new_study,
                "rejection_note_uid": text(note, "SOPInstanceUID"),
            },
        )
    return copies, rejected


def corrected_bytes(corrected: CorrectedStudy) -> list[bytes]:
    """The corrected copies and the rejection note as PS3.10 files (for export to a folder)."""
    return [*corrected.instances, note_bytes(corrected.rejection_note())]
