"""Structured reports as a readable document (PS3.3 C.17.3 SR Document Content Module).

An SR is a tree of content items (PS3.3 C.17.3.2): each has a relationship type to its parent
(CONTAINS, HAS OBS CONTEXT, HAS CONCEPT MOD, HAS PROPERTIES, HAS ACQ CONTEXT, INFERRED FROM,
SELECTED FROM), a value type (CONTAINER, TEXT, CODE, NUM, DATE, TIME, DATETIME, PNAME, UIDREF,
IMAGE, COMPOSITE, WAVEFORM, SCOORD, SCOORD3D, TCOORD, TABLE) and usually a Concept Name code.
Items may also point at another item by position (by-reference relationships, PS3.3 C.17.3.2.5).

:func:`read_sr_document` walks that tree *iteratively* (a hostile file cannot blow the Python
stack) into a flat list of :class:`SRBlock` in document order, each with its depth, so a viewer
paints headings (CONTAINER concept names, as in TID 2000 Basic Diagnostic Imaging Report section
headings and TID 1500 Measurement Report groups) and lines under them. The same walk serves Basic
Text, Enhanced, Comprehensive, Comprehensive 3D SR and Key Object Selection documents (PS3.3 A.35).

:meth:`SRDocument.to_html` escapes every value taken from the file: nothing in a report can
become markup. :meth:`SRDocument.to_text` gives the same content as indented plain text.
"""

from __future__ import annotations

import html
import io
import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Any

import pydicom
from pydicom.dataset import Dataset
from pydicom.uid import UID

from workstation.errors import InvalidDicomError
from workstation.model import attributes as attr

#: Content items shown at most; the rest are summarised in one line (a hostile file may hold millions).
MAX_ITEMS = 20_000
#: Deepest nesting shown; deeper items are summarised (PS3.3 puts no limit, real reports use < 10).
MAX_DEPTH = 64
#: Longest text value kept per item (characters); longer values are cut with a note.
MAX_TEXT = 65_536

_SR_PREFIX = "1.2.840.10008.5.1.4.1.1.88."

#: Value types of PS3.3 Table C.17.3-7 this reader shows.
KNOWN_VALUE_TYPES = frozenset(
    {
        "CONTAINER", "TEXT", "CODE", "NUM", "DATE", "TIME", "DATETIME", "PNAME", "UIDREF",
        "IMAGE", "COMPOSITE", "WAVEFORM", "SCOORD", "SCOORD3D", "TCOORD",
    }
)


class BlockKind(str, Enum):
    """What an :class:`SRBlock` is, so a viewer can style it."""

    HEADING = "heading"  # a CONTAINER: its concept name is a section title
    ITEM = "item"  # a content item with a value
    REFERENCE = "reference"  # a by-reference relationship to another item (PS3.3 C.17.3.2.5)
    SKIPPED = "skipped"  # something this reader does not show, with why


@dataclass(frozen=True)
class CodedConcept:
    """A code triplet (PS3.3 8.8 Code Sequence Macro): value, scheme and meaning."""

    value: str
    scheme: str
    meaning: str

    @property
    def label(self) -> str:
        """What a reader sees: the meaning, else the code itself."""
        return self.meaning or (f"{self.value} ({self.scheme})" if self.value else "")


@dataclass(frozen=True)
class ReferencedObject:
    """A composite object an IMAGE / COMPOSITE / WAVEFORM item points at (PS3.3 C.17.3.2.3).

    ``frames`` are 1-based frame numbers ("all frames" when empty); ``presentation_state_uid``
    is the softcopy presentation state to show the image with, when the item names one.
    """

    sop_class_uid: str
    sop_instance_uid: str
    frames: tuple[int, ...] = ()
    presentation_state_uid: str = ""

    @property
    def sop_class_name(self) -> str:
        return _uid_name(self.sop_class_uid)


