"""Retention on home machines: studies not opened for N days leave the library.

``Settings.retention_days`` (0: off) bounds how long a study stays in the local library after it
was last opened (or, never opened, last added to). GDPR article 5(1)(e) (storage limitation):
a teleradiologist's laptop keeps patient data no longer than the reading needs. A study is
never removed while it has work that has not left the machine:

* a report draft not yet signed (``report/drafts``),
* a signed report version the outbox has not delivered everywhere (``reports/outgoing``),
* a measurement, key-image selection or presentation state still pending (``annotate.pending``),

nor while it is pinned or open. Removal goes through ``Library.remove_study`` (crash-safe).
"""

from __future__ import annotations

import json
import logging
import time
from pathlib import Path

from workstation.annotate.pending import PendingQueue
from workstation.annotate.pending import default_folder as pending_folder
from workstation.crypt.files import read_protected
from workstation.errors import WorkstationError
from workstation.report.delivery.outbox import OutboxEntry
from workstation.report.drafts import DraftStore, reports_folder
from workstation.report.model import ReportStatus, read_json_file
from workstation.settings import Settings
from workstation.store.library import Library

log = logging.getLogger(__name__)

DAY_S = 86400.0


def unsent_work_studies(settings: Settings, pending: Path | None = None) -> set[str]:
    """Study Instance UIDs with a report or measurement that has not left this machine."""
    studies: set[str] = set()
    drafts = DraftStore.open(settings)
    for history in drafts.load_all():
        if history.current.status is not ReportStatus.FINAL:
            studies.add(history.current.study.study_uid)
    if drafts.problems:  # a draft that cannot be read may belong to any study: keep them all
        raise WorkstationError(
            "A report draft cannot be read, so the retention limit was not applied (it could "
            "remove the study of an unsent report); " + drafts.problems[0]
        )
    root = reports_folder(settings)
    outgoing = root / "outgoing"
    if outgoing.is_dir():
        for folder in outgoing.iterdir():
            if not folder.is_dir() or folder.name.startswith("."):
                continue
            meta = read_json_file(folder / "report.json", "signed report description")
            study = str(meta.get("study_uid") or meta.get("report", {}).get("study", {}).get("study_uid", ""))
            state = root / "state" / f"{folder.name}.json"
            try:
                delivered = OutboxEntry.from_json(json.loads(read_protected(state))).delivered
            except (OSError, ValueError, TypeError, KeyError, WorkstationError):
                delivered = False
            if not delivered:
                studies.add(study)
    for entry in PendingQueue(pending or pending_folder()).list():
        studies.add(entry.study_instance_uid)
    return studies


def removed_sentence(count: int, days: int) -> str:
    """One sentence for the user about what the retention limit removed ('' when nothing)."""
    if not count:
        return ""
    what = "1 study" if count == 1 else f"{count} studies"
    verb = "was" if count == 1 else "were"
    return f"{what} not opened for {days} days {verb} removed from the library (retention setting)."


def apply_retention(library: Library, settings: Settings, now: float | None = None,
                    pending: Path | None = None) -> list[str]:
    """Remove the studies not used for ``settings.retention_days`` days (see the module
    docstring); returns the Study Instance UIDs removed. Does nothing when the setting is 0."""
    if settings.retention_days <= 0:
        return []
    cutoff = (time.time() if now is None else now) - settings.retention_days * DAY_S
    candidates = library.studies_unused_since(cutoff)
    if not candidates:
        return []
    keep = unsent_work_studies(settings, pending)
    removed = []
    for study_uid in candidates:
        if study_uid in keep:
            continue
        if library.remove_study(study_uid):
            removed.append(study_uid)
    if removed:
        log.info("Retention limit: %d studies not opened for %d days removed",
                 len(removed), settings.retention_days)
    return removed
