"""Objects waiting for the archive: the list the reader sees, "Send now", and the status-bar count.

Saving never loses work (issue 6): measurement reports (PS3.16 TID 1500), key object selections
(PS3.3 A.35.4) and presentation states (PS3.3 A.33.1) are written to the local pending folder of
:mod:`workstation.annotate.pending` before they are sent with STOW-RS (PS3.18 10.5).
:class:`PendingWatcher` looks at that folder (every :data:`REFRESH_MS`, reading it again only when
it changed), says how many objects wait (``count_changed``, :meth:`PendingWatcher.status_text`),
and sends them again in a worker thread every :data:`RETRY_MS` while some wait, so they reach the
archive when it is back. :class:`PendingView` is the dialog that lists them: what (measurement
report, key images, presentation state), the study's description and date (never the patient's
name), when it was saved, the attempts, and the last error as a sentence; "Send now" tries
everything again at once (refused objects included), "Discard" drops a refused one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QCoreApplication, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from workstation.annotate.pending import (
    REFUSED,
    PendingObject,
    PendingQueue,
    SendResult,
    StoreClient,
)
from workstation.errors import WorkstationError
from workstation.ui import tasks
from workstation.ui.i18n import format_dicom_date

#: How often the pending folder is looked at (ms); it is read again only when it changed.
REFRESH_MS = 2000
#: How often objects still waiting are sent again on their own (ms).
RETRY_MS = 30000
COLUMNS = ("What", "Study", "Saved", "Attempts", "State")
_REFUSED_COLOUR = QColor("#d04040")


def count_text(count: int) -> str:
    """The status-bar sentence: "2 objects waiting for the archive" ("" when none)."""
    if count <= 0:
        return ""
    return QCoreApplication.translate("pending_view", "{0} object{1} waiting for the archive").format(count, 's' if count != 1 else '')


def state_sentence(entry: PendingObject, behind: bool = False) -> str:
    """What one entry's state means, in a sentence; ``behind``: an older object could not be
    sent (sending stops at the first unreachable-archive error, so this one was not tried)."""
    error = entry.last_error.strip()
    if entry.state == REFUSED:
        return QCoreApplication.translate("pending_view", "Refused by the archive: {0} Fix the cause, then Send now, or Discard it.").format(error or 'no reason given.')
    if not entry.attempts:
        return QCoreApplication.translate("pending_view", "Waiting behind an older object the archive did not take yet.") if behind else QCoreApplication.translate("pending_view", "Waiting to be sent.")
    return QCoreApplication.translate("pending_view", "Not sent yet ({0} attempt{1}): {2} It is sent again when the archive answers.").format(entry.attempts, 's' if entry.attempts != 1 else '', error or 'no answer.')


def study_text(entry: PendingObject) -> str:
    date = entry.study_date
    if len(date) == 8 and date.isdigit():
        date = format_dicom_date(date)
    text = " ".join(p for p in (entry.study_description, date) if p)
    return text or QCoreApplication.translate("pending_view", "(study without description)")


class PendingWatcher(QObject):
    """The pending folder, watched: its entries, their count, and sending them again.

    ``client`` gives the archive's STOW-RS client (None when no archive is configured).
    Signals: ``changed(list)`` (the entries, oldest first), ``count_changed(int)`` (objects still
    to deliver, refused ones included), ``sent(object)`` (a :class:`SendResult`), ``failed(str)``.
    """

    changed = Signal(list)
    count_changed = Signal(int)
    sent = Signal(object)
    failed = Signal(str)

    def __init__(self, queue: PendingQueue, client: Callable[[], StoreClient | None], parent: QObject | None = None,
                 *, refresh_ms: int = REFRESH_MS, retry_ms: int = RETRY_MS) -> None:
        super().__init__(parent)
        self.queue = queue
        self.client = client
        self.entries: list[PendingObject] = []
        self._stamp: tuple[int, int] | None = None
        self._task: tasks.Task | None = None
        self._refresh = QTimer(self)
        self._refresh.setInterval(refresh_ms)
        self._refresh.timeout.connect(lambda: self.refresh())
        self._refresh.start()
        self._retry = QTimer(self)
        self._retry.setInterval(retry_ms)
        self._retry.timeout.connect(self._retry_due)
        self._retry.start()
        self.refresh(force=True)

    def _folder_stamp(self) -> tuple[int, int] | None:
        try:
            st = self.queue.folder.stat()
        except OSError:
            return None
        return st.st_mtime_ns, st.st_ino

    def refresh(self, *, force: bool = False) -> list[PendingObject]:
        """Read the folder again when it changed (or ``force``); emits when the entries changed."""
        stamp = self._folder_stamp()
        if not force and stamp == self._stamp:
            return self.entries
        self._stamp = stamp
        entries = self.queue.list()
        if entries != self.entries or force:
            before = len(self.entries)
            self.entries = entries
            self.changed.emit(entries)
            if len(entries) != before or force:
                self.count_changed.emit(len(entries))
        return entries

    def count(self) -> int:
        return len(self.entries)

    def status_text(self) -> str:
        return count_text(self.count())

    @property
    def sending(self) -> bool:
        return self._task is not None

    def _retry_due(self) -> None:
        if any(e.state != REFUSED for e in self.refresh()) and not self.sending:
            self.send_now(include_refused=False)

    def send_now(self, *, include_refused: bool = True) -> tasks.Task | None:
        """Send everything waiting in a worker thread (refused ones again too, unless told not);
        None when a send is already running or nothing waits."""
        if self.sending:
            return None
        if not self.refresh(force=True):
            return None
        try:
            client = self.client()
        except WorkstationError as exc:
            self.failed.emit(str(exc))
            return None
        if client is None:
            self.failed.emit(self.tr("No archive is configured; add one in File > Settings, then Send now."))
            return None
        queue = self.queue

        def work(_progress: Any, _cancel: Any) -> SendResult:
            if include_refused:
                for entry in queue.list():
                    if entry.state == REFUSED:
                        queue.requeue(entry)
            return queue.send(client)

        task = tasks.Task(work)
        task.signals.finished.connect(self._done)
        task.signals.failed.connect(self._failed)
        self._task = task
        return tasks.start(task)

    def _done(self, result: SendResult) -> None:
        self._task = None
        self.refresh(force=True)
        self.sent.emit(result)

    def _failed(self, message: str) -> None:
        self._task = None
        self.refresh(force=True)
        self.failed.emit(message)

    def discard(self, entry: PendingObject) -> None:
        """Drop an entry (a refused object the reader gives up on)."""
        self.queue.remove(entry)
        self.refresh(force=True)


class PendingView(QDialog):
    """The objects waiting for the archive, live, with "Send now" (see the module docstring)."""

    def __init__(self, watcher: PendingWatcher, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.watcher = watcher
        self.setWindowTitle(self.tr("Waiting for the archive"))
        self.setObjectName("pendingView")
        self.resize(1100, 340)
        layout = QVBoxLayout(self)
        self.summary = QLabel()
        self.summary.setObjectName("pendingSummary")
        layout.addWidget(self.summary)
        self.tree = QTreeWidget()
        self.tree.setObjectName("pendingList")
        self.tree.setHeaderLabels(list(COLUMNS))
        self.tree.setRootIsDecorated(False)
        self.tree.setWordWrap(True)
        for column, width in enumerate((140, 190, 150, 70)):
            self.tree.setColumnWidth(column, width)
        self.tree.itemSelectionChanged.connect(self._selection_changed)
        layout.addWidget(self.tree, 1)
        self.detail = QLabel()
        self.detail.setObjectName("pendingDetail")
        self.detail.setWordWrap(True)
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.detail)
        self.message = QLabel()
        self.message.setWordWrap(True)
        layout.addWidget(self.message)
        row = QHBoxLayout()
        self.send_button = QPushButton(self.tr("Send now"))
        self.send_button.setToolTip(self.tr("Try to store every waiting object in the archive now"))
        self.send_button.clicked.connect(lambda _c=False: self.send_now())
        self.discard_button = QPushButton(self.tr("Discard"))
        self.discard_button.setToolTip(self.tr("Drop the selected object the archive refused (it is not sent)"))
        self.discard_button.setEnabled(False)
        self.discard_button.clicked.connect(lambda _c=False: self.discard_selected())
        close = QPushButton(self.tr("Close"))
        close.clicked.connect(self.close)
        row.addWidget(self.send_button)
        row.addWidget(self.discard_button)
        row.addStretch(1)
        row.addWidget(close)
        layout.addLayout(row)
        watcher.changed.connect(self.show_entries)
        watcher.sent.connect(self._sent)
        watcher.failed.connect(lambda text: self.message.setText(text))
        self.show_entries(watcher.refresh(force=True))

    def show_entries(self, entries: list[PendingObject]) -> None:
        self.tree.clear()
        behind = False
        for entry in entries:
            saved = dt.datetime.fromtimestamp(entry.created).astimezone().strftime("%Y-%m-%d %H:%M:%S")
            sentence = state_sentence(entry, behind)
            behind = behind or (entry.state != REFUSED and bool(entry.last_error))
            item = QTreeWidgetItem([entry.what, study_text(entry), saved, str(entry.attempts), sentence])
            item.setData(0, Qt.ItemDataRole.UserRole, entry)
            item.setToolTip(4, sentence)
            if entry.state == REFUSED:
                item.setForeground(4, _REFUSED_COLOUR)
            self.tree.addTopLevelItem(item)
        self.summary.setText(count_text(len(entries)) or self.tr("Nothing is waiting: everything saved is in the archive."))
        self.send_button.setEnabled(bool(entries) and not self.watcher.sending)
        self._selection_changed()

    def rows(self) -> list[list[str]]:
        """What the list shows, row by row (for the reader's tests and for logs without PHI)."""
        out = []
        for i in range(self.tree.topLevelItemCount()):
            item = self.tree.topLevelItem(i)
            if item is not None:
                out.append([item.text(c) for c in range(len(COLUMNS))])
        return out

    def send_now(self) -> tasks.Task | None:
        task = self.watcher.send_now()
        if task is not None:
            self.send_button.setEnabled(False)
            self.message.setText(self.tr("Sending..."))
        return task

    def _sent(self, result: SendResult) -> None:
        left = len(result.pending) + len(result.refused)
        self.message.setText(self.tr("{0} sent").format(len(result.sent)) + (self.tr("; {0} still waiting.").format(left) if left else self.tr("; nothing is waiting.")))
        self.send_button.setEnabled(bool(self.watcher.entries))

    def _selected(self) -> PendingObject | None:
        items = self.tree.selectedItems()
        entry = items[0].data(0, Qt.ItemDataRole.UserRole) if items else None
        return entry if isinstance(entry, PendingObject) else None

    def _selection_changed(self) -> None:
        """The full state sentence of the selected row (else of the first with an error) below the list."""
        entry = self._selected()
        self.discard_button.setEnabled(entry is not None and entry.state == REFUSED)
        items = self.tree.selectedItems() or [
            item for i in range(self.tree.topLevelItemCount()) if (item := self.tree.topLevelItem(i)) is not None
            and isinstance(e := item.data(0, Qt.ItemDataRole.UserRole), PendingObject) and e.last_error][:1]
        self.detail.setText(f"{items[0].text(0).capitalize()}: {items[0].text(4)}" if items else "")

    def discard_selected(self, *, confirm: bool = True) -> bool:
        entry = self._selected()
        if entry is None or entry.state != REFUSED:
            return False
        if confirm and QMessageBox.question(
                self, self.tr("Discard"), self.tr("Discard this {0}? It will not reach the archive.").format(entry.what)) != QMessageBox.StandardButton.Yes:
            return False
        self.watcher.discard(entry)
        return True


__all__ = ["PendingView", "PendingWatcher", "count_text", "state_sentence"]
