"""The bundled app's entry point: the same as the ``workstation`` command and ``python -m workstation``."""

import multiprocessing
import sys

from workstation.cli import main

if __name__ == "__main__":
    multiprocessing.freeze_support()  # the decoder pool's spawned worker processes run this file too
    sys.exit(main())
