"""Render a display set's image to pixels without a screen, through the viewport's own pipeline.

The same :class:`~workstation.render.slice_renderer.SliceRenderer` the 2D viewport uses draws into
an offscreen render window (EGL on Mesa when there is no display), so the picture equals what the
viewport shows for the same :class:`~workstation.model.viewport.ViewportState`: pixel pipeline of
PS3.4 Annex N, overlays of PS3.3 C.7.6.1.1.1 / 10.7.1.3 included unless switched off.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from pydicom.dataset import Dataset

from workstation.errors import WorkstationError
from workstation.model.decode import decode_instance
from workstation.model.displayset import DisplaySet
from workstation.model.geometry import VolumeGeometry
from workstation.model.image_number import index_of_number, instance_number
from workstation.model.mpr import MprState
from workstation.model.sop_classes import DisplaySetKind
from workstation.model.viewport import ViewportState, default_cine_fps
from workstation.render.slice_renderer import SliceRenderer, initial_view

#: Display sets whose images a 2D viewport draws.
IMAGE_KINDS = (DisplaySetKind.VOLUME, DisplaySetKind.ENHANCED_VOLUME, DisplaySetKind.STACK, DisplaySetKind.MULTIFRAME)


def _slice_number(slice_spec: str | int | None, count: int, *, kind: str, among: str) -> int | None:
    """The 1-based number a ``--slice`` gives, checked against 1 to ``count``; None for 'middle'
    (the default). ``kind`` and ``among`` name what is counted in the error sentences."""
    if slice_spec is None or str(slice_spec).strip().lower() == "middle":
        return None
    try:
        number = int(str(slice_spec).strip())
    except ValueError:
        raise WorkstationError(f"--slice must be {kind} or 'middle', not {slice_spec!r}.") from None
    if not 1 <= number <= count:
        raise WorkstationError(f"--slice {number} is outside {among} 1 to {count}; choose one in that range.")
    return number


def slice_index(display_set: DisplaySet, slice_spec: str | int | None, headers: Mapping[str, Dataset]) -> int:
    """0-based image index from ``--slice``: 'middle' (default) or the image's Instance Number
    (0020,0013), the number the corner text shows ('Im: 65') and reports cite ("image 65"); for
    one multi-frame image, the frame number (:func:`workstation.model.image_number.index_of_number`).
    ``headers`` maps SOP Instance UID to header."""
    count = len(display_set.frames)
    if slice_spec is None or str(slice_spec).strip().lower() == "middle":
        return count // 2
    try:
        number = int(str(slice_spec).strip())
    except ValueError:
        raise WorkstationError(f"--slice must be an image number (Instance Number) or 'middle', not {slice_spec!r}.") from None
    numbers = [instance_number(headers.get(uid)) for uid, _ in display_set.frames]
    return index_of_number(numbers, [frame for _, frame in display_set.frames], number)


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
    colormap: str | None = None,
    suv_kind: str = "bw",
    segmentations: Sequence[Any] = (),
) -> np.ndarray:
    """(height, width, 3) uint8 of image ``index`` of a display set as a viewport shows it.

    PET opens as the viewport opens it (inverted, 0-5 SUV when the header allows); ``colormap``
    (a :mod:`workstation.model.colormaps` name) and ``suv_kind`` (bw, lbm, bsa) change that.
    ``segmentations`` (:class:`~workstation.model.segmentation.Segmentation`, structure sets)
    are drawn over the image where they lie on it.

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
        renderer.set_state(state)
        renderer.suv_kind = suv_kind
        renderer.set_stack(len(display_set.frames), [h if h is not None else header for h in known], display_set=display_set)
        initial_view(state, header, display_set.modality, suv_factor=renderer.suv_factor)
        if colormap is not None:
            state.update(colormap=colormap, invert=False if colormap else state.invert)
        renderer.set_image(index, stored, header, frame=frame - 1)
        if segmentations:
            renderer.set_segmentations(segmentations)
        renderer.voi_function = voi_function
        if window is not None:
            state.set_window(*window)
        renderer.set_overlays_visible(overlay)
        return renderer.capture()
    finally:
        renderer.close()


