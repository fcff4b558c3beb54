"""Key images as a Key Object Selection document (PS3.3 A.35.4, PS3.16 TID 2010), via highdicom.

The document title is (113000, DCM, "Of Interest") from CID 7010; the reader's note is the Key
Object Description (113012, DCM) text item; every key image is an unnamed IMAGE content item
(TID 2010 rows 8-10, :mod:`workstation.model.key_object_items`) and is listed in the Current
Requested Procedure Evidence Sequence (C.17.2.1). Each saved version has new Series (unless the
previous version's is reused) and SOP Instance UIDs. The document is in UTF-8 (ISO_IR 192,
:mod:`workstation.model.charset`) whatever the images' character set.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import TYPE_CHECKING

from pydicom.dataset import Dataset
from pydicom.sr.coding import Code
from pydicom.uid import generate_uid

from workstation import __version__
from workstation.annotate.key_images import KeyImages
from workstation.annotate.measurements import ImageRef, MeasurementError
from workstation.errors import InvalidDicomError
from workstation.lazy import lazy_module
from workstation.model import series_numbers
from workstation.model.charset import UTF8
from workstation.model.key_object_items import as_tid2010, image_uids

if TYPE_CHECKING:
    import highdicom as hd
else:
    hd = lazy_module("highdicom")  # imported when an object is first written

OF_INTEREST = Code("113000", "DCM", "Of Interest")
KEY_OBJECT_SELECTION = "1.2.840.10008.5.1.4.1.1.88.59"
#: Series Number given to key object selections.
KEY_IMAGE_SERIES_NUMBER = series_numbers.KEY_IMAGES
_EVIDENCE_KEYWORDS = (
    "PatientName", "PatientID", "IssuerOfPatientID", "PatientBirthDate", "PatientSex",
    "StudyInstanceUID", "StudyDate", "StudyTime", "StudyID", "AccessionNumber",
    "ReferringPhysicianName", "StudyDescription", "SeriesInstanceUID", "SOPClassUID",
    "SOPInstanceUID", "Modality",
)


class KeyImageError(MeasurementError):
    """Key images cannot be saved as asked (none marked, several studies, missing headers)."""


def _evidence(ds: Dataset) -> Dataset:
    copy = Dataset()
    for keyword in _EVIDENCE_KEYWORDS:
        if keyword in ds:
            copy[keyword] = ds[keyword]
    return copy


def build_key_object_selection(
    key_images: KeyImages,
    headers: Sequence[Dataset],
    *,
    previous_version: Dataset | None = None,
    institution_name: str | None = None,
) -> Dataset:
    """A KOS "Of Interest" listing the key images with the note. Raises :class:`KeyImageError`."""
    if not key_images.images:
        raise KeyImageError("No image is marked as a key image; mark an image first.")
    by_uid = {str(ds.get("SOPInstanceUID", "")): ds for ds in headers}
    missing = [ref.sop_instance_uid for ref in key_images.images if ref.sop_instance_uid not in by_uid]
    if missing:
        raise KeyImageError(f"The header of key image {missing[0]} was not given; pass the headers of every key image.")
    chosen = [_evidence(by_uid[uid]) for uid in dict.fromkeys(ref.sop_instance_uid for ref in key_images.images)]
    if len({str(ds.get("StudyInstanceUID", "")) for ds in chosen}) != 1:
        raise KeyImageError("The key images belong to several studies; save the key images of one study at a time.")
    series = str(previous_version.SeriesInstanceUID) if previous_version is not None else generate_uid()
    number = int(previous_version.get("InstanceNumber", 0) or 0) + 1 if previous_version is not None else 1
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # highdicom's person-name warnings may quote patient names
        content = hd.ko.KeyObjectSelection(document_title=OF_INTEREST, referenced_objects=chosen, description=key_images.note.strip() or None)
        document = hd.ko.KeyObjectSelectionDocument(
            evidence=chosen,
            content=content,
            series_instance_uid=series,
            series_number=KEY_IMAGE_SERIES_NUMBER,
            sop_instance_uid=generate_uid(),
            instance_number=number,
            manufacturer="workstation",
            software_versions=__version__,
            institution_name=institution_name,
            specific_character_set=UTF8,  # the note in any language, whatever the images' set
        )
    as_tid2010(document, image_uids([by_uid[ref.sop_instance_uid] for ref in key_images.images]))
    document.SeriesDescription = "Key images"
    return document


def key_images_from_kos(ds: Dataset) -> KeyImages:
    """The key images, title and note of a Key Object Selection document."""
    uid = str(ds.get("SOPInstanceUID", "") or "(no UID)")
    if str(ds.get("SOPClassUID", "")) != KEY_OBJECT_SELECTION:
        raise InvalidDicomError(f"Instance {uid} is not a Key Object Selection document.")
    title_seq = ds.get("ConceptNameCodeSequence", None)
    title = str(title_seq[0].get("CodeMeaning", "")) if title_seq else ""
    series_of: dict[str, tuple[str, str]] = {}
    for study in ds.get("CurrentRequestedProcedureEvidenceSequence", None) or []:
        for series in study.get("ReferencedSeriesSequence", None) or []:
            for sop in series.get("ReferencedSOPSequence", None) or []:
                series_of[str(sop.get("ReferencedSOPInstanceUID", ""))] = (str(series.get("SeriesInstanceUID", "")), str(study.get("StudyInstanceUID", "")))
    images: list[ImageRef] = []
    notes: list[str] = []
    for item in ds.get("ContentSequence", None) or []:
        kind = item.get("ValueType", "")
        if kind == "TEXT":
            notes.append(str(item.get("TextValue", "")))
        elif kind in ("IMAGE", "COMPOSITE"):
            for ref in item.get("ReferencedSOPSequence", None) or []:
                frames = ref.get("ReferencedFrameNumber", None)
                frame = int(frames) if isinstance(frames, int | str) and str(frames).strip() else None
                uid = str(ref.ReferencedSOPInstanceUID)
                series_uid, study_uid = series_of.get(uid, ("", ""))
                images.append(ImageRef(uid, str(ref.ReferencedSOPClassUID), frame, series_uid, study_uid))
    return KeyImages(images, "\n".join(notes), title)
