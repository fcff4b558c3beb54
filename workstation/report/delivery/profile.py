"""The RIS a report goes to: FHIR R4 base URL, HL7 v2 MLLP endpoint, identifier systems.

Secrets follow :mod:`workstation.net.auth`: the keyring (service ``"workstation"``, user name
``"<profile name>:<user name>"``) or ``WORKSTATION_PASSWORD`` for scripts; never the settings.
The profile itself is the settings' typed ``ris`` entry (:class:`workstation.settings.RisProfile`,
re-exported here).
"""

from __future__ import annotations

from pathlib import Path

from workstation.settings import (
    DEFAULT_ACCESSION_SYSTEM,
    DEFAULT_PATIENT_ID_SYSTEM,
    RisProfile,
    load_settings,
)

__all__ = ["DEFAULT_ACCESSION_SYSTEM", "DEFAULT_PATIENT_ID_SYSTEM", "DICOM_UID_SYSTEM", "RisProfile",
           "load_ris_profile"]

DICOM_UID_SYSTEM = "urn:dicom:uid"  # FHIR R4 "identifier for a DICOM UID" (value urn:oid:...)


def load_ris_profile(path: Path | None = None) -> RisProfile | None:
    """The settings' RIS (``Settings.ris``), or ``None`` when there is none. Code that holds
    the settings already reads ``settings.ris``."""
    return load_settings(path).ris
