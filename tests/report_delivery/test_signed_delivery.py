"""End to end: a report signed by `report sign` for an imported study without an accession
number (PAdES B-LT with a real TSA, the radiologist's RPPS in the settings) reaches a real FHIR
server and a real MLLP listener through the outbox, with the exam time and the interpreter."""

from __future__ import annotations

import base64
import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path

import hl7
import pydicom
import pytest
import requests
from pydicom.data import get_testdata_file

from tests.report.pdfcheck import check_signed_pdf
from tests.report.tsa import TestPKI, start_test_pki
from tests.report_delivery.fhir_server import FhirServer
from tests.report_delivery.mllp import MllpListener
from tests.report_delivery.validators import validate_hl7
from workstation.report.cli import sign_draft_file
from workstation.report.delivery.destinations import destinations_from_settings
from workstation.report.delivery.outbox import DELIVERED, Outbox
from workstation.report.delivery.profile import RisProfile
from workstation.report.signing import Pkcs12Credential, store_pkcs12_password
from workstation.settings import RPPS_SYSTEM, Settings, SigningSettings


@pytest.fixture
def test_pki(tmp_path: Path) -> Iterator[TestPKI]:
    pki = start_test_pki(tmp_path / "pki")
    yield pki
    pki.stop()


def test_signed_report_without_accession_is_delivered(
    tmp_path: Path, test_pki: TestPKI, fhir_server: FhirServer, mllp_listener: MllpListener,
    fhir_bundles_validated: list[dict],
) -> None:
    ct = pydicom.dcmread(get_testdata_file("CT_small.dcm"))
    assert not ct.get("AccessionNumber")  # as on an imported CD
    settings = Settings(signing=SigningSettings(
        trust_roots=[str(test_pki.root_pem)], tsa_url=test_pki.tsa_url,
        professional_id="10003456789"))
    credential = Pkcs12Credential(test_pki.p12_path)
    store_pkcs12_password(credential.key_id, test_pki.password)
    draft = tmp_path / "d.json"
    draft.write_text(json.dumps({"template": "generic", "sections": {
        "findings": "Pas d'anomalie décelée.", "impression": "Examen normal."}},
        ensure_ascii=False), encoding="utf-8")
    signed, folder = sign_draft_file(settings, draft, str(ct.StudyInstanceUID), credential,
                                     headers=[ct], accept_placeholders=True)
    assert signed.signature_level == "B-LT"
    ris = RisProfile(fhir_url=fhir_server.url, mllp_host=mllp_listener.host,
                     mllp_port=mllp_listener.port, mllp_timeout_s=5)
    outbox = Outbox(folder.parent.parent, destinations_from_settings(Settings(), ris))
    [entry] = outbox.deliver_all()
    assert {n: d.state for n, d in entry.destinations.items()} == \
        {"fhir": DELIVERED, "hl7": DELIVERED}, entry.why_undelivered()
    # FHIR: the study by its UID, the exam time with its offset, the RPPS Practitioner
    [bundle] = fhir_bundles_validated
    [report] = [e["resource"] for e in bundle["entry"]
                if e["resource"]["resourceType"] == "DiagnosticReport"]
    assert report["imagingStudy"][0]["identifier"]["value"] == f"urn:oid:{ct.StudyInstanceUID}"
    exam = dt.datetime(2004, 1, 19, 7, 27, 30, tzinfo=dt.timezone(-dt.timedelta(hours=5)))
    assert dt.datetime.fromisoformat(report["effectiveDateTime"]) == exam
    found = requests.get(f"{fhir_server.url}/DiagnosticReport",
                         params={"identifier": f"urn:dicom:uid|urn:oid:{signed.report_uid}"},
                         timeout=5).json()["entry"][0]["resource"]
    practitioner = requests.get(f"{fhir_server.url}/{found['resultsInterpreter'][0]['reference']}",
                                timeout=5).json()
    assert practitioner["identifier"][0] == {
        "type": practitioner["identifier"][0]["type"], "system": RPPS_SYSTEM,
        "value": "10003456789"}
    assert practitioner["name"][0]["family"] == "Lefèvre"
    pdf = requests.get(f"{fhir_server.url}/{found['presentedForm'][0]['url']}",
                       headers={"Accept": "application/pdf"}, timeout=5).content
    assert pdf == signed.pdf_bytes
    result = check_signed_pdf(pdf, tmp_path / "pdfsig")  # the delivered PDF still verifies
    assert result.signature_valid and result.signing_time and result.timestamped
    # HL7: strict parse, OBR-3 the study UID, OBR-7 the exam time, OBR-32 the RPPS and names
    [message] = mllp_listener.wait_for(1)
    validate_hl7(message)
    obr = hl7.parse(message).segment("OBR")
    assert str(obr[3]) == f"{ct.StudyInstanceUID}^^{ct.StudyInstanceUID}^ISO"
    assert str(obr[7]) == "20040119072730-0500"
    assert str(obr[32]) == "10003456789&Lefèvre&Hélène&&&&&&&1.2.250.1.71.4.2.1&ISO"
    pdf_obx = [s for s in hl7.parse(message).segments("OBX") if str(s[2]) in ("ED", "RP")]
    assert len(pdf_obx) == 1
    if str(pdf_obx[0][2]) == "ED":
        assert base64.b64decode(str(pdf_obx[0][5][0][4])) == signed.pdf_bytes
    else:  # over the default size limit: a reference to the Binary just checked
        assert str(pdf_obx[0][5][0][0]).endswith(found["presentedForm"][0]["url"])
