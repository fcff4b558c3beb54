"""The per-installation data key, kept in the operating system's keyring.

One random 256-bit key per installation (per user account) encrypts the library, drafts,
reports, the outbox and the pending measurements (``workstation.crypt.stream``) and the library
index (SQLCipher). It is created on first use and kept in the keyring (Secret Service, macOS
Keychain, Windows Credential Locker, through the ``keyring`` package), never in a file: a copied
disk holds only ciphertext. Deleting it (``forget_key``, used by "remove all patient data")
makes every copy of the data unreadable.

Where there is no keyring the workstation refuses to write patient data and says so in one
sentence, unless the settings say the disk is already encrypted (``disk_encrypted``, for a
machine with full-disk encryption): then files are written in clear, and files already
encrypted are still read while the key can be found.
"""

from __future__ import annotations

import base64
import binascii
import os
import threading
from dataclasses import dataclass

import keyring
import keyring.errors

from workstation.crypt.stream import KEY_BYTES, key_id
from workstation.errors import StoreError

KEYRING_SERVICE = "workstation-data"
KEYRING_USER = "installation-key"

_lock = threading.Lock()
#: (the keyring backend the key came from, the key): asked again when the backend changes.
_cache: list[tuple[object, bytes]] = []


class NoDataKeyError(StoreError):
    """There is no keyring in which to keep (or find) the data key."""


NO_KEYRING_SENTENCE = (
    "There is no system keyring to keep the key that encrypts patient data on this machine (no "
    "Secret Service is running): install or unlock a keyring (for example gnome-keyring), or, "
    "only if this disk is already fully encrypted, tick 'This disk is already encrypted' in the "
    "settings (\"disk_encrypted\": true)."
)


@dataclass(frozen=True)
class DataKey:
    """The installation's key (32 bytes for AES-256) and its public identifier."""

    key: bytes

    @property
    def ident(self) -> bytes:
        return key_id(self.key)

    def sqlcipher_pragma(self) -> str:
        """``PRAGMA key`` with the raw key (SQLCipher's x'..' form: no passphrase derivation)."""
        return f"PRAGMA key = \"x'{self.key.hex()}'\""

    def __repr__(self) -> str:  # never print the key
        return "DataKey(<hidden>)"


def _cached() -> bytes | None:
    backend = keyring.get_keyring()
    for owner, key in _cache:
        if owner is backend:
            return key
    return None


#: Keyrings whose key "remove all patient data" deleted in this process: no new key is made in
#: them until the workstation starts again (a late task must not begin a new, hidden library).
_forgotten: list[object] = []

FORGOTTEN_SENTENCE = ("All patient data was removed from this machine; start the workstation again "
                      "to work with new data.")


def _remember(key: bytes) -> None:
    _cache.clear()
    _cache.append((keyring.get_keyring(), key))


def load_key(create: bool = True) -> DataKey | None:
    """The installation's key; created and saved when there is none and ``create``. ``None``
    when there is none and ``create`` is false. Raises ``NoDataKeyError`` without a keyring."""
    with _lock:
        cached = _cached()
        if cached is not None:
            return DataKey(cached)
        try:
            text = keyring.get_password(KEYRING_SERVICE, KEYRING_USER)
        except keyring.errors.NoKeyringError:
            raise NoDataKeyError(NO_KEYRING_SENTENCE) from None
        except keyring.errors.KeyringError as exc:
            raise NoDataKeyError(
                f"The system keyring could not be read ({type(exc).__name__}): unlock it and "
                "start the workstation again."
            ) from None
        if text:
            try:
                key = base64.b64decode(text, validate=True)
            except (binascii.Error, ValueError):
                key = b""
            if len(key) != KEY_BYTES:
                raise NoDataKeyError(
                    "The data key in the system keyring is damaged; patient data on this machine "
                    "cannot be read (remove it with 'workstation forget-all --yes')."
                )
        elif not create:
            return None
        elif any(backend is keyring.get_keyring() for backend in _forgotten):
            raise NoDataKeyError(FORGOTTEN_SENTENCE)
        else:
            key = os.urandom(KEY_BYTES)
            try:
                keyring.set_password(KEYRING_SERVICE, KEYRING_USER, base64.b64encode(key).decode())
            except keyring.errors.NoKeyringError:
                raise NoDataKeyError(NO_KEYRING_SENTENCE) from None
            except keyring.errors.KeyringError as exc:
                raise NoDataKeyError(
                    f"The system keyring could not save the data key ({type(exc).__name__}): "
                    "unlock it and try again."
                ) from None
        _remember(key)
        return DataKey(key)


def forget_key() -> bool:
    """Delete the key from the keyring (every encrypted copy becomes unreadable); ``True`` when
    there was one."""
    with _lock:
        _cache.clear()
        try:
            if keyring.get_password(KEYRING_SERVICE, KEYRING_USER) is None:
                return False
            keyring.delete_password(KEYRING_SERVICE, KEYRING_USER)
        except (keyring.errors.PasswordDeleteError, keyring.errors.NoKeyringError):
            return False
        return True


def refuse_new_key_until_restart() -> None:
    """After "remove all patient data" in the app: no new key (and so no new patient data, not
    even an audit record of a late background task) until the workstation starts again."""
    with _lock:
        _forgotten.append(keyring.get_keyring())


def clear_cache() -> None:
    """Forget the key held in memory (the keyring is asked again next time)."""
    with _lock:
        _cache.clear()
