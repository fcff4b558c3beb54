"""A key image keeps its presentation in the report (issue 20): marked in the mediastinal window
with a length drawn on it, then looked at in the lung window, the key image the report gets (and
the signed PDF prints) is in the mediastinal window with the length's line on it."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("pytestqt")
pdfium = pytest.importorskip("pypdfium2")

from PySide6.QtCore import Qt  # noqa: E402

import workstation.qc.visibility  # noqa: E402, F401 - imported on this thread, not a worker's (see report_editor)
from tests.gui.helpers import SHOTS, dispose, expected_grey  # noqa: E402
from tests.gui.test_report_editor import IMPRESSION, _open_with_report, _sign, _type, _window  # noqa: E402
from tests.gui.test_report_editor_measurements import _measure_and_mark  # noqa: E402
from tests.report.pki import ThrowawayPKI, make_pki  # noqa: E402
from workstation.crypt.files import read_protected  # noqa: E402
from workstation.report.key_pictures import ANNOTATION_COLOUR  # noqa: E402
from workstation.settings import load_settings  # noqa: E402
from workstation.ui.study_view import StudyView  # noqa: E402

pytestmark = pytest.mark.gui

MEDIASTINUM = (40.0, 400.0)
LUNG = (-600.0, 1500.0)


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> ThrowawayPKI:
    return make_pki(tmp_path_factory.mktemp("pki"))


def test_key_image_prints_in_its_window_with_its_measurement(qtbot, pki: ThrowawayPKI) -> None:  # type: ignore[no-untyped-def]
    window, study_uid = _window(qtbot)
    try:
        editor = _open_with_report(qtbot, window, study_uid)
        view = window.current_study()
        assert isinstance(view, StudyView)
        viewport = view.active.viewport
        qtbot.waitUntil(lambda: view.active.viewport.loaded == view.active.count, timeout=30000)
        viewport.renderer.state.set_window(*MEDIASTINUM)
        _expected, sop_uid = _measure_and_mark(qtbot, window)
        index = viewport.index
        stored = np.asarray(viewport.renderer.stored(index))
        header = viewport.renderer.header(index)
        hu = stored.astype(float) * float(header.RescaleSlope) + float(header.RescaleIntercept)
        # the reader goes on in the lung window
        viewport.renderer.state.set_window(*LUNG)
        qtbot.wait(50)

        qtbot.mouseClick(editor.insert_viewer_button, Qt.MouseButton.LeftButton)
        picture = editor.key_image_pixels[sop_uid]
        tools = window.measurements.tools(view)
        area = tools.key_views[sop_uid].displayed_area
        assert tools.key_views[sop_uid].window == MEDIASTINUM
        (c0, r0), (c1, r1) = area
        k = picture.shape[1] // (c1 - c0 + 1)
        assert k >= 1 and picture.shape[0] == (r1 - r0 + 1) * k
        # continuous VOI output to 8 bits: round half up
        mediastinal = np.floor(expected_grey(hu, *MEDIASTINUM) + 0.5).astype(int)
        lung = np.floor(expected_grey(hu, *LUNG) + 0.5).astype(int)
        line = next(iter(tools.measurements))
        (x0, y0), (x1, y1) = line.points
        compared = differs = 0
        for row in range(r0 - 1, r1, 5):
            for column in range(c0 - 1, c1, 5):
                # away from the line and its label
                if abs((y1 - y0) * column - (x1 - x0) * row + x1 * y0 - y1 * x0) / np.hypot(x1 - x0, y1 - y0) < 4:
                    continue
                if np.hypot(column - x1, row - y1) < 12:
                    continue
                pixel = picture[(row - r0 + 1) * k + k // 2, (column - c0 + 1) * k + k // 2]
                assert tuple(pixel) == (int(mediastinal[row, column]),) * 3, (column, row)
                compared += 1
                differs += int(mediastinal[row, column]) != int(lung[row, column])
        assert compared > 20 and differs > 5
        # the length's line: its middle, on the picture, in the annotation colour
        mx, my = (x0 + x1) / 2 + 0.5, (y0 + y1) / 2 + 0.5
        px, py = int((mx - c0 + 1) * k), int((my - r0 + 1) * k)
        patch = picture[max(0, py - 3):py + 4, max(0, px - 3):px + 4]
        assert np.all(patch == np.array(ANNOTATION_COLOUR, np.uint8), axis=-1).any()

        # the signed PDF carries that picture
        _type(qtbot, editor, "impression", IMPRESSION)
        _sign(qtbot, editor, pki)
        folder = load_settings().library_path().parent / "reports" / "outgoing" / editor.report.version_uid
        document = pdfium.PdfDocument(read_protected(folder / "report.pdf"))
        try:
            images = [obj for page in document
                      for obj in page.get_objects(filter=[pdfium.raw.FPDF_PAGEOBJ_IMAGE], max_depth=5)]
            bitmap = images[0].get_bitmap(render=False)
            printed = np.asarray(bitmap.to_numpy())[:, :, :3]
            if bitmap.mode.startswith("BGR"):
                printed = printed[:, :, ::-1]
        finally:
            document.close()
        assert printed.shape == picture.shape and np.array_equal(printed, picture)
        SHOTS.mkdir(parents=True, exist_ok=True)
        (SHOTS / "report_key_image_signed.pdf").write_bytes(read_protected(folder / "report.pdf"))
    finally:
        dispose(qtbot, window)


def test_key_image_marked_in_an_earlier_session_prints_as_the_saved_gsps_says(qtbot) -> None:  # type: ignore[no-untyped-def]
    """No record of how it was marked this session (the study reopened): the study's saved GSPS
    (what Ctrl+S wrote, read back) decides the window and draws the saved length."""
    from workstation.annotate.gsps_writer import View, build_presentation_state
    from workstation.annotate.measurements import ImageRef

    window, study_uid = _window(qtbot)
    try:
        _open_with_report(qtbot, window, study_uid)
        view = window.current_study()
        assert isinstance(view, StudyView)
        viewport = view.active.viewport
        qtbot.waitUntil(lambda: view.active.viewport.loaded == view.active.count, timeout=30000)
        _expected, sop_uid = _measure_and_mark(qtbot, window)
        tools = window.measurements.tools(view)
        header = viewport.renderer.header()
        stored = np.asarray(viewport.renderer.stored())
        tools.previous["pr"] = build_presentation_state([header], list(tools.measurements), View(window=MEDIASTINUM))
        tools.key_views.clear()
        viewport.renderer.state.set_window(*LUNG)
        picture = tools.key_picture(ImageRef.of(header))
        assert picture is not None
        hu = stored.astype(float) * float(header.RescaleSlope) + float(header.RescaleIntercept)
        k = picture.shape[1] // int(header.Columns)  # the whole image: no displayed area was saved
        mediastinal = np.floor(expected_grey(hu, *MEDIASTINUM) + 0.5).astype(int)
        lung = np.floor(expected_grey(hu, *LUNG) + 0.5).astype(int)
        (x0, y0), (x1, y1) = next(iter(tools.measurements)).points
        compared = differs = 0
        for row in range(0, int(header.Rows), 3):
            for column in range(0, int(header.Columns), 3):
                if abs((y1 - y0) * column - (x1 - x0) * row + x1 * y0 - y1 * x0) / np.hypot(x1 - x0, y1 - y0) < 4 \
                        or np.hypot(column - x1, row - y1) < 12:
                    continue  # the length and its label
                assert tuple(picture[row * k + k // 2, column * k + k // 2]) == (int(mediastinal[row, column]),) * 3
                compared += 1
                differs += int(mediastinal[row, column] != lung[row, column])
        assert compared > 50 and differs > 10
        assert np.all(picture == np.array(ANNOTATION_COLOUR, np.uint8), axis=-1).sum() > 50  # the saved length
    finally:
        dispose(qtbot, window)
