"""Volume geometry on synthetic headers whose geometry is known by construction (PS3.3 C.7.6.2)."""

from __future__ import annotations

import random

import numpy as np
import pytest

from tests.model.geometry_fixtures import AXIAL, CORONAL, SAGITTAL, enhanced, image, rotation, stack
from workstation.errors import GeometryError
from workstation.model.geometry import VolumeGeometry, build_volume_geometry, orientation_letters
from workstation.model.image_warning import WarningCode


def hand_point(ds, i: float, j: float) -> np.ndarray:
    """PS3.3 C.7.6.2.1.1: P = S + X * delta_i * i + Y * delta_j * j, computed from the header."""
    s = np.array([float(v) for v in ds.ImagePositionPatient])
    o = [float(v) for v in ds.ImageOrientationPatient]
    row_spacing, column_spacing = (float(v) for v in ds.PixelSpacing)
    return s + np.array(o[:3]) * column_spacing * i + np.array(o[3:]) * row_spacing * j


def codes(result) -> list[WarningCode]:
    return [w.code for w in result.warnings]


def test_axial_stack_maps_every_pixel_like_the_dicom_formula() -> None:
    headers = stack((-100.0, -120.0, 50.0), (0, 0, 2.5), 12, spacing=(0.7, 0.7), rows=40, columns=50)
    result = build_volume_geometry(headers)
    g = result.geometry
    assert g.shape == (12, 40, 50)
    assert g.spacing == pytest.approx((0.7, 0.7, 2.5))
    assert g.plane == "axial" and g.axis_letters == ("L", "P", "H")
    assert g.dimensions_mm == pytest.approx((40 * 0.7, 50 * 0.7, 12 * 2.5))
    assert not result.warnings and result.is_regular and not result.is_tilted
    for k, ds in enumerate(headers):
        for i, j in ((0, 0), (49, 0), (0, 39), (17, 23)):
            assert g.index_to_patient([i, j, k]) == pytest.approx(hand_point(ds, i, j), abs=1e-6)


def test_non_square_pixels_put_column_spacing_along_rows() -> None:
    # Pixel Spacing is (row spacing, column spacing): 0.5 mm between rows, 0.8 mm between columns.
    headers = stack((0, 0, 0), (0, 0, 3.0), 4, spacing=(0.5, 0.8), rows=20, columns=30)
    g = build_volume_geometry(headers).geometry
    assert g.spacing == pytest.approx((0.5, 0.8, 3.0))
    assert g.index_to_patient([10, 0, 0]) == pytest.approx([8.0, 0, 0])
    assert g.index_to_patient([0, 10, 0]) == pytest.approx([0, 5.0, 0])
    assert g.dimensions_mm == pytest.approx((20 * 0.5, 30 * 0.8, 4 * 3.0))
    assert g.index_to_patient([29, 19, 3]) == pytest.approx(hand_point(headers[3], 29, 19))


def test_sagittal_stack_sorts_along_the_normal_not_by_instance_number() -> None:
    # Sagittal: rows run anterior->posterior, columns head->foot; normal = row x col = -x (right).
    xs = [30.0, 28.0, 26.0, 24.0, 22.0]
    headers = [image((x, -90.0, 100.0), SAGITTAL, spacing=(1.0, 1.0), number=n)
               for n, x in zip([5, 1, 4, 2, 3], xs, strict=True)]
    random.Random(4).shuffle(headers)
    result = build_volume_geometry(headers)
    g = result.geometry
    assert g.plane == "sagittal"
    assert g.axis_letters == ("P", "F", "R")
    normal = np.cross([0, 1, 0], [0, 0, -1])
    expected = sorted(headers, key=lambda ds: float(np.dot([float(v) for v in ds.ImagePositionPatient], normal)))
    assert result.sop_instance_uids == tuple(ds.SOPInstanceUID for ds in expected)
    assert [float(ds.ImagePositionPatient[0]) for ds in expected] == [30.0, 28.0, 26.0, 24.0, 22.0]
    assert g.spacing[2] == pytest.approx(2.0)
    for k, ds in enumerate(expected):
        assert g.index_to_patient([3, 7, k]) == pytest.approx(hand_point(ds, 3, 7))


def test_coronal_plane_and_letters() -> None:
    g = build_volume_geometry(stack((0, 10, 0), (0, -2, 0), 3, CORONAL)).geometry
    # row x col = (1,0,0) x (0,0,-1) = (0, 1, 0): posterior; slices step anterior (-y) so sorted reversed
    assert g.plane == "coronal" and g.axis_letters == ("L", "F", "P")
    assert g.index_to_patient([0, 0, 0]) == pytest.approx([0, 6, 0])


