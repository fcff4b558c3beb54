"""The settings dialog's "Session lock" tab: the idle time and the local unlock password.

The idle time is ``Settings.lock_after_min`` (0: only on demand). The unlock password is typed
twice and only its salted scrypt hash is kept, in the OS keyring (:mod:`workstation.lock_policy`),
when the dialog is saved; the field stays empty on opening (the password is never shown).
"""

from __future__ import annotations

from PySide6.QtWidgets import QDoubleSpinBox, QFormLayout, QLabel, QLineEdit, QWidget

from workstation.errors import SettingsError
from workstation.lock_policy import MIN_PASSWORD_LENGTH, has_unlock_password, set_unlock_password
from workstation.settings import Settings


class SessionLockTab(QWidget):
    """Idle minutes and a new unlock password (typed twice)."""

    def __init__(self, settings: Settings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.lock_after = QDoubleSpinBox()
        self.lock_after.setRange(0, 24 * 60)
        self.lock_after.setDecimals(1)
        self.lock_after.setSuffix(self.tr(" min"))
        self.lock_after.setSpecialValueText(self.tr("never (only Ctrl+Alt+L)"))
        self.lock_after.setValue(float(settings.lock_after_min))
        held = (self.tr("a password is set; type a new one to replace it") if has_unlock_password()
                else self.tr("none set"))
        self.password = QLineEdit(placeholderText=held)
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.again = QLineEdit(placeholderText=self.tr("the same again"))
        self.again.setEchoMode(QLineEdit.EchoMode.Password)
        form = QFormLayout(self)
        form.addRow(self.tr("Lock after idle"), self.lock_after)
        form.addRow(self.tr("Unlock password"), self.password)
        form.addRow(self.tr("Confirm"), self.again)
        note = QLabel(self.tr("For unlocking without the identity provider (offline); at least "
                              "{0} characters. Kept only as a salted hash in the "
                              "system keyring.").format(MIN_PASSWORD_LENGTH))
        note.setWordWrap(True)
        form.addRow("", note)

    def minutes(self) -> float:
        return float(self.lock_after.value())

    def check(self) -> None:
        """Raises :class:`SettingsError` (one sentence) when the two passwords differ or are short."""
        new, again = self.password.text(), self.again.text()
        if not new and not again:
            return
        if new != again:
            raise SettingsError(self.tr("The two unlock passwords differ; type the same one twice."))
        if len(new) < MIN_PASSWORD_LENGTH:
            raise SettingsError(self.tr("The unlock password must have at least {0} characters.").format(MIN_PASSWORD_LENGTH))

    def save_password(self) -> None:
        if self.password.text():
            set_unlock_password(self.password.text())
            self.password.clear()
            self.again.clear()
