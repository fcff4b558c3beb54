"""The loopback redirect of a native app's sign-in (RFC 8252 7.3): one HTTP request on 127.0.0.1.

The system browser is sent back to ``http://127.0.0.1:<port>/callback?code=...&state=...``; this
server takes that one request, keeps its query parameters for the sign-in to check, and tells the
person they may close the window. It never logs the request (its query holds the code).
"""

from __future__ import annotations

import http.server
import threading
from typing import Any
from urllib.parse import parse_qs, urlsplit

CALLBACK_PATH = "/callback"
SIGNED_IN_PAGE = (b"<!doctype html><meta charset='utf-8'><title>Workstation</title>"
                  b"<p>You are signed in to the workstation; you can close this window.</p>")


class _Callback(http.server.BaseHTTPRequestHandler):
    """The loopback redirect's one request (RFC 8252 7.3)."""

    server: LoopbackRedirect

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        parts = urlsplit(self.path)
        if parts.path != CALLBACK_PATH or self.server.done.is_set():
            self.send_error(404)  # not the redirect, or one came already: the first one counts
            return
        self.server.result = {k: v[0] for k, v in parse_qs(parts.query).items()}
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(SIGNED_IN_PAGE)))
        self.end_headers()
        self.wfile.write(SIGNED_IN_PAGE)
        self.server.done.set()

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the query holds the code
        return


class LoopbackRedirect(http.server.HTTPServer):
    """Listens on 127.0.0.1 (``port`` 0: any free one) for the provider's redirect; ``done`` is set
    and ``result`` holds the query's parameters once it came."""

    def __init__(self, port: int) -> None:
        super().__init__(("127.0.0.1", port), _Callback)
        self.result: dict[str, str] = {}
        self.done = threading.Event()
