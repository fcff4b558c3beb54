"""Measurements read back from a TID 1500 Measurement Report (PS3.16 TID 1500, TID 1410, TID 300).

Reads the reports written by :mod:`.sr_tid1500` and those of other producers (such as highdicom's
own test files): every "Measurement Group" (DCM 125007) under "Imaging Measurements" (DCM 126010)
with an image SCOORD (PS3.3 C.18.6) becomes one :class:`~.measurements.Measurement` on the image
(and frame) the SCOORD is selected from, with its NUM values and UCUM units as written, and the
Tracking UID it was saved under (kept for the next version). A bidirectional or Cobb measurement
is read in both forms: two 2-point lines its NUM items are INFERRED FROM (TID 1501, written now)
or one 4-point POLYLINE (written before). The tool
comes from the Tracking Identifier when this workstation wrote it (``"Length [id]"``), otherwise
from the graphic: POINT -> probe, ELLIPSE or CIRCLE -> ellipse, open POLYLINE of 2 points ->
length, of 3 with an Angle -> angle, with Long/Short axis -> bidirectional, closed POLYLINE ->
freehand. SCOORD coordinates ((0, 0) at the image's outer corner) are shifted by -0.5 into pixel
centre coordinates. Groups without an image SCOORD (volumetric or segmentation based) are skipped
and counted in :attr:`ReportContents.skipped`.

Arrows and text annotations are not measurements, so they live only in the Grayscale Softcopy
Presentation State this workstation writes with the report (PS3.3 C.10.5, layer
:data:`~.gsps_writer.LAYER`): :func:`annotations_from_presentation_state` reads them back from
there (text: an unformatted text object with an invisible anchor; arrow: a 2-point polyline and a
3-point head whose wings are :data:`~.gsps_writer.ARROW_HEAD_PIXELS` long), so that they are
editable again after reopening.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np
from pydicom.dataset import Dataset
from pydicom.multival import MultiValue

from workstation.annotate.gsps_writer import ARROW_HEAD_PIXELS, LAYER
from workstation.annotate.measurements import ImageRef, Kind, Measurement, MeasurementSet, Value
from workstation.annotate.sr_tid1500 import VALUE_CODES
from workstation.errors import InvalidDicomError

_NAMES_BY_CODE = {(code.value, code.scheme_designator): name for name, code in VALUE_CODES.items() if name != "Value"}
_UNITS_BACK = {"{pixels}": "px", "{square pixels}": "px2"}
_TRACKING = re.compile(r"^(?P<title>.+) \[(?P<id>[^\]]+)\]$")
_KIND_BY_TITLE = {k.display_name: k for k in Kind}


@dataclass(frozen=True)
class ReportContents:
    """What was read: the measurements, and how many groups could not be placed on an image."""

    measurements: MeasurementSet
    skipped: int
    sop_instance_uid: str


def _code(item: Dataset) -> tuple[str, str]:
    seq = item.get("ConceptNameCodeSequence", None)
    if not seq:
        return "", ""
    return str(seq[0].get("CodeValue", "")), str(seq[0].get("CodingSchemeDesignator", ""))


def _children(item: Dataset) -> list[Dataset]:
    return list(item.get("ContentSequence", None) or [])


def _groups(root: Dataset) -> list[Dataset]:
    out: list[Dataset] = []
    for item in _children(root):
        if item.get("ValueType", "") == "CONTAINER" and _code(item) == ("126010", "DCM"):
            out.extend(g for g in _children(item) if g.get("ValueType", "") == "CONTAINER" and _code(g) == ("125007", "DCM"))
    return out


def _image_ref(scoord: Dataset) -> ImageRef | None:
    for child in _children(scoord):
        refs = child.get("ReferencedSOPSequence", None)
        if child.get("ValueType", "") == "IMAGE" and refs:
            ref = refs[0]
            frames = ref.get("ReferencedFrameNumber", None)
            first = frames[0] if isinstance(frames, MultiValue | list) and len(frames) else frames
            frame = int(first) if first not in (None, "") else None
            return ImageRef(str(ref.get("ReferencedSOPInstanceUID", "")), str(ref.get("ReferencedSOPClassUID", "")), frame)
    return None


def _value(item: Dataset) -> Value | None:
    measured = item.get("MeasuredValueSequence", None)
    if not measured:
        return None
    m = measured[0]
    try:
        number = float(m.NumericValue)
    except (AttributeError, TypeError, ValueError):
        return None
    units = m.get("MeasurementUnitsCodeSequence", None)
    unit = str(units[0].get("CodeValue", "")) if units else ""
    seq = item.ConceptNameCodeSequence[0]
    name = _NAMES_BY_CODE.get(_code(item), str(seq.get("CodeMeaning", "")))
    return Value(name, number, _UNITS_BACK.get(unit, unit), "as saved in the measurement report")


def _infer(graphic: str, points: list[tuple[float, float]], names: set[str]) -> Kind | None:
    closed = len(points) > 3 and math.dist(points[0], points[-1]) < 1e-6
    if graphic == "POINT":
        return Kind.PROBE
    if graphic in ("ELLIPSE", "CIRCLE"):
        return Kind.ELLIPSE
    if graphic in ("POLYLINE", "MULTIPOINT"):
        if {"Long axis", "Short axis"} & names and len(points) == 4:
            return Kind.BIDIRECTIONAL
        if "Cobb angle" in names and len(points) == 4:
            return Kind.COBB
        if closed:
            return Kind.FREEHAND
        if len(points) == 2:
            return Kind.LENGTH
        if len(points) == 3 and "Angle" in names:
            return Kind.ANGLE
    return None


def _points(kind: Kind, graphic: str, points: list[tuple[float, float]]) -> list[tuple[float, float]]:
    if graphic == "CIRCLE" and len(points) >= 2:
        (cx, cy), edge = points[0], points[1]
        r = math.dist(points[0], edge)
        return [(cx - r, cy), (cx + r, cy), (cx, cy - r), (cx, cy + r)]
    if kind is Kind.RECTANGLE and len(points) >= 3:
        return [points[0], points[2]]
    if kind is Kind.FREEHAND and len(points) > 3 and math.dist(points[0], points[-1]) < 1e-6:
        return points[:-1]
    return points


def read_measurement_report(ds: Dataset) -> ReportContents:
    """Every image measurement of a TID 1500 report; ``InvalidDicomError`` when it is not one."""
    uid = str(ds.get("SOPInstanceUID", "") or "(no UID)")
    if "ContentSequence" not in ds or ds.get("ValueType", "CONTAINER") != "CONTAINER":
        raise InvalidDicomError(f"Instance {uid} is not a structured report; open it with its own viewer.")
    if _code(ds) != ("126000", "DCM"):
        raise InvalidDicomError(f"Structured report {uid} is not a measurement report (TID 1500); open it as a document.")
    items: list[Measurement] = []
    skipped = 0
    for n, group in enumerate(_groups(ds), 1):
        children = _children(group)
        nums = [c for c in children if c.get("ValueType", "") == "NUM"]
        values = [v for c in nums for v in [_value(c)] if v is not None]
        scoord = next((c for c in children if c.get("ValueType", "") == "SCOORD"), None)
        region = _region(scoord, nums, {v.name for v in values})
        if region is None:
            skipped += 1
            continue
        graphic, points, ref = region
        tracking = next((str(c.get("TextValue", "")) for c in children if c.get("ValueType", "") == "TEXT" and _code(c) == ("112039", "DCM")), "")
        tracking_uid = next((str(c.get("UID", "")) for c in children if c.get("ValueType", "") == "UIDREF" and _code(c) == ("112040", "DCM")), "")
        match = _TRACKING.match(tracking)
        kind = _KIND_BY_TITLE.get(match.group("title")) if match else None
        kind = kind or _infer(graphic, points, {v.name for v in values})
        if kind is None:
            skipped += 1
            continue
        points = _points(kind, graphic, points)
        if kind is Kind.PROBE:
            values = [Value("Value", v.value, v.unit, v.note) if v.name == "Mean" else v for v in values]
        axes = tuple(points) if kind is Kind.BIDIRECTIONAL else ()
        ident = match.group("id") if match else (tracking_uid or f"{uid}.{n}")
        items.append(Measurement(ident, kind, ref, tuple(points), tuple(values), axes=axes, tracking_uid=tracking_uid))
    return ReportContents(MeasurementSet(tuple(items)), skipped, uid)


def _scoord_points(scoord: Dataset) -> list[tuple[float, float]]:
    data = np.asarray([float(v) for v in scoord.GraphicData], dtype=np.float64).reshape(-1, 2) - 0.5
    return [(float(x), float(y)) for x, y in data]


def _region(scoord: Dataset | None, nums: list[Dataset], names: set[str]) -> tuple[str, list[tuple[float, float]], ImageRef] | None:
    """(graphic type, points in pixel-centre coordinates, image) of a group: its own SCOORD (TID
    1410), else the 2-point lines its NUM items are INFERRED FROM (TID 1501: the long then the
    short axis of a bidirectional, the two lines of a Cobb angle; a single SCOORD stands alone)."""
    if scoord is not None:
        ref = _image_ref(scoord)
        return None if ref is None else (str(scoord.get("GraphicType", "")).upper(), _scoord_points(scoord), ref)
    lines: dict[str, list[Dataset]] = {}
    for num in nums:
        value = _value(num)
        found = [c for c in _children(num) if c.get("ValueType", "") == "SCOORD" and c.get("RelationshipType", "") == "INFERRED FROM"]
        if value is not None and found:
            lines[value.name] = found
    if {"Long axis", "Short axis"} <= names and len(lines.get("Long axis", [])) == len(lines.get("Short axis", [])) == 1:
        order = [lines["Long axis"][0], lines["Short axis"][0]]
    elif "Cobb angle" in names and len(lines.get("Cobb angle", [])) == 2:
        order = lines["Cobb angle"]
    elif len(lines) == 1 and len(next(iter(lines.values()))) == 1:
        only = next(iter(lines.values()))[0]
        ref = _image_ref(only)
        return None if ref is None else (str(only.get("GraphicType", "")).upper(), _scoord_points(only), ref)
    else:
        return None
    refs = [_image_ref(s) for s in order]
    if refs[0] is None or refs[0] != refs[1] or any(str(s.get("GraphicType", "")).upper() != "POLYLINE" for s in order):
        return None
    points = [p for s in order for p in _scoord_points(s)]
    return ("POLYLINE", points, refs[0]) if len(points) == 4 else None


def measurements_from_sr(ds: Dataset) -> MeasurementSet:
    """The measurements of a TID 1500 report as an editable :class:`MeasurementSet`."""
    return read_measurement_report(ds).measurements


def _pixel_points(graphic: Dataset) -> list[tuple[float, float]] | None:
    if str(graphic.get("GraphicAnnotationUnits", "")).upper() != "PIXEL":
        return None
    data = [float(v) for v in (graphic.get("GraphicData", None) or [])]
    return [(data[i] - 0.5, data[i + 1] - 0.5) for i in range(0, len(data) - 1, 2)]


def _arrows(graphics: list[Dataset]) -> list[tuple[tuple[float, float], tuple[float, float]]]:
    """(tail, head) of each arrow this workstation wrote: a shaft and a head of two wings."""
    lines = [p for g in graphics if str(g.get("GraphicType", "")).upper() == "POLYLINE" for p in [_pixel_points(g)] if p]
    shafts = [p for p in lines if len(p) == 2]
    heads = [p for p in lines if len(p) == 3
             and all(abs(math.dist(w, p[1]) - ARROW_HEAD_PIXELS) < 1e-3 for w in (p[0], p[2]))]
    out = []
    for head in heads:
        shaft = next((s for s in shafts if math.dist(s[1], head[1]) < 1e-3), None)
        if shaft is not None:
            shafts.remove(shaft)
            out.append((shaft[0], shaft[1]))
    return out


def annotations_from_presentation_state(ds: Dataset) -> list[Measurement]:
    """The arrows and text annotations of a presentation state written by this workstation
    (its graphic layer :data:`~.gsps_writer.LAYER`); other layers are left to the viewer."""
    uid = str(ds.get("SOPInstanceUID", "") or "")
    study = str(ds.get("StudyInstanceUID", "") or "")
    series_of = {str(i.get("ReferencedSOPInstanceUID", "")): str(s.get("SeriesInstanceUID", ""))
                 for s in ds.get("ReferencedSeriesSequence", None) or [] for i in s.get("ReferencedImageSequence", None) or []}
    out: list[Measurement] = []
    for item in ds.get("GraphicAnnotationSequence", None) or []:
        if str(item.get("GraphicLayer", "")) != LAYER:
            continue
        refs = item.get("ReferencedImageSequence", None) or []
        if not refs:
            continue
        ref_item = refs[0]
        frames = ref_item.get("ReferencedFrameNumber", None)
        first = frames[0] if isinstance(frames, MultiValue | list) and len(frames) else frames
        image_uid = str(ref_item.get("ReferencedSOPInstanceUID", ""))
        ref = ImageRef(image_uid, str(ref_item.get("ReferencedSOPClassUID", "")), int(first) if first not in (None, "") else None,
                       series_of.get(image_uid, ""), study)
        arrows = _arrows(list(item.get("GraphicObjectSequence", None) or []))
        arrow_text: dict[int, str] = {}
        for text in item.get("TextObjectSequence", None) or []:
            anchor = text.get("AnchorPoint", None)
            if anchor is None or str(text.get("AnchorPointAnnotationUnits", "")).upper() != "PIXEL":
                continue
            point = (float(anchor[0]) - 0.5, float(anchor[1]) - 0.5)
            value = str(text.get("UnformattedTextValue", ""))
            if str(text.get("AnchorPointVisibility", "")).upper() == "N":
                out.append(Measurement(f"{uid}.{len(out) + 1}", Kind.TEXT, ref, (point,), text=value))
                continue
            at_tail = next((n for n, (tail, _h) in enumerate(arrows) if math.dist(tail, point) < 1e-3), None)
            if at_tail is not None:  # an arrow's own text is written at its tail
                arrow_text[at_tail] = value
        for n, (tail, head) in enumerate(arrows):
            out.append(Measurement(f"{uid}.{len(out) + 1}", Kind.ARROW, ref, (tail, head), text=arrow_text.get(n, "")))
    return out
