"""Quality-control findings and the report that collects them.

A finding is one thing a technologist should look at before a study is read: its severity, a
stable code (for JSON, filters and tests), one plain sentence and the SOP Instance UIDs of the
images concerned. Sentences never quote patient data: they say "patient name differs between
series 2 and 5", never the names (the rule of ``workstation/errors.py``).

Severities follow the usual QC triage: ``error`` means the study should not be read as it is
(an image cannot be shown, identity is in doubt, a header breaks its IOD where it matters to
display, PS3.3 C.7.6.3 / C.7.6.2); ``warning`` means it can be read with care; ``info`` is worth
knowing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import Enum
from typing import Any


class Severity(str, Enum):
    """How much a finding matters, in increasing order."""

    INFO = "info"
    WARNING = "warning"
    ERROR = "error"

    @property
    def rank(self) -> int:
        return _RANK[self]


_RANK = {Severity.INFO: 0, Severity.WARNING: 1, Severity.ERROR: 2}


class QCStatus(str, Enum):
    """A study's QC status as a worklist column shows it (before a technologist signs it off)."""

    NO_FINDINGS = "no_findings"  # nothing at all was found
    INFO = "info"  # only informational findings: passable
    WARNINGS = "warnings"
    ERRORS = "errors"

    @property
    def passable(self) -> bool:
        """True when the study may be marked "QC passed" without a correction."""
        return self in (QCStatus.NO_FINDINGS, QCStatus.INFO)


@dataclass(frozen=True)
class Finding:
    """One QC finding. ``series_uid`` is set for per-series findings, empty for study-wide ones."""

    severity: Severity
    code: str
    sentence: str
    instances: tuple[str, ...] = ()
    series_uid: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "severity": self.severity.value,
            "code": self.code,
            "sentence": self.sentence,
            "series_uid": self.series_uid,
            "instances": list(self.instances),
        }

    def __str__(self) -> str:
        return f"{self.severity.value}: {self.sentence}"


@dataclass
class StudyFacts:
    """What the report says about the study besides its findings (no patient data)."""

    study_uid: str = ""
    study_date: str = ""
    study_description: str = ""
    modalities: tuple[str, ...] = ()
    accession_number: str = ""
    number_of_series: int = 0
    number_of_instances: int = 0
    pixels_checked: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "study_uid": self.study_uid,
            "study_date": self.study_date,
            "study_description": self.study_description,
            "modalities": list(self.modalities),
            "accession_number": self.accession_number,
            "number_of_series": self.number_of_series,
            "number_of_instances": self.number_of_instances,
            "pixels_checked": self.pixels_checked,
        }


@dataclass
class QCReport:
    """The findings of one QC run over a study's headers (and pixels, where given)."""

    facts: StudyFacts = field(default_factory=StudyFacts)
    findings: list[Finding] = field(default_factory=list)

    def extend(self, findings: Iterable[Finding]) -> None:
        self.findings.extend(findings)

    @property
    def worst(self) -> Severity | None:
        """The most severe finding's severity, ``None`` when there is none."""
        if not self.findings:
            return None
        return max((f.severity for f in self.findings), key=lambda s: s.rank)

    @property
    def status(self) -> QCStatus:
        worst = self.worst
        if worst is None:
            return QCStatus.NO_FINDINGS
        return {Severity.INFO: QCStatus.INFO, Severity.WARNING: QCStatus.WARNINGS, Severity.ERROR: QCStatus.ERRORS}[worst]

    @property
    def has_errors(self) -> bool:
        return self.worst is Severity.ERROR

    def codes(self, severity: Severity | None = None) -> set[str]:
        """The codes found (of one severity, if given): handy for filters and tests."""
        return {f.code for f in self.findings if severity is None or f.severity is severity}

    def by_code(self, code: str) -> list[Finding]:
        return [f for f in self.findings if f.code == code]

    def counts(self) -> dict[str, int]:
        out = {s.value: 0 for s in Severity}
        for f in self.findings:
            out[f.severity.value] += 1
        return out

    def sorted_findings(self) -> list[Finding]:
        """Errors first, then warnings, then info; stable within a severity."""
        return sorted(self.findings, key=lambda f: -f.severity.rank)

    def to_json(self) -> dict[str, Any]:
        """JSON-ready dict (no patient names, IDs or birth dates)."""
        worst = self.worst
        return {
            "study": self.facts.to_dict(),
            "status": self.status.value,
            "worst": worst.value if worst else None,
            "counts": self.counts(),
            "findings": [f.to_dict() for f in self.sorted_findings()],
        }

    def text_lines(self) -> list[str]:
        """The report as plain text lines for a terminal."""
        f = self.facts
        lines = [
            f"QC of study {f.study_uid}: {self.status.value} "
            f"({f.number_of_series} series, {f.number_of_instances} instances; "
            + ", ".join(f"{n} {k}" for k, n in self.counts().items())
            + ")"
        ]
        for finding in self.sorted_findings():
            lines.append(f"  {finding.severity.value.upper():7} [{finding.code}] {finding.sentence}")
        return lines
