"""Help > About names the workstation's version (the one in every written object) and its parts'."""

from __future__ import annotations

import pytest

pytest.importorskip("pytestqt")

import pydicom  # noqa: E402
import vtkmodules  # noqa: E402
from PySide6.QtGui import QAction  # noqa: E402
from PySide6.QtWidgets import QMessageBox  # noqa: E402

from tests.gui.helpers import dispose  # noqa: E402
from workstation import __version__  # noqa: E402
from workstation.settings import load_settings  # noqa: E402
from workstation.ui.app import create_main_window  # noqa: E402

pytestmark = pytest.mark.gui


def test_help_about_shows_the_version(qtbot) -> None:  # type: ignore[no-untyped-def]
    window = create_main_window(load_settings())
    window.show()
    qtbot.waitExposed(window)
    try:
        help_menu, = [a.menu() for a in window.menuBar().actions() if a.text() == "&Help"]
        about, = [a for a in help_menu.actions() if isinstance(a, QAction) and "About" in a.text()]
        about.trigger()
        qtbot.waitUntil(lambda: any(b.isVisible() for b in window.findChildren(QMessageBox)), timeout=5000)
        box, = [b for b in window.findChildren(QMessageBox) if b.isVisible()]
        lines = box.text().splitlines()
        assert lines[0] == f"Workstation {__version__}"
        assert f"pydicom {pydicom.__version__}" in lines
        assert f"VTK {vtkmodules.__version__}" in lines
        box.close()
    finally:
        dispose(qtbot, window)