def test_double_oblique_stack_round_trips_and_matches_hand_geometry() -> None:
    r = rotation("z", 30) @ rotation("x", 20)
    row, col = r @ [1, 0, 0], r @ [0, 1, 0]
    normal = np.cross(row, col)
    first = np.array([-50.0, 20.0, 10.0])
    headers = [image(first + k * 1.25 * normal, (*row, *col), spacing=(0.9, 0.6), number=20 - k, rows=30, columns=40)
               for k in range(6)]
    random.Random(1).shuffle(headers)
    result = build_volume_geometry(headers)
    g = result.geometry
    assert g.plane == "oblique" and g.nearest_plane == "axial"
    assert g.spacing == pytest.approx((0.9, 0.6, 1.25), abs=1e-6)
    assert g.direction == pytest.approx(np.column_stack([row, col, normal]), abs=1e-7)
    assert g.index_to_patient([5, 7, 3]) == pytest.approx(first + 3 * 1.25 * normal + 5 * 0.6 * row + 7 * 0.9 * col, abs=1e-5)
    points = np.random.default_rng(0).uniform(-200, 200, size=(500, 3))
    assert g.index_to_patient(g.patient_to_index(points)) == pytest.approx(points, abs=1e-9)
    idx = np.random.default_rng(1).uniform(0, 30, size=(7, 11, 3))
    assert g.patient_to_index(g.index_to_patient(idx)) == pytest.approx(idx, abs=1e-9)
    # Letters by hand (PS3.3 C.7.6.1.1.1): components by magnitude, + is L/P/H.
    assert g.axis_letters[0] == orientation_letters(row)
    assert orientation_letters(row)[0] == "L"  # row ~ (0.87, 0.5, 0): mostly left, then posterior
    assert orientation_letters(row) == "LP"


@pytest.mark.parametrize(
    ("vector", "letters"),
    [
        ((1, 0, 0), "L"), ((-1, 0, 0), "R"), ((0, 1, 0), "P"), ((0, -1, 0), "A"),
        ((0, 0, 1), "H"), ((0, 0, -1), "F"), ((0.8, 0.6, 0), "LP"), ((-0.6, 0.8, 0), "PR"),
        ((0.2, -0.3, -0.93), "FAL"), ((0.005, 0, 1), "H"),
    ],
)
def test_orientation_letters(vector, letters) -> None:
    assert orientation_letters(vector) == letters


def test_orientation_letters_refuse_zero_vector() -> None:
    with pytest.raises(GeometryError):
        orientation_letters((0, 0, 0))


def test_gantry_tilt_is_measured_and_the_sheared_affine_stays_exact() -> None:
    tilt = 15.0
    col = rotation("x", -tilt) @ [0, 1, 0]  # (0, cos, -sin): the column direction of a tilted gantry
    headers = stack((-100, -120, 0), (0, 0, 5.0), 6, (1, 0, 0, *col), spacing=(0.5, 0.5))
    result = build_volume_geometry(headers)
    assert result.is_tilted and result.is_regular
    assert result.tilt_degrees == pytest.approx(tilt, abs=1e-4)
    assert WarningCode.GANTRY_TILT in codes(result)
    g = result.geometry
    assert g.is_sheared and g.shear_degrees == pytest.approx(tilt, abs=1e-4)
    assert g.slice_step == pytest.approx([0, 0, 5.0])
    assert g.spacing[2] == pytest.approx(5.0 * np.cos(np.radians(tilt)))  # distance between planes
    for k, ds in enumerate(headers):
        assert g.index_to_patient([7, 9, k]) == pytest.approx(hand_point(ds, 7, 9), abs=1e-6)


def test_missing_slice_keeps_an_empty_slot_and_exact_positions() -> None:
    headers = stack((0, 0, 0), (0, 0, 2.0), 10)
    del headers[6]  # the slice at z = 12 mm
    result = build_volume_geometry(headers)
    assert result.missing_slices == 1 and result.is_regular
    assert result.geometry.shape[0] == 10
    assert result.slice_indices == (0, 1, 2, 3, 4, 5, 7, 8, 9)
    (warning,) = [w for w in result.warnings if w.code is WarningCode.MISSING_SLICES]
    assert "image 6" in warning.sentence and "image 8" in warning.sentence and "4.00 mm" in warning.sentence
    assert set(warning.instances) == {headers[5].SOPInstanceUID, headers[6].SOPInstanceUID}
    for k, ds in zip(result.slice_indices, result.slices, strict=True):
        assert result.geometry.index_to_patient([0, 0, k]) == pytest.approx(ds.position)


def test_uneven_spacing_reports_min_and_max() -> None:
    zs = [0.0, 2.0, 4.0, 7.0, 9.0, 11.0]
    headers = [image((0, 0, z), number=n + 1) for n, z in enumerate(zs)]
    result = build_volume_geometry(headers)
    assert not result.is_regular and result.needs_resampling
    assert result.spacing_range_mm == pytest.approx((2.0, 3.0))
    (warning,) = [w for w in result.warnings if w.code is WarningCode.UNEVEN_SPACING]
    assert "2.00" in warning.sentence and "3.00" in warning.sentence
    assert result.positions[:, 2] == pytest.approx(zs)


