"""The audit log forwarded to a real syslog server (rsyslog) over TLS, RFC 5424/5425, ATNA XML."""

from __future__ import annotations

import base64
import json
import os
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.audit import syslog_server
from workstation.audit import AuditAction, audit_log_for, default_audit_path
from workstation.audit import syslog as forwarding
from workstation.cli import main
from workstation.identity import Identity, remember_identity
from workstation.settings import AuditSettings, Settings, save_settings


@pytest.fixture
def rsyslog(tmp_path: Path) -> Iterator[tuple[syslog_server.Rsyslog, Path]]:
    if not syslog_server.available():
        if os.environ.get("CI"):
            pytest.fail("rsyslog is not installed; the test command should have installed it")
        pytest.skip("rsyslog (with rsyslog-openssl) is needed for the forwarding tests")
    folder = tmp_path / "rsyslog"
    folder.mkdir()
    ca, cert, key = syslog_server.make_ca_and_server(folder)
    server = syslog_server.start_rsyslog(folder, ca, cert, key)
    forwarding._RETRY_AT.clear()
    yield server, ca
    server.stop()
    forwarding._RETRY_AT.clear()


def _settings(port: int, ca: Path) -> Settings:
    settings = Settings(audit=AuditSettings(syslog_host="127.0.0.1", syslog_port=port, ca_bundle=str(ca)))
    save_settings(settings)
    return settings


def test_records_reach_the_repository_as_atna_xml_over_tls(rsyslog, capsys) -> None:
    server, ca = rsyslog
    settings = _settings(server.port, ca)
    remember_identity(Identity(subject="rad-9", name="Dr Zoë Ångström", issuer="https://idp.example"))
    log = audit_log_for(settings)
    log.record(AuditAction.STUDY_OPENED, study_uid="1.2.3.4", patient_id="PAT-ü", issuer_of_patient_id="HÔP")
    log.record(AuditAction.STUDY_SEARCHED, detail={"query": {"name": "Müller*"}})
    lines = server.wait_for(2)
    assert len(lines) == 2, lines
    pri, app, msgid, msg = lines[0].split("|", 3)
    assert (pri, app, msgid) == ("85", "workstation", "IHE+RFC-3881")  # authpriv.notice, ATNA
    root = ET.fromstring(msg.removeprefix("\ufeff"))
    event = root.find("EventIdentification")
    assert event is not None and event.get("EventActionCode") == "R" and event.get("EventOutcomeIndicator") == "0"
    assert event.find("EventID").get("csd-code") == "110103"  # type: ignore[union-attr]
    user, application = root.findall("ActiveParticipant")
    assert user.get("UserName") == "Dr Zoë Ångström"
    assert user.get("UserID") == "rad-9@https://idp.example" and user.get("UserIsRequestor") == "true"
    assert application.get("UserIsRequestor") == "false"
    assert application.find("RoleIDCode").get("csd-code") == "110150"  # type: ignore[union-attr]
    # PS3.15 A.5.1 order: event, participants, source, objects.
    assert [c.tag for c in root][:4] == ["EventIdentification", "ActiveParticipant", "ActiveParticipant",
                                         "AuditSourceIdentification"]
    objects = {o.get("ParticipantObjectTypeCodeRole"): o.get("ParticipantObjectID")
               for o in root.findall("ParticipantObjectIdentification")}
    assert objects == {"3": "1.2.3.4", "1": "PAT-ü^^^&HÔP"}
    query = ET.fromstring(lines[1].split("|", 3)[3].removeprefix("\ufeff"))
    q = [o for o in query.findall("ParticipantObjectIdentification") if o.get("ParticipantObjectTypeCodeRole") == "24"]
    assert json.loads(base64.b64decode(q[0].findtext("ParticipantObjectQuery") or "")) == {"name": "Müller*"}


def test_records_made_while_the_repository_is_down_are_sent_later_in_order(rsyslog, tmp_path: Path, capsys) -> None:
    server, ca = rsyslog
    server.stop()  # the repository is down
    settings = _settings(server.port, ca)
    log = audit_log_for(settings)
    for i in range(3):
        log.record(AuditAction.STUDY_OPENED, study_uid=f"1.2.{i}")  # never blocks the work
    assert len(log.read()) == 3
    restarted = syslog_server.start_rsyslog(server.received.parent, ca, server.received.parent / "server.pem",
                                            server.received.parent / "server.key")
    try:
        settings = _settings(restarted.port, ca)
        assert main(["audit", "--forward"]) == 0
        assert "3 audit records sent" in capsys.readouterr().out
        lines = restarted.wait_for(3)
        assert [ET.fromstring(line.split("|", 3)[3].removeprefix("\ufeff"))
                .find("ParticipantObjectIdentification").get("ParticipantObjectID")  # type: ignore[union-attr]
                for line in lines] == ["1.2.0", "1.2.1", "1.2.2"]
        # The next sending starts where this one stopped (it does not re-read the whole log).
        state = json.loads(default_audit_path().with_name("audit.forwarded").read_text())
        assert state["seq"] == 3 and state["offset"] == default_audit_path().stat().st_size
        assert main(["audit", "--forward"]) == 0  # nothing twice
        assert "0 audit records sent" in capsys.readouterr().out
    finally:
        restarted.stop()


def test_a_repository_with_an_untrusted_certificate_is_refused(rsyslog, tmp_path: Path, capsys) -> None:
    server, _ca = rsyslog
    other_ca, _c, _k = syslog_server.make_ca_and_server(tmp_path, cn="Someone Else's CA")
    _settings(server.port, other_ca)
    audit_log_for().record(AuditAction.STUDY_OPENED, study_uid="1.2.9")
    forwarding._RETRY_AT.clear()
    assert main(["audit", "--forward"]) == 1
    assert "was not trusted" in capsys.readouterr().err
    assert server.lines() == []
    assert default_audit_path().with_name("audit.forwarded").exists() is False
