"""A demo study for a first start: a generated CT head phantom plus pydicom's real sample images.

The phantom is a set of ellipsoids in Hounsfield units (skull, brain, ventricles, a lesion) in
the spirit of the Shepp-Logan head phantom, written as a CT Image Storage series (PS3.3 A.3) with
a correct Image Plane Module (C.7.6.2), so the library, the display sets and the viewers have a
real axial volume to work with before any archive is configured.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from io import BytesIO

import numpy as np
from pydicom.dataset import Dataset
from pydicom.uid import (
    CTImageStorage,
    generate_uid,
)

from workstation import __version__
from workstation.model.part10 import file_meta

DEMO_PATIENT_NAME = "DEMO^PHANTOM"
DEMO_PATIENT_ID = "DEMO-0001"
# pydicom's bundled real images offered with the phantom (they ship with pydicom itself).
BUNDLED_SAMPLES = ("CT_small.dcm", "MR_small.dcm")


@dataclass(frozen=True)
class Ellipsoid:
    """An ellipsoid in patient millimetres adding ``hu`` to the voxels inside it."""

    centre: tuple[float, float, float]
    radii: tuple[float, float, float]
    hu: float


# Centred on the origin; x = patient left, y = posterior, z = head (LPS, PS3.3 C.7.6.2.1.1).
HEAD = (
    Ellipsoid((0, 0, 0), (69, 92, 80), 1000 + 1000),  # skull (bone ~ +1000 HU over air)
    Ellipsoid((0, 0, 0), (64, 87, 75), 40 - 1000),  # brain inside the skull: 40 HU
    Ellipsoid((-11, -5, 5), (6, 20, 12), -30),  # left lateral ventricle: ~10 HU
    Ellipsoid((11, -5, 5), (6, 20, 12), -30),  # right lateral ventricle
    Ellipsoid((25, 30, -10), (8, 8, 8), 30),  # a hyperdense lesion: 70 HU
    Ellipsoid((0, 0, 0), (60, 83, 71), -5),  # grey/white contrast ring
)


def phantom_volume(
    shape: tuple[int, int, int] = (60, 256, 256),
    spacing: tuple[float, float, float] = (3.0, 0.8, 0.8),
) -> tuple[np.ndarray, tuple[float, float, float]]:
    """The phantom as int16 HU, shape (slices, rows, columns), and the position of voxel 0."""
    nz, ny, nx = shape
    dz, dy, dx = spacing
    origin = (-(nx - 1) * dx / 2, -(ny - 1) * dy / 2, -(nz - 1) * dz / 2)
    x = origin[0] + np.arange(nx) * dx
    y = origin[1] + np.arange(ny) * dy
    z = origin[2] + np.arange(nz) * dz
    volume = np.full(shape, -1000.0, dtype=np.float32)
    for e in HEAD:
        inside = (
            ((z[:, None, None] - e.centre[2]) / e.radii[2]) ** 2
            + ((y[None, :, None] - e.centre[1]) / e.radii[1]) ** 2
            + ((x[None, None, :] - e.centre[0]) / e.radii[0]) ** 2
        ) <= 1.0
        volume[inside] += e.hu
    return np.clip(volume, -1024, 3071).astype(np.int16), origin


def phantom_series(
    shape: tuple[int, int, int] = (60, 256, 256),
    spacing: tuple[float, float, float] = (3.0, 0.8, 0.8),
    study_uid: str | None = None,
    study_date: dt.date | None = None,
) -> Iterator[bytes]:
    """The phantom as PS3.10 CT instances, one per slice, most inferior first."""
    volume, origin = phantom_volume(shape, spacing)
    study_uid = study_uid or generate_uid()
    series_uid = generate_uid()
    frame_of_reference = generate_uid()
    date = (study_date or dt.date.today()).strftime("%Y%m%d")
    stored = (volume.astype(np.int32) + 1024).astype(np.uint16)  # rescale intercept -1024
    for k in range(shape[0]):
        ds = Dataset()
        ds.SOPClassUID = CTImageStorage
        ds.SOPInstanceUID = generate_uid()
        ds.StudyInstanceUID = study_uid
        ds.SeriesInstanceUID = series_uid
        ds.FrameOfReferenceUID = frame_of_reference
        ds.PatientName = DEMO_PATIENT_NAME
        ds.PatientID = DEMO_PATIENT_ID
        ds.PatientBirthDate = "19700101"
        ds.PatientSex = "O"
        ds.StudyDate = ds.SeriesDate = ds.ContentDate = date
        ds.StudyTime = ds.SeriesTime = ds.ContentTime = "090000"
        ds.AccessionNumber = "DEMO1"
        ds.StudyID = "1"
        ds.ReferringPhysicianName = ""
        ds.StudyDescription = "CT HEAD DEMO PHANTOM"
        ds.SeriesDescription = "Axial 3 mm (generated phantom)"
        ds.Modality = "CT"
        ds.BodyPartExamined = "HEAD"
        ds.Manufacturer = "workstation demo"
        ds.SoftwareVersions = __version__
        ds.SeriesNumber = 2
        ds.InstanceNumber = k + 1
        ds.AcquisitionNumber = 1
        ds.PatientPosition = "HFS"
        ds.ImageType = ["ORIGINAL", "PRIMARY", "AXIAL"]
        ds.ImageOrientationPatient = [1, 0, 0, 0, 1, 0]
        ds.ImagePositionPatient = [
            round(origin[0], 4), round(origin[1], 4), round(origin[2] + k * spacing[0], 4)
        ]
        ds.SliceLocation = round(origin[2] + k * spacing[0], 4)
        ds.SliceThickness = spacing[0]
        ds.PixelSpacing = [spacing[1], spacing[2]]
        ds.KVP = 120
        ds.SamplesPerPixel = 1
        ds.PhotometricInterpretation = "MONOCHROME2"
        ds.Rows, ds.Columns = shape[1], shape[2]
        ds.BitsAllocated = 16
        ds.BitsStored = 12
        ds.HighBit = 11
        ds.PixelRepresentation = 0
        ds.RescaleIntercept = -1024
        ds.RescaleSlope = 1
        ds.RescaleType = "HU"
        ds.WindowCenter = [40, 600]
        ds.WindowWidth = [80, 2800]
        ds.WindowCenterWidthExplanation = ["BRAIN", "BONE"]
        ds.PixelData = stored[k].tobytes()
        yield _to_part10(ds)


def bundled_samples() -> Iterator[bytes]:
    """pydicom's bundled real sample images (installed with pydicom, no download)."""
    from pydicom.data import get_testdata_file

    for name in BUNDLED_SAMPLES:
        path = get_testdata_file(name, download=False)
        if path:
            with open(str(path), "rb") as fh:
                yield fh.read()


def _to_part10(ds: Dataset) -> bytes:
    ds.file_meta = file_meta(ds.SOPClassUID, ds.SOPInstanceUID)
    buf = BytesIO()
    ds.save_as(buf, enforce_file_format=True)
    return buf.getvalue()
