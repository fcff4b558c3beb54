"""Measuring on the reading room's viewport with the mouse (issue 6), against a real Orthanc:
a length and an ellipse ROI on the phantom CT (0.8 mm pixels, known HU), undo, a key image,
Ctrl+S saving SR/KOS/GSPS to the archive, and reopening the study shows the same values."""

from __future__ import annotations

import math
import re
from collections.abc import Iterator

import numpy as np
import pytest
import requests

pytest.importorskip("pytestqt")

from PySide6.QtCore import QPoint, Qt  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402

from tests.gui.helpers import dispose, open_row, shot  # noqa: E402
from workstation import demo  # noqa: E402
from workstation.annotate.measurements import Kind  # noqa: E402
from workstation.net.auth import store_secret  # noqa: E402
from workstation.settings import ArchiveProfile, Settings, load_settings, save_settings  # noqa: E402
from workstation.ui.app import create_main_window  # noqa: E402
from workstation.ui.main_window import MainWindow  # noqa: E402
from workstation.ui.study_view import StudyView  # noqa: E402

pytestmark = pytest.mark.gui

SHAPE = (6, 160, 160)
SPACING = (3.0, 0.8, 0.8)
DESCRIPTION = "CT HEAD DEMO PHANTOM"


@pytest.fixture
def archive(orthanc):  # type: ignore[no-untyped-def]
    for item in demo.phantom_series(shape=SHAPE, spacing=SPACING):
        orthanc.upload(item)
    profile = ArchiveProfile(name="Test archive", url=orthanc.dicomweb_url, auth="basic", username=orthanc.user)
    store_secret(profile, orthanc.password)
    save_settings(Settings(archives=[profile], default_archive=profile.name))
    return orthanc


@pytest.fixture
def window(qtbot, archive) -> Iterator[MainWindow]:  # type: ignore[no-untyped-def]
    w = create_main_window(load_settings())
    w.show()
    qtbot.waitExposed(w)
    w.activateWindow()
    yield w
    dispose(qtbot, w)


def _open(qtbot, window: MainWindow) -> StudyView:  # type: ignore[no-untyped-def]
    worklist = window.worklist
    worklist.run_search()
    qtbot.waitUntil(lambda: DESCRIPTION in [worklist.model.item(r, 6).text() for r in range(worklist.model.rowCount())], timeout=20000)
    open_row(qtbot, worklist, DESCRIPTION)
    qtbot.waitUntil(lambda: window.tabs.count() >= 2 and isinstance(window.tabs.currentWidget(), StudyView), timeout=20000)
    view = window.tabs.currentWidget()
    assert isinstance(view, StudyView)
    binding = view.active
    qtbot.waitUntil(lambda: binding.viewport.loaded == binding.count, timeout=30000)
    qtbot.wait(50)
    return view


def _screen(viewport, column: float, row: float) -> QPoint:  # type: ignore[no-untyped-def]
    """Qt logical position in ``viewport.view`` of the centre of image pixel (column, row)."""
    x, y = viewport.renderer.image_to_screen(column, row)
    ratio = viewport.view.devicePixelRatioF()
    return QPoint(round(x / ratio), round(y / ratio))


def _drag(qtbot, viewport, start: tuple[float, float], end: tuple[float, float]) -> None:  # type: ignore[no-untyped-def]
    a, b = _screen(viewport, *start), _screen(viewport, *end)
    view = viewport.view
    QTest.mousePress(view, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, a)
    for t in (0.25, 0.5, 0.75, 1.0):
        QTest.mouseMove(view, QPoint(round(a.x() + t * (b.x() - a.x())), round(a.y() + t * (b.y() - a.y()))))
    QTest.mouseRelease(view, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, b)
    qtbot.wait(20)


def _rest(server, path: str):  # type: ignore[no-untyped-def]
    response = requests.get(f"{server.rest_url}{path}", auth=(server.user, server.password), timeout=30)
    response.raise_for_status()
    return response.json()


def _number(label: str, unit: str) -> float:
    match = re.search(r"(-?\d+(?:\.\d+)?) " + re.escape(unit), label)
    assert match, label
    return float(match.group(1))


def _label_texts(viewport) -> list[str]:  # type: ignore[no-untyped-def]
    return [op.text for op in viewport.renderer.annotations() if op.kind == "text"]


