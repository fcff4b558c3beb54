"""``workstation render STUDY_UID ... --out FILE.png``: the 2D viewport's picture, offscreen.

Reads the study from the local library (PS3.10 files), builds its display sets, and renders one
image through the viewport's pipeline (:mod:`workstation.render.offscreen`). The lead wires
:func:`add_render_parser` into ``workstation.cli``.
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path
from typing import Any

from workstation.errors import WorkstationError
from workstation.settings import Settings


def add_render_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add the ``render`` verb to an argparse sub-parser collection."""
    p: argparse.ArgumentParser = subparsers.add_parser(
        "render", help="render one image of a study as the 2D viewport shows it (PNG)"
    )
    p.add_argument("study_uid", metavar="STUDY_UID")
    p.add_argument("--series", metavar="NUMBER|UID", help="Series Number or Series Instance UID (default: the first image series)")
    p.add_argument("--slice", default="middle", metavar="N|middle",
                   help="the image's Instance Number (0020,0013): the 'Im:' number of the viewport's corner "
                        "and the 'image N' of reports, not its position in the stack; a frame number for one "
                        "multi-frame image; with --view, the plane's 1-based position along its normal; "
                        "default 'middle'")
    group = p.add_mutually_exclusive_group()
    group.add_argument("--window", metavar="C,W", help="window centre and width in modality units (HU for CT)")
    group.add_argument("--preset", metavar="NAME", help="a window preset by name (e.g. brain, lung, bone, or the image's own)")
    p.add_argument("--colormap", choices=("grey", "hot_iron", "pet", "hot_metal_blue", "pet_20_step"),
                   help="colour map after the window (PS3.6 B.1 palettes; PET opens inverted grey)")
    p.add_argument("--suv", choices=("bw", "lbm", "bsa"), default="bw",
                   help="PET: SUV by body weight (default), lean body mass (SUL) or body surface area; presets 'SUV 0-5', 'SUV 0-10', 'SUV 0-3'")
    p.add_argument("--size", default="512x512", metavar="WxH", help="picture size in pixels (default 512x512)")
    p.add_argument("--no-overlay", action="store_true", help="leave out corner text, orientation markers and scale bar")
    p.add_argument("--overlays", action="store_true",
                   help="draw the study's segmentations (SEG) and RT structure sets over the image, in their colours")
    p.add_argument("--view", choices=("axial", "coronal", "sagittal", "oblique", "3d", "mip"),
                   help="reformat the volume series (MPR) as this plane, render it in 3D with --preset (a 3D preset then), "
                        "or 'mip': a maximum intensity projection from the front turned by --azimuth (PET: inverted, 0-10 SUV)")
    p.add_argument("--slab", type=float, default=0.0, metavar="MM", help="MPR slab thickness in mm (default 0: a thin plane)")
    p.add_argument("--projection", choices=("mip", "minip", "avg"), default="mip", help="how a slab is projected (default mip)")
    p.add_argument("--interpolation", choices=("nearest", "linear", "cubic"), default="linear", help="MPR interpolation (default linear)")
    p.add_argument("--azimuth", type=float, default=0.0, metavar="DEG", help="3D: turn about the patient's long axis; oblique: tilt about the anterior-posterior axis")
    p.add_argument("--elevation", type=float, default=0.0, metavar="DEG", help="3D: turn up or down; oblique: tilt about the left-right axis")
    p.add_argument("--out", required=True, type=Path, metavar="FILE.png")
    p.set_defaults(func=cmd_render)
    return p


def parse_size(text: str) -> tuple[int, int]:
    match = re.fullmatch(r"\s*(\d+)\s*[xX]\s*(\d+)\s*", text or "")
    if not match:
        raise WorkstationError(f"--size must look like 512x512, not {text!r}.")
    width, height = int(match.group(1)), int(match.group(2))
    if not (16 <= width <= 8192 and 16 <= height <= 8192):
        raise WorkstationError(f"--size {width}x{height} is outside 16 to 8192 pixels per side; choose a smaller or larger size.")
    return width, height


def parse_window(text: str) -> tuple[float, float]:
    parts = [p.strip() for p in (text or "").split(",")]
    try:
        center, width = float(parts[0]), float(parts[1])
        if len(parts) != 2:
            raise ValueError
    except (ValueError, IndexError):
        raise WorkstationError(f"--window must be centre,width such as 40,400, not {text!r}.") from None
    if width < 1:
        raise WorkstationError(f"--window width must be at least 1 (PS3.3 C.11.2.1.2), not {width:g}.")
    return center, width


