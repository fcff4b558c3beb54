"""``python -m workstation`` is the same as the ``workstation`` command."""

import multiprocessing

from workstation.cli import main

if __name__ == "__main__":
    multiprocessing.freeze_support()  # the decoder pool's worker processes in a frozen app
    raise SystemExit(main())
