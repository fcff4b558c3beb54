"""Credentials from the keyring and the environment (workstation.net.auth)."""

from __future__ import annotations

import keyring
import pytest
import requests

from workstation.errors import AuthError
from workstation.net.auth import (
    KEYRING_SERVICE,
    credentials_for,
    forget_secret,
    keyring_username,
    store_secret,
)
from workstation.settings import ArchiveProfile

SECRET = "correct-horse-battery"


def basic() -> ArchiveProfile:
    return ArchiveProfile(name="PACS", url="https://pacs.example/dicom-web", username="jdoe")


def test_keyring_round_trip() -> None:
    profile = basic()
    with pytest.raises(AuthError) as err:
        credentials_for(profile)
    assert "PACS" in str(err.value) and "password" in str(err.value)
    store_secret(profile, SECRET)
    assert keyring.get_password(KEYRING_SERVICE, "PACS:jdoe") == SECRET
    assert keyring_username(profile) == "PACS:jdoe"
    creds = credentials_for(profile)
    assert creds is not None
    assert (creds.scheme, creds.username, creds.secret, creds.origin) == (
        "basic", "jdoe", SECRET, "keyring")
    assert SECRET not in repr(creds) and SECRET not in repr(creds.requests_auth())
    request = creds.requests_auth()(requests.Request("GET", "http://x/").prepare())
    assert request.headers["Authorization"].startswith("Basic ")
    assert forget_secret(profile) is True
    assert forget_secret(profile) is False
    with pytest.raises(AuthError):
        credentials_for(profile)


def test_environment_overrides_keyring(monkeypatch: pytest.MonkeyPatch) -> None:
    profile = basic()
    store_secret(profile, "from-keyring")
    monkeypatch.setenv("WORKSTATION_USER", "scripter")
    monkeypatch.setenv("WORKSTATION_PASSWORD", "from-env")
    creds = credentials_for(profile)
    assert creds is not None
    assert (creds.username, creds.secret, creds.origin) == ("scripter", "from-env", "environment")


def test_bearer_token_and_none() -> None:
    profile = ArchiveProfile(name="Cloud", url="https://cloud.example/dicomweb", auth="bearer")
    with pytest.raises(AuthError) as err:
        credentials_for(profile)
    assert "access token" in str(err.value)
    store_secret(profile, "tok-123")
    creds = credentials_for(profile)
    assert creds is not None
    request = creds.requests_auth()(requests.Request("GET", "http://x/").prepare())
    assert request.headers["Authorization"] == "Bearer tok-123"
    assert "tok-123" not in repr(creds.requests_auth())
    open_profile = ArchiveProfile(name="Open", url="http://localhost/dicom-web", auth="none")
    assert credentials_for(open_profile) is None


def test_basic_without_user_name_and_empty_secret() -> None:
    profile = ArchiveProfile(name="NoUser", url="https://x.example/dicom-web")
    with pytest.raises(AuthError) as err:
        credentials_for(profile)
    assert "user name" in str(err.value)
    with pytest.raises(AuthError):
        store_secret(basic(), "")
