"""Standardized uptake value, body weight (SUVbw), from the PET header (PS3.3 C.8.9.1, C.8.9.2).

``SUVbw = C * W / D_ref`` with ``C`` the activity concentration in Bq/ml (the modality value of
an image whose Units (0054,1001) is BQML), ``W`` the patient's weight in g (Patient's Weight
(0010,1030) is in kg) and ``D_ref`` the injected dose (Radionuclide Total Dose (0018,1074), Bq)
decayed to the time the pixel values refer to (Decay Correction (0054,1102), C.8.9.1.1.2):

- START: values are decay corrected to the acquisition start, taken as Series Date/Time
  (QIBA FDG-PET profile); ``D_ref = D * 2^(-(t_series - t_injection) / T_half)``.
- ADMIN: values are decay corrected to the administration time; ``D_ref = D``.
- NONE: values are not decay corrected; the image's Acquisition Date/Time is the reference.

The injection time is Radiopharmaceutical Start DateTime (0018,1078), else Radiopharmaceutical
Start Time (0018,1072) on the Series Date; the half-life is Radionuclide Half Life (0018,1075, s).
When a field is missing or odd, :func:`suv_factor` says why SUV is unavailable instead.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from pydicom.dataset import Dataset
from pydicom.valuerep import DT

SUV_UNIT = "g/ml{SUVbw}"


@dataclass(frozen=True)
class SuvFactor:
    """Multiply an activity concentration (Bq/ml) by ``factor`` to get SUVbw (g/ml).

    ``factor`` is None when SUV is unavailable; ``reason`` then says why, else how it was found.
    """

    factor: float | None
    reason: str
    decay_seconds: float | None = None

    @property
    def available(self) -> bool:
        return self.factor is not None


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


def _injection(ds: Dataset, info: Dataset) -> dt.datetime | None:
    start = str(info.get("RadiopharmaceuticalStartDateTime", "") or "").strip()
    if len(start) >= 10:
        try:
            return DT(start).replace(tzinfo=None)
        except (ValueError, TypeError):
            pass
    return _datetime(ds.get("SeriesDate", None) or ds.get("AcquisitionDate", None), info.get("RadiopharmaceuticalStartTime", None))


def suv_factor(ds: Dataset) -> SuvFactor:
    """SUVbw factor of a PET image, or why there is none (see the module doc)."""
    if str(ds.get("Modality", "") or "").upper() != "PT":
        return SuvFactor(None, "SUV applies to PET images only.")
    units = str(ds.get("Units", "") or "").strip().upper()
    if units != "BQML":
        return SuvFactor(None, f"SUV unavailable: the image's Units are '{units or 'not given'}', not Bq/ml (BQML).")
    weight = _float(ds, "PatientWeight")
    if weight is None or weight <= 0:
        return SuvFactor(None, "SUV unavailable: the patient's weight is not in the header.")
    sequence = ds.get("RadiopharmaceuticalInformationSequence", None)
    if not sequence:
        return SuvFactor(None, "SUV unavailable: the header has no Radiopharmaceutical Information.")
    info = sequence[0]
    dose = _float(info, "RadionuclideTotalDose")
    if dose is None or dose <= 0:
        return SuvFactor(None, "SUV unavailable: the injected dose (Radionuclide Total Dose) is not in the header.")
    decay = str(ds.get("DecayCorrection", "") or "").strip().upper()
    if decay == "ADMIN":
        return SuvFactor(weight * 1000.0 / dose, "SUVbw: values decay corrected to the injection time (ADMIN).", 0.0)
    half_life = _float(info, "RadionuclideHalfLife")
    if half_life is None or half_life <= 0:
        return SuvFactor(None, "SUV unavailable: the radionuclide half-life is not in the header.")
    injection = _injection(ds, info)
    if injection is None:
        return SuvFactor(None, "SUV unavailable: the injection time is not in the header.")
    if decay == "START":
        reference = _datetime(ds.get("SeriesDate", None), ds.get("SeriesTime", None))
        what = "series start (START)"
    elif decay == "NONE":
        reference = _datetime(ds.get("AcquisitionDate", None) or ds.get("SeriesDate", None), ds.get("AcquisitionTime", None))
        what = "acquisition time (no decay correction)"
    else:
        return SuvFactor(None, f"SUV unavailable: Decay Correction '{decay or 'not given'}' is not START, ADMIN or NONE.")
    if reference is None:
        return SuvFactor(None, f"SUV unavailable: the {what.split(' (')[0]} time is not in the header.")
    seconds = (reference - injection).total_seconds()
    if seconds < 0:
        return SuvFactor(None, "SUV unavailable: the injection time in the header is after the scan time.")
    decayed = dose * 2.0 ** (-seconds / half_life)
    return SuvFactor(weight * 1000.0 / decayed, f"SUVbw: dose decayed {seconds / 60:.1f} min to the {what}.", seconds)
