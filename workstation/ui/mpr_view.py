"""Three-plane MPR in the reading room: axial, coronal and sagittal panes linked by a crosshair.

One :class:`~workstation.render.mpr.MprViewer` (one copy of the volume, one ``vtkImageReslice``
per plane) draws into one QVTK render window split 2 x 2: axial top left, coronal top right,
sagittal bottom left, and a legend pane (crosshair position in patient LPS mm, PS3.3
C.7.6.2.1.1; plane orientation; slab) bottom right. The geometry is the model's
(:class:`~workstation.model.mpr.MprState`): a point clicked in one pane is one patient point, and
the other planes pass through it.

Mouse: left-drag moves the crosshair (the other planes follow), wheel scrolls the pane's plane
(the crosshair moves one voxel along its normal), Ctrl+wheel zooms about the mouse, middle-drag
pans, Ctrl+left-drag turns the crosshair axes about the pane's normal (oblique and
double-oblique planes), right-drag changes window (horizontal: width) and level (vertical:
centre) as in the 2D viewport (PS3.3 C.11.2.1.2), double-click maximises a pane and restores
the 2 x 2 layout. Keys (the pane under the mouse, else the last one used): Up/Down and Page
Up/Down scroll, [ and ] turn the crosshair 5 degrees, O resets to orthogonal planes, Home fits
the panes again (zoom and pan off), 1-9 window presets, A the image's own window. Slab
thickness (mm), projection (MIP, MinIP, average) and interpolation are in the tool row above
the panes.

Curved MPR: the "Curved" button starts a path in the pane used last (any of the three); each
click there adds a point (LPS, as picked), Enter or Esc finishes it, and the fourth pane shows
the stretched reformat along it (:func:`workstation.model.resample.curved_reformat`), or a
sentence asking for points while the path has fewer than two. Esc after finishing closes the
curved pane.

Measurements (:mod:`workstation.ui.mpr_measure`): the "Measure" choice (length, angle, probe)
makes left clicks place points on any pane, in patient mm (right on oblique planes); each pane
shows those its plane passes through within half a voxel; Del deletes the selected one, Ctrl+Z
and Ctrl+Y undo and redo; the list beside the panes (click: go there) and the legend show them.

A hanging protocol's MPR viewport is an ``MprView(pane=plane)``: that plane alone, no tool row
(the keys, mouse and window work as in the tab).

Fourth pane: the legend, or "Source image": the acquired slice nearest to the crosshair with the
lines where the MPR planes cut it (:class:`~workstation.render.mpr.SourceView`). ``planes_changed``
carries the planes as :class:`~workstation.model.image_plane.ImagePlane` objects after every
change, for reference lines on the 2D viewports. While the mouse drags or the wheel turns,
oblique thick slabs are drawn on a 2x coarser preview grid and sharp again 250 ms after.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import vtkmodules.qt
from pydicom.dataset import Dataset
from PySide6.QtCore import QCoreApplication, QPointF, Qt, QTimer, Signal
from PySide6.QtGui import QMouseEvent, QWheelEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QWidget,
)

vtkmodules.qt.PyQtImpl = "PySide6"
from vtkmodules.vtkRenderingCore import vtkRenderer, vtkTextActor  # noqa: E402

from workstation.annotate.measurements import Kind  # noqa: E402
from workstation.errors import WorkstationError  # noqa: E402
from workstation.model.geometry import VolumeGeometry, orientation_letters  # noqa: E402
from workstation.model.mpr import MAX_SLAB_MM, PLANE_NAMES, Interpolation, MprState, Projection  # noqa: E402
from workstation.model.presets import WindowPreset, available_presets, preset_for_key  # noqa: E402
from workstation.render.vtk_window import FrameReader  # noqa: E402
from workstation.ui.core_text import preset_label  # noqa: E402
from workstation.ui.i18n import QT_TRANSLATE_NOOP, format_number  # noqa: E402
from workstation.ui.mpr_measure import MprMeasureTool  # noqa: E402
from workstation.ui.viewport import dragged_window  # noqa: E402
from workstation.ui.vtk_host import VolumeLoadingView  # noqa: E402

#: Where each plane sits in the 2 x 2 window: (x0, y0, x1, y1) in VTK's normalised viewport
#: coordinates (y up). The fourth quarter holds the legend.
PANE_VIEWPORTS: dict[str, tuple[float, float, float, float]] = {
    "axial": (0.0, 0.5, 0.5, 1.0),
    "coronal": (0.5, 0.5, 1.0, 1.0),
    "sagittal": (0.0, 0.0, 0.5, 0.5),
}
LEGEND_VIEWPORT = (0.5, 0.0, 1.0, 0.5)
#: The whole window, for a maximised pane.
FULL_VIEWPORT = (0.0, 0.0, 1.0, 1.0)
#: Magnification per wheel notch with Ctrl held.
ZOOM_PER_NOTCH = 1.2
#: Degrees the crosshair turns per [ or ] key press.
ROTATE_STEP_DEGREES = 5.0
#: Positions per Page Up / Page Down.
PAGE_STEP = 10
PROJECTIONS = ((QT_TRANSLATE_NOOP("MprView", "Thin"), Projection.NONE), ("MIP", Projection.MIP), (QT_TRANSLATE_NOOP("MprView", "MinIP"), Projection.MINIP), (QT_TRANSLATE_NOOP("MprView", "Average"), Projection.AVERAGE))
INTERPOLATIONS = ((QT_TRANSLATE_NOOP("MprView", "Linear"), Interpolation.LINEAR), (QT_TRANSLATE_NOOP("MprView", "Cubic"), Interpolation.CUBIC), (QT_TRANSLATE_NOOP("MprView", "Nearest"), Interpolation.NEAREST))
MEASURE_TOOLS = ((QT_TRANSLATE_NOOP("MprView", "No measuring"), None), (QT_TRANSLATE_NOOP("MprView", "Length"), Kind.LENGTH), (QT_TRANSLATE_NOOP("MprView", "Angle"), Kind.ANGLE), (QT_TRANSLATE_NOOP("MprView", "Probe"), Kind.PROBE))
#: What the fourth pane shows when no curved reformat is open.
FOURTH_PANES = ((QT_TRANSLATE_NOOP("MprView", "Legend"), "legend"), (QT_TRANSLATE_NOOP("MprView", "Source image"), "source"))
#: Milliseconds after the last drag or wheel step before the full-quality picture is drawn.
SETTLE_MS = 250


def _choice(items: Sequence[tuple[str, Any]], tooltip: str) -> QComboBox:
    """A combo box of (label, value) items with a tool tip."""
    combo = QComboBox()
    for label, value in items:
        combo.addItem(QCoreApplication.translate("MprView", label), value)
    combo.setToolTip(tooltip)
    return combo


class MprView(VolumeLoadingView):
    """Axial, coronal and sagittal reformats of one volume with a linking crosshair.

    Build it empty and call :meth:`load` (runs in a :class:`~workstation.ui.tasks.Task`, with
    progress) or :meth:`set_volume` with a volume already in memory. ``title`` names the series
    (for the tab). Signals: ``loaded()`` when the volume is shown, ``failed(str)`` with one
    sentence when it could not be loaded, ``crosshair_moved(numpy LPS point)``.
    """

    crosshair_moved = Signal(object)
    #: The three planes after any change (crosshair, rotation): {name: ImagePlane}, for
    #: reference lines on the 2D viewports (workstation.model.spatial.reference_line).
    planes_changed = Signal(object)
    #: The MPR measurements changed (added, deleted, selected).
    measurements_changed = Signal()

    def __init__(self, parent: QWidget | None = None, *, title: str = "", pane: str | None = None) -> None:
        super().__init__(parent)
        self.title = title
        #: A hanging protocol's MPR viewport: only this plane, over the whole view, no tool row.
        self.pane = pane if pane in PANE_VIEWPORTS else None
        #: Set by the main window: the study view, "mpr"/"3d" and the display set shown.
        self.reformat_of: Any = None
        self.reformat_kind = ""
        self.reformat_display_set: Any = None
        self.viewer: Any = None  # workstation.render.mpr.MprViewer once a volume is set
        self.state: MprState | None = None
        self.header: Dataset | None = None
        self.note = ""
        self.active_pane = "axial"
        self._drag: dict[str, Any] | None = None
        self._wheel_rest = 0.0
        self._zoom_rest = 0.0
        #: The pane shown alone (double-click), or None for the 2 x 2 layout.
        self.maximised: str | None = None
        #: Curved MPR: the fourth pane shows the curved reformat; clicks add path points.
        self.curved_active = False
        self.curved_drawing = False

        self.slab = QDoubleSpinBox()
        self.slab.setRange(0.0, MAX_SLAB_MM)
        self.slab.setDecimals(1)
        self.slab.setSingleStep(1.0)
        self.slab.setSuffix(self.tr(" mm"))
        self.slab.setToolTip(self.tr("Slab thickness in mm (0: a thin plane)"))
        self.projection = _choice(PROJECTIONS, self.tr("How a thick slab is projected"))
        self.interpolation = _choice(INTERPOLATIONS, self.tr("Interpolation between voxel centres"))
        self.presets = QComboBox()
        self.presets.setToolTip(self.tr("Window presets (keys 1-9); right-drag changes the window"))
        self.reset_button = QPushButton(self.tr("Orthogonal (O)"))
        self.reset_button.setToolTip(self.tr("Reset the crosshair axes to axial, coronal and sagittal"))
        self.curved_button = QPushButton(self.tr("Curved"))
        self.curved_button.setCheckable(True)
        self.curved_button.setToolTip(self.tr("Curved MPR: click points along a structure in the pane used last; Enter or Esc finishes"))
        self.position = QLabel("")
        self.measure_tool = _choice(MEASURE_TOOLS, self.tr("Measure on any plane in mm (patient space): click the points; Del deletes the selected one"))
        self.fourth_pane_choice = _choice(
            FOURTH_PANES, self.tr("Fourth pane: the legend, or the acquired slice at the crosshair with the planes' reference lines"))
        self.measurement_list = QListWidget()
        self.measurement_list.setMaximumWidth(300)
        self.measurement_list.setMinimumWidth(220)
        self.measurement_list.setToolTip(self.tr("MPR measurements: click one to select it and go to its plane; Del deletes it"))
        self.measurement_list.setVisible(False)
        self.measure = MprMeasureTool(self)
        #: "legend" or "source": the fourth pane when no curved reformat is open.
        self.fourth_pane = "legend"
        self._planes_sent: tuple[Any, ...] | None = None

        tools = QHBoxLayout()
        for text, widget in ((self.tr("Slab"), self.slab), ("", self.projection), (self.tr("Interpolation"), self.interpolation), (self.tr("Window"), self.presets)):
            if text:
                tools.addWidget(QLabel(text))
            tools.addWidget(widget)
        tools.addWidget(self.reset_button)
        tools.addWidget(self.curved_button)
        tools.addWidget(QLabel(self.tr("Measure")))
        tools.addWidget(self.measure_tool)
        tools.addWidget(self.fourth_pane_choice)
        tools.addStretch(1)
        tools.addWidget(self.position)
        tools.addWidget(self.progress)

        if self.pane is not None:  # a pane in the viewport grid: the plane alone, progress above it
            holder = QWidget()
            holder.setLayout(tools)
            holder.setVisible(False)
            tools = QHBoxLayout()
            tools.addWidget(self.progress)
            tools.addWidget(holder)
        self._host_view(tools, above=(self.message,), beside=self.measurement_list)
        self._set_controls_enabled(False)

        self.slab.valueChanged.connect(lambda _v: self._slab_changed(from_thickness=True))
        self.projection.currentIndexChanged.connect(lambda _i: self._slab_changed(from_thickness=False))
        self.interpolation.currentIndexChanged.connect(self._interpolation_changed)
        self.presets.activated.connect(self._preset_chosen)
        self.reset_button.clicked.connect(self.reset_orientation)
        self.curved_button.toggled.connect(lambda on: self.start_curved() if on else self.finish_curved())
        self.measure_tool.currentIndexChanged.connect(lambda _i: self.set_measure_tool(self.measure_tool.currentData()))
        self.fourth_pane_choice.currentIndexChanged.connect(lambda _i: self.show_fourth_pane(self.fourth_pane_choice.currentData()))
        self.measure.changed.connect(self._measurements_changed)
        self.measurement_list.currentRowChanged.connect(self._measurement_row_chosen)

        self._settle_timer = QTimer(self)
        self._settle_timer.setSingleShot(True)
        self._settle_timer.setInterval(SETTLE_MS)
        self._settle_timer.timeout.connect(self._settled)

        self._legend_renderer = vtkRenderer()
        self._legend_renderer.SetViewport(*LEGEND_VIEWPORT)
        self._legend_renderer.SetBackground(0.06, 0.06, 0.06)
        self._legend = vtkTextActor()
        self._legend.GetTextProperty().SetFontSize(14)
        self._legend.GetTextProperty().SetColor(0.85, 0.85, 0.85)
        self._legend.GetPositionCoordinate().SetCoordinateSystemToViewport()
        self._legend.GetPositionCoordinate().SetValue(12.0, 12.0)
        self._legend_renderer.AddViewProp(self._legend)
        self._curved_renderer = vtkRenderer()
        self._source_renderer = vtkRenderer()

    # -- loading ------------------------------------------------------------------------------
    def set_volume(self, volume: np.ndarray, geometry: VolumeGeometry, header: Dataset, *, note: str = "") -> None:
        """Show ``volume`` (stored values [k, j, i], kept without a copy) placed by ``geometry``;
        ``header`` gives the display pipeline (Modality LUT, VOI, photometric interpretation)."""
        from workstation.render.mpr import MprViewer

        self.release()
        self.state = MprState(geometry)
        window = self.view.GetRenderWindow()
        self._ensure_initialised()
        self.viewer = MprViewer(np.ascontiguousarray(volume), geometry, header, state=self.state, render_window=window, offscreen=False)
        self.viewer.source_label = "resampled grid" if note else ""
        self.measure.reset()
        self._planes_sent = None
        self.maximised = self.pane
        self._apply_layout()
        self.viewer.fit()  # the panes changed shape: fit each plane's field again
        self.header = header
        self.note = note
        self._fill_presets()
        self._volume_shown(note)

    def release(self) -> None:
        """Free the volume and the reslice pipelines (a closed tab); cancels a running load."""
        self._cancel_load()
        if self.viewer is not None:
            window = self.view.GetRenderWindow()
            for view in self.viewer.views.values():
                view.renderer.RemoveAllViewProps()
                window.RemoveRenderer(view.renderer)
            self.viewer.show_curved(None)
            self.viewer.show_source(None)
            window.RemoveRenderer(self._legend_renderer)
            window.RemoveRenderer(self._curved_renderer)
            window.RemoveRenderer(self._source_renderer)
            self.viewer = None
            self.state = None
        self.curved_active = self.curved_drawing = False
        self.curved_button.blockSignals(True)
        self.curved_button.setChecked(False)
        self.curved_button.blockSignals(False)
        self._set_controls_enabled(False)

    def _set_controls_enabled(self, on: bool) -> None:
        for widget in (self.slab, self.projection, self.interpolation, self.presets, self.reset_button, self.curved_button,
                       self.measure_tool, self.fourth_pane_choice):
            widget.setEnabled(on)

    # -- window presets -------------------------------------------------------------------------
    def window_presets(self) -> list[WindowPreset]:
        header = self.header
        return available_presets(str(header.get("Modality", "")) if header is not None else "", header)

    def _fill_presets(self) -> None:
        self.presets.clear()
        for preset in self.window_presets():
            self.presets.addItem(preset_label(preset) + (f"  [{preset.key}]" if preset.key else ""), preset)

    def _preset_chosen(self, index: int) -> None:
        preset = self.presets.itemData(index)
        if isinstance(preset, WindowPreset):
            self.set_window(preset.center, preset.width)

    def set_window(self, center: float, width: float) -> None:
        """Window centre and width in modality units (HU for CT) on every pane."""
        if self.viewer is None:
            return
        self.viewer.set_window(center, width)
        self._request_render()

    def current_window(self) -> tuple[float, float] | None:
        """(centre, width) shown now, or None for a non-linear VOI LUT."""
        if self.viewer is None:
            return None
        voi = self.viewer.display_table().voi
        center, width = getattr(voi, "center", None), getattr(voi, "width", None)
        return (float(center), float(width)) if center is not None and width is not None else None

    # -- slab and interpolation -----------------------------------------------------------------
    def _slab_changed(self, *, from_thickness: bool) -> None:
        if self.state is None:
            return
        thickness = float(self.slab.value())
        projection = self.projection.currentData()
        if from_thickness and thickness > 0 and projection is Projection.NONE:
            self.projection.blockSignals(True)
            self.projection.setCurrentIndex(1)  # a thickness asks for a slab: MIP to begin with
            self.projection.blockSignals(False)
            projection = Projection.MIP
        self.state.set_slab(thickness, projection)
        self._request_render()

    def set_slab(self, thickness_mm: float, projection: Projection | str) -> None:
        """Thick slab on every plane, as the tool row sets it (0 mm or 'none': thin)."""
        wanted = Projection.parse(projection)
        self.projection.blockSignals(True)
        self.projection.setCurrentIndex(next(i for i, (_l, p) in enumerate(PROJECTIONS) if p is wanted))
        self.projection.blockSignals(False)
        self.slab.setValue(float(thickness_mm))
        self._slab_changed(from_thickness=False)

    def _interpolation_changed(self, _index: int) -> None:
        if self.state is not None:
            self.state.interpolation = self.interpolation.currentData()
            self._request_render()

    # -- crosshair ------------------------------------------------------------------------------
    def reset_orientation(self) -> None:
        """Back to orthogonal axial, coronal and sagittal planes (the crosshair stays)."""
        if self.state is not None:
            self.state.reset_orientation()
            self._request_render()

    def move_crosshair(self, point: np.ndarray) -> None:
        if self.state is None:
            return
        self.state.center = point
        self.crosshair_moved.emit(self.state.center)
        self._request_render()

    def scroll_plane(self, name: str, steps: float) -> None:
        """Move plane ``name`` ``steps`` voxels along its normal (the crosshair follows)."""
        if self.state is None:
            return
        self.state.scroll(name, steps)
        self.crosshair_moved.emit(self.state.center)
        self._request_render()

    def rotate(self, name: str, degrees: float) -> None:
        """Turn the crosshair axes in pane ``name`` counter-clockwise by ``degrees``."""
        if self.state is None:
            return
        self.state.rotate(name, degrees)
        self._request_render()

    # -- panes and screen coordinates -----------------------------------------------------------
    def _window_size(self) -> tuple[int, int]:
        w, h = self.view.GetRenderWindow().GetSize()
        return max(1, int(w)), max(1, int(h))

    def pane_layout(self) -> dict[str, tuple[float, float, float, float]]:
        """The panes shown now and where: plane names, then "legend" or "curved" for the
        fourth quarter; one pane over the whole window when one is maximised."""
        panes = dict(PANE_VIEWPORTS)
        panes["curved" if self.curved_active else self.fourth_pane] = LEGEND_VIEWPORT
        if self.maximised in panes:
            return {self.maximised: FULL_VIEWPORT}
        return panes

    def _apply_layout(self) -> None:
        """Put each shown pane's renderer at its place and take the others out of the window."""
        if self.viewer is None:
            return
        window = self.view.GetRenderWindow()
        renderers = {name: view.renderer for name, view in self.viewer.views.items()}
        renderers["legend"] = self._legend_renderer
        renderers["curved"] = self._curved_renderer
        renderers["source"] = self._source_renderer
        layout = self.pane_layout()
        self.viewer.show_source(self._source_renderer if "source" in layout else None)
        for name, renderer in renderers.items():
            if name in layout:
                renderer.SetViewport(*layout[name])
                if not window.HasRenderer(renderer):
                    window.AddRenderer(renderer)
            elif window.HasRenderer(renderer):
                window.RemoveRenderer(renderer)
        self.viewer.fit(keep_zoom=True)
        self._request_render()

    def toggle_maximised(self, name: str) -> None:
        """Show pane ``name`` alone over the whole window, or restore the 2 x 2 layout (never
        for a one-plane pane of the viewport grid)."""
        if self.pane is not None:
            return
        self.maximised = None if self.maximised is not None else name
        self._apply_layout()

    def pane_at(self, x: float, y: float) -> tuple[str, float, float] | None:
        """(pane, x, y in that pane's pixels, y down) of a render-window point (y down)."""
        w, h = self._window_size()
        fx, fy = x / w, 1.0 - y / h
        for name, (x0, y0, x1, y1) in self.pane_layout().items():
            if x0 <= fx < x1 and y0 < fy <= y1:
                return name, x - x0 * w, y - (1.0 - y1) * h
        return None

    def pane_origin(self, name: str) -> tuple[float, float]:
        """Top-left corner of pane ``name`` in render-window pixels (y down)."""
        w, h = self._window_size()
        x0, _y0, _x1, y1 = self.pane_layout().get(name, PANE_VIEWPORTS.get(name, LEGEND_VIEWPORT))
        return x0 * w, (1.0 - y1) * h

    def screen_of(self, name: str, point: np.ndarray) -> tuple[float, float]:
        """Render-window pixel (y down) where patient ``point`` projects in pane ``name``."""
        assert self.viewer is not None
        self._flush()
        sx, sy = self.viewer.screen_of(name, point)
        ox, oy = self.pane_origin(name)
        return ox + sx, oy + sy

    def show_fourth_pane(self, which: str) -> None:
        """The fourth pane shows the legend ("legend") or the acquired slice nearest to the
        crosshair with the planes' reference lines ("source"); a curved reformat, while open,
        takes the pane."""
        if which not in dict((k, k) for _l, k in FOURTH_PANES):
            raise WorkstationError(f"The fourth MPR pane shows the legend or the source image, not {which!r}.")
        self.fourth_pane = which
        index = next(i for i, (_l, k) in enumerate(FOURTH_PANES) if k == which)
        if self.fourth_pane_choice.currentIndex() != index:
            self.fourth_pane_choice.blockSignals(True)
            self.fourth_pane_choice.setCurrentIndex(index)
            self.fourth_pane_choice.blockSignals(False)
        if self.maximised in ("legend", "source"):
            self.maximised = None
        self._apply_layout()

    # -- measurements ---------------------------------------------------------------------------
    def set_measure_tool(self, kind: Kind | str | None) -> None:
        """Length, angle or probe on the planes (clicks place points), or None (clicks move
        the crosshair)."""
        self.measure.set_tool(kind)
        wanted = self.measure.tool
        index = next(i for i, (_l, k) in enumerate(MEASURE_TOOLS) if k == wanted)
        if self.measure_tool.currentIndex() != index:
            self.measure_tool.blockSignals(True)
            self.measure_tool.setCurrentIndex(index)
            self.measure_tool.blockSignals(False)
        self._request_render()

    @property
    def measurements(self) -> list[Any]:
        """The MPR measurements (:class:`~workstation.annotate.plane_measurements.PlaneMeasurement`)."""
        return list(self.measure.items)

    def add_measurements(self, measurements: Any) -> None:
        """Show measurements made before (such as those read back from the archive with
        :func:`workstation.annotate.plane_sr.plane_measurements_from_sr`); ids already here are
        skipped. One undo step each."""
        known = {m.id for m in self.measure.items}
        for m in measurements:
            if m.id not in known:
                self.measure.items.add(m)
                known.add(m.id)
        self.measure.changed.emit()

    def _measurements_changed(self) -> None:
        lines = self.measure.descriptions()
        self.measurement_list.blockSignals(True)
        self.measurement_list.clear()
        for line, m in zip(lines, self.measure.items, strict=True):
            item = QListWidgetItem(line)
            item.setData(Qt.ItemDataRole.UserRole, m.id)
            self.measurement_list.addItem(item)
            if m.id == self.measure.selected:
                self.measurement_list.setCurrentItem(item)
        self.measurement_list.blockSignals(False)
        self.measurement_list.setVisible(bool(lines))
        if self.measure.error:
            self.message.setText(self.measure.error)
            self.message.setVisible(True)
        self.measurements_changed.emit()
        self._request_render()

    def _measurement_row_chosen(self, row: int) -> None:
        if not 0 <= row < len(self.measure.items):
            return
        self.go_to_measurement(self.measure.items.items[row].id)

    def go_to_measurement(self, id: str) -> None:
        """Select a measurement and move the crosshair to it (its plane passes through it
        again when the planes' orientations are those it was drawn on)."""
        m = self.measure.items.get(id)
        self.measure.select(id)
        self.move_crosshair(m.centroid)

    # -- zoom and pan ---------------------------------------------------------------------------
    def zoom(self, name: str, factor: float, x: float | None = None, y: float | None = None) -> None:
        """Magnify pane ``name`` by ``factor`` about its pixel (x, y) (y down; default centre)."""
        if self.viewer is not None:
            self.viewer.zoom(name, factor, x, y)
            self._request_render()

    def pan(self, name: str, dx: float, dy: float) -> None:
        """Move pane ``name``'s picture by (dx, dy) screen pixels (y down)."""
        if self.viewer is not None:
            self.viewer.pan(name, dx, dy)
            self._request_render()

    def fit(self) -> None:
        """Every pane shows its whole field again (zoom and pan off)."""
        if self.viewer is not None:
            self.viewer.fit()
            self._request_render()

    # -- curved MPR -----------------------------------------------------------------------------
    def start_curved(self, plane: str | None = None) -> None:
        """Begin a new curved-MPR path in pane ``plane`` (default: the pane used last, where
        the mouse or the keys acted); the fourth pane shows the reformat."""
        if self.viewer is None:
            return
        plane = plane or self.active_pane
        if plane not in self.viewer.views:
            raise WorkstationError(f"A curved path is drawn on the axial, coronal or sagittal pane, not on {plane!r}.")
        self.curved_active = True
        self.curved_drawing = True
        self.viewer.set_curved_path([])
        self.viewer.show_curved(self._curved_renderer, plane=plane)
        self.curved_button.blockSignals(True)
        self.curved_button.setChecked(True)
        self.curved_button.blockSignals(False)
        self.message.setText(self.tr("Curved MPR: click points along the structure in the {0} pane; Enter or Esc finishes.").format(plane))
        self.message.setVisible(True)
        self._apply_layout()

    def add_curved_point(self, point: np.ndarray) -> None:
        """Add an LPS point to the curved path (while one is being drawn)."""
        if self.viewer is not None and self.curved_drawing:
            self.viewer.add_curved_point(point)
            self._request_render()

    def finish_curved(self) -> None:
        """Stop adding points; the curved pane keeps showing the path's reformat."""
        self.curved_drawing = False
        self.curved_button.blockSignals(True)
        self.curved_button.setChecked(False)
        self.curved_button.blockSignals(False)
        self.message.setText(self.note)
        self.message.setVisible(bool(self.note))
        self._request_render()

    def close_curved(self) -> None:
        """Drop the path and show the legend in the fourth pane again."""
        self.finish_curved()
        self.curved_active = False
        if self.viewer is not None:
            self.viewer.set_curved_path([])
            self.viewer.show_curved(None)
            if self.maximised == "curved":
                self.maximised = None
            self._apply_layout()

    @property
    def curved_path(self) -> list[np.ndarray]:
        return list(self.viewer.curved_path) if self.viewer is not None else []

    def _screen_point(self, pos: QPointF) -> tuple[float, float]:
        ratio = self.view.devicePixelRatioF()
        return pos.x() * ratio, pos.y() * ratio

    # -- input ----------------------------------------------------------------------------------
    def _flush(self) -> None:
        """Draw a pending change now, so that screen points map through the planes shown."""
        if self.render_pending:
            self.render_now()

    def _mouse_press(self, ev: QMouseEvent) -> None:
        self.view.setFocus()
        ev.accept()
        if self.viewer is None:
            return
        self._flush()
        x, y = self._screen_point(ev.position())
        hit = self.pane_at(x, y)
        if hit is None:
            self._drag = None
            return
        name, px, py = hit
        if name not in self.viewer.views:  # the legend or the curved pane
            self._drag = None
            return
        self.active_pane = name
        button = ev.button()
        drag: dict[str, Any] = {"pane": name, "button": button, "start": (x, y), "last": (x, y)}
        if self.curved_drawing and button == Qt.MouseButton.LeftButton:
            if name == self.viewer.curved_plane:
                self.add_curved_point(self.viewer.pick(name, px, py))
            self._drag = None
            return
        if (button == Qt.MouseButton.LeftButton and self.measure.tool is not None
                and not ev.modifiers() & Qt.KeyboardModifier.ControlModifier):
            self.measure.press(name, px, py)
            self._drag = None
            self._request_render()
            return
        if button == Qt.MouseButton.MiddleButton:
            drag["pan"] = True
        elif button == Qt.MouseButton.LeftButton and ev.modifiers() & Qt.KeyboardModifier.ControlModifier:
            drag["rotate"] = True
        elif button == Qt.MouseButton.LeftButton:
            self.move_crosshair(self.viewer.pick(name, px, py))
        elif button == Qt.MouseButton.RightButton:
            drag["window"] = self.current_window()
        self._drag = drag

    def _mouse_move(self, ev: QMouseEvent) -> None:
        ev.accept()
        drag = self._drag
        if self.measure.pending and self.viewer is not None:
            hit = self.pane_at(*self._screen_point(ev.position()))
            if hit is not None and hit[0] == self.measure.pending_pane:
                self.measure.move(*hit)
                self._request_render()
        if drag is None or self.viewer is None or self.state is None:
            return
        x, y = self._screen_point(ev.position())
        if not drag.get("window"):
            self._interacting()
        name = drag["pane"]
        ox, oy = self.pane_origin(name)
        if drag.get("pan"):
            lx, ly = drag["last"]
            self.pan(name, x - lx, y - ly)
        elif drag["button"] == Qt.MouseButton.LeftButton and drag.get("rotate"):
            cx, cy = self.screen_of(name, self.state.center)
            lx, ly = drag["last"]
            before = math.atan2(-(ly - cy), lx - cx)
            after = math.atan2(-(y - cy), x - cx)
            turn = math.degrees(math.remainder(after - before, 2 * math.pi))
            if abs(turn) > 1e-6 and math.hypot(x - cx, y - cy) > 4:
                self.rotate(name, turn)
        elif drag["button"] == Qt.MouseButton.LeftButton:
            self.move_crosshair(self.viewer.pick(name, x - ox, y - oy))
        elif drag["button"] == Qt.MouseButton.RightButton and drag.get("window") is not None:
            x0, y0 = drag["start"]
            self.set_window(*dragged_window(drag["window"], x - x0, y - y0))
        drag["last"] = (x, y)

    def _mouse_release(self, ev: QMouseEvent) -> None:
        self._drag = None
        ev.accept()
        if self.viewer is not None and self.viewer.interactive:
            self._settle_timer.stop()
            self._settled()

    def _interacting(self) -> None:
        """A drag or wheel step: draw expensive oblique slabs coarsely until things settle."""
        if self.viewer is not None:
            self.viewer.interactive = True
            self._settle_timer.start()

    def _settled(self) -> None:
        """Full quality again after the last drag or wheel step."""
        if self.viewer is not None and self.viewer.interactive:
            self.viewer.interactive = False
            self._request_render()

    def _double_click(self, ev: QMouseEvent) -> None:
        ev.accept()
        if self.viewer is not None and (self.curved_drawing or self.measure.tool is not None):
            self._mouse_press(ev)  # Qt sends a quick second click as a double-click: a point
            return
        if self.viewer is None or ev.button() != Qt.MouseButton.LeftButton:
            return
        hit = self.pane_at(*self._screen_point(ev.position()))
        if hit is not None:
            self.toggle_maximised(hit[0])

    def _wheel(self, ev: QWheelEvent) -> None:
        ev.accept()
        if self.viewer is None:
            return
        hit = self.pane_at(*self._screen_point(ev.position()))
        if hit is None or hit[0] not in self.viewer.views:
            return
        self.active_pane = hit[0]
        if ev.modifiers() & Qt.KeyboardModifier.ControlModifier:
            self._zoom_rest += ev.angleDelta().y() / 120.0
            notches, self._zoom_rest = self._zoom_rest, 0.0
            if notches:
                self.zoom(hit[0], ZOOM_PER_NOTCH ** notches, hit[1], hit[2])
            return
        self._wheel_rest += ev.angleDelta().y() / 120.0
        notches = int(self._wheel_rest)
        if notches:
            self._interacting()
            self._wheel_rest -= notches
            self.scroll_plane(hit[0], -notches)  # wheel towards the user: deeper along the normal

    def handle_key(self, key: int, modifiers: Any) -> bool:
        """A key of the MPR view; True when it was one."""
        if self.state is None:
            return False
        ctrl = bool(modifiers & Qt.KeyboardModifier.ControlModifier)
        K = Qt.Key
        pane = self.active_pane
        if key == K.Key_Escape and self.measure.pending:
            self.measure.cancel()
            self._request_render()
        elif key in (K.Key_Delete, K.Key_Backspace) and self.measure.selected is not None:
            self.measure.delete_selected()
        elif ctrl and key == K.Key_Z:
            self.measure.undo()
        elif ctrl and key == K.Key_Y:
            self.measure.redo()
        elif key in (K.Key_Return, K.Key_Enter, K.Key_Escape) and self.curved_drawing:
            self.finish_curved()
        elif key == K.Key_Escape and self.curved_active:
            self.close_curved()
        elif key == K.Key_Home:
            self.fit()
        elif key in (K.Key_Up, K.Key_Left):
            self.scroll_plane(pane, -1)
        elif key in (K.Key_Down, K.Key_Right):
            self.scroll_plane(pane, 1)
        elif key == K.Key_PageUp:
            self.scroll_plane(pane, -PAGE_STEP)
        elif key == K.Key_PageDown:
            self.scroll_plane(pane, PAGE_STEP)
        elif key == K.Key_BracketLeft:
            self.rotate(pane, ROTATE_STEP_DEGREES)
        elif key == K.Key_BracketRight:
            self.rotate(pane, -ROTATE_STEP_DEGREES)
        elif key == K.Key_O and not ctrl:
            self.reset_orientation()
        elif K.Key_1 <= key <= K.Key_9 and not ctrl:
            preset = preset_for_key(int(key) - int(K.Key_0), self.window_presets())
            if preset is None:
                return False
            self.set_window(preset.center, preset.width)
        elif key == K.Key_A and not ctrl and self.viewer is not None:
            self.viewer.reset_window()  # back to the image's own window (or an automatic one)
            self._request_render()
        else:
            return False
        return True

    # -- drawing --------------------------------------------------------------------------------
    def _resized(self) -> None:
        if self.viewer is not None:
            self.viewer.fit(keep_zoom=True)
            self._request_render()

    def _legend_text(self) -> str:
        state = self.state
        assert state is not None
        c = state.center
        lines = [self.title] if self.title else []
        lines.append(self.tr("Crosshair (LPS mm): {0}, {1}, {2}").format(*(format_number(v, 1) for v in c[:3])))
        for name in PLANE_NAMES:
            plane = state.plane(name)
            n = plane.normal
            lines.append(self.tr("{0}: {1}/{2}  normal {3}").format(name.capitalize(), state.slice_index(name) + 1, state.slice_count(name), orientation_letters(n) or '-'))
        if state.projection is not Projection.NONE:
            lines.append(self.tr("Slab {0} mm {1}").format(format_number(state.slab_thickness, 1), state.projection.name))
        lines.append(self.tr("Interpolation: {0}").format(state.interpolation.value))
        if state.is_oblique:
            lines.append(self.tr("Oblique planes (O: orthogonal)"))
        measured = self.measure.descriptions()
        if measured:
            lines.append("Measurements:")
            lines.extend(measured[-8:])
        return "\n".join(lines)

    def render_now(self) -> None:
        """Draw all panes now."""
        self._render_timer.stop()
        if self.viewer is None or self.state is None:
            return
        self._ensure_initialised()
        self._legend.SetInput(self._legend_text())
        c = self.state.center
        self.position.setText(self.tr("L {0}  P {1}  H {2} mm").format(*(format_number(v, 1) for v in c[:3])))
        self.viewer.update()
        self.measure.draw()
        self.view.GetRenderWindow().Render()
        key = tuple(self.state.plane(name).key() for name in PLANE_NAMES)
        if key != self._planes_sent:
            self._planes_sent = key
            self.planes_changed.emit(self.viewer.planes())

    @property
    def render_pending(self) -> bool:
        return self._render_timer.isActive()

    def capture(self) -> np.ndarray:
        """The whole 2 x 2 picture, (height, width, 3) uint8, drawn now."""
        if self.viewer is None:
            raise WorkstationError(self.tr("The MPR volume is not loaded yet; wait for it to load."))
        self.render_now()
        return FrameReader(self.view.GetRenderWindow(), rerender=False).read()  # just drawn: read that frame back

    def capture_pane(self, name: str) -> np.ndarray:
        """One pane's picture, (height, width, 3) uint8."""
        image = self.capture()
        ox, oy = self.pane_origin(name)
        w, h = self._pane_size(name)
        return image[int(round(oy)):int(round(oy)) + h, int(round(ox)):int(round(ox)) + w]

    def _pane_size(self, name: str) -> tuple[int, int]:
        w, h = self._window_size()
        x0, y0, x1, y1 = self.pane_layout()[name]
        return int(round((x1 - x0) * w)), int(round((y1 - y0) * h))


__all__ = ["FOURTH_PANES", "LEGEND_VIEWPORT", "MEASURE_TOOLS", "MprView", "PANE_VIEWPORTS"]
