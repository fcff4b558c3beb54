"""Where the shipped resources are found (workstation/resource_files.py); the installed case is
tests/packaging/test_wheel.py."""

from __future__ import annotations

from pathlib import Path

from workstation import resource_files
from workstation.hanging.loader import shipped_folder
from workstation.report.templates import BUILTIN_FOLDER

ROOT = Path(__file__).resolve().parents[2]


def test_a_checkout_reads_its_own_resources_folder(monkeypatch) -> None:
    monkeypatch.delenv(resource_files.ENV_OVERRIDE, raising=False)
    assert resource_files.checkout_root() == ROOT / "resources"
    assert resource_files.resources_root() == ROOT / "resources"
    assert shipped_folder() == ROOT / "resources" / "hanging"
    assert BUILTIN_FOLDER == ROOT / "resources" / "report_templates"


def test_the_override_wins_and_a_missing_one_is_ignored(monkeypatch, tmp_path) -> None:
    monkeypatch.setenv(resource_files.ENV_OVERRIDE, str(tmp_path))
    assert resource_files.resource_folder("hanging") == tmp_path / "hanging"
    monkeypatch.setenv(resource_files.ENV_OVERRIDE, str(tmp_path / "missing"))
    assert resource_files.resources_root() == ROOT / "resources"


def test_outside_a_checkout_the_installed_package_is_used(monkeypatch, tmp_path) -> None:
    """A package that is not beside a pyproject.toml (site-packages) reads workstation.resources."""
    monkeypatch.delenv(resource_files.ENV_OVERRIDE, raising=False)
    monkeypatch.setattr(resource_files.workstation, "__file__", str(tmp_path / "workstation" / "__init__.py"))
    assert resource_files.checkout_root() is None
    installed = resource_files.installed_root()  # in this environment: none, or the editable mapping
    assert resource_files.resources_root() == (installed or tmp_path / "resources")
