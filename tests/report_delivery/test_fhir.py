"""FHIR R4 delivery against a real FHIR server (Medplum's router, in memory) on loopback."""

from __future__ import annotations

import base64
import copy
import datetime as dt
import hashlib
from pathlib import Path

import pytest
import requests

from tests.report_delivery.fhir_server import FaultProxy, FhirServer
from tests.report_delivery.reports import make_report_folder
from tests.report_delivery.validators import validate_fhir_bundle
from workstation.net.auth import store_secret
from workstation.report.delivery.errors import DeliveryError
from workstation.report.delivery.fhir import (
    FhirClient,
    binary_id,
    build_transaction,
    deliver_fhir,
    provenance_id,
)
from workstation.report.delivery.package import ReportVersion, load_report_version
from workstation.report.delivery.profile import RisProfile

REPORT_UID = "1.2.826.0.1.3680043.8.498.2002"


def _reports(client: FhirClient, uid: str = REPORT_UID) -> list[dict]:
    return client.search("DiagnosticReport", f"identifier=urn:dicom:uid|urn:oid:{uid}",
                         what="test search")


def _history(url: str, report_id: str) -> list[dict]:
    bundle = requests.get(f"{url}/DiagnosticReport/{report_id}/_history", timeout=5).json()
    return [e["resource"] for e in bundle.get("entry", [])]


def test_report_arrives_and_reads_back(tmp_path: Path, fhir_server: FhirServer) -> None:
    version = load_report_version(make_report_folder(tmp_path))
    client = FhirClient(RisProfile(fhir_url=fhir_server.url))
    assert deliver_fhir(version, client).endswith(" created")
    [report] = _reports(client)
    assert report["status"] == "final"
    assert report["conclusion"] == version.conclusion
    assert report["resultsInterpreter"] == [{"display": "Dr Grace Hopper"}]
    assert {"system": "urn:workstation:accession-number", "value": "ACC-2026-0042"}.items() \
        <= report["identifier"][0].items()
    assert report["imagingStudy"][0]["identifier"]["value"] == f"urn:oid:{version.study_uid}"
    patient = requests.get(f"{fhir_server.url}/{report['subject']['reference']}", timeout=5).json()
    assert patient["identifier"][0]["value"] == "PID-77"
    assert patient["name"][0]["family"] == "Testperson"
    form = report["presentedForm"][0]
    pdf = version.pdf_path.read_bytes()
    assert form["contentType"] == "application/pdf" and form["size"] == len(pdf)
    assert base64.b64decode(form["hash"]) == hashlib.sha1(pdf).digest()
    # GET Binary with the content's media type returns the very bytes of the signed PDF
    raw = requests.get(f"{fhir_server.url}/{form['url']}", headers={"Accept": "application/pdf"},
                       timeout=5)
    assert raw.headers["Content-Type"] == "application/pdf"
    assert raw.content == pdf
    as_json = requests.get(f"{fhir_server.url}/{form['url']}",
                           headers={"Accept": "application/fhir+json"}, timeout=5).json()
    assert base64.b64decode(as_json["data"]) == pdf
    provenance = client.read("Provenance", provenance_id(version), what="test")
    assert provenance is not None
    assert provenance["agent"][0]["who"]["display"] == "Dr Grace Hopper"
    assert provenance["target"] == [{"reference": f"DiagnosticReport/{report['id']}"}]
    assert provenance["recorded"].startswith("2026-11-25T10:30:00")


def test_retry_and_amendment_never_duplicate(tmp_path: Path, fhir_server: FhirServer) -> None:
    client = FhirClient(RisProfile(fhir_url=fhir_server.url))
    first = load_report_version(make_report_folder(tmp_path))
    deliver_fhir(first, client)
    assert "already held" in deliver_fhir(first, client)
    [report] = _reports(client)
    assert len(_history(fhir_server.url, report["id"])) == 1
    amended = load_report_version(make_report_folder(
        tmp_path, status="amended", signed_at="2026-11-25T11:00:00+00:00",
        conclusion="Small subdural haematoma, left."))
    assert deliver_fhir(amended, client).endswith(" updated")
    [now] = _reports(client)
    assert now["id"] == report["id"]
    assert now["status"] == "amended" and now["conclusion"].startswith("Small subdural")
    assert now["subject"] == report["subject"]  # the RIS's patient link is kept
    assert now["presentedForm"][0]["url"] == f"Binary/{binary_id(amended)}"
    history = _history(fhir_server.url, report["id"])
    assert sorted(h["status"] for h in history) == ["amended", "final"]
    # the older version sent late does not overwrite the newer one
    assert "superseded" in deliver_fhir(first, client)
    assert _reports(client)[0]["status"] == "amended"
    # one patient only, whatever the number of versions
    assert len(client.search("Patient", "identifier=urn:workstation:patient-id|PID-77",
                             what="t")) == 1


