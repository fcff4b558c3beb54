"""Search every configured archive and the library at once, and merge what they answer.

Each source is asked in its own thread (QIDO-RS, PS3.18 10.6, for an archive; the library's
index for the library) and has ``deadline_s`` to answer. What answers in time is merged by Study
Instance UID (PS3.3 C.7.2.1: one study, one UID, wherever it is stored): the same study in two
archives is one row whose ``archives`` names both and whose ``origins`` says archive and/or
library. A source that fails is listed as unreachable with its one sentence; one that misses the
deadline is listed as late, and its answer, when it comes, goes to ``on_late`` (the worklist adds
those rows then). The others are never held up by a slow or dead one.

:class:`FederatedSource` puts the archives behind the study-source interface: its searches are
federated, and a study's series, metadata and instances come from an archive that holds it
(the ones that listed it first, then the others), so that priors are found and read in every
archive, not only the one the current study came from.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, TypeVar

from pydicom.dataset import Dataset

from workstation.errors import ArchiveError, NotFoundError, WorkstationError
from workstation.model.entities import InstanceSummary, SeriesSummary, StudySummary
from workstation.model.query import StudyQuery
from workstation.model.source import CancelToken

log = logging.getLogger(__name__)

T = TypeVar("T")
LIBRARY_NAME = "library"


@dataclass
class SourceAnswer:
    """What one source answered: its studies, or the sentence saying why it did not."""

    name: str
    studies: list[StudySummary] = field(default_factory=list)
    error: str = ""
    seconds: float = 0.0
    defect: BaseException | None = None


@dataclass
class FederatedResult:
    """The merged studies and how each source fared."""

    studies: list[StudySummary]
    answers: list[SourceAnswer]
    unreachable: dict[str, str]  # source name -> one sentence
    late: list[str]  # sources still searching at the deadline
    #: Unforeseen exceptions (defects) raised by a source, for a caller that has nothing else
    #: to show and ends on them (the command's last guard: one sentence, the details with -v).
    defects: list[BaseException] = field(default_factory=list)

    def problem_lines(self) -> list[str]:
        """One sentence per source that did not answer in time or failed."""
        lines = list(self.unreachable.values())
        lines += [f"Archive '{name}' has not answered yet; its studies are not in this list."
                  for name in self.late]
        return lines


def tag_origin(study: StudySummary, name: str) -> StudySummary:
    """``study`` as found in source ``name`` (the library keeps its own origin only)."""
    if name == LIBRARY_NAME:
        return study
    return replace(study, archives=study.archives | {name})


def merge(found: dict[str, StudySummary], studies: Sequence[StudySummary]) -> None:
    """Merge ``studies`` into ``found`` by Study Instance UID, uniting their origins."""
    for s in studies:
        found[s.study_uid] = found[s.study_uid].merged_with(s) if s.study_uid in found else s


def newest_first(studies: Sequence[StudySummary]) -> list[StudySummary]:
    return sorted(studies, key=lambda s: (s.study_date, s.study_time, s.study_uid), reverse=True)


class FederatedSearch:
    """Ask ``sources`` (name, source) at once; see the module's description."""

    def __init__(self, sources: Sequence[tuple[str, Any]], *, deadline_s: float = 20.0) -> None:
        self.sources = list(sources)
        self.deadline_s = deadline_s

    def search(self, query: StudyQuery, *,
               on_late: Callable[[SourceAnswer], None] | None = None) -> FederatedResult:
        lock = threading.Lock()
        answers: dict[str, SourceAnswer] = {}
        returned = threading.Event()
        all_done = threading.Event()
        pending = {name for name, _ in self.sources}

        def ask(name: str, source: Any) -> None:
            started = time.monotonic()
            answer = SourceAnswer(name)
            try:
                answer.studies = [tag_origin(s, name) for s in source.search_studies(query)]
            except WorkstationError as exc:
                answer.error = str(exc)
            except Exception as exc:  # noqa: BLE001 - one source's defect must not stop the others
                log.info("search in %r failed", name, exc_info=True)
                answer.error = f"The search in '{name}' failed unexpectedly ({type(exc).__name__})."
                answer.defect = exc
            answer.seconds = time.monotonic() - started
            with lock:
                late = returned.is_set()
                if not late:
                    answers[name] = answer
                pending.discard(name)
                if not pending:
                    all_done.set()
            if late and on_late is not None:
                on_late(answer)

        for name, source in self.sources:
            # Daemon threads: a dead archive's read timeout never keeps the program from exiting.
            threading.Thread(target=ask, args=(name, source), name=f"search-{name}",
                             daemon=True).start()
        if self.sources:
            all_done.wait(self.deadline_s)
        with lock:
            returned.set()
            got = dict(answers)
            late = [name for name, _ in self.sources if name not in got]
        found: dict[str, StudySummary] = {}
        unreachable: dict[str, str] = {}
        for name, _ in self.sources:
            answer = got.get(name)
            if answer is None:
                continue
            if answer.error:
                unreachable[name] = answer.error
            merge(found, answer.studies)
        answered = [got[n] for n, _ in self.sources if n in got]
        return FederatedResult(newest_first(list(found.values())), answered, unreachable, late,
                               [a.defect for a in answered if a.defect is not None])


