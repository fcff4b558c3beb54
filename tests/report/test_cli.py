"""``workstation report sign``: a dictated report signed for a study in the library, queued in outgoing/."""

from __future__ import annotations

import argparse
import io
import json
import shutil
from pathlib import Path

import pydicom
import pytest
from pydicom.data import get_testdata_file

from tests.report.conftest import assert_valid_report_sr, dciodvfy_errors
from tests.report.pki import ThrowawayPKI
from workstation.audit import AuditLog, default_audit_path
from workstation.crypt.files import read_protected
from workstation.report.cli import add_report_parser
from workstation.report.drafts import DraftStore
from workstation.report.outgoing import FILES, outgoing_folder, read_outgoing
from workstation.report.signing import Pkcs12Credential, verify_pdf_signature
from workstation.settings import LetterheadSettings, Settings
from workstation.sources import open_library


def _pdf_text(path: Path) -> str:
    """The PDF's text as a reader copies it (pypdfium2)."""
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(read_protected(path))  # encrypted at rest
    try:
        return "\n".join(document[i].get_textpage().get_text_range() for i in range(len(document)))
    finally:
        document.close()


def _run(argv: list[str], settings: Settings) -> int:
    parser = argparse.ArgumentParser(prog="workstation")
    add_report_parser(parser.add_subparsers(dest="verb"))
    args = parser.parse_args(argv)
    return args.func(args, settings)


@pytest.fixture
def study_in_library() -> pydicom.Dataset:
    ct = pydicom.dcmread(get_testdata_file("CT_small.dcm"))
    library = open_library(Settings())
    try:
        assert library.add_file(Path(get_testdata_file("CT_small.dcm"))).stored
    finally:
        library.close()
    return ct


