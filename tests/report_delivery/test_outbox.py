"""The outbox against real destinations: the FHIR server, the MLLP listener and Orthanc."""

from __future__ import annotations

import base64
import json
import multiprocessing
import shutil
import subprocess
import sys
from pathlib import Path

import hl7
import pytest
import requests

from tests.conftest import keyring_env
from tests.orthanc import OrthancServer
from tests.report_delivery.fhir_server import FaultProxy, FhirServer
from tests.report_delivery.mllp import MllpListener
from tests.report_delivery.reports import make_report_folder
from workstation.net.auth import store_secret
from workstation.report.delivery.destinations import (
    destinations_from_settings,
    fhir_destination,
    hl7_destination,
)
from workstation.report.delivery.errors import DeliveryError, ReportPackageError
from workstation.report.delivery.outbox import DELIVERED, FAILED, PENDING, Outbox, OutboxBusy
from workstation.report.delivery.package import ReportVersion
from workstation.report.delivery.profile import RisProfile
from workstation.settings import ArchiveProfile, Settings

ROOT = Path(__file__).resolve().parents[2]


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


def _settings(orthanc: OrthancServer) -> Settings:
    profile = ArchiveProfile(name="pacs", url=orthanc.dicomweb_url, username=orthanc.user)
    store_secret(profile, orthanc.password)
    return Settings(archives=[profile], default_archive="pacs")


def _reports(url: str, report_uid: str) -> list[dict]:
    bundle = requests.get(f"{url}/DiagnosticReport",
                          params={"identifier": f"urn:dicom:uid|urn:oid:{report_uid}"},
                          timeout=5).json()
    return [e["resource"] for e in bundle.get("entry", [])]


@pytest.mark.archive
def test_report_reaches_all_three_destinations(
    tmp_path: Path, fhir_server: FhirServer, mllp_listener: MllpListener, orthanc: OrthancServer
) -> None:
    ris = RisProfile(fhir_url=fhir_server.url, mllp_host=mllp_listener.host,
                     mllp_port=mllp_listener.port, mllp_timeout_s=5)
    outbox = Outbox(tmp_path / "outbox", destinations_from_settings(_settings(orthanc), ris))
    assert set(outbox.destinations) == {"fhir", "hl7", "stow"}
    source = make_report_folder(tmp_path / "signed")
    entry = outbox.add(source)
    kept = outbox.outgoing_dir / entry.version_uid
    assert (kept / "report.pdf").read_bytes() == (source / "report.pdf").read_bytes()
    assert all(d.state == PENDING for d in entry.destinations.values())
    [after] = outbox.deliver_all()
    assert {n: d.state for n, d in after.destinations.items()} == \
        {"fhir": DELIVERED, "hl7": DELIVERED, "stow": DELIVERED}
    pdf = (source / "report.pdf").read_bytes()
    # FHIR: one DiagnosticReport whose Binary is the PDF, byte for byte
    [report] = _reports(fhir_server.url, "1.2.826.0.1.3680043.8.498.2002")
    raw = requests.get(f"{fhir_server.url}/{report['presentedForm'][0]['url']}",
                       headers={"Accept": "application/pdf"}, timeout=5).content
    assert raw == pdf
    # HL7: the ORU's ED segment decodes to the same PDF
    [message] = mllp_listener.wait_for(1)
    [ed] = [s for s in hl7.parse(message).segments("OBX") if str(s[2]) == "ED"]
    assert base64.b64decode(str(ed[5][0][4])) == pdf
    # archive: both objects are in the study
    auth = (orthanc.user, orthanc.password)
    found = requests.get(f"{orthanc.dicomweb_url}/studies/{entry_study(kept)}/instances",
                         auth=auth, timeout=10).json()
    assert len(found) == 2
    # a second run sends nothing again
    outbox.deliver_all(force=True)
    assert len(mllp_listener.messages) == 1
    assert len(_reports(fhir_server.url, "1.2.826.0.1.3680043.8.498.2002")) == 1


def entry_study(folder: Path) -> str:
    return str(json.loads((folder / "report.json").read_text())["study_uid"])


