"""The behaviour choices the interface remembers, kept in the typed settings file.

Widgets used to remember how studies open, the prefetch's share of the link, the report key,
the theme and the language in ``ui.ini`` under ``section/key`` names, where the command line
never saw them. :func:`settings_store` keeps those names and the ``value``/``setValue`` calls
(so a widget changes one line) but reads and writes the typed entries of
:class:`~workstation.settings.Settings` (``hanging``, ``report_key``, ``letterhead``,
``appearance``), each change saved at once (load, change, atomic write). ``ui.ini`` keeps the
window's geometry and layout only.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import Any

from workstation.errors import SettingsError
from workstation.settings import Settings, load_settings, save_settings
from workstation.settings_migration import LEGACY_KEYS

log = logging.getLogger(__name__)


class SettingsStore:
    """``value(key, default)`` and ``setValue(key, value)`` over the typed settings, for the
    keys of :data:`~workstation.settings_migration.LEGACY_KEYS`; a true/false value reads as
    ``"true"``/``"false"`` as it did from ``ui.ini``, one not chosen (``None``) as ``default``."""

    def value(self, key: str, default: Any = None) -> Any:
        entry, name, kind = LEGACY_KEYS[key]
        try:
            settings = load_settings()
        except SettingsError as exc:  # the window still works; the settings dialog says why
            log.warning("The settings cannot be read (%s); the default applies.", type(exc).__name__)
            return default
        value = getattr(getattr(settings, entry), name)
        if value is None:  # not chosen
            return default
        if kind == "bool":
            return "true" if value else "false"
        return value

    def setValue(self, key: str, value: Any) -> None:  # noqa: N802 - QSettings' name
        """Save ``value`` into the typed entry; raises SettingsError (a sentence) if the value is
        invalid. A settings file that cannot be read or written loses the choice, with a warning
        in the log, as ``ui.ini`` did (the settings dialog says why when it is opened)."""
        entry, name, kind = LEGACY_KEYS[key]
        if kind == "bool":
            typed: Any = value if isinstance(value, bool) else str(value).lower() == "true"
        elif kind == "float":
            try:
                typed = float(value)
            except (TypeError, ValueError):
                raise SettingsError(f"The setting {name} must be a number, not {value!r}.") from None
        else:
            typed = str(value)
        try:
            settings = load_settings()
        except SettingsError as exc:
            log.warning("The settings cannot be read (%s); the choice %s is not saved.", type(exc).__name__, key)
            return
        section = replace(getattr(settings, entry), **{name: typed})
        try:
            save_settings(replace(settings, **{entry: section}))
        except OSError as exc:
            log.warning("The settings cannot be written (%s); the choice %s is not saved.", exc.strerror, key)

    def sync(self) -> None:
        """Nothing to do: every ``setValue`` is saved at once."""


def settings_store() -> SettingsStore:
    return SettingsStore()


def on_disk(fallback: Settings) -> Settings:
    """The settings as saved now (another window or a menu may have changed them since
    ``fallback`` was read); ``fallback`` when the file cannot be read."""
    try:
        return load_settings()
    except SettingsError:
        return fallback
