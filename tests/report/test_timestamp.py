"""PAdES with a real RFC 3161 time-stamping authority (certomancer's animator on loopback):
B-T / B-LT signatures, checked by pyHanko and independently by pdfsig, openssl and qpdf; a TSA
that is down stops the signing with a sentence unless the user explicitly signs without it."""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
from collections.abc import Iterator
from pathlib import Path

import pydicom
import pytest
from pydicom.data import get_testdata_file

from tests.report.pdfcheck import check_signed_pdf
from tests.report.tsa import TestPKI, start_test_pki
from workstation.crypt.files import read_protected
from workstation.model.entities import StudySummary
from workstation.report.cli import add_report_parser, sign_draft_file
from workstation.report.model import SignerIdentity
from workstation.report.pdf import Letterhead
from workstation.report.signing import (
    Pkcs12Credential,
    SigningOptions,
    TimestampUnavailable,
    sign_report,
    signing_options,
    store_pkcs12_password,
    verify_pdf_signature,
)
from workstation.report.templates import fill_report, load_templates
from workstation.settings import RPPS_SYSTEM, Settings, SigningSettings

LETTERHEAD = Letterhead("Cabinet de Radiologie des Écoles", ("1 rue de l'Été",))


@pytest.fixture(scope="module")
def test_pki(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestPKI]:
    pki = start_test_pki(tmp_path_factory.mktemp("tsa-pki"))
    yield pki
    pki.stop()


def _credential(pki: TestPKI) -> Pkcs12Credential:
    cred = Pkcs12Credential(pki.p12_path)
    store_pkcs12_password(cred.key_id, pki.password)
    return cred


def _report(study: StudySummary):
    """A CT head draft as a radiologist finishes it (impression written, every field answered,
    the rest accepted): signing is about the timestamp here, not about placeholders."""
    template = load_templates().get("ct_head")
    report = fill_report(template, study).with_sections(impression="Pas d'anomalie aiguë.")
    return report.with_field("haemorrhage", False).with_placeholders_accepted(), template


def test_signature_is_timestamped_and_long_term(tmp_path: Path, test_pki: TestPKI,
                                                ct_head_study: StudySummary) -> None:
    report, template = _report(ct_head_study)
    options = SigningOptions(tsa_url=test_pki.tsa_url,
                             identity=SignerIdentity(identifier="10003456789",
                                                     identifier_system=RPPS_SYSTEM))
    signed = sign_report(report, _credential(test_pki), letterhead=LETTERHEAD, template=template,
                         trust_roots=[test_pki.root_pem], options=options)
    assert signed.signature_level == "B-LT"
    assert signed.timestamped_at is not None
    assert abs((signed.timestamped_at - signed.signed_at).total_seconds()) < 30
    # the structured name comes from the certificate's surname and givenName (UTF-8)
    assert signed.signer_identity == SignerIdentity("Lefèvre", "Hélène", "10003456789",
                                                    RPPS_SYSTEM)
    assert signed.signer_name == "Dr Hélène Lefèvre"
    check = verify_pdf_signature(signed.pdf_bytes, [test_pki.root_pem])
    assert check.ok and check.timestamp_ok and check.level == "B-LT"
    assert check.signing_time is not None
    assert abs((check.signing_time - signed.signed_at).total_seconds()) < 30
    # independently: poppler says valid with a signing time, openssl finds the RFC 3161 token
    result = check_signed_pdf(signed.pdf_bytes, tmp_path / "pdfsig")
    assert result.signature_valid, result.output
    assert result.signing_time, result.output
    assert result.timestamped
    # a TSA whose CA is not trusted: the timestamp is there but does not verify
    assert not verify_pdf_signature(signed.pdf_bytes, []).timestamp_ok


def test_tsa_down_stops_signing_unless_explicitly_skipped(
    tmp_path: Path, ct_head_study: StudySummary
) -> None:
    pki = start_test_pki(tmp_path / "pki")
    credential = _credential(pki)
    report, template = _report(ct_head_study)
    pki.stop()  # the TSA is down
    options = SigningOptions(tsa_url=pki.tsa_url, tsa_timeout_s=3)
    with pytest.raises(TimestampUnavailable, match="did not give a timestamp") as info:
        sign_report(report, credential, letterhead=LETTERHEAD, template=template,
                    trust_roots=[pki.root_pem], options=options)
    assert "127.0.0.1" in str(info.value) and "\n" not in str(info.value)
    signed = sign_report(report, credential, letterhead=LETTERHEAD, template=template,
                         trust_roots=[pki.root_pem],
                         options=SigningOptions(tsa_url=pki.tsa_url, without_timestamp=True))
    assert signed.signature_level == "B-B" and signed.timestamped_at is None
    result = check_signed_pdf(signed.pdf_bytes, tmp_path / "pdfsig")
    assert result.signature_valid and result.signing_time and not result.timestamped


