"""Curved MPR drawn on the coronal or sagittal pane (not only the axial one), on a virtual X
server with the head phantom: the path lies in the chosen plane and the stretched reformat
passes through the lesion."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

pytest.importorskip("pytestqt")

from PySide6.QtCore import Qt  # noqa: E402

from tests.gui.test_mpr_view import LESION, _qpoint, open_phantom_view  # noqa: E402
from workstation.errors import WorkstationError  # noqa: E402
from workstation.ui.mpr_view import MprView  # noqa: E402

pytestmark = pytest.mark.gui


@pytest.fixture
def loaded(qtbot) -> Any:  # type: ignore[no-untyped-def]
    yield from open_phantom_view(qtbot)


@pytest.mark.parametrize(("pane", "across"), [("coronal", (0.0, 0.0, 1.0)), ("sagittal", (0.0, 1.0, 0.0))])
def test_curved_path_on_another_pane(qtbot, loaded: MprView, pane: str, across: tuple[float, float, float]) -> None:  # type: ignore[no-untyped-def]
    view = loaded
    state = view.state
    assert state is not None
    state.center = LESION
    view.render_now()
    view.active_pane = pane
    view.curved_button.click()  # starts in the pane used last
    assert view.curved_drawing and view.viewer.curved_plane == pane
    view.render_now()
    assert pane in view.viewer.curved.text.message.GetInput()
    direction = np.asarray(across)
    a, b = LESION - 20.0 * direction, LESION + 20.0 * direction
    qtbot.mouseClick(view.view, Qt.MouseButton.LeftButton, pos=_qpoint(view, *view.screen_of("axial", LESION)))
    assert view.curved_path == []  # clicks on another pane add nothing
    for p in (a, b):
        qtbot.mouseClick(view.view, Qt.MouseButton.LeftButton, pos=_qpoint(view, *view.screen_of(pane, p)))
    view.view.setFocus()
    qtbot.keyClick(view.view, Qt.Key.Key_Return)
    view.render_now()
    plane = state.plane(pane)
    for p in view.curved_path:
        assert abs(float((p - plane.origin) @ plane.normal)) < 1e-6  # on the chosen plane
    result = view.viewer.curved.result
    assert result is not None
    rows, columns = result.image.shape
    slope, intercept = float(view.header.get("RescaleSlope", 1)), float(view.header.get("RescaleIntercept", 0))
    middle = result.image[rows // 2 - 1:rows // 2 + 2, columns // 2 - 1:columns // 2 + 2].mean() * slope + intercept
    assert abs(middle - 65.0) < 15  # the lesion (65 HU) in the middle of the path
    # Across the strip runs within the drawn plane (perpendicular to its normal).
    assert np.abs(result.across @ plane.normal).max() < 1e-9
    with pytest.raises(WorkstationError):
        view.start_curved("legend")
