"""3D volume rendering of a CT or MR volume placed in patient space, quick while moving.

The volume is the stored-value array (slices, rows, columns) that the MPR and 2D views use, wrapped
by VTK without a copy. The modality transform (PS3.3 C.11.1.1: Rescale Slope and Intercept) is
folded into the transfer functions, so presets written in Hounsfield units classify stored values
directly and no HU volume is ever made. The voxel grid is placed in patient space (LPS,
PS3.3 C.7.6.2.1.1) by the geometry's affine: the image data carries the voxel spacing and a
vtkVolume user matrix carries the direction cosines and the position (and the shear of a tilted
acquisition), so a point at a patient coordinate is drawn where the camera projects it.

Back ends. On a software OpenGL (Mesa llvmpipe/softpipe, no GPU) the CPU ray caster
(vtkFixedPointVolumeRayCastMapper) is the fast one; on a real GPU the OpenGL ray caster
(vtkGPUVolumeRayCastMapper) is. ``backend='auto'`` reads the OpenGL renderer string to choose, and
:attr:`VolumeRenderer.backend` tells which one runs.

Time to the first 3D image. The CPU ray caster spends seconds computing and encoding gradients
(3 bytes a voxel) before its first shaded frame. Here the first frame is drawn unshaded (no
gradients: ~0.2-0.9 s), while a worker thread renders a one-pixel view with a second mapper
that shares the same voxels to compute the gradients; when it is done the shaded mapper replaces
the unshaded one (:meth:`VolumeRenderer.apply_refinement`, or ``on_refinement_ready`` to be told),
and the view sharpens. Presets that need no shading (MIP) never compute gradients.

Quick while moving, sharp when still: between :meth:`begin_interaction` and
:meth:`end_interaction` rays are cast for every 2nd-4th pixel (image sample distance, adapted to
keep ~8 frames a second) at twice the sample distance along the ray; when still, every pixel at a
sample distance of one voxel.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal

import numpy as np
import vtkmodules.vtkRenderingOpenGL2  # noqa: F401  (OpenGL back end: EGL offscreen, X on screen)
import vtkmodules.vtkRenderingVolumeOpenGL2  # noqa: F401  (GPU ray caster factory override)
from vtkmodules.vtkCommonDataModel import vtkImageData, vtkPiecewiseFunction, vtkPlane
from vtkmodules.vtkCommonMath import vtkMatrix4x4
from vtkmodules.vtkRenderingCore import (
    vtkColorTransferFunction,
    vtkRenderer,
    vtkRenderWindow,
    vtkVolume,
    vtkVolumeProperty,
)
from vtkmodules.vtkRenderingVolume import (
    vtkFixedPointVolumeRayCastMapper,
    vtkGPUVolumeRayCastMapper,
)

from workstation.errors import GeometryError, WorkstationError
from workstation.model.clip_box import ClipBox
from workstation.model.geometry import VolumeGeometry, VolumeResult
from workstation.render.presets3d import Preset3D, preset_3d, value_range
from workstation.render.vtk_arrays import wrap_volume
from workstation.render.vtk_window import FrameReader, new_window, view_window

Backend = Literal["cpu", "gpu"]

#: OpenGL renderer strings of software rasterisers, where the CPU ray caster is faster.
SOFTWARE_RENDERERS = ("llvmpipe", "softpipe", "swrast", "software rasterizer", "swiftshader", "microsoft basic render")
#: Frame rate the interactive mode adapts its image sample distance to.
TARGET_INTERACTIVE_FPS = 8.0
#: Image sample distance (pixels per ray) while moving: starting value and limits.
INTERACTIVE_IMAGE_SAMPLE = 2.0
MIN_INTERACTIVE_IMAGE_SAMPLE = 1.5
MAX_INTERACTIVE_IMAGE_SAMPLE = 4.0


def opengl_renderer_string(render_window: vtkRenderWindow) -> str:
    """The 'OpenGL renderer string' of an initialised render window ('' when unknown)."""
    report = render_window.ReportCapabilities() or ""
    for line in report.splitlines():
        if "renderer string" in line.lower():
            return line.split(":", 1)[1].strip()
    return ""


def is_software_renderer(renderer_string: str) -> bool:
    """True for Mesa's llvmpipe/softpipe and other software rasterisers (or an unknown one)."""
    text = renderer_string.lower()
    return not text or any(name in text for name in SOFTWARE_RENDERERS)


