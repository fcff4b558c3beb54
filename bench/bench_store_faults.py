"""Faults the library and the import survive: the "faults survived" rows of issue 12 (store part).

Each fault is played against the real command line (``python -m workstation``) with its own
config/data folders, a real Orthanc for pulls (tests/orthanc.py) and a real size-limited tmpfs for
a full disk (needs root; the row says so otherwise). For each: what the user is told, whether
anything was lost or duplicated (files on disk against index rows against what was offered), the
peak resident memory of the command that met the fault (VmHWM) and the time until it answered.

Writes bench/out/FAULTS_store.md, pasted into the "Faults survived" section of bench/RESULTS.md. Run:
``python bench/bench_store_faults.py [--slices 120]``.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import platform
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import zipfile
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

from sqlcipher3 import dbapi2 as sqlite3

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from workstation.crypt.keys import KEYRING_SERVICE, KEYRING_USER  # noqa: E402

OUT = Path(__file__).resolve().parent / "out" / "FAULTS_store.md"

# Runs one CLI command and leaves its peak resident memory (VmHWM, kB) in a file at exit.
_WRAP = r"""
import atexit, sys
out = sys.argv.pop(1)
def peak():
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            open(out, "w").write(line.split()[1])
atexit.register(peak)
from workstation import cli
sys.exit(cli.main(sys.argv[1:]))
"""


@dataclass
class Run:
    rc: int
    out: str
    err: str
    seconds: float
    peak_mb: float


@dataclass
class Row:
    fault: str
    expected: str
    result: str
    peak_mb: float | None
    seconds: float | None


class Home:
    """Fresh config/data folders for one scenario."""

    def __init__(self, name: str) -> None:
        self.path = Path(tempfile.mkdtemp(prefix=f"faults-{name}-"))
        self.env = {
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "XDG_CONFIG_HOME": str(self.path / "config"),
            "XDG_DATA_HOME": str(self.path / "data"),
            "XDG_CACHE_HOME": str(self.path / "cache"),
            # The commands keep the data key in the tests' file-backed keyring (the machine has
            # no Secret Service); counts() opens the SQLCipher index with the same key.
            "PYTHON_KEYRING_BACKEND": "tests.conftest.MemoryKeyring",
            "WORKSTATION_TEST_KEYRING": str(self.path / "keyring.json"),
        }
        self.library = self.path / "data" / "workstation" / "library"

    def popen(self, *args: str, creds: dict[str, str] | None = None) -> tuple[subprocess.Popen[str], Path]:
        peak = self.path / f"peak-{time.monotonic_ns()}"
        proc = subprocess.Popen(
            [sys.executable, "-c", _WRAP, str(peak), *args], cwd=ROOT, text=True,
            env={**self.env, **(creds or {})}, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        )
        return proc, peak

    def run(self, *args: str, creds: dict[str, str] | None = None, timeout: float = 600) -> Run:
        started = time.monotonic()
        proc, peak = self.popen(*args, creds=creds)
        out, err = proc.communicate(timeout=timeout)
        seconds = time.monotonic() - started
        peak_kb = int(peak.read_text()) if peak.exists() else 0
        return Run(proc.returncode, out, err, seconds, peak_kb / 1024)

    def counts(self) -> tuple[int, int]:
        """(instance files on disk, index rows)."""
        files = len([p for p in (self.library / "objects").rglob("*.dcm")])
        conn = sqlite3.connect(str(self.library / "index.sqlite3"))
        try:
            stored = json.loads((self.path / "keyring.json").read_text())
            key = base64.b64decode(stored[f"{KEYRING_SERVICE}\0{KEYRING_USER}"])
            conn.execute(f"PRAGMA key = \"x'{key.hex()}'\"")
            rows = int(conn.execute("SELECT COUNT(*) FROM instances").fetchone()[0])
        finally:
            conn.close()
        return files, rows

    def cleanup(self) -> None:
        shutil.rmtree(self.path, ignore_errors=True)


def last_line(text: str) -> str:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[-1] if lines else ""


def kill_when(proc: subprocess.Popen[str], folder: Path, count: int, limit: float = 120) -> int:
    """SIGKILL ``proc`` once ``folder`` holds ``count`` instance files; returns how many."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline and proc.poll() is None:
        n = len(list(folder.rglob("*.dcm"))) if folder.exists() else 0
        if n >= count:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait()
            return n
        time.sleep(0.005)
    raise RuntimeError("the command ended before it could be killed")


