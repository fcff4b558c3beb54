"""Delivery of signed reports to the RIS (FHIR R4, HL7 v2.5 ORU^R01) and the archive (STOW-RS),
through an outbox that keeps every version on disk until each destination acknowledged it."""

from workstation.report.delivery.errors import DeliveryError, ReportPackageError
from workstation.report.delivery.outbox import DestinationState, Outbox, OutboxBusy, OutboxEntry
from workstation.report.delivery.package import ReportVersion, load_report_version
from workstation.report.delivery.profile import RisProfile, load_ris_profile

__all__ = [
    "DeliveryError", "DestinationState", "Outbox", "OutboxBusy", "OutboxEntry",
    "ReportPackageError", "ReportVersion", "RisProfile", "load_report_version",
    "load_ris_profile",
]
