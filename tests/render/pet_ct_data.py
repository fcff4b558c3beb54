"""A PET/CT study for tests, from real data: the phantom CT (28 slices of 5 mm, ../shared/data)
and a PET series made from the real whole-body FDG slice (its header, SUV attributes and pixels)
as 12 slices of 3 mm in the CT's Frame of Reference and study (the shared data has no PET/CT
pair). Returns the Study Instance UID and the PS3.10 bytes of every instance."""

from __future__ import annotations

import copy
from io import BytesIO
from pathlib import Path

import pydicom
from pydicom.uid import generate_uid

PET = "orthanc_tests_selected/2020-11-16-SalimKanounAnonymization.dcm"


def pet_ct_study(shared_data: Path) -> tuple[str, list[bytes]]:
    cts = [pydicom.dcmread(f) for f in sorted((shared_data / "ct_head_phantom_philips" / "S2010").glob("*.dcm"))]
    cts.sort(key=lambda d: float(d.ImagePositionPatient[2]))
    study_uid = generate_uid()
    out = []
    for ds in cts:
        ds.StudyInstanceUID = study_uid
        buffer = BytesIO()
        ds.save_as(buffer)
        out.append(buffer.getvalue())
    middle = float(cts[len(cts) // 2].ImagePositionPatient[2])
    template = pydicom.dcmread(shared_data / PET)
    series_uid = generate_uid()
    for k in range(12):
        ds = copy.deepcopy(template)
        for keyword in ("PatientName", "PatientID", "PatientBirthDate", "PatientSex", "StudyDate", "StudyTime",
                        "StudyID", "AccessionNumber", "FrameOfReferenceUID"):
            if keyword in cts[0]:
                setattr(ds, keyword, cts[0].data_element(keyword).value)
        ds.StudyInstanceUID = study_uid
        ds.SeriesInstanceUID = series_uid
        ds.SOPInstanceUID = generate_uid()
        ds.file_meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
        ds.InstanceNumber = k + 1
        ds.ImagePositionPatient = [-405.624, -430.0, middle - 18.0 + 3.0 * k]
        ds.SliceLocation = middle - 18.0 + 3.0 * k
        buffer = BytesIO()
        ds.save_as(buffer)
        out.append(buffer.getvalue())
    return study_uid, out
