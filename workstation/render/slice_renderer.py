"""One viewport's 2D image drawn with VTK, exactly as its :class:`ViewportState` describes.

The pipeline keeps ONE copy of the stored pixel values per image, in their integer type (PS3.5
8.1.1: int16/uint16). The grayscale transformations of PS3.4 Annex N (Modality LUT, VOI LUT with
LINEAR / LINEAR_EXACT / SIGMOID or a VOI LUT Sequence, Presentation LUT and MONOCHROME1, PS3.3
C.11) are folded into one table by :func:`workstation.model.pixels.display_lut`; the current image
goes through that table with one numpy gather into an 8-bit display buffer that belongs to the
viewport (one per visible image, reused from slice to slice), and VTK shows those bytes as they are
(no VTK lookup table, identity colour window), so the grey levels on screen are exactly the
table's. A window/level change rebuilds the table and refills the buffer; scrolling only refills
the buffer. PALETTE COLOR goes through the same table with three columns (PS3.3 C.7.6.3.1.5); RGB
is copied into the buffer (inverted there when asked).

Geometry follows :mod:`workstation.model.viewport`: image pixel centres at integer (column, row),
the image covering ``[-0.5, columns - 0.5] x [-0.5, rows - 0.5]``, non-square pixels at their true
aspect (Pixel Spacing, PS3.3 10.7.1.3), and a parallel camera placed so that the screen position of
every image point equals ``ViewportState.image_to_screen`` (zoom, pan, rotation after flips).
"""

from __future__ import annotations

import dataclasses
import functools
import itertools
import math
import textwrap
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import vtkmodules.vtkRenderingOpenGL2  # noqa: F401  (OpenGL back end: EGL offscreen, X on screen)
from pydicom.dataset import Dataset
from vtkmodules.vtkCommonDataModel import vtkImageData
from vtkmodules.vtkRenderingCore import (
    vtkImageSlice,
    vtkImageSliceMapper,
    vtkRenderer,
    vtkRenderWindow,
)

from workstation.errors import GeometryError
from workstation.model import colormaps, pixels
from workstation.model.fusion import FusionSource, fused_rgb
from workstation.model.image_plane import ImagePlane
from workstation.model.overlay import (
    OverlayContext,
    axis_letters,
    corner_text,
    image_plane_of,
    markers_for_axes,
    scale_bar,
    slice_location,
    slice_thickness,
)
from workstation.model.presentation_state import DrawOp
from workstation.model.segmentation import DEFAULT_OPACITY, Segment, Segmentation, blend_segments
from workstation.model.spatial import ReferenceLine, patient_to_pixel, pixel_to_patient
from workstation.model.suv import display_unit
from workstation.model.viewport import ViewportState
from workstation.render.overlays import (
    ANNOTATION_RGB,
    POINT_ARM,
    AnnotationText,
    OverlayActors,
    from_annotation_units,
    outline,
    point_of,
)
from workstation.render.vtk_arrays import display_buffer, fill_display, pixels_modified
from workstation.render.vtk_window import FrameReader, view_window

LOADING_TEXT = "Loading\u2026"
_SERIALS = itertools.count(1)


def _spacing_of(header: Dataset | None) -> tuple[tuple[float, float] | None, str]:
    """(row, column) spacing in mm and its source: Pixel Spacing (in the patient), Imager Pixel
    Spacing (at the detector), or none (PS3.3 10.7.1.3); enhanced images from Pixel Measures."""
    if header is None:
        return None, "uncalibrated"
    candidates: list[tuple[Dataset, str]] = [(header, "PixelSpacing"), (header, "ImagerPixelSpacing")]
    for group in ("SharedFunctionalGroupsSequence", "PerFrameFunctionalGroupsSequence"):
        seq = header.get(group, None)
        if seq:
            measures = seq[0].get("PixelMeasuresSequence", None)
            if measures:
                candidates.insert(1, (measures[0], "PixelSpacing"))
    for source, keyword in candidates:
        value = source.get(keyword, None)
        try:
            pair = (float(value[0]), float(value[1])) if value is not None and len(value) == 2 else None
        except (TypeError, ValueError, IndexError):
            pair = None
        if pair and all(math.isfinite(v) and v > 0 for v in pair):
            return pair, keyword
    return None, "uncalibrated"


def _lut_signature(lut: pixels.LookupTable) -> tuple[Any, ...]:
    return (lut.first_mapped, lut.bits, len(lut.data), hash(lut.data.tobytes()))


@dataclass
class _Slice:
    """One image of the stack: the stored array (kept, never copied again) and its header."""

    stored: np.ndarray
    header: Dataset
    frame: int  # 0-based frame for per-frame functional groups
    colour: bool
    signature: tuple[Any, ...] = ()
    own_voi: pixels.WindowPreset | pixels.LookupTable | None = None
    plane: ImagePlane | None = None
    plane_read: bool = False
    serial: int = 0  # unique per arrival: what the display buffer was last filled from
    axes: tuple[str, str] | None = None  # orientation letters of its columns and rows
    axes_read: bool = False
    location: float | None = None  # slice location (mm along the normal), with the plane
    photometric: str = ""
    pipeline_read: bool = False  # signature and own_voi read (when first shown, not on arrival)
    window_hint: str | None = None  # pixels.stored_window_hint, worked out when first needed

    @property
    def size(self) -> tuple[int, int]:
        """(columns, rows)."""
        return (int(self.stored.shape[1]), int(self.stored.shape[0]))


