"""The reading room against a real Orthanc: open from the worklist, progressive loading, presets,
linked scrolling, 3D cursor, layouts, cine, closing, an archive going down, settings."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from io import BytesIO

import keyring
import numpy as np
import pydicom
import pytest

pytest.importorskip("pytestqt")

from pydicom.dataset import Dataset, FileMetaDataset  # noqa: E402
from pydicom.uid import ExplicitVRLittleEndian, generate_uid  # noqa: E402
from PySide6.QtCore import QPoint, Qt  # noqa: E402

from tests.gui.helpers import centre_grey, dispose, expected_grey, open_row, shot  # noqa: E402
from tests.net.faulty_proxy import Behaviour, FaultyProxy  # noqa: E402
from workstation import demo  # noqa: E402
from workstation.net.auth import KEYRING_SERVICE, keyring_username, store_secret  # noqa: E402
from workstation.settings import (  # noqa: E402
    ArchiveProfile,
    Settings,
    load_settings,
    save_settings,
    settings_path,
)
from workstation.ui.app import create_main_window  # noqa: E402
from workstation.ui.main_window import MainWindow  # noqa: E402
from workstation.ui.study_view import StudyView  # noqa: E402

pytestmark = pytest.mark.gui

SHAPE = (40, 128, 128)
DESCRIPTION = "CT HEAD DEMO PHANTOM"
US_FRAMES = 10
US_FRAME_TIME_MS = 50.0  # 20 frames per second (PS3.3 C.7.6.5 Frame Time)


def _part10(ds: Dataset) -> bytes:
    buf = BytesIO()
    ds.save_as(buf, enforce_file_format=True)
    return buf.getvalue()


def reading_study() -> tuple[list[bytes], list[Dataset], list[Dataset]]:
    """The phantom at 3 mm (40 slices), the same anatomy at 6 mm (20 slices, same Frame of
    Reference) and a 10-frame US cine, all in one study."""
    study_uid = generate_uid()
    thin = [pydicom.dcmread(BytesIO(b)) for b in demo.phantom_series(shape=SHAPE, study_uid=study_uid)]
    thick_series = generate_uid()
    thick = []
    for k in range(0, SHAPE[0], 2):
        ds = copy.deepcopy(thin[k])
        ds.SeriesInstanceUID = thick_series
        ds.SOPInstanceUID = generate_uid()
        ds.file_meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
        ds.SeriesNumber = 3
        ds.SeriesDescription = "Axial 6 mm"
        ds.InstanceNumber = k // 2 + 1
        ds.SliceThickness = 6.0
        thick.append(ds)
    us = Dataset()
    us.SOPClassUID = "1.2.840.10008.5.1.4.1.1.3.1"  # Ultrasound Multi-frame Image Storage
    us.SOPInstanceUID = generate_uid()
    us.StudyInstanceUID = study_uid
    us.SeriesInstanceUID = generate_uid()
    for keyword in ("PatientName", "PatientID", "PatientBirthDate", "PatientSex", "StudyDate",
                    "StudyTime", "AccessionNumber", "StudyID", "ReferringPhysicianName", "StudyDescription"):
        setattr(us, keyword, getattr(thin[0], keyword))
    us.Modality = "US"
    us.SeriesNumber = 4
    us.SeriesDescription = "Cine loop"
    us.InstanceNumber = 1
    us.NumberOfFrames = US_FRAMES
    us.FrameTime = US_FRAME_TIME_MS
    us.FrameIncrementPointer = pydicom.tag.Tag("FrameTime")
    us.SamplesPerPixel = 1
    us.PhotometricInterpretation = "MONOCHROME2"
    us.Rows = us.Columns = 64
    us.BitsAllocated = us.BitsStored = 8
    us.HighBit = 7
    us.PixelRepresentation = 0
    frames = np.zeros((US_FRAMES, 64, 64), np.uint8)
    for f in range(US_FRAMES):
        frames[f, :, 6 * f: 6 * f + 6] = 255  # a bright bar that moves frame by frame
    us.PixelData = frames.tobytes()
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = us.SOPClassUID
    meta.MediaStorageSOPInstanceUID = us.SOPInstanceUID
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    us.file_meta = meta
    data = [_part10(ds) for ds in thin + thick + sagittal_series(thin)] + [_part10(us)]
    return data, thin, thick


SAGITTAL_COLUMNS = (16, 40, 64, 88, 112)


def sagittal_series(thin: list[Dataset]) -> list[Dataset]:
    """Five sagittal images cut from the phantom (same Frame of Reference): rows run from head
    to feet (-z), columns from anterior to posterior (+y), PS3.3 C.7.6.2.1.1."""
    volume = np.stack([ds.pixel_array for ds in thin])  # (z, y, x), z ascending
    dz = float(thin[1].ImagePositionPatient[2]) - float(thin[0].ImagePositionPatient[2])
    dy, dx = (float(v) for v in thin[0].PixelSpacing)
    x0, y0, _ = (float(v) for v in thin[0].ImagePositionPatient)
    z_top = float(thin[-1].ImagePositionPatient[2])
    series = generate_uid()
    out = []
    for n, column in enumerate(SAGITTAL_COLUMNS):
        ds = copy.deepcopy(thin[0])
        ds.SeriesInstanceUID = series
        ds.SOPInstanceUID = generate_uid()
        ds.file_meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
        ds.SeriesNumber = 5
        ds.SeriesDescription = "Sagittal"
        ds.InstanceNumber = n + 1
        ds.ImageOrientationPatient = [0, 1, 0, 0, 0, -1]
        ds.ImagePositionPatient = [round(x0 + column * dx, 4), y0, z_top]
        ds.PixelSpacing = [dz, dy]  # row spacing (between rows: along z), column spacing (along y)
        ds.SliceThickness = dx
        ds.ImageType = ["DERIVED", "SECONDARY", "SAGITTAL"]
        del ds.SliceLocation
        image = np.ascontiguousarray(volume[::-1, :, column])
        ds.Rows, ds.Columns = image.shape
        ds.PixelData = image.tobytes()
        out.append(ds)
    return out


@pytest.fixture(scope="module")
def archive(orthanc_server):  # type: ignore[no-untyped-def]
    """Orthanc holding the reading study and pydicom's bundled samples (uploaded once)."""
    orthanc_server.clear()
    data, thin, thick = reading_study()
    for item in data:
        orthanc_server.upload(item)
    for item in demo.bundled_samples():
        orthanc_server.upload(item)
    return orthanc_server, thin, thick


