"""What a viewport shows, as plain data: the state that widgets and renderers only paint.

After napari's lesson ("view state is data"), slice, window/level, zoom, pan, rotation, flips and
cine belong to a :class:`ViewportState` in the model. Widgets change it; renderers listen to its
events (``state.events.connect(callback)``; the callback receives the names of the changed fields)
and redraw. Linking viewports is then linking states: a :class:`SyncGroup` copies scroll
position (by patient position in one Frame of Reference, PS3.3 C.7.4.1), window/level and
zoom/pan between them. A :class:`Layout` is the grid of viewports (1x1 to 4x4).

Display transform. Image pixel centres sit at integer (column, row); the image covers
``[-0.5, columns - 0.5] x [-0.5, rows - 0.5]``. Screen x grows right, y down. A viewport maps an
image point p to the screen as::

    screen = viewport_centre + scale * pan + scale * R(rotation) @ F(flips) @ A @ (p - image_centre)

with F = diag(-1 if flip_horizontal, -1 if flip_vertical), R a clockwise rotation on screen, and
A = diag(1, row spacing / column spacing) so that non-square pixels (PS3.3 10.7.1.3) keep their
true aspect. ``scale`` is screen pixels per image column: ``zoom`` times the fit scale, or times
1 in "1:1 pixels" mode. ``pan`` is in image pixels along the screen axes.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, fields
from typing import Any, NamedTuple

import numpy as np
from pydicom.dataset import Dataset

from workstation.model import attributes as attr
from workstation.model.spatial import StackGeometry

Callback = Callable[[frozenset[str]], None]

#: Frames per second for cine when the images say nothing (stacks of CT/MR slices).
DEFAULT_CINE_FPS = 10.0
#: Zoom limits, relative to fit (or to 1:1 pixels).
MIN_ZOOM, MAX_ZOOM = 0.05, 64.0
#: Largest grid: 4 rows x 4 columns.
MAX_GRID = 4

FIT = "fit"
PIXELS = "pixels"  # one image pixel per screen pixel ("1:1")


class Events:
    """A simple observer list: ``connect(callback)``; callbacks get the names of changed fields."""

    __slots__ = ("_callbacks",)

    def __init__(self) -> None:
        self._callbacks: list[Callback] = []

    def connect(self, callback: Callback) -> None:
        if callback not in self._callbacks:
            self._callbacks.append(callback)

    def disconnect(self, callback: Callback) -> None:
        if callback in self._callbacks:
            self._callbacks.remove(callback)

    def emit(self, names: frozenset[str]) -> None:
        for callback in list(self._callbacks):
            callback(names)

    def __len__(self) -> int:
        return len(self._callbacks)


def _positive(ds: Dataset, keyword: str) -> float | None:
    """A rate or time that must be a finite number above zero; ``None`` otherwise."""
    value = attr.float_or_none(ds, keyword)
    return value if value is not None and value > 0 else None


def default_cine_fps(header: Dataset | None) -> float:
    """Cine rate (frames per second) from the Cine Module (PS3.3 C.7.6.5).

    In order: Recommended Display Frame Rate (0008,2144), the rate the creator asks the display
    to use; Frame Time (0018,1063) and the mean of Frame Time Vector (0018,1065), the acquisition
    rate; Cine Rate (0018,0040). Falls back to :data:`DEFAULT_CINE_FPS`.
    """
    if header is None:
        return DEFAULT_CINE_FPS
    rate = _positive(header, "RecommendedDisplayFrameRate")
    if rate:
        return rate
    frame_time = _positive(header, "FrameTime")
    if frame_time:
        return 1000.0 / frame_time
    vector = header.get("FrameTimeVector", None)
    if vector is not None and not isinstance(vector, str):
        try:
            steps = [float(v) for v in list(vector)[1:]]
        except (TypeError, ValueError):
            steps = []
        if steps and all(math.isfinite(s) and s > 0 for s in steps):
            return 1000.0 / float(np.mean(steps))
    rate = _positive(header, "CineRate")
    return rate if rate else DEFAULT_CINE_FPS


_ROTATIONS = (0, 90, 180, 270)


def rotation_matrix(rotation: int) -> np.ndarray:
    """2x2 matrix turning screen vectors clockwise by ``rotation`` degrees (screen y points down)."""
    quarter = {0: 0, 90: 1, 180: 2, 270: 3}[rotation]
    m = np.eye(2)
    step = np.array([[0.0, -1.0], [1.0, 0.0]])  # (1, 0) right -> (0, 1) down: clockwise on screen
    for _ in range(quarter):
        m = step @ m
    return m


@dataclass(eq=False)
class ViewportState:
    """The state of one viewport. Assigning a field notifies ``events`` when the value changes;
    :meth:`update` changes several fields with one notification.

    ``image_index`` counts from 0 into the display set's frames (display order); ``image_count``
    is how many there are. ``window_center``/``window_width`` are in modality units (HU for CT)
    or None for the image's own window (Bq/ml for PET: SUV is a display unit, see
    :class:`~workstation.model.overlay.OverlayContext`). ``colormap`` names a palette of
    :mod:`workstation.model.colormaps` applied after the grey pipeline ("" for grey). ``pan`` is (x, y) in image pixels along screen axes.
    """

    display_set_uid: str | None = None
    image_index: int = 0
    image_count: int = 1
    window_center: float | None = None
    window_width: float | None = None
    invert: bool = False
    colormap: str = ""
    zoom: float = 1.0
    zoom_mode: str = FIT
    pan: tuple[float, float] = (0.0, 0.0)
    rotation: int = 0
    flip_horizontal: bool = False
    flip_vertical: bool = False
    cine_playing: bool = False
    cine_fps: float = DEFAULT_CINE_FPS
    events: Events = field(default_factory=Events, repr=False)

    def __post_init__(self) -> None:
        for f in fields(self):
            if f.name != "events":
                object.__setattr__(self, f.name, self._checked(f.name, getattr(self, f.name)))
        object.__setattr__(self, "_ready", True)

    # -- validation and notification ---------------------------------------------------------
    def _checked(self, name: str, value: Any) -> Any:
        if name == "image_count":
            return max(1, int(value))
        if name == "image_index":
            count = max(1, int(getattr(self, "image_count", 1)))
            return min(max(0, int(value)), count - 1)
        if name == "rotation":
            turned = int(value) % 360
            if turned not in _ROTATIONS:
                raise ValueError(f"rotation must be a multiple of 90 degrees, got {value}")
            return turned
        if name == "zoom":
            return min(MAX_ZOOM, max(MIN_ZOOM, float(value)))
        if name == "zoom_mode":
            if value not in (FIT, PIXELS):
                raise ValueError(f"zoom_mode must be {FIT!r} or {PIXELS!r}, got {value!r}")
            return value
        if name == "window_width" and value is not None:
            return max(1.0, float(value))  # PS3.3 C.11.2.1.2: Window Width >= 1
        if name == "window_center" and value is not None:
            return float(value)
        if name == "pan":
            x, y = value
            return (float(x), float(y))
        if name == "cine_fps":
            fps = float(value)
            if not math.isfinite(fps) or fps <= 0:
                raise ValueError(f"cine_fps must be positive, got {value}")
            return fps
        if name in ("invert", "flip_horizontal", "flip_vertical", "cine_playing"):
            return bool(value)
        if name == "colormap":
            from workstation.model.colormaps import LABELS

            if value not in LABELS:
                raise ValueError(f"colormap must be one of {sorted(LABELS)}, got {value!r}")
            return str(value)
        return value

    def __setattr__(self, name: str, value: Any) -> None:
        if not getattr(self, "_ready", False) or name.startswith("_") or name == "events":
            object.__setattr__(self, name, value)
            return
        self.update(**{name: value})

    def update(self, **changes: Any) -> frozenset[str]:
        """Set several fields at once; listeners hear once, with the names that really changed.

        ``image_count`` is applied before ``image_index`` so the index is clamped to the new count.
        """
        ordered = sorted(changes.items(), key=lambda kv: 0 if kv[0] == "image_count" else 1)
        changed: set[str] = set()
        for name, value in ordered:
            if name == "events" or name.startswith("_") or name not in self.__dataclass_fields__:
                raise AttributeError(f"ViewportState has no field {name!r}")
            checked = self._checked(name, value)
            if getattr(self, name) != checked:
                object.__setattr__(self, name, checked)
                changed.add(name)
        if "image_count" in changed:
            index = self._checked("image_index", self.image_index)
            if index != self.image_index:
                object.__setattr__(self, "image_index", index)
                changed.add("image_index")
        names = frozenset(changed)
        if names:
            self.events.emit(names)
        return names

    def snapshot(self) -> dict[str, Any]:
        """All fields but ``events``, as a plain dict (for saving and for tests)."""
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name != "events"}

    # -- actions a user takes -----------------------------------------------------------------
    def show(self, display_set_uid: str | None, image_count: int, *, image_index: int = 0, cine_fps: float | None = None) -> None:
        """Show another display set: the view is reset and the given image shown."""
        self.update(
            display_set_uid=display_set_uid,
            image_count=image_count,
            image_index=image_index,
            window_center=None,
            window_width=None,
            invert=False,
            colormap="",
            zoom=1.0,
            zoom_mode=FIT,
            pan=(0.0, 0.0),
            rotation=0,
            flip_horizontal=False,
            flip_vertical=False,
            cine_playing=False,
            cine_fps=cine_fps or DEFAULT_CINE_FPS,
        )

    def scroll(self, step: int) -> None:
        """Move ``step`` images forward (negative: back), stopping at the ends."""
        self.image_index = self.image_index + int(step)

    def next_cine_frame(self) -> None:
        """Advance cine by one frame, looping from the last image to the first."""
        self.image_index = (self.image_index + 1) % self.image_count

    def set_window(self, center: float, width: float) -> None:
        self.update(window_center=center, window_width=width)

    def reset_window(self) -> None:
        """Back to the image's own window (its first DICOM preset, or an automatic one)."""
        self.update(window_center=None, window_width=None)

    @property
    def window(self) -> tuple[float, float] | None:
        if self.window_center is None or self.window_width is None:
            return None
        return (self.window_center, self.window_width)

    def rotate_clockwise(self) -> None:
        self.rotation = self.rotation + 90

    def rotate_counterclockwise(self) -> None:
        self.rotation = self.rotation - 90

    def flip_screen_horizontal(self) -> None:
        """Mirror what is on screen left-right, whatever the rotation.

        Because H @ R(a) = R(-a) @ H, mirroring the screen after R(a) F is R(-a) (H F).
        """
        self.update(rotation=-self.rotation, flip_horizontal=not self.flip_horizontal)

    def flip_screen_vertical(self) -> None:
        """Mirror what is on screen top-bottom, whatever the rotation (V @ R(a) = R(-a) @ V)."""
        self.update(rotation=-self.rotation, flip_vertical=not self.flip_vertical)

    def fit(self) -> None:
        self.update(zoom=1.0, zoom_mode=FIT, pan=(0.0, 0.0))

    def one_to_one(self) -> None:
        """One image pixel per screen pixel."""
        self.update(zoom=1.0, zoom_mode=PIXELS)

    def reset_view(self) -> None:
        """Reset window, invert, zoom, pan, rotation and flips (not the slice)."""
        self.update(
            window_center=None, window_width=None, invert=False, zoom=1.0, zoom_mode=FIT, pan=(0.0, 0.0),
            rotation=0, flip_horizontal=False, flip_vertical=False,
        )

    # -- the display transform ----------------------------------------------------------------
    def orientation_matrix(self) -> np.ndarray:
        """R(rotation) @ F(flips): how image axes (column, row) turn into screen axes (x, y)."""
        flips = np.diag([-1.0 if self.flip_horizontal else 1.0, -1.0 if self.flip_vertical else 1.0])
        return rotation_matrix(self.rotation) @ flips

    def scale(self, viewport_size: tuple[float, float], image_size: tuple[int, int], pixel_aspect: float = 1.0) -> float:
        """Screen pixels per image column. ``viewport_size`` is (width, height) in screen pixels,
        ``image_size`` (columns, rows), ``pixel_aspect`` row spacing / column spacing."""
        if self.zoom_mode == PIXELS:
            return self.zoom
        columns, rows = image_size
        extent = np.abs(self.orientation_matrix() @ np.diag([1.0, pixel_aspect])) @ np.array([columns, rows], dtype=float)
        width, height = viewport_size
        return self.zoom * min(width / extent[0], height / extent[1])

    def image_to_screen_matrix(
        self, viewport_size: tuple[float, float], image_size: tuple[int, int], pixel_aspect: float = 1.0
    ) -> np.ndarray:
        """3x3 homogeneous matrix from image (column, row, 1) to screen (x, y, 1)."""
        s = self.scale(viewport_size, image_size, pixel_aspect)
        linear = s * self.orientation_matrix() @ np.diag([1.0, pixel_aspect])
        columns, rows = image_size
        image_centre = np.array([(columns - 1) / 2, (rows - 1) / 2])
        screen_centre = np.array([viewport_size[0] / 2, viewport_size[1] / 2]) + s * np.asarray(self.pan)
        m = np.eye(3)
        m[:2, :2] = linear
        m[:2, 2] = screen_centre - linear @ image_centre
        return m

    def image_to_screen(self, point: tuple[float, float], viewport_size: tuple[float, float], image_size: tuple[int, int], pixel_aspect: float = 1.0) -> tuple[float, float]:
        m = self.image_to_screen_matrix(viewport_size, image_size, pixel_aspect)
        x, y, _ = m @ np.array([point[0], point[1], 1.0])
        return (float(x), float(y))

    def screen_to_image(self, point: tuple[float, float], viewport_size: tuple[float, float], image_size: tuple[int, int], pixel_aspect: float = 1.0) -> tuple[float, float]:
        m = np.linalg.inv(self.image_to_screen_matrix(viewport_size, image_size, pixel_aspect))
        c, r, _ = m @ np.array([point[0], point[1], 1.0])
        return (float(c), float(r))

    def zoom_about(self, factor: float, anchor: tuple[float, float], viewport_size: tuple[float, float], image_size: tuple[int, int], pixel_aspect: float = 1.0) -> None:
        """Zoom by ``factor`` keeping the image point under the screen point ``anchor`` still."""
        before = self.image_to_screen_matrix(viewport_size, image_size, pixel_aspect)
        fixed = np.linalg.inv(before) @ np.array([anchor[0], anchor[1], 1.0])
        zoom = self._checked("zoom", self.zoom * factor)
        probe = ViewportState(zoom=zoom, zoom_mode=self.zoom_mode, pan=self.pan, rotation=self.rotation,
                              flip_horizontal=self.flip_horizontal, flip_vertical=self.flip_vertical)
        after = probe.image_to_screen_matrix(viewport_size, image_size, pixel_aspect)
        moved = after @ fixed
        s = probe.scale(viewport_size, image_size, pixel_aspect)
        shift = (np.array(anchor) - moved[:2]) / s
        self.update(zoom=zoom, pan=(self.pan[0] + float(shift[0]), self.pan[1] + float(shift[1])))

    def pan_by_screen(self, dx: float, dy: float, viewport_size: tuple[float, float], image_size: tuple[int, int], pixel_aspect: float = 1.0) -> None:
        """Drag the image by (dx, dy) screen pixels."""
        s = self.scale(viewport_size, image_size, pixel_aspect)
        self.pan = (self.pan[0] + dx / s, self.pan[1] + dy / s)


