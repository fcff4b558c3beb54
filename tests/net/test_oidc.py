"""Single sign-on against a real OpenID provider (oidc-provider) and an archive checking tokens.

The provider runs on Node on a loopback port; the archive is the test Orthanc behind a proxy
that introspects every bearer token at the provider (RFC 7662). The browser step is played by a
plain HTTP client submitting the provider's development login and consent forms.
"""

from __future__ import annotations

import io
import json
import os
import re
import threading
import time
import webbrowser
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import keyring
import pydicom
import pytest

from tests import orthanc as orthanc_mod
from tests.conftest import KEYRING_FILE_ENV
from tests.net import oidc as op
from workstation import demo
from workstation.audit import AuditLog, default_audit_path
from workstation.cli import main
from workstation.errors import AuthError, SettingsError
from workstation.identity import current_identity, signed_in_path
from workstation.net import oidc
from workstation.settings import ArchiveProfile, OidcProfile, Settings, load_settings, save_settings


@pytest.fixture(scope="session")
def provider_folder() -> Path:
    if not op.node_available():
        if os.environ.get("CI"):
            pytest.fail("Node.js is not installed; the test command should have installed it")
        pytest.skip("Node.js and npm are needed for the OpenID provider tests")
    return op.install_provider()


@pytest.fixture(autouse=True)
def fresh_sessions() -> Iterator[None]:
    oidc._SESSIONS.clear()
    yield
    oidc._SESSIONS.clear()