def test_backoff_restart_and_exactly_once(
    tmp_path: Path, fhir_server: FhirServer, mllp_listener: MllpListener
) -> None:
    proxy = FaultProxy(fhir_server.port)
    clock = Clock()
    ris = RisProfile(fhir_url=proxy.url, read_timeout_s=5, mllp_host=mllp_listener.host,
                     mllp_port=mllp_listener.port)
    dests = {"fhir": fhir_destination(ris), "hl7": hl7_destination(ris)}
    try:
        outbox = Outbox(tmp_path / "outbox", dests, base_delay_s=10, max_delay_s=40, clock=clock)
        entry = outbox.add(make_report_folder(tmp_path / "signed"))
        proxy.set_mode("drop_post")  # the RIS takes the report, the answer is lost
        [state] = outbox.deliver_all()
        fhir = state.destinations["fhir"]
        assert (fhir.state, fhir.attempts, fhir.next_try) == (PENDING, 1, clock.now + 10)
        assert "sent again later" in fhir.last_error
        assert state.destinations["hl7"].state == DELIVERED
        proxy.set_mode("refuse")  # then it is down
        outbox.deliver_all()  # not due yet: nothing tried
        assert outbox.outbox_status()[0].destinations["fhir"].attempts == 1
        clock.now += 10
        [state] = outbox.deliver_all()
        assert state.destinations["fhir"].attempts == 2
        assert state.destinations["fhir"].next_try == clock.now + 20  # doubled
        clock.now += 1000
        outbox.deliver_all()
        clock.now += 1000
        [state] = outbox.deliver_all()
        assert state.destinations["fhir"].next_try == clock.now + 40  # capped
        # the workstation restarts: a new outbox over the same folder resumes
        proxy.set_mode("forward")
        clock.now += 40
        restarted = Outbox(tmp_path / "outbox", dests, base_delay_s=10, clock=clock)
        [state] = restarted.deliver_all()
        assert state.destinations["fhir"].state == DELIVERED
        assert "already held" in state.destinations["fhir"].detail
        assert state.version_uid == entry.version_uid
    finally:
        proxy.close()
    assert len(_reports(fhir_server.url, "1.2.826.0.1.3680043.8.498.2002")) == 1
    assert len(mllp_listener.messages) == 1


def _deliver_in_child(folder: str, fhir_url: str, result: multiprocessing.Queue) -> None:
    ris = RisProfile(fhir_url=fhir_url)
    outbox = Outbox(Path(folder), {"fhir": fhir_destination(ris)})
    not_due = [(d.state, d.attempts) for e in outbox.deliver_all() for d in e.destinations.values()]
    forced = [(d.state, d.attempts) for e in outbox.deliver_all(force=True)
              for d in e.destinations.values()]
    result.put((not_due, forced))


def test_new_process_resumes_pending_delivery(tmp_path: Path, fhir_server: FhirServer) -> None:
    proxy = FaultProxy(fhir_server.port)
    proxy.set_mode("refuse")
    try:
        outbox = Outbox(tmp_path / "outbox", {"fhir": fhir_destination(RisProfile(
            fhir_url=proxy.url))})
        outbox.add(make_report_folder(tmp_path / "signed"))
        [state] = outbox.deliver_all()
        assert state.destinations["fhir"].state == PENDING
    finally:
        proxy.close()
    del outbox
    ctx = multiprocessing.get_context("spawn")
    queue: multiprocessing.Queue = ctx.Queue()
    child = ctx.Process(target=_deliver_in_child,
                        args=(str(tmp_path / "outbox"), fhir_server.url, queue))
    child.start()
    child.join(60)
    not_due, forced = queue.get(timeout=5)
    assert not_due == [(PENDING, 1)]  # the back-off survives the restart: not due, not tried
    assert forced == [(DELIVERED, 2)]  # the new process delivers what the old one left
    assert child.exitcode == 0
    [state] = Outbox(tmp_path / "outbox", {}).outbox_status()
    assert state.destinations["fhir"].state == DELIVERED
    assert len(_reports(fhir_server.url, "1.2.826.0.1.3680043.8.498.2002")) == 1


def test_refusal_fails_until_retried_and_versions_go_in_order(tmp_path: Path) -> None:
    calls: list[tuple[str, str]] = []
    refuse = {"on": True}

    def ris(version: ReportVersion) -> str:
        calls.append((version.status, version.version_uid))
        if refuse["on"] and version.status == "final":
            raise DeliveryError("The RIS refused the report.", retryable=False)
        return "ok"

    outbox = Outbox(tmp_path / "outbox", {"fhir": ris})
    final = outbox.add(make_report_folder(tmp_path / "s", signed_at="2026-11-25T10:00:00+00:00"))
    amended = outbox.add(make_report_folder(tmp_path / "s", status="amended",
                                            signed_at="2026-11-25T11:00:00+00:00"))
    outbox.deliver_all()
    states = {e.version_uid: e.destinations["fhir"] for e in outbox.outbox_status()}
    assert states[final.version_uid].state == FAILED
    assert states[final.version_uid].last_error == "The RIS refused the report."
    # the failed final does not block the amendment forever; it was tried after the final
    assert states[amended.version_uid].state == DELIVERED
    assert [c[0] for c in calls] == ["final", "amended"]
    outbox.deliver_all(force=True)  # failed stays failed without retry
    assert len(calls) == 2
    refuse["on"] = False
    outbox.retry()
    assert all(e.delivered for e in outbox.outbox_status())
    assert len(calls) == 3


