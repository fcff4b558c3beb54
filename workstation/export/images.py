"""Pictures for a referring physician or a presentation: each image of an export as PNG or
JPEG, or each series / cine as an MP4 video, as the 2D viewport draws it (pixel pipeline of
PS3.4 Annex N, with or without the corner text and markers).

Drawn by the viewport's own :class:`~workstation.render.slice_renderer.SliceRenderer` offscreen,
the pipeline behind ``workstation render``; from the files just exported, so a de-identified
export shows de-identified corner text; with overlays, the measurements of the study's newest
presentation state (GSPS, PS3.3 C.10.5) are drawn too. File names are series and image numbers, never the
patient's name. Video: H.264 (else MPEG-4 Part 2) in MP4 through PyAV (FFmpeg), at the series' cine rate (PS3.3
C.7.6.5) or 10 frames per second for a stack.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pydicom
from pydicom.dataset import Dataset

from workstation.errors import WorkstationError
from workstation.export.modes import chmod_if_supported, owner_only_folder

Progress = Callable[[int, int, str], None]
MAX_SIDE = 1024
STACK_FPS = 10.0


def _size_for(display_set: object) -> tuple[int, int]:
    """Picture size: the image's own matrix, at most MAX_SIDE a side, even (H.264 4:2:0)."""
    rows = int(getattr(display_set, "rows", 0) or 512)
    cols = int(getattr(display_set, "columns", 0) or 512)
    scale = min(1.0, MAX_SIDE / max(rows, cols))
    width, height = max(64, int(cols * scale)), max(64, int(rows * scale))
    return width - width % 2, height - height % 2


def render_frames(display_set: object, headers: dict[str, Dataset],
                  read_instance: Callable[[str], bytes], *, overlays: bool,
                  size: tuple[int, int], states: Sequence[Any] = ()) -> Iterator[np.ndarray]:
    """Every image of a 2D display set, in display order, as (height, width, 3) uint8; one
    offscreen renderer for the whole set, each instance decoded once. With ``overlays``, the
    graphics and text of the newest presentation state in ``states`` that applies to an image
    (PS3.3 C.10.5, the measurements saved with the study) are drawn over it."""
    from workstation.model.decode import decode_instance
    from workstation.model.viewport import ViewportState, default_cine_fps
    from workstation.render.slice_renderer import SliceRenderer, initial_view

    frames: Sequence[tuple[str, int]] = display_set.frames  # type: ignore[attr-defined]
    first = headers[frames[0][0]]
    renderer = SliceRenderer(offscreen=True, size=size)
    try:
        state = ViewportState()
        state.show(display_set.uid, len(frames), image_index=0,  # type: ignore[attr-defined]
                   cine_fps=default_cine_fps(first))
        initial_view(state, first, display_set.modality)  # type: ignore[attr-defined]
        renderer.set_state(state)
        renderer.set_stack(len(frames), [headers[uid] for uid, _ in frames], display_set=display_set)
        renderer.set_overlays_visible(overlays)
        decoded_uid, decoded = "", np.zeros(0)
        for index, (uid, frame) in enumerate(frames):
            if uid != decoded_uid:
                decoded_uid, decoded = uid, decode_instance(read_instance(uid))
            state.image_index = index
            renderer.set_image(index, decoded[frame - 1], headers[uid], frame=frame - 1)
            if overlays:
                renderer.set_annotations(_annotations(states, uid, frame, headers[uid]), index)
            yield renderer.capture()
    finally:
        renderer.close()


def _annotations(states: Sequence[Any], uid: str, frame: int, header: Dataset) -> tuple[Any, ...]:
    """The newest applicable presentation state's annotations for one image frame."""
    for ps in states:  # newest first
        shown = ps.display_for(uid, frame, rows=header.get("Rows"), columns=header.get("Columns"))
        if shown is not None:
            return tuple(shown.annotations)
    return ()


def presentation_states(headers: Sequence[Dataset]) -> list[Any]:
    """The presentation states among ``headers`` that can be read, newest first."""
    from workstation.errors import WorkstationError as _Error
    from workstation.model.presentation_state import is_presentation_state, read_presentation_state

    states = []
    for ds in headers:
        if is_presentation_state(ds):
            try:
                states.append(read_presentation_state(ds))
            except _Error:
                continue
    return sorted(states, key=lambda ps: ps.creation, reverse=True)


