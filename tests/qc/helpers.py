"""Reading real headers for the QC tests, and modifying copies of them."""

from __future__ import annotations

import copy
import warnings
from collections.abc import Callable, Iterable
from pathlib import Path

import pydicom
from pydicom.dataset import Dataset

PHANTOM = "ct_head_phantom_philips"
D2N = "dicom2nifti_selected"
NOT_DICOM = {"MANIFEST.tsv", "SOURCE.txt", "LICENSE", "README.upstream.md", "License.txt"}


def dicom_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file() and p.name not in NOT_DICOM)


def read_headers(*folders: Path) -> tuple[list[Dataset], dict[str, Path]]:
    """Headers (no pixels) of every file under the folders, and where each SOP UID came from."""
    headers: list[Dataset] = []
    paths: dict[str, Path] = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for folder in folders:
            for path in dicom_files(folder):
                ds = pydicom.dcmread(path, stop_before_pixels=True, force=True)
                headers.append(ds)
                paths[str(ds.get("SOPInstanceUID", ""))] = path
    return headers, paths


def byte_reader(paths: dict[str, Path]) -> Callable[[str], bytes]:
    return lambda uid: paths[uid].read_bytes()


def copies(headers: Iterable[Dataset]) -> list[Dataset]:
    return [copy.deepcopy(ds) for ds in headers]


def series_of(headers: Iterable[Dataset], series_number: int) -> list[Dataset]:
    return [ds for ds in headers if int(ds.get("SeriesNumber", -1)) == series_number]
