"""Hanging protocols in the reading room: the chosen stage laid out on open, stage keys, priors.

The matching itself is :func:`workstation.hanging.engine.match` (a pure function of metadata,
after the DICOM Hanging Protocol IOD, PS3.3 A.38, and its selection rules, PS3.17 Annex V); this
module only applies what it returns to a :class:`~workstation.ui.study_view.StudyView`:

* the stage's grid (rows x columns) and, per viewport, its display set, initial window preset
  (PS3.3 C.11.2.1.2 window centre/width, by preset name), initial image (first / middle / last
  in display order) and zoom; a viewport left empty shows the engine's reason;
* next / previous stage (``N`` / ``Shift+N``) and the protocol and stage in the status bar
  ("CT head — Brain and bone (2/3)");
* priors: after the study shows, the patient's other studies are found in the archive and the
  library (same Patient ID and issuer, :mod:`workstation.hanging.priors`), the best confirmed one's
  series metadata is read (WADO-RS metadata, PS3.18 10.4.1.1.2) and matching runs again with it;
  the prior's viewports are labelled with its date and the interval. Up to the protocol's number
  of priors are read, planned by :func:`~workstation.hanging.prefetch.prefetch_plan` (best ranked
  first, only image series of the current study's modalities, at most four a prior); the prior
  search starts only after the current study's viewports have started loading, so the current
  study comes first. The planned priors' images are then prefetched into the library in a
  background thread (:func:`~workstation.hanging.prefetch.prefetch_priors`), one stream at a
  time, through a :class:`~workstation.net.throttle.BackgroundThrottle`: held to the plan's
  bandwidth share of the link as measured by the archive's transfers
  (:func:`workstation.net.link.measured_rate`; :data:`PREFETCH_LINK_BYTES_PER_S` or the setting
  until it is measured) while any viewport of the current study
  is still loading (looked at every :data:`PREFETCH_CHECK_MS`), unthrottled once it has arrived.
  Anything failing there leaves the current study as it is and says one sentence in the status
  bar;
* the stage's sync groups (PS3.3 C.23.3; OHIF syncGroups) link its viewports: scroll by patient
  position within one Frame of Reference and, between current and prior (two Frames of
  Reference), by an offset along the slice axis: the one the reader recorded for that pair of
  series with "Link current and prior here" (:data:`ALIGN_KEY`, kept in
  ``prior_alignment.json`` beside the settings), else the automatic guess that aligns the centres
  of the two stacks' extents (:class:`~workstation.model.viewport.SyncGroup`); window/level and
  zoom/pan as the groups say;
* "Save this layout as a protocol": a user protocol built from the current grid, with rules
  pre-filled from the study (modality, body part, series descriptions), opened in the protocol
  editor (:mod:`workstation.ui.protocol_editor`) to name it and adjust its rules before saving;
  "Edit protocols" lists shipped and user protocols to view, duplicate, edit or delete; import and
  export.
"""

from __future__ import annotations

import json
import logging
import re
import threading
import weakref
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import shiboken6
from PySide6.QtCore import QCoreApplication, QObject, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QFileDialog, QLabel

from workstation.app.context import AppContext
from workstation.app.open_study import readable_headers, study_headers
from workstation.app.priors import prior_sources, search_priors
from workstation.audit.record import record_pull
from workstation.errors import ArchiveError, WorkstationError
from workstation.hanging.engine import HangingResult, ViewportAssignment, match
from workstation.hanging.facts import DisplaySetFacts, describe_display_sets
from workstation.hanging.loader import (
    export_protocol,
    import_protocol,
    load_protocols,
    save_user_protocol,
)
from workstation.hanging.prefetch import (
    DEFAULT_BANDWIDTH_SHARE,
    PrefetchPlan,
    prefetch_plan,
    prefetch_priors,
)
from workstation.hanging.priors import RankedPrior
from workstation.hanging.schema import (
    Constraint,
    DisplaySetSelector,
    MatchingRule,
    Position,
    Protocol,
    Stage,
    View,
    Viewport,
)
from workstation.model.displayset import DisplaySet, build_display_sets
from workstation.model.entities import StudySummary
from workstation.model.presets import find_preset
from workstation.model.source import CancelToken
from workstation.model.viewport import SyncGroup
from workstation.net.link import measured_rate
from workstation.net.throttle import DEFAULT_LINK_BYTES_PER_S, BackgroundThrottle
from workstation.ui import tasks
from workstation.ui.core_text import core_text
from workstation.ui.i18n import format_dicom_date

if TYPE_CHECKING:
    from workstation.ui.study_view import StudyView

log = logging.getLogger(__name__)

NEXT_STAGE_KEY = "N"
PREVIOUS_STAGE_KEY = "Shift+N"
#: Whether studies open laid out by their protocol when the reader has not chosen (Hanging >
#: Apply protocols when a study opens, kept in the settings).
APPLY_ON_OPEN_DEFAULT = True
#: "Link current and prior here": the active viewport's slice and its partner's are the same anatomy.
ALIGN_KEY = "Alt+L"
#: Most priors read for one study, whatever a protocol asks.
MAX_PRIORS = 3
#: Prefix of the study view's sync group keys made from a stage's sync groups.
GROUP_PREFIX = "hanging:"
#: The link speed the prior prefetch's share is taken of (bytes per second): 100 Mbit/s.
PREFETCH_LINK_BYTES_PER_S = DEFAULT_LINK_BYTES_PER_S
#: How often the prefetch looks whether the current study is still loading, in ms.
PREFETCH_CHECK_MS = 250


