"""Reporting: report model, templates, drafts, PDF, signing (PAdES) and DICOM SR / Encapsulated PDF.

No Qt and no VTK here: the editor in ``workstation.ui`` drives these objects.
"""
