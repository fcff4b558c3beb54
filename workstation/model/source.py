"""The study-source interface: the hosted archive and the local library answer the same calls.

Modelled on dicomweb-client's single protocol with a web and a local implementation. A source
finds studies (QIDO-RS semantics, PS3.18 10.6), gives instance headers without pixel data (the
WADO-RS metadata resource, PS3.18 10.4.1.1.2), and streams whole instances as PS3.10 files
(the WADO-RS instance resources). Frames are fetched separately so that pixels can arrive
nearest-slice-first while the headers are already known.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from typing import Protocol, runtime_checkable

from pydicom.dataset import Dataset

from workstation.errors import Cancelled
from workstation.model.entities import InstanceSummary, SeriesSummary, StudySummary
from workstation.model.query import StudyQuery


class CancelToken:
    """A flag the UI sets to stop transfers (closing a study cancels its retrievals)."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    def raise_if_cancelled(self) -> None:
        if self._event.is_set():
            raise Cancelled("The transfer was cancelled.")


class LinkedCancelToken(CancelToken):
    """Cancelled by itself or with its parent (the user's cancel, or the consumer gone): a part
    of a transfer that can stop alone (the network part of a series load, one retrieval)."""

    def __init__(self, parent: CancelToken | None) -> None:
        super().__init__()
        self._parent = parent

    @property
    def cancelled(self) -> bool:
        return super().cancelled or (self._parent is not None and self._parent.cancelled)

    def raise_if_cancelled(self) -> None:
        if self.cancelled:
            raise Cancelled("The transfer was cancelled.")


@runtime_checkable
class StudySource(Protocol):
    """Anything that holds studies: the DICOMweb archive or the local library."""

    name: str

    def search_studies(self, query: StudyQuery) -> list[StudySummary]:
        """Studies matching ``query`` (patient name wildcards, IDs, date range, modality...)."""
        ...

    def search_series(self, study_uid: str) -> list[SeriesSummary]:
        """The series of one study."""
        ...

    def search_instances(self, study_uid: str, series_uid: str) -> list[InstanceSummary]:
        """The instances of one series."""
        ...

    def series_metadata(self, study_uid: str, series_uid: str) -> list[Dataset]:
        """Every instance header of the series, without pixel data (bulk data left out)."""
        ...

    def iter_instances(
        self,
        study_uid: str,
        series_uid: str,
        sop_instance_uids: Sequence[str] | None = None,
        cancel: CancelToken | None = None,
    ) -> Iterator[bytes]:
        """Whole instances of the series as PS3.10 files (bytes), in the stored transfer syntax
        where the source can give it. ``sop_instance_uids`` restricts to those instances."""
        ...


@runtime_checkable
class InstanceSink(Protocol):
    """Where retrieved instances go (the local library): atomic adds plus retrieval bookkeeping,
    so that an interrupted retrieval is never recorded as complete and can be resumed."""

    def add_bytes(self, data: bytes) -> object:
        """Store one PS3.10 instance atomically (a duplicate SOP Instance UID is not stored twice)."""
        ...

    def begin_series(self, study_uid: str, series_uid: str, expected_sop_uids: Sequence[str]) -> None:
        """Record which instances a complete copy of the series holds."""
        ...

    def missing_instances(self, study_uid: str, series_uid: str) -> list[str]:
        """SOP Instance UIDs expected but not stored yet."""
        ...

    def mark_series_complete(self, study_uid: str, series_uid: str) -> None:
        """Record the series as complete (only valid when nothing is missing)."""
        ...
