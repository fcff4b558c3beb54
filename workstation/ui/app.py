"""Start the Qt application."""

from __future__ import annotations

import sys
from typing import Any

from PySide6.QtCore import QCoreApplication, QThreadPool
from PySide6.QtWidgets import QApplication, QMessageBox, QProgressDialog

from workstation import __version__
from workstation.errors import WorkstationError
from workstation.model.query import StudyQuery
from workstation.settings import Settings, load_settings
from workstation.ui.i18n import QT_TRANSLATE_NOOP


def create_main_window(settings: Settings | None = None, *, make_viewport: Any = None) -> Any:
    """The main window on the settings' library; the demo banner shows on a first start."""
    from workstation.sources import open_library
    from workstation.ui.main_window import MainWindow

    settings = settings or load_settings()
    dialog: dict[str, QProgressDialog] = {}

    def shown(text: str) -> Any:
        def progress(done: int, total: int) -> None:
            if text not in dialog:
                box = QProgressDialog(QCoreApplication.translate("app", text), "", 0, total)
                box.setCancelButton(None)
                box.setWindowTitle(QCoreApplication.translate("app", "Workstation"))
                box.setMinimumDuration(500)
                dialog[text] = box
            dialog[text].setMaximum(total)
            dialog[text].setValue(done)
            QApplication.processEvents()
        return progress

    # A lost or damaged index is rebuilt from the files, a clear library encrypted (store.library).
    library = open_library(settings,
                           progress=shown(QT_TRANSLATE_NOOP("app", "Rebuilding the library index from its files...")),
                           encrypting=shown(QT_TRANSLATE_NOOP("app", "Encrypting patient data on this machine...")))
    for box in dialog.values():
        box.close()
    from workstation.retention import apply_retention, removed_sentence

    try:
        removed = apply_retention(library, settings)
    except WorkstationError as exc:
        removed, retention_said = [], str(exc)
    else:
        retention_said = removed_sentence(len(removed), settings.retention_days)
    window = MainWindow(settings, library, make_viewport=make_viewport)
    empty = not library.search_studies(StudyQuery(limit=1))
    window.worklist.set_empty_library_banner(empty and not settings.archives)
    said = " ".join(s for s in (library.recovery.summary(), retention_said) if s)
    if said:
        window.statusBar().showMessage(said)  # stays until the next message
    return window


def run_app(argv: list[str] | None = None) -> int:
    app = QApplication.instance() or QApplication(argv or sys.argv)
    app.setApplicationName("Workstation")
    app.setApplicationVersion(__version__)
    from workstation.ui.i18n import install_translations

    install_translations()  # the settings' language, else the system's (issue 17)
    try:
        window = create_main_window()
    except WorkstationError as exc:
        QMessageBox.critical(None, QCoreApplication.translate("app", "Workstation"), str(exc))
        return 1
    window.show()
    status = int(app.exec())
    from workstation.ui.main_window import shutdown_shared_decoder

    QThreadPool.globalInstance().waitForDone(5000)  # let cancelled transfers wind down
    shutdown_shared_decoder()
    return status