# -- a presentation state's displayed area ------------------------------------------------------


class AreaView(NamedTuple):
    """Zoom, zoom mode and pan that show a displayed area (fields of :class:`ViewportState`)."""

    zoom: float
    zoom_mode: str
    pan: tuple[float, float]


def fit_displayed_area(
    state: ViewportState,
    area: tuple[tuple[float, float], tuple[float, float]],
    viewport_size: tuple[float, float],
    image_size: tuple[int, int],
    pixel_aspect: float = 1.0,
    magnification: float | None = None,
) -> AreaView:
    """The view that shows a Displayed Area (PS3.3 C.10.4) centred in the viewport, with the
    state's rotation and flips.

    ``area`` is ((min x, min y), (max x, max y)) in the pixel coordinates of PS3.3 C.10.5.1.2
    (0.0\\0.0 at the outer top-left corner of the top-left pixel), as
    :meth:`~workstation.model.presentation_state.DisplayedArea.bounds` gives it. Without
    ``magnification`` the area is scaled to fit (SCALE TO FIT: the whole area visible, aspect
    kept, filling the viewport along one axis); with it (MAGNIFY) one image column spans
    ``magnification`` screen pixels. Zoom is held within the viewport's zoom limits.
    """
    (x0, y0), (x1, y1) = area
    columns, rows = image_size
    # C.10.5.1.2 puts pixel centres at i + 0.5; this module puts them at integers.
    centre = np.array([(x0 + x1) / 2 - 0.5, (y0 + y1) / 2 - 0.5])
    image_centre = np.array([(columns - 1) / 2, (rows - 1) / 2])
    probe = ViewportState(rotation=state.rotation, flip_horizontal=state.flip_horizontal,
                          flip_vertical=state.flip_vertical)
    linear = probe.orientation_matrix() @ np.diag([1.0, pixel_aspect])
    offset = linear @ (centre - image_centre)
    pan = (float(-offset[0]), float(-offset[1]))
    if magnification is not None:
        if not math.isfinite(magnification) or magnification <= 0:
            raise ValueError(f"magnification must be a positive number, got {magnification}")
        return AreaView(min(MAX_ZOOM, max(MIN_ZOOM, float(magnification))), PIXELS, pan)
    extent = np.abs(linear) @ np.array([abs(x1 - x0), abs(y1 - y0)], dtype=float)
    width, height = viewport_size
    if extent[0] <= 0 or extent[1] <= 0:
        raise ValueError("a displayed area needs a width and a height")
    wanted = min(width / extent[0], height / extent[1])
    fit = probe.scale(viewport_size, image_size, pixel_aspect)  # zoom 1 in fit mode
    return AreaView(min(MAX_ZOOM, max(MIN_ZOOM, float(wanted / fit))), FIT, pan)


