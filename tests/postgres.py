"""A throwaway PostgreSQL cluster for a test, and Orthanc nodes sharing it as one archive.

Debian's ``postgresql`` and ``orthanc-postgresql``: ``initdb`` in a temporary folder, the server
on a free port on 127.0.0.1 (its socket in that folder), run as the ``postgres`` user when the
tests run as root (``initdb`` refuses root). Orthanc nodes then share the index (the PostgreSQL
plugin with ``Lock: false``, several writers) and one storage folder: one archive behind several
HTTP endpoints, as a clustered archive is deployed.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from tests.orthanc import DICOMWEB_PLUGIN, OrthancServer, free_port, start_orthanc

INDEX_PLUGIN = "/usr/share/orthanc/plugins/libOrthancPostgreSQLIndex.so"


def _bin_dir() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(found[-1]).parent if found else None


def unavailable_reason() -> str:
    """Why the cluster cannot run here ("" when it can)."""
    if _bin_dir() is None:
        return "PostgreSQL (Debian's postgresql) is not installed"
    if not Path(INDEX_PLUGIN).exists():
        return "Orthanc's PostgreSQL plugin (Debian's orthanc-postgresql) is not installed"
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            return "running as root and there is no 'postgres' user to run the server as"
    return ""


@dataclass
class PostgresCluster:
    folder: Path
    port: int
    bin_dir: Path
    user: str | None

    def _run(self, *argv: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        command = list(argv)
        if self.user:
            command = ["runuser", "-u", self.user, "--", *command]
        return subprocess.run(command, check=check, capture_output=True, text=True, timeout=60)

    def stop(self) -> None:
        self._run(str(self.bin_dir / "pg_ctl"), "-D", str(self.folder / "data"), "-m",
                  "immediate", "stop", check=False)
        shutil.rmtree(self.folder, ignore_errors=True)


def start_postgres() -> PostgresCluster:
    """initdb + pg_ctl start, trust authentication on 127.0.0.1 only; database ``orthanc``."""
    bin_dir = _bin_dir()
    assert bin_dir is not None
    folder = Path(tempfile.mkdtemp(prefix="pg-test-"))
    user = "postgres" if os.geteuid() == 0 else None
    if user:
        entry = pwd.getpwnam(user)
        os.chown(folder, entry.pw_uid, entry.pw_gid)
    cluster = PostgresCluster(folder, free_port(), bin_dir, user)
    try:
        cluster._run(str(bin_dir / "initdb"), "-D", str(folder / "data"), "-U", "orthanc",
                     "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8")
        options = (f"-c listen_addresses=127.0.0.1 -c port={cluster.port} "
                   f"-c unix_socket_directories={folder} -c fsync=off")
        cluster._run(str(bin_dir / "pg_ctl"), "-D", str(folder / "data"), "-o", options, "-w",
                     "-t", "30", "-l", str(folder / "server.log"), "start")
        cluster._run(str(bin_dir / "createdb"), "-h", "127.0.0.1", "-p", str(cluster.port),
                     "-U", "orthanc", "orthanc")
    except (subprocess.SubprocessError, OSError) as exc:
        log = folder / "server.log"
        detail = log.read_text(errors="replace")[-500:] if log.exists() else ""
        cluster.stop()
        stderr = getattr(exc, "stderr", "") or ""
        raise RuntimeError(f"PostgreSQL did not start: {stderr[-500:]} {detail}") from exc
    return cluster


def start_node(cluster: PostgresCluster, storage: Path) -> OrthancServer:
    """One Orthanc node over the shared index and the shared storage folder."""
    return start_orthanc({
        "Plugins": [DICOMWEB_PLUGIN, INDEX_PLUGIN],
        "StorageDirectory": str(storage),
        "PostgreSQL": {"EnableIndex": True, "EnableStorage": False, "Host": "127.0.0.1",
                       "Port": cluster.port, "Database": "orthanc", "Username": "orthanc",
                       "Password": "", "Lock": False, "EnableSsl": False},
    })


def wait_until(condition: object, timeout_s: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if callable(condition) and condition():
            return True
        time.sleep(0.1)
    return False
