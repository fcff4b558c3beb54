"""``workstation hang STUDY_UID [--json] [--archive NAME|URL]``: which hanging protocol a study gets, and why.

Headers come from the local library, else from the archive's WADO-RS metadata (PS3.18
10.4.1.1.2); only metadata is read, never pixels. Priors are searched by Patient ID in the archive
(when one is configured) and in the library, ranked (:mod:`workstation.hanging.priors`); the best
confirmed ones, as many as the most any protocol wants, have their headers read so that prior
viewports can be filled. Prints the chosen protocol and stage, each viewport's display set, view
and preset, the priors and the reasons. Nothing printed or logged carries patient names or IDs.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from workstation.app.open_study import archive_study_headers, library_or_archive_headers
from workstation.errors import ArchiveError, WorkstationError
from workstation.hanging.engine import HangingResult, match
from workstation.hanging.facts import DisplaySetFacts, StudyFacts, study_from_headers
from workstation.hanging.loader import load_protocols
from workstation.hanging.prefetch import prefetch_plan
from workstation.hanging.priors import RankedPrior, find_priors, rank_priors
from workstation.model.entities import StudySummary
from workstation.model.source import StudySource
from workstation.settings import Settings
from workstation.sources import open_archive, open_library


def add_hang_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add the ``hang`` verb to the ``workstation`` command's subparsers."""
    p: argparse.ArgumentParser = subparsers.add_parser(
        "hang", help="show the hanging protocol, stage, viewports and priors chosen for a study"
    )
    p.add_argument("study_uid")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.add_argument("--archive", help="archive profile name or DICOMweb URL (for the study and its priors)")
    p.set_defaults(func=cmd_hang)
    return p


def hang_study(settings: Settings, study_uid: str, archive: str | None = None) -> dict[str, Any]:
    """Everything ``workstation hang`` reports, as a JSON-ready dict (the CLI prints it)."""
    headers, origin = library_or_archive_headers(settings, study_uid, archive)
    if not headers:
        raise WorkstationError(f"Study {study_uid} was found neither in the library nor in the archive.")
    current = study_from_headers(headers, origin=origin)
    protocols = load_protocols()
    notes: list[str] = []

    sources: list[StudySource] = []
    client = open_archive(settings, archive)
    if client is not None:
        sources.append(client)
    library = open_library(settings)
    sources.append(library)
    ranked: list[RankedPrior] = []
    try:
        regions = [str(r) for r in (current.get("Region") or ())]
        for source in sources:
            try:
                ranked_here = find_priors(source, current.summary, current_regions=regions)
            except ArchiveError as exc:
                notes.append(f"Priors were not searched in {source.name}: {exc}")
                continue
            ranked.extend(ranked_here)
        # One ranking over every source's studies (the same study in two sources counts once).
        ranked = rank_priors(current.summary, [r.study for r in ranked], current_regions=regions)
        wanted = max((p.number_of_priors for p in protocols), default=0)
        confirmed = [r for r in ranked if r.confirmed and r.earlier][:wanted]
        priors: list[tuple[StudySummary, list[DisplaySetFacts]]] = []
        for prior in confirmed:
            prior_headers = library.study_headers(prior.study.study_uid)
            if not prior_headers and client is not None:
                try:
                    prior_headers = archive_study_headers(settings, prior.study.study_uid, archive)
                except ArchiveError as exc:
                    notes.append(f"The headers of prior {prior.rank} could not be read: {exc}")
            facts: StudyFacts | None = study_from_headers(prior_headers, origin="archive") if prior_headers else None
            priors.append((prior.study, list(facts.display_sets) if facts else []))
    finally:
        library.close()
        if client is not None:
            client.close()
    result = match(current.summary, current.display_sets, priors, protocols)
    plan = prefetch_plan(ranked, result.protocol.number_of_priors, modalities=current.summary.modalities)
    out = {"study_uid": study_uid, "origin": origin, **result.to_json(),
           "priors": [r.to_json() for r in ranked], "prefetch": plan.to_json(), "notes": notes}
    return out


def _print(out: dict[str, Any]) -> None:
    protocol = out["protocol"]
    print(f"Study {out['study_uid']} ({out['origin']}): {out['studies'][0]}")
    print(f"Protocol: {protocol['name']} [{protocol['id']}, {protocol['source']}], score {protocol['score']:g}")
    for reason in out["reasons"]:
        mark = "+" if reason["matched"] else "-"
        print(f"  {mark} {reason['rule']} (value {reason['value'] or 'absent'}, weight {reason['weight']:g})")
    stage = out["stages"][out["stage"]]
    enabled = ", ".join(str(i + 1) for i in out["enabled_stages"])
    print(f"Stage {out['stage'] + 1} of {len(out['stages'])}: {stage['name']} ({stage['rows']}x{stage['columns']}; "
          f"stages that can open: {enabled})")
    for vp in stage["viewports"]:
        where = f"  [{vp['row'] + 1},{vp['column'] + 1}] {vp['label'] or vp['selector']}:"
        if vp["display_set_uid"]:
            view = vp["view"] + (f" {vp['plane']}" if vp["plane"] else "")
            preset = f", preset {vp['preset']}" if vp["preset"] else ""
            print(f"{where} {vp['display_set']} ({vp['study_label']}) {view}{preset}, opens at {vp['position']}")
            print(f"      display set {vp['display_set_uid']}, score {vp['score']:g}")
        else:
            print(f"{where} empty: {vp['empty_reason']}")
    for s in out["stages"]:
        if not s["enabled"]:
            print(f"  stage {s['index'] + 1} ({s['name']}) cannot open: {s['reason']}")
    if out["priors"]:
        print("Priors (best first):")
        for prior in out["priors"]:
            print(f"  {prior['rank']}. {prior['label']}: {'/'.join(prior['modalities'])} {prior['study_description']}".rstrip())
    else:
        print("Priors: none found.")
    others = [c for c in out["candidates"][1:] if c["applicable"]]
    if others:
        print("Other protocols that apply: " + ", ".join(f"{c['id']} ({c['score']:g})" for c in others))
    for note in out["notes"]:
        print(f"Note: {note}")


def cmd_hang(args: argparse.Namespace, settings: Settings) -> int:
    """Print the hanging of ``args.study_uid``; 0 on success."""
    out = hang_study(settings, args.study_uid, getattr(args, "archive", None))
    if args.json:
        json.dump(out, sys.stdout, indent=2, default=str)
        sys.stdout.write("\n")
    else:
        _print(out)
    return 0


def result_summary(result: HangingResult) -> str:
    """One line for a status bar: 'CT head - Brain and bone (stage 2 of 3)'."""
    return f"{result.protocol.name} - {result.stage.name} (stage {result.stage_index + 1} of {len(result.chosen.stages)})"


__all__ = ["add_hang_parser", "cmd_hang", "hang_study", "result_summary"]
