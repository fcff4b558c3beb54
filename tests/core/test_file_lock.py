"""workstation.file_lock: the one lock between processes of the pending queue (waits) and the
report outbox (gives up at once); they had a copy each, the queue's without a Windows lock."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from workstation.annotate.pending import PendingQueue
from workstation.file_lock import exclusive_lock

HOLD = """
import sys, time
from pathlib import Path
from workstation.file_lock import exclusive_lock
with exclusive_lock(Path(sys.argv[1])) as held:
    print("held" if held else "not held", flush=True)
    time.sleep(float(sys.argv[2]))
"""


def _holder(path: Path, seconds: float) -> subprocess.Popen[str]:
    process = subprocess.Popen([sys.executable, "-c", HOLD, str(path), str(seconds)], stdout=subprocess.PIPE,
                               text=True, cwd=Path(__file__).resolve().parents[2])
    assert process.stdout is not None and process.stdout.readline().strip() == "held"
    return process


def test_another_process_holding_the_lock(tmp_path: Path) -> None:
    lock = tmp_path / ".deliver.lock"
    holder = _holder(lock, 1.0)
    try:
        with exclusive_lock(lock, wait=False) as held:
            assert held is False  # the outbox's way: say so at once
        started = time.monotonic()
        with exclusive_lock(lock) as held:  # the queue's way: wait for the other process
            waited = time.monotonic() - started
            assert held is True
        assert 0.5 < waited < 10, waited  # granted once the holder let go (it held it 1 s)
    finally:
        holder.wait(timeout=10)
    with exclusive_lock(lock, wait=False) as held:
        assert held is True


def test_a_dead_holder_leaves_no_lock(tmp_path: Path) -> None:
    lock = tmp_path / ".send.lock"
    holder = _holder(lock, 60.0)
    holder.kill()
    holder.wait(timeout=10)
    with exclusive_lock(lock, wait=False) as held:
        assert held is True


def test_the_pending_queue_waits_for_another_sender(tmp_path: Path) -> None:
    """PendingQueue.send takes the lock on .send.lock: a command line sending the same folder
    is waited for, never raced."""
    queue = PendingQueue(tmp_path / "pending")
    (tmp_path / "pending").mkdir()

    class Nothing:
        def store_instances(self, instances: object, study_uid: str | None = None) -> object:
            return None

    holder = _holder(tmp_path / "pending" / ".send.lock", 1.0)
    try:
        started = time.monotonic()
        result = queue.send(Nothing())
        assert time.monotonic() - started > 0.5  # it waited for the other sender (1 s)
        assert result.sent == () and result.pending == ()
    finally:
        holder.wait(timeout=10)