def _profile(url: str, server) -> ArchiveProfile:  # type: ignore[no-untyped-def]
    profile = ArchiveProfile(name="Test archive", url=url, auth="basic", username=server.user)
    store_secret(profile, server.password)
    save_settings(Settings(archives=[profile], default_archive=profile.name))
    return profile


def _window(qtbot) -> MainWindow:  # type: ignore[no-untyped-def]
    window = create_main_window(load_settings())
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=5000)
    return window


def _open(qtbot, window: MainWindow) -> StudyView:  # type: ignore[no-untyped-def]
    worklist = window.worklist
    qtbot.waitUntil(lambda: DESCRIPTION in [worklist.model.item(r, 6).text() for r in range(worklist.model.rowCount())], timeout=20000)
    open_row(qtbot, worklist, DESCRIPTION)
    qtbot.waitUntil(lambda: window.tabs.count() == 2, timeout=20000)
    view = window.tabs.widget(1)
    assert isinstance(view, StudyView)
    return view


def _by_series(view: StudyView, number: int):  # type: ignore[no-untyped-def]
    return next(b for b in view.bindings if b.display_set is not None and b.display_set.series_number == number)


def _key(qtbot, widget, key, modifier=Qt.KeyboardModifier.NoModifier) -> None:  # type: ignore[no-untyped-def]
    widget.setFocus()
    qtbot.keyClick(widget, key, modifier)


