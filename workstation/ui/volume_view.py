"""The 3D view in the reading room: direct volume rendering of one volume in a QVTK window.

The renderer is :class:`~workstation.render.volume3d.VolumeRenderer` (CPU ray caster on a
software OpenGL, GPU ray caster on a real GPU; presets from :mod:`workstation.render.presets3d`
in modality values, PS3.3 C.11.1.1; the volume placed in patient LPS space, PS3.3 C.7.6.2.1.1).

Mouse: left-drag rotates (horizontal: about the view-up axis, vertical: about the screen's
horizontal axis), right-drag shifts (vertical) and widens (horizontal) the preset's opacity
curve, wheel zooms, middle-drag pans. While a drag lasts the renderer samples coarsely (quick
while moving); on release it draws at full quality (sharp when still). Shading arrives from a
worker thread after the first picture and is swapped in on the UI thread.
Keys: R reset, 1-6 presets in the order of the preset list.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import vtkmodules.qt
from pydicom.dataset import Dataset
from PySide6.QtCore import QPointF, Qt, Signal
from PySide6.QtGui import QMouseEvent, QWheelEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QWidget,
)

vtkmodules.qt.PyQtImpl = "PySide6"

from workstation.errors import WorkstationError  # noqa: E402
from workstation.model.clip_box import ClipBox  # noqa: E402
from workstation.model.geometry import VolumeGeometry  # noqa: E402
from workstation.render.presets3d import PRESETS  # noqa: E402
from workstation.render.volume3d import VolumeRenderer  # noqa: E402
from workstation.ui.vtk_host import VolumeLoadingView  # noqa: E402

#: Degrees of rotation per screen pixel of left-drag.
DEGREES_PER_PIXEL = 0.5
#: Zoom factor per wheel notch.
ZOOM_STEP = 1.12
#: The clipping box's faces: (label, ClipBox field) per patient axis, low then high.
CLIP_AXES = (("R-L", "x_min", "x_max"), ("A-P", "y_min", "y_max"), ("F-H", "z_min", "z_max"))


def opacity_drag_sensitivity(width: float) -> float:
    """Modality units per screen pixel of right-drag: a 256-pixel drag moves the opacity curve by
    about its own width (at least 1 unit a pixel), so HU and percent presets feel alike."""
    return max(1.0, float(width) / 256.0)


class VolumeView(VolumeLoadingView):
    """3D volume rendering of one volume with presets, clipping box, reset and save.

    Build it empty and call :meth:`load` (a background :class:`~workstation.ui.tasks.Task`) or
    :meth:`set_volume`. Signals: ``loaded()``, ``failed(str)`` (one sentence), ``refined()``
    when the shaded picture replaced the quick first one.
    """

    refined = Signal()
    _refinement_ready = Signal()  # from the shading worker thread, queued to the UI thread

    def __init__(self, parent: QWidget | None = None, *, title: str = "", backend: str = "auto") -> None:
        super().__init__(parent)
        self.title = title
        #: Set by the main window: the study view, "mpr"/"3d" and the display set shown.
        self.reformat_of: Any = None
        self.reformat_kind = ""
        self.reformat_display_set: Any = None
        self.renderer: VolumeRenderer | None = None
        self._backend = backend
        self._drag: dict[str, Any] | None = None
        self._wheel_rest = 0.0
        self._full_box: ClipBox | None = None

        self.preset = QComboBox()
        for preset in PRESETS.values():
            self.preset.addItem(preset.name, preset.key)
        self.preset.setToolTip(self.tr("3D preset (keys 1-6); right-drag shifts and widens its opacity curve"))
        self.shading = QCheckBox(self.tr("Shading"))
        self.shading.setChecked(True)
        self.clip = QCheckBox(self.tr("Clipping box"))
        self.reset_button = QPushButton(self.tr("Reset (R)"))
        self.save_button = QPushButton(self.tr("Save view as image..."))
        self.clip_fields: dict[str, QDoubleSpinBox] = {}
        clip_panel = QGridLayout()
        for row, (label, low, high) in enumerate(CLIP_AXES):
            clip_panel.addWidget(QLabel(label), row, 0)
            for column, field in ((1, low), (2, high)):
                spin = QDoubleSpinBox()
                spin.setDecimals(1)
                spin.setSuffix(self.tr(" mm"))
                spin.setToolTip(self.tr("Clipping box face {0} (patient LPS mm)").format(field))
                spin.setKeyboardTracking(False)
                spin.valueChanged.connect(lambda _v: self._clip_changed())
                self.clip_fields[field] = spin
                clip_panel.addWidget(spin, row, column)
        self.clip_panel = QWidget()
        self.clip_panel.setLayout(clip_panel)
        self.clip_panel.setVisible(False)

        tools = QHBoxLayout()
        tools.addWidget(QLabel(self.tr("Preset")))
        tools.addWidget(self.preset)
        for widget in (self.shading, self.clip, self.reset_button, self.save_button):
            tools.addWidget(widget)
        tools.addStretch(1)
        tools.addWidget(self.progress)

        self._host_view(tools, above=(self.clip_panel, self.message))
        self._set_controls_enabled(False)

        self.preset.currentIndexChanged.connect(lambda _i: self.set_preset(str(self.preset.currentData())))
        self.shading.toggled.connect(self._shading_toggled)
        self.clip.toggled.connect(self._clip_toggled)
        self.reset_button.clicked.connect(self.reset)
        self.save_button.clicked.connect(self._save_dialog)
        self._refinement_ready.connect(self._apply_refinement, Qt.ConnectionType.QueuedConnection)

    # -- loading ------------------------------------------------------------------------------
    def set_volume(self, volume: np.ndarray, geometry: VolumeGeometry, header: Dataset, *, note: str = "") -> None:
        """Render ``volume`` (stored values [k, j, i], no copy) placed by ``geometry``; the
        header's Rescale Slope/Intercept (PS3.3 C.11.1.1) turn HU presets into stored values.
        MR volumes start with the MR preset, others with CT bone."""
        self.release()
        self._ensure_initialised()
        slope = float(header.get("RescaleSlope", 1) or 1)
        intercept = float(header.get("RescaleIntercept", 0) or 0)
        modality = str(header.get("Modality", "") or "")
        key = "mr-default" if modality == "MR" else "ct-bone"
        renderer = VolumeRenderer(self.view.GetRenderWindow(), backend=self._backend,  # type: ignore[arg-type]
                                  on_refinement_ready=self._refinement_ready.emit)
        renderer.set_volume(volume, geometry, rescale=(slope, intercept), preset=key)
        self.renderer = renderer
        self._full_box = ClipBox.around(renderer.patient_corners())
        self._fill_clip_fields(self._full_box)
        self.preset.blockSignals(True)
        self.preset.setCurrentIndex(self.preset.findData(key))
        self.preset.blockSignals(False)
        self._volume_shown(note)

    def add_surfaces(self, overlays: list[Any]) -> None:
        """Segments of the study's segmentations as surfaces in their colours
        (:mod:`workstation.render.segment_surfaces`), placed in patient space with the volume."""
        if self.renderer is None or not overlays:
            return
        from workstation.render.segment_surfaces import add_segment_surfaces

        self.surfaces = add_segment_surfaces(self.renderer.vtk_renderer, overlays)
        self.renderer.render()

    def release(self) -> None:
        """Free the volume and the pipeline (a closed tab); cancels a running load."""
        self._cancel_load()
        if self.renderer is not None:
            self.renderer.close()
            self.renderer = None
        self._set_controls_enabled(False)

    def _set_controls_enabled(self, on: bool) -> None:
        for widget in (self.preset, self.shading, self.clip, self.reset_button, self.save_button):
            widget.setEnabled(on)

    # -- presets, shading, clipping -------------------------------------------------------------
    def set_preset(self, key: str) -> None:
        """Switch to a 3D preset by key ('ct-bone', 'mip', ...), forgetting any drag shift."""
        if self.renderer is None:
            return
        self.renderer.set_preset(key)
        index = self.preset.findData(self.renderer.preset.key)
        if index >= 0 and index != self.preset.currentIndex():
            self.preset.blockSignals(True)
            self.preset.setCurrentIndex(index)
            self.preset.blockSignals(False)
        self._request_render()

    def _shading_toggled(self, on: bool) -> None:
        if self.renderer is not None:
            self.renderer.set_shading_enabled(on)
            self._request_render()

    def _fill_clip_fields(self, box: ClipBox) -> None:
        for (_label, low, high) in CLIP_AXES:
            lo, hi = getattr(box, low), getattr(box, high)
            for field in (low, high):
                spin = self.clip_fields[field]
                spin.blockSignals(True)
                spin.setRange(lo - 1.0, hi + 1.0)
                spin.setValue(getattr(box, field))
                spin.blockSignals(False)

    def _clip_toggled(self, on: bool) -> None:
        self.clip_panel.setVisible(on)
        self._clip_changed()

    def clip_box(self) -> ClipBox | None:
        """The clipping box the fields describe, or None when clipping is off."""
        if not self.clip.isChecked():
            return None
        values = {field: spin.value() for field, spin in self.clip_fields.items()}
        for (_label, low, high) in CLIP_AXES:
            if values[low] > values[high]:
                values[low], values[high] = values[high], values[low]
        return ClipBox(**values)

    def set_clip_box(self, box: ClipBox | None) -> None:
        """Clip to ``box`` (LPS mm); None switches clipping off."""
        if box is not None:
            for field, spin in self.clip_fields.items():
                value = float(getattr(box, field))
                spin.blockSignals(True)
                spin.setRange(min(spin.minimum(), value - 1.0), max(spin.maximum(), value + 1.0))
                spin.setValue(value)
                spin.blockSignals(False)
        self.clip.blockSignals(True)
        self.clip.setChecked(box is not None)
        self.clip.blockSignals(False)
        self.clip_panel.setVisible(box is not None)
        self._clip_changed()

    def _clip_changed(self) -> None:
        if self.renderer is not None:
            self.renderer.set_clip_box(self.clip_box())
            self._request_render()

    # -- view -----------------------------------------------------------------------------------
    def reset(self) -> None:
        """Anterior view, whole volume, the preset's own opacity curve, no clipping."""
        if self.renderer is None:
            return
        self.renderer.reset_window()
        if self._full_box is not None:
            self._fill_clip_fields(self._full_box)
        self.set_clip_box(None)
        self.renderer.reset_view()
        self._request_render()

    def save_image(self, path: str | Path) -> Path:
        """Save the view as it is now as a PNG file."""
        if self.renderer is None:
            raise WorkstationError(self.tr("The 3D volume is not loaded yet; wait for it to load before saving the view."))
        target = Path(path)
        if target.suffix.lower() != ".png":
            target = target.with_suffix(".png")
        try:
            self.renderer.save_png(target)
        except OSError as exc:
            raise WorkstationError(self.tr("Could not write the image {0}: {1}; choose another folder.").format(target, exc.strerror or exc)) from None
        return target

    def _save_dialog(self) -> None:
        path, _filter = QFileDialog.getSaveFileName(self, self.tr("Save view as image"), str(Path.home() / "3d-view.png"), self.tr("PNG image (*.png)"))
        if not path:
            return
        try:
            saved = self.save_image(path)
        except WorkstationError as exc:
            self.message.setText(str(exc))
            self.message.setVisible(True)
            return
        self.message.setText(self.tr("Saved {0}").format(saved.name))
        self.message.setVisible(True)

    # -- input ----------------------------------------------------------------------------------
    def _screen_point(self, pos: QPointF) -> tuple[float, float]:
        ratio = self.view.devicePixelRatioF()
        return pos.x() * ratio, pos.y() * ratio

    def _mouse_press(self, ev: QMouseEvent) -> None:
        self.view.setFocus()
        ev.accept()
        if self.renderer is None:
            return
        point = self._screen_point(ev.position())
        # Units per pixel fixed for the whole drag, from the curve's width when it began.
        self._drag = {"button": ev.button(), "last": point, "k": opacity_drag_sensitivity(self.renderer.preset.window[1])}
        self.renderer.begin_interaction()

    def _mouse_move(self, ev: QMouseEvent) -> None:
        ev.accept()
        drag, renderer = self._drag, self.renderer
        if drag is None or renderer is None:
            return
        x, y = self._screen_point(ev.position())
        lx, ly = drag["last"]
        dx, dy = x - lx, y - ly
        button = drag["button"]
        if button == Qt.MouseButton.LeftButton:
            renderer.rotate(-dx * DEGREES_PER_PIXEL, dy * DEGREES_PER_PIXEL)
        elif button == Qt.MouseButton.RightButton:
            renderer.shift_window(dy * drag["k"], dx * drag["k"])  # down: higher values; right: wider
        elif button == Qt.MouseButton.MiddleButton:
            renderer.pan(dx, dy)
        drag["last"] = (x, y)
        self._request_render()

    def _mouse_release(self, ev: QMouseEvent) -> None:
        ev.accept()
        if self._drag is not None and self.renderer is not None:
            self.renderer.end_interaction()
            self._request_render()  # the sharp picture
        self._drag = None

    def _wheel(self, ev: QWheelEvent) -> None:
        ev.accept()
        if self.renderer is None:
            return
        self._wheel_rest += ev.angleDelta().y() / 120.0
        notches = int(self._wheel_rest)
        if notches:
            self._wheel_rest -= notches
            self.renderer.zoom(ZOOM_STEP ** notches)
            self._request_render()

    def handle_key(self, key: int, modifiers: Any) -> bool:
        """A key of the 3D view; True when it was one."""
        if self.renderer is None or modifiers & Qt.KeyboardModifier.ControlModifier:
            return False
        K = Qt.Key
        keys = list(PRESETS)
        if key in (K.Key_R, K.Key_Escape):
            self.reset()
        elif K.Key_1 <= key < K.Key_1 + len(keys):
            self.set_preset(keys[int(key) - int(K.Key_1)])
        else:
            return False
        return True

    def _double_click(self, ev: QMouseEvent) -> None:
        ev.accept()

    # -- drawing --------------------------------------------------------------------------------
    def _apply_refinement(self) -> None:
        if self.renderer is not None and self.renderer.apply_refinement():
            self._request_render()
            self.refined.emit()

    def render_now(self) -> None:
        self._render_timer.stop()
        if self.renderer is None:
            return
        self._ensure_initialised()
        self.renderer.render()

    def capture(self) -> np.ndarray:
        """The picture now, (height, width, 3) uint8, drawn now."""
        if self.renderer is None:
            raise WorkstationError(self.tr("The 3D volume is not loaded yet; wait for it to load."))
        self._render_timer.stop()
        image: np.ndarray = self.renderer.capture()
        return image


__all__ = ["VolumeView", "opacity_drag_sensitivity"]
