"""Reference lines, the 3D cursor and pixel <-> patient, checked against numbers worked out by hand
from the Image Plane equation (PS3.3 C.7.6.2.1.1) and against the volume affine."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pydicom
import pytest

from workstation.errors import GeometryError
from workstation.model.displayset import build_display_sets
from workstation.model.geometry import VolumeGeometry
from workstation.model.image_plane import ImagePlane
from workstation.model.spatial import (
    StackGeometry,
    image_corners,
    patient_to_pixel,
    pixel_to_patient,
    reference_line,
)

AXIAL = (1.0, 0.0, 0.0, 0.0, 1.0, 0.0)
CORONAL = (1.0, 0.0, 0.0, 0.0, 0.0, -1.0)
SAGITTAL = (0.0, 1.0, 0.0, 0.0, 0.0, -1.0)
FOR = "1.2.826.0.1.3680043.2.1125.1"


def plane(position, orientation=AXIAL, spacing=(1.0, 1.0), rows=200, columns=200, uid="1.2.3.4") -> ImagePlane:
    return ImagePlane(uid, None, 0, 1, np.asarray(position, float), np.asarray(orientation, float), spacing, rows, columns)


def as_set(line):
    return {tuple(round(v, 6) for v in line.start), tuple(round(v, 6) for v in line.end)}


def test_sagittal_on_axial_is_a_vertical_line_at_its_x():
    target = plane((-100, -100, 0))
    source = plane((10, -100, 50), SAGITTAL)  # x = 10, y -100.5..99.5, z 50.5..-149.5
    line = reference_line(source, target, source_frame_of_reference=FOR, target_frame_of_reference=FOR)
    assert line is not None
    # column = (10 - (-100)) / 1 = 110; the line spans the whole target (rows -0.5..199.5)
    assert as_set(line) == {(110.0, -0.5), (110.0, 199.5)}


def test_coronal_line_is_limited_to_the_source_image():
    target = plane((-100, -100, 0))
    # coronal at y = 20, columns x from -51 to -31 (10 pixels of 2 mm), rows z from 11 down to -9
    source = plane((-50, 20, 10), CORONAL, spacing=(2.0, 2.0), rows=10, columns=10)
    line = reference_line(source, target, source_frame_of_reference=FOR, target_frame_of_reference=FOR)
    assert line is not None
    assert as_set(line) == {(49.0, 120.0), (69.0, 120.0)}
    assert line.length_pixels == pytest.approx(20.0)


def test_oblique_line_is_clipped_to_the_target_image():
    # target: axial z = 0, 0.5 mm pixels, x and y from -0.25 to 49.75 mm
    target = plane((0, 0, 0), AXIAL, spacing=(0.5, 0.5), rows=100, columns=100)
    r = 1 / math.sqrt(2)
    # source: the vertical plane x + y = 20; on z = 0 it runs (t, 20 - t), t = s / sqrt(2)
    source = plane((0, 20, 10), (r, -r, 0, 0, 0, -1), spacing=(1.0, 1.0), rows=40, columns=60)
    line = reference_line(source, target, source_frame_of_reference=FOR, target_frame_of_reference=FOR)
    assert line is not None
    # column = 2t, row = 40 - 2t; clipping to [-0.5, 99.5] keeps t in [-0.25, 20.25]
    got = sorted(as_set(line))
    assert got[0] == pytest.approx((-0.5, 40.5))
    assert got[1] == pytest.approx((40.5, -0.5))


def test_axial_on_sagittal_is_horizontal_at_its_height():
    target = plane((0, -100, 100), SAGITTAL)  # rows go down from z = 100
    source = plane((-100, -100, 37.0), AXIAL)
    line = reference_line(source, target, source_frame_of_reference=FOR, target_frame_of_reference=FOR)
    assert line is not None
    # row = (100 - 37) / 1 = 63; source y spans -100.5..99.5 -> columns -0.5..199.5
    assert as_set(line) == {(-0.5, 63.0), (199.5, 63.0)}


def test_no_line_when_parallel_elsewhere_or_in_another_frame():
    target = plane((-100, -100, 0))
    assert reference_line(plane((-100, -100, 5)), target, source_frame_of_reference=FOR, target_frame_of_reference=FOR) is None
    sagittal = plane((10, -100, 50), SAGITTAL)
    assert reference_line(sagittal, target, source_frame_of_reference=FOR, target_frame_of_reference=FOR + ".2") is None
    assert reference_line(sagittal, target, source_frame_of_reference=None, target_frame_of_reference=None) is None
    # a coronal image whose z range (11..-9) does not reach the target at z = 50
    high = plane((-100, -100, 50))
    short = plane((-50, 20, 10), CORONAL, spacing=(2.0, 2.0), rows=10, columns=10)
    assert reference_line(short, high, source_frame_of_reference=FOR, target_frame_of_reference=FOR) is None
    # a sagittal image at x = 300, outside the target image (x -100.5..99.5)
    far = plane((300, -100, 50), SAGITTAL)
    assert reference_line(far, target, source_frame_of_reference=FOR, target_frame_of_reference=FOR) is None


def test_pixel_patient_round_trip_matches_the_volume_affine():
    r = 1 / math.sqrt(2)
    orientation = (r, r, 0.0, 0.0, 0.0, -1.0)
    p = plane((12.5, -40.0, 70.0), orientation, spacing=(0.8, 0.6), rows=50, columns=70)
    affine = VolumeGeometry.from_image_plane(p.position, p.orientation, p.pixel_spacing, (r, -r, 0.0), (1, 50, 70))
    for column, row in ((0, 0), (69, 0), (12.25, 33.5), (-0.5, 49.5)):
        expected = affine.index_to_patient(np.array([column, row, 0.0]))
        got = pixel_to_patient(p, column, row)
        assert np.allclose(got, expected)
        back = patient_to_pixel(p, got + 3.0 * np.array([r, -r, 0.0]))  # 3 mm along the normal
        assert back[0] == pytest.approx(column) and back[1] == pytest.approx(row)
        assert abs(back[2]) == pytest.approx(3.0)
    corners = image_corners(p)
    assert np.allclose(corners[0], (12.5 - 0.3 * r, -40.0 - 0.3 * r, 70.0 + 0.4))


def test_zero_orientation_is_a_geometry_error():
    with pytest.raises(GeometryError, match="length zero"):
        pixel_to_patient(plane((0, 0, 0), (0, 0, 0, 0, 1, 0)), 1, 1)


def test_cursor_finds_nearest_slice_pixel_and_outside():
    planes = [plane((-10, -10, 2.0 * k), AXIAL, spacing=(0.5, 0.25), rows=100, columns=100, uid=f"1.2.{k}") for k in range(5)]
    stack = StackGeometry(planes, FOR)
    assert stack.slice_spacing == pytest.approx(2.0)
    hit = stack.locate((10.0, 20.0, 5.2), FOR)
    assert hit is not None
    assert hit.index == 3  # |5.2 - 6| = 0.8 < |5.2 - 4| = 1.2
    assert hit.distance_mm == pytest.approx(0.8)
    assert (hit.column, hit.row) == pytest.approx((80.0, 60.0))  # (10+10)/0.25, (20+10)/0.5
    assert hit.on_slice and hit.in_image and hit.status == "inside"
    beyond = stack.locate((10.0, 20.0, 20.0), FOR)
    assert beyond is not None and beyond.index == 4 and beyond.distance_mm == pytest.approx(12.0)
    assert beyond.status == "outside"
    aside = stack.locate((500.0, 20.0, 4.0), FOR)
    assert aside is not None and aside.on_slice and not aside.in_image and aside.status == "outside"
    assert stack.locate((0, 0, 0), "9.9.9") is None


# -- real data ---------------------------------------------------------------------------------


def _headers(folder: Path) -> list[pydicom.Dataset]:
    return [pydicom.dcmread(f, stop_before_pixels=True) for f in sorted(folder.glob("*.dcm"))]


@pytest.fixture(scope="module")
def phantom(shared_data: Path) -> dict[str, list[pydicom.Dataset]]:
    root = shared_data / "ct_head_phantom_philips"
    return {name: _headers(root / name) for name in ("S1000", "S2010", "S2020")}


def test_phantom_slices_on_the_localizer(phantom):
    scout = phantom["S1000"][0]
    scout_for = str(scout.FrameOfReferenceUID)
    target = StackGeometry.from_headers([scout]).planes[0]
    sets = build_display_sets(phantom["S2020"])
    assert len(sets) == 1 and sets[0].volume is not None
    for slice_plane in sets[0].volume.slices[::35]:
        header = next(h for h in phantom["S2020"] if h.SOPInstanceUID == slice_plane.sop_instance_uid)
        line = reference_line(slice_plane, target, source_frame_of_reference=str(header.FrameOfReferenceUID), target_frame_of_reference=scout_for)
        assert line is not None
        # By hand: the localizer's rows go down from z = IPP_z in steps of its row spacing, its
        # columns toward posterior from y = IPP_y; the axial image covers y from its IPP_y - half
        # a pixel to IPP_y + (rows - 0.5) pixels.
        z = float(header.ImagePositionPatient[2])
        row = (float(scout.ImagePositionPatient[2]) - z) / float(scout.PixelSpacing[0])
        y0 = float(header.ImagePositionPatient[1]) - 0.5 * float(header.PixelSpacing[0])
        y1 = float(header.ImagePositionPatient[1]) + (int(header.Rows) - 0.5) * float(header.PixelSpacing[0])
        c0 = (y0 - float(scout.ImagePositionPatient[1])) / float(scout.PixelSpacing[1])
        c1 = (y1 - float(scout.ImagePositionPatient[1])) / float(scout.PixelSpacing[1])
        got = sorted([line.start, line.end])
        assert got[0] == pytest.approx((c0, row), abs=1e-6)
        assert got[1] == pytest.approx((c1, row), abs=1e-6)
    assert 0 < row < int(scout.Rows)


def test_cursor_from_1mm_to_5mm_phantom(phantom):
    fine = build_display_sets(phantom["S2020"])[0]
    thick = build_display_sets(phantom["S2010"])[0]
    frame = str(phantom["S2020"][0].FrameOfReferenceUID)
    a = StackGeometry.from_display_set(fine, frame)
    b = StackGeometry.from_display_set(thick, frame)
    assert a is not None and b is not None
    z_thick = np.array([float(p.position[2]) for p in thick.volume.slices])
    for k in (0, 17, 70, 139):
        point = pixel_to_patient(a.planes[k], 200.0, 311.0)
        hit = b.locate(point, frame)
        assert hit is not None
        expected = int(np.argmin(np.abs(z_thick - point[2])))
        assert hit.index == expected
        assert (hit.column, hit.row) == pytest.approx((200.0, 311.0))  # same in-plane grid
        assert hit.on_slice == (abs(z_thick[expected] - point[2]) <= 2.5 + 1e-6)


def test_cursor_round_trip_on_oblique_sagittal_mr(shared_data: Path):
    headers = _headers(shared_data / "mr_brain_sag_fnndsc" / "series")
    volume = build_display_sets(headers)[0]
    stack = StackGeometry.from_display_set(volume, str(headers[0].FrameOfReferenceUID))
    assert stack is not None and len(stack) == 192
    point = pixel_to_patient(stack.planes[50], 100.0, 120.0)
    hit = stack.locate(point, str(headers[0].FrameOfReferenceUID))
    assert hit is not None and hit.index == 50
    assert (hit.column, hit.row) == pytest.approx((100.0, 120.0))
    assert hit.distance_mm == pytest.approx(0.0, abs=1e-6) and hit.status == "inside"
    assert hit.pixel == (100, 120)
