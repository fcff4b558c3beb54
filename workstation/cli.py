"""The ``workstation`` command: with no verb it opens the app; verbs script the core.

Verbs: ``studies``, ``pull``, ``import``, ``info``, ``render``, ``hang``, ``report``, ``outbox``, ``qc``, ``demo``,
``archive``, ``login``, ``logout``, ``audit``, ``export``, ``send``. Exit status 0 on
success; 1 with one sentence on standard error when something went wrong; 2 for a usage error.
Passwords never go on the command line: they come from the keyring (``workstation archive add``
asks for one) or, for scripts, from ``WORKSTATION_USER`` / ``WORKSTATION_PASSWORD``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import getpass
import importlib
import io
import json
import logging
import os
import sys
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, TextIO

from workstation import __version__
from workstation.app.open_study import archive_study_headers
from workstation.audit import AuditAction, audit_log_for, audited
from workstation.audit.events import OUTCOME_MINOR_FAILURE
from workstation.audit.record import query_keys, record_import
from workstation.errors import Cancelled, SettingsError, WorkstationError
from workstation.log_privacy import route_warnings_to_log
from workstation.model.query import StudyQuery
from workstation.private import restrict_umask, tighten_app_folders
from workstation.settings import ArchiveProfile, Settings, app_folders, load_settings, save_settings
from workstation.sources import open_all_archives, open_archive, open_library

if TYPE_CHECKING:
    from workstation.model.entities import StudySummary
    from workstation.store.library import Library

log = logging.getLogger("workstation")


# ---------------------------------------------------------------------------------------------
# Progress bar on standard error


class ProgressBar:
    """A one-line progress bar on a terminal, a line every few seconds otherwise."""

    def __init__(self, label: str, stream: TextIO | None = None) -> None:
        self.label = label
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty()
        self.started = time.monotonic()
        self._last = 0.0

    def __call__(self, done: int, total: int, nbytes: int = 0) -> None:
        now = time.monotonic()
        final = total and done >= total
        if not final and now - self._last < (0.1 if self.tty else 2.0):
            return
        self._last = now
        elapsed = max(now - self.started, 1e-6)
        rate = f" {nbytes / 1e6 / elapsed:6.1f} MB/s" if nbytes else ""
        if total:
            frac = min(done / total, 1.0)
            bar = "#" * int(frac * 30)
            line = f"{self.label} [{bar:<30}] {done}/{total}{rate}"
        else:
            line = f"{self.label} {done}{rate}"
        if self.tty:
            self.stream.write("\r" + line)
            if final:
                self.stream.write("\n")
        else:
            self.stream.write(line + "\n")
        self.stream.flush()


# ---------------------------------------------------------------------------------------------
# Sources


def _open_library(settings: Settings, quiet: bool = False) -> Library:
    """The local library; a rebuild of its index or the encryption of a clear library shows a
    progress bar and one sentence. Studies past the retention limit are removed."""
    bar = None if quiet else ProgressBar("Rebuilding the library index")
    encrypting_bar = ProgressBar("Encrypting patient data on this machine")

    def progress(done: int, total: int) -> None:
        if bar is not None:
            bar(done, total)

    library = open_library(settings, progress=progress, encrypting=encrypting_bar)
    said = library.recovery.summary()
    if said:
        print(said, file=sys.stderr)
    try:
        from workstation.retention import apply_retention

        removed = apply_retention(library, settings)
    except BaseException:
        library.close()
        raise
    if removed:
        from workstation.retention import removed_sentence

        print(removed_sentence(len(removed), settings.retention_days), file=sys.stderr)
    return library


# ---------------------------------------------------------------------------------------------
# Verbs


def _patient_of(library: Library, study_uid: str) -> tuple[str, str]:
    """The Patient ID and its issuer of a study in the library (for the audit log)."""
    found = library.search_studies(StudyQuery(study_uid=study_uid))
    return (found[0].patient_id, found[0].issuer_of_patient_id) if found else ("", "")


def _date(text: str) -> dt.date:
    for fmt in ("%Y-%m-%d", "%Y%m%d"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            pass
    raise argparse.ArgumentTypeError(f"'{text}' is not a date (use YYYY-MM-DD)")


def _study_row(s: StudySummary) -> dict[str, Any]:
    return {
        "study_uid": s.study_uid,
        "patient_name": s.patient_name,
        "patient_id": s.patient_id,
        "issuer_of_patient_id": s.issuer_of_patient_id,
        "patient_birth_date": s.patient_birth_date,
        "patient_sex": s.patient_sex,
        "study_date": s.study_date,
        "study_time": s.study_time,
        "accession_number": s.accession_number,
        "study_description": s.study_description,
        "modalities": list(s.modalities),
        "number_of_series": s.number_of_series,
        "number_of_instances": s.number_of_instances,
        "origin": sorted(s.origins),
        "where": s.where(),
        "local_instances": s.local_instances,
        "expected_instances": s.expected_instances,
        "damaged_instances": s.damaged_instances,
        "incomplete": s.incomplete,
        "note": s.completeness_note(),
    }


def cmd_studies(args: argparse.Namespace, settings: Settings) -> int:
    query = StudyQuery(
        patient_name=args.name or "",
        patient_id=args.patient_id or "",
        accession_number=args.accession or "",
        study_date_from=args.date_from,
        study_date_to=args.date_to,
        modality=args.modality or "",
        study_description=args.description or "",
        limit=args.limit,
        offset=args.offset,
    )
    from workstation.net.federated import LIBRARY_NAME, FederatedSearch

    def say(sentence: str) -> None:
        print(sentence, file=sys.stderr)

    if args.library:
        archives: list[tuple[str, Any]] = []
    elif args.archive:
        archive = open_archive(settings, args.archive, notify=say)
        archives = [(archive.name, archive)] if archive is not None else []
    else:  # every archive and the library, at once
        archives = open_all_archives(settings, notify=say)
    sources: list[tuple[str, Any]] = list(archives)
    if not archives or args.with_library or not (args.archive or args.library):
        sources.append((LIBRARY_NAME, _open_library(settings)))
    with audited(settings, AuditAction.STUDY_SEARCHED, detail={"query": query_keys(query)}) as seen:
        result = FederatedSearch(sources, deadline_s=args.deadline).search(query)
        seen.detail["matches"] = len(result.studies)
        if result.unreachable or result.late:
            seen.detail["unreachable"] = sorted([*result.unreachable, *result.late])
    answered = {a.name for a in result.answers if not a.error}
    if archives and not result.studies and not answered & {name for name, _ in archives}:
        if result.defects:
            raise result.defects[0]  # a defect, not an archive's answer: the last guard says so
        for line in result.problem_lines():
            say(line)
        return 1  # no archive answered: the sentences above say why
    for line in result.problem_lines():
        say(line)
    found = {s.study_uid: s for s in result.studies}
    studies = sorted(found.values(), key=lambda s: (s.study_date, s.study_time), reverse=True)
    if args.json:
        json.dump([_study_row(s) for s in studies], sys.stdout, indent=2)
        sys.stdout.write("\n")
        return 0
    if not studies:
        print("No study matches.")
        return 0
    for line in study_table(studies):
        print(line)
    return 0


#: Only free text may be shortened in a listing; identifiers (patient ID, accession number,
#: UIDs) and names are printed whole, however long: cut, two patients can look the same.
DESCRIPTION_WIDTH = 28


def study_table(studies: Sequence[StudySummary]) -> list[str]:
    """The lines of ``workstation studies``: columns as wide as their longest value."""
    rows: list[list[str]] = []
    for s in studies:
        date = s.date.isoformat() if s.date else s.study_date
        n = "" if s.number_of_instances is None else str(s.number_of_instances)
        description = s.study_description
        if len(description) > DESCRIPTION_WIDTH:
            description = description[: DESCRIPTION_WIDTH - 3] + "..."
        rows.append([date, s.patient_name, s.patient_id, s.accession_number, "/".join(s.modalities),
                     n, description, s.study_uid, ", ".join(s.where()), s.completeness_note()])
    titles = ["Date", "Patient", "ID", "Accession", "Mod", "Imgs", "Description", "Study UID",
              "Where", ""]
    widths = [max(len(r[i]) for r in [titles, *rows]) for i in range(len(titles))]
    right = {5}
    lines = []
    for r in [titles, *rows]:
        cells = [c.rjust(w) if i in right else c.ljust(w) for i, (c, w) in enumerate(zip(r, widths, strict=True))]
        lines.append("  ".join(cells).rstrip())
    return lines


def cmd_pull(args: argparse.Namespace, settings: Settings) -> int:
    from workstation.net.transfer import pull_study

    archive = open_archive(settings, args.archive,
                           notify=lambda sentence: print(sentence, file=sys.stderr))
    if archive is None:
        raise SettingsError(
            "No archive is configured: give --archive URL or add one with "
            "'workstation archive add NAME URL'."
        )
    library = _open_library(settings, args.quiet)
    bar = ProgressBar("Retrieving") if not args.quiet else None
    with (audited(settings, AuditAction.STUDY_PULLED, study_uid=args.study_uid) as pulled,
          library.open_study(args.study_uid)):  # never evicted while it arrives
        # One more attempt per backup: a retrieval cut by a failing archive resumes from the next.
        attempts = 1 + len(getattr(archive, "members", [archive]))
        report = pull_study(archive, library, args.study_uid, progress=bar, attempts=attempts)
        pulled.patient_id, pulled.issuer_of_patient_id = _patient_of(library, args.study_uid)
        pulled.detail = {"why": "pull", "instances": report.instances_fetched,
                         "expected": report.instances_expected,
                         "archive": archive.transport.host}
        if not report.complete:
            pulled.outcome, pulled.outcome_text = OUTCOME_MINOR_FAILURE, "incomplete"
        evicted = library.evict_to_limit()
    print(report.summary())
    if evicted:
        print(f"{len(evicted)} least recently used studies were evicted to keep the library under its size limit.")
    return 0 if report.complete else 1


def cmd_import(args: argparse.Namespace, settings: Settings) -> int:
    from pathlib import Path

    from workstation.store.importer import import_paths

    library = _open_library(settings, args.quiet)
    bar = ProgressBar("Importing") if not args.quiet else None

    def progress(done: int, total: int, _name: str) -> None:
        if bar:
            bar(done, total)

    report = import_paths(library, [Path(p) for p in args.paths], progress=progress)
    record_import(settings, library, report)
    for line in report.failure_lines():
        print(line, file=sys.stderr)
    problems = report.problem_lines()
    if problems:
        print("Stored with problems:", file=sys.stderr)
        for line in problems:
            print(f"  {line}", file=sys.stderr)
    print(report.summary())
    return 0 if report.ok else 1


def cmd_info(args: argparse.Namespace, settings: Settings) -> int:
    from workstation.model.displayset import build_display_sets

    library = _open_library(settings)
    headers = library.study_headers(args.study_uid)
    origin = "library"
    note = ""
    if headers:
        found = library.search_studies(StudyQuery(study_uid=args.study_uid))
        note = found[0].completeness_note() if found else ""
    if not headers:
        origin = "archive"
        headers = archive_study_headers(settings, args.study_uid, args.archive)
    if not headers:
        raise WorkstationError(f"Study {args.study_uid} was not found.")
    audit_log_for(settings).record(
        AuditAction.STUDY_OPENED, study_uid=args.study_uid, patient_id=str(headers[0].get("PatientID", "")),
        issuer_of_patient_id=str(headers[0].get("IssuerOfPatientID", "")), detail={"from": origin})
    display_sets = build_display_sets(headers)
    described = [d.describe() for d in display_sets]
    if args.json:
        json.dump(
            {"study_uid": args.study_uid, "origin": origin, "incomplete": bool(note), "note": note,
             "display_sets": described},
            sys.stdout,
            indent=2,
            default=str,
        )
        sys.stdout.write("\n")
        return 0
    print(f"Study {args.study_uid} ({origin}): {len(described)} display sets")
    if note:
        print(f"  {note[0].upper()}{note[1:]}.")
    for d in described:
        _print_display_set(d)
    return 0


def _print_display_set(d: dict[str, Any]) -> None:
    title = " ".join(
        str(x) for x in (d.get("modality", ""), d.get("series_number", ""), d.get("series_description", "")) if x not in ("", None)
    )
    print(f"\n  [{d.get('kind')}] {title}")
    for key in ("images", "frames", "rows", "columns", "spacing_mm", "orientation", "dimensions_mm"):
        if d.get(key) not in (None, "", []):
            print(f"    {key.replace('_', ' ')}: {d[key]}")
    if d.get("segments"):
        print(f"    segments: {', '.join(str(n) for n in d['segments'])}")
    affine = d.get("affine")
    if affine:
        print("    affine (index -> patient LPS mm):")
        for row in affine:
            print("      " + "  ".join(f"{v:10.4f}" for v in row))
    for w in d.get("warnings", []):
        print(f"    warning: {w}")


def cmd_demo(args: argparse.Namespace, settings: Settings) -> int:
    from workstation import demo

    library = open_library(settings)
    bar = ProgressBar("Creating demo study") if not args.quiet else None
    items = list(demo.phantom_series()) + list(demo.bundled_samples())
    for i, data in enumerate(items, 1):
        library.add_bytes(data)
        if bar:
            bar(i, len(items))
    print(f"Demo studies added to the library ({len(items)} images).")
    return 0


def cmd_archive(args: argparse.Namespace, settings: Settings) -> int:
    from workstation.net import auth

    if args.archive_verb == "list":
        if not settings.archives:
            print("No archive configured; the workstation reads the local library.")
        for p in settings.archives:
            mark = "*" if p.name == (settings.default_archive or settings.archives[0].name) else " "
            backup = f"  backup for '{p.backup_for}'" if p.backup_for else ""
            print(f"{mark} {p.name:<16} {p.url}  ({p.auth}{', ' + p.username if p.username else ''})"
                  f"{backup}")
        return 0
    if args.archive_verb == "add":
        profile = ArchiveProfile(
            name=args.name, url=args.url.rstrip("/"), auth=args.auth, username=args.user or "",
            ca_bundle=args.ca_bundle or "", allow_insecure_http=args.allow_insecure_http,
            backup_for=args.backup_for or "",
        )
        if profile.backup_for and profile.backup_for not in {p.name for p in settings.archives}:
            raise SettingsError(f"There is no archive profile named '{profile.backup_for}' to be "
                                "the backup of; add that archive first.")
        if auth.sends_in_clear(profile):
            if not profile.allow_insecure_http:
                raise SettingsError(auth.insecure_http_refusal(profile))
            print(f"Warning: archive '{args.name}' will send its secret unencrypted over plain "
                  "HTTP; anyone on the network can read it. Use https:// where the archive "
                  "offers it.", file=sys.stderr)
        settings.archives = [p for p in settings.archives if p.name != args.name] + [profile]
        if not profile.backup_for and (args.default or not settings.default_archive):
            settings.default_archive = args.name
        kept = "its secret is in the system keyring"
        if profile.auth == "oidc":
            kept = "it uses your sign-in ('workstation login')"
        elif profile.auth == "none":
            kept = "it needs no secret"
        else:
            from_env = os.environ.get(auth.ENV_SECRET)
            if from_env and not auth.keyring_available():
                kept = (f"its secret is not saved (there is no system keyring): it will be read "
                        f"from {auth.ENV_SECRET} each time")
            else:
                if not auth.keyring_available():
                    raise auth.NoKeyringError(auth.no_keyring_sentence(profile))
                prompt = "Password" if profile.auth == "basic" else "Bearer token"
                try:
                    secret = from_env or getpass.getpass(f"{prompt} for {args.name}: ")
                except EOFError:  # no terminal to ask on (a script, a service)
                    raise SettingsError(
                        f"No {prompt.lower()} was given for archive '{args.name}' (there is no "
                        f"terminal to ask on): set {auth.ENV_SECRET} for scripts."
                    ) from None
                auth.store_secret(profile, secret)
        path = save_settings(settings)
        print(f"Archive '{args.name}' saved in {path}; {kept}.")
        return 0
    if args.archive_verb == "remove":
        existing = settings.archive(args.name)
        if existing is not None:
            auth.forget_secret(existing)
        settings.archives = [p for p in settings.archives if p.name != args.name]
        if settings.default_archive == args.name:
            settings.default_archive = settings.archives[0].name if settings.archives else ""
        save_settings(settings)
        print(f"Archive '{args.name}' removed.")
        return 0
    if args.archive_verb == "test":
        client = open_archive(settings, args.name)
        if client is None:
            raise SettingsError("No archive is configured.")
        print(client.check_connection())
        return 0
    raise SettingsError("Unknown archive command.")


def cmd_forget_all(args: argparse.Namespace, settings: Settings) -> int:
    """Remove all patient data from this machine and delete the data key (``workstation.forget``)."""
    if not args.yes:
        print("This removes every study, report, draft and pending object from this machine and "
              "deletes the key that encrypts them; run 'workstation forget-all --yes' to do it.",
              file=sys.stderr)
        return 2
    from workstation.forget import forget_all

    print(forget_all(settings).summary())
    return 0


def cmd_app(args: argparse.Namespace, settings: Settings) -> int:
    from workstation.ui.app import run_app

    return run_app([sys.argv[0]])


# ---------------------------------------------------------------------------------------------


# Verbs whose modules are heavy to import (signing, rendering...): loaded only when used, so that
# `workstation studies` or `--version` start in a fraction of a second.
PLUGIN_VERBS = {
    "render": "workstation.render.cli:add_render_parser",
    "hang": "workstation.hanging.cli:add_hang_parser",
    "report": "workstation.report.cli:add_report_parser",
    "qc": "workstation.qc.cli:add_qc_parser",
    "outbox": "workstation.report.delivery.cli:add_outbox_parser",
    "audit": "workstation.audit.cli:add_audit_parser",
    "login": "workstation.net.login_cli:add_login_parser",
    "logout": "workstation.net.login_cli:add_logout_parser",
    "export": "workstation.export.cli:add_export_parser",
    "send": "workstation.export.cli:add_send_parser",
}


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The command's parser; ``only`` names the verb being run, so other verbs' heavy modules
    are not imported (None: all verbs, for --help)."""
    parser = argparse.ArgumentParser(
        prog="workstation",
        description="Radiology reading workstation. With no command, opens the application.",
    )
    parser.add_argument("--version", action="version", version=f"workstation {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log what happens (no patient data)")
    sub = parser.add_subparsers(dest="verb")

    p = sub.add_parser("studies", help="list matching studies in every archive and the library")
    p.add_argument("--name", help="patient name; * and ? are wildcards; case-insensitive prefix")
    p.add_argument("--id", dest="patient_id", help="patient ID")
    p.add_argument("--accession", help="accession number")
    p.add_argument("--from", dest="date_from", type=_date, help="study date from (YYYY-MM-DD)")
    p.add_argument("--to", dest="date_to", type=_date, help="study date to (YYYY-MM-DD)")
    p.add_argument("--modality", help="modality in study, e.g. CT")
    p.add_argument("--description", help="study description; * and ? are wildcards")
    p.add_argument("--limit", type=int, help="at most this many studies")
    p.add_argument("--offset", type=int, default=0, help="skip this many studies (paging)")
    p.add_argument("--archive", help="archive profile name or DICOMweb URL")
    p.add_argument("--library", action="store_true", help="search only the local library")
    p.add_argument("--with-library", action="store_true",
                   help="with --archive: search that archive and the library")
    p.add_argument("--deadline", type=float, default=20.0,
                   help="seconds each archive has to answer (default 20); later ones are "
                        "named as not answering")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=cmd_studies)

    p = sub.add_parser("pull", help="bring a study from the archive into the local library")
    p.add_argument("study_uid")
    p.add_argument("--archive", help="archive profile name or DICOMweb URL")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=cmd_pull)

    p = sub.add_parser("import", help="import files, folders, DICOMDIR or ZIP into the library")
    p.add_argument("paths", nargs="+")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=cmd_import)

    p = sub.add_parser("info", help="describe a study's display sets")
    p.add_argument("study_uid")
    p.add_argument("--archive", help="archive profile name or DICOMweb URL (if not in the library)")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=cmd_info)

    p = sub.add_parser("demo", help="add the demo studies (generated CT phantom, sample images)")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=cmd_demo)

    for verb, target in PLUGIN_VERBS.items():
        if only is None or only == verb:
            module_name, function = target.split(":")
            getattr(importlib.import_module(module_name), function)(sub)

    p = sub.add_parser("forget-all", help="remove all patient data from this machine (and its key)")
    p.add_argument("--yes", action="store_true", help="really remove everything")
    p.set_defaults(func=cmd_forget_all)

    p = sub.add_parser("archive", help="configure archive profiles")
    asub = p.add_subparsers(dest="archive_verb", required=True)
    a = asub.add_parser("list", help="list archive profiles")
    a = asub.add_parser("add", help="add or replace a profile; asks for the password")
    a.add_argument("name")
    a.add_argument("url", help="DICOMweb root, e.g. https://pacs.example.org/dicom-web")
    a.add_argument("--user", help="user name")
    a.add_argument("--auth", choices=["basic", "bearer", "oidc", "none"], default="basic",
                   help="oidc: the access token of your sign-in ('workstation login')")
    a.add_argument("--ca-bundle", help="PEM file of trusted CAs (default: the system's)")
    a.add_argument("--default", action="store_true", help="make it the default archive")
    a.add_argument("--allow-insecure-http", action="store_true",
                   help="allow sending the password over plain http:// to another machine "
                        "(unencrypted: anyone on the network can read it)")
    a.add_argument("--backup-for", metavar="PRIMARY",
                   help="this archive stands in for PRIMARY when PRIMARY does not answer")
    a = asub.add_parser("remove", help="remove a profile and forget its secret")
    a.add_argument("name")
    a = asub.add_parser("test", help="test the connection to a profile")
    a.add_argument("name", nargs="?")
    p.set_defaults(func=cmd_archive)
    return parser


