"""Benchmark: a CT series over a home internet link (a shaping proxy in front of a real Orthanc).

The link is ``tests/link_proxy.LinkProxy`` (token bucket per direction, one-way delay per chunk,
bounded buffers) running in this driver process; the workers run in fresh processes, ours and
the baseline alternating, and reach Orthanc only through it. The series is real CT: the 28
slices of ``ct_head_human_ge_tilt`` (512x512, uncompressed) cycled to the wanted length, each
copy with new UIDs, its place in a regular stack, and 1 % of its pixels changed by one (so no
two copies are identical). Without ``../shared/data`` pydicom's 128x128 ``CT_small.dcm`` stands
in (and the figures are not comparable).

Measured per run:

* pull: ours ``pull_study`` into a fresh library (the ``workstation pull`` path); baseline
  dicomweb-client ``iter_series`` (streamed) with each dataset written to disk by pydicom.
  Bytes on the wire are counted by the proxy (downstream). "Link time" is what the stored
  bytes would take at the link's rate.
* first image: ours as the viewer opens a study (series list, series metadata, display sets,
  :class:`SeriesLoader` to its first decoded image); baseline a QIDO instance search, then
  ``retrieve_instance`` of the first instance by number and ``pixel_array``.
* peak memory: the worker's peak RSS.

Ours is checked lossless on the first run: every pulled instance decodes to the stored pixels.
Run (the machine is shared: keep it short):

    .venv/bin/python bench/bench_link.py [--repeats 5] [--cases 50:100,50:500,10:100]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
REAL_CT = ROOT.parent / "shared" / "data" / "ct_head_human_ge_tilt"
RTT_MS = 40.0


def peak_rss_mb() -> float:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1e3
    return 0.0


# --------------------------------------------------------------------------------------------
# The series


def make_series(n: int) -> Iterator[bytes]:
    """``n`` real CT slices (see module doc) as PS3.10 bytes, uncompressed, one at a time."""
    from io import BytesIO

    import numpy as np
    import pydicom
    from pydicom.data import get_testdata_file
    from pydicom.uid import ExplicitVRLittleEndian, generate_uid

    if REAL_CT.is_dir():
        sources = [pydicom.dcmread(p) for p in sorted(REAL_CT.glob("*.dcm"))]
    else:
        print("../shared/data absent: CT_small.dcm stands in", file=sys.stderr)
        sources = [pydicom.dcmread(get_testdata_file("CT_small.dcm"))]
    rng = np.random.default_rng(15)
    study, series = generate_uid(), generate_uid()
    iop = np.array([float(v) for v in sources[0].ImageOrientationPatient])
    normal = np.cross(iop[:3], iop[3:])
    origin = np.array([float(v) for v in sources[0].ImagePositionPatient])
    for i in range(n):
        ds = pydicom.dcmread(BytesIO(_bytes(sources[i % len(sources)])))
        ds.StudyInstanceUID, ds.SeriesInstanceUID = study, series
        ds.SOPInstanceUID = generate_uid()
        ds.file_meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
        ds.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
        ds.InstanceNumber = i + 1
        ds.SeriesNumber = 2
        ds.ImagePositionPatient = [f"{v:.3f}" for v in origin + i * 1.25 * normal]
        ds.SliceLocation = f"{i * 1.25:.3f}"
        pixels = ds.pixel_array.copy()
        mask = rng.random(pixels.shape) < 0.01
        pixels[mask] = np.clip(pixels[mask].astype(np.int32) + 1, None,
                               np.iinfo(pixels.dtype).max).astype(pixels.dtype)
        ds.PixelData = pixels.tobytes()
        yield _bytes(ds)


def _bytes(ds) -> bytes:  # type: ignore[no-untyped-def]
    from io import BytesIO

    buf = BytesIO()
    ds.save_as(buf, enforce_file_format=True)
    return buf.getvalue()


# --------------------------------------------------------------------------------------------
# Workers (a fresh process each)


def _basic_client(url: str, user: str, password: str):  # type: ignore[no-untyped-def]
    from workstation.net.dicomweb import DicomWebClient
    from workstation.net.link import ArchiveLink
    from workstation.settings import ArchiveProfile

    os.environ["WORKSTATION_USER"], os.environ["WORKSTATION_PASSWORD"] = user, password
    # The proxy stands for a remote archive: its link is the one a remote URL gets (link_for
    # treats a 127.0.0.1 URL as an archive on this machine, never slow). Straight to Orthanc
    # (the loopback cases) the client is the app's own.
    remote = os.environ.get("BENCH_REMOTE_LINK") == "1"
    return DicomWebClient(ArchiveProfile("bench", url, auth="basic", username=user),
                          link=ArchiveLink() if remote else None)


def ours_pull(url: str, user: str, password: str, study: str, series: str, verify: str) -> dict:
    from workstation.net.transfer import pull_study
    from workstation.store.library import Library

    client = _basic_client(url, user, password)
    with tempfile.TemporaryDirectory(prefix="bench-link-") as folder:
        library = Library(Path(folder) / "library")
        t0 = time.perf_counter()
        report = pull_study(client, library, study)
        seconds = time.perf_counter() - t0
        assert report.complete, report.summary()
        result = {"pull_s": seconds, "peak_mb": peak_rss_mb(),
                  "link": client.link.describe()}
        if verify == "1":
            result["checksum"] = _library_checksum(library, study, series)
    return result


def _library_checksum(library, study: str, series: str) -> int:  # type: ignore[no-untyped-def]
    from workstation.model.decode import decode_instance

    total = 0
    for inst in library.search_instances(study, series):
        total += int(decode_instance(library.read_instance(inst.sop_instance_uid)).astype("int64").sum())
    return total


def baseline_pull(url: str, user: str, password: str, study: str, series: str, verify: str) -> dict:
    import requests
    from dicomweb_client.api import DICOMwebClient
    from dicomweb_client.session_utils import create_session_from_auth

    client = DICOMwebClient(url, session=create_session_from_auth(
        requests.auth.HTTPBasicAuth(user, password)))
    total = 0
    with tempfile.TemporaryDirectory(prefix="bench-link-base-") as folder:
        t0 = time.perf_counter()
        for ds in client.iter_series(study, series):
            ds.save_as(Path(folder) / f"{ds.SOPInstanceUID}.dcm", enforce_file_format=True)
        seconds = time.perf_counter() - t0
        peak = peak_rss_mb()
        if verify == "1":
            import pydicom

            for path in Path(folder).iterdir():
                total += int(pydicom.dcmread(path).pixel_array.astype("int64").sum())
    return {"pull_s": seconds, "peak_mb": peak, "checksum": total}


def ours_first(url: str, user: str, password: str, study: str, series: str, verify: str) -> dict:
    import threading

    from workstation.model.decoder_pool import DecoderPool
    from workstation.model.displayset import build_display_sets
    from workstation.net.series_loader import SeriesLoader

    client = _basic_client(url, user, password)
    pool = DecoderPool()
    pool.warm_up()  # the app starts its decoders at start-up
    shown = threading.Event()
    t0 = time.perf_counter()
    headers = []
    for s in client.search_series(study):
        headers.extend(client.series_metadata(study, s.series_uid))
    t_meta = time.perf_counter() - t0
    sets = [d for d in build_display_sets(headers) if d.series_uid == series]
    loader = SeriesLoader.for_display_set(sets[0], archive=client, decoder=pool,
                                          on_image=lambda *a: shown.set())
    loader.start()
    shown.wait(120)
    first = time.perf_counter() - t0
    loader.cancel()
    pool.shutdown(wait=False, cancel_pending=True)
    return {"first_s": first, "metadata_s": t_meta, "peak_mb": peak_rss_mb()}


def baseline_first(url: str, user: str, password: str, study: str, series: str, verify: str) -> dict:
    import requests
    from dicomweb_client.api import DICOMwebClient
    from dicomweb_client.session_utils import create_session_from_auth

    client = DICOMwebClient(url, session=create_session_from_auth(
        requests.auth.HTTPBasicAuth(user, password)))
    t0 = time.perf_counter()
    found = client.search_for_instances(study, series, fields=["00200013"])
    found.sort(key=lambda f: int(f.get("00200013", {}).get("Value", [0])[0]))
    uid = found[0]["00080018"]["Value"][0]
    client.retrieve_instance(study, series, uid).pixel_array  # noqa: B018
    first = time.perf_counter() - t0
    return {"first_s": first, "peak_mb": peak_rss_mb()}


WORKERS = {"ours-pull": ours_pull, "baseline-pull": baseline_pull,
           "ours-first": ours_first, "baseline-first": baseline_first}


# --------------------------------------------------------------------------------------------
# Driver


def run_worker(kind: str, proxy, server, study: str, series: str, verify: bool) -> dict:  # type: ignore[no-untyped-def]
    url = server.dicomweb_url if proxy is None else f"http://127.0.0.1:{proxy.port}/dicom-web"
    cmd = [sys.executable, __file__, "--worker", kind, url, server.user, server.password,
           study, series, "1" if verify else "0"]
    before = proxy.bytes_down if proxy is not None else 0
    env = {**os.environ, "BENCH_REMOTE_LINK": "1" if proxy is not None else "0"}
    out = subprocess.run(cmd, capture_output=True, text=True, check=False, cwd=ROOT,
                         timeout=900, env=env)
    if out.returncode != 0:
        raise RuntimeError(f"{kind} failed: {out.stderr[-3000:]}")
    result = json.loads(out.stdout.strip().splitlines()[-1])
    result["wire_bytes"] = (proxy.bytes_down if proxy is not None else 0) - before
    return result


def spread(values: list[float]) -> str:
    return f"{statistics.median(values):.2f} ({min(values):.2f}-{max(values):.2f})"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--cases", default="50:100,50:500,10:100",
                        help="comma-separated MBIT:SLICES (MBIT 0: straight to Orthanc on loopback)")
    parser.add_argument("--first-only", action="store_true", help="time to first image only")
    parser.add_argument("--section", default="link")
    parser.add_argument("--worker", nargs=7)
    parser.add_argument("--out", default=str(ROOT / "bench" / "RESULTS.md"))
    args = parser.parse_args()
    if args.worker:
        kind, *rest = args.worker
        print(json.dumps(WORKERS[kind](*rest)))
        return 0

    from tests.link_proxy import LinkProxy
    from tests.orthanc import start_orthanc

    cases = [(float(m), int(n)) for m, n in (c.split(":") for c in args.cases.split(","))]
    server = start_orthanc()
    loads: list[float] = []
    rows: list[str] = []
    series_cache: dict[int, tuple[str, str, int]] = {}
    try:
        for mbit, n in cases:
            if n not in series_cache:
                from io import BytesIO

                import pydicom

                stored, uids = 0, ("", "")
                for data in make_series(n):
                    if not stored:
                        first = pydicom.dcmread(BytesIO(data), stop_before_pixels=True)
                        uids = (str(first.StudyInstanceUID), str(first.SeriesInstanceUID))
                    stored += len(data)
                    server.upload(data)
                series_cache[n] = (*uids, stored)
            study, series, stored = series_cache[n]
            proxy = None if not mbit else LinkProxy(
                upstream_port=server.port, mbit_per_s=mbit, rtt_ms=RTT_MS).start()
            results: dict[str, list[dict]] = {k: [] for k in WORKERS}
            try:
                for r in range(args.repeats):
                    sides = ("ours", "baseline") if r % 2 == 0 else ("baseline", "ours")
                    for what in ("first",) if args.first_only else ("pull", "first"):
                        for side in sides:
                            kind = f"{side}-{what}"
                            loads.append(os.getloadavg()[0])
                            res = run_worker(kind, proxy, server, study, series,
                                             verify=(r == 0 and what == "pull"))
                            results[kind].append(res)
                            print(f"{mbit:g} Mbit/s {n} slices {kind}: {res}", file=sys.stderr)
            finally:
                if proxy is not None:
                    proxy.stop()
            label = f"{mbit:g} Mbit/s, {n} slices" if mbit else f"loopback, {n} slices"
            first_rows = [
                f"| {label} | first image, s | {spread([x['first_s'] for x in results['ours-first']])} | "
                f"{spread([x['first_s'] for x in results['baseline-first']])} |",
                f"| {label} | of which series metadata (ours), s | "
                f"{spread([x['metadata_s'] for x in results['ours-first']])} | - |",
            ]
            if args.first_only:
                rows += first_rows
                continue
            o_pull, b_pull = results["ours-pull"], results["baseline-pull"]
            same = o_pull[0]["checksum"] == b_pull[0]["checksum"]
            link_s = stored / (mbit * 1e6 / 8) if mbit else 0.0
            rows += [
                f"| {label} | pull time, s (link time of the stored bytes {link_s:.1f} s) | "
                f"{spread([x['pull_s'] for x in o_pull])} | {spread([x['pull_s'] for x in b_pull])} |",
                f"| {label} | bytes on the wire per slice, kB (stored {stored / n / 1e3:.0f}) | "
                f"{spread([x['wire_bytes'] / n / 1e3 for x in o_pull])} | "
                f"{spread([x['wire_bytes'] / n / 1e3 for x in b_pull])} |",
                *first_rows,
                f"| {label} | peak RSS during the pull, MB | {spread([x['peak_mb'] for x in o_pull])} | "
                f"{spread([x['peak_mb'] for x in b_pull])} |",
                f"| {label} | pixels identical to the stored ones (run 1) | "
                f"{'yes' if same else 'NO'} | (reference) |",
            ]
            print(f"ours' link: {o_pull[-1].get('link')}", file=sys.stderr)
    finally:
        server.stop()

    lines = [
        ("## Time to first image against series length (bench_link.py --first-only)"
         if args.first_only else
         "## A CT series over a home link (bench_link.py: shaping proxy in front of Orthanc 1.10)"),
        "",
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"shared with other work while measured (1-minute load average {min(loads):.1f}-"
        f"{max(loads):.1f} at the starts of the runs). Link: token bucket per direction at the "
        f"rate shown, {RTT_MS:.0f} ms round trip, 64 kB buffers. Series: real CT slices "
        "(ct_head_human_ge_tilt, 512x512, uncompressed) with new UIDs and 1 % of pixels changed.",
        f"Medians of {args.repeats} runs (min-max), each in a fresh process, ours and baseline "
        "alternating. Ours: `pull_study` into a fresh library / the viewer's open path to its first "
        "image; baseline: dicomweb-client `iter_series` + pydicom writing each file / QIDO + "
        "`retrieve_instance` of the first slice + `pixel_array`.",
        "",
        "| case | measure | ours | baseline (dicomweb-client + pydicom) |",
        "|---|---|---|---|",
        *rows,
    ]
    text = "\n".join(lines) + "\n"
    print(text)
    from bench.results import update_section

    update_section(args.section, text, Path(args.out))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