def export_pictures(files: Sequence[Path], folder: Path, fmt: str, *, overlays: bool = True,
                    progress: Progress | None = None) -> list[Path]:
    """Render the image display sets of the exported ``files`` into ``folder``: one picture per
    image (``png``, ``jpeg``) or one video per display set (``mp4``). Returns the files made."""
    from workstation.model.displayset import build_display_sets
    from workstation.render.offscreen import IMAGE_KINDS

    headers: dict[str, Dataset] = {}
    paths: dict[str, Path] = {}
    for path in files:
        ds = pydicom.dcmread(path, stop_before_pixels=True)
        uid = str(ds.get("SOPInstanceUID", ""))
        headers[uid], paths[uid] = ds, path
    sets = [d for d in build_display_sets(list(headers.values())) if d.kind in IMAGE_KINDS]
    states = presentation_states(list(headers.values())) if overlays else []
    if not sets:
        raise WorkstationError("The export holds no images to draw as pictures; export without --images.")
    owner_only_folder(folder)
    total = sum(len(d.frames) for d in sets)
    done = 0
    made: list[Path] = []

    def read(uid: str) -> bytes:
        return paths[uid].read_bytes()

    for number, display_set in enumerate(sets, 1):
        stem = f"series-{display_set.series_number if display_set.series_number is not None else number:03d}"
        if sum(1 for d in sets if d.series_number == display_set.series_number) > 1:
            stem += f"-{number}"
        size = _size_for(display_set)
        pictures = render_frames(display_set, headers, read, overlays=overlays, size=size, states=states)
        if fmt == "mp4":
            fps = _fps(display_set, headers)
            target = folder / f"{stem}.mp4"
            count = write_mp4(pictures, target, fps=fps, size=size)
            done += count
            made.append(target)
            if progress is not None:
                progress(done, total, "Drawing")
            continue
        sub = owner_only_folder(folder / stem)
        for index, picture in enumerate(pictures, 1):
            target = sub / f"image-{index:04d}.{'jpg' if fmt == 'jpeg' else 'png'}"
            _write_picture(picture, target, fmt)
            made.append(target)
            done += 1
            if progress is not None:
                progress(done, total, "Drawing")
    return made


def _fps(display_set: object, headers: dict[str, Dataset]) -> float:
    from workstation.model.viewport import default_cine_fps

    frames = display_set.frames  # type: ignore[attr-defined]
    if getattr(display_set, "number_of_frames", 1) > 1 or getattr(display_set, "frame_time_ms", None):
        return float(default_cine_fps(headers[frames[0][0]]))
    return STACK_FPS


def _write_picture(picture: np.ndarray, target: Path, fmt: str) -> None:
    from PIL import Image

    buffer = io.BytesIO()
    image = Image.fromarray(np.ascontiguousarray(picture), mode="RGB")
    if fmt == "jpeg":
        image.save(buffer, format="JPEG", quality=92)
    else:
        image.save(buffer, format="PNG")
    target.write_bytes(buffer.getvalue())
    chmod_if_supported(target, 0o600)


def write_mp4(pictures: Iterator[np.ndarray], target: Path, *, fps: float,
              size: tuple[int, int]) -> int:
    """Encode (height, width, 3) uint8 pictures as H.264 MP4; returns the number of frames."""
    from fractions import Fraction

    import av

    rate = Fraction(max(1.0, min(fps, 120.0))).limit_denominator(1000)
    count = 0
    with av.open(str(target), mode="w") as container:
        # H.264 plays everywhere (browsers, phones, presentation software); an FFmpeg built
        # without x264 (a GPL component some distributions leave out) falls back to MPEG-4 Part 2.
        h264 = "libx264" in av.codecs_available
        stream = container.add_stream("libx264" if h264 else "mpeg4", rate=rate)
        stream.width, stream.height = size
        stream.pix_fmt = "yuv420p"
        stream.options = {"crf": "18"} if h264 else {"qscale": "2"}
        for picture in pictures:
            frame = av.VideoFrame.from_ndarray(np.ascontiguousarray(picture[: size[1], : size[0]]), format="rgb24")
            for packet in stream.encode(frame):
                container.mux(packet)
            count += 1
        for packet in stream.encode():
            container.mux(packet)
    chmod_if_supported(target, 0o600)
    return count
