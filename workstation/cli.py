"""The ``workstation`` command: no verb opens the app; verbs script the core."""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    from workstation import __version__

    args = sys.argv[1:] if argv is None else argv
    if args == ["--version"]:
        print(f"workstation {__version__}")
        return 0
    return 0
