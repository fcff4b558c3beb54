"""The MPR view on a virtual X server: a generated head phantom loaded from the library through
the display-set loader; the crosshair, scrolling and slabs checked against the phantom's known
patient coordinates and numpy."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

pytest.importorskip("pytestqt")

from PySide6.QtCore import QPoint, QPointF, Qt  # noqa: E402
from PySide6.QtGui import QImage, QWheelEvent  # noqa: E402

from tests.gui.helpers import SHOTS, expected_grey  # noqa: E402
from workstation.demo import phantom_series, phantom_volume  # noqa: E402
from workstation.model.displayset import build_display_sets  # noqa: E402
from workstation.model.mpr import Projection  # noqa: E402
from workstation.model.query import StudyQuery  # noqa: E402
from workstation.render.offscreen import load_display_set_volume  # noqa: E402
from workstation.settings import load_settings  # noqa: E402
from workstation.sources import open_library  # noqa: E402
from workstation.ui.mpr_view import MprView  # noqa: E402

pytestmark = pytest.mark.gui

SHAPE = (40, 96, 96)  # slices, rows, columns
SPACING = (3.0, 2.4, 2.4)  # slice spacing, row spacing, column spacing (mm)
LESION = np.array([25.0, 30.0, -10.0])  # the phantom's hyperdense lesion (LPS mm), radius 8 mm
BRAIN = (40.0, 80.0)  # window centre, width (HU)


def save_shot(image: np.ndarray, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    rgb = np.ascontiguousarray(image[:, :, :3])
    QImage(rgb.data, rgb.shape[1], rgb.shape[0], rgb.strides[0], QImage.Format.Format_RGB888).save(str(SHOTS / f"{name}.png"))


@pytest.fixture
def loaded(qtbot) -> Any:  # type: ignore[no-untyped-def]
    """An MprView that loaded the phantom from the library in a background task."""
    yield from open_phantom_view(qtbot)


def open_phantom_view(qtbot) -> Any:  # type: ignore[no-untyped-def]
    """Generator behind the ``loaded`` fixture (other MPR test modules use it for theirs)."""
    library = open_library(load_settings())
    for data in phantom_series(shape=SHAPE, spacing=SPACING):
        library.add_bytes(data)
    study = library.search_studies(StudyQuery())[0]
    headers = library.study_headers(study.study_uid)
    display_set = build_display_sets(headers)[0]
    by_uid = {str(h.SOPInstanceUID): h for h in headers}

    view = MprView(title="Axial 3 mm")
    qtbot.addWidget(view)
    view.resize(900, 760)
    view.show()
    qtbot.waitExposed(view)
    with qtbot.waitSignal(view.loaded, timeout=30000):
        view.load(lambda progress, cancel: load_display_set_volume(display_set, by_uid, lambda uid: bytes(library.read_instance(uid))))
    view.set_window(*BRAIN)
    view.render_now()
    yield view
    view.close()
    library.close()


def _wheel(view: MprView, notches: int, x: float, y: float) -> None:
    ratio = view.view.devicePixelRatioF()
    pos = QPointF(x / ratio, y / ratio)
    event = QWheelEvent(pos, view.view.mapToGlobal(pos), QPoint(0, 0), QPoint(0, 120 * notches),
                        Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase, False)
    view.view.wheelEvent(event)


def _qpoint(view: MprView, x: float, y: float) -> QPoint:
    ratio = view.view.devicePixelRatioF()
    return QPoint(int(round(x / ratio)), int(round(y / ratio)))


def _lesion_on_screen(view: MprView) -> tuple[float, float]:
    """Centre of the lesion as it appears in the captured axial pane (window pixels, y down):
    pixels whose grey is the lesion's (65 HU in the brain window) and whose neighbours 3 pixels
    away are too (the 1-2 pixel partial-volume rim of the skull is not)."""
    image = view.capture().astype(int)[:, :, 0]
    ox, oy = view.pane_origin("axial")
    w, h = view.viewer.views["axial"].viewport_size()
    pane = image[int(oy):int(oy) + h, int(ox):int(ox) + w]
    grey = expected_grey(np.array([50.0, 75.0]), *BRAIN)  # lesion (65 HU), not brain (35) nor bone
    band = (pane >= grey[0]) & (pane <= grey[1])
    core = band.copy()
    for dy, dx in ((3, 0), (-3, 0), (0, 3), (0, -3)):
        core &= np.roll(np.roll(band, dy, axis=0), dx, axis=1)
    rows, cols = np.nonzero(core)
    assert rows.size > 50, "the lesion should be visible in the axial pane"
    return ox + float(cols.mean()) + 0.5, oy + float(rows.mean()) + 0.5


def test_dragging_the_crosshair_onto_the_lesion_moves_the_other_planes_there(qtbot, loaded: MprView) -> None:  # type: ignore[no-untyped-def]
    view = loaded
    state = view.state
    assert state is not None
    state.center = [0.0, 0.0, LESION[2]]  # the axial plane through the lesion's centre
    x, y = _lesion_on_screen(view)
    save_shot(view.capture(), "mpr_before_drag")
    # Patient left (+x) is on the right of the axial pane and posterior (+y) at the bottom.
    cx, cy = view.screen_of("axial", state.center)
    assert x > cx and y > cy
    start = view.screen_of("axial", state.center)
    qtbot.mousePress(view.view, Qt.MouseButton.LeftButton, pos=_qpoint(view, *start))
    qtbot.mouseMove(view.view, _qpoint(view, (start[0] + x) / 2, (start[1] + y) / 2))
    qtbot.mouseMove(view.view, _qpoint(view, x, y))
    qtbot.mouseRelease(view.view, Qt.MouseButton.LeftButton, pos=_qpoint(view, x, y))
    centre = state.center
    tolerance = 2.0 / view.viewer.views["axial"].pixels_per_mm() + state.pixel_spacing  # 2 screen pixels + 1 voxel
    np.testing.assert_allclose(centre, LESION, atol=tolerance)
    # The coronal plane now lies at the lesion's y, the sagittal plane at its x.
    assert abs(state.plane("coronal").patient_to_pixel(LESION)[2]) < tolerance
    assert abs(state.plane("sagittal").patient_to_pixel(LESION)[2]) < tolerance
    assert abs(state.plane("coronal").origin[1] - LESION[1]) < tolerance
    assert abs(state.plane("sagittal").origin[0] - LESION[0]) < tolerance
    # The lesion shows at the crosshair in the coronal and sagittal panes (65 HU: bright grey).
    image = view.capture()
    save_shot(image, "mpr_on_lesion")
    for name in ("coronal", "sagittal"):
        px, py = view.screen_of(name, LESION)
        patch = image[int(py) + 3:int(py) + 6, int(px) + 3:int(px) + 6, 0]
        assert abs(float(np.median(patch)) - float(expected_grey(np.array([65.0]), *BRAIN)[0])) < 25, name


def test_wheel_moves_the_crosshair_one_slice_along_the_normal(loaded: MprView) -> None:
    view = loaded
    state = view.state
    assert state is not None
    before = state.center
    x, y = view.pane_origin("axial")
    _wheel(view, -1, x + 50, y + 50)  # one notch towards the user in the axial pane
    after = state.center
    np.testing.assert_allclose(after - before, [0.0, 0.0, SPACING[0]], atol=1e-6)
    x, y = view.pane_origin("sagittal")
    _wheel(view, 1, x + 50, y + 50)
    # The sagittal normal points to the patient's right (-x); one notch back: one column to the left.
    np.testing.assert_allclose(state.center - after, [SPACING[2], 0.0, 0.0], atol=1e-6)


def test_keys_rotate_and_reset_the_crosshair_axes(qtbot, loaded: MprView) -> None:  # type: ignore[no-untyped-def]
    view = loaded
    state = view.state
    assert state is not None
    view.active_pane = "axial"
    view.view.setFocus()
    qtbot.keyClick(view.view, Qt.Key.Key_BracketLeft)
    assert state.is_oblique
    coronal_u = state.frame("coronal")[:, 0]
    assert abs(np.degrees(np.arccos(coronal_u @ [1.0, 0.0, 0.0])) - 5.0) < 1e-6
    save_shot(view.capture(), "mpr_oblique")
    qtbot.keyClick(view.view, Qt.Key.Key_O)
    assert not state.is_oblique


def test_mip_slab_shows_the_numpy_maximum(loaded: MprView) -> None:
    view = loaded
    state = view.state
    assert state is not None
    view.viewer.overlays_visible = False
    hu, origin = phantom_volume(SHAPE, SPACING)
    # Thin axial plane 12 mm above the lesion's centre: its section there is brain, not lesion.
    k = int(round((LESION[2] + 12.0 - origin[2]) / SPACING[0]))
    j = int(round((LESION[1] - origin[1]) / SPACING[1]))
    i = int(round((LESION[0] - origin[0]) / SPACING[2]))
    point = np.array([origin[0] + i * SPACING[2], origin[1] + j * SPACING[1], origin[2] + k * SPACING[0]])
    state.center = point
    x, y = view.screen_of("axial", point)
    thin = int(view.capture()[int(y), int(x), 0])
    assert abs(thin - expected_grey(np.array([float(hu[k, j, i])]), *BRAIN)[0]) <= 12

    view.set_slab(15.0, "mip")  # 5 slices of 3 mm: layers k-2 .. k+2
    assert view.state.plane("axial").slab_samples == 5
    slab = int(view.capture()[int(y), int(x), 0])
    expected = expected_grey(np.array([float(hu[k - 2:k + 3, j, i].max())]), *BRAIN)[0]
    assert hu[k - 2:k + 3, j, i].max() > hu[k, j, i] + 10  # the slab reaches into the lesion
    assert abs(slab - expected) <= 12
    assert slab > thin + 40
    save_shot(view.capture(), "mpr_mip_slab")

    view.set_slab(15.0, Projection.MINIP)
    minip = int(view.capture()[int(y), int(x), 0])
    assert abs(minip - expected_grey(np.array([float(hu[k - 2:k + 3, j, i].min())]), *BRAIN)[0]) <= 12
    view.set_slab(0.0, "none")
    assert view.state.plane("axial").slab_samples == 1


def test_right_drag_changes_the_window_on_every_pane(qtbot, loaded: MprView) -> None:  # type: ignore[no-untyped-def]
    view = loaded
    before = view.current_window()
    assert before == BRAIN
    x, y = view.pane_origin("coronal")
    qtbot.mousePress(view.view, Qt.MouseButton.RightButton, pos=_qpoint(view, x + 100, y + 100))
    qtbot.mouseMove(view.view, _qpoint(view, x + 160, y + 100))
    qtbot.mouseRelease(view.view, Qt.MouseButton.RightButton, pos=_qpoint(view, x + 160, y + 100))
    after = view.current_window()
    assert after is not None and after[1] > before[1] and after[0] == before[0]


def test_a_series_with_one_position_gets_a_clear_sentence(qtbot) -> None:  # type: ignore[no-untyped-def]
    library = open_library(load_settings())
    for data in phantom_series(shape=(1, 32, 32), spacing=SPACING):
        library.add_bytes(data)
    study = library.search_studies(StudyQuery())[0]
    headers = library.study_headers(study.study_uid)
    by_uid = {str(h.SOPInstanceUID): h for h in headers}
    display_set = build_display_sets(headers)[0]
    view = MprView()
    qtbot.addWidget(view)
    view.show()
    with qtbot.waitSignal(view.failed, timeout=20000) as signal:
        view.load(lambda progress, cancel: load_display_set_volume(display_set, by_uid, lambda uid: bytes(library.read_instance(uid))))
    message = signal.args[0]
    assert "volume" in message or "reformat" in message
    assert view.viewer is None
    library.close()


def test_m_opens_the_active_series_in_mpr_and_goes_back_and_ctrl_d_opens_3d(qtbot) -> None:  # type: ignore[no-untyped-def]
    from tests.gui.helpers import dispose, open_row
    from workstation.ui.app import create_main_window
    from workstation.ui.study_view import StudyView
    from workstation.ui.volume_view import VolumeView

    library = open_library(load_settings())
    for data in phantom_series(shape=(20, 64, 64), spacing=(3.0, 3.6, 3.6)):
        library.add_bytes(data)
    library.close()
    window = create_main_window(load_settings())
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=5000)
    worklist = window.worklist
    qtbot.waitUntil(lambda: worklist.model.rowCount() == 1, timeout=20000)
    open_row(qtbot, worklist, "CT HEAD DEMO PHANTOM")
    qtbot.waitUntil(lambda: window.tabs.count() == 2, timeout=20000)
    study = window.tabs.widget(1)
    assert isinstance(study, StudyView)
    qtbot.waitUntil(lambda: study.active.display_set is not None, timeout=10000)

    qtbot.keyClick(window, Qt.Key.Key_M)
    mpr = window.tabs.currentWidget()
    assert isinstance(mpr, MprView)
    assert window.tabs.tabText(window.tabs.currentIndex()) == "MPR: Axial 3 mm (generated phantom)"
    qtbot.waitUntil(lambda: mpr.viewer is not None, timeout=30000)
    assert mpr.state is not None and mpr.state.geometry.shape == (20, 64, 64)
    mpr.render_now()
    save_shot(mpr.capture(), "mpr_from_main_window")

    qtbot.keyClick(window, Qt.Key.Key_M)  # the same key: back to the study
    assert window.tabs.currentWidget() is study
    qtbot.keyClick(window, Qt.Key.Key_M)  # and again: the open MPR tab, not a second one
    assert window.tabs.currentWidget() is mpr and window.tabs.count() == 3

    qtbot.keyClick(window, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)
    volume = window.tabs.currentWidget()
    assert isinstance(volume, VolumeView)
    assert window.tabs.tabText(window.tabs.currentIndex()).startswith("3D: ")
    qtbot.waitUntil(lambda: volume.renderer is not None, timeout=30000)

    window.close_tab(window.tabs.indexOf(mpr))  # closing the tab frees the volume
    assert mpr.viewer is None and mpr.state is None
    assert window.tabs.count() == 3
    dispose(qtbot, window)


def _pane_rect(view: MprView, name: str) -> tuple[float, float, float, float]:
    """(x0, y0, x1, y1) of a pane in VTK display pixels (y up), from its renderer's viewport."""
    w, h = view._window_size()
    x0, y0, x1, y1 = view.pane_layout()[name]
    return x0 * w, y0 * h, x1 * w, y1 * h


