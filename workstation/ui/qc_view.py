"""QC mode: a technologist checks one day's acquisitions before they are read.

Left, the QC worklist (:func:`workstation.qc.status.qc_worklist`): the day's studies from the local
library in acquisition order, with their QC status (not checked / warnings / errors / passed).
Selecting a study runs the checks (:func:`workstation.qc.run.run_checks`, pixels decoded from the
library) in the background and shows the findings, the study's series and the images of the
series selected; rejected images (IHE IOCM rejection notes, :func:`~workstation.qc.visibility.
rejection_map`) are listed greyed and are not checked again. The actions: mark as checked (QC
passed), export the report (PDF, JSON), reject series or images (Key Object Selection rejection
note, PS3.3 A.35.4, sent by STOW-RS, PS3.18 10.5, to the configured archive, else kept in the
local library), correct demographics (IOCM data correction) and open the DICOM tag browser.

Nothing but painting and reacting happens on the UI thread: the library, the checks, the archive
and the files are reached from :class:`~workstation.ui.tasks.Task` workers.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydicom.dataset import Dataset
from PySide6.QtCore import (
    QCoreApplication,
    QDate,
    QItemSelectionModel,
    QModelIndex,
    QSortFilterProxyModel,
    Qt,
    Signal,
)
from PySide6.QtGui import QBrush, QColor, QFont, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDateEdit,
    QDialog,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QSplitter,
    QStyle,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from workstation.errors import ArchiveError, Cancelled, WorkstationError
from workstation.model.entities import StudySummary
from workstation.model.source import CancelToken
from workstation.qc.attributes import integer, text
from workstation.qc.audit import AuditAction
from workstation.qc.findings import Finding, QCReport, Severity
from workstation.qc.rejection import RejectionReason
from workstation.qc.status import QCStatusStore, QCWorklistRow, StudyQCRecord, StudyQCState
from workstation.settings import Settings
from workstation.store.library import Library
from workstation.ui import tasks
from workstation.ui.core_text import core_text, qc_finding_text
from workstation.ui.i18n import QT_TRANSLATE_NOOP
from workstation.ui.qc_dialogs import CorrectionDialog, RejectDialog
from workstation.ui.worklist import format_da, format_person_name

SORT_ROLE = Qt.ItemDataRole.UserRole + 1
UID_ROLE = Qt.ItemDataRole.UserRole + 2

WORKLIST_COLUMNS = (QT_TRANSLATE_NOOP("QCView", "Time"), QT_TRANSLATE_NOOP("QCView", "QC status"), QT_TRANSLATE_NOOP("QCView", "Patient"), QT_TRANSLATE_NOOP("QCView", "Patient ID"), QT_TRANSLATE_NOOP("QCView", "Modality"), QT_TRANSLATE_NOOP("QCView", "Description"), QT_TRANSLATE_NOOP("QCView", "Accession"), QT_TRANSLATE_NOOP("QCView", "Images"))
STATE_COLUMN = 1
FINDING_COLUMNS = (QT_TRANSLATE_NOOP("QCView", "Severity"), QT_TRANSLATE_NOOP("QCView", "Finding"), QT_TRANSLATE_NOOP("QCView", "Series"), QT_TRANSLATE_NOOP("QCView", "Images"))
SERIES_COLUMNS = (QT_TRANSLATE_NOOP("QCView", "No."), QT_TRANSLATE_NOOP("QCView", "Series"), QT_TRANSLATE_NOOP("QCView", "Modality"), QT_TRANSLATE_NOOP("QCView", "Images"), QT_TRANSLATE_NOOP("QCView", "Rejected"))
IMAGE_COLUMNS = (QT_TRANSLATE_NOOP("QCView", "No."), QT_TRANSLATE_NOOP("QCView", "Position"), QT_TRANSLATE_NOOP("QCView", "SOP Instance UID"), QT_TRANSLATE_NOOP("QCView", "Rejected"))

STATE_COLOURS = {
    StudyQCState.NOT_CHECKED: "#707070",
    StudyQCState.WARNINGS: "#c07000",
    StudyQCState.ERRORS: "#c02020",
    StudyQCState.PASSED: "#208030",
}
SEVERITY_COLOURS = {Severity.ERROR: "#c02020", Severity.WARNING: "#c07000", Severity.INFO: "#3060a0"}
SEVERITY_ICONS = {
    Severity.ERROR: QStyle.StandardPixmap.SP_MessageBoxCritical,
    Severity.WARNING: QStyle.StandardPixmap.SP_MessageBoxWarning,
    Severity.INFO: QStyle.StandardPixmap.SP_MessageBoxInformation,
}
GREY = QColor("#9a9a9a")


def format_tm(value: str) -> str:
    """``HHMMSS.FFFFFF`` (PS3.5 6.2 TM) as ``HH:MM``."""
    v = (value or "").strip()
    return f"{v[:2]}:{v[2:4]}" if len(v) >= 4 and v[:4].isdigit() else v


def _item(shown: str, sort: Any = None, uid: str = "") -> QStandardItem:
    item = QStandardItem(shown)
    item.setEditable(False)
    item.setData(shown if sort is None else sort, SORT_ROLE)
    if uid:
        item.setData(uid, UID_ROLE)
    return item


def _table(model: QStandardItemModel, *, multi: bool = False) -> QTableView:
    table = QTableView()
    table.setModel(model)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection if multi
                           else QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.verticalHeader().setVisible(False)
    table.horizontalHeader().setStretchLastSection(True)
    table.setWordWrap(True)
    table.verticalHeader().setDefaultSectionSize(table.fontMetrics().height() + 8)
    return table


@dataclass
class SeriesEntry:
    """One series of the study as QC mode lists it (rejection notes are not listed)."""

    series_uid: str
    number: int | None
    description: str
    modality: str
    headers: list[Dataset]
    rejected: dict[str, RejectionReason] = field(default_factory=dict)  # SOP UID -> why

    @property
    def label(self) -> str:
        number = "" if self.number is None else f"{self.number} "
        return f"{number}{self.description or self.modality or 'series'}".strip()

    @property
    def all_rejected(self) -> bool:
        return bool(self.headers) and len(self.rejected) == len(self.headers)

    def live(self) -> list[Dataset]:
        return [ds for ds in self.headers if text(ds, "SOPInstanceUID") not in self.rejected]


@dataclass
class StudyQC:
    """What one QC run found: the report and the study's series with their rejected images."""

    study: StudySummary
    headers: list[Dataset]  # every header the library holds, rejection notes included
    visible: list[Dataset]  # what is offered for reading (and was checked)
    series: list[SeriesEntry]
    notes: int  # rejection notes in the study
    report: QCReport | None  # None when every image is rejected
    record: StudyQCRecord

    def series_by_uid(self, uid: str) -> SeriesEntry | None:
        return next((s for s in self.series if s.series_uid == uid), None)

    def summary(self) -> str:
        rejected = sum(len(s.rejected) for s in self.series)
        parts = []
        if self.report is not None:
            counts = self.report.counts()
            parts.append(QCoreApplication.translate("StudyQC", "{0} error(s), {1} warning(s), {2} note(s)").format(counts['error'], counts['warning'], counts['info']))
            parts.append(QCoreApplication.translate("StudyQC", "{0} series, {1} images checked").format(self.report.facts.number_of_series, self.report.facts.number_of_instances))
            if not self.report.facts.pixels_checked:
                parts.append(QCoreApplication.translate("StudyQC", "pixel data not checked"))
        else:
            parts.append(QCoreApplication.translate("StudyQC", "every image of the study is rejected: nothing left to check"))
        if rejected:
            parts.append(QCoreApplication.translate("StudyQC", "{0} rejected image(s) not checked").format(rejected))
        return QCoreApplication.translate("StudyQC", "QC {0}: ").format(core_text(self.record.state.label)) + "; ".join(parts) + "."


