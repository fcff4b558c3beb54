"""Render tests run offscreen (EGL on Mesa): no display needed."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

pytest.importorskip("vtkmodules")

from workstation.render.slice_renderer import SliceRenderer  # noqa: E402


@pytest.fixture
def offscreen_renderer() -> Iterator[SliceRenderer]:
    renderer = SliceRenderer(offscreen=True, size=(240, 200))
    yield renderer
    renderer.close()
