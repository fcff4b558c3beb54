"""Measurement tools on the 2D viewports: drawing, selecting, moving, deleting, undo and redo.

The tools are those of :mod:`workstation.annotate.measurements` (length, angle, Cobb angle,
bidirectional, ellipse, rectangle and freehand ROIs, point probe, arrow, text). One
:class:`MeasureTools` per open study holds its :class:`~workstation.annotate.measurements.MeasurementSet`
and :class:`~workstation.annotate.key_images.KeyImages`; it is the ``tool`` of every viewport of
that study (the hook of :class:`workstation.ui.viewport.ViewportWidget`), so the viewport hands it
left-button input and the keys it claims.

Points are image pixel coordinates (pixel centres at whole numbers) from the viewport's pick;
values come from :func:`~workstation.annotate.measurements.measure` on a
:class:`~workstation.annotate.measurements.MeasuredImage` built from the image's header and its
stored pixels (HU through the Modality LUT, PS3.3 C.11.1; SUVbw for PET; mm from the pixel
spacing with its calibration note). They are drawn as presentation-state graphics (PS3.3 C.10.5
DrawOps in the annotation pixel units of C.10.5.1.2, (0, 0) at the outer corner of the first
pixel), with their labels in screen space so that they stay readable at every zoom.

Gestures with a tool: a drag from the first point to the second (length, arrow, rectangle,
ellipse box, first line of an angle or a Cobb angle, long axis of a bidirectional), or click by
click; an angle takes a third point, a Cobb angle a second line, a bidirectional a point that sets
the half-length of its short axis; freehand: drag around the region; probe and text: one click.
Without a tool (scroll mode), a click near a measurement selects it and a drag moves it;
Delete removes the selected one, Esc ends the tool. A press on a handle (:func:`handles`: the
end of a line, a corner of an ROI's box, a freehand vertex) drags that handle instead and measures
the shape again (one undo step); handles are tested before the whole shape.

Other studies shown in the same window (the priors a hanging protocol puts beside the current
study) bring their own saved objects: :meth:`MeasureTools.add_other_study` takes a prior's
:class:`OtherStudy` (its measurement report, key images and presentation-state annotations, read
by the measurement room) and draws them on the prior's images in :data:`PRIOR_COLOUR`. They are
read-only: selecting, moving, editing and saving concern the current study only. Images are found
by (SOP Instance UID, frame), so sets of several studies never mix.
"""

from __future__ import annotations

import logging
import math
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
from PySide6.QtCore import QCoreApplication, QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QInputDialog, QWidget

from workstation.annotate.gsps_writer import LAYER as SAVED_LAYER
from workstation.annotate.gsps_writer import View
from workstation.annotate.key_images import KeyImages
from workstation.annotate.measurements import (
    ImageRef,
    Kind,
    MeasuredImage,
    Measurement,
    MeasurementError,
    MeasurementSet,
    Point,
    ellipse_from_box,
    measure,
    moved,
)
from workstation.errors import WorkstationError
from workstation.model.pixels import to_display
from workstation.model.presentation_state import DrawOp, PresentationState

log = logging.getLogger(__name__)

#: The layer name of the DrawOps drawn here (not written to DICOM: the GSPS writer has its own).
TOOL_LAYER = "WORKSTATION MEASUREMENTS"
#: Colours: measurements, the selected one, the one being drawn.
NORMAL_COLOUR = (60, 220, 60)
SELECTED_COLOUR = (255, 210, 0)
DRAFT_COLOUR = (255, 140, 0)
#: Saved measurements and annotations of another study shown beside this one (a prior).
PRIOR_COLOUR = (90, 180, 255)
#: The layer of the DrawOps of another study's saved objects.
PRIOR_LAYER = "WORKSTATION PRIOR MEASUREMENTS"
#: How near (screen pixels) a click must be to a measurement's outline to select it.
HIT_PIXELS = 6.0
#: How near (screen pixels) a press must be to a handle to drag it rather than the shape.
HANDLE_PIXELS = 7.0
#: Longest side of a key-image thumbnail (image pixels).
THUMBNAIL_PIXELS = 96
#: A press and release further apart than this (screen pixels) is a drag.
DRAG_PIXELS = 3.0
ELLIPSE_SEGMENTS = 64

#: Tool keys (keyboard shortcuts of the Measure menu).
TOOL_KEYS: dict[Kind, str] = {
    Kind.LENGTH: "L", Kind.ANGLE: "G", Kind.COBB: "Shift+G", Kind.BIDIRECTIONAL: "B",
    Kind.ELLIPSE: "E", Kind.RECTANGLE: "Shift+E", Kind.FREEHAND: "D", Kind.PROBE: "P",
    Kind.ARROW: "Shift+A", Kind.TEXT: "T",
}
#: Points clicked or dragged before a drawing is finished (freehand: a drag, any number).
_CLICKS = {Kind.LENGTH: 2, Kind.ANGLE: 3, Kind.COBB: 4, Kind.BIDIRECTIONAL: 3, Kind.ELLIPSE: 2,
           Kind.RECTANGLE: 2, Kind.PROBE: 1, Kind.ARROW: 2, Kind.TEXT: 1, Kind.FREEHAND: 0}


