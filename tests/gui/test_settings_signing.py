"""The settings dialog's Signing tab: CA certificate files (PEM or DER) trusted for report
signatures, saved in the settings' ``signing.trust_roots`` and read back by the signer."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("pytestqt")

from cryptography.hazmat.primitives import serialization  # noqa: E402

from tests.report.pki import ThrowawayPKI, make_ca, make_pki  # noqa: E402
from workstation.report.signing import configured_trust_roots, load_certificate_file  # noqa: E402
from workstation.settings import Settings, SigningSettings, load_settings, settings_path  # noqa: E402
from workstation.ui.settings_dialog import SettingsDialog  # noqa: E402

pytestmark = pytest.mark.gui


@pytest.fixture
def pki(tmp_path: Path) -> ThrowawayPKI:
    return make_pki(tmp_path / "pki")


def test_trusted_cas_are_added_checked_and_saved(qtbot, pki: ThrowawayPKI, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    other, _ = make_ca("Regional Health CA")
    der = tmp_path / "regional.der"
    der.write_bytes(other.public_bytes(serialization.Encoding.DER))
    dialog = SettingsDialog(Settings(extras={"ris": {"fhir_url": "https://ris.example.org/fhir"}}))
    qtbot.addWidget(dialog)
    dialog.show()
    assert [dialog.tabs.tabText(i) for i in range(dialog.tabs.count())][-1] == "Signing"
    assert dialog.add_trust_root(str(pki.ca_pem))
    assert dialog.add_trust_root(str(der))
    assert "Test Practice CA (valid until" in dialog.trust_list.item(0).text()
    assert "Regional Health CA" in dialog.trust_list.item(1).text()

    # refused, with a sentence naming the file: twice, missing, not a certificate, a signer's cert
    assert not dialog.add_trust_root(str(der))
    assert "already trusted" in dialog.error.text()
    assert not dialog.add_trust_root(str(tmp_path / "nowhere.pem"))
    assert "nowhere.pem cannot be read" in dialog.error.text()
    junk = tmp_path / "notes.pem"
    junk.write_text("not a certificate")
    assert not dialog.add_trust_root(str(junk))
    assert "notes.pem holds no X.509 certificate" in dialog.error.text()
    signer = tmp_path / "signer.pem"
    signer.write_bytes(pki.signer_cert.public_bytes(serialization.Encoding.PEM))
    assert not dialog.add_trust_root(str(signer))
    assert "not an authority's" in dialog.error.text()
    assert dialog.trust_root_paths() == [str(pki.ca_pem), str(der)]

    dialog.trust_list.setCurrentRow(0)
    dialog.remove_trust_root()
    assert dialog.add_trust_root(str(pki.ca_pem))
    dialog.accept()
    assert dialog.error.text() == "", dialog.error.text()
    saved = load_settings(settings_path())
    assert saved.signing.trust_roots == [str(der), str(pki.ca_pem)]
    assert saved.ris is not None and saved.ris.fhir_url == "https://ris.example.org/fhir"  # other sections kept
    roots = configured_trust_roots(saved)
    assert [load_certificate_file(p)[0].sha256 for p in roots] == [
        load_certificate_file(der)[0].sha256, load_certificate_file(pki.ca_pem)[0].sha256]


def test_saved_trust_roots_are_listed_even_when_unreadable(qtbot, pki: ThrowawayPKI, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    gone = str(tmp_path / "moved-away.pem")
    dialog = SettingsDialog(Settings(signing=SigningSettings(trust_roots=[str(pki.ca_pem), gone])))
    qtbot.addWidget(dialog)
    assert dialog.trust_root_paths() == [str(pki.ca_pem), gone]
    assert "cannot be read" in dialog.trust_list.item(1).text()
    assert dialog.build_settings().signing.trust_roots == [str(pki.ca_pem), gone]


def test_tsa_and_identity_are_saved_and_checked(qtbot) -> None:  # type: ignore[no-untyped-def]
    """The Signing tab's time-stamping authority and RPPS number reach the signing options."""
    from workstation.report.signing import signing_options

    dialog = SettingsDialog(Settings())
    qtbot.addWidget(dialog)
    dialog.tsa_url.setText("tsa.example.fr")  # no scheme: refused with a sentence, not saved
    dialog.accept()
    assert "time-stamping authority's URL must start with http" in dialog.error.text()
    assert not settings_path().exists()
    dialog.tsa_url.setText("https://tsa.example.fr/tsp")
    dialog.signer_family.setText("Lefèvre")
    dialog.signer_given.setText("Hélène")
    dialog.professional_id.setText("10003456789")
    dialog.accept()
    options = signing_options(load_settings())
    assert options.tsa_url == "https://tsa.example.fr/tsp"
    assert (options.identity.family_name, options.identity.given_name) == ("Lefèvre", "Hélène")
    assert options.identity.identifier == "10003456789"
    assert options.identity.identifier_system == "urn:oid:1.2.250.1.71.4.2.1"
