"""The command line stays English but takes and prints accented text (issue 17): an accented
name as a search argument, accented names and French template titles on UTF-8 and Latin-1
terminals, and every row on a terminal that cannot show them (escaped, never a crash)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.store.helpers import instance_bytes

ROOT = Path(__file__).resolve().parents[2]
NAME = "Lefèvre^Éloïse Marie-Thérèse"


def _cli(*args: str, encoding: str | None = None) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "LC_ALL": "C.UTF-8"}
    env.pop("PYTHONIOENCODING", None)
    if encoding:
        env["PYTHONIOENCODING"] = encoding
    return subprocess.run([sys.executable, "-m", "workstation", *args], cwd=ROOT, capture_output=True,
                          env=env, timeout=120)


def test_accented_names_in_and_out(tmp_path: Path) -> None:
    (tmp_path / "a.dcm").write_bytes(instance_bytes(patient_id="P-FR-1", patient_name=NAME, study_date="20250112"))
    (tmp_path / "b.dcm").write_bytes(instance_bytes(patient_id="P-FR-2", patient_name="Martin^Paul", study_date="20250113"))
    assert _cli("import", "-q", str(tmp_path)).returncode == 0

    found = _cli("studies", "--library", "--name", "Lefèvre*")  # an accented argument
    assert found.returncode == 0, found.stderr
    text = found.stdout.decode("utf-8")
    assert NAME in text and "P-FR-1" in text and "P-FR-2" not in text

    latin = _cli("studies", "--library", "--name", "Lefèvre*", encoding="latin-1")
    assert latin.returncode == 0 and NAME.encode("latin-1") in latin.stdout

    # A terminal that cannot show "è": the row is still printed, escaped (this stopped with
    # UnicodeEncodeError after the header before).
    ascii_only = _cli("studies", "--library", "--name", "Lefèvre*", encoding="ascii")
    assert ascii_only.returncode == 0, ascii_only.stderr
    assert b"Lef\\xe8vre^\\xc9lo\\xefse" in ascii_only.stdout and b"P-FR-1" in ascii_only.stdout


def test_french_template_titles_print() -> None:
    out = _cli("report", "templates")
    assert out.returncode == 0, out.stderr
    assert "TDM cérébrale" in out.stdout.decode("utf-8") and "Échographie abdominale" in out.stdout.decode("utf-8")
    latin = _cli("report", "templates", encoding="latin-1")
    assert "TDM cérébrale".encode("latin-1") in latin.stdout
