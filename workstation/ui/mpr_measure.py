"""Length, angle and probe on the MPR panes: drawing with the mouse, the actors, the list.

The measurements themselves are :class:`workstation.annotate.plane_measurements.PlaneMeasurement`
(patient LPS mm, PS3.3 C.7.6.2.1.1): a point clicked in a pane is the plane's patient point under
the mouse (:meth:`workstation.render.mpr.MprViewer.pick`), so lengths and angles are right on
oblique planes and do not change with zoom. Each pane shows the measurements its plane passes
through within half a voxel along its normal, drawn in the pane's own pixels with labels of a
fixed font size (readable at every zoom); the selected one is drawn in another colour.

Mouse (with a tool chosen): left click places the points (2 for a length, 3 for an angle with the
vertex second, 1 for a probe); the line follows the mouse until the last point; a click on an
existing measurement's point selects it instead. Keys: Del or Backspace deletes the selected
measurement, Esc drops the one being drawn, Ctrl+Z / Ctrl+Y undo and redo.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from PySide6.QtCore import QObject, Signal
from vtkmodules.vtkRenderingCore import vtkRenderer, vtkTextActor

from workstation.annotate.measurements import Kind, MeasurementError
from workstation.annotate.plane_measurements import (
    PLANE_TOOLS,
    PlaneMeasurement,
    PlaneMeasurementSet,
    measure_on_plane,
    visibility_tolerance,
)
from workstation.render.overlays import PaneLines

#: Colours: measurements, the selected one, the one being drawn.
MEASURE_RGB = (1.0, 0.85, 0.2)
SELECTED_RGB = (1.0, 0.4, 0.9)  # magenta: apart from the crosshair's blue and the yellow
DRAFT_RGB = (1.0, 0.55, 0.2)
#: Label font size (pixels, fixed at every zoom) and offset from its anchor point.
LABEL_FONT = 14
LABEL_OFFSET = (8.0, -8.0)
#: Height of a label line (pixels).
LABEL_LINE = LABEL_FONT + 6
#: A click within this many screen pixels of a measurement's point selects it.
PICK_PIXELS = 8.0

ScreenPoint = tuple[float, float]


def label_size(text: str) -> tuple[float, float]:
    """About how many pixels (width, height) a label takes at :data:`LABEL_FONT` (bold Arial:
    measured about 0.5 em a character)."""
    lines = text.split("\n")
    return (0.52 * LABEL_FONT * max(len(line) for line in lines) + 6.0, float(LABEL_LINE * len(lines)))


class PaneMeasurementActors:
    """The measurement actors of one pane: lines, the selected one, the draft, and labels."""

    def __init__(self, renderer: vtkRenderer) -> None:
        self.renderer = renderer
        self.normal = PaneLines(renderer, MEASURE_RGB, point_size=5.0)
        self.selected = PaneLines(renderer, SELECTED_RGB, point_size=5.0)
        self.draft = PaneLines(renderer, DRAFT_RGB, point_size=5.0)
        self.labels: list[vtkTextActor] = []
        #: What is drawn: (measurement id, screen points y down, label, label anchor y down).
        self.shown: list[tuple[str, list[ScreenPoint], str]] = []

    def _label(self, n: int) -> vtkTextActor:
        while len(self.labels) <= n:
            actor = vtkTextActor()
            prop = actor.GetTextProperty()
            prop.SetFontSize(LABEL_FONT)
            prop.SetFontFamilyToArial()
            prop.BoldOn()
            prop.SetBackgroundColor(0.0, 0.0, 0.0)
            prop.SetBackgroundOpacity(0.55)
            prop.SetVerticalJustificationToBottom()
            actor.GetPositionCoordinate().SetCoordinateSystemToViewport()
            self.renderer.AddViewProp(actor)
            self.labels.append(actor)
        return self.labels[n]

    def set(self, shown: list[tuple[str, list[ScreenPoint], str, tuple[float, float, float]]],
            selected: str | None, draft: list[ScreenPoint]) -> None:
        """``shown``: (id, screen points y down, label, colour) per measurement."""
        w, h = self.renderer.GetSize()
        flip = [[(x, h - y) for x, y in pts] for _id, pts, _l, _c in shown]
        self.normal.set_polylines([p for (mid, *_rest), p in zip(shown, flip, strict=True) if mid != selected])
        self.selected.set_polylines([p for (mid, *_rest), p in zip(shown, flip, strict=True) if mid == selected])
        self.draft.set_polylines([[(x, h - y) for x, y in draft]] if draft else [])
        placed: list[tuple[float, float, float, float]] = []
        for n, (mid, pts, label, _c) in enumerate(shown):
            actor = self._label(n)
            anchor = pts[1] if len(pts) == 3 else pts[-1]  # an angle's label at its vertex
            actor.SetInput(label)
            actor.GetTextProperty().SetColor(*(SELECTED_RGB if mid == selected else MEASURE_RGB))
            x, y = anchor[0] + LABEL_OFFSET[0], h - anchor[1] - LABEL_OFFSET[1]
            width, height = label_size(label)
            if x + width > w:
                x = anchor[0] - LABEL_OFFSET[0] - width  # no room on the right: on the left
            # Kept inside the pane (zoomed in, the anchor may lie outside it).
            x, y = min(max(x, 4.0), max(4.0, w - width)), min(max(y, 4.0), max(4.0, h - height))
            # Below any label already there (y up: a label covers y to y + its height).
            while any(x < px + pw and px < x + width and y < py + ph and py < y + height for px, py, pw, ph in placed):
                y -= LABEL_LINE
            placed.append((x, y, width, height))
            actor.GetPositionCoordinate().SetValue(x, y)
            actor.VisibilityOn()
        for actor in self.labels[len(shown):]:
            actor.VisibilityOff()
        self.shown = [(mid, pts, label) for mid, pts, label, _c in shown]

    def clear(self) -> None:
        self.set([], None, [])

    def label_texts(self) -> list[str]:
        return [a.GetInput() or "" for a in self.labels if a.GetVisibility()]


class MprMeasureTool(QObject):
    """The MPR measurements of one view and the tool drawing them (see the module doc).

    ``view`` is the :class:`~workstation.ui.mpr_view.MprView`; it calls :meth:`press`,
    :meth:`move`, :meth:`key` and :meth:`draw`. ``changed()`` fires when the list changes or
    the selection moves.
    """

    changed = Signal()

    def __init__(self, view: Any) -> None:
        super().__init__(view)
        self.view = view
        self.items = PlaneMeasurementSet()
        self.tool: Kind | None = None
        self.selected: str | None = None
        self.pending: list[np.ndarray] = []
        self.pending_pane: str | None = None
        self.hover: np.ndarray | None = None
        self.actors: dict[str, PaneMeasurementActors] = {}
        self.error = ""

    # -- tool -----------------------------------------------------------------------------------
    def set_tool(self, kind: Kind | str | None) -> None:
        """Length, angle, probe, or None (the mouse moves the crosshair again)."""
        self.tool = None if kind in (None, "") else Kind(kind)
        if self.tool is not None and self.tool not in PLANE_TOOLS:
            raise MeasurementError(self.tr("A {0} cannot be drawn on an MPR plane; use length, angle or probe.").format(self.tool.display_name))
        self.cancel()

    def cancel(self) -> None:
        """Drop the measurement being drawn."""
        self.pending, self.pending_pane, self.hover = [], None, None

    def reset(self) -> None:
        """A new volume: no measurements."""
        self.items = PlaneMeasurementSet()
        self.selected = None
        self.cancel()
        self.actors = {}  # the old panes' renderers went with the old viewer
        self.changed.emit()

    # -- mouse and keys ---------------------------------------------------------------------------
    def hit(self, pane: str, x: float, y: float) -> str | None:
        """The measurement with a point within :data:`PICK_PIXELS` of pane pixel (x, y)."""
        actors = self.actors.get(pane)
        if actors is None:
            return None
        best: tuple[float, str] | None = None
        for mid, pts, _label in actors.shown:
            for px, py in pts:
                d = math.hypot(px - x, py - y)
                if d <= PICK_PIXELS and (best is None or d < best[0]):
                    best = (d, mid)
        return best[1] if best is not None else None

    def press(self, pane: str, x: float, y: float) -> bool:
        """A left click at pane pixel (x, y) with a tool chosen; True when it was used."""
        viewer = self.view.viewer
        if self.tool is None or viewer is None:
            return False
        if not self.pending:
            picked = self.hit(pane, x, y)
            if picked is not None:
                self.select(picked)
                return True
        if self.pending_pane not in (None, pane):
            self.cancel()  # points of one measurement lie on one plane
        point = viewer.pick(pane, x, y)
        self.pending.append(point)
        self.pending_pane = pane
        self.hover = None
        if len(self.pending) >= PLANE_TOOLS[self.tool]:
            self._finish()
        return True

    def move(self, pane: str, x: float, y: float) -> None:
        """The mouse moved over ``pane``: the draft line follows it."""
        if self.pending and pane == self.pending_pane and self.view.viewer is not None:
            self.hover = self.view.viewer.pick(pane, x, y)

    def _finish(self) -> None:
        viewer, state = self.view.viewer, self.view.state
        assert self.tool is not None and self.pending_pane is not None and viewer is not None
        plane = state.plane(self.pending_pane)
        try:
            m = measure_on_plane(self.tool, self.pending, self.pending_pane, plane.normal,
                                 volume=viewer.source.volume, geometry=viewer.source.geometry, header=viewer.header)
        except MeasurementError as exc:
            self.error = str(exc)
            self.cancel()
            self.changed.emit()
            return
        self.error = ""
        self.items.add(m)
        self.selected = m.id
        self.cancel()
        self.changed.emit()

    def select(self, id: str | None) -> None:
        self.selected = id
        self.changed.emit()

    def delete_selected(self) -> bool:
        """Delete the selected measurement; True when there was one."""
        if self.selected is None or not any(m.id == self.selected for m in self.items):
            return False
        self.items.delete(self.selected)
        self.selected = None
        self.changed.emit()
        return True

    def undo(self) -> None:
        self.items.undo()
        self.changed.emit()

    def redo(self) -> None:
        self.items.redo()
        self.changed.emit()

    # -- drawing --------------------------------------------------------------------------------
    def visible_on(self, pane: str) -> list[PlaneMeasurement]:
        """The measurements pane ``pane``'s plane passes through (half a voxel along its normal)."""
        state = self.view.state
        if state is None:
            return []
        plane = state.plane(pane)
        return self.items.on_plane(plane.origin, plane.normal, visibility_tolerance(state.normal_step(pane)))

    def draw(self) -> None:
        """Put each shown pane's measurements, and the draft, on screen."""
        viewer = self.view.viewer
        if viewer is None:
            return
        for name, plane_view in viewer.views.items():
            actors = self.actors.get(name)
            if actors is None or actors.renderer is not plane_view.renderer:
                actors = self.actors[name] = PaneMeasurementActors(plane_view.renderer)
            shown = []
            for m in self.visible_on(name):
                pts = [viewer.screen_of(name, np.asarray(p)) for p in m.points]
                shown.append((m.id, pts, m.label, MEASURE_RGB))
            draft: list[ScreenPoint] = []
            if self.pending and name == self.pending_pane:
                draft = [viewer.screen_of(name, p) for p in [*self.pending, *([self.hover] if self.hover is not None else [])]]
            actors.set(shown, self.selected, draft)

    def descriptions(self) -> list[str]:
        """One line per measurement, in drawing order (the list and the legend show these)."""
        return [f"{n + 1}. {m.description}" for n, m in enumerate(self.items)]


__all__ = ["MprMeasureTool", "PaneMeasurementActors", "label_size"]
