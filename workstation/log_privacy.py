"""Keep patient data out of standard error: library warnings go to the log, without values.

pydicom warns through Python's ``warnings`` module (and its own ``pydicom`` logger) with the
offending attribute value quoted: ``Invalid value for VR UI: '3gb_native'``. The same warning on
a Person Name (PN) or Long String (LO) value prints a patient's name or ID on the terminal, and
from there into scripts' logs. :func:`route_warnings_to_log` sends every warning to the
``workstation.warnings`` logger instead: at DEBUG with quoted values replaced by ``<value>``,
or, with ``verbose`` (``workstation -v``, the user asked to see details), at INFO as written.
"""

from __future__ import annotations

import logging
import re
import warnings
from typing import TextIO

log = logging.getLogger("workstation.warnings")

#: A quoted value in a warning ('...' or "...", also the quotes of a bytes repr b'...').
_QUOTED = re.compile(r"'[^'\n]*'|\"[^\"\n]*\"")


def redact(message: str) -> str:
    """``message`` with every quoted value replaced by ``'<value>'``."""
    return _QUOTED.sub("'<value>'", message)


def route_warnings_to_log(verbose: bool = False) -> None:
    """Show no warning on standard error; log it (see the module docstring)."""
    # pydicom also logs each warning on its own logger, with the value: only errors pass.
    logging.getLogger("pydicom").setLevel(logging.ERROR)

    def show(
        message: Warning | str,
        category: type[Warning],
        filename: str,
        lineno: int,
        file: TextIO | None = None,
        line: str | None = None,
    ) -> None:
        text = " ".join(str(message).split())
        if verbose:
            log.info("%s: %s", category.__name__, text)
        else:
            log.debug("%s: %s", category.__name__, redact(text))

    warnings.showwarning = show
