"""Benchmark: scrolling a cached 512x512x200 CT stack in the 2D viewport, 1x1 and 2x2.

Ours: ``ViewportWidget`` (QVTKRenderWindowInteractor + SliceRenderer: stored int16/uint16 values
kept once, mapped by the numpy display table into the viewport's reused 8-bit buffer that VTK shows
as it is; one coalesced Render() per viewport per event-loop turn). Reference, what a Python user would
otherwise write: pydicom ``apply_modality_lut`` + ``apply_voi_lut`` and a numpy scale to 8 bits,
shown as a QImage drawn with QPainter in a plain QWidget. Both run in the same process, on the
same virtual X server, on the same decoded stack (generated with workstation.demo.phantom_series),
alternating ours and the reference in each repeat.

A frame is one image step: every viewport of the arrangement moves to the next slice and is
painted synchronously (linked scrolling in 2x2, the harder case). Reported: median frame time as
frames per second, the ratio ours / reference, and the time from handing over the first slice to
the first frame on screen. Run (starts Xvfb itself when there is no DISPLAY):

    .venv/bin/python bench/bench_2d.py [--frames 200] [--repeats 3] [--before REV] [--append bench/RESULTS.md]
    (--append replaces its own section there; --before REV runs REV's own bench first, same X server)
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from io import BytesIO
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

WINDOW_PX = 768  # the grid's area on screen: 1x1 = one 768x768 viewport, 2x2 = four 384x384


def start_xvfb() -> subprocess.Popen[bytes] | None:
    if os.environ.get("DISPLAY"):
        return None
    if shutil.which("Xvfb") is None:
        sys.exit("No DISPLAY and no Xvfb: install xvfb or run under a display.")
    for number in range(90, 120):
        if not Path(f"/tmp/.X{number}-lock").exists():
            break
    proc = subprocess.Popen(["Xvfb", f":{number}", "-screen", "0", "1280x1024x24", "-nolisten", "tcp"], stderr=subprocess.DEVNULL)
    time.sleep(1.0)
    os.environ["DISPLAY"] = f":{number}"
    return proc


def build_stack(count: int):  # type: ignore[no-untyped-def]
    import pydicom

    from workstation.demo import phantom_series
    from workstation.model.decode import decode_instance

    items = []
    for data in phantom_series(shape=(count, 512, 512), spacing=(1.0, 0.5, 0.5)):
        items.append((pydicom.dcmread(BytesIO(data)), decode_instance(data)[0]))
    return items


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=200)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--slices", type=int, default=200)
    parser.add_argument("--append", type=Path, default=None, help="append the markdown table to this file")
    parser.add_argument("--before", default=None, metavar="REV",
                        help="also run this git revision's bench_2d.py (its own code, same X server, same sizes) "
                             "first and show its numbers in a 'before' column")
    args = parser.parse_args()

    xvfb = start_xvfb()
    os.environ.setdefault("QT_QPA_PLATFORM", "xcb")
    try:
        return run(args)
    finally:
        if xvfb is not None:
            xvfb.terminate()
            xvfb.wait(5)


def run_before(rev: str, args: argparse.Namespace) -> dict[str, float]:
    """The numbers of ``rev``'s own bench (its own code, exported with git archive), keyed by the
    first cell of each table row."""
    import re
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        archive = subprocess.run(["git", "-C", str(ROOT), "archive", rev, "workstation", "bench"], check=True, capture_output=True).stdout
        subprocess.run(["tar", "-x", "-C", folder], input=archive, check=True)
        out = subprocess.run(
            [sys.executable, str(Path(folder) / "bench" / "bench_2d.py"), "--frames", str(args.frames),
             "--repeats", str(args.repeats), "--slices", str(args.slices)],
            check=True, capture_output=True, text=True, env=os.environ.copy(),
        ).stdout
    numbers: dict[str, float] = {}
    for line in out.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) >= 2 and re.fullmatch(r"[0-9.]+", cells[1]):
            numbers[cells[0]] = float(cells[1])
    return numbers


def run(args: argparse.Namespace) -> int:
    import numpy as np
    from pydicom.pixels import apply_modality_lut, apply_voi_lut
    from PySide6.QtCore import QRect
    from PySide6.QtGui import QImage, QPainter
    from PySide6.QtWidgets import QApplication, QGridLayout, QWidget

    app = QApplication.instance() or QApplication(sys.argv)

    from workstation.ui.viewport import ViewportWidget

    t0 = time.perf_counter()
    stack = build_stack(args.slices)
    print(f"stack: {len(stack)} slices 512x512 {stack[0][1].dtype} generated and decoded in {time.perf_counter() - t0:.1f} s", file=sys.stderr)

    class ReferenceView(QWidget):
        """pydicom + numpy window/level, QImage drawn with QPainter, nearest-neighbour scaling."""

        def __init__(self) -> None:
            super().__init__()
            self.image: QImage | None = None
            self.buffer: np.ndarray | None = None

        def set_slice(self, ds, stored) -> None:  # type: ignore[no-untyped-def]
            values = apply_voi_lut(apply_modality_lut(stored, ds), ds)  # first window, PS3.3 C.11.2
            low, high = float(values.min()), float(values.max())
            grey = np.ascontiguousarray(((values - low) * (255.0 / max(high - low, 1e-9))).astype(np.uint8))
            self.buffer = grey
            self.image = QImage(grey.data, grey.shape[1], grey.shape[0], grey.strides[0], QImage.Format.Format_Grayscale8)
            self.repaint()

        def paintEvent(self, ev) -> None:  # type: ignore[no-untyped-def]  # noqa: N802
            painter = QPainter(self)
            painter.fillRect(self.rect(), 0)
            if self.image is not None:
                side = min(self.width(), self.height())
                target = QRect((self.width() - side) // 2, (self.height() - side) // 2, side, side)
                painter.drawImage(target, self.image)
            painter.end()

    def make_grid(kind: str, n: int) -> tuple[QWidget, list[QWidget]]:
        top = QWidget()
        grid = QGridLayout(top)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setSpacing(0)
        views: list[QWidget] = []
        for k in range(n * n):
            view: QWidget = ViewportWidget() if kind == "ours" else ReferenceView()
            grid.addWidget(view, k // n, k % n)
            views.append(view)
        top.resize(WINDOW_PX, WINDOW_PX)
        top.show()
        for _ in range(20):
            app.processEvents()
            time.sleep(0.01)
        return top, views

    def first_frame(kind: str) -> float:
        top, views = make_grid(kind, 1)
        view = views[0]
        ds, stored = stack[0]
        if isinstance(view, ViewportWidget):
            view.show_display_set(None, None, len(stack))
            app.processEvents()
            start = time.perf_counter()
            view.set_image(0, stored, ds)  # asks for a frame, drawn in the event loop
            app.processEvents()
            assert not view.render_pending
            view.renderer.render_window.WaitForCompletion()
        else:
            app.processEvents()
            start = time.perf_counter()
            assert isinstance(view, ReferenceView)
            view.set_slice(ds, stored)
        elapsed = time.perf_counter() - start
        top.close()
        top.deleteLater()
        app.processEvents()
        return elapsed

    def scroll(kind: str, n: int) -> list[float]:
        top, views = make_grid(kind, n)
        if kind == "ours":
            for view in views:
                assert isinstance(view, ViewportWidget)
                view.show_display_set(None, None, len(stack))
                for i, (ds, stored) in enumerate(stack):
                    view.renderer.set_image(i, stored, ds)
                view.state.image_index = 1
                view.state.image_index = 0
        times = []
        for f in range(args.frames + 5):
            index = (f + 1) % len(stack)
            ds, stored = stack[index]
            start = time.perf_counter()
            for view in views:
                if isinstance(view, ViewportWidget):
                    view.state.image_index = index
                else:
                    assert isinstance(view, ReferenceView)
                    view.set_slice(ds, stored)
            app.processEvents()  # ours: each viewport draws its one coalesced frame here
            if kind == "ours":
                for view in views:
                    assert isinstance(view, ViewportWidget) and not view.render_pending
                views[-1].renderer.render_window.WaitForCompletion()  # type: ignore[attr-defined]
            if f >= 5:  # warm-up frames left out
                times.append(time.perf_counter() - start)
        top.close()
        top.deleteLater()
        app.processEvents()
        return times

    before: dict[str, float] = {}
    load_start = os.getloadavg()[0]
    if args.before:
        before = run_before(args.before, args)
    results: dict[tuple[str, str], list[float]] = {}
    for _ in range(args.repeats):
        for layout, n in (("1x1", 1), ("2x2", 2)):
            for kind in ("ours", "reference"):
                results.setdefault((layout, kind), []).append(statistics.median(scroll(kind, n)))
        for kind in ("ours", "reference"):
            results.setdefault(("first", kind), []).append(first_frame(kind))

    def fps(layout: str, kind: str) -> float:
        return 1.0 / statistics.median(results[(layout, kind)])

    load_end = os.getloadavg()[0]
    before_head = f" before ({args.before}) |" if args.before else ""
    lines = [
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, {platform.python_version()}, Xvfb + Mesa llvmpipe (no GPU); "
        f"{args.slices} slices 512x512, grid area {WINDOW_PX}x{WINDOW_PX} px, {args.frames} frames x {args.repeats} repeats, medians; "
        f"1-minute load average {load_start:.1f} at the start, {load_end:.1f} at the end (the machine is shared: "
        "numbers move with it, compare within one run).",
        "",
        f"| measurement | ours (VTK viewport) |{before_head} reference (pydicom+numpy, QImage/QPainter) | speed ratio ours/reference |",
        "|---|---|---|---|" + ("---|" if args.before else ""),
    ]

    def before_cell(name: str) -> str:
        if not args.before:
            return ""
        value = before.get(name)
        return f" {value:.1f} |" if value is not None else " - |"

    for layout in ("1x1", "2x2"):
        ours, ref = fps(layout, "ours"), fps(layout, "reference")
        name = f"scroll {layout} (all viewports step, fps)"
        lines.append(f"| {name} | {ours:.1f} |{before_cell(name)} {ref:.1f} | {ours / ref:.2f}x |")
    ours_ms = 1000 * statistics.median(results[("first", "ours")])
    ref_ms = 1000 * statistics.median(results[("first", "reference")])
    name = "set_image of the first slice -> first frame (ms)"
    lines.append(f"| {name} | {ours_ms:.1f} |{before_cell(name)} {ref_ms:.1f} | {ref_ms / ours_ms:.2f}x |")
    table = "\n".join(lines)
    print(table)
    if args.append:
        sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
        from bench.results import update_section

        update_section(
            "2d",
            f"## 2D viewport: scroll frame rate and first frame (bench/bench_2d.py, {time.strftime('%Y-%m-%d')})\n\n{table}",
            args.append,
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
