"""A report delivered to a RIS that accepts only the signed-in session's token (FHIR, RFC 6750)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.net import oidc as op
from tests.report_delivery.fhir_server import FhirServer
from tests.report_delivery.reports import make_report_folder
from workstation.identity import forget_identity
from workstation.net import oidc
from workstation.report.delivery.destinations import fhir_destination
from workstation.report.delivery.outbox import DELIVERED, FAILED, Outbox
from workstation.report.delivery.profile import RisProfile
from workstation.settings import OidcProfile, Settings, save_settings


@pytest.fixture
def provider() -> Iterator[op.Provider]:
    if not op.node_available():
        if os.environ.get("CI"):
            pytest.fail("Node.js is not installed; the test command should have installed it")
        pytest.skip("Node.js and npm are needed for the OpenID provider")
    started = op.start_provider(op.install_provider())
    oidc._SESSIONS.clear()
    yield started
    oidc._SESSIONS.clear()
    started.stop()


def test_fhir_delivery_carries_the_sign_in_token_and_needs_a_sign_in(
        tmp_path: Path, fhir_server: FhirServer, provider: op.Provider) -> None:
    ris = op.TokenCheckingArchive(provider, fhir_server.url, None, prefix="/fhir").start()
    try:
        profile = OidcProfile(name="sso", issuer=provider.issuer, client_id="workstation")
        save_settings(Settings(sign_in=[profile]))
        oidc.session_for(profile).login_browser(op.drive_browser)
        outbox = Outbox(tmp_path / "reports",
                        {"fhir": fhir_destination(RisProfile(fhir_url=ris.url, auth="oidc"))})
        outbox.add(make_report_folder(tmp_path / "signed"))
        [state] = outbox.deliver_all()
        assert state.destinations["fhir"].state == DELIVERED, state.destinations["fhir"].last_error
        assert ris.tokens_seen and ris.rejected == 0  # every FHIR request carried an active token
        # Signed out: the delivery waits for a person, with one sentence saying what to do.
        forget_identity()
        oidc._SESSIONS.clear()
        outbox.add(make_report_folder(tmp_path / "signed2", report_uid="1.2.826.0.1.3680043.8.498.3003"))
        states = {e.version_uid: e for e in outbox.deliver_all()}
        waiting = [e.destinations["fhir"] for e in states.values() if e.destinations["fhir"].state != DELIVERED]
        assert [d.state for d in waiting] == [FAILED]
        assert "sign in with 'workstation login'" in waiting[0].last_error
        assert ris.rejected == 0  # nothing was sent without a token
    finally:
        ris.stop()


def test_fhir_token_rejected_before_its_expiry_is_renewed_and_the_report_delivered(
        tmp_path: Path, fhir_server: FhirServer, provider: op.Provider) -> None:
    # A RIS whose clock runs ahead: a token is refused from its second use on (1 ms old).
    ris = op.TokenCheckingArchive(provider, fhir_server.url, None, prefix="/fhir", max_token_age_s=0.001).start()
    try:
        profile = OidcProfile(name="sso", issuer=provider.issuer, client_id="workstation")
        save_settings(Settings(sign_in=[profile]))
        oidc.session_for(profile).login_browser(op.drive_browser)
        outbox = Outbox(tmp_path / "reports",
                        {"fhir": fhir_destination(RisProfile(fhir_url=ris.url, auth="oidc"))})
        outbox.add(make_report_folder(tmp_path / "signed"))
        [state] = outbox.deliver_all()
        assert state.destinations["fhir"].state == DELIVERED, state.destinations["fhir"].last_error
        assert ris.rejected >= 1 and len(set(ris.tokens_seen)) >= 2, (ris.rejected, ris.tokens_seen)
    finally:
        ris.stop()
