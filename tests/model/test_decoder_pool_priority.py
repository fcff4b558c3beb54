"""Loading runs below the UI's priority: decoder threads and loader threads are niced (Linux,
per thread), the calling (UI) thread is not."""

from __future__ import annotations

import os
import sys
import threading

import pytest

from workstation.model.decoder_pool import BACKGROUND_NICENESS, DecoderPool, lower_thread_priority

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="per-thread niceness is Linux's")


def _nice(tid: int) -> int:
    return os.getpriority(os.PRIO_PROCESS, tid)


def test_only_the_calling_thread_is_lowered() -> None:
    main = _nice(threading.get_native_id())
    seen: list[int] = []

    def work() -> None:
        lower_thread_priority()
        seen.append(_nice(threading.get_native_id()))

    thread = threading.Thread(target=work)
    thread.start()
    thread.join()
    assert seen == [max(main, BACKGROUND_NICENESS)]
    assert _nice(threading.get_native_id()) == main  # the UI thread keeps its priority


def test_decoder_threads_run_niced() -> None:
    main = _nice(threading.get_native_id())
    with DecoderPool(threads=1, processes=0) as pool:
        future = pool._threads.submit(lambda: _nice(threading.get_native_id()))
        assert future.result(timeout=10) == max(main, BACKGROUND_NICENESS)
    assert _nice(threading.get_native_id()) == main
