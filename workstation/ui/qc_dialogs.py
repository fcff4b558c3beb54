"""Dialogs of QC mode: rejecting images (IHE IOCM) and correcting demographics.

Both dialogs only ask and confirm: they build nothing and send nothing. The QC view does the
work in the background once the technologist confirmed.

- :class:`RejectDialog` picks the rejection title (CID 7010, the values of
  :class:`~workstation.qc.rejection.RejectionReason`) and says in plain words what will happen:
  a Key Object Selection rejection note (PS3.3 A.35.4) is stored, the images are hidden from
  reading and shown greyed in QC mode.
- :class:`CorrectionDialog` edits the Patient and Study level values (PS3.3 C.7.1.1, C.7.2.1),
  lists the changes :func:`~workstation.qc.correction.propose_corrections` proposes, and lets the
  technologist confirm exactly that list (IOCM data correction: corrected copies with new UIDs and
  a 113038 rejection note for the originals).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from pydicom.dataset import Dataset
from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from workstation.errors import WorkstationError
from workstation.qc.attributes import text
from workstation.qc.correction import Change, propose_corrections
from workstation.qc.rejection import RejectionReason
from workstation.ui.i18n import QT_TRANSLATE_NOOP

#: The fields of the correction dialog: (keyword, label, hint).
CORRECTION_FIELDS: tuple[tuple[str, str, str], ...] = (
    ("PatientName", QT_TRANSLATE_NOOP("CorrectionDialog", "Patient name"), QT_TRANSLATE_NOOP("CorrectionDialog", "FAMILY^Given^Middle (PS3.5 6.2 PN)")),
    ("PatientID", QT_TRANSLATE_NOOP("CorrectionDialog", "Patient ID"), ""),
    ("PatientBirthDate", QT_TRANSLATE_NOOP("CorrectionDialog", "Birth date"), QT_TRANSLATE_NOOP("CorrectionDialog", "YYYYMMDD")),
    ("PatientSex", QT_TRANSLATE_NOOP("CorrectionDialog", "Sex"), ""),
    ("AccessionNumber", QT_TRANSLATE_NOOP("CorrectionDialog", "Accession number"), ""),
)
SEXES = ("M", "F", "O", "")


def rejection_sentence(what: str, reason: RejectionReason, destination: str) -> str:
    """What rejecting ``what`` with ``reason`` will do, for the confirmation."""
    return (
        QCoreApplication.translate("qc_dialogs", "{0} will be withdrawn from reading. A rejection note titled “{1}” (IHE IOCM, DCM {2}) will be stored in {3}; the images stay there but are hidden when the study is read and shown greyed in QC mode. The rejection is recorded in the audit log and cannot be undone from this workstation.").format(what, reason.meaning, reason.code_value, destination)
    )


class RejectDialog(QDialog):
    """Choose why images are rejected and confirm what will happen."""

    def __init__(self, what: str, destination: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Reject images"))
        self.what = what
        self.destination = destination
        self.reasons = QComboBox()
        for reason in RejectionReason:
            self.reasons.addItem(f"{reason.meaning} ({reason.code_value})", reason)
        self.consequence = QLabel()
        self.consequence.setWordWrap(True)
        self.consequence.setMinimumWidth(460)
        self.reasons.currentIndexChanged.connect(lambda _i: self._explain())
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.reject_button = self.buttons.addButton(self.tr("Reject"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        form = QFormLayout()
        form.addRow(self.tr("Reason:"), self.reasons)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.consequence)
        layout.addWidget(self.buttons)
        self._explain()

    def reason(self) -> RejectionReason:
        value = self.reasons.currentData()
        return value if isinstance(value, RejectionReason) else RejectionReason.QUALITY

    def set_reason(self, reason: RejectionReason) -> None:
        self.reasons.setCurrentIndex(list(RejectionReason).index(reason))

    def _explain(self) -> None:
        self.consequence.setText(rejection_sentence(self.what, self.reason(), self.destination))


def usual_values(headers: Sequence[Dataset]) -> dict[str, str]:
    """The most frequent value of each correctable field among ``headers`` (the starting point)."""
    out: dict[str, str] = {}
    for keyword, _label, _hint in CORRECTION_FIELDS:
        counts = Counter(text(ds, keyword) for ds in headers)
        out[keyword] = counts.most_common(1)[0][0] if counts else ""
    return out


class CorrectionDialog(QDialog):
    """Edit the patient's name, ID, birth date, sex and the accession number; confirm the changes.

    The "Apply correction" button is enabled only once "Show changes" listed the changes of the
    values now in the fields: what the technologist confirms is exactly what is applied.
    """

    def __init__(self, headers: Sequence[Dataset], destination: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Correct demographics"))
        self.headers = list(headers)
        self.changes: list[Change] = []
        self.fields: dict[str, QLineEdit | QComboBox] = {}
        start = usual_values(self.headers)
        form = QFormLayout()
        for keyword, label, hint in CORRECTION_FIELDS:
            widget: QLineEdit | QComboBox
            if keyword == "PatientSex":
                widget = QComboBox()
                widget.addItems(list(SEXES))
                widget.setCurrentText(start[keyword] if start[keyword] in SEXES else "")
                widget.currentTextChanged.connect(lambda _t: self._edited())
            else:
                widget = QLineEdit(start[keyword])
                widget.setPlaceholderText(self.tr(hint) if hint else "")
                widget.textEdited.connect(lambda _t: self._edited())
            self.fields[keyword] = widget
            form.addRow(self.tr(label) + ":", widget)
        self.preview = QPushButton(self.tr("Show changes"))
        self.preview.clicked.connect(self.show_changes)
        self.change_list = QListWidget()
        self.problem = QLabel("")
        self.problem.setWordWrap(True)
        self.problem.setStyleSheet("color: #c03030;")
        explanation = QLabel(
            self.tr("The images are not edited in place: corrected copies with new UIDs are stored in {0}, then the originals are withdrawn with a rejection note “Incorrect Modality Worklist Entry” (IHE IOCM data correction).").format(destination)
        )
        explanation.setWordWrap(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.apply_button = self.buttons.addButton(self.tr("Apply correction"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.apply_button.setEnabled(False)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.preview)
        layout.addWidget(QLabel(self.tr("Changes to confirm:")))
        layout.addWidget(self.change_list)
        layout.addWidget(self.problem)
        layout.addWidget(explanation)
        layout.addWidget(self.buttons)
        self.resize(560, 520)

    def values(self) -> dict[str, str]:
        out = {}
        for keyword, widget in self.fields.items():
            out[keyword] = widget.currentText() if isinstance(widget, QComboBox) else widget.text().strip()
        return out

    def set_value(self, keyword: str, value: str) -> None:
        widget = self.fields[keyword]
        if isinstance(widget, QComboBox):
            widget.setCurrentText(value)
        else:
            widget.setText(value)
        self._edited()

    def _edited(self) -> None:
        self.changes = []
        self.change_list.clear()
        self.apply_button.setEnabled(False)
        self.problem.setText("")

    def show_changes(self) -> list[Change]:
        """List the changes the values in the fields would make (propose_corrections)."""
        self._edited()
        try:
            changes = propose_corrections(self.headers, self.values())
        except WorkstationError as exc:
            self.problem.setText(str(exc))
            return []
        if not changes:
            self.problem.setText(self.tr("Every image already holds these values: there is nothing to correct."))
            return []
        self.changes = changes
        for change in changes:
            self.change_list.addItem(change.sentence())
        self.apply_button.setEnabled(True)
        return changes
