"""After adding an archive in the settings (issue 20), the worklist searches it at once and the
"library is empty" banner goes away; against a real Orthanc."""

from __future__ import annotations

import datetime as dt

import pytest

pytest.importorskip("pytestqt")

from tests.gui.helpers import dispose  # noqa: E402
from tests.gui.reading_studies import chest_study, study_uid  # noqa: E402
from workstation.settings import load_settings  # noqa: E402
from workstation.ui.app import create_main_window  # noqa: E402

pytestmark = pytest.mark.gui


def test_an_archive_added_in_the_settings_is_searched_and_the_banner_goes(qtbot, orthanc) -> None:  # type: ignore[no-untyped-def]
    items = chest_study(dt.date(2025, 2, 3), description="CT CHEST ÉTUDE")
    for data in items:
        orthanc.upload(data)
    window = create_main_window(load_settings())
    window.show()
    qtbot.waitExposed(window)
    worklist = window.worklist
    assert worklist.banner.isVisibleTo(window)  # first start: empty library, no archive
    qtbot.waitUntil(lambda: not window._tasks.running, timeout=10000)
    assert worklist.model.rowCount() == 0

    dialog = window.open_settings()
    dialog.add_profile()
    dialog.name.setText("Hôpital PACS")
    dialog.url.setText(orthanc.dicomweb_url)
    dialog.auth.setCurrentIndex(1)  # user name and password
    dialog.username.setText(orthanc.user)
    dialog.secret.setText(orthanc.password)
    dialog.accept()

    assert not worklist.banner.isVisibleTo(window)
    qtbot.waitUntil(lambda: any(s.study_uid == study_uid(items) for s in worklist._studies), timeout=20000)
    assert worklist.source.currentText() == "Archive + library"
    descriptions = [worklist.model.item(r, 6).text() for r in range(worklist.model.rowCount())]
    assert "CT CHEST ÉTUDE" in descriptions
    dispose(qtbot, window)
