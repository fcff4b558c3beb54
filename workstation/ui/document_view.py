"""Non-image display sets in a viewport slot: structured reports and encapsulated PDFs.

A structured report (PS3.3 A.35) is shown as the readable HTML that
:func:`workstation.model.sr_document.read_sr_document` builds (every value is escaped there);
links are never followed, so a report cannot make the workstation open anything. An
Encapsulated PDF (PS3.3 A.45.1) is shown page by page; each page is rendered with PDFium in a
background task, so a long report never freezes the window. Page Up / Page Down turn pages.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QImage, QKeyEvent, QPixmap
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from workstation.model.pdf_document import PdfDocument, read_pdf_document
from workstation.model.sop_classes import DisplaySetKind
from workstation.model.sr_document import read_sr_document
from workstation.ui import tasks
from workstation.ui.qimage import display_qimage

#: Reads the PS3.10 bytes of one instance (library first, archive otherwise); runs in a worker.
ReadInstance = Callable[[str, str, str], bytes]

_MESSAGE, _REPORT, _PDF = 0, 1, 2


def page_image(pixels: np.ndarray) -> QImage:
    """An RGB page (rows, columns, 3) uint8 as a QImage that owns its memory."""
    return display_qimage(pixels[:, :, :3])


class DocumentView(QWidget):
    """Shows one SR or PDF display set; ``activated`` when clicked (to become the active slot)."""

    activated = Signal()
    double_clicked = Signal()
    status = Signal(str)

    def __init__(self, read_instance: ReadInstance) -> None:
        super().__init__()
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self._read = read_instance
        self._task: tasks.Task | None = None
        self._pdf: PdfDocument | None = None
        self.page = 0
        self.kind: DisplaySetKind | None = None

        self.message = QLabel("")
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #ddd; background: black;")

        self.report = QTextBrowser()
        self.report.setOpenLinks(False)
        self.report.setOpenExternalLinks(False)

        self.page_label = QLabel("")
        self.page_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.page_label.setBackgroundRole(self.page_label.backgroundRole())
        self.page_scroll = QScrollArea()
        self.page_scroll.setWidget(self.page_label)
        self.page_scroll.setWidgetResizable(True)
        self.page_scroll.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.previous_button = QPushButton(self.tr("Previous page"))
        self.next_button = QPushButton(self.tr("Next page"))
        self.page_number = QLabel("")
        self.page_number.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.page_number.setStyleSheet("color: #e0e0e0;")
        self.previous_button.clicked.connect(lambda: self.show_page(self.page - 1))
        self.next_button.clicked.connect(lambda: self.show_page(self.page + 1))
        pdf_box = QWidget()
        pdf_layout = QVBoxLayout(pdf_box)
        pdf_layout.setContentsMargins(0, 0, 0, 0)
        bar = QHBoxLayout()
        bar.addWidget(self.previous_button)
        bar.addWidget(self.page_number, 1)
        bar.addWidget(self.next_button)
        pdf_layout.addLayout(bar)
        pdf_layout.addWidget(self.page_scroll, 1)

        self.stack = QStackedWidget()
        self.stack.addWidget(self.message)
        self.stack.addWidget(self.report)
        self.stack.addWidget(pdf_box)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.stack)

    # -- content ------------------------------------------------------------------------------

    def show_display_set(self, display_set: Any) -> None:
        """Load the SR or PDF in the background; a message shows until it is here."""
        self._stop()
        self.kind = display_set.kind
        uid = display_set.sop_instance_uids[0] if display_set.sop_instance_uids else ""
        study_uid, series_uid = display_set.study_uid, display_set.series_uid
        what = "report" if self.kind is DisplaySetKind.SR else "document"
        self.set_message(self.tr("Loading the {0}...").format(what))
        if self.kind is DisplaySetKind.SR:
            def work_sr(_progress: Any, _cancel: Any) -> str:
                return read_sr_document(self._read(study_uid, series_uid, uid)).to_html()

            self._start(work_sr, self._show_report)
        elif self.kind is DisplaySetKind.PDF:
            def work_pdf(_progress: Any, _cancel: Any) -> tuple[PdfDocument, QImage]:
                document = read_pdf_document(self._read(study_uid, series_uid, uid))
                return document, page_image(document.render_page(0).pixels)

            self._start(work_pdf, self._show_pdf)
        else:
            self.set_message(self.tr("A {0} object has no view of its own here.").format(display_set.kind.value.replace('_', ' ')))

    def set_message(self, text: str) -> None:
        self.message.setText(text)
        self.stack.setCurrentIndex(_MESSAGE)

    def _start(self, fn: Any, on_done: Callable[[Any], None]) -> None:
        task = tasks.Task(fn)
        task.signals.finished.connect(on_done)
        task.signals.failed.connect(self._failed)
        self._task = tasks.start(task)

    def _failed(self, message: str) -> None:
        self.set_message(message)
        self.status.emit(message)

    def _show_report(self, html: str) -> None:
        self.report.setHtml(html)
        self.stack.setCurrentIndex(_REPORT)

    def _show_pdf(self, result: tuple[PdfDocument, QImage]) -> None:
        document, first = result
        if self._pdf is not None:
            self._pdf.close()
        self._pdf = document
        self.page = 0
        self._show_rendered(0, first)
        self.stack.setCurrentIndex(_PDF)

    @property
    def page_count(self) -> int:
        return self._pdf.page_count if self._pdf is not None else 0

    @property
    def report_text(self) -> str:
        return str(self.report.toPlainText())

    @property
    def page_pixmap(self) -> QPixmap:
        return self.page_label.pixmap()

    def show_page(self, index: int) -> None:
        """Render page ``index`` (0-based) in the background and show it."""
        document = self._pdf
        if document is None or not 0 <= index < document.page_count:
            return

        def work(_progress: Any, _cancel: Any) -> tuple[int, QImage]:
            return index, page_image(document.render_page(index).pixels)

        self._start(work, lambda result: self._show_rendered(*result))

    def _show_rendered(self, index: int, image: QImage) -> None:
        self.page = index
        self.page_label.setPixmap(QPixmap.fromImage(image))
        self.page_number.setText(self.tr("Page {0} of {1}").format(index + 1, self.page_count))
        self.previous_button.setEnabled(index > 0)
        self.next_button.setEnabled(index + 1 < self.page_count)

    # -- interaction --------------------------------------------------------------------------

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt override
        if self.kind is DisplaySetKind.PDF and event.key() == Qt.Key.Key_PageDown:
            self.show_page(self.page + 1)
        elif self.kind is DisplaySetKind.PDF and event.key() == Qt.Key.Key_PageUp:
            self.show_page(self.page - 1)
        else:
            super().keyPressEvent(event)

    def mousePressEvent(self, event: Any) -> None:  # noqa: N802 - Qt override
        self.activated.emit()
        super().mousePressEvent(event)

    def mouseDoubleClickEvent(self, event: Any) -> None:  # noqa: N802 - Qt override
        self.double_clicked.emit()
        super().mouseDoubleClickEvent(event)

    def _stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            self._task.signals.finished.disconnect()
            self._task = None

    def close_document(self) -> None:
        """Stop any rendering still running and free the PDF."""
        self._stop()
        if self._pdf is not None:
            self._pdf.close()
            self._pdf = None
