"""The interface's language (issue 17): Qt's translation system with the catalogues of
:mod:`workstation.i18n`, and the user's locale for dates and numbers.

The language follows the operating system's unless the settings choose one
(``Settings.appearance.language``: "", "en" or "fr"). :func:`install_translations` loads the workstation's
catalogue and Qt's own (``qtbase_fr.qm``: the standard buttons and dialogs), and makes the
language's ``QLocale`` the default, so that ``QLocale()`` writes "12,5" and "12 janv. 2025".
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QCoreApplication, QDate, QLibraryInfo, QLocale, QTranslator

from workstation.i18n import ENGLISH, FRENCH, LANGUAGES, catalogue_path, pick_language

_KEY = "appearance/language"
_installed: list[QTranslator] = []
_active = [ENGLISH]  # the language install_translations made the interface speak
#: (value kept, what the settings show): each language is named in its own language.
LANGUAGE_CHOICES = (("", "System language"), (ENGLISH, "English"), (FRENCH, "Français"))
_LOCALES = {ENGLISH: QLocale(QLocale.Language.English, QLocale.Country.UnitedStates),
            FRENCH: QLocale(QLocale.Language.French, QLocale.Country.France)}


def QT_TRANSLATE_NOOP(context: str, text: str) -> str:  # noqa: N802 - the name lupdate looks for
    """Mark ``text`` for the catalogue under ``context`` and return it unchanged (Qt's macro of
    the same name, typed: PySide6's is declared to return ``object``)."""
    return text


def chosen_language() -> str:
    """The choice in the settings: "" (the system's), "en" or "fr"."""
    from workstation.ui.settings_store import settings_store as ui_settings

    value = str(ui_settings().value(_KEY, "") or "").lower()
    return value if value in LANGUAGES else ""


def save_language(choice: str) -> None:
    from workstation.ui.settings_store import settings_store as ui_settings

    store = ui_settings()
    store.setValue(_KEY, choice if choice in LANGUAGES else "")
    store.sync()


def current_language() -> str:
    """The language the interface speaks: the settings' choice, else the system's."""
    return pick_language(chosen_language(), QLocale.system().name())


def install_translations(language: str | None = None) -> str:
    """Speak ``language`` (default: :func:`current_language`) from now on; returns the language
    spoken (English when the catalogue is missing).

    Widgets made afterwards show the translated text (a language chosen in the settings applies
    at the next start). A missing catalogue leaves the interface in English and says so once.
    """
    app = QCoreApplication.instance()
    language = language if language in LANGUAGES else current_language()
    for translator in _installed:
        if app is not None:
            app.removeTranslator(translator)
    _installed.clear()
    _active[0] = language
    QLocale.setDefault(_LOCALES.get(language, _LOCALES[ENGLISH]))
    if language == ENGLISH or app is None:
        return language
    path = catalogue_path(language)
    own = QTranslator()
    if path is None or not own.load(str(path)):
        import logging

        logging.getLogger(__name__).warning("The %s translation catalogue was not found at %s.", language, path)
        _active[0] = ENGLISH
        QLocale.setDefault(_LOCALES[ENGLISH])
        return ENGLISH
    qt = QTranslator()
    if qt.load(f"qtbase_{language}", QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)):
        app.installTranslator(qt)
        _installed.append(qt)
    app.installTranslator(own)
    _installed.append(own)
    return language


def active_language() -> str:
    """The language the interface speaks now (English until :func:`install_translations`)."""
    return _active[0]


def format_number(value: float, decimals: int = 1) -> str:
    """``value`` in the interface's locale: "12,5" in French."""
    return QLocale().toString(float(value), "f", decimals)


def format_date(day: dt.date) -> str:
    """A date in the interface's language: "12 janv. 2025" in French (the locale's abbreviated
    month, CLDR); ISO 8601 "2025-01-12" in English, as the workstation always wrote it."""
    if active_language() == ENGLISH:
        return day.isoformat()
    return QLocale().toString(QDate(day.year, day.month, day.day), "d MMM yyyy")


def format_dicom_date(value: str) -> str:
    """A DICOM DA value (YYYYMMDD, PS3.5 6.2) in the interface's locale; other text unchanged."""
    try:
        day = dt.datetime.strptime(value.strip()[:8], "%Y%m%d").date()
    except ValueError:
        return value
    return format_date(day)
