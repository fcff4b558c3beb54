"""The session lock, and signing in and out from the reading room.

After ``Settings.lock_after_min`` minutes without keyboard or mouse input (default 15), or on
demand (File > Lock screen, Ctrl+Alt+L), every window of the application is covered: each
top-level window, dialogs included, has its contents hidden under an opaque cover and its title
replaced, so that no image, patient name or other detail stays on screen (the windows are not
closed nor minimised: nothing is lost, open studies, viewports, drafts and running transfers
stay as they are). An application-modal dialog then asks for the person again
(:mod:`workstation.lock_policy`): OpenID Connect re-authentication through the provider the
signed-in identity came from (``prompt=login``, :meth:`workstation.net.oidc.OidcSession.login_browser`)
and/or the local unlock password. Only the same person (``sub`` and ``iss``) unlocks.

The lock, the unlock and every failed unlock are recorded in the access audit log as User
Authentication events (PS3.15 A.5.3.12; EventTypeCode 110123 "Logout" for the lock, 110122
"Login" for the unlock, outcome 4 for a failure). Signing in (File > Sign in...) runs the
browser flow in the background and shows the signed-in person in the status bar.
"""

from __future__ import annotations

import logging
import weakref
import webbrowser
from typing import Any

import shiboken6
from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QAction, QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QLabel,
    QLineEdit,
    QPushButton,
    QToolTip,
    QVBoxLayout,
    QWidget,
)

from workstation.audit import AuditAction, audit_log_for
from workstation.audit.events import OUTCOME_MINOR_FAILURE, OUTCOME_SERIOUS_FAILURE
from workstation.errors import WorkstationError
from workstation.identity import Identity, current_identity
from workstation.lock_policy import (
    METHOD_OIDC,
    METHOD_PASSWORD,
    IdleClock,
    UnlockThrottle,
    lock_after_s,
    same_person,
    unlock_methods,
    unlock_password_matches,
)
from workstation.settings import Settings
from workstation.ui import tasks
from workstation.ui.core_text import core_text
from workstation.ui.i18n import QT_TRANSLATE_NOOP

log = logging.getLogger(__name__)

LOCK_KEY = "Ctrl+Alt+L"
REAUTH_TIMEOUT_S = 300.0  # how long the unlock waits for the browser sign-in
LOCKED_TITLE = QT_TRANSLATE_NOOP("SessionLock", "Workstation (locked)")
#: Recorded in English in the audit log, shown translated (context ``core``: :func:`core_text`).
WRONG_PASSWORD = QT_TRANSLATE_NOOP("core", "The unlock password is not right; try again.")
COVER_COLOUR = "#1b1d21"
_INPUT_EVENTS = frozenset({QEvent.Type.KeyPress, QEvent.Type.MouseButtonPress, QEvent.Type.MouseMove,
                           QEvent.Type.Wheel, QEvent.Type.TouchBegin, QEvent.Type.TabletPress})
_SKIPPED_WINDOWS = (Qt.WindowType.Popup, Qt.WindowType.ToolTip)


def open_in_browser(url: str) -> None:
    """The system browser (looked up at call time)."""
    webbrowser.open(url)


class Cover(QWidget):
    """An opaque sheet over one window's contents while the session is locked."""

    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self.setObjectName("sessionLockCover")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.setStyleSheet(f"#sessionLockCover {{ background: {COVER_COLOUR}; }} "
                           "QLabel { color: #c8c8c8; font-size: 14pt; }")
        note = QLabel(self.tr("Locked: images and patient details are hidden until you sign in again."))
        note.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 8, 16, 8)
        layout.addWidget(note, 0, Qt.AlignmentFlag.AlignTop)
        layout.addStretch(1)
        self.setGeometry(window.rect())


