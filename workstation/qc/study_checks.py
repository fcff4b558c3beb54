"""Study-wide checks: patient identity, study identity, duplicate instances, CT dose information.

- Patient identity (Patient Module, PS3.3 C.7.1.1): Patient's Name, Patient ID, Birth Date and
  Sex must agree across every series of a study; a difference means images of two patients may
  be mixed (IHE SWF / PIR). Sentences name the series, never the values.
- Study identity (General Study Module, PS3.3 C.7.2.1): Study Date and Accession Number agree.
- SOP Instance UIDs are unique (PS3.5 9.1): the same UID with different content is two objects
  that an archive will silently merge.
- CT dose (IEC 60601-2-44, PS3.3 C.8.15.2 CT Exposure): a CT study should carry CTDIvol in its
  images, or a Radiation Dose SR (PS3.3 A.35.8, TID 10011) or a dose screen.
"""

from __future__ import annotations

from collections.abc import Sequence

from pydicom.dataset import Dataset

from workstation.qc.attributes import (
    is_image,
    is_secondary,
    join_labels,
    series_label,
    sop_uid,
    text,
)
from workstation.qc.findings import Finding, Severity

#: (keyword, what the sentence calls it, code, severity) of the attributes compared across series.
IDENTITY_ATTRIBUTES = (
    ("PatientName", "patient name", "patient_name_mismatch", Severity.ERROR),
    ("PatientID", "patient ID", "patient_id_mismatch", Severity.ERROR),
    ("PatientBirthDate", "patient birth date", "patient_birth_date_mismatch", Severity.ERROR),
    ("PatientSex", "patient sex", "patient_sex_mismatch", Severity.ERROR),
    ("AccessionNumber", "accession number", "accession_number_mismatch", Severity.ERROR),
    ("StudyDate", "study date", "study_date_mismatch", Severity.WARNING),
)

#: Radiation dose structured reports (PS3.4 B.5): X-Ray, Enhanced X-Ray, Patient RDSR.
DOSE_SR_CLASSES = frozenset({
    "1.2.840.10008.5.1.4.1.1.88.67", "1.2.840.10008.5.1.4.1.1.88.76", "1.2.840.10008.5.1.4.1.1.88.74",
})
#: Words that mark a secondary-capture dose screen in Series Description or Image Type.
DOSE_SCREEN_WORDS = ("DOSE", "EXAM SUMMARY", "PATIENT PROTOCOL", "SCREEN SAVE")

Series = tuple[str, list[Dataset]]


def _normalized(keyword: str, value: str) -> str:
    if keyword == "PatientName":
        # Trailing empty components are the same name (PS3.5 6.2.1.1): "DOE^JOHN^^" == "DOE^JOHN".
        return "=".join(group.rstrip("^ ") for group in value.upper().split("=")).rstrip("= ")
    return value.strip().upper()


def identity_findings(series: Sequence[Series]) -> list[Finding]:
    """Patient and study identity attributes that differ between (or within) series."""
    out: list[Finding] = []
    for keyword, what, code, severity in IDENTITY_ATTRIBUTES:
        values: dict[str, list[tuple[str, list[Dataset]]]] = {}
        for series_uid, headers in series:
            groups: dict[str, list[Dataset]] = {}
            for ds in headers:
                groups.setdefault(_normalized(keyword, text(ds, keyword)), []).append(ds)
            for value, members in groups.items():
                values.setdefault(value, []).append((series_uid, members))
        empty = values.pop("", [])
        if len(values) == 1 and empty:
            out.append(_partly_missing(keyword, what, code, empty, next(iter(values.values()))))
        if len(values) < 2:
            continue
        # The value most images share is the reference; the others are named by their series.
        ranked = sorted(values.items(), key=lambda item: -sum(len(m) for _, m in item[1]))
        reference_labels = {series_label(m) for _, m in ranked[0][1]}
        odd = [(uid, members) for _, entries in ranked[1:] for uid, members in entries]
        odd_labels = sorted({series_label(m) for _, m in odd})
        concerned = tuple(dict.fromkeys(sop_uid(ds) for _, members in odd for ds in members))
        reference_uids = {uid for uid, _ in ranked[0][1]}
        within = sorted({series_label(m) for uid, m in odd if uid in reference_uids})
        if within:
            sentence = f"The {what} differs within {join_labels(within)}."
        else:
            sentence = (
                f"The {what} differs between {join_labels(sorted(reference_labels), 3)} and {join_labels(odd_labels, 3)}"
                f" ({len(values)} different values in the study)."
            )
        if severity is Severity.ERROR and keyword != "AccessionNumber":
            sentence += " Images of two patients may be mixed: check the worklist entry before reading."
        series_uid = odd[0][0] if len({uid for uid, _ in odd}) == 1 else ""
        out.append(Finding(severity, code, sentence, concerned, series_uid))
    return out


