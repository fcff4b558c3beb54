"""File > Outbox lists a signed report whose folder cannot be read, with the sentence, as
blocked: never hidden (it used to be skipped with a log line only)."""

from __future__ import annotations

import pytest

pytest.importorskip("pytestqt")

from tests.report_delivery.reports import make_report_folder  # noqa: E402
from workstation.report.outgoing import outgoing_folder  # noqa: E402
from workstation.settings import Settings, load_settings  # noqa: E402
from workstation.ui.outbox_view import OutboxView  # noqa: E402

pytestmark = pytest.mark.gui


def test_unreadable_report_is_shown_blocked(qtbot) -> None:  # type: ignore[no-untyped-def]
    broken = make_report_folder(outgoing_folder(Settings()))
    (broken / "report.json").write_text("{not json", encoding="utf-8")
    view = OutboxView(load_settings)
    qtbot.addWidget(view)
    view.show()
    qtbot.waitUntil(lambda: bool(view.entries), timeout=5000)
    [entry] = view.entries
    assert entry.problem and not entry.delivered and entry.blocked
    top = view.tree.topLevelItem(0)
    assert top is not None and top.text(1) == "blocked"
    assert top.child(0).text(0) == "(cannot be delivered)"
    assert "is not valid JSON" in top.child(0).text(2)
    view.close()
