"""The layer contract of shared/ARCHITECTURE.md: Qt only in ui/, VTK only in render/ and ui/."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_import_contracts_hold() -> None:
    exe = shutil.which("lint-imports") or str(Path(sys.executable).parent / "lint-imports")
    result = subprocess.run([exe], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "broken" in result.stdout and "0 broken" in result.stdout


def test_core_imports_without_qt_or_vtk() -> None:
    code = (
        "import sys, workstation.cli, workstation.settings, workstation.demo, "
        "workstation.model.query, workstation.model.entities, workstation.net.transfer;"
        "bad=[m for m in sys.modules if m.startswith(('PySide6','vtk'))];"
        "print(bad); raise SystemExit(1 if bad else 0)"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
