"""The DICOM grayscale pipeline written out naively, straight from the standard, for checking
the renderer: Modality LUT (PS3.3 C.11.1), VOI LINEAR window (C.11.2.1.2.1), MONOCHROME1
(C.7.6.3.1.2), palette colour (C.7.6.3.1.5). Deliberately independent of workstation.model.pixels."""

from __future__ import annotations

import numpy as np
from pydicom.dataset import Dataset


def modality_values(stored: np.ndarray, ds: Dataset) -> np.ndarray:
    if "ModalityLUTSequence" in ds:
        item = ds.ModalityLUTSequence[0]
        entries, first, _bits = (int(v) for v in item.LUTDescriptor)
        entries = entries or 65536
        data = item.LUTData
        if isinstance(data, bytes):
            data = np.frombuffer(data, "<u2")
        data = np.asarray(data, dtype=np.float64)[:entries]
        index = np.clip(stored.astype(np.int64) - first, 0, len(data) - 1)
        return data[index]
    slope = float(ds.get("RescaleSlope", 1) or 1)
    intercept = float(ds.get("RescaleIntercept", 0) or 0)
    return stored.astype(np.float64) * slope + intercept


def linear_window(x: np.ndarray, center: float, width: float) -> np.ndarray:
    """PS3.3 C.11.2.1.2.1, output 0..255, rounded half up."""
    out = np.empty_like(x, dtype=np.float64)
    low = x <= center - 0.5 - (width - 1) / 2
    high = x > center - 0.5 + (width - 1) / 2
    mid = ~low & ~high
    out[low] = 0
    out[high] = 255
    out[mid] = ((x[mid] - (center - 0.5)) / (width - 1) + 0.5) * 255
    return np.floor(out + 0.5).clip(0, 255)


def grey(stored: np.ndarray, ds: Dataset, center: float, width: float, invert: bool = False) -> np.ndarray:
    y = linear_window(modality_values(stored, ds), center, width)
    if str(ds.PhotometricInterpretation).strip() == "MONOCHROME1":
        y = 255 - y
    if invert:
        y = 255 - y
    return y.astype(np.uint8)
