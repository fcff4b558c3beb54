"""The session lock's rules: the idle clock, the scrypt unlock password in the keyring, who unlocks."""

from __future__ import annotations

import base64
import hashlib

import keyring
import pytest

from workstation.errors import SettingsError
from workstation.identity import Identity
from workstation.lock_policy import (
    METHOD_OIDC,
    METHOD_PASSWORD,
    UNLOCK_PASSWORD_USER,
    IdleClock,
    UnlockThrottle,
    hash_password,
    password_matches,
    same_person,
    set_unlock_password,
    unlock_methods,
    unlock_password_matches,
)
from workstation.settings import OidcProfile, Settings, load_settings, save_settings


def test_idle_clock_is_due_after_the_limit_and_touch_restarts_it() -> None:
    now = [100.0]
    clock = IdleClock(60, now=lambda: now[0])
    now[0] = 159.9
    assert not clock.due()
    now[0] = 160.0
    assert clock.due()
    clock.touch()
    now[0] = 219.0
    assert not clock.due() and clock.idle_s() == pytest.approx(59.0)
    assert not IdleClock(0, now=lambda: 1e9).due()  # 0: never by idle time


def test_hash_is_scrypt_of_rfc7914_with_its_salt_and_checks_in_both_directions() -> None:
    salt = bytes(range(16))
    stored = hash_password("Clé d'accès ☂ 2026", salt)
    scheme, n, r, p, salt_b64, digest_b64 = stored.split("$")
    assert (scheme, n, r, p) == ("scrypt", "16384", "8", "1") and base64.b64decode(salt_b64) == salt
    independent = hashlib.scrypt("Clé d'accès ☂ 2026".encode(), salt=salt, n=16384, r=8, p=1,
                                 maxmem=64 * 1024 * 1024, dklen=32)
    assert base64.b64decode(digest_b64) == independent
    assert password_matches("Clé d'accès ☂ 2026", stored)
    assert not password_matches("Cle d'acces ☂ 2026", stored)
    assert hash_password("same") != hash_password("same")  # a fresh salt each time
    assert not password_matches("x", "garbage")


def test_unlock_password_lives_in_the_keyring_as_a_hash_only() -> None:
    with pytest.raises(SettingsError):
        set_unlock_password("short")
    set_unlock_password("Zoé-Ørsted-1")
    stored = keyring.get_password("workstation", UNLOCK_PASSWORD_USER)
    assert stored and stored.startswith("scrypt$") and "Zoé" not in stored
    assert unlock_password_matches("Zoé-Ørsted-1") and not unlock_password_matches("Zoe-Orsted-1")


def test_unlock_methods_follow_the_identity_profile_and_the_password() -> None:
    who = Identity(subject="helene", name="Dr Hélène", issuer="http://127.0.0.1:1", profile="sso")
    settings = Settings(sign_in=[OidcProfile(name="sso", issuer="http://127.0.0.1:1", client_id="ws")])
    assert unlock_methods(settings, who) == [METHOD_OIDC]
    assert unlock_methods(Settings(), who) == []  # the profile left the settings
    set_unlock_password("long enough")
    assert unlock_methods(settings, who) == [METHOD_OIDC, METHOD_PASSWORD]
    assert unlock_methods(settings, None) == [METHOD_PASSWORD]
    other = Identity(subject="helene", name="Dr Hélène", issuer="https://elsewhere.test")
    assert same_person(who, who) and not same_person(who, other)


def test_lock_after_setting_defaults_to_15_minutes_round_trips_and_is_checked() -> None:
    assert Settings().lock_after_min == 15.0
    save_settings(Settings(lock_after_min=2.5))
    assert load_settings().lock_after_min == 2.5
    with pytest.raises(SettingsError):
        Settings(lock_after_min=-1)


def test_wrong_passwords_slow_the_next_tries_down_doubling_up_to_the_cap() -> None:
    now = [0.0]
    throttle = UnlockThrottle(free=3, cap_s=60, now=lambda: now[0])
    throttle.failed()
    throttle.failed()
    assert throttle.wait_s() == 0  # two slips are free
    waits = []
    for _ in range(9):
        throttle.failed()
        waits.append(throttle.wait_s())
    assert waits == [1, 2, 4, 8, 16, 32, 60, 60, 60]
    now[0] += 59
    assert throttle.wait_s() == 1
    throttle.succeeded()
    assert throttle.wait_s() == 0 and throttle.failures == 0


def test_lock_and_unlock_are_atna_user_authentication_logout_and_login(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import xml.etree.ElementTree as ET

    from workstation.audit import AuditAction, AuditLog
    from workstation.audit.atna import to_xml

    log = AuditLog(tmp_path / "audit.jsonl")
    who = Identity(subject="helene", name="Dr Hélène Dupré-Łukasz", issuer="https://idp.test")
    for action, outcome, type_code in ((AuditAction.SESSION_LOCKED, "0", "110123"),
                                       (AuditAction.SESSION_UNLOCKED, "4", "110122")):
        root = ET.fromstring(to_xml(log.record(action, identity=who, outcome=outcome)))
        event = root.find("EventIdentification")
        assert event is not None and event.get("EventOutcomeIndicator") == outcome
        assert event.find("EventID").get("csd-code") == "110114"  # type: ignore[union-attr]
        assert event.find("EventTypeCode").get("csd-code") == type_code  # type: ignore[union-attr]
        assert root.find("ActiveParticipant").get("UserName") == "Dr Hélène Dupré-Łukasz"  # type: ignore[union-attr]
    assert log.verify().intact