def test_sign_a_dictated_report(tmp_path: Path, study_in_library: pydicom.Dataset, pki: ThrowawayPKI,
                                capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    ct = study_in_library
    settings = Settings()
    # the password goes to the keyring through `report key add`, read from standard input
    monkeypatch.setattr("sys.stdin", io.StringIO("wrong\n"))
    assert _run(["report", "key", "add", str(pki.p12_path), "--password-stdin"], settings) == 1
    assert "password in the keyring is wrong" in capsys.readouterr().err
    monkeypatch.setattr("sys.stdin", io.StringIO(pki.password + "\n"))
    assert _run(["report", "key", "add", str(pki.p12_path), "--password-stdin"], settings) == 0
    capsys.readouterr()

    draft = tmp_path / "dictated.json"
    draft.write_text(json.dumps({
        "template": "ct_head", "author": "Dictation system",
        "sections": {"findings": "Small chronic infarct in the left frontal lobe.", "impression": "No acute abnormality."},
        "fields": {"haemorrhage": "no", "midline_shift": "0"},
    }))
    argv = ["report", "sign", str(draft), "--study", str(ct.StudyInstanceUID), "--key", str(pki.p12_path),
            "--trust", str(pki.ca_pem), "--practice", "Riverside Imaging", "--json"]
    # the template's technique, the comparison and the contrast default were never dictated
    assert _run(argv, settings) == 1
    err = capsys.readouterr().err
    assert err == ("The draft dictated.json does not give Technique, Comparison, Intravenous contrast, which only "
                   "the template filled in; dictate them, or sign with --accept-placeholders to leave them out "
                   "of the signed report.\n")
    assert not outgoing_folder(settings).exists() or not list(outgoing_folder(settings).iterdir())
    code = _run([*argv, "--accept-placeholders"], settings)
    captured = capsys.readouterr()
    assert code == 0, captured.err
    result = json.loads(captured.out)
    folder = Path(result["folder"])
    assert folder.parent == outgoing_folder(settings) and folder.name == result["version_uid"]
    assert sorted(p.name for p in folder.iterdir()) == sorted(FILES)
    signed = read_outgoing(folder)
    assert signed.fhir_status == "final" and signed.signer_name == "Dr Alice Radiologist"
    assert signed.report.patient.patient_id == ct.PatientID and signed.report.study.study_uid == ct.StudyInstanceUID
    assert signed.report.fields["haemorrhage"] is False and signed.report.fields["midline_shift"] == 0
    # only what was dictated is signed: no template technique, comparison or default contrast
    assert "contrast" not in signed.report.fields
    assert signed.report.section("technique") == "" and signed.report.section("comparison") == ""
    pdf_text = _pdf_text(folder / "report.pdf")
    assert "Small chronic infarct" in pdf_text and "Intracranial haemorrhage: no" in pdf_text
    assert "Axial CT of the head" not in pdf_text and "Intravenous contrast" not in pdf_text
    assert "Comparison" not in pdf_text and "Technique" not in pdf_text
    metadata = json.loads(read_protected(folder / "report.json"))
    assert [s["title"] for s in metadata["sections"]] == ["Findings", "Impression"]
    assert metadata["sections"][0]["text"].endswith("Intracranial haemorrhage: no\nMidline shift: 0 mm")
    assert verify_pdf_signature(read_protected(folder / "report.pdf"), [pki.ca_pem]).ok
    clear = tmp_path / "clear"  # the validators read the objects decrypted
    clear.mkdir()
    for name in ("pdf.dcm", "sr.dcm"):
        (clear / name).write_bytes(read_protected(folder / name))
    if shutil.which("dciodvfy"):
        assert dciodvfy_errors(clear / "pdf.dcm") == []
        assert_valid_report_sr(clear / "sr.dcm", tmp_path)
    sr = pydicom.dcmread(clear / "sr.dcm")
    refs = sr.CurrentRequestedProcedureEvidenceSequence[0].ReferencedSeriesSequence[0].ReferencedSOPSequence
    assert [r.ReferencedSOPInstanceUID for r in refs] == [ct.SOPInstanceUID]
    history = DraftStore.open(settings).load(signed.report_uid)
    assert history.current.locked and history.current.version_uid == signed.version_uid
    # The signature is in the access audit log, with the study, the patient and the version.
    [record] = [r for r in AuditLog(default_audit_path(settings)).read() if r.action == "report_signed"]
    assert (record.study_uid, record.patient_id, record.instance_uids) == (
        ct.StudyInstanceUID, ct.PatientID, (signed.version_uid,))


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ({"template": "ct_head", "sections": {"impression": "x"}, "fields": {"midline_shift": "wide", "haemorrhage": "no"}},
         "Midline shift' must be a number"),
        ({"template": "ct_head", "sections": {"history": "x"}}, "'history' is not a report section"),
        ({"template": "knee", "sections": {"impression": "x"}}, "no report template 'knee'"),
        ({"template": "generic", "sections": {"impression": "x"}, "extra": 1}, "unknown entry 'extra'"),
    ],
)
def test_invalid_dictation_is_refused(tmp_path: Path, study_in_library: pydicom.Dataset, credential: Pkcs12Credential,
                                      pki: ThrowawayPKI, capsys: pytest.CaptureFixture[str],
                                      content: dict, message: str) -> None:
    draft = tmp_path / "bad.json"
    draft.write_text(json.dumps(content))
    code = _run(["report", "sign", str(draft), "--study", str(study_in_library.StudyInstanceUID),
                 "--key", str(pki.p12_path)], Settings())
    err = capsys.readouterr().err
    assert code == 1 and message in err and "\n" == err[-1] and err.count("\n") == 1
    assert not outgoing_folder().exists() or not list(outgoing_folder().iterdir())


def test_unknown_study_and_template_list(tmp_path: Path, pki: ThrowawayPKI, capsys: pytest.CaptureFixture[str]) -> None:
    draft = tmp_path / "d.json"
    draft.write_text(json.dumps({"template": "generic", "sections": {"impression": "x"}}))
    assert _run(["report", "sign", str(draft), "--study", "1.2.3.4", "--key", str(pki.p12_path)], Settings()) == 1
    assert "Study 1.2.3.4 is not in the library and no archive is configured" in capsys.readouterr().err
    assert _run(["report", "templates"], Settings()) == 0
    assert "ct_head" in capsys.readouterr().out


