"""Transfer syntax chosen by the link (issue 15), against the real test Orthanc.

An uncompressed real CT series is read through a loopback proxy shaped like a home link: once
the client has measured the link from the transfers, it asks for JPEG-LS lossless, the bytes on
the wire shrink and the decoded pixels are exactly the stored ones. Directly on loopback it
keeps asking for the stored bytes. A syntax the archive cannot produce (Orthanc without GDCM
answers 500 to JPEG 2000) is tried, remembered as refused, and the stored syntax is used.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from io import BytesIO
from pathlib import Path

import numpy as np
import pydicom
import pytest
from pydicom.uid import generate_uid

from tests import orthanc as orthanc_mod
from tests.link_proxy import LinkProxy
from tests.net.conftest import sample, to_bytes
from tests.net.faulty_proxy import FaultyProxy
from workstation.model.decode import decode_frame, decode_instance
from workstation.model.decoder_pool import DecoderPool
from workstation.net.dicomweb import DicomWebClient
from workstation.net.link import (
    JPEG2000_LOSSLESS,
    JPEG_LS_LOSSLESS,
    ArchiveLink,
    LinkMeter,
    SyntaxChoice,
    link_for,
    measured_rate,
)
from workstation.net.series_loader import SeriesLoader
from workstation.net.transfer import pull_study
from workstation.store.library import Library

EXPLICIT_LE = "1.2.840.10008.1.2.1"


def ct_series(orthanc: orthanc_mod.OrthancServer, n: int) -> tuple[str, str, dict[str, bytes]]:
    """``n`` copies of pydicom's real CT slice (uncompressed), new UIDs, slightly varied pixels."""
    base = sample("CT_small.dcm")
    study, series = generate_uid(), generate_uid()
    rng = np.random.default_rng(15)
    stored: dict[str, bytes] = {}
    for i in range(n):
        ds = pydicom.dcmread(BytesIO(to_bytes(base)))
        ds.StudyInstanceUID, ds.SeriesInstanceUID = study, series
        ds.SOPInstanceUID = generate_uid()
        ds.file_meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
        ds.file_meta.TransferSyntaxUID = EXPLICIT_LE
        ds.InstanceNumber = i + 1
        pixels = ds.pixel_array.astype(np.int32) + rng.integers(-3, 4, ds.pixel_array.shape)
        ds.PixelData = np.clip(pixels, 0, 4095).astype(ds.pixel_array.dtype).tobytes()
        data = to_bytes(ds)
        orthanc.upload(data)
        stored[ds.SOPInstanceUID] = data
    return study, series, stored


def syntax_of(data: bytes) -> str:
    return str(pydicom.dcmread(BytesIO(data), stop_before_pixels=True).file_meta.TransferSyntaxUID)


def fetch_one_by_one(client: DicomWebClient, study: str, series: str,
                     uids: list[str]) -> dict[str, bytes]:
    return {uid: next(iter(client.iter_instances(study, series, [uid]))) for uid in uids}


@pytest.fixture
def slow_link(orthanc: orthanc_mod.OrthancServer) -> Iterator[LinkProxy]:
    proxy = LinkProxy(upstream_port=orthanc.port, mbit_per_s=4, rtt_ms=10).start()
    yield proxy
    proxy.stop()


def test_slow_link_asks_for_jpeg_ls_and_pixels_are_the_stored_ones(
    orthanc: orthanc_mod.OrthancServer, slow_link: LinkProxy,
    make_client: Callable[..., DicomWebClient],
) -> None:
    study, series, stored = ct_series(orthanc, 16)
    client = make_client(f"http://127.0.0.1:{slow_link.port}/dicom-web")
    client.link = ArchiveLink()
    got = fetch_one_by_one(client, study, series, list(stored))

    # The link was measured from the transfers: 4 Mbit/s through the proxy, within a factor
    # of 2.5 (32 kB answers are two or three chunks of the proxy; the threshold is 150 Mbit/s).
    rate = client.link.meter.rate
    assert rate is not None and 500_000 / 2.5 < rate < 500_000 * 2.5, rate
    assert client.link.slow
    syntaxes = [syntax_of(d) for d in got.values()]
    assert syntaxes[0] == EXPLICIT_LE  # unmeasured: the stored bytes first
    compressed = [uid for uid, d in got.items() if syntax_of(d) == JPEG_LS_LOSSLESS]
    assert len(compressed) >= len(stored) // 2, syntaxes
    assert JPEG_LS_LOSSLESS in client.link.syntaxes.accepted
    # Fewer bytes for the same images, and exactly the stored pixels (lossless).
    assert sum(len(got[u]) for u in compressed) < 0.8 * sum(len(stored[u]) for u in compressed)
    for uid in compressed:
        np.testing.assert_array_equal(decode_instance(got[uid]), decode_instance(stored[uid]))


