"""Background work for the UI: network, disk and decoding never run on the UI thread.

A ``Task`` runs a callable in Qt's global thread pool and reports back through signals, which Qt
delivers on the UI thread. The callable may report progress through the ``progress`` argument it
receives, and stops early when its ``CancelToken`` is set.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable
from typing import Any

import shiboken6
from PySide6.QtCore import QCoreApplication, QObject, QRunnable, QThreadPool, Signal
from PySide6.QtWidgets import QProgressBar

from workstation.errors import Cancelled, WorkstationError
from workstation.model.source import CancelToken

log = logging.getLogger(__name__)


class TaskSignals(QObject):
    finished = Signal(object)  # result
    failed = Signal(str)  # one sentence for the user
    progress = Signal(int, int, str)  # done, total, message


class Task(QRunnable):
    """Run ``fn(progress, cancel)`` in the thread pool; results come back as signals."""

    def __init__(self, fn: Callable[[Callable[[int, int, str], None], CancelToken], Any]) -> None:
        super().__init__()
        self.fn = fn
        self.cancel_token = CancelToken()
        self.signals = TaskSignals()
        self.setAutoDelete(False)  # Python owns it: Qt must not delete it under our references

    def run(self) -> None:  # noqa: D401 - Qt override
        def progress(done: int, total: int, message: str = "") -> None:
            self.signals.progress.emit(done, total, message)

        try:
            result = self.fn(progress, self.cancel_token)
        except Cancelled:
            return
        except WorkstationError as exc:
            self.signals.failed.emit(str(exc))
            return
        except Exception as exc:  # a bug: say so without patient data, keep the app alive
            log.error("background task failed: %s", traceback.format_exc())
            self.signals.failed.emit(QCoreApplication.translate("Task", "Unexpected error ({0}); see the log.").format(type(exc).__name__))
            return
        self.signals.finished.emit(result)

    def cancel(self) -> None:
        self.cancel_token.cancel()


def start(task: Task) -> Task:
    QThreadPool.globalInstance().start(task)
    return task


class LoaderBridge(QObject):
    """Carries a :class:`~workstation.net.series_loader.SeriesLoader`'s callbacks, which run on
    worker threads, to the UI thread as queued Qt signals.

    Connect the signals to slots of UI objects with ``Qt.QueuedConnection`` (the default between
    threads); :meth:`detach` disconnects everything so a late, already queued call is dropped.
    """

    image = Signal(int, object, object)  # display index, stored pixels, header
    error = Signal(object, str)  # display index or None (the whole load), one sentence
    done = Signal()

    def on_image(self, index: int, stored: Any, header: Any) -> None:
        self.image.emit(index, stored, header)

    def on_error(self, index: int | None, message: str) -> None:
        self.error.emit(index, message)

    def on_done(self) -> None:
        self.done.emit()

    def detach(self) -> None:
        for signal in (self.image, self.error, self.done):
            try:
                signal.disconnect()
            except (RuntimeError, TypeError):  # nothing connected
                pass


class TaskTracker:
    """The background tasks of one window and the progress bar that shows them.

    ``start`` runs a task, shows the bar (busy, then done/total as the task reports), and hides it
    when the last task ends; ``report(done, total, text)`` lets the window put the progress into
    its own status line. ``cancel_all`` stops everything (closing the window).
    """

    def __init__(self, bar: QProgressBar) -> None:
        self.bar = bar
        self.running: list[Task] = []

    def start(
        self,
        fn: Callable[[Callable[[int, int, str], None], CancelToken], Any],
        label: str,
        *,
        finished: Callable[[Any], None],
        failed: Callable[[str], None],
        report: Callable[[int, int, str], None] | None = None,
    ) -> Task:
        task = Task(fn)
        self.bar.setVisible(True)
        self.bar.setRange(0, 0)

        def progress(done: int, total: int, message: str) -> None:
            if total:
                self.bar.setRange(0, total)
                self.bar.setValue(done)
            if report is not None:
                report(done, total, message)

        def on_finished(result: Any) -> None:
            if not shiboken6.isValid(self.bar):
                return  # the window closed while the task ran: nothing left to show it in
            self._forget(task)
            finished(result)

        def on_failed(message: str) -> None:
            if not shiboken6.isValid(self.bar):
                return
            self._forget(task)
            failed(message)

        task.signals.progress.connect(progress)
        task.signals.finished.connect(on_finished)
        task.signals.failed.connect(on_failed)
        self.running.append(task)
        return start(task)

    def _forget(self, task: Task) -> None:
        if task in self.running:
            self.running.remove(task)
        if not self.running and shiboken6.isValid(self.bar):
            self.bar.setVisible(False)

    def cancel_all(self) -> None:
        for task in list(self.running):
            task.cancel()
