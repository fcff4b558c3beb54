"""Encryption at rest: the cost of loading from the library, encrypted against clear.

Two libraries hold the same CT series (the demo phantom, int16, uncompressed): one written in
clear (``Protection(encrypt=False)``, the full-disk-encryption opt-out), one encrypted as every
installation now writes (AES-256-GCM chunked files, SQLCipher index; ``workstation.crypt``).
Each run opens the library afresh and loads the series as the viewer's volume loader does
(``fetch_series_volume`` on the library as a ``StudySource``): time to the first decoded slice
and to the whole volume. Runs alternate clear / encrypted so that the load of a shared machine
falls on both alike; the files are in the page cache for both (what is measured is the cost of
decryption, not of the disk).

Run: ``python -m bench.bench_crypt [--runs 7] [--slices 200] [--no-write]``.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import tempfile
import time
from pathlib import Path

import keyring
import keyring.backend

from bench.results import update_section
from workstation import demo
from workstation.crypt.files import Protection
from workstation.model.decoder_pool import DecoderPool
from workstation.net.volume_fetch import fetch_series_volume
from workstation.store.library import Library


class _MemoryKeyring(keyring.backend.KeyringBackend):
    """The bench's own keyring (a headless machine has none); the key lives for the run."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.store: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.store.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.store[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.store.pop((service, username), None)


def _fill(root: Path, protection: Protection, parts: list[bytes]) -> tuple[str, str]:
    with Library(root, protection=protection) as lib:
        for data in parts:
            result = lib.add_bytes(data)
        return result.study_uid, result.series_uid


def _load(root: Path, protection: Protection, study: str, series: str) -> tuple[float, float]:
    started = time.perf_counter()
    pool = DecoderPool()
    try:
        with Library(root, protection=protection) as lib:
            opened = time.perf_counter() - started
            fetched = fetch_series_volume(lib, study, series, pool)
    finally:
        pool.shutdown()
    return opened + fetched.seconds_to_first_slice, opened + fetched.seconds_total


def _summary(values: list[float]) -> str:
    return f"{statistics.median(values) * 1000:.0f} ({min(values) * 1000:.0f}-{max(values) * 1000:.0f})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--slices", type=int, default=200)
    parser.add_argument("--no-write", action="store_true", help="print, do not update RESULTS.md")
    args = parser.parse_args()
    keyring.set_keyring(_MemoryKeyring())
    parts = list(demo.phantom_series(shape=(args.slices, 512, 512), spacing=(1.0, 0.7, 0.7)))
    megabytes = sum(len(p) for p in parts) / 1e6
    modes = {"clear": Protection(encrypt=False), "encrypted": Protection(encrypt=True)}
    load_start = os.getloadavg()[0]
    times: dict[str, dict[str, list[float]]] = {m: {"first": [], "total": []} for m in modes}
    with tempfile.TemporaryDirectory(prefix="bench-crypt-") as tmp:
        where = {m: _fill(Path(tmp) / m, p, parts) for m, p in modes.items()}
        for mode, protection in modes.items():  # one warm-up each: imports, page cache
            _load(Path(tmp) / mode, protection, *where[mode])
        for run in range(args.runs):
            order = list(modes) if run % 2 == 0 else list(reversed(modes))
            for mode in order:
                first, total = _load(Path(tmp) / mode, modes[mode], *where[mode])
                times[mode]["first"].append(first)
                times[mode]["total"].append(total)
        # The cost in isolation: one instance file read back whole, 200 times per run.
        reads: dict[str, list[float]] = {m: [] for m in modes}
        for run in range(args.runs):
            for mode in (list(modes) if run % 2 == 0 else list(reversed(modes))):
                with Library(Path(tmp) / mode, protection=modes[mode]) as lib:
                    sop = lib.search_instances(*where[mode])[0].sop_instance_uid
                    started = time.perf_counter()
                    for _ in range(200):
                        lib.read_instance(sop)
                    reads[mode].append((time.perf_counter() - started) / 200)
    load_end = os.getloadavg()[0]
    rows = []
    for what, label in (("first", "library open -> first slice decoded (ms)"),
                        ("total", "library open -> whole series decoded (ms)")):
        clear, enc = times["clear"][what], times["encrypted"][what]
        ratio = statistics.median(enc) / statistics.median(clear)
        rows.append(f"| {label} | {_summary(clear)} | {_summary(enc)} | {(ratio - 1) * 100:+.1f}% |")
    clear_read, enc_read = statistics.median(reads["clear"]), statistics.median(reads["encrypted"])
    rows.append(f"| one {len(parts[0]) / 1024:.0f} KiB instance file read back whole (ms, median of "
                f"{args.runs} x 200) | {clear_read * 1000:.3f} | {enc_read * 1000:.3f} | "
                f"{(enc_read / clear_read - 1) * 100:+.0f}% (+{(enc_read - clear_read) * 1000:.3f} ms) |")
    markdown = f"""## Encryption at rest: loading from the library, encrypted against clear (bench/bench_crypt.py, {time.strftime('%Y-%m-%d')})

Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, shared with
other work (1-minute load average {load_start:.1f} at the start, {load_end:.1f} at the end); one CT
series of {args.slices} slices 512x512 int16 ({megabytes:.0f} MB), page cache warm for both; {args.runs}
runs per mode after one warm-up, clear and encrypted alternating; median (min-max) in ms. Each run
opens the library afresh and loads the series with the viewer's volume loader
(`fetch_series_volume` on the library). Encrypted: AES-256-GCM in 64 KiB chunks, SQLCipher 4 index.
Aim (issue 16): under 10% slower.

| measurement | clear | encrypted | encrypted vs clear |
|---|---|---|---|
{chr(10).join(rows)}
"""
    print(markdown)
    if not args.no_write:
        update_section("crypt", markdown)


if __name__ == "__main__":
    main()
