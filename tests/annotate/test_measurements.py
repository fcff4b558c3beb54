"""Measurement values against independent numpy computations on real images (issue 6)."""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import numpy as np
import pydicom
import pytest
from pydicom.dataset import Dataset

from tests.annotate.helpers import phantom_slice
from workstation.annotate.calibration import (
    IMAGER_PIXEL_SPACING,
    MAGNIFICATION_CORRECTED,
    PIXEL_SPACING,
    UNCALIBRATED,
    calibration_of,
)
from workstation.annotate.measurements import (
    HU,
    Kind,
    MeasuredImage,
    MeasurementError,
    MeasurementSet,
    ellipse_from_box,
    measure,
)
from workstation.annotate.suv import SUV_UNIT, suv_factor


def _hu(ds: Dataset) -> np.ndarray:
    return ds.pixel_array.astype(np.float64) * float(ds.RescaleSlope) + float(ds.RescaleIntercept)


def _synthetic(rows: int = 64, columns: int = 48, **attrs: object) -> Dataset:
    ds = Dataset()
    ds.SOPInstanceUID = "1.2.3.4"
    ds.SOPClassUID = "1.2.840.10008.5.1.4.1.1.7"
    ds.Modality = "OT"
    for key, value in attrs.items():
        setattr(ds, key, value)
    return ds


def _image(ds: Dataset, rows: int = 64, columns: int = 48) -> MeasuredImage:
    stored = np.arange(rows * columns, dtype=np.int16).reshape(rows, columns)
    return MeasuredImage.from_dataset(ds, stored=stored)


def test_roi_statistics_in_hu_on_the_phantom(shared_data: Path) -> None:
    ds = phantom_slice(shared_data)
    hu = _hu(ds)
    image = MeasuredImage.from_dataset(ds)
    assert image.value_unit == HU and image.calibration.source == PIXEL_SPACING
    cc, rr = np.meshgrid(np.arange(ds.Columns), np.arange(ds.Rows))

    # Ellipse drawn in the box (180.3, 190.7)-(330.2, 270.9): centre inside when the ellipse
    # equation of the centre is <= 1.
    ellipse = measure(Kind.ELLIPSE, ellipse_from_box((180.3, 190.7), (330.2, 270.9)), image)
    cx, cy, a, b = (180.3 + 330.2) / 2, (190.7 + 270.9) / 2, (330.2 - 180.3) / 2, (270.9 - 190.7) / 2
    mask = ((cc - cx) / a) ** 2 + ((rr - cy) / b) ** 2 <= 1
    assert ellipse.value("Mean").value == pytest.approx(hu[mask].mean(), abs=1e-9)  # type: ignore[union-attr]
    assert ellipse.value("Standard deviation").value == pytest.approx(hu[mask].std(), abs=1e-9)  # type: ignore[union-attr]
    assert ellipse.value("Minimum").value == hu[mask].min() and ellipse.value("Maximum").value == hu[mask].max()  # type: ignore[union-attr]
    spacing = [float(v) for v in ds.PixelSpacing]
    assert ellipse.value("Area").value == pytest.approx(math.pi * a * b * spacing[0] * spacing[1])  # type: ignore[union-attr]
    assert ellipse.value("Area").unit == "mm2" and "Pixel Spacing" in ellipse.value("Area").note  # type: ignore[union-attr]
    assert hu[mask].std() > 1  # a region with structure, so the check means something

    rectangle = measure(Kind.RECTANGLE, [(300.5, 120.2), (240.4, 200.0)], image)
    mask = (cc >= 240.4) & (cc < 300.5) & (rr >= 120.2) & (rr < 200.0)  # half-open: row 200 is out
    assert rectangle.value("Mean").value == pytest.approx(hu[mask].mean(), abs=1e-9)  # type: ignore[union-attr]
    assert rectangle.value("Standard deviation").value == pytest.approx(hu[mask].std(), abs=1e-9)  # type: ignore[union-attr]

    # Freehand triangle: centre inside when on the inner side of all three edges.
    tri = [(150.2, 300.1), (350.7, 310.4), (260.3, 420.8)]
    inside = np.ones(cc.shape, dtype=bool)
    for (x0, y0), (x1, y1) in zip(tri, tri[1:] + tri[:1], strict=True):
        inside &= (x1 - x0) * (rr - y0) - (y1 - y0) * (cc - x0) > 0
    freehand = measure(Kind.FREEHAND, tri, image)
    assert freehand.value("Mean").value == pytest.approx(hu[inside].mean(), abs=1e-9)  # type: ignore[union-attr]
    assert freehand.value("Maximum").value == hu[inside].max()  # type: ignore[union-attr]

    probe = measure(Kind.PROBE, [(256.3, 199.6)], image)
    assert probe.value("Value").value == hu[200, 256]  # type: ignore[union-attr]
    position = np.asarray(ds.ImagePositionPatient, dtype=float)
    expected = position + np.asarray(ds.ImageOrientationPatient[:3], dtype=float) * spacing[1] * 256.3 + np.asarray(ds.ImageOrientationPatient[3:], dtype=float) * spacing[0] * 199.6
    assert np.allclose(probe.position_lps, expected)  # type: ignore[arg-type]


