"""The failover's health check: back-off between probes, and what counts as "not answering"."""

from __future__ import annotations

from workstation.errors import ArchiveError, AuthError, NotFoundError, TransferInterrupted
from workstation.net.dicomweb import StoreRejected, StoreResult
from workstation.net.failover import Health, archive_unavailable


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_probes_back_off_exponentially_and_reset_when_it_answers() -> None:
    clock = Clock()
    answers = [False, False, False, False, True]
    health = Health(lambda: answers.pop(0), first_probe_s=2.0, max_probe_s=10.0, clock=clock)
    assert health.usable() == (True, False)
    assert health.mark_down() is True and health.mark_down() is False  # said once
    waits = []
    while answers:
        before = health.probes
        assert health.usable() == (False, False)  # not due: no probe sent
        assert health.probes == before
        waits.append(health.next_probe - clock.now)
        clock.now = health.next_probe
        usable, came_back = health.usable()
        if usable:
            assert came_back
            break
    assert waits == [2.0, 4.0, 8.0, 10.0, 10.0]  # doubled, capped at max_probe_s
    assert health.down is False and health.delay_s == 2.0
    assert health.usable() == (True, False)


def test_only_a_silent_archive_fails_over() -> None:
    assert archive_unavailable(ArchiveError("refused", retryable=True))
    assert archive_unavailable(ArchiveError("HTTP 503", status=503))
    assert archive_unavailable(TransferInterrupted("cut"))
    assert not archive_unavailable(NotFoundError("no such study", status=404))
    assert not archive_unavailable(AuthError("HTTP 401", status=401))
    assert not archive_unavailable(StoreRejected("refused", StoreResult(stored=()), status=409))
    assert not archive_unavailable(ValueError("a defect"))
