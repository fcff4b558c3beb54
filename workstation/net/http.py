"""HTTP transport for DICOMweb (PS3.18 8, "Transactions"): one pooled session per archive.

What it adds to ``requests``:

* a connection pool sized to the profile's ``max_connections``, and a ``(connect, read)``
  timeout pair per request, so a long transfer is never cut by a total time limit;
* retries with exponential back-off for idempotent requests only (GET): on connection errors,
  timeouts and HTTP 429/500/502/503/504 (``Retry-After`` honoured, capped); never for POST;
* TLS verified by default, against the profile's CA bundle when it names one;
* query strings built here, leaving ``*``, ``?``, ``,`` and ``-`` as they are (all legal in a URI
  query, RFC 3986 3.4): some archives (Orthanc 1.10) do not percent-decode QIDO values, so an
  encoded ``*`` would match nothing;
* HTTP failures mapped to the workstation's typed errors, each one sentence without patient
  data (the query string, which can hold a patient name, never appears in messages or logs);
* streamed bodies that check a :class:`CancelToken` between chunks;
* bounds against a broken or hostile archive: every response is streamed (never read whole by
  ``requests``), a DICOM JSON answer is capped at ``max_json_mb`` (:meth:`Transport.read_body`),
  and every response has a deadline that scales with its size, a floor on throughput
  (:mod:`workstation.net.deadline`), so a server that drips bytes ends in one sentence naming it;
* credentials only for the archive's own origin: redirects are followed only to the same host
  (same scheme, or up to https, RFC 9110 15.4), any other is refused with one sentence, and a
  URI from the archive that names another host gets no Authorization header.
"""

from __future__ import annotations

import email.utils
import http.client
import json
import logging
import time
import weakref
from collections.abc import Generator, Iterator, Mapping, Sequence
from typing import Any
from urllib.parse import quote, urljoin, urlsplit

import requests
import requests.adapters
import urllib3.exceptions

from workstation.errors import (
    ArchiveError,
    AuthError,
    Cancelled,
    NotFoundError,
    TransferInterrupted,
)
from workstation.model.source import CancelToken
from workstation.net.auth import credentials_for
from workstation.net.deadline import Deadline, DeadlineAdapter, watching
from workstation.settings import ArchiveProfile

log = logging.getLogger(__name__)

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
MAX_REDIRECTS = 5
CHUNK_SIZE = 256 * 1024
# Characters sent as they are in a query value: RFC 3986 unreserved plus the sub-delimiters
# and separators DICOM matching uses; "&", "=", "+", "%", "#" and spaces are encoded.
_QUERY_SAFE = "*?,-._~:/@!$'()"


