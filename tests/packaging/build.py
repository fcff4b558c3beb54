"""Build helpers for the packaging tests: a clean copy of the checkout, a wheel, a fresh venv.

No download: the wheel is built with the running environment's setuptools (no build isolation) and
installed ``--no-deps`` into a new virtual environment that sees the running environment's
packages through a ``.pth`` line (its dependencies, not its ``workstation``: the editable
install's own ``.pth`` files are not processed from there).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
IGNORED = shutil.ignore_patterns(".git", ".venv", "build", "dist", "*.egg-info", "__pycache__", "*.pyc",
                                 ".pytest_cache", ".mypy_cache", ".ruff_cache", "node_modules")


def clean_copy(dest: Path) -> Path:
    """The files of the checkout that git tracks or would track (a clean clone), copied to ``dest``."""
    try:
        listed = subprocess.run(["git", "ls-files", "-co", "--exclude-standard", "-z"], cwd=ROOT,
                                capture_output=True, check=True, timeout=60).stdout.decode().split("\0")
    except (OSError, subprocess.CalledProcessError):
        shutil.copytree(ROOT, dest, ignore=IGNORED)
        return dest
    for name in filter(None, listed):
        source = ROOT / name
        if source.is_file():
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, dest / name)
    return dest


def build_wheel(source: Path, out: Path) -> Path:
    """``pip wheel`` of ``source`` into ``out`` with this environment's setuptools; the wheel's path."""
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation",
                    "--no-index", "-w", str(out), str(source)], check=True, timeout=300, env=clean_env())
    wheel, = out.glob("workstation-*.whl")
    return wheel


def fresh_venv(where: Path) -> Path:
    """A new virtual environment whose Python also sees this environment's packages; its python."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(where)], check=True, timeout=120)
    python = where / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    site = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          capture_output=True, text=True, check=True, timeout=60).stdout.strip()
    ours = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    Path(site, "parent-environment.pth").write_text("".join(f"{p}\n" for p in sorted(ours)), encoding="utf-8")
    return python


def install(python: Path, wheel: Path) -> None:
    """Install ``wheel`` (not editable, without its dependencies) into ``python``'s environment."""
    subprocess.run([str(python), "-m", "pip", "install", "-q", "--no-deps", "--no-index", "--ignore-installed",
                    str(wheel)], check=True, timeout=300, env=clean_env())


def clean_env(**extra: str) -> dict[str, str]:
    """This process's environment without PYTHONPATH (so nothing is imported from the checkout)."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "WORKSTATION_RESOURCES")}
    env.update(extra)
    return env
