"""Measurements on one image (or frame), in image pixel coordinates, with units and calibration.

Coordinates: the centre of the pixel in column ``c``, row ``r`` is at ``(c, r)`` (as in
:mod:`workstation.model.viewport`). The DICOM objects written from these values shift them by
half a pixel (PS3.3 C.18.6.1.2 and C.10.5.1.2 put (0, 0) at the outer corner of the first pixel).

Tools (points, in order):

- LENGTH: two ends. ANGLE: three points, the vertex in the middle. COBB: two lines (four points);
  the acute angle between the lines (an endplate line has no direction, so 0-90 degrees).
- BIDIRECTIONAL: either four points (long axis ends, then short axis ends) or a closed contour
  of five or more points,
  from which the longest diameter and the longest chord perpendicular to it are found.
- ELLIPSE: major axis ends then minor axis ends; RECTANGLE: two opposite corners (axis aligned);
  FREEHAND: a polygon. Each gives area, mean, SD, min and max (:mod:`.roi_stats`), in HU for CT
  (Modality LUT, PS3.3 C.11.1), in SUVbw for PET when the header allows (:mod:`.suv`). Every ROI
  tool includes the same pixels for the same shape: those whose centre is inside, a centre on
  the outline counted by the half-open top-left rule (:mod:`.roi_stats`), so a w x h square on
  pixel centres holds w * h pixels drawn as a rectangle or as a freehand polygon.
- PROBE: one point: the value of the pixel whose centre is nearest, and its patient (LPS) position
  (PS3.3 C.7.6.2.1.1). ARROW: tail then head. TEXT: an anchor point and a text.

Lengths use :class:`.calibration.Calibration` (non-square pixels handled); every value carries its
unit (UCUM code, PS3.16 CID 82 style) and the calibration or SUV note. Measurements are immutable;
:class:`MeasurementSet` edits a collection through add/move/edit/delete with undo and redo.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from enum import Enum
from typing import ClassVar, Generic, Protocol, TypeVar

import numpy as np
from pydicom.dataset import Dataset

from workstation.annotate import roi_stats
from workstation.annotate.calibration import Calibration, calibration_of
from workstation.annotate.suv import (
    SUL_UNIT,
    SUV_BSA_UNIT,
    SUV_UNIT,
    suv_factors,
)
from workstation.errors import WorkstationError
from workstation.model.image_plane import ImagePlane
from workstation.model.overlay import image_plane_of
from workstation.model.pixels import modality_transform
from workstation.model.spatial import pixel_to_patient

Point = tuple[float, float]

HU = "[hnsf'U]"
DEGREES = "deg"
UNIT_NAMES = {
    "mm": "mm", "mm2": "mm²", "cm2": "cm²", "cm": "cm", "px": "px", "px2": "px²", DEGREES: "°",
    HU: "HU", SUV_UNIT: "SUVbw", SUL_UNIT: "SUL", SUV_BSA_UNIT: "SUVbsa", "Bq/ml": "Bq/ml", "1": "",
}
#: Decimals shown per unit (default 1): SUVs to 0.01, SUVbsa (about 0.5 cm²/ml for an SUVbw of 2) to 0.001.
_DIGITS = {SUV_UNIT: 2, SUL_UNIT: 2, SUV_BSA_UNIT: 3}


class MeasurementError(WorkstationError):
    """A measurement cannot be made or changed as asked (wrong number of points, unknown id)."""


class Kind(str, Enum):
    """The measurement and annotation tools."""

    LENGTH = "length"
    ANGLE = "angle"
    COBB = "cobb"
    BIDIRECTIONAL = "bidirectional"
    ELLIPSE = "ellipse"
    RECTANGLE = "rectangle"
    FREEHAND = "freehand"
    PROBE = "probe"
    ARROW = "arrow"
    TEXT = "text"

    @property
    def is_roi(self) -> bool:
        return self in (Kind.ELLIPSE, Kind.RECTANGLE, Kind.FREEHAND)

    @property
    def display_name(self) -> str:
        return _TITLES[self]


_TITLES = {
    Kind.LENGTH: "Length", Kind.ANGLE: "Angle", Kind.COBB: "Cobb angle", Kind.BIDIRECTIONAL: "Bidirectional",
    Kind.ELLIPSE: "Ellipse ROI", Kind.RECTANGLE: "Rectangle ROI", Kind.FREEHAND: "Freehand ROI",
    Kind.PROBE: "Probe", Kind.ARROW: "Arrow", Kind.TEXT: "Text",
}
_POINTS = {Kind.LENGTH: (2, 2), Kind.ANGLE: (3, 3), Kind.COBB: (4, 4), Kind.BIDIRECTIONAL: (4, 100_000),
           Kind.ELLIPSE: (4, 4), Kind.RECTANGLE: (2, 2), Kind.FREEHAND: (3, 100_000), Kind.PROBE: (1, 1),
           Kind.ARROW: (2, 2), Kind.TEXT: (1, 1)}


@dataclass(frozen=True)
class ImageRef:
    """The image (and frame, 1-based, None for single-frame images) a measurement lies on."""

    sop_instance_uid: str
    sop_class_uid: str = ""
    frame: int | None = None
    series_instance_uid: str = ""
    study_instance_uid: str = ""

    @classmethod
    def of(cls, ds: Dataset, frame: int | None = None) -> ImageRef:
        return cls(str(ds.get("SOPInstanceUID", "")), str(ds.get("SOPClassUID", "")), frame,
                   str(ds.get("SeriesInstanceUID", "")), str(ds.get("StudyInstanceUID", "")))


@dataclass(frozen=True)
class Value:
    """One measured number: ``name`` (Length, Mean, ...), value, UCUM unit and a note."""

    name: str
    value: float
    unit: str
    note: str = ""

    @property
    def text(self) -> str:
        shown = UNIT_NAMES.get(self.unit, self.unit)
        digits = 0 if self.unit == HU and self.name != "Standard deviation" else _DIGITS.get(self.unit, 1)
        number = f"{self.value:.{digits}f}"
        return f"{number} {shown}".strip() if shown != "°" else f"{number}°"


#: How the label names a value ("" for the one value a tool gives).
_SHORT_NAMES = {"Standard deviation": "SD", "Minimum": "Min", "Maximum": "Max",
                "Length": "", "Angle": "", "Cobb angle": "", "Value": "",
                "SUL mean": "Mean", "SUL max": "Max", "SUVbsa mean": "Mean", "SUVbsa max": "Max", "SUL": "", "SUVbsa": ""}


@dataclass(frozen=True)
class Measurement:
    """One measurement or annotation: immutable, identified by ``id`` across versions.

    ``points`` are as the tool was drawn (see the module doc); ``axes`` the bidirectional axes
    (long ends, short ends); ``values`` what was measured; ``position_lps`` the probe's patient
    position (mm) when the image has an Image Plane; ``unavailable`` why a value is missing
    (such as SUV), ``text`` the annotation's text or the measurement's comment;
    ``tracking_uid`` the Tracking UID (PS3.16 TID 4108) it was saved under, once read back from
    a report ("" until then: :func:`workstation.annotate.sr_tid1500.tracking_uid` derives it
    from ``id``). An edit through :class:`MeasurementSet` keeps it.
    """

    id: str
    kind: Kind
    image: ImageRef
    points: tuple[Point, ...]
    values: tuple[Value, ...] = ()
    text: str = ""
    axes: tuple[Point, ...] = ()
    position_lps: tuple[float, float, float] | None = None
    unavailable: str = ""
    tracking_uid: str = ""

    def value(self, name: str) -> Value | None:
        return next((v for v in self.values if v.name == name), None)

    @property
    def label(self) -> str:
        """The one-line label shown next to the measurement and in the measurement list: every
        value, an ROI's as "Area, Mean, SD, Min, Max"."""
        parts = [f"{_SHORT_NAMES.get(v.name, v.name)} {v.text}".strip() for v in self.values]
        if self.kind in (Kind.TEXT, Kind.ARROW) and self.text:
            parts.insert(0, self.text)
        return ", ".join(parts)