def test_pending_earlier_version_holds_back_the_later(tmp_path: Path) -> None:
    sent: list[str] = []
    down = {"on": True}

    def ris(version: ReportVersion) -> str:
        if down["on"]:
            raise DeliveryError("The RIS could not be reached.", retryable=True)
        sent.append(version.status)
        return "ok"

    outbox = Outbox(tmp_path / "outbox", {"fhir": ris})
    outbox.add(make_report_folder(tmp_path / "s", status="preliminary",
                                  signed_at="2026-11-25T09:00:00+00:00"))
    outbox.add(make_report_folder(tmp_path / "s", signed_at="2026-11-25T10:00:00+00:00"))
    entries = outbox.deliver_all()
    assert [e.destinations["fhir"].attempts for e in entries] == [1, 0]
    down["on"] = False
    outbox.deliver_all(force=True)
    assert sent == ["preliminary", "final"]


def test_bad_folder_and_same_uid_different_report(tmp_path: Path) -> None:
    outbox = Outbox(tmp_path / "outbox", {})
    folder = make_report_folder(tmp_path / "s")
    (folder / "report.json").write_text("{not json")
    with pytest.raises(ReportPackageError, match="report.json is not valid JSON"):
        outbox.add(folder)
    good = make_report_folder(tmp_path / "t")
    outbox.add(good)
    outbox.add(good)  # same version again: nothing changes
    data = json.loads((good / "report.json").read_text())
    data["conclusion"] = "Different."
    (good / "report.json").write_text(json.dumps(data))
    with pytest.raises(ReportPackageError, match="needs a new UID"):
        outbox.add(good)
    assert len(outbox.outbox_status()) == 1


def test_second_deliverer_is_told_to_wait(tmp_path: Path) -> None:
    outbox = Outbox(tmp_path / "outbox", {})
    with outbox._locked(), pytest.raises(OutboxBusy, match="right now"):
        Outbox(tmp_path / "outbox", {}).deliver_all()


def test_cli_lists_and_retries(tmp_path: Path, fhir_server: FhirServer) -> None:
    config = tmp_path / "settings.json"
    config.write_text(json.dumps({"ris": {"fhir_url": fhir_server.url}}))
    folder = tmp_path / "outbox"
    Outbox(folder, {"fhir": lambda v: "never"}).add(make_report_folder(tmp_path / "s"))
    code = ("import sys; from workstation.report.delivery.cli import add_outbox_parser, "
            "cmd_outbox; import argparse; from workstation.settings import load_settings\n"
            "p = argparse.ArgumentParser(); s = p.add_subparsers(); add_outbox_parser(s)\n"
            "a = p.parse_args(sys.argv[1:]); sys.exit(cmd_outbox(a, load_settings()))")
    env = {"WORKSTATION_CONFIG": str(config), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path),
           **keyring_env()}  # the test's keyring: the data key of the outbox it wrote
    listed = subprocess.run([sys.executable, "-c", code, "outbox", "--list-only", "--folder",
                             str(folder)], capture_output=True, text=True, env=env, cwd=ROOT,
                            timeout=60)
    assert listed.returncode == 3, listed.stderr
    assert "fhir  pending after 0 attempt(s)" in listed.stdout
    retried = subprocess.run([sys.executable, "-c", code, "outbox", "--retry", "--json",
                              "--folder", str(folder)], capture_output=True, text=True, env=env,
                             cwd=ROOT, timeout=60)
    assert retried.returncode == 0, retried.stderr
    [entry] = json.loads(retried.stdout)
    assert entry["destinations"]["fhir"]["state"] == "delivered"
    assert len(_reports(fhir_server.url, "1.2.826.0.1.3680043.8.498.2002")) == 1


def test_versions_ordered_by_signing_instant_across_time_zones(tmp_path: Path) -> None:
    sent: list[str] = []
    outbox = Outbox(tmp_path / "outbox", {"hl7": lambda v: sent.append(v.status) or "ok"})
    # 10:30 at UTC+2 is 08:30 UTC: earlier than 09:00 UTC although its text sorts later
    outbox.add(make_report_folder(tmp_path / "s", status="amended",
                                  signed_at="2026-11-25T09:00:00+00:00"))
    outbox.add(make_report_folder(tmp_path / "s", signed_at="2026-11-25T10:30:00+02:00"))
    outbox.deliver_all()
    assert sent == ["final", "amended"]


