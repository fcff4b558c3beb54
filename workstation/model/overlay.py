"""What is written over an image: four-corner text, orientation markers and the scale bar.

Corner text uses the attributes of the Patient, General Study, General Series and Image Plane
modules (PS3.3 C.7.1.1, C.7.2.1, C.7.3.1, C.7.6.2); which fields go in which corner is data
(:data:`DEFAULT_CORNERS`) that a user may change. Orientation markers follow PS3.3 C.7.6.1.1.1
(Patient Orientation letters A/P, R/L, H/F) and turn with the viewport's rotation and flips.
Mammograms get their conventional orientation from Patient Orientation (0020,0020) and Image
Laterality (0020,0062) (PS3.3 C.8.11.7; IHE Mammography Image profile). The scale bar follows
PS3.3 10.7.1.3: Pixel Spacing is calibrated in the patient; Imager Pixel Spacing alone is at the
detector and flagged; neither means uncalibrated.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from pydicom.dataset import Dataset

from workstation.errors import GeometryError
from workstation.model import attributes as attr
from workstation.model.entities import parse_da
from workstation.model.geometry import orientation_letters
from workstation.model.image_number import corner_text as image_corner_text
from workstation.model.image_number import instance_number
from workstation.model.image_plane import ImagePlane, image_planes
from workstation.model.viewport import ViewportState

#: A direction cosine smaller than this is left out of a marker (about 5.7 degrees of obliquity),
#: so a slightly tilted axial still reads "A", while a clearly oblique one reads "AL".
MARKER_MIN_COMPONENT = 0.1
#: Markers show at most this many letters (the two largest components).
MARKER_MAX_LETTERS = 2

_OPPOSITE = {"L": "R", "R": "L", "A": "P", "P": "A", "H": "F", "F": "H"}


# -- patient identity --------------------------------------------------------------------------


def format_patient_name(value: object) -> str:
    """'FAMILY, Given Middle' from a PN value (PS3.5 6.2: family^given^middle^prefix^suffix).

    Uses the alphabetic group (before any '='); the family name is upper-cased, the others are
    kept as written. Prefix and suffix are appended when present.
    """
    text = str(value or "").split("=")[0].strip()
    if not text:
        return ""
    parts = [p.strip() for p in text.split("^")] + [""] * 5
    family, given, middle, prefix, suffix = parts[:5]
    first = " ".join(p for p in (prefix, given, middle) if p)
    name = family.upper()
    if first:
        name = f"{name}, {first}" if name else first
    if suffix:
        name = f"{name} {suffix}"
    return name


def _age_between(birth: dt.date, on: dt.date) -> str | None:
    """An age string in the style of the AS value representation (PS3.5 6.2): 'nY', 'nM',
    'nW' or 'nD', choosing years from 2 years on, months from 1 month, weeks from 4 weeks."""
    if on < birth:
        return None
    years = on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))
    if years >= 2:
        return f"{years}Y"
    months = (on.year - birth.year) * 12 + on.month - birth.month - (on.day < birth.day)
    if months >= 1:
        return f"{months}M"
    days = (on - birth).days
    if days >= 28:
        return f"{days // 7}W"
    return f"{days}D"


def patient_age(ds: Dataset) -> str:
    """'45Y': Patient's Age (0010,1010, AS) without leading zeros, else computed from Patient's
    Birth Date (0010,0030) and Study Date (0008,0020) (or Series/Acquisition Date); '' if unknown."""
    raw = str(ds.get("PatientAge", "") or "").strip().upper()
    if len(raw) == 4 and raw[:3].isdigit() and raw[3] in "DWMY":
        return f"{int(raw[:3])}{raw[3]}"
    birth = parse_da(str(ds.get("PatientBirthDate", "") or ""))
    if birth is None:
        return ""
    for keyword in ("StudyDate", "SeriesDate", "AcquisitionDate", "ContentDate"):
        on = parse_da(str(ds.get(keyword, "") or ""))
        if on is not None:
            return _age_between(birth, on) or ""
    return ""


def _date(value: str) -> str:
    """A DA value as YYYY-MM-DD (unambiguous in every locale)."""
    date = parse_da(value)
    return date.isoformat() if date else value


# -- corner text -------------------------------------------------------------------------------


@dataclass(frozen=True)
class OverlayContext:
    """What corner text needs besides the header: the viewport, the image's place and scale."""

    header: Dataset
    state: ViewportState
    image_number: int  # 1-based position in the display set (not the Instance Number)
    image_count: int
    slice_location: float | None = None  # mm along the normal
    slice_thickness: float | None = None  # mm
    scale: float | None = None  # screen pixels per image pixel
    window: tuple[float, float] | None = None  # (centre, width) on screen when the state has None
    frame: int | None = None  # 1-based frame of a multi-frame image, None for a single frame
    # A display unit for the window besides the modality's (PET: SUV, annotate.suv): display
    # value = modality value x value_factor; value_note says why there is none when it was sought.
    value_factor: float | None = None
    value_unit: str = ""
    value_note: str = ""