def prefetch_settings() -> tuple[float, float]:
    """(prior share of the link while the current study loads, link speed in bytes per second)
    from the settings (``Settings.hanging``): ``prior_bandwidth_share`` (0-1, default
    :data:`~workstation.hanging.prefetch.DEFAULT_BANDWIDTH_SHARE`; 0 holds priors back until the
    current study has arrived) and ``link_mbit_per_s`` (default 100). Bad values fall
    back to the defaults."""
    from workstation.ui.settings_store import settings_store as ui_settings

    store = ui_settings()
    try:
        share = float(str(store.value("hanging/prior_bandwidth_share", DEFAULT_BANDWIDTH_SHARE)))
    except (TypeError, ValueError):
        share = DEFAULT_BANDWIDTH_SHARE
    try:
        link = float(str(store.value("hanging/link_mbit_per_s", PREFETCH_LINK_BYTES_PER_S * 8 / 1e6))) * 1e6 / 8
    except (TypeError, ValueError):
        link = PREFETCH_LINK_BYTES_PER_S
    if not 0 <= share <= 1:
        share = DEFAULT_BANDWIDTH_SHARE
    if not link > 0:
        link = PREFETCH_LINK_BYTES_PER_S
    return share, link


class _PrefetchSignals(QObject):
    """Carries a prefetch thread's end to the UI thread (queued signals)."""

    finished = Signal(object)
    failed = Signal(str)


class AlignmentStore:
    """Offsets between pairs of series set by "Link current and prior here", in a small JSON
    file: ``{"pairs": {"<series UID a>|<series UID b>": offset_mm}}`` with a < b, the offset
    being b's slice location minus a's for the same anatomy (mm, along the slice axis)."""

    def __init__(self, path: Path | None = None) -> None:
        if path is None:
            from workstation.settings import settings_path

            path = settings_path().parent / "prior_alignment.json"
        self.path = path

    def _read(self) -> dict[str, float]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            pairs = data.get("pairs", {}) if isinstance(data, dict) else {}
            return {str(k): float(v) for k, v in pairs.items() if isinstance(v, (int, float))}
        except (OSError, ValueError, AttributeError):
            return {}

    def get(self, a: str, b: str) -> float | None:
        """The offset from series ``a`` to series ``b`` (None: never aligned)."""
        if a == b:
            return None
        pairs = self._read()
        if a < b:
            return pairs.get(f"{a}|{b}")
        value = pairs.get(f"{b}|{a}")
        return -value if value is not None else None

    def put(self, a: str, b: str, offset_mm: float) -> None:
        pairs = self._read()
        key, value = (f"{a}|{b}", offset_mm) if a < b else (f"{b}|{a}", -offset_mm)
        pairs[key] = round(float(value), 3)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.path.write_text(json.dumps({"pairs": pairs}, indent=1, sort_keys=True), encoding="utf-8")


@dataclass
class HungStudy:
    """What the hanging of one open study knows: its facts, the priors found, the result shown."""

    study: StudySummary
    facts: list[DisplaySetFacts]
    result: HangingResult
    priors: list[tuple[StudySummary, list[DisplaySetFacts]]] = field(default_factory=list)
    ranked: list[RankedPrior] = field(default_factory=list)
    prior_note: str = ""  # what the prior search found, for the status bar
    stepped: bool = False  # the reader changed stage (priors arriving then keep that stage)


def position_index(position: Position, count: int) -> int:
    """The image a viewport opens on: first, middle (count // 2, as the reading room) or last."""
    if count <= 0:
        return 0
    if position is Position.LAST:
        return count - 1
    if position is Position.MIDDLE:
        return count // 2
    return 0


def stage_label(result: HangingResult) -> str:
    """'CT head — Brain and bone (2/3)': protocol, stage name, stage number of the stages."""
    return f"{core_text(result.protocol.name)} — {core_text(result.stage.name)} ({result.stage_index + 1}/{len(result.chosen.stages)})"


def is_reformat(assignment: ViewportAssignment) -> bool:
    """Whether the viewport asks for an MPR plane (shown as a real reformat, see plane_pane)."""
    port = assignment.viewport
    return port.view is View.MPR and bool(port.plane)


def reformat_shown(binding: Any) -> tuple[str, str] | None:
    """(display set UID, plane) of the reformat a slot shows, or None."""
    pane = getattr(binding.slot, "reformat", None)
    ds = getattr(pane, "reformat_display_set", None)
    return (ds.uid, str(pane.pane)) if pane is not None and ds is not None else None


def viewport_label(assignment: ViewportAssignment) -> str:
    """The line under a viewport, or "" for a plain 2D one of the current study:
    'prior 2015-01-01, 3 y 2 m earlier · Prior brain'. MPR viewports show a real reformat of the
    plane they ask for ('MPR coronal'); 3D ones show their stored images here and say so (the
    rendering opens in its own tab with Ctrl+D)."""
    port = assignment.viewport
    parts = [assignment.study_label, port.label] if assignment.study_index else []
    if port.view is View.MPR and port.plane:
        parts = [*(parts or [port.label]), f"MPR {port.plane}"]
    elif port.view is not View.TWO_D:
        wanted = f"{port.view.value} {port.plane}".strip()
        parts = [*(parts or [port.label]), QCoreApplication.translate("hanging_bridge", "{0} wanted: shown as stored images (Ctrl+D: 3D)").format(wanted)]
    return " · ".join(p for p in parts if p)


