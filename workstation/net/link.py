"""The link to one archive: its throughput, measured from the transfers, and the transfer syntax
asked for because of it.

On a fast LAN the stored bytes are best (``transfer-syntax=*``, PS3.18 8.7.3.5): the archive
does no work and the client decodes whatever was stored. On a slow link (a home connection) an
archive that stores uncompressed images sends four to five times more than it needs to, so the
client asks for a lossless compressed syntax the archive can produce (PS3.18 8.7.3.5 lets the
Accept header name one) and decodes it itself; lossless means the pixels are the stored ones
(PS3.5 8.2: JPEG-LS lossless, JPEG lossless SV1, JPEG 2000 reversible).

* :class:`LinkMeter` measures the link from the retrieve responses themselves, no setting to
  guess: bytes on the wire divided by the time spent waiting for them. Time to the first byte
  (the archive reading or transcoding, the round trip) is left out, so a busy archive on a fast
  LAN is not mistaken for a slow link, and so is time the reader spends elsewhere (a throttled
  background transfer). Several concurrent responses are one link: their bytes add up over the
  same time. An archive on this machine (a loopback URL) is never behind a slow link.
* :class:`SyntaxChoice` learns, per archive, which of the lossless syntaxes it produces: a
  syntax it answered with the images is kept; one it refused (Orthanc without its GDCM plugin
  answers 500 to JPEG 2000 and RLE, 400 to HTJ2K) before it ever worked is not asked again.
* :func:`link_for` keeps one :class:`ArchiveLink` per archive URL for the whole process, so
  every client of the same archive (viewer, prefetch, pull) shares what was learnt.
"""

from __future__ import annotations

import ipaddress
import threading
import time
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass, field
from urllib.parse import urlsplit

#: Below this measured throughput the link is "slow" and a compressed syntax is asked for:
#: 150 Mbit/s, in bytes per second. Orthanc 1.10 transcodes a 512x512 CT slice to JPEG-LS in
#: about 25 ms per thread and the client decodes it in about 6 ms, so compressing wins well
#: above 50 Mbit/s and loses on a gigabit LAN.
SLOW_LINK_BYTES_PER_S = 150e6 / 8

JPEG_LS_LOSSLESS = "1.2.840.10008.1.2.4.80"
JPEG_LOSSLESS_SV1 = "1.2.840.10008.1.2.4.70"
JPEG2000_LOSSLESS = "1.2.840.10008.1.2.4.90"
#: Lossless syntaxes in order of preference: JPEG-LS compresses CT best of the three and
#: decodes fastest (about 4:1 on a real CT slice, against 2.8:1 for JPEG lossless).
LOSSLESS_SYNTAXES = (JPEG_LS_LOSSLESS, JPEG_LOSSLESS_SV1, JPEG2000_LOSSLESS)

#: The single-frame media type of each syntax, for frame retrieval (PS3.18 Table 8.7.3-2).
FRAME_MEDIA_TYPES = {
    JPEG_LS_LOSSLESS: "image/jls",
    JPEG_LOSSLESS_SV1: "image/jpeg",
    JPEG2000_LOSSLESS: "image/jp2",
}

#: What a meter needs before it gives a rate: this much body time, and this many bytes.
MIN_SAMPLE_S = 0.05
MIN_SAMPLE_BYTES = 128 * 1024
#: Refusals of a syntax that never worked before it is no longer asked for.
REFUSALS_BEFORE_DROP = 2


class LinkMeter:
    """Throughput of one link, from the bodies of the responses that cross it (thread-safe).

    Each response is wrapped with :meth:`metered`. Time counts only while a reader waits for
    the link: from asking for a chunk until it comes, and only while at least one body is being
    waited for (concurrent bodies share the link: their bytes add up over the same time). A
    reader that pauses (a throttled background transfer, a busy decoder) then finds its bytes
    already there, which is the link being fast, not slow. Each body's first chunk is left out
    (its wait is the archive's work and the round trip). A sample is taken once
    ``MIN_SAMPLE_S`` and ``MIN_SAMPLE_BYTES`` have accrued; the rate is an exponentially
    weighted mean of the samples (weight ``alpha``).
    """

    def __init__(self, *, alpha: float = 0.5, clock: Callable[[], float] = time.monotonic) -> None:
        self._alpha = alpha
        self._clock = clock
        self._lock = threading.Lock()
        self._waiting = 0
        self._busy_since = 0.0
        self._busy_s = 0.0
        self._bytes = 0
        self._rate: float | None = None
        self.samples = 0
        self.bytes_total = 0

    @property
    def rate(self) -> float | None:
        """Bytes per second, or ``None`` before the first sample."""
        with self._lock:
            return self._rate

    def metered(self, chunks: Iterator[bytes],
                wire: Callable[[], int] | None = None) -> Generator[bytes, None, None]:
        """``chunks`` unchanged, counted as one response body; closing this closes ``chunks``.
        ``wire()`` gives the bytes received so far on the wire (a gzip-coded body is counted
        as sent, not as decoded); without it, the chunks' lengths count."""
        first = True
        last = 0

        def received(chunk: bytes) -> int:
            nonlocal last
            if wire is None:
                return len(chunk)
            now, before = wire(), last
            last = now
            return max(0, now - before)

        try:
            while True:
                if first:
                    chunk = next(chunks, None)
                    if chunk is None:
                        return
                    n = received(chunk)
                    with self._lock:
                        self.bytes_total += n
                    first = False
                else:
                    self._wait_begins()
                    chunk = None
                    try:
                        chunk = next(chunks, None)
                    finally:
                        self._wait_ends(received(chunk) if chunk else 0)
                    if chunk is None:
                        return
                yield chunk
        finally:
            close = getattr(chunks, "close", None)
            if close is not None:
                close()

    def _wait_begins(self) -> None:
        with self._lock:
            if self._waiting == 0:
                self._busy_since = self._clock()
            self._waiting += 1

    def _wait_ends(self, n_bytes: int) -> None:
        now = self._clock()
        with self._lock:
            self._waiting -= 1
            self._bytes += n_bytes
            self.bytes_total += n_bytes
            if self._waiting == 0:
                self._busy_s += now - self._busy_since
            self._sample(now)

    def _sample(self, now: float) -> None:
        busy = self._busy_s + (now - self._busy_since if self._waiting else 0.0)
        if busy < MIN_SAMPLE_S or self._bytes < MIN_SAMPLE_BYTES:
            return
        rate = self._bytes / busy
        self._rate = rate if self._rate is None else (
            self._alpha * rate + (1 - self._alpha) * self._rate)
        self.samples += 1
        self._bytes = 0
        self._busy_s = 0.0
        self._busy_since = now


