"""Prior prefetch takes a bounded share of the link while the current study loads.

The token bucket is timed with the real clock; then a prior and the current study are pulled at
the same time from a real Orthanc (DICOMweb, streamed WADO-RS): the bytes the prior received
while the current study was loading are counted by the sink itself (not by the throttle) and
must stay under share x time + burst + one instance; the current study's pull must not be
slowed beyond a generous margin against the same pull alone, measured in the same run.
"""

from __future__ import annotations

import threading
import time
from io import BytesIO
from pathlib import Path

import pydicom
import pytest

from tests import orthanc as orthanc_mod
from workstation import demo
from workstation.errors import Cancelled
from workstation.hanging.prefetch import PrefetchItem, PrefetchPlan, prefetch_priors
from workstation.model.source import CancelToken
from workstation.net.auth import store_secret
from workstation.net.dicomweb import DicomWebClient
from workstation.net.throttle import BackgroundThrottle, TokenBucket
from workstation.net.transfer import pull_study
from workstation.settings import ArchiveProfile
from workstation.store.library import Library

SLICE = (24, 512, 512)  # 24 uncompressed 512 x 512 CT slices: about 12.6 MB a study


def test_token_bucket_holds_its_rate_in_real_time() -> None:
    bucket = TokenBucket(2_000_000, burst=100_000)
    started = time.monotonic()
    for _ in range(10):
        bucket.consume(100_000)  # 1 MB in all
    elapsed = time.monotonic() - started
    assert elapsed >= (1_000_000 - 100_000) / 2_000_000 * 0.95  # 0.45 s at least
    assert elapsed < 2.0
    assert bucket.bytes_taken == 1_000_000


def test_paused_bucket_waits_until_released_and_can_be_cancelled() -> None:
    bucket = TokenBucket(0, burst=1000)
    done: list[float] = []
    started = time.monotonic()
    worker = threading.Thread(target=lambda: (bucket.consume(5000), done.append(time.monotonic() - started)))
    worker.start()
    time.sleep(0.3)
    assert not done  # paused: nothing passes
    bucket.set_rate(None)
    worker.join(2)
    assert done and 0.3 <= done[0] < 1.5
    cancel = CancelToken()
    paused = TokenBucket(0, burst=1000)
    threading.Timer(0.2, cancel.cancel).start()
    with pytest.raises(Cancelled):
        paused.consume(5000, cancel)


class _Recording:
    """A real library that also notes when each instance arrived and how big it was."""

    def __init__(self, library: Library) -> None:
        self.library = library
        self.arrivals: list[tuple[float, int]] = []
        self._lock = threading.Lock()

    def add_bytes(self, data: bytes) -> object:
        with self._lock:
            self.arrivals.append((time.monotonic(), len(data)))
        return self.library.add_bytes(data)

    def bytes_before(self, moment: float) -> int:
        return sum(n for t, n in self.arrivals if t <= moment)

    def __getattr__(self, name: str) -> object:
        return getattr(self.library, name)


def _study(orthanc: orthanc_mod.OrthancServer) -> tuple[str, int, int]:
    """Upload a phantom CT study; (study UID, total bytes, largest instance)."""
    study_uid = pydicom.uid.generate_uid()
    sizes = []
    for data in demo.phantom_series(shape=SLICE, spacing=(2.0, 0.5, 0.5), study_uid=study_uid):
        ds = pydicom.dcmread(BytesIO(data), stop_before_pixels=True)
        assert ds.StudyInstanceUID == study_uid
        orthanc.upload(data)
        sizes.append(len(data))
    return study_uid, sum(sizes), max(sizes)


