"""Fixtures for the DICOMweb client tests: clients on the test Orthanc, sample instances."""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from io import BytesIO
from typing import Any

import pydicom
import pytest
from pydicom.data import get_testdata_file
from pydicom.dataset import Dataset
from pydicom.uid import generate_uid

from tests import orthanc as orthanc_mod
from tests.net.faulty_proxy import FaultyProxy
from workstation.net.auth import store_secret
from workstation.net.dicomweb import DicomWebClient
from workstation.settings import ArchiveProfile


def sample(name: str) -> Dataset:
    """One of pydicom's bundled test files, read fresh."""
    path = get_testdata_file(name)
    assert path is not None, name
    return pydicom.dcmread(path)


def to_bytes(ds: Dataset) -> bytes:
    buf = BytesIO()
    ds.save_as(buf, enforce_file_format=True)
    return buf.getvalue()


def renamed(ds: Dataset, *, new_study: bool = True, new_series: bool = True,
            **attrs: Any) -> Dataset:
    """A copy with new UIDs (Orthanc keeps the first copy of a UID) and some attributes set."""
    ds = copy.deepcopy(ds)
    if new_study:
        ds.StudyInstanceUID = generate_uid()
    if new_series:
        ds.SeriesInstanceUID = generate_uid()
    ds.SOPInstanceUID = generate_uid()
    ds.file_meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
    for keyword, value in attrs.items():
        setattr(ds, keyword, value)
    return ds


@pytest.fixture
def make_client() -> Iterator[Callable[..., DicomWebClient]]:
    """Build clients for a URL with the test password in the (in-memory) keyring."""
    clients: list[DicomWebClient] = []

    def build(url: str, *, password: str = orthanc_mod.PASSWORD, retries: int = 2,
              backoff_s: float = 0.01, **profile_kw: Any) -> DicomWebClient:
        profile_kw.setdefault("username", orthanc_mod.USER)
        profile = ArchiveProfile(name=f"test-{len(clients)}", url=url, **profile_kw)
        if profile.auth != "none":
            store_secret(profile, password)
        client = DicomWebClient(profile, retries=retries, backoff_s=backoff_s)
        clients.append(client)
        return client

    yield build
    for c in clients:
        c.close()


@pytest.fixture
def proxy(orthanc: orthanc_mod.OrthancServer) -> Iterator[FaultyProxy]:
    """A faulty proxy in front of the (emptied) test Orthanc."""
    p = FaultyProxy(upstream_port=orthanc.port).start()
    yield p
    p.stop()
