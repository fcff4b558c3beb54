"""Shared fixtures: isolated folders, an in-memory keyring, real data, a real Orthanc."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import keyring
import keyring.backend
import pytest

from tests import orthanc as orthanc_mod

ROOT = Path(__file__).resolve().parent.parent
# The large real-data set beside the repository (not part of it); WORKSTATION_TEST_DATA names another
# folder (a missing one shows which tests skip on a clean clone).
SHARED_DATA = Path(os.environ.get("WORKSTATION_TEST_DATA") or ROOT.parent / "shared" / "data").resolve()


KEYRING_FILE_ENV = "WORKSTATION_TEST_KEYRING"


class MemoryKeyring(keyring.backend.KeyringBackend):
    """A keyring for tests (the headless default backend refuses everything): in memory, or,
    when ``WORKSTATION_TEST_KEYRING`` names a file, kept in that file so that a command run
    by the test in a subprocess (``PYTHON_KEYRING_BACKEND=tests.conftest.MemoryKeyring``) sees
    the same secrets and the same data key as the test itself."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.store: dict[tuple[str, str], str] = {}

    def _load(self) -> None:
        path = os.environ.get(KEYRING_FILE_ENV)
        if path and Path(path).exists():
            self.store = {tuple(k.split("\0", 1)): v  # type: ignore[misc]
                          for k, v in json.loads(Path(path).read_text()).items()}

    def _save(self) -> None:
        path = os.environ.get(KEYRING_FILE_ENV)
        if path:
            Path(path).write_text(json.dumps({"\0".join(k): v for k, v in self.store.items()}))

    def get_password(self, service: str, username: str) -> str | None:
        self._load()
        return self.store.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self._load()
        self.store[(service, username)] = password
        self._save()

    def delete_password(self, service: str, username: str) -> None:
        self._load()
        self.store.pop((service, username), None)
        self._save()


def keyring_env() -> dict[str, str]:
    """The environment a command run by a test in a subprocess needs to share the test's keyring
    (its secrets and the data key that encrypts what the test wrote)."""
    return {k: os.environ[k] for k in (KEYRING_FILE_ENV, "PYTHON_KEYRING_BACKEND") if k in os.environ}


@pytest.fixture(autouse=True)
def isolated_environment(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Every test gets its own config and data folders and an empty in-memory keyring."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / "cache"))
    monkeypatch.delenv("WORKSTATION_CONFIG", raising=False)
    monkeypatch.delenv("WORKSTATION_USER", raising=False)
    monkeypatch.delenv("WORKSTATION_PASSWORD", raising=False)
    monkeypatch.setenv(KEYRING_FILE_ENV, str(home / "test-keyring.json"))
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "tests.conftest.MemoryKeyring")
    previous = keyring.get_keyring()
    keyring.set_keyring(MemoryKeyring())
    yield home
    keyring.set_keyring(previous)


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """``../shared/data``; tests that need it skip when it is absent (a fresh clone elsewhere)."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"the large real-data set is not present ({SHARED_DATA}): this real-data test is skipped")
    return SHARED_DATA


@pytest.fixture(scope="session")
def orthanc_server() -> Iterator[orthanc_mod.OrthancServer]:
    """One real Orthanc with DICOMweb for the whole run (cleared by ``orthanc`` per test)."""
    if not orthanc_mod.available():
        if os.environ.get("CI"):
            pytest.fail("Orthanc is not installed; the test command should have installed it")
        pytest.skip("Orthanc with the DICOMweb plugin is not installed")
    server = orthanc_mod.start_orthanc()
    yield server
    server.stop()


@pytest.fixture
def orthanc(orthanc_server: orthanc_mod.OrthancServer) -> orthanc_mod.OrthancServer:
    """The session's Orthanc, emptied before the test."""
    orthanc_server.clear()
    return orthanc_server
