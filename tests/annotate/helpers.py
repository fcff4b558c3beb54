"""Shared helpers for the annotate tests: real images and the dciodvfy validator."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pydicom
import pytest
from pydicom.dataset import Dataset

DCIODVFY = "/usr/bin/dciodvfy"


def phantom_slice(shared_data: Path, index: int = 70) -> Dataset:
    """One 1 mm axial slice of the Philips CT phantom (S2020, JPEG-LS lossless)."""
    files = sorted((shared_data / "ct_head_phantom_philips" / "S2020").glob("*.dcm"))
    return pydicom.dcmread(files[index])


def dciodvfy_errors(ds: Dataset, tmp_path: Path) -> list[str]:
    """The Error lines dciodvfy (dicom3tools) prints for an object; the test skips without it."""
    if not Path(DCIODVFY).exists() and shutil.which("dciodvfy") is None:
        pytest.skip("dciodvfy (Debian dicom3tools) is not installed")
    path = tmp_path / f"{ds.SOPInstanceUID}.dcm"
    ds.save_as(path, enforce_file_format=True)
    run = subprocess.run([shutil.which("dciodvfy") or DCIODVFY, str(path)], capture_output=True, text=True, timeout=60)
    return [line for line in (run.stdout + run.stderr).splitlines() if line.startswith("Error")]
