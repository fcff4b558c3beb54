"""Signing in the report editor with a smart card (PKCS#11, a SoftHSM2 token made here): module
and token remembered in Qt settings, PIN asked at each signing and never stored, letterhead from
the settings' "letterhead" object printed on the signed PDF."""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import shutil
import subprocess
from pathlib import Path

import pydicom
import pytest

pytest.importorskip("pytestqt")
pkcs11 = pytest.importorskip("pkcs11")
pdfium = pytest.importorskip("pypdfium2")

from cryptography.hazmat.primitives import serialization  # noqa: E402
from PySide6.QtCore import Qt  # noqa: E402

import workstation.qc.visibility  # noqa: E402, F401 - imported on this thread (see report_editor)
from tests.report.pki import ThrowawayPKI, make_ca, make_pki  # noqa: E402
from workstation import demo  # noqa: E402
from workstation.crypt.files import read_protected  # noqa: E402
from workstation.model.entities import LIBRARY, StudySummary  # noqa: E402
from workstation.report.signing import UNTRUSTED_SIGNER, Pkcs11Credential, verify_pdf_signature  # noqa: E402
from workstation.settings import (  # noqa: E402
    Settings,
    SigningSettings,
    load_settings,
    save_settings,
    settings_path,
    ui_ini_path,
)
from workstation.ui.report_editor import (  # noqa: E402
    PKCS11_LIBRARY_SETTING,
    PKCS11_TOKEN_SETTING,
    SIGNING_METHOD_SETTING,
    OneTimePin,
    ReportEditor,
    report_settings,
)
from workstation.ui.sign_dialogs import LEAVE_OUT  # noqa: E402

pytestmark = pytest.mark.gui

SOFTHSM_LIB = Path("/usr/lib/softhsm/libsofthsm2.so")
PIN = "4711"


