"""Measurements and the source pane of the MPR view, on a virtual X server: length, angle and
probe drawn with simulated clicks on (oblique) planes, checked against patient-space distances
and the phantom's voxels; the acquired slice with the planes' reference lines, checked against
the plane equations."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest

pytest.importorskip("pytestqt")

from PySide6.QtCore import Qt  # noqa: E402

from tests.gui.test_mpr_view import LESION, _qpoint, open_phantom_view, save_shot  # noqa: E402
from workstation.annotate.measurements import HU, Kind  # noqa: E402
from workstation.annotate.plane_sr import build_plane_measurement_report, plane_measurements_from_sr  # noqa: E402
from workstation.model.spatial import pixel_to_patient  # noqa: E402
from workstation.render.mpr import PLANE_RGB  # noqa: E402
from workstation.ui.mpr_measure import label_size  # noqa: E402
from workstation.ui.mpr_view import MprView  # noqa: E402

pytestmark = pytest.mark.gui


@pytest.fixture
def loaded(qtbot) -> Any:  # type: ignore[no-untyped-def]
    """The MPR view with the head phantom loaded (as in test_mpr_view)."""
    yield from open_phantom_view(qtbot)


def _click(qtbot: Any, view: MprView, pane: str, point: np.ndarray) -> None:
    qtbot.mouseClick(view.view, Qt.MouseButton.LeftButton, pos=_qpoint(view, *view.screen_of(pane, point)))


def _tolerance(view: MprView, pane: str) -> float:
    """One screen pixel (clicks land on whole pixels) in mm, plus a little."""
    return 1.0 / view.viewer.views[pane].pixels_per_mm() + 1e-6


def test_length_on_an_oblique_plane_is_the_patient_distance_and_follows_the_plane(qtbot, loaded: MprView) -> None:  # type: ignore[no-untyped-def]
    view = loaded
    state = view.state
    assert state is not None
    state.center = LESION
    state.rotate("axial", 30.0)  # the coronal and sagittal planes turn: oblique
    view.render_now()
    coronal = state.plane("coronal")
    a = coronal.pixel_to_patient(*np.array(coronal.patient_to_pixel(LESION)[:2]) + (-20.0, -10.0))
    b = coronal.pixel_to_patient(*np.array(coronal.patient_to_pixel(LESION)[:2]) + (25.0, 15.0))
    view.set_measure_tool(Kind.LENGTH)
    centre = state.center
    _click(qtbot, view, "coronal", a)
    _click(qtbot, view, "coronal", b)
    np.testing.assert_allclose(state.center, centre)  # measuring clicks do not move the crosshair
    assert len(view.measurements) == 1
    m = view.measurements[0]
    tol = _tolerance(view, "coronal")
    np.testing.assert_allclose(m.points[0], a, atol=tol)
    np.testing.assert_allclose(m.points[1], b, atol=tol)
    assert m.values[0].value == pytest.approx(float(np.linalg.norm(b - a)), abs=2 * tol)
    # The points lie in the oblique plane (patient space, not screen space).
    assert abs(float((np.asarray(m.points[1]) - coronal.origin) @ coronal.normal)) < 1e-6
    view.render_now()
    labels = view.measure.actors["coronal"].label_texts()
    assert labels == [m.label] and labels[0].endswith("mm")
    assert view.measurement_list.isVisible() and view.measurement_list.count() == 1
    assert "Length" in view.measurement_list.item(0).text()
    assert m.label in view._legend.GetInput()
    # Zoom in about the end point: the label keeps its font size and follows the end point.
    view.zoom("coronal", 2.0, *view.viewer.screen_of("coronal", np.asarray(m.points[1])))
    view.render_now()
    actor = view.measure.actors["coronal"].labels[0]
    assert actor.GetTextProperty().GetFontSize() == 14
    x, y = view.viewer.screen_of("coronal", np.asarray(m.points[1]))
    h = view.viewer.views["coronal"].viewport_size()[1]
    pos = actor.GetPositionCoordinate().GetValue()
    w = view.viewer.views["coronal"].viewport_size()[0]
    width = label_size(m.label)[0]
    assert pos[0] == pytest.approx(x + 8.0 if x + 8.0 + width <= w else max(4.0, x - 8.0 - width)) and pos[1] == pytest.approx(h - y + 8.0)
    # Zoomed far in about the other end, the end point leaves the pane but the label stays in it.
    view.zoom("coronal", 4.0, *view.viewer.screen_of("coronal", np.asarray(m.points[0])))
    view.render_now()
    pos = actor.GetPositionCoordinate().GetValue()
    assert actor.GetVisibility() and 0 <= pos[0] <= w - label_size(m.label)[0] and 0 <= pos[1] <= h - 14
    # Scrolled one voxel away, the plane no longer passes through it: hidden; back: shown.
    view.scroll_plane("coronal", 1)
    view.render_now()
    assert view.measure.actors["coronal"].label_texts() == []
    view.scroll_plane("coronal", -1)
    view.render_now()
    assert view.measure.actors["coronal"].label_texts() == [m.label]
    save_shot(view.capture(), "mpr_measure_length")
    # Del deletes the selected (just drawn) one.
    view.view.setFocus()
    qtbot.keyClick(view.view, Qt.Key.Key_Delete)
    assert view.measurements == [] and not view.measurement_list.isVisible()
    view.render_now()
    assert view.measure.actors["coronal"].label_texts() == []


def test_angle_and_probe_on_the_axial_plane(qtbot, loaded: MprView) -> None:  # type: ignore[no-untyped-def]
    view = loaded
    state = view.state
    assert state is not None
    state.center = LESION
    view.render_now()
    vertex = LESION + np.array([-20.0, 20.0, 0.0])
    arm1 = vertex + 30.0 * np.array([1.0, 0.0, 0.0])
    arm2 = vertex + 25.0 * np.array([math.cos(math.radians(60)), -math.sin(math.radians(60)), 0.0])
    view.set_measure_tool("angle")
    for p in (arm1, vertex, arm2):
        _click(qtbot, view, "axial", p)
    angle = view.measurements[0]
    # Independent: the angle of the clicked points (whole screen pixels) in patient space.
    u, w = np.asarray(angle.points[0]) - angle.points[1], np.asarray(angle.points[2]) - angle.points[1]
    assert angle.values[0].value == pytest.approx(math.degrees(math.acos(u @ w / np.linalg.norm(u) / np.linalg.norm(w))), abs=1e-9)
    assert angle.values[0].value == pytest.approx(60.0, abs=2.0)  # a pixel off at 25 mm
    view.set_measure_tool(Kind.PROBE)
    # A quick second click arrives as a double-click: it places a point, no pane is maximised.
    qtbot.mouseDClick(view.view, Qt.MouseButton.LeftButton, pos=_qpoint(view, *view.screen_of("axial", LESION)))
    assert view.maximised is None
    probe = view.measurements[1]
    viewer = view.viewer
    ijk = np.floor(viewer.source.geometry.patient_to_index(np.asarray(probe.points[0])) + 0.5).astype(int)
    stored = float(viewer.source.volume[ijk[2], ijk[1], ijk[0]])
    slope, intercept = float(view.header.get("RescaleSlope", 1)), float(view.header.get("RescaleIntercept", 0))
    assert probe.values[0].value == stored * slope + intercept
    assert probe.values[0].unit == HU
    assert abs(probe.values[0].value - 65.0) < 10  # the lesion is 65 HU
    np.testing.assert_allclose(probe.position_lps, LESION, atol=_tolerance(view, "axial") + 1e-3)
    view.render_now()
    assert len(view.measure.actors["axial"].label_texts()) == 2
    assert view.measurement_list.count() == 2 and "Probe" in view.measurement_list.item(1).text()
    # A click on the angle's vertex selects it (instead of starting a probe); Del deletes it.
    _click(qtbot, view, "axial", np.asarray(angle.points[1]))
    assert view.measure.selected == angle.id and len(view.measurements) == 2
    qtbot.keyClick(view.view, Qt.Key.Key_Delete)
    assert [m.id for m in view.measurements] == [probe.id]
    qtbot.keyClick(view.view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert len(view.measurements) == 2


def test_source_pane_shows_the_acquired_slice_with_the_planes_reference_lines(qtbot, loaded: MprView) -> None:  # type: ignore[no-untyped-def]
    view = loaded
    state = view.state
    assert state is not None
    sent: list[Any] = []
    view.planes_changed.connect(sent.append)
    state.center = LESION
    view.rotate("axial", 25.0)
    view.show_fourth_pane("source")
    assert "source" in view.pane_layout() and "legend" not in view.pane_layout()
    view.render_now()
    source = view.viewer.source_view
    assert source is not None and source.plane is not None
    geometry = view.viewer.source.geometry
    # The nearest acquired slice to the crosshair, computed from the affine alone.
    k = int(np.argmin([abs(float((LESION - geometry.index_to_patient([0, 0, kk])) @ geometry.normal)) for kk in range(geometry.shape[0])]))
    assert source.slice_index == k
    # Axial plane parallel to the axial slices: no line. The two oblique planes: each drawn
    # segment lies in its plane (plane equation) and crosses the crosshair's projection.
    assert set(source.segments) == {"coronal", "sagittal"}
    for name, (p0, p1) in source.segments.items():
        plane = state.plane(name)
        for c, r in (p0, p1, ((p0[0] + p1[0]) / 2, (p0[1] + p1[1]) / 2)):
            point = pixel_to_patient(source.plane, c, r)
            assert abs(float((point - plane.origin) @ plane.normal)) < 1e-6, name
        # It runs edge to edge of the slice (the plane covers the whole volume).
        ends = np.array([p0, p1])
        on_edge = (np.isclose(ends, -0.5, atol=1e-6) | np.isclose(ends, [source.plane.columns - 0.5, source.plane.rows - 0.5], atol=1e-6)).any(axis=1)
        assert on_edge.all(), name
    # The lines are drawn in the planes' colours in the source pane.
    image = view.capture()
    save_shot(image, "mpr_source_pane")
    ox, oy = view.pane_origin("source")
    for name, (p0, p1) in source.segments.items():
        mid = source.pixel_to_screen((p0[0] + p1[0]) / 2 + 0.2 * (p1[0] - p0[0]), (p0[1] + p1[1]) / 2 + 0.2 * (p1[1] - p0[1]))
        x, y = int(round(ox + mid[0])), int(round(oy + mid[1]))
        patch = image[y - 2:y + 3, x - 2:x + 3].reshape(-1, 3).astype(int)
        rgb = (np.array(PLANE_RGB[name]) * 255).astype(int)
        assert (np.abs(patch - rgb).max(axis=1) < 40).any(), name
    # planes_changed carried the three planes as ImagePlane objects, the latest ones.
    assert sent and set(sent[-1]) == {"axial", "coronal", "sagittal"}
    latest = sent[-1]["coronal"]
    np.testing.assert_allclose(latest.orientation[:3], state.plane("coronal").row_direction)
    view.show_fourth_pane("legend")
    assert view.viewer.source_view is None and "legend" in view.pane_layout()


def test_screenshot_with_measurements_and_the_source_pane(qtbot, loaded: MprView) -> None:  # type: ignore[no-untyped-def]
    view = loaded
    state = view.state
    assert state is not None
    state.center = LESION
    view.rotate("axial", 20.0)
    view.show_fourth_pane("source")
    view.set_measure_tool(Kind.LENGTH)
    for pane, offsets in (("axial", ((-12, 0, 0), (12, 0, 0))), ("coronal", ((0, 0, -10), (0, 0, 12)))):
        plane = state.plane(pane)
        for off in offsets:
            p = LESION + np.asarray(off, dtype=float)
            p = p - float((p - plane.origin) @ plane.normal) * plane.normal  # onto the plane
            _click(qtbot, view, pane, p)
    view.set_measure_tool(Kind.PROBE)
    _click(qtbot, view, "sagittal", LESION)
    assert len(view.measurements) == 3
    image = view.capture()
    save_shot(image, "mpr_measure_source")
    for pane in ("axial", "coronal", "sagittal"):
        assert view.measure.actors[pane].label_texts(), pane
    # Saved as TID 1500 with SCOORD3D and read back into a fresh list: the same labels.
    header = view.header.copy()
    header.FrameOfReferenceUID = header.get("FrameOfReferenceUID", "1.2.3")
    report = build_plane_measurement_report(view.measurements, [header])
    written = [m.label for m in view.measurements]
    view.measure.reset()
    view.add_measurements(plane_measurements_from_sr(report))
    view.render_now()
    assert [m.label for m in view.measurements] == written
    assert view.measurement_list.count() == 3


def test_oblique_slab_is_previewed_while_dragging_and_sharp_after(qtbot, loaded: MprView) -> None:  # type: ignore[no-untyped-def]
    view = loaded
    state = view.state
    assert state is not None
    state.center = LESION
    view.set_slab(10.0, "mip")
    view.rotate("axial", 20.0)  # coronal and sagittal slabs become oblique (the expensive ones)
    view.render_now()
    full = view.viewer.views["coronal"].plane
    assert full is not None and full.slab_samples > 1
    start = view.screen_of("axial", state.center)
    start = (start[0] + 60.0, start[1] + 10.0)
    qtbot.mousePress(view.view, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.ControlModifier, pos=_qpoint(view, *start))
    qtbot.mouseMove(view.view, _qpoint(view, start[0], start[1] + 40.0))
    view.render_now()
    shown = view.viewer.views["coronal"].plane
    assert view.viewer.interactive and shown is not None
    assert shown.pixel_spacing == pytest.approx(2 * full.pixel_spacing)  # the preview grid
    assert "(preview)" in " ".join(view.viewer.views["coronal"].text.corner_lines()["top_left"])
    assert view.viewer.views["axial"].plane.pixel_spacing == pytest.approx(full.pixel_spacing)  # aligned: full
    qtbot.mouseRelease(view.view, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.ControlModifier, pos=_qpoint(view, start[0], start[1] + 40.0))
    view.render_now()
    assert not view.viewer.interactive
    assert view.viewer.views["coronal"].plane.pixel_spacing == pytest.approx(full.pixel_spacing)
    assert "(preview)" not in " ".join(view.viewer.views["coronal"].text.corner_lines()["top_left"])