def test_fast_link_keeps_the_stored_bytes(
    orthanc: orthanc_mod.OrthancServer, make_client: Callable[..., DicomWebClient],
) -> None:
    study, series, stored = ct_series(orthanc, 8)
    client = make_client(orthanc.dicomweb_url)
    client.link = ArchiveLink()
    got = fetch_one_by_one(client, study, series, list(stored))
    streamed = list(client.iter_instances(study, series, None))  # the whole series at once
    assert len(streamed) == len(stored)
    assert not client.link.slow
    assert {syntax_of(d) for d in [*got.values(), *streamed]} == {EXPLICIT_LE}
    for uid, data in stored.items():
        assert got[uid] == data  # the very bytes that were stored


def test_refused_syntax_is_remembered_and_the_stored_one_used(
    orthanc: orthanc_mod.OrthancServer, make_client: Callable[..., DicomWebClient],
) -> None:
    # client -> home link -> recording proxy -> Orthanc (no GDCM: it cannot make JPEG 2000)
    recorder = FaultyProxy(upstream_port=orthanc.port).start()
    link = LinkProxy(upstream_port=recorder.port, mbit_per_s=4, rtt_ms=10).start()
    try:
        first = ct_series(orthanc, 12)
        second = ct_series(orthanc, 3)
        third = ct_series(orthanc, 3)
        client = make_client(f"http://127.0.0.1:{link.port}/dicom-web")
        client.link = ArchiveLink(syntaxes=SyntaxChoice(preference=(JPEG2000_LOSSLESS,)))

        def asked(series: str) -> list[str]:
            return [s.accept for s in recorder.seen if series in s.path and "/instances/" in s.path]

        for study, series, stored in (first, second, third):
            got = fetch_one_by_one(client, study, series, list(stored))
            for uid, data in got.items():
                assert syntax_of(data) == EXPLICIT_LE
                assert data == stored[uid]
        assert client.link.slow
        j2k = f"transfer-syntax={JPEG2000_LOSSLESS}"
        # Within a series the refusal is remembered at once; across series after two refusals.
        assert sum(j2k in a for a in asked(first[1])) == 1
        assert sum(j2k in a for a in asked(second[1])) == 1
        assert sum(j2k in a for a in asked(third[1])) == 0
        assert client.link.syntaxes.dropped() == [JPEG2000_LOSSLESS]
    finally:
        link.stop()
        recorder.stop()


def test_meter_adds_concurrent_bodies_and_skips_time_to_first_byte() -> None:
    now = [0.0]
    meter = LinkMeter(clock=lambda: now[0])

    def body(chunks: list[tuple[float, int]]) -> Iterator[bytes]:
        for at, size in chunks:
            now[0] = at
            yield b"x" * size

    # Two bodies at once, 100 kB each per 0.1 s after their first chunk: 2 MB/s together.
    a = meter.metered(body([(1.0, 1000)] + [(1.0 + 0.1 * k, 100_000) for k in range(1, 6)]))
    b = meter.metered(body([(1.0, 1000)] + [(1.0 + 0.1 * k, 100_000) for k in range(1, 6)]))
    for _ in zip(a, b, strict=True):
        pass
    assert meter.rate == pytest.approx(2_000_000, rel=0.01)
    # A long wait for the first byte (the archive thinking) does not lower the rate.
    c = meter.metered(body([(30.0, 1000)] + [(30.0 + 0.1 * k, 200_000) for k in range(1, 6)]))
    for _ in c:
        pass
    assert meter.rate == pytest.approx(2_000_000, rel=0.01)


def test_pull_over_a_slow_link_comes_compressed_and_lossless(
    orthanc: orthanc_mod.OrthancServer, slow_link: LinkProxy,
    make_client: Callable[..., DicomWebClient], tmp_path: Path,
) -> None:
    study, series, stored = ct_series(orthanc, 40)
    client = make_client(f"http://127.0.0.1:{slow_link.port}/dicom-web")
    client.link = ArchiveLink()
    library = Library(tmp_path / "library")
    before = slow_link.bytes_down
    report = pull_study(client, library, study)
    assert report.complete
    on_wire = slow_link.bytes_down - before
    # The series stream stops once the link is measured slow; the rest comes as JPEG-LS.
    assert on_wire < 0.8 * sum(len(d) for d in stored.values()), on_wire
    kept = {uid: library.read_instance(uid) for uid in stored}
    assert sum(syntax_of(d) == JPEG_LS_LOSSLESS for d in kept.values()) >= len(stored) // 2
    for uid, data in kept.items():
        np.testing.assert_array_equal(decode_instance(data), decode_instance(stored[uid]))