def _outbox_cli(folder: Path, config: Path, tmp_path: Path, *extra: str) -> subprocess.CompletedProcess:
    code = ("import sys; from workstation.report.delivery.cli import add_outbox_parser, "
            "cmd_outbox; import argparse; from workstation.settings import load_settings\n"
            "p = argparse.ArgumentParser(); s = p.add_subparsers(); add_outbox_parser(s)\n"
            "a = p.parse_args(sys.argv[1:]); sys.exit(cmd_outbox(a, load_settings()))")
    env = {"WORKSTATION_CONFIG": str(config), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path),
           **keyring_env()}  # the test's keyring: the data key of the outbox it wrote
    return subprocess.run([sys.executable, "-c", code, "outbox", "--folder", str(folder), *extra],
                          capture_output=True, text=True, env=env, cwd=ROOT, timeout=60)


def test_report_without_accession_reaches_fhir_and_hl7(
    tmp_path: Path, fhir_server: FhirServer, mllp_listener: MllpListener
) -> None:
    """An imported study has no accession number: the report is still delivered, identified by
    the Study Instance UID (FHIR imagingStudy; HL7 OBR-3 and an OBX)."""
    ris = RisProfile(fhir_url=fhir_server.url, mllp_host=mllp_listener.host,
                     mllp_port=mllp_listener.port, mllp_timeout_s=5)
    outbox = Outbox(tmp_path / "outbox", destinations_from_settings(Settings(), ris))
    entry = outbox.add(make_report_folder(tmp_path / "signed", accession_number=""))
    [after] = outbox.deliver_all()
    assert after.delivered, after.why_undelivered()
    assert {n: d.state for n, d in after.destinations.items()} == \
        {"fhir": DELIVERED, "hl7": DELIVERED}
    [report] = _reports(fhir_server.url, "1.2.826.0.1.3680043.8.498.2002")
    assert report["imagingStudy"][0]["identifier"]["value"] == \
        "urn:oid:1.2.826.0.1.3680043.8.498.1001"
    [message] = mllp_listener.wait_for(1)
    assert str(hl7.parse(message).segment("OBR")[3]).startswith("1.2.826.0.1.3680043.8.498.1001^")
    assert entry.accession_number == ""


def test_every_undelivered_report_is_listed_with_why(tmp_path: Path) -> None:
    """A report the outbox cannot read, or with no destination to go to, is listed with the
    reason and the command exits non-zero; never 'The outbox is empty.'"""
    config = tmp_path / "settings.json"
    config.write_text("{}")  # no RIS, no archive
    folder = tmp_path / "outbox"
    without_accession = make_report_folder(folder / "outgoing", accession_number="")
    broken = make_report_folder(folder / "outgoing")
    (broken / "report.json").write_text("{not json")
    listed = _outbox_cli(folder, config, tmp_path)
    assert listed.returncode == 4, listed.stdout + listed.stderr
    assert "The outbox is empty." not in listed.stdout
    lines = listed.stdout.splitlines()
    [bad] = [line for line in lines if line.startswith(broken.name)]
    assert "NOT DELIVERED" in bad and "is not valid JSON" in bad
    [head] = [i for i, line in enumerate(lines) if line.startswith(without_accession.name)]
    assert "accession none" in lines[head]
    assert "NOT DELIVERED: No destination is configured" in lines[head + 1]
    assert lines[-1].startswith("2 of 2 signed report version(s) are not delivered: 2 blocked")
    as_json = _outbox_cli(folder, config, tmp_path, "--json", "--list-only")
    assert as_json.returncode == 4
    why = {e["version_uid"]: (e["blocked"], e["why"]) for e in json.loads(as_json.stdout)}
    assert why[broken.name][0] and "not valid JSON" in why[broken.name][1]
    assert why[without_accession.name][0]
    assert "No destination" in why[without_accession.name][1]
    # a report only waiting for a retry: exit 3; the broken one is repaired by signing again
    shutil.rmtree(broken)
    config.write_text(json.dumps({"ris": {"fhir_url": "http://127.0.0.1:9/fhir"}}))
    waiting = _outbox_cli(folder, config, tmp_path)
    assert waiting.returncode == 3, waiting.stdout
    assert "fhir  pending after 1 attempt(s)" in waiting.stdout
    assert "could not be reached" in waiting.stdout
