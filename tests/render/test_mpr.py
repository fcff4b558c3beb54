"""MPR through VTK (workstation.render.mpr): markers land where the plane definition says, slabs
equal numpy's projections, real volumes reformat correctly, and the picture has its overlays."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pydicom
import pytest

from tests.model.geometry_fixtures import rotation, stack
from workstation.model.geometry import VolumeGeometry, build_volume_geometry
from workstation.model.mpr import PLANE_NAMES, Interpolation, MprState
from workstation.model.resample import regular_volume, sample_trilinear
from workstation.model.spatial import pixel_to_patient
from workstation.render.mpr import MprViewer, VolumeImage, load_volume, reslice_plane

MARKER = 1000


def _with_markers(geometry: VolumeGeometry, voxels: list[tuple[int, int, int]]) -> np.ndarray:
    """A zero volume with a 3x3x3 block of MARKER around each voxel (i, j, k)."""
    volume = np.zeros(geometry.shape, dtype=np.int16)
    for i, j, k in voxels:
        volume[k - 1 : k + 2, j - 1 : j + 2, i - 1 : i + 2] = MARKER
    return volume


def _centroid(image: np.ndarray) -> tuple[float, float]:
    weights = np.clip(image.astype(np.float64), 0, None)
    rows, columns = np.indices(image.shape)
    total = float(weights.sum())
    assert total > 0, "the marker is not in the plane"
    return float((weights * columns).sum() / total), float((weights * rows).sum() / total)


def _expected_pixel(origin: np.ndarray, u: np.ndarray, v: np.ndarray, spacing: float, point: np.ndarray) -> tuple[float, float]:
    """Pixel of a patient point from the plane's definition alone: P = origin + c*s*u + r*s*v."""
    d = point - origin
    return float(d @ u) / spacing, float(d @ v) / spacing


def _geometries() -> dict[str, VolumeGeometry]:
    double_oblique = rotation("x", 17) @ rotation("y", -23)
    iop = np.concatenate([double_oblique @ (1, 0, 0), double_oblique @ (0, 1, 0)])
    tilted = build_volume_geometry(stack((-20.0, -25.0, 10.0), (0.0, 0.9, 2.5), 24, spacing=(0.9, 0.6), rows=48, columns=56))
    assert tilted.is_tilted and tilted.is_regular
    return {
        "axial non-square": VolumeGeometry.from_image_plane((-20.0, -30.0, 40.0), (1, 0, 0, 0, 1, 0), (0.9, 0.6), (0, 0, 1.5), (24, 48, 56)),
        "double oblique": VolumeGeometry.from_image_plane((10.0, -30.0, 5.0), iop, (0.8, 0.7), double_oblique @ (0, 0, 1.2), (24, 48, 56)),
        "sagittal": VolumeGeometry.from_image_plane((5.0, -30.0, 40.0), (0, 1, 0, 0, 0, -1), (0.75, 0.75), (-1.0, 0, 0), (24, 48, 56)),
        "tilted": tilted.geometry,
    }


@pytest.mark.parametrize("name", ["axial non-square", "double oblique", "sagittal", "tilted"])
@pytest.mark.parametrize("rotated", [False, True])
def test_markers_land_on_the_expected_pixel_in_every_plane(name: str, rotated: bool) -> None:
    geometry = _geometries()[name]
    voxels = [(12, 15, 8), (40, 30, 15), (28, 20, 12)]
    volume = _with_markers(geometry, voxels)
    source = VolumeImage(volume, geometry)
    state = MprState(geometry)
    state.interpolation = Interpolation.LINEAR
    if rotated:  # double oblique planes
        state.rotate("axial", 25.0)
        state.rotate("coronal", -12.0)
    half_voxel = 0.5 * max(geometry.spacing)
    for voxel in voxels:
        point = geometry.index_to_patient(np.array(voxel, dtype=np.float64))
        state.center = point
        for plane_name in PLANE_NAMES:
            plane = state.plane(plane_name)
            image = reslice_plane(source, plane)
            # Only this marker is in the plane near the crosshair: look in a window around it.
            c0, r0 = _expected_pixel(plane.origin, plane.row_direction, plane.column_direction, plane.pixel_spacing, point)
            radius = int(math.ceil(4 * max(geometry.spacing) / plane.pixel_spacing))
            rows = slice(max(0, int(r0) - radius), int(r0) + radius + 1)
            cols = slice(max(0, int(c0) - radius), int(c0) + radius + 1)
            c, r = _centroid(image[rows, cols])
            c += cols.start
            r += rows.start
            error_mm = math.hypot(c - c0, r - r0) * plane.pixel_spacing
            assert error_mm <= half_voxel, f"{name} {plane_name} marker {voxel}: {error_mm:.2f} mm off"


