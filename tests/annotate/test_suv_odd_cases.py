"""SUV numbers that must stay right in odd cases (issue 20): a Series Time later than the
acquisition, an injection before midnight with a scan after it, SUL and SUVbsa.

Expected factors are written out here from the formulas (PS3.3 C.8.9, QIBA, Janmahasatian 2005,
Du Bois 1916) with the header values, independently of workstation.annotate.suv.
"""

from __future__ import annotations

import copy
import datetime as dt
import math
from pathlib import Path

import numpy as np
import pydicom
import pytest
from pydicom.dataset import Dataset

from workstation.annotate.measurements import Kind, MeasuredImage, measure
from workstation.annotate.suv import (
    SUL_UNIT,
    SUV_BSA_UNIT,
    SUV_UNIT,
    sul_factor,
    suv_bsa_factor,
    suv_factor,
)


def _real_pet(shared_data: Path, pixels: bool = False) -> Dataset:
    ds = pydicom.dcmread(shared_data / "fo_dicom_selected" / "GH184.dcm", stop_before_pixels=not pixels)
    assert (ds.Units, ds.DecayCorrection, ds.SeriesTime, ds.AcquisitionTime) == ("BQML", "START", "110036.00", "110036.00")
    return ds


def _decayed(dose: float, half_life: float, start: dt.datetime, injected: dt.datetime) -> float:
    return dose * math.exp(-math.log(2) * (start - injected).total_seconds() / half_life)


def _factor_by_hand(ds: Dataset, start: dt.datetime, injected: dt.datetime, normaliser_g: float) -> float:
    info = ds.RadiopharmaceuticalInformationSequence[0]
    return normaliser_g / _decayed(float(info.RadionuclideTotalDose), float(info.RadionuclideHalfLife), start, injected)


def _at(date: str, time: str) -> dt.datetime:
    return dt.datetime.strptime(date + time.split(".")[0], "%Y%m%d%H%M%S")


def test_a_series_time_after_the_acquisition_falls_back_to_the_earliest_acquisition(shared_data: Path) -> None:
    ds = _real_pet(shared_data)
    injected = _at(ds.SeriesDate, ds.RadiopharmaceuticalInformationSequence[0].RadiopharmaceuticalStartTime)
    expected = _factor_by_hand(ds, _at(ds.AcquisitionDate, ds.AcquisitionTime), injected, float(ds.PatientWeight) * 1000)
    resaved = copy.deepcopy(ds)
    resaved.SeriesTime = "121300"  # re-saved 72.4 min after the scan: read as the start, SUV is 58% too high
    too_high = _factor_by_hand(ds, _at(ds.SeriesDate, "121300"), injected, float(ds.PatientWeight) * 1000)
    assert too_high / expected == pytest.approx(1.579, abs=0.001)

    alone = suv_factor(resaved)  # the series' earliest acquisition is unknown: refused, with the reason
    assert not alone.available and "re-saved or post-processed" in alone.reason and "72.4 min" in alone.reason

    # Three bed positions 3 min apart, all re-saved: every image refers to the earliest acquisition.
    beds = []
    for k in range(3):
        bed = copy.deepcopy(resaved)
        bed.AcquisitionTime = f"11{k * 3:02d}36"
        beds.append(bed)
    earliest = _factor_by_hand(ds, _at(ds.SeriesDate, "110036"), injected, float(ds.PatientWeight) * 1000)
    for bed in beds:
        result = suv_factor(bed, beds[::-1])
        assert result.factor == pytest.approx(earliest, rel=1e-12)
        assert "earliest acquisition" in result.reason and "72.4 min later" in result.reason
    assert suv_factor(resaved, [resaved]).factor == pytest.approx(expected, rel=1e-12)

    # The usual case is unchanged: Series Time not later than the acquisitions is the scan start.
    assert suv_factor(ds, [ds]).factor == pytest.approx(expected, rel=1e-12)
    assert suv_factor(ds).factor == pytest.approx(expected, rel=1e-12)


def test_the_display_path_uses_the_series_for_the_scan_start(shared_data: Path) -> None:
    ds = _real_pet(shared_data, pixels=True)
    ds.SeriesTime = "121300"
    injected = _at(ds.SeriesDate, ds.RadiopharmaceuticalInformationSequence[0].RadiopharmaceuticalStartTime)
    factor = _factor_by_hand(ds, _at(ds.AcquisitionDate, ds.AcquisitionTime), injected, float(ds.PatientWeight) * 1000)
    bqml = ds.pixel_array.astype(np.float64) * float(ds.RescaleSlope) + float(ds.RescaleIntercept)
    row, column = np.unravel_index(int(np.argmax(bqml)), bqml.shape)

    image = MeasuredImage.from_dataset(ds, series=[ds])
    probe = measure(Kind.PROBE, [(float(column), float(row))], image)
    assert probe.values[0].unit == SUV_UNIT
    assert probe.values[0].value == pytest.approx(bqml[row, column] * factor, rel=1e-9)
    assert "re-saved or post-processed" in probe.values[0].note

    bare = measure(Kind.PROBE, [(float(column), float(row))], MeasuredImage.from_dataset(ds))
    assert bare.values[0].unit == "Bq/ml" and "re-saved or post-processed" in bare.unavailable


def _midnight(start_time: str, **info: str) -> Dataset:
    ds = Dataset()
    ds.Modality, ds.Units, ds.DecayCorrection = "PT", "BQML", "START"
    ds.SeriesDate, ds.SeriesTime = "20240301", start_time
    ds.AcquisitionDate, ds.AcquisitionTime = "20240301", start_time
    ds.PatientWeight = "72.5"
    item = Dataset()
    item.RadionuclideTotalDose, item.RadionuclideHalfLife = "350000000", "6586.2"
    for key, value in info.items():
        setattr(item, key, value)
    ds.RadiopharmaceuticalInformationSequence = [item]
    return ds


