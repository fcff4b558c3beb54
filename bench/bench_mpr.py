"""Benchmark: MPR frame rates and memory, offscreen (EGL, software OpenGL on this machine).

Volumes: the 140-slice phantom CT of ../shared/data (ct_head_phantom_philips/S2020, 512x512,
JPEG-LS decoded once) when present, and a generated 512x512x500 CT (the demo head phantom,
0.7 x 0.7 mm pixels, 0.625 mm slices, int16, built slice by slice).

Ours: :class:`workstation.render.mpr.MprViewer`: one shared vtkImageData wrapping the numpy
volume (index space), one vtkImageReslice per plane, numpy display table into 8-bit buffers shown
by vtkImageActors, crosshair lines, markers and scale bar; a frame = state change + reslice of
every changed plane + one Render() of the window. Planes are 512x512 viewports.

Baseline, what a Python user would write without VTK (scipy is not a dependency of the project,
so its map_coordinates is not used): numpy slicing for orthogonal planes, numpy ``max`` over the
slab's slices for the slab, and trilinear interpolation in numpy
(:func:`workstation.model.resample.sample_trilinear`) for the oblique plane, each followed by the
same display table (np.take). The baseline draws nothing, so it only measures getting the pixels.

Measured (medians over ``--frames`` frames, ours and the baseline alternated per repeat):
1. three planes while the crosshair moves diagonally (all three planes change every frame);
2. an oblique (double-oblique) plane while it rotates 2 degrees per frame;
3. a 10 mm MIP slab (axial) while it scrolls; a 10 mm MIP slab on a double-oblique plane while it
   rotates: full quality (vtkImageReslice slab mode), the preview drawn while dragging (2x
   coarser in-plane), and, as its baseline, the way it was done before (a 3D block of samples
   projected by numpy);
4. peak memory (VmHWM) of a fresh process that builds the 500-slice volume and opens the
   three-plane MPR and moves the crosshair, vs the same process doing the numpy baseline.

Run: ``.venv/bin/python bench/bench_mpr.py [--frames 40] [--repeats 3] [--append]``
(--append replaces the "mpr" section of bench/RESULTS.md).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SHARED = ROOT.parent / "shared" / "data" / "ct_head_phantom_philips" / "S2020"
VIEW_PX = 512


def generated_ct(slices: int = 500, size: int = 512, spacing: tuple[float, float, float] = (0.625, 0.7, 0.7)):  # type: ignore[no-untyped-def]
    """The demo head phantom as stored values (HU + 1024, uint16 like the demo series), slice by slice."""
    from pydicom.dataset import Dataset

    from workstation.demo import HEAD
    from workstation.model.geometry import VolumeGeometry

    dz, dy, dx = spacing
    x = (np.arange(size) - (size - 1) / 2) * dx
    y = (np.arange(size) - (size - 1) / 2) * dy
    z0 = -(slices - 1) * dz / 2
    volume = np.empty((slices, size, size), dtype=np.int16)
    yy, xx = np.meshgrid(y, x, indexing="ij")
    for k in range(slices):
        z = z0 + k * dz
        hu = np.full((size, size), -1000.0, dtype=np.float32)
        for e in HEAD:
            rz = ((z - e.centre[2]) / e.radii[2]) ** 2
            if rz > 1:
                continue
            inside = ((yy - e.centre[1]) / e.radii[1]) ** 2 + ((xx - e.centre[0]) / e.radii[0]) ** 2 <= 1.0 - rz
            hu[inside] += e.hu
        volume[k] = np.clip(hu, -1024, 3071)
    geometry = VolumeGeometry.from_image_plane((x[0], y[0], z0), (1, 0, 0, 0, 1, 0), (dy, dx), (0, 0, dz), volume.shape)
    header = Dataset()
    header.Modality, header.PhotometricInterpretation = "CT", "MONOCHROME2"
    header.BitsAllocated, header.BitsStored, header.HighBit, header.PixelRepresentation = 16, 16, 15, 1
    header.RescaleSlope, header.RescaleIntercept = 1, 0
    return volume, geometry, header


def phantom_ct():  # type: ignore[no-untyped-def]
    import pydicom

    from workstation.model.resample import regular_volume
    from workstation.render.mpr import load_volume

    files = sorted(p for p in SHARED.rglob("*") if p.is_file() and p.suffix.lower() in (".dcm", ""))
    headers, paths = [], {}
    for p in files:
        try:
            ds = pydicom.dcmread(p, stop_before_pixels=True)
        except Exception:  # noqa: BLE001 - not a DICOM file
            continue
        headers.append(ds)
        paths[str(ds.SOPInstanceUID)] = p
    volume, result = load_volume(headers, lambda uid: paths[uid].read_bytes())
    regular = regular_volume(volume, result)
    return regular.volume, regular.geometry, headers[0]


def median_fps(step: Callable[[int], None], frames: int) -> float:
    step(0)  # warm-up: first reslice allocates, first render compiles shaders
    times = []
    for n in range(1, frames + 1):
        t0 = time.perf_counter()
        step(n)
        times.append(time.perf_counter() - t0)
    return 1.0 / statistics.median(times)


def measure(volume: np.ndarray, geometry, header, frames: int) -> dict[str, float]:  # type: ignore[no-untyped-def]
    from vtkmodules.util.numpy_support import vtk_to_numpy

    from workstation.model import pixels
    from workstation.model.mpr import MprState
    from workstation.model.resample import sample_trilinear
    from workstation.render.mpr import MprViewer, PlaneReslicer, VolumeImage, stored_for_display

    out: dict[str, float] = {}
    lut = pixels.display_lut(header, pixels.WindowPreset(40, 400, ""), stored_dtype=volume.dtype)
    table = lut.table
    unsigned = np.dtype(f"u{volume.dtype.itemsize}")
    slices, rows, columns = volume.shape
    spacing = geometry.spacing  # (row, column, slice)
    # A diagonal path of the crosshair through the middle third of the volume.
    start = geometry.index_to_patient([columns / 3, rows / 3, slices / 3])
    end = geometry.index_to_patient([2 * columns / 3, 2 * rows / 3, 2 * slices / 3])

    def path(n: int) -> np.ndarray:
        t = (n % frames) / max(frames - 1, 1)
        return start + (end - start) * t

    # 1. three planes, crosshair moving
    viewer = MprViewer(volume, geometry, header, size=(3 * VIEW_PX, VIEW_PX))
    viewer.set_window(40, 400)

    def three(n: int) -> None:
        viewer.state.center = path(n)
        viewer.render()

    out["three_plane_ours"] = median_fps(three, frames)
    viewer.close()

    def three_numpy(n: int) -> None:
        i, j, k = np.rint(geometry.patient_to_index(path(n))).astype(int)
        for plane in (volume[k], volume[::-1, j, :], volume[::-1, :, i]):
            np.take(table, plane.view(unsigned))

    out["three_plane_numpy"] = median_fps(three_numpy, frames)
    source = VolumeImage(volume, geometry)
    reslicers = {name: PlaneReslicer(source) for name in ("axial", "coronal", "sagittal")}
    pixel_state = MprState(geometry)

    def pixels_only(state: MprState, names: tuple[str, ...]) -> None:
        for name in names:
            values = stored_for_display(reslicers[name].values(state.plane(name)), volume.dtype)
            np.take(table, values.view(unsigned))

    def three_pixels(n: int) -> None:
        pixel_state.center = path(n)
        pixels_only(pixel_state, ("axial", "coronal", "sagittal"))

    out["three_plane_pixels"] = median_fps(three_pixels, frames)

    # 2. oblique plane rotating (double oblique: tilted 20 degrees first)
    state = MprState(geometry)
    state.rotate("sagittal", 20.0)
    viewer = MprViewer(volume, geometry, header, state=state, names=("coronal",), size=(VIEW_PX, VIEW_PX))
    viewer.set_window(40, 400)

    def oblique(n: int) -> None:
        viewer.state.rotate("axial", 2.0)
        viewer.render()

    out["oblique_ours"] = median_fps(oblique, frames)
    viewer.close()
    numpy_state = MprState(geometry)
    numpy_state.rotate("sagittal", 20.0)

    def oblique_numpy(n: int) -> None:
        numpy_state.rotate("axial", 2.0)
        plane = numpy_state.plane("coronal")
        r, c = np.mgrid[0 : plane.rows, 0 : plane.columns]
        values = sample_trilinear(volume, geometry.patient_to_index(plane.pixel_to_patient(c, r)), fill=-1024)
        np.take(table, np.rint(values).astype(volume.dtype).view(unsigned))

    out["oblique_numpy"] = median_fps(oblique_numpy, max(3, frames // 8))
    pixel_state = MprState(geometry)
    pixel_state.rotate("sagittal", 20.0)

    def oblique_pixels(n: int) -> None:
        pixel_state.rotate("axial", 2.0)
        pixels_only(pixel_state, ("coronal",))

    out["oblique_pixels"] = median_fps(oblique_pixels, frames)

    # 3. 10 mm MIP slab, axial, scrolling
    state = MprState(geometry)
    state.set_slab(10.0, "mip")
    viewer = MprViewer(volume, geometry, header, state=state, names=("axial",), size=(VIEW_PX, VIEW_PX))
    viewer.set_window(40, 400)
    low = int(slices * 0.3)

    def slab(n: int) -> None:
        viewer.state.set_slice("axial", low + n % max(1, slices // 3))
        viewer.render()

    out["slab_ours"] = median_fps(slab, frames)
    viewer.close()
    half = int(round(10.0 / spacing[2])) // 2

    def slab_numpy(n: int) -> None:
        k = low + n % max(1, slices // 3)
        np.take(table, volume[max(0, k - half) : k + half + 1].max(axis=0).view(unsigned))

    out["slab_numpy"] = median_fps(slab_numpy, frames)
    pixel_state = MprState(geometry)
    pixel_state.set_slab(10.0, "mip")

    def slab_pixels(n: int) -> None:
        pixel_state.set_slice("axial", low + n % max(1, slices // 3))
        pixels_only(pixel_state, ("axial",))

    out["slab_pixels"] = median_fps(slab_pixels, frames)
    # An oblique 10 mm MIP slab (no voxel-aligned shortcut): vtkImageReslice's slab mode.
    oblique_slab = MprState(geometry)
    oblique_slab.rotate("sagittal", 20.0)
    oblique_slab.set_slab(10.0, "mip")

    def oblique_slab_pixels(n: int) -> None:
        oblique_slab.rotate("axial", 2.0)
        pixels_only(oblique_slab, ("coronal",))

    out["oblique_slab_pixels"] = median_fps(oblique_slab_pixels, max(5, frames // 2))
    # The same slab the way it was done before (a 3D block of samples, projected by numpy).
    block_state = MprState(geometry)
    block_state.rotate("sagittal", 20.0)
    block_state.set_slab(10.0, "mip")
    block_reslicer = PlaneReslicer(VolumeImage(volume, geometry))

    def oblique_slab_block(n: int) -> None:
        block_state.rotate("axial", 2.0)
        plane = block_state.plane("coronal")
        block_reslicer.configure(plane)
        block_reslicer.reslice.Update()
        samples = vtk_to_numpy(block_reslicer.reslice.GetOutput().GetPointData().GetScalars())
        np.take(table, samples.reshape(plane.slab_samples, plane.rows, plane.columns).max(axis=0).view(unsigned))

    out["oblique_slab_block"] = median_fps(oblique_slab_block, max(5, frames // 2))
    # Drawn: full quality (the picture after a drag) and the preview drawn while dragging.
    for key, interactive in (("oblique_slab_ours", False), ("oblique_slab_preview", True)):
        state = MprState(geometry)
        state.rotate("sagittal", 20.0)
        state.set_slab(10.0, "mip")
        viewer = MprViewer(volume, geometry, header, state=state, names=("coronal",), size=(VIEW_PX, VIEW_PX))
        viewer.set_window(40, 400)
        viewer.interactive = interactive

        def oblique_slab_drawn(n: int, viewer: MprViewer = viewer) -> None:
            viewer.state.rotate("axial", 2.0)
            viewer.render()

        out[key] = median_fps(oblique_slab_drawn, max(5, frames // 2))
        viewer.close()
    return out


def vm(key: str) -> int:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith(key + ":"):
                return int(line.split()[1]) * 1024
    return 0


def memory_child(mode: str) -> None:
    """Run in a fresh process: build the 500-slice CT, open MPR (or the numpy baseline), move."""
    volume, geometry, header = generated_ct()
    built = vm("VmHWM")
    if mode == "ours":
        from workstation.render.mpr import MprViewer

        viewer = MprViewer(volume, geometry, header, size=(3 * VIEW_PX, VIEW_PX))
        viewer.set_window(40, 400)
        viewer.state.set_slab(10.0, "mip")
        for _ in range(10):
            viewer.state.scroll("axial", 3)
            viewer.state.scroll("coronal", 3)
            viewer.render()
    else:
        from workstation.model import pixels

        table = pixels.display_lut(header, pixels.WindowPreset(40, 400, ""), stored_dtype=volume.dtype).table
        for n in range(10):
            k = 200 + 3 * n
            for plane in (volume[k - 8 : k + 9].max(axis=0), volume[::-1, 200 + n, :], volume[::-1, :, 200 + n]):
                np.take(table, plane.view(np.uint16))
    print(json.dumps({"volume_mb": volume.nbytes / 1e6, "after_build_mb": built / 1e6, "peak_mb": vm("VmHWM") / 1e6}))


def run_memory(mode: str) -> dict[str, float]:
    env = dict(os.environ)
    out = subprocess.run([sys.executable, __file__, "--memory-child", mode], capture_output=True, text=True, env=env, check=True)
    result: dict[str, float] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=40)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--slices", type=int, default=500)
    parser.add_argument("--append", action="store_true", help="replace the 'mpr' section of bench/RESULTS.md")
    parser.add_argument("--memory-child", choices=("ours", "numpy"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.memory_child:
        memory_child(args.memory_child)
        return

    datasets = []
    if SHARED.is_dir():
        t0 = time.perf_counter()
        datasets.append(("phantom CT 140 x 512 x 512 (S2020)", *phantom_ct()))
        print(f"phantom CT decoded in {time.perf_counter() - t0:.1f} s", flush=True)
    t0 = time.perf_counter()
    datasets.append((f"generated CT {args.slices} x 512 x 512", *generated_ct(args.slices)))
    print(f"generated CT built in {time.perf_counter() - t0:.1f} s", flush=True)

    rows = []
    for name, volume, geometry, header in datasets:
        runs = [measure(volume, geometry, header, args.frames) for _ in range(args.repeats)]
        med = {key: statistics.median(r[key] for r in runs) for key in runs[0]}
        print(name, json.dumps({k: round(v, 1) for k, v in med.items()}), flush=True)
        rows.append((name, med))
    del datasets

    memory = {mode: run_memory(mode) for mode in ("ours", "numpy")}
    print("memory", json.dumps(memory), flush=True)

    load = os.getloadavg()
    lines = [
        "## MPR (bench/bench_mpr.py)",
        "",
        f"{platform.node() or 'machine'}: {os.cpu_count()} cores, Python {platform.python_version()}, offscreen EGL (software OpenGL), "
        f"load average {load[0]:.2f}; medians of {args.repeats} repeats x {args.frames} frames; planes drawn in {VIEW_PX}x{VIEW_PX} viewports.",
        "Baseline: numpy slicing / numpy slab max / numpy trilinear (scipy is not installed), pixels through the same display table, nothing drawn.",
        "",
        "| volume | measure | ours (fps, drawn) | ours, pixels only (fps) | numpy baseline (fps, pixels only) | aim |",
        "|---|---|---|---|---|---|",
    ]
    for name, med in rows:
        lines.append(f"| {name} | three planes, crosshair moving | {med['three_plane_ours']:.1f} | {med['three_plane_pixels']:.1f} | {med['three_plane_numpy']:.1f} | 30 |")
        lines.append(f"| {name} | oblique plane rotating | {med['oblique_ours']:.1f} | {med['oblique_pixels']:.1f} | {med['oblique_numpy']:.1f} | 20 |")
        lines.append(f"| {name} | 10 mm MIP slab scrolling (axial) | {med['slab_ours']:.1f} | {med['slab_pixels']:.1f} | {med['slab_numpy']:.1f} | 10 |")
        lines.append(f"| {name} | 10 mm MIP slab, oblique, rotating, full quality | {med['oblique_slab_ours']:.1f} | {med['oblique_slab_pixels']:.1f} | {med['oblique_slab_block']:.1f} (before: VTK 3D block + numpy max) | 10 |")
        lines.append(f"| {name} | 10 mm MIP slab, oblique, while dragging (2x coarser preview) | {med['oblique_slab_preview']:.1f} | - | - | 10 |")
    ours, base = memory["ours"], memory["numpy"]
    lines += [
        "",
        f"Peak memory (VmHWM, fresh process, generated {ours['volume_mb']:.0f} MB volume): "
        f"MPR open (three planes, 10 mm MIP, 10 moves) **{ours['peak_mb']:.0f} MB** (aim <= 650 MB; "
        f"{ours['after_build_mb']:.0f} MB after building the volume); numpy baseline {base['peak_mb']:.0f} MB.",
    ]
    text = "\n".join(lines)
    print(text)
    if args.append:
        from bench.results import update_section

        update_section("mpr", text)


if __name__ == "__main__":
    main()