@dataclass
class SyntaxChoice:
    """Which lossless syntaxes one archive produces, as learnt from its answers."""

    preference: tuple[str, ...] = LOSSLESS_SYNTAXES
    accepted: set[str] = field(default_factory=set)
    refusals: dict[str, int] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def candidates(self) -> list[str]:
        """The syntaxes still worth asking for, best first (accepted ones first of all)."""
        with self._lock:
            usable = [s for s in self.preference
                      if s in self.accepted or self.refusals.get(s, 0) < REFUSALS_BEFORE_DROP]
            return sorted(usable, key=lambda s: s not in self.accepted)

    def worked(self, syntax: str) -> None:
        with self._lock:
            self.accepted.add(syntax)

    def refused(self, syntax: str) -> None:
        """The archive refused ``syntax`` for one request. A syntax that worked before stays
        (that instance may be stored in a form the archive cannot transcode)."""
        with self._lock:
            self.refusals[syntax] = self.refusals.get(syntax, 0) + 1

    def dropped(self) -> list[str]:
        with self._lock:
            return [s for s in self.preference if s not in self.accepted
                    and self.refusals.get(s, 0) >= REFUSALS_BEFORE_DROP]


@dataclass
class ArchiveLink:
    """The link to one archive: its meter, what it transcodes to, and the choice made of them."""

    meter: LinkMeter = field(default_factory=LinkMeter)
    syntaxes: SyntaxChoice = field(default_factory=SyntaxChoice)
    slow_below: float = SLOW_LINK_BYTES_PER_S
    #: An archive on this machine is never behind a slow link (a busy archive is not a slow
    #: link: compressing would only add its work); :func:`link_for` sets it for loopback URLs.
    local: bool = False

    @property
    def slow(self) -> bool:
        """Whether the measured link is slow (unmeasured counts as fast: the stored bytes first,
        whose transfer measures the link)."""
        rate = self.meter.rate
        return not self.local and rate is not None and rate < self.slow_below

    @property
    def fresh(self) -> bool:
        """Nothing has crossed the link yet (the first image of a session is on its way)."""
        return self.meter.bytes_total == 0

    def syntaxes_to_ask(self) -> list[str]:
        """Compressed syntaxes to try in order before the stored one; empty on a fast link."""
        return self.syntaxes.candidates() if self.slow else []

    def describe(self) -> str:
        """One line for logs and benchmarks (no patient data)."""
        rate = self.meter.rate
        speed = "not measured yet" if rate is None else f"{rate * 8 / 1e6:.0f} Mbit/s"
        asks = self.syntaxes_to_ask()
        return f"link {speed}; asking for {asks[0] if asks else 'the stored transfer syntax'}"


def measured_rate(source: object, default: float) -> float:
    """The link rate measured to ``source`` (a client with a ``link``), in bytes per second, or
    ``default`` while it is not measured: what a background transfer's share is taken of."""
    rate = getattr(getattr(getattr(source, "link", None), "meter", None), "rate", None)
    return float(rate) if isinstance(rate, (int, float)) and rate > 0 else default


_LINKS: dict[str, ArchiveLink] = {}
_LINKS_LOCK = threading.Lock()


def _is_loopback(url: str) -> bool:
    host = (urlsplit(url).hostname or "").lower()
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def link_for(url: str) -> ArchiveLink:
    """The process-wide :class:`ArchiveLink` of the archive at ``url`` (``local`` when the URL
    names this machine: 127.0.0.0/8, ::1 or localhost)."""
    key = url.rstrip("/")
    with _LINKS_LOCK:
        link = _LINKS.get(key)
        if link is None:
            link = _LINKS[key] = ArchiveLink(local=_is_loopback(url))
        return link


__all__ = [
    "FRAME_MEDIA_TYPES", "JPEG2000_LOSSLESS", "JPEG_LOSSLESS_SV1", "JPEG_LS_LOSSLESS",
    "LOSSLESS_SYNTAXES", "SLOW_LINK_BYTES_PER_S", "ArchiveLink", "LinkMeter", "SyntaxChoice",
    "link_for", "measured_rate",
]
