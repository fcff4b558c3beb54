"""The streaming multipart/related parser (RFC 2046 5.1, PS3.18 8.6.1.2)."""

from __future__ import annotations

import os
import time
import tracemalloc
from collections.abc import Iterator

import pytest

from workstation.errors import ArchiveError, TransferInterrupted
from workstation.net.multipart import (
    boundary_of,
    encode_parts,
    iter_parts,
    parse_content_type,
)

BOUNDARY = "b0und4ry-x"


def body_of(bodies: list[bytes], *, preamble: bytes = b"", padding: bytes = b"",
            epilogue: bytes = b"", headers: str = "Content-Type: application/dicom") -> bytes:
    """A multipart body written by hand (independently of encode_parts)."""
    out = [preamble]
    for i, b in enumerate(bodies):
        out.append(("\r\n" if i or preamble else "").encode() + f"--{BOUNDARY}".encode()
                   + padding + b"\r\n" + headers.encode() + b"\r\n\r\n" + b)
    out.append(f"\r\n--{BOUNDARY}--".encode() + padding + b"\r\n" + epilogue)
    return b"".join(out)


def chunks_of(data: bytes, size: int) -> Iterator[bytes]:
    for i in range(0, len(data), size):
        yield data[i : i + size]


# Bodies that contain near-misses of the delimiter: CRLF, "--", and a boundary prefix.
BODIES = [b"first\r\n--b0und4ry", b"", b"\r\n--b0und4ry-\r\n-- x", bytes(range(256))]


def test_parts_and_headers() -> None:
    parts = list(iter_parts([body_of(BODIES, headers="Content-Type: application/dicom\r\n"
                                     "Content-Location: /x/1")], BOUNDARY))
    assert [p.body for p in parts] == BODIES
    assert all(p.media_type == "application/dicom" and p.location == "/x/1" for p in parts)


@pytest.mark.parametrize("size", [1, 2, 3, 7, 64])
def test_every_chunk_size(size: int) -> None:
    data = body_of(BODIES)
    assert [p.body for p in iter_parts(chunks_of(data, size), BOUNDARY)] == BODIES


def test_split_at_every_byte() -> None:
    data = body_of(BODIES, preamble=b"\r\n", padding=b" \t")
    for cut in range(len(data) + 1):
        parts = list(iter_parts([data[:cut], b"", data[cut:]], BOUNDARY))
        assert [p.body for p in parts] == BODIES, cut


def test_preamble_padding_epilogue_and_empty_headers() -> None:
    data = body_of([b"abc", b"de"], preamble=b"This is a preamble.\r\n", padding=b"   ",
                   epilogue=b"epilogue text\r\n--" + BOUNDARY.encode())
    assert [p.body for p in iter_parts([data], BOUNDARY)] == [b"abc", b"de"]
    no_headers = f"--{BOUNDARY}\r\n\r\nxyz\r\n--{BOUNDARY}--".encode()
    (part,) = list(iter_parts([no_headers], BOUNDARY))
    assert part.body == b"xyz" and part.headers == {}


def test_folded_header() -> None:
    data = f"--{BOUNDARY}\r\nContent-Type: application/octet-stream;\r\n transfer-syntax=1.2.3" \
           f"\r\n\r\nxy\r\n--{BOUNDARY}--".encode()
    (part,) = list(iter_parts([data], BOUNDARY))
    assert parse_content_type(part.content_type)[1]["transfer-syntax"] == "1.2.3"


def test_truncated_at_every_byte_yields_only_complete_parts() -> None:
    data = body_of(BODIES)
    delimiter = f"\r\n--{BOUNDARY}".encode()
    # Part k (0-based) is complete once the delimiter after it has fully arrived.
    ends, start = [], 0
    while (i := data.find(delimiter, start)) >= 0:
        ends.append(i + len(delimiter))
        start = i + 1
    closing_end = data.index(f"--{BOUNDARY}--".encode()) + len(BOUNDARY) + 4
    for cut in range(len(data)):
        got: list[bytes] = []
        if cut >= closing_end:
            got = [p.body for p in iter_parts([data[:cut]], BOUNDARY)]
            assert got == BODIES
            continue
        with pytest.raises(TransferInterrupted):
            for p in iter_parts(chunks_of(data[:cut], 5), BOUNDARY):
                got.append(p.body)
        complete = sum(1 for e in ends if e <= cut)  # the body opens with no CRLF
        assert got == BODIES[:complete], cut