@pytest.mark.archive
def test_throttled_prior_keeps_its_share_and_the_current_study_comes_first(
        orthanc: orthanc_mod.OrthancServer, tmp_path: Path) -> None:
    current_uid, current_bytes, _ = _study(orthanc)
    prior_uid, prior_bytes, largest = _study(orthanc)
    profile = ArchiveProfile(name="throttle", url=orthanc.dicomweb_url, username=orthanc.user)
    store_secret(profile, orthanc.password)
    share_rate = 1_500_000.0  # bytes per second for the prior while the current study loads
    burst = 256 * 1024
    with DicomWebClient(profile, retries=1, backoff_s=0.01) as archive:
        # The current study alone: the baseline, measured in this run.
        with Library(tmp_path / "alone") as alone:
            started = time.monotonic()
            assert pull_study(archive, alone, current_uid).complete
            baseline = time.monotonic() - started

        # The same pull with the prior prefetching beside it through the throttle.
        throttle = BackgroundThrottle(busy_rate=share_rate, idle_rate=None, burst=burst, busy=True)
        plan = PrefetchPlan((PrefetchItem(1, prior_uid, (), "rank 1"),), bandwidth_share=0.25)
        with Library(tmp_path / "prior") as prior_lib, Library(tmp_path / "current") as current_lib:
            prior_sink = _Recording(prior_lib)
            reports: list[object] = []
            prior_started = time.monotonic()
            worker = threading.Thread(target=lambda: reports.extend(
                prefetch_priors(plan, archive, prior_sink, throttle=throttle)))  # type: ignore[arg-type]
            worker.start()
            time.sleep(0.2)  # the prior is streaming before the current study starts
            started = time.monotonic()
            current = pull_study(archive, current_lib, current_uid)
            with_prior = time.monotonic() - started
            # The reading room keeps the prior held while the current study's images decode and
            # show; hold it 1.5 s in all so the measured rate spans more than a burst.
            time.sleep(max(0.0, started + 1.5 - time.monotonic()))
            released = time.monotonic()
            throttle.set_busy(False)  # the current study has arrived: the prior may use the link
            worker.join(60)
            finished = time.monotonic()

    assert current.complete and current.bytes_received == current_bytes
    busy_window = released - prior_started
    during = prior_sink.bytes_before(released)
    allowed = share_rate * busy_window + burst + largest
    print(f"current alone {baseline:.2f} s, with the throttled prior {with_prior:.2f} s; prior during the "
          f"current load {during / 1e6:.2f} MB in {busy_window:.2f} s "
          f"({during / busy_window / 1e6:.2f} MB/s, share {share_rate / 1e6:.2f} MB/s), rest in {finished - released:.2f} s")
    assert during <= allowed * 1.05
    assert during < prior_bytes  # the prior did not finish while the current study loaded
    assert with_prior <= 2.0 * baseline + 1.0  # generous: a shared 2-core machine
    report, = reports
    assert report.complete and sum(n for _t, n in prior_sink.arrivals) == prior_bytes  # type: ignore[attr-defined]
    # Once released the prior ran unthrottled: its remaining bytes came faster than the share.
    remaining = prior_bytes - during
    assert remaining / max(finished - released, 1e-3) > share_rate


@pytest.mark.archive
def test_paused_prior_waits_for_the_current_study(orthanc: orthanc_mod.OrthancServer, tmp_path: Path) -> None:
    prior_uid, prior_bytes, largest = _study(orthanc)
    profile = ArchiveProfile(name="throttle", url=orthanc.dicomweb_url, username=orthanc.user)
    store_secret(profile, orthanc.password)
    throttle = BackgroundThrottle(busy_rate=0, idle_rate=None, burst=64 * 1024, busy=True)
    plan = PrefetchPlan((PrefetchItem(1, prior_uid, (), "rank 1"),))
    with DicomWebClient(profile, retries=1, backoff_s=0.01) as archive, Library(tmp_path / "prior") as lib:
        sink = _Recording(lib)
        reports: list[object] = []
        worker = threading.Thread(target=lambda: reports.extend(prefetch_priors(plan, archive, sink, throttle=throttle)))  # type: ignore[arg-type]
        worker.start()
        time.sleep(1.0)  # the current study "loading"
        held = sum(n for _t, n in sink.arrivals)
        throttle.set_busy(False)
        worker.join(60)
    assert held == 0 and largest > 0  # paused: not even the first stream was opened
    assert reports and reports[0].complete  # type: ignore[attr-defined]
    assert sum(n for _t, n in sink.arrivals) == prior_bytes


def test_paused_bucket_holds_the_next_request_until_released() -> None:
    """wait_for_budget (called before a prior's series stream opens) blocks while paused and
    returns once the current study has arrived."""
    throttle = BackgroundThrottle(busy_rate=0, idle_rate=None, busy=True)
    opened: list[float] = []
    worker = threading.Thread(target=lambda: (throttle.wait_for_budget(), opened.append(time.monotonic())))
    worker.start()
    time.sleep(0.3)
    assert not opened  # still paused: the request is not opened
    released = time.monotonic()
    throttle.set_busy(False)
    worker.join(5)
    assert opened and opened[0] >= released