def test_an_injection_before_midnight_and_a_scan_after_it() -> None:
    ds = _midnight("003500", RadiopharmaceuticalStartTime="234000")
    expected = _factor_by_hand(ds, dt.datetime(2024, 3, 1, 0, 35), dt.datetime(2024, 2, 29, 23, 40), 72500.0)
    result = suv_factor(ds)
    assert result.factor == pytest.approx(expected, rel=1e-12)
    assert result.decay_seconds == 55 * 60
    assert "taken on the day before" in result.reason and "55.0 min uptake" in result.reason

    # With the injection's date and time given, that is used, and nothing needs saying.
    dated = _midnight("003500", RadiopharmaceuticalStartTime="234000", RadiopharmaceuticalStartDateTime="20240229234000")
    assert suv_factor(dated).factor == pytest.approx(expected, rel=1e-12)
    assert "day before" not in suv_factor(dated).reason

    # An injection dated after the scan, or one that would need an implausible uptake, is refused.
    assert "after the scan" in suv_factor(_midnight("003500", RadiopharmaceuticalStartDateTime="20240301010000")).reason
    late = suv_factor(_midnight("003500", RadiopharmaceuticalStartTime="100000"))  # 14.6 h before: not plausible
    assert not late.available and "after the scan" in late.reason


def test_sul_and_suv_bsa_against_the_formulas(shared_data: Path) -> None:
    ds = _real_pet(shared_data)
    weight, height = float(ds.PatientWeight), float(ds.PatientSize)
    assert (weight, round(height, 2), ds.PatientSex) == (90.0, 1.70, "O")
    start = _at(ds.SeriesDate, ds.SeriesTime)
    injected = _at(ds.SeriesDate, ds.RadiopharmaceuticalInformationSequence[0].RadiopharmaceuticalStartTime)

    bsa_m2 = 0.007184 * 90.0**0.425 * (height * 100) ** 0.725  # Du Bois: about 2.01 m²
    bsa = suv_bsa_factor(ds)
    assert bsa.unit == SUV_BSA_UNIT == "cm2/ml{SUVbsa}"
    assert bsa.factor == pytest.approx(_factor_by_hand(ds, start, injected, bsa_m2 * 1e4), rel=1e-12)
    assert "2.01 m²" in bsa.reason

    other = sul_factor(ds)  # Patient's Sex O: the formula differs by sex, so SUL is refused
    assert not other.available and "sex" in other.reason
    bmi = weight / height**2
    for sex, lbm_kg in (("M", 9270 * weight / (6680 + 216 * bmi)), ("F", 9270 * weight / (8780 + 244 * bmi))):
        ds.PatientSex = sex
        sul = sul_factor(ds)
        assert sul.unit == SUL_UNIT
        assert sul.factor == pytest.approx(_factor_by_hand(ds, start, injected, lbm_kg * 1000), rel=1e-12)
        assert f"{lbm_kg:.1f} kg" in sul.reason
    assert 55 < 9270 * weight / (6680 + 216 * bmi) < 70  # a lean body mass, not a weight

    ds.PatientSize = "170"  # centimetres by mistake
    assert "not a height in metres" in sul_factor(ds).reason and "not a height in metres" in suv_bsa_factor(ds).reason
    del ds.PatientSize
    for refused in (sul_factor(ds), suv_bsa_factor(ds)):
        assert not refused.available and "height" in refused.reason
    assert suv_factor(ds).available  # SUVbw needs no height


def test_measurements_offer_sul_and_suv_bsa_or_say_why_not(shared_data: Path) -> None:
    ds = _real_pet(shared_data, pixels=True)
    ds.PatientSex = "F"
    bqml = ds.pixel_array.astype(np.float64) * float(ds.RescaleSlope) + float(ds.RescaleIntercept)
    row, column = (int(v) for v in np.unravel_index(int(np.argmax(bqml)), bqml.shape))
    box = bqml[row - 3:row + 3, column - 3:column + 3]
    image = MeasuredImage.from_dataset(ds)
    roi = measure(Kind.RECTANGLE, [(column - 3, row - 3), (column + 3, row + 3)], image)
    for name, factor in (("SUL", sul_factor(ds).factor), ("SUVbsa", suv_bsa_factor(ds).factor)):
        assert factor is not None
        assert roi.value(f"{name} mean").value == pytest.approx(box.mean() * factor, rel=1e-9)  # type: ignore[union-attr]
        assert roi.value(f"{name} max").value == pytest.approx(box.max() * factor, rel=1e-9)  # type: ignore[union-attr]
    assert "SUL" in roi.label and "SUVbsa" in roi.label
    probe = measure(Kind.PROBE, [(column, row)], image)
    assert probe.value("SUL").value == pytest.approx(bqml[row, column] * sul_factor(ds).factor, rel=1e-9)  # type: ignore[union-attr, operator]

    del ds.PatientSize
    roi = measure(Kind.RECTANGLE, [(column - 3, row - 3), (column + 3, row + 3)], MeasuredImage.from_dataset(ds))
    assert roi.value("SUL mean") is None and roi.value("SUVbsa mean") is None
    assert roi.value("Mean").unit == SUV_UNIT  # type: ignore[union-attr]
    note = roi.value("Mean").note  # type: ignore[union-attr]
    assert "SUL unavailable" in note and "SUVbsa unavailable" in note and "height" in note
