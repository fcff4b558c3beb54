"""The worklist's report status read back from a real FHIR R4 server (Medplum, in memory) after
delivering reports with deliver_fhir: search by the accession identifier, latest issued wins,
another study's report under a reused accession number is not counted."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from tests.report_delivery.fhir_server import FhirServer, free_port
from tests.report_delivery.reports import make_report_folder
from workstation.report.delivery.errors import DeliveryError
from workstation.report.delivery.fhir import NO_REPORT, FhirClient, deliver_fhir, report_statuses
from workstation.report.delivery.package import load_report_version
from workstation.report.delivery.profile import RisProfile

STUDY = "1.2.826.0.1.3680043.8.498.1001"


def _deliver(tmp_path: Path, client: FhirClient, **fields: object) -> None:
    version = load_report_version(make_report_folder(tmp_path, **fields))
    assert deliver_fhir(version, client).endswith(("created", "updated"))


def test_statuses_follow_the_delivered_reports(tmp_path: Path, fhir_server: FhirServer) -> None:
    client = FhirClient(RisProfile(fhir_url=fhir_server.url))
    studies = [("ACC-1", STUDY), ("ACC-2", "1.2.3.2"), ("ACC,3", "1.2.3.3"), ("ACC-4", "1.2.3.4"),
               ("", "1.2.3.5")]
    assert report_statuses(client, studies) == {s: NO_REPORT for s in studies if s[0]}

    signed = dt.datetime(2026, 11, 25, 10, 30, tzinfo=dt.timezone.utc)
    _deliver(tmp_path, client, accession_number="ACC-1", study_uid=STUDY, report_uid="1.2.9.1",
             status="final", signed_at=signed.isoformat())
    _deliver(tmp_path, client, accession_number="ACC-2", study_uid="1.2.3.2",
             report_uid="1.2.9.2", status="preliminary", signed_at=signed.isoformat())
    # a comma in an accession number is escaped, not read as "or"
    _deliver(tmp_path, client, accession_number="ACC,3", study_uid="1.2.3.3",
             report_uid="1.2.9.3", status="final", signed_at=signed.isoformat())
    # ACC-4 was reused by another study: its report is not this study's
    _deliver(tmp_path, client, accession_number="ACC-4", study_uid="1.2.3.99",
             report_uid="1.2.9.4", status="final", signed_at=signed.isoformat())
    statuses = report_statuses(client, studies)
    assert statuses == {("ACC-1", STUDY): "final", ("ACC-2", "1.2.3.2"): "preliminary",
                        ("ACC,3", "1.2.3.3"): "final", ("ACC-4", "1.2.3.4"): NO_REPORT}

    # an amendment of ACC-1 (same report UID, new version) replaces the report: "amended"
    _deliver(tmp_path, client, accession_number="ACC-1", study_uid=STUDY, report_uid="1.2.9.1",
             status="amended", signed_at=(signed + dt.timedelta(hours=2)).isoformat())
    # an addendum delivered as a second report of the same accession, issued later, wins
    _deliver(tmp_path, client, accession_number="ACC-2", study_uid="1.2.3.2",
             report_uid="1.2.9.22", status="appended",
             signed_at=(signed + dt.timedelta(hours=1)).isoformat())
    statuses = report_statuses(client, studies)
    assert statuses[("ACC-1", STUDY)] == "amended"
    assert statuses[("ACC-2", "1.2.3.2")] == "appended"


def test_many_studies_are_searched_in_batches(tmp_path: Path, fhir_server: FhirServer) -> None:
    client = FhirClient(RisProfile(fhir_url=fhir_server.url))
    _deliver(tmp_path, client, accession_number="B-77", study_uid="1.2.4.77",
             report_uid="1.2.9.77", status="final")
    studies = [(f"B-{i}", f"1.2.4.{i}") for i in range(95)]  # three requests of up to 40
    statuses = report_statuses(client, studies)
    assert len(statuses) == 95
    assert statuses[("B-77", "1.2.4.77")] == "final"
    assert sum(1 for s in statuses.values() if s == NO_REPORT) == 94


def test_unreachable_ris_is_one_retryable_sentence() -> None:
    client = FhirClient(RisProfile(fhir_url=f"http://127.0.0.1:{free_port()}/fhir/R4",
                                   connect_timeout_s=1.0))
    with pytest.raises(DeliveryError) as err:
        report_statuses(client, [("ACC-1", STUDY)])
    assert err.value.retryable
    assert "could not be reached" in str(err.value) and "ACC-1" not in str(err.value)
