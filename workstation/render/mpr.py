"""MPR with VTK: one shared volume, one ``vtkImageReslice`` per plane, shown as image actors.

The numpy volume (stored values ``[k, j, i]``, PS3.5 8.1.1 integers) is wrapped ONCE as a
``vtkImageData`` without copying (:class:`VolumeImage`); every plane reslices that same object.
The image data is kept in INDEX space (origin 0, spacing 1, no direction), and each plane's
reslice axes are ``A^-1 @ P``: ``P`` maps the plane's output coordinates (mm along its row
direction, column direction and normal, :meth:`MprPlane.matrix`) to patient LPS (PS3.3
C.7.6.2.1.1) and ``A^-1`` maps LPS to voxel index. So any affine works: oblique acquisitions,
non-square pixels, and the sheared affine of a gantry-tilted CT, with no resampled copy.

Thick slabs: ``MprPlane.slab_samples`` samples ``slab_step`` mm apart along the normal, centred
on the plane, combined by max, min or mean (float32, rounded to the stored type for display).
When the normal runs along a voxel axis (an axial slab of an axial CT) the slab is the numpy
projection of the whole voxel layers nearest to it, resliced in-plane; otherwise vtkImageReslice's
slab mode combines the samples while reslicing (C++, no 3D output). While the user drags,
:attr:`MprViewer.interactive` draws expensive oblique slabs on a grid twice as coarse in-plane
(the full grid again when the drag ends).

Display follows the 2D viewport (:mod:`workstation.render.slice_renderer`): the grey levels come
from the numpy display table of :func:`workstation.model.pixels.display_lut` (PS3.4 Annex N),
applied with one gather into a reused 8-bit buffer that a ``vtkImageActor`` shows as it is; the
orientation markers, scale bar and crosshair lines come from the model
(:mod:`workstation.model.overlay`, :meth:`MprState.crosshair_lines`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import vtkmodules.vtkRenderingOpenGL2  # noqa: F401  (OpenGL back end)
from pydicom.dataset import Dataset
from vtkmodules.util.numpy_support import vtk_to_numpy
from vtkmodules.vtkCommonCore import VTK_FLOAT
from vtkmodules.vtkCommonDataModel import vtkImageData
from vtkmodules.vtkCommonMath import vtkMatrix4x4
from vtkmodules.vtkImagingCore import vtkImageReslice
from vtkmodules.vtkRenderingCore import (
    vtkImageActor,
    vtkRenderer,
    vtkRenderWindow,
    vtkTextActor,
)

from workstation.errors import GeometryError
from workstation.model import pixels
from workstation.model.geometry import VolumeGeometry, VolumeResult, orientation_letters
from workstation.model.image_plane import ImagePlane
from workstation.model.mpr import (
    PLANE_NAMES,
    Interpolation,
    MprPlane,
    MprState,
    Projection,
    nearest_source_slice,
    source_slice_plane,
)
from workstation.model.overlay import CornerText, Markers, opposite_letters, scale_bar
from workstation.model.resample import CurvedReformat, curved_reformat
from workstation.model.spatial import reference_line
from workstation.render.overlays import (
    MARGIN,
    TEXT_RGB,
    OverlayActors,
    PaneLines,
    TextOverlay,
    text_actor,
)
from workstation.render.vtk_arrays import display_buffer, fill_display, pixels_modified, wrap_volume
from workstation.render.vtk_window import FrameReader, view_window

#: Colours of the crosshair lines of each plane (as most MPR viewers: axial red-ish, etc.).
PLANE_RGB = {"axial": (1.0, 0.35, 0.35), "coronal": (0.35, 1.0, 0.35), "sagittal": (0.4, 0.6, 1.0)}


class VolumeImage:
    """The volume as one ``vtkImageData`` in index space, sharing the numpy array's memory."""

    def __init__(self, volume: np.ndarray, geometry: VolumeGeometry) -> None:
        if volume.ndim != 3:
            raise GeometryError("MPR needs a grey-scale volume shaped (slices, rows, columns).")
        if tuple(volume.shape) != tuple(geometry.shape):
            raise GeometryError(f"The volume is {volume.shape} but its geometry describes {geometry.shape}; load the series again.")
        if not volume.flags.c_contiguous:
            raise GeometryError("The MPR volume must be one contiguous array (make it with numpy.ascontiguousarray once).")
        if not volume.dtype.isnative:
            raise GeometryError("The MPR volume must be in the machine's byte order.")
        self.volume = volume
        self.geometry = geometry
        self.image = wrap_volume(volume, name="stored")  # keeps the array alive
        self.background = float(volume.min()) if volume.size else 0.0

    @property
    def nbytes(self) -> int:
        return int(self.volume.nbytes)


def reslice_axes(geometry: VolumeGeometry, plane: MprPlane) -> np.ndarray:
    """4x4 from the plane's output coordinates (mm) to voxel index (i, j, k): ``A^-1 @ P``."""
    return np.linalg.inv(geometry.affine) @ plane.matrix()


