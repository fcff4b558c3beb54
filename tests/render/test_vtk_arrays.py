"""The shared numpy -> vtkImageData wrapping: zero-copy, VTK's point order, the array kept alive."""

from __future__ import annotations

import gc

import numpy as np
import pytest
from vtkmodules.util.numpy_support import vtk_to_numpy

from workstation.model import pixels
from workstation.render.vtk_arrays import display_buffer, fill_display, wrap_picture, wrap_volume


def test_volume_shares_memory_in_vtk_point_order() -> None:
    volume = np.arange(2 * 3 * 4, dtype=np.int16).reshape(2, 3, 4)
    image = wrap_volume(volume, spacing=(0.5, 0.7, 2.5), origin=(1.0, 2.0, 3.0), name="stored")
    assert image.GetDimensions() == (4, 3, 2)
    assert image.GetSpacing() == pytest.approx((0.5, 0.7, 2.5))
    assert image.GetOrigin() == pytest.approx((1.0, 2.0, 3.0))
    assert image.GetPointData().GetScalars().GetName() == "stored"
    # point (i, j, k) is volume[k, j, i]
    assert image.GetScalarComponentAsDouble(3, 1, 1, 0) == volume[1, 1, 3]
    volume[1, 2, 0] = -7  # written through: no copy
    assert vtk_to_numpy(image.GetPointData().GetScalars())[1 * 12 + 2 * 4 + 0] == -7


def test_picture_with_components_and_array_kept_alive() -> None:
    rgb = np.zeros((5, 6, 3), dtype=np.uint8)
    rgb[4, 5] = (10, 20, 30)
    image = wrap_picture(rgb)
    del rgb
    gc.collect()
    assert image.GetDimensions() == (6, 5, 1)
    assert image.GetNumberOfScalarComponents() == 3
    assert [image.GetScalarComponentAsDouble(5, 4, 0, c) for c in range(3)] == [10, 20, 30]


def test_non_contiguous_array_is_refused() -> None:
    with pytest.raises(ValueError, match="contiguous"):
        wrap_volume(np.zeros((4, 4, 4), dtype=np.int16)[:, :, ::2])


def test_display_buffer_filled_through_the_table() -> None:
    stored = np.array([[-1000, 0], [40, 3000]], dtype=np.int16)
    lut = pixels.DisplayLUT(table=(np.arange(1 << 16) % 256).astype(np.uint8), stored_dtype=np.dtype(np.int16))
    buffer, image = display_buffer(stored.shape)
    fill_display(buffer, stored, lut)
    expected = (stored.view(np.uint16) % 256).astype(np.uint8)  # the table indexed by the unsigned bits
    np.testing.assert_array_equal(vtk_to_numpy(image.GetPointData().GetScalars()).reshape(2, 2), expected)