def cmd_render(args: argparse.Namespace, settings: Settings) -> int:
    """Render the chosen image to ``--out``; 0 on success (errors raise WorkstationError)."""
    from workstation.model.displayset import build_display_sets
    from workstation.model.presets import find_preset
    from workstation.render.offscreen import IMAGE_KINDS, render_image, slice_index
    from workstation.sources import open_library

    size = parse_size(args.size)
    window = parse_window(args.window) if getattr(args, "window", None) else None
    library = open_library(settings)
    headers = library.study_headers(args.study_uid)
    if not headers:
        raise WorkstationError(f"Study {args.study_uid} is not in the local library; pull or import it first.")
    every = build_display_sets(headers)
    display_sets = [d for d in every if d.kind in IMAGE_KINDS]
    if not display_sets:
        raise WorkstationError(f"Study {args.study_uid} has no images to render.")
    chosen = display_sets[0]
    if args.series:
        wanted = str(args.series).strip()
        matches = [d for d in display_sets if wanted in (d.series_uid, d.uid) or (d.series_number is not None and wanted == str(d.series_number))]
        if not matches:
            raise WorkstationError(f"Study {args.study_uid} has no image series {wanted}; `workstation info` lists them.")
        chosen = max(matches, key=lambda d: len(d.frames)) if len(matches) > 1 else matches[0]
    by_uid = {str(h.get("SOPInstanceUID", "")): h for h in headers}
    if getattr(args, "view", None):
        if not args.series and not chosen.is_volume:
            volumes = [d for d in display_sets if d.is_volume]
            if not volumes:
                raise WorkstationError(f"Study {args.study_uid} has no volume series to reformat; render its images in 2D.")
            chosen = volumes[0]
        overlays: list[Any] = []
        if getattr(args, "overlays", False):
            from workstation.render.offscreen import load_overlays

            overlays = load_overlays(every, library.read_instance)
        image = _render_view(args, chosen, by_uid, library.read_instance, size, window, overlays)
        _write(image, Path(args.out))
        _audit_export(settings, args, headers[0])
        return 0
    index = slice_index(chosen, args.slice, by_uid)
    voi_function = None
    if getattr(args, "preset", None):
        header = by_uid.get(chosen.frames[index][0])
        preset = find_preset(args.preset, chosen.modality, header, _suv_factor(chosen, by_uid, header, getattr(args, "suv", "bw")))
        if preset is None:
            raise WorkstationError(f"There is no window preset called {args.preset!r} for {chosen.modality or 'this'} images.")
        window, voi_function = (preset.center, preset.width), preset.function
    segmentations: list[Any] = []
    if getattr(args, "overlays", False):
        from workstation.render.offscreen import load_overlays

        segmentations = load_overlays(every, library.read_instance)
    image = render_image(
        chosen, by_uid, library.read_instance, index=index, size=size, window=window, segmentations=segmentations,
        voi_function=voi_function, overlay=not args.no_overlay,
        colormap=_colormap(getattr(args, "colormap", None)), suv_kind=getattr(args, "suv", "bw") or "bw",
    )
    _write(image, Path(args.out))
    _audit_export(settings, args, headers[0])
    return 0


def _audit_export(settings: Settings, args: argparse.Namespace, header: Any) -> None:
    """An image written out of the library is an export (PS3.15 A.5.3.6) in the audit log."""
    from workstation.audit import AuditAction, audit_log_for

    audit_log_for(settings).record(
        AuditAction.STUDY_EXPORTED, study_uid=args.study_uid, patient_id=str(header.get("PatientID", "")),
        issuer_of_patient_id=str(header.get("IssuerOfPatientID", "")),
        detail={"as": "png", "series": str(args.series or ""), "view": str(getattr(args, "view", "") or "")})


def _colormap(name: str | None) -> str | None:
    """The --colormap name as model.colormaps spells it ("grey" is the plain grey scale)."""
    if name is None:
        return None
    return "" if name == "grey" else name


def _suv_factor(chosen: Any, by_uid: dict[str, Any], header: Any, kind: str) -> float | None:
    """Bq/ml -> SUV of a PET display set (model.suv), for the SUV presets; None otherwise."""
    from workstation.model.suv import display_unit

    if header is None:
        return None
    series = [by_uid[uid] for uid, _ in chosen.frames if uid in by_uid]
    unit = display_unit(header, series, kind or "bw")
    return unit.factor if unit is not None else None


def _write(image: Any, out: Path) -> None:
    from workstation.render.offscreen import write_png

    try:
        write_png(image, out)
    except OSError as exc:
        raise WorkstationError(f"Cannot write {out} ({exc.strerror or exc}); choose a folder you can write to.") from exc


def _render_view(args: argparse.Namespace, chosen: Any, by_uid: dict[str, Any], read_instance: Any,
                 size: tuple[int, int], window: tuple[float, float] | None, overlays: list[Any] | None = None) -> Any:
    """``--view``: an MPR plane (slab, projection, oblique angles) or the 3D rendering."""
    from workstation.model.presets import find_preset
    from workstation.render.offscreen import render_view

    preset_3d = None
    if args.view == "3d":
        preset_3d = getattr(args, "preset", None)
    elif getattr(args, "preset", None):
        header = by_uid.get(chosen.frames[len(chosen.frames) // 2][0])
        preset = find_preset(args.preset, chosen.modality, header)
        if preset is None:
            raise WorkstationError(f"There is no window preset called {args.preset!r} for {chosen.modality or 'this'} images.")
        window = (preset.center, preset.width)
    if args.slab < 0:
        raise WorkstationError(f"--slab must be a thickness of 0 mm or more, not {args.slab:g}.")
    return render_view(
        chosen, by_uid, read_instance, view=args.view, slice_spec=args.slice, size=size, window=window,
        overlay=not args.no_overlay, slab_mm=args.slab, projection=args.projection,
        interpolation=args.interpolation, azimuth=args.azimuth, elevation=args.elevation, preset_3d=preset_3d,
        segmentations=overlays or (),
    )
