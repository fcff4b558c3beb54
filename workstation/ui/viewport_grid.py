"""The viewport grid: 1x1 to 4x4 viewport slots, the active one marked, one maximised at a time.

The grid's shape, the active slot and the maximised slot are a
:class:`workstation.model.viewport.Layout` (plain data); this module only lays the slots out and
paints the marks. A slot holds a 2D :class:`~workstation.ui.viewport.ViewportWidget` for image
display sets, a :class:`~workstation.ui.document_view.DocumentView` for reports and PDFs, or a
one-plane MPR a hanging protocol asked for (:mod:`workstation.ui.plane_pane`).
A series dragged from the series browser and dropped on a slot shows there.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QEvent, QObject, Signal
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QFrame, QGridLayout, QLabel, QStackedLayout, QVBoxLayout, QWidget

from workstation.model.viewport import Layout
from workstation.ui.document_view import DocumentView, ReadInstance

#: MIME type of a display set dragged from the series browser (its UID as UTF-8).
DISPLAY_SET_MIME = "application/x-workstation-display-set"

ACTIVE_COLOUR = "#f0c040"
IDLE_COLOUR = "#303030"


class ViewportSlot(QFrame):
    """One cell of the grid: an image viewport or a document view, with a frame marking it active.

    ``annotations`` lists what a presentation state says beside the image when it cannot be
    drawn on it.
    """

    activated = Signal(int)
    double_clicked = Signal(int)
    dropped = Signal(int, str)  # slot index, display set UID

    def __init__(self, index: int, viewport: Any, read_instance: ReadInstance) -> None:
        super().__init__()
        self.index = index
        self.setObjectName("viewportSlot")
        self.setAcceptDrops(True)
        self.setLineWidth(2)
        self.viewport = viewport
        self.document = DocumentView(read_instance)
        self.annotations = QLabel("")
        self.annotations.setWordWrap(True)
        self.annotations.setVisible(False)
        self.annotations.setStyleSheet("color: #f0e060; background: #202020; padding: 2px;")
        # The layouts are installed before the viewport is added: a QStackedLayout without a
        # parent widget shows its first widget as a top-level window, which would create (and
        # initialise the OpenGL context of) a window of its own before the study is on screen.
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.setSpacing(0)
        self.pages = QStackedLayout()
        layout.addLayout(self.pages, 1)
        layout.addWidget(self.annotations)
        self.pages.addWidget(viewport)
        self.pages.addWidget(self.document)
        self.display_set_uid: str | None = None
        #: A reformatted view shown instead of the viewport (show_reformat), or None.
        self.reformat: Any = None
        viewport.activated.connect(lambda: self.activated.emit(self.index))
        viewport.double_clicked.connect(lambda: self.double_clicked.emit(self.index))
        self.document.activated.connect(lambda: self.activated.emit(self.index))
        self.document.double_clicked.connect(lambda: self.double_clicked.emit(self.index))
        for child in (self.document.report.viewport(), self.document.page_scroll.viewport(), self.document.message):
            child.installEventFilter(self)
        self.set_active(False)

    @property
    def showing_document(self) -> bool:
        return self.pages.currentWidget() is self.document

    def show_viewport(self) -> None:
        self.clear_reformat()
        self.pages.setCurrentWidget(self.viewport)

    def show_document(self) -> None:
        self.clear_reformat()
        self.pages.setCurrentWidget(self.document)

    def show_reformat(self, view: Any) -> None:
        """Show a reformatted view (a one-plane MPR, :mod:`workstation.ui.plane_pane`) here; a
        press in it activates the slot."""
        self.clear_reformat()
        self.reformat = view
        self.pages.addWidget(view)
        self.pages.setCurrentWidget(view)
        inner = getattr(view, "view", None)
        if inner is not None:
            inner.installEventFilter(self)

    def clear_reformat(self) -> None:
        """Take the reformatted view out (its volume freed)."""
        view, self.reformat = self.reformat, None
        if view is None:
            return
        self.pages.removeWidget(view)
        view.reformat_display_set = None  # a load waiting to start does not
        release = getattr(view, "release", None)
        if release is not None:
            release()
        view.close()
        view.deleteLater()

    def set_active(self, active: bool) -> None:
        colour = ACTIVE_COLOUR if active else IDLE_COLOUR
        self.setStyleSheet(f"QFrame#viewportSlot {{ border: 2px solid {colour}; background: black; }}")
        self.viewport.set_active(active)

    def set_annotations(self, lines: list[str]) -> None:
        self.annotations.setText("\n".join(lines))
        self.annotations.setVisible(bool(lines))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if event.type() == QEvent.Type.MouseButtonPress:
            self.activated.emit(self.index)
        elif event.type() == QEvent.Type.MouseButtonDblClick:
            self.double_clicked.emit(self.index)
        return False

    # -- drag and drop from the series browser -------------------------------------------------

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802 - Qt override
        if event.mimeData().hasFormat(DISPLAY_SET_MIME):
            event.acceptProposedAction()

    def dragMoveEvent(self, event: Any) -> None:  # noqa: N802 - Qt override
        if event.mimeData().hasFormat(DISPLAY_SET_MIME):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802 - Qt override
        data = event.mimeData().data(DISPLAY_SET_MIME)
        uid = bytes(data.data()).decode("utf-8")
        if uid:
            event.acceptProposedAction()
            self.dropped.emit(self.index, uid)


class ViewportGrid(QWidget):
    """Lays out :class:`ViewportSlot` cells by a :class:`Layout`.

    ``make_viewport()`` builds the image viewport of a new slot. ``slot_added`` / ``slot_removed``
    tell the study view to wire up or wind down a slot (a removed slot's loads are cancelled).
    """

    slot_added = Signal(object)
    slot_removed = Signal(object)
    active_changed = Signal(int)

    def __init__(self, make_viewport: Callable[[], Any], read_instance: ReadInstance) -> None:
        super().__init__()
        self._make_viewport = make_viewport
        self._read_instance = read_instance
        self.layout_model = Layout(1, 1)
        self.slots: list[ViewportSlot] = []
        self._grid = QGridLayout(self)
        self._grid.setContentsMargins(0, 0, 0, 0)
        self._grid.setSpacing(2)
        self.layout_model.events.connect(self._layout_changed)

    def build(self) -> None:
        """Create the first slots (call once the owner listens to ``slot_added``)."""
        self._sync_slots()

    # -- the grid -----------------------------------------------------------------------------

    @property
    def grid(self) -> tuple[int, int]:
        return self.layout_model.grid

    @property
    def active(self) -> int:
        return self.layout_model.active

    @property
    def active_slot(self) -> ViewportSlot:
        return self.slots[self.layout_model.active]

    @property
    def maximised(self) -> int | None:
        return self.layout_model.maximised

    def set_grid(self, rows: int, columns: int) -> None:
        self.layout_model.set_grid(rows, columns)
        self._sync_slots()

    def activate(self, index: int) -> None:
        if 0 <= index < len(self.slots):
            self.layout_model.activate(index)

    def toggle_maximise(self, index: int | None = None) -> None:
        self.layout_model.toggle_maximise(index)

    def visible_slots(self) -> list[ViewportSlot]:
        return [self.slots[i] for i in self.layout_model.visible()]

    def _sync_slots(self) -> None:
        rows, columns = self.layout_model.grid
        wanted = rows * columns
        while len(self.slots) > wanted:
            slot = self.slots.pop()
            self._grid.removeWidget(slot)
            self.slot_removed.emit(slot)
            slot.setParent(None)
            slot.deleteLater()
        while len(self.slots) < wanted:
            slot = ViewportSlot(len(self.slots), self._make_viewport(), self._read_instance)
            slot.activated.connect(self.activate)
            slot.double_clicked.connect(self.toggle_maximise)
            self.slots.append(slot)
            self.slot_added.emit(slot)
        for slot in self.slots:
            self._grid.removeWidget(slot)
        for r in range(MAX_ROWS):
            self._grid.setRowStretch(r, 0)
            self._grid.setColumnStretch(r, 0)
        for slot in self.slots:
            r, c = self.layout_model.cell(slot.index)
            self._grid.addWidget(slot, r, c)
        for r in range(rows):
            self._grid.setRowStretch(r, 1)
        for c in range(columns):
            self._grid.setColumnStretch(c, 1)
        self._show_visible()
        self._mark_active()

    def _layout_changed(self, names: frozenset[str]) -> None:
        if "maximised" in names:
            self._show_visible()
        if "active" in names:
            self._mark_active()
            self.active_changed.emit(self.layout_model.active)

    def _show_visible(self) -> None:
        visible = set(self.layout_model.visible())
        maximised = self.layout_model.maximised
        for slot in self.slots:
            if maximised is not None and slot.index == maximised:
                self._grid.removeWidget(slot)
                rows, columns = self.layout_model.grid
                self._grid.addWidget(slot, 0, 0, rows, columns)
            elif maximised is None:
                self._grid.removeWidget(slot)
                r, c = self.layout_model.cell(slot.index)
                self._grid.addWidget(slot, r, c)
            slot.setVisible(slot.index in visible)

    def _mark_active(self) -> None:
        for slot in self.slots:
            slot.set_active(slot.index == self.layout_model.active)


MAX_ROWS = 4

__all__ = ["DISPLAY_SET_MIME", "ViewportGrid", "ViewportSlot"]
