"""3D volume rendering presets as data: colour and opacity transfer functions, shading, blending.

A preset maps a voxel's modality value (PS3.3 C.11.1: stored value x Rescale Slope + Rescale
Intercept, Hounsfield units for CT) to a colour and an opacity, the classification step of direct
volume rendering. CT presets give their points in HU, so they mean the same tissue on every
scanner; MR has no absolute scale, so MR presets (and the MIP) give their points in percent of the
volume's value range, measured robustly (0.5th to 99.5th percentile, see :func:`value_range`).

The renderer converts points to stored values itself (``stored = (value - intercept) / slope``),
so no HU copy of the volume is ever made. This module imports no VTK: presets are plain data that
the UI can list and a settings file could extend.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

import numpy as np

from workstation.errors import WorkstationError

Units = Literal["HU", "percent"]
Blend = Literal["composite", "mip"]

#: Percentiles that bound a volume's "range" for percent-of-range presets (MR, MIP).
RANGE_PERCENTILES = (0.5, 99.5)
#: Voxels sampled (at most) to measure that range: a strided subsample keeps it quick.
RANGE_SAMPLE = 2_000_000


@dataclass(frozen=True)
class Preset3D:
    """One 3D preset.

    ``opacity`` holds (value, opacity 0..1) points and ``colour`` (value, red, green, blue 0..1)
    points, values in ``units`` ('HU' or 'percent' of the value range); between points the
    transfer functions are linear and beyond the end points they keep the end value. ``blend``
    is 'composite' (front-to-back compositing, optionally shaded with the Phong lighting terms
    ``ambient``/``diffuse``/``specular``) or 'mip' (maximum intensity projection).
    """

    key: str
    name: str
    units: Units
    opacity: tuple[tuple[float, float], ...]
    colour: tuple[tuple[float, float, float, float], ...]
    blend: Blend = "composite"
    shade: bool = True
    ambient: float = 0.2
    diffuse: float = 0.8
    specular: float = 0.2
    specular_power: float = 10.0

    @property
    def window(self) -> tuple[float, float]:
        """(centre, width) of the opacity curve: the middle and the span of its points."""
        low, high = self.opacity[0][0], self.opacity[-1][0]
        return (low + high) / 2.0, max(high - low, 1e-6)

    def shifted(self, delta_centre: float, delta_width: float) -> Preset3D:
        """The preset with its opacity and colour curves moved by ``delta_centre`` and stretched
        about their centre so that the opacity curve's width grows by ``delta_width`` (same units
        as the points). A width never shrinks below 1 % of the original."""
        centre, width = self.window
        new_width = max(width + delta_width, 0.01 * width)
        scale = new_width / width

        def move(value: float) -> float:
            return centre + delta_centre + (value - centre) * scale

        return replace(
            self,
            opacity=tuple((move(v), a) for v, a in self.opacity),
            colour=tuple((move(v), r, g, b) for v, r, g, b in self.colour),
        )

    def in_values(self, value_range: tuple[float, float] | None = None) -> Preset3D:
        """The preset with its points in modality values: HU presets as they are, percent presets
        mapped onto ``value_range`` (low, high), which they need."""
        if self.units == "HU":
            return self
        if value_range is None:
            raise WorkstationError(f"The 3D preset '{self.name}' is given in percent of the value range, which was not measured.")
        low, high = value_range
        span = max(high - low, 1e-6)

        def at(percent: float) -> float:
            return low + span * percent / 100.0

        return replace(
            self,
            units="HU",
            opacity=tuple((at(v), a) for v, a in self.opacity),
            colour=tuple((at(v), r, g, b) for v, r, g, b in self.colour),
        )


PRESETS: dict[str, Preset3D] = {
    p.key: p
    for p in (
        Preset3D(
            "ct-bone",
            "CT bone",
            "HU",
            opacity=((150.0, 0.0), (300.0, 0.15), (600.0, 0.6), (1500.0, 0.9)),
            colour=((150.0, 0.55, 0.25, 0.15), (300.0, 0.9, 0.75, 0.55), (700.0, 1.0, 0.95, 0.85), (1500.0, 1.0, 1.0, 1.0)),
            ambient=0.15,
            diffuse=0.85,
            specular=0.25,
        ),
        Preset3D(
            "ct-soft-tissue",
            "CT soft tissue",
            "HU",
            opacity=((-300.0, 0.0), (-100.0, 0.02), (20.0, 0.15), (80.0, 0.3), (300.0, 0.5), (1000.0, 0.8)),
            colour=((-300.0, 0.55, 0.25, 0.15), (-100.0, 0.8, 0.45, 0.35), (40.0, 0.9, 0.6, 0.5), (300.0, 1.0, 0.9, 0.8), (1000.0, 1.0, 1.0, 1.0)),
        ),
        Preset3D(
            "ct-angio",
            "CT angiography",
            "HU",
            opacity=((120.0, 0.0), (200.0, 0.3), (400.0, 0.7), (1200.0, 0.85)),
            colour=((120.0, 0.6, 0.0, 0.0), (220.0, 0.9, 0.2, 0.15), (400.0, 1.0, 0.85, 0.7), (1200.0, 1.0, 1.0, 1.0)),
            specular=0.35,
        ),
        Preset3D(
            "ct-lung",
            "CT lung",
            "HU",
            opacity=((-1000.0, 0.0), (-900.0, 0.0), (-750.0, 0.05), (-400.0, 0.25), (-200.0, 0.0)),
            colour=((-1000.0, 0.3, 0.3, 0.8), (-750.0, 0.6, 0.7, 1.0), (-400.0, 0.95, 0.85, 0.8), (-200.0, 1.0, 1.0, 1.0)),
        ),
        Preset3D(
            "mr-default",
            "MR default",
            "percent",
            opacity=((10.0, 0.0), (30.0, 0.1), (60.0, 0.4), (100.0, 0.8)),
            colour=((10.0, 0.3, 0.2, 0.15), (40.0, 0.8, 0.65, 0.55), (100.0, 1.0, 1.0, 1.0)),
        ),
        Preset3D(
            "mip",
            "MIP",
            "percent",
            opacity=((0.0, 1.0), (100.0, 1.0)),
            colour=((0.0, 0.0, 0.0, 0.0), (100.0, 1.0, 1.0, 1.0)),
            blend="mip",
            shade=False,
        ),
    )
}


def preset_3d(name: str | Preset3D) -> Preset3D:
    """The preset called ``name`` (its key such as 'ct-bone', or its display name, any case)."""
    if isinstance(name, Preset3D):
        return name
    wanted = name.strip().lower().replace("_", "-").replace(" ", "-")
    for preset in PRESETS.values():
        if wanted in (preset.key, preset.name.lower().replace(" ", "-")):
            return preset
    raise WorkstationError(f"There is no 3D preset called '{name}'; choose one of {', '.join(PRESETS)}.")


def value_range(volume: np.ndarray, rescale: tuple[float, float] = (1.0, 0.0)) -> tuple[float, float]:
    """Robust (low, high) modality values of a volume: its 0.5th and 99.5th percentiles, from a
    strided subsample of at most :data:`RANGE_SAMPLE` voxels (no copy of the whole volume)."""
    step = max(1, int(round((volume.size / RANGE_SAMPLE) ** (1.0 / 3.0))))
    sample = volume[::step, ::step, ::step]
    low, high = np.percentile(sample, RANGE_PERCENTILES)
    slope, intercept = rescale
    a, b = float(low) * slope + intercept, float(high) * slope + intercept
    low_v, high_v = min(a, b), max(a, b)
    if high_v <= low_v:
        high_v = low_v + 1.0
    return low_v, high_v
