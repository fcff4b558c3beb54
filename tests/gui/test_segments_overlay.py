"""RT structures and segmentations in the reading room (real LCTSC CT + RTSTRUCT): choosing the
structure set draws its ROIs over the CT in their colours and opens the segments panel with
volumes and mean HU; unchecking a ROI hides it."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pydicom
import pytest

pytest.importorskip("pytestqt")

from tests.gui.helpers import dispose, shot  # noqa: E402
from workstation.model.sop_classes import DisplaySetKind  # noqa: E402
from workstation.settings import load_settings  # noqa: E402
from workstation.ui.app import create_main_window  # noqa: E402
from workstation.ui.main_window import MainWindow  # noqa: E402
from workstation.ui.study_view import StudyView  # noqa: E402

pytestmark = pytest.mark.gui

RTH = "orthanc_tests_selected/HierarchicalAnonymization/RTH"
CORD = np.array([242, 202, 48])


def _cord_pixels(picture: np.ndarray) -> int:
    return int((np.abs(picture.astype(int) - CORD).max(axis=-1) <= 2).sum())


def test_structure_set_drawn_and_listed(qtbot, shared_data: Path) -> None:  # type: ignore[no-untyped-def]
    w = create_main_window(load_settings())
    assert isinstance(w, MainWindow)
    for name in ("CT01.dcm", "RT.dcm"):
        w.library.add_file(shared_data / RTH / name)
    w.show()
    qtbot.waitExposed(w)
    try:
        w.worklist.run_search()
        qtbot.waitUntil(lambda: w.worklist.model.rowCount() == 1, timeout=10000)
        w.open_study(w.worklist._studies[0])
        qtbot.waitUntil(lambda: any(isinstance(v, StudyView) for v in w.studies()), timeout=10000)
        view = next(v for v in w.studies() if isinstance(v, StudyView))
        w.tabs.setCurrentWidget(view)
        binding = view.binding(0)
        qtbot.waitUntil(lambda: binding.viewport.loaded == 1, timeout=15000)
        before = binding.viewport.capture()
        assert _cord_pixels(before) == 0
        rt = next(ds for ds in view.display_sets if ds.kind is DisplaySetKind.RTSTRUCT)
        view.show_in_active(rt.uid)
        qtbot.waitUntil(lambda: view.overlays.panel is not None and view.overlays.panel.isVisible(), timeout=15000)
        binding.viewport.render_now()
        after = binding.viewport.capture()
        assert _cord_pixels(after) > 10
        rows = {r[0]: r for r in view.overlays.panel.rows()}
        assert list(rows) == ["SpinalCord", "Lung_R", "Lung_L", "Heart", "Esophagus"]
        assert float(rows["Lung_R"][1]) > 1000  # mL
        # Mean HU inside the cord on this slice: soft tissue, computed from the real image.
        ct = pydicom.dcmread(shared_data / RTH / "CT01.dcm")
        hu = ct.pixel_array * float(ct.RescaleSlope) + float(ct.RescaleIntercept)
        (_, mask), = view.overlays.overlays[0][1].masks_on(binding.viewport.renderer.current_plane())
        assert float(rows["SpinalCord"][2]) == pytest.approx(float(hu[mask > 0].mean()), abs=0.05)
        assert rows["Lung_R"][2] == ""  # no lung on this slice: no mean
        shot(w, "segments_overlay_rtstruct")
        view.overlays.panel.set_checked("SpinalCord", False)
        binding.viewport.render_now()
        assert _cord_pixels(binding.viewport.capture()) == 0
    finally:
        dispose(qtbot, w)
