"""What is painted over the image, with VTK 2D actors in screen (display) coordinates.

The content comes from :mod:`workstation.model.overlay` (four-corner text from the Patient, Study,
Series and Image Plane modules, PS3.3 C.7.1.1-C.7.6.2; orientation markers per PS3.3 C.7.6.1.1.1;
the scale bar per PS3.3 10.7.1.3) and :mod:`workstation.model.spatial` (reference lines and the 3D
cursor, PS3.3 C.7.6.2.1.1), and the graphic and text annotations of a presentation state (PS3.3
C.10.5, as :class:`~workstation.model.presentation_state.DrawOp`). This module only places it:
screen points are given with y growing downwards (as in
:class:`~workstation.model.viewport.ViewportState`) and turned into VTK display coordinates (y up)
here. :func:`outline` turns a DrawOp into polylines in the viewport's image coordinates (pixel
centres at integer (column, row)), converting from the annotation's pixel coordinates of PS3.3
C.10.5.1.2 where (0, 0) is the outer top-left corner of the first pixel: a pixel centre is
(c + 0.5, r + 0.5) there.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import vtkmodules.vtkRenderingFreeType  # noqa: F401  (text rendering factory)
from vtkmodules.vtkCommonCore import vtkPoints, vtkUnsignedCharArray
from vtkmodules.vtkCommonDataModel import vtkCellArray, vtkPolyData
from vtkmodules.vtkRenderingCore import (
    vtkActor2D,
    vtkPolyDataMapper2D,
    vtkRenderer,
    vtkTextActor,
)

from workstation.model.overlay import CornerText, Markers, ScaleBar
from workstation.model.presentation_state import DrawOp

ScreenPoint = tuple[float, float]
Segment = tuple[ScreenPoint, ScreenPoint]

#: Text colour of corner text and markers (light grey, readable on black and on bone).
TEXT_RGB = (0.92, 0.92, 0.92)
#: Orientation markers in a warm yellow, as most viewers draw them.
MARKER_RGB = (1.0, 0.85, 0.25)
REFERENCE_RGB = (0.3, 0.8, 1.0)
CURSOR_RGB = (1.0, 0.3, 0.3)
SCALE_RGB = (0.92, 0.92, 0.92)
#: Presentation-state annotations without a recommended colour (PS3.3 C.10.7.1.1).
ANNOTATION_RGB = (0.35, 1.0, 0.35)
#: Segments per full turn when a circle or an ellipse is drawn as a polygon.
CURVE_SEGMENTS = 96
#: Half-size in screen pixels of the cross that marks a POINT graphic.
POINT_ARM = 4.0

ImagePoint = tuple[float, float]
MARGIN = 6  # pixels between text and the viewport edge
#: Opacity of the dark box behind measurement and annotation labels (legible on bone and air).
LABEL_BACKGROUND_OPACITY = 0.65


def text_actor(size: int, rgb: tuple[float, float, float], horizontal: str, vertical: str) -> vtkTextActor:
    """A shadowed Arial text actor, empty, justified ``horizontal`` (left, right, centre) and
    ``vertical`` (top, bottom, centre) about its position."""
    actor = vtkTextActor()
    prop = actor.GetTextProperty()
    prop.SetFontSize(size)
    prop.SetColor(*rgb)
    prop.SetFontFamilyToArial()
    prop.ShadowOn()
    prop.SetShadowOffset(1, -1)
    {"left": prop.SetJustificationToLeft, "right": prop.SetJustificationToRight, "centre": prop.SetJustificationToCentered}[horizontal]()
    {"top": prop.SetVerticalJustificationToTop, "bottom": prop.SetVerticalJustificationToBottom, "centre": prop.SetVerticalJustificationToCentered}[vertical]()
    actor.SetInput("")
    return actor


def _actor_2d(poly: vtkPolyData, width: float, rgb: tuple[float, float, float] | None = None) -> vtkActor2D:
    """A 2D actor drawing ``poly`` with lines ``width`` pixels wide (in ``rgb`` when given)."""
    mapper = vtkPolyDataMapper2D()
    mapper.SetInputData(poly)
    actor = vtkActor2D()
    actor.SetMapper(mapper)
    if rgb is not None:
        actor.GetProperty().SetColor(*rgb)
    actor.GetProperty().SetLineWidth(width)
    return actor


class _Lines:
    """A set of 2D line segments in display coordinates, one actor."""

    def __init__(self, rgb: tuple[float, float, float], width: float = 1.5) -> None:
        self.poly = vtkPolyData()
        self.poly.SetPoints(vtkPoints())
        self.poly.SetLines(vtkCellArray())
        self.actor = _actor_2d(self.poly, width, rgb)
        self.segments: list[Segment] = []

    def set(self, segments: Sequence[Segment]) -> None:
        """Segments with display coordinates (x right, y up)."""
        self.segments = [((float(a[0]), float(a[1])), (float(b[0]), float(b[1]))) for a, b in segments]
        points = vtkPoints()
        lines = vtkCellArray()
        for a, b in self.segments:
            i = points.InsertNextPoint(a[0], a[1], 0.0)
            j = points.InsertNextPoint(b[0], b[1], 0.0)
            lines.InsertNextCell(2)
            lines.InsertCellPoint(i)
            lines.InsertCellPoint(j)
        self.poly.SetPoints(points)
        self.poly.SetLines(lines)
        self.poly.Modified()
        self.actor.SetVisibility(bool(self.segments))


class PaneLines:
    """Polylines in a renderer's own pixels (VTK viewport coordinates, y up), in one colour, two
    pixels wide, with a dot of ``point_size`` pixels at each vertex when ``dots``; one 2D actor.
    Hidden while it has no polyline (``visible``: whether it is shown before the first)."""

    def __init__(self, renderer: vtkRenderer, rgb: tuple[float, float, float], *, point_size: float,
                 dots: bool = True, visible: bool = True) -> None:
        self.dots = dots
        self.poly = vtkPolyData()
        self.actor = _actor_2d(self.poly, 2.0, rgb)
        self.actor.GetProperty().SetPointSize(point_size)
        self.actor.SetVisibility(visible)
        renderer.AddViewProp(self.actor)

    def set_polylines(self, polylines: Sequence[Sequence[ScreenPoint]]) -> None:
        """Polylines with vertices in the pane's pixels, y up; one of a single point is a dot."""
        points, verts, lines = vtkPoints(), vtkCellArray(), vtkCellArray()
        for polyline in polylines:
            ids = []
            for x, y in polyline:
                index = points.InsertNextPoint(float(x), float(y), 0.0)
                if self.dots:
                    verts.InsertNextCell(1)
                    verts.InsertCellPoint(index)
                ids.append(index)
            if len(ids) >= 2:
                lines.InsertNextCell(len(ids))
                for index in ids:
                    lines.InsertCellPoint(index)
        self.poly.SetPoints(points)
        self.poly.SetVerts(verts)
        self.poly.SetLines(lines)
        self.poly.Modified()
        self.actor.SetVisibility(bool(polylines))


