"""One open study: the series browser beside the viewport grid, and everything that links them.

Headers (WADO-RS metadata, PS3.18 10.4.1.1.2, or the library's copy) are known before pixels, so
the display sets, their geometry, linked scrolling and reference lines are ready at once; each
display set shown is then loaded once by a :class:`~workstation.net.series_loader.SeriesLoader`
(a :class:`SharedLoad`, shared by every viewport that shows it), the shown image first and the
rest nearest-first, re-prioritised when the reader jumps. The current study always comes first: a
prior's display set shown beside it (a hanging protocol's comparison stage) starts loading only
once every viewport of the current study shows its first image (:meth:`StudyView.start_load`).
Loader callbacks arrive on worker threads and are carried to the UI thread by queued signals.

Linking follows the Frame of Reference (PS3.3 C.7.4.1): viewports that share one scroll
together by patient position (:class:`~workstation.model.viewport.SyncGroup`), show the active
image's reference line (:func:`~workstation.model.spatial.reference_line`), and jump to a point
picked with the 3D cursor (:meth:`~workstation.model.spatial.StackGeometry.locate`).
Presentation states (PS3.3 A.33, C.11) are applied to the images they reference.
Closing the study cancels every transfer it still has running.

Opening stays quick: a display set's geometry (:class:`~workstation.model.spatial.StackGeometry`)
is worked out only when a viewport needs it (another viewport of the same Frame of Reference to
link with or draw a reference line on, or the 3D cursor); arriving slices only mark themselves,
and the series browser's counts, thumbnails and the status bar's progress are brought up to date
at most every :data:`PROGRESS_INTERVAL_MS`, so a slice costs the UI thread little beyond its own
drawing. Only the active viewport draws at screen rate; the others (linked scrolling, reference
lines) draw once the reader pauses (``ViewportWidget.follower_delay_ms``).
"""

from __future__ import annotations

import gc
import logging
import math
import textwrap
import time
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from pydicom.dataset import Dataset
from PySide6.QtCore import QObject, Qt, QTimer, Signal, Slot
from PySide6.QtWidgets import QHBoxLayout, QWidget

from workstation.errors import StoreError, WorkstationError
from workstation.model.displayset import DisplaySet
from workstation.model.foreground import FOREGROUND
from workstation.model.image_plane import ImagePlane
from workstation.model.presentation_state import (
    DisplayParameters,
    PresentationState,
    find_presentation_states,
)
from workstation.model.presets import WindowPreset, available_presets, preset_for_key
from workstation.model.sop_classes import DisplaySetKind
from workstation.model.spatial import StackGeometry, reference_line
from workstation.model.viewport import SyncGroup, ViewportState, fit_displayed_area
from workstation.net.series_loader import SeriesLoader
from workstation.ui.segment_overlays import OVERLAY_KINDS, SegmentOverlays
from workstation.ui.series_browser import SeriesBrowser, image_count
from workstation.ui.tasks import LoaderBridge
from workstation.ui.viewport_grid import ViewportGrid, ViewportSlot

log = logging.getLogger(__name__)

#: How often (at most) the loading progress and thumbnails are brought up to date, in ms.
PROGRESS_INTERVAL_MS = 150
#: How long a viewport that is not the active one waits after a change in it (a linked scroll, a
#: reference line, an arriving slice) before it draws, in ms (its ``follower_delay_ms``); changes
#: coming meanwhile join that frame, so it draws at most this often: a linked prior keeps up
#: within a frame or two of fast scrolling (it waited for the scrolling to stop before: about a
#: second behind). Defined here, not imported from ui.viewport, so that VTK is not imported at start-up.
FOLLOWER_DELAY_MS = 40
#: Arriving images are handed to the viewports for at most this long per event-loop turn (the
#: rest wait for the next turn, the image on screen first), in seconds: a burst of arrivals never
#: holds up a frame of the reader's scrolling.
ARRIVAL_BUDGET_S = 0.004
#: Thumbnails (tens of ms each on the UI thread) wait until the reader has not scrolled for
#: this long, in seconds.
THUMBNAIL_QUIET_S = 0.3


def default_grid(image_sets: int) -> tuple[int, int]:
    """A first layout for a study with this many image display sets (at most 2x3 to start)."""
    if image_sets <= 1:
        return (1, 1)
    if image_sets == 2:
        return (1, 2)
    if image_sets <= 4:
        return (2, 2)
    return (2, 3)


def first_shown_index(display_set: DisplaySet) -> int:
    """The image a viewport shows first (and loads first): the middle of a stack, the first
    frame of a multi-frame image."""
    return image_count(display_set) // 2 if display_set.kind is not DisplaySetKind.MULTIFRAME else 0


def qc_gaps(display_set: DisplaySet) -> list[tuple[int, str]]:
    """Error-level QC findings at a place in the stack, for the scroll bar: (index of the image
    before the gap, sentence) for each "slices missing" warning of the display set, graded as
    QC grades it (:data:`workstation.qc.series_checks.WARNING_SEVERITY`)."""
    from workstation.model.image_warning import WarningCode
    from workstation.qc.findings import Severity
    from workstation.qc.series_checks import WARNING_SEVERITY

    index = {str(uid): i for i, (uid, _frame) in enumerate(display_set.frames)}
    out = []
    for warning in display_set.warnings:
        if warning.code is not WarningCode.MISSING_SLICES or WARNING_SEVERITY.get(warning.code) is not Severity.ERROR:
            continue
        places = sorted(index[u] for u in warning.instances if u in index)
        if places:
            out.append((places[0], warning.sentence))
    return out


def stack_geometry(display_set: DisplaySet, headers: Sequence[Dataset | None]) -> StackGeometry | None:
    """The planes of a display set in display order, or None when its images are not placed;
    its Frame of Reference is the display set's (model.frame_of_reference)."""
    try:
        if display_set.volume is not None:
            return StackGeometry.from_display_set(display_set, display_set.frame_of_reference_uid)
        if display_set.kind is DisplaySetKind.STACK and headers and all(h is not None for h in headers):
            geometry = StackGeometry.from_headers([h for h in headers if h is not None],
                                                  frame_of_reference_uid=display_set.frame_of_reference_uid)
            return geometry if len(geometry) == len(headers) else None
    except (WorkstationError, ValueError, KeyError, TypeError):
        return None
    return None


