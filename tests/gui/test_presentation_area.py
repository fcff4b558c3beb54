"""A presentation state's Displayed Area (PS3.3 C.10.4) in the reading room: a generated CT-like
image and Grayscale Softcopy Presentation States (PS3.3 A.33.1) written here with pydicom, each
selecting the image's upper-left quarter; SCALE TO FIT fills the viewport with that quarter,
MAGNIFY 2.0 shows two screen pixels per image pixel, TRUE SIZE (the display's physical pixel
size unknown) falls back to SCALE TO FIT and says so."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.sequence import Sequence
from pydicom.uid import CTImageStorage, ExplicitVRLittleEndian, generate_uid

pytest.importorskip("pytestqt")

from tests.gui.helpers import dispose, shot  # noqa: E402
from workstation.model.presentation_state import GRAYSCALE_SOFTCOPY_PS  # noqa: E402
from workstation.model.sop_classes import DisplaySetKind  # noqa: E402
from workstation.settings import load_settings  # noqa: E402
from workstation.ui.app import create_main_window  # noqa: E402
from workstation.ui.main_window import MainWindow  # noqa: E402
from workstation.ui.study_view import StudyView  # noqa: E402

pytestmark = pytest.mark.gui

COLUMNS, ROWS = 64, 48
QUARTER = ((1, 1), (COLUMNS // 2, ROWS // 2))  # 1-based (column, row) corners, C.10.4


def _file(ds: Dataset, sop_class: str, path: Path) -> Path:
    ds.file_meta = FileMetaDataset()
    ds.file_meta.MediaStorageSOPClassUID = sop_class
    ds.file_meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
    ds.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds.SOPClassUID = sop_class
    ds.save_as(path, enforce_file_format=True)
    return path


def _patient(ds: Dataset, study_uid: str) -> None:
    ds.PatientName = "Area^Test"
    ds.PatientID = "AREA-1"
    ds.StudyInstanceUID = study_uid
    ds.StudyDate = "20240102"
    ds.StudyTime = "101500"
    ds.StudyID = "1"
    ds.AccessionNumber = "AREA1"
    ds.StudyDescription = "Displayed area test"


def _image(folder: Path, study_uid: str) -> Dataset:
    ds = Dataset()
    _patient(ds, study_uid)
    ds.SOPInstanceUID = generate_uid()
    ds.SeriesInstanceUID = generate_uid()
    ds.Modality = "CT"
    ds.SeriesNumber = 1
    ds.InstanceNumber = 1
    ds.FrameOfReferenceUID = generate_uid()
    ds.ImagePositionPatient = [0.0, 0.0, 0.0]
    ds.ImageOrientationPatient = [1.0, 0.0, 0.0, 0.0, 1.0, 0.0]
    ds.PixelSpacing = [0.5, 0.5]
    ds.SliceThickness = 1.0
    ds.Rows, ds.Columns = ROWS, COLUMNS
    ds.SamplesPerPixel = 1
    ds.PhotometricInterpretation = "MONOCHROME2"
    ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 16, 16, 15, 0
    ds.RescaleSlope, ds.RescaleIntercept = 1, -1024
    ds.WindowCenter, ds.WindowWidth = 40, 400
    pixels = np.full((ROWS, COLUMNS), 1024, dtype=np.uint16)
    pixels[: ROWS // 2, : COLUMNS // 2] = 1424  # the upper-left quarter is bright
    ds.PixelData = pixels.tobytes()
    _file(ds, CTImageStorage, folder / "image.dcm")
    return ds


def _presentation(folder: Path, image: Dataset, label: str, created: str, mode: str, *,
                  ratio: float | None = None, rotation: int = 0) -> Path:
    """A GSPS (PS3.3 A.33.1) whose Displayed Area Selection is the image's upper-left quarter."""
    ds = Dataset()
    _patient(ds, image.StudyInstanceUID)
    ds.SOPInstanceUID = generate_uid()
    ds.SeriesInstanceUID = generate_uid()
    ds.Modality = "PR"
    ds.SeriesNumber = 2
    ds.InstanceNumber = 1
    ds.ContentLabel = label
    ds.ContentDescription = f"Upper-left quarter, {mode}"
    ds.PresentationCreationDate = "20240102"
    ds.PresentationCreationTime = created
    ds.PresentationLUTShape = "IDENTITY"
    ds.ImageRotation = rotation
    ds.ImageHorizontalFlip = "N"
    referenced = Dataset()
    referenced.ReferencedSOPClassUID = image.SOPClassUID
    referenced.ReferencedSOPInstanceUID = image.SOPInstanceUID
    series = Dataset()
    series.SeriesInstanceUID = image.SeriesInstanceUID
    series.ReferencedImageSequence = Sequence([referenced])
    ds.ReferencedSeriesSequence = Sequence([series])
    area = Dataset()
    area.DisplayedAreaTopLeftHandCorner = list(QUARTER[0])
    area.DisplayedAreaBottomRightHandCorner = list(QUARTER[1])
    area.PresentationSizeMode = mode
    if ratio is not None:
        area.PresentationPixelMagnificationRatio = ratio
    else:
        area.PresentationPixelSpacing = [0.5, 0.5]
    ds.DisplayedAreaSelectionSequence = Sequence([area])
    return _file(ds, GRAYSCALE_SOFTCOPY_PS, folder / f"{label}.dcm")


