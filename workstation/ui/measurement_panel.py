"""The measurement list, the key-image strip (thumbnails, one note), the Measure menu and saving (issue 6).

:class:`MeasurementPanel` is a dock: every measurement of the study in front with its values
(clicking one shows its image), and the key images (clicking one shows it). :class:`MeasurementRoom`
ties it to a main window: one :class:`~workstation.ui.measure_tools.MeasureTools` per open study,
the tool actions and keys, K for key images, Ctrl+Z / Ctrl+Shift+Z, Delete, and Ctrl+S, which
writes a TID 1500 Measurement Report (PS3.16 TID 1500), a Key Object Selection (PS3.3 A.35.4) when
images are marked, and a Grayscale Softcopy Presentation State (PS3.3 A.33.1) of the active image's
window and annotations, queues them in the pending folder and sends them with STOW-RS
(PS3.18 10.5) to the configured archive in a worker thread. Opening a study reads back its newest
measurement report and key object selection.

Priors: when a viewport of the study shows another study's series (the prior a hanging protocol
hangs beside it), that study's saved objects (newest measurement report, key object selection,
presentation states; :mod:`workstation.annotate.saved_objects`) are read in a worker thread from
the archive and the library and drawn on the prior's images in their own colour, read-only; the
list shows them tagged "prior <date>". Objects not yet in the archive are listed by
:class:`~workstation.ui.pending_view.PendingView` (Measure > Waiting for the archive...), and
their count stays in the status bar until they are delivered.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

from pydicom.dataset import Dataset
from PySide6.QtCore import QObject, QSize, Qt, QTimer, Signal
from PySide6.QtGui import (
    QAction,
    QActionGroup,
    QBrush,
    QColor,
    QIcon,
    QKeySequence,
    QPixmap,
)
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QDockWidget,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QPlainTextEdit,
    QPushButton,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from workstation.annotate.key_images import KeyImages
from workstation.annotate.measurements import ImageRef, Kind, MeasurementSet
from workstation.annotate.pending import PendingQueue
from workstation.errors import WorkstationError
from workstation.i18n import localize_decimals
from workstation.identity import current_identity
from workstation.model.entities import ARCHIVE, LIBRARY, StudySummary
from workstation.model.image_number import header_label
from workstation.ui import tasks
from workstation.ui.core_text import core_text
from workstation.ui.i18n import active_language, format_dicom_date
from workstation.ui.measure_tools import PRIOR_COLOUR, TOOL_KEYS, MeasureTools, OtherStudy
from workstation.ui.pending_view import PendingView, PendingWatcher
from workstation.ui.qimage import display_qimage

if TYPE_CHECKING:  # the writers and readers of saved objects (highdicom) are imported when used
    from workstation.annotate.saved_objects import SavedObjects

KEY_IMAGE_KEY = "K"
SAVE_KEY = "Ctrl+S"
COMPREHENSIVE_3D_SR = "1.2.840.10008.5.1.4.1.1.88.34"
KEY_OBJECT_SELECTION = "1.2.840.10008.5.1.4.1.1.88.59"


THUMBNAIL_SIZE = 72


class ImageNumbers(Mapping[str, str]):
    """SOP Instance UID -> "series N, image M" (Series Number, Instance Number; PS3.3 C.7.3.1,
    C.7.6.1; :func:`workstation.model.image_number.header_label`), each looked up in ``header(uid)`` only when asked for; iterating lists
    ``every_uid()``."""

    def __init__(self, header: Callable[[str], Dataset | None], every_uid: Callable[[], list[str]]) -> None:
        self._header = header
        self._every_uid = every_uid

    def __getitem__(self, uid: str) -> str:
        h = self._header(uid)
        if h is None:
            raise KeyError(uid)
        return header_label(h)  # the Instance Number, as the corner text and the report say it

    def __iter__(self) -> Iterator[str]:
        return iter(self._every_uid())

    def __len__(self) -> int:
        return len(self._every_uid())

class KeyNoteDialog(QDialog):
    """The note of the key-image selection: a Key Object Selection carries one description for all
    its images (Key Object Description, DCM 113012, PS3.16 TID 2010)."""

    def __init__(self, note: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Key image note"))
        self.setObjectName("keyNoteDialog")
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(self.tr("Note for the key images of this study (saved with them):")))
        self.editor = QPlainTextEdit(note)
        self.editor.setMinimumSize(320, 90)
        layout.addWidget(self.editor)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    @property
    def note(self) -> str:
        return self.editor.toPlainText().strip()


#: Starting width of the side panel (pixels): the report editor, a tab in its place, fits in it.
SIDE_PANEL_WIDTH = 420


class MeasurementPanel(QDockWidget):
    """Dock: the study's measurements with their values, and the key images as a strip of
    thumbnails with the selection's note (Note... edits it)."""

    jump = Signal(object)  # ImageRef to show
    note_changed = Signal(str)
    edit_other = Signal(str)  # Study Instance UID of a prior whose measurements the reader wants to edit

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(self.tr("Measurements"), parent)
        self.setObjectName("measurementPanel")
        body = QWidget()
        layout = QVBoxLayout(body)
        layout.setContentsMargins(4, 4, 4, 4)
        self.list = QListWidget()
        self.list.setToolTip(self.tr("Measurements of this study; click one to show its image"))
        self.list.itemClicked.connect(self._clicked)
        self.list.itemDoubleClicked.connect(self._double_clicked)
        self.key_label = QLabel(self.tr("Key images"))
        self.key_strip = QListWidget()
        self.key_strip.setObjectName("keyImageStrip")
        self.key_strip.setViewMode(QListWidget.ViewMode.IconMode)
        self.key_strip.setFlow(QListWidget.Flow.LeftToRight)
        self.key_strip.setWrapping(False)
        self.key_strip.setMovement(QListWidget.Movement.Static)
        self.key_strip.setIconSize(QSize(THUMBNAIL_SIZE, THUMBNAIL_SIZE))
        self.key_strip.setFixedHeight(THUMBNAIL_SIZE + 48)
        self.key_strip.setToolTip(self.tr("Key images (K marks or unmarks the image shown); click one to show it"))
        self.key_strip.itemClicked.connect(self._clicked)
        layout.addWidget(self.list, 1)
        self.note_button = QPushButton(self.tr("Note..."))
        self.note_button.setToolTip(self.tr("Edit the note saved with the key images"))
        self.note_button.clicked.connect(lambda _checked=False: self.edit_note())
        row = QHBoxLayout()
        row.addWidget(self.key_label, 1)
        row.addWidget(self.note_button)
        layout.addLayout(row)
        layout.addWidget(self.key_strip)
        self.setWidget(body)
        self.note = ""
        self.note_dialog: KeyNoteDialog | None = None

    def edit_note(self) -> str | None:
        """Ask for the key-image note in a small dialog; the new note (and ``note_changed``) on OK."""
        dialog = KeyNoteDialog(self.note, self)
        self.note_dialog = dialog
        try:
            if dialog.exec() != QDialog.DialogCode.Accepted:
                return None
            note = dialog.note
        finally:
            self.note_dialog = None
            dialog.deleteLater()
        self.note_changed.emit(note)
        return note

    def _double_clicked(self, item: QListWidgetItem) -> None:
        study = item.data(Qt.ItemDataRole.UserRole + 2)
        if study:
            self.edit_other.emit(str(study))

    def _clicked(self, item: QListWidgetItem) -> None:
        ref = item.data(Qt.ItemDataRole.UserRole)
        if ref is not None:
            self.jump.emit(ref)

    def show_tools(self, tools: MeasureTools | None, image_numbers: Mapping[str, str] | None = None) -> None:
        """List the measurements (values and notes) and key images of ``tools``' study."""
        numbers: Mapping[str, str] = image_numbers if image_numbers is not None else {}
        self.list.clear()
        self.key_strip.clear()
        if tools is None:
            self.key_label.setText(self.tr("Key images"))
            return
        def row(m: Any, prefix: str = "") -> QListWidgetItem:
            where = numbers.get(m.image.sop_instance_uid, "")
            item = QListWidgetItem(f"{prefix}{core_text(m.kind.display_name)}: {localize_decimals(m.label, active_language()) or m.text or '-'}" + (f"  ({where})" if where else ""))
            item.setData(Qt.ItemDataRole.UserRole, m.image)
            return item

        for m in tools.measurements:
            item = row(m)
            item.setData(Qt.ItemDataRole.UserRole + 1, m.id)
            notes = sorted({v.note for v in m.values if v.note} | ({m.unavailable} if m.unavailable else set()))
            item.setToolTip("\n".join(notes))
            self.list.addItem(item)
            if m.id == tools.selected:
                item.setSelected(True)
        prior_brush = QBrush(QColor(*PRIOR_COLOUR))
        for other in tools.others.values():
            for m in other.measurements:
                item = row(m, f"[{other.label}] ")
                item.setData(Qt.ItemDataRole.UserRole + 2, other.study_uid)
                item.setForeground(prior_brush)
                item.setToolTip(self.tr("Saved with the {0} (read-only here); click to show its image, double-click to open that study in its own tab and edit its measurements").format(other.label))
                self.list.addItem(item)
        note = tools.key_images.note
        self.note = note
        for ref in tools.key_images.images:
            where = numbers.get(ref.sop_instance_uid, self.tr("Key image"))
            item = QListWidgetItem(where.replace(", ", "\n"))
            pixels = tools.key_thumbnail(ref)
            if pixels is not None:
                item.setIcon(QIcon(QPixmap.fromImage(display_qimage(pixels))))
            item.setData(Qt.ItemDataRole.UserRole, ref)
            item.setToolTip(where + (f"\n{note}" if note else ""))
            self.key_strip.addItem(item)
        for other in tools.others.values():
            for ref in other.key_images.images:
                where = numbers.get(ref.sop_instance_uid, self.tr("Key image"))
                item = QListWidgetItem(f"{other.label}\n" + where.replace(", ", "\n"))
                pixels = tools.key_thumbnail(ref)
                if pixels is not None:
                    item.setIcon(QIcon(QPixmap.fromImage(display_qimage(pixels))))
                item.setData(Qt.ItemDataRole.UserRole, ref)
                item.setForeground(prior_brush)
                item.setToolTip(self.tr("Key image of the {0}").format(other.label) + (f"\n{other.key_images.note}" if other.key_images.note else ""))
                self.key_strip.addItem(item)
        self.key_label.setText(self.tr("Key images ({0})").format(len(tools.key_images.images)) + (f": {note}" if note else ""))


