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
    """``text`` in the interface's language when the catalogue holds it, else unchanged."""
    return QCoreApplication.translate(CONTEXT, text) if text else text


def preset_label(preset: Any) -> str:
    """A window preset as a menu shows it: 'Poumon (F 1500 / N -600)' in French."""
    return QCoreApplication.translate(CONTEXT, "{0} (W {1:g} / L {2:g})").format(
        core_text(preset.name), preset.width, preset.center)


#: The template of :func:`preset_label`, marked for lupdate.
_PRESET_LABEL = QT_TRANSLATE_NOOP("core", "{0} (W {1:g} / L {2:g})")
