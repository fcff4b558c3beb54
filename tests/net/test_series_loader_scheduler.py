"""The nearest-first queue on its own: distances, ties, re-focusing, multi-frame positions."""

from __future__ import annotations

import random

import pytest

from workstation.net.scheduler import NearestFirstQueue, distance_to


def brute_distance(positions: list[int], focus: int) -> int:
    return min(abs(p - focus) for p in positions)


def test_distance_matches_brute_force() -> None:
    rng = random.Random(7)
    for _ in range(500):
        positions = sorted(rng.sample(range(200), rng.randint(1, 12)))
        focus = rng.randint(-10, 210)
        assert distance_to(positions, focus) == brute_distance(positions, focus)


def test_pop_order_is_by_distance_then_lower_index() -> None:
    q = NearestFirstQueue({f"u{i}": [i] for i in range(9)}, focus=4)
    q.extend(f"u{i}" for i in range(9))
    order = [q.pop() for _ in range(9)]
    assert order == ["u4", "u3", "u5", "u2", "u6", "u1", "u7", "u0", "u8"]
    assert q.pop() is None and len(q) == 0


def test_set_focus_reorders_what_waits() -> None:
    q = NearestFirstQueue({f"u{i}": [i] for i in range(20)}, focus=0)
    q.extend(f"u{i}" for i in range(20))
    assert [q.pop() for _ in range(3)] == ["u0", "u1", "u2"]
    q.set_focus(19)
    assert [q.pop() for _ in range(3)] == ["u19", "u18", "u17"]
    q.set_focus(10)
    assert [q.pop() for _ in range(3)] == ["u10", "u9", "u11"]
    assert len(q) == 11


def test_multiframe_instance_ranks_by_its_nearest_frame() -> None:
    positions = {"cine": list(range(10, 20)), "a": [0], "b": [25]}
    q = NearestFirstQueue(positions, focus=22)
    q.extend(positions)
    assert q.distance("cine") == 3 and q.distance("b") == 3 and q.distance("a") == 22
    assert [q.pop(), q.pop(), q.pop()] == ["cine", "b", "a"]


def test_discard_clear_and_unknown() -> None:
    q = NearestFirstQueue({"a": [0], "b": [1]}, focus=0)
    q.extend(["a", "b", "a"])
    assert len(q) == 2 and "a" in q
    q.discard("a")
    assert q.pop() == "b" and q.pop() is None
    q.extend(["a"])
    q.clear()
    assert q.pop() is None
    with pytest.raises(KeyError):
        q.extend(["nope"])


def test_random_focus_changes_match_a_sorted_reference() -> None:
    rng = random.Random(3)
    n = 300
    q = NearestFirstQueue({str(i): [i] for i in range(n)}, focus=0)
    q.extend(str(i) for i in range(n))
    waiting = set(range(n))
    focus = 0
    while waiting:
        if rng.random() < 0.1:
            focus = rng.randrange(n)
            q.set_focus(focus)
        expected = min(waiting, key=lambda i: (abs(i - focus), i))
        assert q.pop() == str(expected)
        waiting.discard(expected)
