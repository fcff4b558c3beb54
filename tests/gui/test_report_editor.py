"""The report editor and the outbox in the reading room: open the demo study, the CT head template
is chosen, type findings (the draft file follows within seconds), sign with a throwaway PKCS#12
key, and see delivery: waiting when nothing is configured, delivered to a real Orthanc (STOW-RS)
when it is the archive."""

from __future__ import annotations

import datetime as dt
import io
import json
from collections.abc import Iterator

import pydicom
import pytest
import requests

pytest.importorskip("pytestqt")

from PySide6.QtCore import Qt  # noqa: E402

import workstation.qc.visibility  # noqa: E402, F401 - imported on this thread, not a worker's (see report_editor)
from tests.gui.helpers import dispose, shot  # noqa: E402
from tests.report.pki import ThrowawayPKI, make_pki  # noqa: E402
from workstation import demo  # noqa: E402
from workstation.audit import AuditLog, default_audit_path  # noqa: E402
from workstation.crypt.files import read_protected  # noqa: E402
from workstation.net.auth import store_secret  # noqa: E402
from workstation.report.drafts import DraftStore  # noqa: E402
from workstation.report.model import ReportStatus, VersionKind  # noqa: E402
from workstation.report.signing import KEYRING_SERVICE, keyring_username, pkcs12_key_id  # noqa: E402
from workstation.settings import ArchiveProfile, Settings, load_settings, save_settings  # noqa: E402
from workstation.ui.app import create_main_window  # noqa: E402
from workstation.ui.main_window import MainWindow  # noqa: E402
from workstation.ui.outbox_view import OutboxView  # noqa: E402
from workstation.ui.report_editor import AUTOSAVE_MS, ReportEditor  # noqa: E402
from workstation.ui.sign_dialogs import LEAVE_OUT  # noqa: E402

pytestmark = pytest.mark.gui

SHAPE = (6, 48, 48)  # a small phantom: the report, not the pixels, is under test
DESCRIPTION = "CT HEAD DEMO PHANTOM"
FINDINGS = "Acute left subdural haematoma, 7 mm thick."
IMPRESSION = "Acute left subdural haematoma with 3 mm midline shift."


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> ThrowawayPKI:
    return make_pki(tmp_path_factory.mktemp("pki"))


def _window(qtbot, *, prior: bool = False, add: bool = True) -> tuple[MainWindow, str]:  # type: ignore[no-untyped-def]
    """The main window with the demo study in the library (and a prior of the same patient);
    ``add=False``: the library as an earlier window left it."""
    window = create_main_window(load_settings())
    study_uid = ""
    if add:
        items = list(demo.phantom_series(shape=SHAPE, study_date=dt.date.today()))
        study_uid = str(pydicom.dcmread(io.BytesIO(items[0])).StudyInstanceUID)
        if prior:
            items += list(demo.phantom_series(shape=SHAPE, study_date=dt.date(2021, 5, 4)))
        for data in items:
            window.library.add_bytes(data)
    window.show()
    qtbot.waitExposed(window)
    window.worklist.run_search()
    qtbot.waitUntil(lambda: window.worklist.model.rowCount() == (2 if prior else 1), timeout=10000)
    return window, study_uid


def _open_with_report(qtbot, window: MainWindow, study_uid: str) -> ReportEditor:  # type: ignore[no-untyped-def]
    study = next(s for s in window.worklist._studies if s.study_uid == study_uid)
    window.open_study(study)
    qtbot.waitUntil(lambda: window.current_study() is not None, timeout=20000)
    dock = window.toggle_report()
    assert dock.isVisible()
    editor: ReportEditor = dock.editor
    assert editor.report is not None and editor.report.study.study_uid == study_uid
    return editor


def _type(qtbot, editor: ReportEditor, section: str, text: str) -> None:  # type: ignore[no-untyped-def]
    box = editor.sections[section].text
    box.selectAll()
    box.setFocus()
    qtbot.keyClick(box, Qt.Key.Key_Delete)
    qtbot.keyClicks(box, text)


def _draft_json(editor: ReportEditor) -> dict:  # type: ignore[type-arg]
    assert editor.report is not None
    path = DraftStore.open(load_settings()).path_for(editor.report.report_uid)
    return json.loads(read_protected(path)) if path.exists() else {}


