"""Fixtures for the delivery tests: a real FHIR R4 server (Medplum, Node), an MLLP listener,
signed-report folders made here (reportlab PDF, pydicom SR and Encapsulated PDF).

Every transaction Bundle the FHIR client sends in these tests is first validated with an
independent R4 model library, and every HL7 message the MLLP listener receives with a strict
HL7 v2 parser (:mod:`tests.report_delivery.validators`)."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator

import pytest

from tests.report_delivery import fhir_server as fhir_mod
from tests.report_delivery.mllp import MllpListener
from tests.report_delivery.validators import validate_fhir_bundle, validate_hl7
from workstation.report.delivery import fhir as fhir_delivery


@pytest.fixture(autouse=True)
def fhir_bundles_validated(monkeypatch: pytest.MonkeyPatch) -> list[dict]:
    """Every Bundle sent through ``FhirClient.transaction`` is validated before it is sent."""
    sent: list[dict] = []
    real = fhir_delivery.FhirClient.transaction

    def validated(self: fhir_delivery.FhirClient, bundle: dict) -> dict:
        validate_fhir_bundle(bundle)
        sent.append(dict(bundle))
        return real(self, bundle)

    monkeypatch.setattr(fhir_delivery.FhirClient, "transaction", validated)
    return sent


@pytest.fixture(scope="session")
def fhir_server_folder() -> fhir_mod.Path:
    if not fhir_mod.node_available():
        if os.environ.get("CI", "").lower() not in ("", "0", "false"):
            pytest.fail("node and npm are not installed; CI must install Node 20 for the FHIR "
                        "test server")
        pytest.skip("node and npm are not installed: the FHIR R4 test server cannot run")
    try:
        return fhir_mod.install_fhir_server()
    except subprocess.CalledProcessError as exc:
        message = f"npm ci failed for the FHIR test server: {exc.stderr.decode()[-500:]}"
        if os.environ.get("CI", "").lower() not in ("", "0", "false"):
            pytest.fail(message)
        pytest.skip(message)


@pytest.fixture
def fhir_server(fhir_server_folder: fhir_mod.Path) -> Iterator[fhir_mod.FhirServer]:
    """A fresh, empty FHIR server per test (in-memory; ~1.5 s to start)."""
    server = fhir_mod.start_fhir_server(fhir_server_folder)
    yield server
    server.stop()


@pytest.fixture
def mllp_listener() -> Iterator[MllpListener]:
    listener = MllpListener().start()
    yield listener
    listener.stop()
    for message in listener.messages:  # every message received parses strictly
        validate_hl7(message)