class PlaneReslicer:
    """One ``vtkImageReslice`` reading the shared :class:`VolumeImage`."""

    def __init__(self, source: VolumeImage) -> None:
        self.source = source
        self.reslice = vtkImageReslice()
        self.reslice.SetInputData(source.image)
        self.reslice.SetOutputDimensionality(2)
        self.reslice.SetBackgroundLevel(source.background)
        self.reslice.AutoCropOutputOff()
        self._axes = vtkMatrix4x4()
        self._flat = vtkImageReslice()  # in-plane reslice of a projected layer (aligned slabs)
        self._flat.SetOutputDimensionality(2)
        self._flat.SetBackgroundLevel(source.background)
        self._flat.AutoCropOutputOff()
        self._key: tuple[Any, ...] | None = None
        self._last: np.ndarray | None = None

    def configure(self, plane: MprPlane) -> None:
        """Set the reslice up for ``plane``: a thin plane, or the ``slab_samples`` planes of a
        slab (``slab_step`` apart along the normal, centred on the plane) as a 3D output that
        :meth:`values` projects (the fallback for slabs whose reslice matrix is a permutation:
        there VTK 9.7's slab mode takes a fast path that shifts odd slabs along a negative axis
        by one voxel; oblique slabs use the slab mode, :meth:`_vtk_slab`, whose samples were
        checked against this path for odd and even counts)."""
        r = self.reslice
        n = plane.slab_samples
        axes = reslice_axes(self.source.geometry, plane)
        if n > 1:
            shift = np.eye(4)
            shift[2, 3] = -0.5 * (n - 1) * plane.slab_step
            axes = axes @ shift
        for row in range(4):
            for col in range(4):
                self._axes.SetElement(row, col, float(axes[row, col]))
        r.SetResliceAxes(self._axes)
        s = plane.pixel_spacing
        r.SetOutputDimensionality(3 if n > 1 else 2)
        r.SetOutputSpacing(s, s, plane.slab_step)
        r.SetOutputOrigin(0.0, 0.0, 0.0)
        r.SetOutputExtent(0, plane.columns - 1, 0, plane.rows - 1, 0, n - 1)
        {
            Interpolation.NEAREST: r.SetInterpolationModeToNearestNeighbor,
            Interpolation.LINEAR: r.SetInterpolationModeToLinear,
            Interpolation.CUBIC: r.SetInterpolationModeToCubic,
        }[plane.interpolation]()

    def values(self, plane: MprPlane) -> np.ndarray:
        """The reformatted plane (rows, columns): stored values, float32 for an average slab.
        An unchanged plane is not resliced again."""
        key = plane.key()
        if key == self._key and self._last is not None:
            return self._last
        axis = aligned_axis(self.source.geometry, plane) if plane.slab_samples > 1 else None
        if axis is not None:
            array = self._layer_slab(plane, axis)
        elif plane.slab_samples > 1 and not _is_permutation(reslice_axes(self.source.geometry, plane)):
            array = self._vtk_slab(plane)
        else:
            self.configure(plane)
            self.reslice.Update()
            out = self.reslice.GetOutput()
            samples = vtk_to_numpy(out.GetPointData().GetScalars())
            if plane.slab_samples == 1:
                array = samples.reshape(plane.rows, plane.columns)
            else:
                stack = samples.reshape(plane.slab_samples, plane.rows, plane.columns)
                if plane.projection is Projection.MINIP:
                    array = stack.min(axis=0)
                elif plane.projection is Projection.AVERAGE:
                    array = stack.mean(axis=0, dtype=np.float32)
                else:
                    array = stack.max(axis=0)
        self._last = array
        self._key = key
        return array

    def _vtk_slab(self, plane: MprPlane) -> np.ndarray:
        """An oblique slab with vtkImageReslice's own slab mode: the ``slab_samples`` samples
        ``slab_step`` apart along the normal, centred on the plane, are combined in C++ while
        reslicing (no 3D output, about twice as fast as sampling a 3D block and projecting it
        with numpy). The mean is kept in float32. Samples that fall outside the volume are left
        out of the projection (the sampled path counts them as the background level, so only a
        MinIP or average at the volume's very edge differs). Not used when the reslice matrix is a
        permutation (VTK 9.7's permutation fast path shifts slabs, see :meth:`configure`); that
        case takes the numpy layer path or the sampled path."""
        self.configure(_thin(plane))
        r = self.reslice
        r.SetOutputSpacing(plane.pixel_spacing, plane.pixel_spacing, plane.slab_step)
        r.SetSlabNumberOfSlices(plane.slab_samples)
        r.SetSlabSliceSpacingFraction(1.0)
        r.SlabTrapezoidIntegrationOff()
        {Projection.MINIP: r.SetSlabModeToMin, Projection.AVERAGE: r.SetSlabModeToMean}.get(plane.projection, r.SetSlabModeToMax)()
        r.SetOutputScalarType(VTK_FLOAT if plane.projection is Projection.AVERAGE else -1)
        try:
            r.Update()
            out = r.GetOutput()
            return np.array(vtk_to_numpy(out.GetPointData().GetScalars()).reshape(plane.rows, plane.columns))
        finally:
            r.SetSlabNumberOfSlices(1)
            r.SetOutputScalarType(-1)

    def _layer_slab(self, plane: MprPlane, axis: int) -> np.ndarray:
        """A slab whose normal runs along voxel axis ``axis`` (0 = i, 1 = j, 2 = k) with layers
        perpendicular to it: project the N whole voxel layers nearest to the slab's centre with
        numpy (the same voxels the slab covers, no interpolation across layers), then reslice
        that one projected layer in-plane with the plane's own axes."""
        geometry = self.source.geometry
        volume = self.source.volume
        depth = float(geometry.patient_to_index(plane.origin)[axis])
        n = plane.slab_samples
        low = int(math.floor(depth - (n - 1) / 2.0 + 0.5))  # half-way: the deeper set of layers
        size = volume.shape[2 - axis]
        first, last = max(0, low), min(size, low + n)
        numpy_axis = 2 - axis  # the array is [k, j, i]
        if first >= last:
            layers = np.full([d for a, d in enumerate(volume.shape) if a != numpy_axis], self.source.background, dtype=volume.dtype)
        else:
            index: list[slice] = [slice(None)] * 3
            index[numpy_axis] = slice(first, last)
            block = volume[tuple(index)]
            if plane.projection is Projection.MINIP:
                layers = block.min(axis=numpy_axis)
            elif plane.projection is Projection.AVERAGE:
                layers = block.mean(axis=numpy_axis, dtype=np.float32)
            else:
                layers = block.max(axis=numpy_axis)
        shape = list(volume.shape)
        shape[numpy_axis] = 1
        flat = np.ascontiguousarray(layers).reshape(shape)
        origin = [0.0, 0.0, 0.0]
        origin[axis] = depth  # the projected layer lies in the plane
        image = wrap_volume(flat, origin=origin)
        self.configure(_thin(plane))
        self._flat.SetInputData(image)
        self._flat.SetResliceAxes(self._axes)
        self._flat.SetOutputSpacing(plane.pixel_spacing, plane.pixel_spacing, 1.0)
        self._flat.SetOutputOrigin(0.0, 0.0, 0.0)
        self._flat.SetOutputExtent(0, plane.columns - 1, 0, plane.rows - 1, 0, 0)
        self._flat.SetInterpolationMode(self.reslice.GetInterpolationMode())
        self._flat.SetOutputScalarType(VTK_FLOAT if flat.dtype == np.float32 else -1)
        self._flat.Update()
        out = self._flat.GetOutput()
        array = vtk_to_numpy(out.GetPointData().GetScalars()).reshape(plane.rows, plane.columns)
        self._flat.SetInputData(None)
        return np.array(array)


def _thin(plane: MprPlane) -> MprPlane:
    """The plane itself without its slab: one sample, no projection."""
    return MprPlane(**{**plane.__dict__, "slab_samples": 1, "projection": Projection.NONE})


