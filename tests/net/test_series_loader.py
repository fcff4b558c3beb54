"""Progressive series loading against a real Orthanc: the focus first, then nearest-first;
re-prioritising on a jump; keeping everything in the library; cancel, resume, a failed instance,
an archive that goes away. Pixels are checked against the phantom computed with numpy."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path

import numpy as np
import pydicom
import pytest
from pydicom.dataset import Dataset
from pydicom.uid import generate_uid

from tests import orthanc as orthanc_mod
from tests.net.conftest import renamed, sample, to_bytes
from tests.net.faulty_proxy import Behaviour, FaultyProxy
from workstation.demo import phantom_series, phantom_volume
from workstation.model.decoder_pool import DecoderPool
from workstation.net.dicomweb import DicomWebClient
from workstation.net.series_loader import SeriesLoader
from workstation.store.library import Library

pytestmark = pytest.mark.archive

MakeClient = Callable[..., DicomWebClient]
SHAPE = (40, 128, 128)
SPACING = (2.0, 1.0, 1.0)


@dataclass
class Phantom:
    study_uid: str
    series_uid: str
    sops: list[str]  # display order: most inferior slice first
    files: dict[str, bytes]
    stored: np.ndarray  # expected stored values, computed independently of the DICOM files


@dataclass
class Recorder:
    """Collects the loader's callbacks (called from its worker threads)."""

    images: dict[int, np.ndarray] = field(default_factory=dict)
    headers: dict[int, Dataset] = field(default_factory=dict)
    order: list[int] = field(default_factory=list)
    errors: list[tuple[int | None, str]] = field(default_factory=list)
    done_calls: int = 0
    done: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def on_image(self, index: int, pixels: np.ndarray, header: Dataset) -> None:
        with self.lock:
            assert index not in self.images, f"image {index} delivered twice"
            self.images[index] = pixels
            self.headers[index] = header
            self.order.append(index)

    def on_error(self, index: int | None, sentence: str) -> None:
        with self.lock:
            self.errors.append((index, sentence))

    def on_done(self) -> None:
        with self.lock:
            self.done_calls += 1
        self.done.set()

    def callbacks(self) -> dict[str, object]:
        return {"on_image": self.on_image, "on_error": self.on_error, "on_done": self.on_done}

    def wait_for(self, count: int, timeout: float = 20.0) -> None:
        deadline = time.monotonic() + timeout
        while len(self.order) < count:
            assert time.monotonic() < deadline, f"only {len(self.order)} images arrived"
            time.sleep(0.005)


def make_phantom(shape: tuple[int, int, int] = SHAPE) -> Phantom:
    files = list(phantom_series(shape=shape, spacing=SPACING))
    headers = [pydicom.dcmread(BytesIO(f), stop_before_pixels=True) for f in files]
    volume, _ = phantom_volume(shape, SPACING)
    stored = (volume.astype(np.int32) + 1024).astype(np.uint16)  # intercept -1024 (PS3.3 C.11.1)
    sops = [str(h.SOPInstanceUID) for h in headers]
    return Phantom(str(headers[0].StudyInstanceUID), str(headers[0].SeriesInstanceUID), sops,
                   dict(zip(sops, files, strict=True)), stored)


def upload(server: orthanc_mod.OrthancServer, phantom: Phantom) -> None:
    for sop in phantom.sops:
        server.upload(phantom.files[sop])


@pytest.fixture
def phantom(orthanc: orthanc_mod.OrthancServer) -> Phantom:
    p = make_phantom()
    upload(orthanc, p)
    return p


@pytest.fixture
def library(tmp_path: Path) -> Iterator[Library]:
    lib = Library(tmp_path / "library")
    yield lib
    lib.close()


@pytest.fixture(scope="module")
def decoder() -> Iterator[DecoderPool]:
    pool = DecoderPool(threads=2, processes=0)
    yield pool
    pool.shutdown()


def ranks(n: int, focus: int) -> dict[int, int]:
    """Rank of each display index by distance from the focus (ties: lower index first)."""
    return {i: r for r, i in enumerate(sorted(range(n), key=lambda i: (abs(i - focus), i)))}


def instance_requests(proxy: FaultyProxy) -> list[str]:
    """SOP Instance UIDs of the per-instance WADO-RS requests the proxy saw."""
    out = []
    for seen in proxy.seen:
        path = seen.path.split("?")[0].rstrip("/")
        parts = path.split("/")
        if len(parts) >= 2 and parts[-2] == "instances":
            out.append(parts[-1])
    return out


