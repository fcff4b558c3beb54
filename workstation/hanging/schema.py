"""Typed hanging protocol objects: what a protocol file says, validated once, then read-only.

The vocabulary follows the DICOM Hanging Protocol IOD (PS3.3 A.38, modules C.23.1-C.23.4) and
OHIF's hanging protocols, with the names a radiologist uses:

=========================  ==========================================  ===========================
here                       DICOM (PS3.3 C.23)                          OHIF
=========================  ==========================================  ===========================
Protocol                   Hanging Protocol (Definition Module)        protocol
protocol matching rules    Hanging Protocol Definition Sequence        protocolMatchingRules
number_of_priors           Number of Priors Referenced (0072,0014)     numberOfPriorsReferenced
DisplaySetSelector         Image Set Selector Sequence (0072,0022)     displaySetSelectors
selector ``study``         Abstract Prior Value (0072,003C)            studyMatchingRules (prior)
Stage                      Display Set Presentation Group (0072,0204)  stages
Viewport                   Image Box (0072,0300) of a Display Set      viewports
Viewport.view              Reformatting Operation Type (0072,0510)     viewportType / orientation
Viewport.preset            VOI Type (0072,0702)                        voi / displaySetOptions
Viewport.position          (first/middle/last of the sorted set)       initialImageOptions
Viewport.patient_orientation  Display Set Patient Orientation          (custom)
                           (0072,0700)
SyncGroup                  Synchronized Scrolling Sequence (0072,0210) syncGroups
=========================  ==========================================  ===========================

A rule is ``attribute`` + one ``constraint`` (equals / contains / wildcard / regex / range /
exists),
a ``weight`` added to the score when it matches, and ``required`` (a failed required rule rules
the protocol, or the display set, out). ``negate`` inverts the test. The JSON form is documented
in ``resources/hanging/README.md``; :mod:`workstation.hanging.loader` turns files into these.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class Constraint(str, Enum):
    """How a rule compares an attribute with its value."""

    EQUALS = "equals"  # equal (text case-insensitive); a list value means "any of"
    CONTAINS = "contains"  # text contains the value (case-insensitive); list attributes: any item
    WILDCARD = "wildcard"  # whole text matches a pattern with * (any run) and ? (one character),
    # case-insensitive: DICOM attribute matching's wildcards (PS3.4 C.2.2.2.4)
    REGEX = "regex"  # Python regular expression searched in the text, case-insensitive
    RANGE = "range"  # [low, high], both inclusive, either may be null (open)
    EXISTS = "exists"  # the attribute is present and not empty (value true) or absent (false)


class View(str, Enum):
    """What the viewport renders (PS3.3 C.23.3 Reformatting Operation Type, plus plain 2D)."""

    TWO_D = "2D"  # the stored images, one by one
    MPR = "MPR"  # a reformatted plane of a volume (needs a volume display set)
    THREE_D = "3D"  # volume rendering (needs a volume display set)


class Position(str, Enum):
    """Which image a viewport opens on, in the display set's display order."""

    FIRST = "first"
    MIDDLE = "middle"
    LAST = "last"


#: Planes an MPR viewport can show, and display-set orientations a selector can ask for.
PLANES = ("axial", "coronal", "sagittal")
#: Horizontal justification of the image in its viewport (PS3.3 C.23.4, (0072,0717)).
JUSTIFICATIONS = ("left", "center", "right")


@dataclass(frozen=True)
class MatchingRule:
    """One weighted test on an attribute (OHIF MatchingRule; PS3.3 C.23.1.1 / C.23.2 selectors).

    ``value`` is a string, number or bool, a list of those (equals: any of), or for ``range`` a
    pair (low, high) where ``None`` is open.
    """

    attribute: str
    constraint: Constraint
    value: object
    weight: float = 1.0
    required: bool = False
    negate: bool = False
    id: str = ""

    def describe(self) -> str:
        """A short human reading of the rule, for reasons: 'Modality equals CT'."""
        if self.constraint is Constraint.RANGE:
            low, high = self.value if isinstance(self.value, tuple) else (None, None)
            text = f"{self.attribute} in [{'' if low is None else low}, {'' if high is None else high}]"
        elif self.constraint is Constraint.EXISTS:
            text = f"{self.attribute} {'present' if self.value else 'absent'}"
        else:
            shown = " or ".join(str(v) for v in self.value) if isinstance(self.value, tuple) else str(self.value)
            text = f"{self.attribute} {self.constraint.value} {shown}"
        return f"not ({text})" if self.negate else text


@dataclass(frozen=True)
class DisplaySetSelector:
    """Which display set a viewport wants (PS3.3 C.23.2 Image Set Selector; OHIF displaySetSelectors).

    ``study`` picks the study: 0 the current one, n the n-th ranked prior (Abstract Prior Value).
    ``rules`` test display-set attributes (see :mod:`workstation.hanging.facts`).
    """

    id: str
    rules: tuple[MatchingRule, ...]
    study: int = 0


@dataclass(frozen=True)
class SyncGroup:
    """Viewports that follow each other (PS3.3 C.23.3 Synchronized Scrolling; OHIF syncGroups).

    Maps onto :class:`workstation.model.viewport.SyncGroup` (scroll, window, zoom_pan).
    """

    id: str
    scroll: bool = True
    window: bool = False
    zoom: bool = False


@dataclass(frozen=True)
class Viewport:
    """One image box of a stage: which display set and how it opens."""

    selector: str
    view: View = View.TWO_D
    plane: str = ""  # for MPR: axial / coronal / sagittal
    preset: str = ""  # window/level preset name (workstation.model.presets), "" = the image's own
    position: Position = Position.FIRST
    zoom: float = 1.0
    match_index: int = 0  # 0 = best match, 1 = second best ... (OHIF matchedDisplaySetsIndex)
    required: bool = False  # the stage is only enabled when this viewport is filled
    sync_groups: tuple[str, ...] = ()
    patient_orientation: str = ""  # e.g. "P\\L": desired row\\column directions (PS3.3 C.23.4)
    justification: str = "center"
    label: str = ""
    colormap: str = ""  # a PS3.6 B.1 palette (workstation.model.colormaps; Pseudo-Color Type, C.23.4), "" = grey
    fuse: str = ""  # a selector id: its display set (a PET) blended over this viewport's (fusion)


@dataclass(frozen=True)
class Stage:
    """One alternative layout (PS3.3 Display Set Presentation Group; OHIF stage)."""

    name: str
    rows: int
    columns: int
    viewports: tuple[Viewport, ...]
    sync_groups: tuple[SyncGroup, ...] = ()
    min_viewports_matched: int = 1


@dataclass(frozen=True)
class Protocol:
    """A hanging protocol: when it applies, what it shows, and how many priors it wants."""

    id: str
    name: str
    rules: tuple[MatchingRule, ...]
    selectors: tuple[DisplaySetSelector, ...]
    stages: tuple[Stage, ...]
    number_of_priors: int = 0
    description: str = ""
    source: str = "shipped"  # "shipped" or "user" (user protocols win ties)
    path: str = ""  # the file it came from, for messages

    def selector(self, selector_id: str) -> DisplaySetSelector:
        for selector in self.selectors:
            if selector.id == selector_id:
                return selector
        raise KeyError(selector_id)


__all__ = [
    "JUSTIFICATIONS",
    "PLANES",
    "Constraint",
    "DisplaySetSelector",
    "MatchingRule",
    "Position",
    "Protocol",
    "Stage",
    "SyncGroup",
    "View",
    "Viewport",
]
