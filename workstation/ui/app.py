"""Start the Qt application."""

from __future__ import annotations

import sys

from PySide6.QtCore import QThreadPool
from PySide6.QtWidgets import QApplication, QMessageBox

from workstation.errors import WorkstationError
from workstation.model.query import StudyQuery
from workstation.settings import Settings, load_settings


def create_main_window(settings: Settings | None = None) -> object:
    from workstation.store.library import Library
    from workstation.ui.main_window import MainWindow

    settings = settings or load_settings()
    max_bytes = int(settings.library_max_gb * 1e9) if settings.library_max_gb > 0 else None
    library = Library(settings.library_path(), max_bytes=max_bytes)
    window = MainWindow(settings, library)
    empty = not library.search_studies(StudyQuery(limit=1))
    window.worklist.set_empty_library_banner(empty and not settings.archives)
    return window


def run_app(argv: list[str] | None = None) -> int:
    app = QApplication.instance() or QApplication(argv or sys.argv)
    app.setApplicationName("Workstation")
    try:
        window = create_main_window()
    except WorkstationError as exc:
        QMessageBox.critical(None, "Workstation", str(exc))
        return 1
    window.show()  # type: ignore[attr-defined]
    status = int(app.exec())
    QThreadPool.globalInstance().waitForDone(5000)  # let cancelled transfers wind down
    return status