def test_stale_if_match_is_refused_and_retryable(tmp_path: Path, fhir_server: FhirServer) -> None:
    client = FhirClient(RisProfile(fhir_url=fhir_server.url))
    first = load_report_version(make_report_folder(tmp_path))
    deliver_fhir(first, client)
    [report] = _reports(client)
    stale = copy.deepcopy(report)
    # someone else updates the report in between (the RIS adds a note)
    changed = copy.deepcopy(report)
    changed.pop("meta")
    changed["conclusion"] = "Edited in the RIS."
    assert requests.put(f"{fhir_server.url}/DiagnosticReport/{report['id']}", json=changed,
                        headers={"Content-Type": "application/fhir+json"}, timeout=5).ok
    amended = load_report_version(make_report_folder(
        tmp_path, status="amended", signed_at="2026-11-25T12:00:00+00:00"))
    bundle = build_transaction(amended, amended.pdf_bytes(), client.profile, stale)
    with pytest.raises(DeliveryError, match="HTTP 412") as info:
        client.transaction(bundle)
    assert info.value.retryable
    assert _reports(client)[0]["conclusion"] == "Edited in the RIS."
    # the next attempt reads the current version and succeeds
    assert deliver_fhir(amended, client).endswith(" updated")
    assert _reports(client)[0]["status"] == "amended"


def test_invalid_resource_is_refused_with_one_sentence(tmp_path: Path,
                                                       fhir_server: FhirServer) -> None:
    client = FhirClient(RisProfile(fhir_url=fhir_server.url))
    version = load_report_version(make_report_folder(tmp_path))
    bundle = build_transaction(version, version.pdf_bytes(), client.profile)
    bundle["entry"][-1]["resource"]["colour"] = "blue"  # not an element of Provenance
    with pytest.raises(DeliveryError, match=r"refused the report transaction \(HTTP 400") as info:
        client.request("POST", "", body=bundle, what="report transaction")  # not validated here
    assert not info.value.retryable
    assert "PID-77" not in str(info.value) and "Testperson" not in str(info.value)


def test_unreachable_and_missing_credentials(tmp_path: Path, fhir_server: FhirServer) -> None:
    version = load_report_version(make_report_folder(tmp_path))
    proxy = FaultProxy(fhir_server.port)
    proxy.set_mode("refuse")
    try:
        with pytest.raises(DeliveryError, match="could not be reached") as info:
            deliver_fhir(version, FhirClient(RisProfile(fhir_url=proxy.url)))
        assert info.value.retryable
    finally:
        proxy.close()
    needs_login = RisProfile(name="Practice RIS", fhir_url=fhir_server.url, auth="bearer")
    with pytest.raises(DeliveryError, match="No access token is saved") as info:
        deliver_fhir(version, FhirClient(needs_login))
    assert not info.value.retryable
    store_secret(needs_login.as_archive_profile(), "token-123")
    assert FhirClient(needs_login)._auth_object() is not None
    deliver_fhir(version, FhirClient(needs_login))  # the test server ignores the header


def _count(url: str, resource: str, query: str = "") -> int:
    bundle = requests.get(f"{url}/{resource}?{query}", timeout=5).json()
    return len(bundle.get("entry", []))


def test_server_lost_mid_delivery_report_arrives_exactly_once(
    tmp_path: Path, fhir_server: FhirServer
) -> None:
    version: ReportVersion = load_report_version(make_report_folder(tmp_path))
    proxy = FaultProxy(fhir_server.port)
    try:
        client = FhirClient(RisProfile(fhir_url=proxy.url, read_timeout_s=5))
        # 1. the transaction reaches the server, the answer never comes back
        proxy.set_mode("drop_post")
        with pytest.raises(DeliveryError) as info:
            deliver_fhir(version, client)
        assert info.value.retryable and proxy.posts_dropped == 1
        # 2. the server is gone for a while
        proxy.set_mode("refuse")
        with pytest.raises(DeliveryError, match="could not be reached"):
            deliver_fhir(version, FhirClient(RisProfile(fhir_url=proxy.url)))
        # 3. back again: the retry finds the report and sends nothing twice
        proxy.set_mode("forward")
        assert "already held" in deliver_fhir(version, FhirClient(RisProfile(fhir_url=proxy.url)))
    finally:
        proxy.close()
    direct = FhirClient(RisProfile(fhir_url=fhir_server.url))
    [report] = _reports(direct)
    assert len(_history(fhir_server.url, report["id"])) == 1
    assert _count(fhir_server.url, "Patient") == 1
    assert _count(fhir_server.url, "Binary") == 1
    assert _count(fhir_server.url, "Provenance") == 1


def test_existing_ris_patient_is_referenced(tmp_path: Path, fhir_server: FhirServer) -> None:
    existing = requests.post(
        f"{fhir_server.url}/Patient",
        json={"resourceType": "Patient", "birthDate": "1970-01-01",
              "identifier": [{"system": "urn:workstation:patient-id", "value": "PID-77"}]},
        headers={"Content-Type": "application/fhir+json"}, timeout=5).json()
    client = FhirClient(RisProfile(fhir_url=fhir_server.url))
    deliver_fhir(load_report_version(make_report_folder(tmp_path)), client)
    [report] = _reports(client)
    assert report["subject"]["reference"] == f"Patient/{existing['id']}"
    assert _count(fhir_server.url, "Patient") == 1