class _Covered:
    """What was changed on one window, to put back on unlock."""

    def __init__(self, window: QWidget) -> None:
        self.window = window
        self.title = window.windowTitle()
        self.hidden = [c for c in window.children()
                       if isinstance(c, QWidget) and not c.isWindow() and c.isVisible()]
        for child in self.hidden:
            child.hide()
        self.cover = Cover(window)
        self.cover.show()
        self.cover.raise_()
        window.setWindowTitle(QCoreApplication.translate("SessionLock", LOCKED_TITLE))

    def fit(self) -> None:
        self.cover.setGeometry(self.window.rect())

    def restore(self) -> None:
        if not shiboken6.isValid(self.window):
            return
        if shiboken6.isValid(self.cover):
            self.cover.hide()
            self.cover.deleteLater()
        for child in self.hidden:
            if shiboken6.isValid(child):
                child.show()
        self.window.setWindowTitle(self.title)


class LockDialog(QDialog):
    """Asks for the person again; cannot be closed without unlocking."""

    def __init__(self, lock: SessionLock, methods: list[str], who: Identity | None, why: str) -> None:
        """``why``: the reason the lock happened, as the reader is told it (translated)."""
        super().__init__(None)
        self.lock = lock
        self.setWindowTitle(self.tr("Workstation locked"))
        self.setWindowModality(Qt.WindowModality.ApplicationModal)
        self.setMinimumWidth(460)
        layout = QVBoxLayout(self)
        person = who.display() if who is not None else self.tr("nobody (not signed in)")
        self.headline = QLabel(self.tr("The workstation is locked ({0}). Signed in: {1}.").format(why, person))
        self.headline.setWordWrap(True)
        layout.addWidget(self.headline)
        self.sign_in_button: QPushButton | None = None
        self.password: QLineEdit | None = None
        self.unlock_button = QPushButton(self.tr("Unlock"))
        self.unlock_button.setAutoDefault(False)  # Enter in the field is one try, not two
        if METHOD_OIDC in methods and who is not None:
            self.sign_in_button = QPushButton(self.tr("Sign in again ({0})").format(who.profile))
            self.sign_in_button.setAutoDefault(False)
            self.sign_in_button.clicked.connect(lock.reauthenticate)
            layout.addWidget(self.sign_in_button)
        if METHOD_PASSWORD in methods:
            self.password = QLineEdit()
            self.password.setEchoMode(QLineEdit.EchoMode.Password)
            self.password.setPlaceholderText(self.tr("Local unlock password"))
            self.password.returnPressed.connect(self._password_entered)
            layout.addWidget(self.password)
        if METHOD_PASSWORD in methods or not methods:
            self.unlock_button.clicked.connect(self._password_entered)
            layout.addWidget(self.unlock_button)
        if not methods:
            layout.addWidget(QLabel(self.tr("No sign-in and no unlock password are set up (Settings), so "
                                            "anyone can unlock this workstation.")))
        self.message = QLabel("")
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #d04040;")
        layout.addWidget(self.message)
        focus = self.password or self.sign_in_button or self.unlock_button
        focus.setFocus()

    def _password_entered(self) -> None:
        self.lock.unlock_with_password(self.password.text() if self.password is not None else None)

    def reject(self) -> None:  # Escape does not unlock
        return

    def closeEvent(self, event: Any) -> None:  # noqa: N802 - the window's close button neither
        if self.lock.locked:
            event.ignore()
            return
        super().closeEvent(event)