@dataclass(frozen=True)
class SRBlock:
    """One line of the readable document, in document order.

    ``position`` is the item's place in the tree in the dotted form of PS3.3 C.17.3.2.5
    ("1.2.3"; the root is "1"), which by-reference items name. ``text`` is the value as a reader
    would say it (code meaning, number with unit, formatted date, ...); ``numeric_value`` and
    ``unit`` are set for NUM, ``graphic_type`` and ``points`` for SCOORD / SCOORD3D / TCOORD
    (points are (column, row) image pixel coordinates for SCOORD, (x, y, z) mm in the referenced
    frame of reference for SCOORD3D, one value per sample or time offset for TCOORD).
    """

    kind: BlockKind
    depth: int
    position: str
    relationship: str = ""
    value_type: str = ""
    concept: CodedConcept | None = None
    text: str = ""
    numeric_value: float | None = None
    unit: str = ""
    references: tuple[ReferencedObject, ...] = ()
    graphic_type: str = ""
    points: tuple[tuple[float, ...], ...] = ()
    frame_of_reference_uid: str = ""
    referenced_positions: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        """The concept name a reader sees ("" for items without one)."""
        return self.concept.label if self.concept else ""


@dataclass(frozen=True)
class VerifyingObserver:
    """Who verified the report and when (PS3.3 C.17.2, Verifying Observer Sequence)."""

    name: str
    organization: str
    datetime: str


@dataclass(frozen=True)
class SRDocument:
    """A structured report ready to read: header facts and the blocks of its content tree.

    ``title`` is the root container's concept name (for example "Imaging Measurement Report");
    ``observers`` are the observer context items of the root (TID 1002: "Person Observer Name:
    ...", "Device Observer UID: ..."). No patient name or ID is kept here: the viewer's patient
    banner shows those from the study.
    """

    sop_class_uid: str
    sop_instance_uid: str
    title: str
    completion_flag: str
    completion_description: str
    verification_flag: str
    preliminary_flag: str
    content_date: str
    content_time: str
    observers: tuple[str, ...]
    verifying_observers: tuple[VerifyingObserver, ...]
    blocks: tuple[SRBlock, ...] = field(default_factory=tuple)

    @property
    def document_type(self) -> str:
        """The SOP class's name, e.g. "Enhanced SR Storage"."""
        return _uid_name(self.sop_class_uid)

    @property
    def skipped(self) -> tuple[SRBlock, ...]:
        """Blocks that say what was not shown."""
        return tuple(b for b in self.blocks if b.kind is BlockKind.SKIPPED)

    def header_lines(self) -> list[tuple[str, str]]:
        """(label, value) pairs for the document header, in reading order, empty values left out."""
        lines = [
            ("Document", self.document_type),
            ("Content date", _join_date_time(self.content_date, self.content_time)),
            ("Completion", " - ".join(v for v in (self.completion_flag, self.completion_description) if v)),
            ("Verification", self.verification_flag),
            ("Preliminary", self.preliminary_flag),
        ]
        lines += [("Observer", o) for o in self.observers]
        for v in self.verifying_observers:
            lines.append(("Verified by", ", ".join(x for x in (v.name, v.organization, v.datetime) if x)))
        return [(k, v) for k, v in lines if v]

    def to_text(self) -> str:
        """The document as indented plain text (two spaces per level)."""
        out = [self.title or "Structured report", ""]
        out += [f"{k}: {v}" for k, v in self.header_lines()]
        out.append("")
        for block in self.blocks:
            indent = "  " * block.depth
            out.append(indent + _block_line(block).replace("\n", "\n" + indent + "  "))
        return "\n".join(out) + "\n"

    def to_html(self) -> str:
        """The document as a self-contained HTML fragment; every value from the file is escaped.

        Structure is flat (one element per block, indentation by a clamped left margin), so even
        a deeply nested report gives shallow markup.
        """
        esc = _escape
        parts = ['<div class="sr-document">', f"<h1>{esc(self.title or 'Structured report')}</h1>", '<table class="sr-header">']
        for key, value in self.header_lines():
            parts.append(f"<tr><th>{esc(key)}</th><td>{esc(value)}</td></tr>")
        parts.append("</table>")
        for block in self.blocks:
            margin = min(block.depth, 16) * 1.5
            style = f' style="margin-left:{margin:.1f}em"'
            if block.kind is BlockKind.HEADING:
                level = min(block.depth + 2, 6)
                parts.append(f'<h{level} class="sr-heading"{style}>{esc(_block_line(block))}</h{level}>')
            else:
                parts.append(f'<p class="sr-{block.kind.value}"{style}>{esc(_block_line(block))}</p>')
        parts.append("</div>")
        return "\n".join(parts) + "\n"


# -- reading -------------------------------------------------------------------------------------


