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
projection of the whole voxel layers nearest to it, resliced in-plane; otherwise vtkImageReslice
samples the slab as a small 3D output that numpy projects.

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
from vtkmodules.util.numpy_support import numpy_to_vtk, vtk_to_numpy
from vtkmodules.vtkCommonCore import VTK_FLOAT
from vtkmodules.vtkCommonDataModel import vtkImageData
from vtkmodules.vtkCommonMath import vtkMatrix4x4
from vtkmodules.vtkImagingCore import vtkImageReslice
from vtkmodules.vtkRenderingCore import (
    vtkImageActor,
    vtkRenderer,
    vtkRenderWindow,
    vtkWindowToImageFilter,
)

from workstation.errors import GeometryError
from workstation.model import pixels
from workstation.model.geometry import VolumeGeometry, VolumeResult
from workstation.model.mpr import PLANE_NAMES, Interpolation, MprPlane, MprState, Projection
from workstation.model.overlay import CornerText, Markers, opposite_letters, scale_bar
from workstation.render.overlays import OverlayActors

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
        slices, rows, columns = volume.shape
        image = vtkImageData()
        image.SetDimensions(columns, rows, slices)
        image.SetSpacing(1.0, 1.0, 1.0)
        image.SetOrigin(0.0, 0.0, 0.0)
        scalars = numpy_to_vtk(volume.reshape(-1), deep=False)
        scalars.SetName("stored")
        image.GetPointData().SetScalars(scalars)
        self.image = image
        self._keep = volume  # numpy_to_vtk(deep=False) needs the array alive
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
        :meth:`values` projects. (vtkImageReslice's own slab mode is not used: with an even
        number of samples it centres them half a step off the plane, on one side or the other
        depending on the direction, and its permutation fast path shifts odd slabs along a
        negative axis by one voxel; VTK 9.7.)"""
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
        image = vtkImageData()
        image.SetDimensions(shape[2], shape[1], shape[0])
        origin = [0.0, 0.0, 0.0]
        origin[axis] = depth  # the projected layer lies in the plane
        image.SetOrigin(*origin)
        image.SetSpacing(1.0, 1.0, 1.0)
        image.GetPointData().SetScalars(numpy_to_vtk(flat.reshape(-1), deep=False))
        thin = MprPlane(**{**plane.__dict__, "slab_samples": 1, "projection": Projection.NONE})
        self.configure(thin)
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


class PlaneView:
    """One MPR plane drawn in one ``vtkRenderer``: image actor, crosshair lines and overlays.

    World coordinates of the renderer are mm in the plane relative to the volume centre
    (x along the row direction, y along the column direction); the camera looks along the
    normal with screen y down, so the picture reads as :mod:`workstation.model.mpr` says.
    """

    def __init__(self, name: str, reslicer: PlaneReslicer, renderer: vtkRenderer) -> None:
        self.name = name
        self.reslicer = reslicer
        self.renderer = renderer
        renderer.SetBackground(0.0, 0.0, 0.0)
        self.actor = vtkImageActor()
        self.actor.InterpolateOff()
        self.actor.GetProperty().SetColorLevel(127.5)
        self.actor.GetProperty().SetColorWindow(255.0)
        self.actor.GetProperty().SetLookupTable(None)
        self.actor.GetProperty().UseLookupTableScalarRangeOff()
        renderer.AddViewProp(self.actor)
        renderer.GetActiveCamera().ParallelProjectionOn()
        self.overlays = OverlayActors(renderer)
        self._buffer: np.ndarray | None = None
        self._image: vtkImageData | None = None
        self._filled: tuple[Any, ...] | None = None
        self.plane: MprPlane | None = None
        self.half_height_mm = 100.0  # parallel scale; set by MprViewer
        self.focus = np.zeros(2)

    def _buffer_for(self, rows: int, columns: int) -> np.ndarray:
        if self._buffer is None or self._buffer.shape != (rows, columns):
            self._buffer = np.zeros((rows, columns), dtype=np.uint8)
            image = vtkImageData()
            image.SetDimensions(columns, rows, 1)
            scalars = numpy_to_vtk(self._buffer.reshape(-1), deep=False)
            image.GetPointData().SetScalars(scalars)
            image._numpy_owner = self._buffer  # type: ignore[attr-defined]
            self._image = image
            self.actor.SetInputData(image)
        return self._buffer

    def update(self, plane: MprPlane, lut: pixels.DisplayLUT, reference: np.ndarray) -> None:
        """Reslice (if the plane changed) and refill the display buffer (if anything changed)."""
        self.plane = plane
        values = self.reslicer.values(plane)
        key = (plane.key(), id(lut))
        buffer = self._buffer_for(plane.rows, plane.columns)
        if key != self._filled:
            stored = stored_for_display(values, self.reslicer.source.volume.dtype)
            if lut.offset == 0 and stored.dtype.itemsize <= 2 and len(lut.table) == 1 << (8 * stored.dtype.itemsize):
                np.take(lut.table, stored.view(np.dtype(f"u{stored.dtype.itemsize}")), out=buffer)
            else:
                np.copyto(buffer, pixels.apply_lut(stored, lut))
            assert self._image is not None
            s = plane.pixel_spacing
            a0 = float((plane.origin - reference) @ plane.row_direction)
            b0 = float((plane.origin - reference) @ plane.column_direction)
            self._image.SetSpacing(s, s, 1.0)
            self._image.SetOrigin(a0, b0, 0.0)
            self._image.GetPointData().GetScalars().Modified()
            self._image.Modified()
            self._filled = key

    def viewport_size(self) -> tuple[int, int]:
        w, h = self.renderer.GetSize()
        return max(1, int(w)), max(1, int(h))

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
        camera = self.renderer.GetActiveCamera()
        fx, fy = float(self.focus[0]), float(self.focus[1])
        camera.SetFocalPoint(fx, fy, 0.0)
        camera.SetPosition(fx, fy, -1000.0)  # looking along +z (the normal), screen y down
        camera.SetViewUp(0.0, -1.0, 0.0)
        camera.SetParallelScale(self.half_height_mm)
        camera.SetClippingRange(1.0, 2000.0)

    def set_overlays(self, state: MprState, reference: np.ndarray, corner: CornerText | None) -> None:
        plane = self.plane
        if plane is None:
            return
        size = self.viewport_size()
        self.overlays.resize(size)
        u, v = plane.axis_letters
        self.overlays.set_markers(Markers(left=opposite_letters(u), right=u, top=opposite_letters(v), bottom=v))
        scale = self.pixels_per_mm() * plane.pixel_spacing  # screen pixels per image column
        self.overlays.set_scale_bar(scale_bar((plane.pixel_spacing, plane.pixel_spacing), "PixelSpacing", scale, size[0]))
        self.overlays.set_corner_text(corner)
        segments = []
        for (a, b) in state.crosshair_lines(self.name).values():
            segments.append((self.pixel_to_screen(*a, reference), self.pixel_to_screen(*b, reference)))
        self.overlays.set_reference_lines(segments)


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
        from workstation.render.slice_renderer import _offscreen_window

        self.source = VolumeImage(volume, geometry)
        self.state = state or MprState(geometry)
        self.header = header
        self.names = tuple(names)
        if render_window is None:
            render_window = _offscreen_window() if offscreen else vtkRenderWindow()
            if offscreen:
                render_window.SetOffScreenRendering(1)
            render_window.SetSize(int(size[0]), int(size[1]))
        render_window.SetMultiSamples(0)
        self.render_window = render_window
        self.views: dict[str, PlaneView] = {}
        count = len(self.names)
        for n, name in enumerate(self.names):
            renderer = vtkRenderer()
            renderer.SetViewport(n / count, 0.0, (n + 1) / count, 1.0)
            render_window.AddRenderer(renderer)
            self.views[name] = PlaneView(name, PlaneReslicer(self.source), renderer)
        self.reference = geometry.center
        self._fit()
        self._window: tuple[float, float] | None = None
        self._lut: pixels.DisplayLUT | None = None
        self.overlays_visible = True
        self._grabber: vtkWindowToImageFilter | None = None

    def _fit(self) -> None:
        """Each view shows its orthogonal plane's field whole (kept while rotating)."""
        probe = MprState(self.state.geometry, pixel_spacing=self.state.pixel_spacing)
        for name, view in self.views.items():
            origin, columns, rows = probe.field(name)
            f = probe.frame(name)
            s = probe.pixel_spacing
            a0 = float((origin - self.reference) @ f[:, 0])
            b0 = float((origin - self.reference) @ f[:, 1])
            view.focus = np.array([a0 + (columns - 1) * s / 2.0, b0 + (rows - 1) * s / 2.0])
            w, h = view.viewport_size()
            width_mm, height_mm = columns * s, rows * s
            view.half_height_mm = max(height_mm, width_mm * h / max(w, 1)) / 2.0 * 1.02

    # -- display table ---------------------------------------------------------------------------
    def set_window(self, center: float, width: float) -> None:
        """Window centre/width in modality units (HU for CT), PS3.3 C.11.2.1.2."""
        if not (width >= 1 and math.isfinite(center)):
            raise GeometryError(f"A window needs a width of at least 1, not {width!r}.")
        self._window = (float(center), float(width))
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
            self._lut = pixels.display_lut(self.header, voi, stored_dtype=dtype, stored_range=(int(self.source.volume.min()), int(self.source.volume.max())) if dtype.itemsize > 2 else None)
        return self._lut

    # -- drawing ---------------------------------------------------------------------------------
    def update(self) -> None:
        """Bring every plane up to date with the state (only changed planes are resliced)."""
        lut = self.display_table()
        for name, view in self.views.items():
            view.update(self.state.plane(name), lut, self.reference)
            view.place_camera()
            if self.overlays_visible:
                view.set_overlays(self.state, self.reference, self._corner(name))
            else:
                view.overlays.set_visible(False)
                view.overlays.set_reference_lines([])

    def _corner(self, name: str) -> CornerText:
        plane = self.views[name].plane
        assert plane is not None
        lines = [name.capitalize() + (" (oblique)" if self.state.is_oblique else "")]
        if plane.projection is not Projection.NONE:
            lines.append(f"{plane.projection.name} slab {plane.slab_samples * plane.slab_step:.1f} mm")
        lines.append(f"{plane.dimensions_mm[0]:.0f} x {plane.dimensions_mm[1]:.0f} mm")
        lut = self._lut
        bottom: tuple[str, ...] = ()
        if lut is not None and isinstance(lut.voi, pixels.WindowPreset):
            bottom = (f"W {lut.voi.width:g} L {lut.voi.center:g}",)
        return CornerText(top_left=tuple(lines), bottom_right=bottom)

    def render(self) -> None:
        self.update()
        self.render_window.Render()

    def capture(self) -> np.ndarray:
        """The window's picture, (height, width, 3) uint8, row 0 at the top."""
        self.render()
        if self._grabber is None:
            self._grabber = vtkWindowToImageFilter()
            self._grabber.SetInput(self.render_window)
            self._grabber.SetInputBufferTypeToRGB()
            self._grabber.ReadFrontBufferOff()
        self._grabber.Modified()
        self._grabber.Update()
        output = self._grabber.GetOutput()
        width, height, _ = output.GetDimensions()
        data = vtk_to_numpy(output.GetPointData().GetScalars()).reshape(height, width, -1)
        return np.ascontiguousarray(data[::-1, :, :3])

    def pick(self, name: str, x: float, y: float) -> np.ndarray:
        """LPS point under screen point (x, y) (y down, in the view's own pixels) of plane ``name``."""
        view = self.views[name]
        column, row = view.screen_to_pixel(x, y, self.reference)
        assert view.plane is not None
        return view.plane.pixel_to_patient(column, row)

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
) -> np.ndarray:
    """One plane (``view`` = axial, coronal or sagittal of ``state``) offscreen, (h, w, 3) uint8."""
    viewer = MprViewer(volume, geometry, header, state=state, names=(view,), size=size)
    try:
        if window is not None:
            viewer.set_window(*window)
        viewer.overlays_visible = overlay
        return viewer.capture()
    finally:
        viewer.close()


__all__ = [
    "MprViewer",
    "PlaneReslicer",
    "PlaneView",
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
