"""Window/level presets: the image's own (PS3.3 C.11.2 VOI LUT Module) and the modality's.

A preset is a window centre and width in modality units (after the Modality LUT / Rescale,
PS3.3 C.11.1; Hounsfield units for CT), applied with the linear VOI function of
PS3.3 C.11.2.1.2. The image's own presets come first, in the order of its Window Center (0028,1050)
/ Window Width (0028,1051) values, named by Window Center & Width Explanation (0028,1055). Enhanced
multi-frame images carry them in the Frame VOI LUT functional group (PS3.3 C.7.6.16.2.10).

The pixel pipeline module (``workstation.model.pixels``) did not exist when this was written, so
the image's presets are read by :func:`workstation.model.pixels.window_presets` and named here.

CT presets (centre / width, HU) and where the values come from:

======================  ==========  ===============================================================
brain                   40 / 80     Radiopaedia "Windowing (CT)": brain W:80 L:40
subdural                75 / 215    within Radiopaedia's subdural range W:130-300 L:50-100;
                                    the 215/75 pair is the one several viewers ship
stroke                  40 / 40     Radiopaedia: stroke W:40 L:40 (the alternative W:8 L:32 is so
                                    narrow that noise dominates on low-dose scans; not chosen)
lung                    -600 / 1500 Radiopaedia: lungs W:1500 L:-600
mediastinum             50 / 350    Radiopaedia: mediastinum W:350 L:50
abdomen                 40 / 400    Radiopaedia: soft tissues W:400 L:40 (abdomen)
liver                   60 / 160    common liver window (Radiopaedia lists W:150 L:30 with
                                    contrast variants; 160/60 is the usual portal-venous choice)
bone                    400 / 1800  Radiopaedia: bone W:1800 L:400
======================  ==========  ===============================================================

PET presets are SUV windows from 0 (PS3.3 C.8.9.1 SUVbw, :mod:`workstation.model.suv`): 0-5,
0-10 and 0-3 SUV, the ranges whole-body FDG PET is read with (EANM/SNMMI practice: 0-5 for the
body, wider for the bladder and brain, narrower for low uptake). They exist only when the header
gives an SUV factor, and are converted to Bq/ml (the modality unit the window is kept in).

Keys: for PET with SUV, keys 1-3 choose the SUV windows. For CT, keys 1-8 always choose the eight presets above in that order (so a key means the
same window on every CT) and key 9 the image's first own preset. For other modalities keys 1-9
choose the image's own presets in order.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from pydicom.dataset import Dataset

from workstation.model import pixels

DICOM = "dicom"
MODALITY = "modality"


#: A window preset (one class for the image's own windows and the modality's presets).
WindowPreset = pixels.WindowPreset


def named_preset(name: str, center: float, width: float, source: str, key: int | None = None,
                 function: str = pixels.LINEAR) -> WindowPreset:
    """A preset called ``name`` from ``source`` (:data:`DICOM` or :data:`MODALITY`)."""
    return WindowPreset(center, width, name, function, source, key)


#: The CT presets, in key order (keys 1-8).
CT_PRESETS: tuple[WindowPreset, ...] = (
    named_preset("Brain", 40.0, 80.0, MODALITY),
    named_preset("Subdural", 75.0, 215.0, MODALITY),
    named_preset("Stroke", 40.0, 40.0, MODALITY),
    named_preset("Lung", -600.0, 1500.0, MODALITY),
    named_preset("Mediastinum", 50.0, 350.0, MODALITY),
    named_preset("Abdomen", 40.0, 400.0, MODALITY),
    named_preset("Liver", 60.0, 160.0, MODALITY),
    named_preset("Bone", 400.0, 1800.0, MODALITY),
)

#: Modality presets by Modality (0008,0060). Only CT has calibrated units (HU) that make fixed
#: windows meaningful; MR, US, XA, MG and the rest use the image's own presets or auto window.
MODALITY_PRESETS: dict[str, tuple[WindowPreset, ...]] = {"CT": CT_PRESETS}


def modality_presets(modality: str) -> tuple[WindowPreset, ...]:
    """Fixed presets that apply to a modality (empty when none do)."""
    return MODALITY_PRESETS.get((modality or "").strip().upper(), ())


def dicom_window_presets(ds: Dataset) -> list[WindowPreset]:
    """The image's own windows (PS3.3 C.11.2.1.2), in order, without repeats.

    Pairs with a missing or non-numeric value, or a width below 1, are left out (PS3.3
    C.11.2.1.2.1 requires Window Width >= 1). Unnamed ones are called 'Default', 'Default 2', ...
    """
    presets: list[WindowPreset] = []
    seen: set[tuple[float, float]] = set()
    for own in pixels.window_presets(ds):
        if own.width < 1 or (own.center, own.width) in seen:
            continue
        seen.add((own.center, own.width))
        name = own.explanation
        if not name:
            unnamed = sum(1 for p in presets if p.name.startswith("Default"))
            name = "Default" if unnamed == 0 else f"Default {unnamed + 1}"
        presets.append(named_preset(name, own.center, own.width, DICOM, function=own.function))
    return presets


#: SUV windows of PET (lower, upper SUV), in key order.
SUV_WINDOWS: tuple[tuple[float, float], ...] = ((0.0, 5.0), (0.0, 10.0), (0.0, 3.0))


def suv_presets(suv_factor: float, unit: str = "SUV") -> tuple[WindowPreset, ...]:
    """The PET SUV windows in Bq/ml for an image whose Bq/ml times ``suv_factor`` is its SUV."""
    return tuple(
        named_preset(f"{unit} {low:g}-{high:g}", (low + high) / 2.0 / suv_factor, (high - low) / suv_factor, MODALITY)
        for low, high in SUV_WINDOWS
    )


def available_presets(modality: str, header: Dataset | None = None, suv_factor: float | None = None) -> list[WindowPreset]:
    """All presets for a viewport: the image's own first, then the modality's, with their keys.

    See the module docstring for the key rule (CT: 1-8 fixed, 9 the image's first preset;
    PET with ``suv_factor``: 1-3 the SUV windows; otherwise 1-9 the image's presets).
    """
    own = dicom_window_presets(header) if header is not None else []
    fixed = modality_presets(modality)
    if (modality or "").strip().upper() == "PT" and suv_factor:
        fixed = suv_presets(suv_factor)
    result: list[WindowPreset] = []
    if fixed:
        for n, preset in enumerate(own):
            result.append(_with_key(preset, 9 if n == 0 else None))
        result.extend(_with_key(preset, n + 1) for n, preset in enumerate(fixed))
    else:
        result.extend(_with_key(preset, n + 1 if n < 9 else None) for n, preset in enumerate(own))
    return result


def _with_key(preset: WindowPreset, key: int | None) -> WindowPreset:
    return replace(preset, key=key)


def preset_for_key(key: int, presets: Sequence[WindowPreset]) -> WindowPreset | None:
    """The preset a number key (1-9) chooses, or None."""
    return next((p for p in presets if p.key == key), None)


def find_preset(name: str, modality: str = "CT", header: Dataset | None = None, suv_factor: float | None = None) -> WindowPreset | None:
    """A preset by name, ignoring case (for ``workstation render --preset NAME``; PET: "SUV 0-5")."""
    wanted = name.strip().lower()
    return next((p for p in available_presets(modality, header, suv_factor) if p.name.lower() == wanted), None)


__all__ = [
    "CT_PRESETS",
    "DICOM",
    "MODALITY",
    "MODALITY_PRESETS",
    "WindowPreset",
    "available_presets",
    "dicom_window_presets",
    "find_preset",
    "modality_presets",
    "named_preset",
    "preset_for_key",
]
