"""The segments panel: the segmentations and RT structures shown over a study's images, one row
per segment or ROI with a check box to show or hide it, its colour, its volume (mL) and the mean
and maximum of the active viewport's images inside it (HU for CT, SUV for PET with SUV).

The numbers come from :mod:`workstation.model.segmentation` and :mod:`workstation.model.rtstruct`;
this widget only lists them and reports the reader's choices.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QLabel, QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget

from workstation.model.segmentation import SegmentStatistics, ValueSummary
from workstation.ui.i18n import QT_TRANSLATE_NOOP

_COLUMNS = (QT_TRANSLATE_NOOP("SegmentsPanel", "Segment"), QT_TRANSLATE_NOOP("SegmentsPanel", "Volume (mL)"),
            QT_TRANSLATE_NOOP("SegmentsPanel", "Mean"), QT_TRANSLATE_NOOP("SegmentsPanel", "Max"))


def _number(value: float | None, digits: int = 1) -> str:
    return "" if value is None or not math.isfinite(value) else f"{value:.{digits}f}"


class SegmentsPanel(QWidget):
    """Rows of segments to show or hide; ``visibility_changed(overlay, number, visible)``."""

    visibility_changed = Signal(object, int, bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Segments"))
        self.tree = QTreeWidget()
        self.tree.setColumnCount(len(_COLUMNS))
        self.tree.setHeaderLabels([QCoreApplication.translate("SegmentsPanel", c) for c in _COLUMNS])
        self.tree.setRootIsDecorated(True)
        self.note = QLabel("")
        self.note.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.tree)
        layout.addWidget(self.note)
        self._items: dict[QTreeWidgetItem, tuple[Any, int]] = {}
        self.tree.itemChanged.connect(self._changed)

    def set_overlays(self, overlays: Sequence[tuple[str, Any]], visible: Callable[[Any, int], bool],
                     values: Callable[[Any], tuple[list[ValueSummary], str]] | None = None) -> None:
        """List ``overlays`` ((title, segmentation or structure set)); ``visible(overlay, n)`` says
        which rows are checked; ``values(overlay)`` gives the mean/max per segment and their unit."""
        self.tree.blockSignals(True)
        self.tree.clear()
        self._items = {}
        unit = ""
        for title, overlay in overlays:
            top = QTreeWidgetItem([title])
            self.tree.addTopLevelItem(top)
            stats: list[SegmentStatistics] = overlay.statistics()
            summaries: dict[int, ValueSummary] = {}
            if values is not None:
                found, unit = values(overlay)
                summaries = {s.segment.number: s for s in found}
            for stat in stats:
                segment = stat.segment
                summary = summaries.get(segment.number)
                item = QTreeWidgetItem([
                    segment.label,
                    _number(stat.volume_ml, 2),
                    _number(summary.mean if summary else None, 2 if unit.startswith("SU") else 1),
                    _number(summary.maximum if summary else None, 2 if unit.startswith("SU") else 1),
                ])
                item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                item.setCheckState(0, Qt.CheckState.Checked if visible(overlay, segment.number) else Qt.CheckState.Unchecked)
                item.setBackground(0, QColor(*segment.colour).lighter(150))
                item.setToolTip(0, segment.property_type or segment.label)
                top.addChild(item)
                self._items[item] = (overlay, segment.number)
            top.setExpanded(True)
        if unit:
            self.tree.setHeaderLabels([self.tr("Segment"), self.tr("Volume (mL)"), self.tr("Mean ({0})").format(unit),
                                       self.tr("Max ({0})").format(unit)])
        self.note.setText(self.tr("Mean and maximum over the images of the active viewport that the segments cross.")
                          if unit else "")
        for column in range(len(_COLUMNS)):
            self.tree.resizeColumnToContents(column)
        self.tree.blockSignals(False)

    def rows(self) -> list[tuple[str, str, str, str, bool]]:
        """Every segment row as shown: label, volume, mean, max, checked (for tests)."""
        out = []
        for item in self._items:
            out.append((item.text(0), item.text(1), item.text(2), item.text(3), item.checkState(0) == Qt.CheckState.Checked))
        return out

    def set_checked(self, label: str, checked: bool) -> None:
        """Check or uncheck the first row called ``label`` (as a click does)."""
        for item in self._items:
            if item.text(0) == label:
                item.setCheckState(0, Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
                return

    def _changed(self, item: QTreeWidgetItem, column: int) -> None:
        if column != 0 or item not in self._items:
            return
        overlay, number = self._items[item]
        self.visibility_changed.emit(overlay, number, item.checkState(0) == Qt.CheckState.Checked)
