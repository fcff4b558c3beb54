"""The settings dialog: archive profiles (DICOMweb, PS3.18) and the local library.

A profile has a name, the DICOMweb root URL, how to log in (none, user name and password, or a
bearer token), an optional CA bundle and whether to verify TLS certificates. The password or
token goes to the system keyring through :func:`workstation.net.auth.store_secret`, never into
the settings file. "Test connection" runs :meth:`DicomWebClient.check_connection` in the
background and shows its sentence.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from workstation.errors import WorkstationError
from workstation.settings import ArchiveProfile, Settings, save_settings
from workstation.ui import tasks

AUTH_CHOICES = (("none", "No login"), ("basic", "User name and password"), ("bearer", "Access token (bearer)"))


class SettingsDialog(QDialog):
    """Edit and save the settings; ``saved`` carries the new :class:`Settings` after OK."""

    saved = Signal(object)

    def __init__(self, settings: Settings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Settings")
        self.settings = settings
        self.profiles: list[ArchiveProfile] = [replace(p) for p in settings.archives]
        self.secrets: dict[int, str] = {}  # new secrets typed in, by profile row, saved on OK
        self._row = -1
        self._task: tasks.Task | None = None

        self.list = QListWidget()
        self.list.setMaximumWidth(180)
        add = QPushButton("Add archive")
        remove = QPushButton("Remove")
        add.clicked.connect(self.add_profile)
        remove.clicked.connect(self.remove_profile)

        self.name = QLineEdit()
        self.url = QLineEdit(placeholderText="https://pacs.example.org/dicom-web")
        self.auth = QComboBox()
        for key, label in AUTH_CHOICES:
            self.auth.addItem(label, key)
        self.username = QLineEdit()
        self.secret = QLineEdit(placeholderText="leave empty to keep the saved one")
        self.secret.setEchoMode(QLineEdit.EchoMode.Password)
        self.ca_bundle = QLineEdit(placeholderText="system certificates")
        browse = QPushButton("Browse...")
        browse.clicked.connect(self._browse_ca)
        ca_row = QHBoxLayout()
        ca_row.addWidget(self.ca_bundle, 1)
        ca_row.addWidget(browse)
        self.verify_tls = QCheckBox("Verify the server's TLS certificate")
        self.test_button = QPushButton("Test connection")
        self.test_button.clicked.connect(self.test_connection)
        self.test_result = QLabel("")
        self.test_result.setWordWrap(True)
        self.default = QCheckBox("Default archive")

        form = QFormLayout()
        form.addRow("Name", self.name)
        form.addRow("DICOMweb URL", self.url)
        form.addRow("Login", self.auth)
        form.addRow("User name", self.username)
        form.addRow("Password / token", self.secret)
        form.addRow("CA bundle", ca_row)
        form.addRow("", self.verify_tls)
        form.addRow("", self.default)
        form.addRow(self.test_button, self.test_result)
        self.editor = QWidget()
        self.editor.setLayout(form)

        self.library_limit = QDoubleSpinBox()
        self.library_limit.setRange(0.0, 100000.0)
        self.library_limit.setSuffix(" GB (0: no limit)")
        self.library_limit.setValue(settings.library_max_gb)

        self.error = QLabel("")
        self.error.setStyleSheet("color: #c03030;")
        self.error.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)

        left = QVBoxLayout()
        left.addWidget(QLabel("Archives"))
        left.addWidget(self.list, 1)
        left.addWidget(add)
        left.addWidget(remove)
        top = QHBoxLayout()
        top.addLayout(left)
        top.addWidget(self.editor, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        library_form = QFormLayout()
        library_form.addRow("Local library size limit", self.library_limit)
        layout.addLayout(library_form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)

        for profile in self.profiles:
            self.list.addItem(profile.name)
        self.list.currentRowChanged.connect(self._select)
        self.auth.currentIndexChanged.connect(self._auth_changed)
        self.name.textEdited.connect(lambda text: self.list.currentItem().setText(text) if self.list.currentItem() else None)
        if self.profiles:
            self.list.setCurrentRow(0)
        self.editor.setEnabled(bool(self.profiles))
        self.resize(720, 420)

    # -- editing ------------------------------------------------------------------------------

    def add_profile(self) -> None:
        self._store_row()
        name = "Archive" if not self.profiles else f"Archive {len(self.profiles) + 1}"
        self.profiles.append(ArchiveProfile(name=name, url="https://"))
        self.list.addItem(name)
        self.editor.setEnabled(True)
        self.list.setCurrentRow(len(self.profiles) - 1)

    def remove_profile(self) -> None:
        row = self.list.currentRow()
        if row < 0:
            return
        self._row = -1
        del self.profiles[row]
        self.secrets = {r - (r > row): s for r, s in self.secrets.items() if r != row}
        self.list.takeItem(row)
        self.editor.setEnabled(bool(self.profiles))

    def _select(self, row: int) -> None:
        self._store_row()
        self._row = row
        if not 0 <= row < len(self.profiles):
            return
        p = self.profiles[row]
        self.name.setText(p.name)
        self.url.setText(p.url)
        self.auth.setCurrentIndex([k for k, _ in AUTH_CHOICES].index(p.auth))
        self.username.setText(p.username)
        self.secret.setText(self.secrets.get(row, ""))
        self.ca_bundle.setText(p.ca_bundle)
        self.verify_tls.setChecked(p.verify_tls)
        self.default.setChecked(p.name == self.settings.default_archive)
        self.test_result.setText("")
        self._auth_changed()

    def _auth_changed(self) -> None:
        auth = self.auth.currentData()
        self.username.setEnabled(auth == "basic")
        self.secret.setEnabled(auth != "none")

    def _browse_ca(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "CA bundle", "", "PEM certificates (*.pem *.crt);;All files (*)")
        if path:
            self.ca_bundle.setText(path)

    def _form_profile(self) -> ArchiveProfile:
        """The profile as the form shows it; raises SettingsError with a sentence if invalid."""
        base = self.profiles[self._row] if 0 <= self._row < len(self.profiles) else ArchiveProfile("Archive", "https://x")
        return replace(
            base, name=self.name.text().strip(), url=self.url.text().strip(), auth=str(self.auth.currentData()),
            username=self.username.text().strip(), ca_bundle=self.ca_bundle.text().strip(),
            verify_tls=self.verify_tls.isChecked(),
        )

    def _store_row(self) -> None:
        if not 0 <= self._row < len(self.profiles):
            return
        try:
            self.profiles[self._row] = self._form_profile()
        except WorkstationError as exc:
            self.error.setText(str(exc))
        if self.secret.text():
            self.secrets[self._row] = self.secret.text()
        if self.default.isChecked():
            self._default_name = self.profiles[self._row].name

    # -- testing and saving --------------------------------------------------------------------

    def test_connection(self) -> None:
        """Check the profile in the form in the background (nothing is saved)."""
        try:
            profile = self._form_profile()
        except WorkstationError as exc:
            self.test_result.setText(str(exc))
            return
        secret = self.secret.text()
        self.test_button.setEnabled(False)
        self.test_result.setText("Testing...")

        def work(_progress: Any, _cancel: Any) -> str:
            from workstation.net.dicomweb import DicomWebClient

            if secret:
                from workstation.net import auth

                auth.store_secret(profile, secret)
            with DicomWebClient(profile) as client:
                return client.check_connection().message

        task = tasks.Task(work)
        task.signals.finished.connect(self._tested)
        task.signals.failed.connect(self._tested)
        self._task = tasks.start(task)

    def _tested(self, sentence: str) -> None:
        self.test_button.setEnabled(True)
        self.test_result.setText(sentence)

    def build_settings(self) -> Settings:
        """The settings as edited; raises SettingsError (one sentence) when something is wrong."""
        self._store_row()
        if 0 <= self._row < len(self.profiles):
            self.profiles[self._row] = self._form_profile()
        names = [p.name for p in self.profiles]
        if any(not n for n in names) or len(set(names)) != len(names):
            from workstation.errors import SettingsError

            raise SettingsError("Every archive needs a name of its own; rename the empty or repeated one.")
        default = getattr(self, "_default_name", self.settings.default_archive)
        if default not in names:
            default = names[0] if names else ""
        return replace(self.settings, archives=list(self.profiles), default_archive=default,
                       library_max_gb=float(self.library_limit.value()))

    def accept(self) -> None:
        try:
            settings = self.build_settings()
            from workstation.net.auth import store_secret

            for row, secret in self.secrets.items():
                if secret and 0 <= row < len(self.profiles):
                    store_secret(self.profiles[row], secret)
            save_settings(settings)
        except WorkstationError as exc:
            self.error.setText(str(exc))
            return
        self.settings = settings
        self.saved.emit(settings)
        super().accept()
