"""Names and sentences made by the Qt-free core, translated where the interface shows them
(issue 17): measurement tools, window presets, shipped hanging protocol and stage names, report
statuses and the core's fixed error and QC sentences.

The core keeps English (its logs, the CLI, the DICOM objects it writes); the interface passes
what it shows through :func:`core_text`, a catalogue keyed by the English text (context
``core`` of the Qt ``.ts`` files). Text the catalogue does not hold, such as a sentence carrying
a file name, is shown as it came.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QCoreApplication

from workstation.ui.i18n import QT_TRANSLATE_NOOP

CONTEXT = "core"

#: Measurement tools (workstation.annotate.measurements.Kind.display_name).
MEASUREMENT_TOOLS = (
    QT_TRANSLATE_NOOP("core", "Length"), QT_TRANSLATE_NOOP("core", "Angle"),
    QT_TRANSLATE_NOOP("core", "Cobb angle"), QT_TRANSLATE_NOOP("core", "Bidirectional"),
    QT_TRANSLATE_NOOP("core", "Ellipse ROI"), QT_TRANSLATE_NOOP("core", "Rectangle ROI"),
    QT_TRANSLATE_NOOP("core", "Freehand ROI"), QT_TRANSLATE_NOOP("core", "Probe"),
    QT_TRANSLATE_NOOP("core", "Arrow"), QT_TRANSLATE_NOOP("core", "Text"),
)
#: CT window presets (workstation.model.presets).
WINDOW_PRESETS = (
    QT_TRANSLATE_NOOP("core", "Brain"), QT_TRANSLATE_NOOP("core", "Subdural"),
    QT_TRANSLATE_NOOP("core", "Stroke"), QT_TRANSLATE_NOOP("core", "Lung"),
    QT_TRANSLATE_NOOP("core", "Mediastinum"), QT_TRANSLATE_NOOP("core", "Abdomen"),
    QT_TRANSLATE_NOOP("core", "Liver"), QT_TRANSLATE_NOOP("core", "Bone"),
)
#: Shipped hanging protocols and their stages (resources/hanging/*.json).
HANGING_NAMES = (
    QT_TRANSLATE_NOOP("core", "Any study"), QT_TRANSLATE_NOOP("core", "CT abdomen and pelvis"),
    QT_TRANSLATE_NOOP("core", "CT chest"), QT_TRANSLATE_NOOP("core", "CT head"),
    QT_TRANSLATE_NOOP("core", "Chest radiograph"), QT_TRANSLATE_NOOP("core", "MR brain"),
    QT_TRANSLATE_NOOP("core", "MR spine"), QT_TRANSLATE_NOOP("core", "Mammography screening"),
    QT_TRANSLATE_NOOP("core", "Ultrasound cine"), QT_TRANSLATE_NOOP("core", "3D MPR"),
    QT_TRANSLATE_NOOP("core", "All views: current above prior"),
    QT_TRANSLATE_NOOP("core", "Axial and coronal"), QT_TRANSLATE_NOOP("core", "Axial and sagittal T2"),
    QT_TRANSLATE_NOOP("core", "Axial with prior"), QT_TRANSLATE_NOOP("core", "Brain and bone"),
    QT_TRANSLATE_NOOP("core", "Brain and bone, with prior"),
    QT_TRANSLATE_NOOP("core", "CC: current above prior"), QT_TRANSLATE_NOOP("core", "Comparison with prior"),
    QT_TRANSLATE_NOOP("core", "Coronal series and liver window"), QT_TRANSLATE_NOOP("core", "Current 4 views"),
    QT_TRANSLATE_NOOP("core", "Four clips"), QT_TRANSLATE_NOOP("core", "Four series"),
    QT_TRANSLATE_NOOP("core", "Lung and mediastinum, with prior"), QT_TRANSLATE_NOOP("core", "Lung with prior"),
    QT_TRANSLATE_NOOP("core", "Lung, mediastinum, coronal"),
    QT_TRANSLATE_NOOP("core", "MLO: current above prior"), QT_TRANSLATE_NOOP("core", "MPR"),
    QT_TRANSLATE_NOOP("core", "One clip"), QT_TRANSLATE_NOOP("core", "One series"),
    QT_TRANSLATE_NOOP("core", "PA and lateral"), QT_TRANSLATE_NOOP("core", "PA with prior"),
    QT_TRANSLATE_NOOP("core", "PA, lateral and prior"), QT_TRANSLATE_NOOP("core", "Pre and post contrast"),
    QT_TRANSLATE_NOOP("core", "Sagittal T1, T2, STIR"), QT_TRANSLATE_NOOP("core", "Sagittal T2 with prior"),
    QT_TRANSLATE_NOOP("core", "T1, T2, FLAIR, diffusion"), QT_TRANSLATE_NOOP("core", "Two series"),
)
#: Report statuses (workstation.report.model.Status, upper case as the editor shows them).
REPORT_STATUSES = (
    QT_TRANSLATE_NOOP("core", "DRAFT"), QT_TRANSLATE_NOOP("core", "PRELIMINARY"),
    QT_TRANSLATE_NOOP("core", "FINAL"),
    # History events (workstation.report.model: "created", "<kind> started", and the actions).
    QT_TRANSLATE_NOOP("core", "created"), QT_TRANSLATE_NOOP("core", "addendum started"),
    QT_TRANSLATE_NOOP("core", "correction started"), QT_TRANSLATE_NOOP("core", "signed"),
    QT_TRANSLATE_NOOP("core", "made preliminary"),
)


def core_text(text: str) -> str:
    """``text`` in the interface's language when the catalogue holds it (the names above and
    :mod:`workstation.ui.core_sentences`), else unchanged."""
    return QCoreApplication.translate(CONTEXT, text) if text else text


def preset_label(preset: Any) -> str:
    """A window preset as a menu shows it: 'Poumon (F 1500 / N -600)' in French."""
    return QCoreApplication.translate(CONTEXT, "{0} (W {1:g} / L {2:g})").format(
        core_text(preset.name), preset.width, preset.center)


#: The template of :func:`preset_label`, marked for lupdate.
_PRESET_LABEL = QT_TRANSLATE_NOOP("core", "{0} (W {1:g} / L {2:g})")

#: QC states and severities (workstation.qc.status.StudyQCState.label, workstation.qc.findings.Severity).
QC_WORDS = (
    QT_TRANSLATE_NOOP("core", "not checked"), QT_TRANSLATE_NOOP("core", "warnings"),
    QT_TRANSLATE_NOOP("core", "errors"), QT_TRANSLATE_NOOP("core", "passed"),
    QT_TRANSLATE_NOOP("core", "error"), QT_TRANSLATE_NOOP("core", "warning"),
    QT_TRANSLATE_NOOP("core", "info"),
)
#: What each QC finding is (workstation.qc, by finding code): the interface shows this title in
#: the reader's language and keeps the core's detailed sentence (with its numbers) beside it.
QC_TITLES = {
    "accession_number_mismatch": QT_TRANSLATE_NOOP("qc", "Accession number differs between images"),
    "bits_stored_exceeds_allocated": QT_TRANSLATE_NOOP("qc", "Bits Stored larger than Bits Allocated"),
    "burned_in_annotation": QT_TRANSLATE_NOOP("qc", "Burned-in annotation"),
    "duplicate_instance_numbers": QT_TRANSLATE_NOOP("qc", "Repeated instance numbers"),
    "duplicate_sop_instance": QT_TRANSLATE_NOOP("qc", "Same image received twice"),
    "duplicate_sop_uid_conflict": QT_TRANSLATE_NOOP("qc", "Two different images share one UID"),
    "file_meta": QT_TRANSLATE_NOOP("qc", "File meta information invalid"),
    "gaps_between_slices": QT_TRANSLATE_NOOP("qc", "Gaps between slices"),
    "high_bit_mismatch": QT_TRANSLATE_NOOP("qc", "High Bit inconsistent with Bits Stored"),
    "image_pixel_invalid": QT_TRANSLATE_NOOP("qc", "Invalid pixel description"),
    "image_pixel_missing": QT_TRANSLATE_NOOP("qc", "Pixel description missing"),
    "image_plane_missing": QT_TRANSLATE_NOOP("qc", "Image position or orientation missing"),
    "instance_number_gaps": QT_TRANSLATE_NOOP("qc", "Instance numbers skip values"),
    "invalid_orientation": QT_TRANSLATE_NOOP("qc", "Invalid image orientation"),
    "invalid_pixel_spacing": QT_TRANSLATE_NOOP("qc", "Invalid pixel spacing"),
    "invalid_position": QT_TRANSLATE_NOOP("qc", "Invalid image position"),
    "lossy_compression": QT_TRANSLATE_NOOP("qc", "Lossy compression"),
    "lossy_mammography": QT_TRANSLATE_NOOP("qc", "Lossy compressed mammogram"),
    "missing_ct_dose": QT_TRANSLATE_NOOP("qc", "CT dose information missing"),
    "missing_instance_number": QT_TRANSLATE_NOOP("qc", "Instance number missing"),
    "mixed_orientation": QT_TRANSLATE_NOOP("qc", "Several orientations in one series"),
    "mixed_size": QT_TRANSLATE_NOOP("qc", "Several image sizes in one series"),
    "no_pixel_spacing": QT_TRANSLATE_NOOP("qc", "Pixel spacing missing: no measurement in mm"),
    "overlapping_slices": QT_TRANSLATE_NOOP("qc", "Overlapping slices"),
    "patient_birth_date_mismatch": QT_TRANSLATE_NOOP("qc", "Birth date differs between images"),
    "patient_id_mismatch": QT_TRANSLATE_NOOP("qc", "Patient ID differs between images"),
    "patient_name_mismatch": QT_TRANSLATE_NOOP("qc", "Patient name differs between images"),
    "patient_sex_mismatch": QT_TRANSLATE_NOOP("qc", "Patient sex differs between images"),
    "photometric_invalid": QT_TRANSLATE_NOOP("qc", "Invalid photometric interpretation"),
    "photometric_samples_mismatch": QT_TRANSLATE_NOOP("qc", "Photometric interpretation and samples disagree"),
    "several_studies": QT_TRANSLATE_NOOP("qc", "Images of several studies"),
    "study_date_mismatch": QT_TRANSLATE_NOOP("qc", "Study date differs between images"),
    "undecodable_pixels": QT_TRANSLATE_NOOP("qc", "Pixel data cannot be decoded"),
    "check_not_run": QT_TRANSLATE_NOOP("qc", "Check not run"),
    "pixels_not_checked": QT_TRANSLATE_NOOP("qc", "Pixel data not checked"),
}


def qc_finding_text(code: str, sentence: str) -> tuple[str, str]:
    """(what the findings table shows, its tool tip) for a QC finding: in English the core's
    sentence; in another language the finding's title translated, then the core's sentence with
    its numbers (still English: flagged by the tool tip that carries it whole)."""
    title = QC_TITLES.get(code)
    translated = QCoreApplication.translate("qc", title) if title else ""
    if not title or translated == title:
        return sentence, ""
    return f"{translated} — {sentence}", sentence

#: Kinds of series as the series list names them (workstation.ui.series_browser.KIND_LABELS).
SERIES_KINDS = (
    QT_TRANSLATE_NOOP("series_browser", "volume"), QT_TRANSLATE_NOOP("series_browser", "images"),
    QT_TRANSLATE_NOOP("series_browser", "cine"), QT_TRANSLATE_NOOP("series_browser", "report"),
    QT_TRANSLATE_NOOP("series_browser", "PDF document"), QT_TRANSLATE_NOOP("series_browser", "key images"),
    QT_TRANSLATE_NOOP("series_browser", "presentation state"),
    QT_TRANSLATE_NOOP("series_browser", "segmentation"), QT_TRANSLATE_NOOP("series_browser", "RT structures"),
    QT_TRANSLATE_NOOP("series_browser", "not shown"),
)