def _upright_markers(column_letters: str, row_letters: str) -> Markers:
    """Orientation markers (PS3.3 C.7.6.1.1.1) of a picture drawn as it is (no rotation or
    flip): columns grow to the right towards ``column_letters``, rows downwards towards
    ``row_letters``."""
    return Markers(left=opposite_letters(column_letters), right=column_letters,
                   top=opposite_letters(row_letters), bottom=row_letters)


def _is_permutation(axes: np.ndarray, tolerance: float = 1e-9) -> bool:
    """True when each of the first three columns of the 4x4 reslice axes has one non-zero
    entry (vtkImageReslice then takes its permutation fast path)."""
    block = np.abs(np.asarray(axes)[:3, :3]) > tolerance
    return bool(np.all(block.sum(axis=0) == 1))


def aligned_axis(geometry: VolumeGeometry, plane: MprPlane, tolerance: float = 1e-6) -> int | None:
    """The voxel axis (0 = i, 1 = j, 2 = k) along the plane's normal when the voxel layers
    across it are parallel to the plane (the other two affine columns perpendicular to the
    normal: not so for a sheared, gantry-tilted grid), else None."""
    n = plane.normal
    columns = geometry.affine[:3, :3]
    units = columns / np.linalg.norm(columns, axis=0)
    along = np.abs(units.T @ n)
    axis = int(np.argmax(along))
    if along[axis] < 1.0 - tolerance:
        return None
    others = [b for b in range(3) if b != axis]
    if max(float(along[b]) for b in others) > tolerance:
        return None
    return axis


def reslice_plane(source: VolumeImage, plane: MprPlane) -> np.ndarray:
    """One plane's values, a copy (for tests and one-off use)."""
    return np.array(PlaneReslicer(source).values(plane))


def stored_for_display(values: np.ndarray, dtype: np.dtype[Any]) -> np.ndarray:
    """An average slab's float values rounded back to the stored integer type (for the table)."""
    if values.dtype == dtype:
        return values
    info = np.iinfo(dtype)
    return np.clip(np.rint(values), info.min, info.max).astype(dtype)


#: Zoom limits of a pane, relative to the fitted field (1 = the whole field fits the pane).
MIN_ZOOM, MAX_ZOOM = 0.25, 32.0
#: In-plane coarsening of oblique slabs while the user drags (4 times fewer samples).
INTERACTIVE_COARSENING = 2
#: Colour of a curved-MPR path drawn on its plane.
PATH_RGB = (1.0, 0.85, 0.25)


def _pane_text_actor(size: int, rgb: tuple[float, float, float], horizontal: str, vertical: str) -> vtkTextActor:
    """A text actor anchored in its renderer's normalised viewport coordinates (0..1 across the
    pane, y up), so it stays inside its own pane wherever that pane sits in the window."""
    actor = text_actor(size, rgb, horizontal, vertical)
    actor.GetPositionCoordinate().SetCoordinateSystemToNormalizedViewport()
    return actor


class PaneText(TextOverlay):
    """Corner text, orientation markers (PS3.3 C.7.6.1.1.1), the scale bar's label and a
    message of ONE pane, each text actor placed in that renderer's normalised viewport
    coordinates (the render window may hold several panes; display coordinates would count
    from the window's corner and put the text of an upper or right pane outside it)."""

    def __init__(self, renderer: vtkRenderer, font_size: int = 13) -> None:
        super().__init__(renderer, font_size, make_actor=_pane_text_actor, scale_rgb=TEXT_RGB, message_size=font_size + 3)
        self.message.VisibilityOff()
        for actor in self.actors():
            renderer.AddViewProp(actor)
        self._size = (0, 0)

    def actors(self) -> list[vtkTextActor]:
        return [*self.corners.values(), *self.markers.values(), self.scale_label, self.message]

    def place(self, size: tuple[int, int]) -> None:
        """Anchor the actors for a pane of (width, height) pixels: a margin of ``MARGIN``
        pixels from the pane's edges, as fractions of the pane."""
        w, h = max(1, int(size[0])), max(1, int(size[1]))
        if (w, h) == self._size:
            return
        self._size = (w, h)
        mx, my = MARGIN / w, MARGIN / h
        positions = {
            "top_left": (mx, 1.0 - my), "top_right": (1.0 - mx, 1.0 - my),
            "bottom_left": (mx, my), "bottom_right": (1.0 - mx, my),
        }
        for name, (x, y) in positions.items():
            self.corners[name].GetPositionCoordinate().SetValue(x, y)
        for name, (x, y) in {"left": (mx, 0.5), "right": (1.0 - mx, 0.5), "top": (0.5, 1.0 - my), "bottom": (0.5, my)}.items():
            self.markers[name].GetPositionCoordinate().SetValue(x, y)
        # Above the scale bar that OverlayActors draws at MARGIN + 2 * font + 8 pixels.
        self.scale_label.GetPositionCoordinate().SetValue(0.5, min(0.5, (MARGIN + 2 * self.font_size + 14) / h))
        self.message.GetPositionCoordinate().SetValue(0.5, 0.5)

    def set_scale_label(self, text: str) -> None:
        self._set_text(self.scale_label, text)


class PathLine(PaneLines):
    """A polyline with a dot at each vertex (``dots``), in the pane's own pixels (y up)."""

    def __init__(self, renderer: vtkRenderer, rgb: tuple[float, float, float] = PATH_RGB, *, dots: bool = True) -> None:
        super().__init__(renderer, rgb, point_size=6.0, dots=dots, visible=False)
        self.points: list[tuple[float, float]] = []

    def set(self, points: Sequence[tuple[float, float]]) -> None:
        """Vertices in the pane's pixels with y up (VTK viewport coordinates)."""
        self.points = [(float(x), float(y)) for x, y in points]
        self.set_polylines([self.points] if self.points else [])


def _fitted_half_height(width_mm: float, height_mm: float, size: tuple[int, int]) -> float:
    """The parallel scale that shows a field of ``width_mm`` x ``height_mm`` whole in a pane of
    ``size`` (width, height) pixels, with a 1 % margin on each side."""
    w, h = size
    return max(height_mm, width_mm * h / w) / 2.0 * 1.02


