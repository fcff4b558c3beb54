"""What is painted over the image, with VTK 2D actors in screen (display) coordinates.

The content comes from :mod:`workstation.model.overlay` (four-corner text from the Patient, Study,
Series and Image Plane modules, PS3.3 C.7.1.1-C.7.6.2; orientation markers per PS3.3 C.7.6.1.1.1;
the scale bar per PS3.3 10.7.1.3) and :mod:`workstation.model.spatial` (reference lines and the 3D
cursor, PS3.3 C.7.6.2.1.1). This module only places it: screen points are given with y growing
downwards (as in :class:`~workstation.model.viewport.ViewportState`) and turned into VTK display
coordinates (y up) here.
"""

from __future__ import annotations

from collections.abc import Sequence

import vtkmodules.vtkRenderingFreeType  # noqa: F401  (text rendering factory)
from vtkmodules.vtkCommonCore import vtkPoints
from vtkmodules.vtkCommonDataModel import vtkCellArray, vtkPolyData
from vtkmodules.vtkRenderingCore import (
    vtkActor2D,
    vtkPolyDataMapper2D,
    vtkRenderer,
    vtkTextActor,
)

from workstation.model.overlay import CornerText, Markers, ScaleBar

ScreenPoint = tuple[float, float]
Segment = tuple[ScreenPoint, ScreenPoint]

#: Text colour of corner text and markers (light grey, readable on black and on bone).
TEXT_RGB = (0.92, 0.92, 0.92)
#: Orientation markers in a warm yellow, as most viewers draw them.
MARKER_RGB = (1.0, 0.85, 0.25)
REFERENCE_RGB = (0.3, 0.8, 1.0)
CURSOR_RGB = (1.0, 0.3, 0.3)
SCALE_RGB = (0.92, 0.92, 0.92)
MARGIN = 6  # pixels between text and the viewport edge


def _text_actor(size: int, rgb: tuple[float, float, float], horizontal: str, vertical: str) -> vtkTextActor:
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


class _Lines:
    """A set of 2D line segments in display coordinates, one actor."""

    def __init__(self, rgb: tuple[float, float, float], width: float = 1.5) -> None:
        self.poly = vtkPolyData()
        self.poly.SetPoints(vtkPoints())
        self.poly.SetLines(vtkCellArray())
        mapper = vtkPolyDataMapper2D()
        mapper.SetInputData(self.poly)
        self.actor = vtkActor2D()
        self.actor.SetMapper(mapper)
        self.actor.GetProperty().SetColor(*rgb)
        self.actor.GetProperty().SetLineWidth(width)
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


class OverlayActors:
    """All overlay actors of one viewport, added to one renderer.

    Attributes are public so tests and callers can read what is shown: ``corners`` (dict of
    corner name -> vtkTextActor), ``markers`` (edge name -> vtkTextActor), ``scale_label``,
    ``scale_line``, ``reference``, ``cursor`` and ``message``.
    """

    def __init__(self, renderer: vtkRenderer, font_size: int = 13) -> None:
        self.renderer = renderer
        self.font_size = font_size
        self.corners = {
            "top_left": _text_actor(font_size, TEXT_RGB, "left", "top"),
            "top_right": _text_actor(font_size, TEXT_RGB, "right", "top"),
            "bottom_left": _text_actor(font_size, TEXT_RGB, "left", "bottom"),
            "bottom_right": _text_actor(font_size, TEXT_RGB, "right", "bottom"),
        }
        self.markers = {
            "left": _text_actor(font_size + 3, MARKER_RGB, "left", "centre"),
            "right": _text_actor(font_size + 3, MARKER_RGB, "right", "centre"),
            "top": _text_actor(font_size + 3, MARKER_RGB, "centre", "top"),
            "bottom": _text_actor(font_size + 3, MARKER_RGB, "centre", "bottom"),
        }
        self.scale_label = _text_actor(font_size - 1, SCALE_RGB, "centre", "bottom")
        self.scale_line = _Lines(SCALE_RGB, 2.0)
        self.reference = _Lines(REFERENCE_RGB, 1.5)
        self.cursor = _Lines(CURSOR_RGB, 1.5)
        self.message = _text_actor(font_size + 5, TEXT_RGB, "centre", "centre")
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

    def _display(self, point: ScreenPoint) -> ScreenPoint:
        """Screen (y down) -> VTK display (y up)."""
        return (point[0], self._size[1] - point[1])

    # -- content ----------------------------------------------------------------------------
    def set_visible(self, visible: bool) -> None:
        """Show or hide corner text, markers and scale bar (``--no-overlay``); the message,
        reference lines and cursor stay."""
        self.visible = visible
        for actor in (*self.corners.values(), *self.markers.values(), self.scale_label):
            actor.SetVisibility(visible)
        self.scale_line.actor.SetVisibility(visible and bool(self.scale_line.segments))

    def set_corner_text(self, text: CornerText | None) -> None:
        for name, actor in self.corners.items():
            lines = getattr(text, name) if text is not None else ()
            actor.SetInput("\n".join(lines))

    def set_markers(self, markers: Markers | None) -> None:
        for name, actor in self.markers.items():
            actor.SetInput(getattr(markers, name) if markers is not None else "")

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

    def set_message(self, text: str) -> None:
        self.message.SetInput(text)
        self.message.SetVisibility(bool(text))

    # -- reading back -----------------------------------------------------------------------
    def corner_lines(self) -> dict[str, list[str]]:
        """What each corner actor shows, line by line."""
        return {name: [t for t in (actor.GetInput() or "").split("\n") if t] for name, actor in self.corners.items()}

    def marker_text(self) -> dict[str, str]:
        return {name: actor.GetInput() or "" for name, actor in self.markers.items()}
