"""The command line against broken settings, a machine without a keyring, and plain HTTP.

Every case runs the real ``workstation`` command in a subprocess and checks its status and its
standard error: one sentence, never a traceback (the traceback is logged only with -v).
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import KEYRING_FILE_ENV
from tests.faultserver import FaultServer
from workstation.errors import AuthError
from workstation.model.query import StudyQuery
from workstation.net.auth import store_secret
from workstation.net.dicomweb import DicomWebClient
from workstation.settings import ArchiveProfile

ROOT = Path(__file__).resolve().parents[2]
NO_KEYRING = {"PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}

pytestmark = pytest.mark.timeout(120)


def cli(config: Path, *args: str, env: dict[str, str] | None = None,
        stdin: str = "") -> subprocess.CompletedProcess[str]:
    # The tests' keyring stand-in (a file) stays: each command then finds the key the last one made.
    full_env = {k: v for k, v in os.environ.items()
                if not k.startswith("WORKSTATION_") or k == KEYRING_FILE_ENV}
    full_env["WORKSTATION_CONFIG"] = str(config)
    full_env.update(env or {})
    return subprocess.run([sys.executable, "-m", "workstation", *args], cwd=ROOT,
                          capture_output=True, text=True, env=full_env, timeout=60, input=stdin)


def single_sentence(stderr: str) -> str:
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1, stderr
    assert "Traceback" not in stderr
    return lines[0]


@pytest.fixture
def config(tmp_path: Path) -> Path:
    return tmp_path / "settings.json"


def test_unexpected_error_is_one_sentence(config: Path) -> None:
    # A hand-edited settings file with a timeout that is not a number: the HTTP stack raises a
    # ValueError nobody foresaw.
    config.write_text(json.dumps({"archives": [{
        "name": "pacs", "url": "http://127.0.0.1:9/dicom-web", "auth": "none",
        "read_timeout_s": "soon"}]}), encoding="utf-8")
    out = cli(config, "studies", "--name", "Zoë")
    assert out.returncode == 1
    sentence = single_sentence(out.stderr)
    assert sentence == ("The command failed unexpectedly (ValueError) and stopped: run it again "
                        "with -v to log the details.")
    verbose = cli(config, "-v", "studies")
    assert verbose.returncode == 1
    assert "Traceback" in verbose.stderr and "ValueError" in verbose.stderr
    assert verbose.stderr.rstrip().endswith("the details are in the log above.")


def test_archive_add_without_keyring_uses_the_environment(config: Path) -> None:
    out = cli(config, "archive", "add", "Hôpital", "https://pacs.example.org/dicom-web",
              "--user", "jdoe", env={**NO_KEYRING, "WORKSTATION_PASSWORD": "sécret"})
    assert out.returncode == 0, out.stderr
    assert "Traceback" not in out.stderr
    assert "read from WORKSTATION_PASSWORD" in out.stdout
    saved = json.loads(config.read_text(encoding="utf-8"))
    assert [a["name"] for a in saved["archives"]] == ["Hôpital"]
    assert "sécret" not in config.read_text(encoding="utf-8")
    removed = cli(config, "archive", "remove", "Hôpital", env=NO_KEYRING)
    assert removed.returncode == 0, removed.stderr
    assert json.loads(config.read_text(encoding="utf-8"))["archives"] == []


def test_archive_add_without_keyring_or_password_says_what_is_missing(config: Path) -> None:
    out = cli(config, "archive", "add", "pacs", "https://pacs.example.org/dicom-web",
              "--user", "jdoe", env=NO_KEYRING)
    assert out.returncode == 1
    sentence = single_sentence(out.stderr)
    assert "There is no system keyring" in sentence
    assert "set WORKSTATION_PASSWORD" in sentence and "install a keyring backend" in sentence
    assert not config.exists()  # nothing half-saved


def test_archive_add_refuses_a_password_over_plain_http(config: Path) -> None:
    out = cli(config, "archive", "add", "pacs", "http://pacs.example.org/dicom-web",
              "--user", "jdoe", env={"WORKSTATION_PASSWORD": "x"})
    assert out.returncode == 1
    sentence = single_sentence(out.stderr)
    assert "unencrypted over plain HTTP to pacs.example.org" in sentence
    assert "--allow-insecure-http" in sentence
    assert not config.exists()


def test_archive_add_allows_plain_http_when_asked_and_warns(config: Path) -> None:
    out = cli(config, "archive", "add", "pacs", "http://pacs.example.org/dicom-web", "--user",
              "jdoe", "--allow-insecure-http", env={**NO_KEYRING, "WORKSTATION_PASSWORD": "x"})
    assert out.returncode == 0, out.stderr
    assert single_sentence(out.stderr).startswith("Warning: archive 'pacs' will send its secret "
                                                  "unencrypted")
    saved = json.loads(config.read_text(encoding="utf-8"))
    assert saved["archives"][0]["allow_insecure_http"] is True


def test_archive_add_on_loopback_needs_no_opt_in(config: Path) -> None:
    out = cli(config, "archive", "add", "local", "http://127.0.0.1:8042/dicom-web", "--user",
              "jdoe", env={**NO_KEYRING, "WORKSTATION_PASSWORD": "x"})
    assert out.returncode == 0, out.stderr
    assert out.stderr == ""


# -- the rule at request time, against a server on this machine's non-loopback address --------


def _non_loopback_address() -> str | None:
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.connect(("192.0.2.1", 9))  # no packet is sent: this only picks a route
            address = str(s.getsockname()[0])
    except OSError:
        return None
    return None if address.startswith("127.") else address


@pytest.fixture
def lan_archive() -> Iterator[FaultServer]:
    address = _non_loopback_address()
    if address is None:
        pytest.skip("this machine has no non-loopback IPv4 address")
    try:
        server = FaultServer(host=address).start()
    except OSError:
        pytest.skip(f"{address} cannot be bound here")
    yield server
    server.stop()


def test_basic_over_plain_http_is_refused_before_sending(lan_archive: FaultServer) -> None:
    profile = ArchiveProfile(name="LAN", url=lan_archive.url, username="jdoe")
    store_secret(profile, "mot-de-passe")
    started = time.monotonic()
    with DicomWebClient(profile) as client, pytest.raises(AuthError) as err:
        client.search_studies(StudyQuery())
    assert time.monotonic() - started < 1.0
    assert lan_archive.seen == []  # nothing, and so no password, reached the server
    assert str(err.value).startswith("Archive profile 'LAN' would send its password "
                                     f"unencrypted over plain HTTP to {lan_archive.host}")
    check = DicomWebClient(profile).check_connection()  # the settings dialog's test button
    assert not check.ok and check.message == str(err.value)


def test_basic_over_plain_http_with_the_opt_in_is_sent(lan_archive: FaultServer) -> None:
    profile = ArchiveProfile(name="LAN", url=lan_archive.url, username="jdoe",
                             allow_insecure_http=True)
    store_secret(profile, "mot-de-passe")
    with DicomWebClient(profile) as client:
        assert [s.study_uid for s in client.search_studies(StudyQuery())] == [lan_archive.study_uid]
    assert lan_archive.seen[0].authorization.startswith("Basic ")


def test_archive_add_without_a_terminal_says_how_to_give_the_password(config: Path) -> None:
    out = cli(config, "archive", "add", "pacs", "https://pacs.example.org/dicom-web", "--user",
              "jdoe", env={"PYTHON_KEYRING_BACKEND": "tests.conftest.MemoryKeyring"})
    assert out.returncode == 1
    lines = [line for line in out.stderr.splitlines() if line.strip()]
    assert "Traceback" not in out.stderr
    # the last line ends with the sentence (getpass writes its prompt, unanswered, before it)
    assert lines[-1].endswith("No password was given for archive 'pacs' (there is no terminal "
                              "to ask on): set WORKSTATION_PASSWORD for scripts.")
    assert not config.exists()


def test_broken_dependency_is_one_sentence(config: Path, tmp_path: Path) -> None:
    # A broken installation: the PDF library the qc verb imports fails to load.
    fake = tmp_path / "site" / "reportlab"
    fake.mkdir(parents=True)
    (fake / "__init__.py").write_text(
        'raise ImportError("libfreetype.so.6: cannot open shared object file", '
        'name="reportlab._renderPM")\n', encoding="utf-8")
    env = {"PYTHONPATH": os.pathsep.join([str(tmp_path / "site"), str(ROOT)])}
    out = cli(config, "qc", "1.2.3", env=env)
    assert out.returncode == 1
    assert single_sentence(out.stderr) == (
        "The command could not load the Python package 'reportlab' it needs (reinstall the "
        "workstation) and stopped: run it again with -v to log the details.")
