"""The main window: the worklist, one tab per open study, a status bar with progress."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QFileDialog, QMainWindow, QMessageBox, QProgressBar, QTabWidget

from workstation.errors import ArchiveError
from workstation.model.displayset import build_display_sets
from workstation.model.entities import LIBRARY, StudySummary
from workstation.model.query import StudyQuery
from workstation.model.source import CancelToken
from workstation.net.transfer import pull_study
from workstation.settings import Settings
from workstation.store.library import Library
from workstation.ui import tasks
from workstation.ui.study_view import StudyView
from workstation.ui.worklist import WorklistWidget

ALL = "Archive + library"
LIBRARY_NAME = "Local library"


class MainWindow(QMainWindow):
    def __init__(self, settings: Settings, library: Library) -> None:
        super().__init__()
        self.settings = settings
        self.library = library
        self.archives: dict[str, Any] = {}
        self._tasks: list[tasks.Task] = []
        self.setWindowTitle("Workstation")
        self.resize(1400, 900)

        names = [p.name for p in settings.archives]
        sources = ([ALL] if names else []) + names + [LIBRARY_NAME]
        self.worklist = WorklistWidget(self.search, sources)
        self.worklist.study_opened.connect(self.open_study)
        self.worklist.demo_requested.connect(self.add_demo)

        self.tabs = QTabWidget()
        self.tabs.setTabsClosable(True)
        self.tabs.addTab(self.worklist, "Worklist")
        self.tabs.tabBar().setTabButton(0, self.tabs.tabBar().ButtonPosition.RightSide, None)
        self.tabs.tabCloseRequested.connect(self.close_tab)
        self.setCentralWidget(self.tabs)

        self.progress = QProgressBar()
        self.progress.setMaximumWidth(240)
        self.progress.setVisible(False)
        self.statusBar().addPermanentWidget(self.progress)

        file_menu = self.menuBar().addMenu("&File")
        self._action(file_menu, "&Import files or folder...", "Ctrl+I", self.import_dialog)
        self._action(file_menu, "Add &demo study", None, self.add_demo)
        self._action(file_menu, "&Close study", "Ctrl+W", lambda: self.close_tab(self.tabs.currentIndex()))
        file_menu.addSeparator()
        self._action(file_menu, "&Quit", "Ctrl+Q", self.close)
        view_menu = self.menuBar().addMenu("&View")
        self._action(view_menu, "&Worklist", "F2", lambda: self.tabs.setCurrentIndex(0))

        self.worklist.run_search()

    def _action(self, menu: Any, text: str, shortcut: str | None, slot: Any) -> QAction:
        action = QAction(text, self)
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(slot)
        menu.addAction(action)
        return action

    # -- sources -----------------------------------------------------------------------------

    def archive(self, name: str) -> Any:
        if name not in self.archives:
            from workstation.net.dicomweb import DicomWebClient

            profile = self.settings.archive(name)
            if profile is None:
                raise ArchiveError("No archive is configured.")
            self.archives[name] = DicomWebClient(profile)
        return self.archives[name]

    def search(self, query: StudyQuery, source: str) -> list[StudySummary]:
        """Runs in a worker thread."""
        found: dict[str, StudySummary] = {}
        names = [p.name for p in self.settings.archives] if source == ALL else (
            [] if source == LIBRARY_NAME else [source])
        errors = []
        for name in names:
            try:
                for s in self.archive(name).search_studies(query):
                    found[s.study_uid] = s
            except ArchiveError as exc:
                errors.append(str(exc))
        if source in (ALL, LIBRARY_NAME):
            for s in self.library.search_studies(query):
                found[s.study_uid] = found[s.study_uid].merged_with(s) if s.study_uid in found else s
        if errors and not found:
            raise ArchiveError(errors[0])
        return list(found.values())

    # -- opening a study -----------------------------------------------------------------------

    def open_study(self, study: StudySummary) -> None:
        for i in range(1, self.tabs.count()):
            view = self.tabs.widget(i)
            if isinstance(view, StudyView) and view.study.study_uid == study.study_uid:
                self.tabs.setCurrentIndex(i)
                return
        source_name = self.worklist.source.currentText()

        def work(progress: Any, cancel: CancelToken) -> tuple[StudySummary, list[Any]]:
            if LIBRARY not in study.origins or not self.library.study_complete(study.study_uid):
                archive_names = [p.name for p in self.settings.archives]
                name = source_name if source_name in archive_names else (archive_names[0] if archive_names else "")
                if name:
                    report = pull_study(
                        self.archive(name), self.library, study.study_uid, cancel=cancel,
                        progress=lambda done, total, _b: progress(done, total, "Retrieving"),
                    )
                    if not report.complete:
                        progress(0, 0, report.summary())
            headers = self.library.study_headers(study.study_uid)
            return study, build_display_sets(headers)

        self._run(work, f"Opening study {study.study_description or study.study_uid}", self._show_study)

    def _show_study(self, result: tuple[StudySummary, list[Any]]) -> None:
        study, display_sets = result
        self.library.touch_study(study.study_uid)
        view = StudyView(study, display_sets, self._read_instance_factory(study.study_uid))
        view.status.connect(lambda text: self.statusBar().showMessage(text, 5000))
        title = f"{study.patient_name.split('^')[0]} {study.study_date}".strip() or "Study"
        index = self.tabs.addTab(view, title)
        self.tabs.setCurrentIndex(index)

    def _read_instance_factory(self, study_uid: str) -> Any:
        library = self.library

        def read(sop_uid: str) -> bytes:
            return library.read_instance(sop_uid)

        return read

    def close_tab(self, index: int) -> None:
        if index <= 0:
            return
        view = self.tabs.widget(index)
        if isinstance(view, StudyView):
            view.close_study()
        self.tabs.removeTab(index)
        if view is not None:
            view.deleteLater()

    # -- library actions -----------------------------------------------------------------------

    def add_demo(self) -> None:
        from workstation import demo

        def work(progress: Any, cancel: CancelToken) -> int:
            items = list(demo.phantom_series()) + list(demo.bundled_samples())
            for i, data in enumerate(items, 1):
                cancel.raise_if_cancelled()
                self.library.add_bytes(data)
                progress(i, len(items), "Adding demo study")
            return len(items)

        self._run(work, "Adding the demo study", lambda n: self._after_library_change(f"Demo study added ({n} images)."))

    def import_dialog(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Import a folder of DICOM files")
        if folder:
            self.import_paths([Path(folder)])

    def import_paths(self, paths: list[Path]) -> None:
        from workstation.store.importer import import_paths

        def work(progress: Any, cancel: CancelToken) -> Any:
            return import_paths(self.library, paths, progress=lambda d, t, _n: progress(d, t, "Importing"))

        def done(report: Any) -> None:
            if not report.ok:
                QMessageBox.warning(self, "Import", report.summary() + "\n\n" + "\n".join(report.failure_lines()[:20]))
            self._after_library_change(report.summary())

        self._run(work, "Importing", done)

    def _after_library_change(self, message: str) -> None:
        self.worklist.set_empty_library_banner(False)
        self.statusBar().showMessage(message, 8000)
        self.worklist.run_search()

    # -- background work -----------------------------------------------------------------------

    def _run(self, fn: Any, label: str, on_done: Any) -> tasks.Task:
        task = tasks.Task(fn)
        self.statusBar().showMessage(label + "...")
        self.progress.setVisible(True)
        self.progress.setRange(0, 0)

        def progress(done: int, total: int, message: str) -> None:
            if total:
                self.progress.setRange(0, total)
                self.progress.setValue(done)
                self.statusBar().showMessage(f"{message or label} {done}/{total}")
            elif message:
                self.statusBar().showMessage(message)

        def finished(result: Any) -> None:
            self._forget(task)
            on_done(result)

        def failed(message: str) -> None:
            self._forget(task)
            self.statusBar().showMessage(message)
            QMessageBox.warning(self, "Workstation", message)

        task.signals.progress.connect(progress)
        task.signals.finished.connect(finished)
        task.signals.failed.connect(failed)
        self._tasks.append(task)
        return tasks.start(task)

    def _forget(self, task: tasks.Task) -> None:
        if task in self._tasks:
            self._tasks.remove(task)
        if not self._tasks:
            self.progress.setVisible(False)

    def closeEvent(self, event: Any) -> None:  # noqa: N802
        for task in self._tasks:
            task.cancel()
        for i in range(1, self.tabs.count()):
            view = self.tabs.widget(i)
            if isinstance(view, StudyView):
                view.close_study()
        super().closeEvent(event)