class _RedactQueryFilter(logging.Filter):
    """Drop query strings from urllib3's request log lines (they can hold patient names)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple) and record.args:
            record.args = tuple(
                a.split("?", 1)[0] + "?..." if isinstance(a, str) and "?" in a else a
                for a in record.args
            )
        return True


logging.getLogger("urllib3.connectionpool").addFilter(_RedactQueryFilter())


def encode_query(pairs: Sequence[tuple[str, str]]) -> str:
    """A query string from ``(key, value)`` pairs, wildcards and ranges left unencoded."""
    return "&".join(f"{quote(k, safe='')}={quote(v, safe=_QUERY_SAFE)}" for k, v in pairs)


def host_of(url: str) -> str:
    """The host (and port) of ``url`` without any user information, for messages."""
    parts = urlsplit(url)
    return parts.hostname and (f"{parts.hostname}:{parts.port}" if parts.port else parts.hostname) or url


def _origin(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    port = parts.port or {"http": 80, "https": 443}.get(parts.scheme)
    return parts.scheme, (parts.hostname or "").lower(), port


def _megabytes(n_bytes: int) -> str:
    return f"{n_bytes / 1e6:g} MB"


def _amount(n_bytes: int) -> str:
    if n_bytes < 10_000:
        return f"{n_bytes} bytes"
    return f"{n_bytes / 1000:.0f} kB"


def _unreachable_reason(exc: BaseException, profile: ArchiveProfile) -> str:
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return f"it did not accept a connection within {profile.connect_timeout_s:g} s"
    if isinstance(exc, (requests.exceptions.ReadTimeout, urllib3.exceptions.ReadTimeoutError,
                        TimeoutError)):
        return f"it stopped answering for {profile.read_timeout_s:g} s"
    text = str(exc).lower()
    if "refused" in text:
        return "the connection was refused (is the archive running?)"
    if any(s in text for s in ("name or service not known", "nodename nor servname",
                               "getaddrinfo failed", "name resolution", "no address")):
        return "its host name could not be found"
    if isinstance(exc, (urllib3.exceptions.ProtocolError, http.client.IncompleteRead)) or any(
        s in text for s in ("reset", "aborted", "remote end closed", "incomplete", "broken")
    ):
        return "the connection was dropped"
    return "the connection failed"


class Transport:
    """The pooled HTTP session of one archive profile (PS3.18 8.1)."""

    def __init__(
        self,
        profile: ArchiveProfile,
        *,
        session: requests.Session | None = None,
        retries: int = 3,
        backoff_s: float = 0.5,
        max_backoff_s: float = 8.0,
    ) -> None:
        self.profile = profile
        self.base_url = profile.url.rstrip("/")
        self.host = host_of(profile.url)
        self.retries = max(0, retries)
        self.backoff_s = backoff_s
        self.max_backoff_s = max_backoff_s
        if session is None:
            session = requests.Session()
            adapter = DeadlineAdapter(
                pool_connections=1,
                pool_maxsize=max(1, profile.max_connections),
                max_retries=0,
            )
            session.mount("http://", adapter)
            session.mount("https://", adapter)
        self.session = session
        self.verify: bool | str = profile.ca_bundle or profile.verify_tls
        self.timeout = (profile.connect_timeout_s, profile.read_timeout_s)
        self._auth: requests.auth.AuthBase | None = None
        self._auth_loaded = False
        self.origin = _origin(self.base_url)
        self.max_json_bytes = int(profile.max_json_mb * 1e6)
        self.max_instance_bytes = int(profile.max_instance_mb * 1e6)
        self._deadlines: weakref.WeakKeyDictionary[requests.Response, Deadline] = (
            weakref.WeakKeyDictionary()
        )

    # -- URLs ----------------------------------------------------------------------------------

    def url(self, *segments: str, query: Sequence[tuple[str, str]] = ()) -> str:
        """``base/seg1/seg2?query``, each segment percent-encoded (commas kept: frame lists)."""
        path = "/".join(quote(s, safe=",") for s in segments)
        url = f"{self.base_url}/{path}" if path else self.base_url
        if query:
            url += "?" + encode_query(query)
        return url

    def absolute(self, uri: str) -> str:
        """A URI from the archive (a BulkDataURI, a RetrieveURL) made absolute."""
        if uri.startswith(("http://", "https://")):
            return uri
        return f"{self.base_url}/{uri.lstrip('/')}"

    # -- requests ------------------------------------------------------------------------------

    def auth(self) -> requests.auth.AuthBase | None:
        """The request authentication, read once from the keyring or the environment."""
        if not self._auth_loaded:
            creds = credentials_for(self.profile)
            self._auth = creds.requests_auth() if creds else None
            self._auth_loaded = True
        return self._auth

    def request(
        self,
        method: str,
        url: str,
        *,
        headers: Mapping[str, str] | None = None,
        data: bytes | Iterator[bytes] | None = None,
        what: str = "resource",
        cancel: CancelToken | None = None,
        accept_statuses: frozenset[int] = frozenset(),
    ) -> requests.Response:
        """Send one request; retry idempotent ones; map failures to typed errors.

        Statuses in ``accept_statuses`` are returned to the caller instead of raising (used for
        the transfer-syntax fall-back on 400/406). The response is always streamed: read it with
        :meth:`iter_body` or :meth:`read_body`, which keep to its deadline.
        """
        idempotent = method in ("GET", "HEAD")
        attempts = 1 + (self.retries if idempotent else 0)
        path = urlsplit(url).path
        redirects = 0
        attempt = 0
        renewed = False
        while attempt < attempts:
            if cancel is not None:
                cancel.raise_if_cancelled()
            # Credentials go only to the archive's own origin (a BulkDataURI or RetrieveURL
            # naming another host gets none).
            auth = self.auth() if self._same_site(url) else None
            prepared = self.session.prepare_request(
                requests.Request(method, url, headers=dict(headers or {}), data=data, auth=auth)
            )
            prepared.url = url  # keep our query encoding: requests would encode "*" and "^"
            # Always streamed: requests would otherwise read a body of any size into memory.
            settings = self.session.merge_environment_settings(url, {}, True, self.verify, None)
            deadline = self._new_deadline(what)
            started = deadline.started
            try:
                with watching(deadline):
                    response = self.session.send(prepared, timeout=self.timeout,
                                                 allow_redirects=False, **settings)
            except requests.exceptions.SSLError:
                raise ArchiveError(
                    f"The secure connection to the archive at {self.host} failed: its "
                    "certificate could not be verified. Check the URL and the CA bundle in the "
                    "archive settings.",
                    retryable=False,
                ) from None
            except (requests.exceptions.ConnectionError, requests.exceptions.Timeout) as exc:
                if deadline.passed():  # the watchdog ended a status line or headers dripping in
                    raise self._too_slow(deadline) from None
                reason = _unreachable_reason(exc, self.profile)
                log.info("%s %s failed (attempt %d/%d): %s", method, path, attempt + 1,
                         attempts, reason)
                if attempt + 1 < attempts:
                    self._sleep(self._backoff(attempt), cancel)
                    attempt += 1
                    continue
                raise ArchiveError(
                    f"The archive at {self.host} could not be reached: {reason}. "
                    "Check the URL and your connection.",
                    retryable=True,
                ) from None
            status = response.status_code
            log.debug("%s %s -> %d in %.2f s", method, path, status, time.monotonic() - started)
            if deadline.passed():  # the status line and headers came slower than the floor
                response.close()
                raise self._too_slow(deadline)
            if status in accept_statuses:
                return self._track(response, deadline)
            if status in REDIRECT_STATUSES:
                target = urljoin(url, response.headers.get("Location", ""))
                response.close()
                url = self._redirect_target(url, target, what, redirects)
                redirects += 1
                if status == 303:
                    method, data = "GET", None
                continue
            if status in RETRY_STATUSES and attempt + 1 < attempts:
                delay = self._retry_after(response) or self._backoff(attempt)
                response.close()
                log.info("%s %s answered %d; retrying in %.2f s", method, path, status, delay)
                self._sleep(delay, cancel)
                attempt += 1
                continue
            if (status == 401 and not renewed and (data is None or isinstance(data, bytes))
                    and self._renew_credentials(auth, prepared)):
                response.close()  # a signed-in session's token rejected early: renewed, sent again
                renewed = True
                continue
            if status >= 400:
                response.close()
                raise self.error_for(status, what)
            return self._track(response, deadline)
        raise AssertionError("unreachable")  # pragma: no cover

    @staticmethod
    def _renew_credentials(auth: requests.auth.AuthBase | None,
                           prepared: requests.PreparedRequest) -> bool:
        """On HTTP 401, let a renewable credential (an OpenID Connect session's access token,
        RFC 6750 3.1 ``invalid_token``) refresh itself; ``True`` when the request may be sent
        again with the new one. Raises :class:`AuthError` when the renewal is refused."""
        renew = getattr(auth, "renew_after_rejection", None)
        return bool(renew(prepared)) if callable(renew) else False

    def get(self, url: str, *, accept: str, compressed: bool = True,
            **kwargs: Any) -> requests.Response:
        """GET with an Accept header (PS3.18 8.7, "Acceptable Media Types").

        ``compressed=False`` asks for no content coding (``Accept-Encoding: identity``): gzip of
        pixel data costs the archive more time than it saves on a fast link (Orthanc 1.10
        served a 0.5 MB CT instance in 46 ms gzipped against 3 ms plain, on loopback).
        """
        headers = {"Accept": accept}
        if not compressed:
            headers["Accept-Encoding"] = "identity"
        return self.request("GET", url, headers=headers, **kwargs)

    def get_json(self, url: str, *, what: str, cancel: CancelToken | None = None) -> Any:
        """GET a DICOM JSON resource (PS3.18 F.2); ``[]`` for 204 No Content.

        The body is read up to ``max_json_mb``: a larger answer is refused unread."""
        response = self.get(url, accept="application/dicom+json", what=what, cancel=cancel)
        if response.status_code == 204:
            response.close()
            return []
        return self.parse_json(self.read_body(response, self.max_json_bytes, what, cancel), what)

    def parse_json(self, body: bytes, what: str) -> Any:
        """``body`` as JSON (``[]`` when empty); one sentence when it is not JSON."""
        if not body.strip():
            return []
        try:
            return json.loads(body)
        except ValueError:
            raise ArchiveError(
                f"The archive at {self.host} answered with a {what} that is not valid DICOM "
                "JSON (PS3.18 F.2); check that the URL points to a DICOMweb service."
            ) from None

    def read_body(self, response: requests.Response, limit: int, what: str,
                  cancel: CancelToken | None = None) -> bytes:
        """The whole body of ``response`` if it is at most ``limit`` bytes; otherwise
        :class:`ArchiveError` in one sentence, having read no more than ``limit`` bytes (and
        none at all when Content-Length already says so)."""
        declared = response.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > limit:
            response.close()
            raise self.too_large(what, limit)
        pieces: list[bytes] = []
        size = 0
        chunks = self.iter_body(response, cancel)
        try:
            for chunk in chunks:
                size += len(chunk)
                if size > limit:
                    raise self.too_large(what, limit)
                pieces.append(chunk)
        finally:
            chunks.close()
        return b"".join(pieces)

    def too_large(self, what: str, limit: int) -> ArchiveError:
        """The sentence for a response larger than it can reasonably be."""
        return ArchiveError(
            f"The archive at {self.host} sent a {what} larger than {_megabytes(limit)}, more "
            "than it can reasonably be, so it was not read: narrow the request, or raise the "
            "limit in the archive settings if the archive really holds such objects."
        )

    def iter_body(
        self, response: requests.Response, cancel: CancelToken | None = None
    ) -> Generator[bytes, None, None]:
        """The response body in chunks as they arrive; a dropped connection raises
        TransferInterrupted. ``cancel`` is checked before each chunk; cancelling closes the
        response. A response slower than the throughput floor (its :class:`Deadline`) raises
        :class:`ArchiveError` naming the archive.

        Chunks are read with ``read1`` (whatever the socket has, up to CHUNK_SIZE) so the first
        instance of a slow transfer is parsed as soon as its bytes are here.
        """
        raw = response.raw
        deadline = self._deadlines.get(response) or self._new_deadline("response")
        try:
            if cancel is not None:
                cancel.raise_if_cancelled()
            if hasattr(raw, "read1"):
                while True:
                    chunk = raw.read1(CHUNK_SIZE, decode_content=True)
                    if not chunk:
                        break
                    if cancel is not None and cancel.cancelled:
                        raise Cancelled("The transfer was cancelled.")
                    deadline.add(len(chunk))
                    if deadline.passed():
                        raise self._too_slow(deadline)
                    yield chunk
            else:  # pragma: no cover - urllib3 < 2
                for chunk in response.iter_content(CHUNK_SIZE):
                    if cancel is not None and cancel.cancelled:
                        raise Cancelled("The transfer was cancelled.")
                    deadline.add(len(chunk))
                    if deadline.passed():
                        raise self._too_slow(deadline)
                    yield chunk
        except (requests.exceptions.RequestException, urllib3.exceptions.HTTPError,
                http.client.HTTPException, OSError) as exc:
            raise TransferInterrupted(
                f"The transfer from the archive at {self.host} was cut short "
                f"({_unreachable_reason(exc, self.profile)}); try again.",
                retryable=True,
            ) from None
        finally:
            response.close()

    # -- helpers -------------------------------------------------------------------------------

    def _new_deadline(self, what: str) -> Deadline:
        return Deadline(self.profile.deadline_grace_s, self.profile.min_throughput_kbps * 1000,
                        what=what)

    def _track(self, response: requests.Response, deadline: Deadline) -> requests.Response:
        self._deadlines[response] = deadline
        return response

    def _too_slow(self, deadline: Deadline) -> ArchiveError:
        return ArchiveError(
            f"The archive '{self.profile.name}' at {self.host} is too slow: it sent "
            f"{_amount(deadline.received)} in {deadline.elapsed():.1f} s, under the "
            f"{self.profile.min_throughput_kbps:g} kB/s the workstation waits for after "
            f"{self.profile.deadline_grace_s:g} s, so the {deadline.what} was abandoned; try again later, "
            "or tell the archive's administrator.",
            retryable=True,
        )

    def _same_site(self, url: str) -> bool:
        """Whether ``url`` is on the archive's own host: same scheme and port, or https on the
        same host name (an upgrade, RFC 9110 4.2.2)."""
        scheme, host, port = _origin(url)
        base_scheme, base_host, base_port = self.origin
        if host != base_host:
            return False
        return (scheme, port) == (base_scheme, base_port) or scheme == "https"

    def _redirect_target(self, url: str, target: str, what: str, redirects: int) -> str:
        """The URL to follow a redirect to, or :class:`ArchiveError` refusing it: only the
        archive's own host is followed, so credentials never go elsewhere."""
        if not self._same_site(target):
            raise ArchiveError(
                f"The archive at {self.host} redirected the {what} request to another server "
                f"({host_of(target)}); it was not followed, so the archive's credentials stay "
                "with the archive: if that server is the archive, put its URL in the archive "
                "settings.",
            )
        if redirects >= MAX_REDIRECTS:
            raise ArchiveError(
                f"The archive at {self.host} redirected the {what} request more than "
                f"{MAX_REDIRECTS} times; check the URL in the archive settings."
            )
        log.info("Following a redirect from %s to %s", urlsplit(url).path, urlsplit(target).path)
        return target

    def error_for(self, status: int, what: str) -> ArchiveError:
        """The typed error, in one sentence, for an HTTP failure status."""
        host = self.host
        if status == 401 and self.profile.auth == "oidc":
            return AuthError(
                f"The archive at {host} did not accept your sign-in (HTTP 401): sign in again "
                "with 'workstation login', or ask the archive's administrator whether your "
                "account may use it.",
                status=status,
            )
        if status == 401:
            return AuthError(
                f"The archive at {host} did not accept the user name or password "
                "(HTTP 401): check them in the archive settings.",
                status=status,
            )
        if status == 403:
            return AuthError(
                f"The archive at {host} accepted the login but does not allow this account to "
                f"read or store this {what} (HTTP 403): ask the archive's administrator for "
                "access.",
                status=status,
            )
        if status == 404:
            return NotFoundError(
                f"The archive at {host} does not hold the requested {what} (HTTP 404).",
                status=status,
            )
        if status == 429:
            return ArchiveError(
                f"The archive at {host} is busy and asked us to slow down (HTTP 429): try "
                "again in a moment.",
                status=status,
                retryable=True,
            )
        if status >= 500:
            return ArchiveError(
                f"The archive at {host} failed to answer the {what} request "
                f"(HTTP {status}): try again later, or tell the archive's administrator.",
                status=status,
                retryable=True,
            )
        return ArchiveError(
            f"The archive at {host} refused the {what} request (HTTP {status}).",
            status=status,
        )

    def _backoff(self, attempt: int) -> float:
        return float(min(self.max_backoff_s, self.backoff_s * (2**attempt)))

    def _retry_after(self, response: requests.Response) -> float | None:
        value = response.headers.get("Retry-After", "").strip()
        if not value:
            return None
        if value.isdigit():
            return min(self.max_backoff_s, float(value))
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        return max(0.0, min(self.max_backoff_s, when.timestamp() - time.time()))

    @staticmethod
    def _sleep(seconds: float, cancel: CancelToken | None) -> None:
        deadline = time.monotonic() + seconds
        while True:
            if cancel is not None:
                cancel.raise_if_cancelled()
            left = deadline - time.monotonic()
            if left <= 0:
                return
            time.sleep(min(left, 0.05))

    def close(self) -> None:
        self.session.close()