def _ann(p: Point) -> Point:
    """Viewport image coordinates -> PS3.3 C.10.5.1.2 pixel coordinates (+0.5)."""
    return (p[0] + 0.5, p[1] + 0.5)


def ellipse_outline(points: tuple[Point, ...] | list[Point], segments: int = ELLIPSE_SEGMENTS) -> list[Point]:
    """The ellipse through major ends (p0, p1) and minor ends (p2, p3), as a closed ring."""
    (a0, a1, b0, b1) = points[:4]
    cx, cy = (a0[0] + a1[0]) / 2, (a0[1] + a1[1]) / 2
    major, minor = math.dist(a0, a1) / 2, math.dist(b0, b1) / 2
    theta = math.atan2(a1[1] - a0[1], a1[0] - a0[0])
    u, v = (math.cos(theta), math.sin(theta)), (-math.sin(theta), math.cos(theta))
    return [(cx + major * math.cos(t) * u[0] + minor * math.sin(t) * v[0],
             cy + major * math.cos(t) * u[1] + minor * math.sin(t) * v[1])
            for t in (2 * math.pi * k / segments for k in range(segments + 1))]


def outlines(kind: Kind, points: tuple[Point, ...] | list[Point], axes: tuple[Point, ...] = ()) -> list[list[Point]]:
    """The lines that show a (finished or partial) measurement, in image coordinates."""
    pts = list(points)
    if not pts:
        return []
    if kind is Kind.ELLIPSE and len(pts) == 4:
        return [ellipse_outline(pts)]
    if kind is Kind.RECTANGLE and len(pts) == 2:
        (x0, y0), (x1, y1) = pts
        return [[(x0, y0), (x1, y0), (x1, y1), (x0, y1), (x0, y0)]]
    if kind is Kind.COBB and len(pts) >= 3:
        return [pts[:2], pts[2:]]
    if kind is Kind.BIDIRECTIONAL and len(axes) == 4:
        lines = [list(axes[:2]), list(axes[2:])]
        return lines + ([[*pts, pts[0]]] if len(pts) > 4 else [])
    if kind is Kind.FREEHAND and len(pts) >= 3:
        return [[*pts, pts[0]]]
    if kind is Kind.ARROW and len(pts) == 2:
        (tx, ty), (hx, hy) = pts
        length = math.hypot(hx - tx, hy - ty) or 1.0
        head = min(12.0, max(3.0, 0.15 * length))
        ux, uy = (hx - tx) / length, (hy - ty) / length
        left = (hx - head * (ux * 0.87 - uy * 0.5), hy - head * (uy * 0.87 + ux * 0.5))
        right = (hx - head * (ux * 0.87 + uy * 0.5), hy - head * (uy * 0.87 - ux * 0.5))
        return [pts, [left, (hx, hy), right]]
    return [pts] if len(pts) > 1 else []


def draw_ops(m: Measurement, colour: tuple[int, int, int] = NORMAL_COLOUR, layer: str = TOOL_LAYER) -> list[DrawOp]:
    """DrawOps (annotation pixel units) for one measurement: its lines and its label."""
    ops: list[DrawOp] = []
    for line in outlines(m.kind, m.points, m.axes):
        closed = len(line) > 2 and line[0] == line[-1]
        ops.append(DrawOp("polyline", layer, 1, tuple(_ann(p) for p in line), closed=closed, colour=colour))
    if m.kind in (Kind.PROBE, Kind.TEXT):
        ops.append(DrawOp("point", layer, 1, (_ann(m.points[0]),), colour=colour))
    label = m.text if m.kind is Kind.TEXT else m.label
    if m.unavailable and m.kind is not Kind.TEXT:
        label = f"{label} ({m.unavailable})" if label else m.unavailable
    if label:
        anchor = m.points[0] if m.kind is Kind.ARROW else max(m.points, key=lambda p: (p[0], -p[1]))
        ops.append(DrawOp("text", layer, 1, text=label, anchor=_ann(anchor), colour=colour))
    return ops


