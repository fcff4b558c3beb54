"""``workstation render --view``: MPR planes, slabs and 3D of a volume in the library, as PNG."""

from __future__ import annotations

import argparse
from io import BytesIO
from pathlib import Path

import numpy as np
import pydicom
import pytest
from PIL import Image

from workstation.demo import phantom_series
from workstation.errors import WorkstationError
from workstation.model.geometry import VolumeGeometry
from workstation.model.mpr import MprState
from workstation.render.cli import add_render_parser, cmd_render
from workstation.render.mpr import render_mpr_image
from workstation.settings import load_settings
from workstation.sources import open_library

STUDY = "1.2.826.0.1.3680043.8.498.4343"
SHAPE = (12, 64, 56)  # slices, rows, columns
SPACING = (4.0, 3.5, 3.5)  # 48 x 224 x 196 mm: the whole head phantom


@pytest.fixture
def study() -> list[pydicom.Dataset]:
    library = open_library(load_settings())
    datasets = []
    for data in phantom_series(shape=SHAPE, spacing=SPACING, study_uid=STUDY):
        library.add_bytes(data)
        datasets.append(pydicom.dcmread(BytesIO(data)))
    library.close()
    return datasets


def _run(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    add_render_parser(parser.add_subparsers())
    return cmd_render(parser.parse_args(["render", *argv]), load_settings())


def _independent_volume(datasets: list[pydicom.Dataset]) -> tuple[np.ndarray, VolumeGeometry]:
    """Slices sorted by z with pydicom, the affine written out from the first slice."""
    ordered = sorted(datasets, key=lambda d: float(d.ImagePositionPatient[2]))
    volume = np.stack([d.pixel_array for d in ordered])
    first = ordered[0]
    dz = float(ordered[1].ImagePositionPatient[2]) - float(first.ImagePositionPatient[2])
    geometry = VolumeGeometry.from_image_plane(
        [float(v) for v in first.ImagePositionPatient], [float(v) for v in first.ImageOrientationPatient],
        (float(first.PixelSpacing[0]), float(first.PixelSpacing[1])), (0, 0, dz), volume.shape,
    )
    return volume, geometry


@pytest.mark.parametrize("view", ["axial", "coronal", "sagittal", "oblique"])
def test_cli_renders_an_mpr_plane(study: list[pydicom.Dataset], tmp_path: Path, view: str) -> None:
    out = tmp_path / f"{view}.png"
    assert _run([STUDY, "--view", view, "--azimuth", "20", "--elevation", "10", "--window", "0,3000", "--size", "200x160", "--no-overlay", "--out", str(out)]) == 0
    picture = np.asarray(Image.open(out).convert("RGB"))
    assert picture.shape == (160, 200, 3)
    volume, geometry = _independent_volume(study)
    state = MprState(geometry)
    name = "axial" if view == "oblique" else view
    if view == "oblique":
        state.rotate("sagittal", 10)
        state.rotate("coronal", 20)
    expected = render_mpr_image(volume, geometry, study[0], view=name, state=state, size=(200, 160), window=(0, 3000), overlay=False)
    assert len(np.unique(expected)) > 3
    assert np.array_equal(picture, expected)


def test_cli_slab_and_slice_position(study: list[pydicom.Dataset], tmp_path: Path) -> None:
    thin, slab, low = tmp_path / "thin.png", tmp_path / "slab.png", tmp_path / "low.png"
    assert _run([STUDY, "--view", "axial", "--no-overlay", "--window", "40,400", "--out", str(thin)]) == 0
    assert _run([STUDY, "--view", "axial", "--slab", "12", "--projection", "mip", "--no-overlay", "--window", "40,400", "--out", str(slab)]) == 0
    assert _run([STUDY, "--view", "axial", "--slice", "1", "--no-overlay", "--window", "40,400", "--out", str(low)]) == 0
    a, b, c = (np.asarray(Image.open(p).convert("L")).astype(int) for p in (thin, slab, low))
    assert np.all(b >= a - 1)  # a maximum over a slab around the plane is never darker
    assert (b > a + 1).any() and (a != c).any()
    with pytest.raises(WorkstationError, match="outside the axial positions 1 to 12"):
        _run([STUDY, "--view", "axial", "--slice", "13", "--out", str(low)])


def test_cli_3d_view(study: list[pydicom.Dataset], tmp_path: Path) -> None:
    out = tmp_path / "3d.png"
    try:
        import workstation.render.volume3d  # noqa: F401
    except ImportError:
        with pytest.raises(WorkstationError, match="3D view is not available yet"):
            _run([STUDY, "--view", "3d", "--out", str(out)])
        return
    assert _run([STUDY, "--view", "3d", "--preset", "mip", "--azimuth", "30", "--size", "96x96", "--out", str(out)]) == 0
    picture = np.asarray(Image.open(out).convert("RGB"))
    assert picture.shape == (96, 96, 3) and picture.max() > 0
