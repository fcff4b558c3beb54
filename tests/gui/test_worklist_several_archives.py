"""The worklist searches every archive at once: a real Orthanc answers at once, a slow archive
(a real HTTP server on 127.0.0.1 that answers after 3 s) is named as not answered yet, then its
study joins the list, one row per study with every archive it is in."""

from __future__ import annotations

import datetime as dt
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

pytest.importorskip("pytestqt")

from tests.gui.helpers import dispose  # noqa: E402
from tests.gui.reading_studies import chest_study, study_uid  # noqa: E402
from workstation.net.auth import store_secret  # noqa: E402
from workstation.settings import ArchiveProfile, load_settings, save_settings  # noqa: E402
from workstation.ui.app import create_main_window  # noqa: E402
from workstation.ui.worklist import ORIGIN_COLUMN  # noqa: E402

pytestmark = pytest.mark.gui
SLOW_ONLY = "1.2.826.0.1.3680043.8.498.19001"


def _slow_archive(shared_uid: str) -> ThreadingHTTPServer:
    """QIDO-RS answers (PS3.18 10.6, DICOM JSON) after 3 s: the shared study and one of its own."""

    def study(uid: str, name: str, date: str) -> dict:
        return {"0020000D": {"vr": "UI", "Value": [uid]},
                "00100010": {"vr": "PN", "Value": [{"Alphabetic": name}]},
                "00100020": {"vr": "LO", "Value": ["PID-SLOW"]},
                "00080020": {"vr": "DA", "Value": [date]},
                "00081030": {"vr": "LO", "Value": ["IRM GENOU LENTE"]}}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            time.sleep(3)
            body = json.dumps([study(shared_uid, "Partagé^Anne", "20250203"),
                               study(SLOW_ONLY, "Lent^Élodie", "20250101")]).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/dicom+json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def test_slow_archive_is_named_then_its_rows_join(qtbot, orthanc) -> None:  # type: ignore[no-untyped-def]
    items = chest_study(dt.date(2025, 2, 3), description="CT THORAX")
    for data in items:
        orthanc.upload(data)
    shared = study_uid(items)
    slow = _slow_archive(shared)
    try:
        fast = ArchiveProfile(name="Hôpital", url=orthanc.dicomweb_url, username=orthanc.user)
        store_secret(fast, orthanc.password)
        settings = load_settings()
        settings.archives = [fast, ArchiveProfile(
            name="Régional", url=f"http://127.0.0.1:{slow.server_address[1]}/dicom-web",
            auth="none")]
        save_settings(settings)
        window = create_main_window(load_settings())
        window.search_deadline_s = 1.0
        window.show()
        qtbot.waitExposed(window)
        worklist = window.worklist
        worklist.source.setCurrentText("Archive + library")
        worklist.run_search()
        qtbot.waitUntil(lambda: any(s.study_uid == shared for s in worklist._studies), timeout=15000)
        assert "Archive 'Régional' has not answered yet" in worklist.status.text()
        assert all(s.study_uid != SLOW_ONLY for s in worklist._studies)

        qtbot.waitUntil(lambda: any(s.study_uid == SLOW_ONLY for s in worklist._studies),
                        timeout=15000)
        assert "Régional" not in worklist.status.text()
        assert worklist.status.text().startswith("2 studies found.")
        where = {s.study_uid: s.where() for s in worklist._studies}
        assert where == {shared: ["Hôpital", "Régional"], SLOW_ONLY: ["Régional"]}
        origins = sorted(worklist.model.item(r, ORIGIN_COLUMN).text()
                         for r in range(worklist.model.rowCount()))
        assert origins == ["Hôpital + Régional", "Régional"]
        dispose(qtbot, window)
    finally:
        slow.shutdown()


def test_a_study_opens_from_the_archive_that_holds_it(qtbot, orthanc) -> None:  # type: ignore[no-untyped-def]
    from tests.gui.helpers import open_row
    from tests.orthanc import start_orthanc

    second = start_orthanc()
    try:
        items = chest_study(dt.date(2025, 3, 4), description="TDM SEULEMENT AU SUD")
        for data in items:
            second.upload(data)  # not in the default archive
        settings = load_settings()
        north = ArchiveProfile(name="Nord", url=orthanc.dicomweb_url, username=orthanc.user)
        south = ArchiveProfile(name="Sud", url=second.dicomweb_url, username=second.user)
        for profile in (north, south):
            store_secret(profile, orthanc.password)
        settings.archives, settings.default_archive = [north, south], "Nord"
        save_settings(settings)
        window = create_main_window(load_settings())
        window.show()
        qtbot.waitExposed(window)
        worklist = window.worklist
        worklist.source.setCurrentText("Archive + library")
        worklist.run_search()
        qtbot.waitUntil(lambda: worklist.model.rowCount() == 1, timeout=15000)
        open_row(qtbot, worklist, "TDM SEULEMENT AU SUD")
        qtbot.waitUntil(lambda: window.current_study() is not None, timeout=20000)
        view = window.current_study()
        assert view is not None and view.archive is window.archive("Sud")
        assert view.study.study_uid == study_uid(items)
        dispose(qtbot, window)
    finally:
        second.stop()


def test_failover_is_said_in_the_status_bar(qtbot, orthanc) -> None:  # type: ignore[no-untyped-def]
    from tests.orthanc import free_port

    items = chest_study(dt.date(2025, 4, 5), description="SCANNER DE SECOURS")
    for data in items:
        orthanc.upload(data)
    settings = load_settings()
    main = ArchiveProfile(name="Principal", url=f"http://127.0.0.1:{free_port()}/dicom-web",
                          username=orthanc.user)
    backup = ArchiveProfile(name="Secours", url=orthanc.dicomweb_url, username=orthanc.user,
                            backup_for="Principal")
    for profile in (main, backup):
        store_secret(profile, orthanc.password)
    settings.archives, settings.default_archive = [main, backup], "Principal"
    save_settings(settings)
    window = create_main_window(load_settings())
    window.show()
    qtbot.waitExposed(window)
    worklist = window.worklist
    assert worklist.source.findText("Principal") >= 0
    worklist.source.setCurrentText("Archive + library")
    worklist.run_search()
    qtbot.waitUntil(lambda: worklist.model.rowCount() == 1, timeout=15000)
    qtbot.waitUntil(lambda: "Secours" in window.statusBar().currentMessage(), timeout=5000)
    assert window.statusBar().currentMessage() == (
        "Archive 'Principal' does not answer; searches, retrievals and deliveries go to its "
        "backup 'Secours' until it answers again.")
    assert worklist._studies[0].where() == ["Principal"]  # the backup stands in for it
    assert worklist.status.text() == "1 study found."
    dispose(qtbot, window)
