"""Background loading steps aside while the reader scrolls, for a bounded time."""

from __future__ import annotations

import time

from workstation.model.foreground import Foreground


def test_workers_wait_only_while_the_reader_interacts_and_never_long() -> None:
    gate = Foreground()
    assert not gate.busy and gate.step_aside() == 0.0  # nobody scrolling: no wait at all
    gate.interacting(0.2)
    assert gate.busy
    start = time.monotonic()
    waited = gate.step_aside(longest=0.03)
    elapsed = time.monotonic() - start
    assert 0.02 <= waited <= 0.03 and elapsed >= waited * 0.9  # bounded: loading always goes on
    time.sleep(0.25)
    assert not gate.busy and gate.step_aside() == 0.0  # the scroll stopped: full speed again


def test_a_scroll_step_never_shortens_the_interaction() -> None:
    gate = Foreground()
    gate.interacting(0.5)
    gate.interacting(0.01)
    time.sleep(0.05)
    assert gate.busy
