"""Small readers of header attributes shared by the QC checks (never raise on bad values).

``text`` is :func:`workstation.model.attributes.text`, re-exported for the checks.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from pydicom.dataset import Dataset

from workstation.model.attributes import float_or_none, int_or_none, raw_value, text
from workstation.model.sop_classes import document_kind

#: Secondary Capture image storage classes (PS3.4 B.5): screenshots, dose screens, scanned pages.
SECONDARY_CAPTURE_PREFIX = "1.2.840.10008.5.1.4.1.1.7"


def integer(ds: Dataset, keyword: str) -> int | None:
    """The attribute as one integer, ``None`` when absent or not a single number."""
    return int_or_none(ds, keyword)


def number(ds: Dataset, keyword: str) -> float | None:
    """The attribute as one finite float, ``None`` when absent, not a single number or an
    undecoded ``bytes`` value."""
    value = raw_value(ds, keyword)
    return None if isinstance(value, bytes) else float_or_none(value)


def numbers(ds: Dataset, keyword: str) -> list[float] | None:
    """A multi-valued numeric attribute as floats; ``None`` when absent or unreadable."""
    try:
        value = ds.get(keyword, None)
    except Exception:  # noqa: BLE001
        return None
    if value is None or value == "":
        return None
    values: Iterable[Any] = [value] if isinstance(value, (str, int, float)) else value
    try:
        return [float(v) for v in values]
    except (TypeError, ValueError):
        return None


def sop_uid(ds: Dataset) -> str:
    return text(ds, "SOPInstanceUID")


def is_image(ds: Dataset) -> bool:
    """True for an image object: not a document class (SR, PDF, KOS, ...) and has a pixel matrix
    or an Image Pixel Module attribute (PS3.3 C.7.6.3)."""
    if document_kind(text(ds, "SOPClassUID")) is not None:
        return False
    return any(k in ds for k in ("Rows", "Columns", "PixelData", "BitsAllocated", "PhotometricInterpretation"))


def is_secondary(ds: Dataset) -> bool:
    """True for secondary captures and derived secondary images (screens, dose reports)."""
    if text(ds, "SOPClassUID").startswith(SECONDARY_CAPTURE_PREFIX):
        return True
    image_type = text(ds, "ImageType").upper().split("\\")
    return len(image_type) > 1 and image_type[1] == "SECONDARY"


def is_localizer(ds: Dataset) -> bool:
    return "LOCALIZER" in text(ds, "ImageType").upper().split("\\")


def series_label(headers: Sequence[Dataset]) -> str:
    """"series 3", or the Series Instance UID when the series has no number."""
    first = headers[0]
    n = integer(first, "SeriesNumber")
    return f"series {n}" if n is not None else f"series {text(first, 'SeriesInstanceUID') or '(no UID)'}"


def instance_label(ds: Dataset) -> str:
    """"image 12" (Instance Number) or the SOP Instance UID."""
    n = integer(ds, "InstanceNumber")
    return f"image {n}" if n is not None else f"instance {sop_uid(ds) or '(no UID)'}"


def uids(headers: Iterable[Dataset]) -> tuple[str, ...]:
    """SOP Instance UIDs, in order, without repeats."""
    return tuple(dict.fromkeys(u for u in (sop_uid(ds) for ds in headers) if u))


def join_labels(labels: Sequence[str], limit: int = 5) -> str:
    shown = ", ".join(labels[:limit])
    return shown + (f" and {len(labels) - limit} more" if len(labels) > limit else "")
