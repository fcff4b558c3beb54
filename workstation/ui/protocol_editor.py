"""Edit a hanging protocol in the app, and the list of protocols to pick one from.

The editor works on the protocol's JSON form (``resources/hanging/README.md``; the vocabulary of
the DICOM Hanging Protocol IOD, PS3.3 A.38 / C.23, and OHIF's), so anything it does not show
(a rule's id, a viewport's match index...) is kept as it was. Saving validates with the same
schema as loading (:func:`workstation.hanging.loader.protocol_from_dict`); a problem is shown as
one sentence beside the field it concerns, and nothing is written until the protocol is valid.
Saved protocols go to the user's protocol folder (:func:`~workstation.hanging.loader.user_folder`).

* :class:`ProtocolEditor`: name, id, description, number of priors; the protocol matching rules
  (tested on the study); the display-set selectors (which study, and their rules); the stages
  with their grid, sync groups and viewports (display set, view 2D/MPR/3D, MPR plane, window/level
  preset, initial image, zoom, sync groups, patient orientation, justification, label, required).
* :class:`ProtocolLibrary`: shipped and user protocols; user ones can be edited and deleted,
  shipped ones opened read-only and duplicated into an editable copy.
"""

from __future__ import annotations

import copy
import csv
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from workstation.errors import HangingProtocolError
from workstation.hanging.loader import (
    ProtocolFieldError,
    delete_user_protocol,
    load_shipped_protocols,
    protocol_from_dict,
    protocol_to_dict,
    save_user_protocol,
    scan_user_protocols,
    user_folder,
)
from workstation.hanging.schema import JUSTIFICATIONS, PLANES, Constraint, Position, Protocol, View
from workstation.model.presets import CT_PRESETS
from workstation.model.viewport import MAX_GRID, MAX_ZOOM, MIN_ZOOM
from workstation.ui.core_text import core_text
from workstation.ui.i18n import QT_TRANSLATE_NOOP

#: Attributes a protocol matching rule tests (the study's; see resources/hanging/README.md).
STUDY_ATTRIBUTES = ("ModalitiesInStudy", "StudyDescription", "BodyPartExamined", "Region", "Laterality",
                    "SeriesDescriptions", "NumberOfPriors", "NumberOfDisplaySets", "PatientSex")
#: Attributes a display-set selector's rule tests.
DISPLAY_SET_ATTRIBUTES = ("Modality", "SeriesDescription", "SeriesNumber", "BodyPartExamined", "Region",
                          "Orientation", "Oblique", "SliceThickness", "Contrast", "IsVolume", "IsImage",
                          "IsLocalizer", "Kind", "NumberOfImages", "NumberOfFrames", "ViewPosition",
                          "ImageLaterality", "ImageType")
CONSTRAINTS = tuple(c.value for c in Constraint)
ERROR_STYLE = "color: #b00020;"
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")

# -- rule values as text -------------------------------------------------------------------------


def _scalar_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = str(value)
    return f'"{text}"' if ("," in text or '"' in text) else text


def value_to_text(constraint: str, value: Any) -> str:
    """A rule's value as the editor shows it: lists comma-separated (items holding a comma in
    double quotes), a range as ``low .. high`` (blank = open), exists as true/false."""
    if constraint == Constraint.RANGE.value:
        low, high = (list(value) + [None, None])[:2] if isinstance(value, (list, tuple)) else (None, None)
        return f"{'' if low is None else _scalar_text(low)} .. {'' if high is None else _scalar_text(high)}"
    if constraint == Constraint.REGEX.value:
        return str(value)
    if isinstance(value, (list, tuple)):
        return ", ".join(_scalar_text(v) for v in value)
    return _scalar_text(value)


def _typed(text: str) -> Any:
    if text.lower() in ("true", "false"):
        return text.lower() == "true"
    if _NUMBER.match(text):
        number = float(text)
        return int(number) if number.is_integer() and "." not in text and "e" not in text.lower() else number
    return text


def text_to_value(constraint: str, text: str) -> Any:
    """The JSON value for a rule's text (the inverse of :func:`value_to_text`). Bad input is left
    for the schema to reject, so the sentence shown comes from one place."""
    text = text.strip()
    if constraint == Constraint.RANGE.value:
        parts = [p.strip() for p in (text.split("..", 1) if ".." in text else text.split(",", 1))]
        parts = (parts + [""])[:2]
        return [None if not p else _typed(p) for p in parts]
    if constraint == Constraint.EXISTS.value:
        return _typed(text) if text else True
    if constraint == Constraint.REGEX.value:
        return text
    items = [i.strip() for i in next(csv.reader([text], skipinitialspace=True), [])] if text else []
    if constraint == Constraint.EQUALS.value:
        values = [_typed(i) for i in items]
    else:
        values = list(items)
    if len(values) == 1:
        return values[0]
    return values if values else ""


# -- a table of rules ----------------------------------------------------------------------------


