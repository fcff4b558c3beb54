"""The settings dialog's RIS and Letterhead tabs: saved into the settings file's "ris" and
"letterhead" objects (the RisProfile JSON shape), the RIS secret in the keyring and never in the
file, and "Test connection" reading the CapabilityStatement of a real FHIR R4 server (Medplum)."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import keyring
import pytest

pytest.importorskip("pytestqt")

from PySide6.QtCore import Qt  # noqa: E402

from tests.report_delivery.conftest import fhir_server, fhir_server_folder  # noqa: E402, F401
from tests.report_delivery.fhir_server import FhirServer, free_port  # noqa: E402
from workstation.net.auth import credentials_for  # noqa: E402
from workstation.report.delivery.profile import RisProfile, load_ris_profile  # noqa: E402
from workstation.settings import (  # noqa: E402
    ArchiveProfile,
    Settings,
    load_settings,
    save_settings,
    settings_path,
)
from workstation.ui.settings_dialog import SettingsDialog  # noqa: E402

pytestmark = pytest.mark.gui


def _dialog(qtbot, settings: Settings) -> SettingsDialog:  # type: ignore[no-untyped-def]
    dialog = SettingsDialog(settings)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def test_ris_and_letterhead_are_saved_secret_in_keyring(qtbot) -> None:  # type: ignore[no-untyped-def]
    archive = ArchiveProfile("PACS", "http://127.0.0.1:8042/dicom-web")
    save_settings(Settings(archives=[archive], default_archive="PACS",
                           extras={"ris": {"name": "Old", "accession_system": "urn:oid:1.2.3.4"},
                                   "other": {"kept": True}}))
    dialog = _dialog(qtbot, load_settings())
    dialog.tabs.setCurrentIndex(1)
    dialog.ris_name.setText("Main RIS")
    dialog.ris_fhir_url.setText("https://ris.example.org/fhir/R4")
    dialog.ris_auth.setCurrentIndex(dialog.ris_auth.findData("basic"))
    dialog.ris_username.setText("reader")
    qtbot.keyClicks(dialog.ris_secret, "s3cret-RIS")
    dialog.ris_mllp_host.setText("ris.example.org")
    dialog.ris_mllp_port.setValue(2575)
    dialog.tabs.setCurrentIndex(2)
    dialog.lh_practice.setText("Radiologie am Markt")
    dialog.lh_address.setPlainText("Marktplatz 1\n\n  12345 Musterstadt  \n")
    dialog.lh_phone.setText("+49 30 1234567")
    dialog.lh_email.setText("befund@example.org")
    dialog.lh_department.setText("Neuroradiology")
    with qtbot.waitSignal(dialog.saved, timeout=5000):
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)

    raw = settings_path().read_text(encoding="utf-8")
    assert "s3cret-RIS" not in raw
    data = json.loads(raw)
    assert data["other"] == {"kept": True}
    assert data["archives"][0]["name"] == "PACS"
    assert data["letterhead"] == {
        "practice_name": "Radiologie am Markt", "address_lines": ["Marktplatz 1", "12345 Musterstadt"],
        "phone": "+49 30 1234567", "email": "befund@example.org", "department": "Neuroradiology"}
    profile = load_ris_profile()
    assert profile is not None
    assert (profile.name, profile.fhir_url, profile.auth, profile.username) == (
        "Main RIS", "https://ris.example.org/fhir/R4", "basic", "reader")
    assert (profile.mllp_host, profile.mllp_port) == ("ris.example.org", 2575)
    assert profile.accession_system == "urn:oid:1.2.3.4"  # an entry the form does not show is kept
    assert keyring.get_password("workstation", "Main RIS:reader") == "s3cret-RIS"
    creds = credentials_for(profile.as_archive_profile())
    assert creds is not None and creds.secret == "s3cret-RIS"

    # the dialog shows what was saved; clearing the URL and host removes the RIS
    again = _dialog(qtbot, load_settings())
    assert again.ris_fhir_url.text() == "https://ris.example.org/fhir/R4"
    assert again.ris_auth.currentData() == "basic" and again.ris_mllp_port.value() == 2575
    assert again.lh_address.toPlainText() == "Marktplatz 1\n12345 Musterstadt"
    again.ris_fhir_url.setText("")
    again.ris_mllp_host.setText("")
    again.accept()
    assert load_ris_profile() is None
    assert "letterhead" in json.loads(settings_path().read_text(encoding="utf-8"))


def test_invalid_ris_entries_are_one_sentence(qtbot) -> None:  # type: ignore[no-untyped-def]
    dialog = _dialog(qtbot, Settings())
    dialog.ris_fhir_url.setText("ris.example.org/fhir")
    dialog.accept()
    assert dialog.error.text() == ("RIS profile 'RIS': the FHIR URL must start with http:// or "
                                   "https://.")
    assert not settings_path().exists()
    dialog.ris_fhir_url.setText("")
    dialog.ris_mllp_host.setText("ris.example.org")
    dialog.accept()
    assert "MLLP host but no port" in dialog.error.text()
    assert not settings_path().exists()


def test_connection_test_reads_the_capability_statement(qtbot, fhir_server: FhirServer) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    dialog = _dialog(qtbot, Settings())
    dialog.ris_fhir_url.setText(fhir_server.url)
    qtbot.mouseClick(dialog.ris_test_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.ris_test_button.isEnabled(), timeout=10000)
    # Medplum's bare router has no /metadata: it answers a FHIR searchset instead
    assert dialog.ris_test_result.text() == (
        f"The RIS at {fhir_server.url.split('/')[2]} answers in FHIR but sent no "
        "CapabilityStatement, so its FHIR version is unknown.")
    assert not settings_path().exists()  # testing saves nothing

    dialog.ris_fhir_url.setText(f"http://127.0.0.1:{free_port()}/fhir/R4")
    qtbot.mouseClick(dialog.ris_test_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.ris_test_button.isEnabled(), timeout=10000)
    assert "could not be reached" in dialog.ris_test_result.text()


def test_bearer_token_typed_before_the_test_is_used(qtbot, fhir_server: FhirServer) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    dialog = _dialog(qtbot, Settings())
    dialog.ris_name.setText("Tokened")
    dialog.ris_fhir_url.setText(fhir_server.url)
    dialog.ris_auth.setCurrentIndex(dialog.ris_auth.findData("bearer"))
    assert not dialog.ris_username.isEnabled() and dialog.ris_secret.isEnabled()
    dialog.ris_secret.setText("tok-123")
    qtbot.mouseClick(dialog.ris_test_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.ris_test_button.isEnabled(), timeout=10000)
    assert "answers in FHIR" in dialog.ris_test_result.text()
    creds = credentials_for(RisProfile(name="Tokened", fhir_url=fhir_server.url, auth="bearer").as_archive_profile())
    assert creds is not None and creds.scheme == "bearer" and creds.secret == "tok-123"


class _MetadataHandler(BaseHTTPRequestHandler):
    """Answers GET /fhir/metadata with the CapabilityStatement a FHIR R4 server sends, and only
    with the expected bearer token; anything else with an HTML page."""

    def do_GET(self) -> None:  # noqa: N802 - http.server API
        if self.headers.get("Authorization") != "Bearer tok-456":
            body, status, kind = b'{"resourceType":"OperationOutcome","issue":[]}', 401, "application/fhir+json"
        elif self.path == "/fhir/metadata":
            body = json.dumps({"resourceType": "CapabilityStatement", "status": "active",
                               "fhirVersion": "4.0.1", "kind": "instance",
                               "software": {"name": "Loopback RIS"}}).encode()
            status, kind = 200, "application/fhir+json"
        else:
            body, status, kind = b"<html>welcome</html>", 200, "text/html"
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_args: object) -> None:
        pass


def test_connection_test_sentences(qtbot) -> None:  # type: ignore[no-untyped-def]
    server = ThreadingHTTPServer(("127.0.0.1", 0), _MetadataHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    host = f"127.0.0.1:{server.server_address[1]}"
    try:
        dialog = _dialog(qtbot, Settings())
        dialog.ris_auth.setCurrentIndex(dialog.ris_auth.findData("bearer"))
        results = []
        for url, token in ((f"http://{host}/fhir", "wrong"), (f"http://{host}/fhir", "tok-456"),
                           (f"http://{host}/web", "tok-456")):
            dialog.ris_fhir_url.setText(url)
            dialog.ris_secret.setText(token)
            qtbot.mouseClick(dialog.ris_test_button, Qt.MouseButton.LeftButton)
            qtbot.waitUntil(lambda: dialog.ris_test_button.isEnabled(), timeout=10000)
            results.append(dialog.ris_test_result.text())
        assert results[0].startswith(f"The RIS at {host} refused our credentials")
        assert results[1] == f"The RIS at {host} (Loopback RIS) answers: FHIR 4.0.1."
        assert results[2] == f"The server at {host} answered, but not in FHIR; check the FHIR base URL."
    finally:
        server.shutdown()
        server.server_close()
