"""A clustered archive: Orthanc nodes sharing one PostgreSQL index, one node killed.

The workstation points at one node and names the other as its backup (``--backup-for``): the
same archive behind two endpoints. A node killed (SIGKILL) during a pull: the pull completes
from the other node, every instance once, with one sentence. A node killed before a search:
the search is answered by the other node, with one sentence. Nothing stored is lost: the
surviving nodes list every instance. Skipped with the reason when PostgreSQL cannot start.
"""

from __future__ import annotations

import os
import shutil
import signal
import tempfile
from collections import Counter
from collections.abc import Iterator
from io import BytesIO
from pathlib import Path

import pydicom
import pytest

from tests import orthanc as orthanc_mod
from tests import postgres
from workstation import demo
from workstation.model.query import StudyQuery
from workstation.net.dicomweb import DicomWebClient
from workstation.net.failover import FailoverClient
from workstation.net.transfer import pull_study
from workstation.settings import ArchiveProfile
from workstation.store.library import Library


@pytest.fixture
def cluster() -> Iterator[tuple[postgres.PostgresCluster, Path]]:
    if not orthanc_mod.available():
        pytest.skip("Orthanc with the DICOMweb plugin is not installed")
    reason = postgres.unavailable_reason()
    if reason:
        pytest.skip(reason)
    try:
        pg = postgres.start_postgres()
    except RuntimeError as exc:
        pytest.skip(str(exc))
    storage = Path(tempfile.mkdtemp(prefix="orthanc-shared-storage-"))
    yield pg, storage
    pg.stop()
    shutil.rmtree(storage, ignore_errors=True)


def _profile(name: str, url: str) -> ArchiveProfile:
    return ArchiveProfile(name=name, url=url, username=orthanc_mod.USER)


class CountingLibrary:
    def __init__(self, library: Library) -> None:
        self.library = library
        self.added: Counter[str] = Counter()

    def add_bytes(self, data: bytes) -> object:
        ds = pydicom.dcmread(BytesIO(data), stop_before_pixels=True, specific_tags=["SOPInstanceUID"])
        self.added[str(ds.SOPInstanceUID)] += 1
        return self.library.add_bytes(data)

    def __getattr__(self, name: str) -> object:
        return getattr(self.library, name)


def test_node_killed_during_pull_and_before_search(
    cluster: tuple[postgres.PostgresCluster, Path], monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    monkeypatch.setenv("WORKSTATION_USER", orthanc_mod.USER)
    monkeypatch.setenv("WORKSTATION_PASSWORD", orthanc_mod.PASSWORD)
    pg, storage = cluster
    nodes = [postgres.start_node(pg, storage), postgres.start_node(pg, storage)]
    try:
        parts = list(demo.phantom_series(shape=(60, 256, 256)))
        uid = str(pydicom.dcmread(BytesIO(parts[0]), stop_before_pixels=True).StudyInstanceUID)
        sops = {str(pydicom.dcmread(BytesIO(p), stop_before_pixels=True).SOPInstanceUID)
                for p in parts}
        for data in parts:
            nodes[0].upload(data)  # stored once, through one node: the other sees it
        with DicomWebClient(_profile("node-b", nodes[1].dicomweb_url)) as other:
            assert [s.study_uid for s in other.search_studies(StudyQuery())] == [uid]

        said: list[str] = []
        sink = CountingLibrary(Library(tmp_path / "library"))
        killed: list[int] = []

        def progress(done: int, _total: int, _nbytes: int) -> None:
            if done >= 3 and not killed:
                killed.append(done)
                os.kill(nodes[0].process.pid, signal.SIGKILL)

        with FailoverClient.from_profiles(_profile("cluster", nodes[0].dicomweb_url),
                                          [_profile("cluster-node-2", nodes[1].dicomweb_url)],
                                          notify=said.append) as client:
            report = pull_study(client, sink, uid, progress=progress, parallel_series=1,
                                attempts=3)
        nodes[0].process.wait()
        assert killed and report.complete, report.summary()
        assert set(sink.added) == sops and max(sink.added.values()) == 1
        assert said == ["Archive 'cluster' does not answer; searches, retrievals and deliveries "
                        "go to its backup 'cluster-node-2' until it answers again."]

        # A third node joins; the second is killed; a search goes to the third, said once.
        nodes.append(postgres.start_node(pg, storage))
        os.kill(nodes[1].process.pid, signal.SIGKILL)
        nodes[1].process.wait()
        said.clear()
        with FailoverClient.from_profiles(_profile("cluster-node-2", nodes[1].dicomweb_url),
                                          [_profile("cluster-node-3", nodes[2].dicomweb_url)],
                                          notify=said.append) as client:
            found = client.search_studies(StudyQuery(patient_id=demo.DEMO_PATIENT_ID))
            assert [s.study_uid for s in found] == [uid]
            assert found[0].number_of_instances == len(parts)  # nothing lost
            listed = {i.sop_instance_uid for s in client.search_series(uid)
                      for i in client.search_instances(uid, s.series_uid)}
            assert listed == sops
        assert len(said) == 1 and "'cluster-node-3'" in said[0]
    finally:
        for node in nodes:
            node.stop()
