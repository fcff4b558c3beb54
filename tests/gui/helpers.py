"""Helpers for the GUI tests: screenshots, the grey level on screen, opening a worklist row."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
from PySide6.QtCore import Qt

#: Screenshots of the main states, to look at after a run (not compared automatically).
SHOTS = Path("/tmp/workstation-gui-shots")


def shot(widget: Any, name: str) -> Path:
    """Save what ``widget`` shows; VTK viewports (native OpenGL windows, which ``grab`` cannot
    see) are painted in from their own captures."""
    from PySide6.QtCore import QPoint
    from PySide6.QtGui import QImage, QPainter

    from workstation.ui.viewport import ViewportWidget

    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    pixmap = widget.grab()
    painter = QPainter(pixmap)
    for viewport in widget.findChildren(ViewportWidget):
        if not viewport.isVisible():
            continue
        rgb = np.ascontiguousarray(viewport.capture()[:, :, :3])
        image = QImage(rgb.data, rgb.shape[1], rgb.shape[0], rgb.strides[0], QImage.Format.Format_RGB888)
        at = viewport.view.mapTo(widget, QPoint(0, 0))
        painter.drawImage(at, image.scaled(viewport.view.width(), viewport.view.height()))
    painter.end()
    pixmap.save(str(path))
    return path


def expected_grey(hu: np.ndarray, centre: float, width: float) -> np.ndarray:
    """PS3.3 C.11.2.1.2.1 linear VOI to 8 bits, written out here independently of the app."""
    hu = np.asarray(hu, dtype=float)
    low = hu <= centre - 0.5 - (width - 1) / 2
    high = hu > centre - 0.5 + (width - 1) / 2
    mid = ((hu - (centre - 0.5)) / (width - 1) + 0.5) * 255
    return np.where(low, 0.0, np.where(high, 255.0, mid))


def centre_grey(viewport: Any) -> int:
    """Red channel of the pixel in the middle of what the viewport shows."""
    image = viewport.capture()
    h, w = image.shape[:2]
    return int(image[h // 2, w // 2, 0])


def open_row(qtbot: Any, worklist: Any, description: str) -> None:
    """Select the worklist row with this study description and press Enter."""
    column = 6
    rows = [worklist.model.item(r, column).text() for r in range(worklist.model.rowCount())]
    target = worklist.proxy.mapFromSource(worklist.model.index(rows.index(description), 0))
    worklist.table.setCurrentIndex(target)
    worklist.table.setFocus()
    qtbot.keyClick(worklist.table, Qt.Key.Key_Return)


def dispose(qtbot: Any, *windows: Any) -> None:
    """Close windows and have Qt delete them (their viewports free their render windows)."""
    for window in windows:
        window.close()
        window.deleteLater()
    qtbot.wait(10)
