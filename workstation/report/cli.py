"""``workstation report ...``: sign a report written elsewhere, manage signing keys, list templates.

``workstation report sign DRAFT.json --study STUDY_UID [--key PATH.p12 | --pkcs11 LIB --token LABEL]``
reads a report written by another system (a dictation system, a script) as JSON::

    {"template": "ct_head", "author": "...", "sections": {"findings": "...", "impression": "..."},
     "fields": {"midline_shift": 3}, "measurements": ["..."]}

checks it against the template's fields (what the template pre-fills and the JSON does not say,
such as the template's technique text or a field's default value, is a placeholder: ``sign``
refuses such a draft, naming them, unless ``--accept-placeholders`` says to sign without them), takes the patient and study header from the study's
instances (local library first, then the archive), signs it (PAdES), builds the TID 2000 SR and
the Encapsulated PDF, writes them to the outgoing folder, audits the signing, adds them to the
outbox and delivers them once, as the report editor does
(:func:`workstation.app.finalize_report.finalize_report`), keeps the history with the drafts, and
prints where they went. The letterhead is the settings' (``--practice`` names the practice).

The signature gets an RFC 3161 timestamp from the time-stamping authority of the settings
(``signing.tsa_url``; PAdES B-T, B-LT when the validation data can be fetched). When that
authority does not answer, signing stops with a sentence; ``--without-timestamp`` is the explicit
choice to sign anyway (the report is then verifiable only while the certificate is valid).

The PKCS#12 password comes from the keyring only (``workstation report key add PATH.p12`` stores
it); a token's PIN is asked on the terminal each time (or read from standard input with
``--pin-stdin``), never stored.
"""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

from workstation.app.finalize_report import finalize_report, letterhead_from_settings
from workstation.errors import PlaceholderError, ReportError, WorkstationError
from workstation.model.entities import LIBRARY, StudySummary
from workstation.report.drafts import DraftStore
from workstation.report.model import SECTIONS, KeyImage, ReportHistory, SignedReport, read_json_file
from workstation.report.signing import (
    Pkcs11Credential,
    Pkcs12Credential,
    SigningCredential,
    SigningOptions,
    TimestampUnavailable,
    forget_pkcs12_password,
    pkcs12_key_id,
    signing_options,
    store_pkcs12_password,
)
from workstation.report.templates import coerce_fields, fill_report, load_templates, validate_report
from workstation.settings import Settings

_DRAFT_KEYS = {"template", "author", "sections", "fields", "measurements", "key_images", "priors"}


def add_report_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add the ``report`` verb to the ``workstation`` command's subparsers."""
    p: argparse.ArgumentParser = subparsers.add_parser("report", help="sign reports, manage signing keys, list templates")
    sub = p.add_subparsers(dest="report_verb", required=True)
    s = sub.add_parser("sign", help="sign a report written elsewhere and queue it for delivery")
    s.add_argument("draft", type=Path, help="the report as JSON (template, sections, fields)")
    s.add_argument("--study", required=True, help="Study Instance UID of the study reported on")
    key = s.add_mutually_exclusive_group(required=True)
    key.add_argument("--key", type=Path, metavar="PATH.p12", help="PKCS#12 key file (password in the keyring)")
    key.add_argument("--pkcs11", type=Path, metavar="LIB", help="PKCS#11 module of the smart card")
    s.add_argument("--key-id", default="", help="keyring id of the key file (default: its absolute path)")
    s.add_argument("--token", help="token label (with --pkcs11)")
    s.add_argument("--key-label", help="key label on the token (default: the only key)")
    s.add_argument("--pin-stdin", action="store_true", help="read the token PIN from standard input")
    s.add_argument("--trust", type=Path, action="append", default=[], metavar="CA.pem",
                   help="CA certificate the signature may chain to (repeatable), besides those "
                        "of the settings (Settings > Signing)")
    s.add_argument("--archive", help="archive profile to read the study from when it is not in the library")
    s.add_argument("--practice", default="", help="practice name for the letterhead and the SR")
    s.add_argument("--without-timestamp", action="store_true",
                   help="sign even though the time-stamping authority of the settings does not "
                        "answer (the signature then proves nothing after the certificate expires)")
    s.add_argument("--accept-placeholders", action="store_true",
                   help="sign although the template pre-filled sections or fields the draft does not "
                        "give (placeholders); they are left out of the signed report")
    s.add_argument("--json", action="store_true", help="print the result as JSON")
    k = sub.add_parser("key", help="keep or forget a PKCS#12 key's password in the keyring")
    ksub = k.add_subparsers(dest="key_verb", required=True)
    ka = ksub.add_parser("add", help="store the password of a key file in the keyring (asked, never on the command line)")
    ka.add_argument("path", type=Path)
    ka.add_argument("--key-id", default="")
    ka.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    kf = ksub.add_parser("forget", help="remove a key file's password from the keyring")
    kf.add_argument("path", type=Path)
    kf.add_argument("--key-id", default="")
    sub.add_parser("templates", help="list the report templates")
    m = sub.add_parser("import-template", help="import an IHE MRRT (HTML5) report template into your templates")
    m.add_argument("file", type=Path, metavar="FILE.html", help="the MRRT template (for example from RadReport)")
    m.add_argument("--id", default="", help="template id (default: mrrt_ and the title)")
    m.add_argument("--modality", action="append", default=[], metavar="CT",
                   help="modality the template is chosen for (repeatable; default: guessed from the title)")
    m.add_argument("--force", action="store_true", help="replace a template of the same id")
    m.add_argument("--json", action="store_true", help="print the result as JSON")
    p.set_defaults(func=cmd_report)
    return p