# -- linking viewports -------------------------------------------------------------------------


@dataclass(eq=False)
class _Member:
    state: ViewportState
    geometry: StackGeometry | None
    anchor: int  # image index when joined (index sync keeps offsets)
    callback: Callback
    locations: np.ndarray | None = None  # image centres along the group's axis (mm), when needed


def link_axis(geometry: StackGeometry) -> np.ndarray:
    """The slice normal of a stack, signed so that its largest patient (LPS, PS3.3 C.7.6.2.1.1)
    component is positive: anti-parallel stacks (head first or feet first) share one axis."""
    normal = geometry.normal(0)
    k = int(np.argmax(np.abs(normal)))
    return normal if normal[k] >= 0 else -normal


def extent_centre(geometry: StackGeometry, axis: np.ndarray) -> float:
    """The middle of a stack's extent along ``axis`` (mm): the automatic first guess for
    linking two volumes of different Frames of Reference aligns these centres."""
    locations = np.array([geometry.centre(i) @ axis for i in range(len(geometry))])
    return float((locations.min() + locations.max()) / 2)


class SyncGroup:
    """Viewports linked for scrolling, window/level and zoom/pan (as OHIF's sync groups).

    Scrolling: when two members share a Frame of Reference UID and show parallel slices, the
    follower goes to its slice nearest to the leader's slice position along the normal (so a
    5 mm and a 1 mm series of one study stay anatomically aligned); otherwise the index offset
    they had when linked is kept. Members whose slices are not parallel to the leader's are not
    scrolled (the 3D cursor relates those). Changes made by the group itself are not echoed back,
    so there are no feedback loops.

    With ``across_frames`` (a current study and its prior: two Frames of Reference, PS3.3
    C.7.4.1, that no registration relates), parallel members of different Frames of Reference
    also scroll by position, each Frame shifted along the common slice axis (:func:`link_axis`)
    by a distance in mm: set by the reader aligning one slice pair (:meth:`align`) or with
    :meth:`set_offset`, else guessed when a member joins by aligning the centres of the stacks'
    extents along that axis (:func:`extent_centre`; centres rather than superior ends, so a
    prior that covers a little more or less at either end still lands in the middle).
    """

    def __init__(self, *, scroll: bool = True, window: bool = False, zoom_pan: bool = False,
                 across_frames: bool = False):
        self.scroll = scroll
        self.window = window
        self.zoom_pan = zoom_pan
        self.across_frames = across_frames
        self._members: list[_Member] = []
        self._busy = False
        self._axis: np.ndarray | None = None
        self._shifts: dict[str, float] = {}  # Frame of Reference UID -> mm added to its locations
        self.guessed: set[str] = set()  # Frames whose shift is the automatic guess (not aligned)

    def add(self, state: ViewportState, geometry: StackGeometry | None = None) -> None:
        """Link a viewport; ``geometry`` (its planes in display order) enables sync by position."""
        if any(m.state is state for m in self._members):
            return

        def callback(names: frozenset[str]) -> None:
            self._changed(state, names)

        member = _Member(state, geometry, state.image_index, callback)
        self._members.append(member)
        state.events.connect(callback)
        for other in self._members:
            other.anchor = other.state.image_index
        self._guess(member)

    def remove(self, state: ViewportState) -> None:
        for member in list(self._members):
            if member.state is state:
                state.events.disconnect(member.callback)
                self._members.remove(member)

    def set_geometry(self, state: ViewportState, geometry: StackGeometry | None) -> None:
        """Give (or update) a member's planes, for example once its headers have arrived."""
        for member in self._members:
            if member.state is state:
                member.geometry = geometry
                member.locations = None
                self._guess(member)

    # -- across Frames of Reference ------------------------------------------------------------

    def _member(self, state: ViewportState) -> _Member:
        for member in self._members:
            if member.state is state:
                return member
        raise KeyError("the viewport is not in this sync group")

    def _linkable(self, member: _Member) -> bool:
        g = member.geometry
        return (self.across_frames and g is not None and bool(g.frame_of_reference_uid)
                and len(g) == member.state.image_count and len(g) > 0)

    def _locations(self, member: _Member) -> np.ndarray:
        assert member.geometry is not None and self._axis is not None
        if member.locations is None:
            g = member.geometry
            member.locations = np.array([g.centre(i) @ self._axis for i in range(len(g))])
        return member.locations

    def _guess(self, member: _Member) -> None:
        """A new member's Frame of Reference gets the automatic shift (extent centres aligned)
        relative to the first placed member, unless its Frame already has one."""
        if not self._linkable(member):
            return
        g = member.geometry
        assert g is not None and g.frame_of_reference_uid is not None
        if self._axis is None:
            self._axis = link_axis(g)
        frame = g.frame_of_reference_uid
        if frame in self._shifts:
            return
        first = next((m for m in self._members if m is not member and self._linkable(m)
                      and m.geometry is not None and m.geometry.frame_of_reference_uid in self._shifts), None)
        if first is None or first.geometry is None:
            self._shifts[frame] = 0.0
            return
        if not g.is_parallel_to(first.geometry):
            return
        reference = first.geometry.frame_of_reference_uid
        assert reference is not None
        self._shifts[frame] = (extent_centre(first.geometry, self._axis) + self._shifts[reference]
                               - extent_centre(g, self._axis))
        self.guessed.add(frame)

    def offset(self, a: ViewportState, b: ViewportState) -> float | None:
        """How far (mm, along the group's axis) b's slice locations lie from a's for the same
        anatomy: the location in b of what is at location x in a is x + offset. None when
        either is not linked by position."""
        ma, mb = self._member(a), self._member(b)
        if not (self._linkable(ma) and self._linkable(mb)):
            return None
        assert ma.geometry is not None and mb.geometry is not None
        fa, fb = ma.geometry.frame_of_reference_uid, mb.geometry.frame_of_reference_uid
        if fa not in self._shifts or fb not in self._shifts:
            return None
        assert fa is not None and fb is not None
        return self._shifts[fa] - self._shifts[fb]

    def set_offset(self, a: ViewportState, b: ViewportState, offset_mm: float) -> None:
        """b's Frame of Reference is shifted so that location x in a matches x + ``offset_mm``
        in b (see :meth:`offset`); a's Frame keeps its shift."""
        ma, mb = self._member(a), self._member(b)
        if not (self._linkable(ma) and self._linkable(mb)):
            raise ValueError("both viewports need placed, parallel slices to be linked by an offset")
        assert ma.geometry is not None and mb.geometry is not None
        fa, fb = ma.geometry.frame_of_reference_uid, mb.geometry.frame_of_reference_uid
        assert fa is not None and fb is not None
        if fa == fb:
            raise ValueError("the two viewports share a Frame of Reference: they link by position already")
        if fa not in self._shifts:
            self._shifts[fa] = 0.0
        self._shifts[fb] = self._shifts[fa] - float(offset_mm)
        self.guessed.discard(fb)

    def align(self, a: ViewportState, b: ViewportState) -> float:
        """The reader says a's and b's shown slices are the same anatomy: record that offset
        (b's slice location minus a's, mm) and return it."""
        ma, mb = self._member(a), self._member(b)
        if not (self._linkable(ma) and self._linkable(mb)):
            raise ValueError("both viewports need placed, parallel slices to be linked by an offset")
        offset = float(self._locations(mb)[b.image_index] - self._locations(ma)[a.image_index])
        self.set_offset(a, b, offset)
        return offset

    def sync_from(self, state: ViewportState) -> None:
        """Bring the other members to ``state``'s image (as if the reader had just scrolled it)."""
        self._changed(state, frozenset({"image_index"}))

    @property
    def states(self) -> tuple[ViewportState, ...]:
        return tuple(m.state for m in self._members)

    def follower_index(self, leader: ViewportState, follower: ViewportState) -> int | None:
        """The image a follower should show for the leader's current image (None: do not move)."""
        lead = next(m for m in self._members if m.state is leader)
        follow = next(m for m in self._members if m.state is follower)
        a, b = lead.geometry, follow.geometry
        if (
            a is not None and b is not None and a.frame_of_reference_uid
            and a.frame_of_reference_uid == b.frame_of_reference_uid
            and len(a) == leader.image_count and len(b) == follower.image_count
        ):
            if not a.is_parallel_to(b):
                return None
            return b.nearest_index(a.centre(leader.image_index))
        offset = self.offset(leader, follower) if a is not None and b is not None else None
        if offset is not None and a is not None and b is not None:
            if not a.is_parallel_to(b):
                return None
            wanted = self._locations(lead)[leader.image_index] + offset
            return int(np.argmin(np.abs(self._locations(follow) - wanted)))
        return follow.anchor + (leader.image_index - lead.anchor)

    #: States already moved in the change now spreading through all groups (None when idle):
    #: a chain a -> b -> c through several groups works, a cycle back to a stops.
    _wave: set[int] | None = None

    def _changed(self, source: ViewportState, names: frozenset[str]) -> None:
        if self._busy:
            return
        starts_wave = SyncGroup._wave is None
        if starts_wave:
            SyncGroup._wave = {id(source)}
        wave = SyncGroup._wave
        assert wave is not None
        self._busy = True
        try:
            for member in self._members:
                target = member.state
                if target is source or id(target) in wave:
                    continue
                changes: dict[str, Any] = {}
                if self.scroll and "image_index" in names:
                    index = self.follower_index(source, target)
                    if index is not None:
                        changes["image_index"] = index
                if self.window and names & {"window_center", "window_width", "invert", "colormap"}:
                    changes.update(window_center=source.window_center, window_width=source.window_width, invert=source.invert,
                                   colormap=source.colormap)
                if self.zoom_pan and names & {"zoom", "zoom_mode", "pan"}:
                    changes.update(zoom=source.zoom, zoom_mode=source.zoom_mode, pan=source.pan)
                if changes:
                    wave.add(id(target))
                    target.update(**changes)
            if "display_set_uid" in names or "image_count" in names:
                for member in self._members:
                    member.anchor = member.state.image_index
        finally:
            self._busy = False
            if starts_wave:
                SyncGroup._wave = None