#: The SUV window of a PET MIP (lower, upper): 0 to 10 SUVbw, inverted, as whole-body MIPs are read.
MIP_SUV_WINDOW = (0.0, 10.0)


def render_pet_mip(volume: np.ndarray, geometry: VolumeGeometry, header: Dataset, *, size: tuple[int, int] = (512, 512),
                   window: tuple[float, float] | None = None, azimuth: float = 0.0, overlay: bool = True) -> np.ndarray:
    """A maximum intensity projection seen from the front, turned by ``azimuth`` degrees about
    the patient's long axis (a rotating MIP): the coronal plane of an MPR whose slab spans the
    whole volume, projected by maximum. PET is shown inverted, 0-10 SUV when the header gives SUV
    (:mod:`workstation.model.suv`); ``window`` (modality units) overrides that."""
    from workstation.model.mpr import MAX_SLAB_MM
    from workstation.model.suv import display_unit
    from workstation.render.mpr import render_mpr_image

    state = MprState(geometry)
    if azimuth:
        state.rotate("axial", azimuth)
    extent = float(np.linalg.norm(np.asarray(geometry.dimensions_mm, dtype=float)))
    state.set_slab(min(MAX_SLAB_MM, extent), "mip")
    pet = str(header.get("Modality", "") or "").upper() == "PT"
    unit = display_unit(header) if pet else None
    if window is None and unit is not None and unit.factor:
        low, high = MIP_SUV_WINDOW
        window = ((low + high) / 2.0 / unit.factor, (high - low) / unit.factor)
    return render_mpr_image(volume, geometry, header, view="coronal", state=state, size=size, window=window,
                            overlay=overlay, invert=pet,
                            display_unit=(unit.factor, unit.label) if unit is not None and unit.factor else None)


def load_overlays(display_sets: Sequence[DisplaySet], read_instance: Callable[[str], bytes]) -> list[Any]:
    """The segmentations (SEG, PS3.3 A.51) and structure sets (RTSTRUCT, A.19) of a study, read
    for drawing over its images; one that cannot be read raises a WorkstationError sentence."""
    from io import BytesIO

    import pydicom

    from workstation.model.segmentation import read_segmentation

    out: list[Any] = []
    for display_set in display_sets:
        if display_set.kind == DisplaySetKind.SEG:
            for uid in display_set.sop_instance_uids:
                out.append(read_segmentation(pydicom.dcmread(BytesIO(read_instance(uid)))))
        elif display_set.kind == DisplaySetKind.RTSTRUCT:
            try:
                from workstation.model.rtstruct import read_structure_set
            except ImportError:
                continue
            for uid in display_set.sop_instance_uids:
                out.append(read_structure_set(pydicom.dcmread(BytesIO(read_instance(uid)))))
    return out


def write_png(image: np.ndarray, path: Path) -> None:
    """Write an (height, width, 3) uint8 picture as PNG."""
    from PIL import Image

    Image.fromarray(np.ascontiguousarray(image), mode="RGB").save(path, format="PNG")


# -- MPR and 3D views (issue 4) ------------------------------------------------------------------

#: Views ``workstation render --view`` offers besides the 2D image.
MPR_VIEWS = ("axial", "coronal", "sagittal", "oblique")


def load_display_set_volume(
    display_set: DisplaySet, headers: dict[str, Dataset], read_instance: Callable[[str], bytes]
) -> tuple[np.ndarray, VolumeGeometry, Dataset, str]:
    """Decode a volume display set into one array on a grid its affine describes exactly
    (uneven or missing slices resampled, see :mod:`workstation.model.resample`); returns
    (volume ``[k, j, i]``, geometry, a header for the display table, a note on resampling)."""
    from workstation.model.resample import regular_volume
    from workstation.render.mpr import load_volume

    if not display_set.is_volume:
        raise WorkstationError(f"Display set {display_set.uid} is a {display_set.kind.value}, not a volume; MPR and 3D need a volume series.")
    uids = list(dict.fromkeys(uid for uid, _ in display_set.frames))
    missing = [uid for uid in uids if uid not in headers]
    if missing:
        raise WorkstationError(f"The header of instance {missing[0]} is missing; retrieve the study again.")
    volume, result = load_volume([headers[uid] for uid in uids], read_instance)
    regular = regular_volume(volume, result)
    return regular.volume, regular.geometry, headers[uids[0]], regular.note


