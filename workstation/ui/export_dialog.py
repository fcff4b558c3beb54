"""File > Export...: a study (or some of its series) to a folder, removable media (DICOMDIR) or a
ZIP, optionally de-identified (PS3.15 basic profile and options), with pictures or videos; or
sent to another DICOMweb destination through the pending queue.

The dialog only gathers the choices and shows progress: the work is
:func:`workstation.export.writer.run_export` and :func:`workstation.export.send.send_study`,
run in the background (:mod:`workstation.ui.tasks`); errors come back as one sentence.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from workstation.export.deidentify import DeidentificationOptions
from workstation.export.writer import ExportRequest
from workstation.settings import Settings
from workstation.ui import tasks
from workstation.ui.core_text import core_text
from workstation.ui.i18n import QT_TRANSLATE_NOOP

PICTURES = {QT_TRANSLATE_NOOP("ExportDialog", "No pictures"): "", QT_TRANSLATE_NOOP("ExportDialog", "PNG pictures"): "png",
            QT_TRANSLATE_NOOP("ExportDialog", "JPEG pictures"): "jpeg",
            QT_TRANSLATE_NOOP("ExportDialog", "MP4 video per series"): "mp4"}
#: The steps the export and the sending report with their progress (workstation.export).
PROGRESS_STEPS = (QT_TRANSLATE_NOOP("core", "Writing"), QT_TRANSLATE_NOOP("core", "Checking"),
                  QT_TRANSLATE_NOOP("core", "Drawing"), QT_TRANSLATE_NOOP("core", "Queueing"))


class ExportDialog(QDialog):
    """Choices for one study's export; ``done_sentence`` is emitted with the summary."""

    done_sentence = Signal(str)

    def __init__(self, settings: Settings, library: Any, study_uid: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.settings = settings
        self.library = library
        self.study_uid = study_uid
        self.task: tasks.Task | None = None
        self.result_text = ""
        self.setWindowTitle(self.tr("Export study"))
        layout = QVBoxLayout(self)

        self.series = QListWidget()
        for series in library.search_series(study_uid):
            label = " ".join(str(x) for x in (series.modality, series.series_number, series.series_description) if x not in (None, ""))
            item = QListWidgetItem(self.tr("{0} ({1} instances)").format(label, series.number_of_instances))
            item.setData(Qt.ItemDataRole.UserRole, series.series_uid)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked)
            self.series.addItem(item)
        layout.addWidget(QLabel(self.tr("Series to export:")))
        layout.addWidget(self.series)

        self.to_folder = QRadioButton(self.tr("To a folder, removable media or a ZIP"))
        self.to_archive = QRadioButton(self.tr("Send to another archive (DICOMweb)"))
        self.to_folder.setChecked(True)
        layout.addWidget(self.to_folder)
        folder_box = QGroupBox()
        form = QFormLayout(folder_box)
        row = QHBoxLayout()
        self.folder = QLineEdit()
        self.folder.setPlaceholderText(self.tr("an empty or new folder"))
        browse = QPushButton(self.tr("Browse..."))
        browse.clicked.connect(self._browse)
        row.addWidget(self.folder)
        row.addWidget(browse)
        form.addRow(self.tr("Folder:"), row)
        self.dicomdir = QCheckBox(self.tr("DICOMDIR for CD, DVD or USB (other viewers open it)"))
        self.dicomdir.setChecked(True)
        self.zip = QCheckBox(self.tr("One ZIP file"))
        self.pictures = QComboBox()
        for label, kind in PICTURES.items():
            self.pictures.addItem(QCoreApplication.translate("ExportDialog", label), kind)
        self.overlays = QCheckBox(self.tr("Pictures with corner text and markers"))
        self.overlays.setChecked(True)
        for widget in (self.dicomdir, self.zip):
            form.addRow(widget)
        form.addRow(self.tr("Pictures:"), self.pictures)
        form.addRow(self.overlays)
        layout.addWidget(folder_box)

        layout.addWidget(self.to_archive)
        self.destination = QComboBox()
        self.destination.addItems([p.name for p in settings.archives])
        self.to_archive.setEnabled(bool(settings.archives))
        layout.addWidget(self.destination)

        anonymise_box = QGroupBox(self.tr("Anonymise (DICOM PS3.15 basic profile)"))
        anonymise_box.setCheckable(True)
        anonymise_box.setChecked(False)
        self.anonymise = anonymise_box
        box = QVBoxLayout(anonymise_box)
        self.keep_dates = QCheckBox(self.tr("Keep the time between dates (all dates shifted)"))
        self.keep_device = QCheckBox(self.tr("Keep the device identity (station, serial numbers)"))
        self.keep_descriptions = QCheckBox(self.tr("Keep descriptions, cleaned of the patient's identity"))
        self.include_burned_in = QCheckBox(self.tr("Include images that have, or may have, text burned into the pixels (it cannot be removed)"))
        for widget in (self.keep_dates, self.keep_device, self.keep_descriptions, self.include_burned_in):
            box.addWidget(widget)
        layout.addWidget(anonymise_box)

        self.progress = QProgressBar()
        self.progress.setVisible(False)
        self.message = QLabel("")
        self.message.setWordWrap(True)
        layout.addWidget(self.progress)
        layout.addWidget(self.message)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Close)
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText(self.tr("Export"))
        ok.clicked.connect(self.start)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.to_archive.toggled.connect(self._mode_changed)
        self._mode_changed()

    # -- choices -------------------------------------------------------------------------------

    def _browse(self) -> None:
        chosen = QFileDialog.getExistingDirectory(self, self.tr("Export to folder"))
        if chosen:
            self.folder.setText(chosen)

    def _mode_changed(self) -> None:
        sending = self.to_archive.isChecked()
        self.destination.setEnabled(sending)
        for widget in (self.folder, self.dicomdir, self.zip, self.pictures, self.overlays):
            widget.setEnabled(not sending)
        self.anonymise.setEnabled(not sending)

    def chosen_series(self) -> tuple[str, ...]:
        """The checked series; empty when all are (the whole study)."""
        items = [self.series.item(i) for i in range(self.series.count())]
        checked = tuple(str(i.data(Qt.ItemDataRole.UserRole)) for i in items if i.checkState() == Qt.CheckState.Checked)
        return () if len(checked) == len(items) else checked

    def request(self) -> ExportRequest:
        """The export the fields describe."""
        return ExportRequest(
            study_uid=self.study_uid, out=Path(self.folder.text().strip()).expanduser(),
            series_uids=self.chosen_series(), deidentify=self.anonymise.isChecked(),
            options=DeidentificationOptions(self.keep_dates.isChecked(), self.keep_device.isChecked(),
                                            self.keep_descriptions.isChecked()),
            dicomdir=self.dicomdir.isChecked(), zip=self.zip.isChecked(),
            images=str(self.pictures.currentData() or ""), overlays=self.overlays.isChecked(),
            include_burned_in=self.include_burned_in.isChecked(),
        )

    # -- running -------------------------------------------------------------------------------

    def start(self) -> None:
        """Run the export (or the sending) in the background."""
        if self.task is not None:
            return
        if self.series.count() and not any(
                self.series.item(i).checkState() == Qt.CheckState.Checked for i in range(self.series.count())):
            self.message.setText(self.tr("Choose at least one series."))
            return
        if self.to_archive.isChecked():
            work = self._send_work()
        else:
            if not self.folder.text().strip():
                self.message.setText(self.tr("Choose a folder for the export."))
                return
            work = self._export_work(self.request())
        self.message.setText(self.tr("Working..."))
        self.progress.setVisible(True)
        self.progress.setRange(0, 0)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(False)
        task = tasks.Task(work)
        task.signals.progress.connect(self._progress)
        task.signals.finished.connect(self._finished)
        task.signals.failed.connect(self._failed)
        self.task = tasks.start(task)

    def _export_work(self, request: ExportRequest) -> Any:
        from workstation.export.writer import run_export

        def work(progress: Any, cancel: Any) -> str:
            return run_export(request, self.library, progress=progress, cancel=cancel).summary()

        return work

    def _send_work(self) -> Any:
        from workstation.export.send import send_study

        destination = self.destination.currentText()
        series = self.chosen_series()

        def work(progress: Any, cancel: Any) -> str:
            return send_study(self.settings, self.library, self.study_uid, destination,
                              series_uids=series, progress=progress).summary()

        return work

    def reject(self) -> None:
        """Close: an export still running is cancelled (it removes what it wrote); a sending
        goes on, its queue keeps what is not delivered."""
        if self.task is not None and not self.to_archive.isChecked():
            self.task.cancel()
        super().reject()

    def _progress(self, done: int, total: int, what: str) -> None:
        if total:
            self.progress.setRange(0, total)
            self.progress.setValue(done)
        self.message.setText(self.tr("{0} {1} of {2}").format(core_text(what), done, total))

    def _finished(self, sentence: str) -> None:
        self.task = None
        self.progress.setVisible(False)
        self.result_text = sentence
        self.message.setText(sentence)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(True)
        self.done_sentence.emit(sentence)

    def _failed(self, sentence: str) -> None:
        self.task = None
        self.progress.setVisible(False)
        self.result_text = sentence
        self.message.setText(sentence)
        self.message.setStyleSheet("color: #d04040;")
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(True)