def _field_patient_name(c: OverlayContext) -> str:
    return format_patient_name(c.header.get("PatientName", ""))  # (0010,0010)


def _field_patient_id(c: OverlayContext) -> str:
    return attr.text(c.header, "PatientID")  # (0010,0020)


def _field_age_sex(c: OverlayContext) -> str:
    sex = attr.text(c.header, "PatientSex").upper()  # (0010,0040)
    return " ".join(p for p in (patient_age(c.header), sex) if p)  # age: (0010,1010) / (0010,0030)


def _field_study_date(c: OverlayContext) -> str:
    return _date(attr.text(c.header, "StudyDate"))  # (0008,0020)


def _field_study_description(c: OverlayContext) -> str:
    return attr.text(c.header, "StudyDescription")  # (0008,1030)


def _field_series(c: OverlayContext) -> str:
    number = attr.text(c.header, "SeriesNumber")  # (0020,0011)
    description = attr.text(c.header, "SeriesDescription")  # (0008,103E)
    return " ".join(p for p in (f"Se: {number}" if number else "", description) if p)


def _field_image(c: OverlayContext) -> str:
    # the Instance Number (0020,0013), as reports and other viewers name the image; the stack
    # position beside it where they differ (workstation.model.image_number)
    return image_corner_text(instance_number(c.header), c.image_number, c.image_count, c.frame)


def _field_location(c: OverlayContext) -> str:
    return "" if c.slice_location is None else f"Loc: {c.slice_location:.1f} mm"


def _field_thickness(c: OverlayContext) -> str:
    return "" if c.slice_thickness is None else f"Thk: {c.slice_thickness:g} mm"  # (0018,0050)


def _field_window(c: OverlayContext) -> str:
    window = c.state.window or c.window
    if window is None:
        return ""
    if c.value_factor is not None:  # PET in SUV: the window shown in the reader's unit
        f = c.value_factor
        return f"W: {window[1] * f:.3g} L: {window[0] * f:.3g} {c.value_unit}".rstrip()
    return f"W: {window[1]:g} L: {window[0]:g}"


def _field_units(c: OverlayContext) -> str:
    """The display unit when it is not the modality's, or why it could not be had (PET:
    "SUV unavailable: ..." from annotate.suv), so an image in Bq/ml is never read as SUV."""
    if c.value_factor is not None:
        return ""
    return c.value_note


def _field_zoom(c: OverlayContext) -> str:
    return "" if c.scale is None else f"Zoom: {c.scale * 100:.0f}%"


def _field_modality(c: OverlayContext) -> str:
    return attr.text(c.header, "Modality")  # (0008,0060)


def _field_institution(c: OverlayContext) -> str:
    return attr.text(c.header, "InstitutionName")  # (0008,0080)


def _field_accession(c: OverlayContext) -> str:
    accession = attr.text(c.header, "AccessionNumber")  # (0008,0050)
    return f"Acc: {accession}" if accession else ""