class _DisplayPane:
    """One renderer showing an 8-bit display buffer as it is: a ``vtkImageActor`` with no
    lookup table and the identity colour window, nearest neighbour (the grey levels are the
    display table's, PS3.4 Annex N), seen by a parallel camera that looks along +z with screen
    y down, so the picture reads row 0 at the top."""

    def __init__(self, renderer: vtkRenderer) -> None:
        self.renderer = renderer
        renderer.SetBackground(0.0, 0.0, 0.0)
        renderer.GetActiveCamera().ParallelProjectionOn()
        self.actor = vtkImageActor()
        self.actor.InterpolateOff()
        prop = self.actor.GetProperty()
        prop.SetColorLevel(127.5)
        prop.SetColorWindow(255.0)
        prop.SetLookupTable(None)
        prop.UseLookupTableScalarRangeOff()
        renderer.AddViewProp(self.actor)
        self._buffer: np.ndarray | None = None
        self._image: vtkImageData | None = None
        #: What the buffer was last filled from (forgotten when a new buffer is made).
        self._filled: tuple[Any, ...] | None = None

    def viewport_size(self) -> tuple[int, int]:
        w, h = self.renderer.GetSize()
        return max(1, int(w)), max(1, int(h))

    def _buffer_for(self, rows: int, columns: int, spacing: tuple[float, float, float] = (1.0, 1.0, 1.0),
                    components: int = 1) -> np.ndarray:
        """The pane's display buffer of (rows, columns[, components]), reused while that shape stays."""
        shape = (rows, columns) if components == 1 else (rows, columns, components)
        if self._buffer is None or self._buffer.shape != shape:
            self._buffer, self._image = display_buffer(shape, spacing=spacing)
            self.actor.SetInputData(self._image)
            self._filled = None
        return self._buffer

    def _look_at(self, x: float, y: float, half_height: float) -> None:
        """Centre the pane on world point (x, y) showing ``half_height`` world units above and
        below it; y grows downwards on screen."""
        camera = self.renderer.GetActiveCamera()
        camera.SetFocalPoint(x, y, 0.0)
        camera.SetPosition(x, y, -1000.0)  # looking along +z (the normal), screen y down
        camera.SetViewUp(0.0, -1.0, 0.0)
        camera.SetParallelScale(half_height)
        camera.SetClippingRange(1.0, 2000.0)


class PlaneView(_DisplayPane):
    """One MPR plane drawn in one ``vtkRenderer``: image actor, crosshair lines and overlays.

    World coordinates of the renderer are mm in the plane relative to the volume centre
    (x along the row direction, y along the column direction); the camera looks along the
    normal with screen y down, so the picture reads as :mod:`workstation.model.mpr` says.
    The fitted view (``base_focus``, ``base_half_height``) shows the orthogonal plane's field
    whole; ``zoom`` (magnification over it) and ``pan_mm`` (focus shift in plane mm) are the
    user's, kept when the pane is resized.
    """

    def __init__(self, name: str, reslicer: PlaneReslicer, renderer: vtkRenderer) -> None:
        super().__init__(renderer)
        self.name = name
        self.reslicer = reslicer
        # Lines (crosshair, scale bar) come from OverlayActors: its 2D line mappers draw in the
        # renderer's own pixels. Its text actors use window-wide display positions, so this
        # pane's text is drawn by PaneText instead and OverlayActors' text stays off-screen.
        self.overlays = OverlayActors(renderer)
        for actor in (*self.overlays.corners.values(), *self.overlays.markers.values(), self.overlays.scale_label, self.overlays.message):
            renderer.RemoveViewProp(actor)
        self.text = PaneText(renderer)
        self.path = PathLine(renderer)
        self.plane: MprPlane | None = None
        self.base_half_height = 100.0  # parallel scale of the fitted view; set by MprViewer.fit
        self.base_focus = np.zeros(2)
        self.zoom = 1.0
        self.pan_mm = np.zeros(2)

    @property
    def half_height_mm(self) -> float:
        """Half the pane's height in plane mm (the camera's parallel scale)."""
        return self.base_half_height / self.zoom

    @property
    def focus(self) -> np.ndarray:
        """Plane mm (relative to the volume centre) at the pane's centre."""
        return self.base_focus + self.pan_mm

    def update(self, plane: MprPlane, lut: pixels.DisplayLUT, reference: np.ndarray,
               decorate: Callable[[ImagePlane, np.ndarray], None] | None = None, decorate_key: Any = None) -> None:
        """Reslice (if the plane changed) and refill the display buffer (if anything changed).
        ``decorate(plane, rgb)`` draws segments or a fused series over the picture in colour."""
        self.plane = plane
        values = self.reslicer.values(plane)
        colour = decorate is not None and lut.table.ndim == 1
        key = (plane.key(), id(lut), decorate_key if colour else None)
        buffer = self._buffer_for(plane.rows, plane.columns, components=3 if colour or lut.table.ndim == 2 else 1)
        if key != self._filled:
            stored = stored_for_display(values, self.reslicer.source.volume.dtype)
            if colour and decorate is not None:
                grey = np.empty((plane.rows, plane.columns), dtype=np.uint8)
                fill_display(grey, stored, lut)
                buffer[...] = grey[..., None]
                decorate(plane.image_plane(), buffer)
            else:
                fill_display(buffer, stored, lut)
            assert self._image is not None
            s = plane.pixel_spacing
            a0 = float((plane.origin - reference) @ plane.row_direction)
            b0 = float((plane.origin - reference) @ plane.column_direction)
            self._image.SetSpacing(s, s, 1.0)
            self._image.SetOrigin(a0, b0, 0.0)
            pixels_modified(self._image)
            self._filled = key

    def pixels_per_mm(self) -> float:
        return self.viewport_size()[1] / (2.0 * self.half_height_mm)

    def world_to_screen(self, a: float, b: float) -> tuple[float, float]:
        """Plane mm (relative to the volume centre) -> screen pixels (y down) of this view."""
        w, h = self.viewport_size()
        k = self.pixels_per_mm()
        return (w / 2.0 + (a - self.focus[0]) * k, h / 2.0 + (b - self.focus[1]) * k)

    def pixel_to_screen(self, column: float, row: float, reference: np.ndarray) -> tuple[float, float]:
        plane = self.plane
        assert plane is not None
        p = plane.pixel_to_patient(column, row) - reference
        return self.world_to_screen(float(p @ plane.row_direction), float(p @ plane.column_direction))

    def screen_to_pixel(self, x: float, y: float, reference: np.ndarray) -> tuple[float, float]:
        """Screen point (y down) -> continuous pixel (column, row) of the plane."""
        plane = self.plane
        assert plane is not None
        w, h = self.viewport_size()
        k = self.pixels_per_mm()
        a, b = (x - w / 2.0) / k + self.focus[0], (y - h / 2.0) / k + self.focus[1]
        a0 = float((plane.origin - reference) @ plane.row_direction)
        b0 = float((plane.origin - reference) @ plane.column_direction)
        return ((a - a0) / plane.pixel_spacing, (b - b0) / plane.pixel_spacing)

    def place_camera(self) -> None:
        self._look_at(float(self.focus[0]), float(self.focus[1]), self.half_height_mm)

    def set_overlays(self, state: MprState, reference: np.ndarray, corner: CornerText | None) -> None:
        plane = self.plane
        if plane is None:
            return
        size = self.viewport_size()
        self.overlays.resize(size)
        self.text.place(size)
        self.text.set_visible(True)
        if not self.overlays.visible:
            self.overlays.set_visible(True)
        u, v = plane.axis_letters
        self.text.set_markers(_upright_markers(u, v))
        scale = self.pixels_per_mm() * plane.pixel_spacing  # screen pixels per image column
        bar = scale_bar((plane.pixel_spacing, plane.pixel_spacing), "PixelSpacing", scale, size[0])
        self.overlays.set_scale_bar(bar)
        self.text.set_scale_label(bar.text if bar is not None else "")
        self.text.set_corner_text(corner)
        segments = []
        for (a, b) in state.crosshair_lines(self.name).values():
            segments.append((self.pixel_to_screen(*a, reference), self.pixel_to_screen(*b, reference)))
        self.overlays.set_reference_lines(segments)

    def hide_overlays(self) -> None:
        self.text.set_visible(False)
        self.overlays.set_visible(False)
        self.overlays.set_reference_lines([])

    def patient_to_screen(self, point: np.ndarray, reference: np.ndarray) -> tuple[float, float]:
        """Pane pixel (y down) where LPS ``point`` projects on this plane."""
        assert self.plane is not None
        column, row, _ = self.plane.patient_to_pixel(point)
        return self.pixel_to_screen(column, row, reference)

    def set_path(self, points: Sequence[np.ndarray], reference: np.ndarray) -> None:
        """Draw a curved-MPR path (LPS points) projected on this plane."""
        h = self.viewport_size()[1]
        screen = [self.patient_to_screen(p, reference) for p in points] if self.plane is not None else []
        self.path.set([(x, h - y) for x, y in screen])