class SessionLock(QObject):
    """The application's one lock: idle clock, covers, unlock dialog, sign-in and sign-out."""

    _instance: SessionLock | None = None

    @classmethod
    def instance(cls) -> SessionLock:
        if cls._instance is None or not shiboken6.isValid(cls._instance):
            app = QApplication.instance()
            assert app is not None
            cls._instance = SessionLock(app)
        return cls._instance

    def __init__(self, app: QObject) -> None:
        super().__init__(app)
        self.windows: list[weakref.ref[Any]] = []
        self.labels: list[QLabel] = []
        self.locked = False
        self.why = ""
        self.locked_for: Identity | None = None
        self.covered: list[_Covered] = []
        self.dialog: LockDialog | None = None
        self._focus: QWidget | None = None
        self._running: list[tasks.Task] = []
        self.clock = IdleClock(0)
        self.throttle = UnlockThrottle()
        self.lock_keys = QKeySequence(LOCK_KEY)
        self._ticks = 0
        app.installEventFilter(self)
        self.timer = QTimer(self)
        self.timer.timeout.connect(self._tick)
        self.timer.start(1000)

    # -- windows -----------------------------------------------------------------------------

    def settings(self) -> Settings:
        for ref in reversed(self.windows):
            window = ref()
            if window is not None and shiboken6.isValid(window):
                return window.settings
        return Settings()

    def attach(self, window: Any) -> None:
        """A reading window: its File menu actions and status-bar identity."""
        self.windows = [r for r in self.windows if r() is not None and shiboken6.isValid(r())]
        if not self.windows and self.locked:  # a previous set of windows left it locked
            self._restore_all()
        self.windows.append(weakref.ref(window))
        menu = window.file_menu
        before = menu.actions()[-1]  # Quit stays last
        window.sign_in_action = self._action(window, self.tr("Sign &in..."), None, self.sign_in)
        window.sign_out_action = self._action(window, self.tr("Sign &out"), None, self.sign_out)
        window.lock_action = self._action(window, self.tr("&Lock screen"), LOCK_KEY,
                                         lambda: self.lock("on demand", self.tr("on demand")))
        for action in (window.sign_in_action, window.sign_out_action, window.lock_action):
            menu.insertAction(before, action)
        menu.insertSeparator(before)
        label = QLabel("")
        label.setObjectName("signedInIdentity")
        window.statusBar().addPermanentWidget(label)
        window.identity_label = label
        self.labels.append(label)
        self.show_identity()
        self.clock = IdleClock(lock_after_s(self.settings()))

    @staticmethod
    def _action(window: Any, text: str, shortcut: str | None, slot: Any) -> QAction:
        action = QAction(text, window)
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(lambda _checked=False: slot())
        return action

    def show_identity(self) -> None:
        who = current_identity()
        text = self.tr("Signed in: {0}").format(who.display()) if who is not None else self.tr("Not signed in")
        self.labels = [lab for lab in self.labels if shiboken6.isValid(lab)]
        for label in self.labels:
            label.setText(text)
            label.setToolTip(self.tr("{0} at {1}").format(who.subject, who.issuer) if who is not None else "")

    def _say(self, message: str) -> None:
        for ref in self.windows:
            window = ref()
            if window is not None and shiboken6.isValid(window):
                window.show_error(message)

    # -- idle --------------------------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        kind = event.type()
        if kind in _INPUT_EVENTS:
            if not self.locked:
                self.clock.touch()
                if kind == QEvent.Type.KeyPress and isinstance(event, QKeyEvent) and (
                        QKeySequence(event.keyCombination()) == self.lock_keys):
                    self.lock("on demand", self.tr("on demand"))  # from any window, dialogs included
                    return True
        elif self.locked and kind == QEvent.Type.Show and watched.isWidgetType():
            widget = watched
            if isinstance(widget, QWidget) and widget.isWindow() and widget is not self.dialog:
                self._cover(widget)  # before its first paint: not one frame of it is seen
                QTimer.singleShot(0, self, self._raise_dialog)  # the prompt stays in front
        elif self.locked and kind == QEvent.Type.Resize:
            for done in self.covered:
                if done.window is watched:
                    done.fit()
        return False

    def _tick(self) -> None:
        self.windows = [r for r in self.windows if r() is not None and shiboken6.isValid(r())]
        self.clock.limit_s = lock_after_s(self.settings())
        self._ticks += 1
        if self._ticks % 5 == 0 and not self.locked and not self._running:
            self.show_identity()  # a 'workstation login' or 'logout' run meanwhile
        if not self.locked and self.windows and self.clock.due():
            self.lock("idle for " + _minutes(self.clock.limit_s),
                      self.tr("idle for {0} min").format(f"{self.clock.limit_s / 60:g}"))

    # -- locking -----------------------------------------------------------------------------

    def _cover(self, window: QWidget) -> None:
        if (not self.locked or not shiboken6.isValid(window) or not window.isVisible()
                or window is self.dialog or window.windowType() in _SKIPPED_WINDOWS
                or any(c.window is window for c in self.covered)):
            return
        self.covered.append(_Covered(window))

    def _raise_dialog(self) -> None:
        if self.dialog is not None and shiboken6.isValid(self.dialog) and self.locked:
            self.dialog.raise_()
            self.dialog.activateWindow()

    def lock(self, why: str, shown: str = "") -> None:
        """Cover every window and ask for the person again; ``why`` is recorded (English, in the
        audit log), ``shown`` is the same reason in the interface's language (``why`` if empty)."""
        if self.locked:
            return
        self.locked, self.why = True, why
        self.locked_for = current_identity()
        self._focus = QApplication.focusWidget()  # given back on unlock
        for _ in range(16):  # open menus and pop-ups close (nested ones one by one)
            popup = QApplication.activePopupWidget()
            if popup is None:
                break
            popup.close()
        QToolTip.hideText()
        for window in QApplication.topLevelWidgets():
            self._cover(window)
        settings = self.settings()
        self._record(AuditAction.SESSION_LOCKED, detail={"why": why})
        self.dialog = LockDialog(self, unlock_methods(settings, self.locked_for), self.locked_for, shown or why)
        self.dialog.show()
        self.dialog.raise_()
        self.dialog.activateWindow()

    def _record(self, action: AuditAction, *, outcome: str = "0", text: str = "",
                detail: dict[str, Any] | None = None, identity: Identity | None = None) -> None:
        try:
            audit_log_for(self.settings()).record(action, outcome=outcome, outcome_text=text,
                                                  detail=detail, identity=identity)
        except WorkstationError as exc:  # the lock itself never waits on the log
            self._say(str(exc))

    def _restore_all(self) -> None:
        for done in self.covered:
            done.restore()
        self.covered = []
        self.locked = False
        if self.dialog is not None and shiboken6.isValid(self.dialog):
            self.dialog.hide()
            self.dialog.deleteLater()
        self.dialog = None
        self.clock.touch()
        focus, self._focus = self._focus, None
        if focus is not None and shiboken6.isValid(focus) and focus.isVisible():
            focus.activateWindow()
            focus.setFocus()

    def _unlocked(self, method: str) -> None:
        self.throttle.succeeded()
        self._record(AuditAction.SESSION_UNLOCKED, detail={"method": method})
        self._restore_all()
        self.show_identity()

    def _failed(self, sentence: str, method: str, detail: dict[str, Any] | None = None,
                shown: str = "") -> None:
        """Record the failed unlock (``sentence``, English) and tell the reader (``shown``, or
        ``sentence`` translated when the catalogue holds it)."""
        self._record(AuditAction.SESSION_UNLOCKED, outcome=OUTCOME_MINOR_FAILURE, text=sentence,
                     detail={"method": method, **(detail or {})}, identity=self.locked_for)
        if self.dialog is not None and shiboken6.isValid(self.dialog):
            self.dialog.message.setText(shown or core_text(sentence))

    def unlock_with_password(self, password: str | None) -> None:
        if not self.locked:
            return
        methods = unlock_methods(self.settings(), self.locked_for)
        if not methods:
            self._unlocked("none set up")
            return
        if password is None or METHOD_PASSWORD not in methods:
            return
        wait = self.throttle.wait_s()
        if wait > 0:  # not even checked: guessing is slowed down (lock_policy.UnlockThrottle)
            if self.dialog is not None:
                self.dialog.message.setText(self.tr("Too many wrong passwords: wait {0:.0f} s and try again.").format(wait))
            return
        if unlock_password_matches(password):
            self._unlocked(METHOD_PASSWORD)
            return
        self.throttle.failed()
        if self.dialog is not None and self.dialog.password is not None:
            self.dialog.password.clear()
        self._failed(WRONG_PASSWORD, METHOD_PASSWORD)

    def reauthenticate(self) -> None:
        """OpenID Connect re-authentication in the browser, in the background."""
        who = self.locked_for
        if not self.locked or who is None:
            return
        from workstation.net.oidc import OtherPersonError, session_for

        profile = self.settings().sign_in_profile(who.profile)
        if profile is None:
            return
        session = session_for(profile)

        def work(_progress: Any, _cancel: Any) -> Identity | OtherPersonError:
            try:
                return session.login_browser(open_in_browser, reauthenticate=who,
                                             timeout_s=REAUTH_TIMEOUT_S)
            except OtherPersonError as exc:  # nothing of theirs was kept (net.oidc)
                return exc

        def done(result: Identity | OtherPersonError) -> None:
            if isinstance(result, OtherPersonError) or not same_person(result, who):
                other = result.identity if isinstance(result, OtherPersonError) else result
                self._failed(f"{other.display()} signed in, but this session is locked for "
                             f"{who.display()}; only they can unlock it.", METHOD_OIDC,
                             {"signed_in_as": other.user_id},
                             self.tr("{0} signed in, but this session is locked for {1}; only they can "
                                     "unlock it.").format(other.display(), who.display()))
                return
            if self.locked:
                self._unlocked(METHOD_OIDC)

        button = self.dialog.sign_in_button if self.dialog is not None else None
        if self.dialog is not None and button is not None:
            self.dialog.message.setText(self.tr("Sign in in the browser window that opened (or type the "
                                                "unlock password if you have one and are offline)..."))
            button.setEnabled(False)  # one browser sign-in at a time

        def again() -> None:
            if button is not None and shiboken6.isValid(button):
                button.setEnabled(True)

        def finished(result: Identity | OtherPersonError) -> None:
            again()
            done(result)

        def failed(sentence: str) -> None:
            again()
            self._failed(sentence, METHOD_OIDC)

        self._start(work, finished, failed)

    def _start(self, fn: Any, done: Any, failed: Any) -> None:
        task = tasks.Task(fn)
        self._running.append(task)

        def finished(result: Any) -> None:
            self._forget(task)
            done(result)

        def broke(sentence: str) -> None:
            self._forget(task)
            failed(sentence)

        task.signals.finished.connect(finished)
        task.signals.failed.connect(broke)
        tasks.start(task)

    def _forget(self, task: tasks.Task) -> None:
        if task in self._running:
            self._running.remove(task)

    # -- signing in and out --------------------------------------------------------------------

    def sign_in(self) -> None:
        """File > Sign in...: the browser flow in the background (RFC 8252)."""
        from workstation.net.oidc import session_for

        settings = self.settings()
        profile = settings.sign_in_profile()
        if profile is None:
            self._say(self.tr("No sign-in profile is set up: give your identity provider once with "
                              "'workstation login --issuer URL --client-id ID'."))
            return
        session = session_for(profile)

        def work(_progress: Any, _cancel: Any) -> Identity:
            return session.login_browser(open_in_browser)

        def done(identity: Identity) -> None:
            self._record(AuditAction.SIGNED_IN, identity=identity,
                         detail={"provider": profile.issuer, "flow": "browser"})
            self.show_identity()

        def failed(sentence: str) -> None:
            self._record(AuditAction.SIGNED_IN, outcome=OUTCOME_SERIOUS_FAILURE, text=sentence,
                         detail={"provider": profile.issuer})
            self._say(sentence)

        for label in self.labels:
            label.setText(self.tr("Signing in in the browser..."))
        self._start(work, done, failed)

    def sign_out(self) -> None:
        """File > Sign out: the tokens revoked at the provider (RFC 7009) and forgotten."""
        from workstation.net.oidc import session_for

        who = current_identity()
        if who is None:
            self._say(self.tr("Nobody is signed in."))
            return
        profile = next((p for p in self.settings().sign_in if p.name == who.profile), None)
        if profile is None:
            self._say(self.tr("The sign-in profile '{0}' is no longer in the settings; sign out "
                              "with 'workstation logout'.").format(who.profile))
            return
        session = session_for(profile)

        def done(revoked: bool) -> None:
            self._record(AuditAction.SIGNED_OUT, identity=who, outcome="0" if revoked else OUTCOME_MINOR_FAILURE,
                         text="" if revoked else "the provider could not confirm the revocation")
            self.show_identity()
            if not revoked:
                self._say(self.tr("Signed out here, but the provider could not be told: the sign-in ends "
                                  "when it expires."))

        self._start(lambda _p, _c: session.logout(), done, self._say)


def _minutes(seconds: float) -> str:
    minutes = seconds / 60
    return f"{minutes:g} minute" + ("" if minutes == 1 else "s")


def install_session_lock(window: Any) -> SessionLock:
    """Give ``window`` the lock, sign-in and sign-out actions and the identity in its status bar."""
    lock = SessionLock.instance()
    lock.attach(window)
    return lock
