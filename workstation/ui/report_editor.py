"""The report editor, docked beside the viewports: write, sign and send the report of the open study.

The template is chosen for the study (:func:`~workstation.report.templates.choose_template`:
modality, Body Part Examined, description words) and the reason shown; the combo changes it.
Sections (TID 2000 headings, CID 7001) are text boxes, each with a menu of snippets; typed
fields are widgets (pick-list, number with unit, yes/no with no answer until one is chosen,
date). What the template or the workstation pre-filled (a technique line, the comparison, a
field default) is shown as a *placeholder*, marked, until the radiologist edits or accepts it;
the template's normal findings are inserted only by "Insert normal findings". Signing asks,
listing them, whether untouched placeholders are left out or kept as the radiologist's text,
then shows the PDF pages as they will be signed before the credential is asked for. The header comes from the study, the comparison line from the priors found in the local
library (and the archive the study came from).

Every change is saved as a local draft (:class:`~workstation.report.drafts.DraftStore`) after
:data:`SAVE_DEBOUNCE_MS`, and every :data:`AUTOSAVE_MS` anyway, so a crash loses at most a few
seconds. States follow IHE RAD Reporting Workflow: draft, preliminary, final; a final version
changes only by an addendum or a correction (a new version). Signing (PAdES, the PKCS#12 key
remembered in Qt settings, its password in the keyring) builds the SR and the Encapsulated PDF,
writes the outgoing folder and queues it in the outbox, in the background.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import keyring
import keyring.errors
import numpy as np
from PySide6.QtCore import QCoreApplication, QDate, Qt, QTimer, Signal
from PySide6.QtGui import QDoubleValidator
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QDockWidget,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QMenu,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from workstation.annotate.measurements import ImageRef
from workstation.app.context import AppContext
from workstation.app.finalize_report import Step, finalize_report, letterhead_from_settings
from workstation.app.priors import comparison_rows, prior_sources, search_priors
from workstation.errors import SigningError, WorkstationError
from workstation.i18n import localize_decimals
from workstation.identity import current_identity
from workstation.model import attributes as attr
from workstation.model.entities import SeriesSummary, StudySummary
from workstation.model.image_number import header_label

# Imported here, on the UI thread: importing modules (highdicom, pyHanko) from a worker thread
# while Qt is busy on the UI thread has crashed PySide6's import hook.
from workstation.report.drafts import DraftStore
from workstation.report.model import (
    ADDENDUM,
    SECTIONS,
    FieldValue,
    KeyImage,
    Report,
    ReportHistory,
    ReportStatus,
    SignedReport,
    VersionKind,
)
from workstation.report.pdf import Letterhead, render_report_pdf
from workstation.report.signing import (
    KEYRING_SERVICE,
    Pkcs11Credential,
    Pkcs12Credential,
    keyring_username,
    store_pkcs12_password,
)
from workstation.report.templates import (
    FieldSpec,
    Template,
    TemplateLibrary,
    choose_template,
    comparison_line,
    fill_report,
    insert_normal,
    load_templates,
    mark_template_text,
    validate_report,
)
from workstation.report.wording import heading as section_heading
from workstation.settings import Settings
from workstation.ui import tasks
from workstation.ui.core_text import core_text
from workstation.ui.i18n import QT_TRANSLATE_NOOP, active_language
from workstation.ui.sign_dialogs import KEEP, PlaceholderDialog, SignPreviewDialog

log = logging.getLogger(__name__)

#: A change is saved this long after the last keystroke (ms).
SAVE_DEBOUNCE_MS = 700
#: And the draft is saved this often whatever happens (ms).
AUTOSAVE_MS = 3000
#: Qt settings keys (the key file's path and the author's name; never a password).
KEY_FILE_SETTING = "report/pkcs12_path"
AUTHOR_SETTING = "report/author"
PRACTICE_SETTING = "report/practice"
SIGNING_METHOD_SETTING = "report/signing_method"  # "pkcs12" or "pkcs11"
PKCS11_LIBRARY_SETTING = "report/pkcs11_library"
PKCS11_TOKEN_SETTING = "report/pkcs11_token"
PKCS11_KEY_SETTING = "report/pkcs11_key_label"
SIGNING_METHODS = (("pkcs12", QT_TRANSLATE_NOOP("ReportEditor", "Key file (PKCS#12)")),
                   ("pkcs11", QT_TRANSLATE_NOOP("ReportEditor", "Smart card (PKCS#11)")))


class OneTimePin:
    """Hands the PIN typed for one signing to the token once, then forgets it (PINs are never
    stored: the next signing asks again)."""

    def __init__(self, pin: str) -> None:
        self._pin: str | None = pin

    def __call__(self, _prompt: str) -> str:
        pin, self._pin = self._pin, None
        return pin or ""

    def __repr__(self) -> str:
        return "OneTimePin(***)"


class TokenDialog(QDialog):
    """Which PKCS#11 module and token (smart card) to sign with; remembered, without the PIN."""

    def __init__(self, library: str, token: str, key_label: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Smart card (PKCS#11)"))
        self.library = QLineEdit(library, placeholderText=self.tr("/usr/lib/.../opensc-pkcs11.so"))
        browse = QPushButton(self.tr("Browse..."))
        browse.clicked.connect(self._browse)
        row = QHBoxLayout()
        row.addWidget(self.library, 1)
        row.addWidget(browse)
        self.token = QLineEdit(token, placeholderText=self.tr("the token's label"))
        self.key_label = QLineEdit(key_label, placeholderText=self.tr("optional: the key's label"))
        form = QFormLayout(self)
        form.addRow(self.tr("PKCS#11 module"), row)
        form.addRow(self.tr("Token label"), self.token)
        form.addRow(self.tr("Key label"), self.key_label)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def _browse(self) -> None:
        name, _ = QFileDialog.getOpenFileName(self, self.tr("PKCS#11 module"), "", self.tr("Shared libraries (*.so *.dylib *.dll)"))
        if name:
            self.library.setText(name)

_NO_DATE = QDate(1900, 1, 1)
#: A yes/no field's choices: no answer, yes, no.
YES_NO_ITEMS = ("", QT_TRANSLATE_NOOP("FieldEditor", "yes"), QT_TRANSLATE_NOOP("FieldEditor", "no"))
#: How a placeholder (template text not yet the radiologist's) looks.
PLACEHOLDER_STYLE = "color: #8a8a8a; font-style: italic;"
def report_settings() -> Any:
    """Where the editor remembers the key file: the settings' ``report_key`` entry."""
    from workstation.ui.settings_store import settings_store as ui_settings

    return ui_settings()


@dataclass
class SignOutcome:
    """What signing in the background produced: the signed version, its outgoing folder, and
    the outbox state right after the first delivery attempt."""

    signed: SignedReport
    folder: Path
    sentence: str


def find_priors(study: StudySummary, library: Any, archive: Any | None) -> list[tuple[str, str, str]]:
    """(study date, modalities, description) of the patient's earlier studies for the comparison
    section, from the library and the archive (:mod:`workstation.app.priors`; runs in a worker
    thread; a source that cannot be searched is skipped)."""
    found = search_priors(study, prior_sources(library, archive))
    if found.problems:
        log.info("Priors search skipped in %d source(s)", len(found.problems))
    return comparison_rows(found.ranked)


class FieldEditor(QWidget):
    """One typed template field as a widget; ``changed`` fires on every edit."""

    changed = Signal()

    def __init__(self, spec: FieldSpec, value: FieldValue) -> None:
        super().__init__()
        self.spec = spec
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.widget: QWidget
        if spec.type == "choice":
            combo = QComboBox()
            combo.addItem("")
            combo.addItems(list(spec.options))
            combo.setCurrentText(str(value) if value is not None else "")
            combo.currentTextChanged.connect(lambda _t: self.changed.emit())
            self.widget = combo
        elif spec.type == "yes_no":
            # three states: no answer until the radiologist gives one (never a silent "no")
            answer = QComboBox()
            for text, answer_value in zip(YES_NO_ITEMS, (None, True, False), strict=True):
                answer.addItem(self.tr(text) if text else "", answer_value)  # "oui"/"non" in French
            answer.setCurrentIndex(0 if value is None else 1 if value else 2)
            answer.currentTextChanged.connect(lambda _t: self.changed.emit())
            answer.setProperty("yes_no", True)
            self.widget = answer
        elif spec.type == "date":
            edit = QDateEdit()
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
            edit.setMinimumDate(_NO_DATE)
            edit.setSpecialValueText(self.tr("not set"))
            edit.setDate(QDate.fromString(str(value), "yyyy-MM-dd") if value else _NO_DATE)
            edit.dateChanged.connect(lambda _d: self.changed.emit())
            self.widget = edit
        else:
            line = QLineEdit("" if value is None else spec.display(value).removesuffix(f" {spec.unit}")
                             if spec.type == "number" else str(value))
            if spec.type == "number":
                validator = QDoubleValidator()
                validator.setNotation(QDoubleValidator.Notation.StandardNotation)
                line.setValidator(validator)
                limits = [f"{x:g}" for x in (spec.minimum, spec.maximum) if x is not None]
                line.setPlaceholderText("–".join(limits) if len(limits) == 2 else "number")
            line.textChanged.connect(lambda _t: self.changed.emit())
            self.widget = line
        layout.addWidget(self.widget, 1)
        if spec.type == "number" and spec.unit:
            layout.addWidget(QLabel(spec.unit))

    def value(self) -> FieldValue:
        w = self.widget
        if isinstance(w, QComboBox) and self.spec.type == "yes_no":
            data = w.currentData()
            return data if isinstance(data, bool) else None
        if isinstance(w, QComboBox):
            return w.currentText() or None
        if isinstance(w, QDateEdit):
            return None if w.date() == _NO_DATE else w.date().toString("yyyy-MM-dd")
        assert isinstance(w, QLineEdit)
        text = w.text().strip()
        if not text:
            return None
        if self.spec.type == "number":
            try:
                number = float(text.replace(",", "."))
            except ValueError:
                return text  # the template check names the problem
            return int(number) if number.is_integer() else number
        return text

    def set_read_only(self, on: bool) -> None:
        self.widget.setEnabled(not on)

    def set_placeholder(self, on: bool) -> None:
        """Mark the value as the template's default, not yet the radiologist's (italic, grey)."""
        self.widget.setStyleSheet(PLACEHOLDER_STYLE if on else "")
        self.widget.setToolTip(self.tr("Template default: not in the signed report until you change or accept it")
                               if on else "")


class SectionEditor(QGroupBox):
    """One report section: its text, a snippet menu, and a note with an Accept button while the
    text or a field is an untouched placeholder."""

    changed = Signal()
    accepted = Signal(str)  # the section name: keep its placeholders as the radiologist's

    def __init__(self, name: str, text: str, snippets: Sequence[Any]) -> None:
        super().__init__(section_heading(name, active_language()))  # Résultats, Conclusion in French
        self.name = name
        self.snippets = list(snippets)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        self.text = QPlainTextEdit(text)
        self.text.setObjectName(f"section_{name}")
        self.text.setTabChangesFocus(True)
        self.text.setMinimumHeight(160 if name in ("findings", "impression", ADDENDUM) else 80)  # room to write
        self.text.textChanged.connect(self.changed.emit)
        layout.addWidget(self.text)
        self.snippet_button: QToolButton | None = None
        if self.snippets:
            button = QToolButton()
            button.setText(self.tr("Insert snippet"))
            menu = QMenu(button)
            for snippet in self.snippets:
                action = menu.addAction(snippet.label)
                action.triggered.connect(lambda _c=False, s=snippet: self.insert(s))
            button.setMenu(menu)
            button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
            layout.addWidget(button, 0, Qt.AlignmentFlag.AlignLeft)
            self.snippet_button = button
        self.fields: dict[str, FieldEditor] = {}
        self.form = QFormLayout()
        layout.addLayout(self.form)
        # the placeholder note: this text is the template's, not yet the radiologist's
        self.placeholder_row = QWidget()
        row = QHBoxLayout(self.placeholder_row)
        row.setContentsMargins(0, 0, 0, 0)
        self.placeholder_note = QLabel(self.tr("Template text: edit it or accept it; until then it is left out "
                                       "of the signed report."))
        self.placeholder_note.setWordWrap(True)
        self.placeholder_note.setStyleSheet("color: #b06000;")
        self.accept_button = QToolButton()
        self.accept_button.setText(self.tr("Accept"))
        self.accept_button.setToolTip(self.tr("Keep the template text of this section as your own"))
        self.accept_button.clicked.connect(lambda: self.accepted.emit(self.name))
        row.addWidget(self.placeholder_note, 1)
        row.addWidget(self.accept_button)
        layout.insertWidget(0, self.placeholder_row)
        self.placeholder_row.setVisible(False)
        self._placeholder_text = False
        self._placeholder_fields: set[str] = set()
        self.text.textChanged.connect(self._text_touched)

    def add_field(self, editor: FieldEditor) -> None:
        self.fields[editor.spec.id] = editor
        self.form.addRow(editor.spec.label + (" *" if editor.spec.required else ""), editor)
        editor.changed.connect(self.changed.emit)
        editor.changed.connect(lambda e=editor: self._field_touched(e))

    def set_placeholders(self, text: bool, fields: set[str]) -> None:
        """Mark the section text (``text``) and the fields named as untouched placeholders."""
        self._placeholder_text = text
        self.text.setStyleSheet(PLACEHOLDER_STYLE if text else "")
        for fid, editor in self.fields.items():
            editor.set_placeholder(fid in fields)
        self._placeholder_fields = set(fields)
        self.placeholder_row.setVisible(text or bool(fields))

    @property
    def has_placeholders(self) -> bool:
        """True while the text or a field is marked as an untouched placeholder."""
        return self._placeholder_text or bool(self._placeholder_fields)

    def _text_touched(self) -> None:
        if self._placeholder_text:
            self.set_placeholders(False, self._placeholder_fields)

    def _field_touched(self, editor: FieldEditor) -> None:
        fields = self._placeholder_fields
        if editor.spec.id in fields:
            self.set_placeholders(self._placeholder_text, fields - {editor.spec.id})

    def insert(self, snippet: Any) -> None:
        """The snippet's text at the end of the section, on a new line (as ``insert_snippet``)."""
        current = self.text.toPlainText().rstrip()
        self.text.setPlainText(f"{current}\n{snippet.text}" if current else snippet.text)

    def set_read_only(self, on: bool) -> None:
        self.text.setReadOnly(on)
        if self.snippet_button is not None:
            self.snippet_button.setEnabled(not on)
        for f in self.fields.values():
            f.set_read_only(on)
        self.accept_button.setEnabled(not on)


class ReportEditor(QWidget):
    """The report of one study: header, template, sections, fields, state, history, actions.

    ``settings`` gives the current :class:`Settings` (the library folder, the archive, the RIS).
    ``ask_password(prompt)``, ``ask_reason(kind)`` and ``choose_key_file()`` ask the reader and
    return ``None`` when they cancel; they are attributes so a caller may answer differently.
    """

    message = Signal(str)  # a sentence for the status bar
    signed = Signal(object)  # SignOutcome

    def __init__(self, settings: Callable[[], Settings], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.settings = settings
        #: The application (workstation.app.context), set by the main window: priors are then
        #: looked for in every archive; without it, in the study's own.
        self.context: AppContext | None = None
        self.library_templates: TemplateLibrary = load_templates()
        self.store = DraftStore.open(settings())
        self.history: ReportHistory | None = None
        self.study: StudySummary | None = None
        self.headers: list[Any] = []
        self.template: Template | None = None
        self.choice_reason = ""
        self.sections: dict[str, SectionEditor] = {}
        self.last_saved: Path | None = None
        self._loading = False
        self._task: tasks.Task | None = None
        self._priors_task: tasks.Task | None = None
        self.ask_password: Callable[[str], str | None] = self._ask_password
        self.ask_reason: Callable[[str], str | None] = self._ask_reason
        self.choose_key_file: Callable[[], Path | None] = self._choose_key_file
        self.choose_token: Callable[[str, str, str], tuple[Path, str, str] | None] = self._choose_token
        self.ask_pin: Callable[[str], str | None] = self._ask_pin
        #: Before signing with untouched placeholders: LEAVE_OUT, KEEP, or None (go back).
        self.confirm_placeholders: Callable[[list[str]], str | None] = self._confirm_placeholders
        #: Before signing: shown the PDF as it will be signed, True to sign it.
        self.preview_signing: Callable[[bytes], bool] = self._preview_signing

        self.header = QLabel(self.tr("Open a study to write its report."))
        self.header.setWordWrap(True)
        self.header.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.template_combo = QComboBox()
        for t in sorted(self.library_templates.templates.values(), key=lambda t: (t.language != active_language(), t.title)):
            self.template_combo.addItem(t.title, t.id)
        self.template_combo.activated.connect(self._template_picked)
        self.import_template_button = QPushButton(self.tr("Import..."))
        self.import_template_button.setToolTip(self.tr("Import an IHE MRRT (HTML5) report template, such as one from "
                                               "RSNA's RadReport library, into your own templates"))
        self.import_template_button.clicked.connect(lambda: self.import_template())
        self.choose_template_file: Callable[[], Path | None] = self._choose_template_file
        self.normal_button = QPushButton(self.tr("Insert normal findings"))
        self.normal_button.setToolTip(self.tr("Put the template's normal findings and impression into the report "
                                      "as your own text (check them before signing)"))
        self.normal_button.clicked.connect(lambda: self.insert_normal_findings())
        self.reason = QLabel("")
        self.reason.setWordWrap(True)
        self.reason.setStyleSheet("color: #707070;")
        self.state = QLabel("")
        self.state.setStyleSheet("font-weight: bold;")
        self.saved_label = QLabel("")
        self.saved_label.setStyleSheet("color: #707070;")
        self.result = QLabel("")
        self.result.setWordWrap(True)

        self.body = QWidget()
        self.body_layout = QVBoxLayout(self.body)
        self.body_layout.setContentsMargins(0, 0, 0, 0)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.body)

        self.history_list = QListWidget()
        self.history_list.setMaximumHeight(90)

        self.preliminary_button = QPushButton(self.tr("Make preliminary"))
        self.preliminary_button.clicked.connect(self.make_preliminary)
        self.sign_button = QPushButton(self.tr("Sign..."))
        self.sign_button.clicked.connect(self.sign)
        self.addendum_button = QPushButton(self.tr("Addendum..."))
        self.addendum_button.clicked.connect(lambda: self.new_version(VersionKind.ADDENDUM))
        self.correction_button = QPushButton(self.tr("Correction..."))
        self.correction_button.clicked.connect(lambda: self.new_version(VersionKind.CORRECTION))
        self.insert_viewer_button = QPushButton(self.tr("Insert measurements and key images"))
        self.insert_viewer_button.setToolTip(
            self.tr("Put the study's measurements and key images from the viewer into the report; done "
            "automatically when signing if the report has none yet"))
        self.insert_viewer_button.clicked.connect(lambda: self.insert_from_viewer())
        #: Thumbnail pixels (uint8 RGB) of the report's key images, by SOP Instance UID.
        self.key_image_pixels: dict[str, np.ndarray] = {}
        buttons = QHBoxLayout()
        for b in (self.preliminary_button, self.sign_button, self.addendum_button, self.correction_button):
            buttons.addWidget(b)
        self.signing_method = QComboBox()
        for key, label in SIGNING_METHODS:
            self.signing_method.addItem(self.tr(label), key)
        remembered = str(report_settings().value(SIGNING_METHOD_SETTING, "pkcs12") or "pkcs12")
        self.signing_method.setCurrentIndex(max(0, self.signing_method.findData(remembered)))
        self.signing_method.setToolTip(self.tr("What the signing key is on: a PKCS#12 key file (password in the "
                                       "keyring) or a smart card (PIN asked at each signing)"))
        self.signing_method.currentIndexChanged.connect(self._signing_method_changed)
        self.token_button = QPushButton(self.tr("Card..."))
        self.token_button.setToolTip(self.tr("Choose the PKCS#11 module and token"))
        self.token_button.clicked.connect(self.configure_token)
        sign_row = QHBoxLayout()
        sign_row.addWidget(QLabel(self.tr("Sign with")))
        sign_row.addWidget(self.signing_method, 1)
        sign_row.addWidget(self.token_button)
        self.token_button.setVisible(remembered == "pkcs11")

        top = QHBoxLayout()
        top.addWidget(QLabel(self.tr("Template")))
        top.addWidget(self.template_combo, 1)
        top.addWidget(self.import_template_button)
        normal_row = QHBoxLayout()
        normal_row.addWidget(self.normal_button)
        normal_row.addStretch(1)
        state_row = QHBoxLayout()
        state_row.addWidget(self.state)
        state_row.addStretch(1)
        state_row.addWidget(self.saved_label)
        layout = QVBoxLayout(self)
        layout.addWidget(self.header)
        layout.addLayout(top)
        layout.addWidget(self.reason)
        layout.addLayout(normal_row)
        layout.addLayout(state_row)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.insert_viewer_button)
        layout.addLayout(sign_row)
        layout.addLayout(buttons)
        layout.addWidget(self.result)
        layout.addWidget(QLabel(self.tr("History")))
        layout.addWidget(self.history_list)

        self.debounce = QTimer(self)
        self.debounce.setSingleShot(True)
        self.debounce.setInterval(SAVE_DEBOUNCE_MS)
        self.debounce.timeout.connect(self.save_draft)
        self.autosave = QTimer(self)
        self.autosave.setInterval(AUTOSAVE_MS)
        self.autosave.timeout.connect(self.save_draft)
        self.autosave.start()
        self._refresh_controls()

    # -- opening -------------------------------------------------------------------------------

    @property
    def report(self) -> Report | None:
        return self.history.current if self.history is not None else None

    def open_study(self, study: StudySummary, headers: Sequence[Any] = (), *, display_sets: Sequence[Any] = (),
                   library: Any = None, archive: Any = None) -> None:
        """Show the report of ``study``: its saved draft if there is one, else a new one from the
        template chosen for it; the comparison line is filled when the priors are found."""
        if self.study is not None and self.study.study_uid == study.study_uid:
            return
        self.save_draft()
        self.study = study
        self.headers = list(headers)
        series = {attr.text(h, "SeriesInstanceUID"): SeriesSummary.from_dataset(h, study.study_uid)
                  for h in self.headers if attr.text(h, "SeriesInstanceUID")}
        choice = choose_template(study, display_sets, series=list(series.values()), library=self.library_templates,
                                 language=active_language())
        saved = self._saved_history(study.study_uid)
        if saved is not None:
            self.history = saved
            self.template = self._template(saved.current.template_id)
            current = saved.current
            marked = mark_template_text(current, self.template)  # a draft from before placeholders
            if marked is not current:
                saved.versions[-1] = marked
            self.choice_reason = self.tr("Saved draft restored ({0}).").format(self.template.title)
        else:
            self.template = choice.template
            self.choice_reason = choice.reason
            self.history = ReportHistory([fill_report(choice.template, study, author=self.author())])
            self.save_draft()
        self._show()
        if saved is None and (library is not None or archive is not None):
            self._find_priors(study, library, archive)

    def close_study(self) -> None:
        """Save and show nothing (the study was closed)."""
        self.save_draft()
        self.study = None
        self.history = None
        self._show()

    def _saved_history(self, study_uid: str) -> ReportHistory | None:
        found = [h for h in self.store.load_all() if h.current.study.study_uid == study_uid]
        return found[-1] if found else None

    def _template(self, template_id: str) -> Template:
        return self.library_templates.templates.get(template_id) or self.library_templates.get("generic")

    def author(self) -> str:
        who = current_identity()  # the signed-in person first; the OS login name is no identity
        if who is not None:
            return who.display()
        return str(report_settings().value(AUTHOR_SETTING, "") or "")

    def _find_priors(self, study: StudySummary, library: Any, archive: Any) -> None:
        uid = study.study_uid

        def done(priors: list[tuple[str, str, str]]) -> None:
            self._priors_task = None
            report = self.report
            if report is None or report.study.study_uid != uid or report.locked or not priors:
                return
            untouched = "comparison" in report.placeholder_sections or not report.section("comparison").strip()
            language = self.template.language if self.template is not None else "en"
            if untouched and report.section("comparison") in ("", comparison_line([]), comparison_line([], language)):
                # the workstation's line, not the radiologist's: it stays a placeholder
                line = comparison_line(priors, language)
                assert self.history is not None
                self.history.update((self.collect() or report).with_placeholder_section("comparison", line))
                self.sections["comparison"].text.setPlainText(line)
                self.sections["comparison"].set_placeholders(True, self.sections["comparison"]._placeholder_fields)
                self.message.emit(self.tr("Comparison filled from {0} prior stud{1}.").format(len(priors), 'y' if len(priors) == 1 else 'ies'))

        # In every archive, not only the one the study came from (workstation.net.federated).
        source = self.context.prior_archive(archive) if self.context is not None else archive
        task = tasks.Task(lambda _p, _c: find_priors(study, library, source))
        task.signals.finished.connect(done)
        self._priors_task = task
        tasks.start(task)

    # -- showing -------------------------------------------------------------------------------

    def _clear_body(self) -> None:
        while self.body_layout.count():
            item = self.body_layout.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        self.sections = {}

    def _show(self) -> None:
        self._loading = True
        try:
            self._clear_body()
            report = self.report
            if report is None or self.template is None:
                self.header.setText(self.tr("Open a study to write its report."))
                self.reason.setText("")
                self.history_list.clear()
                self._refresh_controls()
                return
            self.header.setText(self._header_text(report))
            self.template_combo.setCurrentIndex(self.template_combo.findData(self.template.id))
            self.reason.setText(self.choice_reason)
            names = list(SECTIONS) + ([ADDENDUM] if report.kind is VersionKind.ADDENDUM else [])
            for name in names:
                tsection = self.template.section(name)
                editor = SectionEditor(name, report.section(name), tsection.snippets if tsection else ())
                for spec in tsection.fields if tsection else ():
                    editor.add_field(FieldEditor(spec, report.fields.get(spec.id)))
                if not report.locked:
                    untouched_sections, untouched_fields = report.untouched()
                    editor.set_placeholders(name in untouched_sections, set(untouched_fields) & set(editor.fields))
                editor.changed.connect(self._changed)
                editor.accepted.connect(self.accept_placeholders)
                self.sections[name] = editor
                self.body_layout.addWidget(editor)
            self.body_layout.addStretch(1)
            self._refresh_controls()
        finally:
            self._loading = False

    def _header_text(self, report: Report) -> str:
        from workstation.ui.i18n import format_dicom_date
        from workstation.ui.worklist import format_person_name

        p, s = report.patient, report.study
        birth = format_dicom_date(p.birth_date)
        date = format_dicom_date(s.study_date)
        return (self.tr("<b>{0}</b> · ID {1} · born {2} · {3}<br>{4} · {5} · {6} · accession {7}")
                .format(format_person_name(p.name), p.patient_id, birth or "?", p.sex or "?",
                        s.description or self.tr("Study"), "/".join(s.modalities), date,
                        s.accession_number or "—"))

    def _refresh_controls(self) -> None:
        report = self.report
        have = report is not None
        locked = bool(report and report.locked)
        for name, editor in self.sections.items():
            frozen = locked or (report is not None and report.kind is VersionKind.ADDENDUM and name != ADDENDUM)
            editor.set_read_only(frozen)
        self.template_combo.setEnabled(have and not locked and report is not None and report.version == 1)
        self.preliminary_button.setEnabled(have and report is not None and report.status is ReportStatus.DRAFT)
        self.sign_button.setEnabled(have and not locked and self._task is None)
        self.insert_viewer_button.setEnabled(have and not locked and self._task is None)
        self.normal_button.setEnabled(have and not locked and self.template is not None and self.template.has_normal
                                      and report is not None and report.kind is not VersionKind.ADDENDUM)
        self.addendum_button.setEnabled(locked)
        self.correction_button.setEnabled(locked)
        if report is None:
            self.state.setText("")
        else:
            kind = "" if report.kind is VersionKind.ORIGINAL else f" ({report.kind.value})"
            self.state.setText(self.tr("Version {0}{1}: {2}").format(report.version, kind, core_text(report.status.value.upper()))
                               + (self.tr(", signed by {0}").format(report.signer_name) if report.locked else ""))
        self.history_list.clear()
        if self.history is not None:
            for version in self.history.versions:
                for event in version.events:
                    when = event.at.replace("T", " ").split("+")[0]
                    text = f"v{version.version} {when} {core_text(event.action)}"
                    text += self.tr(" by {0}").format(event.by) if event.by else ""
                    text += f": {event.detail}" if event.detail else ""
                    self.history_list.addItem(text)
            self.history_list.scrollToBottom()

    # -- editing and saving --------------------------------------------------------------------

    def _changed(self) -> None:
        if self._loading:
            return
        self.saved_label.setText(self.tr("editing…"))
        self.debounce.start()

    def collect(self) -> Report | None:
        """The current version with the text and field values on screen."""
        report = self.report
        if report is None or report.locked:
            return report
        for name, editor in self.sections.items():
            if report.kind is VersionKind.ADDENDUM and name != ADDENDUM:
                continue
            text = editor.text.toPlainText()
            if text != report.section(name):
                report = report.with_section(name, text)
            for fid, fe in editor.fields.items():
                value = fe.value()
                if value != report.fields.get(fid):
                    report = report.with_field(fid, value)
        return report

    def save_draft(self) -> Path | None:
        """Take what is on screen into the history and save it (nothing written when unchanged)."""
        if self.history is None:
            return None
        self.debounce.stop()
        try:
            report = self.collect()
            if report is not None and report is not self.history.current:
                self.history.update(report)
            self.last_saved = self.store.save(self.history)
        except WorkstationError as exc:
            self.message.emit(str(exc))
            return None
        except OSError as exc:
            self.message.emit(self.tr("The report draft could not be saved ({0}); check the disk.").format(exc.strerror))
            return None
        self.saved_label.setText(self.tr("draft saved {0}").format(dt.datetime.now().strftime("%H:%M:%S")))
        return self.last_saved

    def _template_picked(self, _index: int) -> None:
        tid = str(self.template_combo.currentData())
        report = self.collect()
        if report is None or self.template is None or tid == self.template.id or report.locked:
            return
        new = self._template(tid)
        sections = dict(report.sections)
        placeholders = set(report.placeholder_sections)
        for name in SECTIONS:  # template text the reader left untouched follows the new template
            if name == "comparison" or (sections.get(name, "").strip() and name not in placeholders):
                continue
            new_section = new.section(name)
            sections[name] = new_section.default if new_section else ""
            if sections[name]:
                placeholders.add(name)
            else:
                placeholders.discard(name)
        defaults = {f.id: f.default for _, f in new.all_fields() if f.default is not None}
        kept = {k: v for k, v in report.fields.items() if new.field(k) is not None
                and k not in report.placeholder_fields}
        fields: dict[str, FieldValue] = {**defaults, **kept}
        assert self.history is not None
        self.history.update(replace(report, template_id=new.id, sections=sections, fields=fields,
                                    placeholder_sections=frozenset(placeholders),
                                    placeholder_fields=frozenset(set(defaults) - set(kept))))
        self.template = new
        self.choice_reason = self.tr("'{0}' chosen by hand.").format(new.title)
        self._show()
        self.save_draft()

    def import_template(self, path: Path | None = None) -> Template | None:
        """Import an IHE MRRT template (asked with a file dialog when ``path`` is ``None``) into the
        user's template folder (:mod:`workstation.report.mrrt`), under a new id when one of the same
        id exists, and offer it in the template list; the open report keeps its template."""
        from workstation.report.mrrt import import_mrrt_file, write_user_template

        path = path or self.choose_template_file()
        if path is None:
            return None
        try:
            imported = import_mrrt_file(path)
            base, n = imported.template.id, 2
            while imported.template.id in self.library_templates.templates:
                imported = import_mrrt_file(path, template_id=f"{base[:60]}_{n}")
                n += 1
            write_user_template(imported)
            self.library_templates = load_templates()
        except WorkstationError as exc:
            self._say(str(exc), error=True)
            return None
        template = imported.template
        current = self.template_combo.currentData()
        self.template_combo.clear()
        for t in sorted(self.library_templates.templates.values(), key=lambda t: (t.language != active_language(), t.title)):
            self.template_combo.addItem(t.title, t.id)
        self.template_combo.setCurrentIndex(max(0, self.template_combo.findData(current)))
        notes = self.tr(" {0} note(s): ").format(len(imported.notes)) + " ".join(imported.notes) if imported.notes else ""
        self._say(self.tr("Imported '{0}' ({1} fields); choose it in the template list.{2}").format(template.title, len(template.all_fields()), notes))
        return template

    def _choose_template_file(self) -> Path | None:
        name, _ = QFileDialog.getOpenFileName(self, self.tr("IHE MRRT report template"), "",
                                              self.tr("MRRT templates (*.html *.htm);;All files (*)"))
        return Path(name) if name else None

    def insert_normal_findings(self) -> None:
        """The template's normal findings into the report, as the radiologist's chosen text
        (:func:`~workstation.report.templates.insert_normal`)."""
        report = self.collect()
        if report is None or report.locked or self.template is None or self.history is None:
            return
        if not self.template.has_normal:
            self._say(self.tr("The template '{0}' has no normal findings to insert.").format(self.template.title))
            return
        self.history.update(insert_normal(report, self.template))
        self._show()
        self.save_draft()
        self._say(self.tr("Normal findings of '{0}' inserted as your text; check and edit them before signing.").format(self.template.title))

    def accept_placeholders(self, section: str) -> None:
        """Keep the template text and default values of ``section`` as the radiologist's own."""
        report = self.collect()
        if report is None or report.locked or self.history is None:
            return
        editor = self.sections.get(section)
        fields = list(editor.fields) if editor is not None else []
        self.history.update(report.with_placeholders_accepted(sections=[section], fields=fields))
        if editor is not None:
            editor.set_placeholders(False, set())
        self.save_draft()

    def make_preliminary(self) -> None:
        self.save_draft()
        report = self.report
        if report is None or self.history is None:
            return
        try:
            self.history.update(report.made_preliminary(self.author()))
        except WorkstationError as exc:
            self._say(str(exc), error=True)
            return
        self.save_draft()
        self._refresh_controls()
        self._say(self.tr("The report is preliminary: others may read it; it is still editable."))

    def new_version(self, kind: VersionKind) -> None:
        """An addendum or a correction of the final version (asks for the reason)."""
        report = self.report
        if report is None or self.history is None or not report.locked:
            return
        reason = self.ask_reason(kind.value)
        if not reason:
            return
        try:
            new = report.addendum(reason, self.author()) if kind is VersionKind.ADDENDUM else report.correction(reason, self.author())
            self.history.update(new)
        except WorkstationError as exc:
            self._say(str(exc), error=True)
            return
        self._show()
        self.save_draft()
        self._say(self.tr("Version {0} ({1}) started; sign it when it is written.").format(new.version, kind.value))

    # -- measurements and key images from the viewer ------------------------------------------

    def measure_tools(self) -> Any | None:
        """The viewer's measurement tools (:class:`~workstation.ui.measure_tools.MeasureTools`) of
        the study this report is about, from the window's measurement room; ``None`` when the
        editor is not in a reading room or the study is not open there."""
        window: Any = self
        while window is not None and getattr(window, "measurements", None) is None:
            window = window.parentWidget()  # a floating dock is a window of its own: its parent is the room
        room = getattr(window, "measurements", None)
        studies = getattr(window, "studies", None)
        if room is None or studies is None or self.study is None:
            return None
        for view in studies():
            if getattr(getattr(view, "study", None), "study_uid", None) == self.study.study_uid:
                return room.tools(view)
        return None

    def insert_from_viewer(self, *, automatic: bool = False) -> tuple[int, int] | None:
        """Put the study's measurements (each label with its value and unit, TID 1500 style, and
        the image it was made on by its Instance Number: "Length: 12.3 mm (series 2, image 65)")
        and key images (the selection's note and the image number as caption, TID 2010; pictured
        for the PDF as their presentation state shows them: the window and area they were marked
        in, their measurements drawn, :meth:`MeasureTools.key_picture`) from the viewer into the
        report, replacing earlier ones.

        Returns (measurements, key images) inserted, ``None`` when there was nothing to read."""
        report = self.collect()
        tools = self.measure_tools()
        if report is None or report.locked or self.history is None:
            return None
        if tools is None:
            if not automatic:
                self._say(self.tr("Open the study in the viewer to insert its measurements and key images."), error=True)
            return None
        lines = []
        language = self.template.language if self.template is not None else "en"
        french = language == "fr"  # the report's language: its words and decimal commas
        for m in tools.measurements:
            label = localize_decimals(m.label, language)
            if not label:
                continue
            kind = core_text(m.kind.display_name) if french else m.kind.display_name
            name = kind + (f" ({m.text})" if m.text and m.kind.name not in ("TEXT", "ARROW") else "")
            where = header_label(self._image_header(m.image.sop_instance_uid), m.image.frame)
            lines.append(f"{name}{' : ' if french else ': '}{label}" + (f" ({where})" if where else ""))
        note = str(tools.key_images.note or "")
        key_images: list[KeyImage] = []
        pixels: dict[str, np.ndarray] = {}
        for ref in tools.key_images.images:
            where = header_label(self._image_header(ref.sop_instance_uid), ref.frame)
            caption = " ".join(x for x in (note, f"({where})" if where else "") if x)
            key_images.append(KeyImage(sop_class_uid=ref.sop_class_uid, sop_instance_uid=ref.sop_instance_uid,
                                       series_uid=ref.series_instance_uid, frame=ref.frame, caption=caption))
            # as its presentation state shows it (window, area, measurements), else the thumbnail
            thumb = tools.key_picture(ref) if hasattr(tools, "key_picture") else None
            thumb = thumb if thumb is not None else tools.key_thumbnail(ref)
            if thumb is not None:
                pixels[ref.sop_instance_uid] = np.asarray(thumb)
        if not lines and not key_images:
            if not automatic:
                self._say(self.tr("The viewer has no measurements or key images for this study."))
            return None
        self.history.update(report.with_measurements(lines).with_key_images(key_images))
        self.key_image_pixels = pixels
        self.save_draft()
        how = self.tr("Inserted automatically before signing") if automatic else self.tr("Inserted")
        self._say(self.tr("{0}: {1} measurement{2} and {3} key image{4} from the viewer.").format(how, len(lines), 's' if len(lines) != 1 else '', len(key_images), 's' if len(key_images) != 1 else ''))
        return len(lines), len(key_images)

    def _image_header(self, sop_instance_uid: str) -> Any:
        """The header of an image of this study: from those the editor was opened with, else from
        the reading room (headers that arrived since); ``None`` when unknown."""
        for header in self.headers:
            if attr.text(header, "SOPInstanceUID") == sop_instance_uid:
                return header
        window = self.window()
        studies = getattr(window, "studies", None)
        if studies is None or self.study is None or not hasattr(window, "reading_header"):
            return None
        for view in studies():
            if getattr(getattr(view, "study", None), "study_uid", None) == self.study.study_uid:
                return window.reading_header(view, sop_instance_uid)
        return None

    def thumbnails_for(self, report: Report) -> list[np.ndarray]:
        """Thumbnails of ``report``'s key images in order (the PDF pairs them with the captions in
        order, so this stops at the first key image whose pixels are not at hand)."""
        tools = self.measure_tools()
        out: list[np.ndarray] = []
        for key in report.key_images:
            pixels = self.key_image_pixels.get(key.sop_instance_uid)
            if pixels is None and tools is not None:
                ref = ImageRef(key.sop_instance_uid, key.sop_class_uid, key.frame, key.series_uid)
                found = tools.key_picture(ref) if hasattr(tools, "key_picture") else None
                found = found if found is not None else tools.key_thumbnail(ref)
                pixels = None if found is None else np.asarray(found)
            if pixels is None:
                break
            out.append(pixels)
        return out

    def _say(self, text: str, *, error: bool = False) -> None:
        text = core_text(text)
        self.result.setStyleSheet("color: #d04040;" if error else "")
        self.result.setText(text)
        self.message.emit(text)

    # -- signing -------------------------------------------------------------------------------

    def _signing_method_changed(self) -> None:
        method = str(self.signing_method.currentData())
        store = report_settings()
        store.setValue(SIGNING_METHOD_SETTING, method)
        store.sync()
        self.token_button.setVisible(method == "pkcs11")

    def configure_token(self) -> tuple[Path, str, str] | None:
        """Ask which PKCS#11 module, token and key to use and remember them (never the PIN)."""
        store = report_settings()
        chosen = self.choose_token(str(store.value(PKCS11_LIBRARY_SETTING, "") or ""),
                                   str(store.value(PKCS11_TOKEN_SETTING, "") or ""),
                                   str(store.value(PKCS11_KEY_SETTING, "") or ""))
        if chosen is None:
            return None
        library, token, key_label = chosen
        store.setValue(PKCS11_LIBRARY_SETTING, str(library))
        store.setValue(PKCS11_TOKEN_SETTING, token)
        store.setValue(PKCS11_KEY_SETTING, key_label)
        store.sync()
        return chosen

    def pkcs11_credential(self) -> Pkcs11Credential | None:
        """The smart-card credential: module and token remembered in Qt settings (asked when
        missing), the PIN asked now in a password dialog and handed to the token once; ``None``
        when the reader cancels."""
        store = report_settings()
        library = str(store.value(PKCS11_LIBRARY_SETTING, "") or "")
        token = str(store.value(PKCS11_TOKEN_SETTING, "") or "")
        key_label = str(store.value(PKCS11_KEY_SETTING, "") or "")
        if not library or not token or not Path(library).is_file():
            chosen = self.configure_token()
            if chosen is None:
                return None
            library, token, key_label = str(chosen[0]), chosen[1], chosen[2]
        if not Path(library).is_file():
            raise SigningError(self.tr("The PKCS#11 module {0} does not exist; check the smart card software.").format(library))
        if not token:
            raise SigningError(self.tr("No token label is set for the smart card; enter it with Card...."))
        try:  # imported here, on the UI thread, for the worker that opens the token (see above)
            import pkcs11  # noqa: F401
            import pyhanko.config.pkcs11  # noqa: F401
            import pyhanko.sign.pkcs11  # noqa: F401
        except ImportError:
            raise SigningError(self.tr("Smart card signing needs the python-pkcs11 package; install it or "
                               "sign with a key file.")) from None
        pin = self.ask_pin(self.tr("PIN for the token '{0}'").format(token))
        if not pin:
            return None
        return Pkcs11Credential(Path(library), token, ask_pin=OneTimePin(pin), key_label=key_label or None)

    def credential(self) -> Any:
        """The credential of the chosen signing method: a smart card (:meth:`pkcs11_credential`)
        or the PKCS#12 key file below; ``None`` when the reader has none or cancels."""
        if self.signing_method.currentData() == "pkcs11":
            return self.pkcs11_credential()
        return self.pkcs12_credential()

    def pkcs12_credential(self) -> Any:
        """The PKCS#12 credential (file remembered in Qt settings, password in the keyring,
        asked and stored when missing); ``None`` when the reader has none or cancels."""
        store = report_settings()
        path_text = str(store.value(KEY_FILE_SETTING, "") or "")
        path = Path(path_text) if path_text else None
        if path is None or not path.is_file():
            path = self.choose_key_file()
            if path is None:
                return None
            store.setValue(KEY_FILE_SETTING, str(path))
            store.sync()
        credential = Pkcs12Credential(path)
        try:
            known = keyring.get_password(KEYRING_SERVICE, keyring_username(credential.key_id))
        except keyring.errors.KeyringError:
            known = None
        if known is None:
            password = self.ask_password(self.tr("Password of the signing key {0}").format(path.name))
            if password is None:
                return None
            store_pkcs12_password(credential.key_id, password)
        return credential

    def sign(self) -> None:
        """Sign the report (asks for the credential), then queue and deliver it in the background."""
        self.save_draft()
        report = self.report
        if report is None or self.template is None or report.locked or self._task is not None:
            return
        if not report.measurements and not report.key_images:
            self.insert_from_viewer(automatic=True)
            report = self.report
            assert report is not None
        leave_out = False
        if report.has_placeholders:
            names = report.placeholder_names(self.template.field_labels())
            choice = self.confirm_placeholders(names)
            if choice is None:
                self._say(self.tr("Not signed: edit or accept the template text first (") + ", ".join(names) + ").")
                return
            if choice == KEEP:
                assert self.history is not None
                self.history.update(report.with_placeholders_accepted())
                self.save_draft()
                self._show()
                report = self.report
                assert report is not None
            else:
                leave_out = True
        settings = self.settings()
        practice = str(report_settings().value(PRACTICE_SETTING, "") or "")
        letterhead = letterhead_from_settings(settings, practice)
        pixels = self.thumbnails_for(report)
        try:
            validate_report(report, self.template, for_signing=True)
            preview = render_report_pdf(report, letterhead, template=self.template, key_image_pixels=pixels)
        except WorkstationError as exc:
            self._say(str(exc), error=True)
            return
        if not self.preview_signing(preview):
            self._say(self.tr("Not signed: the report is still a draft."))
            return
        try:
            credential = self.credential()
        except WorkstationError as exc:
            self._say(str(exc), error=True)
            return
        if credential is None:
            self._say(self.tr("Only a user with a signing credential can make a report final; choose a PKCS#12 key "
                      "file (or a smart card) to sign."), error=True)
            return
        template, headers = self.template, list(self.headers)
        self.sign_with(credential, settings=settings, template=template, headers=headers,
                       practice=letterhead.practice_name, letterhead=letterhead,
                       key_image_pixels=pixels, accept_placeholders=leave_out)

    def sign_with(self, credential: Any, *, settings: Settings, template: Template, headers: list[Any],
                  practice: str = "", letterhead: Letterhead | None = None,
                  key_image_pixels: Sequence[np.ndarray] = (),
                  accept_placeholders: bool = False) -> tasks.Task | None:
        """Sign the current version in the background; ``accept_placeholders``: the reader chose to
        sign without the untouched placeholders (they are left out)."""
        report = self.report
        if report is None:
            return None
        pixels = list(key_image_pixels)
        predecessor = None
        if self.history is not None and len(self.history.versions) > 1:
            predecessor = self.history.versions[-2]

        def work(progress: Any, _cancel: Any) -> SignOutcome:
            return sign_and_queue(report, credential, settings=settings, template=template, headers=headers,
                                  practice=practice, predecessor=predecessor, progress=progress,
                                  letterhead=letterhead, key_image_pixels=pixels,
                                  accept_placeholders=accept_placeholders)

        task = tasks.Task(work)
        task.signals.finished.connect(self._signed)
        task.signals.failed.connect(self._sign_failed)
        task.signals.progress.connect(lambda _d, _t, m: self._say(m) if m else None)
        self._task = task
        self._say(self.tr("Signing…"))
        self._refresh_controls()
        return tasks.start(task)

    def _signed(self, outcome: SignOutcome) -> None:
        self._task = None
        if self.history is not None and outcome.signed.report.report_uid == self.history.report_uid:
            self.history.update(outcome.signed.report)
            self.save_draft()
            self._show()
        self._say(outcome.sentence)
        self.signed.emit(outcome)

    def _sign_failed(self, message: str) -> None:
        self._task = None
        self._refresh_controls()
        self._say(message, error=True)

    # -- asking --------------------------------------------------------------------------------

    def _confirm_placeholders(self, names: list[str]) -> str | None:
        dialog = PlaceholderDialog(names, self)
        return dialog.choice if dialog.exec() == QDialog.DialogCode.Accepted else None

    def _preview_signing(self, pdf: bytes) -> bool:
        return SignPreviewDialog(pdf, self).exec() == QDialog.DialogCode.Accepted

    def _ask_password(self, prompt: str) -> str | None:
        text, ok = QInputDialog.getText(self, self.tr("Signing key"), prompt + self.tr(" (kept in the system keyring):"),
                                        QLineEdit.EchoMode.Password)
        return text if ok else None

    def _ask_pin(self, prompt: str) -> str | None:
        text, ok = QInputDialog.getText(self, self.tr("Smart card"), prompt + self.tr(" (used for this signing only, never stored):"),
                                        QLineEdit.EchoMode.Password)
        return text if ok and text else None

    def _choose_token(self, library: str, token: str, key_label: str) -> tuple[Path, str, str] | None:
        dialog = TokenDialog(library, token, key_label, self)
        if dialog.exec() != QDialog.DialogCode.Accepted or not dialog.library.text().strip():
            return None
        return (Path(dialog.library.text().strip()), dialog.token.text().strip(), dialog.key_label.text().strip())

    def _ask_reason(self, kind: str) -> str | None:
        text, ok = QInputDialog.getText(self, self.tr("New {0}").format(kind), self.tr("Why does the signed report need an {0}?").format(kind))
        return text.strip() if ok and text.strip() else None

    def _choose_key_file(self) -> Path | None:
        name, _ = QFileDialog.getOpenFileName(self, self.tr("Signing key (PKCS#12)"), "", self.tr("PKCS#12 key (*.p12 *.pfx)"))
        return Path(name) if name else None


def sign_and_queue(report: Report, credential: Any, *, settings: Settings, template: Template,
                   headers: list[Any], practice: str = "", predecessor: Report | None = None,
                   progress: Callable[[int, int, str], None] | None = None,
                   letterhead: Letterhead | None = None,
                   key_image_pixels: Sequence[np.ndarray] = (),
                   accept_placeholders: bool = False) -> SignOutcome:
    """Make the report final (:func:`workstation.app.finalize_report.finalize_report`: sign,
    build the SR and Encapsulated PDF, write, audit, queue and deliver); the sentence says what
    happened. Runs in a worker thread."""
    if credential is None:
        raise SigningError(QCoreApplication.translate("report_editor", "Only a user with a signing credential can make a report final; set up a key file or a smart card first."))
    words = {
        Step.SIGNING: QCoreApplication.translate("report_editor", "Signing the report…"),
        Step.QUEUEING: QCoreApplication.translate("report_editor", "Queueing the report for delivery…"),
        Step.DELIVERING: QCoreApplication.translate("report_editor", "Delivering the report…"),
    }
    say = progress or (lambda _d, _t, _m: None)
    done = finalize_report(report, credential, settings=settings, template=template, headers=headers,
                           letterhead=letterhead or letterhead_from_settings(settings, practice),
                           predecessor=predecessor, key_image_pixels=key_image_pixels,
                           accept_placeholders=accept_placeholders,
                           progress=lambda d, t, step: say(d, t, words[step]))
    signed = done.signed
    when = signed.signed_at.astimezone().strftime("%Y-%m-%d %H:%M")
    sentence = QCoreApplication.translate("report_editor", "Signed by {0} at {1}.").format(signed.signer_name, when)
    if not signed.identity_checked:
        sentence += (QCoreApplication.translate("report_editor", " The signer's identity was not checked against a trusted authority (no CA is configured):"
                     " add the practice's CA under Settings > Signing."))
    if not done.deliveries:
        sentence += QCoreApplication.translate("report_editor", " No RIS or archive is configured, so the report waits in the outbox (File > Outbox).")
    else:
        parts = [f"{name} {state}" for name, state in done.deliveries.items()]
        sentence += QCoreApplication.translate("report_editor", " Delivery: {0}.").format(", ".join(parts))
    return SignOutcome(signed, done.folder, sentence)


class ReportDock(QDockWidget):
    """The report editor as a dock widget beside the viewports."""

    def __init__(self, settings: Callable[[], Settings], parent: QWidget | None = None) -> None:
        super().__init__(self.tr("Report"), parent)
        self.setObjectName("reportEditor")
        self.editor = ReportEditor(settings, self)
        # In a scroll area, so that docked in the side panel's place (380 px, a tab beside the
        # measurements: the viewports keep their size) or floating, all of it can be reached.
        holder = QScrollArea()
        holder.setWidgetResizable(True)
        holder.setFrameShape(QScrollArea.Shape.NoFrame)
        holder.setWidget(self.editor)
        self.setWidget(holder)
        self.setMinimumWidth(380)