def test_three_planes_through_an_axial_volume_are_numpy_slices() -> None:
    """Nearest-neighbour planes at native spacing are exactly the volume's rows, columns, slices
    (coronal and sagittal head up, so slice order reversed)."""
    geometry = VolumeGeometry.from_image_plane((-10.0, -20.0, 5.0), (1, 0, 0, 0, 1, 0), (1.0, 1.0), (0, 0, 1.0), (21, 30, 40))
    volume = np.random.default_rng(1).integers(-1000, 3000, size=geometry.shape).astype(np.int16)
    source = VolumeImage(volume, geometry)
    state = MprState(geometry)
    state.interpolation = Interpolation.NEAREST
    state.center = geometry.index_to_patient([20, 15, 10])
    assert np.array_equal(reslice_plane(source, state.plane("axial")), volume[10])
    assert np.array_equal(reslice_plane(source, state.plane("coronal")), volume[::-1, 15, :])
    assert np.array_equal(reslice_plane(source, state.plane("sagittal")), volume[::-1, :, 20])


@pytest.mark.parametrize(("thickness", "centre_k", "first", "last"), [(5.0, 10.0, 8, 12), (4.0, 10.5, 9, 12), (1.0, 7.0, 7, 7)])
def test_slabs_equal_numpy_projections(thickness: float, centre_k: float, first: int, last: int) -> None:
    geometry = VolumeGeometry.from_image_plane((-10.0, -20.0, 5.0), (1, 0, 0, 0, 1, 0), (1.0, 1.0), (0, 0, 1.0), (21, 30, 40))
    volume = np.random.default_rng(2).integers(-1000, 3000, size=geometry.shape).astype(np.int16)
    source = VolumeImage(volume, geometry)
    state = MprState(geometry)
    state.center = geometry.index_to_patient([20, 15, centre_k])
    voxels = volume[first : last + 1]
    state.set_slab(thickness, "mip")
    assert state.plane("axial").slab_samples == last - first + 1
    assert np.array_equal(reslice_plane(source, state.plane("axial")), voxels.max(axis=0))
    state.set_slab(thickness, "minip")
    assert np.array_equal(reslice_plane(source, state.plane("axial")), voxels.min(axis=0))
    state.set_slab(thickness, "avg")
    mean = reslice_plane(source, state.plane("axial"))
    assert np.allclose(mean, voxels.mean(axis=0), atol=1e-3)
    # A coronal slab: the same voxels along y (rows j), image head up.
    state.set_slab(thickness, "mip")
    state.center = geometry.index_to_patient([20, centre_k, 10])
    assert np.array_equal(reslice_plane(source, state.plane("coronal")), volume[::-1, first : last + 1, :].max(axis=1))


