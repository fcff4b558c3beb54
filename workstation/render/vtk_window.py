"""Render windows for the views and reading their pictures back, one way for the 2D, MPR and 3D.

Offscreen windows are EGL windows where EGL works (no X connection, so a vanishing X server
cannot end the process), else whatever VTK picks (OSMesa or X). Multisampling is off: images are
drawn texel for texel (the grey levels of PS3.4 Annex N reach the screen unchanged), and on a
software OpenGL (Mesa llvmpipe) 8x MSAA cost more than half of every frame.
"""

from __future__ import annotations

import numpy as np
import vtkmodules.vtkRenderingOpenGL2  # noqa: F401  (OpenGL back end: EGL offscreen, X on screen)
from vtkmodules.util.numpy_support import vtk_to_numpy
from vtkmodules.vtkRenderingCore import vtkRenderWindow, vtkWindowToImageFilter


def offscreen_window() -> vtkRenderWindow:
    """An EGL window, else whatever VTK picks where EGL is not available."""
    try:
        from vtkmodules.vtkRenderingOpenGL2 import vtkEGLRenderWindow

        window: vtkRenderWindow = vtkEGLRenderWindow()
        if window.SupportsOpenGL():
            return window
    except ImportError:
        pass
    return vtkRenderWindow()


def new_window(*, offscreen: bool, size: tuple[int, int]) -> vtkRenderWindow:
    """A new render window of ``size`` (width, height) pixels, offscreen when asked."""
    window = offscreen_window() if offscreen else vtkRenderWindow()
    if offscreen:
        window.SetOffScreenRendering(1)
    window.SetSize(int(size[0]), int(size[1]))
    return window


def view_window(render_window: vtkRenderWindow | None, *, offscreen: bool, size: tuple[int, int]) -> vtkRenderWindow:
    """The window a view draws into: ``render_window`` (a Qt widget's) or a new one
    (:func:`new_window`), with multisampling off."""
    window = render_window if render_window is not None else new_window(offscreen=offscreen, size=size)
    window.SetMultiSamples(0)
    return window


class FrameReader:
    """Reads a render window's picture back as (height, width, 3) uint8, row 0 at the top.

    ``rerender``: draw the window again while reading (else the frame just rendered is read as
    it is)."""

    def __init__(self, render_window: vtkRenderWindow, *, rerender: bool) -> None:
        self._filter = vtkWindowToImageFilter()
        self._filter.SetInput(render_window)
        self._filter.SetInputBufferTypeToRGB()
        self._filter.ReadFrontBufferOff()
        if not rerender:
            self._filter.ShouldRerenderOff()

    def read(self) -> np.ndarray:
        self._filter.Modified()
        self._filter.Update()
        output = self._filter.GetOutput()
        width, height, _ = output.GetDimensions()
        data = vtk_to_numpy(output.GetPointData().GetScalars()).reshape(height, width, -1)
        return np.ascontiguousarray(data[::-1, :, :3])


__all__ = ["FrameReader", "new_window", "offscreen_window", "view_window"]
