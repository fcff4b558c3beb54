"""The reading room's colours: dark by default (reading rooms are dark, and a bright frame
around the images dazzles and changes how grey levels are seen), light as a choice in the
settings. The choice is kept in the settings (``Settings.appearance.theme``) and applies to
the whole application (Qt's Fusion style with a palette), at once when changed.
"""

from __future__ import annotations

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QStyleFactory

DARK = "dark"
LIGHT = "light"
#: (value kept, what the settings show)
THEMES = ((DARK, "Dark (reading room)"), (LIGHT, "Light"))
DEFAULT_THEME = DARK
_KEY = "appearance/theme"

#: Dark palette: (role, colour) for the active and inactive groups.
_DARK_COLOURS: tuple[tuple[QPalette.ColorRole, str], ...] = (
    (QPalette.ColorRole.Window, "#1e1f22"),
    (QPalette.ColorRole.WindowText, "#d8d8d8"),
    (QPalette.ColorRole.Base, "#151618"),
    (QPalette.ColorRole.AlternateBase, "#222327"),
    (QPalette.ColorRole.ToolTipBase, "#2b2d31"),
    (QPalette.ColorRole.ToolTipText, "#e8e8e8"),
    (QPalette.ColorRole.PlaceholderText, "#8a8a8a"),
    (QPalette.ColorRole.Text, "#d8d8d8"),
    (QPalette.ColorRole.Button, "#2a2b2f"),
    (QPalette.ColorRole.ButtonText, "#d8d8d8"),
    (QPalette.ColorRole.BrightText, "#ff6060"),
    (QPalette.ColorRole.Light, "#3a3b40"),
    (QPalette.ColorRole.Midlight, "#303136"),
    (QPalette.ColorRole.Mid, "#26272b"),
    (QPalette.ColorRole.Dark, "#111214"),
    (QPalette.ColorRole.Shadow, "#000000"),
    (QPalette.ColorRole.Highlight, "#3d6fb0"),
    (QPalette.ColorRole.HighlightedText, "#ffffff"),
    (QPalette.ColorRole.Link, "#6ea8ff"),
    (QPalette.ColorRole.LinkVisited, "#b08cff"),
)
_DISABLED_TEXT = "#6c6c6c"


def dark_palette() -> QPalette:
    palette = QPalette()
    for role, colour in _DARK_COLOURS:
        palette.setColor(role, QColor(colour))
    for role in (QPalette.ColorRole.WindowText, QPalette.ColorRole.Text, QPalette.ColorRole.ButtonText):
        palette.setColor(QPalette.ColorGroup.Disabled, role, QColor(_DISABLED_TEXT))
    return palette


def current_theme() -> str:
    """The theme chosen in the settings (``Settings.appearance``), else :data:`DEFAULT_THEME`."""
    from workstation.ui.settings_store import settings_store as ui_settings

    value = str(ui_settings().value(_KEY, "") or "").lower()
    return value if value in (DARK, LIGHT) else DEFAULT_THEME


def save_theme(name: str) -> None:
    from workstation.ui.settings_store import settings_store as ui_settings

    store = ui_settings()
    store.setValue(_KEY, name if name in (DARK, LIGHT) else DEFAULT_THEME)
    store.sync()


def apply_theme(name: str | None = None) -> str:
    """Colour the running application with theme ``name`` (default: the one chosen); returns it."""
    app = QApplication.instance()
    name = name if name in (DARK, LIGHT) else current_theme()
    if not isinstance(app, QApplication):
        return name
    style = QStyleFactory.create("Fusion")
    if style is not None and app.style().name().lower() != "fusion":
        app.setStyle(style)
    app.setPalette(dark_palette() if name == DARK else app.style().standardPalette())
    return name
