"""Oblique slabs through vtkImageReslice's slab mode (workstation.render.mpr.PlaneReslicer):
the same samples as the sampled path (a 3D block of trilinear samples that numpy projects), for
odd and even sample counts and every projection; and the coarser preview grid while dragging."""

from __future__ import annotations

import numpy as np
import pytest
from pydicom.dataset import Dataset
from vtkmodules.util.numpy_support import vtk_to_numpy

from tests.render.test_mpr import _geometries
from workstation.model.mpr import PLANE_NAMES, MprState
from workstation.render.mpr import (
    MprViewer,
    PlaneReslicer,
    VolumeImage,
    _is_permutation,
    aligned_axis,
    reslice_axes,
)


def _sampled_block(reslicer: PlaneReslicer, plane) -> np.ndarray:  # type: ignore[no-untyped-def]
    """The slab's samples as the sampled path takes them: (samples, rows, columns)."""
    reslicer.configure(plane)
    reslicer.reslice.Update()
    data = vtk_to_numpy(reslicer.reslice.GetOutput().GetPointData().GetScalars())
    return np.array(data).reshape(plane.slab_samples, plane.rows, plane.columns)


@pytest.mark.parametrize("turn", [("sagittal", 20.0), ("coronal", 50.0), ("axial", 31.0)])
@pytest.mark.parametrize("thickness", [3.0, 4.0, 10.0])
def test_slab_mode_equals_the_projection_of_the_sampled_block(turn: tuple[str, float], thickness: float) -> None:
    geometry = _geometries()["double oblique"]
    volume = np.random.default_rng(7).integers(-1000, 2000, size=geometry.shape).astype(np.int16)
    source = VolumeImage(volume, geometry)
    counts = set()
    for projection, reduce in (("mip", np.max), ("minip", np.min), ("avg", np.mean)):
        state = MprState(geometry)
        state.rotate(*turn)
        state.rotate("axial", 13.0)
        state.set_slab(thickness, projection)
        for name in PLANE_NAMES:
            plane = state.plane(name)
            if plane.slab_samples < 2 or aligned_axis(geometry, plane) is not None:
                continue
            assert not _is_permutation(reslice_axes(geometry, plane))
            counts.add(plane.slab_samples % 2)
            got = PlaneReslicer(source).values(plane)
            block = _sampled_block(PlaneReslicer(source), plane).astype(np.float64)
            want = reduce(block, axis=0)
            # Pixels whose samples all lie inside the volume (the slab mode leaves samples
            # outside it out, where the block holds the background level).
            rows, columns = np.indices(plane.shape)
            offsets = (np.arange(plane.slab_samples) - (plane.slab_samples - 1) / 2.0) * plane.slab_step
            index = np.stack([geometry.patient_to_index(plane.pixel_to_patient(columns, rows) + o * plane.normal) for o in offsets])
            upper = np.array(volume.shape[::-1]) - 1
            inside = np.all((index >= 1e-6) & (index <= upper - 1e-6), axis=(0, -1))
            assert inside.sum() > 200
            if projection == "avg":
                assert got.dtype == np.float32
                # The block's samples are rounded to int16 one by one; the slab mean is not.
                assert np.abs(got - want)[inside].max() <= 0.5 + 1e-3
            else:
                assert np.array_equal(got[inside], want.astype(volume.dtype)[inside]), (projection, name)
                if projection == "mip":
                    assert np.array_equal(got, want.astype(volume.dtype))  # background never wins a maximum
    assert counts  # some oblique slabs were checked


def test_preview_grid_while_dragging_is_every_other_pixel_of_the_full_grid() -> None:
    geometry = _geometries()["double oblique"]
    volume = np.random.default_rng(8).integers(0, 2000, size=geometry.shape).astype(np.int16)
    header = Dataset()
    header.Modality = "CT"
    header.RescaleSlope, header.RescaleIntercept = 1, -1024
    header.PhotometricInterpretation = "MONOCHROME2"
    header.WindowCenter, header.WindowWidth = 40, 400
    viewer = MprViewer(volume, geometry, header, size=(600, 200))
    try:
        viewer.state.rotate("axial", 25.0)
        viewer.state.set_slab(6.0, "mip")
        full = {name: viewer.shown_plane(name) for name in PLANE_NAMES}
        viewer.interactive = True
        for name in PLANE_NAMES:
            preview = viewer.shown_plane(name)
            if aligned_axis(geometry, full[name]) is None:
                assert preview.pixel_spacing == pytest.approx(2 * full[name].pixel_spacing)
                np.testing.assert_allclose(preview.pixel_to_patient(3, 5), full[name].pixel_to_patient(6, 10))
                coarse = PlaneReslicer(viewer.source).values(preview)
                fine = PlaneReslicer(viewer.source).values(full[name])
                assert np.array_equal(coarse, fine[::2, ::2])
            else:
                assert preview.key() == full[name].key()  # cheap planes stay full
        picture = viewer.capture()
        assert picture.shape == (200, 600, 3)
        assert any("(preview)" in " ".join(v.text.corner_lines()["top_left"]) for v in viewer.views.values())
        viewer.interactive = False
        assert [viewer.shown_plane(n).key() for n in PLANE_NAMES] == [full[n].key() for n in PLANE_NAMES]
    finally:
        viewer.close()
