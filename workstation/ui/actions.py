"""The reading tools: actions with keyboard shortcuts, the tool bar, and the shortcuts list.

Every tool acts on the active viewport of the study tab in front: layout 1x1 to 4x4, maximise,
window presets (keys 1-9, PS3.3 C.11.2.1.2 windows and the modality's presets), fit and 1:1
pixels, rotate, flip, invert, reset, cine with its frame rate, reference lines and linked
scrolling. The viewport itself handles the mouse and the scroll keys.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from PySide6.QtCore import QCoreApplication, QObject, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QHeaderView,
    QLabel,
    QMenu,
    QTableWidget,
    QTableWidgetItem,
    QToolBar,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from workstation.model import colormaps
from workstation.model.presets import available_presets
from workstation.model.viewport import MAX_GRID
from workstation.ui.core_text import preset_label
from workstation.ui.i18n import QT_TRANSLATE_NOOP

#: Grid shortcuts: Ctrl+digit picks the common layouts.
GRID_KEYS = {(1, 1): "Ctrl+1", (1, 2): "Ctrl+2", (2, 1): "Ctrl+3", (2, 2): "Ctrl+4",
             (2, 3): "Ctrl+5", (3, 3): "Ctrl+6", (4, 4): "Ctrl+7"}

#: QC mode (issue 8): the QC tab and the DICOM tag browser of the active image.
QC_MODE_KEY = "F3"
TAG_BROWSER_KEY = "Ctrl+T"

#: Reporting (issue 7): the report editor dock of the study in front.
REPORT_KEY = "Ctrl+Shift+E"

#: MPR and 3D (issue 4): the active viewport's volume in a tab of its own; the same key goes
#: back to the study. (Ctrl+3 is the 2 x 1 layout, so 3D is Ctrl+D.)
MPR_KEY = "M"
VOLUME_3D_KEY = "Ctrl+D"

#: What the viewport does with the mouse and scroll keys (handled inside the viewport).
VIEWPORT_HELP = (
    (QT_TRANSLATE_NOOP("shortcuts", "Mouse wheel, Up/Down, Page Up/Down, Home/End"), QT_TRANSLATE_NOOP("shortcuts", "Scroll through the images")),
    (QT_TRANSLATE_NOOP("shortcuts", "Right-drag"), QT_TRANSLATE_NOOP("shortcuts", "Window/level")),
    (QT_TRANSLATE_NOOP("shortcuts", "Middle-drag / Ctrl+wheel"), QT_TRANSLATE_NOOP("shortcuts", "Pan / zoom")),
    ("Shift+click", QT_TRANSLATE_NOOP("shortcuts", "3D cursor: the other viewports jump to the point")),
    (QT_TRANSLATE_NOOP("shortcuts", "Double-click"), QT_TRANSLATE_NOOP("shortcuts", "Maximise or restore the viewport")),
    (QT_TRANSLATE_NOOP("shortcuts", "Drag a series from the list"), QT_TRANSLATE_NOOP("shortcuts", "Show it in the viewport it is dropped on")),
)


def _next_colour_map(state: Any) -> None:
    """Grey -> hot iron -> PET -> grey (PS3.6 B.1 palettes, workstation.model.colormaps)."""
    order = [colormaps.GREY, colormaps.HOT_IRON, colormaps.PET]
    current = state.colormap if state.colormap in order else colormaps.GREY
    state.colormap = order[(order.index(current) + 1) % len(order)]


class ReadingActions(QObject):
    """Builds the reading actions for a main window; ``study()`` is the study tab in front."""

    def __init__(self, window: QWidget, study: Callable[[], Any]) -> None:
        super().__init__(window)
        self.window = window
        self.study = study
        self.actions: list[QAction] = []

        self.grid_actions: dict[tuple[int, int], QAction] = {}
        self.layout_menu = QMenu(self.tr("&Layout"), window)
        for rows in range(1, MAX_GRID + 1):
            for columns in range(1, MAX_GRID + 1):
                action = self._make(f"{rows} x {columns}", GRID_KEYS.get((rows, columns)),
                                    partial(self._grid, rows, columns), register=False)
                self.grid_actions[(rows, columns)] = action
                self.layout_menu.addAction(action)
                if (rows, columns) in GRID_KEYS:
                    self.actions.append(action)
        self.maximise = self._make(self.tr("&Maximise / restore viewport"), "Ctrl+M", lambda: self._on(lambda s: s.grid.toggle_maximise()))

        self.preset_actions: list[QAction] = []
        for key in range(1, 10):
            action = self._make(self.tr("Window preset {0}").format(key), str(key), partial(self._preset, key))
            action.setProperty("presetKey", key)
            self.preset_actions.append(action)
        self.own_window = self._make(self.tr("Image's own &window"), "0", lambda: self._state(lambda st: st.reset_window()))
        self.preset_menu = QMenu(self.tr("Window &presets"), window)
        self.preset_menu.aboutToShow.connect(self._fill_preset_menu)

        self.fit = self._make(self.tr("&Fit to viewport"), "F", lambda: self._state(lambda st: st.fit()))
        self.one_to_one = self._make(self.tr("&1:1 pixels"), "Z", lambda: self._state(lambda st: st.one_to_one()))
        self.rotate = self._make(self.tr("&Rotate 90° clockwise"), "Ctrl+R", lambda: self._state(lambda st: st.rotate_clockwise()))
        self.rotate_back = self._make(self.tr("Rotate 90° counter-clockwise"), "Ctrl+Shift+R", lambda: self._state(lambda st: st.rotate_counterclockwise()))
        self.flip_h = self._make(self.tr("Flip &horizontal"), "H", lambda: self._state(lambda st: st.flip_screen_horizontal()))
        self.flip_v = self._make(self.tr("Flip &vertical"), "V", lambda: self._state(lambda st: st.flip_screen_vertical()))
        self.invert = self._make(self.tr("&Invert"), "I", lambda: self._state(lambda st: setattr(st, "invert", not st.invert)))
        self.colour_map = self._make(self.tr("Colour &map (grey, hot iron, PET)"), "Shift+I", lambda: self._state(_next_colour_map))
        self.fusion_more = self._make(self.tr("Fusion opacity +10%"), None, lambda: self._on(lambda s: s.fusion_opacity_step(0.1)))
        self.fusion_less = self._make(self.tr("Fusion opacity -10%"), None, lambda: self._on(lambda s: s.fusion_opacity_step(-0.1)))
        self.reset = self._make(self.tr("Rese&t view"), "R", lambda: self._on(lambda s: s.reset_view()))
        self.reset.setShortcuts([QKeySequence("R"), QKeySequence("Esc")])
        self.auto = self._make(self.tr("&Auto window"), "A", lambda: self._on(lambda s: s.auto_window()))

        self.cine = self._make(self.tr("&Cine play/pause"), "C", self._toggle_cine, checkable=True)
        self.faster = self._make(self.tr("Cine faster"), "]", lambda: self._fps_step(1.25))
        self.slower = self._make(self.tr("Cine slower"), "[", lambda: self._fps_step(0.8))
        self.fps = QDoubleSpinBox()
        self.fps.setRange(1.0, 120.0)
        self.fps.setDecimals(1)
        self.fps.setSuffix(self.tr(" fps"))
        self.fps.setToolTip(self.tr("Cine frame rate (frames per second)"))
        self.fps.valueChanged.connect(lambda value: self._on(lambda s: s.set_cine_fps(value)))

        self.reference_lines = self._make(self.tr("Reference &lines"), "Ctrl+L", lambda: self._on(lambda s: s.set_reference_lines(self.reference_lines.isChecked())), checkable=True)
        self.reference_lines.setChecked(True)
        self.link_scroll = self._make(self.tr("Lin&ked scrolling"), "Ctrl+Shift+L", lambda: self._on(lambda s: s.set_link_scroll(self.link_scroll.isChecked())), checkable=True)
        self.link_scroll.setChecked(True)

    def _make(self, text: str, shortcut: str | None, slot: Callable[[], Any], *, checkable: bool = False, register: bool = True) -> QAction:
        action = QAction(text, self.window)
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        action.setCheckable(checkable)
        action.triggered.connect(lambda _checked=False: slot())
        self.window.addAction(action)
        if register:
            self.actions.append(action)
        return action

    # -- acting on the study in front ----------------------------------------------------------

    def _on(self, fn: Callable[[Any], Any]) -> None:
        study = self.study()
        if study is not None:
            fn(study)

    def _state(self, fn: Callable[[Any], Any]) -> None:
        study = self.study()
        state = study.active_state() if study is not None else None
        if state is not None:
            fn(state)

    def _grid(self, rows: int, columns: int) -> None:
        self._on(lambda s: s.set_grid(rows, columns))
        remember = getattr(self.window, "remember_grid", None)
        if remember is not None and self.study() is not None:
            remember(rows, columns)

    def _preset(self, key: int) -> None:
        study = self.study()
        if study is None:
            return
        preset = study.apply_preset_key(key)
        status = getattr(self.window, "statusBar", None)
        if preset is not None and status is not None:
            status().showMessage(self.tr("Window {0}").format(preset_label(preset)), 3000)

    def preset_names(self) -> dict[int, str]:
        """Key -> preset label ('Lung (W 1500 / L -600)') for the active viewport of the study in
        front; with none open, the CT presets (PS3.3 C.11.2.1.2 windows), 9 being the image's own."""
        study = self.study()
        presets = study.presets() if study is not None else []
        if not presets:
            presets = available_presets("CT")
            names = {p.key: preset_label(p) for p in presets if p.key is not None}
            names.setdefault(9, self.tr("the image's own first window (CT)"))
            return names
        return {p.key: preset_label(p) for p in presets if p.key is not None}

    def _fill_preset_menu(self) -> None:
        self.preset_menu.clear()
        study = self.study()
        presets = study.presets() if study is not None else []
        if not presets:
            self.preset_menu.addAction(self.tr("No presets for this viewport")).setEnabled(False)
        for preset in presets:
            text = preset_label(preset) + (f"\t{preset.key}" if preset.key else "")
            action = self.preset_menu.addAction(text)
            action.triggered.connect(lambda _c=False, p=preset: self._on(lambda s: s.apply_preset(p)))

    def _toggle_cine(self) -> None:
        study = self.study()
        if study is None:
            self.cine.setChecked(False)
            return
        self.cine.setChecked(study.toggle_cine())

    def _fps_step(self, factor: float) -> None:
        self.fps.setValue(max(1.0, min(120.0, self.fps.value() * factor)))

    def refresh(self) -> None:
        """Bring checkable tools and the frame rate in line with the study (tab or viewport changed)."""
        study = self.study()
        enabled = study is not None
        for action in self.actions:
            action.setEnabled(enabled)
        for action in self.grid_actions.values():
            action.setEnabled(enabled)
        self.fps.setEnabled(enabled)
        if study is None:
            return
        self.reference_lines.setChecked(study.reference_lines)
        self.link_scroll.setChecked(study.link_scroll)
        binding = study.active
        self.cine.setChecked(binding.cine.isActive())
        self.fps.blockSignals(True)
        self.fps.setValue(binding.state.cine_fps)
        self.fps.blockSignals(False)

    # -- tool bar and menus --------------------------------------------------------------------

    def tool_bar(self) -> QToolBar:
        bar = QToolBar(self.tr("Reading tools"))
        bar.setObjectName("readingTools")
        for menu, text in ((self.layout_menu, self.tr("Layout")), (self.preset_menu, self.tr("W/L presets"))):
            button = QToolButton()
            button.setText(text)
            button.setMenu(menu)
            button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
            bar.addWidget(button)
        bar.addSeparator()
        for action, label in ((self.fit, self.tr("Fit")), (self.one_to_one, "1:1"), (self.rotate, self.tr("Rotate")),
                              (self.flip_h, self.tr("Flip H")), (self.flip_v, self.tr("Flip V")), (self.invert, self.tr("Invert")),
                              (self.reset, self.tr("Reset"))):
            action.setIconText(label)
            bar.addAction(action)
        bar.addSeparator()
        self.cine.setIconText(self.tr("Cine"))
        bar.addAction(self.cine)
        bar.addWidget(self.fps)
        bar.addSeparator()
        self.reference_lines.setIconText(self.tr("Ref. lines"))
        self.link_scroll.setIconText(self.tr("Link scroll"))
        bar.addAction(self.reference_lines)
        bar.addAction(self.link_scroll)
        bar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        return bar

    def fill_view_menu(self, menu: QMenu) -> None:
        menu.addMenu(self.layout_menu)
        menu.addAction(self.maximise)
        menu.addSeparator()
        menu.addMenu(self.preset_menu)
        menu.addAction(self.own_window)
        menu.addAction(self.auto)
        for action in (self.fit, self.one_to_one, self.rotate, self.rotate_back, self.flip_h,
                       self.flip_v, self.invert, self.colour_map, self.fusion_more, self.fusion_less, self.reset):
            menu.addAction(action)
        menu.addSeparator()
        for action in (self.cine, self.faster, self.slower, self.reference_lines, self.link_scroll):
            menu.addAction(action)


