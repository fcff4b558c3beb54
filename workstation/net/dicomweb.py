"""The hosted archive as a study source: a DICOMweb client (PS3.18).

* QIDO-RS (PS3.18 10.6): :meth:`DicomWebClient.search_studies`, ``search_series``,
  ``search_instances``; results parsed from DICOM JSON (PS3.18 F.2).
* WADO-RS (PS3.18 10.4): ``series_metadata`` (the metadata resource, bulk data left as URIs),
  ``iter_instances`` (instances in their stored transfer syntax, ``transfer-syntax=*``, or on a
  slow link in a lossless compressed one, see :mod:`workstation.net.link`; streamed one part at
  a time), ``retrieve_frames`` and ``retrieve_bulkdata``.
* STOW-RS (PS3.18 10.5): ``store_instances``, with the Store Instances Response Module
  (PS3.18 10.5.3, Referenced / Failed SOP Sequence) turned into a :class:`StoreResult`.

Archive quirks handled here, measured on Orthanc 1.10.1 + DICOMweb 1.7 (shared/FIELD_NOTES.md):
QIDO values are not percent-decoded, so wildcards travel unencoded (see ``http.encode_query``);
and because the HTTP stack always encodes ``^`` and spaces, those are sent as the single-character
wildcard ``?`` in matching keys and the results are checked locally against the exact filter.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from io import BytesIO
from typing import Any

import pydicom
import requests
from pydicom.datadict import tag_for_keyword
from pydicom.dataset import Dataset
from pydicom.errors import InvalidDicomError as PydicomInvalidDicomError

from workstation.errors import (
    ArchiveError,
    InvalidDicomError,
    NotFoundError,
    TransferInterrupted,
)
from workstation.model.dicom_json import dataset_from_json
from workstation.model.entities import ARCHIVE, InstanceSummary, SeriesSummary, StudySummary
from workstation.model.query import StudyQuery
from workstation.model.source import CancelToken, LinkedCancelToken
from workstation.net.http import Transport
from workstation.net.link import FRAME_MEDIA_TYPES, ArchiveLink, link_for
from workstation.net.multipart import (
    Part,
    boundary_of,
    encode_parts,
    iter_parts,
    new_boundary,
    parse_content_type,
)
from workstation.settings import ArchiveProfile

log = logging.getLogger(__name__)

EXPLICIT_VR_LITTLE_ENDIAN = "1.2.840.10008.1.2.1"

ACCEPT_DICOM_STORED = 'multipart/related; type="application/dicom"; transfer-syntax=*'
ACCEPT_DICOM = 'multipart/related; type="application/dicom"'
ACCEPT_FRAMES_STORED = 'multipart/related; type="application/octet-stream"; transfer-syntax=*'
ACCEPT_FRAMES = 'multipart/related; type="application/octet-stream"'
ACCEPT_BULK = 'multipart/related; type="application/octet-stream"'

# Answers to a request for a compressed syntax that mean "not that one" (PS3.18 8.7.3.5 says
# 406; Orthanc 1.10 says 400 for a syntax it does not know and 500 when it cannot transcode).
_SYNTAX_REFUSED = frozenset({400, 406, 415, 500, 501})


def _accept_syntax(kind: str, syntax: str) -> str:
    """The Accept header asking for ``syntax`` (PS3.18 8.7.3.5): a whole instance, or a frame
    in the single-frame media type of that syntax (PS3.18 Table 8.7.3-2)."""
    if kind == "frames":
        return f'multipart/related; type="{FRAME_MEDIA_TYPES[syntax]}"; transfer-syntax={syntax}'
    return f'multipart/related; type="application/dicom"; transfer-syntax={syntax}'

# Transfer syntax of a frame part when the server names only the media type (PS3.18 Table
# 8.7.3-2 "Default transfer syntax" of each single-frame media type).
_FRAME_MEDIA_DEFAULT_SYNTAX = {
    "application/octet-stream": EXPLICIT_VR_LITTLE_ENDIAN,
    "image/jpeg": "1.2.840.10008.1.2.4.70",
    "image/jls": "1.2.840.10008.1.2.4.80",
    "image/jp2": "1.2.840.10008.1.2.4.90",
    "image/jpx": "1.2.840.10008.1.2.4.92",
    "image/x-dicom-rle": "1.2.840.10008.1.2.5",
    "image/dicom-rle": "1.2.840.10008.1.2.5",
}

# Storage failure reasons (PS3.4 Annex B.2.3 and PS3.18 Table 10.5.3-2).
_FAILURE_REASONS = {
    0x0110: "processing failure",
    0x0122: "SOP class not supported",
    0x0124: "not authorized",
    0xA700: "out of resources",
    0xA900: "data set does not match SOP class",
    0xC000: "cannot understand",
    0xC122: "transfer syntax not supported",
}


def _tags(*keywords: str) -> tuple[str, ...]:
    out = []
    for keyword in keywords:
        tag = tag_for_keyword(keyword)
        if tag is None:  # pragma: no cover - a typo in the lists below
            raise ValueError(keyword)
        out.append(f"{tag:08X}")
    return tuple(out)


STUDY_FIELDS = _tags(
    "StudyInstanceUID", "StudyDate", "StudyTime", "AccessionNumber", "StudyDescription",
    "StudyID", "ReferringPhysicianName", "ModalitiesInStudy", "NumberOfStudyRelatedSeries",
    "NumberOfStudyRelatedInstances", "PatientName", "PatientID", "IssuerOfPatientID",
    "PatientBirthDate", "PatientSex",
)
SERIES_FIELDS = _tags(
    "SeriesInstanceUID", "Modality", "SeriesNumber", "SeriesDescription", "BodyPartExamined",
    "NumberOfSeriesRelatedInstances",
)
INSTANCE_FIELDS = _tags(
    "SOPInstanceUID", "SOPClassUID", "InstanceNumber", "NumberOfFrames", "Rows", "Columns",
)


def bulk_data_uris(ds: Dataset) -> dict[str, str]:
    """The BulkDataURIs of a dataset from :meth:`DicomWebClient.series_metadata`.

    Keys are tags as 8 upper-case hex digits (``"7FE00010"`` for Pixel Data); the values can be
    passed to :meth:`DicomWebClient.retrieve_bulkdata`. Empty for datasets from elsewhere.
    """
    uris = ds.__dict__.get("_bulk_data_uris")
    return dict(uris) if isinstance(uris, dict) else {}


@dataclass(frozen=True)
class StoreFailure:
    """One instance the archive refused (PS3.18 10.5.3, Failed SOP Sequence item)."""

    sop_instance_uid: str
    reason_code: int | None = None

    @property
    def reason(self) -> str:
        if self.reason_code is None:
            return "no reason given"
        text = _FAILURE_REASONS.get(self.reason_code, "failure")
        return f"{text} (0x{self.reason_code:04X})"


@dataclass(frozen=True)
class StoreResult:
    """What the archive said about a STOW-RS request (PS3.18 10.5.3)."""

    stored: tuple[str, ...]
    failed: tuple[StoreFailure, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.failed


class StoreRejected(ArchiveError):
    """The archive refused some or all instances of a store request; ``result`` says which."""

    def __init__(self, message: str, result: StoreResult, *, status: int | None = None):
        super().__init__(message, status=status)
        self.result = result


@dataclass(frozen=True)
class ConnectionCheck:
    """The answer of a "test connection" button: whether it worked, and one sentence."""

    ok: bool
    message: str

    def __str__(self) -> str:
        return self.message


def _sendable(value: str, *, prefix: bool = False) -> tuple[str, bool]:
    """A matching key value the HTTP stack sends as typed; ``True`` when it was widened.

    ``^`` and spaces would be percent-encoded by the HTTP stack and not decoded by some archives,
    so they become the wildcard ``?`` (PS3.4 C.2.2.2.4), which matches them on every archive.
    """
    value = value.strip()
    if prefix and value and "*" not in value and "?" not in value:
        value += "*"
    widened = value.replace("^", "?").replace(" ", "?")
    return widened, widened != value


class DicomWebClient:
    """A DICOMweb archive (PS3.18) answering the :class:`~workstation.model.source.StudySource`
    calls, plus frames, bulk data, storing and a connection check."""

    def __init__(
        self,
        profile: ArchiveProfile,
        *,
        session: requests.Session | None = None,
        retries: int = 3,
        backoff_s: float = 0.5,
        gzip_pixels: bool = False,
        link: ArchiveLink | None = None,
    ) -> None:
        """``gzip_pixels`` lets the archive gzip instances, frames and bulk data (worth it only
        for uncompressed images on a slow link); searches and metadata are always compressed.
        ``link``: the measured link and what the archive transcodes to (see
        :mod:`workstation.net.link`; by default shared by every client of the same URL)."""
        self.profile = profile
        self.link = link if link is not None else link_for(profile.url)
        # Series whose instances the archive would not transcode: asked for as stored.
        self._stored_series: set[str] = set()
        self._checked_series: set[str] = set()  # whose first compressed instance was looked at
        self.gzip_pixels = gzip_pixels
        self.name = profile.name
        self.transport = Transport(profile, session=session, retries=retries, backoff_s=backoff_s)
        # None: not tried yet; True/False: whether the archive sends stored syntaxes.
        self._stored_syntax: dict[str, bool | None] = {"instance": None, "frames": None}
        self._lock = threading.Lock()

    def close(self) -> None:
        self.transport.close()

    def __enter__(self) -> DicomWebClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- QIDO-RS (PS3.18 10.6) -----------------------------------------------------------------

    def search_studies(self, query: StudyQuery) -> list[StudySummary]:
        """Studies matching ``query`` (PS3.18 10.6.1, Search For Studies).

        A patient name or study description with no wildcard searches as a prefix (``smith``
        finds ``SMITH^JOHN``); person names match case-insensitively on archives that do so.
        """
        pairs: list[tuple[str, str]] = []
        local = StudyQuery()  # the filters that were widened and must be re-checked here
        widened_fields: dict[str, str] = {}
        for keyword, raw, prefix, attr in (
            ("PatientName", query.patient_name, True, "patient_name"),
            ("PatientID", query.patient_id, False, "patient_id"),
            ("AccessionNumber", query.accession_number, False, "accession_number"),
            ("StudyDescription", query.study_description, True, "study_description"),
        ):
            if raw.strip():
                value, widened = _sendable(raw, prefix=prefix)
                pairs.append((keyword, value))
                if widened:
                    widened_fields[attr] = raw
        date_range = query.study_date_range()
        if date_range:
            pairs.append(("StudyDate", date_range))
        if query.modality.strip():
            pairs.append(("ModalitiesInStudy", query.modality.strip()))
        if query.study_uid.strip():
            pairs.append(("StudyInstanceUID", query.study_uid.strip()))
        if query.limit is not None:
            pairs.append(("limit", str(query.limit)))
        if query.offset:
            pairs.append(("offset", str(query.offset)))
        pairs.extend(("includefield", tag) for tag in STUDY_FIELDS)
        if widened_fields:
            local = StudyQuery(
                patient_name=widened_fields.get("patient_name", ""),
                patient_id=widened_fields.get("patient_id", ""),
                accession_number=widened_fields.get("accession_number", ""),
                study_description=widened_fields.get("study_description", ""),
            )
        url = self.transport.url("studies", query=pairs)
        results = [
            StudySummary.from_dataset(ds, ARCHIVE)
            for ds in self._datasets(self.transport.get_json(url, what="study search"))
        ]
        if widened_fields:
            results = [s for s in results if local.matches(s)]
        return results

    def search_series(self, study_uid: str) -> list[SeriesSummary]:
        """The series of one study (PS3.18 10.6.1, Search For Series), by series number."""
        pairs = [("includefield", tag) for tag in SERIES_FIELDS]
        url = self.transport.url("studies", study_uid, "series", query=pairs)
        series = [
            SeriesSummary.from_dataset(ds, study_uid)
            for ds in self._datasets(self.transport.get_json(url, what="series list"))
        ]
        return sorted(series, key=lambda s: (s.series_number is None, s.series_number or 0))

    def search_instances(self, study_uid: str, series_uid: str) -> list[InstanceSummary]:
        """The instances of one series (PS3.18 10.6.1, Search For Instances), by number."""
        pairs = [("includefield", tag) for tag in INSTANCE_FIELDS]
        url = self.transport.url(
            "studies", study_uid, "series", series_uid, "instances", query=pairs
        )
        instances = [
            InstanceSummary.from_dataset(ds, study_uid, series_uid)
            for ds in self._datasets(self.transport.get_json(url, what="instance list"))
        ]
        return sorted(instances, key=lambda i: (i.instance_number is None, i.instance_number or 0))

    # -- WADO-RS metadata (PS3.18 10.4.1.1.2) -------------------------------------------------

    def series_metadata(self, study_uid: str, series_uid: str) -> list[Dataset]:
        """Every instance header of the series, bulk data left as URIs (see
        :func:`bulk_data_uris`); compressed pixel data is fetched as frames."""
        url = self.transport.url("studies", study_uid, "series", series_uid, "metadata")
        return self._datasets(self.transport.get_json(url, what="series metadata"),
                              keep_bulk_uris=True)

    def instance_metadata(self, study_uid: str, series_uid: str, sop_uid: str) -> Dataset:
        """One instance header (PS3.18 10.4.1.1.2, Instance metadata resource)."""
        url = self.transport.url(
            "studies", study_uid, "series", series_uid, "instances", sop_uid, "metadata"
        )
        datasets = self._datasets(self.transport.get_json(url, what="instance metadata"),
                                  keep_bulk_uris=True)
        if not datasets:
            raise NotFoundError(
                f"The archive at {self.transport.host} has no metadata for instance {sop_uid}."
            )
        return datasets[0]

    # -- WADO-RS instances (PS3.18 10.4.1.1.1) -------------------------------------------------

    def iter_instances(
        self,
        study_uid: str,
        series_uid: str,
        sop_instance_uids: Sequence[str] | None = None,
        cancel: CancelToken | None = None,
    ) -> Iterator[bytes]:
        """Whole instances as PS3.10 bytes, in the stored transfer syntax where the archive
        gives it (``transfer-syntax=*``), else in its default syntax; on a slow link in a
        lossless compressed syntax the archive produces (:mod:`workstation.net.link`).

        With no ``sop_instance_uids`` the whole series comes in one streamed request; with them,
        one request per instance, ``max_connections`` in flight, yielded as they arrive.
        Instances the archive does not hold are skipped and reported at the end with a
        :class:`NotFoundError`; a cut transfer raises ``TransferInterrupted`` after the complete
        instances; ``cancel`` raises :class:`Cancelled` within one chunk.
        """
        if sop_instance_uids is None:
            url = self.transport.url("studies", study_uid, "series", series_uid)
            yield from self._iter_dicom_parts(url, "series", cancel, series_uid)
            return
        yield from self._iter_instances_parallel(study_uid, series_uid,
                                                 list(sop_instance_uids), cancel)

    def _iter_instances_parallel(
        self, study_uid: str, series_uid: str, sops: list[str], cancel: CancelToken | None
    ) -> Iterator[bytes]:
        if not sops:
            return
        token = LinkedCancelToken(cancel)
        window = max(1, self.profile.max_connections)

        def fetch(sop: str) -> list[bytes]:
            url = self.transport.url(
                "studies", study_uid, "series", series_uid, "instances", sop
            )
            try:
                return list(self._iter_dicom_parts(url, "instance", token, series_uid))
            except TransferInterrupted:
                if not self.transport.retries:
                    raise
                # one instance is small and idempotent to fetch: try it once more
                log.info("Retrieval of one instance was cut short; retrying it")
                return list(self._iter_dicom_parts(url, "instance", token, series_uid))

        pool = ThreadPoolExecutor(max_workers=window, thread_name_prefix="wado-rs")
        pending: dict[Future[list[bytes]], str] = {}
        queue = iter(sops)
        missing: list[str] = []

        def submit_next() -> None:
            sop = next(queue, None)
            if sop is not None:
                pending[pool.submit(fetch, sop)] = sop

        try:
            for _ in range(window):
                submit_next()
            while pending:
                if cancel is not None:
                    cancel.raise_if_cancelled()
                done, _ = wait(list(pending), timeout=0.05, return_when=FIRST_COMPLETED)
                for future in done:
                    sop = pending.pop(future)
                    try:
                        bodies = future.result()
                    except NotFoundError:
                        missing.append(sop)
                        bodies = []
                    submit_next()
                    yield from bodies
        finally:
            token.cancel()
            pool.shutdown(wait=False, cancel_futures=True)
        if missing:
            shown = ", ".join(missing[:3]) + (" ..." if len(missing) > 3 else "")
            raise NotFoundError(
                f"The archive at {self.transport.host} does not hold {len(missing)} of the "
                f"{len(sops)} requested instances ({shown}); the others were retrieved."
            )

    def _iter_dicom_parts(
        self, url: str, what: str, cancel: CancelToken | None, series_uid: str = ""
    ) -> Iterator[bytes]:
        response, syntax = self._get_retrieve(url, "instance", what, cancel, series_uid)
        for part in self._parts(response, cancel, what):
            if syntax and series_uid and series_uid not in self._checked_series:
                # Stored lossy: the archive would re-encode the decoded lossy pixels losslessly,
                # more bytes than it stores; the rest of the series comes as stored. The first
                # compressed instance of a series tells.
                with self._lock:
                    self._checked_series.add(series_uid)
                if _lossy(part.body):
                    with self._lock:
                        self._stored_series.add(series_uid)
            yield part.body

    def _get_retrieve(
        self, url: str, kind: str, what: str, cancel: CancelToken | None, series_uid: str = ""
    ) -> tuple[requests.Response, str]:
        """GET pixels in the syntax the link calls for: on a slow link a lossless compressed
        one the archive produces (tried best first, refusals remembered per archive and per
        series), else, and when none is accepted, the stored syntax (see :meth:`_get_stored`).
        Returns the response and the compressed syntax asked for ("" for the stored one)."""
        syntaxes = [] if series_uid in self._stored_series else self.link.syntaxes_to_ask()
        for syntax in syntaxes:
            response = self.transport.get(
                url, accept=_accept_syntax(kind, syntax), what=what, cancel=cancel,
                accept_statuses=_SYNTAX_REFUSED, compressed=self.gzip_pixels,
            )
            if response.status_code not in _SYNTAX_REFUSED:
                self.link.syntaxes.worked(syntax)
                return response, syntax
            response.close()
            log.info("The archive refused transfer syntax %s (HTTP %d)", syntax,
                     response.status_code)
            self.link.syntaxes.refused(syntax)
        if syntaxes and series_uid:
            with self._lock:
                self._stored_series.add(series_uid)
        if kind == "frames":
            return self._get_stored(url, kind, ACCEPT_FRAMES_STORED, ACCEPT_FRAMES, what,
                                    cancel), ""
        return self._get_stored(url, kind, ACCEPT_DICOM_STORED, ACCEPT_DICOM, what, cancel), ""

    def _get_stored(
        self, url: str, kind: str, stored_accept: str, default_accept: str, what: str,
        cancel: CancelToken | None,
    ) -> requests.Response:
        """GET asking for the stored transfer syntax, falling back to the archive's default
        syntax when it answers 400/406 to ``transfer-syntax=*`` (PS3.18 8.7.3.5)."""
        if self._stored_syntax[kind] is not False:
            response = self.transport.get(
                url, accept=stored_accept, what=what, cancel=cancel,
                accept_statuses=frozenset({400, 406}), compressed=self._gzip_stored(),
            )
            if response.status_code not in (400, 406):
                with self._lock:
                    self._stored_syntax[kind] = True
                return response
            response.close()
            if self._stored_syntax[kind]:  # the archive gave stored syntaxes before
                raise self.transport.error_for(response.status_code, what)
            log.info("The archive refused transfer-syntax=* (HTTP %d); asking for its default "
                     "transfer syntax", response.status_code)
        response = self.transport.get(url, accept=default_accept, what=what,
                                      cancel=cancel, compressed=self._gzip_stored())
        with self._lock:
            if self._stored_syntax[kind] is None:
                self._stored_syntax[kind] = False
        return response

    def _gzip_stored(self) -> bool:
        """Whether to let the archive gzip an answer in the stored syntax (RFC 9110 8.4): on
        the first retrieval over a link not measured yet (the first image: a 0.5 MB CT slice
        comes as about 0.2 MB, for about 40 ms of the archive's time) and on a slow link where
        the archive gives no compressed syntax; else only with ``gzip_pixels`` (never for an
        archive on this machine, where it only costs the archive's time)."""
        return self.gzip_pixels or (not self.link.local and (self.link.fresh or self.link.slow))

    def _parts(self, response: requests.Response, cancel: CancelToken | None,
               what: str = "instance") -> Iterator[Part]:
        """The parts of a WADO-RS answer, each at most ``max_instance_mb`` (a single-part
        answer, which some archives send without the multipart wrapper, likewise)."""
        content_type = response.headers.get("Content-Type", "")
        limit = self.transport.max_instance_bytes
        media_type, _ = parse_content_type(content_type)
        if not media_type.startswith("multipart/"):
            if not _single_part_media(media_type):
                response.close()
                raise ArchiveError(
                    f"The archive at {self.transport.host} answered the {what} request with "
                    f"{media_type or 'an untyped body'} instead of DICOM (multipart/related, "
                    "PS3.18 8.6.1.2); check that the URL points to a DICOMweb service."
                )
            body = self.transport.read_body(response, limit, what, cancel)
            yield Part({"content-type": content_type}, body)
            return
        raw = response.raw
        wire = raw.tell if hasattr(raw, "tell") else None
        chunks = self.link.meter.metered(self.transport.iter_body(response, cancel), wire)
        try:
            yield from iter_parts(chunks, boundary_of(content_type), max_part_bytes=limit,
                                  who=f"The archive at {self.transport.host}")
        finally:
            chunks.close()

    # -- WADO-RS frames and bulk data (PS3.18 10.4.1.1.4 / 10.4.1.1.5) -------------------------

    def retrieve_frames(
        self,
        study_uid: str,
        series_uid: str,
        sop_instance_uid: str,
        frame_numbers: Sequence[int],
        cancel: CancelToken | None = None,
    ) -> list[tuple[bytes, str]]:
        """Frames (1-based numbers) as ``(bytes, transfer syntax UID)``, in the order asked.

        The syntax is chosen by the link (see :meth:`_get_retrieve`: the stored one, or a
        lossless compressed one on a slow link); the syntax of each frame comes from
        its part's Content-Type (PS3.18 8.7.3.3.2), else from the response's ``type``.
        """
        numbers = [int(n) for n in frame_numbers]
        if not numbers or min(numbers) < 1:
            raise ValueError("frame numbers start at 1")
        url = self.transport.url(
            "studies", study_uid, "series", series_uid, "instances", sop_instance_uid,
            "frames", ",".join(str(n) for n in numbers),
        )
        response, _ = self._get_retrieve(url, "frames", "frame", cancel, series_uid)
        _, outer = parse_content_type(response.headers.get("Content-Type", ""))
        outer_syntax = _syntax_of(outer.get("type", ""), outer.get("transfer-syntax", ""))
        frames = [
            (part.body, _syntax_of(part.content_type, "") or outer_syntax
             or EXPLICIT_VR_LITTLE_ENDIAN)
            for part in self._parts(response, cancel, "frame")
        ]
        if len(frames) != len(numbers):
            raise ArchiveError(
                f"The archive at {self.transport.host} sent {len(frames)} frame(s) of instance "
                f"{sop_instance_uid} where {len(numbers)} were asked for."
            )
        return frames

    def retrieve_bulkdata(self, uri: str, cancel: CancelToken | None = None) -> bytes:
        """The bytes behind a BulkDataURI from the metadata (PS3.18 10.4.1.1.5)."""
        response = self.transport.get(self.transport.absolute(uri), accept=ACCEPT_BULK,
                                      what="bulk data", cancel=cancel,
                                      compressed=self.gzip_pixels)
        return b"".join(part.body for part in self._parts(response, cancel, "bulk data"))

    # -- STOW-RS (PS3.18 10.5) -----------------------------------------------------------------

    def store_instances(
        self, instances: Sequence[bytes], study_uid: str | None = None
    ) -> StoreResult:
        """Store PS3.10 files in the archive (PS3.18 10.5.1, Store Instances).

        Raises :class:`StoreRejected` naming the SOP Instance UIDs the archive refused (its
        ``result`` tells which were stored); never retried, so nothing is stored twice.
        """
        if not instances:
            return StoreResult(stored=())
        sent = [_sop_uid_of(data, index) for index, data in enumerate(instances, 1)]
        boundary = new_boundary()
        body = b"".join(encode_parts(instances, "application/dicom", boundary))
        segments = ("studies", study_uid) if study_uid else ("studies",)
        response = self.transport.request(
            "POST",
            self.transport.url(*segments),
            headers={
                "Content-Type": f'multipart/related; type="application/dicom"; '
                                f"boundary={boundary}",
                "Accept": "application/dicom+json",
            },
            data=body,
            what="store",
            accept_statuses=frozenset({409}),
        )
        status = response.status_code
        reply_body = self.transport.read_body(response, self.transport.max_json_bytes,
                                              "store response")
        try:
            payload: Any = json.loads(reply_body) if reply_body.strip() else {}
        except ValueError:
            payload = {}
        if isinstance(payload, list):
            payload = payload[0] if payload else {}
        reply = Dataset.from_json(payload) if isinstance(payload, dict) else Dataset()
        stored = tuple(
            str(item.get("ReferencedSOPInstanceUID", ""))
            for item in reply.get("ReferencedSOPSequence", [])
        )
        failed = [
            StoreFailure(str(item.get("ReferencedSOPInstanceUID", "")),
                         _int_or_none(item.get("FailureReason")))
            for item in reply.get("FailedSOPSequence", [])
        ]
        acknowledged = set(stored) | {f.sop_instance_uid for f in failed}
        if status == 409 and not failed:
            failed = [StoreFailure(uid) for uid in sent]
        elif status in (200, 202):
            failed += [StoreFailure(uid) for uid in sent if uid not in acknowledged]
        result = StoreResult(stored=stored, failed=tuple(failed))
        if not result.ok:
            shown = "; ".join(
                f"{f.sop_instance_uid or 'unknown instance'} ({f.reason})" for f in failed[:3]
            ) + (" ..." if len(failed) > 3 else "")
            raise StoreRejected(
                f"The archive at {self.transport.host} refused {len(failed)} of "
                f"{len(instances)} instance(s): {shown}.",
                result,
                status=status,
            )
        log.info("Stored %d instance(s) in archive %r", len(stored), self.name)
        return result

    # -- connection check ---------------------------------------------------------------------

    def check_connection(self) -> ConnectionCheck:
        """Reachable, credentials accepted, QIDO-RS answering: one sentence either way."""
        url = self.transport.url("studies", query=[("limit", "1")])
        try:
            data = self.transport.get_json(url, what="study search")
        except ArchiveError as exc:  # includes AuthError from a missing secret
            return ConnectionCheck(False, str(exc))
        if not isinstance(data, list):
            return ConnectionCheck(
                False,
                f"The server at {self.transport.host} answered, but not as a DICOMweb archive: "
                "check the URL (it usually ends in /dicom-web or /dicomweb).",
            )
        login = "no login is needed" if self.profile.auth == "none" else "the login was accepted"
        return ConnectionCheck(
            True, f"Connected to the archive at {self.transport.host}: DICOMweb searches "
                  f"work and {login}."
        )

    # -- helpers -------------------------------------------------------------------------------

    def _datasets(self, data: Any, *, keep_bulk_uris: bool = False) -> list[Dataset]:
        if not isinstance(data, list):
            raise ArchiveError(
                f"The archive at {self.transport.host} answered with something other than a "
                "list of DICOM JSON objects (PS3.18 F.2); check the URL."
            )
        out = []
        for item in data:
            uris: dict[str, str] = {}

            def handler(tag: str, vr: str, value: str, uris: dict[str, str] = uris) -> None:
                uris[tag.upper()] = value

            try:
                ds = dataset_from_json(item, handler)
            except (ValueError, TypeError, KeyError) as exc:
                raise ArchiveError(
                    f"The archive at {self.transport.host} sent DICOM JSON that cannot be read "
                    f"({type(exc).__name__}); the archive may not follow PS3.18 F.2."
                ) from None
            if keep_bulk_uris:
                ds.__dict__["_bulk_data_uris"] = uris
            out.append(ds)
        return out


def _lossy(data: bytes) -> bool:
    """Whether an instance says it has been through lossy compression (Lossy Image Compression
    "01", PS3.3 C.7.6.1.1.5)."""
    try:
        ds = pydicom.dcmread(BytesIO(data), stop_before_pixels=True,
                             specific_tags=["LossyImageCompression"])
    except (PydicomInvalidDicomError, EOFError, ValueError, OSError, AttributeError):
        return False
    return str(ds.get("LossyImageCompression", "") or "").strip() == "01"


def _single_part_media(media_type: str) -> bool:
    """Whether a retrieve answered without the multipart wrapper still holds DICOM content: a
    PS3.10 file, raw bytes, or a frame in an image media type (PS3.18 8.7.3)."""
    return (media_type in ("application/dicom", "application/octet-stream")
            or media_type.startswith("image/"))


def _syntax_of(content_type: str, explicit: str) -> str:
    """The transfer syntax UID named by a frame part's media type (PS3.18 8.7.3.3.2)."""
    if explicit:
        return explicit
    if not content_type:
        return ""
    media_type, params = parse_content_type(content_type)
    if params.get("transfer-syntax"):
        return params["transfer-syntax"]
    return _FRAME_MEDIA_DEFAULT_SYNTAX.get(media_type, "")


def _int_or_none(value: object) -> int | None:
    try:
        return int(value)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return None


def _sop_uid_of(data: bytes, index: int) -> str:
    try:
        ds = pydicom.dcmread(BytesIO(data), stop_before_pixels=True,
                             specific_tags=["SOPInstanceUID"])
        uid = str(ds.get("SOPInstanceUID", "") or ds.file_meta.get("MediaStorageSOPInstanceUID", ""))
    except (PydicomInvalidDicomError, EOFError, ValueError, OSError, AttributeError):
        uid = ""
    if not uid:
        raise InvalidDicomError(
            f"Instance {index} of the store request is not a DICOM file with a SOP Instance "
            "UID (PS3.10); nothing was sent."
        )
    return uid

