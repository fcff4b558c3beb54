"""Make a report final: sign it, build its DICOM objects, write it out, audit it, send it.

One workflow for the report editor and ``workstation report sign``: the report, with its study
context (time zone, order numbers: :mod:`workstation.report.study_context`), is signed with the
settings' signing options (PAdES, ETSI EN 319 142-1; an RFC 3161 timestamp when a time-stamping
authority is configured), and only with the placeholders the signer consented to leave out;
the Comprehensive SR (TID 2000, PS3.16) and Encapsulated PDF (PS3.3 A.45.1) are built with the
study's images as evidence; the signed version is written to the outgoing folder, recorded in
the audit log (REPORT_SIGNED, IHE ATNA), added to the outbox and delivered once at once (what
is not delivered waits in the outbox for its next attempt). Progress is a plain callback.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# Imported with this module, on the UI thread: importing pyHanko or highdicom from a worker
# thread while Qt is busy on the UI thread has crashed PySide6's import hook.
from workstation.audit import AuditAction, audit_log_for
from workstation.model import attributes as attr
from workstation.report.delivery.destinations import open_outbox
from workstation.report.delivery.outbox import OutboxBusy
from workstation.report.dicom_objects import with_dicom_objects
from workstation.report.model import Report, SignedReport
from workstation.report.outgoing import outgoing_folder, write_outgoing
from workstation.report.pdf import Letterhead
from workstation.report.signing import (
    SigningOptions,
    configured_trust_roots,
    sign_report,
    signing_options,
)
from workstation.report.study_context import with_study_context
from workstation.report.templates import Template
from workstation.settings import Settings


class Step(enum.Enum):
    """What :func:`finalize_report` is doing; the interface words each in its language."""

    SIGNING = "Signing the report…"
    QUEUEING = "Queueing the report for delivery…"
    DELIVERING = "Delivering the report…"


#: ``progress(done, total, step)``.
Progress = Callable[[int, int, Step], None]


@dataclass(frozen=True)
class Finalized:
    """The signed version, its outgoing folder, and each destination's state right after the
    first delivery attempt (``{}``: no RIS or archive is configured, it waits in the outbox)."""

    signed: SignedReport
    folder: Path
    deliveries: dict[str, str]


def letterhead_from_settings(settings: Settings, practice: str = "") -> Letterhead:
    """The letterhead of ``settings.letterhead`` (written by the settings dialog); ``practice``
    names the practice when the settings have none."""
    typed = settings.letterhead
    return Letterhead(
        practice_name=typed.practice_name or practice,
        address_lines=tuple(typed.address_lines),
        phone=typed.phone,
        email=typed.email,
        department=typed.department,
    )


def finalize_report(report: Report, credential: Any, *, settings: Settings, template: Template,
                    headers: Sequence[Any], letterhead: Letterhead | None = None,
                    predecessor: Report | None = None, trust_roots: Sequence[Path] = (),
                    options: SigningOptions | None = None, key_image_pixels: Sequence[Any] = (),
                    accept_placeholders: bool = False,
                    progress: Progress | None = None) -> Finalized:
    """Sign ``report`` with ``credential`` and send it (see the module docstring).

    ``letterhead`` defaults to the settings'; the signature must chain to a CA of the settings
    (``signing.trust_roots``) or of ``trust_roots``; ``options`` default to the settings'
    (:func:`~workstation.report.signing.signing_options`). ``accept_placeholders``: the signer
    consents to sign without the untouched placeholders (else ``PlaceholderError`` names them).
    ``key_image_pixels`` are the key images' thumbnails for the PDF, in the order of
    ``report.key_images``. Runs in a worker thread."""
    say = progress or (lambda _d, _t, _s: None)
    say(0, 3, Step.SIGNING)
    letterhead = letterhead or letterhead_from_settings(settings)
    report = with_study_context(report, list(headers))  # time zone, order numbers (for the RIS)
    roots = [*configured_trust_roots(settings), *trust_roots]
    signed = sign_report(report, credential, letterhead=letterhead, template=template,
                         key_image_pixels=key_image_pixels, trust_roots=roots or None,
                         options=options or signing_options(settings),
                         accept_placeholders=accept_placeholders)
    evidence = [h for h in headers if attr.text(h, "SOPInstanceUID")]
    signed = with_dicom_objects(signed, template=template, evidence=evidence, predecessor=predecessor,
                                organization=letterhead.practice_name)
    folder = write_outgoing(signed, outgoing_folder(settings))
    audit_log_for(settings).record(
        AuditAction.REPORT_SIGNED, study_uid=signed.report.study.study_uid,
        patient_id=signed.report.patient.patient_id,
        issuer_of_patient_id=signed.report.patient.issuer_of_patient_id,
        instance_uids=[signed.version_uid], detail={"signature_level": signed.signature_level})
    say(1, 3, Step.QUEUEING)
    outbox = open_outbox(settings)
    outbox.add(folder)
    say(2, 3, Step.DELIVERING)
    try:
        entries = outbox.deliver_all()
    except OutboxBusy:  # another process delivers now: it takes this version too
        entries = outbox.outbox_status()
    entry = next((e for e in entries if e.version_uid == signed.version_uid), None)
    deliveries = {name: str(d.state) for name, d in sorted(entry.destinations.items())} if entry else {}
    return Finalized(signed, folder, deliveries)


__all__ = ["Finalized", "Progress", "Step", "finalize_report", "letterhead_from_settings"]