def from_annotation_units(point: Sequence[float]) -> ImagePoint:
    """PS3.3 C.10.5.1.2 pixel coordinates (0, 0 = outer top-left corner of the first pixel) ->
    viewport image coordinates (pixel centres at integer column, row)."""
    return (float(point[0]) - 0.5, float(point[1]) - 0.5)


def _spline(a: float, b: float, c: float, d: float, t: float) -> float:
    """Uniform Catmull-Rom between b (t = 0) and c (t = 1)."""
    return 0.5 * (2 * b + (-a + c) * t + (2 * a - 5 * b + 4 * c - d) * t * t + (-a + 3 * b - 3 * c + d) * t ** 3)


def _catmull_rom(points: Sequence[ImagePoint], steps: int = 8) -> list[ImagePoint]:
    """A smooth curve through every point (INTERPOLATED graphic type, PS3.3 C.10.5.1.2)."""
    if len(points) < 3:
        return list(points)
    closed = points[0] == points[-1]
    pts = list(points[:-1]) if closed else list(points)
    n = len(pts)
    out: list[ImagePoint] = []
    last = n if closed else n - 1
    for i in range(last):
        p0 = pts[(i - 1) % n] if closed or i > 0 else pts[0]
        p1, p2 = pts[i], pts[(i + 1) % n]
        p3 = pts[(i + 2) % n] if closed or i + 2 < n else pts[-1]
        for k in range(steps):
            t = k / steps
            out.append((_spline(p0[0], p1[0], p2[0], p3[0], t), _spline(p0[1], p1[1], p2[1], p3[1], t)))
    out.append(pts[0] if closed else pts[-1])
    return out


