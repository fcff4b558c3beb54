"""MPR measurements saved with the study (issues 4 and 6), against a real Orthanc: a length drawn
with the mouse on the coronal MPR plane is saved by Ctrl+S on the MPR tab as a TID 1500 report
with SCOORD3D regions (next to, not instead of, the 2D measurement report), and shown again on the
MPR planes when the study is reopened from the archive."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("pytestqt")

from tests.gui import test_measure_tools as base  # noqa: E402
from tests.gui.helpers import shot  # noqa: E402
from tests.gui.test_measure_tools import _open, _rest  # noqa: E402
from tests.gui.test_mpr_measure import _click  # noqa: E402
from workstation.annotate.measurements import Kind  # noqa: E402
from workstation.ui.main_window import MainWindow  # noqa: E402
from workstation.ui.mpr_view import MprView  # noqa: E402

pytestmark = pytest.mark.gui

archive = base.archive  # the phantom CT in a real Orthanc, as the 2D measuring test uses
window = base.window


def _open_mpr(qtbot, window: MainWindow) -> MprView:  # type: ignore[no-untyped-def]
    view = window.toggle_reformat("mpr")
    assert isinstance(view, MprView)
    qtbot.waitUntil(lambda: view.viewer is not None and not view.loading, timeout=30000)
    view.render_now()
    return view


def test_mpr_length_saved_to_the_archive_and_shown_again_on_reopen(qtbot, window: MainWindow, archive) -> None:  # type: ignore[no-untyped-def]
    _open(qtbot, window)
    mpr = _open_mpr(qtbot, window)
    state = mpr.state
    assert state is not None
    coronal = state.plane("coronal")
    centre = np.array(coronal.patient_to_pixel(state.center)[:2])
    a = coronal.pixel_to_patient(*(centre + (-30.0, -2.0)))
    b = coronal.pixel_to_patient(*(centre + (25.0, 1.0)))
    mpr.set_measure_tool(Kind.LENGTH)
    _click(qtbot, mpr, "coronal", a)
    _click(qtbot, mpr, "coronal", b)
    assert len(mpr.measurements) == 1
    drawn = mpr.measurements[0]
    length = drawn.values[0].value
    # The length is the patient-space distance between the picked points (computed apart).
    assert length == pytest.approx(float(np.linalg.norm(np.subtract(drawn.points[1], drawn.points[0]))), abs=1e-6)

    room = window.measurements
    before = set(_rest(archive, "/instances"))
    room.save()  # Ctrl+S with the MPR tab in front saves its study's objects
    qtbot.waitUntil(lambda: not room.saving, timeout=20000)
    assert "saved" in room.last_message.lower(), room.last_message
    added = set(_rest(archive, "/instances")) - before
    described = sorted(str(_rest(archive, f"/instances/{i}/simplified-tags").get("SeriesDescription", "")) for i in added)
    assert "MPR measurements" in described, described

    # Close MPR and the study; reopen from the archive, open MPR: the length is on the planes again.
    window.close_tab(window.tabs.currentIndex())
    window.close_tab(window.tabs.currentIndex())
    _open(qtbot, window)
    mpr2 = _open_mpr(qtbot, window)
    qtbot.waitUntil(lambda: len(mpr2.measurements) == 1, timeout=5000)
    again = mpr2.measurements[0]
    assert again.values[0].value == pytest.approx(length, abs=1e-3)
    np.testing.assert_allclose(np.asarray(again.points), np.asarray(drawn.points), atol=1e-3)
    mpr2.render_now()
    assert again.label in mpr2.measure.actors["coronal"].label_texts()
    shot(window, "64-mpr-length-reopened")
