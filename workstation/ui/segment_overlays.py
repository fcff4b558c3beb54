"""Segmentations (SEG) and RT structure sets of a study drawn over its images, and the segments
panel that lists them (:mod:`workstation.ui.segments_panel`).

Choosing a SEG or RTSTRUCT display set (Enter, a drop on a viewport) reads it in a worker thread
(:mod:`workstation.model.segmentation`, :mod:`workstation.model.rtstruct`) and then draws it over
every 2D viewport of the study whose images it lies on; viewports shown later get it too.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from io import BytesIO
from typing import Any

import pydicom
from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QWidget

from workstation.model.segmentation import ValueSummary, read_segmentation, values_inside
from workstation.model.sop_classes import DisplaySetKind
from workstation.ui import tasks
from workstation.ui.segments_panel import SegmentsPanel

log = logging.getLogger(__name__)

OVERLAY_KINDS = (DisplaySetKind.SEG, DisplaySetKind.RTSTRUCT)


def read_overlay(kind: DisplaySetKind, data: bytes) -> Any:
    """A SEG or RT Structure Set from its PS3.10 bytes, ready to draw."""
    ds = pydicom.dcmread(BytesIO(data))
    if kind is DisplaySetKind.SEG:
        return read_segmentation(ds)
    from workstation.model.rtstruct import read_structure_set

    return read_structure_set(ds)


class SegmentOverlays(QObject):
    """The overlays of one study view. ``renderers()`` gives the (viewport, renderer) pairs of
    its 2D viewports, ``reformats()`` its MPR panes (segmentations drawn on their planes too); ``read(study_uid, series_uid, sop_uid)`` an instance's bytes (worker thread);
    ``active_renderer()`` the renderer of the active viewport (for mean/max)."""

    status = Signal(str)
    changed = Signal()

    def __init__(self, parent: QWidget, renderers: Callable[[], list[tuple[Any, Any]]],
                 read: Callable[[str, str, str], bytes], active_renderer: Callable[[], Any],
                 reformats: Callable[[], list[Any]] | None = None) -> None:
        super().__init__(parent)
        self._reformats = reformats or (lambda: [])
        self._parent = parent
        self._renderers = renderers
        self._read = read
        self._active_renderer = active_renderer
        self.overlays: list[tuple[str, Any]] = []  # (title, segmentation or structure set)
        self._loaded: set[str] = set()
        self._tasks: list[Any] = []
        self.panel: SegmentsPanel | None = None

    def show(self, display_set: Any) -> None:
        """Read a SEG / RTSTRUCT display set (once) and draw it; the panel opens."""
        if display_set.uid in self._loaded:
            self.open_panel()
            return
        self._loaded.add(display_set.uid)
        kind = display_set.kind
        title = " ".join(str(x) for x in (display_set.modality, display_set.series_number or "", display_set.series_description) if x)
        study_uid, series_uid, uids = display_set.study_uid, display_set.series_uid, list(display_set.sop_instance_uids)

        def work(_progress: Any, _cancel: Any) -> list[Any]:
            return [read_overlay(kind, self._read(study_uid, series_uid, uid)) for uid in uids]

        task = tasks.Task(work)
        task.signals.finished.connect(lambda found, title=title: self._arrived(title, found))
        task.signals.failed.connect(lambda message, uid=display_set.uid: self._failed(uid, message))
        self._tasks.append(tasks.start(task))
        self.status.emit(self.tr("Loading {0}...").format(title) if title else self.tr("Loading the segmentation..."))

    def _failed(self, uid: str, message: str) -> None:
        self._loaded.discard(uid)
        self.status.emit(message)

    def _arrived(self, title: str, found: list[Any]) -> None:
        for overlay in found:
            self.overlays.append((title, overlay))
        self.apply_all()
        drawn = any(r.segmentations and r.display_buffer is not None for _, r in self._renderers())
        self.status.emit(self.tr("{0} is drawn over the images it lies on.").format(title) if drawn else
                         self.tr("{0} lies on none of the images shown; show its referenced series.").format(title))
        self.open_panel()
        self.changed.emit()

    def apply(self, viewport: Any, renderer: Any) -> None:
        """Give one viewport's renderer the study's overlays (a viewport shown later)."""
        if not self.overlays:
            return
        renderer.set_segmentations([o for _, o in self.overlays])
        if hasattr(viewport, "render_now"):
            viewport.render_now()

    def apply_all(self) -> None:
        for viewport, renderer in self._renderers():
            self.apply(viewport, renderer)
        for pane in self._reformats():
            if getattr(pane, "viewer", None) is not None:
                pane.viewer.set_segmentations([o for _, o in self.overlays])
                if hasattr(pane, "render_now"):
                    pane.render_now()

    def set_visible(self, overlay: Any, number: int, visible: bool) -> None:
        for viewport, renderer in self._renderers():
            renderer.set_segment_visible(overlay, number, visible)
            if hasattr(viewport, "render_now"):
                viewport.render_now()

    def visible(self, overlay: Any, number: int) -> bool:
        pairs = self._renderers()
        return pairs[0][1].segment_visible(overlay, number) if pairs else True

    def values(self, overlay: Any) -> tuple[list[ValueSummary], str]:
        """Mean/max of the active viewport's loaded images inside each segment, and their unit."""
        renderer = self._active_renderer()
        if renderer is None:
            return [], ""
        images = renderer.measured_images()
        frame = getattr(renderer, "_frame_of_reference", None)
        found = values_inside(overlay, images, frame)
        return found, renderer.value_unit if found else ""

    def open_panel(self) -> SegmentsPanel:
        if self.panel is None:
            self.panel = SegmentsPanel(self._parent)
            self.panel.setWindowFlag(Qt.WindowType.Tool, True)
            self.panel.resize(420, 260)
            self.panel.visibility_changed.connect(self.set_visible)
        self.refresh_panel()
        self.panel.show()
        self.panel.raise_()
        return self.panel

    def refresh_panel(self) -> None:
        if self.panel is not None:
            self.panel.set_overlays(self.overlays, self.visible, self.values)
