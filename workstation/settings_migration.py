"""Carry older settings over to the typed entries of :class:`~workstation.settings.Settings`.

Older versions kept the RIS and the letterhead as free-form entries of the settings file (they
have the names of the typed entries now, so they load as they are), and kept behaviour choices
in the window settings, ``ui.ini`` (Qt's INI format), which the command line never read: how
studies open and priors prefetch (``hanging/...``), the report signing key (``report/...``),
the theme and the language (``appearance/...``). :func:`migrate` fills every typed entry the
settings file lacks from ``ui.ini``; once the settings are saved, the file's entry wins and
``ui.ini`` keeps only the window's geometry and layout. A value ``ui.ini`` holds that is not
valid is left out (the default applies), as the window settings' readers did.

The INI values are read as QSettings writes them (Qt 6: UTF-8; a value with separators or
spaces at its ends in double quotes; backslash escapes as in C, ``\\xHHHH`` for a code point).
"""

from __future__ import annotations

import configparser
import logging
import re
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

#: ``ui.ini`` key -> (settings entry, field, kind) for what the window settings used to hold.
LEGACY_KEYS: dict[str, tuple[str, str, str]] = {
    "hanging/apply_on_open": ("hanging", "apply_on_open", "bool"),
    "hanging/prior_bandwidth_share": ("hanging", "prior_bandwidth_share", "float"),
    "hanging/link_mbit_per_s": ("hanging", "link_mbit_per_s", "float"),
    "report/signing_method": ("report_key", "signing_method", "str"),
    "report/pkcs12_path": ("report_key", "pkcs12_path", "str"),
    "report/pkcs11_library": ("report_key", "pkcs11_library", "str"),
    "report/pkcs11_token": ("report_key", "pkcs11_token", "str"),
    "report/pkcs11_key_label": ("report_key", "pkcs11_key_label", "str"),
    "report/author": ("report_key", "author", "str"),
    "report/practice": ("letterhead", "practice_name", "str"),
    "appearance/theme": ("appearance", "theme", "str"),
    "appearance/language": ("appearance", "language", "str"),
}

_ESCAPES = {"a": "\a", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v",
            "\\": "\\", '"': '"', "'": "'", "?": "?", ";": ";", ",": ",", "=": "="}
_ESCAPE = re.compile(r"\\(x[0-9a-fA-F]{1,4}|[0-7]{1,3}|.)")


def _unescape(match: re.Match[str]) -> str:
    code = match.group(1)
    if code[0] == "x":
        return chr(int(code[1:], 16))
    if code[0].isdigit():
        return chr(int(code, 8))
    return _ESCAPES.get(code, code)


def ini_text(raw: str) -> str:
    """A QSettings INI value as text: quotes around it removed, escapes undone."""
    raw = raw.strip()
    if len(raw) >= 2 and raw[0] == raw[-1] == '"':
        raw = raw[1:-1]
    return _ESCAPE.sub(_unescape, raw)


def read_ui_ini(path: Path) -> dict[str, str]:
    """The ``section/key`` values of a QSettings INI file (empty when it is absent or unreadable:
    the window settings are a convenience, never a reason not to start)."""
    parser = configparser.ConfigParser(interpolation=None, strict=False, delimiters=("=",),
                                       comment_prefixes=(";",), inline_comment_prefixes=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]  # keys keep their case
    try:
        parser.read_string(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError, configparser.Error) as exc:
        log.warning("The window settings cannot be read (%s); their older choices are not carried over.",
                    type(exc).__name__)
        return {}
    return {f"{section}/{key}": ini_text(value)
            for section in parser.sections() for key, value in parser.items(section, raw=True)}


def _typed(text: str, kind: str) -> Any:
    if kind == "bool":
        lowered = text.lower()
        if lowered not in ("true", "false"):
            raise ValueError(text)
        return lowered == "true"
    if kind == "float":
        return float(text)
    return text


def migrate(data: dict[str, Any], ui_ini: Path | None = None) -> dict[str, Any]:
    """``data`` (a settings file's object) with the typed entries it lacks filled from the
    window settings at ``ui_ini`` (default :func:`~workstation.settings.ui_ini_path`); ``data``
    itself is not changed. A file this version saved has every entry: ``ui.ini`` is not read."""
    from workstation.errors import SettingsError
    from workstation.settings import Settings, ui_ini_path

    missing = {entry for entry, _f, _k in LEGACY_KEYS.values() if entry not in data}
    if not missing:
        return data
    if not _has_practice(data):  # an older file: the practice's name may be in ui.ini only
        missing.add("letterhead")
    legacy = read_ui_ini(ui_ini or ui_ini_path())
    out = dict(data)
    for key, (entry, name, kind) in LEGACY_KEYS.items():
        if entry not in missing or key not in legacy:
            continue
        try:
            value = _typed(legacy[key], kind)
        except ValueError:
            continue
        section = dict(out.get(entry) or {})
        if name in section and section[name]:
            continue  # the settings file's own value wins
        section[name] = value
        try:  # a value the typed entry refuses is left out, as the window settings' readers did
            Settings.from_json({entry: section})
        except SettingsError:
            continue
        out[entry] = section
    return out


def _has_practice(data: dict[str, Any]) -> bool:
    letterhead = data.get("letterhead")
    return isinstance(letterhead, dict) and bool(letterhead.get("practice_name"))
