"""Older settings load into the typed entries of Settings, nothing lost: the RIS and letterhead
an older version kept as free-form entries of settings.json, and the behaviour choices it kept in
Qt's ui.ini (written here by the real QSettings), which the command line never read."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from workstation.errors import SettingsError
from workstation.report.delivery.destinations import open_outbox
from workstation.settings import (
    LetterheadSettings,
    RisProfile,
    Settings,
    load_settings,
    save_settings,
    settings_path,
    ui_ini_path,
)
from workstation.settings_migration import ini_text, read_ui_ini

QtCore = pytest.importorskip("PySide6.QtCore")

AUTHOR = 'Élodie Dupré-Ødegård, "Dr"; Дмитрий = 医師'
KEY_PATH = "/home/élodie/clés/signature 2026.p12"


def _old_ui_ini(path: Path, **extra: object) -> None:
    """ui.ini as an older version's widgets wrote it, through QSettings itself."""
    store = QtCore.QSettings(str(path), QtCore.QSettings.Format.IniFormat)
    values: dict[str, object] = {
        "window/geometry": QtCore.QByteArray(b"\x01\xd9\xd0\xcb\x00\x03"),
        "layout/grid": "2x2",
        "hanging/apply_on_open": "false",
        "hanging/prior_bandwidth_share": 0.4,
        "hanging/link_mbit_per_s": "50",
        "report/signing_method": "pkcs11",
        "report/pkcs12_path": KEY_PATH,
        "report/pkcs11_library": r"C:\Program Files\OpenSC\opensc-pkcs11.dll",
        "report/pkcs11_token": "  Carte CPS  ",
        "report/pkcs11_key_label": "signature",
        "report/author": AUTHOR,
        "report/practice": "Cabinet d'imagerie de l'Étang",
        "appearance/theme": "light",
        "appearance/language": "fr",
        **extra,
    }
    for key, value in values.items():
        store.setValue(key, value)
    store.sync()
    assert store.status() == QtCore.QSettings.Status.NoError


OLD_SETTINGS = {  # as the settings dialog of an older version saved it: RIS and letterhead untyped
    "archives": [{"name": "PACS", "url": "https://pacs.example.org/dicom-web"}],
    "default_archive": "PACS",
    "ris": {"name": "RIS du CHU", "fhir_url": "https://ris.example.org/fhir/R4", "auth": "bearer",
            "mllp_host": "ris.example.org", "mllp_port": 2575, "accession_system": "urn:oid:1.2.250.1.9"},
    "letterhead": {"practice_name": "", "address_lines": ["3, rue de l'Église", "75001 Paris"],
                   "phone": "+33 1 23 45 67 89", "email": "secrétariat@example.fr", "department": "Imagerie"},
    "a_future_entry": {"kept": ["as", "is"]},
}


def test_old_settings_json_and_ui_ini_load_into_typed_fields() -> None:
    settings_path().parent.mkdir(parents=True)
    settings_path().write_text(json.dumps(OLD_SETTINGS, ensure_ascii=False), encoding="utf-8")
    _old_ui_ini(ui_ini_path())

    settings = load_settings()
    assert settings.ris == RisProfile(name="RIS du CHU", fhir_url="https://ris.example.org/fhir/R4", auth="bearer",
                                      mllp_host="ris.example.org", mllp_port=2575,
                                      accession_system="urn:oid:1.2.250.1.9")
    assert settings.letterhead == LetterheadSettings(
        practice_name="Cabinet d'imagerie de l'Étang",  # the older Qt setting fills the empty name
        address_lines=["3, rue de l'Église", "75001 Paris"], phone="+33 1 23 45 67 89",
        email="secrétariat@example.fr", department="Imagerie")
    assert (settings.hanging.apply_on_open, settings.hanging.prior_bandwidth_share,
            settings.hanging.link_mbit_per_s) == (False, 0.4, 50.0)
    key = settings.report_key
    assert (key.signing_method, key.pkcs12_path, key.pkcs11_library, key.pkcs11_token, key.pkcs11_key_label,
            key.author) == ("pkcs11", KEY_PATH, r"C:\Program Files\OpenSC\opensc-pkcs11.dll", "  Carte CPS  ",
                            "signature", AUTHOR)
    assert (settings.appearance.theme, settings.appearance.language) == ("light", "fr")
    assert settings.extras == {"a_future_entry": {"kept": ["as", "is"]}}

    # saved once, the settings file holds all of it: ui.ini is no longer needed for any of it
    save_settings(settings)
    ui_ini_path().unlink()
    assert load_settings() == settings
    saved = json.loads(settings_path().read_text(encoding="utf-8"))
    assert saved["report_key"]["author"] == AUTHOR and saved["a_future_entry"] == {"kept": ["as", "is"]}
    # and the settings file wins over what an older ui.ini still says
    _old_ui_ini(ui_ini_path(), **{"appearance/theme": "dark", "hanging/apply_on_open": "true"})
    assert load_settings() == settings


