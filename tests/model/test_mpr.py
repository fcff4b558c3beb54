"""MPR plane geometry (workstation.model.mpr) and regular grids / curved reformat (resample)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from tests.model.geometry_fixtures import rotation, stack
from workstation.errors import GeometryError
from workstation.model.geometry import VolumeGeometry, build_volume_geometry
from workstation.model.mpr import MprState, Projection
from workstation.model.resample import curved_reformat, regular_volume, sample_trilinear


def axial_geometry(shape=(20, 30, 40), spacing=(0.8, 0.6, 2.0)) -> VolumeGeometry:  # type: ignore[no-untyped-def]
    row_spacing, column_spacing, slice_spacing = spacing
    return VolumeGeometry.from_image_plane((-12.0, -9.0, 30.0), (1, 0, 0, 0, 1, 0), (row_spacing, column_spacing), (0, 0, slice_spacing), shape)


def test_orthogonal_planes_read_in_radiological_convention() -> None:
    state = MprState(axial_geometry())
    axial, coronal, sagittal = state.plane("axial"), state.plane("coronal"), state.plane("sagittal")
    # Axial from the feet: patient left on screen right, anterior at the top.
    assert np.allclose(axial.row_direction, (1, 0, 0)) and np.allclose(axial.column_direction, (0, 1, 0))
    # Coronal from the front: patient left on screen right, head at the top.
    assert np.allclose(coronal.row_direction, (1, 0, 0)) and np.allclose(coronal.column_direction, (0, 0, -1))
    # Sagittal from the left: anterior on screen left, head at the top.
    assert np.allclose(sagittal.row_direction, (0, 1, 0)) and np.allclose(sagittal.column_direction, (0, 0, -1))
    assert axial.axis_letters == ("L", "P") and coronal.axis_letters == ("L", "F") and sagittal.axis_letters == ("P", "F")


def test_fields_cover_the_volume_in_mm() -> None:
    g = axial_geometry()
    state = MprState(g)  # pixel spacing = smallest voxel spacing (0.6)
    assert state.pixel_spacing == pytest.approx(0.6)
    # Extent from voxel centre to voxel centre, plus one pixel.
    width_x = 39 * 0.6
    depth_y = 29 * 0.8
    height_z = 19 * 2.0
    axial, coronal, sagittal = state.plane("axial"), state.plane("coronal"), state.plane("sagittal")
    assert (axial.columns - 1) * 0.6 == pytest.approx(width_x, abs=0.6)
    assert (axial.rows - 1) * 0.6 == pytest.approx(depth_y, abs=0.6)
    assert (coronal.rows - 1) * 0.6 == pytest.approx(height_z, abs=0.6)
    assert (sagittal.columns - 1) * 0.6 == pytest.approx(depth_y, abs=0.6)
    # The first pixel of the axial plane is the first voxel's centre (same x, y).
    assert np.allclose(axial.origin[:2], (-12.0, -9.0))


def test_pixel_patient_round_trip_and_crosshair_in_every_plane() -> None:
    g = VolumeGeometry.from_image_plane((5.0, -20.0, 11.0), np.concatenate([rotation("z", 20) @ (1, 0, 0), rotation("z", 20) @ (0, 1, 0)]), (0.7, 0.7), (0, 0, 1.5), (30, 40, 40))
    state = MprState(g)
    target = g.index_to_patient([12.0, 25.0, 9.0])
    state.center = target
    for plane in state:
        column, row, distance = plane.patient_to_pixel(target)
        assert distance == pytest.approx(0.0, abs=1e-9)  # every plane passes through the crosshair
        assert np.allclose(plane.pixel_to_patient(column, row), target)
    # A click in the coronal plane moves the crosshair; the axial plane goes to its height.
    coronal = state.plane("coronal")
    new = state.move_center_to_pixel("coronal", 10.0, 7.0)
    assert np.allclose(new, coronal.pixel_to_patient(10.0, 7.0))
    assert state.plane("axial").origin[2] == pytest.approx(new[2])
    assert state.plane("sagittal").patient_to_pixel(new)[2] == pytest.approx(0.0, abs=1e-9)


def test_scrolling_moves_the_crosshair_along_the_normal_one_voxel_at_a_time() -> None:
    g = axial_geometry()
    state = MprState(g)
    start = state.center
    assert state.normal_step("axial") == pytest.approx(2.0)
    assert state.normal_step("coronal") == pytest.approx(0.8)
    assert state.normal_step("sagittal") == pytest.approx(0.6)
    state.scroll("axial", 3)
    assert np.allclose(state.center - start, (0, 0, 6.0))
    state.scroll("coronal", -2)
    assert np.allclose(state.center - start, (0, -1.6, 6.0))
    # Never beyond the last slice.
    state.scroll("axial", 1000)
    assert state.center[2] == pytest.approx(30.0 + 19 * 2.0)
    assert state.slice_count("axial") == 20 and state.slice_index("axial") == 19
    state.set_slice("axial", 4)
    assert state.center[2] == pytest.approx(30.0 + 4 * 2.0)
    with pytest.raises(GeometryError):
        state.set_slice("axial", 20)


def test_rotation_turns_the_other_planes_and_reset_restores_them() -> None:
    state = MprState(axial_geometry())
    axial_before = state.plane("axial")
    state.rotate("axial", 30.0)
    axial, coronal, sagittal = state.plane("axial"), state.plane("coronal"), state.plane("sagittal")
    assert np.allclose(axial.row_direction, axial_before.row_direction)  # its own picture stays
    assert state.is_oblique
    normals = np.array([axial.normal, coronal.normal, sagittal.normal])
    assert np.allclose(normals @ normals.T, np.eye(3), atol=1e-12)  # still mutually orthogonal
    # Counter-clockwise on screen (y down): the coronal row direction L turns toward A (screen up).
    c, s = math.cos(math.radians(30)), math.sin(math.radians(30))
    assert np.allclose(coronal.row_direction, (c, -s, 0.0))
    # The crosshair line of the coronal plane on the axial image is that direction.
    (a, b) = state.crosshair_lines("axial")["coronal"]
    d = np.subtract(b, a)
    d /= np.linalg.norm(d)
    assert abs(abs(d @ np.array([c, -s])) - 1.0) < 1e-9
    # Double oblique: now tilt in the (oblique) coronal plane.
    state.rotate("coronal", 15.0)
    axial = state.plane("axial")
    tilt = math.degrees(math.acos(abs(axial.normal @ np.array([0, 0, 1.0]))))
    assert tilt == pytest.approx(15.0)
    state.reset_orientation()
    assert not state.is_oblique


def test_slab_samples_and_projection() -> None:
    state = MprState(axial_geometry())
    state.set_slab(10.0, "MIP")
    plane = state.plane("axial")
    assert plane.projection is Projection.MIP and plane.slab_samples == 5 and plane.slab_step == pytest.approx(2.0)
    state.set_slab(10.0, "avg")
    assert state.plane("sagittal").slab_samples == round(10.0 / 0.6)
    state.set_slab(0.0, "mip")
    assert state.plane("axial").slab_samples == 1 and state.plane("axial").projection is Projection.NONE
    with pytest.raises(GeometryError):
        state.set_slab(10.0, "sum")
    with pytest.raises(GeometryError):
        state.set_slab(-1.0, "mip")


def _tilted_uneven_headers():  # type: ignore[no-untyped-def]
    """A 20 degree tilted stack whose gaps change from 2 mm to 3 mm along the normal."""
    tilt = math.radians(20)
    col = (0.0, math.cos(tilt), -math.sin(tilt))
    orientation = (1.0, 0.0, 0.0, *col)
    normal = np.cross((1, 0, 0), col)
    direction = np.array([0.0, 0.0, 1.0]) / float(np.dot((0, 0, 1.0), normal))  # 1 mm along normal
    depths = [0, 2, 4, 6, 8, 11, 14, 17, 20]
    headers = []
    for n, depth in enumerate(depths):
        headers += stack((0.0, -10.0, 0.0) + direction * depth, (0, 0, 1), 1, orientation=orientation, spacing=(0.5, 0.5), rows=16, columns=12)
        headers[-1].InstanceNumber = n + 1
    return headers, depths


def test_uneven_tilted_stack_is_resampled_along_the_real_positions() -> None:
    headers, depths = _tilted_uneven_headers()
    result = build_volume_geometry(headers)
    assert result.is_tilted and not result.is_regular
    volume = np.zeros((len(depths), 16, 12), dtype=np.int16)
    for k, d in enumerate(depths):
        volume[k] = 100 * d  # each slice remembers its depth
    out = regular_volume(volume, result)
    assert out.resampled and "resampled" in out.note
    g = out.geometry
    assert g.spacing[2] == pytest.approx(2.0)  # the median gap
    # Every voxel's depth along the normal, from the new affine, matches its (interpolated) value.
    normal = result.geometry.normal
    origin_depth = float(result.positions[0] @ normal)
    for k in range(g.shape[0]):
        point = g.index_to_patient([3.0, 5.0, float(k)])
        depth = float(point @ normal) - origin_depth
        assert out.volume[k, 5, 3] == pytest.approx(100 * depth, abs=1.0)
        # ... and lies on the real slices' line (the sheared grid), not on the normal through the first.
        real = result.positions[0] + (result.positions[-1] - result.positions[0]) * (depth / depths[-1])
        assert np.allclose(g.index_to_patient([0.0, 0.0, float(k)]), real, atol=1e-6)


def test_regular_volumes_are_used_as_they_are() -> None:
    headers = stack((0, 0, 0), (0, 1.0, 2.0), 6, rows=8, columns=8)  # evenly tilted: shear is exact
    result = build_volume_geometry(headers)
    volume = np.arange(6 * 64, dtype=np.int16).reshape(6, 8, 8)
    out = regular_volume(volume, result)
    assert not out.resampled and out.volume is volume and out.geometry is result.geometry
    assert result.is_tilted and "sheared" in out.note


def test_trilinear_sampling_matches_the_formula() -> None:
    rng = np.random.default_rng(3)
    volume = rng.integers(0, 1000, size=(4, 5, 6)).astype(np.int16)
    i, j, k = 2.25, 1.5, 2.75
    v = volume.astype(float)
    expect = 0.0
    for di, wi in ((0, 0.75), (1, 0.25)):
        for dj, wj in ((0, 0.5), (1, 0.5)):
            for dk, wk in ((0, 0.25), (1, 0.75)):
                expect += wi * wj * wk * v[2 + dk, 1 + dj, 2 + di]
    assert sample_trilinear(volume, np.array([i, j, k])) == pytest.approx(expect)
    assert sample_trilinear(volume, np.array([[5.0, 4.0, 3.0], [6.5, 0, 0]]), fill=-7).tolist() == [float(v[3, 4, 5]), -7.0]


def test_curved_reformat_follows_a_bent_path() -> None:
    """A tube along an L-shaped path in an axial slab: the stretched reformat shows it as a
    straight bright column in the middle of every row."""
    g = VolumeGeometry.from_image_plane((0, 0, 0), (1, 0, 0, 0, 1, 0), (1.0, 1.0), (0, 0, 1.0), (9, 60, 60))
    volume = np.zeros(g.shape, dtype=np.int16)
    volume[3:6, 9:12, 10:41] = 1000  # along +x at y = 10 (x 10..40)
    volume[3:6, 10:51, 39:42] = 1000  # then along +y at x = 40 (y 10..50)
    path = [(10.0, 10.0, 4.0), (40.0, 10.0, 4.0), (40.0, 50.0, 4.0)]
    cpr = curved_reformat(volume, g, path, width_mm=20.0, spacing=1.0)
    assert cpr.image.shape == (71, 21)
    middle = cpr.image[:, 10]
    assert np.all(middle == 1000)
    away = np.r_[0:18, 43:71]  # away from the corner, where the side lines cross the other leg
    assert np.all(cpr.image[away, 0] == 0) and np.all(cpr.image[away, -1] == 0)
    assert np.all(cpr.image[away][:, [9, 11]] == 1000) and np.all(cpr.image[away][:, [8, 12]] == 0)  # 3 mm wide
    # Pixel -> patient: row 30 is the corner; row 50 lies 20 mm down the second leg.
    assert np.allclose(cpr.pixel_to_patient(10, 30), (40, 10, 4))
    assert np.allclose(cpr.pixel_to_patient(10, 50), (40, 30, 4))
    with pytest.raises(GeometryError):
        curved_reformat(volume, g, [(1.0, 1.0, 1.0)], 10.0, 1.0)


def test_mpr_plane_gives_reference_lines_on_the_source_images() -> None:
    """The axial MPR plane drawn on a sagittal source image is a horizontal line at its height."""
    from workstation.model.spatial import reference_line

    headers = stack((0.0, -30.0, 40.0), (1.0, 0.0, 0.0), 10, orientation=(0, 1, 0, 0, 0, -1), spacing=(0.5, 0.5), rows=80, columns=120)
    result = build_volume_geometry(headers)
    state = MprState(result.geometry)
    state.center = (4.0, 0.0, 40.0 - 0.5 * 30)  # 15 mm below the top row: source row 30
    source = result.slices[4]
    line = reference_line(state.plane("axial").image_plane(), source, source_frame_of_reference="1", target_frame_of_reference="1")
    assert line is not None
    assert line.start[1] == pytest.approx(30.0) and line.end[1] == pytest.approx(30.0)
    assert sorted((line.start[0], line.end[0])) == pytest.approx([-0.5, 119.5])