def _functional_window(renderer: Any) -> tuple[float, float]:
    """The (low, high) a fused PET is coloured over: the PET viewport's window in its shown unit
    (SUV when it has one), else 0-5."""
    window = renderer.current_window()
    if window is None:
        return (0.0, 5.0)
    centre, width = window
    factor = renderer.suv_factor or 1.0
    return ((centre - width / 2.0) * factor, (centre + width / 2.0) * factor)


def keep_out_of_collections() -> None:
    """Move every object alive now (a study's headers: tens of thousands of pydicom objects) out
    of the cyclic garbage collector's reach (``gc.freeze``): a full collection that walks them all
    takes 100 ms or more, a frame that stalls while the reader scrolls. Objects freed by their
    reference counts are freed as before; cycles among frozen objects wait for
    :func:`release_to_collections` (closing a study)."""
    gc.freeze()


def release_to_collections() -> None:
    """Hand the frozen objects back to the collector (``gc.unfreeze``), e.g. when a study closes."""
    gc.unfreeze()


class SharedLoad(QObject):
    """The load of one display set, shared by every viewport of the study that shows it.

    A hanging protocol often shows one series twice (a CT head in a brain and a bone window):
    its instances are fetched, kept, decoded and held once, and each arriving image goes to
    every member viewport (the stored arrays are shared, never copied). A viewport that joins a
    load already under way gets what arrived so far at once. The load is cancelled when its last
    viewport leaves it.
    """

    #: The load ended: all its images arrived (or failed), or it was cancelled.
    ended = Signal()

    def __init__(self, view: StudyView, display_set: DisplaySet, focus: int) -> None:
        super().__init__(view)
        self.view = view
        self.display_set = display_set
        self.members: list[ViewportBinding] = []
        self.images: dict[int, tuple[Any, Any]] = {}  # display index -> (stored, header)
        self.errors: dict[int, str] = {}
        self.load_error: str | None = None
        self.done = False
        self.started = False  # a prior's load may be held back (see StudyView.start_load)
        self._arrivals: deque[tuple[int, Any, Any]] = deque()  # waiting to be handed over
        self._finishing = False
        self._drain_timer = QTimer(self)
        self._drain_timer.setSingleShot(True)
        self._drain_timer.setInterval(0)
        self._drain_timer.timeout.connect(self._drain)
        self.bridge = LoaderBridge(self)
        self.loader = SeriesLoader.for_display_set(
            display_set, archive=view.archive, library=view.library, decoder=view.decoder, focus=focus,
            on_image=self.bridge.on_image, on_error=self.bridge.on_error, on_done=self.bridge.on_done,
        )
        self.bridge.image.connect(self._image, Qt.ConnectionType.QueuedConnection)
        self.bridge.error.connect(self._error, Qt.ConnectionType.QueuedConnection)
        self.bridge.done.connect(self._done, Qt.ConnectionType.QueuedConnection)

    @property
    def is_prior(self) -> bool:
        """Whether this load is of another study than the view's own (a prior shown beside it)."""
        return self.display_set.study_uid != self.view.study.study_uid

    def start(self) -> None:
        if not self.started:
            self.started = True
            self.loader.start()

    @property
    def loading(self) -> bool:
        return not self.done and not self.loader.cancelled

    def join(self, binding: ViewportBinding) -> None:
        """``binding`` shows this display set from now on: what arrived so far is handed over."""
        if binding in self.members:
            return
        self.members.append(binding)
        for index, (stored, header) in list(self.images.items()):
            binding.image_arrived(index, stored, header)
        for index, message in list(self.errors.items()):
            binding.image_failed(index, message)
        if self.load_error is not None:
            binding.image_failed(None, self.load_error)
        if self.done:
            binding.load_finished()

    def leave(self, binding: ViewportBinding) -> None:
        """``binding`` no longer shows it; the last one to leave cancels the load."""
        if binding in self.members:
            self.members.remove(binding)
        if not self.members:
            self.cancel()

    def cancel(self) -> None:
        """Stop the transfers; no member hears of this load again."""
        self.loader.cancel()
        self.bridge.detach()
        self._drain_timer.stop()
        self._arrivals.clear()
        self.members.clear()
        self.images.clear()
        self.view.forget_load(self)
        self.ended.emit()
        self.deleteLater()  # no callback comes after the loader's cancel()

    def set_focus(self, binding: ViewportBinding, index: int) -> None:
        """A member moved to ``index``: the load follows the active viewport (or the only one)."""
        active = self.view.active_or_none()
        if len(self.members) == 1 or binding is active or active not in self.members:
            self.loader.set_focus(index)

    @Slot(int, object, object)
    def _image(self, index: int, stored: Any, header: Any) -> None:
        if self.sender() is not self.bridge:
            return
        self._arrivals.append((index, stored, header))
        if not self._drain_timer.isActive():
            self._drain_timer.start()

    def _drain(self) -> None:
        """Hand waiting arrivals to the members: an image a member shows now first, then in
        arrival order, for at most :data:`ARRIVAL_BUDGET_S` (at least one)."""
        queue = self._arrivals
        deadline = time.perf_counter() + ARRIVAL_BUDGET_S
        shown = {b.state.image_index for b in self.members}
        while queue:
            at = next((k for k, item in enumerate(queue) if item[0] in shown), 0) if shown else 0
            index, stored, header = queue[at]
            del queue[at]
            self.images[index] = (stored, header)
            for binding in list(self.members):
                binding.image_arrived(index, stored, header)
            if time.perf_counter() >= deadline:
                break
        if queue:
            self._drain_timer.start()
        elif self._finishing:
            self._finish()

    @Slot(object, str)
    def _error(self, index: int | None, message: str) -> None:
        if self.sender() is not self.bridge:
            return
        if index is None:
            self.load_error = message
        else:
            self.errors[index] = message
        for binding in list(self.members):
            binding.image_failed(index, message)

    @Slot()
    def _done(self) -> None:
        if self.sender() is not self.bridge:
            return
        self._finishing = True  # done once every waiting image is handed over
        if not self._arrivals:
            self._finish()

    def _finish(self) -> None:
        keep_out_of_collections()
        self._finishing = False
        self.done = True
        for binding in list(self.members):
            binding.load_finished()
        self.ended.emit()