@dataclass(frozen=True, eq=False)
class MeasuredImage:
    """What measuring needs from one image frame: values in ``value_unit`` (modality values, or
    SUVbw for PET when the header allows), calibration and, when known, its Image Plane.

    ``alternatives`` are the other SUVs a PET image offers (SUL, SUVbsa): each a name, its unit,
    the ratio to ``values`` and its note; those the header does not allow are refused with a
    sentence in ``value_note``."""

    ref: ImageRef
    values: np.ndarray
    calibration: Calibration
    value_unit: str
    value_note: str = ""
    plane: ImagePlane | None = None
    unavailable: str = ""
    alternatives: tuple[tuple[str, str, float, str], ...] = ()

    @classmethod
    def from_dataset(cls, ds: Dataset, frame: int | None = None, stored: np.ndarray | None = None, *, suv: bool = True,
                     series: Sequence[Dataset] | None = None) -> MeasuredImage:
        """Build from a header and its stored pixels (decoded from ``ds`` when not given).
        ``series``: the headers of the image's series (a PET's scan start may need them, :mod:`.suv`)."""
        if stored is None:
            array = ds.pixel_array
            stored = array[(frame or 1) - 1] if int(ds.get("NumberOfFrames", 1) or 1) > 1 else array
        if stored.ndim != 2:
            raise MeasurementError("Only grayscale images can be measured; this image has colour samples.")
        index = (frame or 1) - 1
        values = modality_transform(ds, index).values(stored)
        modality = str(ds.get("Modality", "") or "").upper()
        unit, note, unavailable = "1", "modality value", ""
        alternatives: list[tuple[str, str, float, str]] = []
        if modality == "CT":
            unit, note = HU, "Hounsfield units (Modality LUT)"
        elif modality == "PT":
            factor, lean, surface = suv_factors(ds, series)
            units = str(ds.get("Units", "") or "").upper()
            if suv and factor.factor is not None:
                values = values * factor.factor
                unit, note = SUV_UNIT, factor.reason
                refused: list[str] = []
                for name, other in (("SUL", lean), ("SUVbsa", surface)):
                    if other.factor is None:
                        refused.append(other.reason)
                    else:
                        alternatives.append((name, other.unit, other.factor / factor.factor, other.reason))
                note = " ".join([note, *refused])
            else:
                unit = "Bq/ml" if units == "BQML" else "1"
                note = f"PET values in {units or 'unknown units'}"
                unavailable = factor.reason
        return cls(ImageRef.of(ds, frame), values, calibration_of(ds, frame), unit, note, image_plane_of(ds, frame), unavailable,
                   tuple(alternatives))


