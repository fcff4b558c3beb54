"""Standardized uptake values from the PET header (PS3.3 C.8.9.1, C.8.9.2): SUVbw, SUL, SUVbsa.

``SUV = C * N / D_ref`` with ``C`` the activity concentration in Bq/ml (the modality value of an
image whose Units (0054,1001) is BQML), ``D_ref`` the injected dose (Radionuclide Total Dose
(0018,1074), Bq) decayed to the time the pixel values refer to, and ``N`` the normaliser:

- SUVbw (g/ml): the patient's weight in g (Patient's Weight (0010,1030) is in kg).
- SUL (g/ml, lean body mass, Janmahasatian et al., Clin Pharmacokinet 2005;44:1051): with
  ``W`` in kg and ``BMI = W / H^2`` (height ``H`` from Patient's Size (0010,1020), m),
  ``LBM = 9270 W / (6680 + 216 BMI)`` for men and ``9270 W / (8780 + 244 BMI)`` for women (kg);
  it needs Patient's Sex (0010,0040) M or F and the height.
- SUVbsa (cm2/ml, body surface area, Du Bois & Du Bois 1916): ``BSA = 0.007184 W^0.425
  (100 H)^0.725`` m2, used in cm2; it needs the height.

Each is refused with one sentence when the header lacks what it needs. Units are the UCUM codes
of PS3.16 CID 85 (``g/ml{SUVbw}``, ``g/ml{SUVlbm(Janma)}``, ``cm2/ml{SUVbsa}``).

Decay reference (Decay Correction (0054,1102), C.8.9.1.1.2):

- START: values are decay corrected to the scan start. Following the QIBA FDG-PET/CT profile
  and its vendor-neutral SUV pseudo-code (UPICT), the scan start is Series Date/Time when it is
  not later than the earliest Acquisition Date/Time of the series; when it is later (a series
  re-saved or post-processed, whose Series Time is no longer the scan start) the earliest
  Acquisition Date/Time of the series is used, and the reason says so. Without the series'
  headers that earliest time is unknown, and SUV is refused with a sentence instead.
  ``D_ref = D * 2^(-(t_start - t_injection) / T_half)``.
- ADMIN: values are decay corrected to the administration time; ``D_ref = D``.
- NONE: values are not decay corrected; the image's Acquisition Date/Time is the reference.

The injection time is Radiopharmaceutical Start DateTime (0018,1078) when given. With only
Radiopharmaceutical Start Time (0018,1072), the injection is put on the day of the reference
time; when that puts it after the scan (an injection before midnight, a scan after it) and the
day before gives an uptake of at most :data:`MAX_ROLLOVER_HOURS`, the injection is taken on the
day before and the reason says so; otherwise SUV is refused as "injection after the scan". The
half-life is Radionuclide Half Life (0018,1075, s).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass

from pydicom.dataset import Dataset
from pydicom.valuerep import DT

SUV_UNIT = "g/ml{SUVbw}"
SUL_UNIT = "g/ml{SUVlbm(Janma)}"
SUV_BSA_UNIT = "cm2/ml{SUVbsa}"

#: Longest uptake (hours) for which an injection time later than the scan time (and no date)
#: is taken as the day before; longer ones are refused (the times are then more likely wrong).
MAX_ROLLOVER_HOURS = 12.0
#: Heights (Patient's Size, m) outside this range are taken as a wrong unit and refused.
HEIGHT_RANGE_M = (0.3, 2.8)


@dataclass(frozen=True)
class SuvFactor:
    """Multiply an activity concentration (Bq/ml) by ``factor`` to get the SUV in ``unit``.

    ``factor`` is None when this SUV is unavailable; ``reason`` then says why, else how it was
    found (and any fallback taken on the way).
    """

    factor: float | None
    reason: str
    decay_seconds: float | None = None
    unit: str = SUV_UNIT

    @property
    def available(self) -> bool:
        return self.factor is not None


@dataclass(frozen=True)
class _DecayedDose:
    """The dose at the reference time (Bq), or why it is unknown; ``how`` says what was done."""

    dose: float | None
    how: str
    seconds: float | None = None


def _float(ds: Dataset, keyword: str) -> float | None:
    try:
        value = float(ds.get(keyword, None))
    except (TypeError, ValueError):
        return None
    return value if math.isfinite(value) else None


def _datetime(date: object, time: object) -> dt.datetime | None:
    date_s, time_s = str(date or "").strip(), str(time or "").strip()
    if len(date_s) < 8 or len(time_s) < 2:
        return None
    try:
        return DT(date_s[:8] + time_s.replace(":", "")).replace(tzinfo=None)
    except (ValueError, TypeError):
        return None


def _acquisition(ds: Dataset) -> dt.datetime | None:
    """Acquisition Date/Time of one image (Acquisition DateTime when given)."""
    full = str(ds.get("AcquisitionDateTime", "") or "").strip()
    if len(full) >= 10:
        try:
            return DT(full).replace(tzinfo=None)
        except (ValueError, TypeError):
            pass
    return _datetime(ds.get("AcquisitionDate", None) or ds.get("SeriesDate", None), ds.get("AcquisitionTime", None))


def _minutes(seconds: float) -> str:
    return f"{seconds / 60:.1f} min"


def _scan_start(ds: Dataset, series: Sequence[Dataset] | None) -> tuple[dt.datetime | None, str]:
    """The START reference (QIBA): Series Date/Time unless later than the earliest acquisition."""
    series_start = _datetime(ds.get("SeriesDate", None), ds.get("SeriesTime", None))
    own = _acquisition(ds)
    earliest = None
    if series is not None:
        times = [t for t in (_acquisition(h) for h in (*series, ds)) if t is not None]
        earliest = min(times) if times else None
    if series_start is None:
        if earliest is None:
            return None, "SUV unavailable: the series start (Series Date and Time) is not in the header."
        return earliest, "the earliest acquisition of the series (START; no Series Time)"
    later_than = earliest if earliest is not None else own
    if later_than is None or series_start <= later_than:
        return series_start, "the series start (START)"
    late = _minutes((series_start - later_than).total_seconds())
    if earliest is None:
        return None, (f"SUV unavailable: the Series Time is {late} after the Acquisition Time (a re-saved or post-processed "
                      "series), and the series' earliest acquisition time is not known here.")
    return earliest, (f"the series' earliest acquisition (START; the Series Time is {late} later, "
                      "as in a re-saved or post-processed series, so it is not the scan start)")


def _injection(info: Dataset, reference: dt.datetime) -> tuple[dt.datetime | None, str]:
    start = str(info.get("RadiopharmaceuticalStartDateTime", "") or "").strip()
    if len(start) >= 10:
        try:
            return DT(start).replace(tzinfo=None), ""
        except (ValueError, TypeError):
            pass
    injected = _datetime(reference.strftime("%Y%m%d"), info.get("RadiopharmaceuticalStartTime", None))
    if injected is None or injected <= reference:
        return injected, ""
    day_before = injected - dt.timedelta(days=1)
    uptake = (reference - day_before).total_seconds()
    if uptake > MAX_ROLLOVER_HOURS * 3600:
        return injected, ""
    return day_before, (f"; the injection time has no date and is later in the day than the scan, "
                        f"so it is taken on the day before ({_minutes(uptake)} uptake)")


def _decayed_dose(ds: Dataset, series: Sequence[Dataset] | None) -> _DecayedDose:
    """The injected dose decayed to the time the values refer to (see the module doc)."""
    if str(ds.get("Modality", "") or "").upper() != "PT":
        return _DecayedDose(None, "SUV applies to PET images only.")
    units = str(ds.get("Units", "") or "").strip().upper()
    if units != "BQML":
        return _DecayedDose(None, f"SUV unavailable: the image's Units are '{units or 'not given'}', not Bq/ml (BQML).")
    sequence = ds.get("RadiopharmaceuticalInformationSequence", None)
    if not sequence:
        return _DecayedDose(None, "SUV unavailable: the header has no Radiopharmaceutical Information.")
    info = sequence[0]
    dose = _float(info, "RadionuclideTotalDose")
    if dose is None or dose <= 0:
        return _DecayedDose(None, "SUV unavailable: the injected dose (Radionuclide Total Dose) is not in the header.")
    decay = str(ds.get("DecayCorrection", "") or "").strip().upper()
    if decay == "ADMIN":
        return _DecayedDose(dose, "values decay corrected to the injection time (ADMIN)", 0.0)
    half_life = _float(info, "RadionuclideHalfLife")
    if half_life is None or half_life <= 0:
        return _DecayedDose(None, "SUV unavailable: the radionuclide half-life is not in the header.")
    if decay == "START":
        reference, what = _scan_start(ds, series)
        if reference is None:
            return _DecayedDose(None, what)
    elif decay == "NONE":
        reference, what = _acquisition(ds), "the acquisition time (no decay correction)"
        if reference is None:
            return _DecayedDose(None, "SUV unavailable: the acquisition time is not in the header.")
    else:
        return _DecayedDose(None, f"SUV unavailable: Decay Correction '{decay or 'not given'}' is not START, ADMIN or NONE.")
    injection, rolled = _injection(info, reference)
    if injection is None:
        return _DecayedDose(None, "SUV unavailable: the injection time is not in the header.")
    seconds = (reference - injection).total_seconds()
    if seconds < 0:
        return _DecayedDose(None, "SUV unavailable: the injection time in the header is after the scan time.")
    decayed = dose * 2.0 ** (-seconds / half_life)
    return _DecayedDose(decayed, f"dose decayed {_minutes(seconds)} to {what}{rolled}", seconds)


def _weight_kg(ds: Dataset) -> float | None:
    weight = _float(ds, "PatientWeight")
    return weight if weight is not None and weight > 0 else None


def _height_m(ds: Dataset, what: str) -> tuple[float | None, str]:
    height = _float(ds, "PatientSize")
    if height is None or height <= 0:
        return None, f"{what} unavailable: the patient's height (Patient's Size) is not in the header."
    low, high = HEIGHT_RANGE_M
    if not low <= height <= high:
        return None, f"{what} unavailable: the Patient's Size {height:g} is not a height in metres."
    return height, ""


def _bw(ds: Dataset, decayed: _DecayedDose) -> SuvFactor:
    if decayed.dose is None:
        return SuvFactor(None, decayed.how)
    weight = _weight_kg(ds)
    if weight is None:
        return SuvFactor(None, "SUV unavailable: the patient's weight is not in the header.")
    return SuvFactor(weight * 1000.0 / decayed.dose, f"SUVbw: {decayed.how}.", decayed.seconds)


def lean_body_mass_kg(weight_kg: float, height_m: float, sex: str) -> float:
    """Lean body mass by Janmahasatian et al. (2005); ``sex`` is "M" or "F"."""
    bmi = weight_kg / height_m**2
    if sex == "M":
        return 9270.0 * weight_kg / (6680.0 + 216.0 * bmi)
    return 9270.0 * weight_kg / (8780.0 + 244.0 * bmi)


def body_surface_area_m2(weight_kg: float, height_m: float) -> float:
    """Body surface area by Du Bois and Du Bois (1916)."""
    return 0.007184 * weight_kg**0.425 * (height_m * 100.0) ** 0.725


def _sul(ds: Dataset, decayed: _DecayedDose) -> SuvFactor:
    if decayed.dose is None:
        return SuvFactor(None, decayed.how.replace("SUV unavailable", "SUL unavailable"), unit=SUL_UNIT)
    weight = _weight_kg(ds)
    if weight is None:
        return SuvFactor(None, "SUL unavailable: the patient's weight is not in the header.", unit=SUL_UNIT)
    height, why = _height_m(ds, "SUL")
    if height is None:
        return SuvFactor(None, why, unit=SUL_UNIT)
    sex = str(ds.get("PatientSex", "") or "").strip().upper()
    if sex not in ("M", "F"):
        return SuvFactor(None, "SUL unavailable: the lean body mass formula needs the patient's sex (M or F), "
                               "and the header gives none.", unit=SUL_UNIT)
    lbm = lean_body_mass_kg(weight, height, sex)
    return SuvFactor(lbm * 1000.0 / decayed.dose, f"SUL: lean body mass {lbm:.1f} kg (Janmahasatian); {decayed.how}.",
                     decayed.seconds, SUL_UNIT)


def _bsa(ds: Dataset, decayed: _DecayedDose) -> SuvFactor:
    if decayed.dose is None:
        return SuvFactor(None, decayed.how.replace("SUV unavailable", "SUVbsa unavailable"), unit=SUV_BSA_UNIT)
    weight = _weight_kg(ds)
    if weight is None:
        return SuvFactor(None, "SUVbsa unavailable: the patient's weight is not in the header.", unit=SUV_BSA_UNIT)
    height, why = _height_m(ds, "SUVbsa")
    if height is None:
        return SuvFactor(None, why, unit=SUV_BSA_UNIT)
    bsa = body_surface_area_m2(weight, height)
    return SuvFactor(bsa * 10000.0 / decayed.dose, f"SUVbsa: body surface area {bsa:.2f} m² (Du Bois); {decayed.how}.",
                     decayed.seconds, SUV_BSA_UNIT)


def suv_factor(ds: Dataset, series: Sequence[Dataset] | None = None) -> SuvFactor:
    """SUVbw factor of a PET image, or why there is none (see the module doc). ``series``: the
    headers of the image's series, for the earliest acquisition time (the START fallback)."""
    return _bw(ds, _decayed_dose(ds, series))