def test_lengths_and_angles_with_known_spacing(shared_data: Path) -> None:
    ds = phantom_slice(shared_data)
    image = MeasuredImage.from_dataset(ds, stored=np.zeros((ds.Rows, ds.Columns), dtype=np.int16))
    row_mm, col_mm = (float(v) for v in ds.PixelSpacing)
    length = measure(Kind.LENGTH, [(10, 20), (110, 95)], image)
    assert length.value("Length").value == pytest.approx(math.hypot(100 * col_mm, 75 * row_mm))  # type: ignore[union-attr]
    assert length.value("Length").unit == "mm"  # type: ignore[union-attr]

    # Non-square pixels: rows 0.5 mm apart, columns 2.0 mm apart.
    image = _image(_synthetic(PixelSpacing=[0.5, 2.0]))
    assert measure(Kind.LENGTH, [(1, 1), (4, 5)], image).values[0].value == pytest.approx(math.sqrt((3 * 2.0) ** 2 + (4 * 0.5) ** 2))
    # 45 degrees in the patient: 1 column (2 mm) against 4 rows (2 mm).
    angle = measure(Kind.ANGLE, [(10, 10), (0, 0), (1, 4)], image).values[0]
    assert angle.value == pytest.approx(math.degrees(math.atan2(2.0, 2.0) - math.atan2(10 * 0.5, 10 * 2.0)), abs=1e-9)
    assert angle.unit == "deg"
    cobb = measure(Kind.COBB, [(0, 0), (10, 0), (0, 0), (1, 4)], image).values[0].value
    assert cobb == pytest.approx(45.0)
    # Cobb lines drawn in opposite directions give the same (acute) angle.
    assert measure(Kind.COBB, [(10, 0), (0, 0), (0, 0), (1, 4)], image).values[0].value == pytest.approx(45.0)
    rect = measure(Kind.RECTANGLE, [(2, 2), (12, 22)], image)
    assert rect.value("Area").value == pytest.approx(10 * 2.0 * 20 * 0.5)  # type: ignore[union-attr]


def test_calibration_sources() -> None:
    detector = _synthetic(ImagerPixelSpacing=[0.2, 0.2])
    cal = calibration_of(detector)
    assert cal.source == IMAGER_PIXEL_SPACING and "magnification not corrected" in cal.note
    value = measure(Kind.LENGTH, [(0, 0), (100, 0)], _image(detector)).values[0]
    assert value.value == pytest.approx(20.0) and "magnification not corrected" in value.note

    magnified = _synthetic(ImagerPixelSpacing=[0.2, 0.2], EstimatedRadiographicMagnificationFactor=1.25)
    cal = calibration_of(magnified)
    assert cal.source == MAGNIFICATION_CORRECTED and "1.25" in cal.note
    assert measure(Kind.LENGTH, [(0, 0), (100, 0)], _image(magnified)).values[0].value == pytest.approx(16.0)

    # Pixel Spacing wins over Imager Pixel Spacing (PS3.3 10.7.1.3).
    assert calibration_of(_synthetic(PixelSpacing=[0.3, 0.3], ImagerPixelSpacing=[0.2, 0.2])).source == PIXEL_SPACING

    bare = _image(_synthetic())
    value = measure(Kind.LENGTH, [(0, 0), (3, 4)], bare).values[0]
    assert (value.value, value.unit) == (5.0, "px") and "uncalibrated" in value.note
    assert calibration_of(_synthetic(PixelSpacing=[0, 0.3])).source == UNCALIBRATED


def test_bidirectional_from_a_contour() -> None:
    image = _image(_synthetic(PixelSpacing=[0.5, 0.5]), 400, 400)
    theta = math.radians(30)
    t = np.linspace(0, 2 * math.pi, 720, endpoint=False)
    x, y = 80 * np.cos(t), 30 * np.sin(t)  # semi-axes in pixels
    contour = [(200 + xi * math.cos(theta) - yi * math.sin(theta), 200 + xi * math.sin(theta) + yi * math.cos(theta)) for xi, yi in zip(x, y, strict=True)]
    m = measure(Kind.BIDIRECTIONAL, contour, image)
    assert m.value("Long axis").value == pytest.approx(80.0, abs=0.05)  # 160 px * 0.5 mm  # type: ignore[union-attr]
    assert m.value("Short axis").value == pytest.approx(30.0, abs=0.1)  # type: ignore[union-attr]
    (a0, a1, b0, b1) = (np.asarray(p) for p in m.axes)
    assert abs(np.dot(a1 - a0, b1 - b0)) < 1e-6 * np.linalg.norm(a1 - a0) * np.linalg.norm(b1 - b0)
    given = measure(Kind.BIDIRECTIONAL, [(0, 0), (10, 0), (5, -2), (5, 3)], image)
    assert [v.value for v in given.values] == pytest.approx([5.0, 2.5])