def test_corner_text_and_orientation_letters_stay_inside_their_own_pane(loaded: MprView) -> None:
    view = loaded
    view.render_now()
    for name, pane in view.viewer.views.items():
        x0, y0, x1, y1 = _pane_rect(view, name)
        assert pane.text.marker_text()["left"], name
        assert pane.text.corner_lines()["top_left"][0].startswith(name.capitalize())
        for actor in pane.text.actors():
            if not actor.GetInput():
                continue
            x, y = actor.GetPositionCoordinate().GetComputedDisplayValue(pane.renderer)
            assert x0 <= x <= x1 and y0 <= y <= y1, (name, actor.GetInput(), (x, y), (x0, y0, x1, y1))
            box = [0.0] * 4
            actor.GetBoundingBox(pane.renderer, box)  # the text's extent about its anchor, pixels
            assert box[1] > box[0] and box[3] > box[2]
            box = [x + box[0], x + box[1], y + box[2], y + box[3]]
            assert x0 - 1 <= box[0] and box[1] <= x1 + 1 and y0 - 1 <= box[2] and box[3] <= y1 + 1, (name, actor.GetInput(), box)
    # The letters are painted there: the top marker of the coronal pane ("H", yellow) lies in
    # the coronal pane's top strip, which is not black.
    image = view.capture()
    ox, oy = view.pane_origin("coronal")
    w, _ = view._pane_size("coronal")
    strip = image[int(oy) + 2:int(oy) + 30, int(ox + w / 2) - 15:int(ox + w / 2) + 15]
    assert (strip[:, :, 0].astype(int) - strip[:, :, 2].astype(int)).max() > 100  # yellow: red >> blue


