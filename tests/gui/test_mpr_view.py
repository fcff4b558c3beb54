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
