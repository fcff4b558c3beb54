"""Measurements and key images waiting for the archive, with a backup: kept while both are
down, sent to the first that answers, once (real Orthancs on fixed ports that come and go)."""

from __future__ import annotations

from pathlib import Path

import requests

from tests import orthanc as orthanc_mod
from tests.annotate.helpers import phantom_slice
from tests.annotate.test_dicom_objects import all_tools, header
from workstation.annotate.key_images import KeyImages
from workstation.annotate.kos import build_key_object_selection
from workstation.annotate.measurements import ImageRef, MeasuredImage
from workstation.annotate.pending import PENDING, PendingQueue
from workstation.annotate.sr_tid1500 import build_measurement_report
from workstation.net.auth import store_secret
from workstation.net.failover import FailoverClient
from workstation.settings import ArchiveProfile


def _sops(server: orthanc_mod.OrthancServer) -> set[str]:
    auth = (server.user, server.password)
    ids = requests.get(f"{server.rest_url}/instances", auth=auth, timeout=10).json()
    return {requests.get(f"{server.rest_url}/instances/{i}", auth=auth, timeout=10)
            .json()["MainDicomTags"]["SOPInstanceUID"] for i in ids}


def test_pending_objects_go_to_whichever_archive_answers_once(shared_data: Path) -> None:
    ds = phantom_slice(shared_data)
    report = build_measurement_report(all_tools(MeasuredImage.from_dataset(ds))[:3], [header(ds)])
    kos = build_key_object_selection(KeyImages([ImageRef.of(ds)], "Clé : lésion"), [header(ds)])
    ports = orthanc_mod.free_port(), orthanc_mod.free_port()
    profiles = [ArchiveProfile(name=name, url=f"http://127.0.0.1:{port}/dicom-web",
                               username=orthanc_mod.USER, connect_timeout_s=1.0)
                for name, port in zip(("Principal", "Secours"), ports, strict=True)]
    for profile in profiles:
        store_secret(profile, orthanc_mod.PASSWORD)
    said: list[str] = []

    def client() -> FailoverClient:
        return FailoverClient.from_profiles(profiles[0], profiles[1:], notify=said.append)

    queue = PendingQueue()
    with client() as both_down:
        _, result = queue.save_and_send(report, both_down)
        assert result is not None and result.sent == ()
        _, result = queue.save_and_send(kos, both_down)
        assert result is not None and result.sent == ()
    listed = queue.list()
    assert [e.state for e in listed] == [PENDING, PENDING]
    assert "Neither archive 'Principal' nor 'Secours' answers" in listed[0].last_error

    servers = [orthanc_mod.start_orthanc(port=ports[1])]  # the backup comes back
    try:
        with client() as one_up:
            result = queue.send(one_up)
        assert len(result.sent) == 2 and result.pending == () and queue.list() == []
        assert said == ["Archive 'Principal' does not answer; searches, retrievals and "
                        "deliveries go to its backup 'Secours' until it answers again."]
        assert _sops(servers[0]) == {str(report.SOPInstanceUID), str(kos.SOPInstanceUID)}
        servers.append(orthanc_mod.start_orthanc(port=ports[0]))  # then the primary
        with client() as both_up:
            result = queue.send(both_up)
        assert result.sent == () and _sops(servers[1]) == set()  # nothing sent twice
    finally:
        for server in servers:
            server.stop()