class ViewportBinding(QObject):
    """What one viewport slot shows and the load that fills it."""

    def __init__(self, view: StudyView, slot: ViewportSlot) -> None:
        super().__init__(view)
        self.view = view
        self.slot = slot
        self.display_set: DisplaySet | None = None
        self.shared: SharedLoad | None = None
        self.headers: list[Dataset | None] = []
        self._geometry: StackGeometry | None = None
        self._geometry_known = True
        self.errors: dict[int, str] = {}
        self.arrived: set[int] = set()
        self.load_error: str | None = None
        self.presentation: DisplayParameters | None = None
        self.reference_lines: list[Any] = []  # what this viewport was last asked to draw
        self.cine = QTimer(self)
        self.cine.timeout.connect(self._cine_step)
        self._message_shown = False
        slot.viewport.index_changed.connect(self._focus)
        slot.viewport.point_picked.connect(lambda point: view.cursor_picked(self, point))
        self.state.events.connect(self._state_changed)

    @property
    def viewport(self) -> Any:
        return self.slot.viewport

    @property
    def state(self) -> ViewportState:
        state: ViewportState = self.slot.viewport.state
        return state

    @property
    def count(self) -> int:
        return image_count(self.display_set) if self.display_set is not None else 0

    @property
    def loader(self) -> SeriesLoader | None:
        """The load that fills this viewport (shared with the study's other viewports showing
        the same display set), or None."""
        return self.shared.loader if self.shared is not None else None

    @property
    def loading(self) -> bool:
        return self.shared is not None and self.shared.loading

    @property
    def geometry(self) -> StackGeometry | None:
        """The planes of the shown display set (worked out on first use), or None."""
        if not self._geometry_known:
            ds = self.display_set
            self._geometry = stack_geometry(ds, self.headers) if ds is not None and ds.kind.is_image else None
            self._geometry_known = True
        return self._geometry

    def forget_geometry(self) -> None:
        """The display set changed: its geometry is worked out again when next needed."""
        self._geometry, self._geometry_known = None, False

    @property
    def frame_of_reference(self) -> str | None:
        """The Frame of Reference UID (PS3.3 C.7.4.1) the shown images are linked by: the
        display set's (one per display set, see model.frame_of_reference; no geometry needed);
        None for documents, unplaced images and images of several frames that do not form one."""
        ds = self.display_set
        if ds is None or not ds.kind.is_image:
            return None
        return ds.frame_of_reference_uid

    def header(self, index: int | None = None) -> Dataset | None:
        index = self.state.image_index if index is None else index
        return self.headers[index] if 0 <= index < len(self.headers) else None

    # -- loading ------------------------------------------------------------------------------

    def load(self, shared: SharedLoad) -> None:
        """Show the images of ``shared`` as they arrive (those already here at once)."""
        self.shared = shared
        shared.join(self)

    def stop(self) -> None:
        """Leave the load (no callback comes after this; the last viewport of a load cancels
        it) and stop cine."""
        self.cine.stop()
        shared, self.shared = self.shared, None
        if shared is not None:
            shared.leave(self)
        self.errors.clear()
        self.arrived.clear()
        self.load_error = None
        self.presentation = None
        self.slot.set_annotations([])
        self.slot.document.close_document()

    def image_arrived(self, index: int, stored: Any, header: Any) -> None:
        """An image of the shown display set arrived (from :class:`SharedLoad`)."""
        if self.display_set is None:
            return
        try:
            frames = self.display_set.frames
            frame = frames[index][1] - 1 if 0 <= index < len(frames) else 0
            self.viewport.set_image(index, stored, header, frame)
        except (WorkstationError, IndexError, ValueError) as exc:
            self.image_failed(index, str(exc))
            return
        self.arrived.add(index)
        if index == self.state.image_index:
            if self._message_shown:
                self._set_message("")
            self.view.release_held_loads()
        if index == len(self.headers) // 2:
            self.view.offer_thumbnail(self.display_set.uid, stored, header, best=True)
        elif not self.view.browser.has_thumbnail(self.display_set.uid):
            self.view.offer_thumbnail(self.display_set.uid, stored, header, best=False)
        self.view.loading_changed(self)

    def image_failed(self, index: int | None, message: str) -> None:
        """An image (``index``) or the whole load (``None``) failed, in one sentence."""
        if index is None:
            self.load_error = message
            self._set_message(message)
        else:
            self.errors[index] = message
            self.viewport.mark_failed(index)
            if index == self.state.image_index:
                self._set_message(message)
        self.view.release_held_loads()
        if index is None or not any(b.load_error for b in self.view.bindings):
            # once a load has stopped (the archive gone), that sentence stays in the status bar
            # rather than being replaced by the single images other loads fail on
            self.view.status.emit(message)
        self.view.loading_changed(self)

    def load_finished(self) -> None:
        self.view.release_held_loads()
        self.view.loading_changed(self)
        self.view.fusion_source_ready(self)

    def _set_message(self, text: str) -> None:
        self._message_shown = bool(text)
        columns = max(24, self.viewport.width() // 9)  # the overlay font is about 9 pixels wide
        self.viewport.set_message(textwrap.fill(text, columns) if text else "")

    # -- reacting to the reader ----------------------------------------------------------------

    def _focus(self, index: int) -> None:
        if self.shared is not None:
            self.shared.set_focus(self, index)

    def _state_changed(self, names: frozenset[str]) -> None:
        if "image_index" not in names or self.display_set is None:
            return
        index = self.state.image_index
        self._focus(index)
        if index in self.errors:
            self._set_message(self.errors[index])
        elif self._message_shown and self.load_error is None:
            self._set_message("")
        self.view.index_moved(self)

    def _cine_step(self) -> None:
        self.state.next_cine_frame()

    def play(self, on: bool) -> None:
        if on and self.count > 1:
            self.cine.start(max(1, round(1000.0 / self.state.cine_fps)))
            self.state.cine_playing = True
        else:
            self.cine.stop()
            self.state.cine_playing = False

    def set_fps(self, fps: float) -> None:
        self.state.cine_fps = fps
        if self.cine.isActive():
            self.cine.setInterval(max(1, round(1000.0 / fps)))


class StudyView(QWidget):
    """The series browser and the viewport grid of one study.

    ``library`` is the local library (read first, fetched instances kept there); ``archive`` the
    DICOMweb client to fetch missing instances from, or None to read offline. ``decoder`` is the
    application's shared decoder pool. ``make_viewport`` builds a 2D viewport widget.
    """

    status = Signal(str)
    progress = Signal()  # loading progress changed: ask loading_summary()
    active_changed = Signal()
    #: Once: every viewport of the current study shows its first image (or has said why not);
    #: work that can wait (the prior search, priors' loads) starts then.
    first_images_shown = Signal()

    def __init__(
        self,
        study: Any,
        display_sets: list[DisplaySet],
        headers: Sequence[Dataset],
        *,
        library: Any,
        archive: Any | None,
        decoder: Any | None,
        make_viewport: Callable[[], Any],
        grid: tuple[int, int] | None = None,
        hanging: Sequence[str] | None = None,
    ) -> None:
        super().__init__()
        self.study = study
        self.display_sets = list(display_sets)
        self.library = library
        self.archive = archive
        self.decoder = decoder
        self._by_uid = {ds.uid: ds for ds in self.display_sets}
        self._headers: dict[str, Dataset] = {}
        for header in headers:
            uid = str(header.get("SOPInstanceUID", "") or "")
            if uid:
                self._headers[uid] = header
        self._presentations = find_presentation_states(headers)
        self._states_by_uid: dict[str, PresentationState] = {
            ps.sop_instance_uid: ps for states in self._presentations.values() for ps in states
        }
        self.reference_lines = True
        self._reformat_planes: dict[str, ImagePlane] = {}  # an MPR's planes (set_reformat_planes)
        self._reformat_frame: str | None = None
        self.link_scroll = True
        self._groups: dict[str, SyncGroup] = {}
        self._bindings: dict[ViewportSlot, ViewportBinding] = {}
        self._loads: dict[str, SharedLoad] = {}  # display set UID -> its one load
        self._held: list[SharedLoad] = []  # priors' loads waiting (see start_load)
        self._first_images_said = False
        self._built = False  # first_images_shown is said only once the view is built
        self._closed = False
        self._ready = False
        # Loading progress and thumbnails, brought up to date together (see PROGRESS_INTERVAL_MS).
        self._changed_loads: set[ViewportBinding] = set()
        self._thumbnails: dict[str, tuple[Any, Dataset, bool]] = {}  # uid -> (pixels, header, best)
        self._last_scroll = 0.0  # time.monotonic() of the last image change
        self._progress_timer = QTimer(self)
        self._progress_timer.setSingleShot(True)
        self._progress_timer.setInterval(PROGRESS_INTERVAL_MS)
        self._progress_timer.timeout.connect(self.flush_progress)

        self._fusions: list[tuple[ViewportBinding, ViewportBinding]] = []  # (target, PET source): see fuse
        self._fusion_opacity = 0.5
        self.overlays = SegmentOverlays(self, self._renderers, self.read_instance, self._active_renderer,
                                        lambda: [b.slot.reformat for b in self._bindings.values() if b.slot.reformat is not None])
        self.overlays.status.connect(self.status)
        self.browser = SeriesBrowser(self.display_sets)
        self.browser.chosen.connect(self.show_in_active)
        self.grid = ViewportGrid(make_viewport, self.read_instance)
        self.grid.slot_added.connect(self._slot_added)
        self.grid.slot_removed.connect(self._slot_removed)
        self.grid.active_changed.connect(self._active_changed)
        self.grid.build()
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.browser)
        layout.addWidget(self.grid, 1)

        images = [ds for ds in self.display_sets if ds.kind.is_image]
        rows, columns = grid or default_grid(len(images) or 1)
        self.grid.set_grid(rows, columns)
        self._ready = True
        if hanging is not None:  # a hanging protocol's stage: one display set UID per slot, "" = empty
            for slot, uid in zip(self.grid.slots, hanging, strict=False):
                if uid:
                    self.show_in_slot(slot.index, uid)
            keep_out_of_collections()
            self._built = True
            return
        order = images + [ds for ds in self.display_sets if not ds.kind.is_image and ds.kind in (DisplaySetKind.SR, DisplaySetKind.PDF)]
        for slot, ds in zip(self.grid.slots, order, strict=False):
            self.show_in_slot(slot.index, ds.uid)
        self._fill_empty()
        keep_out_of_collections()
        self._built = True

    # -- slots of the grid --------------------------------------------------------------------

    def _slot_added(self, slot: ViewportSlot) -> None:
        if hasattr(slot.viewport, "follower_delay_ms"):
            # only the active viewport draws at screen rate; linked ones when the reader pauses
            slot.viewport.follower_delay_ms = FOLLOWER_DELAY_MS
        self._bindings[slot] = ViewportBinding(self, slot)
        slot.dropped.connect(self.show_in_slot)

    def _fill_empty(self) -> None:
        """Empty viewports (after the grid grew) get the image display sets not shown yet."""
        shown = {b.display_set.uid for b in self._bindings.values() if b.display_set is not None}
        spare = [ds for ds in self.display_sets if ds.kind.is_image and ds.uid not in shown]
        for binding in self.bindings:
            if binding.display_set is not None:
                continue
            if spare:
                self.show_in_slot(binding.slot.index, spare.pop(0).uid)
            else:
                binding.viewport.set_message(self.tr("Drag a series here from the list on the left."))

    def add_display_sets(self, display_sets: Sequence[DisplaySet], headers: Sequence[Dataset], *, heading: str = "") -> None:
        """Make another study's display sets (a prior, for comparison) showable in this view's
        viewports; they are fetched from the same archive and library, and listed in the series
        browser under ``heading`` (to drag onto a viewport)."""
        new = [ds for ds in display_sets if ds.uid not in self._by_uid]
        for ds in display_sets:
            self._by_uid.setdefault(ds.uid, ds)
        if new:
            self.browser.add_display_sets(new, heading or self.tr("Other study"))
        for header in headers:
            uid = str(header.get("SOPInstanceUID", "") or "")
            if uid:
                self._headers.setdefault(uid, header)

    # -- PET/CT fusion ------------------------------------------------------------------------------
    def fuse(self, target: ViewportBinding, source: ViewportBinding, opacity: float = 0.5) -> None:
        """Blend ``source``'s images (a PET, in SUV when it has one) over ``target``'s, resampled
        on its grid (model.fusion), once the source's images are all here."""
        self._fusions = [(t, s) for t, s in self._fusions if t is not target]
        self._fusions.append((target, source))
        self._fusion_opacity = opacity
        if source.loader is None or not source.loading:
            self.fusion_source_ready(source)

    def fusion_source_ready(self, source: ViewportBinding) -> None:
        """``source`` finished loading: the fusions waiting for it are drawn."""
        for target, wanted in list(self._fusions):
            if wanted is not source:
                continue
            source_renderer = getattr(source.viewport, "renderer", None)
            target_renderer = getattr(target.viewport, "renderer", None)
            if source_renderer is None or target_renderer is None or not source_renderer.measured_images():
                continue
            window = _functional_window(source_renderer)
            try:
                target_renderer.set_fusion(source_renderer.fusion_source(), window=window,
                                           colormap="hot_iron", opacity=self._fusion_opacity)
            except WorkstationError as exc:
                self.status.emit(str(exc))
                continue
            target.viewport.render_now()

    def fusion_opacity_step(self, step: float) -> None:
        """Change the active viewport's fusion opacity by ``step`` (0-1)."""
        renderer = getattr(self.active.viewport, "renderer", None)
        source, window, colormap, opacity = getattr(renderer, "fusion", (None, (0, 1), "", 0.5))
        if renderer is None or source is None:
            self.status.emit(self.tr("The active viewport shows no fusion."))
            return
        renderer.set_fusion(source, opacity=opacity + step)
        self.active.viewport.render_now()
        self.status.emit(self.tr("Fusion opacity {0:.0f}%").format(renderer.fusion[3] * 100))

    def _renderers(self) -> list[tuple[Any, Any]]:
        """(viewport, its SliceRenderer) of every 2D viewport (for the segment overlays)."""
        return [(b.viewport, b.viewport.renderer) for b in self._bindings.values()
                if b.viewport is not None and hasattr(b.viewport, "renderer") and hasattr(b.viewport.renderer, "set_segmentations")]

    def _active_renderer(self) -> Any:
        viewport = self.active.viewport if self._bindings else None
        return getattr(viewport, "renderer", None)

    def header_of(self, sop_instance_uid: str) -> Dataset | None:
        """The header of an instance this view can show (its study's or a prior's added with
        :meth:`add_display_sets`), or None."""
        return self._headers.get(sop_instance_uid)

    def clear_slot(self, index: int, message: str = "") -> None:
        """Leave slot ``index`` empty (its load stopped), with ``message`` saying why."""
        if self._closed or not 0 <= index < len(self.grid.slots):
            return
        binding = self._bindings[self.grid.slots[index]]
        binding.stop()
        self._unlink(binding)
        binding.display_set = None
        binding.headers = []
        binding.forget_geometry()
        binding.slot.show_viewport()
        binding.viewport.show_display_set(None, self.study, 0, [])
        binding._set_message(message)
        self.release_held_loads()
        self._update_reference_lines()
        self.progress.emit()

    def _slot_removed(self, slot: ViewportSlot) -> None:
        binding = self._bindings.pop(slot, None)
        if binding is not None:
            binding.stop()
            self._unlink(binding)
            binding.display_set = None
            binding.deleteLater()
        slot.clear_reformat()
        slot.viewport.close()  # frees its render window (OpenGL context) now
        if not self._closed:
            self.release_held_loads()
        self.progress.emit()

    @property
    def bindings(self) -> list[ViewportBinding]:
        return [self._bindings[s] for s in self.grid.slots if s in self._bindings]

    def binding(self, index: int) -> ViewportBinding:
        return self._bindings[self.grid.slots[index]]

    @property
    def active(self) -> ViewportBinding:
        return self._bindings[self.grid.active_slot]

    @property
    def loaders(self) -> list[SeriesLoader]:
        """The loads running for the viewports, one per display set shown."""
        out: list[SeriesLoader] = []
        for binding in self.bindings:
            loader = binding.loader
            if loader is not None and loader not in out:
                out.append(loader)
        return out

    def active_or_none(self) -> ViewportBinding | None:
        slots = self.grid.slots
        return self._bindings.get(self.grid.active_slot) if slots and 0 <= self.grid.active < len(slots) else None

    def forget_load(self, shared: SharedLoad) -> None:
        """``shared`` was cancelled: the next viewport to show its display set starts afresh."""
        if self._loads.get(shared.display_set.uid) is shared:
            del self._loads[shared.display_set.uid]
        if shared in self._held:
            self._held.remove(shared)

    # -- the current study first ---------------------------------------------------------------

    def current_first_images_pending(self) -> bool:
        """Whether a viewport of this study (not a prior) still waits for the image it shows:
        its load runs and that image has neither arrived nor failed."""
        uid = self.study.study_uid
        for binding in self.bindings:
            ds, shared = binding.display_set, binding.shared
            if ds is None or not ds.kind.is_image or ds.study_uid != uid or shared is None:
                continue
            if not shared.loading or binding.load_error is not None:
                continue
            index = binding.state.image_index
            if index not in binding.arrived and index not in binding.errors:
                return True
        return False

    def start_load(self, shared: SharedLoad) -> None:
        """Start ``shared``; a prior's load waits (:attr:`held_loads`) until every viewport of
        the current study shows its first image, so the current study always comes first
        (issue 5: priors never compete with the study being read)."""
        if shared.is_prior and self.current_first_images_pending():
            if shared not in self._held:
                self._held.append(shared)
            return
        shared.start()

    @property
    def first_images_were_shown(self) -> bool:
        """Whether :attr:`first_images_shown` was said."""
        return self._first_images_said

    @property
    def held_loads(self) -> list[SharedLoad]:
        """Priors' loads waiting for the current study's first images."""
        return list(self._held)

    def release_held_loads(self) -> None:
        """Start the priors' loads held back, once the current study's viewports show their
        first images (and say :attr:`first_images_shown`, once)."""
        if self._closed or (not self._held and self._first_images_said) or self.current_first_images_pending():
            return
        held, self._held = self._held, []
        for shared in held:
            shared.start()
        if not self._first_images_said and self._built:
            self._first_images_said = True
            self.first_images_shown.emit()

    # -- showing display sets ------------------------------------------------------------------

    def show_in_active(self, uid: str) -> None:
        self.show_in_slot(self.grid.active, uid)

    def show_in_slot(self, index: int, uid: str) -> None:
        """Show display set ``uid`` in slot ``index`` (a drop from the browser, or Enter)."""
        if self._closed or not 0 <= index < len(self.grid.slots):
            return
        ds = self._by_uid.get(uid)
        if ds is None:
            return
        if ds.kind in OVERLAY_KINDS:  # drawn over the images it lies on, not in a viewport of its own
            self.overlays.show(ds)
            return
        binding = self._bindings[self.grid.slots[index]]
        forced: PresentationState | None = None
        if ds.kind is DisplaySetKind.PRESENTATION_STATE:
            forced = self._states_by_uid.get(ds.sop_instance_uids[0] if ds.sop_instance_uids else "")
            target = self._image_set_for(forced) if forced is not None else None
            if target is None:
                self.status.emit(self.tr("This presentation state refers to no image of this study, so there is nothing to apply it to."))
                return
            ds = target
        binding.stop()
        self._unlink(binding)
        binding.display_set = ds
        slot = binding.slot
        if not ds.kind.is_image:
            binding.headers = []
            binding.forget_geometry()
            slot.show_document()
            slot.document.show_display_set(ds)
            self._update_reference_lines()
            return
        slot.show_viewport()
        count = image_count(ds)
        binding.headers = [self._headers.get(uid) for uid, _frame in ds.frames] or [None]
        binding.forget_geometry()
        binding.viewport.set_message("")
        binding._message_shown = False
        binding.viewport.show_display_set(ds, self.study, count, binding.headers)
        if self.overlays.overlays and hasattr(binding.viewport, "renderer"):
            self.overlays.apply(binding.viewport, binding.viewport.renderer)
        if hasattr(binding.viewport, "set_gaps"):
            binding.viewport.set_gaps(qc_gaps(ds))
        focus = first_shown_index(ds)
        binding.state.image_index = focus
        self._apply_presentation(binding, forced)
        shared = self._loads.get(ds.uid)
        fresh = shared is None
        if shared is None:
            shared = self._loads[ds.uid] = SharedLoad(self, ds, focus)
        binding.load(shared)
        if fresh:
            self.start_load(shared)
        self.release_held_loads()  # a current viewport may have been replaced by a prior's
        self._link(binding)
        self._update_reference_lines()
        self.progress.emit()

    def show_plane_in_slot(self, index: int, uid: str, plane: str, preset: str = "", point: Any = None) -> Any:
        """A real reformat in slot ``index``: plane ``plane`` (axial, coronal, sagittal) of the
        volume display set ``uid``, as a hanging protocol's MPR viewport asks
        (:mod:`workstation.ui.plane_pane`); the slot's 2D viewport is left empty meanwhile.
        ``point`` (Frame of Reference UID, LPS point) puts the crosshair at the reader's place
        when the volume is in that Frame of Reference.
        Returns the pane, or None when the display set is not a volume."""
        from workstation.ui.plane_pane import open_plane_pane

        ds = self._by_uid.get(uid)
        if self._closed or ds is None or not ds.is_volume or not 0 <= index < len(self.grid.slots):
            return None
        self.clear_slot(index)
        binding = self._bindings[self.grid.slots[index]]
        headers = {u: h for u in dict.fromkeys(u for u, _ in ds.frames) if (h := self._headers.get(u)) is not None}
        shared = self._loads.get(uid)
        # A viewport loading the same series first: the pane reads its images once they are
        # here (from the library), never a second download beside that one.
        wait = shared.ended if shared is not None and shared.loading else None
        frame = next((str(h.get("FrameOfReferenceUID", "") or "") for h in headers.values()), "")
        at = point[1] if point is not None and frame and point[0] == frame else None  # (frame, LPS point)
        # Another pane of the same volume (an MPR stage's three planes): one volume for all.
        share = next((b.slot.reformat for b in self.bindings if b is not binding and b.slot.reformat is not None
                      and getattr(b.slot.reformat, "reformat_display_set", None) is ds), None)
        pane = open_plane_pane(ds, plane, headers, self.read_instance, preset, wait_for=wait, point=at, share=share)
        pane.failed.connect(self.status.emit)
        pane.loaded.connect(lambda pane=pane: self._reformat_loaded(pane))
        binding.slot.show_reformat(pane)
        return pane

    def _reformat_loaded(self, pane: Any) -> None:
        """A reformat's volume is here: the study's segmentations over its planes, and a PET
        shown as it is read (inverted, 0-10 SUV, workstation.model.suv)."""
        viewer = getattr(pane, "viewer", None)
        if viewer is None:
            return
        if self.overlays.overlays:
            viewer.set_segmentations([o for _, o in self.overlays.overlays])
        header = getattr(pane, "header", None)
        if header is not None and str(header.get("Modality", "") or "").upper() == "PT":
            from workstation.model.suv import display_unit

            viewer.invert = True
            unit = display_unit(header)
            if unit is not None and unit.factor:
                viewer.display_unit = (unit.factor, unit.label)
                pane.set_window(5.0 / unit.factor, 10.0 / unit.factor)
        if hasattr(pane, "render_now"):
            pane.render_now()

    def _image_set_for(self, state: PresentationState) -> DisplaySet | None:
        referenced = {uid for uid, _frame in state.references}
        return next((ds for ds in self.display_sets if ds.kind.is_image and referenced & set(ds.sop_instance_uids)), None)

    def _apply_presentation(self, binding: ViewportBinding, forced: PresentationState | None) -> None:
        """Apply the newest presentation state that references the shown image (PS3.4 N.2):
        window, polarity, rotation, flip and displayed area (C.10.4); its graphic and text annotations are drawn on the
        images it covers (PS3.3 C.10.5) and its text is also listed beside the image."""
        ds = binding.display_set
        if ds is None or not ds.frames:
            return
        uid, frame = ds.frames[binding.state.image_index]
        candidates = [forced] if forced is not None else self._presentations.get((uid, frame), [])
        header = self._headers.get(uid)
        rows = int(header.get("Rows", 0) or 0) if header is not None else None
        columns = int(header.get("Columns", 0) or 0) if header is not None else None
        for state in candidates:
            params = state.display_for(uid, frame, rows=rows or None, columns=columns or None)
            if params is None:
                continue
            binding.presentation = params
            changes: dict[str, Any] = {"invert": params.invert, "rotation": params.rotation,
                                       "flip_horizontal": params.flip_horizontal}
            if params.window is not None:
                changes.update(window_center=params.window[0], window_width=params.window[1])
            binding.state.update(**changes)
            lines = [self.tr("Presentation state '{0}' applied").format(params.label or 'unnamed')]
            area = params.displayed_area  # PS3.3 C.10.4, shown after the rotation and flip above
            if area is not None:
                mode = area.size_mode
                ratio = area.magnification if mode == "MAGNIFY" else None
                if ratio is not None and not (math.isfinite(ratio) and ratio > 0):
                    ratio = None
                if mode == "MAGNIFY" and ratio is None:
                    lines.append(self.tr("The displayed area asks for magnification without a valid ratio, so it is scaled to fit."))
                elif mode == "TRUE SIZE":  # no calibrated display pixel size is known here
                    lines.append(self.tr("The displayed area asks for true size, but this display's physical pixel size "
                                 "is not known, so it is scaled to fit instead."))
                renderer = binding.viewport.renderer
                try:
                    view = fit_displayed_area(binding.state, area.bounds(), renderer.viewport_size(),
                                              renderer.image_size, renderer.pixel_aspect, ratio)
                    binding.state.update(**view._asdict())
                except ValueError:
                    lines.append(self.tr("The displayed area has no width or height, so the whole image is shown."))
            texts = [op.text for op in params.annotations if op.kind == "text" and op.text]
            graphics = sum(1 for op in params.annotations if op.kind != "text")
            lines += [self.tr("Note: {0}").format(t) for t in texts[:6]]
            if graphics:
                lines.append(self.tr("{0} graphic annotation{1} drawn on the image").format(graphics, 's' if graphics != 1 else ''))
            for index, (other_uid, other_frame) in enumerate(ds.frames):  # drawn on every image it covers
                if (other_uid, other_frame) == (uid, frame):
                    binding.viewport.set_annotations(params.annotations, index)
                elif state.applies_to(other_uid, other_frame):
                    other_header = self._headers.get(other_uid) or Dataset()
                    other = state.display_for(other_uid, other_frame, rows=int(other_header.get("Rows", 0) or 0) or None,
                                              columns=int(other_header.get("Columns", 0) or 0) or None)
                    if other is not None and other.annotations:
                        binding.viewport.set_annotations(other.annotations, index)
            lines += list(params.warnings[:3])
            binding.slot.set_annotations(lines)
            return

    def read_instance(self, study_uid: str, series_uid: str, sop_uid: str) -> bytes:
        """PS3.10 bytes of one instance: the library's copy, else the archive's (kept in the
        library). Runs in a worker thread."""
        try:
            return bytes(self.library.read_instance(sop_uid))
        except StoreError:
            if self.archive is None:
                raise
        for data in self.archive.iter_instances(study_uid, series_uid, [sop_uid]):
            try:
                self.library.add_bytes(data)
            except WorkstationError as exc:
                log.warning(self.tr("could not keep a document in the library: %s"), type(exc).__name__)
            return bytes(data)
        raise StoreError(self.tr("Instance {0} is neither in the library nor in the archive.").format(sop_uid))

    # -- linking: scrolling, reference lines, 3D cursor -----------------------------------------

    def _link(self, binding: ViewportBinding) -> None:
        """Link ``binding`` with the viewports showing the same Frame of Reference; a viewport
        alone in its Frame of Reference is linked (its geometry worked out) once another one
        shows up."""
        frame = binding.frame_of_reference
        if not self.link_scroll or frame is None:
            return
        peers = [b for b in self.bindings if b is not binding and b.frame_of_reference == frame]
        for member in (*peers, binding) if peers else ():
            self._join(member)

    def _join(self, binding: ViewportBinding) -> None:
        geometry = binding.geometry
        if not self.link_scroll or geometry is None or not geometry.frame_of_reference_uid:
            return
        if len(geometry) != binding.state.image_count:
            return
        group = self._groups.setdefault(geometry.frame_of_reference_uid, SyncGroup(scroll=True))
        group.add(binding.state, geometry)

    def _unlink(self, binding: ViewportBinding) -> None:
        for group in self._groups.values():
            group.remove(binding.state)

    def set_link_scroll(self, on: bool) -> None:
        self.link_scroll = on
        for binding in self.bindings:
            self._unlink(binding)
        self._groups.clear()
        if on:
            for binding in self.bindings:
                self._link(binding)

    def set_reference_lines(self, on: bool) -> None:
        self.reference_lines = on
        self._update_reference_lines()

    def index_moved(self, binding: ViewportBinding) -> None:
        self._last_scroll = time.monotonic()
        FOREGROUND.interacting()  # background loading steps aside while the reader scrolls
        self._update_reference_lines()
        if binding is self.active:
            self.active_changed.emit()

    def _active_changed(self, _index: int) -> None:
        self._update_reference_lines()
        self.active_changed.emit()

    def set_reformat_planes(self, planes: Mapping[str, ImagePlane] | None, frame_of_reference: str | None) -> None:
        """The planes of an MPR open on this study (axial, coronal, sagittal; oblique ones too)
        drawn as reference lines on every 2D viewport in their Frame of Reference (PS3.3
        C.7.4.1), so the acquired images show where the reformats cut them; ``None`` clears."""
        self._reformat_planes = dict(planes or {})
        self._reformat_frame = frame_of_reference if self._reformat_planes else None
        self._update_reference_lines()

    def _update_reference_lines(self) -> None:
        if not self._ready or not self._bindings:
            return
        active = self.active
        frame = active.frame_of_reference  # lines only within one Frame of Reference (PS3.3 C.7.4.1)
        reformat_frame = self._reformat_frame
        for binding in self.bindings:
            lines: list[Any] = []
            source = target = None
            if (binding is not active and self.reference_lines and frame is not None
                    and binding.frame_of_reference == frame):
                source, target = active.geometry, binding.geometry
            if source is not None and target is not None:
                line = reference_line(
                    source.planes[active.state.image_index], target.planes[binding.state.image_index],
                    source_frame_of_reference=source.frame_of_reference_uid,
                    target_frame_of_reference=target.frame_of_reference_uid,
                )
                lines = [line] if line is not None else []
            shown = binding.geometry
            if (self.reference_lines and reformat_frame is not None and shown is not None
                    and binding.frame_of_reference == reformat_frame):
                for plane in self._reformat_planes.values():
                    line = reference_line(
                        plane, shown.planes[binding.state.image_index],
                        source_frame_of_reference=reformat_frame, target_frame_of_reference=shown.frame_of_reference_uid,
                    )
                    if line is not None:
                        lines.append(line)
            if lines != binding.reference_lines:
                binding.reference_lines = lines
                binding.viewport.set_reference_lines(lines)

    def cursor_picked(self, picked: ViewportBinding, point: Any) -> None:
        """The 3D cursor: every other viewport of the same Frame of Reference jumps to the image
        nearest the picked patient point and marks it."""
        frame = picked.geometry.frame_of_reference_uid if picked.geometry is not None else None
        saved = {id(g): g.scroll for g in self._groups.values()}
        for group in self._groups.values():
            group.scroll = False  # each viewport goes to its own nearest image
        try:
            for binding in self.bindings:
                if binding is picked:
                    binding.viewport.set_cursor(point)
                    continue
                hit = binding.geometry.locate(point, frame) if binding.geometry is not None and frame else None
                if hit is None:
                    binding.viewport.set_cursor(None)
                    continue
                binding.state.image_index = hit.index
                binding.viewport.set_cursor(point)
        finally:
            for group in self._groups.values():
                group.scroll = saved.get(id(group), True)
        self._update_reference_lines()

    # -- tools on the active viewport ----------------------------------------------------------

    def presets(self) -> list[WindowPreset]:
        binding = self.active
        if binding.display_set is None or not binding.display_set.kind.is_image:
            return []
        renderer = getattr(binding.viewport, "renderer", None)
        suv_factor = getattr(renderer, "suv_factor", None)  # PET: the SUV windows (model.presets)
        return available_presets(binding.display_set.modality, binding.header(), suv_factor)

    def apply_preset_key(self, key: int) -> WindowPreset | None:
        preset = preset_for_key(key, self.presets())
        if preset is not None:
            self.active.viewport.apply_preset(preset)
        return preset

    def apply_preset(self, preset: WindowPreset) -> None:
        self.active.viewport.apply_preset(preset)

    def reset_view(self) -> None:
        """Window (and its VOI LUT function), zoom, pan, rotation, flips and invert back to the
        image's own; the shown image stays."""
        state = self.active_state()
        if state is None:
            return
        renderer = getattr(self.active.viewport, "renderer", None)
        if renderer is not None and hasattr(renderer, "voi_function"):
            renderer.voi_function = None
        state.reset_view()

    def auto_window(self) -> None:
        if self.active_state() is not None:
            self.active.viewport.auto_window()

    def active_state(self) -> ViewportState | None:
        binding = self.active
        if binding.display_set is None or not binding.display_set.kind.is_image:
            return None
        return binding.state

    def toggle_cine(self) -> bool:
        binding = self.active
        playing = not binding.cine.isActive()
        binding.play(playing)
        return playing

    def set_cine_fps(self, fps: float) -> None:
        self.active.set_fps(fps)

    def set_grid(self, rows: int, columns: int) -> None:
        self.grid.set_grid(rows, columns)
        self._fill_empty()
        self._update_reference_lines()
        self.progress.emit()

    # -- progress and closing ------------------------------------------------------------------

    def loading_changed(self, binding: ViewportBinding) -> None:
        """A load moved on (an image arrived or failed, or it stopped): the browser and the
        status bar follow within :data:`PROGRESS_INTERVAL_MS`."""
        self._changed_loads.add(binding)
        self._schedule_progress()

    def offer_thumbnail(self, uid: str, stored: Any, header: Dataset, *, best: bool) -> None:
        """An arrived image for the browser's thumbnail of display set ``uid`` (``best``: its
        middle image), made with the next progress update, after the image itself is drawn."""
        if self.browser.has_thumbnail(uid) or (not best and uid in self._thumbnails):
            return
        self._thumbnails[uid] = (stored, header, best)
        self._schedule_progress()

    def _schedule_progress(self) -> None:
        if not self._progress_timer.isActive() and not self._closed:
            self._progress_timer.start()

    def flush_progress(self) -> None:
        """Bring the series browser (counts, thumbnails) and the status bar up to date."""
        self._progress_timer.stop()
        if self._closed:
            return
        changed, self._changed_loads = self._changed_loads, set()
        live = set(self.bindings)
        for binding in changed:
            if binding in live and binding.display_set is not None:
                self.browser.set_progress(binding.display_set.uid, len(binding.arrived), binding.loading)
        if self._thumbnails and time.monotonic() - self._last_scroll < THUMBNAIL_QUIET_S:
            self._schedule_progress()  # the reader is scrolling: thumbnails when they pause
        else:
            thumbnails, self._thumbnails = self._thumbnails, {}
            for uid, (stored, header, _best) in thumbnails.items():
                self.browser.set_thumbnail(uid, stored, header)
        if changed:
            self.progress.emit()

    def loading_summary(self) -> list[tuple[str, int, int]]:
        """(series label, images arrived, images in the display set) for each load running."""
        out = []
        seen: set[str] = set()
        for binding in self.bindings:
            ds = binding.display_set
            if ds is None or not binding.loading or ds.uid in seen:
                continue
            seen.add(ds.uid)
            label = f"Se {ds.series_number}" if ds.series_number is not None else (ds.series_description or ds.modality)
            out.append((label, len(binding.arrived), binding.count))
        return out

    def close_study(self) -> None:
        """Stop every transfer and decode this study still has running."""
        self._closed = True
        self._progress_timer.stop()
        self._changed_loads.clear()
        self._thumbnails.clear()
        for binding in self.bindings:
            binding.stop()
            self._unlink(binding)
            binding.cine.stop()
            binding.slot.clear_reformat()
            binding.viewport.close()  # frees its render window (OpenGL context) now
            binding.deleteLater()
        self._groups.clear()
        self._bindings.clear()  # no cycle keeps the viewports (and their X connections) alive
        release_to_collections()
