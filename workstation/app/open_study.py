"""One way to read a study's instance headers, from the library or an archive.

An archive's headers come from its WADO-RS metadata, series by series (PS3.18 10.4.1.1.2, after
a QIDO-RS series search, PS3.18 10.6); the library's from its index. :func:`open_study` is the
whole opening of a study for reading: its headers, the rejected images hidden (IHE IOCM,
:mod:`workstation.qc.visibility`), the opening recorded in the audit log (IHE ATNA, DICOM
PS3.15 A.5.3 "DICOM Instances Accessed"), and its display sets (from the library's cache when
the study is read from the library). Every reader of headers (the reading room, the priors,
the saved reading objects, the command lines) goes through this module.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from pydicom.dataset import Dataset

from workstation.audit import AuditAction, audit_log_for
from workstation.errors import WorkstationError
from workstation.model.displayset import build_display_sets
from workstation.model.entities import LIBRARY, StudySummary
from workstation.model.source import CancelToken
from workstation.settings import Settings

#: Series whose metadata (WADO-RS, PS3.18 10.4.1.1.2) is asked for at once when a study opens.
METADATA_REQUESTS = 4

#: ``progress(done, total)``: series read so far, of how many.
Progress = Callable[[int, int], None]

NO_IMAGES = ("This study has no images in the local library and no archive is configured to "
             "fetch them from.")


class NoImagesError(WorkstationError):
    """The study has no headers where it was looked for."""


def readable_headers(headers: Sequence[Dataset]) -> tuple[list[Dataset], int]:
    """(headers offered for reading, number of rejected images hidden): IHE IOCM rejection notes
    and the instances they reject are left out (workstation.qc.visibility)."""
    from workstation.qc.visibility import visible_headers

    visible, rejected = visible_headers(list(headers))
    hidden = sum(1 for h in headers if str(h.get("SOPInstanceUID", "") or "") in rejected)
    return visible, hidden


def series_headers(source: Any, study_uid: str, *, series_uids: Sequence[str] = (),
                   modalities: Collection[str] | None = None, requests: int = METADATA_REQUESTS,
                   progress: Progress | None = None, cancel: CancelToken | None = None) -> list[Dataset]:
    """The headers of a study's series from ``source`` (an archive client or the library), in
    the source's series order: ``series_uids`` when given, else every series (of ``modalities``
    when given, PS3.3 C.7.3.1.1.1); up to ``requests`` series at a time."""
    if series_uids:
        uids = list(series_uids)
    else:
        found = source.search_series(study_uid)
        if modalities is not None:
            found = [s for s in found if str(s.modality).upper() in modalities]
        uids = [s.series_uid for s in found]
    headers: list[Dataset] = []
    if not uids:
        return headers
    if requests <= 1 or len(uids) == 1:
        for n, uid in enumerate(uids, 1):
            if cancel is not None:
                cancel.raise_if_cancelled()
            headers.extend(source.series_metadata(study_uid, uid))
            if progress is not None:
                progress(n, len(uids))
        return headers
    pool = ThreadPoolExecutor(max_workers=min(requests, len(uids)), thread_name_prefix="series-metadata")
    try:
        futures = [pool.submit(source.series_metadata, study_uid, uid) for uid in uids]
        for n, future in enumerate(futures, 1):
            if cancel is not None:
                cancel.raise_if_cancelled()
            headers.extend(future.result())
            if progress is not None:
                progress(n, len(uids))
    finally:
        pool.shutdown(wait=False, cancel_futures=True)
    return headers


def study_headers(study: StudySummary, *, archive: Any | None, library: Any,
                  series_uids: Sequence[str] = (), requests: int = METADATA_REQUESTS,
                  progress: Progress | None = None, cancel: CancelToken | None = None) -> list[Dataset]:
    """A study's headers: from the library when it holds the whole study (or there is no
    archive), else from the archive; only ``series_uids`` when given."""
    if archive is None or LIBRARY in study.origins and library.study_complete(study.study_uid):
        wanted = set(series_uids)
        return [h for h in library.study_headers(study.study_uid)
                if not wanted or str(h.get("SeriesInstanceUID", "")) in wanted]
    return series_headers(archive, study.study_uid, series_uids=series_uids, requests=requests,
                          progress=progress, cancel=cancel)


@dataclass(frozen=True)
class OpenedStudy:
    """A study read for display: its display sets, the headers shown, the rejected images hidden."""

    study: StudySummary
    display_sets: list[Any]
    headers: list[Dataset]
    hidden: int


def open_study(study: StudySummary, *, settings: Settings, library: Any, archive: Any | None,
               progress: Progress | None = None, cancel: CancelToken | None = None) -> OpenedStudy:
    """Open ``study`` for reading: from ``archive`` when given, else from the library (raising
    :class:`NoImagesError` when it has none); rejected images hidden, the opening audited, the
    display sets built (kept between openings by the library). Runs in a worker thread."""
    if archive is not None:
        headers = series_headers(archive, study.study_uid, progress=progress, cancel=cancel)
    else:
        headers = library.study_headers(study.study_uid)
        if not headers:
            raise NoImagesError(NO_IMAGES)
    headers, hidden = readable_headers(headers)
    audit_log_for(settings).record(AuditAction.STUDY_OPENED, study_uid=study.study_uid,
                                   patient_id=study.patient_id, issuer_of_patient_id=study.issuer_of_patient_id)
    display_sets = build_display_sets(headers) if archive is not None else library.display_sets(study.study_uid, headers)
    if display_sets and LIBRARY in study.origins:
        library.touch_study(study.study_uid)  # a database write: kept off the UI thread
    return OpenedStudy(study, display_sets, headers, hidden)


def saved_object_headers(study_uid: str, archive: Any | None, library: Any | None,
                         modalities: Collection[str]) -> list[Dataset]:
    """The headers of a study's series of ``modalities`` (the saved reading objects: SR, KO,
    PR) from the archive (if any) and the library, one per SOP Instance UID; a prior's images
    are never read for this. Raises the archive's error when it fails and the library has none."""
    found: dict[str, Dataset] = {}
    error: WorkstationError | None = None
    for source in (archive, library):
        if source is None:
            continue
        try:
            for h in series_headers(source, study_uid, modalities=modalities, requests=1):
                found.setdefault(str(h.get("SOPInstanceUID", "")), h)
        except WorkstationError as exc:
            error = error or exc
    if error is not None and not found:
        raise error
    return list(found.values())


def archive_study_headers(settings: Settings, study_uid: str, archive: str | None) -> list[Dataset]:
    """Every instance header of a study from the named archive (a profile name or a URL, see
    :func:`workstation.sources.open_archive`), for the command lines."""
    from workstation.sources import open_archive

    client = open_archive(settings, archive)
    if client is None:
        raise WorkstationError(
            f"Study {study_uid} is not in the library and no archive is configured; "
            "import or pull it first, or give --archive."
        )
    with client:
        return series_headers(client, study_uid, requests=1)


def library_or_archive_headers(settings: Settings, study_uid: str,
                               archive: str | None) -> tuple[list[Dataset], str]:
    """(headers, ``"library"`` or ``"archive"``): the library's when it has the study, else the
    named archive's; the command lines' way of reading a study."""
    from workstation.sources import open_library

    library = open_library(settings)
    try:
        headers = library.study_headers(study_uid)
    finally:
        library.close()
    if headers:
        return list(headers), "library"
    return archive_study_headers(settings, study_uid, archive), "archive"


__all__ = ["METADATA_REQUESTS", "NoImagesError", "OpenedStudy", "archive_study_headers",
           "library_or_archive_headers", "open_study", "readable_headers", "saved_object_headers",
           "series_headers", "study_headers"]
