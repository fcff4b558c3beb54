"""The reading room looks as readers expect (issue 20): dark around the images by default, the
light theme in the settings (``Settings.appearance``), F1 listing the window presets by name, and the
File menu in the usual order with Quit last."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("pytestqt")

from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtGui import QPalette  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from tests.gui.helpers import dispose, shot  # noqa: E402
from workstation.settings import load_settings  # noqa: E402
from workstation.ui.actions import ShortcutsDialog  # noqa: E402
from workstation.ui.app import create_main_window  # noqa: E402

pytestmark = pytest.mark.gui


def _lightness(role: QPalette.ColorRole) -> int:
    return QApplication.palette().color(role).lightness()


def _mean_grey(widget) -> float:  # type: ignore[no-untyped-def]
    image = widget.grab().toImage().convertToFormat(widget.grab().toImage().Format.Format_Grayscale8)
    data = np.frombuffer(image.constBits(), dtype=np.uint8, count=image.sizeInBytes()).reshape(image.height(), image.bytesPerLine())
    return float(data[:, : image.width()].mean())


def test_dark_by_default_light_in_the_settings(qtbot) -> None:  # type: ignore[no-untyped-def]
    window = create_main_window(load_settings())
    window.show()
    qtbot.waitExposed(window)
    assert _lightness(QPalette.ColorRole.Window) < 60 and _lightness(QPalette.ColorRole.Base) < 60
    assert _lightness(QPalette.ColorRole.WindowText) > 180  # text stays legible
    shot(window, "20-dark-theme")
    assert _mean_grey(window) < 70, "the worklist window is bright around the images"

    dialog = window.open_settings()
    assert dialog.theme.currentData() == "dark"
    dialog.theme.setCurrentIndex(dialog.theme.findData("light"))
    dialog.accept()
    assert _lightness(QPalette.ColorRole.Window) > 180
    qtbot.wait(20)
    assert _mean_grey(window) > 150, "the open window did not turn light"
    assert load_settings().appearance.theme == "light"  # in the typed settings, not ui.ini
    dialog = window.open_settings()  # and back to dark, on the open window
    dialog.theme.setCurrentIndex(dialog.theme.findData("dark"))
    dialog.accept()
    qtbot.wait(20)
    assert _mean_grey(window) < 70
    dialog = window.open_settings()
    dialog.theme.setCurrentIndex(dialog.theme.findData("light"))
    dialog.accept()
    dispose(qtbot, window)
    again = create_main_window(load_settings())  # the choice is kept
    assert _lightness(QPalette.ColorRole.Window) > 180
    dispose(qtbot, again)


def test_f1_names_the_presets_and_quit_is_last_in_the_file_menu(qtbot) -> None:  # type: ignore[no-untyped-def]
    window = create_main_window(load_settings())
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=5000)
    file_menu = next(a.menu() for a in window.menuBar().actions() if a.text().replace("&", "") == "File")
    texts = [a.text().replace("&", "") for a in file_menu.actions() if not a.isSeparator()]
    assert texts[-1] == "Quit"
    assert texts.index("Outbox...") < texts.index("Settings...") < texts.index("Quit")
    assert texts.index("Objects waiting for the archive...") < texts.index("Quit")

    qtbot.keyClick(window, Qt.Key.Key_F1)
    dialogs = [d for d in window.findChildren(ShortcutsDialog) if d.isVisible()]
    assert len(dialogs) == 1
    table = dialogs[0].table
    rows = {table.item(r, 1).text(): table.item(r, 0).text() for r in range(table.rowCount())}
    assert rows["Window preset: Lung (W 1500 / L -600)"] == "4"
    assert rows["Window preset: Bone (W 1800 / L 400)"] == "8"
    assert not any(text.startswith("Window preset 1") for text in rows)
    dispose(qtbot, window)
