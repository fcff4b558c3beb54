"""The settings dialog: archive profiles (DICOMweb, PS3.18), the local library, the RIS, the
practice's letterhead and the authorities trusted for report signatures.

A profile has a name, the DICOMweb root URL, how to log in (none, user name and password, or a
bearer token), an optional CA bundle and whether to verify TLS certificates. The password or
token goes to the system keyring through :func:`workstation.net.auth.store_secret`, never into
the settings file. "Test connection" runs :meth:`DicomWebClient.check_connection` in the
background and shows its sentence.

The Appearance tab chooses the theme (dark by default, :mod:`workstation.ui.theme`). The Signing
tab lists the CA certificate files (PEM or DER) that signed reports must chain to
(``Settings.signing.trust_roots``; PAdES validation as in :mod:`workstation.report.signing`), the
time-stamping authority and the radiologist's names and RPPS number (``Settings.signing``).

Under the library limit: the retention limit for home machines (``Settings.retention_days``,
``workstation.retention``), the opt-out of encryption at rest for a disk already fully encrypted
(``Settings.disk_encrypted``, ``workstation.crypt``), and "Remove all patient data from this
machine" (``workstation.forget``), which asks once and then lets the main window do it.
"""

from __future__ import annotations

from dataclasses import asdict, replace
from typing import Any

from PySide6.QtCore import QCoreApplication, Qt, Signal
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
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from workstation.errors import SettingsError, WorkstationError
from workstation.settings import (
    AppearanceSettings,
    ArchiveProfile,
    LetterheadSettings,
    RisProfile,
    Settings,
    save_settings,
)
from workstation.ui import tasks
from workstation.ui.i18n import QT_TRANSLATE_NOOP
from workstation.ui.settings_store import on_disk

LETTERHEAD_FIELDS = ("practice_name", "address_lines", "phone", "email", "department")


def check_fhir_connection(profile: RisProfile) -> str:
    """One sentence on the RIS's FHIR endpoint, from ``GET [base]/metadata`` (its
    CapabilityStatement, FHIR R4 capabilitystatement.html); raises a WorkstationError."""
    from workstation.report.delivery.fhir import FhirClient

    client = FhirClient(profile)
    try:
        response = client.request("GET", "metadata", what="connection test")
    finally:
        client.close()
    try:
        statement = response.json()
    except ValueError:
        statement = None
    if not isinstance(statement, dict) or "resourceType" not in statement:
        return (QCoreApplication.translate("settings_dialog", "The server at {0} answered, but not in FHIR; check the FHIR base URL.").format(client.host))
    if statement.get("resourceType") != "CapabilityStatement":
        return (QCoreApplication.translate("settings_dialog", "The RIS at {0} answers in FHIR but sent no CapabilityStatement, so its FHIR version is unknown.").format(client.host))
    version = str(statement.get("fhirVersion", "")) or "unknown"
    software = str((statement.get("software") or {}).get("name", "")).strip()
    made_by = f" ({software})" if software else ""
    if not version.startswith("4.0"):
        return (QCoreApplication.translate("settings_dialog", "The RIS at {0}{1} speaks FHIR {2}, not R4 (4.0.x); reports may be refused.").format(client.host, made_by, version))
    return QCoreApplication.translate("settings_dialog", "The RIS at {0}{1} answers: FHIR {2}.").format(client.host, made_by, version)

AUTH_CHOICES = (("none", QT_TRANSLATE_NOOP("SettingsDialog", "No login")),
                ("basic", QT_TRANSLATE_NOOP("SettingsDialog", "User name and password")),
                ("bearer", QT_TRANSLATE_NOOP("SettingsDialog", "Access token (bearer)")),
                ("oidc", QT_TRANSLATE_NOOP("SettingsDialog", "Single sign-on (workstation login)")))