class CurvedView(_DisplayPane):
    """A stretched curved reformat (:func:`workstation.model.resample.curved_reformat`) drawn
    in its own renderer: row r of the picture lies ``r * spacing`` mm along the path from its
    first point (top) to its last, column c ``(c - centre) * spacing`` mm across it, within the
    plane the path was drawn on. With fewer than two points the pane says what to do."""

    NEED_POINTS = "Curved MPR: click at least two points along the structure in the {plane} pane (Enter or Esc finishes)."

    def __init__(self, renderer: vtkRenderer, plane: str = "axial") -> None:
        super().__init__(renderer)
        #: The pane the path is drawn on (named in the message).
        self.plane = plane
        self.actor.VisibilityOff()
        self.text = PaneText(renderer)
        self.result: CurvedReformat | None = None
        self._key: tuple[Any, ...] | None = None

    def update(self, source: VolumeImage, path: Sequence[np.ndarray], lut: pixels.DisplayLUT, *,
               view_normal: np.ndarray, width_mm: float, spacing: float) -> None:
        """Reformat along ``path`` (LPS points) when it changed, then refill the picture."""
        size = self.viewport_size()
        self.text.place(size)
        key = (tuple(tuple(np.round(p, 6)) for p in path), tuple(np.round(view_normal, 9)), width_mm, spacing)
        if len(path) < 2:
            self.result, self._key = None, key
            self.actor.VisibilityOff()
            self.text.set_corner_text(None)
            need = self.NEED_POINTS.format(plane=self.plane)
            self.text.set_message(need if size[0] >= 700 else need.replace(": ", ":\n", 1).replace(" in the ", "\nin the ", 1))
            return
        if key != self._key or self.result is None:
            self.result = curved_reformat(source.volume, source.geometry, list(path), width_mm, spacing,
                                          view_normal=view_normal, fill=source.background)
            self._key = key
            self._filled = None
        result = self.result
        rows, columns = result.image.shape
        buffer = self._buffer_for(rows, columns, (spacing, spacing, 1.0))
        if self._filled != (key, id(lut)):
            fill_display(buffer, stored_for_display(result.image, source.volume.dtype), lut)
            assert self._image is not None
            self._image.SetSpacing(spacing, spacing, 1.0)
            pixels_modified(self._image)
            self._filled = (key, id(lut))
        self.actor.VisibilityOn()
        self.text.set_message("")
        length = (rows - 1) * spacing
        self.text.set_corner_text(CornerText(top_left=("Curved (stretched)", f"path {length:.0f} mm, width {(columns - 1) * spacing:.0f} mm")))
        # Fit the whole strip, row 0 at the top (camera y down as in PlaneView).
        cx, cy = (columns - 1) * spacing / 2.0, (rows - 1) * spacing / 2.0
        self._look_at(cx, cy, _fitted_half_height(columns * spacing, rows * spacing, size))


