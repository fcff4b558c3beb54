"""StackGeometry computed for all planes at once agrees with the per-plane Image Plane equation
of PS3.3 C.7.6.2.1.1 (written out here with numpy), for oblique, non-square, mixed stacks."""

from __future__ import annotations

import numpy as np
import pytest

from workstation.errors import GeometryError
from workstation.model.image_plane import ImagePlane
from workstation.model.spatial import StackGeometry, reference_line


def _oblique(rng: np.random.Generator, index: int, *, scale: float = 1.0) -> ImagePlane:
    a = rng.normal(size=3)
    b = rng.normal(size=3)
    b -= a * (a @ b) / (a @ a)
    # unnormalised cosines (scaled) on purpose: the geometry normalises them
    return ImagePlane(f"1.2.{index}", None, index, index, rng.normal(size=3) * 50, np.r_[a * scale, b * scale * 0.8],
                      (0.7, 0.4), 300 + index, 200 + 2 * index)


def test_normals_centres_and_locations_match_the_image_plane_equation() -> None:
    rng = np.random.default_rng(7)
    planes = [_oblique(rng, i, scale=1.0 + 0.1 * i) for i in range(30)]
    g = StackGeometry(planes, "1.2.3")
    for i, p in enumerate(planes):
        x = p.orientation[:3] / np.linalg.norm(p.orientation[:3])
        y = p.orientation[3:] / np.linalg.norm(p.orientation[3:])
        n = np.cross(x, y)
        n /= np.linalg.norm(n)
        row_spacing, column_spacing = p.pixel_spacing
        centre = p.position + x * column_spacing * (p.columns - 1) / 2 + y * row_spacing * (p.rows - 1) / 2
        assert np.allclose(g.normal(i), n, atol=1e-12)
        assert np.allclose(g.centre(i), centre, atol=1e-9)
        assert g.location(i) == pytest.approx(float(p.position @ n))
    assert g.slice_spacing is None  # mixed orientations
    assert not g.is_parallel_to(g)


def test_parallel_stack_spacing_and_parallel_test() -> None:
    axial = [ImagePlane(f"2.{i}", None, i, i, np.array([-100.0, -80.0, 3.0 * i]), np.array([1.0, 0, 0, 0, 1, 0]), (0.5, 0.5), 64, 64)
             for i in range(12)]
    tilted = np.radians(5.0)
    oblique = [ImagePlane(f"3.{i}", None, i, i, np.array([0.0, 0.0, 2.0 * i]),
                          np.array([1.0, 0, 0, 0, np.cos(tilted), np.sin(tilted)]), (0.5, 0.5), 64, 64) for i in range(5)]
    a, b = StackGeometry(axial, "1"), StackGeometry(oblique, "1")
    assert a.slice_spacing == pytest.approx(3.0)
    assert a.is_parallel_to(b, tolerance_deg=10.0) and not a.is_parallel_to(b, tolerance_deg=4.0)
    assert a.nearest_index([0.0, 0.0, 16.4]) == 5


def test_a_zero_length_orientation_is_a_geometry_error() -> None:
    rng = np.random.default_rng(1)
    planes = [_oblique(rng, i) for i in range(3)]
    broken = ImagePlane("9.9", None, 3, 3, np.zeros(3), np.array([0.0, 0, 0, 0, 1, 0]), (1.0, 1.0), 8, 8)
    with pytest.raises(GeometryError):
        StackGeometry([*planes, broken], "1")


def test_reference_line_ends_lie_on_both_planes() -> None:
    rng = np.random.default_rng(11)
    found = 0
    for i in range(0, 60, 2):
        source, target = _oblique(rng, i), _oblique(rng, i + 1)
        line = reference_line(source, target, source_frame_of_reference="1", target_frame_of_reference="1")
        if line is None:
            continue
        found += 1
        x = target.orientation[:3] / np.linalg.norm(target.orientation[:3])
        y = target.orientation[3:] / np.linalg.norm(target.orientation[3:])
        sx = source.orientation[:3] / np.linalg.norm(source.orientation[:3])
        sy = source.orientation[3:] / np.linalg.norm(source.orientation[3:])
        n_source = np.cross(sx, sy)
        for column, row in (line.start, line.end):
            point = target.position + x * target.pixel_spacing[1] * column + y * target.pixel_spacing[0] * row
            assert abs(float((point - source.position) @ n_source)) < 1e-6  # on the source plane
            assert -0.5 - 1e-9 <= column <= target.columns - 0.5 + 1e-9 and -0.5 - 1e-9 <= row <= target.rows - 0.5 + 1e-9
    assert found >= 5