def _partly_missing(
    keyword: str, what: str, code: str,
    empty: list[tuple[str, list[Dataset]]], present: list[tuple[str, list[Dataset]]],
) -> Finding:
    """An identity attribute given in some series and empty in others: a warning."""
    missing_labels = sorted({series_label(m) for _, m in empty})
    present_labels = sorted({series_label(m) for _, m in present})
    concerned = tuple(dict.fromkeys(sop_uid(ds) for _, members in empty for ds in members))
    return Finding(
        Severity.WARNING, code.replace("_mismatch", "_missing"),
        f"The {what} is given in {join_labels(present_labels, 3)} but empty in {join_labels(missing_labels, 3)}.",
        concerned, empty[0][0] if len(empty) == 1 else "")


def several_studies_finding(headers: Sequence[Dataset]) -> list[Finding]:
    studies = {text(ds, "StudyInstanceUID") for ds in headers}
    if len(studies) <= 1:
        return []
    return [Finding(
        Severity.ERROR, "several_studies",
        f"The images checked belong to {len(studies)} studies; QC checks one study at a time.",
        (), "")]


def duplicate_sop_findings(headers: Sequence[Dataset], content_hashes: Sequence[tuple[str, str]] = ()) -> list[Finding]:
    """SOP Instance UIDs used twice. With (SOP Instance UID, SHA-256) pairs the contents are
    compared exactly; without them, the headers are (series, position, instance number)."""
    out: list[Finding] = []
    digests: dict[str, set[str]] = {}
    for uid, digest in content_hashes:
        digests.setdefault(uid, set()).add(digest)
    conflicting = sorted(uid for uid, found in digests.items() if len(found) > 1)
    counts: dict[str, list[Dataset]] = {}
    for ds in headers:
        uid = sop_uid(ds)
        if uid:
            counts.setdefault(uid, []).append(ds)
    for uid, copies in counts.items():
        if len(copies) < 2 or uid in digests:
            continue

        def signature(ds: Dataset) -> tuple[str, ...]:
            return tuple(text(ds, k) for k in ("SeriesInstanceUID", "InstanceNumber", "ImagePositionPatient",
                                                "AcquisitionTime", "ContentTime", "Rows", "Columns"))

        if len({signature(ds) for ds in copies}) > 1:
            conflicting.append(uid)
        else:
            out.append(Finding(
                Severity.INFO, "duplicate_sop_instance",
                f"Instance {uid} is present {len(copies)} times with the same header; it is shown once.",
                (uid,), text(copies[0], "SeriesInstanceUID")))
    if conflicting:
        out.append(Finding(
            Severity.ERROR, "duplicate_sop_uid_conflict",
            f"{len(conflicting)} SOP Instance UID(s) are used by objects with different content "
            f"({join_labels(conflicting, 2)}); an archive keeps only one of them: ask the modality to resend with new UIDs.",
            tuple(conflicting), ""))
    return out


def _has_ctdivol(ds: Dataset) -> bool:
    if "CTDIvol" in ds and text(ds, "CTDIvol"):
        return True
    for group in ("SharedFunctionalGroupsSequence", "PerFrameFunctionalGroupsSequence"):
        try:
            items = ds.get(group, None) or []
            first = items[0] if len(items) else None
            exposure = first.get("CTExposureSequence", None) if first is not None else None
            if exposure and "CTDIvol" in exposure[0]:
                return True
        except (AttributeError, IndexError, TypeError):
            continue
    return False


def _is_dose_screen(ds: Dataset) -> bool:
    if not is_secondary(ds):
        return False
    words = " ".join(text(ds, k).upper() for k in ("SeriesDescription", "ImageType", "ImageComments", "ProtocolName"))
    return any(w in words for w in DOSE_SCREEN_WORDS)


def dose_findings(headers: Sequence[Dataset]) -> list[Finding]:
    """A CT study with no CTDIvol in its images and no dose report or dose screen: warning."""
    ct = [ds for ds in headers if text(ds, "Modality").upper() == "CT" and is_image(ds) and not is_secondary(ds)]
    if not ct:
        return []
    if any(_has_ctdivol(ds) for ds in ct):
        return []
    if any(text(ds, "SOPClassUID") in DOSE_SR_CLASSES or _is_dose_screen(ds) for ds in headers):
        return []
    return [Finding(
        Severity.WARNING, "missing_ct_dose",
        f"The CT images ({len(ct)}) carry no CTDIvol and the study has no radiation dose report or dose screen: "
        "send the dose report from the scanner so the exposure is on record.",
        tuple(sop_uid(ds) for ds in ct), "")]