class FederatedSource:
    """Several archives behind the study-source interface (see the module's description)."""

    def __init__(self, archives: Sequence[tuple[str, Any]], *, deadline_s: float = 20.0) -> None:
        self.archives = list(archives)
        self.name = "all archives"
        self.deadline_s = deadline_s
        self._holders: dict[str, list[str]] = {}
        self._lock = threading.Lock()
        self.last: FederatedResult | None = None

    def search_studies(self, query: StudyQuery) -> list[StudySummary]:
        """Every archive's matches, merged; raises only when no archive answered."""
        result = FederatedSearch(self.archives, deadline_s=self.deadline_s).search(query)
        self.last = result
        with self._lock:
            for s in result.studies:
                self._holders[s.study_uid] = sorted(s.archives)
        if self.archives and (not result.answers or all(a.error for a in result.answers)):
            problems = result.problem_lines()
            if problems:
                raise ArchiveError(problems[0], retryable=True)
        return result.studies

    def _order(self, study_uid: str) -> list[tuple[str, Any]]:
        with self._lock:
            holders = self._holders.get(study_uid, [])
        return sorted(self.archives, key=lambda a: a[0] not in holders)

    def _first(self, study_uid: str, what: Callable[[Any], T], empty: Callable[[T], bool]) -> T:
        """The first archive's answer that is not empty; the last error when none has it."""
        last: ArchiveError | None = None
        result: T | None = None
        for name, archive in self._order(study_uid):
            try:
                result = what(archive)
            except NotFoundError as exc:
                last = exc
                continue
            except ArchiveError as exc:
                log.info("archive %r did not answer for a study: %s", name, type(exc).__name__)
                last = exc
                continue
            if not empty(result):
                with self._lock:
                    held = self._holders.setdefault(study_uid, [])
                    if name not in held:
                        held.insert(0, name)
                return result
        if result is not None:
            return result
        if last is not None:
            raise last
        raise NotFoundError(f"No archive holds study {study_uid}.")

    def search_series(self, study_uid: str) -> list[SeriesSummary]:
        return self._first(study_uid, lambda a: a.search_series(study_uid), lambda r: not r)

    def search_instances(self, study_uid: str, series_uid: str) -> list[InstanceSummary]:
        return self._first(study_uid, lambda a: a.search_instances(study_uid, series_uid),
                           lambda r: not r)

    def series_metadata(self, study_uid: str, series_uid: str) -> list[Dataset]:
        return self._first(study_uid, lambda a: a.series_metadata(study_uid, series_uid),
                           lambda r: not r)

    def iter_instances(self, study_uid: str, series_uid: str,
                       sop_instance_uids: Sequence[str] | None = None,
                       cancel: CancelToken | None = None) -> Iterator[bytes]:
        """From the archive that listed the study's series (see :meth:`search_series`)."""
        name, archive = self._order(study_uid)[0]
        log.debug("instances of a study from archive %r", name)
        yield from archive.iter_instances(study_uid, series_uid, sop_instance_uids, cancel)

    def close(self) -> None:
        for _name, archive in self.archives:
            close = getattr(archive, "close", None)
            if callable(close):
                close()
