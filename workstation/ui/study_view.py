"""One open study: its display sets as thumbnails beside a 2D view of the chosen one.

Headers are known before pixels: the display sets appear first, then images decode in the
background, the middle slice first and then outward, so the radiologist sees an image at once.
Closing the study cancels everything it still had running.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from PySide6.QtCore import QObject, QRunnable, QSize, Qt, QThreadPool, Signal
from PySide6.QtGui import QIcon, QImage, QPixmap
from PySide6.QtWidgets import QHBoxLayout, QListWidget, QListWidgetItem, QWidget

from workstation.errors import WorkstationError
from workstation.model import pixels
from workstation.model.decode import decode_instance, read_dataset
from workstation.model.source import CancelToken
from workstation.ui.image_view import ImageView
from workstation.ui.worklist import format_da, format_person_name

IMAGE_KINDS = {"volume", "stack", "multiframe"}
THUMB = 96


def middle_out(n: int) -> list[int]:
    """0..n-1 ordered from the middle outward: the slice shown first decodes first."""
    mid = n // 2
    order = [mid]
    for step in range(1, n):
        for i in (mid + step, mid - step):
            if 0 <= i < n:
                order.append(i)
    return order[:n]


class LoaderSignals(QObject):
    image = Signal(int, object, object)  # index, stored array, header
    failed = Signal(int, str)
    done = Signal()


class SeriesLoader(QRunnable):
    """Decode the images of one display set, middle first; one bad image never stops the rest."""

    def __init__(self, read: Callable[[str], bytes], sop_uids: list[str], multiframe: bool) -> None:
        super().__init__()
        self.read = read
        self.sop_uids = sop_uids
        self.multiframe = multiframe
        self.cancel = CancelToken()
        self.signals = LoaderSignals()
        self.setAutoDelete(False)  # Python owns it: Qt must not delete it under our references

    def run(self) -> None:
        try:
            if self.multiframe:
                data = self.read(self.sop_uids[0])
                header = read_dataset(data)
                frames = decode_instance(data)
                for i in middle_out(len(frames)):
                    if self.cancel.cancelled:
                        return
                    self.signals.image.emit(i, frames[i], header)
                return
            for i in middle_out(len(self.sop_uids)):
                if self.cancel.cancelled:
                    return
                try:
                    data = self.read(self.sop_uids[i])
                    header = read_dataset(data)
                    self.signals.image.emit(i, decode_instance(data)[0], header)
                except WorkstationError as exc:
                    self.signals.failed.emit(i, str(exc))
        except WorkstationError as exc:
            self.signals.failed.emit(-1, str(exc))
        finally:
            self.signals.done.emit()


def thumbnail(stored: np.ndarray, header: Any) -> QIcon:
    grey = np.ascontiguousarray(pixels.to_display(stored, header))
    fmt = QImage.Format.Format_Grayscale8 if grey.ndim == 2 else QImage.Format.Format_RGB888
    image = QImage(grey.data, grey.shape[1], grey.shape[0], grey.strides[0], fmt).copy()
    return QIcon(QPixmap.fromImage(image.scaled(THUMB, THUMB, Qt.AspectRatioMode.KeepAspectRatio,
                                                Qt.TransformationMode.SmoothTransformation)))


class StudyView(QWidget):
    """Series browser (thumbnails) and the image view for one study."""

    status = Signal(str)

    def __init__(self, study: Any, display_sets: list[Any], read: Callable[[str], bytes]) -> None:
        super().__init__()
        self.study = study
        self.display_sets = display_sets
        self.read = read
        self.loader: SeriesLoader | None = None
        self.thumb_loaders: list[SeriesLoader] = []

        self.browser = QListWidget()
        self.browser.setIconSize(QSize(THUMB, THUMB))
        self.browser.setFixedWidth(THUMB + 140)
        self.browser.setWordWrap(True)
        self.view = ImageView()
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.browser)
        layout.addWidget(self.view, 1)

        for ds in display_sets:
            kind = ds.kind.value if hasattr(ds.kind, "value") else str(ds.kind)
            label = f"{ds.modality} {ds.series_number or ''}\n{ds.series_description or kind}\n{ds.number_of_images} im"
            item = QListWidgetItem(label)
            item.setData(Qt.ItemDataRole.UserRole, ds)
            item.setToolTip(f"{kind}: {ds.series_description}")
            self.browser.addItem(item)
        self.browser.currentRowChanged.connect(self.show_display_set)
        self._load_thumbnails()
        first = next((i for i, d in enumerate(display_sets) if self._kind(d) in IMAGE_KINDS), 0)
        if display_sets:
            self.browser.setCurrentRow(first)

    @staticmethod
    def _kind(ds: Any) -> str:
        return str(ds.kind.value if hasattr(ds.kind, "value") else ds.kind).lower()

    def _load_thumbnails(self) -> None:
        for row, ds in enumerate(self.display_sets):
            if self._kind(ds) not in IMAGE_KINDS or not ds.sop_instance_uids:
                continue
            uids = list(ds.sop_instance_uids)
            loader = SeriesLoader(self.read, [uids[len(uids) // 2]], self._kind(ds) == "multiframe")
            item = self.browser.item(row)
            loader.signals.image.connect(
                lambda _i, stored, header, item=item: item.setIcon(thumbnail(stored, header))
            )
            self.thumb_loaders.append(loader)
            QThreadPool.globalInstance().start(loader)

    def show_display_set(self, row: int) -> None:
        if self.loader is not None:
            self.loader.cancel.cancel()
        if row < 0 or row >= len(self.display_sets):
            return
        ds = self.display_sets[row]
        kind = self._kind(ds)
        s = self.study
        corners = {
            "top_left": [format_person_name(s.patient_name), s.patient_id,
                         f"{s.patient_sex} {format_da(s.patient_birth_date)}".strip()],
            "top_right": [s.study_description, format_da(s.study_date),
                          f"Se: {ds.series_number or ''} {ds.series_description or ''}".strip()],
        }
        warnings = [str(getattr(w, "sentence", w)) for w in getattr(ds, "warnings", [])]
        if kind not in IMAGE_KINDS:
            self.view.set_stack(0, corners)
            self.view.set_message(f"{kind.upper()} object: shown in a later version of the viewer.")
            return
        multiframe = kind == "multiframe"
        count = int(ds.number_of_frames if multiframe else len(ds.sop_instance_uids))
        corners["bottom_right"] = warnings[:3]
        self.view.set_stack(count, corners)
        loader = SeriesLoader(self.read, list(ds.sop_instance_uids), multiframe)
        loader.signals.image.connect(self.view.set_image)
        loader.signals.image.connect(lambda *_: self._report(count))
        loader.signals.failed.connect(self._failed)
        self.loader = loader
        QThreadPool.globalInstance().start(loader)
        self.view.setFocus()

    def _report(self, count: int) -> None:
        self.status.emit(f"Loaded {self.view.loaded}/{count} images")

    def _failed(self, index: int, message: str) -> None:
        self.status.emit(message)
        if index < 0 or index == self.view.index:
            self.view.set_message(message)

    def close_study(self) -> None:
        """Stop every transfer and decode this study still has running."""
        if self.loader is not None:
            self.loader.cancel.cancel()
        for loader in self.thumb_loaders:
            loader.cancel.cancel()
