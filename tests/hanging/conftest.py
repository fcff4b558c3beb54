"""Fixtures for the hanging protocol tests."""

from __future__ import annotations

import pytest

from workstation.hanging.loader import load_shipped_protocols
from workstation.hanging.schema import Protocol


@pytest.fixture(scope="session")
def shipped() -> list[Protocol]:
    return load_shipped_protocols()
