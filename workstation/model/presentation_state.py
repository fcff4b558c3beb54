"""Grayscale Softcopy Presentation States applied to their images (PS3.3 A.33.1, PS3.4 Annex N).

A GSPS says how a reader saw an image: which images it applies to (Presentation State
Relationship Module, C.11.11: Referenced Series Sequence > Referenced Image Sequence, frames
optional), a Modality LUT (C.11.1), a Softcopy VOI LUT (C.11.8: window centre/width or a VOI
LUT table, per image subset), a Presentation LUT (C.11.6: IDENTITY or INVERSE), a spatial
transformation (C.10.6: Image Rotation clockwise, then Image Horizontal Flip), the displayed area
(C.10.4: top-left / bottom-right pixel, presentation size mode) and annotations (C.10.5 Graphic
Annotation, C.10.7 Graphic Layer).

:func:`read_presentation_state` parses one; :meth:`PresentationState.display_for` gives the
:class:`DisplayParameters` for one image frame: VOI, invert, rotation/flip, displayed area and
annotations as :class:`DrawOp` lists in image pixel coordinates. Coordinates follow PS3.3
C.10.5.1.2: (column, row) with 0.0\\0.0 at the outer top-left corner of the top-left pixel and
Columns\\Rows at the outer bottom-right corner of the last pixel, so the centre of the pixel at
0-based index (i, j) is (i + 0.5, j + 0.5). DISPLAY-unit annotations (fractions of the displayed
area, after rotation/flip) are converted to those pixel coordinates.

When a GSPS applies, its Presentation LUT decides polarity: a MONOCHROME1 image is not inverted
again (PS3.4 N.2: the presentation state replaces the image's own grayscale pipeline).
:func:`find_presentation_states` maps each referenced image frame of a study to the presentation
states that apply, newest first. Text in annotations is plain text: paint it as such, never as
rich text or HTML.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from pydicom.dataset import Dataset

from workstation.errors import InvalidDicomError
from workstation.model import attributes as attr
from workstation.model.sr_document import read_document_dataset

GRAYSCALE_SOFTCOPY_PS = "1.2.840.10008.5.1.4.1.1.11.1"
_PS_PREFIX = "1.2.840.10008.5.1.4.1.1.11."

#: Most graphic points kept per graphic object, and most draw operations per presentation state.
MAX_POINTS_PER_GRAPHIC = 100_000
MAX_DRAW_OPS = 20_000
#: Most frames listed per multi-frame image by :func:`find_presentation_states`.
MAX_FRAMES_PER_IMAGE = 10_000

ImageKey = tuple[str, int]
Point = tuple[float, float]


@dataclass(frozen=True)
class VoiLut:
    """A Softcopy VOI LUT table (PS3.3 C.11.2.1.1): descriptor (entries, first mapped, bits) and data."""

    first_mapped: int
    bits: int
    data: np.ndarray
    explanation: str = ""


@dataclass(frozen=True)
class DisplayedArea:
    """Displayed Area Selection (PS3.3 C.10.4), corners as 1-based (column, row) pixels.

    ``size_mode`` is SCALE TO FIT, TRUE SIZE or MAGNIFY; ``magnification`` is set for MAGNIFY,
    ``pixel_spacing`` (row, column mm) or ``aspect_ratio`` (row, column) when given.
    """

    top_left: tuple[int, int]
    bottom_right: tuple[int, int]
    size_mode: str = "SCALE TO FIT"
    magnification: float | None = None
    pixel_spacing: tuple[float, float] | None = None
    aspect_ratio: tuple[float, float] | None = None

    def bounds(self) -> tuple[Point, Point]:
        """The area in annotation pixel coordinates: (min x, min y), (max x, max y)."""
        (c0, r0), (c1, r1) = self.top_left, self.bottom_right
        return (min(c0, c1) - 1.0, min(r0, r1) - 1.0), (float(max(c0, c1)), float(max(r0, r1)))


@dataclass(frozen=True)
class DrawOp:
    """One thing to paint over the image, in image pixel coordinates (see the module doc).

    ``kind`` is "polyline", "interpolated", "circle", "ellipse", "point" or "text". ``points``
    are the graphic's points (for a circle: centre then a point on the circle; for an ellipse:
    the major axis ends then the minor axis ends). ``centre``, ``radii`` (major, minor) and
    ``angle_degrees`` (major axis from +x, clockwise on screen as y points down) are worked
    out for circles and ellipses. For text: ``text``, ``anchor`` (with ``anchor_visible``),
    ``bounding_box`` ((x0, y0), (x1, y1)) and ``justification``. ``colour`` is the layer's or
    the text style's recommended RGB, else ``None`` (use the viewer's annotation colour).
    """

    kind: str
    layer: str
    layer_order: int
    points: tuple[Point, ...] = ()
    filled: bool = False
    closed: bool = False
    centre: Point | None = None
    radii: tuple[float, float] | None = None
    angle_degrees: float = 0.0
    text: str = ""
    anchor: Point | None = None
    anchor_visible: bool = False
    bounding_box: tuple[Point, Point] | None = None
    justification: str = "LEFT"
    colour: tuple[int, int, int] | None = None


@dataclass(frozen=True)
class DisplayParameters:
    """Everything a viewport needs to show one image frame as the presentation state says.

    ``window`` is (centre, width) when given, ``voi_lut`` a table otherwise (both ``None``: the
    viewer keeps its own window). ``rescale`` is (slope, intercept) from the presentation
    state's Modality LUT when it has one, ``modality_lut`` a table. ``invert`` is True for a
    Presentation LUT Shape of INVERSE. ``rotation`` is 0/90/180/270 degrees clockwise, applied
    before ``flip_horizontal``.
    """

    presentation_state_uid: str
    label: str
    window: tuple[float, float] | None
    voi_function: str
    voi_lut: VoiLut | None
    rescale: tuple[float, float] | None
    modality_lut: VoiLut | None
    invert: bool
    presentation_lut: VoiLut | None
    rotation: int
    flip_horizontal: bool
    displayed_area: DisplayedArea | None
    annotations: tuple[DrawOp, ...]
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class _Subset:
    """A part of the presentation state that applies to some referenced images (or to all)."""

    item: Dataset
    references: frozenset[ImageKey] | None  # None: all images of the presentation state

    def applies(self, uid: str, frame: int) -> bool:
        return self.references is None or (uid, frame) in self.references or (uid, 0) in self.references


@dataclass
class PresentationState:
    """One softcopy presentation state, parsed once and applied to any of its images."""

    sop_instance_uid: str
    sop_class_uid: str
    label: str
    description: str
    creation: str  # PresentationCreationDate + Time, for ordering
    references: frozenset[ImageKey]  # (uid, frame); frame 0 means every frame
    dataset: Dataset = field(repr=False)

    def applies_to(self, sop_instance_uid: str, frame: int = 1) -> bool:
        """True when the presentation state references this image frame (PS3.3 C.11.11)."""
        return (sop_instance_uid, frame) in self.references or (sop_instance_uid, 0) in self.references

    def display_for(self, sop_instance_uid: str, frame: int = 1, *, rows: int | None = None, columns: int | None = None) -> DisplayParameters | None:
        """The display parameters for one image frame, ``None`` when the state does not apply.

        ``rows``/``columns`` of the image are needed only to convert DISPLAY-unit annotations
        when the state has no Displayed Area for the image (the whole image is then shown).
        """
        if not self.applies_to(sop_instance_uid, frame):
            return None
        ds = self.dataset
        warnings: list[str] = []
        window, function, voi_lut = _voi(ds, sop_instance_uid, frame, warnings)
        rescale, modality_lut = _modality(ds)
        shape = attr.text(ds, "PresentationLUTShape").upper()
        presentation_lut = _lut(_first(ds, "PresentationLUTSequence"), "LUTDescriptor", "LUTData")
        rotation = attr.int_or_none(ds.get("ImageRotation", None), truncate=True) or 0
        if rotation % 90 != 0:
            warnings.append(f"Image Rotation {rotation} is not a multiple of 90 degrees and was ignored.")
            rotation = 0
        rotation %= 360
        flip = attr.text(ds, "ImageHorizontalFlip").upper() == "Y"
        area = _displayed_area(ds, sop_instance_uid, frame)
        if area is None and rows and columns:
            area = DisplayedArea((1, 1), (int(columns), int(rows)))
        ops = _annotations(ds, sop_instance_uid, frame, area, rotation, flip, warnings)
        return DisplayParameters(
            presentation_state_uid=self.sop_instance_uid,
            label=self.label,
            window=window,
            voi_function=function,
            voi_lut=voi_lut,
            rescale=rescale,
            modality_lut=modality_lut,
            invert=shape == "INVERSE",
            presentation_lut=presentation_lut,
            rotation=rotation,
            flip_horizontal=flip,
            displayed_area=area,
            annotations=ops,
            warnings=tuple(warnings),
        )


def is_presentation_state(ds: Dataset) -> bool:
    """True for the softcopy presentation state classes (PS3.4 B.5: 1.2.840.10008.5.1.4.1.1.11.x)."""
    return attr.text(ds, "SOPClassUID").startswith(_PS_PREFIX)


def read_presentation_state(source: Dataset | bytes | bytearray | memoryview | Path) -> PresentationState:
    """Parse a presentation state; ``InvalidDicomError`` when it is not one or names no image."""
    ds = read_document_dataset(source, "presentation state")
    uid = attr.text(ds, "SOPInstanceUID")
    if not is_presentation_state(ds):
        raise InvalidDicomError(f"Instance {uid or '(no UID)'} is not a presentation state; open it with its own viewer.")
    references = _references(attr.items(ds, "ReferencedSeriesSequence"), nested=True)
    if not references:
        raise InvalidDicomError(f"Presentation state {uid or '(no UID)'} references no image, so it cannot be applied.")
    creation = attr.text(ds, "PresentationCreationDate") + attr.text(ds, "PresentationCreationTime")
    return PresentationState(uid, attr.text(ds, "SOPClassUID"), attr.text(ds, "ContentLabel"), attr.text(ds, "ContentDescription"), creation, frozenset(references), ds)


def find_presentation_states(headers: Iterable[Dataset]) -> dict[ImageKey, list[PresentationState]]:
    """For each image frame that a presentation state among ``headers`` references: the states.

    Keys are (SOP Instance UID, 1-based frame). A reference without frame numbers covers every
    frame of the image: frames are listed from Number of Frames when the image's header is among
    ``headers`` (up to :data:`MAX_FRAMES_PER_IMAGE`), else frame 1. States are ordered newest
    first (Presentation Creation Date/Time), so ``[0]`` is the default to apply. Presentation
    states that cannot be read are left out (the display set list shows them as such).
    """
    headers = list(headers)
    frames: dict[str, int] = {}
    states: list[PresentationState] = []
    for ds in headers:
        if is_presentation_state(ds):
            try:
                states.append(read_presentation_state(ds))
            except InvalidDicomError:
                continue
        else:
            count = attr.int_or_none(ds.get("NumberOfFrames", None), truncate=True) or 1
            frames[attr.text(ds, "SOPInstanceUID")] = max(1, min(count, MAX_FRAMES_PER_IMAGE))
    states.sort(key=lambda s: (s.creation, s.sop_instance_uid), reverse=True)
    found: dict[ImageKey, list[PresentationState]] = {}
    for state in states:
        keys: set[ImageKey] = set()
        for uid, frame in state.references:
            if frame:
                keys.add((uid, frame))
            else:
                keys.update((uid, f) for f in range(1, frames.get(uid, 1) + 1))
        for key in sorted(keys):
            found.setdefault(key, []).append(state)
    return found


# -- references --------------------------------------------------------------------------------


def _references(items: Sequence[Dataset], nested: bool) -> set[ImageKey]:
    """(uid, frame) pairs of Referenced Series > Referenced Image items, or of image items."""
    out: set[ImageKey] = set()
    image_items = [image for series in items for image in attr.items(series, "ReferencedImageSequence")] if nested else list(items)
    for image in image_items:
        uid = attr.text(image, "ReferencedSOPInstanceUID")
        if not uid:
            continue
        frame_numbers = [f for f in (attr.int_or_none(v, truncate=True) for v in attr.values(image.get("ReferencedFrameNumber", None))) if f and f > 0]
        if frame_numbers:
            out.update((uid, f) for f in frame_numbers[:MAX_FRAMES_PER_IMAGE])
        else:
            out.add((uid, 0))
    return out


def _subsets(ds: Dataset, keyword: str) -> list[_Subset]:
    subsets = []
    for item in attr.items(ds, keyword):
        refs = attr.items(item, "ReferencedImageSequence")
        subsets.append(_Subset(item, frozenset(_references(refs, nested=False)) if refs else None))
    return subsets


def _applying(ds: Dataset, keyword: str, uid: str, frame: int) -> Dataset | None:
    for subset in _subsets(ds, keyword):
        if subset.applies(uid, frame):
            return subset.item
    return None


# -- grayscale pipeline ------------------------------------------------------------------------


def _voi(ds: Dataset, uid: str, frame: int, warnings: list[str]) -> tuple[tuple[float, float] | None, str, VoiLut | None]:
    """Softcopy VOI LUT Module (PS3.3 C.11.8): the first item whose image subset holds the frame."""
    item = _applying(ds, "SoftcopyVOILUTSequence", uid, frame)
    if item is None:
        return None, "", None
    function = attr.text(item, "VOILUTFunction").upper() or "LINEAR"
    centres, widths = attr.float_values(item.get("WindowCenter", None)), attr.float_values(item.get("WindowWidth", None))
    if centres and widths:
        centre, width = centres[0], widths[0]
        if math.isfinite(centre) and math.isfinite(width) and width >= (0 if function == "LINEAR_EXACT" else 1):
            return (centre, width), function, None
        warnings.append("The presentation state's window width is not valid and was ignored.")
    lut = _lut(_first(item, "VOILUTSequence"), "LUTDescriptor", "LUTData")
    return None, function, lut


def _modality(ds: Dataset) -> tuple[tuple[float, float] | None, VoiLut | None]:
    """Modality LUT Module in the presentation state (PS3.3 C.11.1): rescale or a table."""
    slope, intercept = attr.float_values(ds.get("RescaleSlope", None)), attr.float_values(ds.get("RescaleIntercept", None))
    if slope and intercept and math.isfinite(slope[0]) and math.isfinite(intercept[0]) and slope[0] != 0:
        return (slope[0], intercept[0]), None
    return None, _lut(_first(ds, "ModalityLUTSequence"), "LUTDescriptor", "LUTData")


def _lut(item: Dataset | None, descriptor_kw: str, data_kw: str) -> VoiLut | None:
    """A LUT from its descriptor and data (PS3.3 C.11.1.1.1): entries 0 means 65536."""
    if item is None:
        return None
    descriptor = [attr.int_or_none(v, truncate=True) for v in attr.values(item.get(descriptor_kw, None))]
    if len(descriptor) != 3 or any(v is None for v in descriptor):
        return None
    entries, first, bits = (int(v) for v in descriptor if v is not None)
    entries = entries or 65536
    raw = item.get(data_kw, None)
    if isinstance(raw, (bytes, bytearray)):
        data = np.frombuffer(bytes(raw)[: entries * 2], dtype="<u2").astype(np.uint16)
    else:
        data = np.asarray([attr.int_or_none(v, truncate=True) or 0 for v in attr.values(raw)[:entries]], dtype=np.uint16)
    if data.size == 0:
        return None
    return VoiLut(first, bits, data, attr.text(item, "LUTExplanation"))


# -- displayed area and annotations ------------------------------------------------------------


def _displayed_area(ds: Dataset, uid: str, frame: int) -> DisplayedArea | None:
    item = _applying(ds, "DisplayedAreaSelectionSequence", uid, frame)
    if item is None:
        return None
    tl = [attr.int_or_none(v, truncate=True) for v in attr.values(item.get("DisplayedAreaTopLeftHandCorner", None))]
    br = [attr.int_or_none(v, truncate=True) for v in attr.values(item.get("DisplayedAreaBottomRightHandCorner", None))]
    if len(tl) != 2 or len(br) != 2 or None in tl or None in br:
        return None
    spacing = attr.float_values(item.get("PresentationPixelSpacing", None))
    aspect = attr.float_values(item.get("PresentationPixelAspectRatio", None))
    magnification = attr.float_values(item.get("PresentationPixelMagnificationRatio", None))
    return DisplayedArea(
        (int(tl[0] or 0), int(tl[1] or 0)),
        (int(br[0] or 0), int(br[1] or 0)),
        attr.text(item, "PresentationSizeMode").upper() or "SCALE TO FIT",
        magnification[0] if magnification else None,
        (spacing[0], spacing[1]) if len(spacing) == 2 else None,
        (aspect[0], aspect[1]) if len(aspect) == 2 else None,
    )


def display_to_image(area: DisplayedArea, rotation: int, flip: bool) -> np.ndarray:
    """3x3 affine from DISPLAY units (0..1 across the displayed area as shown, PS3.3 C.10.5.1.2)
    to image pixel coordinates, for a rotation (clockwise, degrees) applied before a flip."""
    (x0, y0), (x1, y1) = area.bounds()
    centre = np.array([(x0 + x1) / 2, (y0 + y1) / 2])
    theta = math.radians(rotation)
    # Image -> display about the centre: rotate clockwise (y points down), then mirror x.
    rotate = np.array([[math.cos(theta), -math.sin(theta)], [math.sin(theta), math.cos(theta)]])
    mirror = np.diag([-1.0, 1.0]) if flip else np.eye(2)
    forward = mirror @ rotate
    half = np.abs(forward) @ np.array([(x1 - x0) / 2, (y1 - y0) / 2])  # half-size on the display
    inverse = np.linalg.inv(np.round(forward, 12))
    # display fraction f -> display offset (2f - 1) * half -> image point
    linear = inverse @ np.diag(2 * half)
    offset = centre - inverse @ half
    out = np.eye(3)
    out[:2, :2] = linear
    out[:2, 2] = offset
    return out


def _points(raw: Any, count: int | None, warnings: list[str]) -> list[Point]:
    values = attr.float_values(raw)[: 2 * MAX_POINTS_PER_GRAPHIC]
    pairs = [(values[i], values[i + 1]) for i in range(0, len(values) - 1, 2)]
    if count is not None and count != len(pairs):
        warnings.append(f"A graphic says it has {count} points but holds {len(pairs)}; the points present are drawn.")
    finite = [p for p in pairs if math.isfinite(p[0]) and math.isfinite(p[1])]
    if len(finite) != len(pairs):
        warnings.append("A graphic holds points that are not finite numbers; they were left out.")
    return finite


def _convert(points: list[Point], units: str, to_image: np.ndarray | None) -> list[Point] | None:
    if units != "DISPLAY":
        return points
    if to_image is None:
        return None
    return [(float(to_image[0, 0] * x + to_image[0, 1] * y + to_image[0, 2]), float(to_image[1, 0] * x + to_image[1, 1] * y + to_image[1, 2])) for x, y in points]


def _annotations(ds: Dataset, uid: str, frame: int, area: DisplayedArea | None, rotation: int, flip: bool, warnings: list[str]) -> tuple[DrawOp, ...]:
    """Graphic Annotation Module (PS3.3 C.10.5) items for this frame, ordered by layer order."""
    layers = {}
    for item in attr.items(ds, "GraphicLayerSequence"):
        layers[attr.text(item, "GraphicLayer")] = (attr.int_or_none(item.get("GraphicLayerOrder", None), truncate=True) or 0, _layer_colour(item))
    to_image = display_to_image(area, rotation, flip) if area is not None else None
    ops: list[DrawOp] = []
    skipped_display = False
    for subset in _subsets(ds, "GraphicAnnotationSequence"):
        if not subset.applies(uid, frame):
            continue
        layer = attr.text(subset.item, "GraphicLayer")
        order, colour = layers.get(layer, (0, None))
        for graphic in attr.items(subset.item, "GraphicObjectSequence"):
            if len(ops) >= MAX_DRAW_OPS:
                break
            units = attr.text(graphic, "GraphicAnnotationUnits").upper()
            points = _convert(_points(graphic.get("GraphicData", None), attr.int_or_none(graphic.get("NumberOfGraphicPoints", None), truncate=True), warnings), units, to_image)
            if points is None:
                skipped_display = True
                continue
            op = _graphic_op(attr.text(graphic, "GraphicType").upper(), points, layer, order, attr.text(graphic, "GraphicFilled").upper() == "Y", colour)
            if op is None:
                warnings.append(f"A {(attr.text(graphic, 'GraphicType') or 'graphic')[:16]} with {len(points)} points cannot be drawn and was skipped.")
            else:
                ops.append(op)
        for text in attr.items(subset.item, "TextObjectSequence"):
            if len(ops) >= MAX_DRAW_OPS:
                break
            op_or_none = _text_op(text, layer, order, colour, to_image, warnings)
            if op_or_none is None:
                skipped_display = True
            else:
                ops.append(op_or_none)
    if len(ops) >= MAX_DRAW_OPS:
        warnings.append(f"Only the first {MAX_DRAW_OPS} annotations are drawn.")
    if skipped_display:
        warnings.append("Annotations placed relative to the display were skipped: the image size is unknown.")
    ops.sort(key=lambda op: op.layer_order)
    return tuple(ops)


def _graphic_op(kind: str, points: list[Point], layer: str, order: int, filled: bool, colour: tuple[int, int, int] | None) -> DrawOp | None:
    """GraphicType (PS3.3 C.10.5.1.2): POINT, POLYLINE, INTERPOLATED, CIRCLE, ELLIPSE."""
    pts = tuple(points)
    if kind == "POINT" and len(pts) >= 1:
        return DrawOp("point", layer, order, pts[:1], colour=colour)
    if kind in ("POLYLINE", "INTERPOLATED") and len(pts) >= 2:
        closed = pts[0] == pts[-1] and len(pts) > 2
        return DrawOp(kind.lower(), layer, order, pts, filled=filled and closed, closed=closed, colour=colour)
    if kind == "CIRCLE" and len(pts) >= 2:
        radius = math.dist(pts[0], pts[1])
        return DrawOp("circle", layer, order, pts[:2], filled=filled, closed=True, centre=pts[0], radii=(radius, radius), colour=colour)
    if kind == "ELLIPSE" and len(pts) >= 4:
        (a0, a1, b0, b1) = pts[:4]
        centre = ((a0[0] + a1[0]) / 2, (a0[1] + a1[1]) / 2)
        major, minor = math.dist(a0, a1) / 2, math.dist(b0, b1) / 2
        angle = math.degrees(math.atan2(a1[1] - a0[1], a1[0] - a0[0]))
        return DrawOp("ellipse", layer, order, pts[:4], filled=filled, closed=True, centre=centre, radii=(major, minor), angle_degrees=angle, colour=colour)
    return None


def _text_op(text: Dataset, layer: str, order: int, colour: tuple[int, int, int] | None, to_image: np.ndarray | None, warnings: list[str]) -> DrawOp | None:
    """A Text Object (PS3.3 C.10.5.1.1): bounding box and/or anchor point, each with its units."""
    value = attr.text(text, "UnformattedTextValue", strip=False).replace("\r\n", "\n").replace("\r", "\n").strip()
    box: tuple[Point, Point] | None = None
    anchor: Point | None = None
    tl = _points(text.get("BoundingBoxTopLeftHandCorner", None), None, warnings)
    br = _points(text.get("BoundingBoxBottomRightHandCorner", None), None, warnings)
    if tl and br:
        converted = _convert([tl[0], br[0]], attr.text(text, "BoundingBoxAnnotationUnits").upper(), to_image)
        if converted is None:
            return None
        box = (converted[0], converted[1])
    anchor_points = _points(text.get("AnchorPoint", None), None, warnings)
    if anchor_points:
        converted = _convert(anchor_points[:1], attr.text(text, "AnchorPointAnnotationUnits").upper(), to_image)
        if converted is None:
            return None
        anchor = converted[0]
    if box is None and anchor is None:
        warnings.append("A text annotation has neither a bounding box nor an anchor point and was skipped.")
        return None
    style = _first(text, "TextStyleSequence")
    style_colour = _cielab_to_rgb(style.get("TextColorCIELabValue", None)) if style is not None else None
    return DrawOp(
        "text",
        layer,
        order,
        text=value[:4096],
        anchor=anchor,
        anchor_visible=attr.text(text, "AnchorPointVisibility").upper() == "Y",
        bounding_box=box,
        justification=attr.text(text, "BoundingBoxTextHorizontalJustification").upper() or "LEFT",
        colour=style_colour or colour,
    )


def _layer_colour(item: Dataset) -> tuple[int, int, int] | None:
    """Graphic Layer recommended colour (PS3.3 C.10.7.1): CIELab, else a grayscale P-value."""
    colour = _cielab_to_rgb(item.get("GraphicLayerRecommendedDisplayCIELabValue", None))
    if colour is not None:
        return colour
    grey = attr.int_or_none(item.get("GraphicLayerRecommendedDisplayGrayscaleValue", None), truncate=True)
    if grey is not None and 0 <= grey <= 0xFFFF:
        level = round(grey * 255 / 0xFFFF)
        return (level, level, level)
    return None


def cielab_to_rgb(l_value: int, a_value: int, b_value: int) -> tuple[int, int, int]:
    """DICOM-scaled CIELab (PS3.3 C.10.7.1.1: ICC PCS-Lab, D50, 0..65535) to 8-bit sRGB (D65)."""
    lightness = l_value * 100.0 / 65535.0
    a = a_value * 255.0 / 65535.0 - 128.0
    b = b_value * 255.0 / 65535.0 - 128.0
    fy = (lightness + 16.0) / 116.0
    fx, fz = fy + a / 500.0, fy - b / 200.0

    def inv(t: float) -> float:
        return t**3 if t > 6.0 / 29.0 else 3 * (6.0 / 29.0) ** 2 * (t - 4.0 / 29.0)

    xyz_d50 = np.array([0.9642 * inv(fx), 1.0 * inv(fy), 0.8249 * inv(fz)])
    bradford_d50_to_d65 = np.array([[0.9555766, -0.0230393, 0.0631636], [-0.0282895, 1.0099416, 0.0210077], [0.0122982, -0.0204830, 1.3299098]])
    xyz = bradford_d50_to_d65 @ xyz_d50
    to_srgb = np.array([[3.2404542, -1.5371385, -0.4985314], [-0.9692660, 1.8760108, 0.0415560], [0.0556434, -0.2040259, 1.0572252]])
    linear = np.clip(to_srgb @ xyz, 0.0, 1.0)
    srgb = np.where(linear <= 0.0031308, 12.92 * linear, 1.055 * linear ** (1 / 2.4) - 0.055)
    r, g, bl = (int(round(float(v) * 255)) for v in srgb)
    return (r, g, bl)


def _cielab_to_rgb(raw: Any) -> tuple[int, int, int] | None:
    values = [attr.int_or_none(v, truncate=True) for v in attr.values(raw)]
    if len(values) != 3 or any(v is None or not 0 <= v <= 0xFFFF for v in values):
        return None
    return cielab_to_rgb(*(int(v) for v in values if v is not None))


# -- tolerant attribute access ----------------------------------------------------------------


def _first(ds: Dataset, keyword: str) -> Dataset | None:
    items = attr.items(ds, keyword)
    return items[0] if items else None
