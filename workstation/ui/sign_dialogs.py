"""Before a report is signed: the question about untouched placeholders and the preview.

:class:`PlaceholderDialog` lists the parts of the report that still hold template text or
default values the radiologist neither edited nor accepted, and asks whether to sign without
them (they are left out), keep them as the radiologist's text, or go back ("Go back" is the
default button: Enter never signs). :class:`SignPreviewDialog` shows the report's PDF pages as
they will be signed (rendered with PDFium), with Sign and Go back.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QListWidget,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from workstation.errors import DocumentError
from workstation.model.pdf_document import PdfDocument
from workstation.ui.qimage import display_qimage

#: What the reader chose for untouched placeholders when signing.
LEAVE_OUT, KEEP = "leave_out", "keep"


class PlaceholderDialog(QDialog):
    """Asked before signing a report with untouched placeholders: lists them and lets the reader
    leave them out of the signed report, keep them as their own text, or go back and edit."""

    def __init__(self, names: Sequence[str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Template text not written by you"))
        self.choice: str | None = None
        layout = QVBoxLayout(self)
        intro = QLabel(self.tr("These parts of the report still hold template text or default values that you "
                       "have neither edited nor accepted:"))
        intro.setWordWrap(True)
        self.names = QListWidget()
        self.names.addItems(list(names))
        question = QLabel(self.tr("Sign without them (they are left out of the report), keep them as your own "
                          "text, or go back and edit them?"))
        question.setWordWrap(True)
        buttons = QDialogButtonBox()
        self.leave_button = buttons.addButton(self.tr("Sign without them"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.keep_button = buttons.addButton(self.tr("Keep them as my text"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.back_button = buttons.addButton(self.tr("Go back"), QDialogButtonBox.ButtonRole.RejectRole)
        self.leave_button.clicked.connect(lambda: self._choose(LEAVE_OUT))
        self.keep_button.clicked.connect(lambda: self._choose(KEEP))
        self.back_button.clicked.connect(self.reject)
        for widget in (intro, self.names, question, buttons):
            layout.addWidget(widget)

    def showEvent(self, event: Any) -> None:  # noqa: N802 - Qt's name
        super().showEvent(event)
        self.back_button.setDefault(True)  # Enter goes back: signing needs a deliberate click

    def _choose(self, choice: str) -> None:
        self.choice = choice
        self.accept()


class SignPreviewDialog(QDialog):
    """The report as it will be signed, its PDF pages as images, before the reader signs it."""

    def __init__(self, pdf: bytes, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Check the report before signing"))
        self.resize(720, 900)
        layout = QVBoxLayout(self)
        note = QLabel(self.tr("This is the report as it will be signed (the DRAFT mark is replaced by your signature). "
                      "Sign it only if it says what you mean."))
        note.setWordWrap(True)
        layout.addWidget(note)
        pages = QWidget()
        pages_layout = QVBoxLayout(pages)
        self.page_labels: list[QLabel] = []
        try:
            with PdfDocument(pdf, title=self.tr("report preview")) as document:
                for index in range(document.page_count):
                    page = document.render_page(index, dpi=80.0)
                    image = display_qimage(page.pixels)
                    label = QLabel()
                    label.setPixmap(QPixmap.fromImage(image))
                    label.setObjectName(f"preview_page_{index + 1}")
                    pages_layout.addWidget(label)
                    self.page_labels.append(label)
        except DocumentError as exc:
            pages_layout.addWidget(QLabel(str(exc)))
        scroll = QScrollArea()
        scroll.setWidget(pages)
        layout.addWidget(scroll, 1)
        buttons = QDialogButtonBox()
        self.sign_button = buttons.addButton(self.tr("Sign"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.back_button = buttons.addButton(self.tr("Go back"), QDialogButtonBox.ButtonRole.RejectRole)
        self.sign_button.clicked.connect(self.accept)
        self.back_button.clicked.connect(self.reject)
        layout.addWidget(buttons)
