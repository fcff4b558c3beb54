"""The files the workstation ships with; installed as the package ``workstation.resources``.

Read them through :mod:`workstation.resource_files`, never by a path relative to the source tree.
"""
