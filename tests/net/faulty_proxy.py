"""A small threaded loopback HTTP proxy that misbehaves on purpose, for failure tests.

It forwards requests to a real upstream (the test Orthanc) and, per request, can instead delay,
answer a given status, cut the response body after some bytes, or trickle the body slowly.
Behaviours are taken from ``plan`` in order, one per request, then ``default`` applies.
"""

from __future__ import annotations

import http.client
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Behaviour:
    """What the proxy does with one request.

    kind: "forward", "status" (answer ``status``), "delay" (wait ``seconds`` then forward),
    "truncate" (forward but send only ``fraction`` of the body; ``keep_length`` keeps the
    original Content-Length so the client sees a short read, otherwise the connection just
    closes as if the body were complete), "trickle" (forward ``chunk`` bytes every ``seconds``),
    "reject-stored" (406 when the Accept header asks for ``transfer-syntax=*``, else forward).
    """

    kind: str = "forward"
    status: int = 200
    seconds: float = 0.0
    fraction: float = 1.0
    keep_length: bool = True
    chunk: int = 4096


@dataclass
class Seen:
    method: str
    path: str
    accept: str


@dataclass
class FaultyProxy:
    upstream_port: int
    plan: list[Behaviour] = field(default_factory=list)
    default: Behaviour = field(default_factory=Behaviour)
    seen: list[Seen] = field(default_factory=list)
    server: ThreadingHTTPServer | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def port(self) -> int:
        assert self.server is not None
        return int(self.server.server_address[1])

    @property
    def dicomweb_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/dicom-web"

    def next_behaviour(self, method: str, path: str, accept: str) -> Behaviour:
        with self._lock:
            self.seen.append(Seen(method, path, accept))
            return self.plan.pop(0) if self.plan else self.default

    def start(self) -> FaultyProxy:
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:  # noqa: A002
                pass

            def do_GET(self) -> None:  # noqa: N802
                self._handle(b"")

            def do_POST(self) -> None:  # noqa: N802
                length = int(self.headers.get("Content-Length", "0"))
                self._handle(self.rfile.read(length))

            def _handle(self, body: bytes) -> None:
                accept = self.headers.get("Accept", "")
                b = proxy.next_behaviour(self.command, self.path, accept)
                if b.kind == "status" or (b.kind == "reject-stored" and "transfer-syntax=*" in accept):
                    status = b.status if b.kind == "status" else 406
                    payload = b'{"error": "injected"}'
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                    return
                if b.kind == "delay":
                    time.sleep(b.seconds)
                status, headers, data = self._forward(body)
                if b.kind == "truncate":
                    cut = int(len(data) * b.fraction)
                    self.send_response(status)
                    for k, v in headers:
                        if k.lower() in ("content-length", "connection", "keep-alive",
                                         "transfer-encoding"):
                            continue
                        self.send_header(k, v)
                    if b.keep_length:
                        self.send_header("Content-Length", str(len(data)))
                    self.send_header("Connection", "close")
                    self.end_headers()
                    self.wfile.write(data[:cut])
                    self.wfile.flush()
                    self.close_connection = True
                    return
                self.send_response(status)
                for k, v in headers:
                    if k.lower() in ("content-length", "connection", "keep-alive",
                                     "transfer-encoding"):
                        continue
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                try:
                    if b.kind == "trickle":
                        for i in range(0, len(data), b.chunk):
                            self.wfile.write(data[i : i + b.chunk])
                            self.wfile.flush()
                            time.sleep(b.seconds)
                    else:
                        self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    self.close_connection = True

            def _forward(self, body: bytes) -> tuple[int, list[tuple[str, str]], bytes]:
                conn = http.client.HTTPConnection("127.0.0.1", proxy.upstream_port, timeout=30)
                headers = {k: v for k, v in self.headers.items() if k.lower() != "host"}
                conn.request(self.command, self.path, body=body or None, headers=headers)
                response = conn.getresponse()
                data = response.read()
                conn.close()
                return response.status, response.getheaders(), data

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05},
                         daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