# -- the grid ----------------------------------------------------------------------------------


class Layout:
    """The viewport grid: rows x columns (1x1 to 4x4), the active viewport, and one viewport
    maximised or none. Viewports are numbered row by row from 0; each has its own state.
    ``events`` tells listeners which of 'grid', 'active', 'maximised' changed."""

    def __init__(self, rows: int = 1, columns: int = 1):
        self.events = Events()
        self._viewports: list[ViewportState] = []
        self._rows = self._columns = 1
        self._active = 0
        self._maximised: int | None = None
        self._resize(rows, columns)

    @staticmethod
    def _check(rows: int, columns: int) -> None:
        if not (1 <= rows <= MAX_GRID and 1 <= columns <= MAX_GRID):
            raise ValueError(f"a layout has 1 to {MAX_GRID} rows and columns, got {rows}x{columns}")

    def _resize(self, rows: int, columns: int) -> None:
        self._check(rows, columns)
        self._rows, self._columns = rows, columns
        count = rows * columns
        while len(self._viewports) < count:
            self._viewports.append(ViewportState())
        del self._viewports[count:]
        if self._active >= count:
            self._active = 0
        if self._maximised is not None and self._maximised >= count:
            self._maximised = None

    def set_grid(self, rows: int, columns: int) -> None:
        """Change the grid; viewports keep their state in reading order, extra ones are dropped."""
        before = (self._rows, self._columns, self._active, self._maximised)
        self._resize(rows, columns)
        names = {"grid"} if before[:2] != (rows, columns) else set()
        if before[2] != self._active:
            names.add("active")
        if before[3] != self._maximised:
            names.add("maximised")
        if names:
            self.events.emit(frozenset(names))

    @property
    def grid(self) -> tuple[int, int]:
        return (self._rows, self._columns)

    @property
    def viewports(self) -> tuple[ViewportState, ...]:
        return tuple(self._viewports)

    def viewport(self, index: int) -> ViewportState:
        return self._viewports[index]

    def cell(self, index: int) -> tuple[int, int]:
        """(row, column) of viewport ``index`` in the grid."""
        return divmod(index, self._columns)

    @property
    def active(self) -> int:
        return self._active

    @property
    def active_viewport(self) -> ViewportState:
        return self._viewports[self._active]

    def activate(self, index: int) -> None:
        if not 0 <= index < len(self._viewports):
            raise IndexError(f"no viewport {index} in a {self._rows}x{self._columns} layout")
        if index != self._active:
            self._active = index
            self.events.emit(frozenset({"active"}))

    @property
    def maximised(self) -> int | None:
        return self._maximised

    def toggle_maximise(self, index: int | None = None) -> None:
        """Maximise viewport ``index`` (default: the active one), or restore the grid if it is."""
        index = self._active if index is None else index
        if not 0 <= index < len(self._viewports):
            raise IndexError(f"no viewport {index} in a {self._rows}x{self._columns} layout")
        names = {"maximised"}
        self._maximised = None if self._maximised == index else index
        if index != self._active:
            self._active = index
            names.add("active")
        self.events.emit(frozenset(names))

    def visible(self) -> tuple[int, ...]:
        """Indices of the viewports on screen: the maximised one alone, or all."""
        if self._maximised is not None:
            return (self._maximised,)
        return tuple(range(len(self._viewports)))

    def assign(self, index: int, display_set_uid: str | None, image_count: int = 1, *, image_index: int = 0, cine_fps: float | None = None) -> None:
        """Show a display set in viewport ``index`` (dropping a series onto it)."""
        self._viewports[index].show(display_set_uid, image_count, image_index=image_index, cine_fps=cine_fps)

    def display_sets(self) -> tuple[str | None, ...]:
        """Which display set each viewport shows, in viewport order."""
        return tuple(v.display_set_uid for v in self._viewports)

    def __iter__(self) -> Iterator[ViewportState]:
        return iter(self._viewports)


@contextmanager
def linked(states: Sequence[ViewportState], geometries: Sequence[StackGeometry | None] | None = None, **options: bool) -> Iterator[SyncGroup]:
    """Link states for the duration of a ``with`` block (convenient in scripts and tests)."""
    group = SyncGroup(**options)
    for n, state in enumerate(states):
        group.add(state, geometries[n] if geometries else None)
    try:
        yield group
    finally:
        for state in states:
            group.remove(state)


__all__ = [
    "AreaView",
    "DEFAULT_CINE_FPS",
    "FIT",
    "MAX_GRID",
    "PIXELS",
    "Events",
    "Layout",
    "SyncGroup",
    "ViewportState",
    "default_cine_fps",
    "extent_centre",
    "fit_displayed_area",
    "link_axis",
    "linked",
    "rotation_matrix",
]
