"""Bandwidth for background transfers (prior prefetch) so the study being read always comes first.

A token bucket (the classic traffic shaper, RFC 2697's single-rate form): tokens are bytes, they
accrue at ``rate`` bytes per second up to ``burst``; a transfer that has received ``n`` bytes
takes ``n`` tokens and sleeps while the bucket is in debt. Called between instances of a
streamed WADO-RS retrieve (PS3.18 10.4), the pause stops reading the socket, and TCP flow control
slows the sender: over any window the bytes taken stay under ``rate * window + burst``.

:class:`BackgroundThrottle` is what prior prefetch uses (the interface described in
:mod:`workstation.hanging.prefetch`): while the current study is loading (``set_busy(True)``,
told by the UI thread) prior bytes are held to ``busy_rate`` (0 pauses them); once it has
arrived they run at ``idle_rate`` (None: unthrottled). No Qt here: it is called from transfer
worker threads and is thread-safe.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Protocol

from workstation.errors import Cancelled
from workstation.model.source import CancelToken

#: The link speed assumed when none was measured: 100 Mbit/s, in bytes per second.
DEFAULT_LINK_BYTES_PER_S = 12_500_000.0
#: How long a paused or throttled transfer sleeps at most before looking again (cancel, rate changes).
_POLL_S = 0.05


class ByteThrottle(Protocol):
    """What :func:`workstation.net.transfer.pull_study` calls after each instance it receives."""

    def consume(self, n_bytes: int, cancel: CancelToken | None = None) -> None:
        """Account for ``n_bytes`` just received, sleeping as long as the budget requires."""
        ...


class TokenBucket:
    """Bytes per second with a burst allowance; ``rate`` None is unlimited, 0 is paused."""

    def __init__(self, rate: float | None, burst: float = 256 * 1024, *,
                 clock: Callable[[], float] = time.monotonic) -> None:
        if rate is not None and rate < 0:
            raise ValueError("rate must be >= 0 bytes per second, or None for unlimited")
        if burst <= 0:
            raise ValueError("burst must be > 0 bytes")
        self._rate = rate
        self.burst = float(burst)
        self._clock = clock
        self._tokens = float(burst)
        self._stamp = clock()
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        self.bytes_taken = 0

    @property
    def rate(self) -> float | None:
        return self._rate

    def set_rate(self, rate: float | None) -> None:
        """Change the rate now (a paused transfer wakes up at once)."""
        if rate is not None and rate < 0:
            raise ValueError("rate must be >= 0 bytes per second, or None for unlimited")
        with self._lock:
            self._refill()
            self._rate = rate
            self._changed.notify_all()

    def _refill(self) -> None:
        now = self._clock()
        if self._rate:
            self._tokens = min(self.burst, self._tokens + (now - self._stamp) * self._rate)
        self._stamp = now

    def consume(self, n_bytes: int, cancel: CancelToken | None = None) -> None:
        """Take ``n_bytes`` tokens; wait while the bucket is in debt (or the rate is 0)."""
        with self._lock:
            self.bytes_taken += n_bytes
            if self._rate is None:
                return
            self._refill()
            self._tokens -= n_bytes
            while True:
                if cancel is not None and cancel.cancelled:
                    raise Cancelled("The background transfer was cancelled.")
                if self._rate is None:
                    self._tokens = min(self._tokens, self.burst)
                    return
                self._refill()
                if self._tokens >= 0:
                    return
                wait = _POLL_S if not self._rate else min(_POLL_S, -self._tokens / self._rate)
                self._changed.wait(max(wait, 0.001))

    def wait_for_budget(self, cancel: CancelToken | None = None) -> None:
        """Before opening a request: wait while paused (rate 0) or in debt, so that a paused
        background transfer does not even start its next stream."""
        with self._lock:
            while True:
                if cancel is not None and cancel.cancelled:
                    raise Cancelled("The background transfer was cancelled.")
                if self._rate is None:
                    return
                self._refill()
                if self._rate > 0 and self._tokens >= 0:
                    return
                wait = _POLL_S if not self._rate else min(_POLL_S, -self._tokens / self._rate)
                self._changed.wait(max(wait, 0.001))


class BackgroundThrottle:
    """The prior prefetch's share of the link: ``busy_rate`` while the current study loads,
    ``idle_rate`` after (None: unthrottled). Start busy: priors wait for the current study."""

    def __init__(self, busy_rate: float, idle_rate: float | None = None, *, burst: float = 256 * 1024,
                 busy: bool = True) -> None:
        self.busy_rate = busy_rate
        self.idle_rate = idle_rate
        self._busy = busy
        self.bucket = TokenBucket(busy_rate if busy else idle_rate, burst)
        #: the link rate (bytes/s) the share was taken of, when made by :meth:`for_share`
        self.link_rate: float | None = None

    @classmethod
    def for_share(cls, share: float, link_bytes_per_s: float = DEFAULT_LINK_BYTES_PER_S, **kwargs: object) -> BackgroundThrottle:
        """Hold priors to ``share`` (0 < share <= 1) of the link while the current study loads."""
        if not 0 <= share <= 1:
            raise ValueError("share must be from 0 to 1")
        throttle = cls(share * link_bytes_per_s, **kwargs)  # type: ignore[arg-type]
        throttle.link_rate = link_bytes_per_s
        return throttle

    @property
    def busy(self) -> bool:
        return self._busy

    def set_busy(self, busy: bool) -> None:
        """The current study is (still) loading, or has arrived."""
        if busy != self._busy:
            self._busy = busy
            self.bucket.set_rate(self.busy_rate if busy else self.idle_rate)

    @property
    def bytes_taken(self) -> int:
        return self.bucket.bytes_taken

    def consume(self, n_bytes: int, cancel: CancelToken | None = None) -> None:
        self.bucket.consume(n_bytes, cancel)

    def wait_for_budget(self, cancel: CancelToken | None = None) -> None:
        self.bucket.wait_for_budget(cancel)


__all__ = ["DEFAULT_LINK_BYTES_PER_S", "BackgroundThrottle", "ByteThrottle", "TokenBucket"]
