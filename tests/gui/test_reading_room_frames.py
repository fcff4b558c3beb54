"""The reading room on a LIDC-style study (issue 20): the axial series' slices each carry their own
Frame of Reference UID; a 6 mm series derived from its odd slices and sagittal images carry some
of those UIDs. Linked scrolling, reference lines and the 3D cursor still work across them, from a
real Orthanc, and the series list says why."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from io import BytesIO

import numpy as np
import pydicom
import pytest

pytest.importorskip("pytestqt")

from pydicom.dataset import Dataset  # noqa: E402
from pydicom.uid import generate_uid  # noqa: E402
from PySide6.QtCore import Qt  # noqa: E402

from tests.gui.helpers import dispose  # noqa: E402
from tests.gui.test_reading_room import (  # noqa: E402
    _by_series,
    _key,
    _open,
    _part10,
    _profile,
    _window,
    sagittal_series,
)
from workstation import demo  # noqa: E402
from workstation.ui.main_window import MainWindow  # noqa: E402

pytestmark = pytest.mark.gui

SHAPE = (20, 128, 128)


def lidc_like_study() -> tuple[list[Dataset], list[Dataset], list[Dataset]]:
    thin = [pydicom.dcmread(BytesIO(b)) for b in demo.phantom_series(shape=SHAPE)]
    for ds in thin:
        ds.FrameOfReferenceUID = generate_uid()
    thick_series = generate_uid()
    thick = []
    for n, source in enumerate(thin[1::2]):  # odd slices: its first UID is not the axial series' first
        ds = copy.deepcopy(source)
        ds.SeriesInstanceUID, ds.SOPInstanceUID = thick_series, generate_uid()
        ds.file_meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
        ds.SeriesNumber, ds.SeriesDescription, ds.InstanceNumber, ds.SliceThickness = 3, "Axial 6 mm", n + 1, 6.0
        thick.append(ds)
    sagittal = sagittal_series(thin)
    for ds in sagittal:
        ds.FrameOfReferenceUID = thin[SHAPE[0] // 2].FrameOfReferenceUID
    return thin, thick, sagittal


@pytest.fixture(scope="module")
def archive(orthanc_server):  # type: ignore[no-untyped-def]
    orthanc_server.clear()
    thin, thick, sagittal = lidc_like_study()
    for ds in thin + thick + sagittal:
        orthanc_server.upload(_part10(ds))
    return orthanc_server, thin, thick


@pytest.fixture
def window(qtbot, archive) -> Iterator[MainWindow]:  # type: ignore[no-untyped-def]
    server, _thin, _thick = archive
    _profile(server.dicomweb_url, server)
    w = _window(qtbot)
    yield w
    dispose(qtbot, w)


def test_a_frame_per_slice_still_links_scrolling_reference_lines_and_the_cursor(qtbot, window: MainWindow, archive) -> None:  # type: ignore[no-untyped-def]
    _server, thin_headers, thick_headers = archive
    view = _open(qtbot, window)
    thin, thick, sagittal = (_by_series(view, n) for n in (2, 3, 5))
    for b in (thin, thick, sagittal):
        qtbot.waitUntil(lambda b=b: b.viewport.loaded == b.count, timeout=30000)
    frame = str(thin_headers[0].FrameOfReferenceUID)
    assert thin.frame_of_reference == thick.frame_of_reference == sagittal.frame_of_reference == frame
    note = view.browser.item(0).toolTip() if view.browser.count() else ""
    assert "different Frame of Reference UIDs" in note and "shown as one frame" in note

    # Linked scrolling by position.
    thin_z = np.array([float(ds.ImagePositionPatient[2]) for ds in thin_headers])
    thick_z = np.array([float(ds.ImagePositionPatient[2]) for ds in thick_headers])
    qtbot.mouseClick(thin.viewport.view, Qt.MouseButton.LeftButton)
    start = thin.state.image_index
    _key(qtbot, thin.viewport.view, Qt.Key.Key_Down)
    _key(qtbot, thin.viewport.view, Qt.Key.Key_Down)
    assert thin.state.image_index == start + 2
    assert thick.state.image_index == int(np.argmin(np.abs(thick_z - thin_z[start + 2])))

    # The active axial slice is a reference line on the sagittal image, at the row of its z.
    z_top = float(thin_headers[-1].ImagePositionPatient[2])
    row = (z_top - thin_z[thin.state.image_index]) / float(thin_z[1] - thin_z[0])
    assert len(sagittal.reference_lines) == 1
    assert sagittal.reference_lines[0].start[1] == pytest.approx(row)

    # The 3D cursor from the sagittal image: the axial viewports go to the slice through the point.
    geometry = sagittal.geometry
    assert geometry is not None
    point = geometry.centre(2)
    point[2] = thin_z[5]
    view.cursor_picked(sagittal, point)
    assert thin.state.image_index == 5
    assert thick.state.image_index == int(np.argmin(np.abs(thick_z - thin_z[5])))