def test_viewer_draws_planes_with_markers_and_crosshair() -> None:
    geometry = VolumeGeometry.from_image_plane((-10.0, -20.0, 5.0), (1, 0, 0, 0, 1, 0), (1.0, 1.0), (0, 0, 2.0), (21, 30, 40))
    volume = np.full(geometry.shape, -1000, dtype=np.int16)
    volume[:, 10:20, 15:25] = 1000
    from pydicom.dataset import Dataset

    header = Dataset()
    header.Modality, header.PhotometricInterpretation = "CT", "MONOCHROME2"
    header.BitsAllocated, header.BitsStored, header.PixelRepresentation = 16, 16, 1
    viewer = MprViewer(volume, geometry, header, size=(600, 200))
    try:
        viewer.set_window(0, 4000)
        picture = viewer.capture()
        assert picture.shape == (200, 600, 3)
        assert {v.text.markers["left"].GetInput() for v in viewer.views.values()} == {"R", "A"}
        assert viewer.views["axial"].text.markers["top"].GetInput() == "A"
        assert viewer.views["coronal"].text.markers["top"].GetInput() == "H"
        # A pick at the axial view's crosshair returns the crosshair (LPS).
        view = viewer.views["axial"]
        x, y = view.pixel_to_screen(*view.plane.patient_to_pixel(viewer.state.center)[:2], viewer.reference)  # type: ignore[union-attr]
        assert np.allclose(viewer.pick("axial", x, y), viewer.state.center)
        # The block is bright (1000 HU at window 0/4000: ((1000.5 / 3999) + 0.5) * 255 = 191) at its centre in the axial view.
        centre = geometry.index_to_patient([17, 12, 10])  # inside the block, off the crosshair lines
        x, y = view.pixel_to_screen(*view.plane.patient_to_pixel(centre)[:2], viewer.reference)  # type: ignore[union-attr]
        assert abs(int(picture[int(y), int(x), 0]) - 191) <= 1
        assert picture[5:195, 0:200].max() > 0
    finally:
        viewer.close()


# -- real volumes ------------------------------------------------------------------------------


def _read_series(folder: Path) -> tuple[np.ndarray, object, list[pydicom.Dataset]]:
    files = sorted(p for p in folder.rglob("*.dcm"))
    headers = [pydicom.dcmread(p, stop_before_pixels=True) for p in files]
    by_uid = {str(h.SOPInstanceUID): p for h, p in zip(headers, files, strict=True)}
    volume, result = load_volume(headers, lambda uid: by_uid[uid].read_bytes())
    return volume, result, headers


def _corner_extent(headers: list[pydicom.Dataset]) -> np.ndarray:
    """(x, y, z) extent in mm of all pixel centres of all slices, from the Image Plane formula."""
    from workstation.model.overlay import image_plane_of

    corners = []
    for header in headers:
        plane = image_plane_of(header)
        assert plane is not None
        for c, r in ((0, 0), (plane.columns - 1, 0), (0, plane.rows - 1), (plane.columns - 1, plane.rows - 1)):
            corners.append(pixel_to_patient(plane, c, r))
    corners = np.array(corners)
    return corners.max(axis=0) - corners.min(axis=0)


def _check_against_numpy(volume: np.ndarray, geometry: VolumeGeometry, state: MprState) -> None:
    source = VolumeImage(volume, geometry)
    for name in PLANE_NAMES:
        plane = state.plane(name)
        got = reslice_plane(source, plane).astype(np.float64)
        rows, columns = np.mgrid[0 : plane.rows : 7, 0 : plane.columns : 7]
        lps = plane.pixel_to_patient(columns, rows)
        index = geometry.patient_to_index(lps)
        want = sample_trilinear(volume, index, fill=float(volume.min()))
        # VTK also samples up to half a voxel beyond the edge voxels' centres: compare inside.
        upper = np.array(volume.shape[::-1]) - 1
        inside = np.all((index >= 0.5) & (index <= upper - 0.5), axis=-1)
        assert inside.sum() > 100
        diff = np.abs(got[::7, ::7] - want)[inside]
        assert diff.max() <= 1.0, name  # stored integers: VTK rounds, numpy does not


def _check_fields(state: MprState, extent: np.ndarray) -> None:
    """The axial field spans x and y, the coronal one x and z, the sagittal one y and z."""
    s = state.pixel_spacing
    axial, coronal, sagittal = state.plane("axial"), state.plane("coronal"), state.plane("sagittal")
    assert (axial.columns - 1) * s == pytest.approx(extent[0], abs=s)
    assert (axial.rows - 1) * s == pytest.approx(extent[1], abs=s)
    assert (coronal.rows - 1) * s == pytest.approx(extent[2], abs=s)
    assert (sagittal.columns - 1) * s == pytest.approx(extent[1], abs=s)
    assert axial.axis_letters == ("L", "P") and coronal.axis_letters == ("L", "F") and sagittal.axis_letters == ("P", "F")


