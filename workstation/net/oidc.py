"""Single sign-on with OpenID Connect: a native app's sign-in, its tokens, and sign-out.

What it follows:

* OpenID Connect Discovery 1.0: the provider's metadata from
  ``<issuer>/.well-known/openid-configuration``; its ``issuer`` must be exactly the configured
  one (section 4.3), else the provider is refused;
* RFC 8252 (OAuth 2.0 for Native Apps): the authorization code flow in the *system browser*
  with a loopback redirect ``http://127.0.0.1:<port>/callback`` (7.3), PKCE S256 (RFC 7636), a
  ``state`` checked on return and, when the provider sends it, the ``iss`` response parameter
  (RFC 9207, against mix-up);
* RFC 8628: the device authorization grant, for a machine without a browser;
* OpenID Connect Core 1.0 3.1.3.7: the ID Token's signature (the provider's JWKS), ``iss``,
  ``aud`` (our client ID), ``exp``, ``iat``, ``nonce`` and ``at_hash`` are checked; a token for
  another audience or from another issuer is refused;
* RFC 6749 6: the access token is refreshed ``refresh_margin_s`` before it expires, and again
  when the archive rejects it before then (:meth:`OidcSession.renew_after_rejection`);
* RFC 6750: the access token is sent as a bearer token (DICOMweb and FHIR requests);
* RFC 7009: signing out revokes the refresh token (and the access token) at the provider.

The refresh token is kept in the OS keyring only (service ``"workstation"``, user name
``"oidc:<profile name>"``); the access token lives in this process's memory only; the signed-in
identity (no token) is written by :mod:`workstation.identity`. OAuth is Authlib's
(``authlib.integrations.requests_client.OAuth2Session``), the JOSE checks joserfc's.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import secrets
import threading
import time
import webbrowser
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import keyring
import keyring.errors
import requests
import requests.auth
from authlib.integrations.requests_client import OAuth2Session, OAuthError
from authlib.oidc.core import CodeIDToken
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet
from joserfc.jws import JWSRegistry

from workstation.errors import AuthError
from workstation.identity import Identity, current_identity, forget_identity, remember_identity
from workstation.net.auth import KEYRING_SERVICE, NoKeyringError, keyring_available
from workstation.net.loopback import CALLBACK_PATH, LoopbackRedirect
from workstation.settings import OidcProfile, Settings, load_settings

log = logging.getLogger(__name__)

DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"


def keyring_user(profile: OidcProfile) -> str:
    return f"oidc:{profile.name}"


def _refused(profile: OidcProfile, why: str) -> AuthError:
    return AuthError(f"Sign-in through '{profile.name}' was refused: {why}.")


def discover(profile: OidcProfile, session: requests.Session | None = None) -> dict[str, Any]:
    """The provider's metadata (OpenID Connect Discovery 1.0), its issuer checked (4.3)."""
    url = profile.issuer.rstrip("/") + "/.well-known/openid-configuration"
    http = session or requests.Session()
    try:
        response = http.get(url, timeout=profile.timeout_s, verify=profile.ca_bundle or True)
        response.raise_for_status()
        metadata = response.json()
    except (requests.RequestException, ValueError):
        raise AuthError(f"The identity provider at {urlsplit(profile.issuer).netloc} could not be "
                        "reached or did not describe itself (OpenID discovery); check the issuer "
                        "URL in the sign-in settings and your connection.") from None
    if not isinstance(metadata, dict) or metadata.get("issuer") != profile.issuer:
        raise _refused(profile, f"the provider names itself '{metadata.get('issuer', '?')}', not "
                                f"the configured issuer '{profile.issuer}' (OpenID Discovery 4.3)")
    return metadata


