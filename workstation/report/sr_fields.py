"""A template's field values as content of the TID 2000 report SR: numbers as NUM, the rest as TEXT.

A number field with a unit ("Midline shift", 0, "mm") is a measurement: PS3.16 TID 2001 lets a
report section hold measurements (TID 1400-1404: a NUM content item, PS3.3 C.18.1) and TID 300
wants their units in UCUM (PS3.16 CID 82), so it is written as a NUM with a UCUM unit, not the
text "Midline shift: 0 mm" a receiver cannot compute with. A number field without a unit (a
score such as ASPECTS) is a NUM of unit "1" (UCUM unity, "no units"). A unit that is not known
to be UCUM is not guessed: that field stays the text line it was.

Fields have no code of their own in the template, so each NUM is named with a code of a local
coding scheme (:data:`FIELD_SCHEME`, a "99" private designator, PS3.16 Section 8): the field id
as code value and its label as code meaning, declared in the Coding Scheme Identification
Sequence (PS3.3 C.12.1.1.4, :func:`coding_scheme`). Other fields (text, choice, yes/no, date)
and every field of a report without template are TEXT items "Label: value", as the PDF shows.

Core module: no Qt.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydicom.sr.coding import Code

from workstation.lazy import lazy_module
from workstation.report.model import Report
from workstation.report.templates import FieldSpec, Template, field_lines

if TYPE_CHECKING:
    import highdicom as hd
else:
    hd = lazy_module("highdicom")

#: The private coding scheme of template field concepts (field id -> field label).
FIELD_SCHEME = "99WSTNFIELD"

#: Template units -> (UCUM code, meaning). Only these are written as NUM units.
UCUM_UNITS: dict[str, tuple[str, str]] = {
    "": ("1", "no units"),
    "mm": ("mm", "millimeter"), "cm": ("cm", "centimeter"), "m": ("m", "meter"),
    "mm2": ("mm2", "square millimeter"), "cm2": ("cm2", "square centimeter"),
    "mm3": ("mm3", "cubic millimeter"), "cm3": ("cm3", "cubic centimeter"),
    "ml": ("mL", "milliliter"), "mL": ("mL", "milliliter"), "l": ("L", "liter"), "L": ("L", "liter"),
    "%": ("%", "percent"), "deg": ("deg", "degree"), "°": ("deg", "degree"),
    "HU": ("[hnsf'U]", "Hounsfield unit"), "[hnsf'U]": ("[hnsf'U]", "Hounsfield unit"),
    "s": ("s", "second"), "ms": ("ms", "millisecond"), "g": ("g", "gram"), "kg": ("kg", "kilogram"),
    "cm/s": ("cm/s", "centimeter per second"), "m/s": ("m/s", "meter per second"),
    "mmHg": ("mm[Hg]", "millimeter of mercury"), "mm[Hg]": ("mm[Hg]", "millimeter of mercury"),
    "mL/min": ("mL/min", "milliliter per minute"), "bpm": ("/min", "per minute"), "/min": ("/min", "per minute"),
}


def coding_scheme() -> hd.coding_schemes.CodingSchemeIdentificationItem:
    """The Coding Scheme Identification item (PS3.3 C.12.1.1.4) of :data:`FIELD_SCHEME`."""
    return hd.coding_schemes.CodingSchemeIdentificationItem(
        designator=FIELD_SCHEME, name="Workstation report template fields", responsible_organization="workstation",
    )


def _numeric(spec: FieldSpec, value: object) -> tuple[float, tuple[str, str]] | None:
    if spec.type != "number" or isinstance(value, bool) or not isinstance(value, int | float):
        return None
    unit = UCUM_UNITS.get(spec.unit.strip())
    return None if unit is None else (float(value), unit)


def field_items(report: Report, template: Template | None, text_code: dict[str, Code]) -> dict[str, list[hd.sr.ContentItem]]:
    """Each section's field values as content items, in template order: NUM items for numbers
    (see the module docstring), TEXT items named ``text_code[section]`` for the others."""
    out: dict[str, list[hd.sr.ContentItem]] = {}
    if template is None:
        for section, lines in field_lines(report, None).items():
            out[section] = [hd.sr.TextContentItem(name=text_code[section], value=line, relationship_type="CONTAINS") for line in lines]
        return out
    for section, spec in template.all_fields():
        value = report.fields.get(spec.id)
        if value is None or value == "":
            continue
        number = _numeric(spec, value)
        item: hd.sr.ContentItem
        if number is not None:
            amount, (ucum, meaning) = number
            item = hd.sr.NumContentItem(
                name=hd.sr.CodedConcept(spec.id, FIELD_SCHEME, spec.label[:64]),
                value=amount, unit=hd.sr.CodedConcept(ucum, "UCUM", meaning), relationship_type="CONTAINS",
            )
            if amount.is_integer():  # "2", as entered, not "2.0" (PS3.5 DS)
                item.MeasuredValueSequence[0].NumericValue = str(int(amount))
        else:
            item = hd.sr.TextContentItem(name=text_code[section], value=f"{spec.label}: {spec.display(value)}",
                                         relationship_type="CONTAINS")
        out.setdefault(section, []).append(item)
    return out


def uses_field_codes(items: dict[str, list[hd.sr.ContentItem]]) -> bool:
    """Whether any item is named from :data:`FIELD_SCHEME` (then the scheme must be declared)."""
    return any(getattr(item, "ValueType", "") == "NUM" for section in items.values() for item in section)
