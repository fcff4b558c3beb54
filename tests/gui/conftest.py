"""GUI test settings: most reading-room tests check the default layout, not a protocol's."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def default_layout_unless_testing_hanging(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Hanging protocols apply on open in the product; tests of other features open their
    studies in the plain default layout (tests/gui/test_hanging.py keeps the product default)."""
    if request.node.module.__name__.endswith("test_hanging"):
        return
    from workstation.ui import hanging_bridge

    monkeypatch.setattr(hanging_bridge, "APPLY_ON_OPEN_DEFAULT", False)
