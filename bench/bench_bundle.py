"""Start-up of the Linux bundle (installers/) against the virtual environment, and the bundle's size.

Two measurements, each from ``Popen`` to the moment it is done, the bundle and the virtual
environment alternating, after one warm-up each (so both read from a warm file cache):

* ``workstation --version``: process start, Python start-up and the command-line imports;
* the app: from ``Popen`` to its main window mapped and viewable on the X server (polled with
  ``xwininfo`` every 20 ms, the same for both).

The virtual environment runs ``python -m workstation`` from this checkout. Needs an X server:

    installers/build-linux.sh --offline --no-deb   # or without --no-deb, for the .deb's size
    xvfb-run -a -s "-screen 0 1600x1200x24" .venv/bin/python bench/bench_bundle.py --runs 7
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.results import update_section  # noqa: E402

WINDOW = '"Workstation": ("'  # the main window's title, with a WM_CLASS (its instance name varies)


def environment(home: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "WORKSTATION_RESOURCES")}
    env.update(XDG_CONFIG_HOME=str(home / "config"), XDG_DATA_HOME=str(home / "data"),
               XDG_CACHE_HOME=str(home / "cache"), **extra)
    return env


def time_version(command: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run([*command, "--version"], env=env, check=True, capture_output=True, timeout=120)
    return time.perf_counter() - started


def _viewable_window() -> bool:
    tree = subprocess.run(["xwininfo", "-root", "-tree"], capture_output=True, text=True, timeout=30).stdout
    for line in tree.splitlines():  # hidden top-level windows (spare viewports) share the title
        if WINDOW in line:
            info = subprocess.run(["xwininfo", "-id", line.split()[0]], capture_output=True, text=True,
                                  timeout=30).stdout
            if "Map State: IsViewable" in info:
                return True
    return False


def time_window(command: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    app = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while not _viewable_window():
            if app.poll() is not None or time.perf_counter() - started > 120:
                raise RuntimeError("the app did not show its main window")
            time.sleep(0.02)
        return time.perf_counter() - started
    finally:
        app.terminate()
        app.wait(timeout=60)


def folder_size(folder: Path) -> tuple[int, int]:
    files = [p for p in folder.rglob("*") if p.is_file() and not p.is_symlink()]
    return sum(p.stat().st_size for p in files), len(files)


def spread(values: list[float]) -> str:
    return f"{statistics.median(values):.2f} s ({min(values):.2f}-{max(values):.2f})"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bundle", type=Path, default=ROOT / "dist" / "workstation")
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--no-write", action="store_true", help="print the section, leave RESULTS.md alone")
    args = parser.parse_args()
    if not os.environ.get("DISPLAY") or shutil.which("xwininfo") is None:
        sys.exit("Run under an X server (xvfb-run) with xwininfo (x11-utils) installed.")
    bundled = [str(args.bundle.resolve() / "workstation")]
    source = [sys.executable, "-m", "workstation"]
    load_start = os.getloadavg()
    with tempfile.TemporaryDirectory() as tmp:
        envs = {"bundle": environment(Path(tmp, "bundle")),
                "venv": environment(Path(tmp, "venv"), PYTHONPATH=str(ROOT))}
        commands = {"bundle": bundled, "venv": source}
        results: dict[tuple[str, str], list[float]] = {}
        for kind in commands:  # warm-up: file cache, settings and library folders created
            time_version(commands[kind], envs[kind])
            time_window(commands[kind], envs[kind])
        for _ in range(args.runs):
            for kind in ("bundle", "venv"):
                results.setdefault((kind, "version"), []).append(time_version(commands[kind], envs[kind]))
                results.setdefault((kind, "window"), []).append(time_window(commands[kind], envs[kind]))
    load_end = os.getloadavg()
    size, count = folder_size(args.bundle)
    debs = sorted(args.bundle.parent.glob("workstation_*.deb"))
    deb = f"; the .deb (xz) {debs[-1].stat().st_size / 1e6:.0f} MB" if debs else ""
    text = "\n".join([
        f"## The Linux bundle: size and start-up against the virtual environment (bench/bench_bundle.py, {time.strftime('%Y-%m-%d')})",
        "",
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, Xvfb + Mesa "
        f"llvmpipe; {args.runs} runs each after one warm-up each, bundle and venv alternating; medians "
        f"(min-max). 1-minute load average {load_start[0]:.1f} at the start, {load_end[0]:.1f} at the end: "
        "the machine is shared and busy, so compare the two columns of one run, not runs of different days. "
        "Warm file cache (both warmed up first; dropping the page cache needs root).",
        "",
        "| from Popen to | bundle (dist/workstation) | venv (python -m workstation) | ratio bundle/venv |",
        "|---|---|---|---|",
        *(f"| {label} | {spread(results[('bundle', key)])} | {spread(results[('venv', key)])} | "
          f"{statistics.median(results[('bundle', key)]) / statistics.median(results[('venv', key)]):.2f}x |"
          for key, label in (("version", "`workstation --version` exits"),
                             ("window", "main window viewable (empty library)"))),
        "",
        f"Bundle: {size / 1e6:.0f} MB in {count} files{deb}. Built by `installers/build-linux.sh` (PyInstaller, "
        "one folder: Python, Qt, VTK, the codecs).",
    ])
    print(text)
    if not args.no_write:
        update_section("bundle", text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