def outline(op: DrawOp) -> list[list[ImagePoint]]:
    """The lines of a graphic annotation in viewport image coordinates (empty for text and for
    POINT, which is drawn as a screen-sized cross at :func:`point_of`)."""
    if op.kind in ("polyline", "interpolated"):
        points = [from_annotation_units(p) for p in op.points]
        return [_catmull_rom(points) if op.kind == "interpolated" else points]
    if op.kind in ("circle", "ellipse") and op.centre is not None and op.radii is not None:
        cx, cy = from_annotation_units(op.centre)
        major, minor = op.radii
        if op.kind == "ellipse" and len(op.points) >= 4:
            (a0, a1, b0, b1) = op.points[:4]
            u = (a1[0] - a0[0], a1[1] - a0[1])
            v = (b1[0] - b0[0], b1[1] - b0[1])
        else:
            theta = math.radians(op.angle_degrees)
            u, v = (math.cos(theta), math.sin(theta)), (-math.sin(theta), math.cos(theta))
        nu, nv = math.hypot(*u) or 1.0, math.hypot(*v) or 1.0
        u, v = (u[0] / nu, u[1] / nu), (v[0] / nv, v[1] / nv)
        ring = []
        for k in range(CURVE_SEGMENTS + 1):
            t = 2.0 * math.pi * k / CURVE_SEGMENTS
            a, b = major * math.cos(t), minor * math.sin(t)
            ring.append((cx + a * u[0] + b * v[0], cy + a * u[1] + b * v[1]))
        return [ring]
    return []


def point_of(op: DrawOp) -> ImagePoint | None:
    """Where a POINT graphic is, in viewport image coordinates."""
    return from_annotation_units(op.points[0]) if op.kind == "point" and op.points else None


@dataclass(frozen=True)
class AnnotationText:
    """A text annotation placed on screen: its top-left, top-right or top-centre corner
    (``justification`` LEFT / RIGHT / CENTER) at ``position`` (screen pixels, y down)."""

    text: str
    position: ScreenPoint
    justification: str
    rgb: tuple[float, float, float]


