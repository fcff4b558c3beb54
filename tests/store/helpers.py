"""Building small, real instances for library tests from pydicom's bundled files."""

from __future__ import annotations

from io import BytesIO
from pathlib import Path
from typing import Any

import pydicom
from pydicom.data import get_testdata_file
from pydicom.dataset import Dataset
from pydicom.uid import generate_uid


def bundled(name: str) -> str:
    path = get_testdata_file(name)
    assert path is not None, name
    return str(path)


def instance_bytes(
    *,
    template: str = "CT_small.dcm",
    study_uid: str | None = None,
    series_uid: str | None = None,
    sop_uid: str | None = None,
    modality: str | None = None,
    patient_name: str | None = None,
    patient_id: str | None = None,
    study_date: str | None = None,
    instance_number: int | None = None,
    accession: str | None = None,
    description: str | None = None,
    padding: int = 0,
) -> bytes:
    """A real bundled instance with new identity attributes, as PS3.10 bytes.

    ``padding`` adds a private OB element of that many bytes (to give studies known sizes).
    """
    ds = pydicom.dcmread(bundled(template))
    ds.StudyInstanceUID = study_uid or generate_uid()
    ds.SeriesInstanceUID = series_uid or generate_uid()
    ds.SOPInstanceUID = sop_uid or generate_uid()
    ds.file_meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
    if modality is not None:
        ds.Modality = modality
    if patient_name is not None:
        ds.PatientName = patient_name
    if patient_id is not None:
        ds.PatientID = patient_id
    if study_date is not None:
        ds.StudyDate = study_date
    if instance_number is not None:
        ds.InstanceNumber = instance_number
    if accession is not None:
        ds.AccessionNumber = accession
    if description is not None:
        ds.StudyDescription = description
    if padding:
        block = ds.private_block(0x0009, "WORKSTATION TEST", create=True)
        block.add_new(0x01, "OB", b"\x00" * padding)
    out = BytesIO()
    ds.save_as(out, enforce_file_format=True)
    return out.getvalue()


def read(data: bytes) -> Dataset:
    return pydicom.dcmread(BytesIO(data))


def open_index(root: Path) -> Any:
    """A connection to the library index at ``root``, keyed with the installation's key as the
    library opens it (SQLCipher), for tests that change the index behind the library's back."""
    from sqlcipher3 import dbapi2

    from workstation.crypt.keys import load_key

    conn = dbapi2.connect(str(Path(root) / "index.sqlite3"))
    key = load_key(create=False)
    if key is not None:
        conn.execute(key.sqlcipher_pragma())
    return conn
