"""Local report drafts, saved all the time so a crash or a power cut loses at most a few seconds.

Layout (beside the local library, in the platform's data folder)::

    <data folder>/reports/drafts/<report UID>.json     one file per report: its whole history
    <data folder>/reports/outgoing/<version UID>/      signed versions (see workstation.report.outgoing)

File names hold only the report UID, never patient data. Each save writes a temporary file in
the same folder, flushes and fsyncs it, renames it over the old file (an atomic replace on POSIX
and Windows) and fsyncs the folder: a reader, or the next start after a crash, finds either the
previous draft or the new one, never half of one. Saving the same content twice writes nothing,
so :meth:`DraftStore.save` is cheap enough to call every few seconds from an editor.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass, field
from pathlib import Path

from workstation.crypt.files import write_protected
from workstation.errors import ReportError
from workstation.report.model import Report, ReportHistory, read_json_file
from workstation.settings import Settings

log = logging.getLogger(__name__)


def reports_folder(settings: Settings | None = None) -> Path:
    """``<library folder's parent>/reports``: drafts and outgoing signed reports live under it."""
    return (settings or Settings()).library_path().parent / "reports"


@dataclass
class DraftStore:
    """The drafts folder. ``problems`` lists, one sentence each, drafts that could not be read."""

    folder: Path
    problems: list[str] = field(default_factory=list)
    _written: dict[str, str] = field(default_factory=dict, repr=False)

    @classmethod
    def open(cls, settings: Settings | None = None) -> DraftStore:
        return cls(reports_folder(settings) / "drafts")

    def path_for(self, report_uid: str) -> Path:
        if not report_uid or any(c not in "0123456789." for c in report_uid):
            raise ReportError("A report UID must be digits and dots (PS3.5 9.1); this one cannot name a draft file.")
        return self.folder / f"{report_uid}.json"

    def save(self, report: Report | ReportHistory) -> Path:
        """Save the report's history (or a single first version); returns the file written."""
        history = report if isinstance(report, ReportHistory) else ReportHistory([report])
        data = json.dumps(history.to_json(), ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        path = self.path_for(history.report_uid)
        digest = hashlib.sha256(data).hexdigest()
        if self._written.get(history.report_uid) == digest and path.exists():
            return path
        path.parent.mkdir(parents=True, exist_ok=True)
        write_protected(path, data, fsync_dir=True)
        self._written[history.report_uid] = digest
        return path

    def load(self, report_uid: str) -> ReportHistory:
        path = self.path_for(report_uid)
        if not path.exists():
            raise ReportError(f"There is no saved draft for report {report_uid}.")
        return ReportHistory.from_json(read_json_file(path, "report draft"))

    def load_all(self) -> list[ReportHistory]:
        """Every readable draft, oldest file first; unreadable ones are listed in ``problems``."""
        self.problems = []
        if not self.folder.is_dir():
            return []
        out = []
        paths = sorted(self.folder.glob("*.json"), key=lambda p: (p.stat().st_mtime, p.name))
        for path in paths:
            try:
                out.append(ReportHistory.from_json(read_json_file(path, "report draft")))
            except ReportError as exc:
                self.problems.append(f"The draft {path.name} could not be read and was left as it is: {exc}")
                log.warning("Unreadable report draft %s", path.name)
        for leftover in self.folder.glob(".*.tmp"):  # a save cut short by a crash
            leftover.unlink(missing_ok=True)
        return out

    def delete(self, report_uid: str) -> bool:
        path = self.path_for(report_uid)
        self._written.pop(report_uid, None)
        if path.exists():
            path.unlink()
            return True
        return False


def save_draft(report: Report | ReportHistory, settings: Settings | None = None) -> Path:
    """Save a draft in the default drafts folder (see :class:`DraftStore` for repeated saves)."""
    return DraftStore.open(settings).save(report)


def load_drafts(settings: Settings | None = None) -> list[ReportHistory]:
    """Every readable draft in the default drafts folder."""
    return DraftStore.open(settings).load_all()