def prior_heading(summary: StudySummary) -> str:
    """'Prior 2021-05-04 · CT CHEST': the series browser's heading over a prior's series."""
    date = summary.study_date or ""
    when = format_dicom_date(date) if len(date) == 8 and date.isdigit() else (date or QCoreApplication.translate("hanging_bridge", "date unknown"))
    return " · ".join(p for p in (QCoreApplication.translate("hanging_bridge", "Prior {0}").format(when), summary.study_description) if p)


@dataclass
class Positions:
    """Where the reader was before a stage change: the image each shown display set was on, and
    the active viewport's slice (its Frame of Reference and centre, LPS, PS3.3 C.7.6.2.1.1), or
    the crosshair of the MPR pane that was active."""

    images: dict[str, int]
    frame_of_reference: str | None = None
    centre: Any = None  # numpy LPS point of the active viewport's slice, or None

    def index_for(self, binding: Any) -> int | None:
        """The image ``binding`` opens on to keep the reader's place, or None (the stage's own)."""
        ds = binding.display_set
        if ds is None or not ds.kind.is_image:
            return None
        if ds.uid in self.images:
            return min(self.images[ds.uid], max(0, binding.count - 1))
        if self.centre is None or not self.frame_of_reference or binding.frame_of_reference != self.frame_of_reference:
            return None
        geometry = binding.geometry
        if geometry is None or len(geometry) != binding.count:
            return None
        return int(geometry.nearest_index(self.centre))


def shown_positions(view: Any) -> Positions:
    """The reader's place in ``view`` now (see :class:`Positions`)."""
    images = {b.display_set.uid: int(b.state.image_index) for b in view.bindings
              if b.display_set is not None and b.display_set.kind.is_image}
    active = view.active_or_none()
    frame, centre = None, None
    pane = getattr(active.slot, "reformat", None) if active is not None else None
    if pane is not None and getattr(pane, "viewer", None) is not None and pane.state is not None:
        frame, centre = pane.viewer.frame_of_reference, pane.state.center  # an MPR pane: its crosshair
    elif active is not None and active.display_set is not None and active.display_set.kind.is_image:
        geometry = active.geometry
        if geometry is not None and len(geometry) == active.count:
            frame, centre = active.frame_of_reference, geometry.centre(active.state.image_index)
    return Positions(images, frame, centre)