class RulesTable(QWidget):
    """Rules as rows: attribute, constraint, value, weight, required, not (negate)."""

    COLUMNS = (QT_TRANSLATE_NOOP("RulesTable", "Attribute"), QT_TRANSLATE_NOOP("RulesTable", "Constraint"),
               QT_TRANSLATE_NOOP("RulesTable", "Value"), QT_TRANSLATE_NOOP("RulesTable", "Weight"),
               QT_TRANSLATE_NOOP("RulesTable", "Required"), QT_TRANSLATE_NOOP("RulesTable", "Not"))

    def __init__(self, attributes: tuple[str, ...], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.attributes = attributes
        self.table = QTableWidget(0, len(self.COLUMNS))
        self.table.setHorizontalHeaderLabels([self.tr(c) for c in self.COLUMNS])
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.table.setColumnWidth(0, 180)
        self.table.setColumnWidth(1, 100)
        self.table.verticalHeader().setVisible(True)
        self._extra: list[dict[str, Any]] = []  # keys the table does not show (a rule's id)
        self.add_button = QPushButton(self.tr("Add rule"))
        self.remove_button = QPushButton(self.tr("Remove rule"))
        self.add_button.clicked.connect(lambda: self.add_rule())
        self.remove_button.clicked.connect(self.remove_selected)
        self.error = QLabel("")
        self.error.setStyleSheet(ERROR_STYLE)
        self.error.setWordWrap(True)
        self.error.setObjectName("rulesError")
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.table)
        layout.addLayout(buttons)
        layout.addWidget(self.error)

    def cell(self, row: int, column: str) -> Any:
        """The widget of ``column`` (a name from :data:`COLUMNS`) in ``row``."""
        return self.table.cellWidget(row, self.COLUMNS.index(column))

    def add_rule(self, rule: dict[str, Any] | None = None) -> int:
        rule = dict(rule or {"attribute": self.attributes[0], "constraint": {"equals": ""}, "weight": 1})
        row = self.table.rowCount()
        self.table.insertRow(row)
        attribute = QComboBox()
        attribute.setEditable(True)
        attribute.addItems(list(self.attributes))
        attribute.setCurrentText(str(rule.get("attribute", "")))
        constraint_box = QComboBox()
        constraint_box.addItems(list(CONSTRAINTS))
        constraint = rule.get("constraint") if isinstance(rule.get("constraint"), dict) else {}
        (kind, value), = (constraint.items() if constraint and len(constraint) == 1 else [("equals", "")])
        constraint_box.setCurrentText(str(kind))
        value_edit = QLineEdit(value_to_text(str(kind), value))
        value_edit.setPlaceholderText(self.tr("CT, MR  ·  AX*BRAIN*  ·  0 .. 5  ·  true"))
        weight = QDoubleSpinBox()
        weight.setRange(0.0, 1000.0)
        weight.setDecimals(1)
        raw_weight = rule.get("weight", 1)
        weight.setValue(float(raw_weight) if isinstance(raw_weight, (int, float)) else 1.0)
        required = QCheckBox()
        required.setChecked(bool(rule.get("required", False)))
        negate = QCheckBox()
        negate.setChecked(bool(rule.get("negate", False)))
        for column, widget in enumerate((attribute, constraint_box, value_edit, weight, required, negate)):
            self.table.setCellWidget(row, column, widget)
        self._extra.append({k: v for k, v in rule.items()
                            if k not in ("attribute", "constraint", "weight", "required", "negate")})
        return row

    def remove_selected(self) -> None:
        row = self.table.currentRow()
        if row < 0 and self.table.rowCount():
            row = self.table.rowCount() - 1
        if row >= 0:
            self.table.removeRow(row)
            del self._extra[row]

    def set_rules(self, rules: list[dict[str, Any]]) -> None:
        self.table.setRowCount(0)
        self._extra = []
        for rule in rules:
            self.add_rule(rule)
        self.show_error("", -1)

    def rules(self) -> list[dict[str, Any]]:
        out = []
        for row in range(self.table.rowCount()):
            kind = self.cell(row, "Constraint").currentText()
            rule: dict[str, Any] = dict(self._extra[row])
            rule.update({
                "attribute": self.cell(row, "Attribute").currentText().strip(),
                "constraint": {kind: text_to_value(kind, self.cell(row, "Value").text())},
                "weight": self.cell(row, "Weight").value(),
            })
            if self.cell(row, "Required").isChecked():
                rule["required"] = True
            if self.cell(row, "Not").isChecked():
                rule["negate"] = True
            out.append(rule)
        return out

    def show_error(self, sentence: str, row: int, column: str = "") -> None:
        self.error.setText(sentence)
        for r in range(self.table.rowCount()):
            for c in self.COLUMNS:
                widget = self.cell(r, c)
                if widget is not None:
                    widget.setStyleSheet("")
        if row >= 0 and row < self.table.rowCount():
            self.table.selectRow(row)
            widget = self.cell(row, column or "Value")
            if widget is not None:
                widget.setStyleSheet("border: 1px solid #b00020;")


def _error_label() -> QLabel:
    label = QLabel("")
    label.setStyleSheet(ERROR_STYLE)
    label.setWordWrap(True)
    return label


# -- field paths to sentences --------------------------------------------------------------------

_FIELD_NAMES = {
    "id": "The id", "name": "The name", "description": "The description", "number_of_priors": "The number of priors",
    "attribute": "The attribute", "weight": "The weight", "required": "Required", "negate": "Not",
    "constraint": "The constraint", "study": "The study", "rules": "The rules", "rows": "Rows",
    "columns": "Columns", "viewports": "The viewports", "sync_groups": "The sync groups",
    "min_viewports_matched": "Minimum viewports filled", "selector": "The display set", "view": "The view",
    "plane": "The plane", "preset": "The W/L preset", "position": "The initial image", "zoom": "The zoom",
    "patient_orientation": "The orientation", "justification": "The justification", "label": "The label",
    "match_index": "The match index", "scroll": "Scroll", "window": "W/L", "display_set_selectors": "The display sets",
    "stages": "The stages", "schema_version": "The schema version",
}
_RULE_COLUMN = {"attribute": "Attribute", "constraint": "Constraint", "weight": "Weight", "required": "Required",
                "negate": "Not"}


def _rule_column(field: str) -> str:
    """The rules-table column a schema error about a rule points at."""
    tail = field.rsplit("]", 1)[-1].strip(".")
    if tail.startswith("constraint.") or not tail:
        return "Value"
    return _RULE_COLUMN.get(tail.split(".", 1)[0], "Value")


def field_sentence(field: str, problem: str) -> str:
    """'The number of priors must be a whole number from 0 to 9.' for a schema error."""
    parts = [p for p in re.split(r"[.\[\]]+", field) if p and not p.isdigit()]
    last = parts[-1] if parts else ""
    if last in CONSTRAINTS:
        name = "The value"
    else:
        name = _FIELD_NAMES.get(last, "This field")
    problem = problem.rstrip(".")
    return f"{name} {problem}."


