"""SyncGroup across Frames of Reference: a current stack and a prior stack of another Frame of
Reference scroll together by an offset along the slice axis, guessed from the extents' centres
or set by aligning one slice pair; the expected slices are worked out here from the z values."""

from __future__ import annotations

import numpy as np
import pytest

from workstation.model.image_plane import ImagePlane
from workstation.model.spatial import StackGeometry
from workstation.model.viewport import SyncGroup, ViewportState, extent_centre, link_axis

AXIAL = (1.0, 0.0, 0.0, 0.0, 1.0, 0.0)
CURRENT_FOR = "1.2.826.0.1.3680043.2.1125.101"
PRIOR_FOR = "1.2.826.0.1.3680043.2.1125.202"


def stack(z_values: list[float], frame: str) -> StackGeometry:
    planes = [ImagePlane(f"1.9.{frame[-3:]}.{n}", None, n, n + 1, np.array([-50.0, -50.0, z]), np.array(AXIAL),
                         (0.5, 0.5), 200, 200) for n, z in enumerate(z_values)]
    return StackGeometry(planes, frame)


def state(count: int, index: int) -> ViewportState:
    s = ViewportState()
    s.show("ds", count, image_index=index)
    return s


def nearest(z_values: list[float], wanted: float) -> int:
    return int(np.argmin([abs(z - wanted) for z in z_values]))


CURRENT_Z = [3.0 * k for k in range(20)]  # 0 .. 57 mm, 3 mm apart
PRIOR_Z = [12.0 + 2.0 * k for k in range(25)]  # 12 .. 60 mm, 2 mm apart: centre 36 vs 28.5


def linked_pair() -> tuple[SyncGroup, ViewportState, ViewportState]:
    group = SyncGroup(scroll=True, across_frames=True)
    current, prior = state(len(CURRENT_Z), 0), state(len(PRIOR_Z), 0)
    group.add(current, stack(CURRENT_Z, CURRENT_FOR))
    group.add(prior, stack(PRIOR_Z, PRIOR_FOR))
    return group, current, prior


def test_automatic_guess_aligns_the_extent_centres() -> None:
    group, current, prior = linked_pair()
    guess = (min(PRIOR_Z) + max(PRIOR_Z)) / 2 - (min(CURRENT_Z) + max(CURRENT_Z)) / 2
    assert group.offset(current, prior) == pytest.approx(guess) == pytest.approx(7.5)
    assert group.guessed == {PRIOR_FOR}
    for index in (0, 7, 19):
        current.image_index = index
        assert prior.image_index == nearest(PRIOR_Z, CURRENT_Z[index] + guess)
    prior.image_index = 5  # and the other way round
    assert current.image_index == nearest(CURRENT_Z, PRIOR_Z[5] - guess)


def test_align_here_records_the_offset_and_scrolls_by_it() -> None:
    group, current, prior = linked_pair()
    group.scroll = False  # position the pair by hand, as a reader would before aligning
    current.image_index, prior.image_index = 4, 10  # 12 mm in current is 32 mm in the prior
    group.scroll = True
    assert group.align(current, prior) == pytest.approx(PRIOR_Z[10] - CURRENT_Z[4]) == pytest.approx(20.0)
    assert group.guessed == set()
    for index in (0, 4, 9, 15):
        current.image_index = index
        assert prior.image_index == nearest(PRIOR_Z, CURRENT_Z[index] + 20.0)
    # A stored offset set back later gives the same result.
    other, c2, p2 = linked_pair()
    other.set_offset(c2, p2, 20.0)
    c2.image_index = 9
    assert p2.image_index == nearest(PRIOR_Z, CURRENT_Z[9] + 20.0)


def test_feet_first_prior_shares_the_axis() -> None:
    """A prior listed in the other direction (anti-parallel normals) still links by location."""
    group = SyncGroup(scroll=True, across_frames=True)
    reversed_z = list(reversed(PRIOR_Z))
    flipped = (1.0, 0.0, 0.0, 0.0, -1.0, 0.0)  # normal -z
    planes = [ImagePlane(f"1.8.{n}", None, n, n + 1, np.array([-50.0, 50.0, z]), np.array(flipped), (0.5, 0.5), 200, 200)
              for n, z in enumerate(reversed_z)]
    prior_geometry = StackGeometry(planes, PRIOR_FOR)
    assert np.allclose(link_axis(prior_geometry), [0, 0, 1])
    assert extent_centre(prior_geometry, link_axis(prior_geometry)) == pytest.approx(36.0)
    current, prior = state(len(CURRENT_Z), 0), state(len(PRIOR_Z), 0)
    group.add(current, stack(CURRENT_Z, CURRENT_FOR))
    group.add(prior, prior_geometry)
    current.image_index = 10
    assert reversed_z[prior.image_index] == PRIOR_Z[nearest(PRIOR_Z, CURRENT_Z[10] + 7.5)]


def test_without_across_frames_the_index_offset_is_kept() -> None:
    group = SyncGroup(scroll=True)
    current, prior = state(len(CURRENT_Z), 5), state(len(PRIOR_Z), 2)
    group.add(current, stack(CURRENT_Z, CURRENT_FOR))
    group.add(prior, stack(PRIOR_Z, PRIOR_FOR))
    assert group.offset(current, prior) is None
    current.image_index = 9
    assert prior.image_index == 6
    with pytest.raises(ValueError):
        group.align(current, prior)


def test_window_follows_within_the_group() -> None:
    group, current, prior = linked_pair()
    group.window = True
    current.update(window_center=40.0, window_width=80.0)
    assert prior.window == (40.0, 80.0)
