"""Start a real Orthanc (with its DICOMweb plugin) on a free loopback port for a test run.

Recipe from shared/FIELD_NOTES.md: one config file per run, a temporary storage folder,
authentication on, DICOM server off, remote access off (Orthanc 1.10 has no bind address).
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import requests

ORTHANC = "/usr/sbin/Orthanc"
DICOMWEB_PLUGIN = "/usr/share/orthanc/plugins/libOrthancDicomWeb.so"
GDCM_PLUGIN = "/usr/share/orthanc/plugins/libOrthancGdcm.so"
# The GDCM plugin is left out by default: on Orthanc 1.10.1 its transcoder overflows the small
# stack of the HTTP worker threads now and then (segfault in libgdcmMSFF, seen in dmesg), which
# kills the archive mid-test. Orthanc's built-in DCMTK transcoder handles JPEG, JPEG-LS and RLE.
PLUGINS = [DICOMWEB_PLUGIN]
USER = "radiologist"
PASSWORD = "s3cret-test-only"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def available() -> bool:
    return Path(ORTHANC).exists() and Path(DICOMWEB_PLUGIN).exists()


@dataclass
class OrthancServer:
    """A running Orthanc; ``dicomweb_url`` is the DICOMweb root, ``rest_url`` its REST API."""

    port: int
    folder: Path
    process: subprocess.Popen[bytes]
    user: str = USER
    password: str = PASSWORD

    @property
    def rest_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def dicomweb_url(self) -> str:
        return f"{self.rest_url}/dicom-web"

    def upload(self, data: bytes) -> dict:
        """Store one PS3.10 file through Orthanc's REST API (not through our client)."""
        r = requests.post(
            f"{self.rest_url}/instances", data=data, auth=(self.user, self.password), timeout=60
        )
        r.raise_for_status()
        return r.json()

    def upload_files(self, paths: list[Path]) -> None:
        for p in paths:
            self.upload(p.read_bytes())

    def clear(self) -> None:
        """Delete every patient (and so everything) from the archive."""
        auth = (self.user, self.password)
        for pid in requests.get(f"{self.rest_url}/patients", auth=auth, timeout=30).json():
            requests.delete(f"{self.rest_url}/patients/{pid}", auth=auth, timeout=60)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        shutil.rmtree(self.folder, ignore_errors=True)


def start_orthanc(extra_config: dict | None = None, *, gdcm: bool = False,
                  port: int | None = None) -> OrthancServer:
    """``port``: a given one (an archive coming back where it was), else a free one."""
    folder = Path(tempfile.mkdtemp(prefix="orthanc-test-"))
    port = port or free_port()
    config = {
        "Name": "WorkstationTestArchive",
        "StorageDirectory": str(folder / "storage"),
        "IndexDirectory": str(folder / "index"),
        "Plugins": PLUGINS + ([GDCM_PLUGIN] if gdcm and Path(GDCM_PLUGIN).exists() else []),
        "HttpPort": port,
        "DicomServerEnabled": False,
        "RemoteAccessAllowed": False,
        "AuthenticationEnabled": True,
        "RegisteredUsers": {USER: PASSWORD},
        "DicomWeb": {"Enable": True, "Root": "/dicom-web/", "StudiesMetadata": "Full",
                     "SeriesMetadata": "Full"},
        "StableAge": 1,
        "HttpThreadsCount": 16,
    }
    config.update(extra_config or {})
    port = int(config["HttpPort"])  # a test may ask for a port (a destination that comes back)
    cfg = folder / "orthanc.json"
    cfg.write_text(json.dumps(config))
    log = open(folder / "orthanc.log", "wb")  # noqa: SIM115 - closed with the process
    proc = subprocess.Popen(
        [ORTHANC, str(cfg)], stdout=log, stderr=subprocess.STDOUT, cwd=folder,
        env={k: v for k, v in os.environ.items() if k != "http_proxy"},
    )
    server = OrthancServer(port=port, folder=folder, process=proc)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"Orthanc exited at start: {(folder / 'orthanc.log').read_text()[-2000:]}")
        try:
            r = requests.get(f"{server.rest_url}/system", auth=(USER, PASSWORD), timeout=1)
            if r.ok:
                return server
        except requests.RequestException:
            pass
        time.sleep(0.1)
    server.stop()
    raise RuntimeError("Orthanc did not answer within 30 s")