def run(loader: SeriesLoader, rec: Recorder, timeout: float = 30.0) -> None:
    loader.start()
    assert loader.wait(timeout), "the load did not finish"
    assert rec.done.wait(1.0)


def test_focus_first_then_nearest_first_and_library_complete(
    orthanc: orthanc_mod.OrthancServer, phantom: Phantom, library: Library,
    make_client: MakeClient, decoder: DecoderPool,
) -> None:
    connections = 3
    client = make_client(orthanc.dicomweb_url, max_connections=connections)
    rec = Recorder()
    focus = 27
    loader = SeriesLoader(phantom.study_uid, phantom.series_uid, phantom.sops, archive=client,
                          library=library, decoder=decoder, focus=focus, **rec.callbacks())
    run(loader, rec)

    assert rec.errors == [] and rec.done_calls == 1
    assert rec.order[0] == focus and loader.stats.first_index == focus
    assert sorted(rec.order) == list(range(SHAPE[0]))
    # Arrival follows distance from the focus, within the slack of the requests in flight
    # plus the decoding threads (completion order of concurrent work is not fixed).
    rank = ranks(SHAPE[0], focus)
    slack = 2 * connections + 2
    displacement = [abs(rank[index] - k) for k, index in enumerate(rec.order)]
    assert max(displacement) <= slack, (rec.order, displacement)
    # Not just any order: the far end (slices 0-5, ranks 34-39) comes in the last third.
    assert all(rec.order.index(i) >= 26 for i in range(6))
    # Memory bound: never more compressed instances held than connections.
    assert loader.stats.peak_held <= connections
    # Pixels: the stored values of the phantom, computed with numpy from its definition.
    for index, pixels in rec.images.items():
        assert pixels.dtype == np.uint16 and pixels.shape == SHAPE[1:]
        np.testing.assert_array_equal(pixels, phantom.stored[index])
        assert str(rec.headers[index].SOPInstanceUID) == phantom.sops[index]
        assert "PixelData" not in rec.headers[index]
    # The library holds every instance, byte for byte, and the series is recorded complete.
    assert loader.complete
    assert library.series_complete(phantom.study_uid, phantom.series_uid)
    for sop in phantom.sops:
        assert library.read_instance(sop) == phantom.files[sop]
    stats = loader.stats
    assert stats.fetched == SHAPE[0] and stats.from_library == 0
    assert stats.first_image_s is not None and stats.finished_s is not None
    assert stats.first_image_s <= stats.arrivals[-1][1] <= stats.finished_s
    assert [t for _, t in stats.arrivals] == sorted(t for _, t in stats.arrivals)


def test_set_focus_mid_load_reorders_the_queue(
    proxy: FaultyProxy, phantom: Phantom, library: Library, make_client: MakeClient,
    decoder: DecoderPool,
) -> None:
    proxy.default = Behaviour("delay", seconds=0.03)
    client = make_client(proxy.dicomweb_url, max_connections=2)
    rec = Recorder()
    loader = SeriesLoader(phantom.study_uid, phantom.series_uid, phantom.sops, archive=client,
                          library=library, decoder=decoder, focus=0, **rec.callbacks())
    loader.start()
    rec.wait_for(5)
    loader.set_focus(39)
    assert loader.wait(30) and rec.errors == []
    assert rec.order[0] == 0 and sorted(rec.order) == list(range(40))
    jump = 5
    after = rec.order[jump:]
    # Images next to the new focus come before the middle ones queued earlier (at most the
    # two requests in flight at the jump finish first).
    near_new = [after.index(i) for i in range(35, 40)]
    middle = [after.index(i) for i in range(15, 25)]
    assert max(near_new) < min(middle), rec.order
    # ...and right after the jump: at most the held requests and decodes (2 + 2) before them.
    assert set(range(35, 40)) <= set(after[:4 + 5]), rec.order
    assert library.series_complete(phantom.study_uid, phantom.series_uid)