# -- the editor ----------------------------------------------------------------------------------


class ProtocolEditor(QDialog):
    """Edit one protocol (see the module docstring). ``saved`` carries the protocol written."""

    saved = Signal(object)
    #: A read-only (shipped) protocol's "Duplicate to edit" was pressed.
    duplicate_requested = Signal()

    VIEWPORT_COLUMNS = (QT_TRANSLATE_NOOP("ProtocolEditor", "Display set"), QT_TRANSLATE_NOOP("ProtocolEditor", "View"), QT_TRANSLATE_NOOP("ProtocolEditor", "Plane"), QT_TRANSLATE_NOOP("ProtocolEditor", "W/L preset"), QT_TRANSLATE_NOOP("ProtocolEditor", "Initial image"), QT_TRANSLATE_NOOP("ProtocolEditor", "Zoom"), QT_TRANSLATE_NOOP("ProtocolEditor", "Sync groups"), QT_TRANSLATE_NOOP("ProtocolEditor", "Orientation"), QT_TRANSLATE_NOOP("ProtocolEditor", "Justify"), QT_TRANSLATE_NOOP("ProtocolEditor", "Label"), QT_TRANSLATE_NOOP("ProtocolEditor", "Required"))

    def __init__(self, protocol: Protocol | dict[str, Any], *, user_dir: Path | None = None, read_only: bool = False,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.user_dir = user_dir
        self.read_only = read_only
        if isinstance(protocol, Protocol):
            self.original_path = Path(protocol.path) if protocol.source == "user" and protocol.path else None
            self._data = protocol_to_dict(protocol)
        else:
            self.original_path = None
            self._data = copy.deepcopy(protocol)
        self._data.setdefault("display_set_selectors", {})
        self._data.setdefault("stages", [])
        self._data.setdefault("protocol_matching_rules", [])
        self.saved_path: Path | None = None
        self.setWindowTitle((self.tr("View hanging protocol") if read_only else self.tr("Edit hanging protocol")) + f" — {self._data.get('name', '')}")
        self.resize(1100, 720)
        self._selector_key = ""
        self._stage_index = -1
        self._viewport_extra: list[dict[str, Any]] = []

        # -- protocol -------------------------------------------------------------------------
        self.name_edit = QLineEdit(str(self._data.get("name", "")))
        self.id_edit = QLineEdit(str(self._data.get("id", "")))
        self.description_edit = QLineEdit(str(self._data.get("description", "")))
        self.priors_spin = QSpinBox()
        self.priors_spin.setRange(0, 9)
        self.priors_spin.setValue(int(self._data.get("number_of_priors", 0) or 0))
        self.priors_spin.setToolTip(self.tr("How many priors the protocol compares with (they are prefetched)"))
        self.name_error, self.id_error, self.description_error, self.priors_error = (
            _error_label(), _error_label(), _error_label(), _error_label())
        head = QGridLayout()
        for row, (label, widget, error) in enumerate((
                (self.tr("Name"), self.name_edit, self.name_error), (self.tr("Id (file name)"), self.id_edit, self.id_error),
                (self.tr("Description"), self.description_edit, self.description_error),
                (self.tr("Number of priors"), self.priors_spin, self.priors_error))):
            head.addWidget(QLabel(label), row, 0)
            head.addWidget(widget, row, 1)
            head.addWidget(error, row, 2)
        head.setColumnStretch(1, 2)
        head.setColumnStretch(2, 1)

        self.tabs = QTabWidget()
        # -- protocol matching rules ---------------------------------------------------------
        self.protocol_rules = RulesTable(STUDY_ATTRIBUTES)
        self.protocol_rules.setObjectName("protocolRules")
        self.protocol_rules.set_rules(list(self._data["protocol_matching_rules"]))
        rules_page = QWidget()
        rules_layout = QVBoxLayout(rules_page)
        rules_layout.addWidget(QLabel(self.tr("When does this protocol apply? Rules tested on the current study; a failed "
                                      "required rule rules the protocol out, the others add their weight.")))
        rules_layout.addWidget(self.protocol_rules)
        self.tabs.addTab(rules_page, self.tr("Protocol rules"))

        # -- display-set selectors -----------------------------------------------------------
        self.selector_list = QListWidget()
        self.selector_list.setMaximumWidth(220)
        self.selector_id_edit = QLineEdit()
        self.selector_study_spin = QSpinBox()
        self.selector_study_spin.setRange(0, 9)
        self.selector_study_spin.setToolTip(self.tr("0 = the current study, 1 = the best prior, 2 = the next..."))
        self.selector_rules = RulesTable(DISPLAY_SET_ATTRIBUTES)
        self.selector_rules.setObjectName("selectorRules")
        self.selector_error = _error_label()
        self.add_selector_button = QPushButton(self.tr("Add display set"))
        self.remove_selector_button = QPushButton(self.tr("Remove display set"))
        self.add_selector_button.clicked.connect(lambda: self.add_selector())
        self.remove_selector_button.clicked.connect(self.remove_selector)
        left = QVBoxLayout()
        left.addWidget(self.selector_list)
        left.addWidget(self.add_selector_button)
        left.addWidget(self.remove_selector_button)
        right_form = QFormLayout()
        right_form.addRow(self.tr("Display set id"), self.selector_id_edit)
        right_form.addRow(self.tr("Study (0 current, n prior)"), self.selector_study_spin)
        right = QVBoxLayout()
        right.addLayout(right_form)
        right.addWidget(self.selector_error)
        right.addWidget(self.selector_rules)
        selectors_page = QWidget()
        selectors_layout = QHBoxLayout(selectors_page)
        selectors_layout.addLayout(left)
        selectors_layout.addLayout(right, 1)
        self.tabs.addTab(selectors_page, self.tr("Display sets"))
        self.selector_list.currentTextChanged.connect(self._switch_selector)
        self.selector_id_edit.editingFinished.connect(self._rename_selector)

        # -- stages and viewports ------------------------------------------------------------
        self.stage_box = QComboBox()
        self.add_stage_button = QPushButton(self.tr("Add stage"))
        self.remove_stage_button = QPushButton(self.tr("Remove stage"))
        self.add_stage_button.clicked.connect(lambda: self.add_stage())
        self.remove_stage_button.clicked.connect(self.remove_stage)
        self.stage_name_edit = QLineEdit()
        self.rows_spin, self.columns_spin, self.min_filled_spin = QSpinBox(), QSpinBox(), QSpinBox()
        self.rows_spin.setRange(1, MAX_GRID)
        self.columns_spin.setRange(1, MAX_GRID)
        self.min_filled_spin.setRange(0, MAX_GRID * MAX_GRID)
        self.stage_error = _error_label()
        self.sync_table = QTableWidget(0, 4)
        self.sync_table.setHorizontalHeaderLabels((self.tr("Sync group"), self.tr("Scroll"), "W/L", self.tr("Zoom")))
        self.sync_table.setMaximumHeight(120)
        self.add_sync_button = QPushButton(self.tr("Add sync group"))
        self.remove_sync_button = QPushButton(self.tr("Remove sync group"))
        self.add_sync_button.clicked.connect(lambda: self.add_sync_group())
        self.remove_sync_button.clicked.connect(lambda: self._remove_row(self.sync_table))
        self.viewport_table = QTableWidget(0, len(self.VIEWPORT_COLUMNS))
        self.viewport_table.setHorizontalHeaderLabels([self.tr(c) for c in self.VIEWPORT_COLUMNS])
        self.viewport_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.viewport_table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.add_viewport_button = QPushButton(self.tr("Add viewport"))
        self.remove_viewport_button = QPushButton(self.tr("Remove viewport"))
        self.add_viewport_button.clicked.connect(lambda: self.add_viewport())
        self.remove_viewport_button.clicked.connect(self._remove_viewport)
        stage_bar = QHBoxLayout()
        stage_bar.addWidget(QLabel(self.tr("Stage")))
        stage_bar.addWidget(self.stage_box, 1)
        stage_bar.addWidget(self.add_stage_button)
        stage_bar.addWidget(self.remove_stage_button)
        stage_form = QHBoxLayout()
        for label, widget in ((self.tr("Name"), self.stage_name_edit), (self.tr("Rows"), self.rows_spin), (self.tr("Columns"), self.columns_spin),
                              (self.tr("Min. viewports filled"), self.min_filled_spin)):
            stage_form.addWidget(QLabel(label))
            stage_form.addWidget(widget, 2 if widget is self.stage_name_edit else 0)
        sync_buttons = QHBoxLayout()
        sync_buttons.addWidget(self.add_sync_button)
        sync_buttons.addWidget(self.remove_sync_button)
        sync_buttons.addStretch(1)
        viewport_buttons = QHBoxLayout()
        viewport_buttons.addWidget(self.add_viewport_button)
        viewport_buttons.addWidget(self.remove_viewport_button)
        viewport_buttons.addStretch(1)
        self.viewport_error = _error_label()
        stages_page = QWidget()
        stages_layout = QVBoxLayout(stages_page)
        stages_layout.addLayout(stage_bar)
        stages_layout.addLayout(stage_form)
        stages_layout.addWidget(self.stage_error)
        stages_layout.addWidget(QLabel(self.tr("Sync groups (viewports in a group scroll / window / zoom together)")))
        stages_layout.addWidget(self.sync_table)
        stages_layout.addLayout(sync_buttons)
        stages_layout.addWidget(QLabel(self.tr("Viewports, filled row by row")))
        stages_layout.addWidget(self.viewport_table, 1)
        stages_layout.addLayout(viewport_buttons)
        stages_layout.addWidget(self.viewport_error)
        self.tabs.addTab(stages_page, self.tr("Stages and viewports"))
        self.stage_box.currentIndexChanged.connect(self._switch_stage)
        self.tabs.currentChanged.connect(lambda _i: self._refresh_selector_choices())

        # -- buttons --------------------------------------------------------------------------
        self.general_error = _error_label()
        self.general_error.setObjectName("generalError")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.buttons.accepted.connect(lambda: self.save())
        self.buttons.rejected.connect(self.reject)
        self.duplicate_button: QPushButton | None = None
        if read_only:
            self.save_button.setEnabled(False)
            self.save_button.setToolTip(self.tr("Shipped protocols are read-only: duplicate it to make your own version."))
            self.duplicate_button = self.buttons.addButton(self.tr("Duplicate to edit"), QDialogButtonBox.ButtonRole.ActionRole)
            self.duplicate_button.clicked.connect(self.duplicate_requested.emit)
        layout = QVBoxLayout(self)
        if read_only:
            note = QLabel(self.tr("This protocol is shipped with the workstation and is read-only; duplicate it to change it."))
            note.setStyleSheet("font-weight: bold;")
            layout.addWidget(note)
        layout.addLayout(head)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.general_error)
        layout.addWidget(self.buttons)

        for button in self.findChildren(QPushButton):  # Return in a field must not save or add rows
            button.setAutoDefault(False)
            button.setDefault(False)
        for key in self._data["display_set_selectors"]:
            self.selector_list.addItem(key)
        if self.selector_list.count():
            self.selector_list.setCurrentRow(0)
        for index, stage in enumerate(self._data["stages"]):
            self.stage_box.addItem(self._stage_title(index, stage))
        if self.stage_box.count():
            self.stage_box.setCurrentIndex(0)
        self._lock_if_read_only()

    def _lock_if_read_only(self) -> None:
        """A shipped protocol is shown, not edited: fields read-only, editing buttons off; the
        display-set list, the stage choice, Duplicate and Cancel still work."""
        if not self.read_only or not hasattr(self, "buttons"):
            return
        keep = {self.stage_box, self.duplicate_button, self.buttons.button(QDialogButtonBox.StandardButton.Cancel)}
        for edit in self.findChildren(QLineEdit):
            if edit.parent() is not self.stage_box:  # the combo box's own line edit, if any
                edit.setReadOnly(True)
        for widget in (*self.findChildren(QComboBox), *self.findChildren(QSpinBox), *self.findChildren(QDoubleSpinBox),
                       *self.findChildren(QCheckBox), *self.findChildren(QPushButton)):
            if widget not in keep:
                widget.setEnabled(False)
        for table in self.findChildren(QTableWidget):
            table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt's name
        """Return in a field finishes that field; it does not save the protocol (use Save)."""
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            event.accept()
            return
        super().keyPressEvent(event)

    # -- selectors -------------------------------------------------------------------------------

    def _commit_selector(self) -> None:
        key = self._selector_key
        selectors = self._data["display_set_selectors"]
        if key and key in selectors:
            entry = selectors[key] if isinstance(selectors[key], dict) else {}
            entry["study"] = self.selector_study_spin.value()
            entry["rules"] = self.selector_rules.rules()
            selectors[key] = entry

    def _switch_selector(self, key: str) -> None:
        self._commit_selector()
        self._selector_key = key
        entry = self._data["display_set_selectors"].get(key, {}) if key else {}
        self.selector_id_edit.setText(key)
        study = entry.get("study", 0) if isinstance(entry, dict) else 0
        self.selector_study_spin.setValue(study if isinstance(study, int) and not isinstance(study, bool) else 0)
        self.selector_rules.set_rules(list(entry.get("rules", [])) if isinstance(entry, dict) else [])
        self.selector_error.setText("")
        self._lock_if_read_only()

    def select_selector(self, key: str) -> None:
        items = self.selector_list.findItems(key, Qt.MatchFlag.MatchExactly)
        if items:
            self.selector_list.setCurrentItem(items[0])

    def add_selector(self, key: str = "", study: int = 0) -> str:
        self._commit_selector()
        selectors = self._data["display_set_selectors"]
        if not key:
            n = len(selectors) + 1
            while f"display-set-{n}" in selectors:
                n += 1
            key = f"display-set-{n}"
        selectors[key] = {"study": study, "rules": [
            {"attribute": "Modality", "constraint": {"equals": ""}, "weight": 0, "required": True}]}
        self.selector_list.addItem(key)
        self.select_selector(key)
        return key

    def remove_selector(self) -> None:
        key = self._selector_key
        if not key:
            return
        self._data["display_set_selectors"].pop(key, None)
        self._selector_key = ""
        row = self.selector_list.currentRow()
        self.selector_list.takeItem(row)

    def _rename_selector(self) -> None:
        old, new = self._selector_key, self.selector_id_edit.text().strip()
        if not old or not new or new == old:
            return
        selectors = self._data["display_set_selectors"]
        if new in selectors:
            self.selector_error.setText(self.tr("Another display set already has this id; choose another."))
            return
        self._commit_selector()
        selectors = {new if k == old else k: v for k, v in selectors.items()}
        self._data["display_set_selectors"] = selectors
        self._commit_stage()
        for stage in self._data["stages"]:
            for port in stage.get("viewports", []) if isinstance(stage, dict) else []:
                if isinstance(port, dict) and port.get("selector") == old:
                    port["selector"] = new
        self._selector_key = new
        item = self.selector_list.currentItem()
        if item is not None:
            self.selector_list.blockSignals(True)
            item.setText(new)
            self.selector_list.blockSignals(False)
        self._load_stage(self._stage_index)

    def _refresh_selector_choices(self) -> None:
        keys = list(self._data["display_set_selectors"])
        for row in range(self.viewport_table.rowCount()):
            box = self.viewport_cell(row, "Display set")
            current = box.currentText()
            box.blockSignals(True)
            box.clear()
            box.addItems(keys)
            box.setCurrentText(current)
            box.blockSignals(False)

    # -- stages ----------------------------------------------------------------------------------

    @staticmethod
    def _stage_title(index: int, stage: Any) -> str:
        name = stage.get("name", "") if isinstance(stage, dict) else ""
        return f"{index + 1}. {name}"

    def _commit_stage(self) -> None:
        index = self._stage_index
        stages = self._data["stages"]
        if not 0 <= index < len(stages):
            return
        stage = stages[index] if isinstance(stages[index], dict) else {}
        stage["name"] = self.stage_name_edit.text()
        stage["rows"] = self.rows_spin.value()
        stage["columns"] = self.columns_spin.value()
        stage["min_viewports_matched"] = self.min_filled_spin.value()
        groups = []
        for row in range(self.sync_table.rowCount()):
            cells: list[Any] = [self.sync_table.cellWidget(row, c) for c in range(4)]
            groups.append({"id": cells[0].text().strip(), "scroll": cells[1].isChecked(),
                           "window": cells[2].isChecked(), "zoom": cells[3].isChecked()})
        stage["sync_groups"] = groups
        stage["viewports"] = [self._viewport_from_row(row) for row in range(self.viewport_table.rowCount())]
        stages[index] = stage
        self.stage_box.setItemText(index, self._stage_title(index, stage))

    def _load_stage(self, index: int) -> None:
        self._stage_index = index
        self.sync_table.setRowCount(0)
        self.viewport_table.setRowCount(0)
        self._viewport_extra = []
        stages = self._data["stages"]
        if not 0 <= index < len(stages):
            return
        stage = stages[index] if isinstance(stages[index], dict) else {}
        self.stage_name_edit.setText(str(stage.get("name", "")))
        for spin, key, default in ((self.rows_spin, "rows", 1), (self.columns_spin, "columns", 1),
                                   (self.min_filled_spin, "min_viewports_matched", 1)):
            value = stage.get(key, default)
            spin.setValue(value if isinstance(value, int) and not isinstance(value, bool) else default)
        for group in stage.get("sync_groups", []):
            self.add_sync_group(group if isinstance(group, dict) else {})
        for port in stage.get("viewports", []):
            self.add_viewport(port if isinstance(port, dict) else {})
        self.stage_error.setText("")
        self.viewport_error.setText("")

    def _switch_stage(self, index: int) -> None:
        self._commit_stage()
        self._load_stage(index)
        self._lock_if_read_only()

    def add_stage(self, name: str = "") -> int:
        self._commit_stage()
        stages = self._data["stages"]
        first = next(iter(self._data["display_set_selectors"]), "")
        stages.append({"name": name or self.tr("Stage {0}").format(len(stages) + 1), "rows": 1, "columns": 1, "min_viewports_matched": 1,
                       "sync_groups": [], "viewports": [{"selector": first}] if first else []})
        self._stage_index = -1  # nothing to commit when the box moves
        self.stage_box.addItem(self._stage_title(len(stages) - 1, stages[-1]))
        self.stage_box.setCurrentIndex(len(stages) - 1)
        return len(stages) - 1

    def remove_stage(self) -> None:
        index = self._stage_index
        if not 0 <= index < len(self._data["stages"]):
            return
        del self._data["stages"][index]
        self._stage_index = -1
        self.stage_box.blockSignals(True)
        self.stage_box.clear()
        for i, stage in enumerate(self._data["stages"]):
            self.stage_box.addItem(self._stage_title(i, stage))
        self.stage_box.blockSignals(False)
        if self._data["stages"]:
            self.stage_box.setCurrentIndex(max(0, index - 1))
            self._load_stage(self.stage_box.currentIndex())
        else:
            self._load_stage(-1)

    def add_sync_group(self, group: dict[str, Any] | None = None) -> int:
        group = group or {"id": f"group-{self.sync_table.rowCount() + 1}", "scroll": True}
        row = self.sync_table.rowCount()
        self.sync_table.insertRow(row)
        self.sync_table.setCellWidget(row, 0, QLineEdit(str(group.get("id", ""))))
        for column, key, default in ((1, "scroll", True), (2, "window", False), (3, "zoom", False)):
            box = QCheckBox()
            box.setChecked(bool(group.get(key, default)))
            self.sync_table.setCellWidget(row, column, box)
        return row

    @staticmethod
    def _remove_row(table: QTableWidget) -> None:
        row = table.currentRow() if table.currentRow() >= 0 else table.rowCount() - 1
        if row >= 0:
            table.removeRow(row)

    def viewport_cell(self, row: int, column: str) -> Any:
        """The widget of ``column`` (from :data:`VIEWPORT_COLUMNS`) for viewport ``row``."""
        return self.viewport_table.cellWidget(row, self.VIEWPORT_COLUMNS.index(column))

    def add_viewport(self, port: dict[str, Any] | None = None) -> int:
        port = dict(port or {"selector": next(iter(self._data["display_set_selectors"]), "")})
        row = self.viewport_table.rowCount()
        self.viewport_table.insertRow(row)
        selector = QComboBox()
        selector.setEditable(True)
        selector.addItems(list(self._data["display_set_selectors"]))
        selector.setCurrentText(str(port.get("selector", "")))
        view = QComboBox()
        view.addItems([v.value for v in View])
        view.setCurrentText(str(port.get("view", "2D")).upper())
        plane = QComboBox()
        plane.addItems(["", *PLANES])
        plane.setCurrentText(str(port.get("plane", "")))
        preset = QComboBox()
        preset.setEditable(True)
        preset.addItems(["", *[p.name for p in CT_PRESETS]])
        preset.setCurrentText(str(port.get("preset", "")))
        preset.setToolTip(self.tr("A window/level preset name; empty = the image's own window"))
        position = QComboBox()
        position.addItems([p.value for p in Position])
        position.setCurrentText(str(port.get("position", "first")))
        zoom = QDoubleSpinBox()
        zoom.setRange(MIN_ZOOM, MAX_ZOOM)
        zoom.setDecimals(2)
        raw_zoom = port.get("zoom", 1.0)
        zoom.setValue(float(raw_zoom) if isinstance(raw_zoom, (int, float)) and not isinstance(raw_zoom, bool) else 1.0)
        sync = QLineEdit(", ".join(str(g) for g in port.get("sync_groups", []) if isinstance(g, str)))
        sync.setPlaceholderText(self.tr("group ids, comma-separated"))
        orientation = QLineEdit(str(port.get("patient_orientation", "")))
        orientation.setPlaceholderText(self.tr("e.g. P or P\\L"))
        justify = QComboBox()
        justify.addItems(list(JUSTIFICATIONS))
        justify.setCurrentText(str(port.get("justification", "center")))
        label = QLineEdit(str(port.get("label", "")))
        required = QCheckBox()
        required.setChecked(bool(port.get("required", False)))
        for column, widget in enumerate((selector, view, plane, preset, position, zoom, sync, orientation, justify,
                                         label, required)):
            self.viewport_table.setCellWidget(row, column, widget)
        self._viewport_extra.append({k: v for k, v in port.items() if k in ("match_index", "colormap", "fuse")})
        return row

    def _remove_viewport(self) -> None:
        row = self.viewport_table.currentRow() if self.viewport_table.currentRow() >= 0 else self.viewport_table.rowCount() - 1
        if row >= 0:
            self.viewport_table.removeRow(row)
            del self._viewport_extra[row]

    def _viewport_from_row(self, row: int) -> dict[str, Any]:
        port: dict[str, Any] = dict(self._viewport_extra[row])
        port["selector"] = self.viewport_cell(row, "Display set").currentText().strip()
        port["view"] = self.viewport_cell(row, "View").currentText()
        port["position"] = self.viewport_cell(row, "Initial image").currentText()
        port["zoom"] = self.viewport_cell(row, "Zoom").value()
        for column, key in (("Plane", "plane"), ("W/L preset", "preset"), ("Justify", "justification")):
            text = self.viewport_cell(row, column).currentText().strip()
            if text and not (key == "justification" and text == "center"):
                port[key] = text
        for column, key in (("Orientation", "patient_orientation"), ("Label", "label")):
            text = self.viewport_cell(row, column).text().strip()
            if text:
                port[key] = text
        groups = [g.strip() for g in self.viewport_cell(row, "Sync groups").text().split(",") if g.strip()]
        if groups:
            port["sync_groups"] = groups
        if self.viewport_cell(row, "Required").isChecked():
            port["required"] = True
        return port

    # -- the whole protocol ----------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """The protocol as the widgets say now, in its JSON form (not validated)."""
        self._commit_selector()
        self._commit_stage()
        data = copy.deepcopy(self._data)
        data["name"] = self.name_edit.text().strip()
        data["id"] = self.id_edit.text().strip()
        data["description"] = self.description_edit.text().strip()
        data["number_of_priors"] = self.priors_spin.value()
        data["protocol_matching_rules"] = self.protocol_rules.rules()
        return data

    def clear_errors(self) -> None:
        for label in (self.name_error, self.id_error, self.description_error, self.priors_error, self.selector_error,
                      self.stage_error, self.viewport_error, self.general_error):
            label.setText("")
        for widget in (self.name_edit, self.id_edit, self.description_edit, self.priors_spin):
            widget.setStyleSheet("")
        self.protocol_rules.show_error("", -1)
        self.selector_rules.show_error("", -1)

    def show_error(self, field: str, problem: str) -> QLabel:
        """Put the sentence for a schema error beside its field (switching tab, selector or stage
        as needed); returns the label that shows it."""
        sentence = field_sentence(field, problem)
        top = {"name": (self.name_edit, self.name_error), "id": (self.id_edit, self.id_error),
               "description": (self.description_edit, self.description_error),
               "number_of_priors": (self.priors_spin, self.priors_error)}
        head = field.split(".", 1)[0].split("[", 1)[0]
        if head in top:
            widget, label = top[head]
            widget.setStyleSheet("border: 1px solid #b00020;")
            label.setText(sentence)
            return label
        rule = re.match(r"^protocol_matching_rules\[(\d+)\](?:\.(\w+))?", field)
        if rule:
            self.tabs.setCurrentIndex(0)
            self.protocol_rules.show_error(self.tr("Rule {0}: {1}").format(int(rule.group(1)) + 1, sentence), int(rule.group(1)),
                                           _rule_column(field))
            return self.protocol_rules.error
        selector = re.match(r"^display_set_selectors\.([^.\[]+)(?:\.rules\[(\d+)\](?:\.(\w+))?|\.(\w+))?", field)
        if selector:
            self.tabs.setCurrentIndex(1)
            self.select_selector(selector.group(1))
            if selector.group(2) is not None:
                self.selector_rules.show_error(self.tr("Rule {0}: {1}").format(int(selector.group(2)) + 1, sentence), int(selector.group(2)),
                                               _rule_column(field))
                return self.selector_rules.error
            self.selector_error.setText(sentence)
            return self.selector_error
        if head == "display_set_selectors":
            self.tabs.setCurrentIndex(1)
            self.selector_error.setText(sentence)
            return self.selector_error
        stage = re.match(r"^stages\[(\d+)\](?:\.viewports\[(\d+)\])?", field)
        if stage:
            self.tabs.setCurrentIndex(2)
            self.stage_box.setCurrentIndex(int(stage.group(1)))
            if stage.group(2) is not None:
                row = int(stage.group(2))
                self.viewport_table.selectRow(row)
                self.viewport_error.setText(self.tr("Viewport {0}: {1}").format(row + 1, sentence))
                return self.viewport_error
            self.stage_error.setText(sentence)
            return self.stage_error
        if head == "stages":
            self.tabs.setCurrentIndex(2)
            self.stage_error.setText(sentence)
            return self.stage_error
        self.general_error.setText(sentence)
        return self.general_error

    def validate(self) -> Protocol | None:
        """The protocol the widgets describe, or None with the problem shown beside its field."""
        self.clear_errors()
        data = self.to_dict()
        try:
            return protocol_from_dict(data, path=f"{data.get('id') or 'protocol'}.json", source="user")
        except ProtocolFieldError as exc:
            self.show_error(exc.field, exc.problem)
        except HangingProtocolError as exc:
            self.general_error.setText(str(exc))
        return None

    def save(self) -> Path | None:
        """Validate and write into the user's protocol folder; None (with the reason shown) if not."""
        if self.read_only:
            self.general_error.setText(self.tr("Shipped protocols are read-only: duplicate it to make your own version."))
            return None
        protocol = self.validate()
        if protocol is None:
            return None
        folder = self.user_dir or user_folder()
        target = folder / f"{protocol.id}.json"
        original = self.original_path
        if target.exists() and (original is None or target.resolve() != original.resolve()):
            self.show_error("id", self.tr("is already the id of another of your protocols; choose another"))
            return None
        try:
            path = save_user_protocol(protocol, folder)
        except (HangingProtocolError, OSError) as exc:
            self.general_error.setText(str(exc) if isinstance(exc, HangingProtocolError)
                                       else self.tr("Could not write the protocol into {0}; check the folder's permissions.").format(folder))
            return None
        if original is not None and original.resolve() != path.resolve() and original.exists():
            original.unlink()  # the id changed: the file follows it
        self.original_path = path
        self.saved_path = path
        self.saved.emit(protocol)
        self.accept()
        return path