def _run(argv: list[str], settings: Settings) -> int:
    parser = argparse.ArgumentParser(prog="workstation")
    add_report_parser(parser.add_subparsers(dest="verb"))
    args = parser.parse_args(argv)
    return int(args.func(args, settings))


def test_report_sign_cli_with_tsa_settings(tmp_path: Path, test_pki: TestPKI,
                                           capsys: pytest.CaptureFixture[str],
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    from workstation.sources import open_library

    ct = pydicom.dcmread(get_testdata_file("CT_small.dcm"))
    library = open_library(Settings())
    try:
        library.add_file(Path(get_testdata_file("CT_small.dcm")))
    finally:
        library.close()
    settings = Settings(signing=SigningSettings(
        trust_roots=[str(test_pki.root_pem)], tsa_url=test_pki.tsa_url,
        professional_id="10003456789"))
    monkeypatch.setattr("sys.stdin", io.StringIO(test_pki.password + "\n"))
    assert _run(["report", "key", "add", str(test_pki.p12_path), "--password-stdin"], settings) == 0
    draft = tmp_path / "dictée.json"
    draft.write_text(json.dumps({"template": "generic", "sections": {
        "findings": "Pas d'anomalie décelée.", "impression": "Examen normal."}},
        ensure_ascii=False), encoding="utf-8")
    capsys.readouterr()
    code = _run(["report", "sign", str(draft), "--study", str(ct.StudyInstanceUID), "--key",
                 str(test_pki.p12_path), "--json", "--accept-placeholders"], settings)
    captured = capsys.readouterr()
    assert code == 0, captured.err
    result = json.loads(captured.out)
    assert result["signature_level"] == "B-LT" and result["timestamped_at"]
    assert result["accession_number"] == ""
    assert "no accession number" in captured.err  # said, not hidden
    meta = json.loads(read_protected(Path(result["folder"]) / "report.json"))
    assert meta["signer_identifier"] == "10003456789"
    assert meta["signer_identifier_system"] == RPPS_SYSTEM
    assert (meta["signer_family_name"], meta["signer_given_name"]) == ("Lefèvre", "Hélène")
    assert (meta["study_date"], meta["study_time"], meta["study_tz_offset"]) == \
        ("20040119", "072730", "-0500")


def test_report_sign_cli_tsa_down(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from workstation.sources import open_library

    pki = start_test_pki(tmp_path / "pki")
    credential = _credential(pki)
    pki.stop()
    draft = tmp_path / "d.json"
    draft.write_text(json.dumps({"template": "generic", "sections": {"impression": "Normal."}}))
    ct = pydicom.dcmread(get_testdata_file("CT_small.dcm"))
    settings = Settings(signing=SigningSettings(trust_roots=[str(pki.root_pem)],
                                                tsa_url=pki.tsa_url, tsa_timeout_s=3))
    with pytest.raises(TimestampUnavailable):
        sign_draft_file(settings, draft, str(ct.StudyInstanceUID), credential, headers=[ct],
                        accept_placeholders=True)
    signed, folder = sign_draft_file(settings, draft, str(ct.StudyInstanceUID), credential,
                                     headers=[ct], accept_placeholders=True,
                                     options=signing_options(settings, without_timestamp=True))
    assert signed.signature_level == "B-B" and folder.is_dir()
    start = dt.datetime.now(dt.timezone.utc)
    assert abs((signed.signed_at - start).total_seconds()) < 60
    # the command: one sentence and exit 1; then the explicit choice, with a warning
    library = open_library(Settings())
    try:
        library.add_file(Path(get_testdata_file("CT_small.dcm")))
    finally:
        library.close()
    capsys.readouterr()
    argv = ["report", "sign", str(draft), "--study", str(ct.StudyInstanceUID), "--key",
            str(pki.p12_path), "--accept-placeholders"]
    assert _run(argv, settings) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "did not give a timestamp" in err
    assert _run([*argv, "--without-timestamp"], settings) == 0
    assert "signed without a timestamp, as asked" in capsys.readouterr().err


def _best_signature_time(pdf: bytes, root_pem: Path, when: dt.datetime) -> dt.datetime:
    """ETSI EN 319 102-1 validation with time (pyHanko's AdES module, no network): the
    earliest time the signature is proven to exist, as seen at ``when``."""
    import asyncio

    from asn1crypto import x509
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation.ades import ades_lta_validation
    from pyhanko.sign.validation.policy_decl import (
        PdfSignatureValidationSpec,
        RevinfoOnlineFetchingRule,
        RevocationInfoGatheringSpec,
        SignatureValidationSpec,
    )
    from pyhanko_certvalidator.context import CertValidationPolicySpec
    from pyhanko_certvalidator.ltv.types import ValidationTimingInfo
    from pyhanko_certvalidator.policy_decl import (
        CertRevTrustPolicy,
        RevocationCheckingPolicy,
        RevocationCheckingRule,
    )
    from pyhanko_certvalidator.registry import SimpleTrustManager

    rule = RevocationCheckingRule.CRL_OR_OCSP_REQUIRED
    policy = CertValidationPolicySpec(
        trust_manager=SimpleTrustManager.build([x509.Certificate.load(root_pem.read_bytes())]),
        revinfo_policy=CertRevTrustPolicy(RevocationCheckingPolicy(rule, rule)))
    spec = PdfSignatureValidationSpec(SignatureValidationSpec(
        cert_validation_policy=policy, revinfo_gathering_policy=RevocationInfoGatheringSpec(
            online_fetching_rule=RevinfoOnlineFetchingRule.LOCAL_ONLY)))
    timing = ValidationTimingInfo(validation_time=when, best_signature_time=when,
                                  point_in_time_validation=True)
    signature = PdfFileReader(io.BytesIO(pdf)).embedded_signatures[0]
    result = asyncio.run(ades_lta_validation(signature, spec, timing_info=timing))
    return result.best_signature_time


def test_timestamp_dates_the_signature_before_the_certificate_expires(
    test_pki: TestPKI, ct_head_study: StudySummary
) -> None:
    """Seen in 2035, after the signer's certificate expired (2030): the timestamp still proves
    the signature existed at signing time; without it, nothing dates it before 2035.
    (A full AdES 'passed' verdict that late needs document timestamps, PAdES B-LTA: not made.)"""
    report, template = _report(ct_head_study)
    credential = _credential(test_pki)
    stamped = sign_report(report, credential, letterhead=LETTERHEAD, template=template,
                          trust_roots=[test_pki.root_pem],
                          options=SigningOptions(tsa_url=test_pki.tsa_url))
    plain = sign_report(report, credential, letterhead=LETTERHEAD, template=template,
                        trust_roots=[test_pki.root_pem])
    later = dt.datetime(2035, 6, 1, tzinfo=dt.timezone.utc)
    expiry = dt.datetime(2030, 1, 1, tzinfo=dt.timezone.utc)
    proven = _best_signature_time(stamped.pdf_bytes, test_pki.root_pem, later)
    assert stamped.timestamped_at is not None
    assert abs((proven - stamped.timestamped_at).total_seconds()) < 1 and proven < expiry
    assert _best_signature_time(plain.pdf_bytes, test_pki.root_pem, later) == later


def test_without_revocation_data_the_signature_is_b_t(
    tmp_path: Path, test_pki: TestPKI, ct_head_study: StudySummary
) -> None:
    """The signer's CA is down (its OCSP responder and CRL cannot be fetched) while the TSA
    answers: the signature is B-T (timestamped), not refused and not claimed B-LT."""
    other = start_test_pki(tmp_path / "other-ca")
    credential = _credential(other)
    other.stop()
    report, template = _report(ct_head_study)
    roots = [other.root_pem, test_pki.root_pem]
    signed = sign_report(report, credential, letterhead=LETTERHEAD, template=template,
                         trust_roots=roots, options=SigningOptions(tsa_url=test_pki.tsa_url))
    assert signed.signature_level == "B-T" and signed.timestamped_at is not None
    check = verify_pdf_signature(signed.pdf_bytes, roots)
    assert check.ok and check.timestamp_ok and check.level == "B-T"
