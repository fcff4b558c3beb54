"""A DICOM header as rows for a tag browser: nested sequences, private tags named, values shown safely.

Rows follow the data set's encoding (PS3.5 7): one row per data element, in tag order; a sequence
(VR SQ, PS3.5 7.5) is followed by one row per item, and each item by its elements one level
deeper. Private data elements (PS3.5 7.8) are named by their private creator and, where pydicom's
private dictionary knows the tag for that creator, by its name.

Values are text meant for a plain-text view: control characters are replaced, long values are
elided (the full text is kept for copying, within a bound), binary values (OB, OW, OF, OD, OL, OV,
UN) are shown as their length. Hostile files exist (deep nesting, huge values, markup in text),
so nothing here interprets a value, nesting is cut at a fixed depth and an element that cannot be
read becomes a row that says so instead of an exception.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pydicom
from pydicom.dataelem import DataElement
from pydicom.dataset import Dataset
from pydicom.multival import MultiValue
from pydicom.tag import BaseTag

from workstation.errors import InvalidDicomError

ELEMENT = "element"
SEQUENCE = "sequence"
ITEM = "item"
NOTE = "note"  # a row that says something was left out or unreadable

BINARY_VRS = frozenset({"OB", "OW", "OF", "OD", "OL", "OV", "UN", "OB or OW", "US or OW"})
SHOWN_CHARACTERS = 160
COPIED_CHARACTERS = 1_000_000
MAX_DEPTH = 32
MAX_ROWS = 200_000
#: Groups every real header has some of (file meta, identification, patient, acquisition, image).
_STANDARD_GROUPS = frozenset({0x0002, 0x0008, 0x0010, 0x0018, 0x0020, 0x0028})


@dataclass(frozen=True)
class TagRow:
    """One row of the tag browser. ``parent`` is the index of the enclosing row, -1 at the top."""

    index: int
    parent: int
    depth: int
    kind: str  # ELEMENT, SEQUENCE, ITEM or NOTE
    tag: str  # "(0010,0010)"; items "(FFFE,E000)"; "" for notes
    keyword: str  # standard keyword, "" for private, item and note rows
    name: str  # keyword, or private creator + name, or "Item 3"
    vr: str
    vm: int
    value: str  # one line, elided, safe for a plain-text view
    full_value: str  # what "copy value" puts on the clipboard
    private_creator: str = ""

    @property
    def tag_hex(self) -> str:
        """The tag as 8 hex digits (``00100010``), for searching."""
        return self.tag.strip("()").replace(",", "").upper()


def _tag_text(tag: BaseTag) -> str:
    return f"({tag.group:04X},{tag.element:04X})"


def _clean(text: str) -> str:
    """One line of printable text: control characters become visible marks."""
    out = []
    for ch in text:
        if ch in "\r\n":
            out.append("\u21b5")  # downwards arrow with corner leftwards
        elif ch == "\t":
            out.append(" ")
        elif ch.isprintable():
            out.append(ch)
        else:
            out.append("\ufffd")
    return "".join(out)


def _elide(text: str) -> str:
    if len(text) <= SHOWN_CHARACTERS:
        return text
    return f"{text[:SHOWN_CHARACTERS]}\u2026 ({len(text)} characters)"


def _binary_length(elem: DataElement) -> int:
    value = elem.value
    if isinstance(value, (bytes, bytearray)):
        return len(value)
    length = getattr(elem, "length", None)
    return int(length) if isinstance(length, int) and length >= 0 else 0


def _value_text(elem: DataElement) -> tuple[str, str]:
    """(shown, copied) text of a non-sequence element."""
    if elem.VR in BINARY_VRS or isinstance(elem.value, (bytes, bytearray)):
        n = _binary_length(elem)
        label = "(binary, 1 byte)" if n == 1 else f"(binary, {n} bytes)"
        return label, label
    value: Any = elem.value
    if value is None:
        return "", ""
    if isinstance(value, (list, MultiValue)):
        text = "\\".join(str(v) for v in value)
    else:
        text = str(value)
    text = text.replace("\x00", "")
    return _elide(_clean(text)), text[:COPIED_CHARACTERS]


def _name(elem: DataElement) -> tuple[str, str, str]:
    """(keyword, display name, private creator) of an element."""
    tag = elem.tag
    if not tag.is_private:
        keyword = elem.keyword or ""
        return keyword, keyword or elem.name or "(unknown tag)", ""
    if 0x0010 <= tag.element <= 0x00FF:
        return "", "Private Creator", ""
    creator = str(getattr(elem, "private_creator", "") or "")
    name = elem.name or ""
    if name.startswith("[") and name.endswith("]"):
        name = name[1:-1]
    elif not creator or name in ("Private tag data", ""):
        name = "(unknown private)"
    return "", _clean(f"{creator} \u00b7 {name}" if creator else name), _clean(creator)


class _Builder:
    def __init__(self) -> None:
        self.rows: list[TagRow] = []
        self.full = False

    def add(self, **fields: Any) -> int:
        index = len(self.rows)
        self.rows.append(TagRow(index=index, **fields))
        return index

    def note(self, parent: int, depth: int, text: str) -> None:
        self.add(parent=parent, depth=depth, kind=NOTE, tag="", keyword="", name=text, vr="",
                 vm=0, value="", full_value="")

    def dataset(self, ds: Dataset, parent: int, depth: int) -> None:
        if depth > MAX_DEPTH:
            self.note(parent, depth, f"(nesting deeper than {MAX_DEPTH} levels not shown)")
            return
        try:
            tags = sorted(ds.keys())
        except Exception:  # noqa: BLE001 - a broken data set still shows what it can
            self.note(parent, depth, "(the elements of this data set cannot be listed)")
            return
        for tag in tags:
            if len(self.rows) >= MAX_ROWS:
                if not self.full:
                    self.full = True
                    self.note(-1, 0, f"(more than {MAX_ROWS} rows: the rest is not shown)")
                return
            self.element(ds, BaseTag(tag), parent, depth)

    def element(self, ds: Dataset, tag: BaseTag, parent: int, depth: int) -> None:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                elem = ds[tag]
                keyword, name, creator = _name(elem)
                vr = str(elem.VR or "")
                if vr == "SQ":
                    items = list(elem.value or [])
                    vm = len(items)
                    shown = "1 item" if vm == 1 else f"{vm} items"
                    full = shown
                else:
                    vm = int(elem.VM)
                    shown, full = _value_text(elem)
        except Exception as exc:  # noqa: BLE001 - malformed values raise many kinds
            self.add(parent=parent, depth=depth, kind=NOTE, tag=_tag_text(tag), keyword="",
                     name=f"(unreadable element: {type(exc).__name__})", vr="", vm=0, value="",
                     full_value="")
            return
        index = self.add(parent=parent, depth=depth, kind=SEQUENCE if vr == "SQ" else ELEMENT,
                         tag=_tag_text(tag), keyword=keyword, name=name, vr=vr, vm=vm, value=shown,
                         full_value=full, private_creator=creator)
        if vr != "SQ":
            return
        for number, item in enumerate(items, 1):
            if len(self.rows) >= MAX_ROWS:
                return
            item_index = self.add(parent=index, depth=depth + 1, kind=ITEM, tag="(FFFE,E000)",
                                  keyword="", name=f"Item {number}", vr="", vm=0, value="",
                                  full_value="")
            if isinstance(item, Dataset):
                self.dataset(item, item_index, depth + 2)


def tag_rows(ds: Dataset, *, include_file_meta: bool = True) -> list[TagRow]:
    """The rows of a header, file meta information (group 0002, PS3.10 7.1) first when present."""
    builder = _Builder()
    meta = getattr(ds, "file_meta", None)
    if include_file_meta and isinstance(meta, Dataset) and len(meta):
        builder.dataset(meta, -1, 0)
    builder.dataset(ds, -1, 0)
    return builder.rows


def _hex_query(query: str) -> str:
    cleaned = query.strip().strip("()").replace(",", "").replace(" ", "").upper()
    if cleaned and len(cleaned) >= 4 and all(c in "0123456789ABCDEF" for c in cleaned):
        return cleaned
    return ""


def search_rows(rows: list[TagRow], query: str) -> list[int]:
    """Indices of the rows whose keyword, name, tag or value contains ``query`` (case-insensitive).

    A tag may be typed as ``(0010,0010)``, ``0010,0010`` or ``00100010`` (or a part of one, at
    least four hex digits). An empty query matches nothing.
    """
    needle = query.strip().lower()
    if not needle:
        return []
    hex_needle = _hex_query(query)
    hits = []
    for row in rows:
        if (
            needle in row.name.lower()
            or needle in row.keyword.lower()
            or (hex_needle and hex_needle in row.tag_hex)
            or needle in row.full_value.lower()
        ):
            hits.append(row.index)
    return hits


def ancestors(rows: list[TagRow], index: int) -> Iterator[int]:
    """The indices of the rows enclosing row ``index``, innermost first."""
    parent = rows[index].parent
    while parent >= 0:
        yield parent
        parent = rows[parent].parent


def copy_text(row: TagRow) -> str:
    """What "copy value" puts on the clipboard: the full value (binary values as their length)."""
    if row.kind in (ELEMENT, SEQUENCE):
        return row.full_value
    return ""


def load_header(path: Path) -> Dataset:
    """Read a file's header for the tag browser (no pixel data). Raises :class:`InvalidDicomError`."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ds = pydicom.dcmread(path, stop_before_pixels=True, force=True)
    except RecursionError as exc:
        raise InvalidDicomError(
            f"{Path(path).name} nests sequences too deeply to be read; it cannot be shown."
        ) from exc
    except Exception as exc:  # noqa: BLE001 - pydicom raises many kinds on bad input
        raise InvalidDicomError(
            f"{Path(path).name} cannot be read as DICOM ({type(exc).__name__}); check that it is a DICOM file."
        ) from exc
    meta = getattr(ds, "file_meta", None)
    groups = {int(tag) >> 16 for tag in ds.keys()} | ({2} if meta is not None and len(meta) else set())
    if not groups & _STANDARD_GROUPS:
        raise InvalidDicomError(f"{Path(path).name} holds no DICOM header elements; check that it is a DICOM file.")
    return ds
