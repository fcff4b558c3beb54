"""A key image keeps its presentation in the report: the window, the displayed area and the
measurement of its GSPS, written by the workstation's own writer and read back, then printed."""

from __future__ import annotations

import numpy as np
import pydicom
import pytest
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import ExplicitVRLittleEndian, generate_uid

from workstation.annotate.gsps_writer import View, build_presentation_state
from workstation.annotate.measurements import Kind, MeasuredImage, measure
from workstation.model.entities import StudySummary
from workstation.model.presentation_state import read_presentation_state
from workstation.report.key_pictures import ANNOTATION_COLOUR, render_key_image
from workstation.report.model import KeyImage
from workstation.report.pdf import Letterhead, render_report_pdf
from workstation.report.templates import fill_report, load_templates

ROWS = COLUMNS = 64


def _ct() -> tuple[Dataset, np.ndarray]:
    """A CT image whose HU rise 7 per column and 1 per row from -200 (stored = HU + 1024), carrying
    a lung window of its own (the window the report used to print)."""
    ds = Dataset()
    ds.file_meta = FileMetaDataset()
    ds.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds.SOPClassUID = "1.2.840.10008.5.1.4.1.1.2"
    ds.SOPInstanceUID = generate_uid()
    ds.StudyInstanceUID, ds.SeriesInstanceUID = generate_uid(), generate_uid()
    ds.FrameOfReferenceUID = generate_uid()
    ds.Modality, ds.PatientName, ds.PatientID = "CT", "Test^Key", "KEY-1"
    ds.PatientBirthDate, ds.PatientSex, ds.StudyDate, ds.StudyTime = "19700101", "F", "20240301", "101500"
    ds.StudyID, ds.AccessionNumber, ds.ReferringPhysicianName, ds.SeriesDescription = "1", "ACC", "", "Axial"
    ds.SeriesNumber, ds.InstanceNumber = 2, 65
    ds.Rows, ds.Columns = ROWS, COLUMNS
    ds.PixelSpacing = [0.7, 0.7]
    ds.ImageOrientationPatient = [1, 0, 0, 0, 1, 0]
    ds.ImagePositionPatient = [0, 0, 0]
    ds.SamplesPerPixel, ds.PhotometricInterpretation = 1, "MONOCHROME2"
    ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 16, 16, 15, 1
    ds.RescaleSlope, ds.RescaleIntercept, ds.RescaleType = 1, -1024, "HU"
    ds.WindowCenter, ds.WindowWidth = -600, 1500  # lung
    rows, columns = np.mgrid[0:ROWS, 0:COLUMNS]
    stored = (1024 - 200 + 7 * columns + rows).astype(np.int16)
    ds.PixelData = stored.tobytes()
    return ds, stored


def _linear_voi(hu: float, centre: float, width: float) -> int:
    """PS3.3 C.11.2.1.2.1 to 8 bits, written out here independently of the workstation."""
    if hu <= centre - 0.5 - (width - 1) / 2:
        return 0
    if hu > centre - 0.5 + (width - 1) / 2:
        return 255
    return int(np.floor(((hu - (centre - 0.5)) / (width - 1) + 0.5) * 255 + 0.5))


def _key_picture() -> tuple[np.ndarray, Dataset, np.ndarray]:
    ds, stored = _ct()
    line = measure(Kind.LENGTH, [(12.0, 20.0), (50.0, 20.0)], MeasuredImage.from_dataset(ds, stored=stored))
    # marked in the mediastinal window (40/400), zoomed on columns/rows 9..56 (1-based)
    gsps = build_presentation_state([ds], [line], View(window=(40.0, 400.0), displayed_area=((9, 9), (56, 56))))
    state = read_presentation_state(pydicom.dcmread(pydicom.filebase.DicomBytesIO(_bytes(gsps))))
    params = state.display_for(str(ds.SOPInstanceUID), 1, rows=ROWS, columns=COLUMNS)
    assert params is not None and params.window == (40.0, 400.0)
    return render_key_image(stored, ds, params), ds, stored


def _bytes(ds: Dataset) -> bytes:
    buffer = pydicom.filebase.DicomBytesIO()
    ds.save_as(buffer, enforce_file_format=True)
    return buffer.getvalue()


def test_printed_key_image_keeps_window_area_and_measurement() -> None:
    picture, ds, stored = _key_picture()
    # displayed area 48 x 48 pixels, each replicated 10 times
    assert picture.shape == (480, 480, 3) and picture.dtype == np.uint8

    def at(column: int, row: int) -> np.ndarray:
        return picture[(row - 8) * 10 + 5, (column - 8) * 10 + 5]

    for column, row in ((30, 40), (15, 50), (45, 33), (9, 9)):
        hu = float(stored[row, column]) - 1024
        expected = _linear_voi(hu, 40.0, 400.0)
        assert tuple(at(column, row)) == (expected,) * 3, (column, row, hu)
        assert expected != _linear_voi(hu, -600.0, 1500.0)  # the lung window would print another grey
    # the length's line, at row 20 from column 12 to 50, in the annotation colour
    y = int((20 + 0.5 - 8) * 10)
    band = picture[y - 2:y + 3, int((25 + 0.5 - 8) * 10):int((40 + 0.5 - 8) * 10)]
    coloured = np.all(band == np.array(ANNOTATION_COLOUR, np.uint8), axis=-1)
    assert coloured.any(axis=0).all()  # every column of the stretch has line pixels
    above = picture[y - 40, 200]
    assert above[0] == above[1] == above[2]  # grey image away from the line
    # outside the displayed area nothing is printed: the picture starts at column/row 9 (1-based)
    assert tuple(picture[5, 5]) == (_linear_voi(float(stored[8, 8]) - 1024, 40.0, 400.0),) * 3


def test_without_a_presentation_state_the_image_window_is_used() -> None:
    ds, stored = _ct()
    picture = render_key_image(stored, ds, None)
    assert picture.shape == (512, 512, 3)  # 64 x 8
    hu = float(stored[40, 30]) - 1024
    assert tuple(picture[40 * 8 + 4, 30 * 8 + 4]) == (_linear_voi(hu, -600.0, 1500.0),) * 3


def test_the_pdf_carries_the_picture_unchanged() -> None:
    pdfium = pytest.importorskip("pypdfium2")
    picture, ds, _stored = _key_picture()
    study = StudySummary(study_uid=str(ds.StudyInstanceUID), patient_name="Test^Key", modalities=("CT",))
    template = load_templates().get("generic")
    report = fill_report(template, study, key_images=[KeyImage(str(ds.SOPClassUID), str(ds.SOPInstanceUID),
                                                               caption="Node (series 2, image 65)")])
    pdf = render_report_pdf(report.with_section("impression", "Node."), Letterhead("Riverside"), template=template,
                            key_image_pixels=[picture])
    document = pdfium.PdfDocument(pdf)
    try:
        images = list(document[0].get_objects(filter=[pdfium.raw.FPDF_PAGEOBJ_IMAGE], max_depth=5))
        assert len(images) == 1
        bitmap = images[0].get_bitmap(render=False)
        printed = np.asarray(bitmap.to_numpy())[:, :, :3]
        mode = bitmap.mode
    finally:
        document.close()
    if mode.startswith("BGR"):
        printed = printed[:, :, ::-1]
    assert printed.shape == picture.shape
    assert np.array_equal(printed, picture)