RPPS = "urn:oid:1.2.250.1.71.4.2.1"
SIGNER = {"signer_identifier": "10003456789", "signer_identifier_system": RPPS,
          "signer_family_name": "Hopper", "signer_given_name": "Grace"}


def test_exam_time_practitioner_and_full_urls(tmp_path: Path, fhir_server: FhirServer,
                                              fhir_bundles_validated: list[dict]) -> None:
    """effectiveDateTime is the exam time, the interpreter a Practitioner with the RPPS number,
    and every entry of the (independently validated) bundle has a fullUrl."""
    version = load_report_version(make_report_folder(
        tmp_path, study_date="20261124", study_time="153000.25", study_tz_offset="+0100",
        **SIGNER))
    client = FhirClient(RisProfile(fhir_url=fhir_server.url))
    deliver_fhir(version, client)
    [report] = _reports(client)
    exam = dt.datetime(2026, 11, 24, 15, 30, tzinfo=dt.timezone(dt.timedelta(hours=1)))
    assert dt.datetime.fromisoformat(report["effectiveDateTime"]) == exam
    assert report["effectiveDateTime"] == "2026-11-24T15:30:00+01:00"
    [who] = report["resultsInterpreter"]
    assert who["reference"].startswith("Practitioner/")
    assert who["identifier"]["system"] == RPPS and who["identifier"]["value"] == "10003456789"
    practitioner = requests.get(f"{fhir_server.url}/{who['reference']}", timeout=5).json()
    assert practitioner["identifier"][0]["value"] == "10003456789"
    assert practitioner["name"][0]["family"] == "Hopper"
    assert practitioner["name"][0]["given"] == ["Grace"]
    provenance = client.read("Provenance", provenance_id(version), what="test")
    assert provenance is not None and provenance["agent"][0]["who"]["reference"] == who["reference"]
    [bundle] = fhir_bundles_validated
    urls = {e["resource"]["resourceType"]: e["fullUrl"] for e in bundle["entry"]}
    assert urls["Binary"] == f"{fhir_server.url}/Binary/{binary_id(version)}"
    assert urls["Provenance"] == f"{fhir_server.url}/Provenance/{provenance_id(version)}"
    # an amendment references the same Practitioner: conditional create, no duplicate
    amended = load_report_version(make_report_folder(
        tmp_path, status="amended", signed_at="2026-11-25T11:00:00+00:00", **SIGNER))
    deliver_fhir(amended, client)
    assert _reports(client)[0]["resultsInterpreter"][0]["reference"] == who["reference"]
    assert _count(fhir_server.url, "Practitioner") == 1
    assert "fullUrl" in fhir_bundles_validated[1]["entry"][-2]  # the DiagnosticReport's PUT
    assert fhir_bundles_validated[1]["entry"][-2]["fullUrl"] == \
        f"{fhir_server.url}/DiagnosticReport/{report['id']}"


def test_exam_date_only_and_unknown(tmp_path: Path) -> None:
    dated = load_report_version(make_report_folder(tmp_path, study_date="20261124"))
    bundle = build_transaction(dated, dated.pdf_bytes(), RisProfile())
    [report] = [e["resource"] for e in bundle["entry"]
                if e["resource"]["resourceType"] == "DiagnosticReport"]
    assert report["effectiveDateTime"] == "2026-11-24"
    assert report["resultsInterpreter"] == [{"display": "Dr Grace Hopper"}]  # no identifier set
    undated = load_report_version(make_report_folder(tmp_path))
    bundle = build_transaction(undated, undated.pdf_bytes(), RisProfile())
    validate_fhir_bundle(bundle)
    assert all("effectiveDateTime" not in e["resource"] for e in bundle["entry"])


def test_ris_practitioner_with_the_rpps_is_referenced(tmp_path: Path,
                                                      fhir_server: FhirServer) -> None:
    existing = requests.post(
        f"{fhir_server.url}/Practitioner",
        json={"resourceType": "Practitioner",
              "identifier": [{"system": RPPS, "value": "10003456789"}]},
        headers={"Content-Type": "application/fhir+json"}, timeout=5).json()
    client = FhirClient(RisProfile(fhir_url=fhir_server.url))
    deliver_fhir(load_report_version(make_report_folder(tmp_path, **SIGNER)), client)
    [report] = _reports(client)
    assert report["resultsInterpreter"][0]["reference"] == f"Practitioner/{existing['id']}"
    assert _count(fhir_server.url, "Practitioner") == 1


def test_report_without_accession_is_identified_by_study_uid(
    tmp_path: Path, fhir_server: FhirServer
) -> None:
    version = load_report_version(make_report_folder(tmp_path, accession_number=""))
    assert version.accession_number == ""
    client = FhirClient(RisProfile(fhir_url=fhir_server.url))
    assert deliver_fhir(version, client).endswith(" created")
    [report] = _reports(client)
    assert all(i["system"] == "urn:dicom:uid" for i in report["identifier"])
    assert report["imagingStudy"] == [{"identifier": {
        "system": "urn:dicom:uid", "value": f"urn:oid:{version.study_uid}"}}]