def sul_factor(ds: Dataset, series: Sequence[Dataset] | None = None) -> SuvFactor:
    """SUL (SUV normalised by lean body mass, Janmahasatian) factor, or why there is none."""
    return _sul(ds, _decayed_dose(ds, series))


def suv_bsa_factor(ds: Dataset, series: Sequence[Dataset] | None = None) -> SuvFactor:
    """SUVbsa (body surface area, Du Bois) factor, or why there is none."""
    return _bsa(ds, _decayed_dose(ds, series))


def suv_factors(ds: Dataset, series: Sequence[Dataset] | None = None) -> tuple[SuvFactor, SuvFactor, SuvFactor]:
    """SUVbw, SUL and SUVbsa factors at once (the decayed dose worked out once)."""
    decayed = _decayed_dose(ds, series)
    return _bw(ds, decayed), _sul(ds, decayed), _bsa(ds, decayed)


#: SUV kinds a reader can display, by name: body weight (default), lean body mass, body surface area.
DISPLAY_KINDS = {"bw": ("SUVbw", suv_factor), "lbm": ("SUL", sul_factor), "bsa": ("SUVbsa", suv_bsa_factor)}


@dataclass(frozen=True)
class DisplayUnit:
    """How a PET image's values are shown: multiply Bq/ml by ``factor`` for ``label`` (SUVbw,
    SUL, SUVbsa); ``factor`` None when SUV cannot be had, ``note`` then says why in one sentence."""

    factor: float | None
    label: str
    note: str


def display_unit(ds: Dataset, series: Sequence[Dataset] | None = None, kind: str = "bw") -> DisplayUnit | None:
    """The SUV display unit of an image (``kind`` a key of :data:`DISPLAY_KINDS`), or None for
    anything but PET (shown in its own modality units)."""
    if str(ds.get("Modality", "") or "").upper() != "PT":
        return None
    if kind not in DISPLAY_KINDS:
        raise ValueError(f"Unknown SUV kind {kind!r}; choose one of {', '.join(DISPLAY_KINDS)}.")
    label, compute = DISPLAY_KINDS[kind]
    found = compute(ds, series)
    if found.factor is None:
        return DisplayUnit(None, label, found.reason)
    return DisplayUnit(found.factor, label, found.reason)
