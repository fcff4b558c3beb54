"""Tolerant readers of data element values: one place for "absent, empty or malformed" rules.

Headers come from files, archives (DICOM JSON, PS3.18 F.2) and the local index, and real ones
break the standard: a VM 1 attribute with several values, text where a number belongs, an
undecoded ``bytes`` value (VR UN), a value pydicom cannot even convert. These functions never
raise on such values; they return an empty result (``""``, ``[]``, ``None``) and let the caller
decide what a missing value means. Value multiplicity follows PS3.5 6.4: several values of one
element arrive as a pydicom ``MultiValue`` (or a list from JSON) and are joined with the
backslash delimiter when read as text.

Core module: no Qt, no VTK.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
from pydicom.dataset import Dataset
from pydicom.multival import MultiValue

__all__ = ["float_or_none", "float_values", "floats", "int_or_none", "items", "raw_value", "text", "values"]


def raw_value(ds: Dataset, keyword: str) -> Any:
    """The element's value as pydicom gives it; ``None`` when absent or when reading it fails
    (a malformed value pydicom cannot convert reads as missing)."""
    try:
        return ds.get(keyword, None)
    except Exception:  # noqa: BLE001 - a malformed value reads as missing
        return None


def text(ds: Dataset, keyword: str, strip: bool = True) -> str:
    """The attribute as one string; ``""`` when absent, empty or unreadable.

    Several values (PS3.5 6.4) are joined with a backslash; ``bytes`` are decoded as Latin-1.
    With ``strip`` (the default) each value and the whole loses its leading and trailing spaces
    (padding and insignificant spaces, PS3.5 6.2); pass ``strip=False`` for ST/LT/UT text whose
    leading spaces are significant.
    """
    value = raw_value(ds, keyword)
    if value is None:
        return ""
    if isinstance(value, bytes):
        value = value.decode("latin-1", "replace")
    if isinstance(value, (MultiValue, list, tuple)):
        value = "\\".join(str(v).strip() if strip else str(v) for v in value)
    result = str(value)
    return result.strip() if strip else result


def items(ds: Dataset, keyword: str) -> list[Dataset]:
    """The items of a sequence attribute (VR SQ, PS3.5 7.5); ``[]`` when absent, empty,
    unreadable or not a sequence. Items that are not datasets are left out."""
    value = raw_value(ds, keyword)
    if value is None or isinstance(value, (str, bytes)):
        return []
    try:
        return [item for item in value if isinstance(item, Dataset)]
    except TypeError:
        return []


def values(value: Any) -> list[Any]:
    """A value as a list of its values (PS3.5 6.4 Value Multiplicity).

    ``None`` and ``""`` give ``[]``; a ``MultiValue``, list, tuple or other sequence gives its
    items; anything else (a number, a string, ``bytes``, a person name) is one value: strings are
    never split into characters.
    """
    if value is None or (isinstance(value, (str, bytes)) and value in ("", b"")):
        return []
    if isinstance(value, (str, bytes, bytearray)) or not isinstance(value, Sequence):
        return [value]
    return list(value)


def int_or_none(source: Any, keyword: str | None = None, *, truncate: bool = False) -> int | None:
    """One integer, or ``None`` when absent, empty, several values or not a number.

    ``int_or_none(ds, "Rows")`` reads the attribute; ``int_or_none(value)`` converts a value
    already read. By default decimal text such as ``"3.5"`` is not an integer (IS, PS3.5 6.2);
    with ``truncate`` it is read as a number and truncated toward zero (``"3.7"`` gives 3).
    """
    value = raw_value(source, keyword) if keyword is not None else source
    if value is None or (isinstance(value, str) and value == ""):
        return None
    try:
        return int(float(value)) if truncate else int(value)
    except (TypeError, ValueError, OverflowError):
        return None


def float_or_none(source: Any, keyword: str | None = None, *, finite: bool = True) -> float | None:
    """One number, or ``None`` when absent, several values or not a number (DS/FL/FD, PS3.5 6.2).

    ``float_or_none(ds, "FrameTime")`` reads the attribute; ``float_or_none(value)`` converts a
    value already read. With ``finite`` (the default) NaN and infinities are ``None`` too.
    """
    value = raw_value(source, keyword) if keyword is not None else source
    try:
        number = float(value)
    except (TypeError, ValueError, OverflowError):
        return None
    return number if not finite or math.isfinite(number) else None


def float_values(value: Any) -> list[float]:
    """Every value (see :func:`values`) as a float, NaN where one is not a number, so that
    paired attributes (Window Center and Window Width, PS3.3 C.11.2.1.2) stay aligned."""
    out = []
    for v in values(value):
        number = float_or_none(v, finite=False)
        out.append(math.nan if number is None else number)
    return out


def floats(value: Any, count: int) -> np.ndarray | None:
    """Exactly ``count`` finite numbers as a float64 array, or ``None`` (absent, a value that is
    not a number, the wrong number of values, NaN or infinity); e.g. Image Position (Patient)
    with ``count=3`` (PS3.3 C.7.6.2.1.1)."""
    items = [float_or_none(v, finite=False) for v in values(value)]
    if len(items) != count or any(v is None or not math.isfinite(v) for v in items):
        return None
    return np.asarray(items, dtype=np.float64)
