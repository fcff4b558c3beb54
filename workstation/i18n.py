"""The workstation's languages (issue 17): English (the source text) and French.

Qt-free, so that the report writer and the CLI use it too. The interface's translations are Qt
``.qm`` catalogues compiled from the ``.ts`` sources in ``resources/translations`` (Qt Linguist
format, made with ``pyside6-lupdate``/``pyside6-lrelease``; ``scripts/update-translations``);
:func:`translations_folder` is the one place that knows where they are.

Dates and numbers follow the conventions of the Unicode CLDR (the data behind Qt's ``QLocale``):
French writes a comma as decimal separator and abbreviated months with a full stop
("12 janv. 2025"); English writes "12 Jan 2025" and a decimal point.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path

ENGLISH = "en"
FRENCH = "fr"
#: The languages the workstation speaks; the first is the source language of the text.
LANGUAGES = (ENGLISH, FRENCH)
#: Base name of the compiled catalogues: ``workstation_fr.qm``.
CATALOGUE = "workstation"

_MONTHS = {
    ENGLISH: ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
    # CLDR French abbreviated month names (format context), as QLocale("fr_FR") writes them.
    FRENCH: ("janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.",
             "nov.", "déc."),
}


def translations_folder() -> Path:
    """The folder of the ``.ts`` sources and compiled ``.qm`` catalogues.

    ``WORKSTATION_RESOURCES`` (the ``resources`` folder) first, then ``resources/translations``
    beside the package (a source checkout), then inside the package (``workstation/resources``,
    where an installed package or a bundle carries it).
    """
    override = os.environ.get("WORKSTATION_RESOURCES")
    package = Path(__file__).resolve().parent
    candidates = [Path(override) / "translations"] if override else []
    candidates += [package.parent / "resources" / "translations", package / "resources" / "translations"]
    for folder in candidates:
        if folder.is_dir():
            return folder
    return candidates[-1]


def catalogue_path(language: str) -> Path | None:
    """The compiled catalogue of ``language`` (``None`` for English, the source language)."""
    if language == ENGLISH:
        return None
    return translations_folder() / f"{CATALOGUE}_{language}.qm"


def pick_language(choice: str, system_locale: str) -> str:
    """The language to speak: ``choice`` ("en", "fr"; empty or "system": the system's), else
    the system locale's language (``fr_FR``, ``fr-CA``, ``fr``: French), else English."""
    choice = (choice or "").strip().lower()
    if choice in LANGUAGES:
        return choice
    code = (system_locale or "").replace("-", "_").split("_")[0].split(".")[0].lower()
    return code if code in LANGUAGES else ENGLISH


def format_decimal(value: float, language: str, decimals: int = 1) -> str:
    """``value`` with ``decimals`` digits in the language's notation (French: "12,5")."""
    text = f"{value:.{decimals}f}"
    if text.startswith("-") and float(text) == 0:
        text = text[1:]  # no "-0,0"
    return text.replace(".", ",") if language == FRENCH else text


def format_date(day: dt.date, language: str) -> str:
    """A date as its language writes it in a report: "12 janv. 2025" / "12 Jan 2025"."""
    months = _MONTHS.get(language, _MONTHS[ENGLISH])
    return f"{day.day} {months[day.month - 1]} {day.year}"


def format_dicom_date(value: str, language: str) -> str:
    """A DICOM DA value (YYYYMMDD, PS3.5 6.2) as :func:`format_date` writes it; text that is
    not a valid date comes back unchanged (shown as it is rather than hidden)."""
    try:
        day = dt.datetime.strptime(value.strip()[:8], "%Y%m%d").date()
    except ValueError:
        return value
    return format_date(day, language)


_DECIMAL = re.compile(r"(?<=\d)\.(?=\d)")


def localize_decimals(text: str, language: str) -> str:
    """``text`` with its decimal points written as ``language`` writes them ("Length 12.5 mm" ->
    "12,5 mm" in French); a point between two digits is the only one changed."""
    return _DECIMAL.sub(",", text) if language == FRENCH else text
