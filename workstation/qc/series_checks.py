"""Per-series acquisition checks: slices, spacing, tilt, orientation, size, thickness, numbering.

Geometry is not recomputed here: the display sets of :mod:`workstation.model.displayset` (which
use :func:`workstation.model.geometry.build_volume_geometry`, PS3.3 C.7.6.2.1.1) already find
missing and duplicated slice positions, uneven spacing and gantry tilt; their
:class:`~workstation.model.image_warning.ImageWarning` objects are mapped to findings with a QC
severity. What they do not report is checked here: Instance Number duplicates and gaps (PS3.3
C.7.6.1), mixed orientation or matrix within a series, and Slice Thickness against the measured
slice spacing (overlap or gaps between slices).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import numpy as np
from pydicom.dataset import Dataset

from workstation.model.displayset import DisplaySet, build_display_sets
from workstation.model.image_warning import WarningCode
from workstation.qc.attributes import (
    integer,
    is_image,
    is_localizer,
    is_secondary,
    join_labels,
    number,
    numbers,
    series_label,
    sop_uid,
    uids,
)
from workstation.qc.findings import Finding, Severity

#: Severity and QC code of each display-set warning (codes kept as the model names them).
WARNING_SEVERITY: dict[WarningCode, Severity] = {
    WarningCode.MISSING_SLICES: Severity.ERROR,
    WarningCode.DUPLICATE_POSITIONS: Severity.WARNING,
    WarningCode.UNEVEN_SPACING: Severity.WARNING,
    WarningCode.GANTRY_TILT: Severity.WARNING,
    WarningCode.UNCALIBRATED: Severity.WARNING,
    WarningCode.DETECTOR_SPACING: Severity.INFO,
    WarningCode.ULTRASOUND_REGIONS: Severity.INFO,
    WarningCode.NOT_A_VOLUME: Severity.INFO,
    WarningCode.SERIES_SPLIT: Severity.INFO,
    WarningCode.NO_FRAME_TIME: Severity.INFO,
}
#: QC codes for warnings whose model name reads differently in a QC list.
QC_CODE = {WarningCode.UNCALIBRATED: "no_pixel_spacing"}

#: Slice Thickness and slice spacing closer than this (mm, or this fraction) are equal.
THICKNESS_TOLERANCE_MM = 0.05
THICKNESS_TOLERANCE_RATIO = 0.02


def _display_set_findings(series_uid: str, label: str, sets: Sequence[DisplaySet], headers: Sequence[Dataset]) -> list[Finding]:
    out: list[Finding] = []
    secondary = {sop_uid(ds) for ds in headers if is_secondary(ds)}
    seen: set[tuple[str, str]] = set()
    for display_set in sets:
        for warning in display_set.warnings:
            severity = WARNING_SEVERITY.get(warning.code)
            if severity is None:
                continue  # single slices are not a QC matter
            code = QC_CODE.get(warning.code, warning.code.value)
            if warning.code is WarningCode.UNCALIBRATED and set(warning.instances) <= secondary:
                severity = Severity.INFO  # screenshots and dose screens carry no calibration
            key = (code, warning.sentence)
            if key in seen:
                continue
            seen.add(key)
            sentence = warning.sentence if warning.sentence.lower().startswith("series") else f"{label.capitalize()}: {warning.sentence}"
            out.append(Finding(severity, code, sentence, warning.instances, series_uid))
    return out


def _instance_number_findings(series_uid: str, label: str, images: Sequence[Dataset]) -> list[Finding]:
    """Duplicate and missing Instance Numbers among the single-frame images of a series."""
    numbered = [(integer(ds, "InstanceNumber"), ds) for ds in images]
    known = [(n, ds) for n, ds in numbered if n is not None]
    out: list[Finding] = []
    if len(known) < len(numbered) and known:
        missing = [ds for n, ds in numbered if n is None]
        out.append(Finding(Severity.WARNING, "missing_instance_number",
                           f"{label.capitalize()}: {len(missing)} image(s) have no Instance Number.", uids(missing), series_uid))
    counts = Counter(n for n, _ in known)
    repeated = sorted(n for n, c in counts.items() if c > 1)
    if repeated:
        concerned = [ds for n, ds in known if counts[n] > 1]
        out.append(Finding(
            Severity.WARNING, "duplicate_instance_numbers",
            f"{label.capitalize()}: Instance Number{'s' if len(repeated) > 1 else ''} {join_labels([str(n) for n in repeated])} "
            f"{'are' if len(repeated) > 1 else 'is'} used by more than one image ({len(concerned)} images).",
            uids(concerned), series_uid))
    values = sorted(counts)
    if len(values) >= 2:
        absent = sorted(set(range(values[0], values[-1] + 1)) - set(values))
        if absent:
            neighbours = [ds for n, ds in known if n - 1 in absent or n + 1 in absent]
            out.append(Finding(
                Severity.WARNING, "instance_number_gaps",
                f"{label.capitalize()}: Instance Numbers {values[0]} to {values[-1]} skip {len(absent)} number(s) "
                f"({join_labels([str(n) for n in absent])}): images may be missing.",
                uids(neighbours), series_uid))
    return out


def _orientation_key(ds: Dataset) -> tuple[float, ...] | None:
    values = numbers(ds, "ImageOrientationPatient")
    if values is None or len(values) != 6:
        return None
    return tuple(round(v, 2) for v in values)


def _mixed_findings(series_uid: str, label: str, images: Sequence[Dataset]) -> list[Finding]:
    """More than one orientation or matrix size among a series' acquired images (localizers and
    screen captures left out: they are not meant to stack)."""
    out: list[Finding] = []
    scans = [ds for ds in images if not is_localizer(ds) and not is_secondary(ds)]
    orientations = Counter(k for k in (_orientation_key(ds) for ds in scans) if k is not None)
    if len(orientations) > 1:
        main = orientations.most_common(1)[0][0]
        odd = [ds for ds in scans if _orientation_key(ds) not in (None, main)]
        out.append(Finding(
            Severity.WARNING, "mixed_orientation",
            f"{label.capitalize()} holds images in {len(orientations)} orientations "
            f"({len(odd)} image(s) differ from the most common one); they cannot be read as one volume.",
            uids(odd), series_uid))
    sizes = Counter((integer(ds, "Rows"), integer(ds, "Columns")) for ds in scans)
    if len(sizes) > 1:
        main_size = sizes.most_common(1)[0][0]
        odd = [ds for ds in scans if (integer(ds, "Rows"), integer(ds, "Columns")) != main_size]
        listed = ", ".join(f"{r}x{c}" for r, c in sizes)
        out.append(Finding(
            Severity.WARNING, "mixed_size",
            f"{label.capitalize()} holds images of {len(sizes)} sizes ({listed}); they cannot be read as one volume.",
            uids(odd), series_uid))
    return out


def _median_thickness(display_set: DisplaySet, by_uid: dict[str, Dataset]) -> float | None:
    values = [number(by_uid[u], "SliceThickness") for u in display_set.sop_instance_uids if u in by_uid]
    known = [v for v in values if v is not None and v > 0]
    return float(np.median(known)) if known else None


def _thickness_findings(series_uid: str, label: str, sets: Sequence[DisplaySet], by_uid: dict[str, Dataset]) -> list[Finding]:
    """Slice Thickness against the slice spacing measured from positions (PS3.3 C.7.6.2)."""
    out: list[Finding] = []
    for display_set in sets:
        volume = display_set.volume
        if volume is None or display_set.geometry is None or len(volume.slices) < 2 or not volume.is_regular:
            continue
        spacing = display_set.geometry.spacing[2]
        thickness = _median_thickness(display_set, by_uid)
        if thickness is None or spacing <= 0:
            continue
        tolerance = max(THICKNESS_TOLERANCE_MM, THICKNESS_TOLERANCE_RATIO * spacing)
        if thickness > spacing + tolerance:
            out.append(Finding(
                Severity.INFO, "overlapping_slices",
                f"{label.capitalize()}: slices are {thickness:.2f} mm thick but {spacing:.2f} mm apart, so they overlap "
                f"(by {thickness - spacing:.2f} mm).",
                display_set.sop_instance_uids, series_uid))
        elif thickness < spacing - tolerance:
            out.append(Finding(
                Severity.WARNING, "gaps_between_slices",
                f"{label.capitalize()}: slices are {thickness:.2f} mm thick but {spacing:.2f} mm apart, so "
                f"{spacing - thickness:.2f} mm between slices is not imaged.",
                display_set.sop_instance_uids, series_uid))
    return out


def series_findings(series_uid: str, headers: Sequence[Dataset]) -> list[Finding]:
    """All per-series findings of one series' headers."""
    label = series_label(headers)
    images = [ds for ds in headers if is_image(ds)]
    if not images:
        return []
    sets = build_display_sets(images)
    by_uid = {sop_uid(ds): ds for ds in images}
    findings = _display_set_findings(series_uid, label, sets, images)
    single_frames = [ds for ds in images if (integer(ds, "NumberOfFrames") or 1) == 1]
    findings += _instance_number_findings(series_uid, label, single_frames)
    findings += _mixed_findings(series_uid, label, single_frames)
    findings += _thickness_findings(series_uid, label, sets, by_uid)
    return findings
