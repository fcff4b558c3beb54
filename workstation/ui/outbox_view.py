"""File > Outbox: the delivery state of every signed report, per destination, with Retry.

Each signed version is a row; its destinations (FHIR R4 RIS, HL7 v2 RIS, STOW-RS archive; see
:mod:`workstation.report.delivery.outbox`) are the rows under it: pending (the last error and
the next try), delivered (when, and what the destination answered) or failed (the sentence, a
person must act, then Retry). Every :data:`REFRESH_MS` the view delivers what is due (back-off
respected) in the background and shows the state afterwards; Retry queues failed deliveries
again and tries everything undelivered now.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QCoreApplication, Qt, QTimer
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from workstation.report.delivery.destinations import open_outbox
from workstation.report.delivery.outbox import DELIVERED, FAILED, OutboxBusy, OutboxEntry
from workstation.settings import Settings
from workstation.ui import tasks
from workstation.ui.i18n import QT_TRANSLATE_NOOP

#: How often the outbox is looked at (and what is due delivered), in ms.
REFRESH_MS = 5000

DESTINATION_NAMES = {"fhir": QT_TRANSLATE_NOOP("OutboxView", "RIS (FHIR R4)"), "hl7": QT_TRANSLATE_NOOP("OutboxView", "RIS (HL7 v2)"),
                     "stow": QT_TRANSLATE_NOOP("OutboxView", "Archive (STOW-RS)")}
_COLOURS = {DELIVERED: QColor("#2e8b57"), FAILED: QColor("#d04040")}


def _when(epoch: float) -> str:
    if not epoch:
        return "now"
    return dt.datetime.fromtimestamp(epoch).astimezone().strftime("%H:%M:%S")


def destination_sentence(state: Any) -> str:
    """What one destination's state means, in a sentence."""
    if state.state == DELIVERED:
        return QCoreApplication.translate("outbox_view", "Delivered {0}").format(state.delivered_at.replace('T', ' ')) + (f" ({state.detail})." if state.detail else ".")
    error = f" {state.last_error}" if state.last_error else ""
    if state.state == FAILED:
        return QCoreApplication.translate("outbox_view", "Failed after {0} attempt(s):{1} Fix it, then Retry.").format(state.attempts, error or ' refused.')
    if not state.attempts:
        return QCoreApplication.translate("outbox_view", "Waiting for the first try.")
    return QCoreApplication.translate("outbox_view", "Pending after {0} attempt(s); next try {1}.{2}").format(state.attempts, _when(state.next_try), error)


