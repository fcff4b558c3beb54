"""The main window: the worklist, one tab per open study, the reading tools, a status bar with
per-series loading progress. More windows (Ctrl+Shift+N) can be opened for other screens.

Opening a study reads its series metadata first (WADO-RS metadata, PS3.18 10.4.1.1.2, one request
per series, in the background), builds the display sets, lays them out and lets each viewport
load its images nearest-first. A study the local library holds completely opens offline, from
the library only, by the same path. Window geometry, tool bar positions and the last grid chosen
are kept between runs (Qt settings in the workstation's config folder; no patient data).
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QCoreApplication, QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QFileDialog, QLabel, QMainWindow, QProgressBar, QTabWidget, QWidget

from workstation.app.context import AppContext
from workstation.app.open_study import NoImagesError, open_study
from workstation.audit.record import record_import, record_search
from workstation.errors import ArchiveError, WorkstationError
from workstation.model.entities import ARCHIVE, LIBRARY, StudySummary
from workstation.model.query import StudyQuery
from workstation.model.source import CancelToken
from workstation.settings import Settings, ui_ini_path
from workstation.store.library import Library
from workstation.ui import tasks
from workstation.ui.about import show_about
from workstation.ui.actions import (
    QC_MODE_KEY,
    REPORT_KEY,
    TAG_BROWSER_KEY,
    ReadingActions,
    ShortcutsDialog,
    shortcut_rows,
)
from workstation.ui.core_text import core_text
from workstation.ui.i18n import QT_TRANSLATE_NOOP
from workstation.ui.settings_store import settings_store
from workstation.ui.study_view import StudyView
from workstation.ui.worklist import WorklistWidget, format_person_name

if TYPE_CHECKING:
    from workstation.ui.qc_view import QCView

log = logging.getLogger(__name__)

#: After the window opens, viewports are made ready ahead of the first study (ms).
SPARE_VIEWPORT_DELAY_MS = 1000
#: How many viewports are kept ready ahead (built, render window initialised): the hanging
#: protocols of everyday reading show two or more, and each one made while a study opens holds
#: up its first image by tens of ms.
SPARE_VIEWPORTS = 2

ALL = QT_TRANSLATE_NOOP("MainWindow", "Archive + library")
LIBRARY_NAME = QT_TRANSLATE_NOOP("MainWindow", "Local library")

_shared_decoder: Any = None


def shared_decoder() -> Any:
    """The application's one decoder pool (threads, and processes for GIL-bound codecs)."""
    global _shared_decoder
    if _shared_decoder is None:
        from workstation.model.decoder_pool import DecoderPool

        _shared_decoder = DecoderPool()
    return _shared_decoder


def shutdown_shared_decoder() -> None:
    global _shared_decoder
    if _shared_decoder is not None:
        _shared_decoder.shutdown(wait=False, cancel_pending=True)
        _shared_decoder = None


def ui_settings() -> QSettings:
    """Window geometry and layout only, in the config folder (never patient data); every other
    choice is in the typed settings (:mod:`workstation.ui.settings_store`)."""
    return QSettings(str(ui_ini_path()), QSettings.Format.IniFormat)


def default_viewport() -> QWidget:
    from workstation.ui.viewport import ViewportWidget

    return ViewportWidget()


