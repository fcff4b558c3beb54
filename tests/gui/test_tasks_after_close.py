"""A background task that ends after its window closed (its progress bar deleted) ends quietly:
no "Internal C++ object already deleted" from the Qt event loop, and its result is not shown."""

from __future__ import annotations

import threading

import pytest

pytest.importorskip("pytestqt")

from PySide6.QtCore import QCoreApplication, QEvent  # noqa: E402
from PySide6.QtWidgets import QProgressBar  # noqa: E402

from workstation.ui.tasks import TaskTracker  # noqa: E402

pytestmark = pytest.mark.gui


def test_a_task_ending_after_its_window_closed_ends_quietly(qtbot) -> None:  # type: ignore[no-untyped-def]
    bar = QProgressBar()
    tracker = TaskTracker(bar)
    release = threading.Event()
    shown: list[object] = []

    def work(_progress, _cancel):  # type: ignore[no-untyped-def]
        release.wait(10)
        return "done"

    task = tracker.start(work, "waiting", finished=shown.append, failed=shown.append)
    bar.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    with qtbot.waitSignal(task.signals.finished, timeout=10000):
        release.set()
    qtbot.wait(20)  # an exception in the slot would fail the test (pytest-qt catches it)
    assert shown == []
