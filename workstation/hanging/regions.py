"""Body region of a study or series, from the words that name it.

Body Part Examined (0018,0015; defined terms in PS3.16 Annex L, e.g. HEAD, CHEST, ABDOMEN,
PELVIS, CSPINE, BREAST) is often missing or wrong, so the study and series descriptions are read
too. The result is a set of coarse regions that hanging protocols and prior ranking compare:
HEAD, NECK, CHEST, ABDOMEN, PELVIS, SPINE, BREAST, EXTREMITY. Spine is tested before chest and
neck so that "thoracic spine" and "cervical spine" are SPINE only.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_SPINE = re.compile(r"spine|spinal|lumbar|\b[clt] ?spine|\b[clt]ws\b|\bbws\b|\blws\b|\bhws\b|sacr|coccy|wirbel|myelo")
_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("HEAD", re.compile(r"head|brain|skull|\bcran(e|ial|ium)?\b|craniofac|intracran|neuro|cerebr|\bsella|orbit|sinus|\biac\b|kopf|sch[aä]del|\bhirn|\bcch\b")),
    ("NECK", re.compile(r"neck|\bhals\b|thyroid|larynx|pharyn|carotid|soft tissue neck")),
    ("CHEST", re.compile(r"chest|thorax|thorac|lung|pulmon|\bthx\b|\bcxr\b|\btórax|\bpe\b|cardiac|heart|coronar|\bcta coron")),
    ("ABDOMEN", re.compile(r"abd|liver|hepat|pancrea|renal|kidney|\bkub\b|urogra|entero|colon|spleen|bauch|abdomen")),
    ("PELVIS", re.compile(r"pelvi|prostat|bladder|\buter|ovar|rectum|becken")),
    ("BREAST", re.compile(r"breast|mammo|\bmamma|\bmg\b|tomosynth")),
    ("EXTREMITY", re.compile(r"knee|ankle|\bfoot|\bfeet|\bhand\b|wrist|elbow|shoulder|\bhip\b|femur|tibia|humer|extremit")),
)


def _normalised(text: str) -> str:
    return " " + re.sub(r"[^a-z0-9äöüá]+", " ", text.lower()) + " "


def regions_of(texts: Iterable[str]) -> frozenset[str]:
    """The regions any of ``texts`` (body parts, descriptions) names."""
    found: set[str] = set()
    for text in texts:
        if not text:
            continue
        words = _normalised(text)
        if _SPINE.search(words):
            found.add("SPINE")
            words = _SPINE.sub(" ", words)
            words = re.sub(r"\b(thoracic|cervical)\b", " ", words)
        for region, pattern in _PATTERNS:
            if pattern.search(words):
                found.add(region)
    return frozenset(found)


__all__ = ["regions_of"]