class _ColouredLines:
    """Polylines in display coordinates, each with its own colour, in one actor."""

    def __init__(self, width: float = 1.5) -> None:
        self.poly = vtkPolyData()
        mapper = vtkPolyDataMapper2D()
        mapper.SetInputData(self.poly)
        mapper.ScalarVisibilityOn()
        mapper.SetScalarModeToUseCellData()
        mapper.SetColorModeToDirectScalars()
        self.actor = vtkActor2D()
        self.actor.SetMapper(mapper)
        self.actor.GetProperty().SetLineWidth(width)
        self.lines: list[tuple[list[ScreenPoint], tuple[float, float, float]]] = []
        self.fills: list[tuple[list[ScreenPoint], tuple[float, float, float]]] = []
        self.actor.VisibilityOff()

    def set(self, lines: Sequence[tuple[Sequence[ScreenPoint], tuple[float, float, float]]],
            fills: Sequence[tuple[Sequence[ScreenPoint], tuple[float, float, float]]] = ()) -> None:
        """Polylines (display coordinates, y up) with their RGB colour (0..1), and closed
        outlines to fill with their colour (Graphic Filled, PS3.3 C.10.5.1.2)."""
        self.lines = [([(float(x), float(y)) for x, y in pts], rgb) for pts, rgb in lines if len(pts) >= 2]
        self.fills = [([(float(x), float(y)) for x, y in pts], rgb) for pts, rgb in fills if len(pts) >= 3]
        points = vtkPoints()
        polys = vtkCellArray()
        cells = vtkCellArray()
        colours = vtkUnsignedCharArray()
        colours.SetNumberOfComponents(3)
        # VTK numbers cells vertices, lines, then polygons: colours are listed in that order.
        for pts, rgb in self.lines:
            cells.InsertNextCell(len(pts))
            for x, y in pts:
                cells.InsertCellPoint(points.InsertNextPoint(x, y, 0.0))
            colours.InsertNextTuple3(*(round(255 * c) for c in rgb))
        for pts, rgb in self.fills:
            ring = pts[:-1] if pts[0] == pts[-1] else pts
            polys.InsertNextCell(len(ring))
            for x, y in ring:
                polys.InsertCellPoint(points.InsertNextPoint(x, y, 0.0))
            colours.InsertNextTuple3(*(round(255 * c) for c in rgb))
        self.poly.SetPoints(points)
        self.poly.SetLines(cells)
        self.poly.SetPolys(polys)
        self.poly.GetCellData().SetScalars(colours)
        self.poly.Modified()
        self.actor.SetVisibility(bool(self.lines or self.fills))


TextActorFactory = Callable[[int, tuple[float, float, float], str, str], vtkTextActor]


class TextOverlay:
    """The text over an image: four-corner text (PS3.3 C.7.6.1, C.7.6.2), orientation markers
    (PS3.3 C.7.6.1.1.1), the scale bar's label (PS3.3 10.7.1.3) and a message, each a text actor
    made by ``make_actor`` (which places it) and filled only when its text changes.

    ``corners``: corner name -> actor; ``markers``: edge name -> actor; ``scale_label``,
    ``message``. Where the actors stand is the subclass's business.
    """

    def __init__(self, renderer: vtkRenderer, font_size: int, *, make_actor: TextActorFactory = text_actor,
                 scale_rgb: tuple[float, float, float] = SCALE_RGB, message_size: int | None = None) -> None:
        self.renderer = renderer
        self.font_size = font_size
        self.corners = {
            "top_left": make_actor(font_size, TEXT_RGB, "left", "top"),
            "top_right": make_actor(font_size, TEXT_RGB, "right", "top"),
            "bottom_left": make_actor(font_size, TEXT_RGB, "left", "bottom"),
            "bottom_right": make_actor(font_size, TEXT_RGB, "right", "bottom"),
        }
        self.markers = {
            "left": make_actor(font_size + 3, MARKER_RGB, "left", "centre"),
            "right": make_actor(font_size + 3, MARKER_RGB, "right", "centre"),
            "top": make_actor(font_size + 3, MARKER_RGB, "centre", "top"),
            "bottom": make_actor(font_size + 3, MARKER_RGB, "centre", "bottom"),
        }
        self.scale_label = make_actor(font_size - 1, scale_rgb, "centre", "bottom")
        self.message = make_actor(font_size + 5 if message_size is None else message_size, TEXT_RGB, "centre", "centre")

    @staticmethod
    def _set_text(actor: vtkTextActor, value: str) -> None:
        if (actor.GetInput() or "") != value:  # only changed text is laid out again
            actor.SetInput(value)

    def set_visible(self, visible: bool) -> None:
        """Show or hide corner text, markers and the scale label (the message stays)."""
        for actor in (*self.corners.values(), *self.markers.values(), self.scale_label):
            actor.SetVisibility(visible)

    def set_corner_text(self, text: CornerText | None) -> None:
        for name, actor in self.corners.items():
            self._set_text(actor, "\n".join(getattr(text, name) if text is not None else ()))

    def set_markers(self, markers: Markers | None) -> None:
        for name, actor in self.markers.items():
            self._set_text(actor, getattr(markers, name) if markers is not None else "")

    def set_message(self, text: str) -> None:
        self._set_text(self.message, text)
        self.message.SetVisibility(bool(text))

    def corner_lines(self) -> dict[str, list[str]]:
        """What each corner actor shows, line by line."""
        return {name: [t for t in (actor.GetInput() or "").split("\n") if t] for name, actor in self.corners.items()}

    def marker_text(self) -> dict[str, str]:
        return {name: actor.GetInput() or "" for name, actor in self.markers.items()}


