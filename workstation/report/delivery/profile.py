"""The RIS a report goes to: FHIR R4 base URL, HL7 v2 MLLP endpoint, identifier systems.

Secrets follow :mod:`workstation.net.auth`: the keyring (service ``"workstation"``, user name
``"<profile name>:<user name>"``) or ``WORKSTATION_PASSWORD`` for scripts; never the settings.
Until the settings grow a ``ris`` entry, :func:`load_ris_profile` reads the ``"ris"`` object of
the settings file (unknown to :class:`~workstation.settings.Settings`, which ignores it).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from workstation.errors import SettingsError
from workstation.net.auth import Credentials, credentials_for
from workstation.settings import ArchiveProfile, settings_path

# Default identifier systems (URNs of our own when the practice names none).
DEFAULT_ACCESSION_SYSTEM = "urn:workstation:accession-number"
DEFAULT_PATIENT_ID_SYSTEM = "urn:workstation:patient-id"
DICOM_UID_SYSTEM = "urn:dicom:uid"  # FHIR R4 "identifier for a DICOM UID" (value urn:oid:...)


@dataclass
class RisProfile:
    """One RIS: a FHIR R4 endpoint and/or an HL7 v2 MLLP endpoint (either may be empty)."""

    name: str = "RIS"
    fhir_url: str = ""
    auth: str = "none"  # "none", "basic", "bearer" or "oidc" (the signed-in session)
    username: str = ""
    ca_bundle: str = ""
    verify_tls: bool = True
    connect_timeout_s: float = 5.0
    read_timeout_s: float = 30.0
    accession_system: str = DEFAULT_ACCESSION_SYSTEM
    patient_id_system: str = DEFAULT_PATIENT_ID_SYSTEM
    mllp_host: str = ""
    mllp_port: int = 0
    mllp_timeout_s: float = 10.0
    sending_application: str = "WORKSTATION"
    sending_facility: str = ""
    receiving_application: str = "RIS"
    receiving_facility: str = ""
    # OBX-5 ED data length the receiver accepts (Base64 characters; 0 = no limit): larger PDFs
    # are referenced on the FHIR server instead (see workstation.report.delivery.hl7v2)
    hl7_max_ed_chars: int = 65536
    archive: str = ""  # archive profile that receives the SR and PDF by STOW-RS; "" = default

    def __post_init__(self) -> None:
        if self.auth not in ("none", "basic", "bearer", "oidc"):
            raise SettingsError(
                f"RIS profile '{self.name}': authentication must be none, basic or bearer, "
                f"not '{self.auth}'."
            )
        if self.fhir_url and not self.fhir_url.startswith(("http://", "https://")):
            raise SettingsError(
                f"RIS profile '{self.name}': the FHIR URL must start with http:// or https://."
            )
        if not isinstance(self.hl7_max_ed_chars, int) or self.hl7_max_ed_chars < 0:
            raise SettingsError(
                f"RIS profile '{self.name}': the HL7 size limit must be a whole number of "
                "characters (0 for none)."
            )
        if self.mllp_host and not 0 < int(self.mllp_port) < 65536:
            raise SettingsError(
                f"RIS profile '{self.name}': the MLLP port must be between 1 and 65535."
            )

    def as_archive_profile(self) -> ArchiveProfile:
        """The FHIR endpoint seen as an HTTP profile, to share the keyring lookup."""
        return ArchiveProfile(
            name=self.name, url=self.fhir_url or "http://unset", auth=self.auth,
            username=self.username, ca_bundle=self.ca_bundle, verify_tls=self.verify_tls,
            connect_timeout_s=self.connect_timeout_s, read_timeout_s=self.read_timeout_s,
        )

    def credentials(self) -> Credentials | None:
        """Basic or bearer credentials from the keyring or the environment (``None``: no auth)."""
        return credentials_for(self.as_archive_profile())

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> RisProfile:
        known = {f.name for f in fields(cls)}
        try:
            return cls(**{k: v for k, v in data.items() if k in known})
        except TypeError as exc:
            raise SettingsError(f"The RIS settings have an invalid entry: {exc}.") from exc


def load_ris_profile(path: Path | None = None) -> RisProfile | None:
    """The ``"ris"`` object of the settings file, or ``None`` when there is none."""
    path = path or settings_path()
    if not path.exists():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise SettingsError(f"The settings file {path} cannot be read: {exc}.") from exc
    ris = data.get("ris") if isinstance(data, dict) else None
    if not isinstance(ris, dict):
        return None
    return RisProfile.from_json(ris)