#: Every field a corner may show, by name.
FIELDS: dict[str, Callable[[OverlayContext], str]] = {
    "patient_name": _field_patient_name,
    "patient_id": _field_patient_id,
    "age_sex": _field_age_sex,
    "study_date": _field_study_date,
    "study_description": _field_study_description,
    "series": _field_series,
    "image": _field_image,
    "location": _field_location,
    "thickness": _field_thickness,
    "window": _field_window,
    "units": _field_units,
    "zoom": _field_zoom,
    "modality": _field_modality,
    "institution": _field_institution,
    "accession": _field_accession,
}

#: Which fields each corner shows, top to bottom.
DEFAULT_CORNERS: dict[str, tuple[str, ...]] = {
    "top_left": ("patient_name", "patient_id", "age_sex"),
    "top_right": ("study_date", "study_description", "series"),
    "bottom_left": ("image", "location", "thickness"),
    "bottom_right": ("window", "units", "zoom"),
}


@dataclass(frozen=True)
class CornerText:
    """Lines of text for each corner, top to bottom; empty fields are left out."""

    top_left: tuple[str, ...] = ()
    top_right: tuple[str, ...] = ()
    bottom_left: tuple[str, ...] = ()
    bottom_right: tuple[str, ...] = ()

    def all_lines(self) -> tuple[str, ...]:
        return self.top_left + self.top_right + self.bottom_left + self.bottom_right


def corner_text(context: OverlayContext, corners: Mapping[str, Sequence[str]] = DEFAULT_CORNERS) -> CornerText:
    """The four corners for a viewport. Unknown field names raise ``KeyError`` (a configuration
    mistake, caught when settings are loaded)."""
    out: dict[str, tuple[str, ...]] = {}
    for corner in ("top_left", "top_right", "bottom_left", "bottom_right"):
        lines = (FIELDS[name](context) for name in corners.get(corner, ()))
        out[corner] = tuple(line for line in lines if line)
    return CornerText(**out)


def image_plane_of(header: Dataset, frame: int | None = None) -> ImagePlane | None:
    """The Image Plane of an image (or of frame ``frame``, 1-based, of an enhanced image), or None
    when it has none (projection images)."""
    try:
        planes = image_planes([header])
    except GeometryError:
        return None
    if frame is not None:
        return next((p for p in planes if p.frame == frame), None)
    return planes[0] if planes else None


def slice_location(plane: ImagePlane) -> float:
    """Position of the image along its normal (mm): Image Position (Patient) . (row x column)."""
    o = np.asarray(plane.orientation, dtype=np.float64)
    normal = np.cross(o[:3], o[3:])
    normal = normal / float(np.linalg.norm(normal))
    return float(np.asarray(plane.position) @ normal)


def slice_thickness(header: Dataset) -> float | None:
    """Slice Thickness (0018,0050) in mm, or None."""
    try:
        value = float(header.get("SliceThickness", None))
    except (TypeError, ValueError):
        return None
    return value if math.isfinite(value) and value > 0 else None


# -- orientation markers -----------------------------------------------------------------------


def opposite_letters(letters: str) -> str:
    """The opposite direction: 'LP' -> 'RA' (PS3.3 C.7.6.1.1.1)."""
    return "".join(_OPPOSITE.get(ch, ch) for ch in letters)


def marker_letters(vector: Sequence[float] | np.ndarray) -> str:
    """Letters for a patient direction: the largest component first, a second one when the
    direction is oblique by more than :data:`MARKER_MIN_COMPONENT`; at most two letters."""
    return orientation_letters(vector, MARKER_MIN_COMPONENT)[:MARKER_MAX_LETTERS]


def axis_letters(header: Dataset, frame: int | None = None) -> tuple[str, str] | None:
    """Letters toward which the column index and the row index grow: from Image Orientation
    (Patient) (PS3.3 C.7.6.2.1.1) when present, else from Patient Orientation (0020,0020, PS3.3
    C.7.6.1.1.1, used by projection images). None when neither is there."""
    plane = image_plane_of(header, frame)
    orientation = plane.orientation if plane is not None else None
    if orientation is None:
        raw = header.get("ImageOrientationPatient", None)
        try:
            orientation = np.asarray([float(v) for v in raw], dtype=np.float64) if raw is not None else None
        except (TypeError, ValueError):
            orientation = None
    if orientation is not None and orientation.shape == (6,):
        try:
            return marker_letters(orientation[:3]), marker_letters(orientation[3:])
        except GeometryError:
            pass
    value = header.get("PatientOrientation", None)
    if value is None or isinstance(value, str):
        values = [v for v in str(value or "").split("\\") if v]
    else:
        values = [str(v) for v in value]
    if len(values) == 2 and all(v and set(v.upper()) <= set(_OPPOSITE) for v in values):
        return values[0].upper(), values[1].upper()
    return None