class HangingBridge(QObject):
    """Applies hanging protocols to a main window's study tabs (see the module docstring).

    ``window`` is the :class:`~workstation.ui.main_window.MainWindow`; ``user_dir`` the user's
    protocol folder (None: the one beside the settings file).
    """

    def __init__(self, window: Any, user_dir: Path | None = None, *, context: AppContext | None = None) -> None:
        super().__init__(window)
        self.window = window
        #: What the prior workflow needs (workstation.app.context); the window's by default.
        self.context: AppContext = context if context is not None else window.context
        self.user_dir = user_dir
        self._protocols: list[Protocol] | None = None
        self.hung: weakref.WeakKeyDictionary[StudyView, HungStudy] = weakref.WeakKeyDictionary()
        self._tasks: list[tasks.Task] = []
        self._prefetches: list[tuple[CancelToken, QTimer, _PrefetchSignals]] = []
        self.bandwidth_share, self.link_bytes_per_s = prefetch_settings()
        #: The prefetch throttle of each open study (its bytes_taken says how much came through it).
        self.throttles: weakref.WeakKeyDictionary[StudyView, BackgroundThrottle] = weakref.WeakKeyDictionary()
        self.label = QLabel("")
        self.label.setObjectName("hangingLabel")
        self.label.setToolTip(self.tr("Hanging protocol and stage (N / Shift+N: next / previous stage)"))
        self.alignments = AlignmentStore()
        self.align_action = QAction(self.tr("&Link current and prior here"), self)
        self.align_action.setShortcut(QKeySequence(ALIGN_KEY))
        self.align_action.setToolTip(self.tr("The active viewport's slice and its linked partner's are the same anatomy: "
                                     "scroll them together from here (remembered for this pair of series)"))
        self.align_action.triggered.connect(lambda _checked=False: self.align_here())
        window.addAction(self.align_action)

    # -- protocols ------------------------------------------------------------------------------

    def protocols(self) -> list[Protocol]:
        """The shipped protocols with the user's own (read once; again after save or import)."""
        if self._protocols is None:
            self._protocols = load_protocols(self.user_dir)
        return self._protocols

    def reload(self) -> None:
        self._protocols = None

    # -- on open ---------------------------------------------------------------------------------

    def choose(self, study: StudySummary, display_sets: Sequence[DisplaySet], headers: Sequence[Any]) -> HungStudy | None:
        """Match the study (no priors yet); None, with a sentence in the status bar, when matching fails."""
        try:
            facts = describe_display_sets(display_sets, headers)
            result = match(study, facts, [], self.protocols())
        except WorkstationError as exc:
            self.window.statusBar().showMessage(self.tr("Hanging protocols not applied: {0}").format(exc), 8000)
            return None
        except Exception as exc:  # noqa: BLE001 - a protocol problem must never stop the study opening
            log.error("hanging protocol matching failed: %s", type(exc).__name__, exc_info=True)
            self.window.statusBar().showMessage(
                self.tr("Hanging protocols not applied ({0}); the default layout is shown.").format(type(exc).__name__), 8000)
            return None
        return HungStudy(study=study, facts=facts, result=result)

    @staticmethod
    def slots_of(hung: HungStudy) -> tuple[tuple[int, int], list[str]]:
        """The grid and per-slot display set UIDs of the chosen stage (for the study view); an
        MPR viewport's slot starts empty (its reformat is made once the view is there)."""
        stage = hung.result.stage
        return (stage.rows, stage.columns), ["" if is_reformat(a) else a.display_set_uid for a in stage.viewports]

    def attach(self, view: StudyView, hung: HungStudy) -> None:
        """The study view was built on ``hung``'s stage: set presets, positions, zoom and messages."""
        self.hung[view] = hung
        self._finish_stage(view, hung.result, fresh=set(range(len(hung.result.viewports))))
        self._add_to_menu()
        self.refresh_label()

    def _add_to_menu(self) -> None:
        for action in self.window.menuBar().actions():
            menu = action.menu()
            if menu is not None and action.text().replace("&", "") == "Hanging":
                if self.align_action not in menu.actions():
                    menu.addSeparator()
                    menu.addAction(self.align_action)
                return

    # -- applying a stage ------------------------------------------------------------------------

    def apply(self, view: StudyView, result: HangingResult, *, keep_shown: bool = False) -> None:
        """Lay ``result``'s stage out on ``view``. Viewports already showing their display set keep
        their loads; with ``keep_shown`` (a prior arrived while the reader reads) also their image
        and window, else they take the stage's preset, position and zoom again."""
        hung = self.hung.get(view)
        if hung is not None:
            hung.result = result
        stage = result.stage
        positions = shown_positions(view)
        if view.grid.grid != (stage.rows, stage.columns):
            view.grid.set_grid(stage.rows, stage.columns)
        if view.grid.maximised is not None:
            view.grid.toggle_maximise()
        fresh: set[int] = set()
        for assignment in stage.viewports:
            binding = view.binding(assignment.index)
            if assignment.filled and is_reformat(assignment):
                if reformat_shown(binding) != (assignment.display_set_uid, assignment.viewport.plane):
                    place = (positions.frame_of_reference, positions.centre) if positions.centre is not None else None
                    view.show_plane_in_slot(assignment.index, assignment.display_set_uid,
                                            assignment.viewport.plane, assignment.viewport.preset, place)
                continue
            shown = binding.display_set.uid if binding.display_set is not None else ""
            if assignment.filled:
                if shown != assignment.display_set_uid:
                    view.show_in_slot(assignment.index, assignment.display_set_uid)
                    fresh.add(assignment.index)
                elif not keep_shown:
                    fresh.add(assignment.index)
            else:
                fresh.add(assignment.index)
        self._finish_stage(view, result, fresh, positions)
        view.progress.emit()
        self.refresh_label()

    def _finish_stage(self, view: StudyView, result: HangingResult, fresh: set[int],
                      positions: Positions | None = None) -> None:
        """Presets, positions, zoom and labels of the stage's viewports. A viewport given a
        display set that was on screen before (``positions``) opens at the image it showed, and
        one of the Frame of Reference the reader was reading in at the nearest slice: changing
        stage keeps the reader's place; these lead their sync groups."""
        kept: set[int] = set()
        for assignment in result.stage.viewports:
            if assignment.index >= len(view.grid.slots):
                continue
            binding = view.binding(assignment.index)
            if assignment.filled and is_reformat(assignment):
                if reformat_shown(binding) is None:  # built with the view (on open): made here
                    view.show_plane_in_slot(assignment.index, assignment.display_set_uid,
                                            assignment.viewport.plane, assignment.viewport.preset)
                binding.slot.set_annotations([line] if (line := viewport_label(assignment)) else [])
                continue
            if not assignment.filled:
                view.clear_slot(assignment.index, assignment.empty_reason)
                binding.slot.set_annotations([line] if (line := viewport_label(assignment)) else [])
                continue
            if binding.display_set is None or binding.display_set.uid != assignment.display_set_uid:
                continue  # the display set is unknown to the view (should not happen)
            if assignment.index in fresh:
                self._initial_view(binding, assignment)
                index = positions.index_for(binding) if positions is not None else None
                if index is not None:
                    binding.state.image_index = index
                    kept.add(assignment.index)
            binding.slot.set_annotations([line] if (line := viewport_label(assignment)) else [])
        self._fuse(view, result)
        self.link(view, result, fresh, leaders=kept)

    # -- the stage's sync groups -----------------------------------------------------------------

    def link(self, view: StudyView, result: HangingResult, fresh: set[int] | None = None,
             leaders: set[int] | None = None) -> dict[str, SyncGroup]:
        """Link the stage's viewports as its sync groups say (kept in the study view's groups, so a
        viewport given another series leaves them): scroll (across Frames of Reference by the
        stored offset for the pair of series, else the extents' guess), window/level, zoom/pan.
        Viewports just given their initial image (``fresh``) keep it, unless a viewport of their
        group was already shown (a prior arriving) or kept the reader's place (``leaders``):
        then they go to the slice matching its."""
        groups: dict[str, Any] = view._groups
        for key in [k for k in groups if k.startswith(GROUP_PREFIX)]:
            for state in groups[key].states:
                groups[key].remove(state)
            del groups[key]
        made: dict[str, SyncGroup] = {}
        if not view.link_scroll:
            return made
        for spec in result.stage.sync_groups:
            members = [a for a in result.stage.viewports
                       if spec.id in a.viewport.sync_groups and a.filled and a.index < len(view.grid.slots)]
            pairs = [(a.index, view.binding(a.index)) for a in members]
            pairs = [(i, b) for i, b in pairs if b.display_set is not None and b.display_set.kind.is_image]
            bindings = [b for _i, b in pairs]
            if len(bindings) < 2:
                continue
            group = SyncGroup(scroll=spec.scroll, window=spec.window, zoom_pan=spec.zoom, across_frames=spec.scroll)
            for binding in bindings:
                group.add(binding.state, binding.geometry if spec.scroll else None)
            if spec.scroll:
                self._stored_offsets(group, bindings)
                shown = [b for i, b in pairs if i in (leaders or set())]
                shown += [b for i, b in pairs if fresh is not None and i not in fresh and b not in shown]
                if shown:
                    group.sync_from(shown[0].state)
            groups[GROUP_PREFIX + spec.id] = group
            made[spec.id] = group
        return made

    def _stored_offsets(self, group: SyncGroup, bindings: Sequence[Any]) -> None:
        lead = bindings[0]
        assert lead.display_set is not None
        for other in bindings[1:]:
            assert other.display_set is not None
            stored = self.alignments.get(lead.display_set.series_uid, other.display_set.series_uid)
            if stored is None or lead.frame_of_reference == other.frame_of_reference:
                continue
            try:
                group.set_offset(lead.state, other.state, stored)
            except ValueError:
                continue

    def align_here(self, view: StudyView | None = None) -> float | None:
        """"Link current and prior here": the active viewport and the viewport it scrolls with
        in another Frame of Reference (the prior) show the same anatomy now; record the offset
        for that pair of series and scroll them by it. Returns the offset (mm) or None."""
        view = view if view is not None else self.window.current_study()
        if view is None:
            return None
        active = view.active
        for key, group in view._groups.items():
            if not key.startswith(GROUP_PREFIX) or not group.scroll or active.state not in group.states:
                continue
            partner = next((b for b in view.bindings if b is not active and b.state in group.states
                            and b.frame_of_reference != active.frame_of_reference), None)
            if partner is None or partner.display_set is None or active.display_set is None:
                continue
            try:
                offset = group.align(active.state, partner.state)
            except ValueError:
                continue
            try:
                self.alignments.put(active.display_set.series_uid, partner.display_set.series_uid, offset)
            except OSError:
                self.window.statusBar().showMessage(self.tr("Linked here ({0:+.1f} mm), but the offset could not be saved in {1}; check that folder.").format(offset, self.alignments.path), 8000)
                return offset
            self.window.statusBar().showMessage(
                self.tr("Current and prior linked here: {0:+.1f} mm along the slice axis (remembered for this pair).").format(offset), 8000)
            return offset
        self.window.statusBar().showMessage(
            self.tr("The active viewport scrolls with no viewport of another Frame of Reference, so there is nothing to align."), 6000)
        return None

    @staticmethod
    def _fuse(view: StudyView, result: HangingResult) -> None:
        """Viewports with ``fuse``: the display set of that selector's viewport in this stage
        (a PET) is blended over theirs once its images are here (StudyView.fuse)."""
        by_selector: dict[str, ViewportAssignment] = {}
        for a in result.stage.viewports:  # the first 2D viewport of each selector: its images are the source
            if a.filled and a.index < len(view.grid.slots) and not is_reformat(a):
                by_selector.setdefault(a.viewport.selector, a)
        for assignment in result.stage.viewports:
            source = by_selector.get(assignment.viewport.fuse) if assignment.viewport.fuse else None
            if source is None or not assignment.filled or assignment.index >= len(view.grid.slots):
                continue
            view.fuse(view.binding(assignment.index), view.binding(source.index))

    @staticmethod
    def _initial_view(binding: Any, assignment: ViewportAssignment) -> None:
        port = assignment.viewport
        binding.state.image_index = position_index(port.position, binding.count)
        if port.zoom != 1.0:
            binding.state.zoom = port.zoom
        if port.preset:
            ds = binding.display_set
            preset = find_preset(port.preset, ds.modality if ds is not None else "", binding.header())
            if preset is not None:
                binding.viewport.apply_preset(preset)
        if port.colormap:
            binding.state.update(colormap=port.colormap, invert=False)

    # -- stages ----------------------------------------------------------------------------------

    def step(self, step: int, view: StudyView | None = None) -> HangingResult | None:
        """Next (``step`` 1) or previous (-1) enabled stage of the study in front, wrapping."""
        view = view if view is not None else self.window.current_study()
        hung = self.hung.get(view) if view is not None else None
        if view is None or hung is None:
            self.window.statusBar().showMessage(self.tr("No hanging protocol is applied to the study in front."), 5000)
            return None
        result = hung.result
        index = result.next_stage(step)
        moved = HangingResult(result.chosen, index, result.candidates, result.study_labels)
        hung.stepped = True
        self.apply(view, moved)
        return moved

    def refresh_label(self) -> None:
        view = self.window.current_study()
        hung = self.hung.get(view) if view is not None else None
        if hung is None:
            self.label.setText("")
            return
        text = stage_label(hung.result)
        if hung.prior_note:
            text += f" · {hung.prior_note}"
        self.label.setText(text)

    # -- priors ----------------------------------------------------------------------------------

    def look_for_priors(self, view: StudyView) -> tasks.Task | None:
        """In the background: find and rank the patient's other studies; when a protocol wants a
        prior, read the best confirmed one's headers and hang again with it."""
        hung = self.hung.get(view)
        if hung is None:
            return None
        library = self.context.library()
        # Priors are looked for, and read, in every archive (the current study's first).
        archive = self.context.prior_archive(view.archive)
        sources = prior_sources(library, archive)
        study = hung.study
        wants = max((c.protocol.number_of_priors for c in hung.result.candidates
                     if c.protocol.number_of_priors and c.score >= hung.result.chosen.score), default=0)
        wants = max(wants, hung.result.protocol.number_of_priors)
        regions = sorted({r for f in hung.facts for r in (f.get("Region") or ())})
        modalities = sorted({str(f.get("Modality")) for f in hung.facts if f.get("Modality")})

        def work(_progress: Any, cancel: CancelToken) -> tuple[list[RankedPrior], list[tuple[StudySummary, list[DisplaySet], list[Any]]], PrefetchPlan]:
            found = search_priors(study, sources, current_regions=regions)
            if found.problems:  # priors are hung from a complete search only
                raise ArchiveError(found.problems[0])
            ranked = found.ranked
            plan = self.plan(ranked, wants, archive, modalities, cancel, share=self.bandwidth_share)
            by_uid = {p.study.study_uid: p for p in ranked}
            fetched = []
            for item in plan.items:
                cancel.raise_if_cancelled()
                prior = by_uid[item.study_uid]
                headers = study_headers(prior.study, archive=archive, library=library,
                                        series_uids=item.series_uids, requests=1, cancel=cancel)
                headers, _hidden = readable_headers(headers)
                fetched.append((prior.study, build_display_sets(headers), headers))
            return ranked, fetched, plan

        task = tasks.Task(work)
        task.signals.finished.connect(lambda result: self._priors_found(view, result))
        task.signals.failed.connect(lambda message: self._priors_failed(view, message))
        self._tasks.append(task)
        task.signals.finished.connect(lambda _r: self._forget(task))
        task.signals.failed.connect(lambda _m: self._forget(task))
        return tasks.start(task)

    @staticmethod
    def plan(ranked: Sequence[RankedPrior], wants: int, archive: Any, modalities: Sequence[str],
             cancel: CancelToken, *, share: float = DEFAULT_BANDWIDTH_SHARE) -> PrefetchPlan:
        """The priors to read: earlier, confirmed ones, at most ``wants`` (and :data:`MAX_PRIORS`),
        best ranked first; their series listed from the archive (QIDO-RS) so only image series of
        the current study's modalities are read."""
        earlier = [p for p in ranked if p.earlier]
        limit = max(0, min(wants, MAX_PRIORS))
        series: dict[str, Any] = {}
        if archive is not None:
            for prior in [p for p in earlier if p.confirmed][:limit]:
                cancel.raise_if_cancelled()
                try:
                    series[prior.study.study_uid] = list(archive.search_series(prior.study.study_uid))
                except WorkstationError:
                    continue  # the whole study is planned instead
        return prefetch_plan(earlier, limit, series=series, modalities=modalities, bandwidth_share=share)

    def _forget(self, task: tasks.Task) -> None:
        if task in self._tasks:
            self._tasks.remove(task)

    def cancel_all(self) -> None:
        for task in self._tasks:
            task.cancel()
        for cancel, timer, _signals in list(self._prefetches):
            cancel.cancel()
            timer.stop()

    def _alive(self, view: StudyView) -> bool:
        return view in self.hung and not getattr(view, "_closed", True)

    def _priors_failed(self, view: StudyView, message: str) -> None:
        if self._alive(view):
            self.window.statusBar().showMessage(self.tr("Priors not shown: {0}").format(message), 10000)

    def _priors_found(self, view: StudyView, found: tuple[list[RankedPrior], list[tuple[StudySummary, list[DisplaySet], list[Any]]], PrefetchPlan]) -> None:
        if not self._alive(view):
            return
        hung = self.hung[view]
        ranked, fetched, plan = found
        hung.ranked = ranked
        possible = sum(1 for p in ranked if not p.confirmed)
        confirmed = [p for p in ranked if p.confirmed]
        hung.prior_note = (self.tr("{0} prior(s)").format(len(confirmed)) if confirmed else self.tr("no priors")) + (
            self.tr(", {0} possible (identifiers differ)").format(possible) if possible else "")
        try:
            priors = []
            for summary, display_sets, headers in fetched:
                if not display_sets:
                    continue
                view.add_display_sets(display_sets, headers, heading=prior_heading(summary))
                priors.append((summary, describe_display_sets(display_sets, headers)))
            if priors:
                hung.priors = priors
                result = match(hung.study, hung.facts, priors, self.protocols())
                before = hung.result
                if hung.stepped and result.protocol.id == before.protocol.id and before.stage_index in result.enabled_stages:
                    # the reader chose a stage meanwhile: it stays (the prior fills it if it can)
                    result = HangingResult(result.chosen, before.stage_index, result.candidates, result.study_labels)
                self.apply(view, result, keep_shown=True)
        except Exception as exc:  # noqa: BLE001 - the current study stays as it is
            log.error("hanging with priors failed: %s", type(exc).__name__, exc_info=True)
            self.window.statusBar().showMessage(self.tr("Priors not shown ({0}).").format(exc if isinstance(exc, WorkstationError) else type(exc).__name__), 10000)
        self.refresh_label()
        self.prefetch(view, plan)

    @staticmethod
    def current_loading(view: StudyView) -> bool:
        """Whether a viewport of the current study (not a prior) is still loading its images."""
        uid = view.study.study_uid
        return any(b.loading for b in view.bindings if b.display_set is not None and b.display_set.study_uid == uid)

    def prefetch(self, view: StudyView, plan: PrefetchPlan) -> BackgroundThrottle | None:
        """Pull the planned priors' images into the library in a background thread, at the plan's
        share of the link while the current study loads (see the module docstring); returns the
        throttle (None when there is nothing to fetch or no archive)."""
        archive, library = view.archive, self.window.library
        if archive is None or not plan.items:
            return None
        # The share is of the link as measured by the transfers (the setting until it is).
        link = measured_rate(archive, self.link_bytes_per_s)
        throttle = BackgroundThrottle.for_share(plan.bandwidth_share, link, busy=self.current_loading(view))
        self.throttles[view] = throttle
        cancel = CancelToken()
        timer = QTimer(self)
        timer.setInterval(PREFETCH_CHECK_MS)
        signals = _PrefetchSignals()
        entry = (cancel, timer, signals)
        self._prefetches.append(entry)

        def check() -> None:
            if not self._alive(view):
                cancel.cancel()
                throttle.set_busy(False)  # let a paused read see the cancel at once
                return
            throttle.set_busy(self.current_loading(view))

        def ended(message: object) -> None:
            if not shiboken6.isValid(timer):  # the window (the timer's parent) closed first
                return
            timer.stop()
            if entry in self._prefetches:
                self._prefetches.remove(entry)
            if isinstance(message, str) and message and self._alive(view):
                self.window.statusBar().showMessage(self.tr("Priors not prefetched: {0}").format(message), 8000)

        def run() -> None:
            try:
                reports = prefetch_priors(plan, archive, library, throttle=throttle, cancel=cancel)
                for pulled in reports:  # the access audit log: each prior brought in
                    record_pull(self.window.settings, library, pulled, why="prior prefetch")
            except WorkstationError as exc:
                signals.failed.emit("" if cancel.cancelled else str(exc))
                return
            except Exception as exc:  # noqa: BLE001 - a background prefetch must never crash the app
                log.error("prior prefetch failed: %s", type(exc).__name__, exc_info=True)
                signals.failed.emit(f"unexpected error ({type(exc).__name__})")
                return
            signals.finished.emit(reports)

        timer.timeout.connect(check)
        signals.finished.connect(ended)
        signals.failed.connect(ended)
        timer.start()
        threading.Thread(target=run, name="prior-prefetch", daemon=True).start()
        return throttle

    # -- saving, import, export ------------------------------------------------------------------

    def layout_protocol(self, view: StudyView, name: str) -> Protocol:
        """A user protocol from ``view``'s grid and display sets, rules pre-filled from the study."""
        hung = self.hung.get(view)
        study: StudySummary = view.study
        by_uid = {f.uid: f for f in (hung.facts if hung is not None else describe_display_sets(view.display_sets, self.window.study_headers(view)))}
        prior_uids: dict[str, int] = {}
        if hung is not None:
            for n, (_s, prior_facts) in enumerate(hung.priors, start=1):
                for f in prior_facts:
                    by_uid.setdefault(f.uid, f)
                    prior_uids[f.uid] = n
        identifier = re.sub(r"[^A-Za-z0-9_.-]+", "-", name.strip().lower()).strip("-.")[:56] or "my-layout"
        identifier = f"user-{identifier}"[:64]
        modalities = sorted({str(f.get("Modality")) for f in by_uid.values() if f.get("Modality") and f.uid not in prior_uids})
        body_parts = sorted({str(f.get("BodyPartExamined")) for f in by_uid.values() if f.get("BodyPartExamined") and f.uid not in prior_uids})
        rules = [MatchingRule("ModalitiesInStudy", Constraint.EQUALS, tuple(modalities) if len(modalities) > 1 else (modalities[0] if modalities else ""),
                              weight=10, required=True)] if modalities else []
        if body_parts:
            rules.append(MatchingRule("BodyPartExamined", Constraint.EQUALS, tuple(body_parts) if len(body_parts) > 1 else body_parts[0], weight=10))
        if study.study_description:
            rules.append(MatchingRule("StudyDescription", Constraint.EQUALS, study.study_description, weight=5))
        selectors: list[DisplaySetSelector] = []
        viewports: list[Viewport] = []
        for binding in view.bindings:
            ds = binding.display_set
            facts = by_uid.get(ds.uid) if ds is not None else None
            if ds is None or facts is None:
                continue
            selector_id = f"vp{binding.slot.index + 1}"
            selector_rules = [MatchingRule("Modality", Constraint.EQUALS, str(facts.get("Modality") or ds.modality), weight=0, required=True)]
            if facts.get("SeriesDescription"):
                selector_rules.append(MatchingRule("SeriesDescription", Constraint.EQUALS, str(facts.get("SeriesDescription")), weight=5))
            if facts.get("Orientation"):
                selector_rules.append(MatchingRule("Orientation", Constraint.EQUALS, str(facts.get("Orientation")), weight=2))
            study_index = prior_uids.get(ds.uid, 0)
            selectors.append(DisplaySetSelector(selector_id, tuple(selector_rules), study=study_index))
            window = binding.state.window
            preset = ""
            if window is not None:
                chosen = next((p for p in binding.viewport.presets() if (p.center, p.width) == window), None)
                preset = chosen.name if chosen is not None else ""
            viewports.append(Viewport(selector=selector_id, preset=preset, position=Position.MIDDLE,
                                      zoom=float(binding.state.zoom), label=self.tr("Viewport {0}").format(binding.slot.index + 1)))
        if not viewports:
            raise WorkstationError(self.tr("No viewport shows a series, so there is no layout to save; show a series first."))
        rows, columns = view.grid.grid
        wants_priors = max((s.study for s in selectors), default=0)
        stage = Stage(name=name.strip() or self.tr("My layout"), rows=rows, columns=columns, viewports=tuple(viewports),
                      min_viewports_matched=1)
        return Protocol(id=identifier, name=name.strip() or self.tr("My layout"), rules=tuple(rules), selectors=tuple(selectors),
                        stages=(stage,), number_of_priors=wants_priors,
                        description=self.tr("Saved from the reading room."), source="user")

    def save_layout(self, name: str | None = None, view: StudyView | None = None) -> Path | None:
        """Save the study in front's layout as a user protocol. With ``name`` it is written at
        once (scripting, tests); without, the protocol editor opens pre-filled from the layout
        (see :meth:`edit_layout`) and saving happens there (None is returned)."""
        view = view if view is not None else self.window.current_study()
        if view is None:
            self.window.show_error(self.tr("Open a study first; its layout is what gets saved as a protocol."))
            return None
        if name is None:
            self.edit_layout(view)
            return None
        try:
            path = save_user_protocol(self.layout_protocol(view, name), self.user_dir)
        except WorkstationError as exc:
            self.window.show_error(str(exc))
            return None
        self.reload()
        self.window.statusBar().showMessage(self.tr("Layout saved as the hanging protocol '{0}' ({1}); Hanging > Edit protocols changes its rules.").format(name.strip(), path.name), 10000)
        return path

    def edit_layout(self, view: StudyView | None = None, name: str = "") -> Any:
        """Open the protocol editor on the study in front's layout (rules pre-filled from the study);
        returns the editor (None with a message when there is no layout to save)."""
        from workstation.ui.protocol_editor import ProtocolEditor

        view = view if view is not None else self.window.current_study()
        if view is None:
            self.window.show_error(self.tr("Open a study first; its layout is what gets saved as a protocol."))
            return None
        name = name or self.tr("My layout")
        try:
            protocol = self.layout_protocol(view, name)
        except WorkstationError as exc:
            self.window.show_error(str(exc))
            return None
        editor = ProtocolEditor(protocol, user_dir=self.user_dir, parent=self.window)
        editor.setWindowTitle(self.tr("Save this layout as a protocol"))
        editor.saved.connect(self._protocol_saved)
        editor.open()
        return editor

    def edit_protocols(self) -> Any:
        """Open the list of hanging protocols (view, duplicate, edit, delete); returns the dialog."""
        from workstation.ui.protocol_editor import ProtocolLibrary

        dialog = ProtocolLibrary(self.user_dir, parent=self.window)
        dialog.changed.connect(self.reload)
        dialog.open()
        return dialog

    def _protocol_saved(self, protocol: Protocol) -> None:
        self.reload()
        self.window.statusBar().showMessage(self.tr("Hanging protocol '{0}' saved; it applies to the next study that matches its rules.").format(protocol.name), 10000)

    def import_file(self, path: Path | None = None) -> Protocol | None:
        if path is None:
            chosen, _ = QFileDialog.getOpenFileName(self.window, self.tr("Import a hanging protocol"), "", self.tr("Hanging protocols (*.json)"))
            if not chosen:
                return None
            path = Path(chosen)
        try:
            protocol = import_protocol(path, self.user_dir)
        except (WorkstationError, OSError) as exc:
            self.window.show_error(str(exc) if isinstance(exc, WorkstationError)
                                   else self.tr("Could not read {0}; check the file and try again.").format(path))
            return None
        self.reload()
        self.window.statusBar().showMessage(self.tr("Hanging protocol '{0}' imported.").format(protocol.name), 8000)
        return protocol

    def export_current(self, path: Path | None = None) -> Path | None:
        """Export the protocol applied to the study in front."""
        view = self.window.current_study()
        hung = self.hung.get(view) if view is not None else None
        if hung is None:
            self.window.show_error(self.tr("No hanging protocol is applied to the study in front, so there is none to export."))
            return None
        if path is None:
            chosen, _ = QFileDialog.getSaveFileName(self.window, self.tr("Export the hanging protocol"),
                                                    f"{hung.result.protocol.id}.json", self.tr("Hanging protocols (*.json)"))
            if not chosen:
                return None
            path = Path(chosen)
        try:
            export_protocol(hung.result.protocol, path)
        except OSError:
            self.window.show_error(self.tr("Could not write {0}; choose another folder.").format(path))
            return None
        self.window.statusBar().showMessage(self.tr("Hanging protocol exported to {0}.").format(path), 8000)
        return path


__all__ = [
    "ALIGN_KEY",
    "APPLY_ON_OPEN_DEFAULT",
    "MAX_PRIORS",
    "PREFETCH_CHECK_MS",
    "PREFETCH_LINK_BYTES_PER_S",
    "AlignmentStore",
    "NEXT_STAGE_KEY",
    "PREVIOUS_STAGE_KEY",
    "HangingBridge",
    "HungStudy",
    "position_index",
    "stage_label",
    "viewport_label",
]
