"""The acquired slice behind the MPR (workstation.model.mpr.source_slice_plane) and the reference
lines of the MPR planes on it: checked against the instances' own Image Plane attributes and
against lines computed by hand from the plane equations (PS3.3 C.7.6.2.1.1)."""

from __future__ import annotations

import numpy as np
import pytest

from tests.model.geometry_fixtures import stack
from workstation.errors import GeometryError
from workstation.model.geometry import build_volume_geometry
from workstation.model.mpr import MprState, nearest_source_slice, source_slice_plane
from workstation.model.spatial import pixel_to_patient, reference_line

FRAME = "1.2.3.4"


@pytest.mark.parametrize("step", [(0.0, 0.0, 2.5), (0.0, 0.9, 2.5)], ids=["axial", "tilted"])
def test_source_slice_plane_is_the_acquired_image_plane(step: tuple[float, float, float]) -> None:
    result = build_volume_geometry(stack((-20.0, -25.0, 10.0), step, 12, spacing=(0.9, 0.6), rows=48, columns=56))
    geometry = result.geometry
    for k in (0, 5, 11):
        mine, acquired = source_slice_plane(geometry, k), result.slices[k]
        np.testing.assert_allclose(mine.position, acquired.position, atol=1e-9)
        np.testing.assert_allclose(mine.orientation, acquired.orientation, atol=1e-12)
        assert mine.pixel_spacing == pytest.approx(acquired.pixel_spacing)
        assert (mine.rows, mine.columns) == (acquired.rows, acquired.columns)
        # The crosshair on a slice's centre picks that slice.
        assert nearest_source_slice(geometry, pixel_to_patient(acquired, 20, 30)) == k
    with pytest.raises(GeometryError):
        source_slice_plane(geometry, 12)


def test_orthogonal_planes_cut_an_axial_slice_along_its_row_and_column() -> None:
    """On an axial CT, the coronal plane through the crosshair cuts slice k along the row of the
    crosshair (a horizontal line edge to edge) and the sagittal plane along its column; the
    axial plane is parallel and draws no line."""
    result = build_volume_geometry(stack((-20.0, -25.0, 10.0), (0.0, 0.0, 2.5), 12, spacing=(0.9, 0.6), rows=48, columns=56))
    geometry = result.geometry
    state = MprState(geometry)
    centre = np.array([-20.0 + 17 * 0.6, -25.0 + 31 * 0.9, 10.0 + 4 * 2.5])  # column 17, row 31, slice 4
    state.center = centre
    k = nearest_source_slice(geometry, state.center)
    assert k == 4
    target = source_slice_plane(geometry, k)
    lines = {name: reference_line(state.plane(name).image_plane(), target, source_frame_of_reference=FRAME, target_frame_of_reference=FRAME)
             for name in ("axial", "coronal", "sagittal")}
    assert lines["axial"] is None
    coronal, sagittal = lines["coronal"], lines["sagittal"]
    assert coronal is not None and sagittal is not None
    assert sorted([coronal.start, coronal.end]) == [pytest.approx((-0.5, 31.0)), pytest.approx((55.5, 31.0))]
    # The sagittal MPR image (columns along +y, 0.6 mm pixels from the first voxel centre) ends
    # half of ITS pixel beyond its first and last pixel centres: rows of 0.9 mm on the slice.
    s, columns = state.pixel_spacing, state.plane("sagittal").columns
    first, last = -0.5 * s / 0.9, (columns - 0.5) * s / 0.9
    assert sorted([sagittal.start, sagittal.end], key=lambda p: p[1]) == [pytest.approx((17.0, first)), pytest.approx((17.0, last))]


def test_an_oblique_plane_cuts_the_slice_where_its_equation_says() -> None:
    """After rotating, every point of the drawn line satisfies the oblique plane's equation
    (distance 0), and the line passes through the crosshair's pixel."""
    result = build_volume_geometry(stack((-20.0, -25.0, 10.0), (0.0, 0.0, 2.5), 12, spacing=(0.9, 0.6), rows=48, columns=56))
    geometry = result.geometry
    state = MprState(geometry)
    state.center = geometry.index_to_patient([20.0, 25.0, 6.0])
    state.rotate("axial", 33.0)
    state.rotate("coronal", 12.0)
    target = source_slice_plane(geometry, nearest_source_slice(geometry, state.center))
    for name in ("coronal", "sagittal"):
        plane = state.plane(name)
        line = reference_line(plane.image_plane(), target, source_frame_of_reference=FRAME, target_frame_of_reference=FRAME)
        assert line is not None
        for t in np.linspace(0.0, 1.0, 7):
            c = line.start[0] + t * (line.end[0] - line.start[0])
            r = line.start[1] + t * (line.end[1] - line.start[1])
            assert abs(float((pixel_to_patient(target, c, r) - plane.origin) @ plane.normal)) < 1e-6
        # Its in-slice direction is the plane's line of intersection with the slice.
        direction = np.cross(plane.normal, geometry.normal)
        drawn = pixel_to_patient(target, *line.end) - pixel_to_patient(target, *line.start)
        assert float(np.linalg.norm(np.cross(direction, drawn))) < 1e-6 * float(np.linalg.norm(drawn))
