"""A deadline per HTTP response that scales with its size: a floor on throughput.

Per-read timeouts (``read_timeout_s``) catch an archive that stops answering, but not one that
drips a byte every few seconds: each read succeeds and the transfer never ends. A
:class:`Deadline` allows a response ``grace_s`` seconds plus the time the bytes received so far
take at ``floor`` bytes per second, so a healthy transfer of any size is never cut (it earns
time as it goes) while one that falls under the floor ends after at most
``grace_s + size / floor`` seconds, the size being bounded by the response caps
(``max_json_mb``, ``max_instance_mb``).

The body is checked between chunks by the reader (``Transport.iter_body``); the status line and
headers by :class:`DeadlineAdapter`, whose connections a watchdog thread shuts down when the
deadline passes.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import requests.adapters
import urllib3.connection
import urllib3.connectionpool


@dataclass
class Deadline:
    """The time one response may take: ``grace_s`` + bytes received / ``floor_bytes_per_s``."""

    grace_s: float
    floor_bytes_per_s: float
    what: str = "response"  # what was asked for, for the sentence ("study search")
    started: float = field(default_factory=time.monotonic)
    received: int = 0

    def elapsed(self) -> float:
        """Seconds since the request was sent."""
        return time.monotonic() - self.started

    def allowed_s(self) -> float:
        """Seconds the response may take so far, given what it has sent."""
        if self.floor_bytes_per_s <= 0:
            return float("inf")
        return self.grace_s + self.received / self.floor_bytes_per_s

    def add(self, n_bytes: int) -> None:
        """Count ``n_bytes`` more received."""
        self.received += n_bytes

    def passed(self) -> bool:
        """Whether the response is now slower than the floor allows."""
        return self.elapsed() > self.allowed_s()


# -- the status line and headers ----------------------------------------------------------------
#
# Until the headers are complete the client is inside ``http.client``, reading the status line
# and header lines one recv at a time: a server dripping them is not seen by the checks between
# body chunks. For that phase a watchdog thread shuts the socket down when the deadline passes,
# which ends the blocked read at once; the caller then sees the deadline passed and says so.

_current = threading.local()


@contextmanager
def watching(deadline: Deadline) -> Iterator[None]:
    """Make ``deadline`` the one the connections of this thread are held to while inside."""
    previous = getattr(_current, "deadline", None)
    _current.deadline = deadline
    try:
        yield
    finally:
        _current.deadline = previous


class _Watchdog:
    """One daemon thread that shuts down the sockets whose deadline has passed."""

    def __init__(self, period_s: float = 0.05) -> None:
        self.period_s = period_s
        self._watched: dict[int, tuple[socket.socket, Deadline]] = {}
        self._lock = threading.Condition()
        self._thread: threading.Thread | None = None
        self._next = 0

    def watch(self, sock: socket.socket, deadline: Deadline) -> int:
        with self._lock:
            self._next += 1
            self._watched[self._next] = (sock, deadline)
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="http-deadline",
                                                daemon=True)
                self._thread.start()
            self._lock.notify()
            return self._next

    def unwatch(self, token: int) -> None:
        with self._lock:
            self._watched.pop(token, None)

    def _run(self) -> None:
        while True:
            with self._lock:
                while not self._watched:
                    self._lock.wait()
                expired = [(t, s) for t, (s, d) in self._watched.items() if d.passed()]
                for token, _ in expired:
                    del self._watched[token]
            for _, sock in expired:
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass  # already closed
            time.sleep(self.period_s)


_WATCHDOG = _Watchdog()


class _WatchedResponses:
    """Holds ``getresponse`` (status line and headers) to the thread's current deadline."""

    sock: socket.socket | None

    def getresponse(self) -> Any:
        deadline: Deadline | None = getattr(_current, "deadline", None)
        sock = getattr(self, "sock", None)
        if deadline is None or sock is None:
            return super().getresponse()  # type: ignore[misc]
        token = _WATCHDOG.watch(sock, deadline)
        try:
            return super().getresponse()  # type: ignore[misc]
        finally:
            _WATCHDOG.unwatch(token)


class _HTTPConnection(_WatchedResponses, urllib3.connection.HTTPConnection):
    pass


class _HTTPSConnection(_WatchedResponses, urllib3.connection.HTTPSConnection):
    pass


class _HTTPPool(urllib3.connectionpool.HTTPConnectionPool):
    ConnectionCls = _HTTPConnection


class _HTTPSPool(urllib3.connectionpool.HTTPSConnectionPool):
    ConnectionCls = _HTTPSConnection


class DeadlineAdapter(requests.adapters.HTTPAdapter):
    """A ``requests`` adapter whose connections keep to the deadline set by :func:`watching`
    while they wait for the status line and headers."""

    def init_poolmanager(self, connections: int, maxsize: int, block: bool = False,
                         **pool_kwargs: Any) -> None:
        super().init_poolmanager(connections, maxsize, block, **pool_kwargs)
        self.poolmanager.pool_classes_by_scheme = {"http": _HTTPPool, "https": _HTTPSPool}
