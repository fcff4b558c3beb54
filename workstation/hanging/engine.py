"""The matching engine: studies and display sets in, protocol, stage and viewports out, with why.

A pure function of metadata (no pixels, no I/O, no clock), so it runs as soon as the series
headers are known and gives the same answer every time. The steps (after OHIF's
HangingProtocolService and the DICOM Hanging Protocol selection of PS3.17 Annex V):

1. **Protocol rules** are tested against the current study's attributes
   (:mod:`workstation.hanging.facts`). A failed *required* rule rules the protocol out; otherwise
   its score is the sum of the weights of the rules that matched.
2. **Display-set selectors** rank the display sets of the study they ask for (0 = current,
   n = the n-th prior as the caller ranked them): a failed required rule rules a display set
   out, the others are ranked by score. Viewports showing MPR or 3D only take volumes.
3. **Stages** are filled in order: viewport *k* takes the ``match_index``-th best display set
   of its selector, or stays empty with a reason. A stage is *enabled* when every viewport
   marked ``required`` is filled and at least ``min_viewports_matched`` are; the protocol opens
   on its first enabled stage. A protocol with no enabled stage is not applicable.
4. **Choice and ties**, deterministic: highest protocol score; then more filled viewports in the
   opening stage; then a user protocol before a shipped one; then the smaller protocol id
   (plain string order). Among display sets of equal score: the one first in the study's display
   order (Series Number, then Instance Number, as :func:`build_display_sets` orders them).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from workstation.errors import HangingProtocolError
from workstation.hanging.facts import DisplaySetFacts, StudyFacts, study_facts
from workstation.hanging.interval import prior_label
from workstation.hanging.rules import RuleOutcome, evaluate_all
from workstation.hanging.schema import (
    DisplaySetSelector,
    Protocol,
    Stage,
    SyncGroup,
    View,
    Viewport,
)
from workstation.model.entities import StudySummary


@dataclass(frozen=True)
class ViewportAssignment:
    """What one viewport of a stage shows, or why it is empty."""

    index: int
    row: int
    column: int
    viewport: Viewport
    study_index: int  # 0 current, n the n-th prior
    study_uid: str
    study_label: str  # "current 2018-03-01" / "prior 2015-01-01, 3 y 2 m earlier"
    display_set_uid: str  # "" when empty
    display_set_label: str
    score: float
    reasons: tuple[RuleOutcome, ...]
    empty_reason: str = ""

    @property
    def filled(self) -> bool:
        return bool(self.display_set_uid)

    def to_json(self) -> dict[str, Any]:
        v = self.viewport
        return {
            "index": self.index,
            "row": self.row,
            "column": self.column,
            "selector": v.selector,
            "study_index": self.study_index,
            "study_uid": self.study_uid,
            "study_label": self.study_label,
            "display_set_uid": self.display_set_uid or None,
            "display_set": self.display_set_label,
            "empty_reason": self.empty_reason or None,
            "view": v.view.value,
            "plane": v.plane or None,
            "preset": v.preset or None,
            "position": v.position.value,
            "zoom": v.zoom,
            "sync_groups": list(v.sync_groups),
            "patient_orientation": v.patient_orientation or None,
            "justification": v.justification,
            "label": v.label,
            "score": self.score,
            "reasons": [o.to_json() for o in self.reasons],
        }


@dataclass(frozen=True)
class StageResult:
    """One stage with its viewports filled (or not), and whether it can be shown."""

    index: int
    name: str
    rows: int
    columns: int
    enabled: bool
    viewports: tuple[ViewportAssignment, ...]
    sync_groups: tuple[SyncGroup, ...]
    reason: str = ""

    @property
    def filled(self) -> int:
        return sum(1 for v in self.viewports if v.filled)

    def to_json(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "name": self.name,
            "rows": self.rows,
            "columns": self.columns,
            "enabled": self.enabled,
            "reason": self.reason or None,
            "filled": self.filled,
            "sync_groups": [{"id": g.id, "scroll": g.scroll, "window": g.window, "zoom": g.zoom} for g in self.sync_groups],
            "viewports": [v.to_json() for v in self.viewports],
        }


@dataclass(frozen=True)
class ProtocolCandidate:
    """How one protocol fared: its score, or why it does not apply."""

    protocol: Protocol
    applicable: bool
    score: float
    reasons: tuple[RuleOutcome, ...]
    stages: tuple[StageResult, ...]
    why_not: str = ""

    @property
    def opening_stage(self) -> int | None:
        return next((s.index for s in self.stages if s.enabled), None)

    @property
    def filled(self) -> int:
        index = self.opening_stage
        return 0 if index is None else self.stages[index].filled

    def tie_key(self) -> tuple[float, int, int, str]:
        """Sort key: best first (see the module docstring)."""
        return (-self.score, -self.filled, 0 if self.protocol.source == "user" else 1, self.protocol.id)

    def summary_json(self) -> dict[str, Any]:
        return {
            "id": self.protocol.id,
            "name": self.protocol.name,
            "source": self.protocol.source,
            "applicable": self.applicable,
            "score": self.score,
            "why_not": self.why_not or None,
        }


@dataclass(frozen=True)
class HangingResult:
    """The chosen protocol and its stages, with the reasons and how the others fared."""

    chosen: ProtocolCandidate
    stage_index: int
    candidates: tuple[ProtocolCandidate, ...]  # best first
    study_labels: tuple[str, ...]  # index 0 current, then each prior given

    @property
    def protocol(self) -> Protocol:
        return self.chosen.protocol

    @property
    def stage(self) -> StageResult:
        return self.chosen.stages[self.stage_index]

    @property
    def viewports(self) -> tuple[ViewportAssignment, ...]:
        return self.stage.viewports

    @property
    def enabled_stages(self) -> tuple[int, ...]:
        return tuple(s.index for s in self.chosen.stages if s.enabled)

    def next_stage(self, step: int = 1) -> int:
        """The enabled stage ``step`` places after (or before, negative) the current one, wrapping."""
        enabled = self.enabled_stages
        position = enabled.index(self.stage_index)
        return enabled[(position + step) % len(enabled)]

    def to_json(self) -> dict[str, Any]:
        return {
            "protocol": {"id": self.protocol.id, "name": self.protocol.name, "source": self.protocol.source,
                         "score": self.chosen.score, "number_of_priors": self.protocol.number_of_priors},
            "stage": self.stage_index,
            "stage_name": self.stage.name,
            "enabled_stages": list(self.enabled_stages),
            "reasons": [o.to_json() for o in self.chosen.reasons],
            "studies": list(self.study_labels),
            "stages": [s.to_json() for s in self.chosen.stages],
            "candidates": [c.summary_json() for c in self.candidates],
        }


# -- the engine ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Ranked:
    facts: DisplaySetFacts
    score: float
    outcomes: tuple[RuleOutcome, ...]


def _rank(selector: DisplaySetSelector, study: StudyFacts) -> tuple[list[_Ranked], str]:
    ranked: list[_Ranked] = []
    best_failure = ""
    for facts in study.display_sets:
        score, ok, outcomes = evaluate_all(selector.rules, facts.values)
        if ok:
            ranked.append(_Ranked(facts, score, outcomes))
        elif not best_failure:
            failed = next(o for o in outcomes if o.rule.required and not o.matched)
            best_failure = failed.rule.describe()
    ranked.sort(key=lambda r: (-r.score, r.facts.order, r.facts.uid))
    return ranked, best_failure


def _study_labels(studies: Sequence[StudyFacts]) -> tuple[str, ...]:
    current = studies[0].summary
    labels = [f"current {current.date.isoformat()}" if current.date else "current"]
    for prior in studies[1:]:
        labels.append(prior_label(prior.summary.date, current.date, prior.summary.study_date))
    return tuple(labels)


def _fill_stage(index: int, stage: Stage, protocol: Protocol, studies: Sequence[StudyFacts],
                labels: Sequence[str], cache: dict[tuple[str, int], tuple[list[_Ranked], str]]) -> StageResult:
    assignments: list[ViewportAssignment] = []
    for k, viewport in enumerate(stage.viewports):
        selector = protocol.selector(viewport.selector)
        row, column = divmod(k, stage.columns)
        common: dict[str, Any] = {"index": k, "row": row, "column": column, "viewport": viewport, "study_index": selector.study}
        if selector.study >= len(studies):
            assignments.append(ViewportAssignment(
                **common, study_uid="", study_label="", display_set_uid="", display_set_label="", score=0.0,
                reasons=(), empty_reason=f"no prior {selector.study} is available for comparison"))
            continue
        study = studies[selector.study]
        key = (selector.id, selector.study)
        if key not in cache:
            cache[key] = _rank(selector, study)
        ranked, failure = cache[key]
        if viewport.view in (View.MPR, View.THREE_D):
            ranked = [r for r in ranked if r.facts.get("IsVolume")]
        if viewport.match_index < len(ranked):
            chosen = ranked[viewport.match_index]
            assignments.append(ViewportAssignment(
                **common, study_uid=study.study_uid, study_label=labels[selector.study],
                display_set_uid=chosen.facts.uid, display_set_label=chosen.facts.label,
                score=chosen.score, reasons=chosen.outcomes))
            continue
        if not study.display_sets:
            why = "the study has no display sets yet"
        elif not ranked and viewport.view in (View.MPR, View.THREE_D) and cache[key][0]:
            why = f"no display set matching '{selector.id}' is a volume, which a {viewport.view.value} view needs"
        elif not ranked:
            why = f"no display set matches '{selector.id}'" + (f" (required: {failure})" if failure else "")
        else:
            why = f"only {len(ranked)} display set(s) match '{selector.id}'; this viewport wants match {viewport.match_index + 1}"
        assignments.append(ViewportAssignment(
            **common, study_uid=study.study_uid, study_label=labels[selector.study], display_set_uid="",
            display_set_label="", score=0.0, reasons=(), empty_reason=why))
    filled = sum(1 for a in assignments if a.filled)
    missing_required = [a for a in assignments if a.viewport.required and not a.filled]
    reason = ""
    if missing_required:
        reason = f"required viewport {missing_required[0].index + 1} is empty: {missing_required[0].empty_reason}"
    elif filled < stage.min_viewports_matched:
        reason = f"{filled} of the {stage.min_viewports_matched} viewports it needs are filled"
    return StageResult(index, stage.name, stage.rows, stage.columns, not reason, tuple(assignments),
                       stage.sync_groups, reason)


def evaluate_protocol(protocol: Protocol, studies: Sequence[StudyFacts]) -> ProtocolCandidate:
    """Score one protocol against the current study (``studies[0]``) and its priors."""
    score, ok, outcomes = evaluate_all(protocol.rules, studies[0].values)
    if not ok:
        failed = next(o for o in outcomes if o.rule.required and not o.matched)
        return ProtocolCandidate(protocol, False, score, outcomes, (), f"required rule failed: {failed.rule.describe()}")
    labels = _study_labels(studies)
    cache: dict[tuple[str, int], tuple[list[_Ranked], str]] = {}
    stages = tuple(_fill_stage(i, s, protocol, studies, labels, cache) for i, s in enumerate(protocol.stages))
    if not any(s.enabled for s in stages):
        return ProtocolCandidate(protocol, False, score, outcomes, stages, f"no stage can be filled ({stages[0].reason})")
    return ProtocolCandidate(protocol, True, score, outcomes, stages)


def match(
    study: StudySummary,
    display_sets: Sequence[DisplaySetFacts],
    priors: Sequence[tuple[StudySummary, Sequence[DisplaySetFacts]]],
    protocols: Sequence[Protocol],
) -> HangingResult:
    """Choose the hanging protocol and stage for ``study`` (see the module docstring).

    ``display_sets`` are the current study's (from :func:`workstation.hanging.facts.describe_display_sets`);
    ``priors`` are the priors to compare with, best first (as :func:`find_priors` ranks them),
    each with its display sets (may be empty while its metadata is still coming).
    """
    if not protocols:
        raise HangingProtocolError("No hanging protocols are loaded; reinstall the workstation's resources.")
    current = study_facts(study, display_sets, number_of_priors=len(priors))
    studies = [current] + [study_facts(s, sets) for s, sets in priors]
    candidates = sorted((evaluate_protocol(p, studies) for p in protocols),
                        key=lambda c: (0 if c.applicable else 1, *c.tie_key()))
    best = candidates[0]
    if not best.applicable:
        raise HangingProtocolError(
            "No hanging protocol applies to this study, not even a fallback; add a protocol without required rules."
        )
    stage_index = best.opening_stage
    assert stage_index is not None
    return HangingResult(best, stage_index, tuple(candidates), _study_labels(studies))


__all__ = [
    "HangingResult",
    "ProtocolCandidate",
    "StageResult",
    "ViewportAssignment",
    "evaluate_protocol",
    "match",
]