class SourceView(_DisplayPane):
    """The acquired slice nearest to the crosshair, as acquired (its own rows and columns, not
    resliced), with the reference lines where the MPR planes cut it (PS3.3 C.7.6.2.1.1; the
    segments from :func:`workstation.model.spatial.reference_line`), each in its plane's
    colour. A plane parallel to the slice (the axial plane of an axial CT) draws no line."""

    def __init__(self, renderer: vtkRenderer) -> None:
        super().__init__(renderer)
        self.text = PaneText(renderer)
        self.lines = {name: PathLine(renderer, PLANE_RGB[name], dots=False) for name in PLANE_NAMES}
        self.slice_index: int | None = None
        self.plane: ImagePlane | None = None
        #: The segments drawn, in the slice's pixel coordinates (column, row), by plane name.
        self.segments: dict[str, tuple[tuple[float, float], tuple[float, float]]] = {}
        self._half_height = 100.0
        self._focus = (0.0, 0.0)

    def pixel_to_screen(self, column: float, row: float) -> tuple[float, float]:
        """Slice pixel (column, row) -> pane pixel (y down)."""
        assert self.plane is not None
        row_spacing, column_spacing = self.plane.pixel_spacing
        w, h = self.viewport_size()
        k = h / (2.0 * self._half_height)
        return (w / 2.0 + (column * column_spacing - self._focus[0]) * k, h / 2.0 + (row * row_spacing - self._focus[1]) * k)

    def update(self, source: VolumeImage, state: MprState, lut: pixels.DisplayLUT, *,
               frame_of_reference: str, label: str = "") -> None:
        """Show the slice nearest to ``state``'s crosshair and where its planes cut it."""
        geometry = source.geometry
        k = nearest_source_slice(geometry, state.center)
        plane = source_slice_plane(geometry, k)
        self.slice_index, self.plane = k, plane
        rows, columns = plane.rows, plane.columns
        row_spacing, column_spacing = plane.pixel_spacing
        buffer = self._buffer_for(rows, columns)
        if self._filled != (k, id(lut)):
            fill_display(buffer, source.volume[k], lut)
            assert self._image is not None
            self._image.SetSpacing(column_spacing, row_spacing, 1.0)
            pixels_modified(self._image)
            self._filled = (k, id(lut))
        w, h = self.viewport_size()
        self._half_height = _fitted_half_height(columns * column_spacing, rows * row_spacing, (w, h))
        self._focus = ((columns - 1) * column_spacing / 2.0, (rows - 1) * row_spacing / 2.0)
        self._look_at(self._focus[0], self._focus[1], self._half_height)
        self.segments = {}
        for name in PLANE_NAMES:
            line = reference_line(state.plane(name).image_plane(), plane,
                                  source_frame_of_reference=frame_of_reference, target_frame_of_reference=frame_of_reference)
            if line is None:
                self.lines[name].set([])
                continue
            self.segments[name] = (line.start, line.end)
            ends = [self.pixel_to_screen(*line.start), self.pixel_to_screen(*line.end)]
            self.lines[name].set([(x, h - y) for x, y in ends])
        self.text.place((w, h))
        x_letters, y_letters = orientation_letters(plane.orientation[:3])[:2], orientation_letters(plane.orientation[3:])[:2]
        self.text.set_markers(_upright_markers(x_letters, y_letters))
        location = float(plane.position @ geometry.normal)
        lines = (f"Source image {k + 1}/{geometry.shape[0]}" + (f" ({label})" if label else ""), f"Location {location:.1f} mm")
        legend = tuple(f"{name.capitalize()} plane" for name in PLANE_NAMES if name in self.segments)
        self.text.set_corner_text(CornerText(top_left=lines, bottom_left=legend))