def _sign(qtbot, editor: ReportEditor, pki: ThrowawayPKI, *,  # type: ignore[no-untyped-def]
          placeholders: str = LEAVE_OUT) -> tuple[list[list[str]], list[bytes]]:
    """Sign as a radiologist would: the required haemorrhage question answered ("no" unless it
    was), untouched placeholders left out (or kept), the preview accepted. Returns the names the
    placeholder question listed and the preview PDFs shown."""
    asked: list[list[str]] = []
    previews: list[bytes] = []
    haemorrhage = editor.sections["findings"].fields.get("haemorrhage") if "findings" in editor.sections else None
    if haemorrhage is not None and haemorrhage.value() is None:
        haemorrhage.widget.setCurrentText("no")
    editor.confirm_placeholders = lambda names: (asked.append(names), placeholders)[1]
    editor.preview_signing = lambda pdf: (previews.append(pdf), True)[1]
    editor.choose_key_file = lambda: pki.p12_path
    editor.ask_password = lambda _prompt: pki.password
    qtbot.mouseClick(editor.sign_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: editor.report is not None and editor.report.locked
                    or editor.result.styleSheet().startswith("color: #d04040"), timeout=30000)
    assert editor.report is not None and editor.report.locked, editor.result.text()
    return asked, previews


@pytest.fixture
def window_with_prior(qtbot) -> Iterator[tuple[MainWindow, str]]:  # type: ignore[no-untyped-def]
    window, uid = _window(qtbot, prior=True)
    yield window, uid
    dispose(qtbot, window)


