"""Send a study to a second real Orthanc through the queue: destination down (nothing lost, all
waiting), then back (everything delivered), then nothing sent a second time."""

from __future__ import annotations

from pathlib import Path

import pytest
import requests

from tests import orthanc as orthanc_mod
from tests.export.conftest import SLICES, StudyToExport
from workstation.export.send import destination_queue, send_queued, send_study
from workstation.net.auth import store_secret
from workstation.settings import ArchiveProfile, Settings

pytestmark = pytest.mark.archive


def _count_instances(server: orthanc_mod.OrthancServer) -> int:
    r = requests.get(f"{server.rest_url}/statistics", auth=(server.user, server.password), timeout=10)
    r.raise_for_status()
    return int(r.json()["CountInstances"])


def test_send_with_destination_down_then_back_delivers_once(study: StudyToExport, tmp_path: Path) -> None:
    if not orthanc_mod.available():
        pytest.skip("Orthanc with the DICOMweb plugin is not installed")
    port = orthanc_mod.free_port()
    profile = ArchiveProfile(name="second opinion", url=f"http://127.0.0.1:{port}/dicom-web",
                             username=orthanc_mod.USER, connect_timeout_s=1.0, read_timeout_s=20.0)
    store_secret(profile, orthanc_mod.PASSWORD)
    settings = Settings(archives=[profile])
    total = SLICES + 4

    # down: nothing is reachable on the port; everything stays queued, nothing is lost
    first = send_study(settings, study.library, study.study_uid, "second opinion", queue_root=tmp_path)
    assert first.queued == total and not first.result.sent
    assert len(first.result.pending) == total and not first.complete
    assert "could not be reached" in first.summary()
    queue = destination_queue("second opinion", tmp_path)
    assert len(queue.list()) == total
    # asked again while still down: the waiting instances are not queued a second time
    again = send_study(settings, study.library, study.study_uid, "second opinion", queue_root=tmp_path)
    assert again.queued == 0 and len(queue.list()) == total

    server = orthanc_mod.start_orthanc({"HttpPort": port})
    try:
        said: list[tuple[int, int, str]] = []
        back = send_queued(profile, queue, lambda done, of, what: said.append((done, of, what)))
        assert said[-1] == (total, total, "Sending")
        assert len(back.sent) == total and not back.pending and not back.refused
        assert queue.list() == []
        assert _count_instances(server) == total
        held = requests.get(f"{server.rest_url}/instances", auth=(server.user, server.password), timeout=10).json()
        assert len(held) == total
        # nothing left to send: a retry sends nothing
        assert send_queued(profile, queue).sent == ()
        assert _count_instances(server) == total
        # what arrived is the stored bytes (pixels of one slice compared)
        uid = next(str(ds.SOPInstanceUID) for ds in study.originals if ds.Modality == "CT")
        found = requests.post(f"{server.rest_url}/tools/lookup", data=uid, auth=(server.user, server.password), timeout=10).json()
        stored = requests.get(f"{server.rest_url}{found[0]['Path']}/file", auth=(server.user, server.password), timeout=10).content
        assert stored == study.library.read_instance(uid)
    finally:
        server.stop()
