"""Fixtures of the QC tests: the phantom CT study's headers, read once per session."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydicom.dataset import Dataset

from tests.qc.helpers import PHANTOM, read_headers


@pytest.fixture(scope="session")
def phantom(shared_data: Path) -> tuple[list[Dataset], dict[str, Path]]:
    """The Philips CT phantom study (4 series) as headers, with the file of each instance."""
    return read_headers(shared_data / PHANTOM)