def test_outgoing_folder_is_read_by_the_outbox(tmp_path: Path, study_in_library: pydicom.Dataset,
                                               credential: Pkcs12Credential, pki: ThrowawayPKI) -> None:
    """The folder contract: the delivery side's reader accepts what signing writes."""
    package = pytest.importorskip("workstation.report.delivery.package")
    from workstation.report.cli import sign_draft_file

    draft = tmp_path / "d.json"
    draft.write_text(json.dumps({"template": "generic", "sections": {"findings": "Normal.", "impression": "Normal study."}}))
    ct = study_in_library
    ct_with_accession = ct.copy()
    ct_with_accession.AccessionNumber = "ACC-1"
    signed, folder = sign_draft_file(Settings(), draft, str(ct.StudyInstanceUID), credential,
                                     headers=[ct_with_accession], trust_roots=[pki.ca_pem],
                                     accept_placeholders=True)
    version = package.load_report_version(folder)
    assert version.status == "final" and version.version_uid == signed.version_uid == folder.name
    assert version.report_uid == signed.report_uid and version.accession_number == "ACC-1"
    assert version.signer_name == "Dr Alice Radiologist" and version.signed_at == signed.signed_at
    assert version.conclusion == "Normal study."
    # the technique (study description) and comparison only the workstation wrote are left out of the RIS text
    assert [s.title for s in version.sections] == ["Findings", "Impression"]


def test_signing_from_the_command_line_uses_the_settings_letterhead(
        tmp_path: Path, study_in_library: pydicom.Dataset, credential: Pkcs12Credential, pki: ThrowawayPKI) -> None:
    """The letterhead the settings dialog saves (an older version's free-form entry here) heads the
    PDF the command line signs, as it heads the one the report editor signs."""
    from workstation.report.cli import sign_draft_file
    from workstation.settings import load_settings, settings_path

    settings_path().parent.mkdir(parents=True, exist_ok=True)
    settings_path().write_text(json.dumps({"letterhead": {
        "practice_name": "Cabinet de radiologie de l'Étang", "address_lines": ["3, rue de l'Église", "75001 Paris"],
        "phone": "+33 1 23 45 67 89", "email": "", "department": "Imagerie médicale"}}), encoding="utf-8")
    draft = tmp_path / "d.json"
    draft.write_text(json.dumps({"template": "generic", "sections": {"findings": "Normal.", "impression": "Normal."}}))
    ct = study_in_library
    _signed, folder = sign_draft_file(load_settings(), draft, str(ct.StudyInstanceUID), credential, headers=[ct],
                                      trust_roots=[pki.ca_pem], accept_placeholders=True)
    text = _pdf_text(folder / "report.pdf")
    for line in ("Cabinet de radiologie de l'Étang", "3, rue de l'Église", "75001 Paris", "+33 1 23 45 67 89",
                 "Imagerie médicale"):
        assert line in text, line
    # --practice still names the practice when given
    _signed, folder = sign_draft_file(load_settings(), draft, str(ct.StudyInstanceUID), credential, headers=[ct],
                                      trust_roots=[pki.ca_pem], accept_placeholders=True, practice="Centre Ouest")
    text = _pdf_text(folder / "report.pdf")
    assert "Centre Ouest" in text and "3, rue de l'Église" in text


def test_report_sign_finalizes_as_the_editor_does(tmp_path: Path, study_in_library: pydicom.Dataset,
                                                   credential: Pkcs12Credential, pki: ThrowawayPKI) -> None:
    """`report sign` and the editor share app.finalize_report: the settings' letterhead is on the
    PDF, the signing is audited and the version is added to the outbox (issue 14)."""
    from workstation.report.cli import sign_draft_file
    from workstation.report.delivery.destinations import open_outbox

    settings = Settings(letterhead=LetterheadSettings(practice_name="Imagerie du Léman",
                                                      address_lines=["12 rue de l'Église", "Genève"]))
    draft = tmp_path / "d.json"
    draft.write_text(json.dumps({"template": "generic", "sections": {"findings": "Normal.", "impression": "Normal study."}}))
    ct = study_in_library
    signed, folder = sign_draft_file(settings, draft, str(ct.StudyInstanceUID), credential,
                                     trust_roots=[pki.ca_pem], accept_placeholders=True)
    text = _pdf_text(folder / "report.pdf")
    assert "Imagerie du Léman" in text and "12 rue de l'Église" in text and "Genève" in text
    audited = [r for r in AuditLog(default_audit_path()).read(str(ct.StudyInstanceUID))
               if r.action == "report_signed"]
    assert [r.instance_uids for r in audited] == [(signed.version_uid,)]
    outbox = open_outbox(settings)
    assert (outbox.state_dir / f"{signed.version_uid}.json").is_file()  # added, not only written
    assert [e.version_uid for e in outbox.outbox_status()] == [signed.version_uid]