class SettingsDialog(QDialog):
    """Edit and save the settings; ``saved`` carries the new :class:`Settings` after OK."""

    saved = Signal(object)
    #: "Remove all patient data from this machine" was confirmed (the window owning the library
    #: closes it and calls ``workstation.forget.forget_all``).
    forget_all_requested = Signal()

    def __init__(self, settings: Settings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Settings"))
        self.settings = settings
        self.profiles: list[ArchiveProfile] = [replace(p) for p in settings.archives]
        self.secrets: dict[int, str] = {}  # new secrets typed in, by profile row, saved on OK
        self._row = -1
        self._task: tasks.Task | None = None

        self.list = QListWidget()
        self.list.setMaximumWidth(180)
        add = QPushButton(self.tr("Add archive"))
        remove = QPushButton(self.tr("Remove"))
        add.clicked.connect(self.add_profile)
        remove.clicked.connect(self.remove_profile)

        self.name = QLineEdit()
        self.url = QLineEdit(placeholderText=self.tr("https://pacs.example.org/dicom-web"))
        self.auth = QComboBox()
        for key, label in AUTH_CHOICES:
            self.auth.addItem(self.tr(label), key)
        self.username = QLineEdit()
        self.secret = QLineEdit(placeholderText=self.tr("leave empty to keep the saved one"))
        self.secret.setEchoMode(QLineEdit.EchoMode.Password)
        self.ca_bundle = QLineEdit(placeholderText=self.tr("system certificates"))
        browse = QPushButton(self.tr("Browse..."))
        browse.clicked.connect(self._browse_ca)
        ca_row = QHBoxLayout()
        ca_row.addWidget(self.ca_bundle, 1)
        ca_row.addWidget(browse)
        self.verify_tls = QCheckBox(self.tr("Verify the server's TLS certificate"))
        self.allow_http = QCheckBox(self.tr("Allow the password over plain http:// (unencrypted: anyone "
                                    "on the network can read it)"))
        self.test_button = QPushButton(self.tr("Test connection"))
        self.test_button.clicked.connect(self.test_connection)
        self.test_result = QLabel("")
        self.test_result.setWordWrap(True)
        self.default = QCheckBox(self.tr("Default archive"))

        form = QFormLayout()
        form.addRow(self.tr("Name"), self.name)
        form.addRow(self.tr("DICOMweb URL"), self.url)
        form.addRow(self.tr("Login"), self.auth)
        form.addRow(self.tr("User name"), self.username)
        form.addRow(self.tr("Password / token"), self.secret)
        form.addRow(self.tr("CA bundle"), ca_row)
        form.addRow("", self.verify_tls)
        form.addRow("", self.allow_http)
        form.addRow("", self.default)
        form.addRow(self.test_button, self.test_result)
        self.editor = QWidget()
        self.editor.setLayout(form)

        self.library_limit = QDoubleSpinBox()
        self.library_limit.setRange(0.0, 100000.0)
        self.library_limit.setSuffix(self.tr(" GB (0: no limit)"))
        self.library_limit.setValue(settings.library_max_gb)
        self.retention_days = QSpinBox()
        self.retention_days.setRange(0, 36500)
        self.retention_days.setSuffix(self.tr(" days not opened (0: keep)"))
        self.retention_days.setValue(settings.retention_days)
        self.disk_encrypted = QCheckBox(self.tr("This disk is already encrypted (full-disk encryption): "
                                                "store patient data without the workstation's encryption"))
        self.disk_encrypted.setChecked(settings.disk_encrypted)
        self.forget_button = QPushButton(self.tr("Remove all patient data from this machine..."))
        self.forget_button.clicked.connect(self.confirm_forget_all)

        self.error = QLabel("")
        self.error.setStyleSheet("color: #c03030;")
        self.error.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)

        left = QVBoxLayout()
        left.addWidget(QLabel(self.tr("Archives")))
        left.addWidget(self.list, 1)
        left.addWidget(add)
        left.addWidget(remove)
        top = QHBoxLayout()
        top.addLayout(left)
        top.addWidget(self.editor, 1)
        archives_tab = QWidget()
        archives_layout = QVBoxLayout(archives_tab)
        archives_layout.addLayout(top)
        library_form = QFormLayout()
        library_form.addRow(self.tr("Local library size limit"), self.library_limit)
        library_form.addRow(self.tr("Remove studies after"), self.retention_days)
        library_form.addRow("", self.disk_encrypted)
        library_form.addRow("", self.forget_button)
        archives_layout.addLayout(library_form)
        self.tabs = QTabWidget()
        self.tabs.addTab(archives_tab, self.tr("Archives"))
        self.tabs.addTab(self._ris_tab(), self.tr("RIS"))
        self.tabs.addTab(self._letterhead_tab(), self.tr("Letterhead"))
        self.tabs.addTab(self._appearance_tab(), self.tr("Appearance"))
        self.tabs.addTab(self._signing_tab(), self.tr("Signing"))
        from workstation.ui.session_lock_settings import SessionLockTab

        self.lock_tab = SessionLockTab(settings)
        self.tabs.insertTab(self.tabs.count() - 1, self.lock_tab, self.tr("Session lock"))  # Signing stays last
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs)
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

    # -- appearance --------------------------------------------------------------------------------
    def _appearance_tab(self) -> QWidget:
        """The colours of the application (:mod:`workstation.ui.theme`): dark by default."""
        from workstation.ui.theme import THEMES, current_theme

        self.theme = QComboBox()
        for key, label in THEMES:
            self.theme.addItem(label, key)
        self.theme.setCurrentIndex(max(0, self.theme.findData(current_theme())))
        tab = QWidget()
        form = QFormLayout(tab)
        form.addRow(self.tr("Theme"), self.theme)
        note = QLabel(self.tr("The dark theme keeps the frame around the images dark, as reading rooms are."))
        note.setWordWrap(True)
        form.addRow("", note)
        from workstation.ui.i18n import LANGUAGE_CHOICES, chosen_language

        self.language = QComboBox()
        self.language.addItem(self.tr("System language"), "")
        for key, label in LANGUAGE_CHOICES[1:]:
            self.language.addItem(label, key)
        self.language.setCurrentIndex(max(0, self.language.findData(chosen_language())))
        form.addRow(self.tr("Language"), self.language)
        language_note = QLabel(self.tr("A new language applies when the workstation starts again."))
        language_note.setWordWrap(True)
        form.addRow("", language_note)
        return tab

    # -- RIS and letterhead ---------------------------------------------------------------------

    def _ris_tab(self) -> QWidget:
        ris = self.settings.ris
        self._ris_saved: dict[str, Any] = asdict(ris) if ris is not None else {}
        self.ris_name = QLineEdit(str(self._ris_saved.get("name", "RIS")))
        self.ris_fhir_url = QLineEdit(str(self._ris_saved.get("fhir_url", "")),
                                      placeholderText=self.tr("https://ris.example.org/fhir/R4 (empty: no FHIR)"))
        self.ris_auth = QComboBox()
        for key, label in AUTH_CHOICES:
            self.ris_auth.addItem(self.tr(label), key)
        auth = str(self._ris_saved.get("auth", "none"))
        keys = [k for k, _ in AUTH_CHOICES]
        self.ris_auth.setCurrentIndex(keys.index(auth) if auth in keys else 0)
        self.ris_username = QLineEdit(str(self._ris_saved.get("username", "")))
        self.ris_secret = QLineEdit(placeholderText=self.tr("leave empty to keep the saved one"))
        self.ris_secret.setEchoMode(QLineEdit.EchoMode.Password)
        self.ris_mllp_host = QLineEdit(str(self._ris_saved.get("mllp_host", "")),
                                       placeholderText=self.tr("optional: HL7 v2 host for ORU^R01"))
        self.ris_mllp_port = QSpinBox()
        self.ris_mllp_port.setRange(0, 65535)
        self.ris_mllp_port.setSpecialValueText(self.tr("none"))
        self.ris_mllp_port.setValue(int(self._ris_saved.get("mllp_port", 0) or 0))
        self.ris_test_button = QPushButton(self.tr("Test connection"))
        self.ris_test_button.clicked.connect(self.test_ris_connection)
        self.ris_test_result = QLabel("")
        self.ris_test_result.setWordWrap(True)
        self.ris_auth.currentIndexChanged.connect(self._ris_auth_changed)
        self._ris_auth_changed()
        form = QFormLayout()
        form.addRow(self.tr("Name"), self.ris_name)
        form.addRow(self.tr("FHIR R4 base URL"), self.ris_fhir_url)
        form.addRow(self.tr("Login"), self.ris_auth)
        form.addRow(self.tr("User name"), self.ris_username)
        form.addRow(self.tr("Password / token"), self.ris_secret)
        form.addRow(self.tr("HL7 v2 MLLP host"), self.ris_mllp_host)
        form.addRow(self.tr("HL7 v2 MLLP port"), self.ris_mllp_port)
        form.addRow(self.ris_test_button, self.ris_test_result)
        tab = QWidget()
        tab.setLayout(form)
        return tab

    def _ris_auth_changed(self) -> None:
        auth = self.ris_auth.currentData()
        self.ris_username.setEnabled(auth == "basic")
        self.ris_secret.setEnabled(auth not in ("none", "oidc"))  # sign-on: no secret here

    def ris_json(self) -> dict[str, Any] | None:
        """The RIS (``Settings.ris``) as the form shows it (entries the form does not show, such as the
        identifier systems, are kept); ``None`` when neither FHIR nor MLLP is set. Raises
        SettingsError (one sentence) when it is invalid."""
        data = dict(self._ris_saved)
        data.update(
            name=self.ris_name.text().strip() or "RIS",
            fhir_url=self.ris_fhir_url.text().strip(),
            auth=str(self.ris_auth.currentData()),
            username=self.ris_username.text().strip() if self.ris_auth.currentData() == "basic" else "",
            mllp_host=self.ris_mllp_host.text().strip(),
            mllp_port=int(self.ris_mllp_port.value()),
        )
        if not data["fhir_url"] and not data["mllp_host"]:
            return None
        if data["mllp_host"] and not data["mllp_port"]:
            raise SettingsError(self.tr("The RIS has an HL7 v2 MLLP host but no port: enter the port "
                                "(often 2575) or clear the host."))
        RisProfile.from_json(data)  # validates
        return data

    def test_ris_connection(self) -> None:
        """Ask the RIS for its CapabilityStatement in the background (nothing else is saved)."""
        try:
            data = self.ris_json()
            if data is None or not data["fhir_url"]:
                raise SettingsError(self.tr("Enter the RIS's FHIR base URL to test the connection."))
            profile = RisProfile.from_json(data)
        except WorkstationError as exc:
            self.ris_test_result.setText(str(exc))
            return
        secret = self.ris_secret.text()
        self.ris_test_button.setEnabled(False)
        self.ris_test_result.setText(self.tr("Testing..."))

        def work(_progress: Any, _cancel: Any) -> str:
            if secret:
                from workstation.net import auth

                auth.store_secret(profile.as_archive_profile(), secret)
            return check_fhir_connection(profile)

        task = tasks.Task(work)
        task.signals.finished.connect(self._ris_tested)
        task.signals.failed.connect(self._ris_tested)
        self._ris_task = tasks.start(task)

    def _ris_tested(self, sentence: str) -> None:
        self.ris_test_button.setEnabled(True)
        self.ris_test_result.setText(sentence)

    def _letterhead_tab(self) -> QWidget:
        self._letterhead_saved: dict[str, Any] = asdict(self.settings.letterhead)
        lines = self._letterhead_saved.get("address_lines") or []
        self.lh_practice = QLineEdit(str(self._letterhead_saved.get("practice_name", "")))
        self.lh_address = QPlainTextEdit("\n".join(str(x) for x in lines) if isinstance(lines, list) else "")
        self.lh_address.setPlaceholderText(self.tr("one line per address line"))
        self.lh_address.setMaximumHeight(90)
        self.lh_phone = QLineEdit(str(self._letterhead_saved.get("phone", "")))
        self.lh_email = QLineEdit(str(self._letterhead_saved.get("email", "")))
        self.lh_department = QLineEdit(str(self._letterhead_saved.get("department", "")))
        form = QFormLayout()
        form.addRow(self.tr("Practice name"), self.lh_practice)
        form.addRow(self.tr("Address"), self.lh_address)
        form.addRow(self.tr("Phone"), self.lh_phone)
        form.addRow(self.tr("E-mail"), self.lh_email)
        form.addRow(self.tr("Department"), self.lh_department)
        tab = QWidget()
        tab.setLayout(form)
        return tab

    def letterhead_json(self) -> dict[str, Any] | None:
        """The letterhead (``Settings.letterhead``) as the form shows it; ``None`` when all is empty."""
        data = dict(self._letterhead_saved)
        data.update(
            practice_name=self.lh_practice.text().strip(),
            address_lines=[line.strip() for line in self.lh_address.toPlainText().splitlines() if line.strip()],
            phone=self.lh_phone.text().strip(),
            email=self.lh_email.text().strip(),
            department=self.lh_department.text().strip(),
        )
        return data if any(data.get(k) for k in LETTERHEAD_FIELDS) else None

    # -- signing: trusted authorities ----------------------------------------------------------

    def _signing_tab(self) -> QWidget:
        self.trust_list = QListWidget()
        for path in self.settings.signing.trust_roots:
            self._add_trust_item(path, self._describe_trust_file(path))
        add = QPushButton(self.tr("Add CA certificate..."))
        remove = QPushButton(self.tr("Remove"))
        add.clicked.connect(lambda: self.add_trust_root())
        remove.clicked.connect(self.remove_trust_root)
        buttons = QHBoxLayout()
        buttons.addWidget(add)
        buttons.addWidget(remove)
        buttons.addStretch(1)
        note = QLabel(self.tr("A signed report is checked right after signing: the signer's certificate must be "
                      "issued by one of these authorities (certificate files, PEM or DER). With none, "
                      "only the certificates that came with the key file or smart card are used."))
        note.setWordWrap(True)
        sig = self.settings.signing
        self.tsa_url = QLineEdit(sig.tsa_url, placeholderText=self.tr("https://tsa.example.org/tsp (RFC 3161)"))
        self.signer_family = QLineEdit(sig.family_name, placeholderText=self.tr("when the certificate has none"))
        self.signer_given = QLineEdit(sig.given_name, placeholderText=self.tr("when the certificate has none"))
        self.professional_id = QLineEdit(sig.professional_id, placeholderText=self.tr("RPPS number"))
        identity = QFormLayout()
        identity.addRow(self.tr("Time-stamping authority"), self.tsa_url)
        identity.addRow(self.tr("Family name"), self.signer_family)
        identity.addRow(self.tr("Given name"), self.signer_given)
        identity.addRow(self.tr("RPPS number"), self.professional_id)
        tab = QWidget()
        layout = QVBoxLayout(tab)
        layout.addWidget(QLabel(self.tr("Trusted certificate authorities")))
        layout.addWidget(self.trust_list, 1)
        layout.addLayout(buttons)
        layout.addWidget(note)
        layout.addLayout(identity)
        return tab

    @staticmethod
    def _describe_trust_file(path: str) -> str:
        from workstation.report.signing import describe_certificate, load_certificate_file

        try:
            return "; ".join(describe_certificate(c) for c in load_certificate_file(path))
        except WorkstationError:
            return QCoreApplication.translate("SettingsDialog", "cannot be read")

    def _add_trust_item(self, path: str, description: str) -> None:
        self.trust_list.addItem(f"{description}\n{path}")
        item = self.trust_list.item(self.trust_list.count() - 1)
        item.setData(Qt.ItemDataRole.UserRole, path)
        item.setToolTip(path)

    def trust_root_paths(self) -> list[str]:
        """The CA certificate files in the list, in order."""
        return [str(self.trust_list.item(i).data(Qt.ItemDataRole.UserRole)) for i in range(self.trust_list.count())]

    def add_trust_root(self, path: str | None = None) -> bool:
        """Add a CA certificate file (asked with a file dialog when ``path`` is ``None``); a file
        that holds no certificate, or only a signer's (not a CA's), is refused with a sentence."""
        from workstation.report.signing import describe_certificate, load_certificate_file

        if path is None:
            path, _ = QFileDialog.getOpenFileName(self, self.tr("Trusted CA certificate"), "",
                                                  self.tr("Certificates (*.pem *.crt *.cer *.der);;All files (*)"))
            if not path:
                return False
        if path in self.trust_root_paths():
            self.error.setText(self.tr("{0} is already trusted.").format(path))
            return False
        try:
            certs = load_certificate_file(path)
        except WorkstationError as exc:
            self.error.setText(str(exc))
            return False
        if not any(c.ca or c.self_signed in ("yes", "maybe") for c in certs):
            self.error.setText(self.tr("{0} holds a signer's certificate, not an authority's; add the certificate of the CA that issued it.").format(path))
            return False
        self.error.setText("")
        self._add_trust_item(path, "; ".join(describe_certificate(c) for c in certs))
        self.trust_list.setCurrentRow(self.trust_list.count() - 1)
        return True

    def remove_trust_root(self) -> None:
        row = self.trust_list.currentRow()
        if row >= 0:
            self.trust_list.takeItem(row)

    # -- editing ------------------------------------------------------------------------------

    def add_profile(self) -> None:
        self._store_row()
        name = self.tr("Archive") if not self.profiles else self.tr("Archive {0}").format(len(self.profiles) + 1)
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
        self.allow_http.setChecked(p.allow_insecure_http)
        self.default.setChecked(p.name == self.settings.default_archive)
        self.test_result.setText("")
        self._auth_changed()

    def _auth_changed(self) -> None:
        auth = self.auth.currentData()
        self.username.setEnabled(auth == "basic")
        self.secret.setEnabled(auth not in ("none", "oidc"))  # sign-on: the token of 'workstation login'

    def _browse_ca(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, self.tr("CA bundle"), "", self.tr("PEM certificates (*.pem *.crt);;All files (*)"))
        if path:
            self.ca_bundle.setText(path)

    def _form_profile(self) -> ArchiveProfile:
        """The profile as the form shows it; raises SettingsError with a sentence if invalid."""
        base = self.profiles[self._row] if 0 <= self._row < len(self.profiles) else ArchiveProfile("Archive", "https://x")
        return replace(
            base, name=self.name.text().strip(), url=self.url.text().strip(), auth=str(self.auth.currentData()),
            username=self.username.text().strip(), ca_bundle=self.ca_bundle.text().strip(),
            verify_tls=self.verify_tls.isChecked(), allow_insecure_http=self.allow_http.isChecked(),
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
        self.test_result.setText(self.tr("Testing..."))

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
            raise SettingsError(self.tr("Every archive needs a name of its own; rename the empty or repeated one."))
        from workstation.net.auth import insecure_http_refusal

        for profile in self.profiles:  # the same refusal as 'archive add' and every request
            refusal = insecure_http_refusal(profile)
            if refusal:
                raise SettingsError(refusal)
        default = getattr(self, "_default_name", self.settings.default_archive)
        if default not in names:
            default = names[0] if names else ""
        ris = self.ris_json()
        letterhead = self.letterhead_json()
        # The entries this dialog does not edit, as saved now (a menu may have changed them).
        saved = on_disk(self.settings)
        signing = replace(self.settings.signing, trust_roots=self.trust_root_paths(),
                          tsa_url=self.tsa_url.text().strip(),
                          family_name=self.signer_family.text().strip(),
                          given_name=self.signer_given.text().strip(),
                          professional_id=self.professional_id.text().strip())
        self.lock_tab.check()
        return replace(self.settings, archives=list(self.profiles), default_archive=default,
                       library_max_gb=float(self.library_limit.value()),
                       retention_days=int(self.retention_days.value()),
                       disk_encrypted=self.disk_encrypted.isChecked(), signing=signing,
                       lock_after_min=self.lock_tab.minutes(),
                       ris=RisProfile.from_json(ris) if ris is not None else None,
                       letterhead=LetterheadSettings(**letterhead) if letterhead else LetterheadSettings(),
                       appearance=AppearanceSettings(theme=str(self.theme.currentData()),
                                                     language=str(self.language.currentData() or "")),
                       hanging=saved.hanging, report_key=saved.report_key)

    def confirm_forget_all(self) -> bool:
        """Ask once; on yes, ``forget_all_requested`` is emitted and the dialog closes."""
        from PySide6.QtWidgets import QMessageBox

        answer = QMessageBox.warning(
            self, self.tr("Remove all patient data"),
            self.tr("Remove every study, report, draft and pending measurement from this machine and "
                    "delete the key that encrypts them? Reports not yet delivered are lost. The "
                    "workstation closes afterwards."),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel)
        if answer != QMessageBox.StandardButton.Yes:
            return False
        self.forget_all_requested.emit()
        self.reject()
        return True

    def accept(self) -> None:
        try:
            settings = self.build_settings()
            from workstation.net.auth import store_secret

            for row, secret in self.secrets.items():
                if secret and 0 <= row < len(self.profiles):
                    store_secret(self.profiles[row], secret)
            ris = settings.ris
            if self.ris_secret.text() and ris is not None and ris.auth != "none":
                store_secret(ris.as_archive_profile(), self.ris_secret.text())
            self.lock_tab.save_password()
            save_settings(settings)
        except WorkstationError as exc:
            self.error.setText(str(exc))
            return
        from workstation.ui.theme import apply_theme

        apply_theme(settings.appearance.theme)
        self.settings = settings
        self.saved.emit(settings)
        super().accept()
