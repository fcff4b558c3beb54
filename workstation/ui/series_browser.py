"""The series browser: one thumbnail per display set, to drag onto a viewport or open with Enter;
the priors shown beside the study are listed too, under a heading with their date.

Each entry shows modality, series number and description, how many images the display set has
and how many have arrived. Thumbnails are the display set's middle image through the same pixel
pipeline as the viewport (modality LUT then VOI, PS3.4 N.2), made on the UI thread from a small
copy only.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from pydicom.dataset import Dataset
from PySide6.QtCore import QCoreApplication, QMimeData, QSize, Qt, Signal
from PySide6.QtGui import QIcon, QImage, QKeyEvent, QPixmap
from PySide6.QtWidgets import QAbstractItemView, QListWidget, QListWidgetItem

from workstation.model import pixels
from workstation.model.sop_classes import DisplaySetKind
from workstation.ui.qimage import display_qimage
from workstation.ui.viewport_grid import DISPLAY_SET_MIME

THUMB = 96
_UID = Qt.ItemDataRole.UserRole

KIND_LABELS = {
    DisplaySetKind.VOLUME: "volume",
    DisplaySetKind.ENHANCED_VOLUME: "volume",
    DisplaySetKind.STACK: "images",
    DisplaySetKind.MULTIFRAME: "cine",
    DisplaySetKind.SR: "report",
    DisplaySetKind.PDF: "PDF document",
    DisplaySetKind.KOS: "key images",
    DisplaySetKind.PRESENTATION_STATE: "presentation state",
    DisplaySetKind.SEG: "segmentation",
    DisplaySetKind.RTSTRUCT: "RT structures",
    DisplaySetKind.OTHER: "not shown",
}


def image_count(display_set: Any) -> int:
    """How many images a viewport scrolls through for this display set (frames in display order)."""
    return max(1, len(display_set.frames)) if display_set.kind.is_image else 1


def thumbnail_image(stored: np.ndarray, header: Dataset, size: int = THUMB) -> QImage:
    """A small display image (grey or RGB) of ``stored`` pixels: subsampled first, then the LUTs."""
    step = max(1, max(stored.shape[0], stored.shape[1]) // (2 * size))
    small = np.ascontiguousarray(stored[::step, ::step])
    image = display_qimage(pixels.to_display(small, header))
    aspect = pixel_aspect(header)  # non-square pixels keep their true shape (PS3.3 10.7.1.3)
    width, height = float(image.width()), image.height() * aspect
    scale = size / max(width, height)
    return image.scaled(max(1, round(width * scale)), max(1, round(height * scale)),
                        Qt.AspectRatioMode.IgnoreAspectRatio, Qt.TransformationMode.SmoothTransformation)


def pixel_aspect(header: Dataset) -> float:
    """Row spacing / column spacing from Pixel Spacing (or Imager Pixel Spacing); 1 if unknown."""
    for keyword in ("PixelSpacing", "ImagerPixelSpacing"):
        try:
            row, column = (float(v) for v in header.get(keyword, None) or ())
        except (TypeError, ValueError):
            continue
        if row > 0 and column > 0:
            return min(10.0, max(0.1, row / column))
    return 1.0


def _kind(ds: Any) -> str:
    """What kind of series this is, in the interface's language (KIND_LABELS, marked in
    workstation.ui.core_text.SERIES_KINDS)."""
    return QCoreApplication.translate("series_browser", KIND_LABELS.get(ds.kind, ds.kind.value))


class SeriesBrowser(QListWidget):
    """Display sets of one study; drag one onto a viewport, or Enter / double-click to show it in
    the active viewport."""

    chosen = Signal(str)  # display set UID

    def __init__(self, display_sets: list[Any]) -> None:
        super().__init__()
        self.setIconSize(QSize(THUMB, THUMB))
        self.setFixedWidth(THUMB + 150)
        self.setWordWrap(True)
        self.setSpacing(2)
        self.setDragEnabled(True)
        self.setDragDropMode(QAbstractItemView.DragDropMode.DragOnly)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self._items: dict[str, QListWidgetItem] = {}
        self._labels: dict[str, str] = {}
        self._counts: dict[str, int] = {}
        self._has_thumbnail: set[str] = set()
        self._add(display_sets)
        self.itemDoubleClicked.connect(lambda item: self._choose(item))

    def add_display_sets(self, display_sets: list[Any], heading: str) -> None:
        """List another study's display sets (a prior) under a heading row ("Prior 2021-05-04")."""
        head = QListWidgetItem(heading)
        head.setFlags(Qt.ItemFlag.NoItemFlags)  # a heading: not selectable, not draggable
        font = head.font()
        font.setBold(True)
        head.setFont(font)
        self.addItem(head)
        self._add(display_sets)

    def _choose(self, item: QListWidgetItem) -> None:
        uid = item.data(_UID)
        if uid:
            self.chosen.emit(str(uid))

    def _add(self, display_sets: list[Any]) -> None:
        for ds in display_sets:
            label = self._label(ds)
            item = QListWidgetItem(label)
            item.setData(_UID, ds.uid)
            item.setToolTip(f"{_kind(ds)}: {ds.series_description or QCoreApplication.translate('series_browser', 'no description')}"
                            + "".join(f"\n{w}" for w in ds.warnings))
            if not ds.kind.is_image:
                item.setForeground(Qt.GlobalColor.darkCyan)
            self.addItem(item)
            self._items[ds.uid] = item
            self._labels[ds.uid] = label
            self._counts[ds.uid] = image_count(ds)

    @staticmethod
    def _label(ds: Any) -> str:
        number = "" if ds.series_number is None else f" {ds.series_number}"
        kind = _kind(ds)
        count = f"{image_count(ds)} im" if ds.kind.is_image else kind
        return f"{ds.modality}{number} · {count}\n{ds.series_description or kind}"

    def uid_at(self, row: int) -> str:
        """The display set UID of row ``row`` ("" for a heading row)."""
        return str(self.item(row).data(_UID) or "")

    def uids(self) -> list[str]:
        """The display sets listed, in order (headings left out)."""
        return [u for r in range(self.count()) if (u := self.uid_at(r))]

    def has_thumbnail(self, uid: str) -> bool:
        return uid in self._has_thumbnail

    def set_thumbnail(self, uid: str, stored: np.ndarray, header: Dataset) -> None:
        item = self._items.get(uid)
        if item is None or uid in self._has_thumbnail:
            return
        try:
            image = thumbnail_image(stored, header)
        except Exception:  # noqa: BLE001 - a thumbnail never matters more than the reading
            return
        item.setIcon(QIcon(QPixmap.fromImage(image)))
        self._has_thumbnail.add(uid)

    def set_progress(self, uid: str, arrived: int, loading: bool = True) -> None:
        """Show how many of the display set's images have arrived while they load, and how many
        are missing once the load has stopped (nothing when all are here)."""
        item = self._items.get(uid)
        if item is None:
            return
        total = self._counts.get(uid, 0)
        if arrived >= total:
            suffix = ""
        elif loading:
            suffix = "\n" + QCoreApplication.translate("series_browser", "loading {0}/{1}").format(arrived, total)
        else:
            suffix = "\n" + QCoreApplication.translate("series_browser", "{0} of {1} not shown").format(total - arrived, total)
        item.setText(self._labels[uid] + suffix)

    def mimeData(self, items: Any) -> QMimeData:  # noqa: N802 - Qt override
        data = QMimeData()
        if items and items[0].data(_UID):
            data.setData(DISPLAY_SET_MIME, str(items[0].data(_UID)).encode("utf-8"))
        return data

    def mimeTypes(self) -> list[str]:  # noqa: N802 - Qt override
        return [DISPLAY_SET_MIME]

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt override
        item = self.currentItem()
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and item is not None:
            self._choose(item)
            return
        super().keyPressEvent(event)
