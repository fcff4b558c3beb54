"""Run every QC check over one study's headers and collect a :class:`QCReport`.

Per series: the display-set geometry (missing, duplicated and unevenly spaced slices, gantry tilt,
pixel spacing), Instance Numbers, mixed orientation or size, slice thickness against spacing, the
Image Pixel and Image Plane modules (PS3.3 C.7.6.3, C.7.6.2), burned-in annotation and lossy
compression; with ``instance_bytes``, the pixel data of every image is decoded. Per study:
patient and study identity, duplicate SOP Instance UIDs and CT dose information.

One malformed header never stops the run: a check that fails on it becomes an info finding
saying what was not checked.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from functools import partial

from pydicom.dataset import Dataset

from workstation.qc.attributes import integer, text
from workstation.qc.findings import Finding, QCReport, Severity, StudyFacts
from workstation.qc.image_checks import burned_in_findings, iod_findings, lossy_findings
from workstation.qc.pixel_checks import decode_findings
from workstation.qc.series_checks import series_findings
from workstation.qc.study_checks import (
    dose_findings,
    duplicate_sop_findings,
    identity_findings,
    several_studies_finding,
)

log = logging.getLogger(__name__)

SeriesCheck = Callable[[str, Sequence[Dataset]], list[Finding]]


def _series(headers: Sequence[Dataset]) -> list[tuple[str, list[Dataset]]]:
    groups: dict[str, list[Dataset]] = {}
    for ds in headers:
        groups.setdefault(text(ds, "SeriesInstanceUID"), []).append(ds)

    def key(item: tuple[str, list[Dataset]]) -> tuple[int, int, str]:
        number = integer(item[1][0], "SeriesNumber")
        return (0 if number is not None else 1, number or 0, item[0])

    return sorted(groups.items(), key=key)


def _guarded(name: str, series_uid: str, check: Callable[[], list[Finding]]) -> list[Finding]:
    try:
        return check()
    except Exception as exc:  # noqa: BLE001 - a broken header must not hide the other findings
        log.warning("QC check %s failed on series %s: %s", name, series_uid, type(exc).__name__)
        return [Finding(
            Severity.INFO, "check_not_run",
            f"The {name} check could not be run on series {series_uid or '(no UID)'} "
            f"({type(exc).__name__}); check those images by eye.",
            (), series_uid)]


def _facts(headers: Sequence[Dataset], series_count: int, pixels_checked: bool) -> StudyFacts:
    def first(keyword: str) -> str:
        return next((v for v in (text(ds, keyword) for ds in headers) if v), "")

    modalities = tuple(sorted({text(ds, "Modality") for ds in headers if text(ds, "Modality")}))
    return StudyFacts(
        study_uid=first("StudyInstanceUID"),
        study_date=first("StudyDate"),
        study_description=first("StudyDescription"),
        modalities=modalities,
        accession_number=first("AccessionNumber"),
        number_of_series=series_count,
        number_of_instances=len({text(ds, "SOPInstanceUID") for ds in headers}),
        pixels_checked=pixels_checked,
    )


def run_checks(
    headers: list[Dataset],
    instance_bytes: Callable[[str], bytes] | None = None,
    *,
    content_hashes: Sequence[tuple[str, str]] = (),
) -> QCReport:
    """QC report of one study's instance headers.

    ``instance_bytes`` returns the PS3.10 bytes of an instance by SOP Instance UID (for example
    ``Library.read_instance``); without it pixel data is not checked and the report says so.
    ``content_hashes`` are (SOP Instance UID, SHA-256 hex) pairs of every copy received, used to
    tell a duplicate UID with different content from a harmless second copy.
    """
    series = _series(headers)
    report = QCReport(facts=_facts(headers, len(series), instance_bytes is not None))
    report.extend(several_studies_finding(headers))
    checks: list[tuple[str, SeriesCheck]] = [
        ("geometry", series_findings),
        ("header", iod_findings),
        ("burned-in annotation", burned_in_findings),
        ("compression", lossy_findings),
    ]
    for series_uid, members in series:
        for name, check in checks:
            report.extend(_guarded(name, series_uid, partial(check, series_uid, members)))
        if instance_bytes is not None:
            report.extend(_guarded("pixel data", series_uid, partial(decode_findings, series_uid, members, instance_bytes)))
    report.extend(_guarded("identity", "", lambda: identity_findings(series)))
    report.extend(_guarded("duplicate instance", "", lambda: duplicate_sop_findings(headers, content_hashes)))
    report.extend(_guarded("dose", "", lambda: dose_findings(headers)))
    if instance_bytes is None and headers:
        report.extend([Finding(
            Severity.INFO, "pixels_not_checked",
            "Pixel data was not checked (only headers were available): undecodable images would not be found.",
            (), "")])
    return report
