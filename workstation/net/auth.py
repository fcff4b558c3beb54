"""Credentials for an archive profile: HTTP Basic or a bearer token (PS3.18 6.4 "Security").

Secrets never live in the settings file. They come from, in this order:

0. for ``auth = "oidc"``, the signed-in session's access token (:mod:`workstation.net.oidc`),
   refreshed before it expires; nothing is stored for the profile itself;
1. the environment, for scripting: ``WORKSTATION_PASSWORD`` holds the password (Basic) or the
   token (bearer), and ``WORKSTATION_USER`` overrides the profile's user name for Basic;
2. the operating system's keyring, service ``"workstation"``, user name
   ``"<profile name>:<profile user name>"`` (for example ``"Hospital PACS:jdoe"``; a bearer
   profile without a user name uses ``"<profile name>:"``).

:func:`store_secret` and :func:`forget_secret` write and remove the keyring entry. Secrets are
never logged: :class:`Credentials` hides them from ``repr`` and the request auth objects do too.

A secret is never sent in clear: over plain ``http://`` it is sent only to this machine
(loopback) or when the profile explicitly allows it (``allow_insecure_http``), because HTTP Basic
credentials and bearer tokens are readable by anyone on the path without TLS (RFC 7617 section 4,
RFC 6750 section 5.3); see :func:`insecure_http_refusal`.

Without a usable keyring (a Linux machine with no Secret Service), reading one gives nothing and
writing one raises :class:`NoKeyringError`, whose sentence says what to do: set
``WORKSTATION_PASSWORD``, or install a keyring backend.
"""

from __future__ import annotations

import ipaddress
import logging
import os
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import keyring
import keyring.errors
import requests
import requests.auth

from workstation.errors import AuthError
from workstation.settings import ArchiveProfile

log = logging.getLogger(__name__)

KEYRING_SERVICE = "workstation"
ENV_USER = "WORKSTATION_USER"
ENV_SECRET = "WORKSTATION_PASSWORD"


def keyring_username(profile: ArchiveProfile) -> str:
    """The keyring entry's user name for ``profile``: ``"<name>:<username>"``."""
    return f"{profile.name}:{profile.username}"


@dataclass(frozen=True)
class Credentials:
    """What a request needs to authenticate: the scheme, user name and secret (never shown)."""

    scheme: str  # "basic", "bearer" or "oidc"
    username: str
    secret: str = field(repr=False)
    origin: str = "keyring"  # "keyring" or "environment", for the connection check's sentence

    def __repr__(self) -> str:
        return f"Credentials(scheme={self.scheme!r}, username={self.username!r}, secret=***)"

    def requests_auth(self) -> requests.auth.AuthBase:
        """The ``requests`` auth object that adds the Authorization header."""
        if self.scheme == "oidc":  # the signed-in session's access token, refreshed as needed
            from workstation.net.oidc import SessionBearerAuth, signed_in_session

            return SessionBearerAuth(signed_in_session())
        if self.scheme == "bearer":
            return BearerAuth(self.secret)
        return _BasicAuth(self.username, self.secret)


class _BasicAuth(requests.auth.HTTPBasicAuth):
    """HTTP Basic (RFC 7617) whose repr does not show the password."""

    def __repr__(self) -> str:
        return f"BasicAuth(username={self.username!r}, password=***)"


class BearerAuth(requests.auth.AuthBase):
    """An OAuth 2.0 bearer token in the Authorization header (RFC 6750 2.1)."""

    def __init__(self, token: str) -> None:
        self._token = token

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        request.headers["Authorization"] = f"Bearer {self._token}"
        return request

    def __repr__(self) -> str:
        return "BearerAuth(token=***)"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, BearerAuth) and other._token == self._token

    def __hash__(self) -> int:
        return hash(self._token)


class NoKeyringError(AuthError):
    """The system has no keyring to keep a secret in (no Secret Service, no backend)."""


def no_keyring_sentence(profile: ArchiveProfile) -> str:
    """What is missing when the keyring cannot be used, and the two ways to proceed."""
    return (
        f"There is no system keyring to keep the secret of archive profile '{profile.name}' "
        f"(no Secret Service is running): set {ENV_SECRET} (and {ENV_USER} if needed) in the "
        "environment of the workstation, or install a keyring backend (for example "
        "gnome-keyring, or the keyrings.alt package) and add the archive again."
    )


def is_loopback(host: str) -> bool:
    """Whether ``host`` names this machine: ``localhost`` or a loopback address."""
    host = host.strip("[]").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def sends_in_clear(profile: ArchiveProfile) -> bool:
    """Whether ``profile`` would send a secret over plain HTTP to another machine."""
    parts = urlsplit(profile.url)
    return (profile.auth != "none" and parts.scheme == "http"
            and not is_loopback(parts.hostname or ""))


