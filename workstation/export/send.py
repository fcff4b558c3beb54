"""Send a study to another DICOMweb destination (a referring hospital, a second opinion) by
STOW-RS (PS3.18 10.5), through the pending queue that never loses anything.

Each destination is an archive profile of the settings (``workstation archive add``) and has its
own queue folder (``<data folder>/sending/<profile>``) of :class:`~workstation.annotate.pending.
PendingQueue`: every instance is written there (atomically) before anything is sent, sent oldest
first, removed only once the destination acknowledged it; an unreachable destination leaves the
rest queued for the next :func:`send_queued`, a refusal keeps the object as ``refused`` with the
destination's reason. Queueing a study twice does not queue an instance that is still waiting,
so each instance is delivered once. The queue's file lock keeps the app and the command line
from sending the same object at the same time.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from workstation.annotate.pending import PENDING, PendingQueue, SendResult, default_folder
from workstation.errors import WorkstationError
from workstation.export.writer import InstanceSource
from workstation.model.attributes import text
from workstation.net.dicomweb import DicomWebClient
from workstation.settings import ArchiveProfile, Settings

Progress = Callable[[int, int, str], None]


def destination_folder(profile_name: str, root: Path | None = None) -> Path:
    """The queue folder of one destination: its name made safe for a file name, plus a short
    hash so that two names differing only in punctuation get two folders."""
    safe = re.sub(r"[^A-Za-z0-9_-]+", "_", profile_name).strip("_")[:40] or "destination"
    digest = hashlib.sha256(profile_name.encode("utf-8")).hexdigest()[:8]
    return (root or default_folder().parent / "sending") / f"{safe}-{digest}"


def destination_queue(profile_name: str, root: Path | None = None) -> PendingQueue:
    return PendingQueue(destination_folder(profile_name, root))


@dataclass(frozen=True)
class SendReport:
    """What one ``workstation send`` did."""

    destination: str
    queued: int
    result: SendResult

    def summary(self) -> str:
        sent, pending, refused = len(self.result.sent), len(self.result.pending), len(self.result.refused)
        line = f"{sent} instance(s) delivered to '{self.destination}'"
        if pending:
            reason = self.result.pending[0].last_error
            line += (f"; {pending} waiting in the queue (the destination could not be reached: "
                     f"{reason.rstrip('.')}): send again, or run 'workstation send --retry --to "
                     f"{self.destination}'")
        if refused:
            line += (f"; {refused} refused by the destination ({self.result.refused[0].last_error}): "
                     "they stay in the queue until someone acts")
        return line + "."

    @property
    def complete(self) -> bool:
        return not self.result.pending and not self.result.refused


def queue_study(source: InstanceSource, study_uid: str, queue: PendingQueue,
                series_uids: Sequence[str] = (), progress: Progress | None = None) -> int:
    """Write the study's instances (or some series') into the destination's queue; instances
    already waiting there are not queued again. Returns the number queued now."""
    headers = source.study_headers(study_uid)
    if not headers:
        raise WorkstationError(f"Study {study_uid} is not in the local library; pull or import it first.")
    wanted = {s for s in series_uids if s}
    chosen = [h for h in headers if not wanted or text(h, "SeriesInstanceUID") in wanted]
    if not chosen:
        raise WorkstationError("None of the chosen series is in the study; `workstation info` lists them.")
    waiting = {e.sop_instance_uid for e in queue.list() if e.state == PENDING}
    queued = 0
    for number, header in enumerate(chosen, 1):
        uid = text(header, "SOPInstanceUID")
        if uid not in waiting:
            queue.add_part10(source.read_instance(uid))
            waiting.add(uid)
            queued += 1
        if progress is not None:
            progress(number, len(chosen), "Queueing")
    return queued


def destination_profile(settings: Settings, name: str) -> ArchiveProfile:
    """The archive profile called ``name`` (``SettingsError`` when there is none)."""
    profile = settings.archive(name)
    if profile is None:
        raise WorkstationError(f"There is no destination called '{name}'; add it with 'workstation archive add'.")
    return profile


def send_queued(profile: ArchiveProfile, queue: PendingQueue,
                progress: Progress | None = None) -> SendResult:
    """Send what waits in the destination's queue (oldest first)."""
    with DicomWebClient(profile, retries=0) as client:
        return queue.send(client, progress)


def send_study(settings: Settings, source: InstanceSource, study_uid: str, destination: str, *,
               series_uids: Sequence[str] = (), queue_root: Path | None = None,
               progress: Progress | None = None) -> SendReport:
    """Queue a study for ``destination`` and send the queue: the one function the app and the
    command line call to send a study away."""
    profile = destination_profile(settings, destination)
    queue = destination_queue(profile.name, queue_root)
    queued = queue_study(source, study_uid, queue, series_uids, progress)
    return SendReport(profile.name, queued, send_queued(profile, queue, progress))
