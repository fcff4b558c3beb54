"""The 3D view on a virtual X server: the generated head phantom loaded from the library, rendered,
switched between presets, rotated, its opacity curve dragged, clipped and saved as PNG."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

pytest.importorskip("pytestqt")

from PIL import Image  # noqa: E402
from PySide6.QtCore import QPoint, Qt  # noqa: E402

from tests.gui.test_mpr_view import save_shot  # noqa: E402
from workstation.demo import phantom_series  # noqa: E402
from workstation.model.clip_box import ClipBox  # noqa: E402
from workstation.model.displayset import build_display_sets  # noqa: E402
from workstation.model.query import StudyQuery  # noqa: E402
from workstation.render.offscreen import load_display_set_volume  # noqa: E402
from workstation.settings import load_settings  # noqa: E402
from workstation.sources import open_library  # noqa: E402
from workstation.ui.volume_view import VolumeView, opacity_drag_sensitivity  # noqa: E402

pytestmark = pytest.mark.gui

SHAPE = (40, 80, 80)
SPACING = (3.0, 2.8, 2.8)


@pytest.fixture
def view3d(qtbot) -> Any:  # type: ignore[no-untyped-def]
    library = open_library(load_settings())
    for data in phantom_series(shape=SHAPE, spacing=SPACING):
        library.add_bytes(data)
    study = library.search_studies(StudyQuery())[0]
    headers = library.study_headers(study.study_uid)
    by_uid = {str(h.SOPInstanceUID): h for h in headers}
    display_set = build_display_sets(headers)[0]
    view = VolumeView(title="Axial 3 mm")
    qtbot.addWidget(view)
    view.resize(520, 560)
    view.show()
    qtbot.waitExposed(view)
    with qtbot.waitSignal(view.loaded, timeout=30000):
        view.load(lambda progress, cancel: load_display_set_volume(display_set, by_uid, lambda uid: bytes(library.read_instance(uid))))
    yield view
    view.close()
    library.close()


def _lit(image: np.ndarray) -> np.ndarray:
    return image.max(axis=2) > 20


def _drag(qtbot, view: VolumeView, button: Qt.MouseButton, start: QPoint, end: QPoint) -> None:  # type: ignore[no-untyped-def]
    qtbot.mousePress(view.view, button, pos=start)
    middle = QPoint((start.x() + end.x()) // 2, (start.y() + end.y()) // 2)
    qtbot.mouseMove(view.view, middle)
    assert view.renderer is not None and view.renderer.interacting  # coarse while moving
    qtbot.mouseMove(view.view, end)
    qtbot.mouseRelease(view.view, button, pos=end)
    assert not view.renderer.interacting  # full quality once still


def test_renders_switches_presets_and_saves(qtbot, view3d: VolumeView, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    bone = view3d.capture()
    save_shot(bone, "volume_bone")
    lit = _lit(bone)
    assert 0.05 < lit.mean() < 0.9, "the skull should fill part of the view"
    # Anterior view, head up: the skull is taller (z, 120 mm here) than... it is cut at 120 mm;
    # its width on screen (patient x, 138 mm) spans the middle of the picture.
    rows, cols = np.nonzero(lit)
    assert abs((cols.min() + cols.max()) / 2 - bone.shape[1] / 2) < 0.05 * bone.shape[1]

    view3d.preset.setCurrentIndex(view3d.preset.findData("mip"))
    assert view3d.renderer is not None and view3d.renderer.preset.key == "mip"
    mip = view3d.capture()
    save_shot(mip, "volume_mip")
    assert np.abs(mip.astype(int) - bone.astype(int)).mean() > 1
    # CT bone is coloured (ivory: red above blue where the skull is); the MIP is grey.
    assert (bone[:, :, 0].astype(int) - bone[:, :, 2].astype(int))[lit].mean() > 15
    assert np.abs(mip[:, :, 0].astype(int) - mip[:, :, 2].astype(int)).max() <= 2

    saved = view3d.save_image(tmp_path / "view")
    assert saved.suffix == ".png" and saved.is_file()
    with Image.open(saved) as png:
        assert png.format == "PNG"
        np.testing.assert_array_equal(np.asarray(png.convert("RGB")), view3d.capture())


def test_left_drag_rotates_and_right_drag_shifts_the_opacity_curve(qtbot, view3d: VolumeView) -> None:  # type: ignore[no-untyped-def]
    renderer = view3d.renderer
    assert renderer is not None
    before = view3d.capture()
    position = np.array(renderer.camera.GetPosition())
    _drag(qtbot, view3d, Qt.MouseButton.LeftButton, QPoint(200, 200), QPoint(380, 200))
    after_rotation = np.array(renderer.camera.GetPosition())
    focal = np.array(renderer.camera.GetFocalPoint())
    a, b = position - focal, after_rotation - focal
    angle = np.degrees(np.arccos(a @ b / np.linalg.norm(a) / np.linalg.norm(b)))
    assert abs(angle - 180 * 0.5) < 1.0  # 180 pixels at half a degree each, about view-up
    rotated = view3d.capture()
    save_shot(rotated, "volume_rotated")
    assert np.abs(rotated.astype(int) - before.astype(int)).mean() > 1

    centre, width = renderer.preset.window
    _drag(qtbot, view3d, Qt.MouseButton.RightButton, QPoint(200, 200), QPoint(240, 260))
    new_centre, new_width = renderer.preset.window
    k = opacity_drag_sensitivity(width)
    assert new_centre == pytest.approx(centre + 60 * k)
    assert new_width == pytest.approx(width + 40 * k)
    view3d.reset()
    assert renderer.preset.window == pytest.approx((centre, width))


def test_clipping_away_the_patients_left_empties_the_right_of_an_anterior_view(view3d: VolumeView) -> None:
    renderer = view3d.renderer
    assert renderer is not None
    whole = _lit(view3d.capture())
    corners = renderer.patient_corners()
    box = ClipBox.around(corners).with_face("left", 0.0)  # keep x <= 0: the patient's right half
    view3d.set_clip_box(box)
    assert view3d.clip.isChecked() and view3d.clip_box() == box
    clipped_image = view3d.capture()
    save_shot(clipped_image, "volume_clipped")
    clipped = _lit(clipped_image)
    centre = renderer.project(np.array([0.0, 0.0, 0.0]))[0]
    w = clipped.shape[1]
    # Facing the patient, the patient's left is on the viewer's right.
    assert clipped[:, int(centre) + 4:].mean() < 0.02 * max(whole[:, int(centre) + 4:].mean(), 1e-6) + 1e-3
    assert clipped[:, : int(centre) - 4].mean() > 0.5 * whole[:, : int(centre) - 4].mean()
    assert 0.3 * w < centre < 0.7 * w
    view3d.set_clip_box(None)
    assert renderer.clip_box is None


def test_shading_arrives_after_the_first_picture(qtbot, view3d: VolumeView) -> None:  # type: ignore[no-untyped-def]
    renderer = view3d.renderer
    assert renderer is not None
    view3d.capture()
    if renderer.backend == "cpu":
        qtbot.waitUntil(lambda: renderer.shaded, timeout=30000)
    assert renderer.shaded
    view3d.shading.setChecked(False)
    assert not renderer.shaded
