"""The 2D viewport widget: a VTK slice view driven by a :class:`ViewportState`.

Qt hosts the VTK render window (``QVTKRenderWindowInteractor``) and handles every mouse and key
event itself: VTK's own interactor styles are kept out so nothing fights the bindings below. The
widget only turns input into changes of the state (``workstation.model.viewport``); the
:class:`~workstation.render.slice_renderer.SliceRenderer` listens to the state and updates its
scene, and the widget draws one frame per event-loop turn however many changes came in it (wheel
notches, linked viewports, arriving slices); :meth:`ViewportWidget.render_now` draws at once. In a
grid, a viewport that is not the active one (``follower_delay_ms`` > 0) draws and applies its state
changes at most once per that many ms (so a linked prior keeps up within a frame or two while the
reader scrolls), and makes its OpenGL context only when it first draws, so that on a software
OpenGL the viewport the reader works in keeps most of the frames. The
grayscale pipeline is PS3.4 Annex N; window presets PS3.3 C.11.2 and the CT presets of
``workstation.model.presets``; the 3D cursor point is a patient (LPS) point of PS3.3 C.7.6.2.1.1.

Mouse: wheel scrolls, Ctrl+wheel zooms about the pointer, left-drag scrolls the stack, right-drag
changes window (horizontal: width) and level (vertical: centre), middle-drag pans,
Shift+left click places the 3D cursor, double-click maximises (``double_clicked``).
Keys: Up/Left and Down/Right one image, Page Up/Down ten, Home/End first/last, 1-9 presets,
A auto window, I invert, F fit, Z 1:1 pixels, Ctrl+R rotate 90 degrees clockwise, H/V flip,
Esc or R reset. With a measurement tool set (``tool``, see :mod:`workstation.ui.measure_tools`),
left-button input and the keys the tool claims go to the tool, except a click on a viewport that is
not the active one: that click only activates it. Beside the image, a slice scroll bar shows the position and which slices have
arrived; clicking or dragging it jumps. Presentation-state annotations (PS3.3 C.10.5) are drawn
over their images with :meth:`ViewportWidget.set_annotations`.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import vtkmodules.qt  # PyQtImpl is set to PySide6 below, before QVTK is imported
from pydicom.dataset import Dataset
from PySide6.QtCore import QEvent, QPointF, QRect, Qt, QTimer, Signal
from PySide6.QtGui import (
    QColor,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QWheelEvent,
)
from PySide6.QtWidgets import QHBoxLayout, QWidget

vtkmodules.qt.PyQtImpl = "PySide6"
from vtkmodules.vtkInteractionStyle import vtkInteractorStyleUser  # noqa: E402

from workstation.errors import GeometryError  # noqa: E402
from workstation.model import pixels  # noqa: E402
from workstation.model.presentation_state import DrawOp  # noqa: E402
from workstation.model.presets import WindowPreset, available_presets, preset_for_key  # noqa: E402
from workstation.model.spatial import ReferenceLine  # noqa: E402
from workstation.model.viewport import ViewportState  # noqa: E402
from workstation.render.slice_renderer import SliceRenderer, initial_view  # noqa: E402
from workstation.ui.vtk_host import ForwardingVtkWidget  # noqa: E402

#: Frame colours: the active viewport is marked (as in the grid of every reading workstation).
ACTIVE_COLOUR = QColor(255, 170, 0)
INACTIVE_COLOUR = QColor(40, 40, 40)
FRAME_WIDTH = 2
#: Images per Page Up / Page Down.
PAGE_STEP = 10
#: Zoom factor per wheel notch with Ctrl.
ZOOM_STEP = 1.15
#: Screen pixels of left-drag per image when scrolling by dragging (at least).
DRAG_PIXELS_PER_IMAGE = 4.0
#: Width of the slice scroll bar beside each viewport, in pixels.
SCROLL_BAR_WIDTH = 12
SCROLL_TRACK_COLOUR = QColor(28, 28, 28)
SCROLL_LOADED_COLOUR = QColor(90, 110, 140)
SCROLL_POSITION_COLOUR = QColor(255, 170, 0)
#: A QC error at a place in the stack (slices missing there): a red bar across the strip.
SCROLL_GAP_COLOUR = QColor(235, 40, 40)
SCROLL_FAILED_COLOUR = QColor(190, 40, 40)


def window_drag_sensitivity(width: float) -> float:
    """Modality units per screen pixel of right-drag: a 256-pixel drag changes the width by about
    its own value (and at least 1 unit per pixel), so CT and MR feel alike."""
    return max(1.0, float(width) / 256.0)


def dragged_window(start: tuple[float, float], dx: float, dy: float) -> tuple[float, float]:
    """(centre, width) after a right-drag of (dx, dy) screen pixels from ``start``: right widens,
    left narrows; down raises the centre (darker), up lowers it."""
    center, width = start
    k = window_drag_sensitivity(width)
    return (center + dy * k, max(1.0, width + dx * k))


class _VtkView(ForwardingVtkWidget):
    """The VTK render window in Qt, with input handed to the owning viewport instead of VTK;
    exposes draw through the viewport's coalesced render, tool keys override shortcuts."""

    def __init__(self, owner: ViewportWidget) -> None:
        super().__init__(owner)
        self._owner: ViewportWidget = owner

    def event(self, ev: QEvent) -> bool:
        # Keys a measurement tool claims (Esc while drawing, Delete) come before the window's
        # shortcuts (Esc also resets the view).
        owner = self.__dict__.get("_owner")  # events come during construction too (no __getattr__)
        tool = owner.tool if owner is not None else None
        if ev.type() == QEvent.Type.ShortcutOverride and tool is not None and isinstance(ev, QKeyEvent) \
                and tool.claims(ev.key(), ev.modifiers()):
            ev.accept()
            return True
        return bool(super().event(ev))

    def focusInEvent(self, ev: Any) -> None:  # noqa: N802
        super().focusInEvent(ev)
        if ev.reason() != Qt.FocusReason.MouseFocusReason:  # a press activates in _mouse_press,
            self._owner.activated.emit()  # which must see whether it was active before

    def paintEvent(self, ev: QPaintEvent) -> None:  # noqa: N802
        # An expose (shown, uncovered, resized) draws through the owner's coalesced path: one
        # Render() that also cancels a frame already asked for, never a second one beside it.
        owner = self.__dict__.get("_owner")
        if owner is None:
            super().paintEvent(ev)
            return
        if owner.defers_drawing and not owner._initialised:
            owner._render()  # a linked viewport's OpenGL context is made with its first frame
            return
        owner.render_now()