class MeasurementRoom(QObject):
    """The measurement tools of a main window (see the module docstring)."""

    def __init__(self, window: Any) -> None:
        super().__init__(window)
        self.window: Any = window
        self.tools_by_view: dict[Any, MeasureTools] = {}
        self.queue = PendingQueue()
        self._tasks: list[tasks.Task] = []
        self._reads: list[tasks.Task] = []  # saved objects of priors being read
        self.last_message = ""
        self.panel = MeasurementPanel(window)
        self.panel.jump.connect(self.show_image)
        self.panel.note_changed.connect(lambda note: self._on(lambda t: t.set_key_note(note)))
        self.panel.edit_other.connect(self.edit_other_study)
        #: How to open each prior whose saved objects were read (for editing them in its own tab).
        self.other_summaries: dict[str, StudySummary] = {}
        window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.panel)
        # Wide enough for the report panel, which opens as a tab in its place at this width:
        # opening the report then leaves the viewports, and the images' zoom, as they are. (A
        # starting width, not a minimum: the window may still be narrow on a small screen.)
        window.resizeDocks([self.panel], [SIDE_PANEL_WIDTH], Qt.Orientation.Horizontal)
        self.tool_actions: dict[Kind | None, QAction] = {}
        group = QActionGroup(self)
        group.setExclusive(True)
        self.scroll_action = self._action(self.tr("Scroll (no tool)"), None, lambda: self.set_tool(None), checkable=True)
        self.scroll_action.setChecked(True)
        group.addAction(self.scroll_action)
        self.tool_actions[None] = self.scroll_action
        for kind, key in TOOL_KEYS.items():
            action = self._action(core_text(kind.display_name), key, lambda k=kind: self.set_tool(k), checkable=True)
            group.addAction(action)
            self.tool_actions[kind] = action
        self.key_action = self._action(self.tr("Mark &key image"), KEY_IMAGE_KEY, self.toggle_key_image)
        self.undo_action = self._action(self.tr("&Undo measurement"), "Ctrl+Z", lambda: self._on(lambda t: t.undo()))
        self.redo_action = self._action(self.tr("&Redo measurement"), "Ctrl+Shift+Z", lambda: self._on(lambda t: t.redo()))
        self.delete_action = self._action(self.tr("&Delete measurement"), "Del", lambda: self._on(lambda t: t.delete_selected()))
        self.save_action = self._action(self.tr("&Save measurements and key images"), SAVE_KEY, self.save)
        menu = window.menuBar().addMenu(self.tr("&Measure"))
        for action in self.tool_actions.values():
            menu.addAction(action)
        menu.addSeparator()
        for action in (self.key_action, self.undo_action, self.redo_action, self.delete_action, self.save_action):
            menu.addAction(action)
        menu.addAction(self.panel.toggleViewAction())
        bar = QToolBar(self.tr("Measurement tools"))
        bar.setObjectName("measurementTools")
        for action in self.tool_actions.values():
            bar.addAction(action)
        bar.addAction(self.key_action)
        bar.addAction(self.save_action)
        bar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        window.addToolBar(bar)
        self.tool_bar = bar
        window.tabs.currentChanged.connect(lambda _i: QTimer.singleShot(0, self, self.front_changed))
        # Objects waiting for the archive: watched, listed on demand, counted in the status bar.
        self.pending = PendingWatcher(self.queue, self._store_client, self)
        self.pending_view: PendingView | None = None
        self.pending_action = self._action(self.tr("Objects &waiting for the archive..."), None, self.show_pending)
        menu.addAction(self.pending_action)
        self.pending_label = QPushButton()
        self.pending_label.setFlat(True)
        self.pending_label.setObjectName("pendingCount")
        self.pending_label.setToolTip(self.tr("Saved objects not yet in the archive; click to see them"))
        self.pending_label.clicked.connect(lambda _c=False: self.show_pending())
        window.statusBar().addPermanentWidget(self.pending_label)
        self.pending.count_changed.connect(self._pending_count)
        self.pending.sent.connect(lambda result: self._say(
            self.tr("{0} waiting object(s) stored in the archive.").format(len(result.sent)) if result.sent else self.tr("Nothing could be sent yet; the objects keep waiting.")))
        self._pending_count(self.pending.count())
        #: Studies whose saved objects are being read or were read (for priors), per study view.
        self._others_asked: dict[Any, set[str]] = {}

    def _action(self, text: str, key: str | None, slot: Any, *, checkable: bool = False) -> QAction:
        action = QAction(text, self.window)
        if key:
            action.setShortcut(QKeySequence(key))
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            action.setToolTip(f"{text.replace('&', '')} ({key})")
        action.setCheckable(checkable)
        action.triggered.connect(lambda _checked=False: slot())
        self.window.addAction(action)
        return action

    # -- the study in front --------------------------------------------------------------------

    def tools(self, view: Any | None = None) -> MeasureTools | None:
        """The measurement tools of a study view (default: the one in front), made on first use
        with the measurements and key images saved for the study."""
        view = view if view is not None else self.window.current_study()
        if view is None:
            return None
        tools = self.tools_by_view.get(view)
        if tools is None:
            tools = MeasureTools(view)
            tools.study_uid = str(getattr(getattr(view, "study", None), "study_uid", "") or "")
            tools.other_study_shown.connect(lambda uid, v=view, t=tools: self.read_other_study(v, t, uid))
            tools.changed.connect(self._refresh_panel)
            tools.message.connect(self._say)
            tools.tool_changed.connect(lambda kind, v=view: self.tool_actions[kind].setChecked(True)
                                       if self.window.current_study() is v else None)
            self.tools_by_view[view] = tools
            view.destroyed.connect(lambda _o=None, v=view: self.tools_by_view.pop(v, None))
            view.grid.slot_added.connect(lambda slot, t=tools: t.attach(slot.viewport))
            self._read_saved(view, tools)
        for binding in view.bindings:
            tools.attach(binding.viewport)
        return tools

    def _read_saved(self, view: Any, tools: MeasureTools) -> None:
        """The study's newest measurement report, key images and own presentation state (its
        arrows and text), read back as editable measurements (:func:`read_saved_objects`)."""
        from workstation.annotate.saved_objects import read_saved_objects

        saved = read_saved_objects(list(self.window.study_headers(view)))
        for problem in saved.problems:
            self._say(self.tr("The saved measurements could not be read: {0}").format(problem))
        for name, ds in (("sr", saved.report), ("kos", saved.kos), ("pr", saved.presentation_state)):
            if ds is not None:
                tools.previous[name] = ds
        if saved.measurements is not None or saved.key_images is not None:
            tools.load(saved.measurements if saved.measurements is not None else tools.measurements, saved.key_images)

    def read_other_study(self, view: Any, tools: MeasureTools, study_uid: str) -> tasks.Task | None:
        """In the background: the saved objects of another study shown in ``view`` (a prior),
        from the view's archive and the library; drawn on its images when they arrive."""
        asked = self._others_asked.setdefault(view, set())
        if study_uid in asked or study_uid == tools.study_uid:
            return None
        asked.add(study_uid)
        archive, library = getattr(view, "archive", None), getattr(self.window, "library", None)

        def work(_progress: Any, _cancel: Any) -> SavedObjects:
            from workstation.annotate.saved_objects import SAVED_MODALITIES, read_saved_objects
            from workstation.app.open_study import saved_object_headers

            return read_saved_objects(saved_object_headers(study_uid, archive, library, SAVED_MODALITIES))

        task = tasks.Task(work)
        task.signals.finished.connect(lambda saved, v=view, t=tools: self._other_read(v, t, study_uid, saved))
        task.signals.failed.connect(lambda message, t=task: self._other_failed(t, message))
        task.signals.finished.connect(lambda _r, t=task: self._reads.remove(t) if t in self._reads else None)
        self._reads.append(task)
        return tasks.start(task)

    def _other_read(self, view: Any, tools: MeasureTools, study_uid: str, saved: SavedObjects) -> None:
        if view not in self.tools_by_view:
            return
        for problem in saved.problems:
            self._say(self.tr("A saved object of the prior could not be read: {0}").format(problem))
        if saved.empty:
            return
        date = saved.study_date
        label = self.tr("prior {0}").format(format_dicom_date(date) if len(date) == 8 and date.isdigit() else (date or self.tr("study")))
        other = OtherStudy(study_uid, label, saved.measurements or MeasurementSet(),
                           saved.key_images or KeyImages(), saved.presentation_states, report_read=saved.measurements is not None)
        first = next((h for h in (saved.report, saved.kos, saved.presentation_state) if h is not None), None)
        if first is None and saved.presentation_states:
            first = saved.presentation_states[0].dataset
        if first is not None:
            self.other_summaries[study_uid] = StudySummary.from_dataset(first, ARCHIVE if getattr(view, "archive", None) is not None else LIBRARY)
        tools.add_other_study(other)
        count = len(other.measurements)
        self._say(self.tr("The {0}: {1} saved measurement{2} shown (read-only).").format(label, count, 's' if count != 1 else ''))

    def edit_other_study(self, study_uid: str) -> bool:
        """Open a prior in its own tab, where its measurements are the current study's and can
        be edited and saved (a new version of its report); False when it is not known here."""
        summary = self.other_summaries.get(study_uid)
        if summary is None:
            return False
        self._say(self.tr("Opening the {0} study to edit its measurements.").format(summary.study_date or 'prior'))
        self.window.open_study(summary)
        return True

    def _other_failed(self, task: tasks.Task, message: str) -> None:
        if task in self._reads:
            self._reads.remove(task)
        self._say(self.tr("The prior's saved measurements could not be read: {0}").format(message))

    def front_changed(self) -> None:
        """The study in front changed: the tool buttons show that study's own tool (a study
        opened now starts with none: browsing), so a tool chosen on one study never carries over
        to the next, where the first click would place a measurement unasked."""
        tools = self.tools()
        self.tool_actions[tools.tool if tools is not None else None].setChecked(True)
        self._refresh_panel()

    def current_tool(self) -> Kind | None:
        return next((k for k, a in self.tool_actions.items() if a.isChecked()), None)

    def _on(self, fn: Any) -> None:
        tools = self.tools()
        if tools is not None:
            fn(tools)

    def set_tool(self, kind: Kind | None) -> None:
        """Choose the tool of the study in front (None: browse); other studies keep theirs."""
        self.tool_actions[kind].setChecked(True)
        tools = self.tools()
        if tools is not None:
            tools.set_tool(kind)

    def _say(self, text: str) -> None:
        text = core_text(text)
        self.last_message = text
        self.window.statusBar().showMessage(text, 10000)

    def _image_numbers(self, view: Any) -> ImageNumbers:
        """'series N, image M' of the instances of ``view`` (its study's headers first, then those
        its viewports show, priors included), worked out only for the instances the panel lists:
        opening a study reads no header for it."""
        def header(uid: str) -> Dataset | None:
            found: Dataset | None = self.window.reading_header(view, uid)
            if found is None and hasattr(view, "header_of"):
                found = view.header_of(uid)
            return found

        def every_uid() -> list[str]:
            uids = [str(h.get("SOPInstanceUID", "")) for h in self.window.study_headers(view)]
            for binding in getattr(view, "bindings", []):
                uids.extend(str(h.get("SOPInstanceUID", "")) for h in (getattr(binding, "headers", None) or []) if h is not None)
            return list(dict.fromkeys(uids))

        return ImageNumbers(header, every_uid)

    def _refresh_panel(self) -> None:
        view = self.window.current_study()
        tools = self.tools_by_view.get(view) if view is not None else None
        self.panel.show_tools(tools, self._image_numbers(view) if view is not None else None)

    def show_image(self, ref: ImageRef) -> None:
        """Show the image of a measurement or key image: in a viewport showing its series if there
        is one (the active one first), else in the active viewport."""
        view = self.window.current_study()
        if view is None:
            return
        bindings = [view.active] + [b for b in view.bindings if b is not view.active]
        for binding in bindings:
            ds = binding.display_set
            frames = list(getattr(ds, "frames", None) or [])
            for index, (uid, frame) in enumerate(frames):
                if uid == ref.sop_instance_uid and (ref.frame is None or frame == ref.frame):
                    binding.state.image_index = index
                    return
        for ds in view.display_sets:
            if ref.sop_instance_uid in getattr(ds, "sop_instance_uids", ()):
                view.show_in_active(ds.uid)
                QTimer.singleShot(0, self, lambda: self.show_image(ref))
                return

    def toggle_key_image(self) -> None:
        view = self.window.current_study()
        tools = self.tools(view)
        if view is None or tools is None:
            return
        marked = tools.toggle_key_image(view.active.viewport)
        if marked is None:
            self._say(self.tr("Show an image first to mark it as a key image."))
        else:
            self._say(self.tr("Key image marked") if marked else self.tr("Key image unmarked"))

    # -- saving --------------------------------------------------------------------------------

    def _study_in_front(self) -> Any | None:
        """The study view in front, or the study of the MPR/3D tab in front."""
        view = self.window.current_study()
        if view is None:
            view = getattr(self.window.tabs.currentWidget(), "reformat_of", None)
        return view

    def reformat_views(self, view: Any) -> list[Any]:
        """The MPR tabs open on ``view``'s series (their measurements are saved with the study)."""
        tabs = self.window.tabs
        return [w for i in range(tabs.count()) if getattr(w := tabs.widget(i), "reformat_of", None) is view
                and getattr(w, "reformat_kind", "") == "mpr"]

    def show_saved_plane_measurements(self, mpr: Any, view: Any) -> int:
        """Once an MPR tab has its volume: the study's newest MPR measurement report (SCOORD3D,
        :mod:`workstation.annotate.plane_sr`) in the same Frame of Reference is drawn on its
        planes and becomes the predecessor of the next save. Returns how many were shown."""
        from workstation.annotate.plane_sr import content_items, plane_measurements_from_sr
        from workstation.annotate.saved_objects import newest_plane_measurement_report

        report = newest_plane_measurement_report(self.window.study_headers(view))
        viewer = getattr(mpr, "viewer", None)
        if report is None or viewer is None:
            return 0
        frames = {str(item.get("ReferencedFrameOfReferenceUID", "")) for item in content_items(report.get("ContentSequence", None) or [])}
        if viewer.frame_of_reference not in frames:
            return 0
        try:
            measurements = plane_measurements_from_sr(report)
        except WorkstationError as exc:
            self._say(self.tr("The saved MPR measurements could not be read: {0}").format(exc))
            return 0
        tools = self.tools(view)
        if tools is not None:
            tools.previous["sr3d"] = report
        mpr.add_measurements(measurements)
        return len(measurements)

    def build_objects(self, view: Any | None = None) -> list[Dataset]:
        """The objects Ctrl+S saves for a study: measurement report, key images, presentation
        state, and the report of the measurements on its MPR planes."""
        from workstation.annotate.gsps_writer import View, build_presentation_state
        from workstation.annotate.sr_tid1500 import SAVED_KINDS, build_measurement_report
        from workstation.ui.mpr_opening import is_carried

        view = view if view is not None else self._study_in_front()
        tools = self.tools(view)
        if view is None or tools is None:
            raise WorkstationError(self.tr("Open a study and measure before saving."))
        headers = [h for h in self.window.study_headers(view) if "Rows" in h]
        by_uid = {str(h.get("SOPInstanceUID", "")): h for h in headers}
        measurements = list(tools.measurements)
        out: list[Dataset] = []
        if any(m.kind in SAVED_KINDS for m in measurements):
            reader = current_identity()  # the signed-in radiologist is the person observer
            out.append(build_measurement_report(measurements, headers, previous_version=tools.previous.get("sr"),
                                                observer_name=reader.dicom_person_name() if reader else ""))
        if tools.key_images.images:
            from workstation.annotate.kos import build_key_object_selection

            out.append(build_key_object_selection(tools.key_images, headers, previous_version=tools.previous.get("kos")))
        binding = view.active
        current = binding.viewport.renderer.header()
        current_uid = str(current.get("SOPInstanceUID", "")) if current is not None else ""
        annotated = {m.image.sop_instance_uid for m in measurements}
        chosen = [by_uid[u] for u in dict.fromkeys([current_uid, *annotated]) if u in by_uid]
        if chosen:
            window = binding.viewport.renderer.current_window()
            view_params = View(window=(float(window[0]), float(window[1])) if window is not None else None)
            on_chosen = [m for m in measurements if m.image.sop_instance_uid in by_uid]
            out.append(build_presentation_state(chosen, on_chosen, view_params, previous_version=tools.previous.get("pr")))
        for mpr in self.reformat_views(view):
            on_planes = [m for m in mpr.measurements if not is_carried(m)]  # 2D copies: saved in 2D
            if on_planes:
                from workstation.annotate.plane_sr import build_plane_measurement_report

                series_uid = mpr.reformat_display_set.series_uid
                evidence = [h for h in headers if str(h.get("SeriesInstanceUID", "")) == series_uid]
                out.append(build_plane_measurement_report(on_planes, evidence, previous_version=tools.previous.get("sr3d")))
        if not out:
            raise WorkstationError(self.tr("There is nothing to save: draw a measurement or mark a key image first."))
        return out

    def save(self) -> tasks.Task | None:
        """Ctrl+S: build, queue and send (in a worker thread); the status bar says the outcome."""
        from workstation.annotate.saved_objects import has_3d_regions

        view = self._study_in_front()
        try:
            objects = self.build_objects(view)
        except WorkstationError as exc:
            self._say(str(exc))
            return None
        tools = self.tools(view)
        assert tools is not None
        for ds in objects:
            name = {"SR": "sr", "KO": "kos", "PR": "pr"}.get(str(ds.get("Modality", "")), "other")
            tools.previous["sr3d" if name == "sr" and has_3d_regions(ds) else name] = ds
        client = None
        try:
            profile = self.window.settings.archive()
            client = self.window.archive(profile.name) if profile is not None else None
        except WorkstationError:
            client = None
        queue = self.queue

        def work(_progress: Any, _cancel: Any) -> tuple[int, int]:
            for ds in objects:  # all written to the pending folder first, then sent
                queue.add(ds)
            if client is None:
                return len(objects), len(queue.list())
            result = queue.send(client)
            return len(objects), len(result.pending) + len(result.refused)

        task = tasks.Task(work)
        task.signals.finished.connect(lambda result, t=task: self._saved(t, result))
        task.signals.failed.connect(lambda message, t=task: self._save_failed(t, message))
        self._tasks.append(task)
        self._say(self.tr("Saving..."))
        return tasks.start(task)

    def _saved(self, task: tasks.Task, result: tuple[int, int]) -> None:
        if task in self._tasks:
            self._tasks.remove(task)
        self.pending.refresh(force=True)
        count, waiting = result
        if waiting:
            self._say(self.tr("{0} object{1} waiting for the archive; they are kept and sent on the next save.").format(waiting, 's' if waiting != 1 else ''))
        else:
            self._say(self.tr("Measurements saved ({0} object{1} stored in the archive).").format(count, 's' if count != 1 else ''))

    def _save_failed(self, task: tasks.Task, message: str) -> None:
        if task in self._tasks:
            self._tasks.remove(task)
        self.pending.refresh(force=True)
        self._say(self.tr("Saving failed: {0}").format(message))

    # -- objects waiting for the archive ------------------------------------------------------

    def _store_client(self) -> Any:
        """The configured archive's client (None without one); raises ``WorkstationError``."""
        profile = self.window.settings.archive()
        return self.window.archive(profile.name) if profile is not None else None

    def _pending_count(self, count: int) -> None:
        self.pending_label.setText(self.pending.status_text())
        self.pending_label.setVisible(count > 0)

    def show_pending(self) -> PendingView:
        """Measure > Objects waiting for the archive: the live list with Send now."""
        if self.pending_view is None:
            self.pending_view = PendingView(self.pending, self.window)
            self.pending_view.destroyed.connect(lambda _o=None: setattr(self, "pending_view", None))
            self.pending_view.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.pending_view.show()
        self.pending_view.raise_()
        return self.pending_view

    @property
    def saving(self) -> bool:
        return bool(self._tasks)


def install_measurements(window: QMainWindow) -> MeasurementRoom:
    """Add the measurement tools, the Measure menu and the measurement dock to a main window."""
    return MeasurementRoom(window)


__all__ = ["KeyImages", "KeyNoteDialog", "MeasurementPanel", "MeasurementRoom", "install_measurements"]