def _suv_by_hand(ds: Dataset) -> float:
    """SUVbw factor from the header, written out from PS3.3 C.8.9 (Decay Correction START)."""
    info = ds.RadiopharmaceuticalInformationSequence[0]
    series = dt.datetime.strptime(ds.SeriesDate + ds.SeriesTime.split(".")[0], "%Y%m%d%H%M%S")
    injected = dt.datetime.strptime(ds.SeriesDate + info.RadiopharmaceuticalStartTime.split(".")[0], "%Y%m%d%H%M%S")
    decayed = float(info.RadionuclideTotalDose) * math.exp(-math.log(2) * (series - injected).total_seconds() / float(info.RadionuclideHalfLife))
    return float(ds.PatientWeight) * 1000.0 / decayed


def test_suv_on_a_real_pet_image(shared_data: Path) -> None:
    ds = pydicom.dcmread(shared_data / "fo_dicom_selected" / "GH184.dcm")
    assert ds.Units == "BQML" and ds.DecayCorrection == "START"
    factor = _suv_by_hand(ds)
    assert suv_factor(ds).factor == pytest.approx(factor, rel=1e-9)
    bqml = ds.pixel_array.astype(np.float64) * float(ds.RescaleSlope) + float(ds.RescaleIntercept)
    image = MeasuredImage.from_dataset(ds)
    assert image.value_unit == SUV_UNIT
    row, column = np.unravel_index(int(np.argmax(bqml)), bqml.shape)
    probe = measure(Kind.PROBE, [(float(column), float(row))], image)
    assert probe.values[0].value == pytest.approx(bqml[row, column] * factor, rel=1e-9)
    assert 1.0 < probe.values[0].value < 100.0  # a plausible SUVmax
    roi = measure(Kind.RECTANGLE, [(column - 3, row - 3), (column + 3, row + 3)], image)
    assert roi.value("Mean").value == pytest.approx(bqml[row - 3:row + 3, column - 3:column + 3].mean() * factor, rel=1e-9)  # half-open  # type: ignore[union-attr]

    # ADMIN: no decay; NONE: decayed to the acquisition time; missing weight: unavailable.
    admin = pydicom.dcmread(shared_data / "fo_dicom_selected" / "GH184.dcm", stop_before_pixels=True)
    admin.DecayCorrection = "ADMIN"
    assert suv_factor(admin).factor == pytest.approx(float(admin.PatientWeight) * 1000 / float(admin.RadiopharmaceuticalInformationSequence[0].RadionuclideTotalDose))
    admin.PatientWeight = None
    assert not suv_factor(admin).available and "weight" in suv_factor(admin).reason


def test_suv_unavailable_says_why(shared_data: Path) -> None:
    ds = pydicom.dcmread(shared_data / "fo_dicom_selected" / "GH610.dcm")
    result = suv_factor(ds)
    assert not result.available and "PROPCPS" in result.reason
    image = MeasuredImage.from_dataset(ds)
    probe = measure(Kind.PROBE, [(64, 64)], image)
    assert probe.values[0].unit != SUV_UNIT and "PROPCPS" in probe.unavailable


def test_measurement_set_undo_redo(shared_data: Path) -> None:
    ds = phantom_slice(shared_data)
    image = MeasuredImage.from_dataset(ds)
    items = MeasurementSet()
    length = items.add(measure(Kind.LENGTH, [(10, 10), (50, 10)], image))
    roi = items.add(measure(Kind.RECTANGLE, [(200, 200), (260, 240)], image))
    moved = items.move(roi.id, 20, -30, image)
    assert moved.id == roi.id and moved.points == ((220, 170), (280, 210))
    assert moved.value("Mean") != roi.value("Mean")
    moved_length = items.move(length.id, 5, 5)
    assert moved_length.values == length.values and moved_length.points[0] == (15, 15)
    with pytest.raises(MeasurementError, match="needs its image"):
        items.move(roi.id, 1, 1)
    items.delete(length.id)
    assert [m.id for m in items] == [roi.id]
    items.undo()
    items.undo()
    assert items.get(length.id) == length and items.get(roi.id) == moved
    items.undo()
    assert items.get(roi.id) == roi
    items.redo()
    items.redo()
    items.redo()
    assert [m.id for m in items] == [roi.id] and not items.can_redo
    edited = items.edit(roi.id, [(0, 0), (10, 10)], image)
    assert edited.id == roi.id and items.get(roi.id).points == ((0, 0), (10, 10))
    with pytest.raises(MeasurementError, match="2 finite points"):
        measure(Kind.LENGTH, [(0, 0)], image)
    with pytest.raises(MeasurementError, match="outside the image"):
        measure(Kind.PROBE, [(-5, 0)], image)