class SliceScrollBar(QWidget):
    """A thin strip beside the viewport: the stack from top (first image) to bottom, the slices
    whose pixels have arrived marked (those that failed to load in red), a red bar where QC found
    slices missing, the current image as a bright handle. A click or a drag
    jumps there (the viewport's ``index_changed`` then moves the loader's focus)."""

    def __init__(self, owner: ViewportWidget) -> None:
        super().__init__(owner)
        self._owner = owner
        self.setFixedWidth(SCROLL_BAR_WIDTH)
        # It fills its whole rectangle: the viewport behind it need not be painted first.
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setToolTip(self.tr("Images of this series: loaded ones marked; click or drag to jump"))

    def index_at(self, y: float) -> int:
        """The image index at height ``y`` (widget pixels) of the strip."""
        count = self._owner.count
        if count <= 0:
            return 0
        return int(min(count - 1, max(0, y * count / max(1, self.height()))))

    def span(self, index: int) -> tuple[int, int]:
        """Top and bottom (exclusive) pixel rows that stand for image ``index``; at least 1 high."""
        count = max(1, self._owner.count)
        h = self.height()
        top = int(index * h / count)
        return top, max(top + 1, int((index + 1) * h / count))

    def rows_of(self, first: int, last: int) -> QRect:
        """The strip's rectangle that shows images ``first`` .. ``last`` (inclusive), with room
        for the position handle drawn around any of them."""
        top, _ = self.span(first)
        _, bottom = self.span(last)
        return QRect(0, max(0, top - 3), self.width(), bottom - top + 6)

    def paintEvent(self, ev: QPaintEvent) -> None:  # noqa: N802
        # Only the images under the asked rectangle are looked at (an arriving slice repaints
        # its own few rows, not the whole strip).
        area = ev.rect()
        painter = QPainter(self)
        painter.fillRect(area, SCROLL_TRACK_COLOUR)
        owner = self._owner
        count = owner.count
        width = self.width()
        if count > 0:
            first = self.index_at(area.top())
            last = self.index_at(area.bottom())
            first, last = max(0, first - 1), min(count - 1, last + 1)
            has_image = owner.renderer.has_image
            start = None
            for i in range(first, last + 2):  # runs of loaded slices, one rectangle each
                here = i <= last and has_image(i)
                if here and start is None:
                    start = i
                elif not here and start is not None:
                    top, _ = self.span(start)
                    _, bottom = self.span(i - 1)
                    painter.fillRect(2, top, width - 4, bottom - top, SCROLL_LOADED_COLOUR)
                    start = None
            for i in owner.failed:
                if first <= i <= last:
                    top, bottom = self.span(i)
                    painter.fillRect(2, top, width - 4, bottom - top, SCROLL_FAILED_COLOUR)
            for before, _sentence in owner.gaps:  # QC: slices missing after image ``before``
                if first - 1 <= before <= last:
                    _, bottom = self.span(before)
                    painter.fillRect(0, max(0, bottom - 2), width, 4, SCROLL_GAP_COLOUR)
            top, bottom = self.span(owner.index)
            middle = (top + bottom) // 2
            painter.fillRect(0, max(0, middle - 2), width, 5, SCROLL_POSITION_COLOUR)
        painter.end()

    def update_images(self, first: int, last: int | None = None) -> None:
        """Repaint only the rows of images ``first`` .. ``last`` (an arrival, a failure, the
        handle leaving or reaching an image)."""
        if self.isVisible() and self._owner.count > 0:
            self.update(self.rows_of(first, first if last is None else last))

    def _jump(self, ev: QMouseEvent) -> None:
        if self._owner.count > 0:
            self._owner.state.image_index = self.index_at(ev.position().y())
        ev.accept()

    def mousePressEvent(self, ev: QMouseEvent) -> None:  # noqa: N802
        self._owner.activated.emit()
        if ev.button() == Qt.MouseButton.LeftButton:
            self._jump(ev)

    def mouseMoveEvent(self, ev: QMouseEvent) -> None:  # noqa: N802
        if ev.buttons() & Qt.MouseButton.LeftButton:
            self._jump(ev)


