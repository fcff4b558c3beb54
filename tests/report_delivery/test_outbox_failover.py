"""The outbox with an archive and its backup: kept while both are down, delivered to the first
that comes back, never again to either."""

from __future__ import annotations

from pathlib import Path

import pytest
import requests

from tests import orthanc as orthanc_mod
from tests.orthanc import free_port, start_orthanc
from tests.report_delivery.reports import make_report_folder
from workstation.net.auth import store_secret
from workstation.report.delivery.destinations import destinations_from_settings
from workstation.report.delivery.outbox import DELIVERED, PENDING, Outbox
from workstation.settings import ArchiveProfile, Settings


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


def _instances(server: orthanc_mod.OrthancServer) -> list[str]:
    return list(requests.get(f"{server.rest_url}/instances",
                             auth=(server.user, server.password), timeout=10).json())


def test_reports_wait_for_either_archive_and_go_once(tmp_path: Path) -> None:
    if not orthanc_mod.available():
        pytest.skip("Orthanc with the DICOMweb plugin is not installed")
    primary_port, backup_port = free_port(), free_port()
    primary = ArchiveProfile(name="Hôpital Nord", url=f"http://127.0.0.1:{primary_port}/dicom-web",
                             username=orthanc_mod.USER)
    backup = ArchiveProfile(name="Secours Lyon", url=f"http://127.0.0.1:{backup_port}/dicom-web",
                            username=orthanc_mod.USER, backup_for="Hôpital Nord")
    for profile in (primary, backup):
        store_secret(profile, orthanc_mod.PASSWORD)
    settings = Settings(archives=[primary, backup], default_archive="Hôpital Nord")
    clock = Clock()
    outbox = Outbox(tmp_path / "outbox", destinations_from_settings(settings, None),
                    base_delay_s=10, clock=clock)
    outbox.add(make_report_folder(tmp_path / "signed", signer_name="Dr Hélène Çelik"))

    [state] = outbox.deliver_all()  # both down: kept, with the sentence
    stow = state.destinations["stow"]
    assert (stow.state, stow.attempts) == (PENDING, 1)
    assert "Neither archive 'Hôpital Nord' nor 'Secours Lyon' answers" in stow.last_error

    servers = [start_orthanc(port=backup_port)]  # the backup comes back first
    try:
        clock.now += 10
        [state] = outbox.deliver_all()
        stow = state.destinations["stow"]
        assert stow.state == DELIVERED and stow.attempts == 2
        assert "in archive 'Secours Lyon'" in stow.detail
        assert len(_instances(servers[0])) == 2  # the SR and the encapsulated PDF

        servers.append(start_orthanc(port=primary_port))  # then the primary
        clock.now += 1000
        [state] = outbox.deliver_all(force=True)
        assert state.destinations["stow"].attempts == 2  # not sent again, to either
        assert _instances(servers[1]) == []
        assert len(_instances(servers[0])) == 2
    finally:
        for server in servers:
            server.stop()
