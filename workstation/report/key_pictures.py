"""A key image for the printed report, as its presentation state says to show it.

A key image is marked while the reader looks at it in a window (mediastinal, say), zoomed on a
region, with a measurement drawn on it. The picture in the report keeps that presentation: the
Grayscale Softcopy Presentation State of the key image (PS3.3 A.33.1, read by
:mod:`workstation.model.presentation_state`) gives

- the grayscale pipeline of PS3.4 N.2: its Modality LUT (C.11.1) or the image's, its Softcopy VOI
  LUT (C.11.8: window centre/width with the VOI LUT Function of C.11.2.1.2/C.11.2.1.3, or a
  table), its Presentation LUT Shape (C.11.6: INVERSE inverts; IDENTITY keeps, MONOCHROME1
  included, since the presentation state replaces the image's own polarity);
- the Displayed Area Selection (C.10.4): the part of the image shown, scaled to fit the picture;
- the Spatial Transformation (C.10.6): rotation clockwise, then horizontal flip;
- the Graphic Annotations (C.10.5): polylines, circles, ellipses, points and text, drawn
  over the pixels in the layer's colour (or the viewer's annotation colour).

Enlarging uses whole-pixel replication, so every printed pixel of the image holds exactly the
grey its stored value maps to; a larger image is reduced with area averaging.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from PIL import Image, ImageDraw, ImageFont
from pydicom.dataset import Dataset

from workstation.model.pixels import (
    LINEAR,
    WindowPreset,
    modality_transform,
    to_display,
    voi_window,
)
from workstation.model.presentation_state import DisplayParameters, DrawOp, VoiLut
from workstation.report.fonts import report_fonts

#: Longest side of a key-image picture, in pixels.
MAX_PIXELS = 512
#: Colour of annotations whose layer recommends none (the viewer's selected-measurement yellow).
ANNOTATION_COLOUR = (255, 210, 0)


def _lut_map(lut: VoiLut, values: np.ndarray) -> np.ndarray:
    """A LUT (PS3.3 C.11.1.1 / C.11.2.1.1) applied: inputs below the first mapped value take the
    first entry, above the last the last one; output as the table's values."""
    index = np.clip(np.rint(values).astype(np.int64) - int(lut.first_mapped), 0, len(lut.data) - 1)
    return np.asarray(lut.data)[index].astype(np.float64)


def _to_uint8(y: np.ndarray) -> np.ndarray:
    return np.clip(np.floor(y + 0.5), 0, 255).astype(np.uint8)


def grey_levels(stored: np.ndarray, header: Dataset, params: DisplayParameters | None, frame: int = 1) -> np.ndarray:
    """Stored values of one frame -> display grey levels (uint8, rows x columns, or RGB for colour
    images), through the presentation state's pipeline (the image's own when ``params`` is None)."""
    array = np.asarray(stored)
    samples = int(header.get("SamplesPerPixel", 1) or 1)
    if array.ndim == 3 and samples == 1 and array.shape[0] == 1:
        array = array[0]
    photometric = str(header.get("PhotometricInterpretation", "")).strip().upper()
    if params is None or samples > 1 or photometric == "PALETTE COLOR" or (params.window is None and params.voi_lut is None):
        shown = to_display(array, header, frame=frame - 1)
        if params is not None and samples == 1 and photometric != "PALETTE COLOR":
            # the state gives no VOI: the image's own window, with the state's polarity
            own_inverted = photometric == "MONOCHROME1" or str(header.get("PresentationLUTShape", "")).upper() == "INVERSE"
            if own_inverted != params.invert:
                shown = 255 - shown
        return shown
    if params.rescale is not None:
        values = array.astype(np.float64) * params.rescale[0] + params.rescale[1]
    elif params.modality_lut is not None:
        values = _lut_map(params.modality_lut, array)
    else:
        values = modality_transform(header, frame - 1).values(array)
    if params.window is not None:
        centre, width = params.window
        grey = voi_window(values, WindowPreset(float(centre), float(width), "", params.voi_function or LINEAR))
    else:
        assert params.voi_lut is not None
        grey = _lut_map(params.voi_lut, values) * (255.0 / float(2 ** int(params.voi_lut.bits) - 1))
    out = _to_uint8(grey)
    return 255 - out if params.invert else out


def _crop(area_bounds: tuple[tuple[float, float], tuple[float, float]] | None, shape: tuple[int, int]) -> tuple[int, int, int, int]:
    """(first column, first row, end column, end row), 0-based half-open, of the displayed area."""
    rows, columns = shape
    if area_bounds is None:
        return 0, 0, columns, rows
    (x0, y0), (x1, y1) = area_bounds
    c0, r0 = max(0, int(math.floor(x0))), max(0, int(math.floor(y0)))
    c1, r1 = min(columns, int(math.ceil(x1))), min(rows, int(math.ceil(y1)))
    if c1 <= c0 or r1 <= r0:
        return 0, 0, columns, rows
    return c0, r0, c1, r1


