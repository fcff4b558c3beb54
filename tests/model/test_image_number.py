"""One image number everywhere: the Instance Number (PS3.3 C.7.6.1), the stack position beside it
in the corner only where the two differ."""

from __future__ import annotations

import pytest
from pydicom.dataset import Dataset

from workstation.errors import WorkstationError
from workstation.model.image_number import (
    corner_text,
    header_label,
    image_label,
    index_of_number,
    instance_number,
)


def _ds(**keywords: object) -> Dataset:
    ds = Dataset()
    for key, value in keywords.items():
        setattr(ds, key, value)
    return ds


def test_labels_name_the_instance_number() -> None:
    assert image_label(65) == "image 65"
    assert image_label(65, 3) == "image 65, frame 3"
    assert image_label(65, series="2") == "series 2, image 65"
    assert image_label(None) == "image without number"
    assert header_label(_ds(SeriesNumber=2, InstanceNumber=65)) == "series 2, image 65"
    assert header_label(_ds(SeriesNumber=2, InstanceNumber=65), 3) == "series 2, image 65"  # single frame: no frame
    assert header_label(_ds(SeriesNumber=4, InstanceNumber=1, NumberOfFrames=30), 7) == "series 4, image 1, frame 7"
    assert header_label(None) == ""
    assert instance_number(_ds(InstanceNumber="")) is None and instance_number(_ds(InstanceNumber="12")) == 12


def test_corner_shows_both_only_where_they_differ() -> None:
    assert corner_text(65, 210, 274) == "Im: 65 (210/274)"
    assert corner_text(210, 210, 274) == "Im: 210/274"
    assert corner_text(None, 210, 274) == "Im: - (210/274)"
    assert corner_text(1, 7, 30, frame=7) == "Im: 1 fr 7 (7/30)"


def test_index_of_number() -> None:
    numbers = [274 - k for k in range(274)]  # numbered against the stack order
    frames = [1] * 274
    assert index_of_number(numbers, frames, 65) == 209
    assert numbers[index_of_number(numbers, frames, 65)] == 65
    with pytest.raises(WorkstationError, match="No image of this display set has Instance Number 300; its images are numbered 1 to 274"):
        index_of_number(numbers, frames, 300)
    # one multi-frame image: the frame number
    assert index_of_number([5] * 30, list(range(1, 31)), 7) == 6
    with pytest.raises(WorkstationError, match="outside this display set's frames 1 to 30"):
        index_of_number([5] * 30, list(range(1, 31)), 31)
    # two multi-frame images with their own numbers: the first frame of the one asked for
    assert index_of_number([3, 3, 4, 4], [1, 2, 1, 2], 4) == 2
