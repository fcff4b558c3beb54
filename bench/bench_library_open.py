"""Benchmark: opening a study again from the local library, against pydicom reading its files.

What the main window does before a library study's viewports exist (headers read from the
library, rejected ones set aside, display sets), measured without Qt so that only this part is
timed: ours with the display set cache of :mod:`workstation.store.displayset_cache` (the study
opened before, as when it is opened again), ours building display sets as before the cache, and
the reference, pydicom ``dcmread(stop_before_pixels=True)`` of every file and a sort along the
slice normal. Each measurement runs in a fresh process (cold imports excluded), the three
alternating, medians of ``--repeats``. The series is the real CT of ``bench_link.py``.

    .venv/bin/python bench/bench_library_open.py [--repeats 5] [--slices 500]
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
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def worker(kind: str, root: str, study: str) -> dict:
    import numpy as np
    import pydicom

    from workstation.app.open_study import readable_headers
    from workstation.model.displayset import build_display_sets
    from workstation.store.library import Library

    if kind == "reference":  # the same files, in clear (the library's are encrypted at rest)
        paths = sorted(p for p in (Path(root).parent / "reference").rglob("*") if p.is_file())
        t0 = time.perf_counter()
        headers = [pydicom.dcmread(p, stop_before_pixels=True) for p in paths]
        iop = np.array([float(v) for v in headers[0].ImageOrientationPatient])
        normal = np.cross(iop[:3], iop[3:])
        headers.sort(key=lambda d: float(np.dot(normal, [float(v) for v in d.ImagePositionPatient])))
        return {"seconds": time.perf_counter() - t0, "images": len(headers)}
    library = Library(Path(root))
    t0 = time.perf_counter()
    headers, _hidden = readable_headers(library.study_headers(study))
    if kind == "cached":
        sets = library.display_sets(study, headers)
    else:
        sets = build_display_sets(headers)
    seconds = time.perf_counter() - t0
    cache = library._displayset_cache  # noqa: SLF001 - the bench checks it was a hit
    hit = bool(cache and cache.hits) if kind == "cached" else None
    library.close()
    return {"seconds": seconds, "images": sum(s.number_of_images for s in sets), "hit": hit}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--slices", type=int, default=500)
    parser.add_argument("--worker", nargs=3)
    parser.add_argument("--out", default=str(ROOT / "bench" / "RESULTS.md"))
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker(*args.worker)))
        return 0

    from io import BytesIO

    import pydicom

    from bench.bench_link import make_series
    from workstation.store.library import Library

    with tempfile.TemporaryDirectory(prefix="bench-open-") as folder:
        # The library's key is in the tests' keyring stand-in (a file here), which the worker
        # processes read too.
        os.environ["PYTHON_KEYRING_BACKEND"] = "tests.conftest.MemoryKeyring"
        os.environ["WORKSTATION_TEST_KEYRING"] = str(Path(folder) / "keyring.json")
        root = Path(folder) / "library"
        library = Library(root)
        files = list(make_series(args.slices))
        (Path(folder) / "reference").mkdir()
        for n, data in enumerate(files):
            library.add_bytes(data)
            (Path(folder) / "reference" / f"{n:05d}.dcm").write_bytes(data)
        study = str(pydicom.dcmread(BytesIO(files[0]), stop_before_pixels=True).StudyInstanceUID)
        library.display_sets(study, library.study_headers(study))  # opened once before
        library.close()
        del files
        kinds = ("cached", "built", "reference")
        results: dict[str, list[float]] = {k: [] for k in kinds}
        loads = []
        for r in range(args.repeats):
            for kind in kinds if r % 2 == 0 else tuple(reversed(kinds)):
                loads.append(os.getloadavg()[0])
                out = subprocess.run([sys.executable, __file__, "--worker", kind, str(root), study],
                                     capture_output=True, text=True, check=True, cwd=ROOT,
                                     timeout=600)
                res = json.loads(out.stdout.strip().splitlines()[-1])
                assert res["images"] == args.slices and res.get("hit") in (None, True), res
                results[kind].append(res["seconds"])
                print(kind, res, file=sys.stderr)

    def cell(kind: str) -> str:
        v = results[kind]
        return f"{statistics.median(v) * 1000:.0f} ms ({min(v) * 1000:.0f}-{max(v) * 1000:.0f})"

    ref = statistics.median(results["reference"])
    text = "\n".join([
        "## Opening a study again from the library (bench_library_open.py)",
        "",
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"shared with other work (1-minute load average {min(loads):.1f}-{max(loads):.1f}). "
        f"{args.slices} real CT slices 512x512 in the library; medians of {args.repeats} fresh "
        "processes (min-max), alternating. Ours: library headers, rejected ones set aside, display "
        "sets (cached: the study was opened before; built: as without the cache). Reference: "
        "pydicom `dcmread(stop_before_pixels=True)` of every file and a sort along the normal.",
        "",
        "| | time | reference/ours |",
        "|---|---|---|",
        f"| ours, display sets from the cache | {cell('cached')} | "
        f"{ref / statistics.median(results['cached']):.2f}x |",
        f"| ours, display sets built | {cell('built')} | "
        f"{ref / statistics.median(results['built']):.2f}x |",
        f"| reference | {cell('reference')} | 1.00x |",
    ]) + "\n"
    print(text)
    from bench.results import update_section

    update_section("library-open", text, Path(args.out))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
