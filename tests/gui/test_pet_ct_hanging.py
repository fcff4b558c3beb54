"""A PET/CT study opens with the shipped pet-ct protocol: CT, PET (inverted, 0-5 SUVbw), PET fused
over CT in hot iron, coronal PET. Data: the real phantom CT (28 slices of 5 mm) and a PET series
made from the real whole-body FDG slice (its header, SUV attributes and pixels) placed as 12
slices of 3 mm in the CT's Frame of Reference and study (the shared data has no PET/CT pair)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("pytestqt")

from tests.gui.helpers import dispose, shot  # noqa: E402
from tests.render.pet_ct_data import pet_ct_study  # noqa: E402
from workstation.model import colormaps  # noqa: E402
from workstation.settings import load_settings  # noqa: E402
from workstation.ui.app import create_main_window  # noqa: E402
from workstation.ui.main_window import MainWindow  # noqa: E402

pytestmark = pytest.mark.gui

def test_pet_ct_protocol_with_fusion(qtbot, shared_data: Path) -> None:  # type: ignore[no-untyped-def]
    study_uid, instances = pet_ct_study(shared_data)
    window = create_main_window(load_settings())
    assert isinstance(window, MainWindow)
    window.set_hanging_on_open(True)  # the Hanging menu's check box (kept in ui.ini)
    for data in instances:
        window.library.add_bytes(data)
    window.show()
    qtbot.waitExposed(window)
    try:
        window.worklist.run_search()
        qtbot.waitUntil(lambda: window.worklist.model.rowCount() == 1, timeout=20000)
        window.open_study(next(s for s in window.worklist._studies if s.study_uid == study_uid))
        qtbot.waitUntil(lambda: window.current_study() is not None and window.current_study() in window.hanging.hung, timeout=20000)
        view = window.current_study()
        assert view is not None
        hung = window.hanging.hung[view]
        assert hung.result.protocol.id == "pet-ct" and hung.result.stage_index == 0
        ct, pet, fusion, coronal = view.bindings
        assert [b.display_set.modality for b in (ct, pet, fusion)] == ["CT", "PT", "CT"]
        qtbot.waitUntil(lambda: pet.viewport.loaded == 12 and fusion.viewport.loaded == 28, timeout=60000)
        qtbot.waitUntil(lambda: fusion.viewport.renderer.fusion[0] is not None, timeout=20000)
        # PET as it is read: inverted, 0-5 SUVbw.
        renderer = pet.viewport.renderer
        assert pet.state.invert and renderer.suv_factor is not None
        centre, width = pet.state.window
        assert (centre - width / 2) * renderer.suv_factor == pytest.approx(0.0, abs=1e-9)
        assert (centre + width / 2) * renderer.suv_factor == pytest.approx(5.0)
        assert any("SUVbw" in line for line in renderer.overlays.corner_lines()["bottom_right"])
        # Fusion: the CT under PET shows the hot-iron blend of the PET's SUV (window 0-5).
        target = fusion.viewport.renderer
        target.flush()
        values = target.fused_values()
        assert values is not None and np.isfinite(values).any()
        buffer = target.display_buffer
        assert buffer is not None and buffer.ndim == 3
        table = colormaps.palette(colormaps.HOT_IRON)
        grey = ct.viewport.renderer  # the plain CT viewport at the same slice (linked scrolling)
        grey.flush()
        assert ct.state.image_index == fusion.state.image_index
        plain = grey.display_buffer
        r, c = np.unravel_index(int(np.nanargmax(values)), values.shape)
        index = int(np.clip(np.rint(values[r, c] / 5.0 * 255), 0, 255))
        expected = 0.5 * float(plain[r, c]) + 0.5 * table[index].astype(float)
        assert np.abs(buffer[r, c].astype(float) - expected).max() <= 1.0
        # The 3D cursor links PET, CT and fusion: a point picked on the PET moves the CT viewports
        # to the slice nearest it and marks it there.
        point = renderer.pick_patient(200.0, 200.0)
        view.cursor_picked(pet, point)
        for binding in (ct, fusion):
            plane = binding.viewport.renderer.current_plane()
            assert plane is not None
            assert abs(float(np.asarray(plane.position)[2]) - float(point[2])) <= 2.5  # within half of 5 mm
            assert binding.viewport.renderer._cursor is not None
        # The coronal PET reformat: inverted, 0-10 SUV.
        pane = coronal.slot.reformat
        qtbot.waitUntil(lambda: pane.viewer is not None, timeout=30000)
        qtbot.wait(50)
        assert pane.viewer.invert
        centre, width = pane.viewer.window
        assert (centre + width / 2) * renderer.suv_factor == pytest.approx(10.0)
        assert (centre - width / 2) * renderer.suv_factor == pytest.approx(0.0, abs=1e-9)
        assert pane.viewer._corner("coronal").bottom_right == ("W 10 L 5 SUVbw",)
        shot(window, "pet-ct-hanging")
        # View > Colour map on the PET: grey -> hot iron -> PET -> grey; the picture follows.
        view.grid.activate(1)
        before = pet.viewport.capture().copy()
        window.tools.colour_map.trigger()
        assert pet.state.colormap == colormaps.HOT_IRON
        pet.viewport.render_now()
        after = pet.viewport.capture()
        assert np.abs(after.astype(int)[..., 0] - after.astype(int)[..., 2]).max() > 100  # red appears
        assert not np.array_equal(before, after)
        window.tools.colour_map.trigger()
        window.tools.colour_map.trigger()
        assert pet.state.colormap == ""
        # View > Fusion opacity +10% on the fusion viewport.
        view.grid.activate(2)
        window.tools.fusion_more.trigger()
        assert target.fusion[3] == pytest.approx(0.6)
    finally:
        dispose(qtbot, window)