def study_series(headers: Sequence[Dataset]) -> tuple[list[SeriesEntry], int]:
    """The series of a study (rejection notes left out, counted) with their rejected images."""
    from workstation.qc.visibility import rejection_map, rejection_notes

    notes = {text(ds, "SOPInstanceUID") for ds in rejection_notes(headers)}
    reasons = rejection_map(headers)
    groups: dict[str, SeriesEntry] = {}
    for ds in headers:
        sop = text(ds, "SOPInstanceUID")
        if sop in notes:
            continue
        uid = text(ds, "SeriesInstanceUID")
        entry = groups.get(uid)
        if entry is None:
            entry = groups[uid] = SeriesEntry(uid, integer(ds, "SeriesNumber"), text(ds, "SeriesDescription"),
                                              text(ds, "Modality"), [])
        entry.headers.append(ds)
        if sop in reasons:
            entry.rejected[sop] = reasons[sop]
    for entry in groups.values():
        entry.headers.sort(key=lambda ds: (integer(ds, "InstanceNumber") is None, integer(ds, "InstanceNumber") or 0))
    ordered = sorted(groups.values(), key=lambda s: (s.number is None, s.number or 0, s.series_uid))
    return ordered, len(notes)


class QCView(QWidget):
    """The QC tab. ``settings()`` gives the current settings; ``archive()`` the DICOMweb client
    of the configured archive, or None when there is none (the work then stays local)."""

    message = Signal(str)  # for the window's status bar
    error = Signal(str)  # one sentence
    open_for_reading = Signal(object)  # StudySummary
    checked = Signal(object)  # StudyQC, after every run (tests and the status bar listen)
    #: A finding was chosen: its series UID and the SOP Instance UIDs of its images (the reading
    #: room takes an open study's viewport there).
    finding_chosen = Signal(str, object)

    def __init__(
        self,
        library: Library,
        settings: Callable[[], Settings],
        archive: Callable[[], Any | None],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.library = library
        self.settings = settings
        self.archive = archive
        self.store = QCStatusStore.for_settings(settings())
        self.rows: list[QCWorklistRow] = []
        self.current: StudyQC | None = None
        self._selected_uid = ""
        self._check_task: tasks.Task | None = None
        self._generation = 0
        self._wanted_uid = ""  # a study to select and check once its day is listed (show_study)

        # -- the day's studies
        self.date = QDateEdit(QDate.currentDate())
        self.date.setCalendarPopup(True)
        self.date.setDisplayFormat("yyyy-MM-dd")
        self.date.dateChanged.connect(lambda _d: self.refresh())
        today = QPushButton(self.tr("Today"))
        today.clicked.connect(lambda: self.date.setDate(QDate.currentDate()))
        reload_button = QPushButton(self.tr("Refresh"))
        reload_button.clicked.connect(self.refresh)
        self.list_status = QLabel("")
        self.worklist_model = QStandardItemModel(0, len(WORKLIST_COLUMNS))
        self.worklist_model.setHorizontalHeaderLabels([self.tr(c) for c in WORKLIST_COLUMNS])
        self.proxy = QSortFilterProxyModel()
        self.proxy.setSourceModel(self.worklist_model)
        self.proxy.setSortRole(SORT_ROLE)
        self.worklist = _table(self.proxy)  # type: ignore[arg-type]
        self.worklist.setSortingEnabled(True)
        self.worklist.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        self.worklist.selectionModel().currentRowChanged.connect(lambda current, _p: self._study_chosen(current))
        self.worklist.doubleClicked.connect(lambda _i: self.open_selected_for_reading())
        left = QWidget()
        top = QHBoxLayout()
        top.addWidget(QLabel(self.tr("Day:")))
        top.addWidget(self.date)
        top.addWidget(today)
        top.addWidget(reload_button)
        top.addStretch(1)
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addLayout(top)
        left_layout.addWidget(self.worklist, 1)
        left_layout.addWidget(self.list_status)

        # -- the study's findings, series and images
        self.summary = QLabel(self.tr("Select a study to check it."))
        self.summary.setWordWrap(True)
        bold = QFont(self.summary.font())
        bold.setBold(True)
        self.summary.setFont(bold)
        self.findings_model = QStandardItemModel(0, len(FINDING_COLUMNS))
        self.findings_model.setHorizontalHeaderLabels([self.tr(c) for c in FINDING_COLUMNS])
        self.findings = _table(self.findings_model)
        self.findings.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.findings.horizontalHeader().setStretchLastSection(False)
        self.findings.selectionModel().currentRowChanged.connect(lambda current, _p: self._finding_chosen(current.row()))
        self.series_model = QStandardItemModel(0, len(SERIES_COLUMNS))
        self.series_model.setHorizontalHeaderLabels([self.tr(c) for c in SERIES_COLUMNS])
        self.series_table = _table(self.series_model, multi=True)
        self.series_table.selectionModel().currentRowChanged.connect(lambda current, _p: self._series_chosen(current.row()))
        self.images_model = QStandardItemModel(0, len(IMAGE_COLUMNS))
        self.images_model.setHorizontalHeaderLabels([self.tr(c) for c in IMAGE_COLUMNS])
        self.images = _table(self.images_model, multi=True)
        self.progress = QProgressBar()
        self._tasks = tasks.TaskTracker(self.progress)
        self.progress.setVisible(False)
        self.progress.setMaximumHeight(14)
        self.notice = QLabel("")
        self.notice.setWordWrap(True)
        self.notice.setStyleSheet("color: #c03030;")

        self.pass_button = QPushButton(self.tr("Mark as checked (QC passed)"))
        self.pass_button.clicked.connect(self.mark_passed)
        self.pdf_button = QPushButton(self.tr("Export PDF..."))
        self.pdf_button.clicked.connect(lambda: self.export_pdf())
        self.json_button = QPushButton(self.tr("Export JSON..."))
        self.json_button.clicked.connect(lambda: self.export_json())
        self.reject_series_button = QPushButton(self.tr("Reject series..."))
        self.reject_series_button.clicked.connect(self.reject_selected_series)
        self.reject_images_button = QPushButton(self.tr("Reject selected images..."))
        self.reject_images_button.clicked.connect(self.reject_selected_images)
        self.correct_button = QPushButton(self.tr("Correct demographics..."))
        self.correct_button.clicked.connect(self.correct_demographics)
        self.tags_button = QPushButton(self.tr("DICOM tags..."))
        self.tags_button.clicked.connect(self.show_tags)
        self.read_button = QPushButton(self.tr("Open for reading"))
        self.read_button.clicked.connect(self.open_selected_for_reading)
        self.rerun_button = QPushButton(self.tr("Check again"))
        self.rerun_button.clicked.connect(self.run_checks)
        buttons = QGridLayout()
        for n, button in enumerate((self.pass_button, self.pdf_button, self.json_button, self.rerun_button,
                                    self.reject_series_button, self.reject_images_button,
                                    self.correct_button, self.tags_button, self.read_button)):
            buttons.addWidget(button, n // 5, n % 5)

        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(self.summary)
        right_layout.addWidget(self.progress)
        right_layout.addWidget(QLabel(self.tr("Findings")))
        right_layout.addWidget(self.findings, 3)
        lower = QSplitter(Qt.Orientation.Horizontal)
        for title, table in ((self.tr("Series (rejected ones greyed)"), self.series_table), (self.tr("Images of the series"), self.images)):
            box = QWidget()
            box_layout = QVBoxLayout(box)
            box_layout.setContentsMargins(0, 0, 0, 0)
            box_layout.addWidget(QLabel(title))
            box_layout.addWidget(table)
            lower.addWidget(box)
        right_layout.addWidget(lower, 2)
        right_layout.addLayout(buttons)
        right_layout.addWidget(self.notice)

        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 3)
        splitter.setSizes([560, 840])
        layout = QVBoxLayout(self)
        layout.addWidget(splitter)
        self._enable()
        self.refresh()

    # -- background work -------------------------------------------------------------------------

    def _run(self, fn: Callable[[Callable[[int, int, str], None], CancelToken], Any], label: str,
             done: Callable[[Any], None]) -> tasks.Task:
        self.progress.setFormat(label)
        self.message.emit(label + "...")

        def report(n: int, total: int, what: str) -> None:
            if total:
                self.progress.setFormat(f"{what or label} %v/%m")

        return self._tasks.start(fn, label, finished=done, failed=self.show_error, report=report)

    @property
    def busy(self) -> bool:
        return bool(self._tasks.running)

    def cancel_all(self) -> None:
        self._tasks.cancel_all()

    def show_error(self, sentence: str) -> None:
        sentence = core_text(sentence)
        self.notice.setText(sentence)
        self.error.emit(sentence)

    def _say(self, sentence: str) -> None:
        self.notice.setText("")
        self.message.emit(sentence)

    def destination(self) -> str:
        profile = self.settings().archive()
        return self.tr("the archive “{0}”").format(profile.name) if profile is not None else self.tr("the local library (no archive is configured)")

    # -- the worklist ----------------------------------------------------------------------------

    def day(self) -> dt.date:
        q = self.date.date()
        return dt.date(q.year(), q.month(), q.day())

    def refresh(self) -> None:
        """Reload the day's studies and their QC status (in the background)."""
        from workstation.qc.status import qc_worklist

        day = self.day()
        self.list_status.setText(self.tr("Reading the library..."))
        self._run(lambda _p, _c: qc_worklist(self.library, day, self.store), self.tr("Reading the QC worklist"),
                  lambda rows: self._fill_worklist(day, rows))

    def _fill_worklist(self, day: dt.date, rows: list[QCWorklistRow]) -> None:
        if day != self.day():
            return  # the day changed again meanwhile
        keep = self._selected_uid
        self.rows = rows
        self.worklist.setSortingEnabled(False)
        self.worklist_model.removeRows(0, self.worklist_model.rowCount())
        for row in rows:
            s = row.study
            items = [
                _item(format_tm(s.study_time), s.study_time or "999999"),
                self._state_item(row.record),
                _item(format_person_name(s.patient_name)),
                _item(s.patient_id),
                _item(", ".join(s.modalities)),
                _item(s.study_description),
                _item(s.accession_number),
                _item(str(s.number_of_instances or ""), s.number_of_instances or 0),
            ]
            items[0].setData(s.study_uid, UID_ROLE)
            self.worklist_model.appendRow(items)
        self.worklist.setSortingEnabled(True)
        self.worklist.resizeColumnsToContents()
        n = len(rows)
        self.list_status.setText(self.tr("{0} stud{1} on {2}").format(n, 'y' if n == 1 else 'ies', day.isoformat())
                                 + ("" if n else self.tr(" in the local library")))
        wanted, self._wanted_uid = self._wanted_uid, ""
        if wanted:
            if self.select_study(wanted):
                return
            self.message.emit(self.tr("The study in front is not in the local library yet, so QC cannot check it; "
                              "the day's studies are listed."))
        if keep:
            self.select_study(keep, run=False)

    def show_study(self, study: StudySummary) -> None:
        """QC of one study (F3 on a study being read): its day listed, it selected and checked."""
        self._wanted_uid = study.study_uid
        value = (study.study_date or "").strip()
        day = QDate(int(value[:4]), int(value[4:6]), int(value[6:8])) if len(value) == 8 and value.isdigit() else QDate()
        if day.isValid() and day != self.date.date():
            self.date.setDate(day)  # lists that day (dateChanged refreshes)
        else:
            self.refresh()

    def _state_item(self, record: StudyQCRecord) -> QStandardItem:
        order = list(StudyQCState).index(record.state)
        item = _item(core_text(record.state.label), order)
        item.setForeground(QBrush(QColor(STATE_COLOURS[record.state])))
        font = item.font()
        font.setBold(record.state is not StudyQCState.NOT_CHECKED)
        item.setFont(font)
        return item

    def _row_of(self, study_uid: str) -> int:
        for r in range(self.worklist_model.rowCount()):
            if self.worklist_model.item(r, 0).data(UID_ROLE) == study_uid:
                return r
        return -1

    def state_text(self, study_uid: str) -> str:
        """The QC status column's text for a study ('' when it is not listed)."""
        r = self._row_of(study_uid)
        return self.worklist_model.item(r, STATE_COLUMN).text() if r >= 0 else ""

    def _set_state(self, record: StudyQCRecord) -> None:
        r = self._row_of(record.study_uid)
        if r >= 0:
            self.worklist_model.setItem(r, STATE_COLUMN, self._state_item(record))
        self.rows = [QCWorklistRow(row.study, record) if row.study.study_uid == record.study_uid else row
                     for row in self.rows]

    def select_study(self, study_uid: str, *, run: bool = True) -> bool:
        """Select the study's row (which runs its checks unless ``run`` is False)."""
        r = self._row_of(study_uid)
        if r < 0:
            return False
        index = self.proxy.mapFromSource(self.worklist_model.index(r, 0))
        if not run:
            self.worklist.selectionModel().blockSignals(True)
        self.worklist.selectionModel().setCurrentIndex(
            index, QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows)
        if not run:
            self.worklist.selectionModel().blockSignals(False)
        return True

    def _study_chosen(self, index: QModelIndex) -> None:
        if not index.isValid():
            return
        uid = self.proxy.index(index.row(), 0).data(UID_ROLE)
        if uid and uid != self._selected_uid or (uid and self.current is None):
            self._selected_uid = str(uid)
            self.run_checks()

    def selected_study(self) -> StudySummary | None:
        return next((row.study for row in self.rows if row.study.study_uid == self._selected_uid), None)

    # -- running the checks ----------------------------------------------------------------------

    def run_checks(self) -> None:
        """Run the QC checks of the selected study in the background (headers and pixels)."""
        study = self.selected_study()
        if study is None:
            return
        if self._check_task is not None:
            self._check_task.cancel()
        self._generation += 1
        generation = self._generation
        self.current = None
        self._clear_details(self.tr("Checking the study of {0}...").format(format_da(study.study_date)))
        library, store = self.library, self.store

        def work(progress: Callable[[int, int, str], None], cancel: CancelToken) -> StudyQC:
            from workstation.qc.run import run_checks
            from workstation.qc.visibility import visible_headers

            headers = library.study_headers(study.study_uid)
            visible, _rejected = visible_headers(headers)
            series, notes = study_series(headers)
            done = [0]

            def read(sop_uid: str) -> bytes:
                cancel.raise_if_cancelled()
                done[0] += 1
                progress(done[0], len(visible), self.tr("Decoding images"))
                return library.read_instance(sop_uid)

            report = run_checks(visible, read) if visible else None
            cancel.raise_if_cancelled()
            record = store.record_run(report) if report is not None and report.facts.study_uid else store.get(study.study_uid)
            return StudyQC(study, headers, visible, series, notes, report, record)

        def done(result: StudyQC) -> None:
            if generation == self._generation:
                self._show(result)

        self._check_task = self._run(work, self.tr("Running the QC checks"), done)

    def _clear_details(self, summary: str) -> None:
        self.summary.setText(summary)
        for model in (self.findings_model, self.series_model, self.images_model):
            model.removeRows(0, model.rowCount())
        self._enable()

    def _show(self, result: StudyQC) -> None:
        self.current = result
        self._set_state(result.record)
        self.summary.setText(result.summary())
        style = self.style()
        if result.report is not None:
            for finding in result.report.sorted_findings():
                severity = _item(core_text(finding.severity.value), -finding.severity.rank)
                severity.setIcon(style.standardIcon(SEVERITY_ICONS[finding.severity]))
                severity.setForeground(QBrush(QColor(SEVERITY_COLOURS[finding.severity])))
                entry = result.series_by_uid(finding.series_uid)
                where = entry.label if entry is not None else ("study" if not finding.series_uid else finding.series_uid)
                shown, tip = qc_finding_text(finding.code, finding.sentence)
                described = _item(shown)
                described.setToolTip(tip)
                self.findings_model.appendRow([
                    severity, described, _item(where),
                    _item(str(len(finding.instances)) if finding.instances else "", len(finding.instances)),
                ])
        for entry in result.series:
            if entry.all_rejected:
                reasons = {r.meaning for r in entry.rejected.values()}
                rejected = "rejected: " + ", ".join(sorted(reasons))
            elif entry.rejected:
                rejected = self.tr("{0} of {1} rejected").format(len(entry.rejected), len(entry.headers))
            else:
                rejected = ""
            items = [_item("" if entry.number is None else str(entry.number), uid=entry.series_uid),
                     _item(entry.description), _item(entry.modality), _item(str(len(entry.headers))),
                     _item(rejected)]
            items[4].setToolTip(rejected)  # the column is narrow; the reason is a CID 7010 title
            if entry.all_rejected:
                for item in items:
                    item.setForeground(QBrush(GREY))
                    font = item.font()
                    font.setItalic(True)
                    item.setFont(font)
            self.series_model.appendRow(items)
        self.findings.resizeColumnToContents(0)
        self.findings.resizeRowsToContents()
        self.series_table.resizeColumnsToContents()
        if result.series:
            self.series_table.selectRow(0)
        self._enable()
        self.checked.emit(result)
        self._say(result.summary())

    def _enable(self) -> None:
        have = self.current is not None
        report = have and self.current is not None and self.current.report is not None
        for button in (self.pass_button, self.pdf_button, self.json_button):
            button.setEnabled(bool(report))
        for button in (self.reject_series_button, self.reject_images_button, self.correct_button,
                       self.tags_button, self.read_button, self.rerun_button):
            button.setEnabled(have)

    # -- series, images and findings -------------------------------------------------------------

    def series_rows(self) -> list[tuple[str, bool]]:
        """(series label, shown greyed) for each listed series, in order: what the table shows."""
        out = []
        for r in range(self.series_model.rowCount()):
            item = self.series_model.item(r, 1)
            number = self.series_model.item(r, 0).text()
            out.append((f"{number} {item.text()}".strip(), item.foreground().color() == GREY))
        return out

    def _entry_at(self, row: int) -> SeriesEntry | None:
        if self.current is None or row < 0 or row >= self.series_model.rowCount():
            return None
        return self.current.series_by_uid(str(self.series_model.item(row, 0).data(UID_ROLE)))

    def selected_series(self) -> list[SeriesEntry]:
        rows = sorted({i.row() for i in self.series_table.selectionModel().selectedRows()})
        return [e for e in (self._entry_at(r) for r in rows) if e is not None]

    def select_series(self, series_uid: str) -> None:
        for r in range(self.series_model.rowCount()):
            if self.series_model.item(r, 0).data(UID_ROLE) == series_uid:
                self.series_table.selectRow(r)
                return

    def _series_chosen(self, row: int) -> None:
        self.images_model.removeRows(0, self.images_model.rowCount())
        entry = self._entry_at(row)
        if entry is None:
            return
        for ds in entry.headers:
            sop = text(ds, "SOPInstanceUID")
            number = integer(ds, "InstanceNumber")
            position = ds.get("ImagePositionPatient", None)
            where = ", ".join(f"{float(v):.1f}" for v in position) if position and len(position) == 3 else ""
            reason = entry.rejected.get(sop)
            items = [_item("" if number is None else str(number), number if number is not None else 1 << 30, uid=sop),
                     _item(where), _item(sop), _item(reason.meaning if reason else "")]
            if reason is not None:
                for item in items:
                    item.setForeground(QBrush(GREY))
            self.images_model.appendRow(items)
        self.images.resizeColumnsToContents()

    def _finding_chosen(self, row: int) -> None:
        """Select the finding's series and its images (to look at them or reject them)."""
        if self.current is None or self.current.report is None or row < 0:
            return
        findings = self.current.report.sorted_findings()
        if row >= len(findings):
            return
        finding: Finding = findings[row]
        if not finding.series_uid:
            return
        self.select_series(finding.series_uid)
        wanted = set(finding.instances)
        selection = self.images.selectionModel()
        selection.clearSelection()
        first = None
        for r in range(self.images_model.rowCount()):
            if self.images_model.item(r, 0).data(UID_ROLE) in wanted:
                index = self.images_model.index(r, 0)
                selection.select(index, QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows)
                if first is None:
                    first = index
        if first is not None:  # the finding's slices brought into view
            self.images.scrollTo(first, QAbstractItemView.ScrollHint.PositionAtCenter)
        self.finding_chosen.emit(finding.series_uid, tuple(finding.instances))

    def selected_images(self) -> list[Dataset]:
        entry = self._entry_at(self.series_table.currentIndex().row())
        if entry is None:
            return []
        wanted = {self.images_model.item(i.row(), 0).data(UID_ROLE) for i in self.images.selectionModel().selectedRows()}
        return [ds for ds in entry.headers if text(ds, "SOPInstanceUID") in wanted]

    def show_tags(self) -> Any:
        """The tag browser of the selected image, else of the selected series' first image."""
        from workstation.ui.tag_browser import open_tag_browser

        chosen = self.selected_images()
        if not chosen:
            entry = self._entry_at(self.series_table.currentIndex().row())
            chosen = entry.headers[:1] if entry is not None else []
        if not chosen:
            self.show_error(self.tr("Select a series or an image to see its DICOM tags."))
            return None
        return open_tag_browser(chosen[0], self)

    def open_selected_for_reading(self) -> None:
        study = self.selected_study()
        if study is not None:
            self.open_for_reading.emit(study)

    # -- mark as passed, export ------------------------------------------------------------------

    def ask(self, title: str, question: str, yes: str) -> bool:
        """A modal yes/no question; True when the technologist chose ``yes``."""
        box = QMessageBox(QMessageBox.Icon.Warning, title, question, QMessageBox.StandardButton.Cancel, self)
        accept = box.addButton(yes, QMessageBox.ButtonRole.AcceptRole)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.exec()
        return box.clickedButton() is accept

    def mark_passed(self) -> None:
        """"Mark as checked (QC passed)": refused with the sentence after errors unless confirmed."""
        from workstation.qc.status import QCPassRefused

        current = self.current
        if current is None or current.report is None:
            return
        despite = False
        if current.record.state is StudyQCState.ERRORS:
            sentence = QCPassRefused(
                self.tr("This study has {0} error-level QC finding(s); correct or reject the images first, or confirm that it passes despite them.").format(current.report.counts()['error']))
            if not self.ask(self.tr("QC passed despite errors?"), str(sentence) + self.tr(" Mark it as passed anyway?"),
                            self.tr("Mark as passed despite errors")):
                self.show_error(self.tr("Not marked as passed: {0}").format(sentence))
                return
            despite = True
        uid, store = current.study.study_uid, self.store

        def done(record: StudyQCRecord) -> None:
            if self.current is not None and self.current.study.study_uid == record.study_uid:
                self.current.record = record
                self.summary.setText(self.current.summary())
            self._set_state(record)
            self._say(self.tr("Study marked as checked (QC passed)") + (self.tr(" despite its errors.") if despite else "."))

        self._run(lambda _p, _c: store.mark_passed(uid, despite_errors=despite), self.tr("Marking as checked"), done)

    def _save_path(self, title: str, suffix: str, kind: str) -> Path | None:
        current = self.current
        name = f"qc-{current.study.study_date or 'study'}-{current.study.study_uid[-8:]}.{suffix}" if current else f"qc.{suffix}"
        chosen, _filter = QFileDialog.getSaveFileName(self, title, str(Path.home() / name), kind)
        return Path(chosen) if chosen else None

    def export_pdf(self, path: Path | None = None) -> None:
        """Write the report as a PDF (the patient's name in its header, nowhere else)."""
        current = self.current
        if current is None or current.report is None:
            return
        path = path or self._save_path(self.tr("Export the QC report as PDF"), "pdf", self.tr("PDF (*.pdf)"))
        if path is None:
            return
        report, first = current.report, (current.visible or current.headers)[0]

        def work(_p: Any, _c: CancelToken) -> Path:
            from workstation.qc.audit import current_user
            from workstation.qc.pdf import write_pdf

            try:
                return write_pdf(report, path, patient_name=text(first, "PatientName"),
                                 patient_id=text(first, "PatientID"), checked_by=current_user())
            except OSError as exc:
                raise WorkstationError(self.tr("The PDF {0} cannot be written ({1}); choose another folder.").format(path, exc.strerror)) from exc

        self._run(work, self.tr("Writing the PDF"), lambda p: self._say(self.tr("QC report written to {0}.").format(p)))

    def export_json(self, path: Path | None = None) -> None:
        """Write the report as JSON (no patient names, IDs or birth dates)."""
        current = self.current
        if current is None or current.report is None:
            return
        path = path or self._save_path(self.tr("Export the QC report as JSON"), "json", self.tr("JSON (*.json)"))
        if path is None:
            return
        data = current.report.to_json()
        data["qc_state"] = current.record.state.value

        def work(_p: Any, _c: CancelToken) -> Path:
            target = Path(path)
            try:
                target.write_text(json.dumps(data, indent=2), encoding="utf-8")
            except OSError as exc:
                raise WorkstationError(self.tr("The file {0} cannot be written ({1}); choose another folder.").format(target, exc.strerror)) from exc
            return target

        self._run(work, self.tr("Writing the JSON report"), lambda p: self._say(self.tr("QC report written to {0}.").format(p)))

    # -- rejection ---------------------------------------------------------------------------------

    def reject_selected_series(self) -> None:
        series = self.selected_series()
        headers = [ds for entry in series for ds in entry.live()]
        if not headers:
            self.show_error(self.tr("Select a series that still has images to reject (rejected series are greyed)."))
            return
        labels = ", ".join(self.tr("series {0}").format(entry.label) for entry in series)
        self.reject(headers, self.tr("{0} image(s) of {1}").format(len(headers), labels))

    def reject_selected_images(self) -> None:
        chosen = self.selected_images()
        entry = self._entry_at(self.series_table.currentIndex().row())
        if entry is not None:
            chosen = [ds for ds in chosen if text(ds, "SOPInstanceUID") not in entry.rejected]
        if not chosen or entry is None:
            self.show_error(self.tr("Select the images to reject in the list of the series' images."))
            return
        self.reject(chosen, self.tr("{0} image(s) of series {1}").format(len(chosen), entry.label))

    def reject(self, headers: list[Dataset], what: str, reason: RejectionReason | None = None) -> None:
        """Confirm with :class:`RejectDialog`, then store a rejection note (archive, else library)."""
        dialog = RejectDialog(what, self.destination(), self)
        if reason is not None:
            dialog.set_reason(reason)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        why = dialog.reason()
        client = self.archive()
        library, audit = self.library, self.store.audit

        def work(_p: Any, _c: CancelToken) -> str:
            from workstation.qc.rejection import build_rejection_note, note_bytes, send_rejection

            note = build_rejection_note(headers, why)
            data = note_bytes(note)
            if client is not None:
                result = send_rejection(client, note, audit=audit)
                if not result.ok:
                    raise ArchiveError(
                        self.tr("The archive refused the rejection note ({0}); nothing was rejected: check the archive and try again.").format(result.failed[0].reason))
                where = self.tr("the archive")
            else:
                audit.record(
                    AuditAction.REJECTED, study_uid=text(note, "StudyInstanceUID"),
                    series_uids=sorted({text(ds, "SeriesInstanceUID") for ds in headers}),
                    instance_uids=[text(ds, "SOPInstanceUID") for ds in headers], reason=why.code_value,
                    detail={"rejection_note_uid": text(note, "SOPInstanceUID"), "stored_in": "local library"})
                where = self.tr("the local library")
            library.add_bytes(data)  # the library is the archive's local copy: it learns the note too
            return self.tr("{0} image(s) rejected ({1}); the rejection note is stored in {2}.").format(len(headers), why.meaning, where)

        def done(sentence: str) -> None:
            self._say(sentence)
            self.run_checks()

        self._run(work, self.tr("Sending the rejection note"), done)

    # -- demographic correction ------------------------------------------------------------------

    def correct_demographics(self) -> None:
        """Edit, confirm the proposed changes, then store corrected copies and reject the originals."""
        current = self.current
        if current is None or not current.visible:
            self.show_error(self.tr("There are no images left to correct in this study."))
            return
        dialog = CorrectionDialog(current.visible, self.destination(), self)
        if dialog.exec() != QDialog.DialogCode.Accepted or not dialog.changes:
            return
        self.apply_correction(dialog.changes)

    def apply_correction(self, changes: list[Any]) -> None:
        """Apply confirmed changes (see :mod:`workstation.qc.correction`) in the background."""
        current = self.current
        if current is None:
            return
        uids = [text(ds, "SOPInstanceUID") for ds in current.visible]
        client = self.archive()
        library, audit = self.library, self.store.audit

        def work(progress: Callable[[int, int, str], None], cancel: CancelToken) -> str:
            from workstation.qc.correction import apply_corrections, send_correction
            from workstation.qc.rejection import note_bytes

            data = []
            for n, uid in enumerate(uids, 1):
                cancel.raise_if_cancelled()
                data.append(library.read_instance(uid))
                progress(n, len(uids), self.tr("Reading the images"))
            progress(0, 0, self.tr("Making corrected copies"))
            corrected = apply_corrections(data, changes)
            note = corrected.rejection_note()
            if client is not None:
                progress(0, 0, self.tr("Sending the corrected copies"))
                send_correction(client, corrected, audit=audit, note=note)
                where = self.tr("the archive")
            else:
                audit.record(
                    AuditAction.CORRECTED, study_uid=text(corrected.replaced[0], "StudyInstanceUID"),
                    series_uids=sorted({text(ds, "SeriesInstanceUID") for ds in corrected.replaced}),
                    instance_uids=[text(ds, "SOPInstanceUID") for ds in corrected.replaced],
                    reason=note_reason(note),
                    detail={"attributes": sorted({c.keyword for c in corrected.changes}),
                            "new_study_uid": next(iter(corrected.new_study_uids)),
                            "rejection_note_uid": text(note, "SOPInstanceUID"), "stored_in": "local library"})
                where = self.tr("the local library")
            copies = [*corrected.instances, note_bytes(note)]
            for n, item in enumerate(copies, 1):
                if cancel.cancelled:
                    raise Cancelled(self.tr("The correction was stopped."))
                library.add_bytes(item)
                progress(n, len(copies), self.tr("Keeping the corrected copies in the library"))
            return (self.tr("{0} corrected image(s) stored in {1} as a new study; the originals are rejected (Incorrect Modality Worklist Entry).").format(len(corrected.instances), where))

        def done(sentence: str) -> None:
            self._say(sentence)
            self._selected_uid = ""
            self.current = None
            self._clear_details(sentence)
            self.refresh()

        self._run(work, self.tr("Correcting demographics"), done)


def note_reason(note: Dataset) -> str:
    """The rejection title's code value of a note ('' when it is not a rejection note)."""
    from workstation.qc.rejection import rejection_reason

    why = rejection_reason(note)
    return why.code_value if why is not None else ""
