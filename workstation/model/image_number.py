"""One image number everywhere the reader sees it: the Instance Number.

A radiologist writes "image 65" in a report and the clinician looks for image 65: that is the
Instance Number (0020,0013) (PS3.3 C.7.6.1, General Image Module), which every viewer shows. The
position of an image in the workstation's stack (210th of 274, after sorting by position) is a
different number; showing it alone sends the reader to the wrong slice. So:

- the viewport's corner shows the Instance Number, and the stack position beside it only where
  the two differ: "Im: 65 (210/274)"; "Im: 65/274" where they agree (:func:`corner_text`);
- everywhere else (measurement list, key images, report text, CLI) an image is "image 65",
  with "frame 3" for a frame of a multi-frame image (PS3.3 C.7.6.6) (:func:`image_label`);
- ``workstation render --slice 65`` means Instance Number 65 (:func:`index_of_number`).

An image without an Instance Number (Type 2: it may be empty) shows "-" in the corner (with its
position) and is "image without number" in text: its position is never passed off as one.
"""

from __future__ import annotations

from collections.abc import Sequence

from pydicom.dataset import Dataset

from workstation.errors import WorkstationError
from workstation.model import attributes as attr


def instance_number(ds: Dataset | None) -> int | None:
    """Instance Number (0020,0013) as an integer, ``None`` when absent or empty."""
    return None if ds is None else attr.int_or_none(ds, "InstanceNumber")


def image_label(number: int | None, frame: int | None = None, *, series: str = "") -> str:
    """How text names an image: "image 65", "image 65, frame 3", "series 2, image 65" (``series``
    is the Series Number as text); "image without number" when it has no Instance Number."""
    parts = [f"series {series}"] if series else []
    parts.append(f"image {number}" if number is not None else "image without number")
    if frame is not None:
        parts.append(f"frame {frame}")
    return ", ".join(parts)


def header_label(ds: Dataset | None, frame: int | None = None, *, with_series: bool = True) -> str:
    """:func:`image_label` of a header ("series 2, image 65"), ``frame`` only for multi-frame images."""
    if ds is None:
        return ""
    frames = attr.int_or_none(ds, "NumberOfFrames") or 1
    series = attr.text(ds, "SeriesNumber") if with_series else ""
    return image_label(instance_number(ds), frame if frames > 1 else None, series=series)


def corner_text(number: int | None, position: int, count: int, frame: int | None = None) -> str:
    """The corner's image line: "Im: 65/274" when the Instance Number is the position,
    "Im: 65 (210/274)" when they differ, "Im: 65 fr 3 (3/20)" for a frame of a multi-frame image,
    "Im: - (210/274)" when the image has no Instance Number."""
    if frame is not None:
        shown = "-" if number is None else str(number)
        return f"Im: {shown} fr {frame} ({position}/{count})"
    if number == position:
        return f"Im: {position}/{count}"
    return f"Im: {'-' if number is None else number} ({position}/{count})"


def index_of_number(numbers: Sequence[int | None], frames: Sequence[int], number: int) -> int:
    """0-based position of the image a reader calls ``number`` in a stack whose images have
    ``numbers`` (Instance Numbers) and ``frames`` (1-based frame of each, for multi-frame).

    Images with distinct Instance Numbers: the one numbered ``number``. One multi-frame image (the
    same Instance Number throughout): frame ``number``. ``WorkstationError`` says what exists."""
    count = len(numbers)
    distinct = {n for n in numbers if n is not None}
    if len(distinct) <= 1 and count > 1:  # one multi-frame image, or no numbers at all: frames/positions
        if not 1 <= number <= count:
            raise WorkstationError(f"--slice {number} is outside this display set's frames 1 to {count}; "
                                   "choose one in that range.")
        return number - 1
    matches = [i for i, n in enumerate(numbers) if n == number]
    if not matches:
        low, high = min(distinct), max(distinct)
        raise WorkstationError(f"No image of this display set has Instance Number {number}; its images are "
                               f"numbered {low} to {high} (the 'Im:' number of the viewport's corner).")
    if len(matches) > 1:  # repeated numbers (multi-frame images sharing one): the first frame of the first
        firsts = [i for i in matches if frames[i] <= 1]
        return firsts[0] if firsts else matches[0]
    return matches[0]