def read_document_dataset(source: Dataset | bytes | bytearray | memoryview | Path, what: str) -> Dataset:
    """A parsed dataset from a dataset, PS3.10 bytes or a file; ``InvalidDicomError`` otherwise.

    ``what`` names the object in the error sentence ("structured report", "PDF document", ...).
    A file too deeply nested for the parser is refused with the same error.
    """
    if isinstance(source, Dataset):
        return source
    name = source.name if isinstance(source, Path) else ""
    try:
        data = source.read_bytes() if isinstance(source, Path) else bytes(source)
    except OSError as exc:
        raise InvalidDicomError(f"The {what} file {name} cannot be read ({exc.strerror}).") from exc
    where = f" {name}" if name else ""
    for force in (False, True):
        try:
            return pydicom.dcmread(io.BytesIO(data), force=force)
        except pydicom.errors.InvalidDicomError:
            continue
        except RecursionError as exc:
            raise InvalidDicomError(
                f"The {what}{where} is nested too deeply to read; it is damaged or hostile, ask the archive for a good copy."
            ) from exc
        except Exception as exc:  # noqa: BLE001 - any parser failure means "not readable DICOM"
            raise InvalidDicomError(
                f"The {what}{where} is not a readable DICOM object ({type(exc).__name__}); ask the archive to resend it."
            ) from exc
    raise InvalidDicomError(f"The {what}{where} is not a DICOM object; ask the archive to resend it.")


def is_structured_report(ds: Dataset) -> bool:
    """True for SR and Key Object Selection classes (PS3.4 B.5: 1.2.840.10008.5.1.4.1.1.88.x)."""
    return attr.text(ds, "SOPClassUID").startswith(_SR_PREFIX)


def read_sr_document(source: Dataset | bytes | bytearray | memoryview | Path) -> SRDocument:
    """Read a structured report (or key object selection) into an :class:`SRDocument`.

    Raises ``InvalidDicomError`` when the object is not readable DICOM, is not an SR class or
    has no content tree at its root (PS3.3 C.17.3: the root is a CONTAINER with a concept name).
    """
    ds = read_document_dataset(source, "structured report")
    uid = attr.text(ds, "SOPInstanceUID")
    if not is_structured_report(ds):
        raise InvalidDicomError(
            f"Instance {uid or '(no UID)'} is not a structured report ({_uid_name(attr.text(ds, 'SOPClassUID')) or 'no SOP class'}); open it in the image viewer instead."
        )
    if attr.text(ds, "ValueType") == "" and "ContentSequence" not in ds:
        raise InvalidDicomError(f"Structured report {uid or '(no UID)'} has no content; ask the archive for a complete copy.")
    blocks = _walk(ds)
    root_concept = _concept(ds)
    observers = tuple(
        f"{b.label}: {b.text}" if b.label else b.text
        for b in blocks
        if b.depth == 1 and b.relationship == "HAS OBS CONTEXT" and b.kind is BlockKind.ITEM
    )
    return SRDocument(
        sop_class_uid=attr.text(ds, "SOPClassUID"),
        sop_instance_uid=uid,
        title=root_concept.label if root_concept else "",
        completion_flag=attr.text(ds, "CompletionFlag"),
        completion_description=attr.text(ds, "CompletionFlagDescription"),
        verification_flag=attr.text(ds, "VerificationFlag"),
        preliminary_flag=attr.text(ds, "PreliminaryFlag"),
        content_date=_format_date(attr.text(ds, "ContentDate")),
        content_time=_format_time(attr.text(ds, "ContentTime")),
        observers=observers,
        verifying_observers=tuple(
            VerifyingObserver(
                _format_person(attr.text(item, "VerifyingObserverName")),
                attr.text(item, "VerifyingOrganization"),
                _format_datetime(attr.text(item, "VerificationDateTime")),
            )
            for item in attr.items(ds, "VerifyingObserverSequence")
        ),
        blocks=tuple(blocks),
    )


def _walk(root: Dataset) -> list[SRBlock]:
    """Depth-first, pre-order walk of the content tree with an explicit stack (no recursion)."""
    blocks: list[SRBlock] = []
    stack: list[tuple[Dataset, int, str]] = [(root, 0, "1")]
    seen: set[int] = set()
    shown = 0
    while stack:
        item, depth, position = stack.pop()
        if id(item) in seen:  # only possible for a dataset built in memory with a cycle
            continue
        seen.add(id(item))
        if shown >= MAX_ITEMS:
            remaining = 1 + len(stack)
            blocks.append(SRBlock(BlockKind.SKIPPED, 0, position, text=f"{remaining} more content items not shown (the report holds more than {MAX_ITEMS})."))
            break
        shown += 1
        blocks.append(_block(item, depth, position))
        children = attr.items(item, "ContentSequence")
        if not children:
            continue
        if depth + 1 > MAX_DEPTH:
            blocks.append(SRBlock(BlockKind.SKIPPED, depth + 1, position + ".1", text=f"Content nested deeper than {MAX_DEPTH} levels not shown."))
            continue
        for index in range(len(children), 0, -1):
            stack.append((children[index - 1], depth + 1, f"{position}.{index}"))
    return blocks


