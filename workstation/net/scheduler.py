"""Nearest-first ordering of the instances a viewport still needs.

A viewport shows one position of a display set (its *focus*: the slice, or the frame of a
multi-frame instance, PS3.3 C.7.6.6 Multi-frame Module); the instances holding the positions
nearest to it are wanted first. :class:`NearestFirstQueue` keeps the instances not yet started,
ordered by the distance from the focus to the nearest display position each one holds, and
reorders at once when the focus moves. It has no threads and no I/O; the series loader locks
around it.
"""

from __future__ import annotations

import heapq
from bisect import bisect_left
from collections.abc import Iterable, Mapping, Sequence


def distance_to(positions: Sequence[int], focus: int) -> int:
    """Distance from ``focus`` to the nearest of the sorted display ``positions``."""
    at = bisect_left(positions, focus)
    best = -1
    if at < len(positions):
        best = positions[at] - focus
    if at > 0:
        before = focus - positions[at - 1]
        best = before if best < 0 else min(best, before)
    return best if best >= 0 else 0


class NearestFirstQueue:
    """Instances (by SOP Instance UID) waiting to be read or fetched, nearest to the focus first.

    ``positions`` maps each instance to the display positions it holds (one for a single-frame
    image, every frame for a multi-frame one). Ties go to the lower position, so that a scroll
    from the top of a stack fills downwards evenly.
    """

    def __init__(self, positions: Mapping[str, Sequence[int]], focus: int = 0) -> None:
        self._positions = {uid: sorted(p) for uid, p in positions.items()}
        self._waiting: set[str] = set()
        self._heap: list[tuple[int, int, str]] = []
        self._focus = focus

    @property
    def focus(self) -> int:
        return self._focus

    def distance(self, uid: str) -> int:
        """Distance from the current focus to the nearest display position of ``uid``."""
        return distance_to(self._positions[uid], self._focus)

    def _entry(self, uid: str) -> tuple[int, int, str]:
        positions = self._positions[uid]
        return (distance_to(positions, self._focus), positions[0] if positions else 0, uid)

    def extend(self, uids: Iterable[str]) -> None:
        """Add instances to wait (ones already waiting are not added twice)."""
        for uid in uids:
            if uid in self._waiting:
                continue
            if uid not in self._positions:
                raise KeyError(uid)
            self._waiting.add(uid)
            heapq.heappush(self._heap, self._entry(uid))

    def set_focus(self, focus: int) -> None:
        """Move the focus and reorder everything waiting (O(n))."""
        if focus == self._focus:
            return
        self._focus = focus
        self._heap = [self._entry(uid) for uid in self._waiting]
        heapq.heapify(self._heap)

    def peek(self) -> str | None:
        """The nearest waiting instance without taking it."""
        while self._heap and self._heap[0][2] not in self._waiting:
            heapq.heappop(self._heap)
        return self._heap[0][2] if self._heap else None

    def pop(self) -> str | None:
        """Take the nearest waiting instance, or ``None`` when nothing waits."""
        uid = self.peek()
        if uid is not None:
            heapq.heappop(self._heap)
            self._waiting.discard(uid)
        return uid

    def discard(self, uid: str) -> None:
        self._waiting.discard(uid)

    def clear(self) -> None:
        self._waiting.clear()
        self._heap.clear()

    def __len__(self) -> int:
        return len(self._waiting)

    def __contains__(self, uid: object) -> bool:
        return uid in self._waiting
