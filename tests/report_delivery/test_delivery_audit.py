"""A report delivered to the RIS (a real FHIR server) is recorded in the access audit log."""

from __future__ import annotations

from pathlib import Path

from tests.report_delivery.fhir_server import FaultProxy, FhirServer
from tests.report_delivery.reports import make_report_folder
from workstation.audit import AuditLog
from workstation.identity import Identity, remember_identity
from workstation.report.delivery.destinations import fhir_destination
from workstation.report.delivery.outbox import Outbox
from workstation.report.delivery.profile import RisProfile


def test_delivery_and_final_refusal_are_audited_with_study_patient_and_identity(
        tmp_path: Path, fhir_server: FhirServer) -> None:
    remember_identity(Identity(subject="rad-1", name="Dr Élise Ñúñez", issuer="https://idp.test"))
    outbox = Outbox(tmp_path / "reports", {"fhir": fhir_destination(RisProfile(fhir_url=fhir_server.url))})
    version = make_report_folder(tmp_path / "signed").name
    outbox.add(tmp_path / "signed" / version)
    outbox.deliver_all()
    [delivered] = AuditLog(tmp_path / "audit.jsonl").read()
    assert (delivered.action, delivered.event_id, delivered.action_code) == ("report_delivered", "110104", "R")
    assert delivered.study_uid == "1.2.826.0.1.3680043.8.498.1001" and delivered.patient_id == "PID-77"
    assert delivered.instance_uids == (version,) and delivered.detail == {"destination": "fhir"}
    assert delivered.user == "Dr Élise Ñúñez" and delivered.outcome == "0"
    # A RIS that stays refused is retried; nothing is recorded until delivered or failed for good.
    proxy = FaultProxy(fhir_server.port)
    proxy.set_mode("refuse")
    try:
        other = Outbox(tmp_path / "r2", {"fhir": fhir_destination(RisProfile(fhir_url=proxy.url))})
        other.add(make_report_folder(tmp_path / "s2"))
        other.deliver_all()
    finally:
        proxy.close()
    assert len(AuditLog(tmp_path / "audit.jsonl").read()) == 1