@dataclass(frozen=True)
class OtherStudy:
    """The saved objects of another study shown in the window (a prior), drawn read-only.

    ``label`` names it for the reader ("prior 2021-05-04"); ``measurements`` come from its newest
    TID 1500 report (PS3.16 TID 1500), ``key_images`` from its newest Key Object Selection
    (PS3.3 A.35.4), ``presentation_states`` are its Grayscale Softcopy Presentation States
    (PS3.3 A.33.1) whose graphic and text annotations (C.10.5) are drawn too; the layer of this
    workstation's own measurements (:data:`~workstation.annotate.gsps_writer.LAYER`) is left out
    when the report was read, so nothing is drawn twice.
    """

    study_uid: str
    label: str
    measurements: MeasurementSet = field(default_factory=MeasurementSet)
    key_images: KeyImages = field(default_factory=KeyImages)
    presentation_states: tuple[PresentationState, ...] = ()
    report_read: bool = False

    def on_image(self, key: tuple[str, int | None]) -> list[Measurement]:
        return [m for m in self.measurements if m.image.sop_instance_uid == key[0] and m.image.frame in (None, key[1])]

    def annotations(self, key: tuple[str, int | None], rows: int | None, columns: int | None) -> list[DrawOp]:
        """The annotations of the newest presentation state that applies to the image (frame)."""
        frame = key[1] or 1
        for state in sorted(self.presentation_states, key=lambda s: (s.creation, s.sop_instance_uid), reverse=True):
            shown = state.display_for(key[0], frame, rows=rows, columns=columns)
            if shown is None:
                continue
            return [replace(op, layer=PRIOR_LAYER, colour=PRIOR_COLOUR) for op in shown.annotations
                    if not (self.report_read and op.layer == SAVED_LAYER)]
        return []


def _segment_distance(p: Point, a: Point, b: Point) -> float:
    ax, ay = a
    dx, dy = b[0] - ax, b[1] - ay
    length2 = dx * dx + dy * dy
    t = 0.0 if length2 == 0 else max(0.0, min(1.0, ((p[0] - ax) * dx + (p[1] - ay) * dy) / length2))
    return math.hypot(p[0] - (ax + t * dx), p[1] - (ay + t * dy))


def _box_corners(a: Point, b: Point) -> list[Point]:
    x0, x1 = sorted((a[0], b[0]))
    y0, y1 = sorted((a[1], b[1]))
    return [(x0, y0), (x1, y0), (x1, y1), (x0, y1)]


def handles(m: Measurement) -> list[Point]:
    """The points of a measurement that can be dragged to reshape it: the end points of lines
    (length, arrow, angle, Cobb angle, the two axes of a bidirectional), the corners of the box of
    a rectangle or an ellipse, the vertices of a freehand ROI. Probes and text only move."""
    pts = list(m.points)
    if m.kind in (Kind.PROBE, Kind.TEXT):
        return []
    if m.kind is Kind.ELLIPSE:
        xs, ys = [p[0] for p in pts], [p[1] for p in pts]
        return _box_corners((min(xs), min(ys)), (max(xs), max(ys)))
    if m.kind is Kind.RECTANGLE:
        return _box_corners(pts[0], pts[1])
    return pts


def reshaped(m: Measurement, handle: int, to: Point) -> list[Point]:
    """The points of ``m`` with handle number ``handle`` (of :func:`handles`) dragged to ``to``;
    measure them again with :func:`~workstation.annotate.measurements.measure`."""
    corners = handles(m)
    if m.kind in (Kind.ELLIPSE, Kind.RECTANGLE):
        opposite = corners[(handle + 2) % 4]
        if m.kind is Kind.ELLIPSE:
            return list(ellipse_from_box(opposite, to))
        return [opposite, to]
    pts = list(m.points)
    if m.kind is Kind.BIDIRECTIONAL and len(pts) == 4:
        long0, long1 = pts[0], pts[1]
        if handle < 2:
            half = math.dist(pts[2], pts[3]) / 2
            long0, long1 = (to, long1) if handle == 0 else (long0, to)
            return list(_axes_with_half(long0, long1, half))
        return list(_bidirectional_points([long0, long1, to]))
    pts[handle] = to
    return pts


@dataclass
class Reshape:
    """A handle of the selected measurement being dragged."""

    id: str
    viewport: Any
    handle: int
    to: Point | None = None


@dataclass
class Draft:
    """A measurement being drawn: the points so far, the live (pointer) point, and where the
    current press started (screen)."""

    kind: Kind
    viewport: Any
    index: int
    points: list[Point] = field(default_factory=list)
    live: Point | None = None
    press_screen: tuple[float, float] = (0.0, 0.0)


@dataclass
class Move:
    """A selected measurement being dragged."""

    id: str
    viewport: Any
    start: Point
    delta: Point = (0.0, 0.0)