def test_cancel_mid_load_then_resume_fetches_only_the_missing(
    proxy: FaultyProxy, phantom: Phantom, library: Library, make_client: MakeClient,
    decoder: DecoderPool,
) -> None:
    proxy.default = Behaviour("delay", seconds=0.05)
    client = make_client(proxy.dicomweb_url, max_connections=2)
    rec = Recorder()
    loader = SeriesLoader(phantom.study_uid, phantom.series_uid, phantom.sops, archive=client,
                          library=library, decoder=decoder, focus=20, **rec.callbacks())
    loader.start()
    rec.wait_for(6)
    started = time.monotonic()
    loader.cancel()
    seen_at_cancel = len(rec.order)
    assert loader.wait(2.0), "the load did not stop within 2 s of cancel()"
    stopped_s = time.monotonic() - started
    assert stopped_s < 1.0, stopped_s
    time.sleep(0.2)
    assert len(rec.order) == seen_at_cancel  # nothing delivered after cancel() returned
    assert rec.done_calls == 0 and rec.errors == []
    assert loader.cancelled and not loader.complete
    assert not library.series_complete(phantom.study_uid, phantom.series_uid)
    missing = library.missing_instances(phantom.study_uid, phantom.series_uid)
    assert 0 < len(missing) <= 40 - seen_at_cancel
    kept = [s for s in phantom.sops if s not in missing]
    for sop in kept:
        assert library.read_instance(sop) == phantom.files[sop]

    # Resume: what is in the library is read from disk, only the missing ones are fetched.
    proxy.default = Behaviour()
    proxy.seen.clear()
    rec2 = Recorder()
    resumed = SeriesLoader(phantom.study_uid, phantom.series_uid, phantom.sops, archive=client,
                           library=library, decoder=decoder, focus=20, **rec2.callbacks())
    run(resumed, rec2)
    assert rec2.errors == [] and sorted(rec2.order) == list(range(40))
    assert sorted(instance_requests(proxy)) == sorted(missing)
    assert resumed.stats.from_library == len(kept) and resumed.stats.fetched == len(missing)
    assert rec2.order[0] == 20  # the focus was already here: read from disk first
    assert resumed.complete and library.series_complete(phantom.study_uid, phantom.series_uid)
    for index, pixels in rec2.images.items():
        np.testing.assert_array_equal(pixels, phantom.stored[index])


def test_archive_stopping_mid_load_reports_once_and_keeps_what_arrived(
    library: Library, make_client: MakeClient, decoder: DecoderPool,
) -> None:
    if not orthanc_mod.available():
        pytest.skip("Orthanc with the DICOMweb plugin is not installed")
    server = orthanc_mod.start_orthanc()
    proxy = FaultyProxy(upstream_port=server.port, default=Behaviour("delay", seconds=0.04))
    try:
        p = make_phantom()
        upload(server, p)
        proxy.start()
        client = make_client(proxy.dicomweb_url, max_connections=2, retries=1)
        rec = Recorder()
        loader = SeriesLoader(p.study_uid, p.series_uid, p.sops, archive=client,
                              library=library, decoder=decoder, focus=10, **rec.callbacks())
        loader.start()
        rec.wait_for(8)
        server.process.kill()  # the archive goes away without a goodbye
        server.process.wait()
        assert loader.wait(20), "the load did not end after the archive went away"
        assert rec.done.wait(1.0) and rec.done_calls == 1
    finally:
        proxy.stop()
        server.stop()
    arrived = len(rec.order)
    assert 8 <= arrived < 40
    assert len(rec.errors) == 1, rec.errors  # once, for the whole load
    index, sentence = rec.errors[0]
    assert index is None
    assert "could not be reached" in sentence and f"{arrived} of 40 images" in sentence
    assert loader.load_error == sentence
    # What arrived is usable: shown, and kept in the library byte for byte.
    for i in rec.order:
        np.testing.assert_array_equal(rec.images[i], p.stored[i])
        assert library.read_instance(p.sops[i]) == p.files[p.sops[i]]
    assert not loader.complete
    assert not library.series_complete(p.study_uid, p.series_uid)
    assert len(library.missing_instances(p.study_uid, p.series_uid)) >= 40 - arrived - 2


def test_one_failed_instance_is_reported_and_the_rest_arrive(
    orthanc: orthanc_mod.OrthancServer, phantom: Phantom, library: Library,
    make_client: MakeClient, decoder: DecoderPool,
) -> None:
    client = make_client(orthanc.dicomweb_url, max_connections=2)
    absent = generate_uid()  # listed in the display set, not held by the archive
    order = phantom.sops[:10] + [absent] + phantom.sops[10:]
    rec = Recorder()
    loader = SeriesLoader(phantom.study_uid, phantom.series_uid, order, archive=client,
                          library=library, decoder=decoder, focus=10, **rec.callbacks())
    run(loader, rec)
    assert rec.order[0] != 10 and sorted(rec.order) == [i for i in range(41) if i != 10]
    assert len(rec.errors) == 1
    index, sentence = rec.errors[0]
    assert index == 10 and "does not hold" in sentence and absent in sentence
    assert rec.done_calls == 1 and loader.stats.failed == 1
    # The series itself (as the archive lists it) is complete.
    assert loader.complete