def test_phantom_ct_axial_mpr_reproduces_its_slices(shared_data: Path) -> None:
    volume, result, headers = _read_series(shared_data / "ct_head_phantom_philips" / "S2020")
    geometry = result.geometry  # type: ignore[attr-defined]
    assert geometry.plane == "axial" and volume.shape[0] == 140
    state = MprState(geometry)
    _check_fields(state, _corner_extent(headers))
    # The coronal field is 140 slices of 1 mm high: 139 mm between the outer slice centres.
    assert (state.plane("coronal").rows - 1) * state.pixel_spacing == pytest.approx(139.0, abs=state.pixel_spacing)
    state.interpolation = Interpolation.NEAREST
    state.set_slice("axial", 70)
    assert np.array_equal(reslice_plane(VolumeImage(volume, geometry), state.plane("axial")), volume[70])
    state.interpolation = Interpolation.LINEAR
    _check_against_numpy(volume, geometry, state)


def test_sagittal_oblique_mr_mpr(shared_data: Path) -> None:
    volume, result, headers = _read_series(shared_data / "mr_brain_sag_fnndsc")
    geometry = result.geometry  # type: ignore[attr-defined]
    assert geometry.nearest_plane == "sagittal" and geometry.plane == "oblique"
    state = MprState(geometry)
    _check_fields(state, _corner_extent(headers))
    _check_against_numpy(volume, geometry, state)
    # A pixel of the middle source image, placed by the Image Plane formula, is the crosshair
    # that every MPR plane passes through.
    from workstation.model.overlay import image_plane_of

    middle = image_plane_of(headers[0])
    assert middle is not None
    point = pixel_to_patient(middle, 100.0, 120.0)
    state.center = point
    for plane in state:
        assert abs(plane.patient_to_pixel(point)[2]) < 1e-6


def test_tilted_ct_is_resampled_and_reformats_in_patient_space(shared_data: Path) -> None:
    volume, result, headers = _read_series(shared_data / "ct_head_human_ge_tilt")
    assert result.is_tilted and not result.is_regular  # type: ignore[attr-defined]
    regular = regular_volume(volume, result)  # type: ignore[arg-type]
    assert regular.resampled
    # The first 14 real slices are 4.0 mm apart: they are the first 14 resampled slices.
    assert np.array_equal(regular.volume[:14], volume[:14])
    geometry = regular.geometry
    assert geometry.shear_degrees == pytest.approx(18.5, abs=0.05)
    last = geometry.index_to_patient([0.0, 0.0, float(geometry.shape[0] - 1)])
    assert np.allclose(last, result.positions[-1], atol=0.5 * geometry.spacing[2])  # type: ignore[attr-defined]
    state = MprState(geometry)
    extent = _corner_extent(headers)
    _check_fields(state, extent)
    _check_against_numpy(regular.volume, geometry, state)