def _geometry_of(geometry: VolumeGeometry | VolumeResult) -> tuple[VolumeGeometry, bool]:
    """The VolumeGeometry and whether its grid is only approximate (irregular spacing)."""
    if isinstance(geometry, VolumeResult):
        return geometry.geometry, not geometry.is_regular
    if isinstance(geometry, VolumeGeometry):
        return geometry, False
    raise GeometryError("A 3D view needs the volume's geometry (a VolumeGeometry or VolumeResult).")


def _placement(affine: np.ndarray) -> tuple[tuple[float, float, float], np.ndarray]:
    """Split the index->patient affine into voxel spacing (column, row, slice) and the user
    matrix that takes (i*sx, j*sy, k*sz) to LPS: affine @ diag(1/sx, 1/sy, 1/sz, 1)."""
    spacing = np.linalg.norm(affine[:3, :3], axis=0)
    matrix = affine @ np.diag([1.0 / spacing[0], 1.0 / spacing[1], 1.0 / spacing[2], 1.0])
    return (float(spacing[0]), float(spacing[1]), float(spacing[2])), matrix


def _vtk_matrix(matrix: np.ndarray) -> vtkMatrix4x4:
    result = vtkMatrix4x4()
    for r in range(4):
        for c in range(4):
            result.SetElement(r, c, float(matrix[r, c]))
    return result