class OverlayActors(TextOverlay):
    """All overlay actors of one viewport, added to one renderer, in display coordinates.

    Attributes are public so tests and callers can read what is shown: ``corners`` (dict of
    corner name -> vtkTextActor), ``markers`` (edge name -> vtkTextActor), ``scale_label``,
    ``scale_line``, ``reference``, ``cursor`` and ``message``.
    """

    def __init__(self, renderer: vtkRenderer, font_size: int = 13) -> None:
        super().__init__(renderer, font_size)
        self.scale_line = _Lines(SCALE_RGB, 2.0)
        self.reference = _Lines(REFERENCE_RGB, 1.5)
        self.cursor = _Lines(CURSOR_RGB, 1.5)
        self.annotation_lines = _ColouredLines(1.5)
        self.annotation_texts: list[vtkTextActor] = []  # a pool; unused ones hidden
        self.annotations: list[AnnotationText] = []
        self._size = (1, 1)
        for actor in self.actors():
            renderer.AddViewProp(actor)
        self.visible = True

    def actors(self) -> list[vtkActor2D]:
        return [
            *self.corners.values(),
            *self.markers.values(),
            self.scale_label,
            self.scale_line.actor,
            self.reference.actor,
            self.cursor.actor,
            self.annotation_lines.actor,
            *self.annotation_texts,
            self.message,
        ]

    # -- geometry ---------------------------------------------------------------------------
    def resize(self, size: tuple[int, int]) -> None:
        """Place the corner and edge actors for a viewport of (width, height) pixels."""
        w, h = max(1, int(size[0])), max(1, int(size[1]))
        self._size = (w, h)
        m = MARGIN
        self.corners["top_left"].SetDisplayPosition(m, h - m)
        self.corners["top_right"].SetDisplayPosition(w - m, h - m)
        self.corners["bottom_left"].SetDisplayPosition(m, m)
        self.corners["bottom_right"].SetDisplayPosition(w - m, m)
        self.markers["left"].SetDisplayPosition(m, h // 2)
        self.markers["right"].SetDisplayPosition(w - m, h // 2)
        self.markers["top"].SetDisplayPosition(w // 2, h - m)
        self.markers["bottom"].SetDisplayPosition(w // 2, m)
        self.message.SetDisplayPosition(w // 2, h // 2)

    def _keep_inside(self, actor: vtkTextActor) -> None:
        """Move a label so that all of it is inside the viewport, :data:`MARGIN` from the edges
        where it fits: a label near the right edge (beside the side panel) or the bottom is
        never cut off. (The text's box, from VTK, is relative to its display position.)"""
        if not self.renderer.GetRenderWindow():
            return
        box = [0.0, 0.0, 0.0, 0.0]
        actor.GetBoundingBox(self.renderer, box)
        if box[1] <= box[0] or box[3] <= box[2]:
            return
        w, h = self._size
        x, y = actor.GetPosition()
        left, right, bottom, top = x + box[0], x + box[1], y + box[2], y + box[3]
        dx = max(MARGIN - left, min(0.0, w - MARGIN - right))
        dy = max(MARGIN - bottom, min(0.0, h - MARGIN - top))
        if dx or dy:
            actor.SetDisplayPosition(int(round(x + dx)), int(round(y + dy)))

    def _display(self, point: ScreenPoint) -> ScreenPoint:
        """Screen (y down) -> VTK display (y up)."""
        return (point[0], self._size[1] - point[1])

    # -- content ----------------------------------------------------------------------------
    def set_visible(self, visible: bool) -> None:
        """Show or hide corner text, markers and scale bar (``--no-overlay``); the message,
        reference lines and cursor stay."""
        self.visible = visible
        super().set_visible(visible)
        self.scale_line.actor.SetVisibility(visible and bool(self.scale_line.segments))

    def set_scale_bar(self, bar: ScaleBar | None) -> None:
        """A horizontal bar centred near the bottom edge, its label above it; 'uncalibrated'
        (and the detector note) as text when the image cannot be measured in the patient."""
        w, _ = self._size
        y = MARGIN + 2 * self.font_size + 8
        if bar is None:
            self.scale_label.SetInput("")
            self.scale_line.set([])
        elif bar.length_px is None:
            self.scale_label.SetInput(bar.text)
            self.scale_label.SetDisplayPosition(w // 2, y)
            self.scale_line.set([])
        else:
            half = bar.length_px / 2.0
            x0, x1 = w / 2.0 - half, w / 2.0 + half
            tick = 4.0
            self.scale_line.set([((x0, y), (x1, y)), ((x0, y - tick), (x0, y + tick)), ((x1, y - tick), (x1, y + tick))])
            self.scale_label.SetInput(bar.text)
            self.scale_label.SetDisplayPosition(w // 2, int(y + tick + 2))
        self.scale_line.actor.SetVisibility(self.visible and bool(self.scale_line.segments))

    def set_reference_lines(self, segments: Sequence[Segment]) -> None:
        """Reference lines as screen segments (y down)."""
        self.reference.set([(self._display(a), self._display(b)) for a, b in segments])

    def set_cursor(self, point: ScreenPoint | None, arm: float = 12.0, gap: float = 3.0) -> None:
        """The 3D cursor: a cross with an open centre at a screen point (y down), or none."""
        if point is None:
            self.cursor.set([])
            return
        x, y = self._display(point)
        self.cursor.set([
            ((x - arm, y), (x - gap, y)), ((x + gap, y), (x + arm, y)),
            ((x, y - arm), (x, y - gap)), ((x, y + gap), (x, y + arm)),
        ])

    def set_annotations(
        self,
        lines: Sequence[tuple[Sequence[ScreenPoint], tuple[float, float, float]]],
        texts: Sequence[AnnotationText],
        fills: Sequence[tuple[Sequence[ScreenPoint], tuple[float, float, float]]] = (),
    ) -> None:
        """Presentation-state graphics as screen polylines (y down) with colours, closed ones
        to fill, and text placed on screen. Text is set as plain text (never markup, PS3.3
        C.10.5.1.1)."""
        self.annotation_lines.set([([self._display(p) for p in pts], rgb) for pts, rgb in lines],
                                  [([self._display(p) for p in pts], rgb) for pts, rgb in fills])
        while len(self.annotation_texts) < len(texts):
            actor = text_actor(self.font_size, ANNOTATION_RGB, "left", "top")
            self.annotation_texts.append(actor)
            self.renderer.AddViewProp(actor)
        self.annotations = list(texts)
        for actor, item in zip(self.annotation_texts, texts, strict=False):
            prop = actor.GetTextProperty()
            {"RIGHT": prop.SetJustificationToRight, "CENTER": prop.SetJustificationToCentered}.get(
                item.justification, prop.SetJustificationToLeft)()
            prop.SetColor(*item.rgb)
            # Legible over any anatomy: the label sits on a dark box, not only a shadow.
            prop.SetBackgroundColor(0.0, 0.0, 0.0)
            prop.SetBackgroundOpacity(LABEL_BACKGROUND_OPACITY)
            self._set_text(actor, item.text)
            x, y = self._display(item.position)
            actor.SetDisplayPosition(int(round(x)), int(round(y)))
            self._keep_inside(actor)
            actor.VisibilityOn()
        for actor in self.annotation_texts[len(texts):]:
            actor.VisibilityOff()