def _corners_on_screen(view: StudyView) -> np.ndarray:
    """The displayed area's four outer corners on screen, through the viewport's own transform.
    C.10.4 corners are 1-based pixels; their outer edges in the viewport's image coordinates
    (pixel centres at integers) lie at corner - 1.5 (top-left) and corner - 0.5 (bottom-right)."""
    binding = view.binding(0)
    renderer = binding.viewport.renderer
    (c0, r0), (c1, r1) = QUARTER
    edges = [(c0 - 1.5, r0 - 1.5), (c1 - 0.5, r0 - 1.5), (c0 - 1.5, r1 - 0.5), (c1 - 0.5, r1 - 0.5)]
    return np.array([binding.state.image_to_screen(p, renderer.viewport_size(), renderer.image_size, renderer.pixel_aspect)
                     for p in edges])


def _assert_fills(view: StudyView, width_px: float, height_px: float) -> None:
    """SCALE TO FIT: the area touches the viewport's edges along one axis, is centred along the
    other, and keeps its aspect (width_px x height_px screen-shaped image pixels)."""
    w, h = view.binding(0).viewport.renderer.viewport_size()
    corners = _corners_on_screen(view)
    xs, ys = corners[:, 0], corners[:, 1]
    scale = min(w / width_px, h / height_px)  # independent of the app: the fit of a rectangle
    assert xs.max() - xs.min() == pytest.approx(width_px * scale, abs=1.0)
    assert ys.max() - ys.min() == pytest.approx(height_px * scale, abs=1.0)
    assert (xs.min() + xs.max()) / 2 == pytest.approx(w / 2, abs=1.0)
    assert (ys.min() + ys.max()) / 2 == pytest.approx(h / 2, abs=1.0)
    assert (abs(xs.min()) <= 1.0 and abs(xs.max() - w) <= 1.0) or (abs(ys.min()) <= 1.0 and abs(ys.max() - h) <= 1.0)


@pytest.fixture
def study(qtbot, tmp_path: Path):  # type: ignore[no-untyped-def]
    image = _image(tmp_path, generate_uid())
    files = [
        _presentation(tmp_path, image, "MAGNIFY2", "101600", "MAGNIFY", ratio=2.0),
        _presentation(tmp_path, image, "TRUESIZE", "101700", "TRUE SIZE", rotation=90),
        _presentation(tmp_path, image, "FIT", "101800", "SCALE TO FIT"),  # newest: applied on opening
    ]
    window = create_main_window(load_settings())
    assert isinstance(window, MainWindow)
    window.library.add_file(tmp_path / "image.dcm")
    for path in files:
        window.library.add_file(path)
    window.resize(1200, 800)
    window.show()
    qtbot.waitExposed(window)
    window.worklist.run_search()
    qtbot.waitUntil(lambda: window.worklist.model.rowCount() == 1, timeout=10000)
    window.open_study(window.worklist._studies[0])
    qtbot.waitUntil(lambda: bool(window.studies()), timeout=10000)
    view = window.studies()[0]
    window.tabs.setCurrentWidget(view)
    qtbot.waitUntil(lambda: view.binding(0).display_set is not None and view.binding(0).viewport.loaded == 1, timeout=10000)
    yield window, view
    dispose(qtbot, window)


def _show_state(view: StudyView, label: str) -> None:
    ps = next(ds for ds in view.display_sets if ds.kind is DisplaySetKind.PRESENTATION_STATE
              and view._states_by_uid[ds.sop_instance_uids[0]].label == label)
    view.show_in_slot(0, ps.uid)


def test_displayed_area_scale_to_fit_magnify_and_true_size(qtbot, study) -> None:  # type: ignore[no-untyped-def]
    window, view = study
    binding = view.binding(0)
    # Opening applies the newest state (SCALE TO FIT); re-applied now that the window is laid out.
    assert binding.presentation is not None and binding.presentation.label == "FIT"
    _show_state(view, "FIT")
    assert binding.state.zoom_mode == "fit" and binding.state.zoom > 1.5
    _assert_fills(view, COLUMNS / 2, ROWS / 2)
    qtbot.waitUntil(lambda: binding.viewport.loaded == 1, timeout=10000)
    binding.viewport.render_now()
    captured = binding.viewport.capture()
    h, w = captured.shape[:2]
    # Only the bright quarter is on screen: (1424 - 1024) HU = 400 > 40 + 200, white under W 400 / L 40.
    corners = _corners_on_screen(view)
    near_far_corner = corners.min(axis=0) + 0.9 * (corners.max(axis=0) - corners.min(axis=0))
    for x, y in ((w / 2, h / 2), tuple(near_far_corner)):
        assert int(captured[int(y), int(x), 0]) == 255
    shot(window, "23-displayed-area-fit")

    _show_state(view, "MAGNIFY2")
    assert binding.presentation is not None and binding.presentation.label == "MAGNIFY2"
    renderer = binding.viewport.renderer
    args = (renderer.viewport_size(), renderer.image_size, renderer.pixel_aspect)
    a = np.array(binding.state.image_to_screen((10.0, 7.0), *args))
    b = np.array(binding.state.image_to_screen((11.0, 7.0), *args))
    c = np.array(binding.state.image_to_screen((10.0, 8.0), *args))
    assert np.linalg.norm(b - a) == pytest.approx(2.0, abs=1e-9)  # screen pixels per image pixel
    assert np.linalg.norm(c - a) == pytest.approx(2.0, abs=1e-9)
    corners = _corners_on_screen(view)
    w, h = args[0]
    assert corners[:, 0].mean() == pytest.approx(w / 2, abs=1.0)  # centred on the area
    assert corners[:, 1].mean() == pytest.approx(h / 2, abs=1.0)
    assert not any("true size" in line for line in binding.slot.annotations.text().splitlines())

    _show_state(view, "TRUESIZE")
    assert binding.state.rotation == 90 and binding.state.zoom_mode == "fit"
    _assert_fills(view, ROWS / 2, COLUMNS / 2)  # turned a quarter: the area stands 24 wide, 32 high
    assert "physical pixel size is not known" in binding.slot.annotations.text()