def mount_tmpfs(folder: Path, size: str) -> bool:
    folder.mkdir(parents=True, exist_ok=True)
    if os.geteuid() != 0 or shutil.which("mount") is None:
        return False
    return subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size},mode=0700", "tmpfs", str(folder)],
                          capture_output=True).returncode == 0


def unmount(folder: Path) -> None:
    subprocess.run(["umount", "-l", str(folder)], capture_output=True)


# ------------------------------------------------------------------------------------ scenarios


def import_killed(src: Path, n: int) -> Row:
    h = Home("import-kill")
    try:
        proc, _ = h.popen("import", "-q", str(src))
        at = kill_when(proc, h.library / "objects", n // 2)
        reopen = h.run("studies", "--library")
        again = h.run("import", "-q", str(src))
        files, rows = h.counts()
        ok = files == rows == n and again.rc == 0
        return Row(f"kill -9 during an import (folder of {n} files)",
                   "files renamed into place before the kill are indexed on the next open; "
                   "re-import stores only the rest",
                   f"{'OK' if ok else 'FAIL'}: killed at {at} files; next open: "
                   f"'{last_line(reopen.err) or 'no repair needed'}'; re-import: '{last_line(again.out)}'; "
                   f"{files} files = {rows} index rows",
                   reopen.peak_mb, reopen.seconds)
    finally:
        h.cleanup()


def pull_killed(server, uid: str, n: int, creds: dict[str, str]) -> Row:
    h = Home("pull-kill")
    try:
        proc, _ = h.popen("pull", uid, "--archive", server.dicomweb_url, "-q", creds=creds)
        at = kill_when(proc, h.library / "objects", n // 2)
        listed = h.run("studies", "--library")
        note = next((line for line in listed.out.splitlines() if "incomplete" in line), "")
        again = h.run("pull", uid, "--archive", server.dicomweb_url, "-q", creds=creds)
        files, rows = h.counts()
        ok = files == rows == n and again.rc == 0 and bool(note)
        said = note[note.index("incomplete"):] if note else "(no incomplete note)"
        return Row(f"kill -9 during a pull from Orthanc ({n} instances)",
                   "the study says 'incomplete: k of N images, pull again'; the next pull fetches "
                   "only the missing ones",
                   f"{'OK' if ok else 'FAIL'}: killed at {at}; studies --library: '{said}'; "
                   f"next pull: '{last_line(again.out)}'; {files} files = {rows} index rows",
                   listed.peak_mb, listed.seconds)
    finally:
        h.cleanup()


def index_damaged(src: Path, n: int, how: str) -> Row:
    h = Home("index-" + how)
    try:
        h.run("import", "-q", str(src))
        index = h.library / "index.sqlite3"
        if how == "deleted":
            index.unlink()
            for extra in ("-wal", "-shm"):
                Path(str(index) + extra).unlink(missing_ok=True)
        else:
            index.write_bytes(os.urandom(index.stat().st_size))
        rebuilt = h.run("studies", "--library")
        files, rows = h.counts()
        ok = files == rows == n and rebuilt.rc == 0
        return Row(f"index {how} ({'rm index.sqlite3*' if how == 'deleted' else 'garbage bytes over it'}), "
                   f"{n} instances",
                   "rebuilt from the files with a progress bar, one sentence, nothing deleted",
                   f"{'OK' if ok else 'FAIL'}: '{last_line(rebuilt.err)}'; {files} files = {rows} index rows",
                   rebuilt.peak_mb, rebuilt.seconds)
    finally:
        h.cleanup()


def disk_full_pull(server, uid: str, n: int, creds: dict[str, str], size: str) -> Row:
    h = Home("full-pull")
    try:
        if not mount_tmpfs(h.library, size):
            return Row("disk full during a pull", "one sentence", "not run: cannot mount a tmpfs here", None, None)
        full = h.run("pull", uid, "--archive", server.dicomweb_url, "-q", creds=creds)
        temps = len(list(h.library.rglob(".tmp-*")))
        subprocess.run(["mount", "-o", "remount,size=1g", str(h.library)], check=True)
        again = h.run("pull", uid, "--archive", server.dicomweb_url, "-q", creds=creds)
        files, rows = h.counts()
        ok = full.rc == 1 and len(full.err.strip().splitlines()) == 1 and temps == 0 and files == rows == n
        return Row(f"disk full during a pull ({size} tmpfs, study of {n} instances)",
                   "exit 1 with one sentence, no half-written file; the next pull (space freed) finishes",
                   f"{'OK' if ok else 'FAIL'}: '{last_line(full.err)}'; {temps} temporary files left; "
                   f"after freeing space: '{last_line(again.out)[:80]}...'; {files} files = {rows} rows",
                   full.peak_mb, full.seconds)
    finally:
        unmount(h.library)
        h.cleanup()


def disk_full_import(src: Path, n: int, size: str) -> Row:
    h = Home("full-import")
    try:
        if not mount_tmpfs(h.library, size):
            return Row("disk full during an import", "one line per file", "not run: cannot mount a tmpfs here",
                       None, None)
        full = h.run("import", "-q", str(src))
        temps = len(list(h.library.rglob(".tmp-*")))
        subprocess.run(["mount", "-o", "remount,size=1g", str(h.library)], check=True)
        again = h.run("import", "-q", str(src))
        files, rows = h.counts()
        ok = full.rc == 1 and temps == 0 and files == rows == n and again.rc == 0
        return Row(f"disk full during an import ({size} tmpfs, {n} files)",
                   "each file that did not fit fails with one line; the rest is stored; re-import finishes",
                   f"{'OK' if ok else 'FAIL'}: '{last_line(full.out)}'; first failure: "
                   f"'{full.err.strip().splitlines()[0][:120] if full.err.strip() else ''}'; "
                   f"{temps} temporary files left; re-import: '{last_line(again.out)}'",
                   full.peak_mb, full.seconds)
    finally:
        unmount(h.library)
        h.cleanup()


def hostile_folder(good: bytes) -> Row:
    h = Home("hostile")
    src = h.path / "usb"
    try:
        src.mkdir()
        (src / "good.dcm").write_bytes(good)
        os.symlink("/dev/zero", src / "zero.dcm")
        os.mkfifo(src / "x.dcm")
        os.symlink("/etc", src / "etc")
        r = h.run("import", "-q", str(src), timeout=120)
        refused = [line for line in r.err.splitlines() if "refused" in line or "not followed" in line]
        ok = r.rc == 1 and "1 stored" in r.out and len(refused) == 3
        return Row("import folder with a link to /dev/zero, a FIFO named x.dcm, a link to /etc",
                   "each refused in one line without being opened; the good file is stored",
                   f"{'OK' if ok else 'FAIL'}: {' | '.join(refused)}; '{last_line(r.out)}'",
                   r.peak_mb, r.seconds)
    finally:
        h.cleanup()


def big_zip(mib: int) -> Row:
    from tests.store.helpers import instance_bytes

    h = Home("zip")
    try:
        data = instance_bytes(padding=mib * 1024**2)
        archive = h.path / "cd.zip"
        with zipfile.ZipFile(archive, "w", zipfile.ZIP_STORED) as zf:
            zf.writestr("IM0001.dcm", data)
        del data
        r = h.run("import", "-q", str(archive))
        ok = r.rc == 0 and "1 stored" in r.out
        return Row(f"import a ZIP holding one {mib} MiB instance",
                   "streamed through a spool file: memory does not grow with the member",
                   f"{'OK' if ok else 'FAIL'}: '{last_line(r.out)}' (before this change: 681 MB peak "
                   "for a 300 MiB member, measured on the same machine)",
                   r.peak_mb, r.seconds)
    finally:
        h.cleanup()


def unknown_syntax() -> Row:
    from tests.store.helpers import instance_bytes
    from tests.store.test_import_faults import _jpeg_xl_instance

    h = Home("jxl")
    src = h.path / "src"
    try:
        src.mkdir()
        (src / "1_jpegxl.dcm").write_bytes(_jpeg_xl_instance())
        (src / "2_after.dcm").write_bytes(instance_bytes())
        r = h.run("import", "-q", str(src))
        ok = r.rc == 0 and "2 stored" in r.out
        note = next((line.strip() for line in r.err.splitlines() if "1_jpegxl" in line), "")
        return Row("import a JPEG XL file (1.2.840.10008.1.2.4.111) followed by another",
                   "stored with a one-line note; the next file is imported",
                   f"{'OK' if ok else 'FAIL'}: '{note}'; '{last_line(r.out)}'", r.peak_mb, r.seconds)
    finally:
        h.cleanup()


def truncated_then_intact() -> Row:
    import pydicom

    from tests.store.helpers import instance_bytes
    from tests.store.test_import_faults import _truncated

    h = Home("truncated")
    try:
        whole = instance_bytes()
        (h.path / "half.dcm").write_bytes(_truncated(whole))
        (h.path / "whole.dcm").write_bytes(whole)
        first = h.run("import", "-q", str(h.path / "half.dcm"))
        second = h.run("import", "-q", str(h.path / "whole.dcm"))
        sop = str(pydicom.dcmread(BytesIO(whole)).SOPInstanceUID)
        from workstation.store.library import object_path

        same = (h.library / object_path(sop)).read_bytes() == whole
        ok = "with problems" in first.out and "replaced a damaged copy" in second.out and same
        return Row("import a truncated copy, then the intact file",
                   "the first is listed as stored with a problem; the intact one replaces it",
                   f"{'OK' if ok else 'FAIL'}: '{last_line(first.out)}' then '{last_line(second.out)}'; "
                   f"stored bytes {'equal' if same else 'differ from'} the intact file",
                   second.peak_mb, second.seconds)
    finally:
        h.cleanup()


# ------------------------------------------------------------------------------------ main


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--slices", type=int, default=120)
    parser.add_argument("--zip-mib", type=int, default=300)
    args = parser.parse_args()

    import pydicom

    from tests.orthanc import start_orthanc
    from workstation import demo

    n = args.slices
    parts = list(demo.phantom_series(shape=(n, 256, 256)))
    study_bytes = sum(len(p) for p in parts)
    src = Path(tempfile.mkdtemp(prefix="faults-src-"))
    for i, data in enumerate(parts):
        (src / f"IM{i:04d}.dcm").write_bytes(data)
    uid = str(pydicom.dcmread(BytesIO(parts[0]), stop_before_pixels=True).StudyInstanceUID)
    tight = f"{max(study_bytes // 3 // 1024, 256)}k"

    server = start_orthanc()
    rows: list[Row] = []
    try:
        for data in parts:
            server.upload(data)
        creds = {"WORKSTATION_USER": server.user, "WORKSTATION_PASSWORD": server.password}
        rows.append(import_killed(src, n))
        rows.append(pull_killed(server, uid, n, creds))
        rows.append(index_damaged(src, n, "deleted"))
        rows.append(index_damaged(src, n, "corrupted"))
        rows.append(disk_full_pull(server, uid, n, creds, tight))
        rows.append(disk_full_import(src, n, tight))
        rows.append(hostile_folder(parts[0]))
        rows.append(big_zip(args.zip_mib))
        rows.append(unknown_syntax())
        rows.append(truncated_then_intact())
    finally:
        server.stop()
        shutil.rmtree(src, ignore_errors=True)

    load = os.getloadavg()[0]
    lines = [
        "## Faults survived: library and import (bench/bench_store_faults.py, "
        f"{time.strftime('%Y-%m-%d', time.gmtime())})",
        "",
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"1-minute load average {load:.1f}; study: CT phantom, {n} slices 256x256 "
        f"({study_bytes / 1e6:.1f} MB); Orthanc 1.10 on loopback; full disk = tmpfs of {tight}. "
        "Peak memory is the VmHWM of the command that met the fault (or of the next command, "
        "for a kill); time is until that command answered.",
        "",
        "| fault | expected behaviour | result | peak memory (MB) | time to answer (s) |",
        "|---|---|---|---|---|",
    ]
    for r in rows:
        peak = "-" if r.peak_mb is None else f"{r.peak_mb:.0f}"
        secs = "-" if r.seconds is None else f"{r.seconds:.2f}"
        result = r.result.replace("|", "/")
        lines.append(f"| {r.fault} | {r.expected} | {result} | {peak} | {secs} |")
    lines += [
        "",
        "Tests that hold each row (they failed before this change): tests/store/test_crash.py and "
        "test_pull_faults.py (kill -9 during an import and a pull, disk full on a tmpfs and by "
        "ENOSPC at fsync), test_library_faults.py (index deleted, garbage, one damaged page; "
        "damaged copies replaced; removal cut off; modes), test_import_faults.py (/dev/zero, FIFOs, "
        "links, size cap, JPEG XL, 96 MiB ZIP member memory), test_cli_library.py (identifiers, "
        "incomplete notes, warnings without values, modes and another user), "
        "tests/report/test_private_files.py, tests/gui/test_worklist_incomplete.py.",
    ]
    OUT.parent.mkdir(exist_ok=True)
    OUT.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))
    print(json.dumps({"written": str(OUT)}))


if __name__ == "__main__":
    main()
