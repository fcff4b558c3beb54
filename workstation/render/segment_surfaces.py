"""Segments as surfaces in the 3D view: each segment's frames (a DICOM SEG, PS3.3 A.51) stacked on
a regular grid along their normal (frames left out because empty stay empty), contoured at half
coverage with VTK's flying edges, and placed in patient space (LPS mm, PS3.3 C.7.6.2.1.1) by the
frames' direction cosines and position, so they sit inside the volume rendering, which is placed
the same way (:mod:`workstation.render.volume3d`). Drawn in the segment's colour.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from vtkmodules.vtkCommonDataModel import vtkPolyData
from vtkmodules.vtkCommonMath import vtkMatrix4x4
from vtkmodules.vtkCommonTransforms import vtkTransform
from vtkmodules.vtkFiltersCore import vtkFlyingEdges3D, vtkPolyDataNormals
from vtkmodules.vtkFiltersGeneral import vtkTransformPolyDataFilter
from vtkmodules.vtkRenderingCore import vtkActor, vtkPolyDataMapper, vtkRenderer

from workstation.render.vtk_arrays import wrap_volume


def surface_of(source: Any, level: float = 0.5) -> vtkPolyData:
    """The surface of one segment (a :class:`~workstation.model.fusion.FusionSource` of its
    coverage 0..1) at ``level``, in patient LPS mm."""
    spacing = source.slice_spacing
    first = float(source.locations[0])
    count = int(round((float(source.locations[-1]) - first) / spacing)) + 1
    rows, columns = source.shape
    grid = np.zeros((count + 2, rows + 2, columns + 2), dtype=np.float32)  # a border of zeros closes the surface
    for location, values in zip(source.locations, source.values, strict=True):
        k = int(round((float(location) - first) / spacing))
        grid[k + 1, 1:-1, 1:-1] = np.maximum(grid[k + 1, 1:-1, 1:-1], values)
    row_spacing, column_spacing = source.spacing
    image = wrap_volume(np.ascontiguousarray(grid), spacing=(column_spacing, row_spacing, spacing),
                        origin=(-column_spacing, -row_spacing, -spacing))
    contour = vtkFlyingEdges3D()
    contour.SetInputData(image)
    contour.SetValue(0, level)
    normals = vtkPolyDataNormals()
    normals.SetInputConnection(contour.GetOutputPort())
    matrix = vtkMatrix4x4()
    origin = np.asarray(source.origins[0], dtype=np.float64)
    for axis, vector in enumerate((source.row_axis, source.column_axis, source.normal)):
        for r in range(3):
            matrix.SetElement(r, axis, float(vector[r]))
    for r in range(3):
        matrix.SetElement(r, 3, float(origin[r]))
    transform = vtkTransform()
    transform.SetMatrix(matrix)
    placed = vtkTransformPolyDataFilter()
    placed.SetTransform(transform)
    placed.SetInputConnection(normals.GetOutputPort())
    placed.Update()
    out = vtkPolyData()
    out.DeepCopy(placed.GetOutput())
    return out


def add_segment_surfaces(renderer: vtkRenderer, overlays: Sequence[Any], opacity: float = 1.0) -> list[vtkActor]:
    """Actors for every segment of ``overlays`` (segmentations with ``volume_sources``) added to
    ``renderer``; returned so a caller can remove them."""
    actors = []
    for overlay in overlays:
        if not hasattr(overlay, "volume_sources"):
            continue
        for segment, source in overlay.volume_sources():
            mapper = vtkPolyDataMapper()
            mapper.SetInputData(surface_of(source))
            mapper.ScalarVisibilityOff()
            actor = vtkActor()
            actor.SetMapper(mapper)
            actor.GetProperty().SetColor(*(c / 255.0 for c in segment.colour))
            actor.GetProperty().SetOpacity(opacity)
            renderer.AddActor(actor)
            actors.append(actor)
    return actors