def test_length_and_ellipse_roi_drawn_with_the_mouse_undo_save_and_reopen(qtbot, window: MainWindow, archive) -> None:  # type: ignore[no-untyped-def]
    view = _open(qtbot, window)
    viewport = view.active.viewport
    room = window.measurements
    header = viewport.renderer.header()
    volume, _origin = demo.phantom_volume(SHAPE, SPACING)
    hu = volume[int(header.InstanceNumber) - 1].astype(float)  # the phantom's HU, computed apart

    # Length: L, then a drag; the pointer lands on pixel centres, so the length follows from them.
    viewport.view.setFocus()
    qtbot.keyClick(viewport.view, Qt.Key.Key_L)
    assert room.current_tool() is Kind.LENGTH
    start, end = (40.0, 50.0), (120.0, 110.0)
    _drag(qtbot, viewport, start, end)
    tools = room.tools()
    assert tools is not None and len(tools.measurements) == 1
    drawn = next(iter(tools.measurements))
    picked = [viewport.pick(_screen(viewport, *p).x(), _screen(viewport, *p).y()) for p in (start, end)]
    expected_mm = math.dist(*picked) * 0.8
    assert abs(math.dist(*picked) - math.dist(start, end)) < 1.5  # the pick is the pixel under the pointer
    labels = _label_texts(viewport)
    length_label = next(t for t in labels if "mm" in t)
    assert abs(_number(length_label, "mm") - expected_mm) <= 0.06
    assert abs(drawn.values[0].value - expected_mm) < 1e-6

    # Ellipse ROI inside the brain (40 HU plus the lesion-free region): mean and SD against numpy.
    qtbot.keyClick(viewport.view, Qt.Key.Key_E)
    box0, box1 = (50.0, 60.0), (90.0, 84.0)
    _drag(qtbot, viewport, box0, box1)
    assert len(tools.measurements) == 2
    roi = list(tools.measurements)[-1]
    assert roi.kind is Kind.ELLIPSE
    (a0, a1, b0, b1) = roi.points
    cx, cy = (a0[0] + a1[0]) / 2, (a0[1] + a1[1]) / 2
    rx, ry = abs(a1[0] - a0[0]) / 2, abs(b1[1] - b0[1]) / 2
    rows, columns = np.mgrid[0:hu.shape[0], 0:hu.shape[1]]
    inside = ((columns - cx) / rx) ** 2 + ((rows - cy) / ry) ** 2 <= 1.0
    assert inside.sum() > 500
    ellipse_label = next(t for t in _label_texts(viewport) if "Mean" in t)
    assert abs(_number(ellipse_label, "HU") - hu[inside].mean()) <= 0.51
    assert abs(roi.value("Mean").value - hu[inside].mean()) < 0.05  # type: ignore[union-attr]
    area = math.pi * rx * ry * 0.64
    assert abs(roi.value("Area").value - area) / area < 1e-6  # type: ignore[union-attr]
    shot(window, "60-measure-length-ellipse")
    image = viewport.capture()
    # The label and lines are drawn on top of the image: coloured (non-grey) pixels appear.
    coloured = (np.abs(image[:, :, 0].astype(int) - image[:, :, 1].astype(int)) > 60).sum()
    assert coloured > 50

    # Undo removes the ellipse, redo brings it back, the panel lists both.
    qtbot.keyClick(viewport.view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert len(tools.measurements) == 1
    assert not any("Mean" in t for t in _label_texts(viewport))
    qtbot.keyClick(viewport.view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert len(tools.measurements) == 2
    assert room.panel.list.count() == 2

    # Esc ends the tool; in scroll mode a click on the length's line selects it.
    qtbot.keyClick(viewport.view, Qt.Key.Key_Escape)
    assert room.current_tool() is None and tools.tool is None
    mid = _screen(viewport, (start[0] + end[0]) / 2, (start[1] + end[1]) / 2)
    QTest.mouseClick(viewport.view, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, mid)
    assert tools.selected == drawn.id

    # K marks the key image; Ctrl+S saves to the archive.
    qtbot.keyClick(viewport.view, Qt.Key.Key_K)
    assert len(tools.key_images.images) == 1
    before = set(_rest(archive, "/instances"))
    qtbot.keyClick(viewport.view, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: not room.saving, timeout=20000)
    assert "saved" in room.last_message.lower(), room.last_message
    added = set(_rest(archive, "/instances")) - before
    modalities = sorted(_rest(archive, f"/instances/{i}/simplified-tags")["Modality"] for i in added)
    assert modalities == ["KO", "PR", "SR"]
    values = sorted(round(v.value, 4) for m in tools.measurements for v in m.values)

    # Close and reopen from the archive: the same measurements, values and key image come back.
    window.close_tab(window.tabs.currentIndex())
    view = _open(qtbot, window)
    viewport = view.active.viewport
    tools2 = room.tools(view)
    assert tools2 is not None and tools2 is not tools
    qtbot.waitUntil(lambda: len(tools2.measurements) == 2, timeout=5000)
    assert sorted(round(v.value, 4) for m in tools2.measurements for v in m.values) == values
    assert [r.sop_instance_uid for r in tools2.key_images.images] == [r.sop_instance_uid for r in tools.key_images.images]
    qtbot.wait(50)
    labels = _label_texts(viewport)
    assert any("mm" in t and abs(_number(t, "mm") - expected_mm) <= 0.06 for t in labels), labels
    assert room.panel.list.count() == 2
    shot(window, "61-measure-reopened")