def test_viewer_load_over_a_slow_link_shows_the_stored_pixels(
    orthanc: orthanc_mod.OrthancServer, slow_link: LinkProxy,
    make_client: Callable[..., DicomWebClient],
) -> None:
    study, series, stored = ct_series(orthanc, 16)
    client = make_client(f"http://127.0.0.1:{slow_link.port}/dicom-web")
    client.link = ArchiveLink()
    order = list(stored)
    shown: dict[int, np.ndarray] = {}
    pool = DecoderPool(threads=1, processes=0)
    loader = SeriesLoader(study, series, order, archive=client, decoder=pool,
                          series_sop_uids=order,
                          on_image=lambda i, pixels, header: shown.__setitem__(i, pixels.copy()))
    try:
        loader.start()
        assert loader.wait(60)
    finally:
        loader.cancel()
        pool.shutdown()
    assert len(shown) == len(order)
    assert client.link.slow and JPEG_LS_LOSSLESS in client.link.syntaxes.accepted
    for index, uid in enumerate(order):
        np.testing.assert_array_equal(shown[index], decode_instance(stored[uid])[0])


def test_meter_is_not_fooled_by_a_reader_that_pauses() -> None:
    """A throttled background transfer reads slowly; its bytes are already there when it asks."""
    now = [0.0]
    meter = LinkMeter(clock=lambda: now[0])

    def waiting_body() -> Iterator[bytes]:  # the link: 100 kB per 0.1 s while waited for
        for _ in range(6):
            now[0] += 0.1
            yield b"x" * 100_000

    for _ in meter.metered(waiting_body()):
        pass
    assert meter.rate == pytest.approx(1_000_000, rel=0.01)

    def ready_body() -> Iterator[bytes]:  # bytes already received: no wait at all
        yield from (b"x" * 100_000 for _ in range(6))

    for _ in meter.metered(ready_body()):
        now[0] += 1.0  # the reader pauses a second between chunks
    assert meter.rate is not None and meter.rate >= 1_000_000


def test_background_share_is_taken_of_the_measured_link(
    orthanc: orthanc_mod.OrthancServer, slow_link: LinkProxy,
    make_client: Callable[..., DicomWebClient],
) -> None:
    study, series, stored = ct_series(orthanc, 8)
    client = make_client(f"http://127.0.0.1:{slow_link.port}/dicom-web")
    client.link = ArchiveLink()
    assert measured_rate(client, 12_500_000.0) == 12_500_000.0  # nothing measured: the setting
    fetch_one_by_one(client, study, series, list(stored))
    rate = measured_rate(client, 12_500_000.0)
    assert 500_000 / 2.5 < rate < 500_000 * 2.5  # the 4 Mbit/s link, not the 100 Mbit/s setting
    assert measured_rate(object(), 1.0) == 1.0


def test_a_series_stored_lossy_is_not_reencoded_after_its_first_instance(
    orthanc: orthanc_mod.OrthancServer, slow_link: LinkProxy,
    make_client: Callable[..., DicomWebClient],
) -> None:
    study, series, stored = ct_series(orthanc, 12)
    client = make_client(f"http://127.0.0.1:{slow_link.port}/dicom-web")
    client.link = ArchiveLink()
    fetch_one_by_one(client, study, series, list(stored))  # measures the link: slow
    assert client.link.slow
    lossy_series = generate_uid()
    uids = []
    for i in range(4):  # a real lossy JPEG baseline image (Lossy Image Compression "01")
        ds = sample("SC_rgb_jpeg_dcmtk.dcm")
        ds.StudyInstanceUID, ds.SeriesInstanceUID = study, lossy_series
        ds.SOPInstanceUID = generate_uid()
        ds.file_meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
        ds.InstanceNumber = i + 1
        orthanc.upload(to_bytes(ds))
        uids.append(ds.SOPInstanceUID)
    got = fetch_one_by_one(client, study, lossy_series, uids)
    syntaxes = [syntax_of(got[u]) for u in uids]
    # The first was asked for as JPEG-LS (the link is slow) and said it had been lossy: the rest
    # come as stored, not re-encoded at a larger size.
    assert syntaxes[0] == JPEG_LS_LOSSLESS
    assert syntaxes[1:] == ["1.2.840.10008.1.2.4.50"] * 3
    for uid in uids:
        assert pydicom.dcmread(BytesIO(got[uid])).LossyImageCompression == "01"


