"""A real OpenID provider (panva's oidc-provider on Node) and an archive that checks tokens.

``install_provider()`` copies ``oidc_provider/package.json`` and its lock file into a cache
folder outside the repository (``~/.cache/workstation-tests/oidc_provider`` or
``$WORKSTATION_TEST_CACHE/oidc_provider``) and runs ``npm ci`` there once, like the FHIR
server. ``start_provider()`` runs ``node server.mjs PORT`` on a loopback port.

``drive_browser(url)`` plays the user in the system browser: a plain HTTP client that follows
the provider's redirects and submits its development login and consent forms, ending on the
workstation's loopback redirect. ``TokenCheckingArchive`` is the archive: a loopback HTTP proxy
in front of Orthanc's DICOMweb that asks the provider whether each bearer token is active
(token introspection, RFC 7662, as the confidential client ``archive``) and answers 401 with
``WWW-Authenticate: Bearer error="invalid_token"`` (RFC 6750 3.1) when it is not.
"""

from __future__ import annotations

import html
import http.server
import os
import re
import shutil
import socketserver
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

SOURCE = Path(__file__).resolve().parent / "oidc_provider"
ARCHIVE_CLIENT = ("archive", "archive-secret")


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def node_available() -> bool:
    return shutil.which("node") is not None and shutil.which("npm") is not None


def install_provider() -> Path:
    base = os.environ.get("WORKSTATION_TEST_CACHE")
    folder = (Path(base) if base else Path.home() / ".cache" / "workstation-tests") / "oidc_provider"
    folder.mkdir(parents=True, exist_ok=True)
    changed = False
    for name in ("package.json", "package-lock.json"):
        src, dst = SOURCE / name, folder / name
        if not dst.exists() or dst.read_bytes() != src.read_bytes():
            shutil.copyfile(src, dst)
            changed = True
    shutil.copyfile(SOURCE / "server.mjs", folder / "server.mjs")
    marker = folder / "node_modules" / ".installed"
    if changed or not marker.exists():
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=folder,
                       check=True, timeout=300, capture_output=True)
        marker.write_text("ok")
    return folder


@dataclass
class Provider:
    port: int
    issuer: str
    process: subprocess.Popen[bytes]

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)

    def metadata(self) -> dict[str, Any]:
        return dict(requests.get(f"http://127.0.0.1:{self.port}/.well-known/openid-configuration",
                                 timeout=5).json())

    def introspect(self, token: str) -> dict[str, Any]:
        answer = requests.post(self.metadata()["introspection_endpoint"], data={"token": token},
                               auth=ARCHIVE_CLIENT, timeout=5)
        return dict(answer.json())

    def revoke(self, token: str, hint: str, client_id: str = "workstation") -> None:
        """Revoke as an administrator would (RFC 7009), with the token's own public client."""
        requests.post(self.metadata()["revocation_endpoint"], timeout=5,
                      data={"token": token, "token_type_hint": hint, "client_id": client_id}
                      ).raise_for_status()


def start_provider(folder: Path, *, access_ttl: int = 600, issuer: str | None = None) -> Provider:
    port = free_port()
    env = {**os.environ, "ACCESS_TTL": str(access_ttl)}
    if issuer:
        env["OIDC_ISSUER"] = issuer
    process = subprocess.Popen(["node", "server.mjs", str(port)], cwd=folder, env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    provider = Provider(port, issuer or f"http://127.0.0.1:{port}", process)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            err = process.stderr.read().decode(errors="replace") if process.stderr else ""
            raise RuntimeError(f"the OpenID test provider exited: {err[-2000:]}")
        try:
            if requests.get(f"http://127.0.0.1:{port}/.well-known/openid-configuration", timeout=1).ok:
                return provider
        except requests.RequestException:
            time.sleep(0.1)
    provider.stop()
    raise RuntimeError("the OpenID test provider did not start within 30 s")


_FORM = re.compile(r'<form[^>]*action="([^"]+)"[^>]*>(.*?)</form>', re.S)
_HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)"')


def _submit(browser: requests.Session, page: requests.Response, fields: dict[str, str]) -> requests.Response:
    found = _FORM.search(page.text)
    assert found, f"no form on the provider's page {page.url}: {page.text[:300]}"
    action = html.unescape(found.group(1))
    data = {name: html.unescape(value) for name, value in _HIDDEN.findall(found.group(2))}
    data.update(fields)
    return browser.post(requests.compat.urljoin(page.url, action), data=data, timeout=10)


