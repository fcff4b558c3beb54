"""``workstation render``: a PNG of what the viewport shows, from a study in the library."""

from __future__ import annotations

import argparse
from io import BytesIO
from pathlib import Path

import numpy as np
import pydicom
import pytest
from PIL import Image

from tests.render import naive
from workstation.demo import phantom_series
from workstation.errors import WorkstationError
from workstation.model.viewport import ViewportState
from workstation.render.cli import add_render_parser, cmd_render
from workstation.settings import load_settings
from workstation.sources import open_library

SHAPE = (5, 96, 80)  # slices, rows, columns
SPACING = (4.0, 2.0, 2.0)


@pytest.fixture
def study(tmp_path: Path) -> tuple[str, list[pydicom.Dataset]]:
    settings = load_settings()
    library = open_library(settings)
    datasets = []
    for data in phantom_series(shape=SHAPE, spacing=SPACING, study_uid="1.2.826.0.1.3680043.8.498.4242"):
        library.add_bytes(data)
        datasets.append(pydicom.dcmread(BytesIO(data)))
    library.close()
    return "1.2.826.0.1.3680043.8.498.4242", datasets


def _run(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    add_render_parser(parser.add_subparsers())
    args = parser.parse_args(["render", *argv])
    return cmd_render(args, load_settings())


def _expected_screen(ds: pydicom.Dataset, size: tuple[int, int], center: float, width: float) -> tuple[np.ndarray, list[tuple[int, int, int, int]]]:
    expected = naive.grey(ds.pixel_array, ds, center, width)
    state = ViewportState()
    aspect = float(ds.PixelSpacing[0]) / float(ds.PixelSpacing[1])
    samples = []
    for r in range(0, SHAPE[1], 3):
        for c in range(0, SHAPE[2], 3):
            x, y = state.image_to_screen((c, r), size, (SHAPE[2], SHAPE[1]), aspect)
            samples.append((c, r, int(x), int(y)))
    return expected, samples


@pytest.mark.parametrize(("extra", "window"), [([], (40.0, 80.0)), (["--window", "0,2000"], (0.0, 2000.0)), (["--preset", "lung"], (-600.0, 1500.0)), (["--preset", "bone"], (600.0, 2800.0))])
def test_render_writes_the_viewport_picture(study, tmp_path: Path, extra: list[str], window: tuple[float, float]) -> None:  # type: ignore[no-untyped-def]
    """Default: the image's first window (BRAIN 40/80); --preset lung is the CT preset; --preset
    bone is the image's own BONE window (600/2800), which comes before the CT preset of that name."""
    study_uid, datasets = study
    out = tmp_path / "slice.png"
    assert _run([study_uid, "--series", "2", "--slice", "3", "--size", "320x288", "--no-overlay", "--out", str(out), *extra]) == 0
    picture = np.asarray(Image.open(out).convert("RGB"))
    assert picture.shape == (288, 320, 3)
    ds = next(d for d in datasets if int(d.InstanceNumber) == 3)  # slice 3 of 5, inferior first
    expected, samples = _expected_screen(ds, (320, 288), *window)
    got = np.array([picture[y, x, 0] for c, r, x, y in samples])
    want = np.array([expected[r, c] for c, r, x, y in samples])
    assert len(np.unique(want)) >= 2
    assert np.array_equal(got, want)


def test_render_with_overlay_and_middle_slice(study, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    study_uid, _ = study
    plain, over = tmp_path / "plain.png", tmp_path / "overlay.png"
    assert _run([study_uid, "--no-overlay", "--out", str(plain)]) == 0
    assert _run([study_uid, "--out", str(over)]) == 0
    a = np.asarray(Image.open(plain).convert("RGB")).astype(int)
    b = np.asarray(Image.open(over).convert("RGB")).astype(int)
    assert a.shape == b.shape == (512, 512, 3)
    differs = np.abs(a - b).sum(axis=2) > 0
    # Text lands in the corners and at the edge midpoints, the image centre is untouched.
    assert differs[:60, :200].any() and differs[-60:, -200:].any()
    assert not differs[200:312, 200:312].any()


def test_render_errors_are_sentences(study, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    study_uid, _ = study
    out = tmp_path / "x.png"
    with pytest.raises(WorkstationError, match="not in the local library"):
        _run(["1.2.3.999", "--out", str(out)])
    with pytest.raises(WorkstationError, match="no image series 9"):
        _run([study_uid, "--series", "9", "--out", str(out)])
    with pytest.raises(WorkstationError, match="No image of this display set has Instance Number 6; its images are numbered 1 to 5"):
        _run([study_uid, "--slice", "6", "--out", str(out)])
    with pytest.raises(WorkstationError, match="--size"):
        _run([study_uid, "--size", "big", "--out", str(out)])
    with pytest.raises(WorkstationError, match="no window preset"):
        _run([study_uid, "--preset", "nonsense", "--out", str(out)])
    assert not out.exists()


def test_slice_is_the_instance_number_not_the_stack_position(tmp_path: Path) -> None:
    """Instance Numbers counting the other way from the stack (sorted by position): --slice 63 is
    the image numbered 63 (as the corner's 'Im:' and a report's "image 63" say), not the 63rd."""
    settings = load_settings()
    library = open_library(settings)
    study_uid = "1.2.826.0.1.3680043.8.498.4343"
    datasets = []
    for k, data in enumerate(phantom_series(shape=SHAPE, spacing=SPACING, study_uid=study_uid)):
        ds = pydicom.dcmread(BytesIO(data))
        ds.InstanceNumber = 65 - k  # superior first: numbers run against the positions
        buffer = BytesIO()
        ds.save_as(buffer, enforce_file_format=True)
        library.add_bytes(buffer.getvalue())
        datasets.append(ds)
    library.close()
    out = tmp_path / "im63.png"
    assert _run([study_uid, "--series", "2", "--slice", "63", "--no-overlay", "--out", str(out)]) == 0
    picture = np.asarray(Image.open(out).convert("RGB"))
    ds = next(d for d in datasets if int(d.InstanceNumber) == 63)
    other = next(d for d in datasets if int(d.InstanceNumber) == 62)
    assert not np.array_equal(ds.pixel_array, other.pixel_array)
    expected, samples = _expected_screen(ds, (512, 512), 40.0, 80.0)
    got = np.array([picture[y, x, 0] for c, r, x, y in samples])
    want = np.array([expected[r, c] for c, r, x, y in samples])
    assert len(np.unique(want)) >= 2 and np.array_equal(got, want)
    with pytest.raises(WorkstationError, match="numbered 61 to 65"):
        _run([study_uid, "--series", "2", "--slice", "3", "--out", str(out)])