@pytest.fixture
def browser(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The system browser: a plain HTTP client that signs in as Hélène and consents."""
    opened: list[str] = []

    def open_url(url: str, *args: object, **kwargs: object) -> bool:
        opened.append(url)
        op.drive_browser(url)
        return True

    monkeypatch.setattr(webbrowser, "open", open_url)
    return opened


def _start(provider_folder: Path, **kw: object) -> Iterator[op.Provider]:
    provider = op.start_provider(provider_folder, **kw)  # type: ignore[arg-type]
    yield provider
    provider.stop()


@pytest.fixture
def provider(provider_folder: Path) -> Iterator[op.Provider]:
    yield from _start(provider_folder)


@pytest.fixture
def short_provider(provider_folder: Path) -> Iterator[op.Provider]:
    """Access tokens that live 4 s (refresh tokens a day)."""
    yield from _start(provider_folder, access_ttl=4)


def _archive(provider: op.Provider, orthanc: orthanc_mod.OrthancServer, **kw: object) -> op.TokenCheckingArchive:
    return op.TokenCheckingArchive(provider, orthanc.dicomweb_url, (orthanc_mod.USER, orthanc_mod.PASSWORD),
                                   **kw).start()  # type: ignore[arg-type]


def _configure(provider: op.Provider, archive_url: str, *, margin: float = 30.0) -> None:
    save_settings(Settings(
        archives=[ArchiveProfile(name="hosted", url=archive_url, auth="oidc", max_connections=1)],
        default_archive="hosted",
        sign_in=[OidcProfile(name="sso", issuer=provider.issuer, client_id="workstation",
                             refresh_margin_s=margin)],
    ))


def _upload_study(orthanc: orthanc_mod.OrthancServer, n: int = 10) -> str:
    """A study of ``n`` one-image series (a pull makes a few requests per series)."""
    uid = "1.2.826.0.1.3680043.8.498.16016"
    for i, data in enumerate(demo.phantom_series(shape=(n, 32, 32), study_uid=uid)):
        ds = pydicom.dcmread(io.BytesIO(data))
        ds.SeriesInstanceUID = f"{uid}.{i + 1}"
        ds.SeriesNumber = i + 1
        out = io.BytesIO()
        ds.save_as(out, enforce_file_format=True)
        orthanc.upload(out.getvalue())
    return uid


def _refresh_token() -> str | None:
    return keyring.get_password("workstation", "oidc:sso")


def test_browser_login_with_pkce_then_bearer_on_dicomweb_and_logout_revokes(
        provider: op.Provider, orthanc: orthanc_mod.OrthancServer, browser: list[str],
        capsys: pytest.CaptureFixture[str], isolated_environment: Path) -> None:
    uid = _upload_study(orthanc, 2)
    archive = _archive(provider, orthanc)
    try:
        _configure(provider, archive.url)
        assert main(["login"]) == 0
        out = capsys.readouterr().out
        assert "Signed in as Dr Hélène Dupré-Łukasz (helene at " in out
        # RFC 8252 + RFC 7636: the system browser, a loopback redirect, PKCE S256, state, nonce.
        query = parse_qs(urlsplit(browser[0]).query)
        assert query["code_challenge_method"] == ["S256"] and len(query["code_challenge"][0]) == 43
        assert query["redirect_uri"][0].startswith("http://127.0.0.1:") and query["state"] and query["nonce"]
        who = current_identity()
        assert who is not None and who.subject == "helene" and who.issuer == provider.issuer
        # The refresh token is in the keyring only: nowhere in the data or config folders.
        refresh = _refresh_token()
        assert refresh
        keyring_file = Path(os.environ[KEYRING_FILE_ENV])  # the tests' stand-in for the OS keyring
        assert refresh.encode() in keyring_file.read_bytes()
        for path in isolated_environment.rglob("*"):
            if path.is_file() and path != keyring_file:
                assert refresh.encode() not in path.read_bytes(), path
        assert oct(signed_in_path().stat().st_mode & 0o777) == "0o600"
        # The access token as bearer on DICOMweb: the archive checks it at the provider.
        assert main(["studies", "--json"]) == 0
        assert [s["study_uid"] for s in json.loads(capsys.readouterr().out)] == [uid]
        assert archive.tokens_seen and archive.rejected == 0
        # Sign-out revokes at the provider (RFC 7009) and forgets everything here.
        access = archive.tokens_seen[-1]
        assert main(["logout"]) == 0
        assert provider.introspect(access)["active"] is False
        assert provider.introspect(refresh)["active"] is False
        assert _refresh_token() is None and current_identity() is None
        assert main(["studies"]) == 1
        assert "sign in with 'workstation login'" in capsys.readouterr().err
        # The audit log: sign-in, search, sign-out, all with the provider's identity.
        records = AuditLog(default_audit_path()).read()
        assert [r.action for r in records][:3] == ["signed_in", "study_searched", "signed_out"]
        assert {r.user_id for r in records[:3]} == {f"helene@{provider.issuer}"}
        assert records[0].event_type == "110122" and records[2].event_type == "110123"
    finally:
        archive.stop()


def _pull_signed_in(provider: op.Provider, archive: op.TokenCheckingArchive, uid: str,
                    capsys: pytest.CaptureFixture[str]) -> list[str]:
    _configure(provider, archive.url, margin=2.0)
    assert main(["login"]) == 0
    first_refresh = _refresh_token()
    assert main(["pull", uid, "-q"]) == 0  # complete: exit status 0
    assert "10" in capsys.readouterr().out
    pulled = [r for r in AuditLog(default_audit_path()).read() if r.action == "study_pulled"]
    assert pulled[0].outcome == "0" and pulled[0].detail["instances"] == 10
    assert pulled[0].user == "Dr Hélène Dupré-Łukasz"
    assert _refresh_token() != first_refresh  # the rotated refresh token replaced in the keyring
    return list(dict.fromkeys(archive.tokens_seen))


def test_access_token_renewed_before_it_expires_in_the_middle_of_a_pull(
        short_provider: op.Provider, orthanc: orthanc_mod.OrthancServer, browser: list[str],
        capsys: pytest.CaptureFixture[str]) -> None:
    uid = _upload_study(orthanc, 10)
    # Each request takes 0.4 s at the archive: the pull outlives several 4 s access tokens,
    # each renewed 2 s before it expires, so the archive never sees an expired one.
    archive = _archive(short_provider, orthanc, delay_s=0.4)
    try:
        distinct = _pull_signed_in(short_provider, archive, uid, capsys)
        assert len(distinct) >= 3, distinct
        assert archive.rejected == 0
    finally:
        archive.stop()


def test_token_rejected_before_its_expiry_is_renewed_and_the_pull_goes_on(
        provider: op.Provider, orthanc: orthanc_mod.OrthancServer, browser: list[str],
        capsys: pytest.CaptureFixture[str]) -> None:
    uid = _upload_study(orthanc, 10)
    # The archive's clock runs ahead: it rejects a 10-minute token 1.5 s after first seeing it.
    # The 401 makes the workstation renew the token and send the request again.
    archive = _archive(provider, orthanc, delay_s=0.3, max_token_age_s=1.5)
    try:
        distinct = _pull_signed_in(provider, archive, uid, capsys)
        assert archive.rejected >= 1 and len(distinct) >= 2, (archive.rejected, distinct)
    finally:
        archive.stop()


def test_revoked_sign_in_is_one_sentence(provider: op.Provider, orthanc: orthanc_mod.OrthancServer,
                                         browser: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    archive = _archive(provider, orthanc)
    try:
        _configure(provider, archive.url)
        assert main(["login"]) == 0
        assert main(["studies"]) == 0
        refresh = _refresh_token()
        assert refresh
        provider.revoke(refresh, "refresh_token")  # the administrator ends the session
        provider.revoke(archive.tokens_seen[-1], "access_token")
        oidc._SESSIONS.clear()  # a new command: it holds no access token yet
        capsys.readouterr()
        assert main(["studies"]) == 1
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and "is no longer valid" in err[0] and "'workstation login'" in err[0]
        assert "Traceback" not in err[0]
    finally:
        archive.stop()


def test_provider_naming_another_issuer_is_refused(provider: op.Provider, browser: list[str],
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    # The same provider reached as "localhost": its discovery document names 127.0.0.1.
    wrong = provider.issuer.replace("127.0.0.1", "localhost")
    assert main(["login", "--issuer", wrong, "--client-id", "workstation"]) == 1
    err = capsys.readouterr().err
    assert "was refused" in err and "not the configured issuer" in err
    assert browser == [] and current_identity() is None
    record = AuditLog(default_audit_path()).read()[-1]
    assert record.action == "signed_in" and record.outcome == "8"


def test_identity_token_for_another_audience_or_issuer_is_refused(provider: op.Provider) -> None:
    # A real ID token, issued to the "other-app" client through the device grant.
    other = OidcProfile(name="other", issuer=provider.issuer, client_id="other-app")
    session = oidc.OidcSession(other)
    prompt, wait = session.start_device_login()
    assert prompt.user_code and prompt.verification_uri_complete
    captured: dict[str, str] = {}
    original = session._signed_in

    def keep(token: dict, nonce: str | None):  # type: ignore[no-untyped-def]
        captured.update(token)
        return original(token, nonce)

    session._signed_in = keep  # type: ignore[method-assign]
    op.confirm_device(prompt.verification_uri_complete)
    identity = wait()
    assert identity.subject == "helene"  # the device grant works for its own client
    ours = OidcProfile(name="sso", issuer=provider.issuer, client_id="workstation")
    with pytest.raises(AuthError, match="issued for another application"):
        oidc.validate_id_token(captured["id_token"], session.metadata, ours, nonce=None,
                               access_token=captured["access_token"])
    elsewhere = OidcProfile(name="sso", issuer="https://idp.elsewhere.example", client_id="other-app")
    with pytest.raises(AuthError, match="issued by another provider"):
        oidc.validate_id_token(captured["id_token"], session.metadata, elsewhere, nonce=None,
                               access_token=captured["access_token"])
    # A tampered token (payload changed, signature kept) fails the signature check.
    head, payload, sig = captured["id_token"].split(".")
    forged = ".".join([head, payload[:-4] + ("AAAA" if payload[-4:] != "AAAA" else "BBBB"), sig])
    with pytest.raises(AuthError, match="signature"):
        oidc.validate_id_token(forged, session.metadata, other, nonce=None, access_token=None)


def test_settings_round_trip_of_the_sign_in_section() -> None:
    profile = OidcProfile(name="sso", issuer="https://idp.example/realms/x", client_id="ws", scopes="openid")
    save_settings(Settings(sign_in=[profile]))
    assert load_settings().sign_in_profile() == profile
    with pytest.raises(SettingsError, match="client ID"):
        OidcProfile(name="x", issuer="https://idp", client_id="")
    # Tokens never travel in clear to another machine; loopback (tests, a local proxy) may.
    with pytest.raises(SettingsError, match="https://"):
        OidcProfile(name="x", issuer="http://idp.example.org", client_id="ws")
    OidcProfile(name="x", issuer="http://127.0.0.1:8080", client_id="ws")


def test_device_login_from_the_command_line(provider: op.Provider, capsys: pytest.CaptureFixture[str]) -> None:
    save_settings(Settings(sign_in=[OidcProfile(name="sso", issuer=provider.issuer, client_id="workstation")]))
    result: dict[str, int] = {}
    worker = threading.Thread(target=lambda: result.setdefault("rc", main(["login", "--device"])))
    worker.start()
    said = ""
    deadline = time.monotonic() + 15
    while "enter the code" not in said and time.monotonic() < deadline:
        said += capsys.readouterr().err
        time.sleep(0.05)
    found = re.search(r"open (\S+) and enter the code (\S+)\.", said)
    assert found, said
    op.confirm_device(found.group(1))  # the user, on a phone
    worker.join(60)
    assert result == {"rc": 0}
    who = current_identity()
    assert who is not None and who.name == "Dr Hélène Dupré-Łukasz"
    record = AuditLog(default_audit_path()).read()[-1]
    assert record.action == "signed_in" and record.detail["flow"] == "device"
    assert _refresh_token()


def test_a_busy_redirect_port_is_one_sentence(provider: op.Provider) -> None:
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        profile = OidcProfile(name="sso", issuer=provider.issuer, client_id="workstation", redirect_port=port)
        with pytest.raises(AuthError, match=f"port {port} \\(in use"):
            oidc.OidcSession(profile).login_browser(op.drive_browser)


def test_logout_after_the_profile_left_the_settings_still_forgets_everything(
        capsys: pytest.CaptureFixture[str]) -> None:
    from workstation.identity import Identity, remember_identity

    remember_identity(Identity(subject="helene", name="Dr Hélène", issuer="https://idp.gone", profile="gone"))
    keyring.set_password("workstation", "oidc:gone", "a-refresh-token")
    assert main(["logout"]) == 1  # the provider could not be told
    assert "could not be told to revoke" in capsys.readouterr().err
    assert current_identity() is None and keyring.get_password("workstation", "oidc:gone") is None
    record = AuditLog(default_audit_path()).read()[-1]
    assert (record.action, record.outcome, record.user) == ("signed_out", "4", "Dr Hélène")
