"""A TCP proxy on loopback that behaves like a home internet link, for tests and benchmarks.

Each direction is one link shared by every connection: a token bucket (bytes per second, a
small burst) serialises the bytes, then each chunk is held for the one-way delay before it is
written on. Buffers are bounded: a reader blocks when its connection has more than the bytes in
flight on the link (rate x one-way delay) plus ``max_buffer`` waiting, so a slow reader slows
the sender through TCP flow control as a real link would, and one connection can still fill the
link.
``bytes_down`` / ``bytes_up`` count what crossed it (the bytes "on the wire").
"""

from __future__ import annotations

import collections
import socket
import threading
import time
from dataclasses import dataclass, field

CHUNK = 16 * 1024


class _Bucket:
    """Token bucket shared by the connections of one direction (RFC 2697 single rate)."""

    def __init__(self, rate: float | None, burst: float) -> None:
        self.rate = rate
        self.burst = burst
        self._tokens = burst
        self._stamp = time.monotonic()
        self._lock = threading.Lock()

    def take(self, n: int) -> None:
        if self.rate is None:
            return
        with self._lock:  # one sender at a time: the link serialises
            now = time.monotonic()
            self._tokens = min(self.burst, self._tokens + (now - self._stamp) * self.rate)
            self._stamp = now
            self._tokens -= n
            if self._tokens < 0:
                time.sleep(-self._tokens / self.rate)
                self._tokens = 0.0
                self._stamp = time.monotonic()


class _Pipe:
    """One direction of one connection: read, take tokens, hold for the delay, write."""

    def __init__(self, src: socket.socket, dst: socket.socket, bucket: _Bucket, delay: float,
                 max_buffer: int, counter: list[int], lock: threading.Lock) -> None:
        self.src, self.dst, self.bucket, self.delay = src, dst, bucket, delay
        self.max_buffer = max_buffer
        self.queue: collections.deque[tuple[float, bytes]] = collections.deque()
        self.queued = 0
        self.cond = threading.Condition()
        self.eof = False
        self.counter, self.count_lock = counter, lock

    def reader(self) -> None:
        try:
            while True:
                with self.cond:
                    while self.queued >= self.max_buffer:
                        self.cond.wait()
                try:
                    data = self.src.recv(CHUNK)
                except OSError:
                    data = b""
                if not data:
                    break
                self.bucket.take(len(data))
                with self.count_lock:
                    self.counter[0] += len(data)
                with self.cond:
                    self.queue.append((time.monotonic() + self.delay, data))
                    self.queued += len(data)
                    self.cond.notify_all()
        finally:
            with self.cond:
                self.eof = True
                self.cond.notify_all()

    def writer(self) -> None:
        try:
            while True:
                with self.cond:
                    while not self.queue and not self.eof:
                        self.cond.wait()
                    if not self.queue:
                        break
                    due, data = self.queue.popleft()
                    self.queued -= len(data)
                    self.cond.notify_all()
                wait = due - time.monotonic()
                if wait > 0:
                    time.sleep(wait)
                self.dst.sendall(data)
        except OSError:  # the receiver went away: stop taking bytes from the sender
            try:
                self.src.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            with self.cond:
                self.queue.clear()
                self.queued = 0
                self.cond.notify_all()
        finally:
            try:
                self.dst.shutdown(socket.SHUT_WR)
            except OSError:
                pass


@dataclass
class LinkProxy:
    """``mbit_per_s`` each way (None: unlimited), ``rtt_ms`` round trip (half each way)."""

    upstream_port: int
    mbit_per_s: float | None = 50.0
    rtt_ms: float = 40.0
    max_buffer: int = 64 * 1024
    burst: int = 4 * 1024
    bytes_down_box: list[int] = field(default_factory=lambda: [0])
    bytes_up_box: list[int] = field(default_factory=lambda: [0])

    def __post_init__(self) -> None:
        rate = None if self.mbit_per_s is None else self.mbit_per_s * 1e6 / 8
        self._down = _Bucket(rate, self.burst)
        self._up = _Bucket(rate, self.burst)
        self._lock = threading.Lock()
        self._listener: socket.socket | None = None
        self._sockets: list[socket.socket] = []
        self._stopped = threading.Event()

    @property
    def port(self) -> int:
        assert self._listener is not None
        return int(self._listener.getsockname()[1])

    @property
    def bytes_down(self) -> int:
        return self.bytes_down_box[0]

    @property
    def bytes_up(self) -> int:
        return self.bytes_up_box[0]

    def start(self) -> LinkProxy:
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(64)
        threading.Thread(target=self._accept, name="link-proxy", daemon=True).start()
        return self

    def _accept(self) -> None:
        assert self._listener is not None
        while not self._stopped.is_set():
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(("127.0.0.1", self.upstream_port))
            except OSError:
                client.close()
                continue
            for s in (client, upstream):
                s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            with self._lock:
                self._sockets += [client, upstream]
            one_way = self.rtt_ms / 2000
            in_flight = int((self._down.rate or 0) * one_way)
            bound = self.max_buffer + in_flight
            pipes = (
                _Pipe(client, upstream, self._up, one_way, bound, self.bytes_up_box, self._lock),
                _Pipe(upstream, client, self._down, one_way, bound, self.bytes_down_box,
                      self._lock),
            )
            for pipe in pipes:
                threading.Thread(target=pipe.reader, daemon=True).start()
                threading.Thread(target=pipe.writer, daemon=True).start()

    def stop(self) -> None:
        self._stopped.set()
        if self._listener is not None:
            self._listener.close()
        with self._lock:
            for s in self._sockets:
                try:
                    s.close()
                except OSError:
                    pass
            self._sockets.clear()
