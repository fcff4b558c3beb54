"""Kill -9 during report delivery: after restarts the report is delivered exactly once.

The deliverer is the real ``workstation outbox --retry`` in a subprocess, sending to the real
receivers of the other delivery tests (the FHIR R4 server, the MLLP listener, Orthanc). It is
killed with SIGKILL at the worst moments, each destination's own: after the outbox recorded the
attempt and while the send is in flight (the FHIR transaction, the HL7 message whose ACK the
listener holds back, the STOW-RS request). Then a last run finishes, and each receiver holds the
report once: one DiagnosticReport, the two DICOM objects once each in the archive, and HL7
copies that all carry the same MSH-10 control ID, which is how an HL7 v2 receiver recognises a
message sent again (HL7 v2.5 2.10.2, "original acknowledgment mode": the sender resends until
acknowledged).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import hl7
import pytest
import requests

from tests.conftest import keyring_env
from tests.orthanc import OrthancServer
from tests.report_delivery.fhir_server import FhirServer
from tests.report_delivery.mllp import MllpListener
from tests.report_delivery.reports import make_report_folder
from workstation.crypt.files import read_protected
from workstation.errors import StoreError
from workstation.report.delivery.outbox import DELIVERED, PENDING, Outbox

ROOT = Path(__file__).resolve().parents[2]
REPORT_UID = "1.2.826.0.1.3680043.8.498.2002"

pytestmark = [pytest.mark.archive, pytest.mark.timeout(240)]


def _state(folder: Path, version_uid: str) -> dict[str, dict[str, object]]:
    path = folder / "state" / f"{version_uid}.json"
    try:
        return dict(json.loads(read_protected(path))["destinations"])
    except (OSError, ValueError, KeyError, StoreError):  # not there yet, or being replaced
        return {}


def _deliverer(config: Path, folder: Path, orthanc: OrthancServer, home: Path) -> subprocess.Popen[str]:
    env = {"WORKSTATION_CONFIG": str(config), "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
           "HOME": str(home), "WORKSTATION_USER": orthanc.user,
           "WORKSTATION_PASSWORD": orthanc.password, "XDG_DATA_HOME": str(home / "data"),
           **keyring_env()}  # the test's keyring: the data key of the outbox it wrote
    return subprocess.Popen([sys.executable, "-m", "workstation", "outbox", "--retry", "--json",
                             "--folder", str(folder)], cwd=ROOT, env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def _kill_when(child: subprocess.Popen[str], ready: Callable[[], bool],
               timeout_s: float = 60) -> None:
    """SIGKILL ``child`` as soon as ``ready()`` (polled every 2 ms)."""
    deadline = time.monotonic() + timeout_s
    while not ready():
        assert child.poll() is None, "the deliverer ended before the kill point"
        assert time.monotonic() < deadline, "the kill point was never reached"
        time.sleep(0.002)
    os.kill(child.pid, signal.SIGKILL)
    child.wait(10)
    assert child.returncode == -signal.SIGKILL


def test_killed_deliverer_delivers_exactly_once_after_restart(
    tmp_path: Path, fhir_server: FhirServer, mllp_listener: MllpListener, orthanc: OrthancServer
) -> None:
    config = tmp_path / "settings.json"
    config.write_text(json.dumps({
        "archives": [{"name": "pacs", "url": orthanc.dicomweb_url, "username": orthanc.user}],
        "default_archive": "pacs",
        "ris": {"fhir_url": fhir_server.url, "mllp_host": mllp_listener.host,
                "mllp_port": mllp_listener.port, "mllp_timeout_s": 30},
    }), encoding="utf-8")
    folder = tmp_path / "outbox"
    names = {"fhir": lambda v: "", "hl7": lambda v: "", "stow": lambda v: ""}
    entry = Outbox(folder, names).add(make_report_folder(tmp_path / "signed",
                                                         patient_name="Müller^Élodie"))
    version = entry.version_uid

    def attempted(name: str, n: int) -> bool:
        dest = _state(folder, version).get(name, {})
        return int(dest.get("attempts", 0)) >= n  # type: ignore[call-overload]

    # 1. killed while the FHIR transaction is in flight (its attempt is recorded first)
    _kill_when(_deliverer(config, folder, orthanc, tmp_path), lambda: attempted("fhir", 1))
    assert _state(folder, version)["fhir"]["state"] == PENDING  # the kill beat the answer
    # 2. killed while the RIS holds back the ACK of the HL7 message it received
    mllp_listener.delay_s = 20
    _kill_when(_deliverer(config, folder, orthanc, tmp_path),
               lambda: len(mllp_listener.messages) >= 1)
    mllp_listener.delay_s = 0
    assert _state(folder, version)["hl7"]["state"] == PENDING
    # 3. killed while the STOW-RS request is in flight
    _kill_when(_deliverer(config, folder, orthanc, tmp_path), lambda: attempted("stow", 1))
    assert _state(folder, version)["stow"]["state"] == PENDING
    # 4. the last run finishes
    last = _deliverer(config, folder, orthanc, tmp_path)
    out, err = last.communicate(timeout=120)
    assert last.returncode == 0, err
    [final] = json.loads(out)
    assert {n: d["state"] for n, d in final["destinations"].items()} == \
        {"fhir": DELIVERED, "hl7": DELIVERED, "stow": DELIVERED}
    assert not [p.name for p in (folder / "state").iterdir() if p.name != f"{version}.json"]

    # exactly once at each receiver
    bundle = requests.get(f"{fhir_server.url}/DiagnosticReport",
                          params={"identifier": f"urn:dicom:uid|urn:oid:{REPORT_UID}"},
                          timeout=10).json()
    assert len(bundle.get("entry", [])) == 1
    control_ids = {str(hl7.parse(m).segment("MSH")[10]) for m in mllp_listener.messages}
    assert len(control_ids) == 1, control_ids  # resent copies are the same message
    assert len(mllp_listener.messages) == 2  # received before the kill, sent again after it
    study = json.loads(read_protected(folder / "outgoing" / version / "report.json"))["study_uid"]
    found = requests.get(f"{orthanc.dicomweb_url}/studies/{study}/instances",
                         auth=(orthanc.user, orthanc.password), timeout=10).json()
    sops = [i["00080018"]["Value"][0] for i in found]
    assert len(sops) == 2 and len(set(sops)) == 2
