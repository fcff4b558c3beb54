"""A non-editable ``pip install .`` runs on its own: the shipped resources come with the package.

The wheel is built from a clean copy of the checkout and installed into a fresh virtual environment
(no download, see :mod:`tests.packaging.build`); the commands then run from an unrelated folder, so
nothing can be read from the source tree.
"""

from __future__ import annotations

import json
import subprocess
import zipfile
from pathlib import Path

import pytest

import workstation
from tests.conftest import KEYRING_FILE_ENV
from tests.packaging.build import ROOT, build_wheel, clean_copy, clean_env, fresh_venv, install


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(wheel, the ``workstation`` command of a fresh venv holding only that wheel)."""
    base = tmp_path_factory.mktemp("wheel")
    source = clean_copy(base / "src")
    wheel = build_wheel(source, base / "dist")
    python = fresh_venv(base / "venv")
    install(python, wheel)
    return wheel, python.parent / "workstation"


def _run(command: Path, *args: str, home: Path) -> subprocess.CompletedProcess[str]:
    env = clean_env(XDG_CONFIG_HOME=str(home / "config"), XDG_DATA_HOME=str(home / "data"),
                    XDG_CACHE_HOME=str(home / "cache"))
    # The tests' keyring stand-in lives in the checkout's tests package, which the installed
    # command must not see: this venv runs as on a machine whose disk is already encrypted.
    for name in ("PYTHON_KEYRING_BACKEND", KEYRING_FILE_ENV):
        env.pop(name, None)
    settings = home / "config" / "workstation" / "settings.json"
    if not settings.exists():
        settings.parent.mkdir(parents=True, exist_ok=True)
        settings.write_text(json.dumps({"disk_encrypted": True}), encoding="utf-8")
    return subprocess.run([str(command), *args], cwd=home, env=env, capture_output=True, text=True, timeout=180)


def test_the_wheel_carries_every_resource_file(installed):
    wheel, _ = installed
    shipped = {p.relative_to(ROOT / "resources").as_posix() for p in (ROOT / "resources").rglob("*")
               if p.is_file() and "__pycache__" not in p.parts}
    with zipfile.ZipFile(wheel) as archive:
        packed = {n.removeprefix("workstation/resources/") for n in archive.namelist()
                  if n.startswith("workstation/resources/")}
    assert shipped and packed == shipped
    assert "workstation/py.typed" in zipfile.ZipFile(wheel).namelist()


def test_installed_workstation_reads_its_resources_from_the_package(installed, tmp_path):
    _, command = installed
    python = command.parent / "python"
    out = subprocess.run(
        [str(python), "-c", "import workstation, workstation.resource_files as r; "
         "print(workstation.__file__); print(r.resources_root()); print(workstation.__version__)"],
        cwd=tmp_path, env=clean_env(), capture_output=True, text=True, check=True, timeout=120,
    ).stdout.splitlines()
    package = Path(out[0]).parent
    assert package.is_relative_to(command.parent.parent)  # the venv's copy, not the checkout
    assert Path(out[1]) == package / "resources"
    assert out[2] == workstation.__version__


def test_installed_commands_run(installed, tmp_path):
    _, command = installed
    version = _run(command, "--version", home=tmp_path)
    assert version.returncode == 0 and version.stdout.strip() == f"workstation {workstation.__version__}"

    demo = _run(command, "demo", home=tmp_path)
    assert demo.returncode == 0, demo.stderr
    studies = json.loads(_run(command, "studies", "--json", home=tmp_path).stdout)
    ct, = [s for s in studies if s["study_description"] == "CT HEAD DEMO PHANTOM"]

    hang = _run(command, "hang", ct["study_uid"], "--json", home=tmp_path)
    assert hang.returncode == 0, hang.stderr
    protocol = json.loads(hang.stdout)["protocol"]
    assert (protocol["id"], protocol["source"]) == ("ct-head", "shipped")  # resources/hanging/ct-head.json

    templates = _run(command, "report", "templates", home=tmp_path)
    assert templates.returncode == 0, templates.stderr
    ids = {line.split()[0] for line in templates.stdout.splitlines() if line.strip()}
    assert ids == {p.stem for p in (ROOT / "resources" / "report_templates").glob("*.json")}