def test_ctrl_wheel_zooms_about_the_mouse_and_middle_drag_pans(qtbot, loaded: MprView) -> None:  # type: ignore[no-untyped-def]
    view = loaded
    state = view.state
    assert state is not None
    state.center = [0.0, 0.0, LESION[2]]
    view.render_now()
    mouse = view.screen_of("axial", LESION)  # zoom about the lesion
    other = np.array([LESION[0] - 20.0, LESION[1] + 10.0, LESION[2]])
    before = np.array(view.screen_of("axial", other))
    k_before = view.viewer.views["axial"].pixels_per_mm()
    ratio = view.view.devicePixelRatioF()
    pos = QPointF(mouse[0] / ratio, mouse[1] / ratio)
    event = QWheelEvent(pos, view.view.mapToGlobal(pos), QPoint(0, 0), QPoint(0, 240), Qt.MouseButton.NoButton,
                        Qt.KeyboardModifier.ControlModifier, Qt.ScrollPhase.NoScrollPhase, False)
    view.view.wheelEvent(event)
    np.testing.assert_allclose(state.center, [0.0, 0.0, LESION[2]])  # Ctrl+wheel does not scroll
    assert view.viewer.views["axial"].pixels_per_mm() == pytest.approx(k_before * 1.44)
    np.testing.assert_allclose(view.screen_of("axial", LESION), mouse, atol=1e-6)  # fixed point
    after = np.array(view.screen_of("axial", other))
    np.testing.assert_allclose(after - np.array(mouse), (before - np.array(mouse)) * 1.44, atol=1e-6)
    # A pick under the mouse is still the lesion (screen <-> patient stay one mapping).
    px, py = mouse[0] - view.pane_origin("axial")[0], mouse[1] - view.pane_origin("axial")[1]
    np.testing.assert_allclose(view.viewer.pick("axial", px, py)[:2], LESION[:2], atol=1e-6)
    # The coronal pane did not change.
    coronal = view.screen_of("coronal", LESION)
    # Middle-drag by (30, -20) pixels moves every point of the axial pane by that.
    start = view.screen_of("axial", other)
    qtbot.mousePress(view.view, Qt.MouseButton.MiddleButton, pos=_qpoint(view, 200, 200))
    qtbot.mouseMove(view.view, _qpoint(view, 230, 180))
    qtbot.mouseRelease(view.view, Qt.MouseButton.MiddleButton, pos=_qpoint(view, 230, 180))
    moved = np.array(view.screen_of("axial", other)) - np.array(start)
    np.testing.assert_allclose(moved, [30.0, -20.0], atol=1.0)  # device pixels
    assert view.screen_of("coronal", LESION) == coronal
    view.render_now()
    save_shot(view.capture(), "mpr_zoomed_panned")
    # The picture follows: the lesion's grey is under its new screen point.
    x, y = _lesion_on_screen(view)
    np.testing.assert_allclose((x, y), view.screen_of("axial", LESION), atol=2.0)
    view.handle_key(Qt.Key.Key_Home, Qt.KeyboardModifier.NoModifier)  # fit again
    assert view.viewer.views["axial"].pixels_per_mm() == pytest.approx(k_before)