def test_the_command_line_sees_the_ris_of_an_old_settings_file() -> None:
    """Delivery used to re-read the file for its "ris" entry; the settings object now carries it."""
    settings_path().parent.mkdir(parents=True)
    settings_path().write_text(json.dumps(OLD_SETTINGS), encoding="utf-8")
    outbox = open_outbox(load_settings())
    assert set(outbox.destinations) == {"fhir", "hl7", "stow"}
    # a Settings object built in code (no file) carries its RIS too: nothing is read from disk
    settings_path().unlink()
    built = Settings(ris=RisProfile(fhir_url="https://ris.example.org/fhir"))
    assert set(open_outbox(built).destinations) == {"fhir"}


def test_ini_values_read_as_qsettings_wrote_them(tmp_path: Path) -> None:
    tricky = {"a/quoted": AUTHOR, "a/backslash": r"C:\a\b", "a/spaces": "  lead and trail  ",
              "a/comma": "one, two", "a/hash": "#not a comment", "a/percent": "100%", "a/empty": "",
              "a/control": "tab\there\x07bell\x01ABC"}
    path = tmp_path / "ui.ini"
    store = QtCore.QSettings(str(path), QtCore.QSettings.Format.IniFormat)
    for key, value in tricky.items():
        store.setValue(key, value)
    store.sync()
    read = read_ui_ini(path)
    assert {k: read[k] for k in tricky} == tricky
    assert ini_text(r'"x\x44d\"y"') == 'x\u044d"y'  # as Qt reads it: every hex digit after \x


def test_bad_values_are_left_out_or_refused_in_a_sentence() -> None:
    # a value the typed entry refuses, in an old ui.ini: the default, as the old readers did
    ui_ini_path().parent.mkdir(parents=True)
    ui_ini_path().write_text("[hanging]\nprior_bandwidth_share=2\napply_on_open=maybe\n"
                             "[appearance]\ntheme=purple\nlanguage=de\n", encoding="utf-8")
    settings = load_settings()
    assert settings.hanging == Settings().hanging and settings.appearance == Settings().appearance
    # in the settings file itself: one sentence
    settings_path().write_text(json.dumps({"hanging": {"prior_bandwidth_share": 1.5}}), encoding="utf-8")
    with pytest.raises(SettingsError, match=r"^The priors' share of the link must be a number from 0 to 1, not 1.5\.$"):
        load_settings()
    settings_path().write_text(json.dumps({"report_key": {"signing_method": "usb"}}), encoding="utf-8")
    with pytest.raises(SettingsError, match="pkcs12 \\(a key file\\) or pkcs11"):
        load_settings()
    settings_path().write_text(json.dumps({"appearance": {"language": "de"}}), encoding="utf-8")
    with pytest.raises(SettingsError, match="^The language must be one of en, fr or empty"):
        load_settings()
    settings_path().write_text(json.dumps({"letterhead": ["not", "an", "object"]}), encoding="utf-8")
    with pytest.raises(SettingsError, match="'letterhead' entry must be a JSON object"):
        load_settings()
    # an unreadable ui.ini never stops the settings from loading
    settings_path().unlink()
    ui_ini_path().write_bytes(b"\xff\xfe[broken")
    assert load_settings() == Settings()