@dataclass(frozen=True)
class Markers:
    """Orientation letters at the middle of each viewport edge."""

    left: str
    right: str
    top: str
    bottom: str


def markers_for_axes(column_letters: str, row_letters: str, state: ViewportState) -> Markers:
    """Edge letters for an image whose column index grows toward ``column_letters`` and row
    index toward ``row_letters``, as the viewport shows it (rotation and flips applied)."""
    inverse = np.linalg.inv(state.orientation_matrix())

    def letters(screen: tuple[float, float]) -> str:
        c, r = inverse @ np.array(screen)
        if abs(c) > 0.5:
            return column_letters if c > 0 else opposite_letters(column_letters)
        return row_letters if r > 0 else opposite_letters(row_letters)

    return Markers(left=letters((-1.0, 0.0)), right=letters((1.0, 0.0)), top=letters((0.0, -1.0)), bottom=letters((0.0, 1.0)))


def orientation_markers(header: Dataset, state: ViewportState, frame: int | None = None) -> Markers | None:
    """Orientation markers of the image on screen, or None when its orientation is unknown."""
    axes = axis_letters(header, frame)
    return None if axes is None else markers_for_axes(axes[0], axes[1], state)


# -- mammography -------------------------------------------------------------------------------


@dataclass(frozen=True)
class DisplayOrientation:
    """Rotation (clockwise degrees) and flips a viewport should start with."""

    rotation: int = 0
    flip_horizontal: bool = False
    flip_vertical: bool = False

    def apply(self, state: ViewportState) -> None:
        state.update(rotation=self.rotation, flip_horizontal=self.flip_horizontal, flip_vertical=self.flip_vertical)


def mammography_laterality(header: Dataset) -> str | None:
    """'R' or 'L': Image Laterality (0020,0062), else Laterality (0020,0060) of the series."""
    for keyword in ("ImageLaterality", "Laterality"):
        value = attr.text(header, keyword).upper()
        if value in ("R", "L"):
            return value
    return None


def mammography_orientation(header: Dataset) -> DisplayOrientation | None:
    """Rotation and flips that show a mammogram in its conventional orientation, or None when
    Patient Orientation or laterality is missing (then show it as stored and say so).

    Convention (PS3.3 C.8.11.7 Mammography Image Module, IHE Mammography Image profile): the
    chest wall (posterior, P) is at the right edge for a right breast and at the left edge for a
    left breast, so that the two sides hang back to back with the nipples pointing away; on
    MLO/ML/LM views the feet (F) are at the bottom; on CC views (no H/F in Patient Orientation)
    the lateral side is at the top. In Patient Orientation terms: RCC "P\\L", LCC "A\\R",
    RMLO "P\\F..." and LMLO "A\\F...". Among the transforms that reach it, the one with no
    rotation and the fewest flips is chosen.
    """
    laterality = mammography_laterality(header)
    axes = axis_letters(header)
    if laterality is None or axes is None:
        return None
    column_letters, row_letters = axes
    right_wanted = "P" if laterality == "R" else "A"
    vertical = any(ch in "HF" for ch in column_letters + row_letters)
    bottom_wanted = "F" if vertical else ("L" if laterality == "R" else "R")
    candidates = [
        DisplayOrientation(rotation, h, v)
        for rotation in (0, 90, 180, 270)
        for h in (False, True)
        for v in (False, True)
    ]
    candidates.sort(key=lambda d: (d.rotation != 0, int(d.flip_horizontal) + int(d.flip_vertical), d.rotation))
    for candidate in candidates:
        probe = ViewportState(rotation=candidate.rotation, flip_horizontal=candidate.flip_horizontal, flip_vertical=candidate.flip_vertical)
        markers = markers_for_axes(column_letters, row_letters, probe)
        if right_wanted in markers.right and bottom_wanted in markers.bottom:
            return candidate
    return None


