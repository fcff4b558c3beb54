"""Signing: PAdES by pyHanko with a throwaway CA; keyring-held PKCS#12 password; SoftHSM2 token."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization

from tests.report.pki import ThrowawayPKI, make_ca
from workstation.errors import ReportError, SigningError
from workstation.model.entities import StudySummary
from workstation.report.model import ReportStatus
from workstation.report.pdf import Letterhead
from workstation.report.signing import (
    Pkcs11Credential,
    Pkcs12Credential,
    forget_pkcs12_password,
    sign_report,
    store_pkcs12_password,
    verify_pdf_signature,
)
from workstation.report.templates import fill_report, load_templates

LETTERHEAD = Letterhead("Riverside Imaging", ("1 Main Street",))


def _report(study: StudySummary):
    """A CT head draft as a radiologist finishes it: impression written, every field answered,
    the template's technique and the comparison accepted."""
    template = load_templates().get("ct_head")
    report = fill_report(template, study).with_sections(impression="No acute intracranial abnormality.")
    return report.with_field("haemorrhage", False).with_placeholders_accepted(), template


def test_sign_verify_and_tamper(credential: Pkcs12Credential, pki: ThrowawayPKI, ct_head_study: StudySummary) -> None:
    report, template = _report(ct_head_study)
    signed = sign_report(report, credential, letterhead=LETTERHEAD, template=template, trust_roots=[pki.ca_pem])
    assert signed.report.status is ReportStatus.FINAL and signed.report.locked
    assert signed.signer_name == "Dr Alice Radiologist" == signed.report.signer_name
    assert signed.signed_at.tzinfo is not None and signed.signed_at.utcoffset().total_seconds() == 0
    assert signed.fhir_status == "final" and signed.version_uid == report.version_uid
    check = verify_pdf_signature(signed.pdf_bytes, [pki.ca_pem])
    assert check.ok and check.signer_name == "Dr Alice Radiologist"
    assert check.signing_time is not None and abs((check.signing_time - signed.signed_at).total_seconds()) < 5

    # one byte changed inside the signed range: the digest no longer matches
    data = bytearray(signed.pdf_bytes)
    at = data.find(b"/Producer")
    assert at > 0
    data[at + 1] = ord("p")
    tampered = verify_pdf_signature(bytes(data), [pki.ca_pem])
    assert not tampered.intact and not tampered.ok
    # bytes appended after the signature: not covering the whole file any more
    appended = verify_pdf_signature(signed.pdf_bytes + b"\n% added later\n", [pki.ca_pem])
    assert not appended.whole_file and not appended.ok
    # another CA: intact and valid, but not trusted
    other_ca, _ = make_ca("Someone else's CA")
    foreign = verify_pdf_signature(signed.pdf_bytes, [other_ca.public_bytes(serialization.Encoding.PEM)])
    assert foreign.intact and foreign.valid and not foreign.trusted and not foreign.ok


def test_only_a_signer_with_a_credential_makes_it_final(pki: ThrowawayPKI, ct_head_study: StudySummary) -> None:
    report, template = _report(ct_head_study)
    with pytest.raises(SigningError, match="Only a user with a signing credential"):
        sign_report(report, None, letterhead=LETTERHEAD, template=template)
    cred = Pkcs12Credential(pki.p12_path)
    with pytest.raises(SigningError, match="No password for the signing key signer.p12 is in the keyring"):
        sign_report(report, cred, letterhead=LETTERHEAD, template=template)
    store_pkcs12_password(cred.key_id, "wrong")
    with pytest.raises(SigningError, match="password in the keyring is wrong"):
        sign_report(report, cred, letterhead=LETTERHEAD, template=template)
    assert forget_pkcs12_password(cred.key_id)
    assert report.status is ReportStatus.DRAFT


def test_signing_checks_the_report_first(credential: Pkcs12Credential, pki: ThrowawayPKI, ct_head_study: StudySummary) -> None:
    report, template = _report(ct_head_study)
    with pytest.raises(ReportError, match="Midline shift"):
        sign_report(report.with_field("midline_shift", -3), credential, letterhead=LETTERHEAD, template=template)
    signed = sign_report(report, credential, letterhead=LETTERHEAD, template=template, trust_roots=[pki.ca_pem])
    with pytest.raises(ReportError, match="already signed"):
        sign_report(signed.report, credential, letterhead=LETTERHEAD, template=template)
    other_ca, _ = make_ca("Untrusted")
    with pytest.raises(SigningError, match="not issued by a trusted authority: add the issuing CA under Settings > Signing"):
        sign_report(report, credential, letterhead=LETTERHEAD, template=template,
                    trust_roots=[other_ca.public_bytes(serialization.Encoding.PEM)])