def shortcut_rows(actions: list[QAction], preset_names: dict[int, str] | None = None) -> list[tuple[str, str]]:
    """(keys, what they do) for every action with a shortcut, then the viewport's own; the
    window preset keys 1-9 by the names of the presets they choose (``preset_names``)."""
    names = preset_names or {}
    rows = []
    for action in actions:
        keys = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
        if keys:
            text = action.text().replace("&", "")
            key = action.property("presetKey")
            if isinstance(key, int) and key in names:
                text = QCoreApplication.translate("actions", "Window preset: {0}").format(names[key])
            rows.append((keys, text))
    rows.extend((QCoreApplication.translate("shortcuts", keys), QCoreApplication.translate("shortcuts", text))
                for keys, text in VIEWPORT_HELP)
    return rows


class ShortcutsDialog(QDialog):
    """Help > Shortcuts: every key and mouse gesture of the reading room."""

    def __init__(self, rows: list[tuple[str, str]], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Keyboard shortcuts"))
        self.table = QTableWidget(len(rows), 2)
        self.table.setHorizontalHeaderLabels([self.tr("Keys"), self.tr("Action")])
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        for r, (keys, text) in enumerate(rows):
            self.table.setItem(r, 0, QTableWidgetItem(keys))
            self.table.setItem(r, 1, QTableWidgetItem(text))
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(self.tr("Keys act on the active viewport of the study in front.")))
        layout.addWidget(self.table)
        layout.addWidget(buttons)
        self.resize(560, 640)