class MeasureTools(QObject):
    """The measurements and key images of one study, and the tool input of its viewports.

    Signals: ``changed`` (measurements, selection or key images changed), ``message(str)`` (a
    sentence for the status bar). ``tool`` is the active :class:`Kind` or None (scroll mode).
    """

    changed = Signal()
    message = Signal(str)
    tool_changed = Signal(object)  # the Kind now in use, or None
    #: A viewport shows a display set of a study other than this one (a prior): its Study
    #: Instance UID, once per study.
    other_study_shown = Signal(str)

    def __init__(self, parent: QObject | None = None, ask_text: Callable[[str], str | None] | None = None) -> None:
        super().__init__(parent)
        self.measurements = MeasurementSet()
        self.key_images = KeyImages()
        self.tool: Kind | None = None
        self.selected: str | None = None
        #: Versions saved last (the next save names them as predecessors).
        self.previous: dict[str, Any] = {}
        #: True once measurements were read back from a report: the saved presentation state's
        #: copies of them (its graphic layer) are then not drawn twice.
        self.hide_saved_layer = False
        self.ask_text = ask_text or self._ask_text
        self._draft: Draft | None = None
        self._move: Move | None = None
        self._reshape: Reshape | None = None
        #: Small display images (uint8) of the key images, by SOP Instance UID.
        self.thumbnails: dict[str, np.ndarray] = {}
        #: How each key image was shown when it was marked (window, displayed area), by SOP
        #: Instance UID: its presentation state for the printed report (:meth:`key_picture`).
        self.key_views: dict[str, View] = {}
        self._viewports: list[Any] = []
        self._images: dict[tuple[str, int | None], MeasuredImage] = {}
        self._mine: dict[tuple[int, int], tuple[DrawOp, ...]] = {}
        self._redraw_due: set[int] = set()
        #: The Study Instance UID of this study (others shown beside it are priors).
        self.study_uid = ""
        #: Saved objects of the other studies shown in this study's viewports, by Study Instance UID.
        self.others: dict[str, OtherStudy] = {}
        self._studies_seen: set[str] = set()

    # -- viewports -----------------------------------------------------------------------------

    def attach(self, viewport: Any) -> None:
        """Become ``viewport``'s tool and draw the measurements of what it shows."""
        if not hasattr(viewport, "tool") or viewport in self._viewports:
            return
        viewport.tool = self
        self._viewports.append(viewport)
        viewport.state.events.connect(lambda names, v=viewport: self._state_changed(v, names))
        viewport.destroyed.connect(lambda _o=None, v=viewport: self._forget(v))
        self.schedule_redraw(viewport)
        self._note_study(viewport)

    def detach_all(self) -> None:
        for viewport in list(self._viewports):
            if getattr(viewport, "tool", None) is self:
                viewport.tool = None
        self._viewports.clear()

    def _forget(self, viewport: Any) -> None:
        if viewport in self._viewports:
            self._viewports.remove(viewport)

    def _state_changed(self, viewport: Any, names: frozenset[str]) -> None:
        if names & {"image_index", "display_set_uid", "image_count"}:
            self.schedule_redraw(viewport)
        if "display_set_uid" in names:
            self._note_study(viewport)

    def _note_study(self, viewport: Any) -> None:
        """Say once per study when a viewport shows another study's display set (a prior)."""
        uid = str(getattr(getattr(viewport, "display_set", None), "study_uid", "") or "")
        if uid and self.study_uid and uid != self.study_uid and uid not in self._studies_seen:
            self._studies_seen.add(uid)
            self.other_study_shown.emit(uid)

    def shown_studies(self) -> set[str]:
        """The Study Instance UIDs of what this study's viewports show now."""
        return {str(getattr(getattr(v, "display_set", None), "study_uid", "") or "") for v in self._viewports} - {""}

    def add_other_study(self, other: OtherStudy) -> None:
        """Draw another study's saved objects on its images in this study's viewports (read-only)."""
        self.others[other.study_uid] = other
        self._changed()

    def schedule_redraw(self, viewport: Any) -> None:
        """Draw at the next event-loop turn (after a study view applied its presentation state)."""
        key = id(viewport)
        if key in self._redraw_due:
            return
        self._redraw_due.add(key)

        def run() -> None:
            self._redraw_due.discard(key)
            if viewport in self._viewports:
                self.redraw(viewport)

        QTimer.singleShot(0, self, run)

    @staticmethod
    def image_key(viewport: Any, index: int | None = None) -> tuple[str, int | None] | None:
        """(SOP Instance UID, frame or None for single-frame images) of image ``index``."""
        index = viewport.index if index is None else index
        ds = getattr(viewport, "display_set", None)
        frames = getattr(ds, "frames", None) or []
        if not 0 <= index < len(frames):
            return None
        uid, frame = frames[index]
        header = viewport.renderer.header(index)
        multi = header is not None and int(header.get("NumberOfFrames", 1) or 1) > 1
        return str(uid), (int(frame) if multi else None)

    def measured_image(self, viewport: Any, index: int | None = None) -> MeasuredImage | None:
        """What measuring needs from image ``index`` of the viewport (None before its pixels)."""
        key = self.image_key(viewport, index)
        if key is None:
            return None
        cached = self._images.get(key)
        if cached is not None:
            return cached
        stored = viewport.renderer.stored(index)
        header = viewport.renderer.header(index)
        if stored is None or header is None:
            return None
        series = None
        if str(header.get("Modality", "") or "").upper() == "PT":  # the scan start may need the series (annotate.suv)
            series = [h for h in (viewport.renderer.header(i) for i in range(viewport.count)) if h is not None]
        image = MeasuredImage.from_dataset(header, key[1], stored, series=series)
        self._images[key] = image
        return image

    def on_image(self, viewport: Any, index: int) -> list[Measurement]:
        key = self.image_key(viewport, index)
        if key is None:
            return []
        return [m for m in self.measurements if m.image.sop_instance_uid == key[0] and m.image.frame in (None, key[1])]

    def redraw(self, viewport: Any, index: int | None = None) -> None:
        """Put this study's measurements (and a drawing in progress) over image ``index``."""
        index = viewport.index if index is None else index
        ops: list[DrawOp] = []
        for m in self.on_image(viewport, index):
            if self._move is not None and self._move.id == m.id and self._move.viewport is viewport:
                dx, dy = self._move.delta
                try:
                    m = moved(m, dx, dy, self.measured_image(viewport, index) if (m.kind.is_roi or m.kind is Kind.PROBE) else None)
                except MeasurementError:
                    pass
            reshape = self._reshape
            if reshape is not None and reshape.id == m.id and reshape.viewport is viewport and reshape.to is not None:
                m = self._reshaped_measurement(viewport, m, reshape) or m
            ops.extend(draw_ops(m, SELECTED_COLOUR if m.id == self.selected else NORMAL_COLOUR))
            if m.id == self.selected:
                ops.extend(DrawOp("point", TOOL_LAYER, 1, (_ann(p),), colour=SELECTED_COLOUR) for p in handles(m))
        ops.extend(self._other_ops(viewport, index))
        draft = self._draft
        if draft is not None and draft.viewport is viewport and draft.index == index:
            points = [*draft.points, *([draft.live] if draft.live is not None else [])]
            shown = points
            if draft.kind is Kind.ELLIPSE and len(points) == 2:
                shown = list(ellipse_from_box(points[0], points[1]))
            elif draft.kind is Kind.BIDIRECTIONAL and len(points) == 3:
                shown = list(_bidirectional_points(points))
            for line in outlines(draft.kind, shown, tuple(shown) if draft.kind is Kind.BIDIRECTIONAL and len(shown) == 4 else ()):
                ops.append(DrawOp("polyline", TOOL_LAYER, 1, tuple(_ann(p) for p in line), colour=DRAFT_COLOUR))
        key = (id(viewport), index)
        mine = self._mine.get(key, ())
        base = [op for op in viewport.renderer.annotations(index)
                if op not in mine and op.layer not in (TOOL_LAYER, PRIOR_LAYER) and not (self.hide_saved_layer and op.layer == SAVED_LAYER)]
        self._mine[key] = tuple(ops)
        viewport.set_annotations(base + ops, index)

    def _other_ops(self, viewport: Any, index: int) -> list[DrawOp]:
        """Another study's saved measurements and annotations on image ``index`` (read-only)."""
        if not self.others:
            return []
        study = str(getattr(getattr(viewport, "display_set", None), "study_uid", "") or "")
        other = self.others.get(study)
        key = self.image_key(viewport, index) if other is not None else None
        if other is None or key is None:
            return []
        ops: list[DrawOp] = []
        for m in other.on_image(key):
            ops.extend(draw_ops(m, PRIOR_COLOUR, PRIOR_LAYER))
        if other.presentation_states:
            header = viewport.renderer.header(index)
            rows = int(header.get("Rows", 0) or 0) or None if header is not None else None
            columns = int(header.get("Columns", 0) or 0) or None if header is not None else None
            ops.extend(other.annotations(key, rows, columns))
        return ops

    def redraw_all(self) -> None:
        for viewport in self._viewports:
            self.redraw(viewport)

    def _changed(self) -> None:
        self.redraw_all()
        self.changed.emit()

    # -- the viewport's tool hook ---------------------------------------------------------------

    def _to_image(self, viewport: Any, point: tuple[float, float]) -> Point:
        column, row = viewport.pick_screen(point)
        return (float(column), float(row))

    def press(self, viewport: Any, point: tuple[float, float], modifiers: Any) -> bool:
        """A left-button press on ``viewport`` at screen ``point``: True when the tool takes it."""
        draft = self._draft
        if draft is not None and (draft.viewport is not viewport or draft.index != viewport.index):
            self._draft = draft = None
        if draft is not None:
            draft.points.append(self._to_image(viewport, point))
            draft.live, draft.press_screen = None, point
            self.redraw(viewport)
            return True
        if self.tool is None:
            grip = self.hit_handle(viewport, point)
            if grip is not None:
                self.selected = grip[0].id
                self._reshape = Reshape(grip[0].id, viewport, grip[1])
                self._changed()
                return True
            hit = self.hit(viewport, point)
            if hit is None:
                if self.selected is not None:
                    self.selected = None
                    self._changed()
                return False
            self.selected = hit.id
            self._move = Move(hit.id, viewport, self._to_image(viewport, point))
            self._changed()
            return True
        if self.measured_image(viewport) is None:
            self.message.emit(self.tr("This image has not arrived yet; measure it once it is shown."))
            return True
        self._draft = Draft(self.tool, viewport, viewport.index, [self._to_image(viewport, point)], None, point)
        self.redraw(viewport)
        return True

    def move(self, viewport: Any, point: tuple[float, float], modifiers: Any) -> None:
        here = self._to_image(viewport, point)
        if self._reshape is not None and self._reshape.viewport is viewport:
            self._reshape.to = here
            self.redraw(viewport)
            return
        if self._move is not None and self._move.viewport is viewport:
            self._move.delta = (here[0] - self._move.start[0], here[1] - self._move.start[1])
            self.redraw(viewport)
            return
        draft = self._draft
        if draft is None or draft.viewport is not viewport:
            return
        if draft.kind is Kind.FREEHAND:
            if not draft.points or math.dist(draft.points[-1], here) >= 0.5:
                draft.points.append(here)
        else:
            draft.live = here
        self.redraw(viewport)

    def release(self, viewport: Any, point: tuple[float, float], modifiers: Any) -> None:
        if self._reshape is not None:
            reshape, self._reshape = self._reshape, None
            if reshape.to is not None:
                self.reshape(viewport, reshape.id, reshape.handle, reshape.to)
            else:
                self._changed()
            return
        if self._move is not None:
            move, self._move = self._move, None
            dx, dy = move.delta
            if dx or dy:
                try:
                    self.measurements.move(move.id, dx, dy, self.measured_image(viewport))
                except MeasurementError as exc:
                    self.message.emit(str(exc))
            self._changed()
            return
        draft = self._draft
        if draft is None or draft.viewport is not viewport:
            return
        draft.live = None
        here = self._to_image(viewport, point)
        dragged = math.dist(point, draft.press_screen) > DRAG_PIXELS
        if draft.kind is Kind.FREEHAND:
            self._finish(draft, draft.points)
            return
        if dragged:
            draft.points.append(here)
        if len(draft.points) >= _CLICKS[draft.kind]:
            self._finish(draft, draft.points[:_CLICKS[draft.kind]])
        else:
            self.redraw(viewport)

    def key(self, viewport: Any, key: int, modifiers: Any) -> bool:
        """Keys the tools take: Delete/Backspace (the selected measurement), Esc (end the
        drawing, then the tool)."""
        if key in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace) and self.selected is not None:
            self.delete_selected()
            return True
        if key == Qt.Key.Key_Escape and (self._draft is not None or self.tool is not None):
            if self._draft is not None:
                self._draft = None
                self.redraw(viewport)
            else:
                self.set_tool(None)
            return True
        return False

    def claims(self, key: int, modifiers: Any) -> bool:
        """True for keys the tools take before the window's shortcuts (Esc while drawing)."""
        return (key == Qt.Key.Key_Escape and (self._draft is not None or self.tool is not None)) or (
            key in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace) and self.selected is not None)

    # -- finishing and editing ------------------------------------------------------------------

    def _finish(self, draft: Draft, points: list[Point]) -> None:
        self._draft = None
        viewport = draft.viewport
        image = self.measured_image(viewport, draft.index)
        try:
            if image is None:
                raise MeasurementError(self.tr("This image has not arrived yet; measure it once it is shown."))
            kind = draft.kind
            text = ""
            pts: list[Point] | tuple[Point, ...] = points
            if kind is Kind.ELLIPSE:
                pts = ellipse_from_box(points[0], points[1])
                if math.dist(pts[0], pts[1]) < 1.0 or math.dist(pts[2], pts[3]) < 1.0:
                    raise MeasurementError(self.tr("The ellipse is too small to measure; drag a larger box."))
            elif kind is Kind.RECTANGLE and (abs(points[0][0] - points[1][0]) < 1.0 or abs(points[0][1] - points[1][1]) < 1.0):
                raise MeasurementError(self.tr("The rectangle is too small to measure; drag a larger box."))
            elif kind is Kind.BIDIRECTIONAL:
                pts = _bidirectional_points(points)
            elif kind is Kind.TEXT:
                text = self.ask_text(self.tr("Annotation text")) or ""
                if not text:
                    self.redraw(viewport)
                    return
            measurement = measure(kind, pts, image, text=text, id=uuid.uuid4().hex)
        except MeasurementError as exc:
            self.message.emit(str(exc))
            self.redraw(viewport)
            return
        self.measurements.add(measurement)
        self.selected = measurement.id
        self._changed()

    def _ask_text(self, title: str) -> str | None:
        parent = self.parent()
        text, ok = QInputDialog.getText(parent if isinstance(parent, QWidget) else None, title, self.tr("Text:"))
        return text if ok else None

    def set_tool(self, kind: Kind | None) -> None:
        """Choose a tool (None: back to scrolling); a drawing in progress is dropped."""
        tool = Kind(kind) if kind is not None else None
        if self._draft is not None:
            self._draft = None
            self.redraw_all()
        if tool is not self.tool:
            self.tool = tool
            self.tool_changed.emit(tool)

    def delete_selected(self) -> None:
        if self.selected is None:
            return
        try:
            self.measurements.delete(self.selected)
        except MeasurementError as exc:
            self.message.emit(str(exc))
        self.selected = None
        self._changed()

    def undo(self) -> None:
        self.measurements.undo()
        self._changed()

    def redo(self) -> None:
        self.measurements.redo()
        self._changed()

    def load(self, measurements: MeasurementSet, key_images: KeyImages | None = None) -> None:
        """Measurements and key images read back from saved objects."""
        self.measurements = measurements
        if key_images is not None:
            self.key_images = key_images
        self.hide_saved_layer = bool(len(measurements))
        self._changed()

    def toggle_key_image(self, viewport: Any, note: str | None = None) -> bool | None:
        """Mark (or unmark) the viewport's image as a key image; None when it shows no image."""
        key = self.image_key(viewport)
        header = viewport.renderer.header()
        if key is None or header is None:
            return None
        marked = self.key_images.toggle(ImageRef.of(header, key[1]))
        if marked:
            image = self.thumbnail(viewport)
            if image is not None:
                self.thumbnails[key[0]] = image
            self.key_views[key[0]] = self.shown_view(viewport)
        if marked and note:
            self.key_images.note = note
        self.changed.emit()
        return marked

    def _reshaped_measurement(self, viewport: Any, m: Measurement, reshape: Reshape) -> Measurement | None:
        image = self.measured_image(viewport)
        if image is None or reshape.to is None:
            return None
        try:
            return measure(m.kind, reshaped(m, reshape.handle, reshape.to), image, text=m.text, id=m.id)
        except MeasurementError:
            return None

    def reshape(self, viewport: Any, id: str, handle: int, to: Point) -> Measurement | None:
        """Drag handle ``handle`` (of :func:`handles`) of measurement ``id`` on the viewport's
        image to ``to`` (image pixel coordinates) and measure it again; one undo step."""
        try:
            image = self.measured_image(viewport)
            if image is None:
                raise MeasurementError(self.tr("This image has not arrived yet; edit the measurement once it is shown."))
            old = self.measurements.get(id)
            edited: Measurement | None = self.measurements.edit(id, reshaped(old, handle, to), image)
        except MeasurementError as exc:
            self.message.emit(str(exc))
            edited = None
        self._changed()
        return edited

    # -- key images -----------------------------------------------------------------------------

    def thumbnail(self, viewport: Any, index: int | None = None, size: int = THUMBNAIL_PIXELS) -> np.ndarray | None:
        """A small display image (uint8, rows x columns [x 3]) of image ``index`` of the viewport,
        through the display pipeline of :func:`workstation.model.pixels.to_display` (Modality
        LUT, the VOI on screen for the current image, Presentation LUT: PS3.4 N.2.1)."""
        index = viewport.index if index is None else index
        stored = viewport.renderer.stored(index)
        header = viewport.renderer.header(index)
        key = self.image_key(viewport, index)
        if stored is None or header is None or key is None:
            return None
        voi = viewport.renderer.current_voi() if index == viewport.index else None
        shown = to_display(stored, header, voi, frame=key[1] or 0)
        step = max(1, math.ceil(max(shown.shape[0], shown.shape[1]) / size))
        return np.ascontiguousarray(shown[::step, ::step])

    @staticmethod
    def shown_view(viewport: Any) -> View:
        """What the viewport shows of its image, as a presentation state records it: the window
        on screen and the displayed area (PS3.3 C.10.4: 1-based first and last column and row
        visible, within the image), scaled to fit when printed."""
        renderer = viewport.renderer
        window = renderer.current_window()
        header = renderer.header()
        area = None
        if header is not None:
            columns, rows = int(header.get("Columns", 0) or 0), int(header.get("Rows", 0) or 0)
            width, height = renderer.viewport_size()
            corners = [renderer.pick(x, y) for x, y in ((0, 0), (width, 0), (0, height), (width, height))]
            # pick: pixel centres at integers; a pixel k (0-based) spans k - 0.5 .. k + 0.5
            c0 = min(max(1, round(min(c for c, _ in corners)) + 1), columns)
            c1 = min(max(1, round(max(c for c, _ in corners)) + 1), columns)
            r0 = min(max(1, round(min(r for _, r in corners)) + 1), rows)
            r1 = min(max(1, round(max(r for _, r in corners)) + 1), rows)
            if columns and rows and c1 > c0 and r1 > r0:
                area = ((c0, r0), (c1, r1))
        return View(window=(float(window[0]), float(window[1])) if window is not None else None, displayed_area=area)

    def key_picture(self, ref: ImageRef) -> np.ndarray | None:
        """The key image as the report prints it: through its presentation state (the window and
        area it was marked in, its measurements drawn; :mod:`workstation.report.key_pictures`), or
        for a key image marked in an earlier session, the study's saved GSPS when it applies to
        it; from a viewport that has its pixels; ``None`` when none has them."""
        from workstation.annotate.gsps_writer import build_presentation_state
        from workstation.model.presentation_state import read_presentation_state
        from workstation.report.key_pictures import render_key_image

        for viewport in self._viewports:
            frames = getattr(getattr(viewport, "display_set", None), "frames", None) or []
            for index, (uid, frame) in enumerate(frames):
                if str(uid) != ref.sop_instance_uid or (ref.frame is not None and frame != ref.frame):
                    continue
                stored = viewport.renderer.stored(index)
                header = viewport.renderer.header(index)
                if stored is None or header is None:
                    continue
                on_image = [m for m in self.measurements if m.image.sop_instance_uid == ref.sop_instance_uid
                            and (m.image.frame or 1) == (ref.frame or 1)]
                size = {"rows": int(header.get("Rows", 0) or 0) or None,
                        "columns": int(header.get("Columns", 0) or 0) or None}
                view = self.key_views.get(ref.sop_instance_uid)
                saved = self.previous.get("pr")
                params = None
                try:
                    if view is None and saved is not None:  # marked earlier: the study's saved GSPS, if it applies
                        params = read_presentation_state(saved).display_for(ref.sop_instance_uid, ref.frame or 1, **size)
                    if params is None:
                        state = read_presentation_state(build_presentation_state([header], on_image, view or View()))
                        params = state.display_for(ref.sop_instance_uid, ref.frame or 1, **size)
                except (WorkstationError, ValueError) as exc:  # highdicom refuses with ValueError
                    log.info("Key image printed without its presentation state: %s", type(exc).__name__)
                    params = None
                return render_key_image(stored, header, params, frame=ref.frame or 1)
        return None

    def key_thumbnail(self, ref: ImageRef) -> np.ndarray | None:
        """The thumbnail of a key image: made when it was marked, else from a viewport that has
        its pixels (key images read back from a saved selection); None when none has."""
        cached = self.thumbnails.get(ref.sop_instance_uid)
        if cached is not None:
            return cached
        for viewport in self._viewports:
            frames = getattr(getattr(viewport, "display_set", None), "frames", None) or []
            for index, (uid, frame) in enumerate(frames):
                if str(uid) == ref.sop_instance_uid and (ref.frame is None or frame == ref.frame):
                    image = self.thumbnail(viewport, index)
                    if image is not None:
                        self.thumbnails[ref.sop_instance_uid] = image
                        return image
        return None

    def set_key_note(self, note: str) -> None:
        """The note of the key-image selection (the KOS's one Key Object Description, TID 2010)."""
        self.key_images.note = note.strip()
        self.changed.emit()

    # -- hit testing --------------------------------------------------------------------------

    def hit_handle(self, viewport: Any, point: tuple[float, float]) -> tuple[Measurement, int] | None:
        """The handle nearest the screen point within :data:`HANDLE_PIXELS`: the selected
        measurement's first, then the others' on the shown image."""
        to_screen = viewport.renderer.image_to_screen
        found = self.on_image(viewport, viewport.index)
        found.sort(key=lambda m: m.id != self.selected)
        for m in found:
            best: tuple[float, int] | None = None
            for number, p in enumerate(handles(m)):
                distance = math.dist(point, to_screen(*p))
                if distance <= HANDLE_PIXELS and (best is None or distance < best[0]):
                    best = (distance, number)
            if best is not None:
                return m, best[1]
        return None

    def hit(self, viewport: Any, point: tuple[float, float]) -> Measurement | None:
        """The measurement on the shown image whose outline or label anchor is nearest the
        screen point, within :data:`HIT_PIXELS`."""
        best: tuple[float, Measurement] | None = None
        to_screen = viewport.renderer.image_to_screen
        for m in self.on_image(viewport, viewport.index):
            lines = outlines(m.kind, m.points, m.axes) or [list(m.points)]
            distance = math.inf
            for line in lines:
                screen = [to_screen(*p) for p in line]
                if len(screen) == 1:
                    distance = min(distance, math.dist(point, screen[0]))
                for a, b in zip(screen, screen[1:], strict=False):
                    distance = min(distance, _segment_distance(point, a, b))
            if distance <= HIT_PIXELS and (best is None or distance < best[0]):
                best = (distance, m)
        return best[1] if best is not None else None


