"""Trust roots for report signatures: the settings' ``signing.trust_roots`` (PEM or DER CA files)
used by the signer's check right after signing, with the credential's own chain as intermediates
(RFC 5280 path validation by pyHanko), and honoured by ``workstation report sign``."""

from __future__ import annotations

import argparse
import datetime as dt
import json
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs12
from pydicom.data import get_testdata_file

from tests.report.pki import ThrowawayPKI, _name, issue_signer, make_ca
from workstation.crypt.files import read_protected
from workstation.errors import SettingsError, SigningError
from workstation.model.entities import StudySummary
from workstation.report.cli import add_report_parser
from workstation.report.pdf import Letterhead
from workstation.report.signing import (
    UNTRUSTED_SIGNER,
    Pkcs12Credential,
    configured_trust_roots,
    load_certificate_file,
    sign_report,
    signing_options,
    store_pkcs12_password,
    verify_pdf_signature,
)
from workstation.report.templates import fill_report, load_templates
from workstation.settings import Settings, SigningSettings, load_settings, save_settings
from workstation.sources import open_library

LETTERHEAD = Letterhead("Riverside Imaging")


def test_settings_keep_the_trust_roots(tmp_path: Path) -> None:
    settings = Settings(signing=SigningSettings(trust_roots=["~/ca/practice.pem", "", "/etc/hba-ca.der"]))
    path = save_settings(settings, tmp_path / "settings.json")
    saved = json.loads(path.read_text())["signing"]
    assert saved["trust_roots"] == ["~/ca/practice.pem", "", "/etc/hba-ca.der"]
    assert (saved["tsa_url"], saved["professional_id"]) == ("", "")  # nothing set, nothing invented
    back = load_settings(path)
    assert back == settings
    assert configured_trust_roots(back) == [Path.home() / "ca/practice.pem", Path("/etc/hba-ca.der")]
    assert Settings.from_json({}).signing.trust_roots == []
    with pytest.raises(SettingsError, match="trust_roots must be a list"):
        Settings.from_json({"signing": {"trust_roots": "/etc/ca.pem"}})
    with pytest.raises(SettingsError, match="'signing' entry must be a JSON object"):
        Settings.from_json({"signing": ["/etc/ca.pem"]})


def test_certificate_files_pem_bundle_der_and_bad_ones(tmp_path: Path, pki: ThrowawayPKI) -> None:
    other, _ = make_ca("Other CA")
    bundle = tmp_path / "bundle.pem"
    bundle.write_bytes(pki.ca_cert.public_bytes(serialization.Encoding.PEM)
                       + other.public_bytes(serialization.Encoding.PEM))
    der = tmp_path / "other.cer"
    der.write_bytes(other.public_bytes(serialization.Encoding.DER))
    fingerprints = [c.sha256 for c in load_certificate_file(bundle)]
    assert fingerprints == [pki.ca_cert.fingerprint(hashes.SHA256()), other.fingerprint(hashes.SHA256())]
    assert [c.sha256 for c in load_certificate_file(der)] == [other.fingerprint(hashes.SHA256())]
    with pytest.raises(SigningError, match=r"missing\.pem cannot be read.*Settings > Signing"):
        load_certificate_file(tmp_path / "missing.pem")
    junk = tmp_path / "junk.der"
    junk.write_bytes(b"\x30\x03\x02\x01\x05")  # DER, but an INTEGER in a SEQUENCE, not a certificate
    with pytest.raises(SigningError, match=r"junk\.der holds no X\.509 certificate"):
        load_certificate_file(junk)


def _three_level_pki(folder: Path) -> tuple[Path, Path, Path, str]:
    """Root CA -> intermediate CA -> signer; the PKCS#12 file holds the signer and the
    intermediate, not the root (as issued by a real CA)."""
    now = dt.datetime.now(dt.timezone.utc)
    root_key = ec.generate_private_key(ec.SECP256R1())
    root = (x509.CertificateBuilder().subject_name(_name("Health Root CA")).issuer_name(_name("Health Root CA"))
            .public_key(root_key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=60))
            .add_extension(x509.BasicConstraints(ca=True, path_length=1), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(root_key.public_key()), critical=False)
            .sign(root_key, hashes.SHA256()))
    mid_key = ec.generate_private_key(ec.SECP256R1())
    mid = (x509.CertificateBuilder().subject_name(_name("Practitioner Card CA")).issuer_name(root.subject)
           .public_key(mid_key.public_key()).serial_number(x509.random_serial_number())
           .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=30))
           .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
           .add_extension(x509.SubjectKeyIdentifier.from_public_key(mid_key.public_key()), critical=False)
           .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(root_key.public_key()), critical=False)
           .sign(root_key, hashes.SHA256()))
    cert, key = issue_signer(mid, mid_key, "Dr Bob Chain")
    folder.mkdir(parents=True, exist_ok=True)
    root_pem, mid_pem, p12 = folder / "root.pem", folder / "mid.pem", folder / "bob.p12"
    root_pem.write_bytes(root.public_bytes(serialization.Encoding.PEM))
    mid_pem.write_bytes(mid.public_bytes(serialization.Encoding.PEM))
    p12.write_bytes(pkcs12.serialize_key_and_certificates(
        b"bob", key, cert, [mid], serialization.BestAvailableEncryption(b"pw")))
    return root_pem, mid_pem, p12, "pw"


