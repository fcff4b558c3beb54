"""The outbox's destinations built from the settings: the RIS (FHIR R4, HL7 v2) and the archive.

Each destination opens its connection for one attempt and closes it afterwards, so a long-lived
outbox holds no sockets between retries.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from workstation.net.dicomweb import DicomWebClient
from workstation.net.failover import FailoverClient
from workstation.report.delivery.fhir import FhirClient, deliver_fhir
from workstation.report.delivery.hl7v2 import deliver_hl7
from workstation.report.delivery.outbox import Deliver, Outbox, default_outbox_folder
from workstation.report.delivery.package import ReportVersion
from workstation.report.delivery.profile import RisProfile
from workstation.report.delivery.stow import deliver_stow
from workstation.settings import ArchiveProfile, Settings


def fhir_destination(profile: RisProfile) -> Deliver:
    def send(version: ReportVersion) -> str:
        client = FhirClient(profile)
        try:
            return deliver_fhir(version, client)
        finally:
            client.close()

    return send


def hl7_destination(profile: RisProfile) -> Deliver:
    def send(version: ReportVersion) -> str:
        return deliver_hl7(version, profile)

    return send


def stow_destination(archive: ArchiveProfile, backups: Sequence[ArchiveProfile] = ()) -> Deliver:
    """STOW-RS to the archive; with ``backups``, to the first of them that answers when the
    archive does not (:mod:`workstation.net.failover`). The outbox records the version delivered
    once it is stored in one of them, so it never goes twice to the same archive."""
    def send(version: ReportVersion) -> str:
        if not backups:
            with DicomWebClient(archive, retries=0) as client:
                return deliver_stow(version, client)
        with FailoverClient.from_profiles(archive, backups) as failover:
            done = deliver_stow(version, failover)  # type: ignore[arg-type]
            return f"{done} in archive '{failover.active.name}'"

    return send


def destinations_from_settings(settings: Settings, ris: RisProfile | None) -> dict[str, Deliver]:
    """``fhir`` when the RIS has a FHIR URL, ``hl7`` when it has an MLLP endpoint, ``stow`` when
    an archive is configured (the RIS profile's ``archive``, else the default one)."""
    out: dict[str, Deliver] = {}
    if ris is not None and ris.fhir_url:
        out["fhir"] = fhir_destination(ris)
    if ris is not None and ris.mllp_host and ris.mllp_port:
        out["hl7"] = hl7_destination(ris)
    archive = settings.archive(ris.archive or None if ris is not None else None)
    if archive is not None:
        out["stow"] = stow_destination(archive, settings.backups_of(archive.name))
    return out


def open_outbox(settings: Settings, folder: Path | None = None) -> Outbox:
    """The user's outbox with the destinations the settings configure (the RIS of
    ``settings.ris``, the archive of the archive profiles)."""
    return Outbox(folder or default_outbox_folder(settings), destinations_from_settings(settings, settings.ris))