class ViewportWidget(QWidget):
    """One 2D viewport of the reading grid (see the module docstring for the bindings).

    ``state`` is the view as data, ``renderer`` draws it. Signals: ``activated`` (mouse press or
    focus), ``double_clicked``, ``point_picked(numpy LPS point)`` on Shift+left click,
    ``index_changed(int)`` when the image changes.
    """

    activated = Signal()
    double_clicked = Signal()
    point_picked = Signal(object)
    index_changed = Signal(int)

    def __init__(self, parent: QWidget | None = None, state: ViewportState | None = None) -> None:
        super().__init__(parent)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setMinimumSize(64, 64)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(FRAME_WIDTH, FRAME_WIDTH, FRAME_WIDTH, FRAME_WIDTH)
        layout.setSpacing(0)
        self.view = _VtkView(self)
        self.view.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        layout.addWidget(self.view, 1)
        self.scroll_bar = SliceScrollBar(self)
        self.scroll_bar.setVisible(False)
        layout.addWidget(self.scroll_bar)
        self.setFocusProxy(self.view)
        interactor = self.view.GetRenderWindow().GetInteractor()
        interactor.SetInteractorStyle(vtkInteractorStyleUser())
        self.renderer = SliceRenderer(self.view.GetRenderWindow())
        self.state = state or ViewportState()
        self.renderer.set_state(self.state)
        self.renderer.on_changed = self._render
        self.state.events.connect(self._state_changed)
        self.display_set: Any = None
        self.study_summary: Any = None
        self._active = False
        self._initialised = False
        self._drag: dict[str, Any] | None = None
        #: A measurement tool (workstation.ui.measure_tools): while set, left-button presses,
        #: drags and releases, and the keys it claims, go to it instead of scrolling.
        self.tool: Any = None
        self._tool_drag = False
        self._wheel_rest = 0.0
        self._view_touched = False
        #: Images that could not be loaded (marked red on the scroll bar).
        self.failed: set[int] = set()
        #: QC errors between images: (index of the image before the gap, the finding's sentence),
        #: marked on the scroll bar (set_gaps).
        self.gaps: list[tuple[int, str]] = []
        self._loaded_count = 0  # images with pixels, counted as they arrive
        self._last_index = self.state.image_index
        # Coalesced drawing: any number of changes in one event-loop turn (wheel notches, linked
        # viewports, arriving slices) give one Render() of this viewport.
        self._render_timer = QTimer(self)
        self._render_timer.setSingleShot(True)
        self._render_timer.setInterval(0)
        self._render_timer.timeout.connect(self.render_now)
        #: Linked viewports of a grid draw after the reader pauses: while the active viewport
        #: is scrolled, a viewport that is not active waits until no change has come for this
        #: many ms before drawing (0: draw in the next event-loop turn, as the active one does).
        #: On a software OpenGL every frame of every viewport costs the UI thread tens of ms,
        #: so only the viewport the reader works in draws at screen rate.
        self._follower_delay_ms = 0
        self.renders = 0  # frames drawn (for tests and benchmarks)

    # -- content ------------------------------------------------------------------------------
    def show_display_set(self, display_set: Any, study_summary: Any, image_count: int, headers: list[Dataset] | None = None) -> None:
        """Show a display set of ``image_count`` images (pixels arrive with :meth:`set_image`)."""
        from workstation.model.viewport import default_cine_fps

        self.display_set = display_set
        self.study_summary = study_summary
        fps = None
        frame_time = getattr(display_set, "frame_time_ms", None)
        if frame_time:
            fps = 1000.0 / frame_time
        elif headers:
            fps = default_cine_fps(headers[0])
        self._view_touched = False
        self.failed = set()
        self.gaps = []
        self._loaded_count = 0
        self.renderer.set_stack(image_count, headers, display_set=display_set)
        self.state.show(getattr(display_set, "uid", None), image_count, cine_fps=fps)
        self.renderer.set_message("" if image_count else self.tr("No images"))
        self.scroll_bar.setVisible(image_count > 1)
        self.scroll_bar.update()
        self._render()

    def set_image(self, index: int, stored: np.ndarray, header: Dataset, frame: int = 0) -> None:
        """Pixels of image ``index`` have arrived (any order; nearest-first in practice). Only
        the image on screen asks for a frame; any other only repaints its rows of the scroll
        bar."""
        new = not self.renderer.has_image(index)
        first = self._loaded_count == 0
        self.renderer.set_image(index, stored, header, frame)
        if new:
            self._loaded_count += 1
        if first and not self._view_touched:
            initial_view(self.state, header, getattr(self.display_set, "modality", ""), suv_factor=self.renderer.suv_factor)
        if index == self.state.image_index:
            self._render()
        self.scroll_bar.update_images(index)

    def mark_failed(self, index: int) -> None:
        """Image ``index`` could not be loaded: shown red on the scroll bar."""
        if 0 <= index < self.count:
            self.failed.add(index)
            self.scroll_bar.update_images(index)

    def set_annotations(self, ops: list[DrawOp] | tuple[DrawOp, ...], index: int | None = None) -> None:
        """Presentation-state graphics and text (PS3.3 C.10.5, DrawOps in the annotation pixel
        coordinates of C.10.5.1.2) over image ``index`` (default: the current one); drawn with
        the view's zoom, pan, rotation and flips. An empty list removes them."""
        self.renderer.set_annotations(list(ops), index)
        self._render()

    def set_message(self, text: str) -> None:
        self.renderer.set_message(text)
        self._render()

    def set_reference_lines(self, lines: list[ReferenceLine]) -> None:
        self.renderer.set_reference_lines(lines)
        self._render()

    def set_gaps(self, gaps: list[tuple[int, str]]) -> None:
        """Mark QC errors between images on the scroll bar: (index of the image before the gap,
        sentence); the sentences become the scroll bar's tooltip."""
        self.gaps = list(gaps)
        tip = self.tr("Images of this series: loaded ones marked; click or drag to jump")
        if self.gaps:
            tip += "\n" + "\n".join(self.tr("Red mark: {0}").format(sentence) for _i, sentence in self.gaps)
        self.scroll_bar.setToolTip(tip)
        self.scroll_bar.update()

    def set_cursor(self, point: np.ndarray | None) -> None:
        self.renderer.set_cursor(point)
        self._render()

    def set_active(self, active: bool) -> None:
        if active != self._active:
            self._active = active
            self.renderer.lazy = self.defers_drawing  # a linked viewport works with its frames
            self.update()
            if active and self._render_timer.isActive():
                self._render_timer.start(0)  # a deferred frame is drawn now

    @property
    def active(self) -> bool:
        return self._active

    def apply_preset(self, preset: WindowPreset) -> None:
        """Apply a window preset (its centre, width and VOI LUT Function)."""
        self.renderer.voi_function = preset.function
        self.state.set_window(preset.center, preset.width)

    def presets(self) -> list[WindowPreset]:
        header = self.renderer.header()
        modality = getattr(self.display_set, "modality", "") or (str(header.get("Modality", "")) if header is not None else "")
        return available_presets(modality, header)

    def auto_window(self) -> None:
        """A window from the current image's values (0.5th to 99.5th percentile)."""
        stored = self.renderer.stored()
        header = self.renderer.header()
        if stored is None or header is None or stored.ndim != 2:
            return
        values = pixels.modality_transform(header).values(pixels._sample(stored))
        window = pixels.auto_window(values)
        self.renderer.voi_function = pixels.LINEAR
        self.state.set_window(window.center, window.width)

    def capture(self) -> np.ndarray:
        """What the viewport shows now, (height, width, 3) uint8 (drawn now)."""
        self._render_timer.stop()
        self._ensure_initialised()
        return self.renderer.capture()

    @property
    def loaded(self) -> int:
        """How many images have their pixels."""
        return self._loaded_count

    @property
    def loaded_mask(self) -> list[bool]:
        """Which images have their pixels (for a scroll bar)."""
        return self.renderer.loaded()

    @property
    def count(self) -> int:
        return self.renderer.count

    @property
    def index(self) -> int:
        return self.state.image_index

    # -- drawing ------------------------------------------------------------------------------
    def _ensure_initialised(self) -> None:
        if not self._initialised:
            self.view.Initialize()
            self._initialised = True

    def _render(self) -> None:
        """Ask for a frame: drawn once when control returns to the event loop (the active
        viewport), or :attr:`follower_delay_ms` after the first change not yet drawn (the others:
        at most one frame per that many ms however fast the changes come)."""
        if not self.isVisible():
            return
        timer = self._render_timer
        delay = 0 if self._active else self.follower_delay_ms
        if delay <= 0:
            if not timer.isActive() or timer.interval() != 0:
                timer.start(0)
        elif not timer.isActive():
            # Not restarted by the changes that follow: a linked viewport draws at most every
            # ``delay`` ms while the reader scrolls, so it keeps up within a frame or two instead
            # of waiting for the scrolling to stop.
            timer.start(delay)

    def render_now(self) -> None:
        """Draw now (the pending frame, if any, is then not drawn again)."""
        self._render_timer.stop()
        if not self.isVisible():
            return
        self._ensure_initialised()
        self.renders += 1
        self.renderer.render()

    @property
    def render_pending(self) -> bool:
        """True while a frame has been asked for and not drawn yet."""
        return self._render_timer.isActive()

    def _resized(self) -> None:
        self.renderer._apply(frozenset())
        self._render()

    @property
    def follower_delay_ms(self) -> int:
        return self._follower_delay_ms

    @follower_delay_ms.setter
    def follower_delay_ms(self, value: int) -> None:
        self._follower_delay_ms = max(0, int(value))
        self.renderer.lazy = self.defers_drawing

    @property
    def defers_drawing(self) -> bool:
        """True while this viewport draws only after a pause (it is a linked, not the active,
        viewport of a grid: see :attr:`follower_delay_ms`)."""
        return not self._active and self.follower_delay_ms > 0

    def showEvent(self, ev: Any) -> None:  # noqa: N802
        super().showEvent(ev)
        if self.defers_drawing:
            # Making the OpenGL context costs 50-200 ms on a software renderer: the active
            # viewport's first image is drawn before a linked viewport's context is made.
            self._render()
        else:
            self._ensure_initialised()

    def paintEvent(self, ev: QPaintEvent) -> None:  # noqa: N802
        painter = QPainter(self)
        painter.fillRect(self.rect(), ACTIVE_COLOUR if self._active else INACTIVE_COLOUR)
        painter.end()

    def _state_changed(self, names: frozenset[str]) -> None:
        if names & {"zoom", "pan", "rotation", "flip_horizontal", "flip_vertical", "zoom_mode"}:
            self._view_touched = True
        if "image_index" in names and self.state.image_index != self._last_index:
            self.scroll_bar.update_images(self._last_index)  # the handle leaves ...
            self._last_index = self.state.image_index
            self.scroll_bar.update_images(self._last_index)  # ... and arrives
            self.index_changed.emit(self.state.image_index)

    # -- input --------------------------------------------------------------------------------
    def _screen_point(self, pos: QPointF) -> tuple[float, float]:
        """Qt logical position in the view -> render-window pixels (y down)."""
        ratio = self.view.devicePixelRatioF()
        return (pos.x() * ratio, pos.y() * ratio)

    def _mouse_press(self, ev: QMouseEvent) -> None:
        was_active = self._active
        self.activated.emit()
        self.view.setFocus()
        point = self._screen_point(ev.position())
        button = ev.button()
        if button == Qt.MouseButton.LeftButton and self.tool is not None and not was_active \
                and not ev.modifiers() & Qt.KeyboardModifier.ShiftModifier:
            # A click on a viewport that was not the active one only activates it: the reader
            # meant to focus it, not to place a probe or start a measurement there.
            self._drag = None
            ev.accept()
            return
        if button == Qt.MouseButton.LeftButton and ev.modifiers() & Qt.KeyboardModifier.ShiftModifier:
            try:
                picked = self.renderer.pick_patient(*point)
            except GeometryError:
                picked = None
            if picked is not None:
                self.point_picked.emit(picked)
            self._drag = None
            ev.accept()
            return
        if button == Qt.MouseButton.LeftButton and self.tool is not None and self.tool.press(self, point, ev.modifiers()):
            self._drag, self._tool_drag = None, True
            ev.accept()
            return
        drag: dict[str, Any] = {"button": button, "start": point, "last": point}
        if button == Qt.MouseButton.RightButton:
            drag["window"] = self.renderer.current_window()
        elif button == Qt.MouseButton.LeftButton:
            drag["index"] = self.state.image_index
        self._drag = drag
        ev.accept()

    def _mouse_move(self, ev: QMouseEvent) -> None:
        if self._tool_drag and self.tool is not None:
            self.tool.move(self, self._screen_point(ev.position()), ev.modifiers())
            ev.accept()
            return
        drag = self._drag
        if drag is None:
            return
        x, y = self._screen_point(ev.position())
        x0, y0 = drag["start"]
        button = drag["button"]
        if button == Qt.MouseButton.RightButton and drag.get("window") is not None:
            center, width = dragged_window(drag["window"], x - x0, y - y0)
            self.state.set_window(center, width)
        elif button == Qt.MouseButton.LeftButton:
            per_image = max(DRAG_PIXELS_PER_IMAGE, self.renderer.viewport_size()[1] / max(1, self.count) / 2)
            self.state.image_index = drag["index"] + int((y - y0) / per_image)
        elif button == Qt.MouseButton.MiddleButton:
            lx, ly = drag["last"]
            viewport, image, aspect = self.renderer._transform_args()
            self.state.pan_by_screen(x - lx, y - ly, viewport, image, aspect)
        drag["last"] = (x, y)
        ev.accept()

    def _mouse_release(self, ev: QMouseEvent) -> None:
        if self._tool_drag and ev.button() == Qt.MouseButton.LeftButton:
            self._tool_drag = False
            if self.tool is not None:
                self.tool.release(self, self._screen_point(ev.position()), ev.modifiers())
        self._drag = None
        ev.accept()

    def pick(self, x: float, y: float) -> tuple[float, float]:
        """Image (column, row) under the view's point (x, y) in Qt logical pixels; pixel centres
        at whole numbers (the convention of workstation.model.viewport)."""
        return self.renderer.pick(*self._screen_point(QPointF(x, y)))

    def pick_screen(self, point: tuple[float, float]) -> tuple[float, float]:
        """Image (column, row) under a render-window point (device pixels, y down)."""
        return self.renderer.pick(*point)

    def _wheel(self, ev: QWheelEvent) -> None:
        self._wheel_rest += ev.angleDelta().y() / 120.0
        notches = int(self._wheel_rest)
        if notches == 0:
            ev.accept()
            return
        self._wheel_rest -= notches
        if ev.modifiers() & Qt.KeyboardModifier.ControlModifier:
            viewport, image, aspect = self.renderer._transform_args()
            anchor = self._screen_point(ev.position())
            self.state.zoom_about(ZOOM_STEP ** notches, anchor, viewport, image, aspect)
        else:
            self.state.scroll(-notches)  # wheel towards the user: next image
        ev.accept()

    def mousePressEvent(self, ev: QMouseEvent) -> None:  # noqa: N802
        self.activated.emit()
        super().mousePressEvent(ev)

    def _double_click(self, ev: QMouseEvent) -> None:
        self.double_clicked.emit()
        ev.accept()

    def _key_press(self, ev: QKeyEvent) -> None:
        self.keyPressEvent(ev)

    def keyPressEvent(self, ev: QKeyEvent) -> None:  # noqa: N802
        if self.tool is not None and self.tool.key(self, ev.key(), ev.modifiers()):
            ev.accept()
            return
        if not self._key(ev.key(), ev.modifiers()):
            super().keyPressEvent(ev)

    def _key(self, key: int, modifiers: Any) -> bool:
        """Handle a key; True when it was one of the viewport's."""
        s = self.state
        ctrl = bool(modifiers & Qt.KeyboardModifier.ControlModifier)
        K = Qt.Key
        if key in (K.Key_Up, K.Key_Left):
            s.scroll(-1)
        elif key in (K.Key_Down, K.Key_Right):
            s.scroll(1)
        elif key == K.Key_PageUp:
            s.scroll(-PAGE_STEP)
        elif key == K.Key_PageDown:
            s.scroll(PAGE_STEP)
        elif key == K.Key_Home:
            s.image_index = 0
        elif key == K.Key_End:
            s.image_index = s.image_count - 1
        elif K.Key_1 <= key <= K.Key_9 and not ctrl:
            preset = preset_for_key(int(key) - int(K.Key_0), self.presets())
            if preset is None:
                return False
            self.apply_preset(preset)
        elif key == K.Key_R and ctrl:
            s.rotate_clockwise()
        elif key == K.Key_A and not ctrl:
            self.auto_window()
        elif key == K.Key_I and not ctrl:
            s.invert = not s.invert
        elif key == K.Key_F and not ctrl:
            s.fit()
        elif key == K.Key_Z and not ctrl:
            s.one_to_one()
        elif key == K.Key_H and not ctrl:
            s.flip_screen_horizontal()
        elif key == K.Key_V and not ctrl:
            s.flip_screen_vertical()
        elif key in (K.Key_Escape, K.Key_R):
            self.renderer.voi_function = None
            s.reset_view()
        else:
            return False
        return True

    def event(self, ev: QEvent) -> bool:
        if ev.type() == QEvent.Type.FocusIn:
            self.activated.emit()
        return super().event(ev)

    def closeEvent(self, ev: Any) -> None:  # noqa: N802
        self._render_timer.stop()
        self.state.events.disconnect(self._state_changed)
        self.renderer.state.events.disconnect(self.renderer._on_state)
        self.view.Finalize()
        super().closeEvent(ev)
