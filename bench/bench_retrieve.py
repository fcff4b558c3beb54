"""Benchmark: retrieve and decode a CT series from a DICOMweb archive (Orthanc on loopback).

Ours: ``DicomWebClient`` (WADO-RS, stored transfer syntax, streamed multipart) feeding a
``DecoderPool`` that writes each slice into one preallocated volume.
Baseline, what a capable Python user would otherwise write: dicomweb-client ``iter_series``
(streamed, stored transfer syntax asked for) with pydicom ``pixel_array`` of each instance as it
arrives, then the slices sorted and stacked with numpy.

Each measurement runs in a fresh process (so peak memory is its own), ours and the baseline
alternate, and the table reports medians and the ratio. Run:

    .venv/bin/python bench/bench_retrieve.py [--repeats 3] [--slices 500]

It needs Orthanc (Debian ``orthanc orthanc-dicomweb orthanc-gdcm``), ``dicomweb-client``
(``pip install -e .[bench]``) and, for the phantom CT, ``../shared/data``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PHANTOM = ROOT.parent / "shared" / "data" / "ct_head_phantom_philips" / "S2020"


def rss_mb() -> float:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e6


def reset_peak() -> None:
    """Reset the peak-RSS mark to the current RSS (Linux: clear_refs 5); ru_maxrss cannot be used,
    it carries the parent's high-water mark across fork and exec."""
    with open("/proc/self/clear_refs", "w") as fh:
        fh.write("5")


def peak_mb() -> float:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1e3
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e3


# --------------------------------------------------------------------------------------------
# Workers (run in a subprocess each)


def run_ours(url: str, user: str, password: str, study: str, series: str) -> dict:
    import numpy as np

    from workstation.model.decoder_pool import DecoderPool
    from workstation.net.dicomweb import DicomWebClient
    from workstation.net.volume_fetch import fetch_series_volume
    from workstation.settings import ArchiveProfile

    os.environ["WORKSTATION_USER"], os.environ["WORKSTATION_PASSWORD"] = user, password
    client = DicomWebClient(ArchiveProfile("bench", url, auth="basic", username=user))
    pool = DecoderPool()
    pool.warm_up()  # the app starts its decoder processes at start-up
    # Warm-up outside the timing, as for the baseline: one instance through the whole path.
    first_uid = client.search_instances(study, series)[0].sop_instance_uid
    for data in client.iter_instances(study, series, [first_uid]):
        pool.submit(data).result()
    base_rss = rss_mb()
    reset_peak()
    t0 = time.perf_counter()
    client.series_metadata(study, series)  # headers as pydicom datasets
    t_meta = time.perf_counter() - t0
    fetched = fetch_series_volume(client, study, series, pool)
    volume = fetched.volume
    peak = peak_mb() - base_rss
    pool.shutdown()
    return {
        "metadata_s": t_meta, "first_slice_s": fetched.seconds_to_first_slice,
        "total_s": fetched.seconds_total, "decoded_mb": volume.nbytes / 1e6,
        "peak_extra_mb": peak, "checksum": int(volume.astype(np.int64).sum()),
    }


def run_baseline(url: str, user: str, password: str, study: str, series: str) -> dict:
    import numpy as np
    import requests
    from dicomweb_client.api import DICOMwebClient
    from dicomweb_client.session_utils import create_session_from_auth
    from pydicom.dataset import Dataset

    session = create_session_from_auth(requests.auth.HTTPBasicAuth(user, password))
    client = DICOMwebClient(url, session=session)
    # Warm-up outside the timing: one instance through the whole path (imports, codecs).
    first_uid = client.search_for_instances(study, series)[0]["00080018"]["Value"][0]
    client.retrieve_instance(study, series, first_uid).pixel_array  # noqa: B018
    base_rss = rss_mb()
    reset_peak()
    t0 = time.perf_counter()
    [Dataset.from_json(m) for m in client.retrieve_series_metadata(study, series)]
    t_meta = time.perf_counter() - t0
    t1 = time.perf_counter()
    # Streamed (iter_series yields each instance as its part arrives), the stored syntax asked
    # for (Orthanc would otherwise transcode compressed instances first), each slice decoded
    # as it comes: what a user of dicomweb-client who wants the first slice early writes.
    datasets, slices = [], []
    t_first = None
    for ds in client.iter_series(study, series, media_types=(("application/dicom", "*"),)):
        slices.append(ds.pixel_array)
        del ds.PixelData  # the decoded slice is kept; the encoded bytes go
        datasets.append(ds)
        if t_first is None:
            t_first = time.perf_counter() - t1
    iop = np.array([float(v) for v in datasets[0].ImageOrientationPatient])
    normal = np.cross(iop[:3], iop[3:])
    order = sorted(range(len(datasets)), key=lambda i: float(
        np.dot(normal, [float(v) for v in datasets[i].ImagePositionPatient])))
    volume = np.stack([slices[i] for i in order])
    del slices
    total = time.perf_counter() - t1
    return {
        "metadata_s": t_meta, "first_slice_s": t_first, "total_s": total,
        "decoded_mb": volume.nbytes / 1e6, "peak_extra_mb": peak_mb() - base_rss,
        "checksum": int(volume.astype(np.int64).sum()),
    }


