"""Measurements on MPR planes (workstation.annotate.plane_measurements): lengths, angles and
probes in patient space, checked against numpy computed from the volume's own affine."""

from __future__ import annotations

import math

import numpy as np
import pytest
from pydicom.dataset import Dataset

from tests.model.geometry_fixtures import rotation
from workstation.annotate.measurements import HU, Kind, MeasurementError
from workstation.annotate.plane_measurements import (
    PlaneMeasurementSet,
    angle_degrees,
    lps_text,
    measure_on_plane,
    probe_voxel,
    visibility_tolerance,
)
from workstation.model.geometry import VolumeGeometry
from workstation.model.mpr import MprState


def _oblique() -> VolumeGeometry:
    r = rotation("x", 17) @ rotation("y", -23)
    iop = np.concatenate([r @ (1, 0, 0), r @ (0, 1, 0)])
    return VolumeGeometry.from_image_plane((10.0, -30.0, 5.0), iop, (0.8, 0.7), r @ (0, 0, 1.2), (24, 48, 56))


def _ct_header() -> Dataset:
    ds = Dataset()
    ds.Modality = "CT"
    ds.RescaleSlope = 1
    ds.RescaleIntercept = -1024
    return ds


def test_length_on_a_double_oblique_plane_is_the_patient_distance() -> None:
    """Two pixels picked on a double-oblique plane: the length equals the distance computed from
    the plane equation P = origin + c*s*u + r*s*v with numpy, not a pixel count."""
    state = MprState(_oblique())
    state.rotate("axial", 31.0)
    state.rotate("sagittal", -17.0)
    plane = state.plane("coronal")
    a, b = plane.pixel_to_patient(10.0, 12.0), plane.pixel_to_patient(40.5, 33.0)
    m = measure_on_plane(Kind.LENGTH, [a, b], "coronal", plane.normal)
    s = plane.pixel_spacing
    assert m.values[0].value == pytest.approx(s * math.hypot(30.5, 21.0), abs=1e-9)
    assert m.values[0].unit == "mm"
    assert m.label.endswith("mm")


def test_angle_is_measured_in_patient_space() -> None:
    vertex = np.array([1.0, 2.0, 3.0])
    a = vertex + np.array([10.0, 0.0, 0.0])
    c = vertex + 7.0 * np.array([math.cos(math.radians(35)), 0.0, math.sin(math.radians(35))])
    assert angle_degrees(a, vertex, c) == pytest.approx(35.0, abs=1e-9)
    m = measure_on_plane("angle", [a, vertex, c], "coronal", (0, 1, 0))
    assert m.values[0].value == pytest.approx(35.0, abs=1e-9)
    assert m.label == "35.0°"
    with pytest.raises(MeasurementError):
        measure_on_plane("angle", [vertex, vertex, c], "coronal", (0, 1, 0))


def test_probe_reads_the_nearest_voxel_through_the_modality_lut() -> None:
    geometry = _oblique()
    volume = np.random.default_rng(3).integers(0, 3000, size=geometry.shape).astype(np.int16)
    point = geometry.index_to_patient([20.3, 30.6, 11.2])
    m = measure_on_plane(Kind.PROBE, [point], "axial", (0, 0, 1), volume=volume, geometry=geometry, header=_ct_header())
    assert m.voxel == (20, 31, 11)
    assert m.values[0].value == float(volume[11, 31, 20]) - 1024
    assert m.values[0].unit == HU
    assert m.position_lps == pytest.approx(tuple(point))
    value_line, position_line = m.label.split("\n")
    assert value_line == f"{float(volume[11, 31, 20]) - 1024:.0f} HU"
    assert position_line == lps_text(point) and position_line in m.description
    assert lps_text((-12.5, 3.0, -40.26)) == "R 12.5, P 3.0, F 40.3 mm"
    assert lps_text((7.04, -2.0, 0.0)) == "L 7.0, A 2.0, H 0.0 mm"
    with pytest.raises(MeasurementError, match="outside the volume"):
        probe_voxel(volume, geometry, _ct_header(), geometry.index_to_patient([-3.0, 0.0, 0.0]))


def test_measurements_show_only_on_the_plane_that_passes_through_them() -> None:
    """Drawn on the axial plane at the crosshair: shown there, hidden one voxel away, shown
    again when the plane comes back; the coronal plane shows it only if it lies in it."""
    geometry = VolumeGeometry.from_image_plane((0.0, 0.0, 0.0), (1, 0, 0, 0, 1, 0), (0.5, 0.5), (0, 0, 2.0), (20, 64, 64))
    state = MprState(geometry)
    plane = state.plane("axial")
    m = measure_on_plane(Kind.LENGTH, [plane.pixel_to_patient(5, 5), plane.pixel_to_patient(30, 5)], "axial", plane.normal)
    items = PlaneMeasurementSet()
    items.add(m)
    tol = visibility_tolerance(state.normal_step("axial"))
    assert tol == pytest.approx(1.0)
    assert items.on_plane(state.plane("axial").origin, state.plane("axial").normal, tol) == [m]
    state.scroll("axial", 1)
    assert items.on_plane(state.plane("axial").origin, state.plane("axial").normal, tol) == []
    state.scroll("axial", -1)
    assert items.on_plane(state.plane("axial").origin, state.plane("axial").normal, tol) == [m]
    coronal = state.plane("coronal")
    ctol = visibility_tolerance(state.normal_step("coronal"))
    assert items.on_plane(coronal.origin, coronal.normal, ctol) == []  # the line runs across it at row 5
    state.center = plane.pixel_to_patient(10, 5)
    coronal = state.plane("coronal")
    assert items.on_plane(coronal.origin, coronal.normal, ctol) == [m]  # now the coronal plane holds the line


def test_set_delete_undo_redo() -> None:
    items = PlaneMeasurementSet()
    a = items.add(measure_on_plane(Kind.LENGTH, [(0, 0, 0), (3, 4, 0)], "axial", (0, 0, 1)))
    b = items.add(measure_on_plane(Kind.LENGTH, [(0, 0, 0), (0, 0, 2)], "coronal", (0, 1, 0)))
    assert a.values[0].value == pytest.approx(5.0)
    items.delete(a.id)
    assert [m.id for m in items] == [b.id]
    items.undo()
    assert [m.id for m in items] == [a.id, b.id]
    items.redo()
    assert len(items) == 1
    with pytest.raises(MeasurementError):
        items.delete(a.id)
    with pytest.raises(MeasurementError):
        measure_on_plane(Kind.ELLIPSE, [(0, 0, 0)] * 4, "axial", (0, 0, 1))
    with pytest.raises(MeasurementError):
        measure_on_plane(Kind.LENGTH, [(0, 0, 0)], "axial", (0, 0, 1))
