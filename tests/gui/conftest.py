"""GUI test settings: most reading-room tests check the default layout, not a protocol's."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def default_layout_unless_testing_hanging(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Hanging protocols apply on open in the product; tests of other features open their
    studies in the plain default layout (tests/gui/test_hanging.py keeps the product default)."""
    if request.node.module.__name__.endswith("test_hanging"):
        return
    from workstation.ui import hanging_bridge

    monkeypatch.setattr(hanging_bridge, "APPLY_ON_OPEN_DEFAULT", False)


@pytest.fixture(autouse=True)
def windows_deleted_after_each_test(qapp):  # type: ignore[no-untyped-def]
    """Close and delete every top-level window a test left behind, while the test's objects
    still exist: left to the interpreter's exit, PySide6 destroys them in an arbitrary order
    and now and then calls into a half-destroyed widget (a crash after all tests passed)."""
    yield
    from PySide6.QtCore import QCoreApplication, QEvent
    from PySide6.QtWidgets import QApplication

    QApplication.closeAllWindows()
    for widget in QApplication.topLevelWidgets():
        widget.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    QCoreApplication.processEvents()