class MprViewer:
    """Planes of an :class:`MprState` side by side in one render window (offscreen or given).

    ``names``: the planes shown, left to right (default all three). ``header``: a header of the
    series for the display table (Modality LUT, VOI, photometric interpretation).
    """

    def __init__(
        self,
        volume: np.ndarray,
        geometry: VolumeGeometry,
        header: Dataset,
        *,
        state: MprState | None = None,
        names: Sequence[str] = PLANE_NAMES,
        render_window: vtkRenderWindow | None = None,
        size: tuple[int, int] = (1536, 512),
        offscreen: bool = True,
    ) -> None:
        self.source = VolumeImage(volume, geometry)
        self.state = state or MprState(geometry)
        self.header = header
        self.names = tuple(names)
        render_window = view_window(render_window, offscreen=offscreen, size=size)
        self.render_window = render_window
        self.views: dict[str, PlaneView] = {}
        count = len(self.names)
        for n, name in enumerate(self.names):
            renderer = vtkRenderer()
            renderer.SetViewport(n / count, 0.0, (n + 1) / count, 1.0)
            render_window.AddRenderer(renderer)
            self.views[name] = PlaneView(name, PlaneReslicer(self.source), renderer)
        self.reference = geometry.center
        self._window: tuple[float, float] | None = None
        self._lut: pixels.DisplayLUT | None = None
        self._invert = False
        #: (factor, unit): windows shown in another unit than the modality's (PET: SUV, model.suv).
        self.display_unit: tuple[float, str] | None = None
        # Segments (model.segmentation volume sources) and a fused series drawn over the planes.
        self._segment_sources: list[tuple[Any, Any]] = []
        self._hidden_segments: set[int] = set()
        self._fusion: tuple[Any, tuple[float, float], str, float] | None = None
        self._overlay_version = 0
        self.segment_opacity = 0.4
        self.overlays_visible = True
        self._grabber: FrameReader | None = None
        self._drawn: tuple[Any, ...] | None = None  # what the last render showed
        self._picture: np.ndarray | None = None
        self.curved: CurvedView | None = None
        self.curved_plane = "axial"
        self.curved_path: list[np.ndarray] = []
        self.curved_width_mm = 60.0
        #: True while the user drags: oblique slabs (the expensive planes) are drawn on a grid
        #: :data:`INTERACTIVE_COARSENING` times coarser in-plane; False draws the full grid.
        self.interactive = False
        #: The acquired slice with the planes' reference lines, when a pane shows it.
        self.source_view: SourceView | None = None
        #: A word on the source slices (such as "resampled grid") for the source pane.
        self.source_label = ""
        self.fit()

    # -- fitting, zoom and pan -------------------------------------------------------------------
    def fit(self, *, keep_zoom: bool = False) -> None:
        """Each view shows its orthogonal plane's field whole (kept while rotating); the zoom
        and pan are reset unless ``keep_zoom`` (a resized pane keeps them)."""
        probe = MprState(self.state.geometry, pixel_spacing=self.state.pixel_spacing)
        for name, view in self.views.items():
            origin, columns, rows = probe.field(name)
            f = probe.frame(name)
            s = probe.pixel_spacing
            a0 = float((origin - self.reference) @ f[:, 0])
            b0 = float((origin - self.reference) @ f[:, 1])
            view.base_focus = np.array([a0 + (columns - 1) * s / 2.0, b0 + (rows - 1) * s / 2.0])
            view.base_half_height = _fitted_half_height(columns * s, rows * s, view.viewport_size())
            if not keep_zoom:
                view.zoom = 1.0
                view.pan_mm = np.zeros(2)

    _fit = fit  # the name used before fit() was public

    def zoom(self, name: str, factor: float, x: float | None = None, y: float | None = None) -> None:
        """Magnify pane ``name`` by ``factor`` about its screen point (x, y) (y down, the
        pane's pixels; default its centre): the plane point under it stays under it."""
        view = self.views[name]
        w, h = view.viewport_size()
        x = w / 2.0 if x is None else float(x)
        y = h / 2.0 if y is None else float(y)
        new_zoom = min(MAX_ZOOM, max(MIN_ZOOM, view.zoom * float(factor)))
        k_before = view.pixels_per_mm()
        anchor = view.focus + np.array([x - w / 2.0, y - h / 2.0]) / k_before
        view.zoom = new_zoom
        k_after = view.pixels_per_mm()
        view.pan_mm = anchor - np.array([x - w / 2.0, y - h / 2.0]) / k_after - view.base_focus

    def pan(self, name: str, dx: float, dy: float) -> None:
        """Move pane ``name``'s picture by (dx, dy) screen pixels (y down) with the mouse."""
        view = self.views[name]
        view.pan_mm = view.pan_mm - np.array([dx, dy], dtype=np.float64) / view.pixels_per_mm()

    # -- display table ---------------------------------------------------------------------------
    def set_window(self, center: float, width: float) -> None:
        """Window centre/width in modality units (HU for CT), PS3.3 C.11.2.1.2."""
        if not (width >= 1 and math.isfinite(center)):
            raise GeometryError(f"A window needs a width of at least 1, not {width!r}.")
        self._window = (float(center), float(width))
        self._lut = None

    def reset_window(self) -> None:
        """Back to the image's own window (Window Center/Width, PS3.3 C.11.2), else an
        automatic one from the volume's values."""
        self._window = None
        self._lut = None

    @property
    def window(self) -> tuple[float, float] | None:
        """The window set with :meth:`set_window`, or None for the image's own."""
        return self._window

    # -- segments and fusion over the planes -------------------------------------------------------
    def set_segmentations(self, overlays: Sequence[Any]) -> None:
        """Segmentations (:class:`~workstation.model.segmentation.Segmentation`) drawn over every
        plane where they cross it, sampled in 3D (nearest voxel); other overlays are skipped."""
        self._segment_sources = [pair for overlay in overlays if hasattr(overlay, "volume_sources")
                                 for pair in overlay.volume_sources()]
        self._overlay_version += 1

    def set_fusion(self, source: Any | None, window: tuple[float, float] = (0.0, 5.0), colormap: str = "hot_iron",
                   opacity: float = 0.5) -> None:
        """A functional series (:class:`~workstation.model.fusion.FusionSource`) blended over
        every plane, coloured over ``window`` with ``opacity``; None removes it."""
        self._fusion = None if source is None else (source, (float(window[0]), float(window[1])), colormap, float(opacity))
        self._overlay_version += 1

    def _decorate(self, plane: ImagePlane, rgb: np.ndarray) -> None:
        from workstation.model.fusion import fused_rgb
        from workstation.model.segmentation import blend_segments

        if self._fusion is not None:
            source, window, colormap, opacity = self._fusion
            fused_rgb(rgb, source.sample_on(plane), window, colormap, opacity)
        masks = []
        for segment, source in self._segment_sources:
            share = np.nan_to_num(source.sample_on(plane), nan=0.0)
            if share.any():
                masks.append((segment, share))
        blend_segments(rgb, masks, self.segment_opacity)

    @property
    def invert(self) -> bool:
        """Grey scale inverted (black uptake on white, as a PET MIP is read)."""
        return self._invert

    @invert.setter
    def invert(self, value: bool) -> None:
        if bool(value) != self._invert:
            self._invert = bool(value)
            self._lut = None

    def display_table(self) -> pixels.DisplayLUT:
        if self._lut is None:
            dtype = self.source.volume.dtype
            voi = pixels.WindowPreset(*self._window, "", pixels.LINEAR) if self._window is not None else None
            if voi is None:
                own = pixels.window_presets(self.header)
                if own:
                    voi = own[0]
            if voi is None:
                modality = pixels.modality_transform(self.header)
                voi = pixels.auto_window(modality.values(pixels._sample(self.source.volume)))
            self._lut = pixels.display_lut(self.header, voi, self._invert, stored_dtype=dtype, stored_range=(int(self.source.volume.min()), int(self.source.volume.max())) if dtype.itemsize > 2 else None)
        return self._lut

    # -- curved MPR ------------------------------------------------------------------------------
    def show_curved(self, renderer: vtkRenderer | None, *, plane: str = "axial") -> None:
        """Draw the curved reformat of :attr:`curved_path` (drawn on ``plane``) in ``renderer``
        (None: no curved pane)."""
        if renderer is None:
            if self.curved is not None:
                self.curved.renderer.RemoveAllViewProps()
            self.curved = None
            return
        if plane not in self.views:
            raise GeometryError(f"A curved path is drawn on a shown plane, not on {plane!r}.")
        if self.curved is None or self.curved.renderer is not renderer:
            self.curved = CurvedView(renderer, plane)
        self.curved.plane = plane
        self.curved_plane = plane

    def set_curved_path(self, points: Sequence[np.ndarray]) -> None:
        """The curved-MPR path: LPS points in click order (drawn on :attr:`curved_plane`)."""
        self.curved_path = [np.asarray(p, dtype=np.float64).reshape(3).copy() for p in points]

    def add_curved_point(self, point: np.ndarray) -> None:
        self.set_curved_path([*self.curved_path, point])

    # -- source slice ----------------------------------------------------------------------------
    @property
    def frame_of_reference(self) -> str:
        """The volume's Frame of Reference UID (PS3.3 C.7.4.1); the MPR planes share it by
        construction, so a volume without one still relates its planes to its slices."""
        return str(self.header.get("FrameOfReferenceUID", "") or "").strip() or "mpr-volume"

    def show_source(self, renderer: vtkRenderer | None) -> None:
        """Draw the acquired slice nearest to the crosshair with the planes' reference lines in
        ``renderer`` (None: no source pane)."""
        if renderer is None:
            if self.source_view is not None:
                self.source_view.renderer.RemoveAllViewProps()
            self.source_view = None
            return
        if self.source_view is None or self.source_view.renderer is not renderer:
            self.source_view = SourceView(renderer)

    def planes(self) -> dict[str, ImagePlane]:
        """The three MPR planes now, as :class:`ImagePlane` (for reference lines elsewhere)."""
        return {name: self.state.plane(name).image_plane() for name in PLANE_NAMES}

    # -- drawing ---------------------------------------------------------------------------------
    def update(self) -> None:
        """Bring every plane up to date with the state (only changed planes are resliced)."""
        lut = self.display_table()
        decorate = self._decorate if (self._segment_sources or self._fusion is not None) else None
        for name, view in self.views.items():
            view.update(self.shown_plane(name), lut, self.reference, decorate, self._overlay_version)
            view.place_camera()
            if self.overlays_visible:
                view.set_overlays(self.state, self.reference, self._corner(name))
            else:
                view.hide_overlays()
            view.set_path(self.curved_path if self.curved is not None and name == self.curved_plane else [], self.reference)
        if self.curved is not None:
            plane = self.views[self.curved_plane].plane
            assert plane is not None
            self.curved.update(self.source, self.curved_path, lut, view_normal=plane.normal,
                               width_mm=self.curved_width_mm, spacing=plane.pixel_spacing)
        if self.source_view is not None:
            self.source_view.update(self.source, self.state, lut, frame_of_reference=self.frame_of_reference, label=self.source_label)

    def shown_plane(self, name: str) -> MprPlane:
        """The plane drawn in pane ``name`` now: the state's plane, or its coarser grid while
        :attr:`interactive` when it is an oblique slab (see :meth:`PlaneReslicer._vtk_slab`)."""
        plane = self.state.plane(name)
        if self.interactive and plane.slab_samples > 1 and aligned_axis(self.state.geometry, plane) is None:
            return plane.coarser(INTERACTIVE_COARSENING)
        return plane

    def _corner(self, name: str) -> CornerText:
        plane = self.views[name].plane
        assert plane is not None
        lines = [name.capitalize() + (" (oblique)" if self.state.is_oblique else "")]
        if plane.projection is not Projection.NONE:
            preview = " (preview)" if plane.pixel_spacing > self.state.pixel_spacing * 1.0001 else ""
            lines.append(f"{plane.projection.name} slab {plane.slab_samples * plane.slab_step:.1f} mm{preview}")
        lines.append(f"{plane.dimensions_mm[0]:.0f} x {plane.dimensions_mm[1]:.0f} mm")
        zoom = self.views[name].zoom
        if abs(zoom - 1.0) > 1e-6:
            lines.append(f"Zoom {zoom:.2f}x")
        lut = self._lut
        bottom: tuple[str, ...] = ()
        if lut is not None and isinstance(lut.voi, pixels.WindowPreset):
            if self.display_unit is not None:
                factor, unit = self.display_unit
                bottom = (f"W {lut.voi.width * factor:.3g} L {lut.voi.center * factor:.3g} {unit}",)
            else:
                bottom = (f"W {lut.voi.width:g} L {lut.voi.center:g}",)
        return CornerText(top_left=tuple(lines), bottom_right=bottom)

    def scene_key(self) -> tuple[Any, ...]:
        """Everything the picture depends on; an unchanged key needs no new render."""
        views = tuple(
            (name, self.state.plane(name).key(), tuple(np.round(v.focus, 9)), round(v.half_height_mm, 9), tuple(v.renderer.GetViewport()))
            for name, v in self.views.items()
        )
        curved = (tuple(tuple(p) for p in self.curved_path), self.curved_width_mm, id(self.curved)) if self.curved is not None else None
        return (views, tuple(np.round(self.state.center, 9)), self._window, self._invert, self._overlay_version, self.overlays_visible,
                tuple(self.render_window.GetSize()), curved, self.interactive, id(self.source_view))

    def render(self) -> None:
        self.update()
        self.render_window.Render()
        self._drawn = self.scene_key()

    def capture(self) -> np.ndarray:
        """The window's picture, (height, width, 3) uint8, row 0 at the top. Drawn again only
        when something it shows changed since the last render."""
        key = self.scene_key()
        if key == self._drawn and self._picture is not None:
            return self._picture.copy()
        if key != self._drawn:
            self.render()
        if self._grabber is None:  # rendered just above when needed
            self._grabber = FrameReader(self.render_window, rerender=False)
        self._picture = self._grabber.read()
        return self._picture.copy()

    def pick(self, name: str, x: float, y: float) -> np.ndarray:
        """LPS point under screen point (x, y) (y down, in the view's own pixels) of plane ``name``."""
        view = self.views[name]
        column, row = view.screen_to_pixel(x, y, self.reference)
        assert view.plane is not None
        return view.plane.pixel_to_patient(column, row)

    def screen_of(self, name: str, point: np.ndarray) -> tuple[float, float]:
        """Pane pixel (y down) of plane ``name`` where LPS ``point`` projects."""
        view = self.views[name]
        if view.plane is None:
            view.plane = self.state.plane(name)
        return view.patient_to_screen(np.asarray(point, dtype=np.float64), self.reference)

    def close(self) -> None:
        self.render_window.Finalize()