def test_addendum_is_signed_as_appended(credential: Pkcs12Credential, pki: ThrowawayPKI, ct_head_study: StudySummary) -> None:
    report, template = _report(ct_head_study)
    first = sign_report(report, credential, letterhead=LETTERHEAD, template=template, trust_roots=[pki.ca_pem])
    add = first.report.addendum("Prior study reviewed").with_section("addendum", "Unchanged since 2023.")
    second = sign_report(add, credential, letterhead=LETTERHEAD, template=template, trust_roots=[pki.ca_pem])
    assert second.fhir_status == "appended" and second.report.predecessor_uid == first.version_uid
    assert second.report_uid == first.report_uid and second.version_uid != first.version_uid


SOFTHSM_LIB = Path("/usr/lib/softhsm/libsofthsm2.so")


@pytest.mark.skipif(not SOFTHSM_LIB.exists() or not shutil.which("softhsm2-util"),
                    reason="SoftHSM2 is not installed (Debian package softhsm2)")
def test_pkcs11_token_with_pin_callback(tmp_path: Path, pki: ThrowawayPKI, ct_head_study: StudySummary,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    import pkcs11
    from pkcs11 import Attribute, CertificateType, ObjectClass

    tokens = tmp_path / "tokens"
    tokens.mkdir()
    conf = tmp_path / "softhsm2.conf"
    conf.write_text(f"directories.tokendir = {tokens}\nobjectstore.backend = file\nlog.level = ERROR\n")
    monkeypatch.setenv("SOFTHSM2_CONF", str(conf))
    env = dict(os.environ, SOFTHSM2_CONF=str(conf))
    subprocess.run(["softhsm2-util", "--init-token", "--free", "--label", "Card", "--pin", "1234", "--so-pin", "5678"],
                   check=True, capture_output=True, env=env)
    key_pem = tmp_path / "key.pem"
    key_pem.write_bytes(pki.signer_key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                      serialization.NoEncryption()))
    subprocess.run(["softhsm2-util", "--import", str(key_pem), "--token", "Card", "--label", "signer", "--id", "01",
                    "--pin", "1234"], check=True, capture_output=True, env=env)
    key_pem.unlink()
    lib = pkcs11.lib(str(SOFTHSM_LIB))
    # SoftHSM reads SOFTHSM2_CONF when the library initialises, once per process: start it again
    # so this test's token folder is the one it sees (another test may have loaded it first).
    lib.reinitialize()
    token = lib.get_token(token_label="Card")
    with token.open(rw=True, user_pin="1234") as session:
        session.create_object({
            Attribute.CLASS: ObjectClass.CERTIFICATE, Attribute.CERTIFICATE_TYPE: CertificateType.X_509,
            Attribute.TOKEN: True, Attribute.LABEL: "signer", Attribute.ID: b"\x01",
            Attribute.VALUE: pki.signer_cert.public_bytes(serialization.Encoding.DER),
            Attribute.SUBJECT: pki.signer_cert.subject.public_bytes(),
            Attribute.ISSUER: pki.signer_cert.issuer.public_bytes(),
        })
    asked: list[str] = []

    def ask_pin(prompt: str) -> str:
        asked.append(prompt)
        return "1234"

    report, template = _report(ct_head_study)
    cred = Pkcs11Credential(SOFTHSM_LIB, "Card", ask_pin=ask_pin, key_label="signer")
    signed = sign_report(report, cred, letterhead=LETTERHEAD, template=template, trust_roots=[pki.ca_pem])
    assert verify_pdf_signature(signed.pdf_bytes, [pki.ca_pem]).ok
    assert signed.signer_name == "Dr Alice Radiologist"
    sign_report(report, cred, letterhead=LETTERHEAD, template=template, trust_roots=[pki.ca_pem])
    assert asked == ["PIN for the token 'Card'"] * 2  # asked at each signing, never kept
    wrong = Pkcs11Credential(SOFTHSM_LIB, "Card", ask_pin=lambda _: "0000", key_label="signer")
    with pytest.raises(SigningError, match="PIN is right"):
        sign_report(report, wrong, letterhead=LETTERHEAD, template=template)
    with pytest.raises(SigningError, match="No PIN was given"):
        sign_report(report, Pkcs11Credential(SOFTHSM_LIB, "Card", ask_pin=lambda _: ""), letterhead=LETTERHEAD, template=template)


def test_identity_checked_only_against_a_configured_ca(credential: Pkcs12Credential, pki: ThrowawayPKI, ct_head_study: StudySummary) -> None:
    """With the practice's CA configured the signer's identity is checked; without any, the
    signature still verifies against the credential's own CA but the result says it was not."""
    report, template = _report(ct_head_study)
    trusted = sign_report(report, credential, letterhead=LETTERHEAD, template=template, trust_roots=[pki.ca_pem])
    assert trusted.identity_checked
    unchecked = sign_report(report, credential, letterhead=LETTERHEAD, template=template)
    assert not unchecked.identity_checked and unchecked.report.status is ReportStatus.FINAL
    assert verify_pdf_signature(unchecked.pdf_bytes, [pki.ca_pem]).ok  # the same, real signature
