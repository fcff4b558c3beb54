"""The installation's data key in the OS keyring (workstation.crypt.keys)."""

from __future__ import annotations

import keyring
import keyring.backends.fail
import pytest

from workstation.crypt import keys
from workstation.crypt.files import Protection
from workstation.crypt.stream import DecryptError


def test_one_random_key_per_installation_kept_in_the_keyring() -> None:
    first = keys.load_key()
    assert first is not None and len(first.key) == 32 and "hidden" in repr(first)
    keys.clear_cache()
    again = keys.load_key(create=False)
    assert again is not None and again.key == first.key  # read back from the keyring
    stored = keyring.get_password(keys.KEYRING_SERVICE, keys.KEYRING_USER)
    assert stored and first.key.hex() not in stored  # base64 in the keyring, never in a file


def test_no_keyring_is_one_sentence_naming_both_ways_out() -> None:
    keyring.set_keyring(keyring.backends.fail.Keyring())
    with pytest.raises(keys.NoDataKeyError) as caught:
        keys.load_key()
    said = str(caught.value)
    assert said.startswith("There is no system keyring") and "disk_encrypted" in said
    assert "\n" not in said


def test_a_damaged_key_entry_is_refused_not_replaced() -> None:
    keyring.set_keyring(type(keyring.get_keyring())())
    keyring.set_password(keys.KEYRING_SERVICE, keys.KEYRING_USER, "not base64 !!")
    with pytest.raises(keys.NoDataKeyError, match="damaged"):
        keys.load_key()
    assert keyring.get_password(keys.KEYRING_SERVICE, keys.KEYRING_USER) == "not base64 !!"


def test_after_forget_key_encrypted_files_cannot_be_read(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "draft.json"
    Protection().write_bytes(path, b'{"patient": "Doe^Jane"}')
    assert Protection().read_bytes(path) == b'{"patient": "Doe^Jane"}'
    assert keys.forget_key() and not keys.forget_key()
    with pytest.raises(DecryptError, match="no longer in the system keyring"):
        Protection().read_bytes(path)