# -- scale bar ---------------------------------------------------------------------------------

CALIBRATED = "calibrated"
DETECTOR = "detector"
UNCALIBRATED = "uncalibrated"


@dataclass(frozen=True)
class ScaleBar:
    """A horizontal scale bar: its length on screen, its length in mm and its label.

    ``status`` is 'calibrated' (Pixel Spacing), 'detector' (Imager Pixel Spacing only: lengths
    at the detector, not corrected for magnification) or 'uncalibrated' (no bar is drawn).
    """

    status: str
    length_px: float | None = None
    length_mm: float | None = None
    label: str = ""
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def text(self) -> str:
        """What is painted next to the bar: '5 cm', '5 cm (detector, uncalibrated)' or
        'uncalibrated'."""
        if self.status == UNCALIBRATED:
            return "uncalibrated"
        if self.status == DETECTOR:
            return f"{self.label} (detector, uncalibrated)"
        return self.label


def _round_length(target_mm: float) -> float:
    """The 1, 2 or 5 x 10^n mm nearest to ``target_mm`` on a log scale."""
    exponent = math.floor(math.log10(target_mm))
    best = min(
        (m * 10.0**e for e in (exponent - 1, exponent, exponent + 1) for m in (1.0, 2.0, 5.0)),
        key=lambda v: abs(math.log(v / target_mm)),
    )
    return float(f"{best:.6g}")


def _length_label(mm: float) -> str:
    if mm >= 10 and float(mm / 10).is_integer():
        return f"{mm / 10:g} cm"
    return f"{mm:g} mm"


def scale_bar(
    pixel_spacing: tuple[float, float] | None,
    spacing_source: str,
    scale: float,
    viewport_width: float,
    fraction: float = 0.25,
) -> ScaleBar:
    """A scale bar about ``fraction`` of the viewport wide.

    ``pixel_spacing`` is (row spacing, column spacing) in mm and ``spacing_source`` the display
    set's (``'PixelSpacing'``, ``'ImagerPixelSpacing'`` or anything else for none); ``scale`` is
    screen pixels per image column. The renderer draws non-square pixels at their true aspect
    (see :mod:`workstation.model.viewport`), so one screen pixel is the same length in mm along
    both screen axes, whatever the rotation.
    """
    if pixel_spacing is None or spacing_source not in ("PixelSpacing", "ImagerPixelSpacing") or scale <= 0:
        return ScaleBar(UNCALIBRATED, notes=("No pixel spacing: distances are in pixels only.",))
    row_spacing, column_spacing = pixel_spacing
    if not (row_spacing > 0 and column_spacing > 0):
        return ScaleBar(UNCALIBRATED, notes=("No pixel spacing: distances are in pixels only.",))
    mm_per_screen_px = column_spacing / scale
    target_mm = fraction * viewport_width * mm_per_screen_px
    length_mm = _round_length(target_mm)
    status = CALIBRATED if spacing_source == "PixelSpacing" else DETECTOR
    notes = () if status == CALIBRATED else ("Imager Pixel Spacing is at the detector, not corrected for magnification.",)
    return ScaleBar(status, length_mm / mm_per_screen_px, length_mm, _length_label(length_mm), notes)


__all__ = [
    "DEFAULT_CORNERS",
    "FIELDS",
    "MARKER_MIN_COMPONENT",
    "CornerText",
    "DisplayOrientation",
    "Markers",
    "OverlayContext",
    "ScaleBar",
    "axis_letters",
    "corner_text",
    "format_patient_name",
    "image_plane_of",
    "mammography_laterality",
    "mammography_orientation",
    "marker_letters",
    "markers_for_axes",
    "opposite_letters",
    "orientation_markers",
    "patient_age",
    "scale_bar",
    "slice_location",
    "slice_thickness",
]