def test_write_autosave_sign_and_wait_in_the_outbox(qtbot, window_with_prior, pki: ThrowawayPKI) -> None:  # type: ignore[no-untyped-def]
    window, study_uid = window_with_prior
    editor = _open_with_report(qtbot, window, study_uid)

    # The template follows the study: CT, Body Part Examined HEAD, "head" in the description.
    assert editor.template is not None and editor.template.id == "ct_head"
    assert "body part HEAD" in editor.reason.text() and "modality CT" in editor.reason.text()
    assert editor.template_combo.currentData() == "ct_head"
    assert "DEMO1" in editor.header.text()  # accession number in the header
    # No normal report pre-filled; the template's technique and contrast default are marked placeholders.
    assert editor.sections["findings"].text.toPlainText() == ""
    assert editor.sections["impression"].text.toPlainText() == ""
    assert editor.sections["technique"].has_placeholders and not editor.sections["findings"].has_placeholders
    findings_fields = editor.sections["findings"].fields
    assert set(findings_fields) == {"haemorrhage", "midline_shift", "aspects"}
    assert findings_fields["haemorrhage"].value() is None  # no answer until one is given
    assert editor.sections["technique"].fields["contrast"].value() == "none"
    # The comparison line comes from the prior of the same patient (found in the background).
    qtbot.waitUntil(lambda: "2021-05-04" in editor.sections["comparison"].text.toPlainText(), timeout=10000)
    assert editor.sections["comparison"].text.toPlainText() == f"CT 2021-05-04 ({DESCRIPTION})."
    assert editor.state.text() == "Version 1: DRAFT"

    # Type findings: the draft file holds them within the debounce, long before the periodic save.
    _type(qtbot, editor, "findings", FINDINGS)
    typed_at = dt.datetime.now()
    qtbot.waitUntil(lambda: _draft_json(editor).get("versions", [{}])[-1].get("sections", {}).get("findings") == FINDINGS,
                    timeout=AUTOSAVE_MS)
    assert (dt.datetime.now() - typed_at).total_seconds() < AUTOSAVE_MS / 1000
    # Fields: yes/no and a number with its unit, saved as typed values.
    findings_fields["haemorrhage"].widget.setCurrentText("yes")
    findings_fields["midline_shift"].widget.setText("3")
    editor.sections["findings"].insert(editor.sections["findings"].snippets[0])
    _type(qtbot, editor, "impression", IMPRESSION)
    qtbot.waitUntil(lambda: _draft_json(editor)["versions"][-1]["fields"].get("midline_shift") == 3, timeout=AUTOSAVE_MS)
    saved = _draft_json(editor)["versions"][-1]
    assert saved["fields"]["haemorrhage"] is True
    assert saved["sections"]["findings"] == FINDINGS + "\n" + editor.sections["findings"].snippets[0].text
    assert saved["sections"]["impression"] == IMPRESSION

    # Without a credential the report cannot be made final.
    editor.confirm_placeholders = lambda _names: LEAVE_OUT
    editor.preview_signing = lambda _pdf: True
    editor.choose_key_file = lambda: None
    qtbot.mouseClick(editor.sign_button, Qt.MouseButton.LeftButton)
    assert "Only a user with a signing credential" in editor.result.text()
    assert editor.report is not None and not editor.report.locked

    # Make it preliminary, then sign: the key file is asked once, its password goes to the keyring.
    qtbot.mouseClick(editor.preliminary_button, Qt.MouseButton.LeftButton)
    assert editor.report.status is ReportStatus.PRELIMINARY
    import keyring

    assert keyring.get_password(KEYRING_SERVICE, keyring_username(pkcs12_key_id(pki.p12_path))) is None
    _sign(qtbot, editor, pki)
    assert keyring.get_password(KEYRING_SERVICE, keyring_username(pkcs12_key_id(pki.p12_path))) == pki.password
    report = editor.report
    assert report.status is ReportStatus.FINAL and report.signer_name == "Dr Alice Radiologist"
    assert "Signed by Dr Alice Radiologist" in editor.result.text()
    assert "No RIS or archive is configured" in editor.result.text()
    assert editor.sections["findings"].text.isReadOnly()
    assert "FINAL" in editor.state.text()
    history = [editor.history_list.item(i).text() for i in range(editor.history_list.count())]
    assert any("made preliminary" in h for h in history) and any("signed by Dr Alice" in h for h in history)
    # The signed version is in the outgoing folder, with the text typed.
    folder = load_settings().library_path().parent / "reports" / "outgoing" / report.version_uid
    meta = json.loads(read_protected(folder / "report.json"))
    assert meta["report"]["sections"]["impression"] == IMPRESSION
    assert read_protected(folder / "report.pdf").startswith(b"%PDF")
    sr = pydicom.dcmread(io.BytesIO(read_protected(folder / "sr.dcm")))
    assert sr.StudyInstanceUID == study_uid and sr.VerificationFlag == "VERIFIED"
    # Signing is in the access audit log (PS3.15 A.5.3.3, created), with the version's UID.
    signed_records = [r for r in AuditLog(default_audit_path()).read() if r.action == "report_signed"]
    assert [(r.study_uid, r.instance_uids) for r in signed_records] == [(study_uid, (report.version_uid,))]

    # The outbox says it waits, and why.
    view = window.show_outbox()
    assert isinstance(view, OutboxView)
    qtbot.waitUntil(lambda: bool(view.entries), timeout=10000)
    assert [e.version_uid for e in view.entries] == [report.version_uid]
    assert "No RIS or archive is configured" in view.summary.text()
    shot(window, "report_editor_signed_no_destination")

    # An addendum starts version 2 from the final one, with its own section.
    editor.ask_reason = lambda _kind: "Radiologist review of the posterior fossa"
    qtbot.mouseClick(editor.addendum_button, Qt.MouseButton.LeftButton)
    assert editor.report.version == 2 and editor.report.kind is VersionKind.ADDENDUM
    assert editor.report.predecessor_uid == report.version_uid
    assert "addendum" in editor.sections and not editor.sections["addendum"].text.isReadOnly()
    assert editor.sections["findings"].text.isReadOnly()
    assert "Version 2 (addendum): DRAFT" == editor.state.text()
    view.close()