# -- the list of protocols -----------------------------------------------------------------------


def _unique_copy_id(base: str, taken: set[str]) -> str:
    stem = re.sub(r"-copy\d*$", "", base)[:56]
    n = 1
    while (candidate := f"{stem}-copy" + ("" if n == 1 else str(n))) in taken:
        n += 1
    return candidate


class ProtocolLibrary(QDialog):
    """Shipped and user protocols: edit, duplicate or delete yours; view and duplicate shipped ones.
    ``changed`` fires after a protocol is saved or deleted (the bridge reloads its protocols)."""

    changed = Signal()

    def __init__(self, user_dir: Path | None = None, parent: QWidget | None = None,
                 confirm: Callable[[str], bool] | None = None) -> None:
        super().__init__(parent)
        self.user_dir = user_dir
        self.confirm = confirm or self._ask
        self.setWindowTitle(self.tr("Hanging protocols"))
        self.resize(760, 480)
        self.protocols: list[Protocol] = []
        self.table = QTableWidget(0, 3)
        self.table.setHorizontalHeaderLabels((self.tr("Name"), self.tr("Id"), self.tr("Source")))
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        self.table.verticalHeader().setVisible(False)
        self.problems = _error_label()
        self.edit_button = QPushButton(self.tr("Edit"))
        self.duplicate_button = QPushButton(self.tr("Duplicate"))
        self.delete_button = QPushButton(self.tr("Delete"))
        close = QPushButton(self.tr("Close"))
        self.edit_button.clicked.connect(lambda: self.edit())
        self.duplicate_button.clicked.connect(lambda: self.duplicate())
        self.delete_button.clicked.connect(lambda: self.delete())
        close.clicked.connect(self.accept)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self.table.doubleClicked.connect(lambda _i: self.edit())
        buttons = QHBoxLayout()
        for button in (self.edit_button, self.duplicate_button, self.delete_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.problems)
        layout.addLayout(buttons)
        self.editor: ProtocolEditor | None = None
        self.refresh()

    def refresh(self) -> None:
        """Read the shipped and user folders again (a broken user file is named, not fatal)."""
        shipped = load_shipped_protocols()
        mine, errors = scan_user_protocols(self.user_dir)
        mine_ids = {p.id for p in mine}
        self.protocols = mine + [p for p in shipped]
        self.table.setRowCount(0)
        for protocol in self.protocols:
            row = self.table.rowCount()
            self.table.insertRow(row)
            if protocol.source == "user":
                source = self.tr("yours (replaces the shipped one)") if any(s.id == protocol.id for s in shipped) else self.tr("yours")
            else:
                source = self.tr("shipped (replaced by yours)") if protocol.id in mine_ids else self.tr("shipped, read-only")
            name = core_text(protocol.name) if protocol.source != "user" else protocol.name  # shipped: translated
            for column, text in enumerate((name, protocol.id, source)):
                self.table.setItem(row, column, QTableWidgetItem(text))
        self.problems.setText("\n".join(str(e) for e in errors))
        if self.protocols:
            self.table.selectRow(0)
        self._update_buttons()

    def row_of(self, protocol_id: str, source: str | None = None) -> int:
        for row, protocol in enumerate(self.protocols):
            if protocol.id == protocol_id and (source is None or protocol.source == source):
                return row
        return -1

    def selected(self) -> Protocol | None:
        row = self.table.currentRow()
        return self.protocols[row] if 0 <= row < len(self.protocols) else None

    def _update_buttons(self) -> None:
        protocol = self.selected()
        mine = protocol is not None and protocol.source == "user"
        self.edit_button.setText(self.tr("Edit") if mine or protocol is None else self.tr("View"))
        self.edit_button.setEnabled(protocol is not None)
        self.duplicate_button.setEnabled(protocol is not None)
        self.delete_button.setEnabled(mine)

    def _open(self, editor: ProtocolEditor) -> ProtocolEditor:
        editor.saved.connect(self._saved)
        editor.duplicate_requested.connect(lambda: self._duplicate_from(editor))
        self.editor = editor
        editor.open()
        return editor

    def _duplicate_from(self, viewer: ProtocolEditor) -> None:
        viewer.reject()
        self.duplicate()

    def _saved(self, _protocol: object) -> None:
        self.refresh()
        self.changed.emit()

    def edit(self, row: int | None = None) -> ProtocolEditor | None:
        """Open the selected protocol: editable when it is yours, read-only when shipped."""
        if row is not None:
            self.table.selectRow(row)
        protocol = self.selected()
        if protocol is None:
            return None
        return self._open(ProtocolEditor(protocol, user_dir=self.user_dir, read_only=protocol.source != "user", parent=self))

    def duplicate(self, row: int | None = None) -> ProtocolEditor | None:
        """An editable copy of the selected protocol (new id, name '... (copy)'), not saved until Save."""
        if row is not None:
            self.table.selectRow(row)
        protocol = self.selected()
        if protocol is None:
            return None
        data = protocol_to_dict(protocol)
        data["id"] = _unique_copy_id(protocol.id, {p.id for p in self.protocols})
        data["name"] = f"{protocol.name} (copy)"
        return self._open(ProtocolEditor(data, user_dir=self.user_dir, parent=self))

    def delete(self, row: int | None = None) -> bool:
        """Delete the selected user protocol after asking; shipped ones cannot be deleted."""
        if row is not None:
            self.table.selectRow(row)
        protocol = self.selected()
        if protocol is None or protocol.source != "user":
            return False
        if not self.confirm(self.tr("Delete your hanging protocol '{0}'?").format(protocol.name)):
            return False
        try:
            delete_user_protocol(protocol, self.user_dir)
        except HangingProtocolError as exc:
            self.problems.setText(str(exc))
            return False
        self.refresh()
        self.changed.emit()
        return True

    def _ask(self, question: str) -> bool:
        answer = QMessageBox.question(self, self.tr("Delete protocol"), question)
        return answer == QMessageBox.StandardButton.Yes


__all__ = [
    "CONSTRAINTS",
    "DISPLAY_SET_ATTRIBUTES",
    "STUDY_ATTRIBUTES",
    "ProtocolEditor",
    "ProtocolLibrary",
    "RulesTable",
    "field_sentence",
    "text_to_value",
    "value_to_text",
]
