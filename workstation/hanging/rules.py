"""Evaluate one matching rule against attribute values (OHIF MatchingRule semantics, made strict).

* text compares case-insensitively, with leading/trailing spaces ignored;
* ``equals`` with a list value matches any of its items; numbers compare as numbers, booleans
  only with booleans (``true`` never equals ``1``);
* ``wildcard`` matches the whole text against ``*`` / ``?`` patterns (a list value: any of);
* list-valued attributes (ModalitiesInStudy, BodyPartExamined of a study, ImageType...) match
  when any of their items does;
* a missing attribute fails every constraint except ``exists: false`` (and ``negate`` turns a
  failure into a match, so ``negate`` + ``contains`` means "does not contain, or absent").
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from workstation.hanging.schema import Constraint, MatchingRule


@dataclass(frozen=True)
class RuleOutcome:
    """A rule and whether it matched, with the value it saw (for the reasons shown to users)."""

    rule: MatchingRule
    matched: bool
    actual: str

    @property
    def points(self) -> float:
        return self.rule.weight if self.matched else 0.0

    def describe(self) -> str:
        verdict = "matched" if self.matched else "failed"
        required = ", required" if self.rule.required else ""
        return f"{self.rule.describe()}: {verdict} (value {self.actual or 'absent'}; weight {self.rule.weight:g}{required})"

    def to_json(self) -> dict[str, Any]:
        return {
            "rule": self.rule.describe(),
            "attribute": self.rule.attribute,
            "matched": self.matched,
            "value": self.actual,
            "weight": self.rule.weight,
            "required": self.rule.required,
        }


@lru_cache(maxsize=512)
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


def wildcard_pattern(text: str) -> str:
    """The regular expression for a DICOM wildcard value (PS3.4 C.2.2.2.4): ``*`` any run of
    characters, ``?`` exactly one, everything else literal; leading/trailing spaces ignored."""
    return "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in text.strip())


def _items(value: Any) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, (list, tuple, set, frozenset)):
        return [v for v in value if v is not None and v != ""]
    if isinstance(value, str) and not value.strip():
        return []
    return [value]


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value) if math.isfinite(float(value)) else None
    try:
        number = float(str(value).strip())
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def _equal(actual: Any, wanted: Any) -> bool:
    if isinstance(wanted, bool) or isinstance(actual, bool):
        return isinstance(wanted, bool) and isinstance(actual, bool) and actual == wanted
    if isinstance(wanted, (int, float)):
        number = _number(actual)
        return number is not None and number == float(wanted)
    return str(actual).strip().upper() == str(wanted).strip().upper()


def _test(rule: MatchingRule, items: list[Any]) -> bool:
    kind = rule.constraint
    if kind is Constraint.EXISTS:
        return bool(items) == bool(rule.value)
    if not items:
        return False
    if kind is Constraint.EQUALS:
        wanted = rule.value if isinstance(rule.value, tuple) else (rule.value,)
        return any(_equal(a, w) for a in items for w in wanted)
    if kind is Constraint.CONTAINS:
        wanted = rule.value if isinstance(rule.value, tuple) else (rule.value,)
        return any(str(w).upper() in str(a).upper() for a in items for w in wanted)
    if kind is Constraint.WILDCARD:
        wanted = rule.value if isinstance(rule.value, tuple) else (rule.value,)
        patterns = [_compiled(wildcard_pattern(str(w))) for w in wanted]
        return any(p.fullmatch(str(a).strip()) is not None for a in items for p in patterns)
    if kind is Constraint.REGEX:
        pattern = _compiled(str(rule.value))
        return any(pattern.search(str(a)) is not None for a in items)
    low, high = rule.value if isinstance(rule.value, tuple) else (None, None)
    for a in items:
        number = _number(a)
        if number is not None and (low is None or number >= low) and (high is None or number <= high):
            return True
    return False


def _shown(items: list[Any]) -> str:
    return "/".join(str(v) for v in items)[:80]


def evaluate(rule: MatchingRule, values: Mapping[str, Any]) -> RuleOutcome:
    """Whether ``rule`` matches ``values`` (a mapping attribute -> value)."""
    items = _items(values.get(rule.attribute))
    matched = _test(rule, items)
    return RuleOutcome(rule, matched != rule.negate, _shown(items))


def evaluate_all(rules: tuple[MatchingRule, ...], values: Mapping[str, Any]) -> tuple[float, bool, tuple[RuleOutcome, ...]]:
    """(score, every required rule matched, outcomes) for a list of rules."""
    outcomes = tuple(evaluate(rule, values) for rule in rules)
    ok = all(o.matched for o in outcomes if o.rule.required)
    return float(sum(o.points for o in outcomes)), ok, outcomes


__all__ = ["RuleOutcome", "evaluate", "evaluate_all", "wildcard_pattern"]
