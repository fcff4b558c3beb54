"""Colour maps for functional images: the well-known colour palettes of PS3.6 Annex B.

A PET or fused image is shown through the grey display table of PS3.4 Annex N (modality LUT,
window, polarity) and then through one of these palettes, indexed by the 8-bit grey level: the
palette is a plain (256, 3) uint8 table. The palettes are the Standard Color Palette instances of
PS3.6 B.1 (Hot Iron, PET, Hot Metal Blue, PET 20 Step), read from the copies pydicom ships
(``pydicom.data`` palettes) so their entries are the standard's, not ours.
"""

from __future__ import annotations

import warnings
from functools import lru_cache

import numpy as np

GREY = ""
HOT_IRON = "hot_iron"
PET = "pet"
HOT_METAL_BLUE = "hot_metal_blue"
PET_20_STEP = "pet_20_step"

#: Colour map name -> SOP Instance UID of its Standard Color Palette (PS3.6 Annex B, Table B.1-1).
PALETTE_UIDS = {
    HOT_IRON: "1.2.840.10008.1.5.1",
    PET: "1.2.840.10008.1.5.2",
    HOT_METAL_BLUE: "1.2.840.10008.1.5.3",
    PET_20_STEP: "1.2.840.10008.1.5.4",
}

#: Names a reader sees, in menu order ("" is the plain grey scale).
LABELS = {GREY: "Grey", HOT_IRON: "Hot iron", PET: "PET", HOT_METAL_BLUE: "Hot metal blue", PET_20_STEP: "PET 20 step"}


@lru_cache(maxsize=8)
def palette(name: str) -> np.ndarray | None:
    """The (256, 3) uint8 table of colour map ``name``; None for the grey scale.

    Raises ValueError for an unknown name."""
    if name == GREY:
        return None
    uid = PALETTE_UIDS.get(name)
    if uid is None:
        raise ValueError(f"Unknown colour map {name!r}; choose one of {', '.join(n for n in LABELS if n)}.")
    from pydicom.pixels.processing import apply_color_lut

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        table = apply_color_lut(np.arange(256, dtype=np.uint8), palette=uid)
    out = np.ascontiguousarray(table, dtype=np.uint8)
    out.setflags(write=False)
    return out


def colorize(grey: np.ndarray, name: str) -> np.ndarray:
    """Grey levels (uint8, any shape) through colour map ``name``: shape + (3,) uint8."""
    table = palette(name)
    if table is None:
        return np.repeat(np.asarray(grey, dtype=np.uint8)[..., None], 3, axis=-1)
    return table[np.asarray(grey, dtype=np.uint8)]
