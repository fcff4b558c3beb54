"""Heavy libraries imported on first use, not when the app starts.

highdicom takes a few hundred milliseconds to import; the reading room needs it only to write
DICOM objects (measurement reports, key images, presentation states), so the modules that write
them bind ``hd`` to :func:`lazy_module` at run time (and to the real module for type checking).
"""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import Any


class _LazyModule:
    """Stands for a module; imports it at the first attribute read."""

    def __init__(self, name: str) -> None:
        self._name = name
        self._module: ModuleType | None = None

    def __getattr__(self, attribute: str) -> Any:
        if self._module is None:
            self._module = importlib.import_module(self._name)
        return getattr(self._module, attribute)


def lazy_module(name: str) -> Any:
    """A stand-in for module ``name`` that imports it when first used."""
    return _LazyModule(name)
