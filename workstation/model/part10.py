"""File Meta Information for the DICOM files this workstation writes (PS3.10 section 7.1)."""

from __future__ import annotations

from pydicom.dataset import FileMetaDataset
from pydicom.uid import PYDICOM_IMPLEMENTATION_UID, UID, ExplicitVRLittleEndian


def file_meta(sop_class_uid: str, sop_instance_uid: str, transfer_syntax: str = ExplicitVRLittleEndian) -> FileMetaDataset:
    """The group 0002 elements of a PS3.10 file: Media Storage SOP Class and Instance UIDs,
    Transfer Syntax UID and this implementation's class UID."""
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = UID(str(sop_class_uid).strip())
    meta.MediaStorageSOPInstanceUID = UID(str(sop_instance_uid).strip())
    meta.TransferSyntaxUID = UID(str(transfer_syntax))
    meta.ImplementationClassUID = PYDICOM_IMPLEMENTATION_UID
    return meta


__all__ = ["file_meta"]