def test_empty_body_and_wrong_boundary_are_interrupted() -> None:
    with pytest.raises(TransferInterrupted):
        list(iter_parts([], BOUNDARY))
    with pytest.raises(TransferInterrupted):
        list(iter_parts([body_of(BODIES)], "other-boundary"))


def test_garbage_after_delimiter_is_malformed() -> None:
    data = f"--{BOUNDARY}junk\r\n\r\nabc\r\n--{BOUNDARY}--".encode()
    with pytest.raises(ArchiveError):
        list(iter_parts([data], BOUNDARY))


def test_content_type_parameters() -> None:
    value = 'multipart/related; type="image/jp2; transfer-syntax=1.2.840.10008.1.2.4.91"; ' \
            'boundary="a;b=c"'
    media, params = parse_content_type(value)
    assert media == "multipart/related"
    assert params["type"] == "image/jp2; transfer-syntax=1.2.840.10008.1.2.4.91"
    assert boundary_of(value) == "a;b=c"
    assert boundary_of("Multipart/Related; boundary=plain") == "plain"
    with pytest.raises(ArchiveError):
        boundary_of("application/dicom+json")


def test_encoder_round_trip() -> None:
    data = b"".join(encode_parts(BODIES, "application/dicom", BOUNDARY))
    assert [p.body for p in iter_parts(chunks_of(data, 3), BOUNDARY)] == BODIES


def _time_parse(n_parts: int, part_size: int, chunk: int) -> float:
    payload = os.urandom(part_size)
    data = b"".join(encode_parts([payload] * n_parts, "application/dicom", BOUNDARY))
    started = time.perf_counter()
    count = sum(1 for _ in iter_parts(chunks_of(data, chunk), BOUNDARY))
    assert count == n_parts
    return time.perf_counter() - started


def test_many_parts_scale_linearly() -> None:
    small = min(_time_parse(5_000, 1000, 4096) for _ in range(2))
    large = min(_time_parse(20_000, 1000, 4096) for _ in range(2))
    # 4x the input: a linear parser takes about 4x as long; a quadratic one 16x.
    assert large < small * 8, (small, large)


def test_large_single_part_is_linear_time() -> None:
    # 64 MB in 64 KiB chunks: re-scanning the growing buffer would scan ~32 GB.
    size = 64 * 1024 * 1024
    payload = os.urandom(1024) * (size // 1024)
    data = b"".join(encode_parts([payload], "application/dicom", BOUNDARY))
    started = time.perf_counter()
    (part,) = list(iter_parts(chunks_of(data, 64 * 1024), BOUNDARY))
    elapsed = time.perf_counter() - started
    assert len(part.body) == size and part.body[:1024] == payload[:1024]
    assert elapsed < 5.0, elapsed


def test_memory_holds_one_part_plus_a_chunk() -> None:
    part_size, chunk, n = 256 * 1024, 64 * 1024, 100  # 25 MB in all
    payload = os.urandom(part_size)
    data = b"".join(encode_parts([payload] * n, "application/dicom", BOUNDARY))

    def source() -> Iterator[bytes]:
        for i in range(0, len(data), chunk):
            yield data[i : i + chunk]  # a fresh bytes object, as a socket would give

    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        base = tracemalloc.get_traced_memory()[0]
        count = 0
        for part in iter_parts(source(), BOUNDARY):
            assert part.body == payload
            count += 1
            del part
        peak = tracemalloc.get_traced_memory()[1] - base
    finally:
        tracemalloc.stop()
    assert count == n
    # the buffer (part + chunk) plus the yielded copy of one part, with slack for growth
    assert peak < 5 * (part_size + chunk), peak  # holding every part would be 25 MB