def validate_id_token(id_token: str, metadata: dict[str, Any], profile: OidcProfile, *,
                      nonce: str | None, access_token: str | None,
                      session: requests.Session | None = None) -> dict[str, Any]:
    """The ID Token's claims once its signature, issuer, audience, times, nonce and at_hash are
    checked (OpenID Connect Core 3.1.3.7); :class:`AuthError` in one sentence otherwise."""
    http = session or requests.Session()
    try:
        jwks = http.get(metadata["jwks_uri"], timeout=profile.timeout_s,
                        verify=profile.ca_bundle or True).json()
        token = jwt.decode(id_token, KeySet.import_key_set(jwks), registry=JWSRegistry(
            algorithms=metadata.get("id_token_signing_alg_values_supported") or ["RS256"]))
    except (requests.RequestException, ValueError, KeyError, JoseError):
        raise _refused(profile, "the identity token's signature could not be verified") from None
    options = {"iss": {"essential": True, "value": profile.issuer},
               "aud": {"essential": True, "value": profile.client_id}}
    params: dict[str, Any] = {"client_id": profile.client_id}
    if nonce is not None:
        params["nonce"] = nonce
    if access_token:
        params["access_token"] = access_token
    claims = CodeIDToken(token.claims, token.header, options, params)
    try:
        claims.validate(leeway=60)
    except JoseError as exc:
        claim = getattr(exc, "claim", "") or ""
        what = {"iss": "it was issued by another provider", "aud": "it was issued for another "
                "application", "nonce": "it does not answer this sign-in (nonce)",
                "exp": "it has expired"}.get(claim, f"its claim '{claim}' is invalid" if claim
                                              else "it is invalid")
        raise _refused(profile, f"the identity token cannot be accepted: {what}") from None
    return dict(token.claims)