# --------------------------------------------------------------------------------------------
# Driver


def load_series(server, files: list[bytes]) -> tuple[str, str]:
    from io import BytesIO

    import pydicom

    first = pydicom.dcmread(BytesIO(files[0]), stop_before_pixels=True)
    for data in files:
        server.upload(data)
    return str(first.StudyInstanceUID), str(first.SeriesInstanceUID)


def measure(kind: str, server, study: str, series: str) -> dict:
    cmd = [sys.executable, __file__, "--worker", kind, server.dicomweb_url, server.user,
           server.password, study, series]
    out = subprocess.run(cmd, capture_output=True, text=True, check=False, cwd=ROOT)
    if out.returncode != 0:
        raise RuntimeError(f"{kind} failed: {out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--slices", type=int, default=500)
    parser.add_argument("--worker", nargs=6)
    parser.add_argument("--out", default=str(ROOT / "bench" / "RESULTS.md"))
    args = parser.parse_args()
    if args.worker:
        kind, url, user, password, study, series = args.worker
        fn = run_ours if kind == "ours" else run_baseline
        print(json.dumps(fn(url, user, password, study, series)))
        return 0

    from tests.orthanc import start_orthanc
    from workstation import demo

    cases: list[tuple[str, list[bytes]]] = []
    if PHANTOM.is_dir():
        cases.append(("Phantom CT, 140 x 512x512, JPEG-LS lossless",
                      [p.read_bytes() for p in sorted(PHANTOM.iterdir()) if p.is_file()]))
    else:
        print("../shared/data absent: phantom CT case skipped", file=sys.stderr)
    cases.append((f"Generated CT, {args.slices} x 512x512, uncompressed",
                   list(demo.phantom_series(shape=(args.slices, 512, 512), spacing=(1.0, 0.5, 0.5)))))

    server = start_orthanc()
    rows = []
    try:
        for label, files in cases:
            t = time.perf_counter()
            study, series = load_series(server, files)
            print(f"{label}: stored in Orthanc in {time.perf_counter() - t:.1f} s", file=sys.stderr)
            del files
            results: dict[str, list[dict]] = {"ours": [], "baseline": []}
            for r in range(args.repeats):
                for kind in ("ours", "baseline") if r % 2 == 0 else ("baseline", "ours"):
                    results[kind].append(measure(kind, server, study, series))
                    print(f"  {kind}: {results[kind][-1]}", file=sys.stderr)
            assert results["ours"][0]["checksum"] == results["baseline"][0]["checksum"], "volumes differ"
            rows.append((label, results))
    finally:
        server.stop()

    def med(results: list[dict], key: str) -> float:
        return statistics.median(r[key] for r in results)

    lines = [
        "## Retrieve and decode a CT series over DICOMweb (Orthanc 1.10 on loopback)",
        "",
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
        f"medians of {args.repeats} runs, each in a fresh process, ours and baseline alternating.",
        "Baseline: dicomweb-client `iter_series` (streamed, `transfer-syntax=*`) + pydicom",
        "`pixel_array` of each slice as it arrives + `numpy.stack`;",
        "its metadata is `retrieve_series_metadata` + `Dataset.from_json` (datasets, as ours gives).",
        "Series metadata is timed on its own; first slice and whole series from the start of the",
        "image retrieval.",
        "Ours: `fetch_series_volume` (metadata and stored-syntax instances requested together,",
        "streamed, decoded in `DecoderPool` processes into one preallocated volume).",
        "Both volumes are checked identical (checksum). Each side first fetches and decodes one",
        "instance untimed (imports, codecs, decoder processes started as the app does at start-up);",
        "peak memory is the growth of the process's peak RSS over its RSS after that warm-up.",
        "",
        "| series | measure | ours | baseline | ratio (baseline/ours) |",
        "|---|---|---|---|---|",
    ]
    for label, res in rows:
        o, b = res["ours"], res["baseline"]
        for key, name, unit in (("metadata_s", "time to series metadata", "s"),
                                ("first_slice_s", "time to first decoded slice", "s"),
                                ("total_s", "whole series retrieve + decode", "s")):
            lines.append(f"| {label} | {name} | {med(o, key):.3f} {unit} | {med(b, key):.3f} {unit} | "
                         f"{med(b, key) / med(o, key):.2f}x |")
        tput_o = med(o, "decoded_mb") / med(o, "total_s")
        tput_b = med(b, "decoded_mb") / med(b, "total_s")
        lines.append(f"| {label} | throughput | {tput_o:.0f} MB/s | {tput_b:.0f} MB/s | {tput_o / tput_b:.2f}x |")
        vol = med(o, "decoded_mb")
        lines.append(
            f"| {label} | peak memory over the decoded volume ({vol:.0f} MB) | "
            f"{med(o, 'peak_extra_mb') / vol:.2f}x | {med(b, 'peak_extra_mb') / vol:.2f}x | "
            f"{med(b, 'peak_extra_mb') / med(o, 'peak_extra_mb'):.2f}x |"
        )
    text = "\n".join(lines) + "\n"
    print(text)
    from bench.results import update_section

    update_section("retrieve", text, Path(args.out))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