def test_spacing_within_tolerance_is_even() -> None:
    zs = [0.0, 1.0, 2.004, 3.0, 4.0]  # 4 micrometres off: rounding in the header, not a gap
    result = build_volume_geometry([image((0, 0, z), number=n) for n, z in enumerate(zs)])
    assert result.is_regular and not result.warnings


def test_duplicate_positions_are_dropped_and_reported() -> None:
    headers = stack((0, 0, 0), (0, 0, 1.0), 5)
    copy = image((0, 0, 2.0), number=9)
    result = build_volume_geometry(headers + [copy])
    assert len(result.slices) == 5 and result.geometry.shape[0] == 5
    assert [d.sop_instance_uid for d in result.duplicates] == [copy.SOPInstanceUID]
    assert WarningCode.DUPLICATE_POSITIONS in codes(result)


def test_all_at_one_position_is_not_a_volume() -> None:
    with pytest.raises(GeometryError, match="same position"):
        build_volume_geometry([image((0, 0, 5.0), number=n) for n in range(4)])


@pytest.mark.parametrize("keyword", ["ImagePositionPatient", "ImageOrientationPatient", "PixelSpacing"])
def test_missing_image_plane_attribute_is_a_geometry_error(keyword) -> None:
    headers = stack((0, 0, 0), (0, 0, 1.0), 3)
    delattr(headers[1], keyword)
    with pytest.raises(GeometryError) as info:
        build_volume_geometry(headers)
    assert headers[1].SOPInstanceUID in str(info.value)


def test_mixed_orientation_size_or_spacing_refused() -> None:
    with pytest.raises(GeometryError, match="orientation"):
        build_volume_geometry(stack((0, 0, 0), (0, 0, 1), 3) + [image((0, 0, 9), SAGITTAL, number=4)])
    with pytest.raises(GeometryError, match="size"):
        build_volume_geometry(stack((0, 0, 0), (0, 0, 1), 3) + [image((0, 0, 9), rows=32, number=4)])
    with pytest.raises(GeometryError, match="pixel spacing"):
        build_volume_geometry(stack((0, 0, 0), (0, 0, 1), 3) + [image((0, 0, 9), spacing=(0.6, 0.6), number=4)])
    with pytest.raises(GeometryError):
        build_volume_geometry([])


def test_malformed_orientation_is_refused() -> None:
    with pytest.raises(GeometryError, match="perpendicular"):
        build_volume_geometry(stack((0, 0, 0), (0, 0, 1), 3, (1, 0, 0, 1, 0, 0)))
    bad = image((0, 0, 0))
    bad.ImagePositionPatient = ["1", "2"]
    with pytest.raises(GeometryError, match="3 are required"):
        build_volume_geometry([bad])


def test_single_slice_uses_slice_thickness() -> None:
    result = build_volume_geometry([image((0, 0, 0), SliceThickness="3")])
    assert result.geometry.shape[0] == 1 and result.geometry.spacing[2] == pytest.approx(3.0)
    assert codes(result) == [WarningCode.SINGLE_SLICE]


def test_enhanced_multiframe_frames_sorted_by_position() -> None:
    zs = [10.0, 4.0, 6.0, 8.0]
    ds = enhanced([(1.0, 2.0, z) for z in zs], spacing=(0.8, 0.6))
    result = build_volume_geometry([ds])
    assert result.frames == tuple((ds.SOPInstanceUID, f) for f in (2, 3, 4, 1))
    g = result.geometry
    assert g.shape == (4, 32, 48) and g.spacing == pytest.approx((0.8, 0.6, 2.0))
    assert g.index_to_patient([2, 3, 0]) == pytest.approx([1.0 + 2 * 0.6, 2.0 + 3 * 0.8, 4.0])


def test_enhanced_multiframe_per_frame_orientation_overrides_shared() -> None:
    ds = enhanced([(0, 0, z) for z in (0.0, 1.0, 2.0)])
    from pydicom.dataset import Dataset

    for item in ds.PerFrameFunctionalGroupsSequence:
        orient = Dataset()
        orient.ImageOrientationPatient = list(CORONAL)
        item.PlaneOrientationSequence = [orient]
    with pytest.raises(GeometryError):
        # coronal normal is +y, all frames at y=0: one position, not a volume
        build_volume_geometry([ds])


def test_volume_geometry_validates_its_affine() -> None:
    with pytest.raises(GeometryError):
        VolumeGeometry(np.zeros((4, 4)), (1, 1, 1))
    with pytest.raises(GeometryError):
        VolumeGeometry(np.eye(3), (1, 1, 1))
    g = VolumeGeometry(np.eye(4), (2, 3, 4))
    assert g.affine.flags.writeable is False
    with pytest.raises(ValueError):
        g.index_to_patient([1, 2])
    assert g.to_dict()["affine"] == np.eye(4).tolist()
    assert g.center == pytest.approx([1.5, 1.0, 0.5])


def test_axial_constant_is_axial() -> None:
    assert build_volume_geometry(stack((0, 0, 0), (0, 0, -1), 3, AXIAL)).geometry.axis_letters[2] == "H"