def insecure_http_refusal(profile: ArchiveProfile) -> str:
    """The sentence refusing to send ``profile``'s secret in clear, or "" when it may be sent
    (https, loopback, no secret, or the explicit ``allow_insecure_http`` opt-in)."""
    if not sends_in_clear(profile) or profile.allow_insecure_http:
        return ""
    what = "password" if profile.auth == "basic" else "access token"
    host = urlsplit(profile.url).hostname or profile.url
    return (
        f"Archive profile '{profile.name}' would send its {what} unencrypted over plain HTTP to "
        f"{host}, where anyone on the network can read it: use an https:// URL, or allow it "
        "explicitly for this archive (the archive settings' 'Allow the password over plain "
        "http://' option, or 'workstation archive add --allow-insecure-http')."
    )


def _keyring_secret(profile: ArchiveProfile) -> str | None:
    try:
        return keyring.get_password(KEYRING_SERVICE, keyring_username(profile))
    except keyring.errors.KeyringError as exc:
        log.warning("The keyring could not be read (%s)", type(exc).__name__)
        return None


def keyring_available() -> bool:
    """Whether a keyring backend can hold secrets (the active one is not keyring's "fail")."""
    try:
        import keyring.backends.fail

        return not isinstance(keyring.get_keyring(), keyring.backends.fail.Keyring)
    except ImportError:  # pragma: no cover - every keyring release has it
        return True


def credentials_for(profile: ArchiveProfile) -> Credentials | None:
    """The credentials for ``profile``, or ``None`` when it needs none (auth ``"none"``).

    Raises :class:`AuthError` when the profile needs a secret and none is available, or when
    it would go in clear over plain HTTP to another machine (:func:`insecure_http_refusal`).
    """
    if profile.auth == "none":
        return None
    refusal = insecure_http_refusal(profile)
    if refusal:
        raise AuthError(refusal)
    if profile.auth == "oidc":  # OpenID Connect sign-in (workstation.net.oidc): no stored secret
        return Credentials("oidc", profile.username, "", origin="sign-in")
    env_secret = os.environ.get(ENV_SECRET)
    if profile.auth == "basic":
        username = os.environ.get(ENV_USER) or profile.username
        if not username:
            raise AuthError(
                f"Archive profile '{profile.name}' uses a user name and password but has no "
                f"user name: enter one in the archive settings (or set {ENV_USER})."
            )
    else:
        username = profile.username
    if env_secret:
        return Credentials(profile.auth, username, env_secret, origin="environment")
    secret = _keyring_secret(profile)
    if secret:
        return Credentials(profile.auth, username, secret, origin="keyring")
    what = "password" if profile.auth == "basic" else "access token"
    if not keyring_available():
        raise NoKeyringError(no_keyring_sentence(profile))
    raise AuthError(
        f"No {what} is saved for archive profile '{profile.name}': enter it in the archive "
        f"settings so it is kept in the system keyring (or set {ENV_SECRET} for scripts)."
    )


def store_secret(profile: ArchiveProfile, secret: str) -> None:
    """Save the password or token of ``profile`` in the system keyring."""
    if not secret:
        raise AuthError(f"An empty secret cannot be saved for archive profile '{profile.name}'.")
    try:
        keyring.set_password(KEYRING_SERVICE, keyring_username(profile), secret)
    except keyring.errors.NoKeyringError:
        raise NoKeyringError(no_keyring_sentence(profile)) from None
    except keyring.errors.KeyringError as exc:
        raise AuthError(
            f"The system keyring could not save the secret for archive profile "
            f"'{profile.name}' ({type(exc).__name__}): unlock or install a keyring, or set "
            f"{ENV_SECRET} for this session."
        ) from None
    log.info("Secret saved in the keyring for archive profile %r", profile.name)


def forget_secret(profile: ArchiveProfile) -> bool:
    """Remove the keyring entry of ``profile``; ``True`` when there was one."""
    try:
        if keyring.get_password(KEYRING_SERVICE, keyring_username(profile)) is None:
            return False
        keyring.delete_password(KEYRING_SERVICE, keyring_username(profile))
    except (keyring.errors.PasswordDeleteError, keyring.errors.NoKeyringError):
        return False  # nothing can have been saved where there is no keyring
    except keyring.errors.KeyringError as exc:
        raise AuthError(
            f"The system keyring could not remove the secret for archive profile "
            f"'{profile.name}' ({type(exc).__name__})."
        ) from None
    log.info("Secret removed from the keyring for archive profile %r", profile.name)
    return True
