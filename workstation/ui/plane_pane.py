"""A real reformat in a viewport of the grid: what a hanging protocol's MPR viewport shows.

A protocol viewport with ``"view": "MPR", "plane": "coronal"`` (PS3.3 C.23.3: a reformatted view
of a volume display set) gets an :class:`~workstation.ui.mpr_view.MprView` showing that plane
alone, built in the background from the volume's images (read from the library or the archive
as the study view reads them; the same loader as the MPR tab), opened at the volume's centre, or
at the reader's place when a stage change brings it, with the viewport's window preset (PS3.3
C.11.2.1.2).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import shiboken6
from pydicom.dataset import Dataset
from PySide6.QtCore import QCoreApplication

from workstation.model.displayset import DisplaySet
from workstation.model.presets import find_preset
from workstation.model.source import CancelToken


def volume_loader(display_set: DisplaySet, headers: dict[str, Dataset],
                  read: Callable[[str, str, str], bytes]) -> Callable[[Any, CancelToken], Any]:
    """The background work that builds ``display_set``'s volume: reads each instance with
    ``read(study_uid, series_uid, sop_uid)`` (reporting progress), then
    :func:`workstation.render.offscreen.load_display_set_volume`."""
    uids = list(dict.fromkeys(uid for uid, _ in display_set.frames))
    known = {uid: headers[uid] for uid in uids if uid in headers}

    def work(progress: Any, cancel: CancelToken) -> Any:
        from workstation.render.offscreen import load_display_set_volume

        done = [0]

        def read_one(uid: str) -> bytes:
            cancel.raise_if_cancelled()
            data = read(display_set.study_uid, display_set.series_uid, uid)
            done[0] += 1
            progress(done[0], len(uids), QCoreApplication.translate("plane_pane", "Reading the images"))
            return data

        return load_display_set_volume(display_set, known, read_one)

    return work


def open_plane_pane(display_set: DisplaySet, plane: str, headers: dict[str, Dataset],
                    read: Callable[[str, str, str], bytes], preset: str = "", *, wait_for: Any = None,
                    point: Any = None, share: Any = None) -> Any:
    """An MPR view of one ``plane`` of ``display_set``, loading (after ``wait_for``, a signal,
    when given: the 2D load of the same series); ``preset`` (a window preset name) is applied
    once the volume is there, and the crosshair goes to ``point`` (patient LPS mm: the reader's
    place, on a stage change) when one is given, else it stays at the volume's centre. With
    ``share`` (another pane of the same display set) its volume is used, not loaded again."""
    from workstation.ui.mpr_view import MprView

    name = display_set.series_description or "series"
    pane = MprView(title=f"{plane} {name}", pane=plane)
    pane.reformat_display_set = display_set
    if preset:
        def windowed() -> None:
            header = pane.header
            chosen = find_preset(preset, display_set.modality, header)
            if chosen is not None:
                pane.set_window(chosen.center, chosen.width)

        pane.loaded.connect(windowed)
    if point is not None:
        pane.loaded.connect(lambda: pane.move_crosshair(point) if pane.viewer is not None else None)
    work = volume_loader(display_set, headers, read)
    if share is not None:
        share_volume(pane, share, lambda: pane.load(work))
        return pane
    if wait_for is None:
        pane.load(work)
        return pane
    pane.message.setText(QCoreApplication.translate("plane_pane", "The reformat is made once the series' images have arrived."))
    pane.message.setVisible(True)
    started = [False]

    def start() -> None:
        if started[0] or not shiboken6.isValid(pane) or pane.reformat_display_set is None:
            return  # started already, or the pane was taken out meanwhile
        started[0] = True
        pane.load(work)

    wait_for.connect(start)
    return pane


def share_volume(pane: Any, source: Any, load_own: Callable[[], Any]) -> None:
    """Show ``source``'s volume (another pane of the same display set) in ``pane`` once it is
    there: the same array, not a second copy or a second read; ``load_own`` runs instead when
    the source fails or goes away first."""
    done = [False]

    def adopt() -> None:
        if done[0] or not shiboken6.isValid(pane) or pane.reformat_display_set is None:
            return
        viewer = source.viewer if shiboken6.isValid(source) else None
        if viewer is None:
            return
        done[0] = True
        pane.set_volume(viewer.source.volume, viewer.source.geometry, source.header, note=source.note)

    def alone(*_args: Any) -> None:
        if not done[0] and shiboken6.isValid(pane) and pane.reformat_display_set is not None:
            done[0] = True
            load_own()

    if source.viewer is not None:
        adopt()
        return
    source.loaded.connect(adopt)
    source.failed.connect(alone)
    source.destroyed.connect(alone)
