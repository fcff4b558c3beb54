"""The session lock's rules, without Qt: when the session locks and what unlocks it.

* Idle time: the session locks after ``Settings.lock_after_min`` minutes without keyboard or mouse
  input (default 15; 0 turns the idle lock off, the on-demand lock stays). :class:`IdleClock`
  counts it on the monotonic clock, so a change of the wall clock neither locks nor delays.
* Unlocking asks for the person again (:func:`unlock_methods`): OpenID Connect re-authentication
  through the provider the signed-in identity came from (OpenID Connect Core 1.0 3.1.2.1, a new
  authorization request, RFC 8252 flow of :mod:`workstation.net.oidc`), and, for offline use, a
  local unlock password.
* The local unlock password is never stored: its salted hash is, in the OS keyring (service
  ``"workstation"``, user name ``"unlock-password"``), computed with scrypt (RFC 7914; Python's
  ``hashlib.scrypt``) with a random 16-byte salt; a check compares in constant time
  (``hmac.compare_digest``). The stored form is ``scrypt$N$r$p$salt$hash`` (base64). After
  three wrong tries in a row each further try waits longer (:class:`UnlockThrottle`).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time
from collections.abc import Callable

import keyring
import keyring.errors

from workstation.errors import AuthError, SettingsError
from workstation.identity import Identity
from workstation.net.auth import KEYRING_SERVICE, NoKeyringError, keyring_available
from workstation.settings import Settings

DEFAULT_LOCK_AFTER_MIN = 15.0
UNLOCK_PASSWORD_USER = "unlock-password"
MIN_PASSWORD_LENGTH = 8
# scrypt cost (RFC 7914 section 2): N = 2**14, r = 8, p = 1 takes ~50 ms and 16 MiB here.
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1
_SCRYPT_MAXMEM = 64 * 1024 * 1024

METHOD_OIDC = "oidc"
METHOD_PASSWORD = "password"


class IdleClock:
    """Time since the last input, against a limit in seconds (``0``: never due)."""

    def __init__(self, limit_s: float, now: Callable[[], float] = time.monotonic) -> None:
        self._now = now
        self.limit_s = max(0.0, float(limit_s))
        self._last = now()

    def touch(self) -> None:
        """The user did something."""
        self._last = self._now()

    def idle_s(self) -> float:
        return max(0.0, self._now() - self._last)

    def due(self) -> bool:
        """``True`` once the user has been idle for the whole limit."""
        return self.limit_s > 0 and self.idle_s() >= self.limit_s


class UnlockThrottle:
    """Slows guessing of the local password: after ``free`` wrong tries in a row, each further
    try waits twice as long as the one before (1 s, 2 s, 4 s ... at most ``cap_s``)."""

    def __init__(self, free: int = 3, cap_s: float = 60.0,
                 now: Callable[[], float] = time.monotonic) -> None:
        self.free, self.cap_s, self._now = free, cap_s, now
        self.failures = 0
        self._not_before = 0.0

    def wait_s(self) -> float:
        """Seconds before the next try is heard (0: now)."""
        return max(0.0, self._not_before - self._now())

    def failed(self) -> None:
        self.failures += 1
        if self.failures >= self.free:
            self._not_before = self._now() + min(self.cap_s, 2.0 ** (self.failures - self.free))

    def succeeded(self) -> None:
        self.failures, self._not_before = 0, 0.0


def lock_after_s(settings: Settings) -> float:
    return max(0.0, float(settings.lock_after_min)) * 60.0


# -- the local unlock password ---------------------------------------------------------------


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _scrypt(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(password.encode("utf-8"), salt=salt, n=n, r=r, p=p, maxmem=_SCRYPT_MAXMEM,
                          dklen=32)


def hash_password(password: str, salt: bytes | None = None) -> str:
    """The stored form of ``password``: ``scrypt$N$r$p$salt$hash`` (RFC 7914, salt random)."""
    salt = salt if salt is not None else secrets.token_bytes(16)
    digest = _scrypt(password, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P)
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${_b64(salt)}${_b64(digest)}"


def password_matches(password: str, stored: str) -> bool:
    """Whether ``password`` gives ``stored`` again (constant-time comparison)."""
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        again = _scrypt(password, base64.b64decode(salt), int(n), int(r), int(p))
        return hmac.compare_digest(again, base64.b64decode(digest))
    except (ValueError, TypeError):
        return False


def _stored_hash() -> str | None:
    try:
        return keyring.get_password(KEYRING_SERVICE, UNLOCK_PASSWORD_USER)
    except keyring.errors.KeyringError:
        return None


def has_unlock_password() -> bool:
    return bool(_stored_hash())


def set_unlock_password(password: str) -> None:
    """Keep the salted hash of a new unlock password in the keyring (the password itself: never)."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise SettingsError(f"The unlock password must have at least {MIN_PASSWORD_LENGTH} characters.")
    if not keyring_available():
        raise NoKeyringError("There is no system keyring to keep the unlock password (no Secret "
                             "Service is running): install a keyring backend (for example "
                             "gnome-keyring) and set it again.")
    try:
        keyring.set_password(KEYRING_SERVICE, UNLOCK_PASSWORD_USER, hash_password(password))
    except keyring.errors.KeyringError:
        raise AuthError("The system keyring could not keep the unlock password; unlock the "
                        "keyring and set it again.") from None


def clear_unlock_password() -> None:
    try:
        keyring.delete_password(KEYRING_SERVICE, UNLOCK_PASSWORD_USER)
    except keyring.errors.KeyringError:
        pass


def unlock_password_matches(password: str) -> bool:
    stored = _stored_hash()
    return bool(stored) and password_matches(password, str(stored))


def unlock_methods(settings: Settings, identity: Identity | None) -> list[str]:
    """What can unlock: re-authentication through the identity's provider when its profile is
    in the settings, and the local password when one is set. Empty: nothing was set up."""
    methods: list[str] = []
    if identity is not None and identity.profile and any(
            p.name == identity.profile for p in settings.sign_in):
        methods.append(METHOD_OIDC)
    if has_unlock_password():
        methods.append(METHOD_PASSWORD)
    return methods


def same_person(a: Identity, b: Identity) -> bool:
    """The same subject at the same issuer (OpenID Connect Core 1.0 5.7: ``sub`` + ``iss``)."""
    return a.subject == b.subject and a.issuer == b.issuer
