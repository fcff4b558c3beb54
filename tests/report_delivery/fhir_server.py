"""The FHIR R4 test server (Medplum's FHIR router, in memory) and a fault-injecting TCP proxy.

``install_fhir_server()`` copies ``fhir_server/package.json`` and its lock file into a cache
folder outside the repository (``~/.cache/workstation-tests/fhir_server`` or
``$WORKSTATION_TEST_CACHE/fhir_server``) and runs ``npm ci`` there once; later runs reuse it while
the package files are unchanged. ``start_fhir_server()`` runs ``node server.js PORT`` on a free
loopback port and waits for its health check.

``FaultProxy`` sits between the client and the server: ``forward`` relays everything,
``refuse`` stops listening (connection refused, as when the server is down), ``drop_post``
relays requests but, once a POST went through, throws the server's answer away and closes the
connection (the server did the work, the client never heard: a crash or network loss at the
worst moment).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import requests

SOURCE = Path(__file__).resolve().parent / "fhir_server"
FILES = ("package.json", "package-lock.json", "server.js")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def node_available() -> bool:
    return shutil.which("node") is not None and shutil.which("npm") is not None


def cache_folder() -> Path:
    base = os.environ.get("WORKSTATION_TEST_CACHE")
    root = Path(base) if base else Path.home() / ".cache" / "workstation-tests"
    return root / "fhir_server"


def install_fhir_server() -> Path:
    """The cache folder with node_modules installed from the pinned lock file."""
    folder = cache_folder()
    folder.mkdir(parents=True, exist_ok=True)
    changed = False
    for name in ("package.json", "package-lock.json"):
        src, dst = SOURCE / name, folder / name
        if not dst.exists() or dst.read_bytes() != src.read_bytes():
            shutil.copyfile(src, dst)
            changed = True
    shutil.copyfile(SOURCE / "server.js", folder / "server.js")
    marker = folder / "node_modules" / ".installed"
    if changed or not marker.exists():
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=folder,
                       check=True, timeout=300, capture_output=True)
        marker.write_text("ok")
    return folder


@dataclass
class FhirServer:
    port: int
    process: subprocess.Popen[bytes]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)


def start_fhir_server(folder: Path) -> FhirServer:
    port = free_port()
    process = subprocess.Popen(["node", "server.js", str(port)], cwd=folder,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    server = FhirServer(port, process)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            err = process.stderr.read().decode(errors="replace") if process.stderr else ""
            raise RuntimeError(f"the FHIR test server exited: {err[-2000:]}")
        try:
            if requests.get(f"{server.url}/healthcheck", timeout=1).ok:
                return server
        except requests.RequestException:
            time.sleep(0.1)
    server.stop()
    raise RuntimeError("the FHIR test server did not start within 30 s")


class FaultProxy:
    """A TCP proxy on a loopback port in front of ``upstream_port`` (see the module docstring)."""

    def __init__(self, upstream_port: int) -> None:
        self.upstream_port = upstream_port
        self.port = free_port()
        self.mode = "forward"
        self.posts_dropped = 0
        self._listener: socket.socket | None = None
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._listen()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _listen(self) -> None:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", self.port))
        sock.listen(16)
        sock.settimeout(0.1)
        self._listener = sock
        self._stop.clear()
        self._thread = threading.Thread(target=self._accept, args=(sock,), daemon=True)
        self._thread.start()

    def _unlisten(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(5)
        if self._listener is not None:
            self._listener.close()
            self._listener = None

    def set_mode(self, mode: str) -> None:
        assert mode in ("forward", "refuse", "drop_post")
        with self._lock:
            if mode == "refuse" and self._listener is not None:
                self._unlisten()
            elif mode != "refuse" and self._listener is None:
                self._listen()
            self.mode = mode

    def close(self) -> None:
        self._unlisten()

    def _accept(self, listener: socket.socket) -> None:
        while not self._stop.is_set():
            try:
                client, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _serve(self, client: socket.socket) -> None:
        try:
            upstream = socket.create_connection(("127.0.0.1", self.upstream_port), timeout=30)
        except OSError:
            client.close()
            return
        state = {"post_seen": False}

        def pump_up() -> None:
            try:
                while True:
                    data = client.recv(65536)
                    if not data:
                        break
                    if self.mode == "drop_post" and data.startswith(b"POST "):
                        state["post_seen"] = True
                    upstream.sendall(data)
            except OSError:
                pass
            finally:
                try:
                    upstream.shutdown(socket.SHUT_WR)
                except OSError:
                    pass

        threading.Thread(target=pump_up, daemon=True).start()
        try:
            while True:
                data = upstream.recv(65536)
                if not data:
                    break
                if state["post_seen"]:
                    self.posts_dropped += 1
                    break  # the server answered; the client never hears it
                client.sendall(data)
        except OSError:
            pass
        finally:
            for s in (client, upstream):  # shutdown wakes the other pump and sends FIN
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                s.close()