def test_double_click_maximises_a_pane_and_restores(qtbot, loaded: MprView) -> None:  # type: ignore[no-untyped-def]
    view = loaded
    x, y = view.pane_origin("sagittal")
    qtbot.mouseDClick(view.view, Qt.MouseButton.LeftButton, pos=_qpoint(view, x + 60, y + 60))
    assert view.maximised == "sagittal"
    assert view._pane_size("sagittal") == view._window_size()
    view.render_now()
    sagittal = view.viewer.views["sagittal"]
    assert sagittal.viewport_size() == view._window_size()
    assert not view.view.GetRenderWindow().HasRenderer(view.viewer.views["axial"].renderer)
    # Screen <-> patient still agree in the big pane.
    point = view.state.center + np.array([0.0, 10.0, -15.0])
    sx, sy = view.screen_of("sagittal", point)
    np.testing.assert_allclose(view.viewer.pick("sagittal", sx, sy)[1:], point[1:], atol=1e-6)
    save_shot(view.capture(), "mpr_maximised")
    qtbot.mouseDClick(view.view, Qt.MouseButton.LeftButton, pos=_qpoint(view, 100, 100))
    assert view.maximised is None
    assert view.view.GetRenderWindow().HasRenderer(view.viewer.views["axial"].renderer)


