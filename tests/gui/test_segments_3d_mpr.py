"""A segmentation in the reading room beyond the axial images: a sphere segmented (highdicom) on
the real phantom CT is drawn on the 2D viewport, listed with its volume, and shows as a red
surface in the 3D tab (Ctrl+D)."""

from __future__ import annotations

from io import BytesIO
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("pytestqt")

from tests.gui.helpers import dispose  # noqa: E402
from tests.render.test_segmentation_mpr import _study  # noqa: E402
from workstation.model.sop_classes import DisplaySetKind  # noqa: E402
from workstation.settings import load_settings  # noqa: E402
from workstation.ui.app import create_main_window  # noqa: E402
from workstation.ui.main_window import MainWindow  # noqa: E402
from workstation.ui.study_view import StudyView  # noqa: E402

pytestmark = pytest.mark.gui


def test_seg_in_2d_panel_and_3d(qtbot, shared_data: Path) -> None:  # type: ignore[no-untyped-def]
    cts, _centre, seg_ds = _study(shared_data)
    window = create_main_window(load_settings())
    assert isinstance(window, MainWindow)
    for ds in [*cts, seg_ds]:
        buffer = BytesIO()
        ds.save_as(buffer)
        window.library.add_bytes(buffer.getvalue())
    window.show()
    qtbot.waitExposed(window)
    try:
        window.worklist.run_search()
        qtbot.waitUntil(lambda: window.worklist.model.rowCount() == 1, timeout=20000)
        window.open_study(window.worklist._studies[0])
        qtbot.waitUntil(lambda: isinstance(window.current_study(), StudyView), timeout=20000)
        view = window.current_study()
        ct = next(b for b in view.bindings if b.display_set is not None and b.display_set.modality == "CT")
        qtbot.waitUntil(lambda: ct.viewport.loaded == len(cts), timeout=30000)
        view.grid.activate(view.bindings.index(ct))
        seg = next(ds for ds in view.display_sets if ds.kind is DisplaySetKind.SEG)
        view.show_in_active(seg.uid)
        qtbot.waitUntil(lambda: view.overlays.panel is not None and view.overlays.panel.isVisible(), timeout=20000)
        ((label, volume, _mean, _max, shown),) = view.overlays.panel.rows()
        voxels = sum(int(np.asarray(f).sum()) for f in seg_ds.pixel_array)
        spacing = float(cts[0].PixelSpacing[0])
        assert label == "Sphere" and shown
        assert float(volume) == pytest.approx(voxels * spacing * spacing * 5.0 / 1000.0, abs=0.01)
        ct.state.image_index = len(cts) // 2  # the sphere's centre slice
        ct.viewport.render_now()
        picture = ct.viewport.capture().astype(int)
        assert ((picture[..., 0] - picture[..., 2]) > 60).sum() > 100  # the segment drawn in red
        tab = window.toggle_reformat("3d")
        qtbot.waitUntil(lambda: bool(getattr(tab, "surfaces", None)), timeout=60000)
        assert len(tab.surfaces) == 1
        colour = tab.surfaces[0].GetProperty().GetColor()
        assert colour[0] > 0.9 and colour[2] < 0.5
    finally:
        dispose(qtbot, window)
