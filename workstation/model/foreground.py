"""The reader comes first: background loading steps aside for a moment while the reader scrolls.

On a machine with few cores, the threads that fetch, parse, decode and store images compete with
the user interface for the processor (and for Python's interpreter lock), and every image they
ask the archive for makes a local archive work too. While the reader is scrolling, each background
worker waits a little before its next image (at most :data:`STEP_ASIDE_MAX_S`, so loading always
goes on, nearest-first as before), which keeps the frames of the scroll short.
"""

from __future__ import annotations

import time

#: How long after the last scroll step the reader counts as interacting (seconds).
INTERACTION_S = 0.12
#: The longest a background worker waits before its next image while the reader interacts.
STEP_ASIDE_MAX_S = 0.03


class Foreground:
    """Tells background workers whether the reader is interacting right now."""

    def __init__(self) -> None:
        self._until = 0.0

    def interacting(self, seconds: float = INTERACTION_S) -> None:
        """The reader just scrolled (or otherwise moved the image): called on the UI thread."""
        self._until = max(self._until, time.monotonic() + seconds)

    @property
    def busy(self) -> bool:
        return time.monotonic() < self._until

    def step_aside(self, longest: float = STEP_ASIDE_MAX_S) -> float:
        """Called by a background worker before its next image: wait while the reader
        interacts, at most ``longest`` seconds; returns the seconds waited."""
        remaining = self._until - time.monotonic()
        if remaining <= 0:
            return 0.0
        wait = min(remaining, longest)
        time.sleep(wait)
        return wait


#: The one the viewports tell and the loaders ask.
FOREGROUND = Foreground()

__all__ = ["FOREGROUND", "INTERACTION_S", "STEP_ASIDE_MAX_S", "Foreground"]
