"""Shared helpers for the annotate tests: real images and the dciodvfy validator (:mod:`tests.validators`)."""

from __future__ import annotations

from pathlib import Path

import pydicom
from pydicom.dataset import Dataset

from tests import validators

#: dciodvfy warns once on the phantom's own Patient's Name "HEAD", a single component (the
#: retired PN form); every object copies it, as the Patient Module wants (PS3.3 C.7.1.1).
PHANTOM_NAME = {"Retired Person Name form": 1}


def phantom_slice(shared_data: Path, index: int = 70) -> Dataset:
    """One 1 mm axial slice of the Philips CT phantom (S2020, JPEG-LS lossless)."""
    files = sorted((shared_data / "ct_head_phantom_philips" / "S2020").glob("*.dcm"))
    return pydicom.dcmread(files[index])


def dciodvfy_errors(ds: Dataset, tmp_path: Path) -> list[str]:
    """The Error lines dciodvfy (dicom3tools) prints for an object; the test skips without it."""
    return validators.dciodvfy_errors(ds, tmp_path)