@pytest.fixture
def token(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> ThrowawayPKI:
    """A SoftHSM2 token 'Card' holding the throwaway signer's key and certificate (label 'signer')."""
    if not SOFTHSM_LIB.exists() or not shutil.which("softhsm2-util"):
        pytest.skip("SoftHSM2 is not installed (Debian package softhsm2)")
    from pkcs11 import Attribute, CertificateType, ObjectClass

    pki = make_pki(tmp_path / "pki")
    tokens = tmp_path / "tokens"
    tokens.mkdir()
    conf = tmp_path / "softhsm2.conf"
    conf.write_text(f"directories.tokendir = {tokens}\nobjectstore.backend = file\nlog.level = ERROR\n")
    monkeypatch.setenv("SOFTHSM2_CONF", str(conf))
    env = dict(os.environ, SOFTHSM2_CONF=str(conf))
    subprocess.run(["softhsm2-util", "--init-token", "--free", "--label", "Card", "--pin", PIN,
                    "--so-pin", "5678"], check=True, capture_output=True, env=env)
    key_pem = tmp_path / "key.pem"
    key_pem.write_bytes(pki.signer_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    subprocess.run(["softhsm2-util", "--import", str(key_pem), "--token", "Card", "--label", "signer",
                    "--id", "01", "--pin", PIN], check=True, capture_output=True, env=env)
    key_pem.unlink()
    lib = pkcs11.lib(str(SOFTHSM_LIB))
    lib.reinitialize()  # SoftHSM reads SOFTHSM2_CONF at initialisation, once per process
    with lib.get_token(token_label="Card").open(rw=True, user_pin=PIN) as session:
        session.create_object({
            Attribute.CLASS: ObjectClass.CERTIFICATE, Attribute.CERTIFICATE_TYPE: CertificateType.X_509,
            Attribute.TOKEN: True, Attribute.LABEL: "signer", Attribute.ID: b"\x01",
            Attribute.VALUE: pki.signer_cert.public_bytes(serialization.Encoding.DER),
            Attribute.SUBJECT: pki.signer_cert.subject.public_bytes(),
            Attribute.ISSUER: pki.signer_cert.issuer.public_bytes(),
        })
        # the issuing CA's certificate on the card too, as health professional cards carry it
        session.create_object({
            Attribute.CLASS: ObjectClass.CERTIFICATE, Attribute.CERTIFICATE_TYPE: CertificateType.X_509,
            Attribute.TOKEN: True, Attribute.LABEL: "ca", Attribute.ID: b"\x02",
            Attribute.VALUE: pki.ca_cert.public_bytes(serialization.Encoding.DER),
            Attribute.SUBJECT: pki.ca_cert.subject.public_bytes(),
            Attribute.ISSUER: pki.ca_cert.issuer.public_bytes(),
        })
    return pki


def _editor(qtbot) -> ReportEditor:  # type: ignore[no-untyped-def]
    from workstation.sources import open_library

    library = open_library(load_settings())
    items = list(demo.phantom_series(shape=(4, 32, 32), study_date=dt.date.today()))
    for data in items:
        library.add_bytes(data)
    headers = [pydicom.dcmread(io.BytesIO(d), stop_before_pixels=True) for d in items]
    editor = ReportEditor(load_settings)
    qtbot.addWidget(editor)
    editor.show()
    editor.open_study(StudySummary.from_dataset(headers[0], LIBRARY), headers, library=library)
    assert editor.report is not None
    # the radiologist's report: an impression, the required yes/no answered; the template's
    # technique and the comparison left out when signing, the preview accepted
    editor.sections["impression"].text.setPlainText("No acute intracranial abnormality.")
    editor.sections["findings"].fields["haemorrhage"].widget.setCurrentText("no")
    editor.confirm_placeholders = lambda _names: LEAVE_OUT
    editor.preview_signing = lambda _pdf: True
    return editor


def _pdf_text(pdf: bytes) -> str:
    doc = pdfium.PdfDocument(pdf)
    try:
        return "\n".join(doc[i].get_textpage().get_text_range() for i in range(len(doc)))
    finally:
        doc.close()


def test_sign_with_a_smart_card_and_the_settings_letterhead(qtbot, token: ThrowawayPKI) -> None:  # type: ignore[no-untyped-def]
    # the card's issuing CA is configured as a trust root (Settings > Signing)
    save_settings(Settings(signing=SigningSettings(trust_roots=[str(token.ca_pem)]), extras={"letterhead": {
        "practice_name": "Radiologie am Markt", "address_lines": ["Marktplatz 1", "12345 Musterstadt"],
        "phone": "+49 30 1234567", "email": "befund@example.org", "department": "Neuroradiology"}}))
    editor = _editor(qtbot)
    assert not editor.token_button.isVisible()
    editor.signing_method.setCurrentIndex(editor.signing_method.findData("pkcs11"))
    assert editor.token_button.isVisible()
    assert report_settings().value(SIGNING_METHOD_SETTING) == "pkcs11"
    chosen: list[tuple[str, str, str]] = []
    pins: list[str] = []

    def choose_token(library: str, token_label: str, key_label: str) -> tuple[Path, str, str]:
        chosen.append((library, token_label, key_label))
        return SOFTHSM_LIB, "Card", "signer"

    def ask_pin(prompt: str) -> str | None:
        pins.append(prompt)
        return PIN

    editor.choose_token = choose_token
    editor.ask_pin = ask_pin
    qtbot.mouseClick(editor.sign_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: editor.report is not None and editor.report.locked
                    or editor.result.styleSheet().startswith("color: #d04040"), timeout=30000)
    assert editor.report is not None and editor.report.locked, editor.result.text()
    assert editor.report.signer_name == "Dr Alice Radiologist"
    assert chosen == [("", "", "")]  # asked once: nothing was remembered
    assert pins == ["PIN for the token 'Card'"]
    store = report_settings()
    assert store.value(PKCS11_LIBRARY_SETTING) == str(SOFTHSM_LIB)
    assert store.value(PKCS11_TOKEN_SETTING) == "Card"
    assert load_settings().report_key.pkcs11_token == "Card"  # in the typed settings, which the CLI reads
    for remembered in (settings_path(), ui_ini_path()):
        assert not remembered.exists() or PIN not in remembered.read_text(encoding="utf-8")
    assert PIN not in json.dumps(json.loads(read_protected(Path(load_settings().library_path()).parent.joinpath(
        "reports", "outgoing", editor.report.version_uid, "report.json"))))
    pdf = read_protected(load_settings().library_path().parent / "reports" / "outgoing"
                         / editor.report.version_uid / "report.pdf")
    text = _pdf_text(pdf)
    for expected in ("Radiologie am Markt", "Marktplatz 1", "12345 Musterstadt", "+49 30 1234567",
                     "befund@example.org", "Neuroradiology"):
        assert expected in text

    # a correction, signed again: the module and token are remembered, the PIN is asked again
    editor.ask_reason = lambda _kind: "Wrong side"
    qtbot.mouseClick(editor.correction_button, Qt.MouseButton.LeftButton)
    assert editor.report.version == 2
    qtbot.mouseClick(editor.sign_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: editor.report is not None and editor.report.locked
                    or editor.result.styleSheet().startswith("color: #d04040"), timeout=30000)
    assert editor.report.locked and editor.report.version == 2, editor.result.text()
    assert len(chosen) == 1 and pins == ["PIN for the token 'Card'"] * 2


def test_card_signer_not_issued_by_a_trusted_authority(qtbot, token: ThrowawayPKI, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Another practice's CA is the only trust root: the card signs, the check refuses it with the
    sentence that says where to add the CA, and the report stays a draft, not queued."""
    other_ca, _ = make_ca("Some Other Practice CA")
    other_pem = tmp_path / "other-ca.der"
    other_pem.write_bytes(other_ca.public_bytes(serialization.Encoding.DER))  # DER works as well as PEM
    save_settings(Settings(signing=SigningSettings(trust_roots=[str(other_pem)])))
    editor = _editor(qtbot)
    editor.signing_method.setCurrentIndex(editor.signing_method.findData("pkcs11"))
    editor.choose_token = lambda *_a: (SOFTHSM_LIB, "Card", "signer")
    editor.ask_pin = lambda _p: PIN
    qtbot.mouseClick(editor.sign_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: editor.result.styleSheet().startswith("color: #d04040"), timeout=30000)
    assert editor.result.text() == UNTRUSTED_SIGNER
    assert editor.report is not None and not editor.report.locked
    outgoing = load_settings().library_path().parent / "reports" / "outgoing"
    assert not outgoing.exists() or not any(outgoing.iterdir())

    # the card's CA added to the trust roots: the same card now signs
    save_settings(Settings(signing=SigningSettings(trust_roots=[str(other_pem), str(token.ca_pem)])))
    qtbot.mouseClick(editor.sign_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: editor.report is not None and editor.report.locked
                    or editor.result.styleSheet().startswith("color: #d04040"), timeout=30000)
    assert editor.report.locked, editor.result.text()
    pdf = read_protected(outgoing / editor.report.version_uid / "report.pdf")
    assert verify_pdf_signature(pdf, [token.ca_pem]).ok
    assert not verify_pdf_signature(pdf, [other_pem]).trusted


def test_wrong_or_cancelled_pin(qtbot, token: ThrowawayPKI) -> None:  # type: ignore[no-untyped-def]
    editor = _editor(qtbot)
    editor.signing_method.setCurrentIndex(editor.signing_method.findData("pkcs11"))
    editor.choose_token = lambda *_a: (SOFTHSM_LIB, "Card", "signer")
    editor.ask_pin = lambda _p: None  # the reader cancels the PIN dialog
    qtbot.mouseClick(editor.sign_button, Qt.MouseButton.LeftButton)
    assert "Only a user with a signing credential" in editor.result.text()
    assert editor.report is not None and not editor.report.locked
    editor.ask_pin = lambda _p: "0000"
    qtbot.mouseClick(editor.sign_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: editor.result.styleSheet().startswith("color: #d04040")
                    and "PIN is right" in editor.result.text(), timeout=30000)
    assert not editor.report.locked


def test_credential_object_and_one_time_pin(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Without SoftHSM: the dialog flow up to the credential object."""
    module = tmp_path / "libcard.so"
    module.write_bytes(b"\x7fELF")
    editor = _editor(qtbot)
    editor.signing_method.setCurrentIndex(editor.signing_method.findData("pkcs11"))
    editor.choose_token = lambda *_a: (module, "HBA", "")
    editor.ask_pin = lambda _p: "2468"
    credential = editor.credential()
    assert isinstance(credential, Pkcs11Credential)
    assert (credential.library, credential.token_label, credential.key_label) == (module, "HBA", None)
    assert "2468" not in repr(credential)
    assert credential.ask_pin("PIN") == "2468" and credential.ask_pin("PIN") == ""  # handed over once
    assert repr(OneTimePin("1")) == "OneTimePin(***)"
    # the key-file method is still the PKCS#12 path
    editor.signing_method.setCurrentIndex(editor.signing_method.findData("pkcs12"))
    editor.choose_key_file = lambda: None
    assert editor.credential() is None