def test_chain_through_the_credentials_intermediate(tmp_path: Path, ct_head_study: StudySummary) -> None:
    root_pem, _mid_pem, p12, password = _three_level_pki(tmp_path / "pki")
    credential = Pkcs12Credential(p12)
    store_pkcs12_password(credential.key_id, password)
    template = load_templates().get("ct_head")
    report = fill_report(template, ct_head_study).with_sections(impression="No acute intracranial abnormality.")
    report = report.with_field("haemorrhage", False).with_placeholders_accepted()
    signed = sign_report(report, credential, letterhead=LETTERHEAD, template=template, trust_roots=[root_pem])
    assert signed.signer_name == "Dr Bob Chain"
    check = verify_pdf_signature(signed.pdf_bytes, [root_pem])
    assert check.ok and check.trusted
    # no trust root configured and none self-signed in the key file: refused with the sentence
    with pytest.raises(SigningError) as refused:
        sign_report(report, credential, letterhead=LETTERHEAD, template=template)
    assert str(refused.value) == UNTRUSTED_SIGNER
    # a trust root file that is gone: a sentence naming it, nothing signed
    with pytest.raises(SigningError, match=r"gone\.pem cannot be read"):
        sign_report(report, credential, letterhead=LETTERHEAD, template=template, trust_roots=[tmp_path / "gone.pem"])


def _run(argv: list[str], settings: Settings) -> int:
    parser = argparse.ArgumentParser(prog="workstation")
    add_report_parser(parser.add_subparsers(dest="verb"))
    args = parser.parse_args(argv)
    return args.func(args, settings)


def test_cli_uses_the_settings_trust_roots(tmp_path: Path, pki: ThrowawayPKI, credential: Pkcs12Credential,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    import pydicom

    ct = pydicom.dcmread(get_testdata_file("CT_small.dcm"))
    library = open_library(Settings())
    try:
        library.add_file(Path(get_testdata_file("CT_small.dcm")))
    finally:
        library.close()
    draft = tmp_path / "dictated.json"
    draft.write_text(json.dumps({"template": "generic", "sections": {"impression": "No acute abnormality."}}))
    other, _ = make_ca("Elsewhere CA")
    other_pem = tmp_path / "elsewhere.pem"
    other_pem.write_bytes(other.public_bytes(serialization.Encoding.PEM))
    argv = ["report", "sign", str(draft), "--study", str(ct.StudyInstanceUID), "--key", str(pki.p12_path),
            "--accept-placeholders"]

    # configured: only another practice's CA; the key file's own CA is not enough any more
    untrusted = Settings(signing=SigningSettings(trust_roots=[str(other_pem)]))
    assert _run(argv, untrusted) == 1
    assert capsys.readouterr().err.strip() == UNTRUSTED_SIGNER
    # --trust adds to the configured roots
    assert _run([*argv, "--trust", str(pki.ca_pem), "--json"], untrusted) == 0
    capsys.readouterr()
    # configured: the practice's CA, no --trust needed
    assert _run([*argv, "--json"], Settings(signing=SigningSettings(trust_roots=[str(pki.ca_pem)]))) == 0
    folder = Path(json.loads(capsys.readouterr().out)["folder"])
    assert verify_pdf_signature(read_protected(folder / "report.pdf"), [pki.ca_pem]).ok
    # a configured file that is gone
    assert _run(argv, Settings(signing=SigningSettings(trust_roots=[str(tmp_path / "moved.pem")]))) == 1
    assert "moved.pem cannot be read" in capsys.readouterr().err


def test_signing_settings_for_timestamp_and_identity(tmp_path: Path) -> None:
    settings = Settings(signing=SigningSettings(
        tsa_url="https://tsa.example.fr/tsp", family_name="Lefèvre", given_name="Hélène",
        professional_id="10003456789"))
    back = load_settings(save_settings(settings, tmp_path / "settings.json"))
    assert back == settings
    options = signing_options(back)
    assert options.tsa_url == "https://tsa.example.fr/tsp" and not options.without_timestamp
    assert options.identity.identifier_system == "urn:oid:1.2.250.1.71.4.2.1"
    assert options.identity.family_name == "Lefèvre"
    with pytest.raises(SettingsError, match="time-stamping authority's URL"):
        Settings.from_json({"signing": {"tsa_url": "tsa.example.fr"}})
