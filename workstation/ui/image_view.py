"""A 2D image view for one display set: stack scrolling, window/level, corner text.

Pixels stay in their stored integer type; the view maps them to grey levels through the pixel
pipeline's lookup table (modality LUT, then VOI LUT, PS3.4 N.2) only for the image on screen.
Images fill in as they are decoded: a slice not here yet shows "loading".
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from pydicom.dataset import Dataset
from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QImage, QKeyEvent, QMouseEvent, QPainter, QWheelEvent
from PySide6.QtWidgets import QWidget

from workstation.model import pixels


@dataclass
class ViewImage:
    stored: np.ndarray  # (rows, cols) or (rows, cols, 3)
    header: Dataset


class ImageView(QWidget):
    """Shows one image of a stack; wheel, arrows, Page Up/Down, Home/End scroll; right-drag
    changes window/level; I inverts; R resets."""

    index_changed = Signal(int)

    def __init__(self) -> None:
        super().__init__()
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setMinimumSize(256, 256)
        self.setMouseTracking(False)
        self._images: list[ViewImage | None] = []
        self._index = 0
        self._window: tuple[float, float] | None = None  # centre, width in modality units
        self._invert = False
        self._drag_from: QPointF | None = None
        self._drag_window: tuple[float, float] | None = None
        self._cache: tuple[tuple[int, float, float, bool], QImage] | None = None
        self.corner_text: dict[str, list[str]] = {}
        self.message = ""

    # -- content -----------------------------------------------------------------------------

    def set_stack(self, count: int, corner_text: dict[str, list[str]] | None = None) -> None:
        self._images = [None] * count
        self._index = count // 2 if count else 0
        self._window = None
        self._invert = False
        self._cache = None
        self.corner_text = corner_text or {}
        self.message = "" if count else "No images"
        self.update()

    def set_image(self, index: int, stored: np.ndarray, header: Dataset) -> None:
        if not 0 <= index < len(self._images):
            return
        self._images[index] = ViewImage(stored, header)
        if self._window is None:
            self._window = self._initial_window(stored, header)
        if index == self._index:
            self._cache = None
            self.update()

    def set_message(self, text: str) -> None:
        self.message = text
        self.update()

    @property
    def index(self) -> int:
        return self._index

    @property
    def count(self) -> int:
        return len(self._images)

    @property
    def loaded(self) -> int:
        return sum(1 for i in self._images if i is not None)

    @property
    def window_level(self) -> tuple[float, float] | None:
        return self._window

    def set_index(self, index: int) -> None:
        if not self._images:
            return
        index = max(0, min(len(self._images) - 1, index))
        if index != self._index:
            self._index = index
            self._cache = None
            self.index_changed.emit(index)
            self.update()

    def set_window(self, centre: float, width: float) -> None:
        self._window = (centre, max(1.0, width))
        self._cache = None
        self.update()

    def toggle_invert(self) -> None:
        self._invert = not self._invert
        self._cache = None
        self.update()

    def reset(self) -> None:
        image = self._images[self._index] if self._images else None
        self._invert = False
        self._window = self._initial_window(image.stored, image.header) if image else None
        self._cache = None
        self.update()

    @staticmethod
    def _initial_window(stored: np.ndarray, header: Dataset) -> tuple[float, float] | None:
        """The image's first DICOM window, else an automatic one (PS3.3 C.11.2)."""
        if int(header.get("SamplesPerPixel", 1) or 1) > 1:
            return None
        voi = pixels.display_lut(header, stored=stored).voi
        if isinstance(voi, pixels.WindowPreset):
            return voi.center, voi.width
        return None

    def display_image(self) -> QImage | None:
        """The image on screen as grey levels (or RGB), after modality and VOI LUTs."""
        image = self._images[self._index] if self._images else None
        if image is None:
            return None
        centre, width = self._window or (0.0, 0.0)
        key = (self._index, centre, width, self._invert)
        if self._cache is not None and self._cache[0] == key:
            return self._cache[1]
        preset = pixels.WindowPreset(centre, width, "") if self._window else None
        grey = pixels.to_display(image.stored, image.header, preset=preset, invert=self._invert)
        grey = np.ascontiguousarray(grey)
        if grey.ndim == 2:
            qimage = QImage(grey.data, grey.shape[1], grey.shape[0], grey.strides[0], QImage.Format.Format_Grayscale8)
        else:
            qimage = QImage(grey.data, grey.shape[1], grey.shape[0], grey.strides[0], QImage.Format.Format_RGB888)
        qimage = qimage.copy()  # own the memory
        self._cache = (key, qimage)
        return qimage

    # -- painting ----------------------------------------------------------------------------

    def image_rect(self, qimage: QImage) -> QRectF:
        """Fit the image in the widget, honouring non-square pixels (PixelSpacing row\\col)."""
        image = self._images[self._index]
        aspect = 1.0
        if image is not None and "PixelSpacing" in image.header:
            try:
                row_mm, col_mm = (float(v) for v in image.header.PixelSpacing)
                aspect = row_mm / col_mm if col_mm > 0 else 1.0
            except (TypeError, ValueError):
                aspect = 1.0
        w, h = qimage.width(), qimage.height() * aspect
        scale = min(self.width() / w, self.height() / h)
        dw, dh = w * scale, h * scale
        return QRectF((self.width() - dw) / 2, (self.height() - dh) / 2, dw, dh)

    def paintEvent(self, _event: object) -> None:  # noqa: N802 - Qt override
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor("black"))
        qimage = None
        try:
            qimage = self.display_image()
        except Exception as exc:  # one bad image never breaks the view
            self.message = f"This image cannot be shown: {exc}"
        if qimage is not None:
            painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, True)
            painter.drawImage(self.image_rect(qimage), qimage)
        painter.setPen(QColor(230, 230, 120))
        margin = 6
        lines = dict(self.corner_text)
        status = [f"Im: {self._index + 1}/{len(self._images)}"] if self._images else []
        if self._window:
            status.append(f"W: {self._window[1]:.0f} L: {self._window[0]:.0f}")
        if self._images and self._images[self._index] is None:
            status.append("loading...")
        lines["bottom_left"] = lines.get("bottom_left", []) + status
        fm = painter.fontMetrics()
        height = fm.height()
        for corner, texts in lines.items():
            for i, text in enumerate(texts):
                width = fm.horizontalAdvance(text)
                x = margin if corner.endswith("left") else self.width() - width - margin
                if corner.startswith("top"):
                    y = margin + height * (i + 1)
                else:
                    y = self.height() - margin - height * (len(texts) - 1 - i)
                painter.drawText(int(x), int(y), text)
        if self.message:
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, self.message)
        painter.end()

    # -- interaction -------------------------------------------------------------------------

    def wheelEvent(self, event: QWheelEvent) -> None:  # noqa: N802
        steps = event.angleDelta().y() // 120
        if steps:
            self.set_index(self._index - steps)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        key = Qt.Key(event.key())
        page = max(1, len(self._images) // 10)
        moves = {
            Qt.Key.Key_Up: -1, Qt.Key.Key_Down: 1, Qt.Key.Key_Left: -1, Qt.Key.Key_Right: 1,
            Qt.Key.Key_PageUp: -page, Qt.Key.Key_PageDown: page,
        }
        if key in moves:
            self.set_index(self._index + moves[key])
        elif key == Qt.Key.Key_Home:
            self.set_index(0)
        elif key == Qt.Key.Key_End:
            self.set_index(len(self._images) - 1)
        elif key == Qt.Key.Key_I:
            self.toggle_invert()
        elif key == Qt.Key.Key_R:
            self.reset()
        else:
            super().keyPressEvent(event)

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        self.setFocus()
        if event.button() == Qt.MouseButton.RightButton and self._window:
            self._drag_from = event.position()
            self._drag_window = self._window

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        if self._drag_from is not None and self._drag_window is not None:
            delta = event.position() - self._drag_from
            centre, width = self._drag_window
            gain = max(width, 10.0) / 256.0
            self.set_window(centre + delta.y() * gain, width + delta.x() * gain * 2)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        self._drag_from = None
        self._drag_window = None
