"""A library holding a real-looking study to export: the generated CT phantom renamed with a
French, accented patient (UTF-8), a private tag and a nested sequence that repeat the patient's
identity, one image flagged Burned In Annotation YES, and the workstation's own measurement
report (SR TID 1500), key object selection (KOS) and presentation state (GSPS) on it."""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

import pydicom
import pytest
from pydicom.dataset import Dataset
from pydicom.sequence import Sequence as DicomSequence

from tests.annotate.test_dicom_objects import all_tools, header
from workstation import demo
from workstation.annotate.gsps_writer import View, build_presentation_state
from workstation.annotate.key_images import KeyImages
from workstation.annotate.kos import build_key_object_selection
from workstation.annotate.measurements import ImageRef, MeasuredImage
from workstation.annotate.sr_tid1500 import build_measurement_report
from workstation.model.part10 import file_meta
from workstation.store.library import Library

NAME = "Dupré^Éloïse^Marie-Thérèse"
PATIENT_ID = "PID-ÉTÉ-4711"
BIRTH_DATE = "19611231"
ACCESSION = "ACC-98765"
STUDY_DESCRIPTION = "Scanner crânien contrôle Dupré"
SLICES = 6


@dataclass
class StudyToExport:
    library: Library
    study_uid: str
    originals: list[Dataset]  # every instance as stored (pixels included)
    burned_in_uid: str
    sr_uid: str
    kos_uid: str
    gsps_uid: str
    seg_uid: str


def _identity(ds: Dataset) -> None:
    ds.SpecificCharacterSet = "ISO_IR 192"
    ds.PatientName = NAME
    ds.PatientID = PATIENT_ID
    ds.PatientBirthDate = BIRTH_DATE
    ds.AccessionNumber = ACCESSION
    ds.StudyDescription = STUDY_DESCRIPTION
    ds.StationName = "CT-SALLE-2"
    ds.DeviceSerialNumber = "SN-445566"
    ds.InstitutionName = "Clinique Sainte-Anne"
    block = ds.private_block(0x0029, "ACME private", create=True)
    block.add_new(0x10, "LO", f"{NAME}")
    block.add_new(0x11, "LO", PATIENT_ID)
    referenced = Dataset()
    referenced.PatientName = NAME
    referenced.PatientID = PATIENT_ID
    referenced.PatientBirthDate = BIRTH_DATE
    ds.OriginalAttributesSequence = DicomSequence([Dataset()])
    ds.OriginalAttributesSequence[0].ModifiedAttributesSequence = DicomSequence([referenced])


def _code(value: str, scheme: str, meaning: str) -> Dataset:
    code = Dataset()
    code.CodeValue, code.CodingSchemeDesignator, code.CodeMeaning = value, scheme, meaning
    return code


def _mention_patient(sr: Dataset) -> None:
    """Identity inside the SR content tree, as real reports have it: the Subject Name (TID 1007,
    DCM 121029) and a free-text comment quoting the patient's name and ID."""
    subject = Dataset()
    subject.RelationshipType = "HAS OBS CONTEXT"
    subject.ValueType = "PNAME"
    subject.ConceptNameCodeSequence = DicomSequence([_code("121029", "DCM", "Subject Name")])
    subject.PersonName = NAME
    comment = Dataset()
    comment.RelationshipType = "CONTAINS"
    comment.ValueType = "TEXT"
    comment.ConceptNameCodeSequence = DicomSequence([_code("121106", "DCM", "Comment")])
    comment.TextValue = f"Revu avec {NAME.replace('^', ' ')} ({PATIENT_ID}), né le {BIRTH_DATE}: stable."
    sr.ContentSequence.append(subject)
    sr.ContentSequence.append(comment)


def _segmentation(source: list[Dataset]) -> Dataset:
    """A binary SEG (highdicom) of the bright ellipsoid on three slices of the study."""
    import highdicom as hd
    import numpy as np
    from pydicom.sr.codedict import codes

    mask = np.stack([ds.pixel_array > 1100 for ds in source]).astype(np.uint8)
    segment = hd.seg.SegmentDescription(
        segment_number=1, segment_label="Crâne", segmented_property_category=codes.SCT.Tissue,
        segmented_property_type=codes.SCT.Bone, algorithm_type=hd.seg.SegmentAlgorithmTypeValues.MANUAL)
    seg = hd.seg.Segmentation(
        source_images=source, pixel_array=mask, segmentation_type=hd.seg.SegmentationTypeValues.BINARY,
        segment_descriptions=[segment], series_instance_uid=hd.UID(), series_number=90,
        sop_instance_uid=hd.UID(), instance_number=1, manufacturer="workstation tests",
        manufacturer_model_name="export", software_versions="1", device_serial_number="SN-445566")
    return pydicom.dcmread(io.BytesIO(_part10(seg)))


def _part10(ds: Dataset) -> bytes:
    if not getattr(ds, "file_meta", None) or "TransferSyntaxUID" not in ds.file_meta:
        ds.file_meta = file_meta(ds.SOPClassUID, ds.SOPInstanceUID)
    buffer = io.BytesIO()
    ds.save_as(buffer, enforce_file_format=True)
    return buffer.getvalue()


@pytest.fixture
def study(tmp_path: Path) -> StudyToExport:
    library = Library(tmp_path / "library")
    slices = []
    for data in demo.phantom_series(shape=(SLICES, 512, 512)):
        ds = pydicom.dcmread(io.BytesIO(data))
        _identity(ds)
        slices.append(ds)
    slices[-1].BurnedInAnnotation = "YES"
    middle = slices[SLICES // 2]
    image = MeasuredImage.from_dataset(middle)
    measurements = all_tools(image)
    sr = build_measurement_report(measurements, [header(middle)], observer_name="Lecteur^Hélène")
    kos = build_key_object_selection(KeyImages([ImageRef.of(middle), ImageRef.of(slices[0])], "Coupe clé"), [header(middle), header(slices[0])])
    gsps = build_presentation_state([header(middle)], measurements, View(window=(40.0, 80.0), zoom=1.5))
    sr = pydicom.dcmread(io.BytesIO(_part10(sr)))  # a plain dataset, to add items highdicom would not
    _mention_patient(sr)
    seg = _segmentation(slices[1:4])
    objects = [sr, kos, gsps, seg]
    originals = []
    for ds in slices + objects:
        data = _part10(ds)
        library.add_bytes(data)
        originals.append(pydicom.dcmread(io.BytesIO(data)))
    return StudyToExport(library, str(middle.StudyInstanceUID), originals,
                         str(slices[-1].SOPInstanceUID), str(sr.SOPInstanceUID),
                         str(kos.SOPInstanceUID), str(gsps.SOPInstanceUID), str(seg.SOPInstanceUID))