def _block(item: Dataset, depth: int, position: str) -> SRBlock:
    relationship = attr.text(item, "RelationshipType") if depth else ""
    if "ReferencedContentItemIdentifier" in item and "ValueType" not in item:
        try:
            target = ".".join(str(int(v)) for v in attr.values(item.get("ReferencedContentItemIdentifier")))
        except (TypeError, ValueError):
            target = "(malformed reference)"
        return SRBlock(BlockKind.REFERENCE, depth, position, relationship, referenced_positions=(target,), text=f"see item {target}")
    value_type = attr.text(item, "ValueType")
    concept = _concept(item)
    common: dict[str, Any] = {"depth": depth, "position": position, "relationship": relationship, "value_type": value_type, "concept": concept}
    try:
        if value_type == "CONTAINER":
            return SRBlock(BlockKind.HEADING, text="", **common)
        if value_type == "TEXT":
            return SRBlock(BlockKind.ITEM, text=_clip(_normalise_newlines(attr.text(item, "TextValue", strip=False)).strip()), **common)
        if value_type == "CODE":
            code = _first_code(item, "ConceptCodeSequence")
            return SRBlock(BlockKind.ITEM, text=code.label if code else "", **common)
        if value_type == "NUM":
            return _num_block(item, common)
        if value_type == "DATE":
            return SRBlock(BlockKind.ITEM, text=_format_date(attr.text(item, "Date")), **common)
        if value_type == "TIME":
            return SRBlock(BlockKind.ITEM, text=_format_time(attr.text(item, "Time")), **common)
        if value_type == "DATETIME":
            return SRBlock(BlockKind.ITEM, text=_format_datetime(attr.text(item, "DateTime")), **common)
        if value_type == "PNAME":
            return SRBlock(BlockKind.ITEM, text=_format_person(attr.text(item, "PersonName")), **common)
        if value_type == "UIDREF":
            return SRBlock(BlockKind.ITEM, text=attr.text(item, "UID"), **common)
        if value_type in ("IMAGE", "COMPOSITE", "WAVEFORM"):
            refs = tuple(_reference(ref) for ref in attr.items(item, "ReferencedSOPSequence"))
            return SRBlock(BlockKind.ITEM, text="; ".join(_reference_text(r) for r in refs), references=refs, **common)
        if value_type in ("SCOORD", "SCOORD3D"):
            return _scoord_block(item, common)
        if value_type == "TCOORD":
            return _tcoord_block(item, common)
    except (TypeError, ValueError, AttributeError, OverflowError) as exc:
        return SRBlock(BlockKind.SKIPPED, depth, position, relationship, value_type, concept, text=f"{value_type} item {position} has a malformed value ({type(exc).__name__}) and is not shown.")
    shown_type = value_type or "(no value type)"
    return SRBlock(BlockKind.SKIPPED, depth, position, relationship, value_type, concept, text=f"Item {position} of value type {_clip(shown_type, 40)} is not shown by this viewer.")


def _num_block(item: Dataset, common: dict[str, Any]) -> SRBlock:
    """NUM (PS3.3 C.18.1): Measured Value Sequence with Numeric Value and Measurement Units."""
    measured = attr.items(item, "MeasuredValueSequence")
    if not measured:
        qualifier = _first_code(item, "NumericValueQualifierCodeSequence")
        text = f"no value ({qualifier.label})" if qualifier else "no value"
        return SRBlock(BlockKind.ITEM, text=text, **common)
    mv = measured[0]
    raw = attr.text(mv, "NumericValue")
    number = attr.float_or_none(raw, finite=False)
    floating = mv.get("FloatingPointValue", None)
    if floating is not None and not isinstance(floating, (str, bytes)):
        number = attr.float_or_none(attr.values(floating)[0], finite=False) if attr.values(floating) else number
    unit_code = _first_code(mv, "MeasurementUnitsCodeSequence")
    unit = _unit_label(unit_code)
    text = " ".join(x for x in (raw or (_fmt(number) if number is not None else ""), unit) if x)
    return SRBlock(BlockKind.ITEM, text=text, numeric_value=number, unit=unit, **common)