def test_the_first_image_of_a_fresh_link_comes_gzipped_and_byte_identical(
    orthanc: orthanc_mod.OrthancServer, slow_link: LinkProxy,
    make_client: Callable[..., DicomWebClient],
) -> None:
    study, series, stored = ct_series(orthanc, 2)
    first, second = list(stored)
    client = make_client(f"http://127.0.0.1:{slow_link.port}/dicom-web")
    client.link = ArchiveLink()
    before = slow_link.bytes_down
    got = fetch_one_by_one(client, study, series, [first])
    on_wire = slow_link.bytes_down - before
    assert got[first] == stored[first]  # gzip is only how it travelled
    assert on_wire < 0.8 * len(stored[first]), (on_wire, len(stored[first]))
    assert client.link.meter.bytes_total < 0.8 * len(stored[first])  # counted as it travelled
    # Not the first any more and not measured slow: the stored bytes as they are.
    before = slow_link.bytes_down
    got = fetch_one_by_one(client, study, series, [second])
    assert got[second] == stored[second]
    assert slow_link.bytes_down - before > len(stored[second])


def test_frames_over_a_slow_link_come_as_jpeg_ls_and_decode_to_the_stored_pixels(
    orthanc: orthanc_mod.OrthancServer, slow_link: LinkProxy,
    make_client: Callable[..., DicomWebClient],
) -> None:
    study, series, stored = ct_series(orthanc, 12)
    uids = list(stored)
    client = make_client(f"http://127.0.0.1:{slow_link.port}/dicom-web")
    client.link = ArchiveLink()
    fetch_one_by_one(client, study, series, uids[:-1])
    assert client.link.slow
    ((frame, syntax),) = client.retrieve_frames(study, series, uids[-1], [1])
    assert syntax == JPEG_LS_LOSSLESS  # asked as image/jls (PS3.18 Table 8.7.3-2)
    header = pydicom.dcmread(BytesIO(stored[uids[-1]]), stop_before_pixels=True)
    assert len(frame) < 0.8 * header.Rows * header.Columns * 2
    np.testing.assert_array_equal(decode_frame(frame, header, syntax),
                                  decode_instance(stored[uids[-1]])[0])


def test_an_archive_on_this_machine_is_never_behind_a_slow_link() -> None:
    now = [0.0]

    def slow_body() -> Iterator[bytes]:  # 100 kB per 0.1 s: 8 Mbit/s
        for _ in range(6):
            now[0] += 0.1
            yield b"x" * 100_000

    for url, local in (("http://127.0.0.1:8042/dicom-web", True), ("http://localhost/x", True),
                       ("http://[::1]:8042/dicom-web", True),
                       ("https://pacs.example.org/dicom-web", False),
                       ("http://10.1.2.3/dicom-web", False)):
        link = link_for(url)
        assert link.local is local, url
        link.meter = LinkMeter(clock=lambda: now[0])
        for _ in link.meter.metered(slow_body()):
            pass
        assert link.meter.rate == pytest.approx(1_000_000, rel=0.01)
        assert link.slow is not local, url
        assert bool(link.syntaxes_to_ask()) is not local


def test_an_archive_on_this_machine_sends_the_first_image_as_stored(
    orthanc: orthanc_mod.OrthancServer, make_client: Callable[..., DicomWebClient],
) -> None:
    recorder = FaultyProxy(upstream_port=orthanc.port).start()
    try:
        study, series, stored = ct_series(orthanc, 1)
        client = make_client(recorder.dicomweb_url)  # a 127.0.0.1 URL: link_for says local
        assert client.link.local and client.link.fresh
        got = fetch_one_by_one(client, study, series, list(stored))
        assert list(got.values()) == list(stored.values())
        (seen,) = [s for s in recorder.seen if "/instances/" in s.path]
        assert seen.accept.endswith("transfer-syntax=*")
        # Not gzipped on the way (the meter counts the bytes as they travelled).
        assert client.link.meter.bytes_total >= len(next(iter(stored.values())))
    finally:
        recorder.stop()