class OutboxView(QDialog):
    """The outbox as a non-modal dialog; ``settings()`` gives the current settings."""

    def __init__(self, settings: Callable[[], Settings], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.settings = settings
        self.setWindowTitle(self.tr("Outbox: signed reports"))
        self.entries: list[OutboxEntry] = []
        self.configured: list[str] = []
        self._task: tasks.Task | None = None
        self.tree = QTreeWidget()
        self.tree.setColumnCount(3)
        self.tree.setHeaderLabels([self.tr("Report / destination"), self.tr("State"), self.tr("Details")])
        self.tree.setColumnWidth(0, 260)
        self.tree.setColumnWidth(1, 90)
        self.summary = QLabel("")
        self.summary.setWordWrap(True)
        self.retry_button = QPushButton(self.tr("Retry"))
        self.retry_button.setToolTip(self.tr("Queue failed deliveries again and try everything undelivered now"))
        self.retry_button.clicked.connect(self.retry)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.close)
        row = QHBoxLayout()
        row.addWidget(self.retry_button)
        row.addStretch(1)
        row.addWidget(buttons)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.tree, 1)
        layout.addLayout(row)
        self.resize(900, 420)
        self.timer = QTimer(self)
        self.timer.setInterval(REFRESH_MS)
        self.timer.timeout.connect(self.refresh)
        self.timer.start()
        self.refresh()

    def _outbox(self) -> Any:
        return open_outbox(self.settings())

    def refresh(self, *, retry: bool = False) -> tasks.Task | None:
        """Deliver what is due (or retry everything) in the background, then show the state."""
        if self._task is not None:
            return None

        def work(_progress: Any, _cancel: Any) -> tuple[list[OutboxEntry], list[str], str]:
            outbox = self._outbox()
            note = ""
            try:
                entries = outbox.retry() if retry else outbox.deliver_all()
            except OutboxBusy as exc:
                entries, note = outbox.outbox_status(), str(exc)
            return entries, sorted(outbox.destinations), note

        task = tasks.Task(work)
        task.signals.finished.connect(self._show)
        task.signals.failed.connect(self._failed)
        self._task = task
        self.retry_button.setEnabled(False)
        return tasks.start(task)

    def retry(self) -> tasks.Task | None:
        return self.refresh(retry=True)

    def _failed(self, message: str) -> None:
        self._task = None
        self.retry_button.setEnabled(True)
        self.summary.setText(message)

    def _show(self, result: tuple[list[OutboxEntry], list[str], str]) -> None:
        self._task = None
        self.retry_button.setEnabled(True)
        self.entries, self.configured, note = result
        tops = [self.tree.topLevelItem(i) for i in range(self.tree.topLevelItemCount())]
        expanded = {t.data(0, Qt.ItemDataRole.UserRole) for t in tops if t is not None and t.isExpanded()}
        self.tree.clear()
        for entry in reversed(self.entries):  # newest first
            signed = entry.signed_at.replace("T", " ")[:16]
            shown = "delivered" if entry.delivered else "blocked" if entry.blocked else "waiting"
            top = QTreeWidgetItem([self.tr("Signed {0} · accession {1}").format(signed, entry.accession_number or '—'),
                                   shown, self.tr("{0}; version {1}").format(entry.status, entry.version_uid)])
            top.setData(0, Qt.ItemDataRole.UserRole, entry.version_uid)
            if entry.problem:  # its folder cannot be read: said, never hidden
                top.addChild(QTreeWidgetItem([self.tr("(cannot be delivered)"), "blocked", entry.problem]))
            elif not entry.destinations:
                top.addChild(QTreeWidgetItem([self.tr("(no destination)"), "pending",
                                              self.tr("No RIS or archive was configured when it was queued.")]))
            for name, state in sorted(entry.destinations.items()):
                child = QTreeWidgetItem([QCoreApplication.translate("OutboxView", DESTINATION_NAMES.get(name, name)), state.state, destination_sentence(state)])
                child.setData(0, Qt.ItemDataRole.UserRole, name)
                colour = _COLOURS.get(state.state)
                if colour is not None:
                    child.setForeground(1, colour)
                child.setToolTip(2, destination_sentence(state))
                top.addChild(child)
            self.tree.addTopLevelItem(top)
            top.setExpanded(not entry.delivered or not entry.destinations or entry.version_uid in expanded)
        undelivered = sum(1 for e in self.entries if not e.delivered)
        if not self.configured:
            text = (self.tr("No RIS or archive is configured: signed reports wait here until one is set "
                    "(File > Settings for the archive, the settings file's \"ris\" entry for the RIS)."))
        elif not self.entries:
            text = self.tr("The outbox is empty.")
        else:
            names = ", ".join(QCoreApplication.translate("OutboxView", DESTINATION_NAMES.get(n, n)) for n in self.configured)
            text = (self.tr("{0} signed report(s), {1} not yet delivered everywhere. Destinations: {2}.").format(len(self.entries), undelivered, names))
        self.summary.setText(text + (f" {note}" if note else ""))

    def state_of(self, version_uid: str, destination: str) -> str:
        """The state shown for one version and destination ("" when not shown)."""
        for entry in self.entries:
            if entry.version_uid == version_uid and destination in entry.destinations:
                return entry.destinations[destination].state
        return ""

    def closeEvent(self, event: Any) -> None:  # noqa: N802
        self.timer.stop()
        super().closeEvent(event)

    def showEvent(self, event: Any) -> None:  # noqa: N802
        if not self.timer.isActive():
            self.timer.start()
            self.refresh()
        super().showEvent(event)