def _unit_label(code: CodedConcept | None) -> str:
    """UCUM units as their code ("mm", "cm2"), others by meaning; UCUM "1" (no unit) is empty."""
    if code is None:
        return ""
    if code.scheme.upper() == "UCUM" and code.value:
        return "" if code.value == "1" else code.value
    return code.meaning or code.value


def _scoord_block(item: Dataset, common: dict[str, Any]) -> SRBlock:
    """SCOORD (PS3.3 C.18.6: column\\row pairs) and SCOORD3D (C.18.9: x\\y\\z triplets in mm)."""
    three_d = common["value_type"] == "SCOORD3D"
    values = [float(v) for v in attr.values(item.get("GraphicData", None))]
    size = 3 if three_d else 2
    points = tuple(tuple(values[i : i + size]) for i in range(0, len(values) - size + 1, size))
    graphic = attr.text(item, "GraphicType")
    frame_uid = attr.text(item, "ReferencedFrameOfReferenceUID") if three_d else ""
    shown = ", ".join("(" + ", ".join(_fmt(v) for v in p) + ")" for p in points[:8])
    more = f" and {len(points) - 8} more points" if len(points) > 8 else ""
    text = f"{graphic or 'graphic'} {shown}{more}".strip()
    if frame_uid:
        text += f" in frame of reference {frame_uid}"
    return SRBlock(BlockKind.ITEM, text=text, graphic_type=graphic, points=points, frame_of_reference_uid=frame_uid, **common)


def _tcoord_block(item: Dataset, common: dict[str, Any]) -> SRBlock:
    """TCOORD (PS3.3 C.18.7): a temporal range by sample positions, time offsets or date-times."""
    kind = attr.text(item, "TemporalRangeType")
    for keyword, what in (("ReferencedSamplePositions", "samples"), ("ReferencedTimeOffsets", "seconds"), ("ReferencedDateTime", "")):
        if keyword in item:
            raw = attr.values(item.get(keyword))
            if what:
                values = tuple((float(v),) for v in raw)
                shown = ", ".join(_fmt(v[0]) for v in values[:16])
                text = f"{kind} {what} {shown}".strip()
                return SRBlock(BlockKind.ITEM, text=text, graphic_type=kind, points=values, **common)
            text = f"{kind} " + ", ".join(_format_datetime(str(v)) for v in raw[:16])
            return SRBlock(BlockKind.ITEM, text=text.strip(), graphic_type=kind, **common)
    return SRBlock(BlockKind.ITEM, text=kind, graphic_type=kind, **common)


def _reference(ref: Dataset) -> ReferencedObject:
    frames = tuple(int(v) for v in attr.values(ref.get("ReferencedFrameNumber", None)) if str(v).strip().lstrip("-").isdigit())
    ps = attr.items(ref, "ReferencedSOPSequence")
    return ReferencedObject(
        attr.text(ref, "ReferencedSOPClassUID"),
        attr.text(ref, "ReferencedSOPInstanceUID"),
        frames,
        attr.text(ps[0], "ReferencedSOPInstanceUID") if ps else "",
    )


def _reference_text(ref: ReferencedObject) -> str:
    text = f"{ref.sop_class_name or 'object'} {ref.sop_instance_uid}".strip()
    if ref.frames:
        text += " frame" + ("s " if len(ref.frames) > 1 else " ") + ", ".join(str(f) for f in ref.frames[:16])
    if ref.presentation_state_uid:
        text += f" with presentation state {ref.presentation_state_uid}"
    return text


# -- formatting ----------------------------------------------------------------------------------

_RELATIONSHIP_WORDS = {
    "CONTAINS": "",
    "HAS OBS CONTEXT": "observation context",
    "HAS ACQ CONTEXT": "acquisition context",
    "HAS CONCEPT MOD": "concept modifier",
    "HAS PROPERTIES": "property",
    "INFERRED FROM": "inferred from",
    "SELECTED FROM": "selected from",
}


def relationship_words(relationship: str) -> str:
    """How a relationship type reads in the document ("" for CONTAINS, the usual case)."""
    return _RELATIONSHIP_WORDS.get(relationship, relationship.lower())