def render_mpr_image(
    volume: np.ndarray,
    geometry: VolumeGeometry,
    header: Dataset,
    *,
    view: str,
    state: MprState | None = None,
    size: tuple[int, int] = (512, 512),
    window: tuple[float, float] | None = None,
    overlay: bool = True,
    invert: bool = False,
    segmentations: Sequence[Any] = (),
    display_unit: tuple[float, str] | None = None,
) -> np.ndarray:
    """One plane (``view`` = axial, coronal or sagittal of ``state``) offscreen, (h, w, 3) uint8;
    ``segmentations`` drawn where they cross it."""
    viewer = MprViewer(volume, geometry, header, state=state, names=(view,), size=size)
    try:
        viewer.invert = invert
        viewer.display_unit = display_unit
        if segmentations:
            viewer.set_segmentations(segmentations)
        if window is not None:
            viewer.set_window(*window)
        viewer.overlays_visible = overlay
        return viewer.capture()
    finally:
        viewer.close()


__all__ = [
    "CurvedView",
    "MprViewer",
    "PaneText",
    "PlaneReslicer",
    "PlaneView",
    "SourceView",
    "VolumeImage",
    "aligned_axis",
    "load_volume",
    "render_mpr_image",
    "reslice_axes",
    "reslice_plane",
    "stored_for_display",
]


def load_volume(headers: Sequence[Dataset], read_instance: Callable[[str], bytes]) -> tuple[np.ndarray, VolumeResult]:
    """Decode a single-frame series' instances into one volume ``[k, j, i]`` in the order of
    :func:`~workstation.model.geometry.build_volume_geometry` (sorted along the normal,
    PS3.3 C.7.6.2.1.1). ``read_instance(sop_uid)`` returns an instance's PS3.10 bytes."""
    from workstation.model.decode import decode_instance
    from workstation.model.geometry import build_volume_geometry

    result = build_volume_geometry(list(headers))
    if len(result.slices) < 2:
        raise GeometryError("The series has a single image position, so it cannot be reformatted; view it in 2D.")
    volume: np.ndarray | None = None
    decoded: tuple[str, np.ndarray] | None = None  # the last instance (all frames of an enhanced one)
    for k, (uid, frame) in enumerate(result.frames):
        if decoded is None or decoded[0] != uid:
            decoded = (uid, decode_instance(read_instance(uid)))
        pixels_k = decoded[1][frame - 1]
        if pixels_k.ndim != 2:
            raise GeometryError(f"Instance {uid} is not a grey-scale image; MPR needs grey-scale slices.")
        if volume is None:
            volume = np.empty((len(result.frames), *pixels_k.shape), dtype=pixels_k.dtype.newbyteorder("="))
        volume[k] = pixels_k
    assert volume is not None
    return volume, result