def mpr_state_for_view(
    geometry: VolumeGeometry, view: str, *, slice_spec: str | int | None = None,
    azimuth: float = 0.0, elevation: float = 0.0, slab_mm: float = 0.0, projection: str = "mip",
    interpolation: str = "linear",
) -> tuple[MprState, str]:
    """The MPR state of a ``--view`` and the plane to show. ``oblique`` is the axial plane
    tilted by ``elevation`` degrees about the patient's left-right axis (a rotation in the
    sagittal view) and then by ``azimuth`` degrees about the anterior-posterior axis (in the
    coronal view). ``slice_spec``: 'middle' (the crosshair at the volume centre) or the 1-based
    position along the view's normal, one voxel apart."""
    from workstation.model.mpr import Interpolation

    if view not in MPR_VIEWS:
        raise WorkstationError(f"--view must be one of {', '.join(MPR_VIEWS)} or 3d, not {view!r}.")
    state = MprState(geometry)
    try:
        state.interpolation = Interpolation(str(interpolation).lower())
    except ValueError:
        raise WorkstationError(f"--interpolation must be nearest, linear or cubic, not {interpolation!r}.") from None
    name = "axial" if view == "oblique" else view
    if view == "oblique":
        state.rotate("sagittal", elevation)
        state.rotate("coronal", azimuth)
    if slab_mm:
        state.set_slab(slab_mm, projection)
    number = _slice_number(slice_spec, state.slice_count(name), kind="a position number", among=f"the {view} positions")
    if number is not None:
        state.set_slice(name, number - 1)
    return state, name


def render_view(
    display_set: DisplaySet,
    headers: dict[str, Dataset],
    read_instance: Callable[[str], bytes],
    *,
    view: str,
    slice_spec: str | int | None = None,
    size: tuple[int, int] = (512, 512),
    window: tuple[float, float] | None = None,
    overlay: bool = True,
    slab_mm: float = 0.0,
    projection: str = "mip",
    interpolation: str = "linear",
    azimuth: float = 0.0,
    elevation: float = 0.0,
    preset_3d: str | None = None,
    segmentations: Sequence[Any] = (),
) -> np.ndarray:
    """(height, width, 3) uint8 of an MPR plane (``view`` in :data:`MPR_VIEWS`) or of the 3D
    volume rendering (``view='3d'``) of a volume display set."""
    volume, geometry, header, _note = load_display_set_volume(display_set, headers, read_instance)
    if view == "mip":
        return render_pet_mip(volume, geometry, header, size=size, window=window, azimuth=azimuth, overlay=overlay)
    if view == "3d":
        try:
            from workstation.render.volume3d import render_volume_image
        except ImportError:
            raise WorkstationError("3D view is not available yet.") from None
        rescale = (float(header.get("RescaleSlope", 1) or 1), float(header.get("RescaleIntercept", 0) or 0))
        return render_volume_image(
            volume, geometry, preset=preset_3d or "ct-bone", azimuth=azimuth, elevation=elevation, size=size, rescale=rescale,
            segmentations=segmentations,
        )
    from workstation.render.mpr import render_mpr_image

    state, name = mpr_state_for_view(
        geometry, view, slice_spec=slice_spec, azimuth=azimuth, elevation=elevation, slab_mm=slab_mm,
        projection=projection, interpolation=interpolation,
    )
    return render_mpr_image(volume, geometry, header, view=name, state=state, size=size, window=window, overlay=overlay,
                            segmentations=segmentations)
