"""The application layer: the workstation's workflows, without Qt or VTK (issue 14).

Each module holds one workflow that the interface (``workstation.ui``) and the command lines
both run: :mod:`~workstation.app.open_study` reads a study's headers,
:mod:`~workstation.app.finalize_report` signs and sends a report,
:mod:`~workstation.app.priors` finds and ranks priors in every archive, and
:mod:`~workstation.app.context` is what the interface hands to them instead of the main window.
The interface keeps widgets and signals; these modules take plain callbacks for progress.
"""