class VolumeRenderer:
    """Direct volume rendering of one volume in one render window.

    ``render_window``: the window to draw into (a QVTK widget's), else a new one, offscreen
    (EGL) when ``offscreen``. ``backend``: 'auto' (GPU ray caster on a hardware OpenGL, CPU ray
    caster on a software one), 'cpu' or 'gpu'. ``progressive``: draw the first frame unshaded and
    compute shading in a worker thread (False: the first frame waits for shading, as a one-shot
    picture such as the CLI's wants).

    ``on_refinement_ready`` is called (from the worker thread) when shading is ready; the UI
    then calls :meth:`apply_refinement` and :meth:`render` on its own thread.
    """

    def __init__(
        self,
        render_window: vtkRenderWindow | None = None,
        *,
        offscreen: bool = False,
        size: tuple[int, int] = (512, 512),
        backend: Literal["auto", "cpu", "gpu"] = "auto",
        progressive: bool = True,
        on_refinement_ready: Callable[[], None] | None = None,
    ) -> None:
        if backend not in ("auto", "cpu", "gpu"):
            raise WorkstationError(f"The 3D back end must be 'auto', 'cpu' or 'gpu', not {backend!r}.")
        self._owns_window = render_window is None
        render_window = view_window(render_window, offscreen=offscreen, size=size)
        self.render_window = render_window
        self.vtk_renderer = vtkRenderer()
        self.vtk_renderer.SetBackground(0.0, 0.0, 0.0)
        render_window.AddRenderer(self.vtk_renderer)
        self._requested_backend = backend
        self._backend: Backend | None = None
        self.opengl_renderer = ""
        self.progressive = progressive
        self.on_refinement_ready = on_refinement_ready

        self._color = vtkColorTransferFunction()
        self._opacity = vtkPiecewiseFunction()
        self._property = vtkVolumeProperty()
        self._property.SetColor(self._color)
        self._property.SetScalarOpacity(self._opacity)
        self._property.SetInterpolationTypeToLinear()
        self.actor = vtkVolume()
        self.actor.SetProperty(self._property)
        self.actor.VisibilityOff()
        self.vtk_renderer.AddVolume(self.actor)

        self._volume: np.ndarray | None = None
        self._geometry: VolumeGeometry | None = None
        self.approximate_geometry = False
        self._spacing = (1.0, 1.0, 1.0)
        self._rescale = (1.0, 0.0)
        self._range: tuple[float, float] | None = None
        self._mapper: Any = None
        self._gradients_ready = False
        self._preset: Preset3D = preset_3d("ct-bone")
        self._base_preset: Preset3D = self._preset
        self._window_shift = (0.0, 0.0)
        self._clip_box: ClipBox | None = None
        self._interacting = False
        self._shading_enabled = True
        self._interactive_isd = INTERACTIVE_IMAGE_SAMPLE
        self._grabber: FrameReader | None = None
        self.last_render_seconds = 0.0

        self._lock = threading.Lock()
        self._generation = 0
        self._worker: threading.Thread | None = None
        self._old_workers: list[threading.Thread] = []
        self._ready_mapper: Any = None
        self._keep_alive: list[Any] = []
        self._worker_wanted = False

    # -- back end ----------------------------------------------------------------------------
    @property
    def backend(self) -> str:
        """'cpu' (vtkFixedPointVolumeRayCastMapper) or 'gpu' (vtkGPUVolumeRayCastMapper);
        chosen when the first volume is set."""
        return self._choose_backend()

    def _choose_backend(self) -> Backend:
        if self._backend is None:
            if self._requested_backend in ("cpu", "gpu"):
                self._backend = "cpu" if self._requested_backend == "cpu" else "gpu"
            else:
                self.opengl_renderer = opengl_renderer_string(self.render_window)
                if not self.opengl_renderer:
                    self.render_window.Render()  # initialise the context to read its renderer
                    self.opengl_renderer = opengl_renderer_string(self.render_window)
                self._backend = "cpu" if is_software_renderer(self.opengl_renderer) else "gpu"
        return self._backend

    def _new_mapper(self, image: vtkImageData) -> Any:
        if self._choose_backend() == "gpu":
            mapper: Any = vtkGPUVolumeRayCastMapper()
        else:
            mapper = vtkFixedPointVolumeRayCastMapper()
        mapper.SetInputData(image)
        mapper.AutoAdjustSampleDistancesOff()
        mapper.LockSampleDistanceToInputSpacingOff()
        return mapper

    # -- the volume --------------------------------------------------------------------------
    def set_volume(
        self,
        volume: np.ndarray,
        geometry: VolumeGeometry | VolumeResult,
        *,
        rescale: tuple[float, float] = (1.0, 0.0),
        preset: str | Preset3D | None = None,
    ) -> None:
        """Show ``volume`` (stored values, (slices, rows, columns), kept without a copy when it is
        C-contiguous) placed by ``geometry``; ``rescale`` is (Rescale Slope, Rescale Intercept)."""
        geo, approximate = _geometry_of(geometry)
        if volume.ndim != 3:
            raise WorkstationError(
                f"3D rendering needs a greyscale volume of (slices, rows, columns); this one has shape {volume.shape}."
            )
        if min(volume.shape) < 2:
            raise WorkstationError(
                f"3D rendering needs at least two slices, rows and columns; this volume has shape {volume.shape}, so view it in 2D."
            )
        if tuple(volume.shape) != geo.shape:
            raise GeometryError(f"The volume's shape {volume.shape} differs from its geometry's {geo.shape}; rebuild the volume.")
        slope, intercept = float(rescale[0]), float(rescale[1])
        if slope == 0.0 or not np.isfinite(slope) or not np.isfinite(intercept):
            raise WorkstationError("Rescale Slope must be a non-zero number to render the volume in 3D.")
        self._cancel_worker()
        self._volume = np.ascontiguousarray(volume)  # a copy only for a non-contiguous view
        self._geometry = geo
        self.approximate_geometry = approximate
        self._rescale = (slope, intercept)
        self._range = None
        self._spacing, user_matrix = _placement(geo.affine)
        self._image = wrap_volume(self._volume, spacing=self._spacing, name="stored values")
        self._mapper = self._new_mapper(self._image)
        self._gradients_ready = self.backend == "gpu"
        self.actor.SetMapper(self._mapper)
        self.actor.SetUserMatrix(_vtk_matrix(user_matrix))
        self.actor.VisibilityOn()
        self._configure_mapper(self._mapper)
        if preset is not None:
            self._base_preset = preset_3d(preset)
            self._window_shift = (0.0, 0.0)
        self._apply_preset()
        self.reset_view()

    @property
    def volume(self) -> np.ndarray | None:
        return self._volume

    @property
    def geometry(self) -> VolumeGeometry | None:
        return self._geometry

    def patient_corners(self) -> np.ndarray:
        """The eight corners (LPS mm) of the voxel grid's outer edges."""
        if self._geometry is None:
            raise WorkstationError("No volume is loaded in the 3D view.")
        slices, rows, columns = self._geometry.shape
        corners = np.array([[i, j, k] for i in (-0.5, columns - 0.5) for j in (-0.5, rows - 0.5) for k in (-0.5, slices - 0.5)])
        return self._geometry.index_to_patient(corners)

    # -- presets -----------------------------------------------------------------------------
    @property
    def preset(self) -> Preset3D:
        """The preset in use, with any window shift applied (points in modality values)."""
        return self._preset

    def set_preset(self, preset: str | Preset3D) -> None:
        """Switch to a preset (name or :class:`Preset3D`); forgets any window shift."""
        self._base_preset = preset_3d(preset)
        self._window_shift = (0.0, 0.0)
        self._apply_preset()

    def shift_window(self, delta_centre: float, delta_width: float) -> None:
        """Move the preset's opacity and colour curves by ``delta_centre`` and widen them by
        ``delta_width`` (modality values: HU for CT), adding to earlier shifts (a drag)."""
        centre, width = self._window_shift
        self._window_shift = (centre + float(delta_centre), width + float(delta_width))
        self._apply_preset()

    def reset_window(self) -> None:
        """Undo :meth:`shift_window`."""
        self._window_shift = (0.0, 0.0)
        self._apply_preset()

    def _value_range(self) -> tuple[float, float] | None:
        if self._range is None and self._volume is not None:
            self._range = value_range(self._volume, self._rescale)
        return self._range

    def _apply_preset(self) -> None:
        base = self._base_preset
        values = base.in_values(self._value_range() if base.units == "percent" else None)
        self._preset = values.shifted(*self._window_shift)
        slope, intercept = self._rescale

        def stored(value: float) -> float:
            return (value - intercept) / slope

        self._color.RemoveAllPoints()
        self._opacity.RemoveAllPoints()
        for value, r, g, b in sorted(self._preset.colour, key=lambda p: stored(p[0])):
            self._color.AddRGBPoint(stored(value), r, g, b)
        for value, alpha in sorted(self._preset.opacity, key=lambda p: stored(p[0])):
            self._opacity.AddPoint(stored(value), alpha)
        prop = self._property
        prop.SetAmbient(self._preset.ambient)
        prop.SetDiffuse(self._preset.diffuse)
        prop.SetSpecular(self._preset.specular)
        prop.SetSpecularPower(self._preset.specular_power)
        if self._mapper is not None:
            self._configure_mapper(self._mapper)
        self._update_shading()

    @property
    def shading_enabled(self) -> bool:
        """Whether presets that shade do so (the user's "shading" switch)."""
        return self._shading_enabled

    def set_shading_enabled(self, enabled: bool) -> None:
        """Switch shading off (flat colours: cut faces of a clipping box and homogeneous tissue
        stay bright; no gradients are computed) or back on."""
        self._shading_enabled = bool(enabled)
        self._update_shading()

    def _update_shading(self) -> None:
        wants = self._shading_enabled and self._preset.shade and self._preset.blend == "composite"
        if wants and not self._gradients_ready and self._mapper is not None:
            if self.progressive:
                # The worker starts after the next frame is drawn (see render), so that the
                # first picture does not share the CPU with the gradient computation.
                self._worker_wanted = True
                self._property.ShadeOff()
                return
            self._gradients_ready = True  # computed by the mapper itself on the next render
        if not wants:
            self._worker_wanted = False
        self._property.SetShade(1 if wants else 0)

    @property
    def shaded(self) -> bool:
        """Whether the picture is drawn with shading now."""
        return bool(self._property.GetShade())

    # -- shading in the background -----------------------------------------------------------
    @property
    def refinement_pending(self) -> bool:
        """True while shading is being computed in the worker thread or waits to be applied."""
        with self._lock:
            return self._worker_wanted or self._worker is not None or self._ready_mapper is not None

    def _start_worker(self) -> None:
        self._worker_wanted = False
        if self._worker is not None or self._volume is None or self._gradients_ready:
            return
        generation = self._generation
        volume, spacing = self._volume, self._spacing
        matrix = vtkMatrix4x4()
        matrix.DeepCopy(self.actor.GetUserMatrix())
        # Own copies of the transfer functions: the UI thread may change its own meanwhile.
        colour, opacity, prop = vtkColorTransferFunction(), vtkPiecewiseFunction(), vtkVolumeProperty()
        colour.DeepCopy(self._color)
        opacity.DeepCopy(self._opacity)
        prop.SetColor(colour)
        prop.SetScalarOpacity(opacity)
        prop.SetInterpolationTypeToLinear()
        prop.ShadeOn()
        image = wrap_volume(volume, spacing=spacing, name="stored values")  # its own pipeline over the same voxels: no copy
        mapper = self._new_mapper(image)

        def work() -> None:
            window = new_window(offscreen=True, size=(4, 4))
            renderer = vtkRenderer()
            window.AddRenderer(renderer)
            actor = vtkVolume()
            actor.SetMapper(mapper)
            actor.SetProperty(prop)
            actor.SetUserMatrix(matrix)
            renderer.AddVolume(actor)
            renderer.ResetCamera()
            window.Render()  # computes and encodes the gradients inside the mapper
            renderer.RemoveVolume(actor)
            actor.SetMapper(None)  # type: ignore[arg-type]
            window.Finalize()
            callback = None
            with self._lock:
                if self._worker is threading.current_thread():
                    self._worker = None
                if generation == self._generation:
                    self._ready_mapper = mapper
                    self._keep_alive.append(image)
                    callback = self.on_refinement_ready
            if callback is not None:
                callback()

        self._worker = threading.Thread(target=work, name="3d-shading", daemon=True)
        self._worker.start()

    def apply_refinement(self) -> bool:
        """Swap in the shaded mapper when the worker has finished; True when the picture changed
        (then call :meth:`render`). Call on the render window's thread."""
        with self._lock:
            mapper, self._ready_mapper = self._ready_mapper, None
        if mapper is None:
            return False
        self._mapper = mapper
        self._configure_mapper(mapper)
        self.actor.SetMapper(mapper)
        self._gradients_ready = True
        self._update_shading()
        return True

    def wait_for_refinement(self, timeout: float | None = None) -> bool:
        """Block until shading is ready and applied (True), or ``timeout`` seconds (False)."""
        if self._worker_wanted:
            self._start_worker()
        worker = self._worker
        if worker is not None:
            worker.join(timeout)
            if worker.is_alive():
                return False
        return self.apply_refinement() or self.shaded or not self._preset.shade

    def _cancel_worker(self) -> None:
        with self._lock:
            self._generation += 1
            self._worker_wanted = False
            self._ready_mapper = None
            self._keep_alive.clear()
            if self._worker is not None:
                self._old_workers.append(self._worker)
                self._worker = None

    # -- mapper settings ---------------------------------------------------------------------
    def _configure_mapper(self, mapper: Any) -> None:
        if self._preset.blend == "mip":
            mapper.SetBlendModeToMaximumIntensity()
        else:
            mapper.SetBlendModeToComposite()
        voxel = min(self._spacing)
        if self._interacting:
            mapper.SetSampleDistance(2.0 * voxel)
            mapper.SetImageSampleDistance(self._interactive_isd)
        else:
            mapper.SetSampleDistance(voxel)
            mapper.SetImageSampleDistance(1.0)
        mapper.RemoveAllClippingPlanes()
        if self._clip_box is not None:
            for point, normal in self._clip_box.planes():
                plane = vtkPlane()
                plane.SetOrigin(*point)
                plane.SetNormal(*normal)
                mapper.AddClippingPlane(plane)

    # -- clipping box ------------------------------------------------------------------------
    @property
    def clip_box(self) -> ClipBox | None:
        return self._clip_box

    def set_clip_box(self, box: ClipBox | None) -> None:
        """Show only what lies inside ``box`` (LPS mm); None shows the whole volume."""
        self._clip_box = box
        if self._mapper is not None:
            self._configure_mapper(self._mapper)

    # -- camera ------------------------------------------------------------------------------
    @property
    def camera(self) -> Any:
        """The vtkCamera (for tests and for projecting patient points)."""
        return self.vtk_renderer.GetActiveCamera()

    def set_parallel_projection(self, parallel: bool) -> None:
        """Orthographic (True) or perspective (False, the default) projection."""
        self.camera.SetParallelProjection(1 if parallel else 0)
        self.reset_view()

    def reset_view(self) -> None:
        """Anterior view (the viewer faces the patient), head up, the whole volume in view."""
        camera = self.camera
        bounds = self.actor.GetBounds() if self._volume is not None else (-1, 1, -1, 1, -1, 1)
        centre = np.array([(bounds[0] + bounds[1]) / 2, (bounds[2] + bounds[3]) / 2, (bounds[4] + bounds[5]) / 2])
        camera.SetFocalPoint(*centre)
        camera.SetPosition(*(centre - np.array([0.0, 1.0, 0.0])))  # anterior: -y in LPS
        camera.SetViewUp(0.0, 0.0, 1.0)  # head up
        self.vtk_renderer.ResetCamera(bounds)

    def rotate(self, azimuth: float = 0.0, elevation: float = 0.0) -> None:
        """Turn the view about the focal point: ``azimuth`` degrees about the view-up axis
        (from the anterior view, +90 shows the patient's left side), then ``elevation`` degrees
        about the screen's horizontal axis (+ looks from above)."""
        camera = self.camera
        if azimuth:
            camera.Azimuth(float(azimuth))
        if elevation:
            camera.Elevation(float(elevation))
            camera.OrthogonalizeViewUp()

    def zoom(self, factor: float) -> None:
        """Magnify by ``factor`` (> 1 enlarges)."""
        if factor <= 0:
            raise WorkstationError("A zoom factor must be positive.")
        self.camera.Zoom(float(factor))

    def pan(self, dx: float, dy: float) -> None:
        """Move the picture by (dx, dy) screen pixels (y down), as a drag does."""
        camera = self.camera
        height = max(self.render_window.GetSize()[1], 1)
        focal = np.array(camera.GetFocalPoint())
        position = np.array(camera.GetPosition())
        if camera.GetParallelProjection():
            mm_per_pixel = 2.0 * camera.GetParallelScale() / height
        else:
            distance = float(np.linalg.norm(focal - position))
            mm_per_pixel = 2.0 * distance * np.tan(np.radians(camera.GetViewAngle()) / 2.0) / height
        up = np.array(camera.GetViewUp())
        forward = (focal - position) / np.linalg.norm(focal - position)
        right = np.cross(forward, up)
        move = -(dx * right - dy * up) * mm_per_pixel
        camera.SetFocalPoint(*(focal + move))
        camera.SetPosition(*(position + move))

    # -- quality -----------------------------------------------------------------------------
    @property
    def interacting(self) -> bool:
        return self._interacting

    def begin_interaction(self) -> None:
        """Coarser sampling while the user drags (rotate, zoom, pan, window shift)."""
        self._interacting = True
        if self._mapper is not None:
            self._configure_mapper(self._mapper)

    def end_interaction(self) -> None:
        """Full quality again; call :meth:`render` to draw the sharp picture."""
        self._interacting = False
        if self._mapper is not None:
            self._configure_mapper(self._mapper)

    def render(self) -> None:
        """Draw the picture (in interactive mode, adapt the sampling to the frame time)."""
        self.vtk_renderer.ResetCameraClippingRange()
        start = time.perf_counter()
        self.render_window.Render()
        self.last_render_seconds = time.perf_counter() - start
        if self._worker_wanted:
            self._start_worker()
        if self._interacting and self._mapper is not None:
            budget = 1.0 / TARGET_INTERACTIVE_FPS
            isd = self._interactive_isd
            if self.last_render_seconds > budget:
                isd = min(isd * 1.25, MAX_INTERACTIVE_IMAGE_SAMPLE)
            elif self.last_render_seconds < 0.5 * budget:
                isd = max(isd / 1.25, MIN_INTERACTIVE_IMAGE_SAMPLE)
            if isd != self._interactive_isd:
                self._interactive_isd = isd
                self._mapper.SetImageSampleDistance(isd)

    def capture(self) -> np.ndarray:
        """The picture, (height, width, 3) uint8, row 0 at the top."""
        self.render()
        if self._grabber is None:  # just rendered: read that frame back as it is
            self._grabber = FrameReader(self.render_window, rerender=False)
        return self._grabber.read()

    def save_png(self, path: str | Path) -> None:
        """Save the view as a PNG ("save view as image")."""
        from PIL import Image

        Image.fromarray(self.capture(), mode="RGB").save(Path(path), format="PNG")

    def project(self, point: np.ndarray) -> tuple[float, float]:
        """Screen position (x right, y down, pixels) of a patient point (LPS mm)."""
        width, height = self.render_window.GetSize()
        self.vtk_renderer.ResetCameraClippingRange()
        matrix = self.camera.GetCompositeProjectionTransformMatrix(width / max(height, 1), -1, 1)
        m = np.array([[matrix.GetElement(r, c) for c in range(4)] for r in range(4)])
        clip = m @ np.append(np.asarray(point, dtype=np.float64).reshape(3), 1.0)
        ndc = clip[:3] / clip[3]
        return (ndc[0] + 1.0) / 2.0 * width, (1.0 - ndc[1]) / 2.0 * height

    def close(self) -> None:
        """Release the pipeline (waits for a running shading worker)."""
        self._cancel_worker()
        for worker in self._old_workers:
            worker.join()
        self._old_workers.clear()
        self.actor.SetMapper(None)  # type: ignore[arg-type]
        self._mapper = None
        self._grabber = None
        self.vtk_renderer.RemoveAllViewProps()
        self.render_window.RemoveRenderer(self.vtk_renderer)
        if self._owns_window:
            self.render_window.Finalize()


def render_volume_image(
    volume: np.ndarray,
    geometry: VolumeGeometry | VolumeResult,
    *,
    preset: str | Preset3D = "ct-bone",
    azimuth: float = 0.0,
    elevation: float = 0.0,
    size: tuple[int, int] = (512, 512),
    rescale: tuple[float, float] = (1.0, 0.0),
    segmentations: Any = (),
) -> np.ndarray:
    """(height, width, 3) uint8 picture of a volume rendered with ``preset`` at full quality,
    seen from the anterior view turned by ``azimuth`` and ``elevation`` degrees (see
    :meth:`VolumeRenderer.rotate`). ``volume`` holds stored values (slices, rows, columns);
    ``rescale`` is (Rescale Slope, Rescale Intercept) of PS3.3 C.11.1.1."""
    renderer = VolumeRenderer(offscreen=True, size=size, progressive=False)
    try:
        renderer.set_volume(volume, geometry, rescale=rescale, preset=preset)
        if segmentations:
            from workstation.render.segment_surfaces import add_segment_surfaces

            add_segment_surfaces(renderer.vtk_renderer, segmentations)  # segments as surfaces (SEG)
        renderer.rotate(azimuth, elevation)
        return renderer.capture()
    finally:
        renderer.close()