def test_library_only_reads_nearest_first_and_says_what_is_missing(
    phantom: Phantom, library: Library, decoder: DecoderPool,
) -> None:
    for sop in phantom.sops[:25]:
        assert library.add_bytes(phantom.files[sop]).stored
    rec = Recorder()
    loader = SeriesLoader(phantom.study_uid, phantom.series_uid, phantom.sops, library=library,
                          decoder=decoder, focus=12, **rec.callbacks())
    run(loader, rec)
    assert rec.order[0] == 12 and sorted(rec.order) == list(range(25))
    rank = ranks(25, 12)
    assert max(abs(rank[i] - k) for k, i in enumerate(rec.order)) <= 4
    assert len(rec.errors) == 1 and rec.errors[0][0] is None
    assert "15 of 40 images" in rec.errors[0][1] and "no archive" in rec.errors[0][1]
    assert loader.stats.from_library == 25 and not loader.complete


def test_multiframe_instance_is_fetched_once_and_gives_every_frame(
    proxy: FaultyProxy, library: Library, make_client: MakeClient, decoder: DecoderPool,
) -> None:
    ds = renamed(sample("rtdose.dcm"))  # RT Dose, 15 frames of 10 x 10 (native)
    frames = int(ds.NumberOfFrames)
    expected = ds.pixel_array
    data = to_bytes(ds)
    # Upload straight to Orthanc; the loader goes through the proxy to count its requests.
    requests_auth = (orthanc_mod.USER, orthanc_mod.PASSWORD)
    import requests

    requests.post(f"http://127.0.0.1:{proxy.upstream_port}/instances", data=data,
                  auth=requests_auth, timeout=30).raise_for_status()
    client = make_client(proxy.dicomweb_url)
    sop = str(ds.SOPInstanceUID)
    rec = Recorder()
    loader = SeriesLoader(str(ds.StudyInstanceUID), str(ds.SeriesInstanceUID),
                          [(sop, f) for f in range(1, frames + 1)], archive=client,
                          library=library, decoder=decoder, focus=6, **rec.callbacks())
    run(loader, rec)
    assert rec.errors == [] and instance_requests(proxy) == [sop]
    assert rec.order[0] == 6 and sorted(rec.order) == list(range(frames))
    for index in range(frames):
        np.testing.assert_array_equal(rec.images[index], expected[index])
    assert loader.complete and library.read_instance(sop) == data


def test_time_to_first_image_512(
    orthanc: orthanc_mod.OrthancServer, library: Library, make_client: MakeClient,
    decoder: DecoderPool,
) -> None:
    """Time to first image on loopback for 512 x 512 CT slices (0.5 MB each), against the
    time for the whole series, measured in the same run."""
    p = make_phantom((24, 512, 512))
    upload(orthanc, p)
    client = make_client(orthanc.dicomweb_url)
    rec = Recorder()
    loader = SeriesLoader(p.study_uid, p.series_uid, p.sops, archive=client, library=library,
                          decoder=decoder, focus=12, **rec.callbacks())
    run(loader, rec)
    stats = loader.stats
    assert rec.order[0] == 12 and len(rec.order) == 24 and rec.errors == []
    np.testing.assert_array_equal(rec.images[12], p.stored[12])
    assert stats.first_image_s is not None and stats.finished_s is not None
    print(f"\n512x512 x 24 on loopback: {stats.summary()}")
    # Progressive: the first image does not wait for the series.
    assert stats.first_image_s < stats.arrivals[-1][1]
    assert stats.first_image_s < 1.0


def test_cancel_is_prompt_while_the_archive_stalls(
    proxy: FaultyProxy, phantom: Phantom, library: Library, make_client: MakeClient,
    decoder: DecoderPool,
) -> None:
    proxy.default = Behaviour("delay", seconds=5.0)  # every request hangs for 5 s
    client = make_client(proxy.dicomweb_url, max_connections=2)
    rec = Recorder()
    loader = SeriesLoader(phantom.study_uid, phantom.series_uid, phantom.sops, archive=client,
                          library=library, decoder=decoder, focus=3, **rec.callbacks())
    loader.start()
    deadline = time.monotonic() + 3
    while not instance_requests(proxy):  # the focus request is out
        assert time.monotonic() < deadline
        time.sleep(0.01)
    assert instance_requests(proxy) == [phantom.sops[3]]  # the focus goes alone
    started = time.monotonic()
    loader.cancel()
    assert time.monotonic() - started < 0.2  # cancel() itself never waits for the network
    assert loader.wait(1.0), "the loader's threads did not stop within 1 s"
    assert rec.order == [] and rec.errors == [] and rec.done_calls == 0
    assert not library.series_complete(phantom.study_uid, phantom.series_uid)