def identity_from_claims(claims: dict[str, Any], profile: OidcProfile) -> Identity:
    """The person the ID Token names (``name``, else given and family names, else the user name)."""
    name = str(claims.get("name") or " ".join(
        str(claims[k]) for k in ("given_name", "family_name") if claims.get(k)) or
        claims.get("preferred_username") or "")
    return Identity(subject=str(claims["sub"]), name=name, issuer=str(claims["iss"]),
                    profile=profile.name, family_name=str(claims.get("family_name") or ""),
                    given_name=str(claims.get("given_name") or ""),
                    signed_in_at=dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"))


class OtherPersonError(AuthError):
    """Someone else signed in where one person had to sign in again (a locked session)."""

    def __init__(self, identity: Identity, expected: Identity) -> None:
        super().__init__(f"{identity.display()} signed in, but only {expected.display()} can "
                         "continue this session.")
        self.identity = identity


@dataclass
class DevicePrompt:
    """What the user must do on another device (RFC 8628 3.3)."""

    user_code: str
    verification_uri: str
    verification_uri_complete: str
    expires_in: float


class OidcSession:
    """One provider's sign-in: tokens in memory and the keyring, refreshed as needed."""

    def __init__(self, profile: OidcProfile, *, http: requests.Session | None = None) -> None:
        self.profile = profile
        self.http = http or requests.Session()
        self._metadata: dict[str, Any] | None = None
        self._access_token = ""
        self._expires_at = 0.0
        self._lock = threading.Lock()

    # -- provider ----------------------------------------------------------------------------

    @property
    def metadata(self) -> dict[str, Any]:
        if self._metadata is None:
            self._metadata = discover(self.profile, self.http)
        return self._metadata

    def _client(self, **kwargs: Any) -> OAuth2Session:
        client = OAuth2Session(self.profile.client_id, scope=self.profile.scopes,
                               token_endpoint_auth_method="none", **kwargs)
        client.verify = self.profile.ca_bundle or True
        return client

    def _token_request(self, what: str, call: Callable[[], Any]) -> dict[str, Any]:
        try:
            return dict(call())
        except OAuthError as exc:
            if exc.error in ("invalid_grant", "access_denied", "expired_token", "invalid_token"):
                raise AuthError(
                    f"Your sign-in through '{self.profile.name}' is no longer valid (the provider "
                    f"refused to {what}: it was revoked, ended or expired): sign in again with "
                    "'workstation login'.") from None
            raise AuthError(f"The identity provider of '{self.profile.name}' refused to {what} "
                            f"({exc.error}); ask its administrator.") from None
        except requests.RequestException:
            raise AuthError(f"The identity provider of '{self.profile.name}' could not be reached "
                            f"to {what}; check your connection.") from None

    # -- signing in --------------------------------------------------------------------------

    def login_browser(self, open_browser: Callable[[str], Any] = webbrowser.open, *,
                      timeout_s: float = 300.0, reauthenticate: Identity | None = None) -> Identity:
        """The authorization code flow with PKCE in the system browser (RFC 8252).

        ``reauthenticate`` (unlocking a locked session): the provider must ask that person again
        even if its browser session is still open (``prompt=login``, ``max_age=0``, OpenID
        Connect Core 1.0 3.1.2.1), the ID Token's ``auth_time`` must be this sign-in's, and it
        must name the same ``sub`` at the same ``iss`` (else :class:`OtherPersonError`, and
        nothing of the other person's sign-in is kept)."""
        started = time.time()
        metadata = self.metadata
        try:
            server = LoopbackRedirect(self.profile.redirect_port)
        except OSError:
            raise AuthError(f"The sign-in could not wait for the browser on 127.0.0.1 port "
                            f"{self.profile.redirect_port} (in use by another program); free it, "
                            "or set the sign-in profile's redirect port to 0 (any).") from None
        redirect_uri = f"http://127.0.0.1:{server.server_port}{CALLBACK_PATH}"
        thread = threading.Thread(target=server.serve_forever, name="oidc-callback", daemon=True)
        thread.start()
        try:
            client = self._client(redirect_uri=redirect_uri, code_challenge_method="S256")
            verifier, nonce = secrets.token_urlsafe(48), secrets.token_urlsafe(16)
            extra = {"prompt": "login consent", "max_age": "0"} if reauthenticate else {
                "prompt": "consent"}  # consent: the provider grants offline_access (a refresh token)
            url, state = client.create_authorization_url(
                metadata["authorization_endpoint"], code_verifier=verifier, nonce=nonce, **extra)
            open_browser(url)
            if not server.done.wait(timeout_s):
                raise AuthError(f"Sign-in through '{self.profile.name}' was not completed in the "
                                f"browser within {timeout_s:g} s; try again.")
        finally:
            server.shutdown()
            server.server_close()
        answer = server.result
        if answer.get("error"):
            raise _refused(self.profile, f"the provider answered '{answer['error']}'")
        if answer.get("state") != state:
            raise _refused(self.profile, "the browser's answer does not belong to this sign-in (state)")
        if "iss" in answer and answer["iss"] != self.profile.issuer:
            raise _refused(self.profile, "the answer came from another provider (RFC 9207)")
        token = self._token_request("issue a token", lambda: client.fetch_token(
            metadata["token_endpoint"], grant_type="authorization_code", code=answer.get("code", ""),
            code_verifier=verifier, redirect_uri=redirect_uri))
        if reauthenticate is None:
            return self._signed_in(token, nonce)
        return self._signed_in(token, nonce, authenticated_after=started, expected=reauthenticate)

    def start_device_login(self) -> tuple[DevicePrompt, Callable[[], Identity]]:
        """The device authorization grant (RFC 8628): what to show, and the call that waits."""
        metadata = self.metadata
        endpoint = metadata.get("device_authorization_endpoint")
        if not endpoint:
            raise AuthError(f"The identity provider of '{self.profile.name}' offers no sign-in "
                            "for devices without a browser (RFC 8628); sign in with the browser.")
        try:
            response = self.http.post(endpoint, data={"client_id": self.profile.client_id,
                                                      "scope": self.profile.scopes},
                                      timeout=self.profile.timeout_s, verify=self.profile.ca_bundle or True)
            response.raise_for_status()
            grant = response.json()
        except (requests.RequestException, ValueError):
            raise AuthError(f"The identity provider of '{self.profile.name}' refused to start a "
                            "device sign-in; try the browser sign-in.") from None
        prompt = DevicePrompt(str(grant["user_code"]), str(grant["verification_uri"]),
                              str(grant.get("verification_uri_complete", "")),
                              float(grant.get("expires_in", 600)))

        def wait() -> Identity:
            interval = float(grant.get("interval", 5))
            deadline = time.monotonic() + prompt.expires_in
            client = self._client()
            while time.monotonic() < deadline:
                time.sleep(interval)
                try:
                    token = client.fetch_token(metadata["token_endpoint"], grant_type=DEVICE_GRANT,
                                               device_code=grant["device_code"])
                except OAuthError as exc:
                    if exc.error == "authorization_pending":
                        continue
                    if exc.error == "slow_down":
                        interval += 5
                        continue
                    raise self._device_error(exc.error) from None
                return self._signed_in(dict(token), None)
            raise self._device_error("expired_token")

        return prompt, wait

    def _device_error(self, error: str) -> AuthError:
        if error == "access_denied":
            return _refused(self.profile, "the sign-in was declined on the other device")
        if error == "expired_token":
            return AuthError(f"The device sign-in through '{self.profile.name}' was not completed "
                             "in time; start it again.")
        return _refused(self.profile, f"the provider answered '{error}'")

    def _signed_in(self, token: dict[str, Any], nonce: str | None, *,
                   authenticated_after: float | None = None,
                   expected: Identity | None = None) -> Identity:
        if "id_token" not in token:
            raise _refused(self.profile, "the provider sent no identity token (is 'openid' in the scopes?)")
        claims = validate_id_token(token["id_token"], self.metadata, self.profile, nonce=nonce,
                                   access_token=token.get("access_token"), session=self.http)
        if authenticated_after is not None:  # max_age=0: auth_time is required (Core 3.1.2.1)
            auth_time = claims.get("auth_time")
            if not isinstance(auth_time, (int, float)) or auth_time < authenticated_after - 60:
                raise _refused(self.profile, "the provider did not ask for your credentials again "
                                             "(auth_time)")
        identity = identity_from_claims(claims, self.profile)
        if expected is not None and (identity.subject, identity.issuer) != (expected.subject, expected.issuer):
            raise OtherPersonError(identity, expected)
        self._keep(token)
        remember_identity(identity)
        return identity

    # -- tokens ------------------------------------------------------------------------------

    def _keep(self, token: dict[str, Any]) -> None:
        self._access_token = str(token.get("access_token", ""))
        self._expires_at = time.time() + float(token.get("expires_in", 300))
        refresh = token.get("refresh_token")
        if refresh:  # rotated by the provider: the new one replaces the old (RFC 6749 6)
            if not keyring_available():
                raise NoKeyringError(
                    f"There is no system keyring to keep the sign-in of '{self.profile.name}' "
                    "(no Secret Service is running): install a keyring backend (for example "
                    "gnome-keyring) and sign in again.")
            try:
                keyring.set_password(KEYRING_SERVICE, keyring_user(self.profile), str(refresh))
            except keyring.errors.KeyringError:
                raise AuthError(f"The system keyring could not keep the sign-in of "
                                f"'{self.profile.name}'; unlock it and sign in again.") from None

    def _refresh_token(self) -> str:
        try:
            value = keyring.get_password(KEYRING_SERVICE, keyring_user(self.profile))
        except keyring.errors.KeyringError:
            value = None
        if not value:
            raise AuthError(f"You are not signed in through '{self.profile.name}': sign in with "
                            "'workstation login'.")
        return value

    def refresh(self) -> None:
        """A new access token from the refresh token (RFC 6749 6)."""
        metadata, refresh = self.metadata, self._refresh_token()
        client = self._client()
        token = self._token_request("renew the sign-in", lambda: client.refresh_token(
            metadata["token_endpoint"], refresh_token=refresh))
        self._keep(token)
        log.info("Access token of sign-in profile %r renewed", self.profile.name)

    def access_token(self) -> str:
        """A token valid for at least ``refresh_margin_s`` more seconds, refreshed if needed."""
        with self._lock:
            if not self._access_token or time.time() >= self._expires_at - self.profile.refresh_margin_s:
                self.refresh()
            return self._access_token

    def renew_after_rejection(self, rejected: str) -> bool:
        """The resource server rejected ``rejected`` before its expiry: refresh (unless another
        thread already replaced it) and say the request may be sent again; raises
        :class:`AuthError` in one sentence when the provider refuses the refresh too."""
        with self._lock:
            if self._access_token == rejected:
                self.refresh()
            return True

    # -- signing out -------------------------------------------------------------------------

    def logout(self) -> bool:
        """Revoke the tokens at the provider (RFC 7009), forget them and the identity; ``True``
        when the provider confirmed the revocation (``False``: it could not be reached, the
        tokens are forgotten here all the same)."""
        try:
            refresh = keyring.get_password(KEYRING_SERVICE, keyring_user(self.profile))
        except keyring.errors.KeyringError:
            refresh = None
        revoked = True
        endpoint = None
        with contextlib.suppress(AuthError):
            endpoint = self.metadata.get("revocation_endpoint")
        for token, hint in ((refresh, "refresh_token"), (self._access_token, "access_token")):
            if not token:
                continue
            if not endpoint:
                revoked = False
                continue
            try:
                answer = self._client().revoke_token(endpoint, token=token, token_type_hint=hint)
                revoked = revoked and answer.status_code == 200
            except requests.RequestException:
                revoked = False
        with contextlib.suppress(keyring.errors.KeyringError):
            if refresh:
                keyring.delete_password(KEYRING_SERVICE, keyring_user(self.profile))
        self._access_token, self._expires_at = "", 0.0
        forget_identity()
        return revoked


class SessionBearerAuth(requests.auth.AuthBase):
    """The signed-in session's access token as a bearer token (RFC 6750 2.1), fresh each request."""

    def __init__(self, session: OidcSession) -> None:
        self.session = session

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        request.headers["Authorization"] = f"Bearer {self.session.access_token()}"
        return request

    def renew_after_rejection(self, request: requests.PreparedRequest) -> bool:
        """Called on HTTP 401: refresh the token the request carried; ``True`` to send it again."""
        sent = str(request.headers.get("Authorization", "")).removeprefix("Bearer ")
        return self.session.renew_after_rejection(sent)

    def __repr__(self) -> str:
        return f"SessionBearerAuth(profile={self.session.profile.name!r}, token=***)"


_SESSIONS: dict[tuple[str, str, str], OidcSession] = {}
_SESSIONS_LOCK = threading.Lock()


def session_for(profile: OidcProfile) -> OidcSession:
    """This process's session for ``profile`` (one per provider and client)."""
    key = (profile.name, profile.issuer, profile.client_id)
    with _SESSIONS_LOCK:
        if key not in _SESSIONS:
            _SESSIONS[key] = OidcSession(profile)
        return _SESSIONS[key]


def signed_in_session(settings: Settings | None = None) -> OidcSession:
    """The session of the profile the current identity signed in through."""
    settings = settings or load_settings()
    who = current_identity()
    if who is None:
        raise AuthError("This archive needs you signed in through your organisation's identity "
                        "provider: sign in with 'workstation login'.")
    profile = settings.sign_in_profile(who.profile or None)
    if profile is None:
        raise AuthError(f"The sign-in profile '{who.profile}' is no longer in the settings: "
                        "sign in again with 'workstation login'.")
    return session_for(profile)