# -- geometry -----------------------------------------------------------------------------------


def _physical(points: Sequence[Point], calibration: Calibration) -> np.ndarray:
    sx, sy = calibration.scale()
    return np.asarray(points, dtype=np.float64) * np.array([sx, sy])


def _angle_between(u: np.ndarray, v: np.ndarray) -> float:
    nu, nv = float(np.linalg.norm(u)), float(np.linalg.norm(v))
    if nu == 0 or nv == 0:
        raise MeasurementError("An angle needs two lines of non-zero length; draw the lines again.")
    cos = float(np.clip(np.dot(u, v) / (nu * nv), -1.0, 1.0))
    return math.degrees(math.acos(cos))


def angle_degrees(points: Sequence[Point], calibration: Calibration) -> float:
    """Angle at the middle point (in the patient plane: non-square pixels are scaled first)."""
    p = _physical(points, calibration)
    return _angle_between(p[0] - p[1], p[2] - p[1])


def cobb_degrees(points: Sequence[Point], calibration: Calibration) -> float:
    """Acute angle between the line (p0, p1) and the line (p2, p3)."""
    p = _physical(points, calibration)
    angle = _angle_between(p[1] - p[0], p[3] - p[2])
    return min(angle, 180.0 - angle)


def bidirectional_axes(contour: Sequence[Point], calibration: Calibration) -> tuple[Point, Point, Point, Point]:
    """Longest diameter of a closed contour and the longest chord perpendicular to it.

    Both are found in the patient plane (mm), so non-square pixels give the right axes. The long
    axis joins the two contour vertices furthest apart; the short axis is the longest segment
    inside the contour perpendicular to it (sampled at every vertex and 512 even steps).
    """
    sx, sy = calibration.scale()
    pts = _physical(contour, calibration)
    if len(pts) > 1 and np.allclose(pts[0], pts[-1]):
        pts = pts[:-1]
    if len(pts) < 3:
        raise MeasurementError("A bidirectional measurement needs a contour of at least three points.")
    step = max(1, len(pts) // 2000)
    sample = pts[::step]
    d2 = ((sample[:, None, :] - sample[None, :, :]) ** 2).sum(axis=2)
    i, j = np.unravel_index(int(np.argmax(d2)), d2.shape)
    a, b = sample[i], sample[j]
    u = (b - a) / float(np.linalg.norm(b - a))
    v = np.array([-u[1], u[0]])
    s = (pts - a) @ u
    t = (pts - a) @ v
    s_next, t_next = np.roll(s, -1), np.roll(t, -1)
    candidates = np.unique(np.concatenate([s, np.linspace(s.min(), s.max(), 514)[1:-1]]))
    best = (0.0, 0.0, 0.0, 0.0)
    for position in candidates:
        crosses = (s > position) != (s_next > position)
        if not crosses.any():
            continue
        fraction = (position - s[crosses]) / (s_next[crosses] - s[crosses])
        hits = np.sort(t[crosses] + fraction * (t_next[crosses] - t[crosses]))
        for k in range(0, len(hits) - 1, 2):
            if hits[k + 1] - hits[k] > best[0]:
                best = (float(hits[k + 1] - hits[k]), float(position), float(hits[k]), float(hits[k + 1]))
    _, position, t0, t1 = best

    def back(point: np.ndarray) -> Point:
        return (float(point[0] / sx), float(point[1] / sy))

    return back(a), back(b), back(a + u * position + v * t0), back(a + u * position + v * t1)


def ellipse_from_box(a: Point, b: Point) -> tuple[Point, Point, Point, Point]:
    """The four ELLIPSE points (major ends, minor ends) of the ellipse inscribed in a drawn box."""
    cx, cy = (a[0] + b[0]) / 2, (a[1] + b[1]) / 2
    hx, hy = abs(b[0] - a[0]) / 2, abs(b[1] - a[1]) / 2
    horizontal = ((cx - hx, cy), (cx + hx, cy))
    vertical = ((cx, cy - hy), (cx, cy + hy))
    return (*horizontal, *vertical) if hx >= hy else (*vertical, *horizontal)


def roi_mask(kind: Kind, points: Sequence[Point], shape: tuple[int, int]) -> np.ndarray:
    """Member pixels of an ROI: one inclusion rule for every tool (pixel centre inside the
    shape, a centre on the outline by the half-open top-left rule; :mod:`.roi_stats`)."""
    if kind is Kind.ELLIPSE:
        return roi_stats.ellipse_mask(shape, points)
    if kind is Kind.RECTANGLE:
        return roi_stats.rectangle_mask(shape, points[0], points[1])
    if kind in (Kind.FREEHAND, Kind.BIDIRECTIONAL):
        return roi_stats.polygon_mask(shape, points)
    raise MeasurementError(f"A {kind.display_name} has no pixel region.")


def roi_area_pixels(kind: Kind, points: Sequence[Point]) -> float:
    """Geometric area of the shape in square pixels (not the member pixel count)."""
    if kind is Kind.ELLIPSE:
        return math.pi * math.dist(points[0], points[1]) / 2 * math.dist(points[2], points[3]) / 2
    if kind is Kind.RECTANGLE:
        return abs(points[1][0] - points[0][0]) * abs(points[1][1] - points[0][1])
    return roi_stats.polygon_area(points)


# -- measuring ----------------------------------------------------------------------------------


def _check_points(kind: Kind, points: Sequence[Point]) -> tuple[Point, ...]:
    low, high = _POINTS[kind]
    pts = tuple((float(x), float(y)) for x, y in points)
    if not low <= len(pts) <= high or not all(math.isfinite(c) for p in pts for c in p):
        raise MeasurementError(f"A {kind.display_name} needs {low if low == high else f'at least {low}'} finite points, not {len(pts)}.")
    return pts


def measure(kind: Kind, points: Sequence[Point], image: MeasuredImage, *, text: str = "", id: str | None = None) -> Measurement:
    """Measure with a tool on an image; a new id unless ``id`` is given (an edit keeps its id)."""
    kind = Kind(kind)
    pts = _check_points(kind, points)
    cal = image.calibration
    values: list[Value] = []
    axes: tuple[Point, ...] = ()
    position: tuple[float, float, float] | None = None
    unavailable = ""
    if kind is Kind.LENGTH:
        values.append(Value("Length", cal.distance(pts[0], pts[1]), cal.length_unit, cal.note))
    elif kind is Kind.ANGLE:
        values.append(Value("Angle", angle_degrees(pts, cal), DEGREES, cal.note))
    elif kind is Kind.COBB:
        values.append(Value("Cobb angle", cobb_degrees(pts, cal), DEGREES, cal.note))
    elif kind is Kind.BIDIRECTIONAL:
        axes = pts if len(pts) == 4 else bidirectional_axes(pts, cal)
        values.append(Value("Long axis", cal.distance(axes[0], axes[1]), cal.length_unit, cal.note))
        values.append(Value("Short axis", cal.distance(axes[2], axes[3]), cal.length_unit, cal.note))
    elif kind.is_roi:
        values.append(Value("Area", cal.area(roi_area_pixels(kind, pts)), cal.area_unit, cal.note))
        stats = roi_stats.statistics(image.values, roi_mask(kind, pts, (int(image.values.shape[0]), int(image.values.shape[1]))))
        if stats is None:
            unavailable = "The ROI holds no pixel centre: draw it larger."
        else:
            for name, number in (("Mean", stats.mean), ("Standard deviation", stats.sd), ("Minimum", stats.minimum), ("Maximum", stats.maximum)):
                values.append(Value(name, number, image.value_unit, image.value_note))
            for name, unit, ratio, note in image.alternatives:
                values += [Value(f"{name} mean", stats.mean * ratio, unit, note), Value(f"{name} max", stats.maximum * ratio, unit, note)]
            unavailable = image.unavailable
    elif kind is Kind.PROBE:
        column, row = round(pts[0][0]), round(pts[0][1])
        rows, columns = image.values.shape
        if not (0 <= column < columns and 0 <= row < rows):
            raise MeasurementError("The probe point lies outside the image; place it on the image.")
        values.append(Value("Value", float(image.values[row, column]), image.value_unit, image.value_note))
        values += [Value(name, float(image.values[row, column]) * ratio, unit, note) for name, unit, ratio, note in image.alternatives]
        unavailable = image.unavailable
        if image.plane is not None:
            lps = pixel_to_patient(image.plane, pts[0][0], pts[0][1])
            position = (float(lps[0]), float(lps[1]), float(lps[2]))
    return Measurement(id or uuid.uuid4().hex, kind, image.ref, pts, tuple(values), text, tuple(axes), position, unavailable)


def moved(measurement: Measurement, dx: float, dy: float, image: MeasuredImage | None = None) -> Measurement:
    """The same measurement shifted by (dx, dy) pixels, measured again on ``image`` when given
    (an ROI's statistics change when it moves; lengths and angles do not)."""
    points = tuple((x + dx, y + dy) for x, y in measurement.points)
    if image is not None:
        return measure(measurement.kind, points, image, text=measurement.text, id=measurement.id)
    if measurement.kind.is_roi or measurement.kind is Kind.PROBE:
        raise MeasurementError(f"Moving a {measurement.kind.display_name} needs its image, to measure it again.")
    axes = tuple((x + dx, y + dy) for x, y in measurement.axes)
    return replace(measurement, points=points, axes=axes)


# -- the editable collection -------------------------------------------------------------------


class _Identified(Protocol):
    @property
    def id(self) -> str: ...


T = TypeVar("T", bound=_Identified)


@dataclass
class UndoableList(Generic[T]):
    """Measurements (anything with an ``id``) in drawing order, with an undo and a redo stack.

    Each change is one undo step. States are tuples of immutable items, so undo restores exactly
    what was there. ``what`` names the items in error sentences.
    """

    items: tuple[T, ...] = ()
    _undo: list[tuple[T, ...]] = field(default_factory=list, repr=False)
    _redo: list[tuple[T, ...]] = field(default_factory=list, repr=False)
    what: ClassVar[str] = "measurement"

    def __iter__(self) -> Iterator[T]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    def get(self, id: str) -> T:
        for m in self.items:
            if m.id == id:
                return m
        raise MeasurementError(f"There is no {self.what} {id}; it may have been deleted.")

    def _commit(self, items: tuple[T, ...]) -> None:
        self._undo.append(self.items)
        self._redo.clear()
        self.items = items

    def add(self, measurement: T) -> T:
        if any(m.id == measurement.id for m in self.items):
            raise MeasurementError(f"A {self.what} with id {measurement.id} is already in the list.")
        self._commit((*self.items, measurement))
        return measurement

    def delete(self, id: str) -> None:
        self.get(id)
        self._commit(tuple(m for m in self.items if m.id != id))

    def clear(self) -> None:
        if self.items:
            self._commit(())

    @property
    def can_undo(self) -> bool:
        return bool(self._undo)

    @property
    def can_redo(self) -> bool:
        return bool(self._redo)

    def undo(self) -> None:
        if self._undo:
            self._redo.append(self.items)
            self.items = self._undo.pop()

    def redo(self) -> None:
        if self._redo:
            self._undo.append(self.items)
            self.items = self._redo.pop()


@dataclass
class MeasurementSet(UndoableList[Measurement]):
    """The measurements of a study on its images: add, replace, move, edit, delete, clear."""

    def on_image(self, sop_instance_uid: str, frame: int | None = None) -> list[Measurement]:
        return [m for m in self.items if m.image.sop_instance_uid == sop_instance_uid and (frame is None or m.image.frame in (None, frame))]

    def replace(self, measurement: Measurement) -> Measurement:
        """Put an edited version (same id) in place of the old one; it keeps the old one's
        Tracking UID, so that other systems follow it from one saved version to the next."""
        old = self.get(measurement.id)
        if old.tracking_uid and not measurement.tracking_uid:
            measurement = replace(measurement, tracking_uid=old.tracking_uid)
        self._commit(tuple(measurement if m.id == measurement.id else m for m in self.items))
        return measurement

    def move(self, id: str, dx: float, dy: float, image: MeasuredImage | None = None) -> Measurement:
        return self.replace(moved(self.get(id), dx, dy, image))

    def edit(self, id: str, points: Sequence[Point], image: MeasuredImage, *, text: str | None = None) -> Measurement:
        """Move a measurement's handles (or change its text) and measure again."""
        old = self.get(id)
        return self.replace(measure(old.kind, points, image, text=old.text if text is None else text, id=id))