def _block_line(block: SRBlock) -> str:
    """One readable line: "[relationship] Concept: value"."""
    words = relationship_words(block.relationship) if block.kind is not BlockKind.HEADING else ""
    prefix = f"[{words}] " if words else ""
    if block.kind is BlockKind.HEADING:
        return block.label or "(untitled section)"
    if block.kind is BlockKind.SKIPPED:
        return prefix + block.text
    if block.kind is BlockKind.REFERENCE:
        return prefix + block.text
    label = block.label
    return prefix + (f"{label}: {block.text}" if label else block.text)


def _escape(text: str) -> str:
    """HTML-escape text from the file (quotes included) and drop control characters."""
    cleaned = "".join(ch for ch in text if ch in "\n\t" or (ord(ch) >= 32 and not 0x7F <= ord(ch) <= 0x9F))
    return html.escape(cleaned, quote=True).replace("\n", "<br>")


def _normalise_newlines(text: str) -> str:
    """CR LF, LF CR and lone CR (all seen in real reports) as LF."""
    return text.replace("\r\n", "\n").replace("\n\r", "\n").replace("\r", "\n")


def _clip(text: str, limit: int = MAX_TEXT) -> str:
    return text if len(text) <= limit else text[:limit] + f" ... ({len(text) - limit} more characters not shown)"


def _fmt(value: float) -> str:
    return f"{value:g}" if math.isfinite(value) else str(value)


def _format_date(value: str) -> str:
    """DA (PS3.5 6.2) YYYYMMDD as YYYY-MM-DD; anything else is shown as it is."""
    return f"{value[:4]}-{value[4:6]}-{value[6:8]}" if len(value) == 8 and value.isdigit() else value


def _format_time(value: str) -> str:
    """TM (PS3.5 6.2) HHMMSS.FFFFFF as HH:MM:SS(.FFFFFF); partial times and odd values as they are."""
    main, _, fraction = value.partition(".")
    if not main.isdigit() or len(main) not in (2, 4, 6):
        return value
    text = ":".join(main[i : i + 2] for i in range(0, len(main), 2))
    return text + (f".{fraction}" if fraction else "")


def _format_datetime(value: str) -> str:
    """DT (PS3.5 6.2) YYYYMMDDHHMMSS.FFFFFF&ZZXX as date, time and offset."""
    if len(value) >= 8 and value[:8].isdigit():
        rest = value[8:]
        offset = ""
        for sign in ("+", "-"):
            if sign in rest:
                rest, _, tz = rest.partition(sign)
                offset = f" {sign}{tz}"
        return (_format_date(value[:8]) + (" " + _format_time(rest) if rest else "") + offset).strip()
    return value


def _join_date_time(date: str, time: str) -> str:
    return " ".join(x for x in (date, time) if x)


def _format_person(value: str) -> str:
    """PN (PS3.5 6.2.1) "Family^Given^Middle^Prefix^Suffix" as "Prefix Given Middle Family, Suffix"."""
    alphabetic = value.split("=")[0]
    if "^" not in alphabetic:
        return alphabetic.strip()
    parts = (alphabetic.split("^") + [""] * 5)[:5]
    family, given, middle, prefix, suffix = (p.strip() for p in parts)
    name = " ".join(p for p in (prefix, given, middle, family) if p)
    return f"{name}, {suffix}" if suffix else name


def _uid_name(uid: str) -> str:
    if not uid:
        return ""
    try:
        name = UID(uid).name
    except Exception:  # noqa: BLE001 - a malformed UID is shown as it is
        return uid
    return name or uid


# -- tolerant attribute access -------------------------------------------------------------------


def _first_code(ds: Dataset, keyword: str) -> CodedConcept | None:
    items = attr.items(ds, keyword)
    if not items:
        return None
    code = items[0]
    value = attr.text(code, "CodeValue") or attr.text(code, "LongCodeValue") or attr.text(code, "URNCodeValue")
    return CodedConcept(value, attr.text(code, "CodingSchemeDesignator"), _clip(attr.text(code, "CodeMeaning"), 1024))


def _concept(item: Dataset) -> CodedConcept | None:
    return _first_code(item, "ConceptNameCodeSequence")


def iter_references(document: SRDocument) -> Iterator[ReferencedObject]:
    """Every object the report points at (IMAGE, COMPOSITE, WAVEFORM items), in document order."""
    for block in document.blocks:
        yield from block.references
