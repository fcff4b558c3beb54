"""The session lock from sign-in to unlock, against a real OpenID provider and a real archive.

A reader signs in from the File menu (the provider's browser flow, played by a plain HTTP client
submitting the provider's forms), reads a study, starts a pull from an archive that checks the
bearer token, is locked out after a short idle time, and the screen shows no patient name and no
image pixel (the X screen itself is grabbed, so the VTK viewports' native windows are included).
The pull finishes while locked. A wrong unlock password and another person's sign-in are refused;
the reader signs in again and finds the same study at the same slice, pixel for pixel. The audit
log holds all of it, with the provider's identity, chained.
"""

from __future__ import annotations

import io
import os
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import numpy as np
import pydicom
import pytest

pytest.importorskip("pytestqt")

from PySide6.QtCore import QAbstractListModel, QModelIndex, QPoint, QRect, Qt  # noqa: E402
from PySide6.QtGui import QImage  # noqa: E402
from PySide6.QtWidgets import (  # noqa: E402
    QAbstractButton,
    QAbstractItemView,
    QApplication,
    QLabel,
    QLineEdit,
    QStatusBar,
    QTabBar,
    QTextEdit,
    QWidget,
)

from tests import orthanc as orthanc_mod  # noqa: E402
from tests.gui.helpers import SHOTS, dispose, shot  # noqa: E402
from tests.net import oidc as op  # noqa: E402
from workstation import demo  # noqa: E402
from workstation.audit import AuditLog, default_audit_path  # noqa: E402
from workstation.audit.record import record_pull  # noqa: E402
from workstation.identity import current_identity  # noqa: E402
from workstation.lock_policy import set_unlock_password  # noqa: E402
from workstation.model.query import StudyQuery  # noqa: E402
from workstation.net import oidc  # noqa: E402
from workstation.net.transfer import pull_study  # noqa: E402
from workstation.settings import ArchiveProfile, OidcProfile, Settings, load_settings, save_settings  # noqa: E402
from workstation.ui import session_lock  # noqa: E402
from workstation.ui.app import create_main_window  # noqa: E402
from workstation.ui.session_lock import COVER_COLOUR, LockDialog, SessionLock  # noqa: E402

pytestmark = pytest.mark.gui

PATIENT = "Lefèvre^Zoé"
READ_UID = "1.2.826.0.1.3680043.8.498.16101"
PULL_UID = "1.2.826.0.1.3680043.8.498.16102"


@pytest.fixture(scope="module")
def provider_folder() -> Path:
    if not op.node_available():
        if os.environ.get("CI"):
            pytest.fail("Node.js is not installed; the test command should have installed it")
        pytest.skip("Node.js and npm are needed for the OpenID provider tests")
    return op.install_provider()


@pytest.fixture
def provider(provider_folder: Path) -> Iterator[op.Provider]:
    oidc._SESSIONS.clear()
    started = op.start_provider(provider_folder)
    yield started
    started.stop()
    oidc._SESSIONS.clear()