def drive_browser(url: str, login: str = "helene") -> str:
    """Sign in as ``login`` through the provider's development forms; returns the final URL
    (the workstation's loopback redirect, which this client has fetched)."""
    browser = requests.Session()
    page = browser.get(url, timeout=10)
    for _ in range(4):
        if "/callback" in page.url:
            return page.url
        if 'name="login"' in page.text:
            page = _submit(browser, page, {"login": login, "password": "any"})
        elif 'value="consent"' in page.text:
            page = _submit(browser, page, {})
        else:
            raise AssertionError(f"unexpected provider page {page.url}: {page.text[:300]}")
    assert "/callback" in page.url, page.url
    return page.url


def confirm_device(verification_uri_complete: str, login: str = "helene") -> str:
    """The user on another device: open the code's address, confirm it, sign in and consent;
    returns the provider's last page."""
    browser = requests.Session()
    page = browser.get(verification_uri_complete, timeout=10)
    for _ in range(6):
        if 'name="login"' in page.text:
            page = _submit(browser, page, {"login": login, "password": "any"})
        elif 'value="consent"' in page.text:
            page = _submit(browser, page, {})
        elif "<form" in page.text:  # the code's auto-submitted form, then its confirmation
            page = _submit(browser, page, {})
        else:
            break
    return page.text


@dataclass
class TokenCheckingArchive:
    """An archive (Orthanc's DICOMweb behind a proxy) that accepts only active bearer tokens."""

    provider: Provider
    upstream: str  # Orthanc's DICOMweb root
    upstream_auth: tuple[str, str] | None
    prefix: str = "/dicom-web"  # the path this proxy serves, mapped onto ``upstream``
    delay_s: float = 0.0
    # An archive whose clock runs ahead, or that limits token age itself: a token first seen
    # more than this many seconds ago is rejected although the provider still says it is active.
    max_token_age_s: float = 0.0
    first_seen: dict[str, float] = field(default_factory=dict)
    tokens_seen: list[str] = field(default_factory=list)
    rejected: int = 0
    port: int = 0
    _server: Any = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}{self.prefix}"

    def start(self) -> TokenCheckingArchive:
        archive = self
        introspection = self.provider.metadata()["introspection_endpoint"]

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:  # noqa: N802
                self._relay("GET")

            def do_POST(self) -> None:  # noqa: N802
                self._relay("POST")

            def do_PUT(self) -> None:  # noqa: N802
                self._relay("PUT")

            def _relay(self, method: str) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body_in = self.rfile.read(length) if length else None
                auth = self.headers.get("Authorization", "")
                token = auth.removeprefix("Bearer ") if auth.startswith("Bearer ") else ""
                active = False
                if token:
                    answer = requests.post(introspection, data={"token": token},
                                           auth=ARCHIVE_CLIENT, timeout=5).json()
                    active = bool(answer.get("active")) and answer.get("client_id") == "workstation"
                    seen = archive.first_seen.setdefault(token, time.monotonic())
                    if archive.max_token_age_s and time.monotonic() - seen > archive.max_token_age_s:
                        active = False
                if not active:
                    archive.rejected += 1
                    body = b"invalid token"
                    self.send_response(401)
                    self.send_header("WWW-Authenticate", 'Bearer error="invalid_token"')
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                    return
                archive.tokens_seen.append(token)
                if archive.delay_s:
                    time.sleep(archive.delay_s)
                path = self.path.removeprefix(archive.prefix)
                upstream = requests.request(
                    method, archive.upstream + path, auth=archive.upstream_auth, data=body_in,
                    headers={k: v for k, v in self.headers.items()
                             if k.lower() in ("accept", "accept-encoding", "content-type", "if-none-exist")},
                    timeout=60)
                body = upstream.content
                self.send_response(upstream.status_code)
                for name in ("Content-Type", "Location", "ETag"):
                    if name in upstream.headers:
                        self.send_header(name, upstream.headers[name])
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
                return

        class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
            daemon_threads = True

        self._server = Server(("127.0.0.1", 0), Handler)
        self.port = self._server.server_address[1]
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
