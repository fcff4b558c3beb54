"""How far apart two pixels are: the calibration of one image (PS3.3 10.7.1.3).

- Pixel Spacing (PS3.3 C.7.6.2.1.1, or Pixel Measures C.7.6.16.2.1 in enhanced images) gives mm
  in the patient: distances are measured in mm.
- Imager Pixel Spacing only (projection radiography, PS3.3 C.8.11.4 / C.8.19.6): the spacing is
  at the detector and the anatomy is magnified. With Estimated Radiographic Magnification Factor
  (0018,1114) the spacing is divided by it (PS3.3 10.7.1.3: an estimate at the object); without
  it the value is flagged "at the detector, magnification not corrected".
- Neither: the image is uncalibrated and distances are in pixels.

Rows and columns may have different spacings (non-square pixels): a displacement of ``dc``
columns and ``dr`` rows is ``sqrt((dc * column_mm)^2 + (dr * row_mm)^2)`` long.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from pydicom.dataset import Dataset

PIXEL_SPACING = "PixelSpacing"
IMAGER_PIXEL_SPACING = "ImagerPixelSpacing"
MAGNIFICATION_CORRECTED = "ImagerPixelSpacing/EstimatedRadiographicMagnificationFactor"
UNCALIBRATED = "uncalibrated"

NOTE_PIXEL_SPACING = "calibrated from Pixel Spacing"
NOTE_DETECTOR = "at the detector, magnification not corrected (Imager Pixel Spacing)"
NOTE_MAGNIFICATION = "corrected for magnification with the Estimated Radiographic Magnification Factor {factor:g} (Imager Pixel Spacing)"
NOTE_UNCALIBRATED = "uncalibrated image: in pixels"


@dataclass(frozen=True)
class Calibration:
    """Spacing of one image: ``row_mm`` between rows, ``column_mm`` between columns (None: pixels).

    ``source`` says where it came from (one of the module's constants), ``note`` is the sentence
    every measured value carries.
    """

    row_mm: float | None
    column_mm: float | None
    source: str
    note: str

    @property
    def calibrated(self) -> bool:
        return self.row_mm is not None and self.column_mm is not None

    @property
    def length_unit(self) -> str:
        return "mm" if self.calibrated else "px"

    @property
    def area_unit(self) -> str:
        return "mm2" if self.calibrated else "px2"

    def scale(self) -> tuple[float, float]:
        """(mm per column step, mm per row step); (1, 1) when uncalibrated."""
        if self.row_mm is None or self.column_mm is None:
            return 1.0, 1.0
        return self.column_mm, self.row_mm

    def length(self, dc: float, dr: float) -> float:
        """Length of a displacement of ``dc`` columns and ``dr`` rows, in :attr:`length_unit`."""
        sx, sy = self.scale()
        return math.hypot(dc * sx, dr * sy)

    def distance(self, a: tuple[float, float], b: tuple[float, float]) -> float:
        return self.length(b[0] - a[0], b[1] - a[1])

    def area(self, pixel_area: float) -> float:
        """An area given in square pixels, in :attr:`area_unit`."""
        sx, sy = self.scale()
        return pixel_area * sx * sy


UNCALIBRATED_IMAGE = Calibration(None, None, UNCALIBRATED, NOTE_UNCALIBRATED)


def _pair(value: object) -> tuple[float, float] | None:
    if value is None:
        return None
    try:
        items = [float(v) for v in value] if not isinstance(value, str | bytes) else [float(v) for v in str(value).split("\\")]  # type: ignore[attr-defined]
    except (TypeError, ValueError):
        return None
    if len(items) != 2 or not all(math.isfinite(v) and v > 0 for v in items):
        return None
    return items[0], items[1]


def _enhanced_spacing(ds: Dataset, frame: int | None) -> object | None:
    """Pixel Spacing from the per-frame or shared Pixel Measures macro (PS3.3 C.7.6.16.2.1)."""
    per_frame = ds.get("PerFrameFunctionalGroupsSequence", None)
    if per_frame and frame is not None and 1 <= frame <= len(per_frame):
        measures = per_frame[frame - 1].get("PixelMeasuresSequence", None)
        if measures and "PixelSpacing" in measures[0]:
            return measures[0].PixelSpacing
    shared = ds.get("SharedFunctionalGroupsSequence", None)
    if shared:
        measures = shared[0].get("PixelMeasuresSequence", None)
        if measures and "PixelSpacing" in measures[0]:
            return measures[0].PixelSpacing
    return None


def calibration_of(ds: Dataset, frame: int | None = None) -> Calibration:
    """The calibration of an image (or of frame ``frame``, 1-based, of an enhanced image)."""
    spacing = _pair(ds.get("PixelSpacing", None)) or _pair(_enhanced_spacing(ds, frame))
    if spacing is not None:
        return Calibration(spacing[0], spacing[1], PIXEL_SPACING, NOTE_PIXEL_SPACING)
    imager = _pair(ds.get("ImagerPixelSpacing", None))
    if imager is None:
        return UNCALIBRATED_IMAGE
    try:
        factor = float(ds.get("EstimatedRadiographicMagnificationFactor", None) or 0.0)
    except (TypeError, ValueError):
        factor = 0.0
    if math.isfinite(factor) and factor > 0:
        return Calibration(imager[0] / factor, imager[1] / factor, MAGNIFICATION_CORRECTED, NOTE_MAGNIFICATION.format(factor=factor))
    return Calibration(imager[0], imager[1], IMAGER_PIXEL_SPACING, NOTE_DETECTOR)