class MainWindow(QMainWindow):
    """The reading room. ``make_viewport`` builds a 2D viewport (the VTK viewport by default)."""

    windows: list[MainWindow] = []  # every window opened, so that none is garbage-collected
    #: A sentence from a worker thread for the status bar (an archive failed over, came back).
    archive_said = Signal(str)
    #: (search number, SourceAnswer): an archive that answered after the search's deadline.
    late_answer = Signal(int, object)

    def __init__(self, settings: Settings, library: Library, *, make_viewport: Any = None) -> None:
        from workstation.ui.theme import apply_theme

        apply_theme()  # dark by default around the images; light in the settings (before any widget)
        super().__init__()
        MainWindow.windows.append(self)
        self.settings = settings
        self.library = library
        self.make_viewport = make_viewport or default_viewport
        self._spare_viewports: list[Any] = []  # viewports built and initialised ahead (see _viewport)
        self._closing = False
        self.archives: dict[str, Any] = {}
        #: What the workflows (workstation.app) see of this window.
        self.context = AppContext(settings=lambda: self.settings, library=lambda: self.library,
                                  archive=self.archive, all_archives=self.all_archives,
                                  decoder_pool=shared_decoder)
        self.search_problems: list[str] = []  # archives that did not answer the last search
        self.search_deadline_s = 20.0  # each archive's time to answer before it is named late
        self._search_number = 0
        self.late_answer.connect(self._late_answer)
        self.archive_said.connect(lambda text: self.statusBar().showMessage(text, 15000))
        self.qc_view: QCView | None = None  # the QC tab, made on first use (show_qc)
        self._reading_headers: dict[StudyView, dict[str, Any]] = {}  # SOP UID -> header, per study tab
        self.hidden_note = ""  # "N rejected images hidden" for the study opened last
        self.setWindowTitle(self.tr("Workstation"))
        self.resize(1400, 900)

        self.worklist = WorklistWidget(self.search, self._source_names(), qc_states=self._qc_states,
                                       problems=lambda: list(self.search_problems), ris_profile=lambda: self.settings.ris)
        self.worklist.study_opened.connect(self.open_study)
        self.worklist.demo_requested.connect(self.add_demo)

        self.tabs = QTabWidget()
        self.tabs.setTabsClosable(True)
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(self.worklist, self.tr("Worklist"))
        self.tabs.tabBar().setTabButton(0, self.tabs.tabBar().ButtonPosition.RightSide, None)
        self.tabs.tabCloseRequested.connect(self.close_tab)
        self.setCentralWidget(self.tabs)

        self.notice = QLabel("")
        self.notice.setStyleSheet("color: #d04040;")
        self.loading = QLabel("")
        self.progress = QProgressBar()
        self.progress.setMaximumWidth(200)
        self.progress.setVisible(False)
        self._tasks = tasks.TaskTracker(self.progress)
        self.statusBar().addWidget(self.notice, 1)
        self.statusBar().addPermanentWidget(self.loading)
        self.statusBar().addPermanentWidget(self.progress)

        self.tools = ReadingActions(self, self.current_study)
        self.tool_bar = self.tools.tool_bar()
        self.addToolBar(self.tool_bar)
        self._menus()
        # -- measurements, key images and saving them (issue 6) --
        from workstation.ui.measurement_panel import install_measurements

        self.measurements = install_measurements(self)
        # -- hanging protocols and priors (issue 5) --
        self._install_hanging()
        # -- session lock, sign-in and sign-out (issue 16) --
        from workstation.ui.session_lock import install_session_lock

        install_session_lock(self)
        self.tabs.currentChanged.connect(lambda _i: self._front_changed())
        self._front_changed()
        self._restore_ui()
        self.worklist.run_search()
        QTimer.singleShot(SPARE_VIEWPORT_DELAY_MS, self, self._prepare_viewport_at_start)

    def _menus(self) -> None:
        # File: open things, what goes out, windows, settings, and Quit last (as in every desktop app).
        file_menu = self.menuBar().addMenu(self.tr("&File"))
        self.file_menu = file_menu
        self._action(file_menu, self.tr("&Import files or folder..."), "Ctrl+I", self.import_dialog)
        self._action(file_menu, self.tr("Add &demo study"), None, self.add_demo)
        self._action(file_menu, self.tr("&Export..."), "Ctrl+E", self.export_dialog)
        file_menu.addSeparator()
        self._action(file_menu, self.tr("&Outbox..."), None, self.show_outbox)
        self._action(file_menu, self.tr("Objects &waiting for the archive..."), None, lambda: self.measurements.show_pending())
        file_menu.addSeparator()
        self._action(file_menu, self.tr("&New window"), "Ctrl+Shift+N", self.new_window)
        self._action(file_menu, self.tr("&Close study"), "Ctrl+W", lambda: self.close_tab(self.tabs.currentIndex()))
        file_menu.addSeparator()
        self._action(file_menu, self.tr("&Settings..."), "Ctrl+,", self.open_settings)
        file_menu.addSeparator()
        self._action(file_menu, self.tr("&Quit"), "Ctrl+Q", self.close)
        view_menu = self.menuBar().addMenu(self.tr("&View"))
        self._action(view_menu, self.tr("&Worklist"), "F2", lambda: self.tabs.setCurrentIndex(0))
        # -- QC mode and tag browser (issue 8) --
        self._action(view_menu, self.tr("&QC mode"), QC_MODE_KEY, self.show_qc)
        self._action(view_menu, self.tr("DICOM &tags"), TAG_BROWSER_KEY, self.show_tags)
        # -- reporting (issue 7) --
        self.report_action = self._action(view_menu, self.tr("&Report"), REPORT_KEY, self.toggle_report)
        # -- MPR and 3D (issue 4) --
        self._add_reformat_actions(view_menu)
        view_menu.addSeparator()
        self.tools.fill_view_menu(view_menu)
        help_menu = self.menuBar().addMenu(self.tr("&Help"))
        self._action(help_menu, self.tr("&Shortcuts"), "F1", self.show_shortcuts)
        self._action(help_menu, self.tr("&About the workstation"), None, lambda: show_about(self))

    def _action(self, menu: Any, text: str, shortcut: str | None, slot: Any) -> QAction:
        action = QAction(text, self)
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(lambda _checked=False: slot())
        menu.addAction(action)
        return action

    def all_shortcuts(self) -> list[tuple[str, str]]:
        """(keys, action) for every shortcut of this window, reading tools first."""
        actions = list(self.tools.actions)
        actions += [a for a in self.findChildren(QAction) if a not in actions]
        return shortcut_rows(actions, self.tools.preset_names())

    def show_shortcuts(self) -> ShortcutsDialog:
        dialog = ShortcutsDialog(self.all_shortcuts(), self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.show()
        return dialog

    # -- remembered window state ---------------------------------------------------------------

    def _restore_ui(self) -> None:
        store = ui_settings()
        geometry = store.value("window/geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        state = store.value("window/state")
        if state is not None:
            self.restoreState(state)

    def _save_ui(self) -> None:
        store = ui_settings()
        store.setValue("window/geometry", self.saveGeometry())
        store.setValue("window/state", self.saveState())
        store.sync()

    def remember_grid(self, rows: int, columns: int) -> None:
        store = ui_settings()
        store.setValue("layout/grid", f"{rows}x{columns}")
        store.sync()

    @staticmethod
    def remembered_grid() -> tuple[int, int] | None:
        value = str(ui_settings().value("layout/grid", "") or "")
        try:
            rows, columns = (int(v) for v in value.split("x"))
        except ValueError:
            return None
        return (rows, columns) if 1 <= rows <= 4 and 1 <= columns <= 4 else None

    # -- sources -------------------------------------------------------------------------------

    def _source_names(self) -> list[str]:
        names = [p.name for p in self.settings.archives]
        return ([ALL] if names else []) + names + [LIBRARY_NAME]

    def archive(self, name: str) -> Any:
        """The client of archive ``name``: failing over to its backups when it has some."""
        if name not in self.archives:
            from workstation.sources import client_for

            profile = self.settings.archive(name)
            if profile is None:
                raise ArchiveError(self.tr("No archive is configured; add one in File > Settings."))
            self.archives[name] = client_for(self.settings, profile, self.archive_said.emit)
        return self.archives[name]

    def all_archives(self) -> Any:
        """Every archive that is not a backup behind one study source (priors are looked for
        in all of them), or None when none is configured."""
        from workstation.net.federated import FederatedSource

        names = [p.name for p in self.settings.primary_archives()]
        return FederatedSource([(n, self.archive(n)) for n in names]) if names else None

    def search(self, query: StudyQuery, source: str) -> list[StudySummary]:
        """Runs in a worker thread: every archive (and the library) at once, each with its
        deadline (workstation.net.federated); the ones that failed or are late are named."""
        from workstation.net.federated import LIBRARY_NAME as LIBRARY_SOURCE
        from workstation.net.federated import FederatedSearch

        names = [p.name for p in self.settings.primary_archives()] if source == ALL else (
            [] if source == LIBRARY_NAME else [source])
        sources: list[tuple[str, Any]] = [(n, self.archive(n)) for n in names]
        if source in (ALL, LIBRARY_NAME):
            sources.append((LIBRARY_SOURCE, self.library))
        self._search_number += 1
        number = self._search_number
        result = FederatedSearch(sources, deadline_s=self.search_deadline_s).search(
            query, on_late=lambda answer: self.late_answer.emit(number, answer))
        problems = result.problem_lines()
        self.search_problems = problems
        record_search(self.settings, query, len(result.studies),
                      problem=problems[0] if problems else "")
        if problems and not result.studies:
            raise ArchiveError(" ".join(problems))
        return result.studies

    def _late_answer(self, number: int, answer: Any) -> None:
        """An archive answered after the deadline: its rows join the list (or its sentence
        replaces "has not answered yet"); an answer to an older search is dropped."""
        if number != self._search_number:
            return
        self.search_problems = [p for p in self.search_problems if f"'{answer.name}'" not in p]
        if answer.error:
            self.search_problems.append(answer.error)
        self.worklist.merge_late(answer.studies)

    # -- opening a study -----------------------------------------------------------------------

    def current_study(self) -> StudyView | None:
        view = self.tabs.currentWidget()
        return view if isinstance(view, StudyView) else None

    def studies(self) -> list[StudyView]:
        return [w for i in range(self.tabs.count()) if isinstance(w := self.tabs.widget(i), StudyView)]

    def open_study(self, study: StudySummary) -> None:
        for i in range(1, self.tabs.count()):
            view = self.tabs.widget(i)
            if isinstance(view, StudyView) and view.study.study_uid == study.study_uid:
                self.tabs.setCurrentIndex(i)
                return
        source_name = self.worklist.source_key()
        archive_names = [p.name for p in self.settings.archives]
        name = source_name if source_name in archive_names else (
            self.settings.default_archive if self.settings.default_archive in archive_names
            else (archive_names[0] if archive_names else ""))
        if study.archives and name not in study.archives:  # from an archive that holds it
            name = next((p.name for p in self.settings.archives if p.name in study.archives), name)
        offline = LIBRARY in study.origins and self.library.study_complete(study.study_uid)
        use_archive = bool(name) and not offline and (ARCHIVE in study.origins or LIBRARY not in study.origins)

        def work(progress: Any, cancel: CancelToken) -> tuple[StudySummary, list[Any], list[Any], Any, int]:
            context = self.context
            client = context.archive(name) if use_archive else None
            text = QCoreApplication.translate("MainWindow", "Reading series information")
            try:
                opened = open_study(study, settings=context.settings(), library=context.library(), archive=client,
                                    progress=lambda done, total: progress(done, total, text), cancel=cancel)
            except NoImagesError:
                raise WorkstationError(self.tr("This study has no images in the local library and no archive is configured to fetch them from.")) from None
            return study, opened.display_sets, opened.headers, client, opened.hidden

        self._run(work, self.tr("Opening the study"), self._show_study)
        QTimer.singleShot(0, self, self._prepare_for_opening)  # while the headers are read

    def prepare_viewport(self) -> None:
        """Build a viewport ahead and initialise its render window (the OpenGL context, tens
        of ms) while the UI thread has nothing else to do, so that the next study shows its
        first image without waiting for it; one per event-loop turn until
        :data:`SPARE_VIEWPORTS` are ready."""
        if len(self._spare_viewports) >= SPARE_VIEWPORTS or self._closing:
            return
        self._build_spare()
        if len(self._spare_viewports) < SPARE_VIEWPORTS:
            QTimer.singleShot(0, self, self._prepare_another)

    def _build_spare(self) -> None:
        if self._closing:
            return
        viewport = self.make_viewport()
        view = getattr(viewport, "view", None)
        if view is not None and hasattr(view, "Initialize"):
            view.Initialize()  # a hidden widget can: its native window exists from the start
        self._spare_viewports.append(viewport)

    def _prepare_for_opening(self) -> None:
        """While a study's headers are read: the viewport its first image needs, if none is
        ready (the others draw after that image anyway: not made before it)."""
        if not self._spare_viewports:
            self._build_spare()

    def _prepare_another(self) -> None:
        """The next viewport ahead, unless a study's images are arriving now (no stall then)."""
        if not any(v.loading_summary() for v in self.studies()):
            self.prepare_viewport()

    @property
    def ready_viewports(self) -> int:
        """How many viewports are ready ahead for the next study."""
        return len(self._spare_viewports)

    def _prepare_viewport_at_start(self) -> None:
        """The first viewport, made while the reader looks at the worklist; not once a study is
        opening or open (that one took its own, and its slices may be arriving: no stall then)."""
        if not self.studies() and not self._tasks.running:
            self.prepare_viewport()

    def _viewport(self) -> Any:
        """A viewport for a study view: the one prepared ahead, else a new one."""
        return self._spare_viewports.pop(0) if self._spare_viewports else self.make_viewport()

    def _show_study(self, result: tuple[StudySummary, list[Any], list[Any], Any, int]) -> None:
        study, display_sets, headers, archive, hidden = result
        if not display_sets:
            self.show_error(self.tr("The study has no series that can be shown.")
                            + (self.tr(" {0} rejected images hidden.").format(hidden) if hidden else ""))
            return
        hung = self.hanging.choose(study, display_sets, headers) if self.hanging_on_open else None
        grid, hanging = self.hanging.slots_of(hung) if hung is not None else (self.remembered_grid(), None)
        view = StudyView(study, display_sets, headers, library=self.library, archive=archive,
                         decoder=shared_decoder(), make_viewport=self._viewport,
                         grid=grid, hanging=hanging)
        view.status.connect(self.show_error)
        view.progress.connect(self._update_loading)
        view.active_changed.connect(self.tools.refresh)
        title = f"{format_person_name(study.patient_name).split(',')[0]} {study.study_date}".strip() or "Study"
        index = self.tabs.addTab(view, title)
        self.tabs.setCurrentIndex(index)
        self._reading_headers[view] = {str(h.get("SOPInstanceUID", "") or ""): h for h in headers}
        # A partial local copy (a pull cut off half-way) says so until the next message.
        incomplete = study.completeness_note() if archive is None else ""
        self.statusBar().showMessage(self.tr("Study opened") + (self.tr(" from the local library") if archive is None else "")
                                     + (self.tr("; {0} rejected images hidden").format(hidden) if hidden else "")
                                     + (f"; {incomplete}" if incomplete else ""), 0 if incomplete else 8000)
        self.hidden_note = self.tr("{0} rejected images hidden").format(hidden) if hidden else ""
        if hung is not None:
            self.hanging.attach(view, hung)
            # The prior search (archive queries, header reading) waits until the current study
            # shows its first images, so that it never holds them up.
            if view.current_first_images_pending():
                view.first_images_shown.connect(lambda v=view: self.hanging.look_for_priors(v) if v in self.studies() else None)
            else:
                self.hanging.look_for_priors(view)
        self._update_loading()

    def close_tab(self, index: int) -> None:
        if index <= 0:
            return
        view = self.tabs.widget(index)
        if isinstance(view, StudyView):
            view.close_study()
            self._reading_headers.pop(view, None)
        if self.qc_view is not None and view is self.qc_view:
            self.qc_view.cancel_all()
            self.qc_view = None
        release = getattr(view, "release", None) if getattr(view, "reformat_kind", None) else None
        if release is not None:
            release()  # an MPR / 3D tab: frees its volume
            study = getattr(view, "reformat_of", None)
            if getattr(view, "reformat_kind", None) == "mpr" and study in self.studies():
                study.set_reformat_planes(None, None)  # its planes' lines leave the 2D viewports
        self.tabs.removeTab(index)
        if view is not None:
            view.deleteLater()
        self._update_loading()
        if isinstance(view, StudyView) and not any(v.loading_summary() for v in self.studies()):
            QTimer.singleShot(0, self, self.prepare_viewport)  # ready for the next study

    def _front_changed(self) -> None:
        self.tools.refresh()
        self._update_loading()

    def _update_loading(self) -> None:
        parts = []
        for view in self.studies():
            for label, arrived, total in view.loading_summary():
                parts.append(f"{label}: {arrived}/{total}")
        self.loading.setText((self.tr("Loading ") + " · ".join(parts)) if parts else "")

    # -- QC mode and the tag browser (issue 8) ---------------------------------------------------

    def show_qc(self) -> Any:
        """F3: the QC tab (made on first use). With a study in front, QC of that study (its day
        listed, it selected and checked); else the day's studies with their QC status."""
        from workstation.ui.qc_view import QCView

        front = self.current_study()
        if self.qc_view is None:
            self.qc_view = QCView(self.library, lambda: self.settings, self._qc_archive)
            self.qc_view.message.connect(lambda text: self.statusBar().showMessage(text, 8000))
            self.qc_view.error.connect(self.show_error)
            self.qc_view.open_for_reading.connect(self.open_study)
            self.qc_view.checked.connect(lambda _r: self.worklist.show_qc_states())
            self.qc_view.finding_chosen.connect(self._show_finding)
            self.tabs.insertTab(1, self.qc_view, "QC")
        self.tabs.setCurrentWidget(self.qc_view)
        if front is not None:
            self.qc_view.show_study(front.study)
        return self.qc_view

    def _show_finding(self, series_uid: str, instances: Any) -> None:
        """A QC finding chosen: the open study showing that series goes to its first image."""
        wanted = set(instances)
        for view in self.studies():
            for binding in view.bindings:
                ds = binding.display_set
                if ds is None or ds.series_uid != series_uid or not ds.kind.is_image:
                    continue
                index = next((i for i, (uid, _f) in enumerate(ds.frames) if str(uid) in wanted), None)
                if index is not None:
                    binding.state.image_index = index

    def _qc_states(self) -> dict[str, Any]:
        """The QC state of every study QC has seen here (for the worklist's QC column)."""
        from workstation.qc.status import QCStatusStore

        return QCStatusStore.for_settings(self.settings).states()

    def _qc_archive(self) -> Any:
        profile = self.settings.archive()
        return self.archive(profile.name) if profile is not None else None

    def active_header(self) -> Any:
        """The header of the image in the active viewport of the study in front; before that
        image arrived, the first header of the active display set; None without a study."""
        view = self.current_study()
        if view is None:
            return None
        binding = view.active
        header = binding.header()
        if header is not None:
            return header
        known = self._reading_headers.get(view, {})
        display_set = binding.display_set
        uids = list(display_set.sop_instance_uids) if display_set is not None else []
        return next((known[u] for u in uids if u in known), next(iter(known.values()), None))

    def study_headers(self, view: StudyView) -> list[Any]:
        """Every header of an open study (images, reports, key objects, presentation states)."""
        return list(self._reading_headers.get(view, {}).values())

    def reading_header(self, view: StudyView, sop_instance_uid: str) -> Any:
        """The header of one instance of an open study (by SOP Instance UID), or None."""
        return self._reading_headers.get(view, {}).get(sop_instance_uid)

    def show_tags(self) -> Any:
        """View > DICOM tags: the tag browser of the active image (or of QC mode's selection)."""
        from workstation.ui.tag_browser import open_tag_browser

        if self.qc_view is not None and self.tabs.currentWidget() is self.qc_view:
            return self.qc_view.show_tags()
        header = self.active_header()
        if header is None:
            self.show_error(self.tr("Open a study (or select an image in QC mode) to see its DICOM tags."))
            return None
        return open_tag_browser(header, self)

    # -- reporting (issue 7) --------------------------------------------------------------------

    def toggle_report(self) -> Any:
        """View > Report: show or hide the report editor dock for the study in front."""
        from workstation.ui.report_editor import ReportDock

        dock = getattr(self, "report_dock", None)
        if dock is None:
            dock = ReportDock(lambda: self.settings, self)
            dock.editor.context = self.context
            dock.editor.message.connect(lambda text: self.statusBar().showMessage(text, 8000))
            self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, dock)
            panel = self.measurements.panel
            if panel.isVisible() and not panel.isFloating() \
                    and self.dockWidgetArea(panel) == Qt.DockWidgetArea.RightDockWidgetArea:
                # A tab beside the measurement list, in its place and at its width: opening the
                # report leaves the viewports their size (the images are not re-zoomed).
                width = max(panel.width(), dock.minimumWidth())
                self.tabifyDockWidget(panel, dock)
                dock.show()
                self.resizeDocks([dock], [width], Qt.Orientation.Horizontal)
            self.tabs.currentChanged.connect(lambda _i: self._report_follow())
            self.report_dock = dock
        elif dock.isVisible():
            dock.editor.save_draft()
            dock.hide()
            return dock
        dock.show()
        dock.raise_()
        self._report_follow()
        return dock

    def _report_follow(self) -> None:
        """The report editor shows the report of the study in front (its draft saved first)."""
        dock = getattr(self, "report_dock", None)
        view = self.current_study()
        if dock is None or view is None:
            return
        headers = list(self._reading_headers.get(view, {}).values())
        dock.editor.open_study(view.study, headers, display_sets=view.display_sets,
                               library=self.library, archive=view.archive)

    def show_outbox(self) -> Any:
        """File > Outbox: the delivery state of signed reports per destination, with Retry."""
        from workstation.ui.outbox_view import OutboxView

        view = getattr(self, "outbox_view", None)
        if view is None:
            view = OutboxView(lambda: self.settings, self)
            self.outbox_view = view
        view.show()
        view.raise_()
        return view

    def export_dialog(self) -> Any:
        """File > Export...: the current study to a folder, media, a ZIP or another archive."""
        from workstation.ui.export_dialog import ExportDialog

        view = self.current_study()
        if view is None:
            self.notice.setText(self.tr("Open a study to export it."))
            return None
        dialog = ExportDialog(self.settings, self.library, view.study.study_uid, self)
        dialog.done_sentence.connect(self.notice.setText)
        dialog.show()
        return dialog

    # -- MPR and 3D (issue 4) --------------------------------------------------------------------

    def _add_reformat_actions(self, menu: Any) -> None:
        from workstation.ui.actions import MPR_KEY, VOLUME_3D_KEY

        self.mpr_action = self._action(menu, self.tr("&MPR (axial, coronal, sagittal)"), MPR_KEY, lambda: self.toggle_reformat("mpr"))
        self.volume_3d_action = self._action(menu, self.tr("3D &volume rendering"), VOLUME_3D_KEY, lambda: self.toggle_reformat("3d"))

    def toggle_reformat(self, kind: str) -> Any:
        """MPR (``kind='mpr'``) or 3D (``'3d'``) of the active viewport's volume in a tab
        "MPR: <series>" / "3D: <series>" (the open one if there is one); pressed on that tab,
        back to its study. Returns the tab's widget (the study view when going back) or None."""
        current = self.tabs.currentWidget()
        source = getattr(current, "reformat_of", None)
        if source is not None and getattr(current, "reformat_kind", "") == kind:
            index = self.tabs.indexOf(source)
            self.tabs.setCurrentIndex(index if index >= 0 else 0)
            return source if index >= 0 else None
        study = source if source is not None else self.current_study()
        if study is None:
            self.show_error(self.tr("Open a study and pick a volume series in a viewport first; MPR and 3D show the active viewport's series."))
            return None
        display_set = getattr(current, "reformat_display_set", None) if source is not None else study.active.display_set
        if display_set is None or not display_set.is_volume:
            self.show_error(self.tr("The active viewport's series is not a volume (parallel slices of one stack), so it cannot be reformatted; choose a CT or MR series."))
            return None
        for i in range(self.tabs.count()):
            widget = self.tabs.widget(i)
            if getattr(widget, "reformat_kind", None) == kind and getattr(widget, "reformat_display_set", None) is display_set:
                self.tabs.setCurrentIndex(i)
                return widget
        from workstation.render.offscreen import load_display_set_volume
        from workstation.ui.mpr_view import MprView
        from workstation.ui.volume_view import VolumeView

        name = display_set.series_description or (f"Se {display_set.series_number}" if display_set.series_number is not None else "series")
        view: Any = MprView(title=name) if kind == "mpr" else VolumeView(title=name)
        view.reformat_of, view.reformat_kind, view.reformat_display_set = study, kind, display_set
        known = self._reading_headers.get(study, {})
        uids = list(dict.fromkeys(uid for uid, _ in display_set.frames))
        headers = {uid: known[uid] for uid in uids if uid in known}

        def work(progress: Any, cancel: CancelToken) -> Any:
            done = [0]

            def read(uid: str) -> bytes:
                cancel.raise_if_cancelled()
                data = study.read_instance(display_set.study_uid, display_set.series_uid, uid)
                done[0] += 1
                progress(done[0], len(uids), self.tr("Reading the images"))
                return data

            return load_display_set_volume(display_set, headers, read)

        view.failed.connect(self.show_error)
        if kind != "mpr" and hasattr(view, "add_surfaces"):  # the study's segmentations as surfaces in 3D
            view.loaded.connect(lambda v=view, s=study: v.add_surfaces([o for _, o in s.overlays.overlays]))
        if kind == "mpr":  # the study's saved MPR measurements, once the volume is there
            view.loaded.connect(lambda v=view, s=study: self.measurements.show_saved_plane_measurements(v, s))
            # ...and the reader's place: the slice (or 3D cursor), window and 2D measurements.
            active = study.active if study.active.display_set is display_set else None
            if active is not None:
                from workstation.ui.mpr_opening import start_from

                tools = self.measurements.tools(study)
                start = start_from(active, list(tools.measurements) if tools is not None else [])
                view.loaded.connect(lambda v=view, st=start: self._mpr_started(v, st))
            # The MPR planes as reference lines on the study's 2D viewports of the same frame.
            view.planes_changed.connect(lambda planes, s=study, frame=display_set.frame_of_reference_uid: s.set_reformat_planes(
                planes, frame) if s in self.studies() else None)  # the display set's frame (model.frame_of_reference)
        index = self.tabs.addTab(view, f"{'MPR' if kind == 'mpr' else '3D'}: {name}")
        self.tabs.setCurrentIndex(index)
        view.load(work)
        return view

    def _mpr_started(self, view: Any, start: Any) -> None:
        from workstation.ui.mpr_opening import apply_start

        carried = apply_start(view, start)
        if carried or start.left_in_2d:
            self.statusBar().showMessage(
                self.tr("{0} measurement(s) shown on the MPR planes").format(carried)
                + (self.tr("; {0} of other kinds (ROIs, text) stay on the 2D images").format(start.left_in_2d) if start.left_in_2d else "")
                + ".", 8000)

    # -- hanging protocols and priors (issue 5) -------------------------------------------------

    def _install_hanging(self) -> None:
        from workstation.ui.hanging_bridge import (
            APPLY_ON_OPEN_DEFAULT,
            NEXT_STAGE_KEY,
            PREVIOUS_STAGE_KEY,
            HangingBridge,
        )

        self.hanging = HangingBridge(self, context=self.context)
        chosen = str(settings_store().value("hanging/apply_on_open", "") or "").lower()
        self.hanging_on_open = chosen == "true" if chosen in ("true", "false") else APPLY_ON_OPEN_DEFAULT
        self.statusBar().addPermanentWidget(self.hanging.label)
        self.tabs.currentChanged.connect(lambda _i: self.hanging.refresh_label())
        menu = self.menuBar().addMenu(self.tr("&Hanging"))
        self.next_stage_action = self._action(menu, self.tr("&Next stage"), NEXT_STAGE_KEY, lambda: self.hanging.step(1))
        self.previous_stage_action = self._action(menu, self.tr("&Previous stage"), PREVIOUS_STAGE_KEY, lambda: self.hanging.step(-1))
        menu.addSeparator()
        self._action(menu, self.tr("&Save this layout as a protocol..."), None, self.hanging.save_layout)
        self._action(menu, self.tr("&Edit protocols..."), None, self.hanging.edit_protocols)
        self._action(menu, self.tr("&Import protocol..."), None, self.hanging.import_file)
        self._action(menu, self.tr("&Export current protocol..."), None, self.hanging.export_current)
        menu.addSeparator()
        self.hanging_on_open_action = self._action(menu, self.tr("&Apply protocols when a study opens"), None, lambda: None)
        self.hanging_on_open_action.setCheckable(True)
        self.hanging_on_open_action.setChecked(self.hanging_on_open)
        self.hanging_on_open_action.toggled.connect(self.set_hanging_on_open)

    def set_hanging_on_open(self, on: bool) -> None:
        """Whether studies open laid out by their hanging protocol (kept between runs)."""
        self.hanging_on_open = on
        self.hanging_on_open_action.setChecked(on)
        store = settings_store()
        store.setValue("hanging/apply_on_open", "true" if on else "false")
        store.sync()

    # -- more windows, settings, help ----------------------------------------------------------

    def new_window(self) -> MainWindow:
        """Another reading window (for a second screen) on the same library and settings."""
        window = MainWindow(self.settings, self.library, make_viewport=self.make_viewport)
        screens = self.screen().virtualSiblings() if self.screen() is not None else []
        others = [s for s in screens if s is not self.screen()]
        if others:
            window.setGeometry(others[0].availableGeometry())
        window.show()
        return window

    def open_settings(self) -> Any:
        from workstation.ui.settings_dialog import SettingsDialog

        dialog = SettingsDialog(self.settings, self)
        dialog.saved.connect(self.apply_settings)
        dialog.forget_all_requested.connect(self.forget_all_patient_data)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    def apply_settings(self, settings: Settings) -> None:
        """New settings: archive clients made again; an archive just added is searched at once
        (the worklist goes to "Archive + library") and the empty-library banner goes away."""
        before = {p.name for p in self.settings.archives}
        self.settings = settings
        for client in self.archives.values():
            try:
                client.close()
            except Exception:  # noqa: BLE001 - closing an idle client never matters
                pass
        self.archives.clear()
        current = self.worklist.source_key()
        self.worklist.set_sources(self._source_names())
        added = [p.name for p in settings.archives if p.name not in before]
        if added:
            self.worklist.select_source(ALL)
        elif current in self._source_names():
            self.worklist.select_source(current)
        if settings.archives:
            self.worklist.set_empty_library_banner(False)
        self.statusBar().showMessage(self.tr("Settings saved.") + (self.tr(" Searching {0}.").format(', '.join(added)) if added else ""), 5000)
        if added:
            self.worklist.run_search()

    def forget_all_patient_data(self) -> bool:
        """Close the library, remove all patient data and its key (``workstation.forget``),
        say so, and close the window: nothing of the removed data may stay on screen."""
        from PySide6.QtWidgets import QMessageBox

        from workstation.crypt.keys import refuse_new_key_until_restart
        from workstation.forget import forget_all

        self.library.close()
        try:
            said = forget_all(self.settings).summary()
            refuse_new_key_until_restart()  # a late task must not start a new, hidden library
        except WorkstationError as exc:
            QMessageBox.critical(self, self.tr("Workstation"), str(exc))
            return False
        QMessageBox.information(self, self.tr("Workstation"), self.tr("{0} The workstation now closes.").format(said))
        self.close()
        return True

    def show_error(self, message: str) -> None:
        """Every failure reaches the reader as one sentence, without blocking the window."""
        message = core_text(message)  # the core's fixed sentences in the reader's language
        self.notice.setText(message)
        self.notice.setToolTip(message)

    # -- library actions -----------------------------------------------------------------------

    def add_demo(self) -> None:
        from workstation import demo

        def work(progress: Any, cancel: CancelToken) -> int:
            items = list(demo.phantom_series()) + list(demo.bundled_samples())
            for i, data in enumerate(items, 1):
                cancel.raise_if_cancelled()
                self.library.add_bytes(data)
                progress(i, len(items), self.tr("Adding demo study"))
            return len(items)

        self._run(work, self.tr("Adding the demo study"), lambda n: self._after_library_change(self.tr("Demo study added ({0} images).").format(n)))

    def import_dialog(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, self.tr("Import a folder of DICOM files"))
        if folder:
            self.import_paths([Path(folder)])

    def import_paths(self, paths: list[Path]) -> None:
        from workstation.store.importer import import_paths

        def work(progress: Any, cancel: CancelToken) -> Any:
            report = import_paths(self.library, paths, progress=lambda d, t, _n: progress(d, t, self.tr("Importing")))
            record_import(self.settings, self.library, report)
            return report

        def done(report: Any) -> None:
            if not report.ok:
                self.show_error(report.summary() + " " + " ".join(report.failure_lines()[:3]))
            self._after_library_change(report.summary())

        self._run(work, self.tr("Importing"), done)

    def _after_library_change(self, message: str) -> None:
        self.worklist.set_empty_library_banner(False)
        self.statusBar().showMessage(message, 8000)
        self.worklist.run_search()

    # -- background work -----------------------------------------------------------------------

    def _run(self, fn: Any, label: str, on_done: Any) -> tasks.Task:
        self.statusBar().showMessage(label + "...")

        def report(done: int, total: int, message: str) -> None:
            if total:
                self.statusBar().showMessage(f"{message or label} {done}/{total}")
            elif message:
                self.statusBar().showMessage(message)

        def finished(result: Any) -> None:
            self.statusBar().clearMessage()
            on_done(result)

        def failed(message: str) -> None:
            self.statusBar().clearMessage()
            self.show_error(message)

        return self._tasks.start(fn, label, finished=finished, failed=failed, report=report)

    def closeEvent(self, event: Any) -> None:  # noqa: N802
        self._closing = True
        if getattr(self, "report_dock", None) is not None:
            self.report_dock.editor.save_draft()  # the report draft as it is on screen
        spares, self._spare_viewports = self._spare_viewports, []
        for spare in spares:
            spare.close()  # frees its render window
            spare.deleteLater()
        self._save_ui()
        self.hanging.cancel_all()
        self._tasks.cancel_all()
        for index in reversed(range(1, self.tabs.count())):
            self.close_tab(index)  # cancels its loads and frees its viewports' render windows
        if self in MainWindow.windows:
            MainWindow.windows.remove(self)
        super().closeEvent(event)
