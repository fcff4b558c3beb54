"""Delivery to the archive by STOW-RS (PS3.18 10.5): the report's SR and Encapsulated PDF.

Both objects go in one Store Instances request. A SOP Instance UID the archive already holds
counts as delivered: Orthanc keeps the first copy and answers success, and archives that answer
with a failure reason for a duplicate are asked (QIDO-RS) whether they hold the instance. Every
report version has new SOP Instance UIDs, so a duplicate can only be our own earlier delivery.
"""

from __future__ import annotations

import logging

from pydicom import dcmread
from pydicom.errors import InvalidDicomError

from workstation.crypt.files import read_protected
from workstation.errors import ArchiveError
from workstation.model import attributes as attr
from workstation.net.dicomweb import DicomWebClient, StoreRejected
from workstation.report.delivery.errors import DeliveryError, ReportPackageError
from workstation.report.delivery.package import ReportVersion

log = logging.getLogger(__name__)


def _uids(data: bytes, name: str) -> tuple[str, str, str]:
    """(study, series, SOP instance) UIDs of a PS3.10 file."""
    from io import BytesIO

    try:
        ds = dcmread(BytesIO(data), stop_before_pixels=True,
                     specific_tags=["StudyInstanceUID", "SeriesInstanceUID", "SOPInstanceUID"])
    except (InvalidDicomError, OSError, ValueError):
        ds = None
    uids = tuple(attr.text(ds, k) for k in ("StudyInstanceUID", "SeriesInstanceUID", "SOPInstanceUID")) \
        if ds is not None else ("", "", "")
    if not all(uids):
        raise ReportPackageError(
            f"The outgoing report file {name} is not a readable DICOM object; the report must "
            "be signed again."
        )
    return uids[0], uids[1], uids[2]


def deliver_stow(version: ReportVersion, client: DicomWebClient) -> str:
    """Store sr.dcm and pdf.dcm of ``version``; returns a short description."""
    objects = []
    for path in (version.sr_path, version.pdf_dicom_path):
        try:
            objects.append((path, read_protected(path)))
        except OSError:
            raise ReportPackageError(
                f"The outgoing report file {path} cannot be read; the report must be signed "
                "again."
            ) from None
    uids = [_uids(data, str(path)) for path, data in objects]
    for (path, _), (study, _, _) in zip(objects, uids, strict=True):
        if study != version.study_uid:
            raise ReportPackageError(
                f"The outgoing report file {path} belongs to another study than its report; "
                "the report must be signed again."
            )
    try:
        client.store_instances([data for _, data in objects], study_uid=version.study_uid)
    except StoreRejected as exc:
        refused = {f.sop_instance_uid for f in exc.result.failed}
        held = set()
        for study, series, sop in uids:
            if sop in refused:
                try:
                    found = client.search_instances(study, series)
                except ArchiveError:
                    found = []
                if any(i.sop_instance_uid == sop for i in found):
                    held.add(sop)
        if refused - held:
            raise DeliveryError(str(exc), retryable=exc.retryable, status=exc.status) from None
    except ArchiveError as exc:
        raise DeliveryError(str(exc), retryable=exc.retryable or isinstance(exc.status, int)
                            and exc.status >= 500, status=exc.status) from None
    log.info("STOW delivery of report version %s: %d object(s)", version.version_uid,
             len(objects))
    return f"{len(objects)} object(s) stored"
