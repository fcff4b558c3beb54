"""Where each image (or frame) lies in the patient: the Image Plane attributes, read one by one.

Single-frame images carry Image Position (Patient), Image Orientation (Patient) and Pixel Spacing
at the top level (PS3.3 C.7.6.2 Image Plane Module). Enhanced multi-frame images carry them in
functional groups (PS3.3 C.7.6.16): Plane Position (Patient) per frame (C.7.6.16.2.3), Plane
Orientation (Patient) (C.7.6.16.2.4) and Pixel Measures (C.7.6.16.2.1) either shared by all
frames or per frame. :func:`image_planes` turns both into one flat list of :class:`ImagePlane`.
"""

from __future__ import annotations

from collections.abc import Sequence, Sized
from dataclasses import dataclass

import numpy as np
from pydicom.dataset import Dataset

from workstation.errors import GeometryError
from workstation.model import attributes as attr


@dataclass(frozen=True, eq=False)
class ImagePlane:
    """One image or one frame of a multi-frame image, with its place in patient space (LPS mm).

    ``orientation`` is the six direction cosines (row direction, then column direction);
    ``pixel_spacing`` is (row spacing, column spacing) as in Pixel Spacing (PS3.3 10.7.1.3).
    ``frame`` is the 1-based frame number, ``None`` for a single-frame image.
    """

    sop_instance_uid: str
    frame: int | None
    header_index: int
    instance_number: int | None
    position: np.ndarray
    orientation: np.ndarray
    pixel_spacing: tuple[float, float]
    rows: int
    columns: int
    source: str = ""

    @property
    def label(self) -> str:
        """How a sentence names this image: 'frame 3' or 'image 12' (its Instance Number)."""
        if self.frame is not None:
            return f"frame {self.frame}"
        if self.instance_number is not None:
            return f"image {self.instance_number}"
        return f"image {self.sop_instance_uid}"


def describe_instance(ds: Dataset) -> str:
    """Name an instance in a sentence without patient data: its file name or SOP Instance UID."""
    filename = getattr(ds, "filename", None)
    if isinstance(filename, str) and filename:
        return f"file {filename}"
    uid = str(ds.get("SOPInstanceUID", "") or "").strip()
    return f"instance {uid}" if uid else "an instance without SOP Instance UID"


def _floats(value: object, count: int, what: str, ds: Dataset) -> np.ndarray:
    """``count`` finite numbers, or a :class:`GeometryError` saying what is wrong with them."""
    items = [attr.float_or_none(v, finite=False) for v in attr.values(value)]
    if any(v is None for v in items):
        raise GeometryError(
            f"The {what} of {describe_instance(ds)} is not a list of numbers; the image cannot be placed in patient space."
        )
    array = attr.floats(value, count)
    if array is None:
        raise GeometryError(
            f"The {what} of {describe_instance(ds)} has {len(items)} values where {count} are required; the image cannot be placed in patient space."
        )
    return array


def _item(ds: Dataset | None, keyword: str) -> Dataset | None:
    if ds is None or keyword not in ds:
        return None
    seq = ds[keyword].value
    if not seq:
        return None
    first = seq[0]
    return first if isinstance(first, Dataset) else None


def _functional(ds: Dataset, frame_item: Dataset | None, sequence: str, keyword: str) -> object | None:
    """A value from a per-frame functional group, else from the shared one (PS3.3 C.7.6.16)."""
    for group in (frame_item, _item(ds, "SharedFunctionalGroupsSequence")):
        macro = _item(group, sequence)
        if macro is not None and keyword in macro and macro[keyword].value not in (None, ""):
            return macro[keyword].value
    return None


def is_enhanced_multiframe(ds: Dataset) -> bool:
    """True when the image carries per-frame functional groups (PS3.3 C.7.6.16)."""
    return "PerFrameFunctionalGroupsSequence" in ds and bool(ds.PerFrameFunctionalGroupsSequence)


def _require(value: object | None, what: str, ds: Dataset, where: str = "") -> object:
    if value is None or value == "" or (isinstance(value, Sized) and len(value) == 0):
        raise GeometryError(
            f"{describe_instance(ds).capitalize()} has no {what}{where}, so it cannot be placed in a volume; view it as a single image."
        )
    return value


def _size(ds: Dataset) -> tuple[int, int]:
    rows, columns = attr.int_or_none(ds, "Rows"), attr.int_or_none(ds, "Columns")
    if not rows or not columns:
        raise GeometryError(
            f"{describe_instance(ds).capitalize()} has no Rows or Columns, so it is not an image that can be placed in a volume."
        )
    return rows, columns


def image_planes(headers: Sequence[Dataset]) -> list[ImagePlane]:
    """One :class:`ImagePlane` per single-frame image and per frame of enhanced multi-frame images.

    Raises :class:`GeometryError` naming the instance when Image Position (Patient), Image
    Orientation (Patient) or Pixel Spacing is missing or malformed.
    """
    planes: list[ImagePlane] = []
    for index, ds in enumerate(headers):
        uid = str(ds.get("SOPInstanceUID", "") or "").strip()
        number = attr.int_or_none(ds, "InstanceNumber")
        source = describe_instance(ds)
        rows, columns = _size(ds)
        if is_enhanced_multiframe(ds):
            for frame_number, frame_item in enumerate(ds.PerFrameFunctionalGroupsSequence, start=1):
                where = f" for frame {frame_number}"
                position = _require(
                    _functional(ds, frame_item, "PlanePositionSequence", "ImagePositionPatient"),
                    "Image Position (Patient)", ds, where,
                )
                orientation = _require(
                    _functional(ds, frame_item, "PlaneOrientationSequence", "ImageOrientationPatient"),
                    "Image Orientation (Patient)", ds, where,
                )
                spacing = _require(
                    _functional(ds, frame_item, "PixelMeasuresSequence", "PixelSpacing"),
                    "Pixel Spacing", ds, where,
                )
                ps = _floats(spacing, 2, "Pixel Spacing", ds)
                planes.append(
                    ImagePlane(
                        uid, frame_number, index, number,
                        _floats(position, 3, "Image Position (Patient)", ds),
                        _floats(orientation, 6, "Image Orientation (Patient)", ds),
                        (float(ps[0]), float(ps[1])), rows, columns, source,
                    )
                )
            continue
        position = _require(ds.get("ImagePositionPatient", None), "Image Position (Patient)", ds)
        orientation = _require(ds.get("ImageOrientationPatient", None), "Image Orientation (Patient)", ds)
        spacing = _require(ds.get("PixelSpacing", None), "Pixel Spacing", ds)
        ps = _floats(spacing, 2, "Pixel Spacing", ds)
        planes.append(
            ImagePlane(
                uid, None, index, number,
                _floats(position, 3, "Image Position (Patient)", ds),
                _floats(orientation, 6, "Image Orientation (Patient)", ds),
                (float(ps[0]), float(ps[1])), rows, columns, source,
            )
        )
    return planes
