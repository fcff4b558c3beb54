"""The worklist: search the archive or the local library and open a study.

Filters are those of a DICOM worklist query (PS3.4 C.6.2.1): patient name with wildcards, patient
ID, accession number, study date range with quick choices, modality, study description. Searching
runs in the background; the table stays usable while the archive answers.

The "Report" column shows each study's report status as the RIS holds it (FHIR R4
DiagnosticReport.status: preliminary, final, amended, appended; "none" when it has no report),
searched by accession number in the background after each search
(:func:`workstation.report.delivery.fhir.report_statuses`). With no RIS configured the column stays
empty and its tooltip says so; an unreachable RIS adds one sentence to the status line.

A study whose local copy is incomplete (a pull cut off half-way, or damaged copies) says so in its
"Images" and "Origin" cells ("16 of 28", "library (incomplete)"), in a warning colour, with the
tooltip "Incomplete: 16 of 28 images, pull again." (:meth:`StudySummary.completeness_note`).

The "QC" column shows the QC state this workstation recorded (errors, warnings, passed).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import (
    QCoreApplication,
    QDate,
    QSortFilterProxyModel,
    Qt,
    Signal,
)
from PySide6.QtGui import (
    QBrush,
    QColor,
    QKeyEvent,
    QKeySequence,
    QShortcut,
    QStandardItem,
    QStandardItemModel,
)
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from workstation.errors import WorkstationError
from workstation.model.entities import ARCHIVE, LIBRARY, StudySummary
from workstation.model.query import StudyQuery
from workstation.report.delivery.fhir import NO_REPORT, FhirClient, report_statuses
from workstation.report.delivery.profile import RisProfile, load_ris_profile
from workstation.ui import tasks
from workstation.ui.i18n import QT_TRANSLATE_NOOP, format_dicom_date

COLUMNS = (
    QT_TRANSLATE_NOOP("WorklistWidget", "Patient"), QT_TRANSLATE_NOOP("WorklistWidget", "Patient ID"), QT_TRANSLATE_NOOP("WorklistWidget", "Birth date"), QT_TRANSLATE_NOOP("WorklistWidget", "Sex"), QT_TRANSLATE_NOOP("WorklistWidget", "Study date"), QT_TRANSLATE_NOOP("WorklistWidget", "Modality"), QT_TRANSLATE_NOOP("WorklistWidget", "Description"),
    QT_TRANSLATE_NOOP("WorklistWidget", "Accession"), QT_TRANSLATE_NOOP("WorklistWidget", "Images"), QT_TRANSLATE_NOOP("WorklistWidget", "Origin"), QT_TRANSLATE_NOOP("WorklistWidget", "Report"), QT_TRANSLATE_NOOP("WorklistWidget", "QC"),
)
REPORT_COLUMN = COLUMNS.index("Report")
QC_COLUMN = COLUMNS.index("QC")
#: QC states as the worklist shows them: (text, colour); nothing for a study never checked.
QC_LOOK = {"errors": (QT_TRANSLATE_NOOP("WorklistWidget", "QC errors"), "#ff5a5a"), "warnings": (QT_TRANSLATE_NOOP("WorklistWidget", "QC warnings"), "#e0a030"), "passed": (QT_TRANSLATE_NOOP("WorklistWidget", "QC passed"), "#50c070")}
NO_RIS_TIP = QT_TRANSLATE_NOOP("WorklistWidget", "No RIS is configured: add its FHIR URL in the settings to see report status here.")
NO_ACCESSION_TIP = QT_TRANSLATE_NOOP("WorklistWidget", "This study has no accession number, so its report cannot be looked up.")
REPORT_LABELS = {NO_REPORT: QT_TRANSLATE_NOOP("WorklistWidget", "No report"), "preliminary": QT_TRANSLATE_NOOP("WorklistWidget", "Preliminary"), "final": QT_TRANSLATE_NOOP("WorklistWidget", "Final"),
                 "amended": QT_TRANSLATE_NOOP("WorklistWidget", "Amended"), "corrected": QT_TRANSLATE_NOOP("WorklistWidget", "Corrected"), "appended": QT_TRANSLATE_NOOP("WorklistWidget", "Addendum"),
                 "registered": QT_TRANSLATE_NOOP("WorklistWidget", "Ordered"), "partial": QT_TRANSLATE_NOOP("WorklistWidget", "Partial"), "cancelled": QT_TRANSLATE_NOOP("WorklistWidget", "Cancelled"),
                 "entered-in-error": QT_TRANSLATE_NOOP("WorklistWidget", "Entered in error")}
IMAGES_COLUMN = COLUMNS.index("Images")
ORIGIN_COLUMN = COLUMNS.index("Origin")
INCOMPLETE_COLOUR = QColor(190, 90, 0)  # dark orange: readable on light and dark themes
#: Where a study is (workstation.model.entities ARCHIVE, LIBRARY), as the Origin column says it.
ORIGIN_WORDS = (QT_TRANSLATE_NOOP("worklist", "archive"), QT_TRANSLATE_NOOP("worklist", "library"))
DATE_CHOICES = (QT_TRANSLATE_NOOP("WorklistWidget", "Any date"), QT_TRANSLATE_NOOP("WorklistWidget", "Today"), QT_TRANSLATE_NOOP("WorklistWidget", "Yesterday"), QT_TRANSLATE_NOOP("WorklistWidget", "Last 7 days"), QT_TRANSLATE_NOOP("WorklistWidget", "Last 30 days"), QT_TRANSLATE_NOOP("WorklistWidget", "Range..."))


def format_person_name(pn: str) -> str:
    """``FAMILY^GIVEN^MIDDLE^PREFIX^SUFFIX`` (PS3.5 6.2.1) as 'FAMILY, Given Middle'."""
    parts = (pn or "").split("=")[0].split("^")
    family = parts[0].strip()
    given = " ".join(p.strip() for p in parts[1:3] if p.strip())
    return f"{family}, {given}" if given else family


def _mark_incomplete(study: StudySummary, images: QStandardItem, origin: QStandardItem) -> None:
    """Say on the row that the local copy is incomplete (see the module docstring)."""
    note = study.completeness_note()
    expected = study.expected_instances if study.expected_instances is not None else study.local_instances
    images.setText(QCoreApplication.translate("worklist", "{0} of {1}").format(study.usable_instances or 0, expected))
    origin.setText(QCoreApplication.translate("worklist", "{0} (incomplete)").format(origin.text()))
    tip = f"{note[0].upper()}{note[1:]}."
    for item in (images, origin):
        item.setToolTip(tip)
        item.setForeground(QBrush(INCOMPLETE_COLOUR))


def format_da(value: str) -> str:
    v = (value or "").strip()
    return format_dicom_date(v) if len(v) == 8 and v.isdigit() else v


class StudyTable(QTableView):
    """The result table; Enter or Return opens the selected study."""

    enter_pressed = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt override
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.enter_pressed.emit()
            return
        super().keyPressEvent(event)


def _to_date(q: QDate) -> dt.date:
    return dt.date(q.year(), q.month(), q.day())


class WorklistWidget(QWidget):
    """Search fields, the result table, and a banner offering the demo study when empty."""

    study_opened = Signal(object)  # StudySummary
    demo_requested = Signal()

    def __init__(self, search: Callable[[StudyQuery, str], list[StudySummary]], source_names: list[str],
                 *, ris_profile: Callable[[], RisProfile | None] | None = None,
                 qc_states: Callable[[], dict[str, Any]] | None = None,
                 problems: Callable[[], list[str]] | None = None) -> None:
        super().__init__()
        self._problems = problems or (lambda: [])
        self._search = search
        self._qc_states = qc_states
        self._ris_profile = ris_profile or load_ris_profile
        self._task: tasks.Task | None = None
        self._status_task: tasks.Task | None = None
        self._found_text = ""
        self._studies: list[StudySummary] = []

        self.source = QComboBox()
        self.set_sources(source_names)
        self.source.setToolTip(self.tr("Where to search"))
        self.name = QLineEdit(placeholderText=self.tr("Patient name (* ? wildcards)"))
        self.patient_id = QLineEdit(placeholderText=self.tr("Patient ID"))
        self.accession = QLineEdit(placeholderText=self.tr("Accession"))
        self.description = QLineEdit(placeholderText=self.tr("Description"))
        self.modality = QComboBox()
        self.modality.addItems([self.tr("Any"), "CT", "MR", "CR", "DX", "MG", "US", "XA", "NM", "PT", "RF", "SR", "OT"])
        self.date_choice = QComboBox()
        self.date_choice.addItems([self.tr(c) for c in DATE_CHOICES])
        self.date_from = QDateEdit()
        self.date_to = QDateEdit()
        for date_edit in (self.date_from, self.date_to):
            date_edit.setCalendarPopup(True)
            date_edit.setDisplayFormat("yyyy-MM-dd")
            date_edit.setDate(QDate.currentDate())
            date_edit.setVisible(False)
        self.search_button = QPushButton(self.tr("Search"))
        self.search_button.setDefault(True)
        self.status = QLabel("")

        fields = QHBoxLayout()
        for w in (self.source, self.name, self.patient_id, self.accession, self.description,
                  self.modality, self.date_choice, self.date_from, self.date_to, self.search_button):
            fields.addWidget(w)

        self.model = QStandardItemModel(0, len(COLUMNS))
        self.model.setHorizontalHeaderLabels([self.tr(c) for c in COLUMNS])
        self.proxy = QSortFilterProxyModel()
        self.proxy.setSourceModel(self.model)
        self.proxy.setSortRole(Qt.ItemDataRole.UserRole + 1)
        self.table = StudyTable()
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QTableView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.doubleClicked.connect(lambda _i: self.open_selected())

        self.banner = QFrame()
        self.banner.setFrameShape(QFrame.Shape.StyledPanel)
        banner_layout = QHBoxLayout(self.banner)
        banner_layout.addWidget(QLabel(self.tr("The local library is empty. Configure an archive in the "
                                       "settings, import files, or add the demo study to start.")))
        self.demo_button = QPushButton(self.tr("Add demo study"))
        self.demo_button.clicked.connect(self.demo_requested.emit)
        banner_layout.addWidget(self.demo_button)
        self.banner.setVisible(False)

        layout = QVBoxLayout(self)
        layout.addLayout(fields)
        layout.addWidget(self.banner)
        layout.addWidget(self.table)
        layout.addWidget(self.status)

        self.search_button.clicked.connect(self.run_search)
        for line_edit in (self.name, self.patient_id, self.accession, self.description):
            line_edit.returnPressed.connect(self.run_search)
        self.date_choice.currentTextChanged.connect(self._date_choice_changed)
        self.table.enter_pressed.connect(self.open_selected)
        QShortcut(QKeySequence("Ctrl+F"), self, self.name.setFocus)

    # -- searching ---------------------------------------------------------------------------

    def set_sources(self, names: list[str]) -> None:
        """The places to search: each shown in the interface's language, kept by its name."""
        self.source.clear()
        for name in names:
            self.source.addItem(QCoreApplication.translate("MainWindow", name), name)

    def source_key(self) -> str:
        """The name of the chosen place to search (not its translation)."""
        return str(self.source.currentData() or self.source.currentText())

    def select_source(self, name: str) -> None:
        index = self.source.findData(name)
        if index >= 0:
            self.source.setCurrentIndex(index)

    def _date_choice_changed(self, text: str) -> None:
        custom = self.date_choice.currentIndex() == len(DATE_CHOICES) - 1  # "Range..."
        self.date_from.setVisible(custom)
        self.date_to.setVisible(custom)

    def query(self) -> StudyQuery:
        today = dt.date.today()
        choice = DATE_CHOICES[max(0, self.date_choice.currentIndex())]
        start: dt.date | None = None
        end: dt.date | None = None
        if choice == "Today":
            start = end = today
        elif choice == "Yesterday":
            start = end = today - dt.timedelta(days=1)
        elif choice == "Last 7 days":
            start, end = today - dt.timedelta(days=6), today
        elif choice == "Last 30 days":
            start, end = today - dt.timedelta(days=29), today
        elif choice == "Range...":
            start = _to_date(self.date_from.date())
            end = _to_date(self.date_to.date())
        modality = self.modality.currentText()
        return StudyQuery(
            patient_name=self.name.text().strip(),
            patient_id=self.patient_id.text().strip(),
            accession_number=self.accession.text().strip(),
            study_description=self.description.text().strip(),
            modality="" if modality in ("Any", self.tr("Any")) else modality,
            study_date_from=start,
            study_date_to=end,
            limit=500,
        )

    def run_search(self) -> None:
        if self._task is not None:
            self._task.cancel()
        query, source = self.query(), self.source_key()
        self.status.setText(self.tr("Searching {0}...").format(source))
        self.search_button.setEnabled(False)
        task = tasks.Task(lambda _p, _c: self._search(query, source))
        task.signals.finished.connect(self._show_results)
        task.signals.failed.connect(self._search_failed)
        self._task = tasks.start(task)

    def merge_late(self, studies: list[StudySummary]) -> None:
        """Rows from an archive that answered after the others: merged by Study Instance UID
        into the list shown (workstation.net.federated), the status line said again."""
        from workstation.net.federated import merge, newest_first

        found = {s.study_uid: s for s in self._studies}
        merge(found, studies)
        self._show_results(newest_first(list(found.values())))

    def _search_failed(self, message: str) -> None:
        self.search_button.setEnabled(True)
        self.status.setText(message)

    def _show_results(self, studies: list[StudySummary]) -> None:
        self.search_button.setEnabled(True)
        self._studies = list(studies)
        self.model.removeRows(0, self.model.rowCount())
        for row, s in enumerate(self._studies):
            where = s.where() if s.archives else [o for o in (ARCHIVE, LIBRARY) if o in s.origins]
            origin = " + ".join(where)
            origin_shown = " + ".join(o if s.archives and o != LIBRARY else QCoreApplication.translate("worklist", o) for o in where)
            values = (
                (format_person_name(s.patient_name), s.patient_name),
                (s.patient_id, s.patient_id),
                (format_da(s.patient_birth_date), s.patient_birth_date),
                (s.patient_sex, s.patient_sex),
                (format_da(s.study_date), s.study_date + s.study_time),
                ("/".join(s.modalities), "/".join(s.modalities)),
                (s.study_description, s.study_description),
                (s.accession_number, s.accession_number),
                ("" if s.number_of_instances is None else str(s.number_of_instances), s.number_of_instances or 0),
                (origin_shown, origin),
                ("", ""),
                ("", ""),
            )
            items = []
            for text, key in values:
                item = QStandardItem(text)
                item.setData(key, Qt.ItemDataRole.UserRole + 1)
                item.setData(row, Qt.ItemDataRole.UserRole + 2)
                items.append(item)
            if s.incomplete:
                _mark_incomplete(s, items[IMAGES_COLUMN], items[ORIGIN_COLUMN])
            self.model.appendRow(items)
        self.show_qc_states()
        self.table.sortByColumn(4, Qt.SortOrder.DescendingOrder)
        self.table.resizeColumnsToContents()
        n = len(self._studies)
        found = self.tr("1 study found.") if n == 1 else self.tr("{0} studies found.").format(n)
        self._found_text = " ".join([found, *self._problems()])
        self.status.setText(self._found_text)
        self.fetch_report_statuses()

    # -- QC status (workstation.qc.status) -------------------------------------------------------

    def show_qc_states(self) -> None:
        """The QC column: each listed study's state as this workstation's QC recorded it
        (:class:`workstation.qc.status.QCStatusStore`): errors in red, so a study with a slice
        missing is seen before it is opened."""
        if self._qc_states is None:
            return
        try:
            states = self._qc_states()
        except (OSError, WorkstationError):
            return  # an unreadable status file: the column stays empty
        for r in range(self.model.rowCount()):
            item = self.model.item(r, QC_COLUMN)
            row = item.data(Qt.ItemDataRole.UserRole + 2) if item is not None else None
            if item is None or row is None:
                continue
            record = states.get(self._studies[int(row)].study_uid)
            state = getattr(getattr(record, "state", None), "value", "")
            text, colour = QC_LOOK.get(state, ("", ""))
            text = self.tr(text) if text else text
            if state == "passed" and getattr(record, "passed_despite_errors", False):
                text += self.tr(" despite errors")
            counts = getattr(record, "counts", {}) or {}
            item.setText(text)
            item.setData(text, Qt.ItemDataRole.UserRole + 1)
            item.setForeground(QColor(colour) if colour else self.palette().text().color())
            item.setToolTip(self.tr("QC: {0} error(s), {1} warning(s); F3 shows them").format(counts.get('error', 0), counts.get('warning', 0))
                            if text else "")

    def qc_text(self, study_uid: str) -> str:
        """The QC column's text for a listed study ('' when none or not listed)."""
        for r in range(self.model.rowCount()):
            item = self.model.item(r, QC_COLUMN)
            row = item.data(Qt.ItemDataRole.UserRole + 2) if item is not None else None
            if row is not None and self._studies[int(row)].study_uid == study_uid:
                return str(item.text())
        return ""

    # -- report status from the RIS ------------------------------------------------------------

    def _report_items(self) -> list[tuple[QStandardItem, StudySummary]]:
        pairs = []
        for r in range(self.model.rowCount()):
            item = self.model.item(r, REPORT_COLUMN)
            row = item.data(Qt.ItemDataRole.UserRole + 2) if item is not None else None
            if item is not None and row is not None:
                pairs.append((item, self._studies[int(row)]))
        return pairs

    def fetch_report_statuses(self) -> None:
        """Ask the RIS (in the background) for the report status of the studies shown."""
        if self._status_task is not None:
            self._status_task.cancel()
            self._status_task = None
        header = self.model.horizontalHeaderItem(REPORT_COLUMN)
        try:
            profile = self._ris_profile()
        except WorkstationError as exc:
            profile = None
            self.status.setText(f"{self._found_text} {exc}".strip())
        if profile is None or not profile.fhir_url:
            for item, _study in self._report_items():
                item.setText("")
                item.setToolTip(self.tr(NO_RIS_TIP))
            if header is not None:
                header.setToolTip(self.tr(NO_RIS_TIP))
            return
        if header is not None:
            header.setToolTip(self.tr("Report status held by the RIS '{0}'").format(profile.name))
        keys = [(s.accession_number.strip(), s.study_uid) for _i, s in self._report_items()]
        for item, study in self._report_items():
            item.setText("")
            item.setToolTip(self.tr(NO_ACCESSION_TIP) if not study.accession_number.strip() else self.tr("Asking the RIS..."))
        if not any(acc for acc, _uid in keys):
            return

        def work(_progress: Any, _cancel: Any) -> dict[tuple[str, str], str]:
            client = FhirClient(profile)
            try:
                return report_statuses(client, keys)
            finally:
                client.close()

        task = tasks.Task(work)
        task.signals.finished.connect(self._show_report_statuses)
        task.signals.failed.connect(self._report_statuses_failed)
        self._status_task = tasks.start(task)

    def _current_status_task(self) -> bool:
        """Whether the signal being handled comes from the latest status search."""
        task = self._status_task
        return task is not None and self.sender() is task.signals

    def _show_report_statuses(self, statuses: dict[tuple[str, str], str]) -> None:
        if not self._current_status_task():
            return
        for item, study in self._report_items():
            status = statuses.get((study.accession_number.strip(), study.study_uid))
            if status is None:
                continue
            label = self.tr(REPORT_LABELS[status]) if status in REPORT_LABELS else status
            item.setText(label)
            item.setData(label, Qt.ItemDataRole.UserRole + 1)
            item.setData(status, Qt.ItemDataRole.UserRole + 3)
            item.setToolTip(self.tr("Report status in the RIS: {0}").format(status))
        self.table.resizeColumnToContents(REPORT_COLUMN)

    def _report_statuses_failed(self, message: str) -> None:
        if not self._current_status_task():
            return
        for item, study in self._report_items():
            if study.accession_number.strip():
                item.setToolTip(self.tr("The RIS could not be asked for the report status."))
        first = message.split("; ")[0].rstrip(".")
        self.status.setText(self.tr("{0} Report status unknown: {1}.").format(self._found_text, first).strip())

    def report_status(self, study_uid: str) -> str | None:
        """The RIS's status shown for a study ("final", "none", ...; ``None``: not known)."""
        for item, study in self._report_items():
            if study.study_uid == study_uid:
                value = item.data(Qt.ItemDataRole.UserRole + 3)
                return None if value is None else str(value)
        return None

    def set_empty_library_banner(self, visible: bool) -> None:
        self.banner.setVisible(visible)

    def selected_study(self) -> StudySummary | None:
        index = self.table.currentIndex()
        if not index.isValid():
            return None
        row = self.proxy.data(index, Qt.ItemDataRole.UserRole + 2)
        return self._studies[int(row)] if row is not None else None

    def open_selected(self) -> None:
        study = self.selected_study()
        if study is not None:
            self.study_opened.emit(study)