def never_fail_on_encoding() -> None:
    """Print what the terminal's encoding cannot show as escapes ("Lef\\xe8vre") instead of
    stopping with UnicodeEncodeError: a UTF-8 or Latin-1 terminal shows accented names as they
    are; an ASCII one (``LANG=C`` on an old system, ``PYTHONIOENCODING=ascii``) still gets
    every row."""
    for stream in (sys.stdout, sys.stderr):
        if isinstance(stream, io.TextIOWrapper) and stream.errors == "strict":
            stream.reconfigure(errors="backslashreplace")


def main(argv: Sequence[str] | None = None) -> int:
    restrict_umask()  # everything this process writes: folders 0700, files 0600
    never_fail_on_encoding()
    tighten_app_folders(app_folders())
    arguments = list(sys.argv[1:] if argv is None else argv)
    verbose = any(a in ("-v", "--verbose") for a in arguments)
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    route_warnings_to_log(verbose)  # pydicom's warnings quote values: patient data
    try:
        return _run(arguments)
    except Exception as exc:  # noqa: BLE001 - the last guard: one sentence, never a traceback
        # The message of an unexpected error may quote data (a patient name in a DICOM value):
        # only its type reaches the terminal; the traceback goes to the log with -v.
        log.info("Unexpected error", exc_info=True)
        print(_unexpected_sentence(exc, verbose), file=sys.stderr)
        return 1