class _Placement:
    """Image pixel coordinates (PS3.3 C.10.5.1.2) -> picture coordinates: crop, scale, rotate, flip."""

    def __init__(self, crop: tuple[int, int, int, int], scale: tuple[float, float], size: tuple[int, int],
                 rotation: int, flip: bool) -> None:
        self.c0, self.r0 = crop[0], crop[1]
        self.sx, self.sy = scale
        self.width, self.height = size  # before rotation
        self.rotation, self.flip = rotation, flip

    def __call__(self, point: Sequence[float]) -> tuple[float, float]:
        x, y = (point[0] - self.c0) * self.sx, (point[1] - self.r0) * self.sy
        w, h = self.width, self.height
        if self.rotation == 90:
            x, y, w = h - y, x, h
        elif self.rotation == 180:
            x, y = w - x, h - y
        elif self.rotation == 270:
            x, y, w = y, w - x, h
        if self.flip:
            x = w - x
        return x, y


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    fonts = report_fonts()
    if fonts.files:
        try:
            return ImageFont.truetype(str(fonts.files[0]), size)
        except OSError:
            pass
    return ImageFont.load_default()


def _ellipse_points(centre: tuple[float, float], radii: tuple[float, float], angle: float) -> list[tuple[float, float]]:
    a, b = radii
    t = math.radians(angle)
    return [(centre[0] + a * math.cos(s) * math.cos(t) - b * math.sin(s) * math.sin(t),
             centre[1] + a * math.cos(s) * math.sin(t) + b * math.sin(s) * math.cos(t))
            for s in np.linspace(0.0, 2.0 * math.pi, 73)]


def _draw(draw: ImageDraw.ImageDraw, op: DrawOp, place: _Placement, line_width: int,
          font: ImageFont.FreeTypeFont | ImageFont.ImageFont) -> None:
    colour = op.colour or ANNOTATION_COLOUR
    if op.kind in ("polyline", "interpolated"):
        points = [place(p) for p in op.points]
        if op.closed and points:
            points.append(points[0])
        if op.filled and len(points) >= 3:
            draw.polygon(points, fill=colour)
        elif len(points) >= 2:
            draw.line(points, fill=colour, width=line_width, joint="curve")
    elif op.kind in ("circle", "ellipse") and op.centre is not None and op.radii is not None:
        points = [place(p) for p in _ellipse_points(op.centre, op.radii, op.angle_degrees)]
        if op.filled:
            draw.polygon(points, fill=colour)
        else:
            draw.line(points, fill=colour, width=line_width)
    elif op.kind == "point":
        for p in op.points:
            x, y = place(p)
            r = 2 * line_width
            draw.line([(x - r, y), (x + r, y)], fill=colour, width=line_width)
            draw.line([(x, y - r), (x, y + r)], fill=colour, width=line_width)
    elif op.kind == "text" and op.text:
        if op.bounding_box is not None:
            corners = [place(op.bounding_box[0]), place(op.bounding_box[1])]
            at = (min(c[0] for c in corners), min(c[1] for c in corners))
        elif op.anchor is not None:
            at = place(op.anchor)
            at = (at[0] + 4, at[1] + 2)
        else:
            return
        if op.anchor is not None and op.anchor_visible and op.bounding_box is not None:
            draw.line([place(op.anchor), at], fill=colour, width=1)
        # kept inside the picture (a label at the image's edge would be cut off)
        left, top, right, bottom = draw.textbbox(at, op.text, font=font, stroke_width=1)
        width, height = draw.im.size
        at = (max(0.0, at[0] - max(0.0, right - width)), max(0.0, at[1] - max(0.0, bottom - height)))
        draw.text(at, op.text, fill=colour, font=font, stroke_width=1, stroke_fill=(0, 0, 0))


def render_key_image(
    stored: np.ndarray,
    header: Dataset,
    params: DisplayParameters | None,
    *,
    frame: int = 1,
    max_pixels: int = MAX_PIXELS,
) -> np.ndarray:
    """The key image as the report prints it: (rows, columns, 3) uint8 RGB of ``stored`` (one
    frame's stored values) shown with ``params`` (a presentation state's display parameters for
    this image, :meth:`PresentationState.display_for`; ``None``: the image's own window, whole)."""
    grey = grey_levels(stored, header, params, frame)
    rgb = grey if grey.ndim == 3 else np.stack([grey] * 3, axis=-1)
    area = params.displayed_area.bounds() if params is not None and params.displayed_area is not None else None
    crop = _crop(area, (rgb.shape[0], rgb.shape[1]))
    part = rgb[crop[1]:crop[3], crop[0]:crop[2]]
    h, w = part.shape[:2]
    factor = max_pixels / max(h, w)
    if factor >= 2:
        k = int(factor)
        part = np.repeat(np.repeat(part, k, axis=0), k, axis=1)
    elif factor < 1:
        size = (max(1, round(w * factor)), max(1, round(h * factor)))
        part = np.asarray(Image.fromarray(np.ascontiguousarray(part), "RGB").resize(size, Image.Resampling.BOX))
    out_h, out_w = part.shape[:2]
    rotation = params.rotation if params is not None else 0
    flip = params.flip_horizontal if params is not None else False
    if rotation:
        part = np.rot90(part, k=-(rotation // 90))
    if flip:
        part = part[:, ::-1]
    picture = Image.fromarray(np.ascontiguousarray(part), "RGB")
    if params is not None and params.annotations:
        place = _Placement(crop, (out_w / w, out_h / h), (out_w, out_h), rotation, flip)
        draw = ImageDraw.Draw(picture)
        line_width = max(1, round(max(out_w, out_h) / 256))
        font = _font(max(10, round(max(out_w, out_h) / 36)))
        for op in sorted(params.annotations, key=lambda o: o.layer_order):
            _draw(draw, op, place, line_width, font)
    return np.asarray(picture, dtype=np.uint8)