def _read_secret(prompt: str, from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return getpass.getpass(prompt + ": ")


def _credential(args: argparse.Namespace) -> SigningCredential:
    if args.key is not None:
        return Pkcs12Credential(args.key, args.key_id)
    if not args.token:
        raise ReportError("--pkcs11 needs --token with the label of the smart card's token.")
    return Pkcs11Credential(args.pkcs11, args.token, ask_pin=lambda prompt: _read_secret(prompt, args.pin_stdin),
                            key_label=args.key_label)


def _study_headers(settings: Settings, study_uid: str, archive: str | None) -> list[Any]:
    from workstation.app.open_study import library_or_archive_headers

    headers, _origin = library_or_archive_headers(settings, study_uid, archive)
    if not headers:
        raise ReportError(f"Study {study_uid} was found neither in the library nor in the archive.")
    return list(headers)


def sign_draft_file(
    settings: Settings,
    draft_path: Path,
    study_uid: str,
    credential: SigningCredential,
    *,
    headers: list[Any] | None = None,
    trust_roots: list[Path] | None = None,
    archive: str | None = None,
    practice: str = "",
    options: SigningOptions | None = None,
    accept_placeholders: bool = False,
) -> tuple[SignedReport, Path]:
    """Sign the report in ``draft_path`` for ``study_uid``; returns it and its outgoing folder.

    Sections and fields the draft gives are the radiologist's; what only the template filled
    in is a placeholder: ``ReportError`` names them unless ``accept_placeholders`` (then they
    are left out of the signed report). A comparison made from the draft's ``priors`` counts
    as given.
    The signature must chain to a CA of the settings (``signing.trust_roots``) or of
    ``trust_roots`` (``--trust``); with neither, to the credential's own self-signed CA.
    ``options`` default to the settings' (:func:`~workstation.report.signing.signing_options`)."""
    data = read_json_file(draft_path, "report")
    if not isinstance(data, dict):
        raise ReportError(f"The report {draft_path} does not hold a JSON object.")
    unknown = set(data) - _DRAFT_KEYS
    if unknown:
        raise ReportError(f"The report {draft_path} has an unknown entry '{sorted(unknown)[0]}'; "
                          f"use {', '.join(sorted(_DRAFT_KEYS))}.")
    sections = data.get("sections", {})
    if not isinstance(sections, dict) or not all(isinstance(v, str) for v in sections.values()):
        raise ReportError(f"In {draft_path}, 'sections' must map section names to text.")
    bad = set(sections) - set(SECTIONS)
    if bad:
        raise ReportError(f"In {draft_path}, '{sorted(bad)[0]}' is not a report section; use {', '.join(SECTIONS)}.")
    library = load_templates()
    template = library.get(str(data.get("template", "generic")))
    headers = headers if headers is not None else _study_headers(settings, study_uid, archive)
    study = StudySummary.from_dataset(headers[0], LIBRARY)
    if study.study_uid != study_uid:
        raise ReportError(f"The instances found do not belong to study {study_uid}.")
    priors = [tuple(p) for p in data.get("priors", [])]
    report = fill_report(template, study, priors=priors, author=str(data.get("author", "")),
                         measurements=[str(m) for m in data.get("measurements", [])],
                         key_images=[KeyImage(**k) for k in data.get("key_images", [])])
    for name in SECTIONS:  # the dictated text replaces the template's placeholder
        if name in sections:
            report = report.with_section(name, sections[name])
    if data.get("priors"):
        report = report.with_placeholders_accepted(sections=["comparison"])
    fields = data.get("fields", {})
    if not isinstance(fields, dict):
        raise ReportError(f"In {draft_path}, 'fields' must map field ids to values.")
    for fid, value in coerce_fields(fields, template).items():
        report = report.with_field(fid, value)
    validate_report(report, template)  # the values given fit their fields (named first)
    if report.has_placeholders and not accept_placeholders:
        names = ", ".join(report.placeholder_names(template.field_labels()))
        raise PlaceholderError(
            f"The draft {draft_path.name} does not give {names}, which only the template filled in; "
            "dictate them, or sign with --accept-placeholders to leave them out of the signed report."
        )
    letterhead = letterhead_from_settings(settings, practice)
    if practice:  # --practice names the practice for this report
        letterhead = replace(letterhead, practice_name=practice)
    done = finalize_report(report, credential, settings=settings, template=template, headers=headers,
                           letterhead=letterhead, trust_roots=trust_roots or (), options=options,
                           accept_placeholders=accept_placeholders)
    DraftStore.open(settings).save(ReportHistory([done.signed.report]))
    return done.signed, done.folder


def signing_warnings(signed: SignedReport, settings: Settings, without_timestamp: bool) -> list[str]:
    """Sentences about what the signed version lacks (each also shown by the report editor)."""
    warnings = []
    if not signed.identity_checked:
        warnings.append("no trusted CA is configured, so the signer's identity was not checked; "
                        "add the practice's CA under Settings > Signing or pass --trust.")
    if signed.timestamped_at is None:
        if without_timestamp and settings.signing.tsa_url:
            warnings.append("signed without a timestamp, as asked: the signature cannot be "
                            "proven once the signer's certificate has expired.")
        else:
            warnings.append("no time-stamping authority is configured, so the signature has no "
                            "timestamp and cannot be proven once the certificate has expired; "
                            "set one under Settings > Signing.")
    identity = signed.signer_identity
    if not identity.family_name:
        warnings.append("the signer's family and given names are not known apart (neither the "
                        "certificate nor Settings > Signing gives them): the HL7 report carries "
                        "the whole name as the family name.")
    if not signed.report.study.accession_number:
        warnings.append("the study has no accession number: the RIS receives the report "
                        "identified by the Study Instance UID.")
    return warnings


def _import_template(args: argparse.Namespace) -> int:
    """``workstation report import-template FILE.html``: convert and save into the user's templates."""
    from workstation.report.mrrt import import_mrrt_file, write_user_template

    imported = import_mrrt_file(args.file, template_id=args.id, modalities=tuple(args.modality))
    path = write_user_template(imported, overwrite=args.force)
    template = imported.template
    fields = len(template.all_fields())
    if args.json:
        print(json.dumps({"id": template.id, "title": template.title, "path": str(path),
                          "sections": [s.name for s in template.sections], "fields": fields,
                          "modalities": list(template.modalities), "notes": imported.notes}, indent=2))
        return 0
    print(f"Imported '{template.title}' as template '{template.id}' ({len(template.sections)} sections, "
          f"{fields} fields) into {path}.")
    for note in imported.notes:
        print(f"Note: {note}")
    return 0


def cmd_report(args: argparse.Namespace, settings: Settings) -> int:
    """Run ``workstation report ...``; returns the exit status (1 with one sentence on error)."""
    try:
        if args.report_verb == "templates":
            library = load_templates()
            for t in library.templates.values():
                match = ", ".join(t.modalities) or "any modality"
                print(f"{t.id:20} {t.title} ({match})")
            for problem in library.problems:
                print(problem, file=sys.stderr)
            return 0
        if args.report_verb == "import-template":
            return _import_template(args)
        if args.report_verb == "key":
            key_id = args.key_id or pkcs12_key_id(args.path)
            if args.key_verb == "add":
                if not args.path.is_file():
                    raise ReportError(f"The key file {args.path} does not exist.")
                password = _read_secret(f"Password of {args.path.name}", args.password_stdin)
                store_pkcs12_password(key_id, password)
                try:
                    Pkcs12Credential(args.path, key_id).open_signer()  # the password must open the key
                except WorkstationError:
                    forget_pkcs12_password(key_id)
                    raise
                print(f"The password of {args.path.name} is in the keyring.")
            else:
                found = forget_pkcs12_password(key_id)
                print("Forgotten." if found else "The keyring held no password for this key.")
            return 0
        signed, folder = sign_draft_file(
            settings, args.draft, args.study, _credential(args), trust_roots=list(args.trust),
            archive=args.archive, practice=args.practice, accept_placeholders=args.accept_placeholders,
            options=signing_options(settings, without_timestamp=args.without_timestamp),
        )
    except TimestampUnavailable as exc:
        print(f"{exc} To sign without a timestamp (the signature then cannot be proven once the "
              "certificate has expired), run it again with --without-timestamp.", file=sys.stderr)
        return 1
    except WorkstationError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    result = {
        "folder": str(folder),
        "report_uid": signed.report_uid,
        "version_uid": signed.version_uid,
        "status": signed.fhir_status,
        "signer": signed.signer_name,
        "signed_at": signed.signed_at.isoformat(),
        "identity_checked": signed.identity_checked,
        "signature_level": signed.signature_level,
        "timestamped_at": signed.timestamped_at.isoformat() if signed.timestamped_at else None,
        "accession_number": signed.report.study.accession_number,
    }
    for warning in signing_warnings(signed, settings, args.without_timestamp):
        print(f"Warning: {warning}", file=sys.stderr)
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print(f"Signed by {signed.signer_name} at {signed.signed_at.isoformat()}; queued in {folder}")
    return 0