def test_sign_and_deliver_to_the_archive(qtbot, orthanc, pki: ThrowawayPKI) -> None:  # type: ignore[no-untyped-def]
    profile = ArchiveProfile(name="Orthanc", url=orthanc.dicomweb_url, auth="basic", username=orthanc.user)
    store_secret(profile, orthanc.password)
    save_settings(Settings(archives=[profile], default_archive=profile.name))
    window, study_uid = _window(qtbot)
    try:
        editor = _open_with_report(qtbot, window, study_uid)
        assert editor.template is not None and editor.template.id == "ct_head"
        assert editor.sections["comparison"].text.toPlainText() == "None available."
        _type(qtbot, editor, "impression", IMPRESSION)
        _sign(qtbot, editor, pki)
        assert editor.report is not None
        assert "stow delivered" in editor.result.text(), editor.result.text()

        # Orthanc holds the SR and the Encapsulated PDF of this version (read through its REST API).
        auth = (orthanc.user, orthanc.password)
        found = requests.post(f"{orthanc.rest_url}/tools/find", auth=auth, timeout=30,
                              json={"Level": "Instance", "Query": {"StudyInstanceUID": study_uid}, "Expand": True}).json()
        uids = {i["MainDicomTags"]["SOPInstanceUID"] for i in found}
        assert {editor.report.sr_instance_uid, editor.report.pdf_instance_uid} <= uids

        view = window.show_outbox()
        qtbot.waitUntil(lambda: view.state_of(editor.report.version_uid, "stow") == "delivered", timeout=10000)
        assert "Archive (STOW-RS)" in view.summary.text()
        top = view.tree.topLevelItem(0)
        assert top is not None and top.child(0).text(1) == "delivered"
        shot(view, "outbox_delivered")
        shot(window, "report_editor_delivered")
        view.close()
    finally:
        dispose(qtbot, window)


def test_restart_restores_the_draft(qtbot, pki: ThrowawayPKI) -> None:  # type: ignore[no-untyped-def]
    """What was typed comes back after the window is gone (the draft is the only copy)."""
    window, study_uid = _window(qtbot)
    editor = _open_with_report(qtbot, window, study_uid)
    _type(qtbot, editor, "findings", FINDINGS)
    qtbot.waitUntil(lambda: _draft_json(editor).get("versions", [{}])[-1].get("sections", {}).get("findings") == FINDINGS,
                    timeout=AUTOSAVE_MS)
    report_uid = editor.report.report_uid if editor.report else ""
    dispose(qtbot, window)

    window, _ = _window(qtbot, add=False)
    try:
        again = _open_with_report(qtbot, window, study_uid)
        assert again.report is not None and again.report.report_uid == report_uid
        assert again.sections["findings"].text.toPlainText() == FINDINGS
        assert "restored" in again.reason.text()
    finally:
        dispose(qtbot, window)




def test_editor_alone_with_the_library_and_outbox(qtbot, pki: ThrowawayPKI) -> None:  # type: ignore[no-untyped-def]
    """The editor without the reading room (no VTK viewports): template, priors, autosave,
    signing and the outbox saying nothing is configured."""
    from workstation.model.entities import LIBRARY, StudySummary
    from workstation.sources import open_library

    library = open_library(load_settings())
    items = list(demo.phantom_series(shape=(4, 32, 32)))
    items += list(demo.phantom_series(shape=(4, 32, 32), study_date=dt.date(2021, 5, 4)))
    for data in items:
        library.add_bytes(data)
    headers = [pydicom.dcmread(io.BytesIO(d), stop_before_pixels=True) for d in items[:4]]
    study = StudySummary.from_dataset(headers[0], LIBRARY)
    editor = ReportEditor(load_settings)
    qtbot.addWidget(editor)
    editor.resize(480, 1000)
    editor.show()
    editor.open_study(study, headers, library=library)
    assert editor.template is not None and editor.template.id == "ct_head"
    assert "body part HEAD" in editor.reason.text()
    qtbot.waitUntil(lambda: editor.sections["comparison"].text.toPlainText() == f"CT 2021-05-04 ({DESCRIPTION}).",
                    timeout=5000)
    _type(qtbot, editor, "findings", FINDINGS)
    qtbot.waitUntil(lambda: _draft_json(editor).get("versions", [{}])[-1].get("sections", {}).get("findings") == FINDINGS,
                    timeout=AUTOSAVE_MS)
    _type(qtbot, editor, "impression", IMPRESSION)
    _sign(qtbot, editor, pki)
    assert "Signed by Dr Alice Radiologist" in editor.result.text()
    assert "No RIS or archive is configured" in editor.result.text()
    shot(editor, "report_editor_alone_signed")
    view = OutboxView(load_settings)
    qtbot.addWidget(view)
    view.show()
    qtbot.waitUntil(lambda: bool(view.entries), timeout=5000)
    assert "No RIS or archive is configured" in view.summary.text()
    top = view.tree.topLevelItem(0)
    assert top is not None and top.text(1) == "blocked" and top.child(0).text(0) == "(no destination)"
    shot(view, "outbox_no_destination")
