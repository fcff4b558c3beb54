"""Synthetic image headers with known geometry, for the geometry and display-set tests."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from pydicom.dataset import Dataset
from pydicom.uid import generate_uid

CT_IMAGE = "1.2.840.10008.5.1.4.1.1.2"
MR_IMAGE = "1.2.840.10008.5.1.4.1.1.4"
ENHANCED_MR = "1.2.840.10008.5.1.4.1.1.4.1"
US_MULTIFRAME = "1.2.840.10008.5.1.4.1.1.3.1"
DX_PRESENTATION = "1.2.840.10008.5.1.4.1.1.1.1"

AXIAL = (1.0, 0.0, 0.0, 0.0, 1.0, 0.0)
CORONAL = (1.0, 0.0, 0.0, 0.0, 0.0, -1.0)
SAGITTAL = (0.0, 1.0, 0.0, 0.0, 0.0, -1.0)


def rotation(axis: str, degrees: float) -> np.ndarray:
    """Rotation matrix about a patient axis ('x', 'y' or 'z')."""
    a = np.radians(degrees)
    c, s = np.cos(a), np.sin(a)
    if axis == "x":
        return np.array([[1, 0, 0], [0, c, -s], [0, s, c]])
    if axis == "y":
        return np.array([[c, 0, s], [0, 1, 0], [-s, 0, c]])
    return np.array([[c, -s, 0], [s, c, 0], [0, 0, 1]])


def image(
    position: Sequence[float],
    orientation: Sequence[float] = AXIAL,
    spacing: Sequence[float] = (0.5, 0.5),
    rows: int = 64,
    columns: int = 64,
    number: int | None = 1,
    series_uid: str = "1.2.3.4",
    sop_class: str = CT_IMAGE,
    modality: str = "CT",
    **extra: object,
) -> Dataset:
    """One single-frame image header with the Image Plane Module (PS3.3 C.7.6.2)."""
    ds = Dataset()
    ds.SOPClassUID = sop_class
    ds.SOPInstanceUID = generate_uid()
    ds.StudyInstanceUID = "1.2.3"
    ds.SeriesInstanceUID = series_uid
    ds.Modality = modality
    ds.SeriesNumber = 3
    if number is not None:
        ds.InstanceNumber = number
    ds.Rows = rows
    ds.Columns = columns
    ds.ImagePositionPatient = [f"{v:.6f}" for v in position]
    ds.ImageOrientationPatient = [f"{v:.8f}" for v in orientation]
    ds.PixelSpacing = [f"{v:.6f}" for v in spacing]
    for keyword, value in extra.items():
        setattr(ds, keyword, value)
    return ds


def stack(
    first: Sequence[float],
    step: Sequence[float],
    count: int,
    orientation: Sequence[float] = AXIAL,
    **kwargs: object,
) -> list[Dataset]:
    """``count`` images at ``first + k * step``, numbered 1..count."""
    p0, d = np.asarray(first, float), np.asarray(step, float)
    return [image(p0 + k * d, orientation, number=k + 1, **kwargs) for k in range(count)]  # type: ignore[arg-type]


def enhanced(positions: Sequence[Sequence[float]], orientation: Sequence[float] = AXIAL,
             spacing: Sequence[float] = (0.8, 0.6), rows: int = 32, columns: int = 48) -> Dataset:
    """An enhanced MR header: shared orientation and pixel measures, per-frame positions (C.7.6.16)."""
    ds = Dataset()
    ds.SOPClassUID = ENHANCED_MR
    ds.SOPInstanceUID = generate_uid()
    ds.StudyInstanceUID = "1.2.3"
    ds.SeriesInstanceUID = "1.2.3.9"
    ds.Modality = "MR"
    ds.InstanceNumber = 1
    ds.Rows, ds.Columns = rows, columns
    ds.NumberOfFrames = len(positions)
    shared = Dataset()
    orient = Dataset()
    orient.ImageOrientationPatient = [f"{v:.8f}" for v in orientation]
    measures = Dataset()
    measures.PixelSpacing = [f"{v:.6f}" for v in spacing]
    measures.SliceThickness = "1"
    shared.PlaneOrientationSequence = [orient]
    shared.PixelMeasuresSequence = [measures]
    ds.SharedFunctionalGroupsSequence = [shared]
    frames = []
    for p in positions:
        item, pos = Dataset(), Dataset()
        pos.ImagePositionPatient = [f"{v:.6f}" for v in p]
        item.PlanePositionSequence = [pos]
        frames.append(item)
    ds.PerFrameFunctionalGroupsSequence = frames
    return ds
