"""3D presets as data: lookup by name, window shift, percent-of-range conversion, value range."""

from __future__ import annotations

import numpy as np
import pytest

from workstation.errors import WorkstationError
from workstation.render.presets3d import PRESETS, preset_3d, value_range


def test_the_six_presets_of_the_issue_are_there_and_well_formed() -> None:
    names = {p.name for p in PRESETS.values()}
    assert names == {"CT bone", "CT soft tissue", "CT angiography", "CT lung", "MR default", "MIP"}
    for preset in PRESETS.values():
        xs = [v for v, _ in preset.opacity]
        assert xs == sorted(xs) and all(0 <= a <= 1 for _, a in preset.opacity)
        assert all(0 <= c <= 1 for _, *rgb in preset.colour for c in rgb)
    assert PRESETS["mip"].blend == "mip" and not PRESETS["mip"].shade
    assert PRESETS["ct-bone"].units == "HU" and PRESETS["mr-default"].units == "percent"


def test_lookup_by_key_or_display_name() -> None:
    assert preset_3d("CT bone") is PRESETS["ct-bone"]
    assert preset_3d("ct_angio") is PRESETS["ct-angio"]
    assert preset_3d(PRESETS["mip"]) is PRESETS["mip"]
    with pytest.raises(WorkstationError, match="choose one of ct-bone"):
        preset_3d("bones")


def test_shift_moves_and_widens_the_curves_about_their_centre() -> None:
    bone = PRESETS["ct-bone"]
    centre, width = bone.window
    assert (centre, width) == ((150 + 1500) / 2, 1350)
    moved = bone.shifted(100.0, 1350.0)  # centre +100 HU, width doubled
    assert moved.window == pytest.approx((centre + 100, 2 * width))
    assert [a for _, a in moved.opacity] == [a for _, a in bone.opacity]
    # every point keeps its relative place: x' = c + 100 + 2 (x - c)
    for (x, _), (x2, _) in zip(bone.opacity, moved.opacity, strict=True):
        assert x2 == pytest.approx(centre + 100 + 2 * (x - centre))
    for (x, *_), (x2, *_) in zip(bone.colour, moved.colour, strict=True):
        assert x2 == pytest.approx(centre + 100 + 2 * (x - centre))
    assert bone.shifted(0, -10 * width).window[1] == pytest.approx(0.01 * width)


def test_percent_presets_need_and_use_the_value_range() -> None:
    mr = PRESETS["mr-default"]
    with pytest.raises(WorkstationError, match="percent of the value range"):
        mr.in_values(None)
    values = mr.in_values((100.0, 1100.0))
    assert values.units == "HU"
    assert [v for v, _ in values.opacity] == [100 + 10 * p for p, _ in mr.opacity]


def test_value_range_is_the_robust_percentile_range_in_modality_values() -> None:
    rng = np.random.default_rng(1)
    volume = rng.integers(0, 1001, size=(64, 64, 64)).astype(np.uint16)
    volume[0, 0, 0] = 60000  # one hot pixel must not stretch the range
    low, high = value_range(volume, (2.0, -100.0))
    expected = np.percentile(volume, (0.5, 99.5)) * 2.0 - 100.0
    assert low == pytest.approx(expected[0], abs=2 * 10) and high == pytest.approx(expected[1], abs=2 * 10)
    assert high < 2000