def _run(arguments: list[str]) -> int:
    """Parse ``arguments`` and run the verb; errors the workstation foresees end here in one
    sentence, the others in :func:`main`."""
    first = next((a for a in arguments if not a.startswith("-")), None)
    only = first if first is not None and "-h" not in arguments and "--help" not in arguments else None
    if only is None and arguments in ([], ["-v"], ["--verbose"], ["--version"]):
        only = "app"  # no verb: opens the app (or prints the version); no plugin needed
    parser = build_parser(only)
    args = parser.parse_args(arguments)
    func = getattr(args, "func", cmd_app)
    try:
        settings = load_settings()
        return int(func(args, settings))
    except Cancelled as exc:
        print(str(exc), file=sys.stderr)
        return 130
    except KeyboardInterrupt:
        print("Interrupted; nothing half-done was recorded as complete.", file=sys.stderr)
        return 130
    except BrokenPipeError:  # output piped into a reader that stopped (| head): not an error
        sys.stderr.close()
        return 0
    except WorkstationError as exc:
        print(str(exc), file=sys.stderr)
        return 1


def _unexpected_sentence(exc: BaseException, verbose: bool) -> str:
    """One sentence for an error the command did not foresee (a defect, or memory exhausted)."""
    if isinstance(exc, MemoryError):
        what = "ran out of memory"
    elif isinstance(exc, ImportError):
        package = (exc.name or "").split(".")[0]
        what = (f"could not load the Python package '{package}' it needs (reinstall the "
                "workstation)" if package else "could not load a Python package it needs")
    else:
        what = f"failed unexpectedly ({type(exc).__name__})"
    where = ("the details are in the log above" if verbose
             else "run it again with -v to log the details")
    return f"The command {what} and stopped: {where}."
