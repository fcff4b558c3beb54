"""Help > About: the workstation's version (``workstation.__version__``, the one written into every
DICOM object's Software Versions (0018,1020), PS3.3 C.7.5.1) and the versions of the parts it
runs on, so a support call can name them."""

from __future__ import annotations

import platform

import pydicom
import PySide6
from PySide6.QtCore import qVersion
from PySide6.QtWidgets import QMessageBox, QWidget

from workstation import __version__


def component_versions() -> list[tuple[str, str]]:
    """(component, version) of the workstation and what it runs on."""
    from vtkmodules.vtkCommonCore import vtkVersion

    return [
        ("Workstation", __version__),
        ("Python", platform.python_version()),
        ("Qt", qVersion()),
        ("PySide6", PySide6.__version__),
        ("VTK", vtkVersion.GetVTKVersion()),
        ("pydicom", pydicom.__version__),
    ]


def about_text() -> str:
    """The About box's text (plain, one component a line)."""
    name, version = component_versions()[0]
    rest = "\n".join(f"{c} {v}" for c, v in component_versions()[1:])
    return f"{name} {version}\n\nA diagnostic viewer and reporting workstation for radiology.\n\n{rest}"


def show_about(parent: QWidget | None) -> QMessageBox:
    """Show the About box (not modal) and return it."""
    box = QMessageBox(QMessageBox.Icon.Information, "About the workstation", about_text(),
                      QMessageBox.StandardButton.Close, parent)
    box.setModal(False)
    box.show()
    return box