@pytest.mark.parametrize("thickness", [6.0, 5.0])  # 5 and 4 samples of 1.2 mm: odd and even
@pytest.mark.parametrize("projection", ["mip", "minip", "avg"])
def test_oblique_slab_equals_numpy_projection_of_trilinear_samples(thickness: float, projection: str) -> None:
    """A slab on a double-oblique plane (vtkImageReslice's slab mode): each pixel is the
    max/min/mean of trilinear samples ``slab_step`` apart along the normal, centred on the plane."""
    geometry = _geometries()["double oblique"]
    volume = np.random.default_rng(4).integers(0, 2000, size=geometry.shape).astype(np.int16)
    source = VolumeImage(volume, geometry)
    state = MprState(geometry)
    state.rotate("axial", 31.0)
    state.rotate("sagittal", -17.0)
    state.set_slab(thickness, projection)
    plane = state.plane("coronal")
    assert plane.slab_samples == round(thickness / plane.slab_step)
    from workstation.render.mpr import aligned_axis

    assert aligned_axis(geometry, plane) is None  # the VTK slab path
    got = reslice_plane(source, plane).astype(np.float64)
    rows, columns = np.mgrid[0 : plane.rows : 5, 0 : plane.columns : 5]
    base = plane.pixel_to_patient(columns, rows)
    offsets = (np.arange(plane.slab_samples) - (plane.slab_samples - 1) / 2.0) * plane.slab_step
    samples = np.stack([sample_trilinear(volume, geometry.patient_to_index(base + o * plane.normal), fill=np.nan) for o in offsets])
    inside = ~np.isnan(samples).any(axis=0)
    index = geometry.patient_to_index(base)
    upper = np.array(volume.shape[::-1]) - 1
    inside &= np.all((index >= 3) & (index <= upper - 3), axis=-1)
    assert inside.sum() > 50
    want = {"mip": np.max, "minip": np.min, "avg": np.mean}[projection](np.where(np.isnan(samples), 0, samples), axis=0)
    # VTK rounds each interpolated integer sample before max/min (and the mean is exact): <= 0.5.
    assert np.abs(got[::5, ::5][inside] - want[inside]).max() <= 0.51


def test_aligned_slab_matches_the_sampled_slab_where_grids_coincide(monkeypatch: pytest.MonkeyPatch) -> None:
    """The numpy layer projection used for slabs along a voxel axis equals the general path
    (vtkImageReslice samples, numpy projection) when the pixels sit on voxel centres, and both
    equal numpy's projection of the volume's own layers, in all three planes."""
    import workstation.render.mpr as mpr

    geometry = VolumeGeometry.from_image_plane((-10.0, -20.0, 5.0), (1, 0, 0, 0, 1, 0), (1.0, 1.0), (0, 0, 1.0), (21, 30, 40))
    volume = np.random.default_rng(5).integers(-1000, 3000, size=geometry.shape).astype(np.int16)
    source = VolumeImage(volume, geometry)
    state = MprState(geometry)
    state.center = geometry.index_to_patient([20, 14, 9])
    expected = {
        "axial": volume[6:13].max(axis=0),
        "coronal": volume[::-1, 11:18, :].max(axis=1),
        "sagittal": volume[::-1, :, 17:24].max(axis=2),
    }
    state.set_slab(7.0, "mip")
    fast = {}
    for name in PLANE_NAMES:
        assert mpr.aligned_axis(geometry, state.plane(name)) is not None
        fast[name] = reslice_plane(source, state.plane(name))
    monkeypatch.setattr(mpr, "aligned_axis", lambda *args, **kwargs: None)  # force the sampled path
    for name in PLANE_NAMES:
        sampled = reslice_plane(source, state.plane(name))
        assert np.array_equal(fast[name], expected[name]), name
        assert np.array_equal(sampled, expected[name]), name


@pytest.mark.parametrize("interpolation", [Interpolation.LINEAR, Interpolation.CUBIC])
def test_oblique_plane_of_a_linear_ramp_is_exact(interpolation: Interpolation) -> None:
    """Linear and cubic interpolation both reproduce a linear function of patient position."""
    geometry = _geometries()["double oblique"]
    k, j, i = np.indices(geometry.shape)
    lps = geometry.index_to_patient(np.stack([i, j, k], axis=-1).astype(np.float64))
    gradient = np.array([3.0, -2.0, 5.0])
    volume = np.rint(1000 + lps @ gradient).astype(np.int16)
    state = MprState(geometry)
    state.interpolation = interpolation
    state.rotate("axial", 40.0)
    plane = state.plane("sagittal")
    got = reslice_plane(VolumeImage(volume, geometry), plane).astype(np.float64)
    rows, columns = np.indices(plane.shape)
    points = plane.pixel_to_patient(columns, rows)
    index = geometry.patient_to_index(points)
    upper = np.array(geometry.shape[::-1]) - 1
    inside = np.all((index >= 2) & (index <= upper - 2), axis=-1)
    assert inside.sum() > 100
    assert np.abs(got - (1000 + points @ gradient))[inside].max() <= 1.01  # rounding of the volume and the output
