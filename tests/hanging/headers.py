"""Metadata fixtures: instance headers as a modality would write them (pydicom Datasets)."""

from __future__ import annotations

import io
from collections.abc import Sequence

import numpy as np
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.sequence import Sequence as DicomSequence
from pydicom.uid import ExplicitVRLittleEndian, generate_uid

CT_IMAGE = "1.2.840.10008.5.1.4.1.1.2"
MR_IMAGE = "1.2.840.10008.5.1.4.1.1.4"
MG_IMAGE = "1.2.840.10008.5.1.4.1.1.1.2"
CR_IMAGE = "1.2.840.10008.5.1.4.1.1.1"
US_MULTIFRAME = "1.2.840.10008.5.1.4.1.1.3.1"
NM_IMAGE = "1.2.840.10008.5.1.4.1.1.20"
SOP = {"CT": CT_IMAGE, "MR": MR_IMAGE, "MG": MG_IMAGE, "CR": CR_IMAGE, "DX": CR_IMAGE, "US": US_MULTIFRAME, "NM": NM_IMAGE}

ORIENTATIONS = {
    "axial": ([1, 0, 0, 0, 1, 0], 2),
    "coronal": ([1, 0, 0, 0, 0, -1], 1),
    "sagittal": ([0, 1, 0, 0, 0, -1], 0),
}


class Study:
    """One study's headers, built series by series."""

    def __init__(self, description: str, date: str = "20180301", patient_id: str = "PAT1", issuer: str = "",
                 uid: str | None = None) -> None:
        self.uid = uid or generate_uid()
        self.description = description
        self.date = date
        self.patient_id = patient_id
        self.issuer = issuer
        self.headers: list[Dataset] = []
        self._series = 0
        self.frame_of_reference = generate_uid()

    def _base(self, modality: str, series_uid: str, number: int, description: str) -> Dataset:
        ds = Dataset()
        ds.SOPClassUID = SOP[modality]
        ds.SOPInstanceUID = generate_uid()
        ds.StudyInstanceUID = self.uid
        ds.SeriesInstanceUID = series_uid
        ds.Modality = modality
        ds.SeriesNumber = number
        ds.SeriesDescription = description
        ds.StudyDescription = self.description
        ds.StudyDate = self.date
        ds.PatientID = self.patient_id
        ds.PatientName = "TEST^HANGING"
        if self.issuer:
            ds.IssuerOfPatientID = self.issuer
        ds.Rows = 4
        ds.Columns = 4
        ds.SamplesPerPixel = 1
        ds.PhotometricInterpretation = "MONOCHROME2"
        ds.BitsAllocated = 16
        ds.BitsStored = 12
        ds.HighBit = 11
        ds.PixelRepresentation = 0
        return ds

    def slices(self, modality: str, description: str, count: int, *, plane: str = "axial", thickness: float = 5.0,
               contrast: str = "", body_part: str = "", image_type: Sequence[str] = ("ORIGINAL", "PRIMARY", "AXIAL")) -> str:
        """A series of parallel slices (a volume when count >= 3); returns its Series Instance UID."""
        self._series += 1
        series_uid = generate_uid()
        iop, axis = ORIENTATIONS[plane]
        for i in range(count):
            ds = self._base(modality, series_uid, self._series, description)
            ds.InstanceNumber = i + 1
            ds.ImageOrientationPatient = iop
            position = [0.0, 0.0, 0.0]
            position[axis] = i * thickness
            ds.ImagePositionPatient = position
            ds.PixelSpacing = [0.5, 0.5]
            ds.SliceThickness = thickness
            ds.ImageType = list(image_type)
            ds.FrameOfReferenceUID = self.frame_of_reference
            if contrast:
                ds.ContrastBolusAgent = contrast
            if body_part:
                ds.BodyPartExamined = body_part
            self.headers.append(ds)
        return series_uid

    def localizer(self, modality: str = "CT") -> str:
        return self.slices(modality, "Scout", 1, plane="coronal", image_type=("ORIGINAL", "PRIMARY", "LOCALIZER"))

    def projection(self, modality: str, description: str, *, view: str = "", laterality: str = "",
                   view_code: tuple[str, str] | None = None, body_part: str = "") -> str:
        """One projection image (MG, CR, DX) in its own series."""
        self._series += 1
        series_uid = generate_uid()
        ds = self._base(modality, series_uid, self._series, description)
        ds.InstanceNumber = 1
        ds.ImagerPixelSpacing = [0.1, 0.1]
        ds.ImageType = ["ORIGINAL", "PRIMARY"]
        if view:
            ds.ViewPosition = view
        if laterality:
            ds.ImageLaterality = laterality
        if view_code:
            item = Dataset()
            item.CodeValue, item.CodeMeaning = view_code
            item.CodingSchemeDesignator = "SCT"
            ds.ViewCodeSequence = DicomSequence([item])
        if body_part:
            ds.BodyPartExamined = body_part
        self.headers.append(ds)
        return series_uid

    def cine(self, description: str, frames: int = 30) -> str:
        self._series += 1
        series_uid = generate_uid()
        ds = self._base("US", series_uid, self._series, description)
        ds.InstanceNumber = 1
        ds.NumberOfFrames = frames
        ds.FrameTime = 33.3
        ds.ImageType = ["ORIGINAL", "PRIMARY"]
        self.headers.append(ds)
        return series_uid


def to_bytes(ds: Dataset) -> bytes:
    """A PS3.10 file of the header with 4x4 zero pixels (for storing in a library)."""
    out = Dataset()
    out.update(ds)
    frames = int(ds.get("NumberOfFrames", 1) or 1)
    out.PixelData = np.zeros((frames, 4, 4), dtype=np.uint16).tobytes()
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = ds.SOPClassUID
    meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    out.file_meta = meta
    buffer = io.BytesIO()
    out.save_as(buffer, enforce_file_format=True)
    return buffer.getvalue()
