"""One way to show a display image in Qt: a uint8 array (grey, or RGB/RGBA) as a QImage that
owns its memory (the array may be freed or reused once this returns).

The array is already in display values (after the Modality LUT, VOI LUT and Presentation LUT of
PS3.4 N.2, :func:`workstation.model.pixels.to_display`); this only wraps it.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtGui import QImage


def display_qimage(pixels: np.ndarray) -> QImage:
    """A QImage (own copy) of a display image: grey (rows, columns) or colour (rows, columns, 3
    or 4; a fourth channel is left out)."""
    array = np.asarray(pixels)
    if array.ndim == 3:
        rgb = np.ascontiguousarray(array[:, :, :3], dtype=np.uint8)
        return QImage(rgb.data, rgb.shape[1], rgb.shape[0], rgb.strides[0], QImage.Format.Format_RGB888).copy()
    grey = np.ascontiguousarray(array, dtype=np.uint8)
    return QImage(grey.data, grey.shape[1], grey.shape[0], grey.strides[0], QImage.Format.Format_Grayscale8).copy()
