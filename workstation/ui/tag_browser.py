"""The DICOM tag browser: any header as a tree of elements, searchable, values copyable.

A thin Qt view over :mod:`workstation.model.tag_tree` (PS3.5 7 data elements, 7.5 nested
sequences, 7.8 private elements). Values are plain text: items are ``QStandardItem`` text, never
rich text, and no tooltip repeats a value (Qt guesses rich text in tooltips), so a header carrying
markup (hostile files exist) is shown as the characters it holds.
"""

from __future__ import annotations

from pydicom.dataset import Dataset
from PySide6.QtCore import QCoreApplication, QModelIndex, Qt
from PySide6.QtGui import (
    QGuiApplication,
    QKeySequence,
    QShortcut,
    QStandardItem,
    QStandardItemModel,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from workstation.model.tag_tree import NOTE, TagRow, ancestors, copy_text, search_rows, tag_rows

COLUMNS = ("Tag", "Name", "VR", "VM", "Value")
ROW_ROLE = Qt.ItemDataRole.UserRole + 1


def _item(text: str, row: int) -> QStandardItem:
    item = QStandardItem(text)
    item.setEditable(False)
    item.setData(row, ROW_ROLE)
    return item


class TagBrowser(QWidget):
    """A tree of a header's elements with a search field, expand/collapse and copy value (Ctrl+C)."""

    def __init__(self, ds: Dataset | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows: list[TagRow] = []
        self._items: list[QStandardItem] = []
        self.model = QStandardItemModel(0, len(COLUMNS), self)
        self.model.setHorizontalHeaderLabels(list(COLUMNS))

        self.search = QLineEdit(self)
        self.search.setPlaceholderText(self.tr("Search keyword, tag (0010,0010) or value"))
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self.apply_search)
        self.matches_label = QLabel("", self)
        expand = QPushButton(self.tr("Expand all"), self)
        expand.clicked.connect(self.expand_all)
        collapse = QPushButton(self.tr("Collapse all"), self)
        collapse.clicked.connect(self.collapse_all)
        copy = QPushButton(self.tr("Copy value"), self)
        copy.clicked.connect(self.copy_current)

        self.tree = QTreeView(self)
        self.tree.setModel(self.model)
        self.tree.setUniformRowHeights(True)
        self.tree.setAlternatingRowColors(True)
        self.tree.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.tree.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.tree.setTextElideMode(Qt.TextElideMode.ElideRight)

        shortcut = QShortcut(QKeySequence(QKeySequence.StandardKey.Copy), self.tree)
        shortcut.setContext(Qt.ShortcutContext.WidgetShortcut)
        shortcut.activated.connect(self.copy_current)

        bar = QHBoxLayout()
        bar.addWidget(self.search, 1)
        bar.addWidget(self.matches_label)
        bar.addWidget(expand)
        bar.addWidget(collapse)
        bar.addWidget(copy)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.tree, 1)
        if ds is not None:
            self.set_dataset(ds)

    # ------------------------------------------------------------------ content

    def set_dataset(self, ds: Dataset) -> None:
        """Show ``ds`` (its file meta information first), top level expanded by nothing."""
        self.rows = tag_rows(ds)
        self.model.removeRows(0, self.model.rowCount())
        self._items = []
        root = self.model.invisibleRootItem()
        for row in self.rows:
            cells = [
                _item(row.tag, row.index),
                _item(row.name, row.index),
                _item(row.vr, row.index),
                _item(str(row.vm) if row.kind != NOTE and row.tag and row.vr else "", row.index),
                _item(row.value, row.index),
            ]
            if row.kind == NOTE:
                for cell in cells:
                    cell.setForeground(Qt.GlobalColor.darkRed)
            parent = root if row.parent < 0 else self._items[row.parent]
            parent.appendRow(cells)
            self._items.append(cells[0])
        for column in range(len(COLUMNS) - 1):
            self.tree.resizeColumnToContents(column)
        self.apply_search(self.search.text())

    def index_of(self, row: int) -> QModelIndex:
        """The model index of the first column of rows[row]."""
        return self.model.indexFromItem(self._items[row])

    def current_row(self) -> TagRow | None:
        index = self.tree.currentIndex()
        if not index.isValid():
            return None
        number = index.data(ROW_ROLE)
        return self.rows[int(number)] if number is not None else None

    # ------------------------------------------------------------------ actions

    def expand_all(self) -> None:
        self.tree.expandAll()

    def collapse_all(self) -> None:
        self.tree.collapseAll()

    def copy_current(self) -> str:
        """Copy the current row's value to the clipboard; returns what was copied."""
        row = self.current_row()
        text = copy_text(row) if row is not None else ""
        if row is not None:
            QGuiApplication.clipboard().setText(text)
        return text

    def apply_search(self, query: str) -> list[int]:
        """Show only matching rows and the rows enclosing them (expanded); all rows when empty."""
        hits = search_rows(self.rows, query)
        if not query.strip():
            for item in self._items:
                self._set_hidden(item, False)
            self.matches_label.setText("")
            return []
        keep = set(hits)
        for hit in hits:
            keep.update(ancestors(self.rows, hit))
        for row in self.rows:
            self._set_hidden(self._items[row.index], row.index not in keep)
        for hit in hits:
            for parent in ancestors(self.rows, hit):
                self.tree.expand(self.index_of(parent))
        if hits:
            self.tree.setCurrentIndex(self.index_of(hits[0]))
            self.tree.scrollTo(self.index_of(hits[0]))
        self.matches_label.setText(self.tr("1 match") if len(hits) == 1 else self.tr("{0} matches").format(len(hits)))
        return hits

    def _set_hidden(self, item: QStandardItem, hidden: bool) -> None:
        parent = item.parent()
        parent_index = self.model.indexFromItem(parent) if parent is not None else QModelIndex()
        self.tree.setRowHidden(item.row(), parent_index, hidden)

    def is_row_hidden(self, row: int) -> bool:
        item = self._items[row]
        parent = item.parent()
        parent_index = self.model.indexFromItem(parent) if parent is not None else QModelIndex()
        return self.tree.isRowHidden(item.row(), parent_index)


def open_tag_browser(ds: Dataset, parent: QWidget | None = None) -> TagBrowser:
    """Open the tag browser of ``ds`` as its own window (titled by SOP Instance UID, no patient data)."""
    browser = TagBrowser(ds, parent)
    browser.setWindowFlag(Qt.WindowType.Window, True)
    browser.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
    uid = str(ds.get("SOPInstanceUID", "") or "")
    browser.setWindowTitle(QCoreApplication.translate("tag_browser", "DICOM tags — {0}").format(uid) if uid else QCoreApplication.translate("tag_browser", "DICOM tags"))
    browser.resize(900, 700)
    browser.show()
    return browser
