"""The reading room's accesses reach the audit log: search, import and opening a study."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("pytestqt")

from tests.gui.helpers import dispose, open_row  # noqa: E402
from workstation import demo  # noqa: E402
from workstation.audit import AuditLog, default_audit_path  # noqa: E402
from workstation.identity import Identity, remember_identity  # noqa: E402
from workstation.settings import load_settings  # noqa: E402
from workstation.ui.app import create_main_window  # noqa: E402
from workstation.ui.main_window import MainWindow  # noqa: E402

pytestmark = pytest.mark.gui


def test_search_import_and_open_are_recorded_with_the_signed_in_reader(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    remember_identity(Identity(subject="rad-1", name="Dr Inès Ørsted", issuer="https://idp.test"))
    folder = tmp_path / "cd"
    folder.mkdir()
    uid = "1.2.826.0.1.3680043.8.498.7007"
    for i, data in enumerate(demo.phantom_series(shape=(4, 32, 32), study_uid=uid)):
        (folder / f"{i}.dcm").write_bytes(data)
    window = create_main_window(load_settings())
    assert isinstance(window, MainWindow)
    window.show()
    qtbot.waitExposed(window)
    try:
        log = AuditLog(default_audit_path())
        window.import_paths([folder])
        qtbot.waitUntil(lambda: any(r.action == "study_imported" for r in log.read()), timeout=20000)
        qtbot.waitUntil(lambda: window.worklist.model.rowCount() == 1, timeout=20000)
        open_row(qtbot, window.worklist, "CT HEAD DEMO PHANTOM")
        qtbot.waitUntil(lambda: any(r.action == "study_opened" for r in log.read()), timeout=20000)
        qtbot.waitUntil(lambda: window.tabs.count() == 2, timeout=20000)  # the study is shown
        qtbot.waitUntil(lambda: not window.loading.text(), timeout=20000)  # no task left running
        records = log.read()
        by_action = {r.action: r for r in records}
        assert {"study_imported", "study_searched", "study_opened"} <= set(by_action)
        opened = by_action["study_opened"]
        assert opened.study_uid == uid and opened.patient_id and opened.user == "Dr Inès Ørsted"
        assert by_action["study_imported"].patient_id == opened.patient_id
        assert log.verify().intact
    finally:
        dispose(qtbot, window)