def test_curved_mode_adds_axial_points_and_shows_the_stretched_reformat(qtbot, loaded: MprView) -> None:  # type: ignore[no-untyped-def]
    view = loaded
    state = view.state
    assert state is not None
    state.center = [0.0, 0.0, LESION[2]]
    view.render_now()
    view.curved_button.click()
    assert view.curved_active and view.curved_drawing
    view.render_now()
    curved = view.viewer.curved
    assert curved is not None and curved.result is None
    assert "two points" in curved.text.message.GetInput()
    # Two clicks across the lesion, left to right along the patient's x.
    a = np.array([LESION[0] - 30.0, LESION[1], LESION[2]])
    b = np.array([LESION[0] + 30.0, LESION[1], LESION[2]])
    centre_before = state.center
    for point in (a,):
        qtbot.mouseClick(view.view, Qt.MouseButton.LeftButton, pos=_qpoint(view, *view.screen_of("axial", point)))
    view.render_now()
    assert len(view.curved_path) == 1 and curved.result is None and curved.text.message.GetVisibility()
    qtbot.mouseClick(view.view, Qt.MouseButton.LeftButton, pos=_qpoint(view, *view.screen_of("axial", b)))
    np.testing.assert_allclose(state.center, centre_before)  # clicks add points, not move the crosshair
    view.view.setFocus()
    qtbot.keyClick(view.view, Qt.Key.Key_Return)
    assert not view.curved_drawing and view.curved_active
    view.render_now()
    result = curved.result
    assert result is not None and not curved.text.message.GetVisibility()
    tolerance = 1.0 / view.viewer.views["axial"].pixels_per_mm() + 0.01
    np.testing.assert_allclose(view.curved_path[0], a, atol=tolerance)
    np.testing.assert_allclose(view.curved_path[1], b, atol=tolerance)
    # The lesion (65 HU, radius 8 mm) is in the middle of the path: the middle row, centre column.
    rows, columns = result.image.shape
    assert (rows - 1) * result.spacing == pytest.approx(float(np.linalg.norm(view.curved_path[1] - view.curved_path[0])), abs=result.spacing)
    hu, origin = phantom_volume(SHAPE, SPACING)
    slope = float(view.header.get("RescaleSlope", 1)) if view.header is not None else 1.0
    intercept = float(view.header.get("RescaleIntercept", 0)) if view.header is not None else 0.0
    middle = result.image[rows // 2 - 1:rows // 2 + 2, columns // 2 - 1:columns // 2 + 2].mean() * slope + intercept
    assert abs(middle - 65.0) < 15
    image = view.capture()
    save_shot(image, "mpr_curved")
    ox, oy = view.pane_origin("curved")
    w, h = view._pane_size("curved")
    pane = image[int(oy):int(oy) + h, int(ox):int(ox) + w, 0]
    assert (pane == expected_grey(np.array([65.0]), *BRAIN)[0]).sum() > 20 or pane.max() > 150
    qtbot.keyClick(view.view, Qt.Key.Key_Escape)  # closes the curved pane
    assert not view.curved_active and view.viewer.curved is None
    assert "legend" in view.pane_layout()
