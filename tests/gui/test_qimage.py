"""display_qimage: the one wrapper of a display image in a QImage (it was written four times:
the series thumbnails, the key-image strip, the PDF pages of the document view and of the
signing preview)."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("pytestqt")

from pydicom.dataset import Dataset  # noqa: E402
from PySide6.QtGui import QImage  # noqa: E402

from workstation.ui.qimage import display_qimage  # noqa: E402
from workstation.ui.series_browser import thumbnail_image  # noqa: E402

pytestmark = pytest.mark.gui


def test_grey_rgb_and_rgba_keep_every_pixel_and_own_their_memory(qtbot) -> None:  # type: ignore[no-untyped-def]
    grey = np.arange(7 * 5, dtype=np.uint8).reshape(7, 5)  # an odd width: rows are padded in a QImage
    image = display_qimage(grey)
    grey[:] = 0  # the caller's array is reused: the image keeps its own copy
    assert (image.width(), image.height(), image.format()) == (5, 7, QImage.Format.Format_Grayscale8)
    assert [image.pixelColor(x, 6).red() for x in range(5)] == [30, 31, 32, 33, 34]
    rgba = np.zeros((3, 3, 4), dtype=np.uint8)
    rgba[1, 2] = (200, 100, 50, 7)
    colour = display_qimage(rgba)
    assert colour.format() == QImage.Format.Format_RGB888
    assert colour.pixelColor(2, 1).getRgb()[:3] == (200, 100, 50)
    assert display_qimage(rgba[:, :, :3]) == colour


def test_series_thumbnail_keeps_the_pixel_aspect(qtbot) -> None:  # type: ignore[no-untyped-def]
    header = Dataset()
    header.PhotometricInterpretation = "MONOCHROME2"
    header.BitsStored = 8
    header.PixelRepresentation = 0
    header.SamplesPerPixel = 1
    header.PixelSpacing = [2.0, 1.0]  # rows twice as far apart as columns
    stored = np.tile(np.arange(64, dtype=np.uint8), (64, 1))
    image = thumbnail_image(stored, header, size=96)
    assert (image.width(), image.height()) == (48, 96)