class SliceRenderer:
    """Draws the current image of one display set into a VTK render window.

    ``render_window``: an existing window (a Qt widget's); else a new one, offscreen (EGL when
    there is no display) when ``offscreen`` is true. Feed it with :meth:`set_stack` and
    :meth:`set_image`; tell it what to show with :meth:`set_state` (it follows the state's events
    from then on). Screen coordinates everywhere are pixels with y growing downwards.
    """

    def __init__(self, render_window: vtkRenderWindow | None = None, *, offscreen: bool = False, size: tuple[int, int] = (512, 512)) -> None:
        render_window = view_window(render_window, offscreen=offscreen, size=size)  # no multisampling
        self.render_window = render_window
        self.vtk_renderer = vtkRenderer()
        self.vtk_renderer.SetBackground(0.0, 0.0, 0.0)
        render_window.AddRenderer(self.vtk_renderer)

        self._mapper = vtkImageSliceMapper()
        self._mapper.BorderOn()  # whole edge pixels: the image spans -0.5 .. n - 0.5
        self.image_actor = vtkImageSlice()
        self.image_actor.SetMapper(self._mapper)
        prop = self.image_actor.GetProperty()
        prop.SetInterpolationTypeToNearest()
        # The display buffer already holds display values: VTK passes them through unchanged.
        prop.SetLookupTable(None)
        prop.UseLookupTableScalarRangeOff()
        prop.SetColorLevel(127.5)
        prop.SetColorWindow(255.0)
        self.image_actor.VisibilityOff()
        self.vtk_renderer.AddViewProp(self.image_actor)
        camera = self.vtk_renderer.GetActiveCamera()
        camera.ParallelProjectionOn()

        self.overlays = OverlayActors(self.vtk_renderer)
        self._slices: list[_Slice | None] = []
        self._headers_known: list[Dataset | None] = []
        self._image_size: tuple[int, int] | None = None
        self._spacing: tuple[float, float] | None = None
        self._spacing_source = "uncalibrated"
        self._auto_window: pixels.WindowPreset | None = None
        self._lut_key: tuple[Any, ...] | None = None
        self._display_lut: pixels.DisplayLUT | None = None
        self._display_buffer: np.ndarray | None = None
        self._display_image: vtkImageData | None = None
        self._display_key: tuple[Any, ...] | None = None
        self._message = ""
        self._reference_lines: list[ReferenceLine] = []
        self._cursor: np.ndarray | None = None
        self._annotations: dict[int, tuple[DrawOp, ...]] = {}
        self._frame_of_reference: str | None = None
        # Overlay inputs shared by the slices of a stack: the planes the display set already
        # read (by SOP Instance UID and frame) and orientation letters per Image Orientation.
        self._known_planes: dict[tuple[str, int | None], ImagePlane] = {}
        self._axes_by_orientation: dict[tuple[float, ...], tuple[str, str] | None] = {}
        self._header_planes: dict[int, tuple[Dataset, ImagePlane | None, float | None]] = {}
        self._grabber: FrameReader | None = None
        # What the camera, the markers and the scale bar were last computed for: scrolling
        # through a stack changes none of them, so they are not recomputed per image.
        self._camera_key: tuple[Any, ...] | None = None
        self._markers_key: tuple[Any, ...] | None = None
        self._scale_bar_key: tuple[Any, ...] | None = None
        #: VOI LUT Function for user windows (None: the image's own function, else LINEAR).
        self.voi_function: str | None = None
        # A display unit besides the modality's (PET: SUV from annotate.suv, set by the caller,
        # which may use the annotate layer): see set_display_unit.
        self._value_factor: float | None = None
        self._value_unit = ""
        self._value_note = ""
        self._suv_kind = "bw"
        # Segmentations drawn over the images they lie on (model.segmentation): hidden
        # segments by (SEG SOP Instance UID, segment number), fill opacity.
        self._segmentations: tuple[Segmentation, ...] = ()
        self._hidden_segments: frozenset[tuple[str, int]] = frozenset()
        self.segment_opacity = DEFAULT_OPACITY
        self._segment_cache: tuple[tuple[Any, ...], list[tuple[Segment, np.ndarray]]] | None = None
        # PET/CT fusion (model.fusion): the functional series sampled on this image's grid and
        # blended over it in a colour map.
        self._fusion: FusionSource | None = None
        self._fusion_window: tuple[float, float] = (0.0, 5.0)
        self._fusion_colormap = colormaps.HOT_IRON
        self._fusion_opacity = 0.5
        self._fusion_cache: tuple[Any, np.ndarray] | None = None
        self._suv_read = False  # the display unit was worked out for this stack
        #: Called after a state change has been applied (a widget renders there).
        self.on_changed: Callable[[], None] | None = None
        # Lazy: state changes and overlay updates are only noted, and applied (display buffer,
        # camera, overlays) when the next frame is drawn or its output is read. A linked viewport
        # that draws after a pause (ui.viewport) does no per-step work while another scrolls.
        self._lazy = False
        self._pending: frozenset[str] = frozenset()
        self._stale = False
        self.state = ViewportState()
        self.state.events.connect(self._on_state)

    # -- content ------------------------------------------------------------------------------
    def set_stack(self, count: int, headers_known: Sequence[Dataset] | None = None, *, display_set: Any = None) -> None:
        """A new display set of ``count`` images; none has pixels yet. ``headers_known`` (in
        display order, may be shorter) give corner text and size before the pixels arrive;
        ``display_set`` (a :class:`~workstation.model.displayset.DisplaySet`) its pixel spacing."""
        count = max(0, int(count))
        self._slices = [None] * count
        known = list(headers_known or [])
        self._headers_known = [known[i] if i < len(known) else None for i in range(count)]
        self._image_size = None
        self._auto_window = None
        self._lut_key = None
        self._display_key = None
        self._display_lut = None
        self._reference_lines = []
        self._cursor = None
        self._annotations = {}
        self._spacing, self._spacing_source = None, "uncalibrated"
        self._axes_by_orientation = {}
        self._header_planes = {}
        volume = getattr(display_set, "volume", None)
        self._known_planes = {(p.sop_instance_uid, p.frame): p for p in getattr(volume, "slices", ()) or ()}
        first = next((h for h in self._headers_known if h is not None), None)
        if display_set is not None:
            if getattr(display_set, "columns", None) and getattr(display_set, "rows", None):
                self._image_size = (int(display_set.columns), int(display_set.rows))
            self._spacing = display_set.pixel_spacing
            self._spacing_source = display_set.spacing_source
        elif first is not None:
            self._spacing, self._spacing_source = _spacing_of(first)
        if self._image_size is None and first is not None and "Columns" in first and "Rows" in first:
            self._image_size = (int(first.Columns), int(first.Rows))
        self._frame_of_reference = str(first.get("FrameOfReferenceUID", "") or "") or None if first is not None else None
        self._value_factor, self._value_unit, self._value_note, self._suv_read = None, "", "", False
        if first is not None:
            self._read_display_unit(first)
        if count and self.state.image_count != count:
            self.state.image_count = count
        self._apply(frozenset({"image_index", "display_set_uid"}))

    def set_image(self, index: int, stored: np.ndarray, header: Dataset, frame: int = 0) -> None:
        """The stored values of image ``index`` (rows, columns[, 3]) and its header; ``frame``
        is the 0-based frame of a multi-frame instance (for its functional groups)."""
        if not 0 <= index < len(self._slices):
            raise IndexError(f"image {index} is outside this stack of {len(self._slices)}")
        array = np.asarray(stored)
        samples = int(header.get("SamplesPerPixel", 1) or 1)
        if array.ndim == (3 if samples == 1 else 4) and array.shape[0] == 1:
            array = array[0]
        if not array.dtype.isnative:
            array = array.astype(array.dtype.newbyteorder("="))
        colour = samples > 1 and array.ndim == 3
        photometric = str(header.get("PhotometricInterpretation", "")).strip().upper()
        if colour and array.dtype != np.uint8:
            array = pixels.to_display(array, header)  # 16-bit RGB: scaled once to 8 bits
        if not colour and array.dtype.kind not in "iu":
            array = pixels.to_display(array, header)  # float pixel data: computed once
            header = _as_monochrome2(header)
            photometric = "MONOCHROME2"
        array = np.ascontiguousarray(array)
        piece = _Slice(array, header, frame, colour, serial=next(_SERIALS), photometric=photometric)
        self._slices[index] = piece
        self._headers_known[index] = header
        if self._image_size is None:
            self._image_size = piece.size
        if self._spacing is None and self._spacing_source == "uncalibrated":
            self._spacing, self._spacing_source = _spacing_of(header)
        if self._frame_of_reference is None:
            self._frame_of_reference = str(header.get("FrameOfReferenceUID", "") or "") or None
        if not self._suv_read:
            self._read_display_unit(header)
        if index == self.state.image_index:
            self._apply(frozenset({"image_index"}))

    def _read_pipeline(self, piece: _Slice) -> None:
        """The grayscale pipeline attributes of a slice (its table signature and its own VOI,
        PS3.4 Annex N), read when it is first shown: slices arriving off screen cost no header
        reading."""
        if piece.pipeline_read:
            return
        if not piece.colour:
            header, frame, photometric = piece.header, piece.frame, piece.photometric
            piece.signature = self._signature(piece, photometric)
            windows = pixels.window_presets(header, frame)
            luts = pixels.voi_luts(header, frame) if not windows and photometric != "PALETTE COLOR" else []
            piece.own_voi = windows[0] if windows else (luts[0] if luts else None)
        piece.pipeline_read = True

    def _signature(self, piece: _Slice, photometric: str) -> tuple[Any, ...]:
        """What the display table depends on besides the window: type, photometric
        interpretation, Presentation LUT Shape, modality transform, palette."""
        ds = piece.header
        modality = pixels.modality_transform(ds, piece.frame)
        parts: tuple[Any, ...] = (
            piece.stored.dtype.str,
            photometric,
            str(ds.get("PresentationLUTShape", "") or ""),
            modality.slope,
            modality.intercept,
            _lut_signature(modality.lut) if modality.lut is not None else None,
        )
        if photometric == "PALETTE COLOR":
            parts += tuple(hash(bytes(ds.get(k, b"") or b"")) for k in (
                "RedPaletteColorLookupTableData", "GreenPaletteColorLookupTableData", "BluePaletteColorLookupTableData",
                "SegmentedRedPaletteColorLookupTableData",
            ))
        if piece.stored.dtype.itemsize > 2:
            parts += (int(piece.stored.min()), int(piece.stored.max()))
        return parts

    @property
    def count(self) -> int:
        return len(self._slices)

    def loaded(self) -> list[bool]:
        """Which images have their pixels (for a scroll bar that shows loaded slices)."""
        return [s is not None for s in self._slices]

    def has_image(self, index: int) -> bool:
        """True when image ``index`` has its pixels."""
        return 0 <= index < len(self._slices) and self._slices[index] is not None

    def header(self, index: int | None = None) -> Dataset | None:
        """The header of image ``index`` (default: the current one), if known."""
        index = self.state.image_index if index is None else index
        if 0 <= index < len(self._headers_known):
            return self._headers_known[index]
        return None

    def stored(self, index: int | None = None) -> np.ndarray | None:
        """The stored array of image ``index`` (default: the current one), if here."""
        index = self.state.image_index if index is None else index
        piece = self._slices[index] if 0 <= index < len(self._slices) else None
        return piece.stored if piece is not None else None

    # -- state --------------------------------------------------------------------------------
    def set_state(self, state: ViewportState) -> None:
        """Follow ``state`` from now on (and draw what it says now)."""
        if state is self.state:
            return
        self.state.events.disconnect(self._on_state)
        self.state = state
        state.events.connect(self._on_state)
        self._lut_key = None
        self._apply(frozenset({"image_index", "window_center", "zoom"}))

    def _on_state(self, names: frozenset[str]) -> None:
        self._apply(names)
        if self.on_changed is not None:
            self.on_changed()

    @property
    def lazy(self) -> bool:
        """Whether changes wait for the next frame (see ``_lazy``); False applies what waits."""
        return self._lazy

    @lazy.setter
    def lazy(self, value: bool) -> None:
        self._lazy = bool(value)
        if not self._lazy:
            self.flush()

    def flush(self) -> None:
        """Apply the state changes and overlay updates a lazy renderer has noted."""
        if self._stale:
            names, self._pending, self._stale = self._pending, frozenset(), False
            self._apply_now(names)

    def _apply(self, names: frozenset[str]) -> None:
        if self._lazy:
            self._pending |= names
            self._stale = True
            return
        self._apply_now(names)

    def _apply_now(self, names: frozenset[str]) -> None:
        if names & {"image_index", "display_set_uid", "image_count"}:
            self._show_current()
        self._update_lut()
        self._update_camera()
        self._update_overlays_now()

    def _current(self) -> _Slice | None:
        index = self.state.image_index
        return self._slices[index] if 0 <= index < len(self._slices) else None

    def _show_current(self) -> None:
        if self._current() is None:
            self.image_actor.VisibilityOff()
            self._display_key = None

    # -- lookup table ---------------------------------------------------------------------------
    def current_voi(self, piece: _Slice | None = None) -> pixels.WindowPreset | pixels.LookupTable | None:
        """The VOI applied to the current image: the state's window, else the image's own window
        or VOI LUT, else an automatic window computed once for the stack."""
        piece = piece or self._current()
        if piece is None or piece.colour:
            return None
        self._read_pipeline(piece)
        if self.state.window is not None:
            c, w = self.state.window
            function = self.voi_function
            if function is None:
                function = piece.own_voi.function if isinstance(piece.own_voi, pixels.WindowPreset) else pixels.LINEAR
            return pixels.WindowPreset(c, w, "", function)
        if piece.own_voi is not None:
            return piece.own_voi
        if self._auto_window is None:
            modality = pixels.modality_transform(piece.header, piece.frame)
            self._auto_window = pixels.auto_window(modality.values(pixels._sample(piece.stored)))
        return self._auto_window

    def current_window(self) -> tuple[float, float] | None:
        """(centre, width) in modality units of the window on screen, or None (VOI LUT, colour)."""
        voi = self.current_voi()
        return (voi.center, voi.width) if isinstance(voi, pixels.WindowPreset) else None

    @property
    def display_table(self) -> pixels.DisplayLUT | None:
        """The display table in use (stored value -> grey level), for tests and readouts."""
        self.flush()
        return self._display_lut

    def _update_lut(self) -> None:
        """Bring the display buffer up to date: the current image through the display table
        (rebuilt only when the window, polarity or the image's pipeline changed)."""
        piece = self._current()
        if piece is None:
            return
        masks, seg_key = self._segment_masks()
        if piece.colour:
            key: tuple[Any, ...] = ("rgb", piece.serial, self.state.invert, seg_key)
            if key != self._display_key:
                buffer = self._buffer_for(piece.stored.shape)
                if self.state.invert:
                    np.subtract(255, piece.stored, out=buffer)
                else:
                    np.copyto(buffer, piece.stored)
                blend_segments(buffer, masks, self.segment_opacity)
                self._buffer_changed(key)
            return
        self._read_pipeline(piece)
        voi = self.current_voi(piece)
        if isinstance(voi, pixels.LookupTable):
            voi_key: tuple[Any, ...] = ("lut", *_lut_signature(voi))
        elif voi is not None:
            voi_key = ("window", voi.center, voi.width, voi.function)
        else:
            voi_key = ("none",)
        lut_key = (piece.signature, voi_key, self.state.invert, self.state.colormap)
        if lut_key != self._lut_key or self._display_lut is None:
            stored_range = (int(piece.stored.min()), int(piece.stored.max())) if piece.stored.dtype.itemsize > 2 else None
            lut = pixels.display_lut(
                piece.header, voi, self.state.invert, piece.frame, stored_dtype=piece.stored.dtype, stored_range=stored_range,
            )
            palette = colormaps.palette(self.state.colormap)
            if palette is not None and lut.table.ndim == 1 and lut.table.dtype == np.uint8:
                # A colour map (PS3.6 Annex B palette) indexed by the grey level: one table still.
                lut = dataclasses.replace(lut, table=np.ascontiguousarray(palette[lut.table]))
            self._display_lut = lut
            self._lut_key = lut_key
        fusion_key = self._fusion_key()
        key = ("grey", piece.serial, lut_key, seg_key, fusion_key)
        if key == self._display_key:
            return
        lut = self._display_lut
        if (masks or fusion_key) and lut.table.ndim == 1:  # colour over a grey image: an RGB table
            lut = dataclasses.replace(lut, table=np.ascontiguousarray(np.repeat(lut.table[:, None], 3, axis=1)))
        table = lut.table
        stored = piece.stored
        shape = stored.shape if table.ndim == 1 else (*stored.shape, table.shape[1])
        buffer = self._buffer_for(shape)
        fill_display(buffer, stored, lut)  # one gather, no temporary
        if fusion_key and buffer.ndim == 3:
            functional = self.fused_values()
            if functional is not None:
                fused_rgb(buffer, functional, self._fusion_window, self._fusion_colormap, self._fusion_opacity)
        if masks:
            blend_segments(buffer, masks, self.segment_opacity)
        self._buffer_changed(key)

    def _buffer_for(self, shape: tuple[int, ...]) -> np.ndarray:
        """The viewport's 8-bit display buffer of this shape (reused while the shape stays)."""
        buffer = self._display_buffer
        if buffer is None or buffer.shape != tuple(shape):
            buffer, self._display_image = display_buffer(shape, name="display")
            self._display_buffer = buffer
            self._mapper.SetInputData(self._display_image)
        return buffer

    def _buffer_changed(self, key: tuple[Any, ...]) -> None:
        image = self._display_image
        if image is not None:
            pixels_modified(image)
        self._display_key = key
        self.image_actor.VisibilityOn()

    @property
    def display_buffer(self) -> np.ndarray | None:
        """The display values of the current image (uint8, rows x columns [x 3]) as VTK shows
        them, or None before any image arrived."""
        self.flush()
        return self._display_buffer if self._display_key is not None else None

    # -- camera -------------------------------------------------------------------------------
    def viewport_size(self) -> tuple[int, int]:
        """(width, height) of the viewport in pixels."""
        w, h = self.vtk_renderer.GetSize()
        if w <= 0 or h <= 0:
            w, h = self.render_window.GetSize()
        return (max(1, int(w)), max(1, int(h)))

    @property
    def image_size(self) -> tuple[int, int]:
        """(columns, rows) of the images (the first one known)."""
        piece = self._current()
        if piece is not None:
            return piece.size
        return self._image_size or (1, 1)

    @property
    def pixel_aspect(self) -> float:
        """Row spacing / column spacing (1 when unknown), PS3.3 10.7.1.3."""
        if self._spacing is None:
            return 1.0
        return float(self._spacing[0] / self._spacing[1])

    def _transform_args(self) -> tuple[tuple[int, int], tuple[int, int], float]:
        return self.viewport_size(), self.image_size, self.pixel_aspect

    def _view_key(self, viewport: tuple[int, int], image: tuple[int, int], aspect: float) -> tuple[Any, ...]:
        st = self.state
        return (viewport, image, aspect, st.zoom, st.zoom_mode, st.pan, st.rotation, st.flip_horizontal, st.flip_vertical)

    def _update_camera(self) -> None:
        viewport, image, aspect = self._transform_args()
        state = self.state
        key = (*self._view_key(viewport, image, aspect), id(self._display_image))
        if key == self._camera_key:
            return
        self._camera_key = key
        shown = self._display_image
        if shown is not None:
            sx, sy, _ = shown.GetSpacing()
            if (sx, sy) != (1.0, aspect):
                shown.SetSpacing(1.0, aspect, 1.0)
        s = state.scale(viewport, image, aspect)
        orient = state.orientation_matrix()  # image axes -> screen axes (y down)
        right = np.array([orient[0, 0], orient[0, 1], 0.0])
        up = -np.array([orient[1, 0], orient[1, 1], 0.0])  # screen y down, VTK display y up
        direction = np.cross(up, right)
        centre = state.screen_to_image((viewport[0] / 2.0, viewport[1] / 2.0), viewport, image, aspect)
        focal = np.array([centre[0], centre[1] * aspect, 0.0])
        camera = self.vtk_renderer.GetActiveCamera()
        camera.SetFocalPoint(*focal)
        camera.SetPosition(*(focal - 1000.0 * direction))
        camera.SetViewUp(*up)
        camera.SetParallelScale(viewport[1] / (2.0 * s))
        camera.SetClippingRange(1.0, 2000.0)

    # -- overlays -----------------------------------------------------------------------------
    def set_reference_lines(self, lines: Sequence[ReferenceLine]) -> None:
        """Reference lines on this viewport's image, in its pixel coordinates."""
        self._reference_lines = list(lines)
        self.update_overlays()

    def set_cursor(self, point: np.ndarray | Sequence[float] | None) -> None:
        """The 3D cursor: a patient point (LPS mm) shown as a cross where it projects onto the
        current image (PS3.3 C.7.6.2.1.1), or None."""
        self._cursor = None if point is None else np.asarray(point, dtype=np.float64).reshape(3)
        self.update_overlays()

    def set_annotations(self, ops: Sequence[DrawOp], index: int | None = None) -> None:
        """Presentation-state graphics and text (PS3.3 C.10.5) to draw over image ``index``
        (default: the current one), in the annotation pixel coordinates of PS3.3 C.10.5.1.2;
        an empty list removes them. They follow zoom, pan, rotation and flips."""
        index = self.state.image_index if index is None else int(index)
        if ops:
            self._annotations[index] = tuple(ops)
        else:
            self._annotations.pop(index, None)
        self.update_overlays()

    def annotations(self, index: int | None = None) -> tuple[DrawOp, ...]:
        """The annotations drawn over image ``index`` (default: the current one)."""
        return self._annotations.get(self.state.image_index if index is None else index, ())

    def _read_display_unit(self, header: Dataset) -> None:
        """PET: SUV as the display unit (PS3.3 C.8.9.1 through :mod:`workstation.model.suv`,
        the series' known headers giving the scan start), or the reason there is none."""
        self._suv_read = True
        series = [h for h in self._headers_known if h is not None] or None
        unit = display_unit(header, series, self._suv_kind)
        if unit is None:
            self._value_factor, self._value_unit, self._value_note = None, "", ""
            return
        self._value_factor, self._value_unit = unit.factor, unit.label
        self._value_note = unit.note if unit.factor is None else ""

    @property
    def suv_kind(self) -> str:
        """The SUV shown for PET: "bw" (body weight), "lbm" (SUL) or "bsa" (body surface area)."""
        return self._suv_kind

    @suv_kind.setter
    def suv_kind(self, kind: str) -> None:
        header = next((h for h in self._headers_known if h is not None), None)
        self._suv_kind = kind
        if header is not None:
            self._read_display_unit(header)
            self.update_overlays()

    @property
    def suv_factor(self) -> float | None:
        """Bq/ml -> the SUV shown (PET), or None."""
        return self._value_factor if self._value_unit else None

    # -- segmentations (PS3.3 A.51) -----------------------------------------------------------
    def set_segmentations(self, segmentations: Sequence[Segmentation]) -> None:
        """Segmentations to draw over the images they lie on, in their segment colours."""
        self._segmentations = tuple(segmentations)
        self._segment_cache = None
        self._apply(frozenset({"image_index"}))

    @property
    def segmentations(self) -> tuple[Segmentation, ...]:
        return self._segmentations

    def set_segment_visible(self, segmentation: Segmentation, number: int, visible: bool) -> None:
        """Show or hide one segment of one segmentation."""
        key = (str(segmentation.dataset.get("SOPInstanceUID", "") or id(segmentation)), int(number))
        hidden = set(self._hidden_segments)
        if visible:
            hidden.discard(key)
        else:
            hidden.add(key)
        self._hidden_segments = frozenset(hidden)
        self._apply(frozenset({"image_index"}))

    def segment_visible(self, segmentation: Segmentation, number: int) -> bool:
        key = (str(segmentation.dataset.get("SOPInstanceUID", "") or id(segmentation)), int(number))
        return key not in self._hidden_segments

    # -- PET/CT fusion --------------------------------------------------------------------------
    def set_fusion(self, source: FusionSource | None, *, window: tuple[float, float] | None = None,
                   colormap: str | None = None, opacity: float | None = None) -> None:
        """Blend a functional series (PET, :class:`~workstation.model.fusion.FusionSource`, in
        the unit of ``window``: SUV from 0 to 5 by default) over this view's images, in
        ``colormap`` with ``opacity`` (0-1); None removes it. A source of another Frame of
        Reference (PS3.3 C.7.4.1) is refused with a GeometryError sentence."""
        if source is not None and source.frame_of_reference and self._frame_of_reference \
                and source.frame_of_reference != self._frame_of_reference:
            raise GeometryError("The PET and this series have different Frames of Reference; they cannot be fused "
                                "without a registration.")
        self._fusion = source
        if window is not None:
            self._fusion_window = (float(window[0]), float(window[1]))
        if colormap is not None:
            colormaps.palette(colormap)  # an unknown name raises here
            self._fusion_colormap = colormap
        if opacity is not None:
            self._fusion_opacity = min(1.0, max(0.0, float(opacity)))
        self._fusion_cache = None
        self._apply(frozenset({"image_index"}))

    @property
    def fusion(self) -> tuple[FusionSource | None, tuple[float, float], str, float]:
        """(source, window, colour map, opacity) of the fusion."""
        return self._fusion, self._fusion_window, self._fusion_colormap, self._fusion_opacity

    def _fusion_key(self) -> tuple[Any, ...]:
        if self._fusion is None:
            return ()
        piece = self._current()
        return (id(self._fusion), piece.serial if piece is not None else None, self._fusion_window,
                self._fusion_colormap, self._fusion_opacity)

    def fused_values(self) -> np.ndarray | None:
        """The functional values on the current image's pixel grid (NaN outside), or None."""
        if self._fusion is None:
            return None
        piece = self._current()
        plane = self.current_plane() if piece is not None else None
        if plane is None:
            return None
        key = (id(self._fusion), piece.serial if piece is not None else None)
        if self._fusion_cache is None or self._fusion_cache[0] != key:
            self._fusion_cache = (key, self._fusion.sample_on(plane))
        return self._fusion_cache[1]

    def fusion_source(self) -> FusionSource:
        """This view's loaded images as a functional series to fuse elsewhere (values in the unit
        :attr:`value_unit` names: SUV for PET with SUV)."""
        return FusionSource(self.measured_images(), self._frame_of_reference)

    def measured_images(self) -> list[tuple[ImagePlane, np.ndarray]]:
        """Each loaded grey image with a plane, as (plane, values) in the unit the corner shows:
        modality values (HU, PS3.3 C.11.1) or, for PET with SUV, SUV (for segment statistics)."""
        out: list[tuple[ImagePlane, np.ndarray]] = []
        for piece in self._slices:
            if piece is None or piece.colour:
                continue
            frames = int(piece.header.get("NumberOfFrames", 1) or 1)
            uid = str(piece.header.get("SOPInstanceUID", "") or "")
            frame = piece.frame + 1 if frames > 1 else None
            plane = piece.plane if piece.plane_read else (self._known_planes.get((uid, frame)) if uid else None)
            if plane is None:
                plane = image_plane_of(piece.header, frame)
            if plane is None:
                continue
            values = pixels.modality_transform(piece.header, piece.frame).values(piece.stored)
            if self.suv_factor is not None:
                values = values * self.suv_factor
            out.append((plane, np.asarray(values, dtype=np.float64)))
        return out

    @property
    def value_unit(self) -> str:
        """The unit of :meth:`measured_images`: the SUV label for PET with SUV, else HU for CT."""
        if self.suv_factor is not None:
            return self._value_unit
        header = self.header()
        modality = str(header.get("Modality", "") or "").upper() if header is not None else ""
        return "HU" if modality == "CT" else ("Bq/ml" if modality == "PT" else "")

    def _segment_masks(self) -> tuple[list[tuple[Segment, np.ndarray]], tuple[Any, ...]]:
        """The visible segments' coverage of the current image, and a key that changes with them."""
        if not self._segmentations:
            return [], ()
        piece = self._current()
        plane = self.current_plane() if piece is not None else None
        if plane is None:
            return [], ()
        key = (piece.serial if piece is not None else None, tuple(id(s) for s in self._segmentations),
               self._hidden_segments, self.segment_opacity)
        if self._segment_cache is not None and self._segment_cache[0] == key:
            return self._segment_cache[1], key
        masks: list[tuple[Segment, np.ndarray]] = []
        for seg in self._segmentations:
            masks += seg.masks_on(plane, functools.partial(self.segment_visible, seg), self._frame_of_reference)
        self._segment_cache = (key, masks)
        return masks, key if masks else ()

    def set_display_unit(self, factor: float | None, unit: str = "", note: str = "") -> None:
        """Show windows in another unit than the modality's: display value = modality value x
        ``factor`` (PET: the SUVbw factor of :mod:`workstation.annotate.suv`, ``unit`` "SUVbw").
        With ``factor`` None, ``note`` (why there is no SUV) is shown in the corner instead."""
        self._value_factor = float(factor) if factor is not None else None
        self._value_unit = unit
        self._value_note = note
        self.update_overlays()

    @property
    def display_unit(self) -> tuple[float | None, str, str]:
        """(factor, unit, note) of :meth:`set_display_unit`."""
        return self._value_factor, self._value_unit, self._value_note

    def set_message(self, text: str) -> None:
        """A message over the image (an error, 'No images'); empty to clear."""
        self._message = text
        self.update_overlays()

    def set_overlays_visible(self, visible: bool) -> None:
        self.overlays.set_visible(visible)

    def current_plane(self) -> ImagePlane | None:
        piece = self._current()
        if piece is None:
            header = self.header()
            return self._header_plane(header)[0] if header is not None else None
        if not piece.plane_read:
            frames = int(piece.header.get("NumberOfFrames", 1) or 1)
            frame = piece.frame + 1 if frames > 1 else None
            uid = str(piece.header.get("SOPInstanceUID", "") or "")
            plane = self._known_planes.get((uid, frame)) if uid else None
            piece.plane = plane if plane is not None else image_plane_of(piece.header, frame)
            piece.location = slice_location(piece.plane) if piece.plane is not None else None
            piece.plane_read = True
        return piece.plane

    def _header_plane(self, header: Dataset) -> tuple[ImagePlane | None, float | None]:
        """Plane and slice location of a header known before its pixels (read once per header)."""
        entry = self._header_planes.get(id(header))
        if entry is None or entry[0] is not header:
            uid = str(header.get("SOPInstanceUID", "") or "")
            plane = self._known_planes.get((uid, None)) if uid else None
            if plane is None:
                plane = image_plane_of(header)
            entry = (header, plane, slice_location(plane) if plane is not None else None)
            self._header_planes[id(header)] = entry
        return entry[1], entry[2]

    def _axes_of(self, piece: _Slice | None, header: Dataset, frame_number: int | None) -> tuple[str, str] | None:
        """Orientation letters of the columns and rows (PS3.3 C.7.6.1.1.1), computed once per
        Image Orientation (Patient) of the stack: all slices of a volume share it."""
        if piece is not None and piece.axes_read:
            return piece.axes
        plane = self.current_plane()
        if plane is not None:
            key = tuple(float(v) for v in plane.orientation)
            if key not in self._axes_by_orientation:
                self._axes_by_orientation[key] = axis_letters(header, frame_number)
            axes = self._axes_by_orientation[key]
        else:
            axes = axis_letters(header, frame_number)
        if piece is not None:
            piece.axes, piece.axes_read = axes, True
        return axes

    def _window_hint(self, piece: _Slice) -> str:
        """The hint that the image's own window shows it as one flat grey (model.pixels), wrapped
        to the viewport's width; read once per image, only while that window is on screen."""
        if piece.colour:
            return ""
        if piece.window_hint is None:
            piece.window_hint = pixels.stored_window_hint(piece.header, piece.stored, piece.frame)
        if not piece.window_hint:
            return ""
        columns = max(24, self.viewport_size()[0] // 10)  # the message font is about 10 pixels wide
        return textwrap.fill(piece.window_hint, columns)

    def message(self) -> str:
        """The message over the image now (an error, 'Loading', the window hint), or ""."""
        self.flush()
        return str(self.overlays.message.GetInput() or "") if self.overlays.message.GetVisibility() else ""

    def update_overlays(self) -> None:
        """Recompute corner text, markers, scale bar, reference lines and cursor from the state
        and the current header with the model's functions (workstation.model.overlay); a lazy
        renderer does it with the next frame."""
        if self._lazy:
            self._stale = True
            return
        self._update_overlays_now()

    def _update_overlays_now(self) -> None:
        overlays = self.overlays
        overlays.resize(self.viewport_size())
        header = self.header()
        piece = self._current()
        count = len(self._slices)
        message = self._message
        if not message and count and piece is None:
            message = LOADING_TEXT
        if not message and piece is not None and self.state.window is None:
            message = self._window_hint(piece)
        overlays.set_message(message)
        if header is None:
            overlays.set_corner_text(None)
            overlays.set_markers(None)
            overlays.set_scale_bar(None)
            self._markers_key = self._scale_bar_key = None
            overlays.set_reference_lines([])
            overlays.set_cursor(None)
            overlays.set_annotations([], [])
            return
        viewport, image, aspect = self._transform_args()
        scale = self.state.scale(viewport, image, aspect)
        plane = self.current_plane()
        frame = piece.frame if piece is not None else 0
        frames = int(header.get("NumberOfFrames", 1) or 1)
        frame_number = frame + 1 if frames > 1 else None
        location = piece.location if piece is not None else self._header_plane(header)[1]
        context = OverlayContext(
            header=header,
            state=self.state,
            image_number=self.state.image_index + 1,
            image_count=max(count, 1),
            slice_location=location,
            slice_thickness=slice_thickness(header),
            scale=scale,
            window=self.current_window(),
            frame=frame_number,
            value_factor=self._value_factor,
            value_unit=self._value_unit,
            value_note=self._value_note,
        )
        overlays.set_corner_text(corner_text(context))
        axes = self._axes_of(piece, header, frame_number)
        st = self.state
        markers_key = (axes, st.rotation, st.flip_horizontal, st.flip_vertical, viewport)
        if markers_key != self._markers_key:
            overlays.set_markers(markers_for_axes(axes[0], axes[1], st) if axes is not None else None)
            self._markers_key = markers_key
        bar_key = (self._spacing, self._spacing_source, scale, viewport, overlays.visible)
        if bar_key != self._scale_bar_key:
            overlays.set_scale_bar(scale_bar(self._spacing, self._spacing_source, scale, viewport[0]))
            self._scale_bar_key = bar_key
        segments = []
        for line in self._reference_lines:
            a = self.state.image_to_screen(line.start, viewport, image, aspect)
            b = self.state.image_to_screen(line.end, viewport, image, aspect)
            segments.append((a, b))
        overlays.set_reference_lines(segments)
        cursor_screen = None
        if self._cursor is not None and plane is not None:
            column, row, _ = patient_to_pixel(plane, self._cursor)
            if -0.5 <= column <= plane.columns - 0.5 and -0.5 <= row <= plane.rows - 0.5:
                cursor_screen = self.state.image_to_screen((column, row), viewport, image, aspect)
        overlays.set_cursor(cursor_screen)
        self._place_annotations(viewport, image, aspect)

    def _place_annotations(self, viewport: tuple[int, int], image: tuple[int, int], aspect: float) -> None:
        """Presentation-state annotations of the current image to screen lines and text."""
        ops = self._annotations.get(self.state.image_index, ())
        if not ops:
            self.overlays.set_annotations([], [])
            return
        matrix = self.state.image_to_screen_matrix(viewport, image, aspect)

        def screen(points: Sequence[tuple[float, float]]) -> list[tuple[float, float]]:
            if not points:
                return []
            xy = np.asarray(points, dtype=np.float64).reshape(-1, 2)
            out = xy @ matrix[:2, :2].T + matrix[:2, 2]
            return [(float(x), float(y)) for x, y in out]

        lines: list[tuple[list[tuple[float, float]], tuple[float, float, float]]] = []
        fills: list[tuple[list[tuple[float, float]], tuple[float, float, float]]] = []
        texts: list[AnnotationText] = []
        for op in ops:
            rgb = tuple(c / 255.0 for c in op.colour) if op.colour is not None else ANNOTATION_RGB
            colour = (float(rgb[0]), float(rgb[1]), float(rgb[2]))
            if op.kind == "text":
                texts.append(self._text_placement(op, screen, colour, lines))
                continue
            point = point_of(op)
            if point is not None:
                (x, y), = screen([point])
                lines.append(([(x - POINT_ARM, y), (x + POINT_ARM, y)], colour))
                lines.append(([(x, y - POINT_ARM), (x, y + POINT_ARM)], colour))
                continue
            for polyline in outline(op):
                lines.append((screen(polyline), colour))
                if op.filled and op.closed:
                    fills.append((screen(polyline), colour))
        self.overlays.set_annotations(lines, texts, fills)

    @staticmethod
    def _text_placement(op: DrawOp, screen: Callable[[Sequence[tuple[float, float]]], list[tuple[float, float]]],
                        colour: tuple[float, float, float], lines: list[tuple[list[tuple[float, float]], tuple[float, float, float]]]) -> AnnotationText:
        """A text object (PS3.3 C.10.5.1.1): in its bounding box as shown on screen (justified
        LEFT / RIGHT / CENTER at the box's top), else just below-right of its anchor point; a
        visible anchor is joined to the nearest point of the box."""
        anchor = screen([from_annotation_units(op.anchor)])[0] if op.anchor is not None else None
        if op.bounding_box is not None:
            corners = screen([from_annotation_units(op.bounding_box[0]), from_annotation_units(op.bounding_box[1])])
            x0, x1 = sorted((corners[0][0], corners[1][0]))
            y0 = min(corners[0][1], corners[1][1])
            y1 = max(corners[0][1], corners[1][1])
            justification = op.justification if op.justification in ("LEFT", "RIGHT", "CENTER") else "LEFT"
            x = {"LEFT": x0, "RIGHT": x1, "CENTER": (x0 + x1) / 2.0}[justification]
            if anchor is not None and op.anchor_visible:
                nearest = (min(max(anchor[0], x0), x1), min(max(anchor[1], y0), y1))
                lines.append(([anchor, nearest], colour))
            return AnnotationText(op.text, (x, y0), justification, colour)
        assert anchor is not None  # a text object has a box or an anchor (model guarantees it)
        return AnnotationText(op.text, (anchor[0] + 4.0, anchor[1] + 4.0), "LEFT", colour)

    # -- output -------------------------------------------------------------------------------
    def resize(self, width: int, height: int) -> None:
        """Resize an offscreen window (widgets resize themselves)."""
        self.render_window.SetSize(int(width), int(height))
        self._apply(frozenset())

    def render(self) -> None:
        self.flush()
        self._update_camera()
        self.render_window.Render()

    def capture(self) -> np.ndarray:
        """What the viewport shows, (height, width, 3) uint8, row 0 at the top."""
        self.render()
        if self._grabber is None:
            self._grabber = FrameReader(self.render_window, rerender=True)
        return self._grabber.read()

    def pick(self, x: float, y: float) -> tuple[float, float]:
        """Image (column, row), continuous, under the screen point (x, y) (y down)."""
        viewport, image, aspect = self._transform_args()
        return self.state.screen_to_image((x, y), viewport, image, aspect)

    def pick_patient(self, x: float, y: float) -> np.ndarray:
        """Patient point (LPS mm, PS3.3 C.7.6.2.1.1) under the screen point (x, y): the 3D cursor.

        Raises :class:`GeometryError` when the image has no Image Plane attributes.
        """
        plane = self.current_plane()
        if plane is None:
            raise GeometryError("This image has no Image Position/Orientation (Patient); it cannot be pointed into in 3D.")
        column, row = self.pick(x, y)
        return pixel_to_patient(plane, column, row)

    def image_to_screen(self, column: float, row: float) -> tuple[float, float]:
        viewport, image, aspect = self._transform_args()
        return self.state.image_to_screen((column, row), viewport, image, aspect)

    def close(self) -> None:
        """Stop listening to the state and release the window's resources."""
        self.state.events.disconnect(self._on_state)
        self.render_window.Finalize()


def _as_monochrome2(header: Dataset) -> Dataset:
    """A shallow header copy whose pixels are already display values (float pixel data)."""
    ds = Dataset()
    ds.update(header)
    for keyword in ("RescaleSlope", "RescaleIntercept", "WindowCenter", "WindowWidth", "VOILUTFunction",
                    "ModalityLUTSequence", "VOILUTSequence", "PresentationLUTShape"):
        if keyword in ds:
            del ds[keyword]
    ds.PhotometricInterpretation = "MONOCHROME2"
    ds.BitsAllocated = 8
    ds.BitsStored = 8
    ds.PixelRepresentation = 0
    ds.WindowCenter = 127.5
    ds.WindowWidth = 256
    return ds


#: The SUV window a PET opens with (lower, upper): 0 to 5 SUVbw, as whole-body FDG PET is read.
PET_SUV_WINDOW = (0.0, 5.0)


def initial_view(state: ViewportState, header: Dataset | None, modality: str = "", *, suv_factor: float | None = None) -> None:
    """How a display set first appears: mammograms in their conventional orientation
    (PS3.3 C.8.11.7, IHE Mammography Image profile); PET inverted (black uptake on white) and,
    when ``suv_factor`` (Bq/ml -> SUVbw, :mod:`workstation.annotate.suv`) is known, windowed
    0 to 5 SUV (:data:`PET_SUV_WINDOW`); everything else as stored."""
    if header is None:
        return
    if (modality or str(header.get("Modality", "") or "")).strip().upper() == "PT":
        changes: dict[str, Any] = {"invert": True}
        if suv_factor is not None and suv_factor > 0:
            low, high = PET_SUV_WINDOW
            changes.update(window_center=(low + high) / 2.0 / suv_factor, window_width=(high - low) / suv_factor)
        state.update(**changes)
        return
    if (modality or str(header.get("Modality", "") or "")).strip().upper() == "MG":
        from workstation.model.overlay import mammography_orientation

        orientation = mammography_orientation(header)
        if orientation is not None:
            orientation.apply(state)
