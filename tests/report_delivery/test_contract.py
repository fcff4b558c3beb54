"""The outgoing-folder contract read end to end: a folder written by the report model's
``write_outgoing`` (workstation.report.outgoing) is delivered by the outbox."""

from __future__ import annotations

import base64
import datetime as dt
from pathlib import Path

import hl7
import pytest

from tests.report_delivery.mllp import MllpListener
from tests.report_delivery.reports import make_pdf, make_pdf_object, make_sr
from workstation.report.delivery.destinations import hl7_destination
from workstation.report.delivery.fhir import build_transaction
from workstation.report.delivery.outbox import DELIVERED, Outbox
from workstation.report.delivery.package import load_report_version
from workstation.report.delivery.profile import RisProfile

model = pytest.importorskip("workstation.report.model")
outgoing = pytest.importorskip("workstation.report.outgoing")


def test_folder_written_by_the_report_model_is_delivered(
    tmp_path: Path, mllp_listener: MllpListener
) -> None:
    study = model.StudyHeader(study_uid="1.2.826.0.1.3680043.8.498.5005",
                              accession_number="ACC-9", modalities=("CT",))
    patient = model.PatientHeader(name="Doe^Jane", patient_id="P-9", birth_date="19800101",
                                  sex="F")
    draft = model.Report.new(study, patient, sections={
        "findings": "Normal.", "impression": "No acute finding."})
    signed_at = dt.datetime(2026, 11, 25, 9, 0, tzinfo=dt.timezone.utc)
    final = draft._signed("Dr Ada Lovelace", signed_at)  # sign_report's step, without a key
    pdf = make_pdf(["Findings: Normal.", "Impression: No acute finding."])
    fields = {"study_uid": study.study_uid, "patient_name": patient.name,
              "patient_id": patient.patient_id, "accession_number": "ACC-9",
              "signed_at": signed_at.isoformat(), "status": "final",
              "conclusion": "No acute finding."}
    signed = model.SignedReport(report=final, pdf_bytes=pdf, signer_name="Dr Ada Lovelace",
                                signed_at=signed_at, sr_bytes=make_sr(fields),
                                pdf_dicom_bytes=make_pdf_object(fields, pdf))
    folder = outgoing.write_outgoing(signed, tmp_path / "outbox" / "outgoing")
    version = load_report_version(folder)
    assert (version.status, version.accession_number, version.patient_id) == \
        ("final", "ACC-9", "P-9")
    assert version.signed_at == signed_at and version.signer_name == "Dr Ada Lovelace"
    assert version.conclusion == "No acute finding."
    assert [s.title for s in version.sections] == ["Findings", "Impression"]
    bundle = build_transaction(version, pdf, RisProfile())
    assert bundle["entry"][2]["resource"]["status"] == "final"
    # the outbox adopts the folder as the report model wrote it, in place
    ris = RisProfile(mllp_host=mllp_listener.host, mllp_port=mllp_listener.port)
    outbox = Outbox(tmp_path / "outbox", {"hl7": hl7_destination(ris)})
    [entry] = outbox.deliver_all()
    assert entry.destinations["hl7"].state == DELIVERED
    [message] = mllp_listener.wait_for(1)
    msg = hl7.parse(message)
    assert str(msg.segment("OBR")[25]) == signed.hl7_result_status
    [ed] = [s for s in msg.segments("OBX") if str(s[2]) == "ED"]
    assert base64.b64decode(str(ed[5][0][4])) == pdf


def test_default_outbox_is_where_signed_reports_are_written() -> None:
    from workstation.report.delivery.destinations import open_outbox
    from workstation.settings import Settings

    settings = Settings()
    assert open_outbox(settings).outgoing_dir == outgoing.outgoing_folder(settings)
