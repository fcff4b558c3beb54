"""Where the files the workstation ships with are: hanging protocols, report templates, translations.

They live in the repository's top-level ``resources/`` folder. Installed (a wheel, ``pip install .``)
or bundled (the PyInstaller app of ``installers/``), the same folder is the package
``workstation.resources`` (``pyproject.toml`` maps ``resources`` to it) and is found with
:func:`importlib.resources.files` (PEP 302 resource readers), never by a path relative to the
source tree. In order:

1. ``WORKSTATION_RESOURCES``: an environment variable naming a ``resources`` folder (testing a
   change to the shipped files without reinstalling);
2. the ``resources`` folder of the source checkout this package was imported from (a clone, or an
   editable install, whose ``workstation`` package sits beside ``pyproject.toml``);
3. the installed package ``workstation.resources``.

The functions return real folders (:class:`pathlib.Path`): the workstation is installed as files,
never run from a zip archive.
"""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path

import workstation

ENV_OVERRIDE = "WORKSTATION_RESOURCES"
PACKAGE = "workstation.resources"


def checkout_root() -> Path | None:
    """The ``resources`` folder of the source checkout the package was imported from, if any."""
    repository = Path(workstation.__file__).resolve().parent.parent
    folder = repository / "resources"
    if (repository / "pyproject.toml").is_file() and folder.is_dir():
        return folder
    return None


def installed_root() -> Path | None:
    """The folder of the installed package ``workstation.resources``, if it is installed as files."""
    try:
        root = resources.files(PACKAGE)
    except ModuleNotFoundError:
        return None
    return root if isinstance(root, Path) and root.is_dir() else None


def resources_root() -> Path:
    """The shipped resources folder (see the module's docstring for the order).

    When none is found this is still a path (the checkout's, which does not exist): whoever reads a
    file from it reports the missing file in one sentence.
    """
    override = os.environ.get(ENV_OVERRIDE)
    if override and Path(override).expanduser().is_dir():
        return Path(override).expanduser()
    for found in (checkout_root(), installed_root()):
        if found is not None:
            return found
    return Path(workstation.__file__).resolve().parent.parent / "resources"


def resource_folder(name: str) -> Path:
    """One folder of the shipped resources, e.g. ``resource_folder("hanging")``."""
    return resources_root() / name
