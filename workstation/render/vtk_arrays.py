"""numpy arrays shown by VTK without a copy, and the 8-bit display buffers the views draw.

Pixel data in numpy's row-major order (PS3.5 8.1.1 / PS3.3 C.7.6.3.1: columns vary fastest, then
rows, then frames or slices) is exactly VTK's point order (x fastest, then y, then z), so an array
``[slice, row, column]`` becomes a ``vtkImageData`` of (columns, rows, slices) points by pointing
VTK at the same memory (``numpy_to_vtk(deep=False)``). VTK does not own that memory: the image
keeps a reference to the array (``_numpy_owner``) so it lives as long as the image does, and a
write into the array shows on the next render once :func:`pixels_modified` is called.

The display buffers hold grey levels (or RGB) that VTK shows as they are: the stored values go
through the display table of :func:`workstation.model.pixels.display_lut` (PS3.4 Annex N) with
one numpy gather (:func:`fill_display`).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from vtkmodules.util.numpy_support import numpy_to_vtk
from vtkmodules.vtkCommonDataModel import vtkImageData

from workstation.model import pixels

Triple = Sequence[float]
_ONES = (1.0, 1.0, 1.0)
_ZEROS = (0.0, 0.0, 0.0)


def _shared(array: np.ndarray, dimensions: tuple[int, int, int], components: int, spacing: Triple,
            origin: Triple, name: str | None) -> vtkImageData:
    if not array.flags.c_contiguous:
        raise ValueError("VTK can share only a C-contiguous array's memory (make it with numpy.ascontiguousarray).")
    image = vtkImageData()
    image.SetDimensions(*dimensions)
    image.SetSpacing(*(float(s) for s in spacing))
    image.SetOrigin(*(float(o) for o in origin))
    flat = array.reshape(-1, components) if components > 1 else array.reshape(-1)
    scalars = numpy_to_vtk(flat, deep=False)
    if name is not None:
        scalars.SetName(name)
    image.GetPointData().SetScalars(scalars)
    image._numpy_owner = array  # type: ignore[attr-defined]  # VTK does not own the memory
    return image


def wrap_volume(volume: np.ndarray, *, spacing: Triple = _ONES, origin: Triple = _ZEROS, name: str | None = None) -> vtkImageData:
    """A ``vtkImageData`` sharing the memory of a C-contiguous ``(slices, rows, columns)`` array
    (x = column, y = row, z = slice), with the given voxel spacing and origin."""
    if volume.ndim != 3:
        raise ValueError(f"a volume is (slices, rows, columns), not shaped {volume.shape}")
    slices, rows, columns = volume.shape
    return _shared(volume, (columns, rows, slices), 1, spacing, origin, name)


def wrap_picture(picture: np.ndarray, *, spacing: Triple = _ONES, name: str | None = None) -> vtkImageData:
    """A one-layer ``vtkImageData`` sharing the memory of a C-contiguous ``(rows, columns)`` or
    ``(rows, columns, components)`` array (x = column, y = row), origin 0."""
    if picture.ndim not in (2, 3):
        raise ValueError(f"a picture is (rows, columns[, components]), not shaped {picture.shape}")
    rows, columns = picture.shape[:2]
    components = picture.shape[2] if picture.ndim == 3 else 1
    return _shared(picture, (columns, rows, 1), components, spacing, _ZEROS, name)


def pixels_modified(image: vtkImageData) -> None:
    """Tell VTK that the array behind ``image`` was written (drawn again on the next render)."""
    image.GetPointData().GetScalars().Modified()
    image.Modified()


def display_buffer(shape: tuple[int, ...], *, spacing: Triple = _ONES, name: str | None = None) -> tuple[np.ndarray, vtkImageData]:
    """A new zeroed 8-bit display buffer of ``shape`` ((rows, columns) grey or (rows, columns, 3)
    RGB) and the ``vtkImageData`` that shows it."""
    buffer = np.zeros(shape, dtype=np.uint8)
    return buffer, wrap_picture(buffer, spacing=spacing, name=name)


def fill_display(buffer: np.ndarray, stored: np.ndarray, lut: pixels.DisplayLUT) -> None:
    """Write the display values of integer ``stored`` values into ``buffer`` (PS3.4 Annex N
    through the one table of :func:`~workstation.model.pixels.display_lut`): for 8- and 16-bit
    data one gather with no temporary, the stored bits read as unsigned indexing the table;
    otherwise :func:`~workstation.model.pixels.apply_lut`."""
    table = lut.table
    if lut.offset == 0 and stored.dtype.itemsize <= 2 and len(table) == 1 << (8 * stored.dtype.itemsize):
        np.take(table, stored.view(np.dtype(f"u{stored.dtype.itemsize}")), axis=0, out=buffer)
    else:
        np.copyto(buffer, pixels.apply_lut(stored, lut))


__all__ = ["display_buffer", "fill_display", "pixels_modified", "wrap_picture", "wrap_volume"]
