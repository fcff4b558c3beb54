"""Curved MPR in the viewer, zoom/pan mapping and capture caching (workstation.render.mpr)."""

from __future__ import annotations

import numpy as np
import pytest
from pydicom.dataset import Dataset
from vtkmodules.vtkRenderingCore import vtkRenderer

from workstation.model.geometry import VolumeGeometry
from workstation.model.mpr import Interpolation
from workstation.render.mpr import MprViewer, VolumeImage, reslice_plane


def _header() -> Dataset:
    header = Dataset()
    header.Modality, header.PhotometricInterpretation = "CT", "MONOCHROME2"
    header.BitsAllocated, header.BitsStored, header.PixelRepresentation = 16, 16, 1
    return header


def _smooth_volume(geometry: VolumeGeometry) -> np.ndarray:
    k, j, i = np.indices(geometry.shape, dtype=np.float64)
    values = 400 * np.sin(i / 5.0) * np.cos(j / 7.0) + 30 * k + 5 * i
    return np.rint(values).astype(np.int16)


GEOMETRY = VolumeGeometry.from_image_plane((-30.0, -25.0, 10.0), (1, 0, 0, 0, 1, 0), (1.0, 1.0), (0, 0, 2.0), (16, 50, 60))


def test_curved_reformat_along_a_straight_axial_path_equals_the_axial_plane() -> None:
    volume = _smooth_volume(GEOMETRY)
    viewer = MprViewer(volume, GEOMETRY, _header(), names=("axial",), size=(400, 300))
    try:
        state = viewer.state
        state.interpolation = Interpolation.LINEAR
        state.center = GEOMETRY.index_to_patient(np.array([30.0, 25.0, 7.0]))
        viewer.show_curved(vtkRenderer(), plane="axial")
        plane = state.plane("axial")
        s = plane.pixel_spacing
        r0, c0, c1 = 20, 10, 45
        viewer.set_curved_path([plane.pixel_to_patient(c0, r0), plane.pixel_to_patient(c1, r0)])
        viewer.update()
        curved = viewer.curved
        assert curved is not None and curved.result is not None
        image = curved.result.image
        straight = reslice_plane(VolumeImage(volume, GEOMETRY), plane).astype(np.float64)
        rows, columns = image.shape
        assert rows == c1 - c0 + 1
        half = (columns - 1) // 2
        # Row r of the curved image is column c0 + r of the axial plane; its columns run across
        # the path (tangent x normal = anterior = decreasing row): column c is row r0 + half - c.
        across = np.arange(columns)
        axial_rows = r0 + half - across
        inside = (axial_rows >= 0) & (axial_rows < plane.rows)
        assert inside.sum() > 30
        want = straight[axial_rows[inside][None, :], (c0 + np.arange(rows))[:, None]]
        got = image[:, inside]
        assert np.abs(got - want).max() <= 1.0  # VTK rounds to int16, numpy does not
        assert curved.result.spacing == s
        np.testing.assert_allclose(curved.result.centre[0], plane.pixel_to_patient(c0, r0))
        # The path is drawn on the axial pane: two vertices where the points project.
        path = viewer.views["axial"].path.points
        h = viewer.views["axial"].viewport_size()[1]
        x, y = viewer.screen_of("axial", plane.pixel_to_patient(c1, r0))
        assert path[1] == pytest.approx((x, h - y))
    finally:
        viewer.close()


def test_fewer_than_two_points_show_a_sentence_not_a_picture() -> None:
    volume = _smooth_volume(GEOMETRY)
    viewer = MprViewer(volume, GEOMETRY, _header(), names=("axial",), size=(400, 300))
    try:
        renderer = vtkRenderer()
        viewer.show_curved(renderer)
        viewer.add_curved_point(viewer.state.center)
        viewer.update()
        assert viewer.curved is not None and viewer.curved.result is None
        assert "two points" in viewer.curved.text.message.GetInput()
        assert not viewer.curved.actor.GetVisibility()
    finally:
        viewer.close()


def test_zoom_keeps_the_point_under_the_mouse_and_pan_shifts_by_the_drag() -> None:
    volume = _smooth_volume(GEOMETRY)
    viewer = MprViewer(volume, GEOMETRY, _header(), size=(900, 300))
    try:
        viewer.render()
        point = GEOMETRY.index_to_patient(np.array([40.0, 10.0, 7.0]))
        other = GEOMETRY.index_to_patient(np.array([12.0, 30.0, 7.0]))
        mouse = viewer.screen_of("axial", point)
        before = np.array(viewer.screen_of("axial", other))
        viewer.zoom("axial", 2.0, *mouse)
        assert viewer.screen_of("axial", point) == pytest.approx(mouse)
        np.testing.assert_allclose(np.array(viewer.screen_of("axial", other)) - mouse, (before - mouse) * 2.0, atol=1e-9)
        np.testing.assert_allclose(viewer.pick("axial", *mouse)[:2], point[:2], atol=1e-9)
        coronal = viewer.screen_of("coronal", point)
        viewer.pan("axial", 12.0, -7.0)
        assert viewer.screen_of("axial", point) == pytest.approx((mouse[0] + 12.0, mouse[1] - 7.0))
        assert viewer.screen_of("coronal", point) == pytest.approx(coronal)
        viewer.fit(keep_zoom=True)
        assert viewer.views["axial"].zoom == 2.0
        viewer.fit()
        assert viewer.views["axial"].zoom == 1.0 and not viewer.views["axial"].pan_mm.any()
    finally:
        viewer.close()


def test_capture_renders_only_when_something_changed() -> None:
    volume = _smooth_volume(GEOMETRY)
    viewer = MprViewer(volume, GEOMETRY, _header(), size=(600, 200))
    renders: list[int] = []
    viewer.render_window.AddObserver("EndEvent", lambda *_: renders.append(1))
    try:
        first = viewer.capture()
        assert len(renders) == 1
        again = viewer.capture()
        assert len(renders) == 1 and np.array_equal(first, again)
        viewer.set_window(0.0, 200.0)
        changed = viewer.capture()
        assert len(renders) == 2 and not np.array_equal(first, changed)
        viewer.zoom("coronal", 1.5)
        viewer.capture()
        assert len(renders) == 3
        viewer.reset_window()
        assert np.array_equal(viewer.capture()[:, :200], first[:, :200])  # the axial pane is as before
    finally:
        viewer.close()