def _normal(p0: Point, p1: Point) -> tuple[float, float]:
    length = math.dist(p0, p1)
    if length == 0:
        raise MeasurementError(QCoreApplication.translate("measure_tools", "The long axis has no length; drag it again."))
    return -(p1[1] - p0[1]) / length, (p1[0] - p0[0]) / length


def _axes_with_half(p0: Point, p1: Point, half: float) -> tuple[Point, Point, Point, Point]:
    """Long axis (p0, p1) and the short axis through its middle, perpendicular, of half length ``half``."""
    nx, ny = _normal(p0, p1)
    mx, my = (p0[0] + p1[0]) / 2, (p0[1] + p1[1]) / 2
    return (p0, p1, (mx - nx * half, my - ny * half), (mx + nx * half, my + ny * half))


def _bidirectional_points(points: list[Point]) -> tuple[Point, Point, Point, Point]:
    """Long axis (p0, p1) and a short axis through its middle, perpendicular to it, whose half
    length is the distance of p2 from the long axis."""
    p0, p1, p2 = points[0], points[1], points[2]
    nx, ny = _normal(p0, p1)
    return _axes_with_half(p0, p1, abs((p2[0] - p0[0]) * nx + (p2[1] - p0[1]) * ny))


__all__ = ["PRIOR_COLOUR", "TOOL_KEYS", "Draft", "MeasureTools", "OtherStudy", "Reshape", "draw_ops", "handles", "outlines", "reshaped"]
