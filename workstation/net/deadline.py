"""A deadline per HTTP response that scales with its size: a floor on throughput.

Per-read timeouts (``read_timeout_s``) catch an archive that stops answering, but not one that
drips a byte every few seconds: each read succeeds and the transfer never ends. A
:class:`Deadline` allows a response ``grace_s`` seconds plus the time the bytes received so far
take at ``floor`` bytes per second, so a healthy transfer of any size is never cut (it earns
time as it goes) while one that falls under the floor ends after at most
``grace_s + size / floor`` seconds, the size being bounded by the response caps
(``max_json_mb``, ``max_instance_mb``).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field


@dataclass
class Deadline:
    """The time one response may take: ``grace_s`` + bytes received / ``floor_bytes_per_s``."""

    grace_s: float
    floor_bytes_per_s: float
    what: str = "response"  # what was asked for, for the sentence ("study search")
    started: float = field(default_factory=time.monotonic)
    received: int = 0

    def elapsed(self) -> float:
        """Seconds since the request was sent."""
        return time.monotonic() - self.started

    def allowed_s(self) -> float:
        """Seconds the response may take so far, given what it has sent."""
        if self.floor_bytes_per_s <= 0:
            return float("inf")
        return self.grace_s + self.received / self.floor_bytes_per_s

    def add(self, n_bytes: int) -> None:
        """Count ``n_bytes`` more received."""
        self.received += n_bytes

    def passed(self) -> bool:
        """Whether the response is now slower than the floor allows."""
        return self.elapsed() > self.allowed_s()