@pytest.fixture
def browser(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The system browser; the person who signs in there is ``browser[0]``."""
    who = ["helene"]

    def open_url(url: str) -> None:
        who.append(url)
        op.drive_browser(url, who[0])

    monkeypatch.setattr(session_lock, "open_in_browser", open_url)
    return who


def _with_patient(data: bytes, name: str) -> bytes:
    ds = pydicom.dcmread(io.BytesIO(data))
    ds.SpecificCharacterSet = "ISO_IR 192"
    ds.PatientName = name
    out = io.BytesIO()
    ds.save_as(out, enforce_file_format=True)
    return out.getvalue()


def _upload_study(orthanc: orthanc_mod.OrthancServer, n: int) -> None:
    for i, data in enumerate(demo.phantom_series(shape=(n, 32, 32), study_uid=PULL_UID)):
        ds = pydicom.dcmread(io.BytesIO(data))
        ds.SeriesInstanceUID = f"{PULL_UID}.{i + 1}"
        ds.SeriesNumber = i + 1
        out = io.BytesIO()
        ds.save_as(out, enforce_file_format=True)
        orthanc.upload(out.getvalue())


def visible_texts() -> list[str]:
    """Every text a visible widget of the application shows (labels, buttons, fields, tabs,
    tables, titles, status messages)."""
    texts: list[str] = []
    for widget in QApplication.allWidgets():
        if not widget.isVisible():
            continue
        if widget.isWindow():
            texts.append(widget.windowTitle())
        if isinstance(widget, (QLabel, QAbstractButton, QLineEdit)):
            texts.append(widget.text())
        if isinstance(widget, QTextEdit):
            texts.append(widget.toPlainText())
        if isinstance(widget, QStatusBar):
            texts.append(widget.currentMessage())
        if isinstance(widget, QTabBar):
            texts += [widget.tabText(i) for i in range(widget.count())]
        if isinstance(widget, QAbstractItemView) and widget.model() is not None:
            model, root = widget.model(), QModelIndex()
            columns = 1 if isinstance(model, QAbstractListModel) else model.columnCount(root)
            texts += [str(model.index(r, c).data() or "") for r in range(model.rowCount(root))
                      for c in range(columns)]
    return texts


def shows_patient(texts: list[str]) -> bool:
    return any("lefèvre" in t.lower() or "zoé" in t.lower() for t in texts)


def screen_grab(rect: QRect) -> np.ndarray:
    """What the X screen shows in ``rect`` (global coordinates), native GL windows included."""
    image = QApplication.primaryScreen().grabWindow(0, rect.x(), rect.y(), rect.width(), rect.height())
    qimage = image.toImage().convertToFormat(image.toImage().Format.Format_RGB888)
    raw = np.frombuffer(qimage.constBits(), np.uint8).reshape(qimage.height(), qimage.bytesPerLine())
    return raw[:, : qimage.width() * 3].reshape(qimage.height(), qimage.width(), 3).copy()


def global_rect(widget: QWidget) -> QRect:
    return QRect(widget.mapToGlobal(QPoint(0, 0)), widget.size())


def not_cover(pixels: np.ndarray, area: QRect, skip: list[QRect]) -> int:
    """Pixels of ``area`` (the grab's coordinates) that are not the cover's colour, outside ``skip``."""
    colour = np.array([int(COVER_COLOUR[i:i + 2], 16) for i in (1, 3, 5)], np.uint8)
    mask = np.ones(pixels.shape[:2], bool)
    for r in skip:
        mask[max(r.top(), 0):max(r.bottom() + 1, 0), max(r.left(), 0):max(r.right() + 1, 0)] = False
    region = np.zeros_like(mask)
    region[area.top():area.bottom() + 1, area.left():area.right() + 1] = True
    differs = np.any(pixels != colour, axis=2)
    return int(np.count_nonzero(differs & mask & region))


def test_sign_in_read_idle_lock_pull_goes_on_unlock_same_slice_all_audited(  # type: ignore[no-untyped-def]
        qtbot, provider: op.Provider, orthanc: orthanc_mod.OrthancServer, browser: list[str],
        tmp_path: Path) -> None:
    _upload_study(orthanc, 8)
    archive = op.TokenCheckingArchive(provider, orthanc.dicomweb_url, (orthanc_mod.USER, orthanc_mod.PASSWORD),
                                      delay_s=0.6).start()
    save_settings(Settings(
        archives=[ArchiveProfile(name="hosted", url=archive.url, auth="oidc", max_connections=1)],
        default_archive="hosted",
        sign_in=[OidcProfile(name="sso", issuer=provider.issuer, client_id="workstation")],
        lock_after_min=30.0))
    set_unlock_password("cheval-correct-agrafe")
    folder = tmp_path / "cd"
    folder.mkdir()
    for i, data in enumerate(demo.phantom_series(shape=(4, 48, 48), study_uid=READ_UID)):
        (folder / f"{i}.dcm").write_bytes(_with_patient(data, PATIENT))
    window = create_main_window(load_settings())
    window.show()
    qtbot.waitExposed(window)
    log = AuditLog(default_audit_path())
    lock = SessionLock.instance()
    try:
        assert window.identity_label.text() == "Not signed in"
        # -- signs in from the File menu (browser flow in the background) --
        window.sign_in_action.trigger()
        qtbot.waitUntil(lambda: window.identity_label.text() == "Signed in: Dr Hélène Dupré-Łukasz",
                        timeout=30000)
        who = current_identity()
        assert who is not None and who.subject == "helene"
        # -- reads a study at its third image --
        window.import_paths([folder])
        qtbot.waitUntil(lambda: any(r.action == "study_imported" for r in log.read()), timeout=20000)
        [summary] = window.library.search_studies(StudyQuery(study_uid=READ_UID))
        window.open_study(summary)
        qtbot.waitUntil(lambda: window.tabs.count() == 2, timeout=20000)
        view = window.tabs.widget(1)
        qtbot.waitUntil(lambda: not view.active.loading, timeout=20000)
        qtbot.waitUntil(lambda: not window.loading.text(), timeout=20000)
        binding = view.active
        binding.state.image_index = 2
        qtbot.wait(300)
        reading = binding.viewport.capture()
        viewport_rect = global_rect(binding.viewport.view)
        window_rect = window.frameGeometry()
        before = screen_grab(window_rect)
        shot(window, "session-lock-1-reading")
        assert shows_patient(visible_texts())  # the name is on screen before the lock
        # -- a pull from the archive runs in the background --
        pulled: list[Any] = []

        def pull(progress: Any, cancel: Any) -> Any:
            report = pull_study(window.archive("hosted"), window.library, PULL_UID, cancel=cancel,
                                progress=lambda d, t, _b: progress(d, t, "Pulling"))
            record_pull(window.settings, window.library, report, why="pull")
            return report

        window._run(pull, "Pulling", pulled.append)
        # -- idle: no input for 3 s (the setting, as the settings dialog would change it) --
        window.apply_settings(replace(window.settings, lock_after_min=0.05))
        qtbot.waitUntil(lambda: lock.locked, timeout=10000)
        qtbot.wait(500)  # the screen settles
        assert not pulled, "the pull should still be running when the session locks"
        dialog = lock.dialog
        assert isinstance(dialog, LockDialog) and dialog.isVisible()
        texts = visible_texts()
        assert not shows_patient(texts), [t for t in texts if "zo" in t.lower()]
        assert window.windowTitle() == "Workstation (locked)"
        locked_pixels = screen_grab(window_rect)
        SHOTS.mkdir(parents=True, exist_ok=True)
        QApplication.primaryScreen().grabWindow(0).save(str(SHOTS / "session-lock-2-locked-screen.png"))
        offset = window_rect.topLeft()
        area = viewport_rect.translated(-offset)
        skip = [dialog.frameGeometry().translated(-offset)]
        skip += [global_rect(c).translated(-offset) for c in window.findChildren(QLabel)
                 if c.isVisible() and c.text().startswith("Locked:")]
        assert not_cover(before, area, skip) > area.width() * area.height() // 10  # image there before
        assert not_cover(locked_pixels, area, skip) == 0  # not one image pixel while locked
        # -- the pull goes on while locked --
        qtbot.waitUntil(lambda: bool(pulled), timeout=60000)
        assert pulled[0].complete and lock.locked
        assert window.library.study_complete(PULL_UID)
        # -- a wrong password, then another person, are refused --
        assert dialog.password is not None and dialog.sign_in_button is not None
        dialog.password.setText("cheval-correct-agrafé")
        qtbot.mouseClick(dialog.unlock_button, Qt.MouseButton.LeftButton)
        assert lock.locked and "not right" in dialog.message.text()
        browser[0] = "kenji"
        qtbot.mouseClick(dialog.sign_in_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: "only they can unlock" in dialog.message.text(), timeout=30000)
        assert lock.locked and current_identity() == who
        # -- the reader signs in again: the same study at the same slice --
        browser[0] = "helene"
        qtbot.mouseClick(dialog.sign_in_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: not lock.locked, timeout=30000)
        qtbot.wait(300)
        assert window.windowTitle() == "Workstation"
        assert window.tabs.currentWidget() is view and view.active is binding
        assert binding.state.image_index == 2
        assert np.array_equal(binding.viewport.capture(), reading)
        assert shows_patient(visible_texts())
        shot(window, "session-lock-3-unlocked")
        # the unlock asked the provider for the credentials again, the first sign-in did not
        first, *unlocks_asked = [parse_qs(urlsplit(u).query) for u in browser[1:]]
        assert first["prompt"] == ["consent"] and "max_age" not in first
        assert all(q["prompt"] == ["login consent"] and q["max_age"] == ["0"] for q in unlocks_asked)
        # -- signs out from the File menu: revoked at the provider, gone from the status bar --
        window.sign_out_action.trigger()
        qtbot.waitUntil(lambda: window.identity_label.text() == "Not signed in", timeout=20000)
        assert current_identity() is None
        # -- the audit log: everything, with the provider's identity, chained --
        records = log.read()
        actions = [r.action for r in records]
        locked_at = actions.index("session_locked")
        unlocks = [r for r in records if r.action == "session_unlocked"]
        assert actions.index("signed_in") < actions.index("study_opened") < locked_at
        assert locked_at < actions.index("study_pulled") < actions.index("session_unlocked")
        assert [(u.outcome, u.detail.get("method")) for u in unlocks] == [
            ("4", "password"), ("4", "oidc"), ("0", "oidc")]
        assert unlocks[1].detail["signed_in_as"].startswith("kenji@")
        helene = f"helene@{provider.issuer}"
        for r in records[actions.index("signed_in"):]:
            if r.action in ("signed_in", "study_opened", "session_locked", "study_pulled", "session_unlocked"):
                assert (r.user_id, r.user) == (helene, "Dr Hélène Dupré-Łukasz"), r
        locked = records[locked_at]
        assert (locked.event_id, locked.event_type, locked.detail["why"]) == ("110114", "110123", "idle for 0.05 minutes")
        assert (unlocks[-1].event_id, unlocks[-1].event_type) == ("110114", "110122")
        signed_out = [r for r in records if r.action == "signed_out"]
        assert [(r.outcome, r.user_id, r.event_type) for r in signed_out] == [("0", helene, "110123")]
        assert log.verify().intact
    finally:
        dispose(qtbot, window)
        archive.stop()


def test_lock_on_demand_covers_every_window_dialogs_included_and_the_password_unlocks(  # type: ignore[no-untyped-def]
        qtbot, tmp_path: Path) -> None:
    save_settings(Settings(lock_after_min=30.0))
    set_unlock_password("mot-de-passe-éternel")
    folder = tmp_path / "cd"
    folder.mkdir()
    for i, data in enumerate(demo.phantom_series(shape=(3, 32, 32), study_uid=READ_UID)):
        (folder / f"{i}.dcm").write_bytes(_with_patient(data, PATIENT))
    window = create_main_window(load_settings())
    window.show()
    qtbot.waitExposed(window)
    log = AuditLog(default_audit_path())
    lock = SessionLock.instance()
    try:
        window.import_paths([folder])
        qtbot.waitUntil(lambda: any(r.action == "study_imported" for r in log.read()), timeout=20000)
        [summary] = window.library.search_studies(StudyQuery(study_uid=READ_UID))
        window.open_study(summary)
        qtbot.waitUntil(lambda: window.tabs.count() == 2, timeout=20000)
        qtbot.waitUntil(lambda: window.active_header() is not None, timeout=20000)
        dock = window.toggle_report()
        draft = dock.editor.sections["findings"].text
        draft.setPlainText("Pas de lésion focale — brouillon non signé")
        qtbot.waitUntil(draft.isVisible, timeout=5000)
        tags = window.show_tags()
        shortcuts = window.show_shortcuts()
        qtbot.waitExposed(tags)
        rows = [(shortcuts.table.item(r, 0).text(), shortcuts.table.item(r, 1).text())
                for r in range(shortcuts.table.rowCount())]
        assert ("Ctrl+Alt+L", "Lock screen") in rows  # listed in F1
        settings_dialog = window.open_settings()  # window-modal, open while the lock comes
        qtbot.waitExposed(settings_dialog)
        settings_dialog.lock_tab.lock_after.setValue(7)  # an edit under way
        tags_title = tags.windowTitle()
        qtbot.waitUntil(lambda: QApplication.focusWidget() is not None, timeout=5000)
        typing_in = QApplication.focusWidget()
        assert shows_patient(visible_texts())
        # -- Ctrl+Alt+L locks at once, from any window (here the tag browser) --
        qtbot.keyClick(tags, Qt.Key.Key_L,
                       Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier)
        qtbot.waitUntil(lambda: lock.locked, timeout=5000)
        dialog = lock.dialog
        assert dialog is not None
        for shown in (window, tags, shortcuts, settings_dialog):
            assert shown.isVisible() and shown.windowTitle() == "Workstation (locked)"  # covered, not closed
        assert not shows_patient(visible_texts())
        # -- a window that opens while locked is covered too --
        outbox = window.show_outbox()
        qtbot.waitUntil(lambda: outbox.windowTitle() == "Workstation (locked)", timeout=5000)
        qtbot.wait(300)
        SHOTS.mkdir(parents=True, exist_ok=True)
        QApplication.primaryScreen().grabWindow(0).save(str(SHOTS / "session-lock-4-dialogs-covered.png"))
        prompt = dialog.frameGeometry()
        on_screen = screen_grab(prompt)  # the unlock prompt is in front of the new window, seen
        own = dialog.grab().toImage().convertToFormat(QImage.Format.Format_RGB888)
        raw = np.frombuffer(own.constBits(), np.uint8).reshape(own.height(), own.bytesPerLine())
        painted = raw[:, : own.width() * 3].reshape(own.height(), own.width(), 3)
        h, w = min(painted.shape[0], on_screen.shape[0]), min(painted.shape[1], on_screen.shape[1])
        same = np.all(painted[:h, :w] == on_screen[:h, :w], axis=2).mean()
        assert same > 0.9, f"only {same:.0%} of the unlock prompt is seen on screen"
        # -- Escape and the close button do not unlock --
        qtbot.keyClick(dialog, Qt.Key.Key_Escape)
        dialog.close()
        assert lock.locked and dialog.isVisible()
        assert dialog.sign_in_button is None and dialog.password is not None  # nobody signed in
        for _ in range(3):  # three wrong guesses: the next try waits a second
            dialog.password.setText("mot-de-passe-eternel")
            qtbot.keyClick(dialog.password, Qt.Key.Key_Return)
            assert lock.locked and "not right" in dialog.message.text()
        dialog.password.setText("mot-de-passe-éternel")  # (QTest cannot type "é")
        qtbot.keyClick(dialog.password, Qt.Key.Key_Return)
        assert lock.locked and "wait 1 s" in dialog.message.text()  # not even checked
        qtbot.wait(1100)
        qtbot.keyClick(dialog.password, Qt.Key.Key_Return)
        assert not lock.locked
        assert tags.windowTitle() == tags_title and shows_patient(visible_texts())
        qtbot.waitUntil(lambda: QApplication.focusWidget() is typing_in, timeout=5000)  # focus given back
        assert settings_dialog.isVisible() and settings_dialog.lock_tab.lock_after.value() == 7
        assert dock.isVisible() and draft.isVisible()  # the report draft as it was
        assert draft.toPlainText() == "Pas de lésion focale — brouillon non signé"
        mine = [r for r in log.read() if r.action in ("session_locked", "session_unlocked")]
        assert [(r.action, r.outcome, r.detail) for r in mine] == [
            ("session_locked", "0", {"why": "on demand"})] + [
            ("session_unlocked", "4", {"method": "password"})] * 3 + [
            ("session_unlocked", "0", {"method": "password"})]
        assert mine[0].user == "(not signed in)" and log.verify().intact
    finally:
        dispose(qtbot, window)


def test_settings_dialog_keeps_the_idle_minutes_and_only_a_hash_of_the_password(qtbot) -> None:  # type: ignore[no-untyped-def]
    import keyring

    from workstation.lock_policy import UNLOCK_PASSWORD_USER, unlock_password_matches
    from workstation.ui.settings_dialog import SettingsDialog

    save_settings(Settings())
    dialog = SettingsDialog(load_settings())
    qtbot.addWidget(dialog)
    assert dialog.lock_tab.lock_after.value() == 15.0  # the default
    dialog.lock_tab.lock_after.setValue(5)
    dialog.lock_tab.password.setText("Ünlock-ça-2026")
    dialog.lock_tab.again.setText("Unlock-ca-2026")
    dialog.accept()
    assert "differ" in dialog.error.text() and load_settings().lock_after_min == 15.0
    dialog.lock_tab.again.setText("Ünlock-ça-2026")
    with qtbot.waitSignal(dialog.saved, timeout=5000):
        dialog.accept()
    assert load_settings().lock_after_min == 5.0
    stored = keyring.get_password("workstation", UNLOCK_PASSWORD_USER)
    assert stored and stored.startswith("scrypt$") and "ça" not in stored
    assert unlock_password_matches("Ünlock-ça-2026")


def test_input_keeps_the_session_open_and_idle_locks_it(qtbot) -> None:  # type: ignore[no-untyped-def]
    save_settings(Settings(lock_after_min=0.02))  # 1.2 s
    window = create_main_window(load_settings())
    window.show()
    qtbot.waitExposed(window)
    lock = SessionLock.instance()
    try:
        for i in range(12):  # 3.6 s of use, three times the idle time
            qtbot.mouseMove(window.worklist, QPoint(40 + 10 * (i % 2), 60))
            qtbot.wait(300)
        assert not lock.locked
        window.file_menu.popup(window.mapToGlobal(QPoint(10, 10)))  # left open, then no input
        qtbot.waitUntil(window.file_menu.isVisible, timeout=5000)
        qtbot.waitUntil(lambda: lock.locked, timeout=5000)  # locked
        assert lock.why == "idle for 0.02 minutes"
        assert not window.file_menu.isVisible()  # the open menu was closed
    finally:
        lock.unlock_with_password(None)  # nothing set up: the unlock takes no credential
        assert not lock.locked
        dispose(qtbot, window)


def test_offline_the_provider_cannot_unlock_the_local_password_does(  # type: ignore[no-untyped-def]
        qtbot, provider: op.Provider, browser: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    save_settings(Settings(sign_in=[OidcProfile(name="sso", issuer=provider.issuer, client_id="workstation")]))
    set_unlock_password("hors-ligne-ÿ-2026")
    monkeypatch.setattr(session_lock, "REAUTH_TIMEOUT_S", 3.0)
    window = create_main_window(load_settings())
    window.show()
    qtbot.waitExposed(window)
    lock = SessionLock.instance()
    log = AuditLog(default_audit_path())
    try:
        window.sign_in_action.trigger()
        qtbot.waitUntil(lambda: window.identity_label.text().startswith("Signed in: Dr Hélène"), timeout=30000)
        window.lock_action.trigger()
        assert lock.locked and lock.dialog is not None and lock.dialog.sign_in_button is not None
        provider.stop()  # offline: the browser shows its own error page, nothing comes back
        monkeypatch.setattr(session_lock, "open_in_browser", lambda url: browser.append(url))
        qtbot.mouseClick(lock.dialog.sign_in_button, Qt.MouseButton.LeftButton)
        assert not lock.dialog.sign_in_button.isEnabled()  # one browser sign-in at a time
        qtbot.waitUntil(lambda: "not completed in the browser" in lock.dialog.message.text(), timeout=15000)
        assert lock.locked and lock.dialog.sign_in_button.isEnabled()
        lock.dialog.password.setText("hors-ligne-ÿ-2026")
        qtbot.mouseClick(lock.dialog.unlock_button, Qt.MouseButton.LeftButton)
        assert not lock.locked
        mine = [(r.action, r.outcome, r.detail.get("method"), r.user) for r in log.read()
                if r.action.startswith("session_")]
        assert mine == [("session_locked", "0", None, "Dr Hélène Dupré-Łukasz"),
                        ("session_unlocked", "4", "oidc", "Dr Hélène Dupré-Łukasz"),
                        ("session_unlocked", "0", "password", "Dr Hélène Dupré-Łukasz")]
    finally:
        dispose(qtbot, window)
