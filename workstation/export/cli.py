"""``workstation export`` and ``workstation send``.

``workstation export STUDY --out DIR [--series UID ...] [--anonymize [--profile basic,dates,device,
descriptors]] [--include-burned-in] [--dicomdir] [--zip] [--images png|jpeg|mp4 [--no-overlays]]``
writes the study from the local library (PS3.10 files; DICOMDIR per PS3.10 for removable media;
de-identification per PS3.15 Annex E). ``workstation send STUDY --to PROFILE`` sends it by STOW-RS
to another archive profile through the pending queue; ``workstation send --retry --to PROFILE``
sends what still waits. Progress goes to standard error, errors as one sentence; exit 0 when all
was done, 3 when instances still wait for an unreachable destination, 4 when one refused some.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

from workstation.settings import Settings

EXIT_WAITING = 3
EXIT_REFUSED = 4


def _progress(quiet: bool) -> Any:
    """Progress on standard error: a line per stage every two seconds and at its end (this
    module sits below ``workstation.cli`` in the layers, so it has its own small printer)."""
    if quiet:
        return None
    last: dict[str, float] = {}

    def progress(done: int, total: int, what: str) -> None:
        now = time.monotonic()
        if done < total and now - last.get(what, 0.0) < 2.0:
            return
        last[what] = now
        print(f"{what}: {done}/{total}", file=sys.stderr, flush=True)

    return progress


def add_export_parser(subparsers: Any) -> None:
    """Add the ``export`` verb."""
    p = subparsers.add_parser("export", help="export a study to a folder, a DICOMDIR or a ZIP, optionally anonymised")
    p.add_argument("study_uid", metavar="STUDY_UID")
    p.add_argument("--out", required=True, type=Path, metavar="DIR", help="an empty or new folder")
    p.add_argument("--series", action="append", default=[], metavar="UID",
                   help="export only this series (repeat for several; default: the whole study)")
    p.add_argument("--anonymize", "--anonymise", action="store_true",
                   help="de-identify (PS3.15 basic application level confidentiality profile)")
    p.add_argument("--profile", default="basic", metavar="OPTIONS",
                   help="with --anonymize: basic plus options, comma-separated: dates (keep "
                        "shifted dates), device (keep device identity), descriptors (keep "
                        "cleaned descriptions)")
    p.add_argument("--include-burned-in", action="store_true",
                   help="with --anonymize: also export images whose pixels carry burned-in text")
    p.add_argument("--dicomdir", action="store_true", help="write a DICOMDIR for CD/DVD/USB media (PS3.10)")
    p.add_argument("--zip", action="store_true", help="write one ZIP file in DIR")
    p.add_argument("--images", choices=("png", "jpeg", "mp4"),
                   help="also draw the images as pictures (png, jpeg) or one video per series (mp4)")
    p.add_argument("--no-overlays", action="store_true", help="pictures without corner text and markers")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=cmd_export)


def add_send_parser(subparsers: Any) -> None:
    """Add the ``send`` verb."""
    p = subparsers.add_parser("send", help="send a study to another DICOMweb destination (STOW-RS) through the queue")
    p.add_argument("study_uid", metavar="STUDY_UID", nargs="?")
    p.add_argument("--to", required=True, metavar="PROFILE", help="an archive profile (workstation archive add)")
    p.add_argument("--series", action="append", default=[], metavar="UID", help="send only this series (repeatable)")
    p.add_argument("--retry", action="store_true", help="send what is still waiting for the destination")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=cmd_send)


def cmd_export(args: argparse.Namespace, settings: Settings) -> int:
    from workstation.export.deidentify import DeidentificationOptions
    from workstation.export.writer import ExportRequest, run_export
    from workstation.sources import open_library

    options = DeidentificationOptions.parse(args.profile)
    if args.profile != "basic" and not args.anonymize:
        print("Note: --profile applies only with --anonymize; the export is not anonymised.", file=sys.stderr)
    request = ExportRequest(
        study_uid=args.study_uid, out=args.out, series_uids=tuple(args.series),
        deidentify=args.anonymize, options=options, dicomdir=args.dicomdir, zip=args.zip,
        images=args.images or "", overlays=not args.no_overlays,
        include_burned_in=args.include_burned_in,
    )
    library = open_library(settings)
    report = run_export(request, library, progress=_progress(args.quiet))
    print(report.summary())
    return 0


def cmd_send(args: argparse.Namespace, settings: Settings) -> int:
    from workstation.export.send import (
        SendReport,
        destination_profile,
        destination_queue,
        send_queued,
        send_study,
    )
    from workstation.sources import open_library

    if args.retry or not args.study_uid:
        if not args.retry:
            print("Give a study UID to send, or --retry to send what is waiting.", file=sys.stderr)
            return 2
        profile = destination_profile(settings, args.to)
        report = SendReport(profile.name, 0, send_queued(profile, destination_queue(profile.name),
                                                         _progress(args.quiet)))
    else:
        library = open_library(settings)
        report = send_study(settings, library, args.study_uid, args.to, series_uids=tuple(args.series),
                            progress=_progress(args.quiet))
    print(report.summary())
    if report.result.refused:
        return EXIT_REFUSED
    return EXIT_WAITING if report.result.pending else 0