@pytest.fixture
def window(qtbot, archive) -> Iterator[MainWindow]:  # type: ignore[no-untyped-def]
    server, _thin, _thick = archive
    _profile(server.dicomweb_url, server)
    w = _window(qtbot)
    yield w
    dispose(qtbot, w)


def test_open_from_archive_read_link_and_lay_out(qtbot, window: MainWindow, archive) -> None:  # type: ignore[no-untyped-def]
    _server, thin_headers, thick_headers = archive
    view = _open(qtbot, window)
    assert view.archive is not None
    assert view.grid.grid == (2, 2)  # four image display sets
    thin, thick, cine, sagittal = (_by_series(view, n) for n in (2, 3, 4, 5))
    assert (thin.count, thick.count, cine.count, sagittal.count) == (40, 20, US_FRAMES, len(SAGITTAL_COLUMNS))

    # The first image shown is the middle one, then the rest fill in (nearest-first).
    qtbot.waitUntil(lambda: thin.viewport.loaded >= 1, timeout=20000)
    assert thin.loader is not None and thin.loader.stats.first_index == 20
    for b in (thin, thick, cine, sagittal):
        qtbot.waitUntil(lambda b=b: b.viewport.loaded == b.count, timeout=30000)
    # Every fetched instance is kept in the library (as it arrives) and the series recorded complete.
    qtbot.waitUntil(lambda: thin.loader is not None and thin.loader.finished, timeout=10000)
    assert thin.loader.complete
    assert len(window.library.search_instances(thin.display_set.study_uid, thin.display_set.series_uid)) == 40
    qtbot.waitUntil(lambda: not window.loading.text(), timeout=5000)
    assert view.browser.has_thumbnail(thin.display_set.uid)
    shot(window, "10-archive-study-2x2")

    # Window presets by key on the active viewport; grey levels as computed with numpy.
    volume, _ = demo.phantom_volume(shape=SHAPE)
    hu = volume[20, 62:66, 62:66]
    qtbot.mouseClick(thin.viewport.view, Qt.MouseButton.LeftButton)
    assert view.active is thin
    for key, (centre, width) in ((Qt.Key.Key_8, (400, 1800)), (Qt.Key.Key_4, (-600, 1500)), (Qt.Key.Key_1, (40, 80))):
        _key(qtbot, thin.viewport.view, key)
        assert thin.state.window == (centre, width)
        qtbot.wait(30)
        expected = expected_grey(hu, centre, width)
        grey = centre_grey(thin.viewport)
        assert expected.min() - 3 <= grey <= expected.max() + 3, (key, grey, expected)

    # Linked scrolling by position: thick follows thin to its nearest slice (z from the headers).
    thin_z = np.array([float(ds.ImagePositionPatient[2]) for ds in thin_headers])
    thick_z = np.array([float(ds.ImagePositionPatient[2]) for ds in thick_headers])
    _key(qtbot, thin.viewport.view, Qt.Key.Key_Down)
    _key(qtbot, thin.viewport.view, Qt.Key.Key_Down)
    assert thin.state.image_index == 22
    assert thick.state.image_index == int(np.argmin(np.abs(thick_z - thin_z[22]))) == 11
    qtbot.mouseClick(thick.viewport.view, Qt.MouseButton.LeftButton)
    _key(qtbot, thick.viewport.view, Qt.Key.Key_Up)
    assert thick.state.image_index == 10
    assert thin.state.image_index == int(np.argmin(np.abs(thin_z - thick_z[10])))
    assert cine.state.image_index == 0  # no Frame of Reference: not linked

    # Reference line of the active thick slice on the sagittal image: the row of its z.
    z_top = float(thin_headers[-1].ImagePositionPatient[2])
    row = (z_top - thick_z[10]) / float(thin_headers[1].ImagePositionPatient[2] - thin_headers[0].ImagePositionPatient[2])
    assert len(sagittal.reference_lines) == 1 and not thick.reference_lines
    line = sagittal.reference_lines[0]
    assert line.start[1] == pytest.approx(row) and line.end[1] == pytest.approx(row)
    assert sorted((line.start[0], line.end[0])) == pytest.approx([-0.5, 127.5])
    assert thin.reference_lines == []  # parallel slices have no reference line
    _key(qtbot, thick.viewport.view, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert sagittal.reference_lines == [] and not view.reference_lines
    _key(qtbot, thick.viewport.view, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert len(sagittal.reference_lines) == 1

    # Linking off: only the active viewport moves.
    _key(qtbot, thick.viewport.view, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert not view.link_scroll
    qtbot.mouseClick(thin.viewport.view, Qt.MouseButton.LeftButton)
    before = thick.state.image_index
    for _ in range(10):
        _key(qtbot, thin.viewport.view, Qt.Key.Key_Down)
    assert thin.state.image_index == 30 and thick.state.image_index == before

    # 3D cursor: Shift+click on thin; thick jumps to the slice nearest the picked point.
    qtbot.mouseClick(thin.viewport.view, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.ShiftModifier,
                     QPoint(thin.viewport.view.width() // 2, thin.viewport.view.height() // 2))
    qtbot.waitUntil(lambda: thick.state.image_index != before, timeout=3000)
    assert thick.state.image_index == int(np.argmin(np.abs(thick_z - thin_z[30]))) == 15
    assert thin.state.image_index == 30

    # Cine on the US loop at its acquisition rate (Frame Time 50 ms -> 20 fps).
    qtbot.mouseClick(cine.viewport.view, Qt.MouseButton.LeftButton)
    assert view.active is cine
    assert cine.state.cine_fps == pytest.approx(1000.0 / US_FRAME_TIME_MS)
    seen: set[int] = set()
    cine.state.events.connect(lambda names: seen.add(cine.state.image_index) if "image_index" in names else None)
    _key(qtbot, cine.viewport.view, Qt.Key.Key_C)
    assert cine.cine.isActive() and cine.cine.interval() == 50 and window.tools.cine.isChecked()
    qtbot.waitUntil(lambda: len(seen) >= 4, timeout=3000)
    window.tools.fps.setValue(40.0)
    assert cine.cine.interval() == 25
    _key(qtbot, cine.viewport.view, Qt.Key.Key_C)
    assert not cine.cine.isActive()

    # Layouts: 1x1 drops the other viewports and cancels their loads; 2x2 fills them again.
    removed = [thick.loader, cine.loader]
    _key(qtbot, thin.viewport.view, Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)
    assert view.grid.grid == (1, 1) and len(view.bindings) == 1
    assert all(loader is not None and loader.cancelled for loader in removed)
    _key(qtbot, thin.viewport.view, Qt.Key.Key_4, Qt.KeyboardModifier.ControlModifier)
    assert view.grid.grid == (2, 2)
    qtbot.waitUntil(lambda: {b.display_set.series_number for b in view.bindings if b.display_set} == {2, 3, 4, 5}, timeout=5000)
    assert MainWindow.remembered_grid() == (2, 2)

    # Double-click maximises a viewport and restores the grid.
    target = view.binding(1)
    qtbot.mouseDClick(target.viewport.view, Qt.MouseButton.LeftButton)
    assert view.grid.maximised == 1
    assert [s.isVisible() for s in view.grid.slots] == [False, True, False, False]
    shot(window, "11-maximised")
    qtbot.mouseDClick(target.viewport.view, Qt.MouseButton.LeftButton)
    assert view.grid.maximised is None and all(s.isVisible() for s in view.grid.slots)

    # Closing the tab cancels every load of the study.
    loaders = view.loaders
    assert len(loaders) == 4
    window.close_tab(1)
    assert all(loader.cancelled for loader in loaders)
    assert window.tabs.count() == 1


def test_archive_going_down_mid_load_says_so(qtbot, archive) -> None:  # type: ignore[no-untyped-def]
    """Every wait is for a condition (generous timeouts, so a loaded machine only makes it
    slower); the link is slowed further once the first image is in, so the series cannot finish
    before the archive goes away however late this thread gets to switch it off."""
    server, _thin, _thick = archive
    proxy = FaultyProxy(upstream_port=server.port).start()
    try:
        _profile(proxy.dicomweb_url, server)
        window = _window(qtbot)
        proxy.default = Behaviour("delay", seconds=0.4)  # a slow link: the load takes a while
        view = _open(qtbot, window)
        thin = _by_series(view, 2)
        qtbot.waitUntil(lambda: thin.viewport.loaded >= 1, timeout=30000)
        proxy.default = Behaviour("delay", seconds=3.0)  # slower still: >= 6 s for what is left
        # per-series progress in the status bar while it loads
        qtbot.waitUntil(lambda: "Se 2: " in window.loading.text(), timeout=10000)
        assert thin.loading
        # The loader has asked for the series' instance list (to record the series in the
        # library) before the archive goes: the failure under test is the images' retrieval.
        listing = f"/series/{thin.display_set.series_uid}/instances"
        qtbot.waitUntil(lambda: any(s.path.split("?")[0].endswith(listing) for s in list(proxy.seen)), timeout=30000)
        proxy.default = Behaviour("status", status=503)  # then the archive goes away
        qtbot.waitUntil(lambda: thin.load_error is not None, timeout=60000)
        sentence = thin.load_error
        assert sentence is not None and "503" in sentence and "archive" in sentence.lower()
        # The reader is told in the status bar, and the sentence stays there.
        qtbot.waitUntil(lambda: bool(window.notice.text()), timeout=10000)
        assert window.notice.text() in {b.load_error for b in view.bindings if b.load_error}
        # What arrived stays on screen: the images shown before the failure are all still there.
        arrived = set(thin.arrived)
        assert 1 <= len(arrived) < thin.count
        qtbot.waitUntil(lambda: not thin.loading, timeout=30000)
        assert thin.arrived >= arrived and thin.viewport.loaded == len(thin.arrived) < thin.count
        assert all(thin.viewport.loaded_mask[i] for i in arrived)
        shot(window, "12-archive-down")
        loaders = view.loaders
        window.close_tab(1)
        assert all(loader.cancelled for loader in loaders)
        dispose(qtbot, window)
    finally:
        proxy.stop()


def test_settings_dialog_keeps_the_secret_in_the_keyring(qtbot, archive) -> None:  # type: ignore[no-untyped-def]
    server, _thin, _thick = archive
    window = _window(qtbot)
    dialog = window.open_settings()
    dialog.add_profile()
    dialog.name.setText("Hospital PACS")
    dialog.url.setText(server.dicomweb_url)
    dialog.auth.setCurrentIndex(1)  # user name and password
    dialog.username.setText(server.user)
    dialog.secret.setText("wrong-password")
    qtbot.mouseClick(dialog.test_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.test_button.isEnabled(), timeout=15000)
    refused = dialog.test_result.text()
    assert refused and not refused.startswith("Connected")
    dialog.secret.setText(server.password)
    qtbot.mouseClick(dialog.test_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.test_button.isEnabled(), timeout=15000)
    assert dialog.test_result.text().startswith("Connected"), dialog.test_result.text()
    shot(dialog, "13-settings")
    dialog.accept()

    text = settings_path().read_text(encoding="utf-8")
    assert server.password not in text and "wrong-password" not in text
    saved = json.loads(text)
    assert saved["archives"][0]["url"] == server.dicomweb_url
    profile = load_settings().archive("Hospital PACS")
    assert profile is not None
    assert keyring.get_password(KEYRING_SERVICE, keyring_username(profile)) == server.password
    names = [window.worklist.source.itemText(i) for i in range(window.worklist.source.count())]
    assert "Hospital PACS" in names
    dispose(qtbot, window)
