"""Render a display set's image to pixels without a screen, through the viewport's own pipeline.

The same :class:`~workstation.render.slice_renderer.SliceRenderer` the 2D viewport uses draws into
an offscreen render window (EGL on Mesa when there is no display), so the picture equals what the
viewport shows for the same :class:`~workstation.model.viewport.ViewportState`: pixel pipeline of
PS3.4 Annex N, overlays of PS3.3 C.7.6.1.1.1 / 10.7.1.3 included unless switched off.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
from pydicom.dataset import Dataset

from workstation.errors import WorkstationError
from workstation.model.decode import decode_instance
from workstation.model.displayset import DisplaySet
from workstation.model.sop_classes import DisplaySetKind
from workstation.model.viewport import ViewportState, default_cine_fps
from workstation.render.slice_renderer import SliceRenderer, initial_view

#: Display sets whose images a 2D viewport draws.
IMAGE_KINDS = (DisplaySetKind.VOLUME, DisplaySetKind.ENHANCED_VOLUME, DisplaySetKind.STACK, DisplaySetKind.MULTIFRAME)


def slice_index(display_set: DisplaySet, slice_spec: str | int | None) -> int:
    """0-based image index from ``--slice``: 'middle' (default) or the 1-based image number
    shown in the corner text ('Im: K/N')."""
    count = len(display_set.frames)
    if slice_spec is None or str(slice_spec).strip().lower() == "middle":
        return count // 2
    try:
        number = int(str(slice_spec).strip())
    except ValueError:
        raise WorkstationError(f"--slice must be an image number or 'middle', not {slice_spec!r}.") from None
    if not 1 <= number <= count:
        raise WorkstationError(f"--slice {number} is outside this display set's images 1 to {count}; choose one in that range.")
    return number - 1


def render_image(
    display_set: DisplaySet,
    headers: dict[str, Dataset],
    read_instance: Callable[[str], bytes],
    *,
    index: int,
    size: tuple[int, int] = (512, 512),
    window: tuple[float, float] | None = None,
    voi_function: str | None = None,
    overlay: bool = True,
    state: ViewportState | None = None,
) -> np.ndarray:
    """(height, width, 3) uint8 of image ``index`` of a display set as a viewport shows it.

    ``headers`` maps SOP Instance UID to header; ``read_instance`` returns an instance's PS3.10
    bytes. ``state`` may carry zoom, pan, rotation and flips; its display set, image and window
    are set here.
    """
    if display_set.kind not in IMAGE_KINDS:
        raise WorkstationError(f"Display set {display_set.uid} is a {display_set.kind.value}, not images; choose an image series to render.")
    sop_uid, frame = display_set.frames[index]
    header = headers.get(sop_uid)
    if header is None:
        raise WorkstationError(f"The header of instance {sop_uid} is missing; retrieve the study again.")
    stored = decode_instance(read_instance(sop_uid))[frame - 1]
    renderer = SliceRenderer(offscreen=True, size=size)
    try:
        state = state or ViewportState()
        known = [headers.get(uid) for uid, _ in display_set.frames]
        state.show(display_set.uid, len(display_set.frames), image_index=index, cine_fps=default_cine_fps(header))
        initial_view(state, header, display_set.modality)
        renderer.set_state(state)
        renderer.set_stack(len(display_set.frames), [h if h is not None else header for h in known], display_set=display_set)
        renderer.set_image(index, stored, header, frame=frame - 1)
        renderer.voi_function = voi_function
        if window is not None:
            state.set_window(*window)
        renderer.set_overlays_visible(overlay)
        return renderer.capture()
    finally:
        renderer.close()


def write_png(image: np.ndarray, path: Path) -> None:
    """Write an (height, width, 3) uint8 picture as PNG."""
    from PIL import Image

    Image.fromarray(np.ascontiguousarray(image), mode="RGB").save(path, format="PNG")
