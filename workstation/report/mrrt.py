"""Importing IHE MRRT report templates (HTML5) into our template model.

IHE Radiology Technical Framework Supplement "Management of Radiology Report Templates" (MRRT,
Rev. 1.x) writes a template as an HTML5 document (this is the format of RSNA's RadReport library):

- ``<head>``: ``<title>``, Dublin Core ``<meta name="dcterms.title|identifier|type|...">`` and a
  ``<script type="text/xml">`` holding ``<template_attributes>``, whose ``<coded_content>`` has
  ``<entry ORIGTXT="element id">`` items coding sections and fields (``<term><code value=...
  scheme=...>``). Section entries carry CID 7001 report-heading codes (LOINC).
- ``<body>``: ``<section data-section-name="...">`` (with a ``<header>`` heading; sections nest),
  holding form fields: ``<input type="text|number|date|checkbox|radio">``, ``<select>``,
  ``<input list=...>`` with a ``<datalist>``, ``<textarea>``, labelled by ``<label for=id>``;
  ``data-field-type`` (TEXT, TEXTAREA, NUMBER, CHECKBOX, SELECTION_LIST, DATE, ...) and
  ``data-field-completion-action`` (PROHIBIT: the report cannot be completed without it).

:func:`mrrt_to_template` maps this onto :class:`workstation.report.templates.Template`:

- each outermost section goes to one of our sections, first by its coded heading (LOINC or DCM,
  :data:`workstation.report.sr_sections.READ_HEADINGS`), then by words of its name, header or id
  ("Clinical information", "History", "Indication" -> clinical information; "Procedure",
  "Technique" -> technique; "Comparison" -> comparison; "Impression", "Conclusion" ->
  impression; "Recommendation" -> recommendations; "Findings" and anything else -> findings);
  nested sections join their outer section, their heading prefixing their fields' labels;
- fields: text and text areas -> ``text`` (an unlabelled text area is the section's normal text
  instead); number -> ``number`` with ``min``/``max`` and the unit (``data-field-unit`` or the
  short text after the input, such as "mm"); a single checkbox -> ``yes_no``; a group of
  checkboxes -> one ``yes_no`` per box; radio buttons, ``<select>`` and datalists -> ``choice``;
  date -> ``date``; other inputs -> ``text``. Values, ``checked`` and ``selected`` become
  defaults; PROHIBIT makes a field required. RadElement placeholders ("RDE196") are not
  defaults.
- paragraphs of plain prose (no fields in them) become the section's normal text.

Nothing is executed or fetched; scripts other than the template attributes are ignored.
Qt-free (used by the ``workstation report import-template`` command).
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from workstation.atomic import write_text_atomic
from workstation.errors import TemplateError
from workstation.report.model import SECTIONS
from workstation.report.sr_sections import READ_HEADINGS
from workstation.report.templates import FieldSpec, Template, parse_template, user_template_folder

MAX_BYTES = 5 * 1024 * 1024
_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
_NO_PROSE = {"script", "style", "label", "option", "datalist", "select", "textarea", "header", "button", "template"}
_CONTROLS = {"input", "select", "textarea"}
_RDE = re.compile(r"^RDE\d+$")
_UNIT = re.compile(r"^[A-Za-zµμ°%/²³0-9^.\-]{1,10}$")
_SCHEMES = {"LOINC": "LN", "LN": "LN", "DCM": "DCM", "RADLEX": "RADLEX"}

#: Words of a section name -> our section (first hit wins, so "clinical history" is clinical).
_SECTION_WORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("recommendations", ("recommendation", "recommendations", "follow-up", "followup")),
    ("impression", ("impression", "impressions", "conclusion", "conclusions", "summary", "assessment", "diagnosis")),
    ("comparison", ("comparison", "comparisons", "prior", "priors")),
    ("clinical_information", ("clinical", "history", "indication", "indications", "reason", "presentation", "request")),
    ("technique", ("technique", "procedure", "protocol", "acquisition", "exam", "examination", "contrast")),
    ("findings", ("findings", "finding", "observations")),
)
#: Words of a title -> DICOM Modality (PS3.3 C.7.3.1.1.1 defined terms) for template matching.
_MODALITY_WORDS = {
    "ct": "CT", "cta": "CT", "mr": "MR", "mri": "MR", "mra": "MR", "us": "US", "ultrasound": "US",
    "sonography": "US", "xr": "CR", "radiograph": "CR", "radiography": "CR", "x-ray": "CR", "mammography": "MG",
    "mammogram": "MG", "mg": "MG", "pet": "PT", "nm": "NM", "scintigraphy": "NM", "fluoroscopy": "RF",
}
_STOP_WORDS = {"with", "without", "and", "the", "for", "report", "template", "contrast", "w/o", "wo"}


@dataclass
class _Node:
    tag: str
    attrs: dict[str, str]
    parent: _Node | None = None
    children: list[_Node | str] = field(default_factory=list)

    def get(self, name: str, default: str = "") -> str:
        return self.attrs.get(name, default)

    def walk(self) -> Iterator[_Node]:
        """This node and every element below it, in document order (iterative)."""
        stack: list[_Node] = [self]
        while stack:
            node = stack.pop()
            yield node
            stack.extend(reversed([c for c in node.children if isinstance(c, _Node)]))

    def text(self) -> str:
        parts: list[str] = []
        stack: list[_Node | str] = [self]
        while stack:
            item = stack.pop()
            if isinstance(item, str):
                parts.append(item)
            elif item.tag not in ("script", "style"):
                stack.extend(reversed(item.children))
        return _clean(" ".join(parts))


def _clean(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


class _TreeBuilder(HTMLParser):
    """A forgiving HTML tree (void elements never take children; stray end tags are ignored)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = _Node("#document", {})
        self.stack = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = _Node(tag, {k.lower(): (v or "") for k, v in attrs}, self.stack[-1])
        self.stack[-1].children.append(node)
        if tag not in _VOID:
            self.stack.append(node)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = _Node(tag, {k.lower(): (v or "") for k, v in attrs}, self.stack[-1])
        self.stack[-1].children.append(node)

    def handle_endtag(self, tag: str) -> None:
        for i in range(len(self.stack) - 1, 0, -1):
            if self.stack[i].tag == tag:
                del self.stack[i:]
                return

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(data)


@dataclass
class MrrtImport:
    """The outcome of an import: the template, its JSON (our file format) and notes in words
    about what did not map one to one."""

    template: Template
    data: dict[str, Any]
    notes: list[str]


def _slug(text: str, limit: int = 64) -> str:
    slug = re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")
    return slug[:limit].strip("_")


def _coded_sections(doc: _Node) -> dict[str, str]:
    """ORIGTXT (element id) -> our section, from the template attributes' coded content."""
    out: dict[str, str] = {}
    for script in doc.walk():
        if script.tag != "script" or script.get("type").lower() != "text/xml":
            continue
        xml_text = "".join(c for c in script.children if isinstance(c, str)).strip()
        if not xml_text or "<!ENTITY" in xml_text.upper() or "<!DOCTYPE" in xml_text.upper():
            continue  # no entity expansion from a template file
        try:
            root = ET.fromstring(xml_text)
        except ET.ParseError:
            continue
        for entry in root.iter():
            if entry.tag.lower() != "entry":
                continue
            origtxt = next((v for k, v in entry.attrib.items() if k.lower() == "origtxt"), "")
            for code in entry.iter():
                if code.tag.lower() != "code":
                    continue
                scheme = _SCHEMES.get(code.attrib.get("scheme", "").upper(), "")
                section = READ_HEADINGS.get((scheme, code.attrib.get("value", "").strip()))
                if origtxt and section:
                    out[origtxt] = section
    return out


def _section_by_words(*names: str) -> str | None:
    for name in names:
        words = set(re.split(r"[^a-z\-]+", name.lower()))
        camel = set(re.split(r"[^a-z]+", re.sub(r"([a-z])([A-Z])", r"\1 \2", name).lower()))
        for section, keys in _SECTION_WORDS:
            if (words | camel) & set(keys):
                return section
    return None


@dataclass
class _SectionOut:
    default: list[str] = field(default_factory=list)
    fields: list[dict[str, Any]] = field(default_factory=list)


class _Importer:
    def __init__(self, doc: _Node, source: str) -> None:
        self.doc = doc
        self.source = source
        self.notes: list[str] = []
        self.labels: dict[str, str] = {}
        self.by_id: dict[str, _Node] = {}
        self.used_ids: set[str] = set()
        self.done: set[int] = set()  # controls already turned into fields (radio and checkbox groups)
        self.consumed: set[tuple[int, int]] = set()  # (id of parent, index): text used as a unit or option
        for node in doc.walk():
            if node.tag == "label" and node.get("for"):
                self.labels.setdefault(node.get("for"), node.text().rstrip(":").strip())
            if node.get("id"):
                self.by_id.setdefault(node.get("id"), node)

    # -- fields -----------------------------------------------------------------------------

    def _field_id(self, label: str, element_id: str) -> str:
        base = _slug(label, 56) or _slug(element_id, 56) or "field"
        if base[0].isdigit():
            base = "f_" + base
        fid, n = base, 2
        while fid in self.used_ids:
            fid, n = f"{base}_{n}", n + 1
        self.used_ids.add(fid)
        return fid

    def _label(self, node: _Node) -> str:
        for key in (node.get("id"), node.get("name")):
            if key and self.labels.get(key):
                return self.labels[key]
        parent = node.parent
        if parent is not None and parent.tag == "label":
            before = parent.children[:next(k for k, c in enumerate(parent.children) if c is node)]
            return _clean("".join(c for c in before if isinstance(c, str))).rstrip(":")
        return _clean(node.get("title") or node.get("aria-label") or node.get("name")).rstrip(":")

    def _unit(self, node: _Node, label: str) -> tuple[str, str]:
        """(unit, label without a "(unit)" suffix)."""
        for key in ("data-field-unit", "data-unit", "unit"):
            if node.get(key).strip():
                return node.get(key).strip(), label
        parent = node.parent
        if parent is not None:
            siblings = parent.children
            i = next(k for k, c in enumerate(siblings) if c is node)
            for k, after in enumerate(siblings[i + 1:], start=i + 1):
                if isinstance(after, str):
                    if after.strip():
                        text = after.strip()
                        if not _UNIT.match(text):
                            return "", label
                        self.consumed.add((id(parent), k))
                        return text, label
                    continue
                if after.tag in ("label", "span") and not any(c.tag in _CONTROLS for c in after.walk()):
                    text = after.text()
                    if _UNIT.match(text):
                        return text, label
                break
        match = re.match(r"^(.*?)\s*\(([^()]{1,10})\)$", label)
        if match and _UNIT.match(match.group(2)):
            return match.group(2), match.group(1)
        return "", label

    @staticmethod
    def _number(text: str) -> float | None:
        try:
            value = float(text)
        except ValueError:
            return None
        return value if value == value and abs(value) != float("inf") else None

    def _checkbox_text(self, box: _Node) -> str:
        label = self.labels.get(box.get("id"), "")
        if label:
            return label
        parent = box.parent
        if parent is not None:
            siblings = parent.children
            i = next(k for k, c in enumerate(siblings) if c is box)
            for k, after in enumerate(siblings[i + 1:], start=i + 1):
                if isinstance(after, str):
                    if after.strip():
                        self.consumed.add((id(parent), k))
                        return _clean(after)
                    continue
                break
        return _clean(box.get("value"))

    def _fields(self, node: _Node, prefix: str) -> list[dict[str, Any]]:
        """The fields of one control (a checkbox group gives several)."""
        if id(node) in self.done:
            return []
        kind = node.get("data-field-type").upper()
        required = node.get("data-field-completion-action").upper() == "PROHIBIT"
        tag = node.tag
        input_type = node.get("type", "text").lower() if tag == "input" else ""
        if tag == "span" and kind == "CHECKBOX":  # a group of checkboxes (RadReport writes them so)
            boxes = [b for b in node.walk() if b.tag == "input" and b.get("type").lower() == "checkbox"]
            return self._checkbox_group(node, boxes, prefix, required)
        if input_type in ("hidden", "submit", "button", "reset", "image", "file", "password"):
            return []
        label = self._label(node)
        if input_type == "checkbox":
            name = node.get("name")
            group = [b for b in self.doc.walk() if b.tag == "input" and b.get("type").lower() == "checkbox"
                     and name and b.get("name") == name and id(b) not in self.done]
            if len(group) > 1:
                return self._checkbox_group(node, group, prefix, required)
            self.done.add(id(node))
            text = label or self._checkbox_text(node)
            return [self._spec(text, node, "yes_no", prefix, required, default="checked" in node.attrs)]
        if input_type == "radio":
            name = node.get("name")
            group = [b for b in self.doc.walk() if b.tag == "input" and b.get("type").lower() == "radio"
                     and b.get("name") == name] if name else [node]
            self.done.update(id(b) for b in group)
            options = [self._checkbox_text(b) or b.get("value") for b in group]
            chosen = next((self._checkbox_text(b) or b.get("value") for b in group if "checked" in b.attrs), None)
            group_label = self.labels.get(name, "") or label or name
            return [self._choice(group_label, node, options, chosen, prefix, required)]
        if tag == "select" or (tag == "input" and node.get("list")):
            source = node if tag == "select" else self.by_id.get(node.get("list"))
            opts = [o for o in source.walk() if o.tag == "option"] if source is not None else []
            options = [_clean(o.get("value") if "value" in o.attrs else o.text()) for o in opts]
            chosen = next((options[k] for k, o in enumerate(opts) if "selected" in o.attrs), None)
            if tag == "input" and node.get("value").strip():
                chosen = _clean(node.get("value"))
            if tag == "select" and "multiple" in node.attrs:
                self.notes.append(f"The multiple-choice list '{label}' became a single choice.")
            return [self._choice(label, node, options, chosen, prefix, required)]
        if tag == "textarea":
            value = "".join(c for c in node.children if isinstance(c, str)).strip()
            return [self._spec(label, node, "text", prefix, required, default=value or None)]
        if input_type == "number" or kind in ("NUMBER", "INTEGER", "DECIMAL"):
            unit, label = self._unit(node, label)
            spec = self._spec(label, node, "number", prefix, required, default=self._number(node.get("value")))
            for key in ("min", "max"):
                number = self._number(node.get(key))
                if number is not None:
                    spec[key] = number
            if unit:
                spec["unit"] = unit
            return [spec]
        if input_type == "date" or kind == "DATE":
            return [self._spec(label, node, "date", prefix, required, default=node.get("value").strip() or None)]
        value = node.get("value").strip()
        return [self._spec(label, node, "text", prefix, required, default=value or None)]

    def _checkbox_group(self, node: _Node, boxes: list[_Node], prefix: str, required: bool) -> list[dict[str, Any]]:
        self.done.add(id(node))
        self.done.update(id(b) for b in boxes)
        group_label = self.labels.get(node.get("id"), "") or self.labels.get(node.get("name"), "") or ""
        out = []
        for box in boxes:
            text = self._checkbox_text(box)
            if not text:
                continue
            label = f"{group_label}: {text}" if group_label else text
            out.append(self._spec(label, box, "yes_no", prefix, False, default="checked" in box.attrs))
        if out and required:
            self.notes.append(f"'{group_label or out[0]['label']}' needs at least one box ticked in MRRT; "
                              "here each box is a yes/no field of its own.")
        return out

    def _choice(self, label: str, node: _Node, options: list[str], chosen: str | None, prefix: str,
                required: bool) -> dict[str, Any]:
        options = list(dict.fromkeys(o for o in options if o))
        if not options:
            return self._spec(label, node, "text", prefix, required, default=chosen or None)
        spec = self._spec(label, node, "choice", prefix, required, default=chosen if chosen in options else None)
        spec["options"] = options
        return spec

    def _spec(self, label: str, node: _Node, ftype: str, prefix: str, required: bool,
              default: Any = None) -> dict[str, Any]:
        label = _clean(label).rstrip(":").strip() or _clean(node.get("id")) or "Field"
        if isinstance(default, str) and _RDE.match(default):
            default = None
        full = f"{prefix}: {label}" if prefix else label
        spec: dict[str, Any] = {"id": self._field_id(full, node.get("id")), "label": full, "type": ftype}
        if required:
            spec["required"] = True
        if default is not None and default != "":
            spec["default"] = default
        return spec

    # -- sections ---------------------------------------------------------------------------

    @staticmethod
    def _heading(section: _Node) -> str:
        name = section.get("data-section-name").strip()
        if name:
            return _clean(name).rstrip(":")
        header = next((c for c in section.children if isinstance(c, _Node)
                       and c.tag in ("header", "h1", "h2", "h3", "h4", "h5", "h6")), None)
        return header.text().rstrip(":") if header is not None else ""

    def _fill(self, section: _Node, out: _SectionOut, prefix: str) -> None:
        """Fields and prose of ``section`` in document order; nested sections prefix their labels."""
        def children(node: _Node, where: str) -> list[tuple[_Node | str, str, int, int]]:
            return [(c, where, id(node), k) for k, c in reversed(list(enumerate(node.children)))]

        stack = children(section, prefix)
        prose: list[tuple[str, str]] = []  # (text, the nested heading it is under)
        while stack:
            item, where, parent_id, index = stack.pop()
            if isinstance(item, str):
                if item.strip() and (parent_id, index) not in self.consumed:
                    if prose and prose[-1][1] != where:
                        self._flush(prose, out)
                    prose.append((item, where))
                continue
            if item.tag == "section":
                self._flush(prose, out)
                heading = self._heading(item)
                stack.extend(children(item, f"{where}: {heading}" if where and heading else heading or where))
                continue
            if item.tag == "label":  # its text is a label, but a control may sit inside it
                stack.extend(c for c in children(item, where) if isinstance(c[0], _Node))
                continue
            if item.tag in _NO_PROSE and item.tag not in ("select", "textarea"):
                continue
            is_group = item.tag == "span" and item.get("data-field-type").upper() == "CHECKBOX"
            if item.tag in _CONTROLS or is_group:
                self._flush(prose, out)
                if self._is_narrative(item):
                    text = "".join(c for c in item.children if isinstance(c, str)) if item.tag == "textarea" \
                        else item.get("value")
                    if text.strip() and not _RDE.match(text.strip()):
                        out.default.append(text.strip())
                    continue
                out.fields.extend(self._fields(item, where))
                continue
            if item.tag in ("p", "div", "li", "br", "ul", "ol", "table", "tr", "td"):
                self._flush(prose, out)
            stack.extend(children(item, where))
        self._flush(prose, out)

    def _is_narrative(self, node: _Node) -> bool:
        """A text area or text input with no label of its own holds the section's prose."""
        if node.tag == "input" and (node.get("type", "text").lower() != "text" or node.get("list")):
            return False
        if node.tag not in ("input", "textarea"):
            return False
        label = self._label(node).lower().strip(" :")
        return label in ("", "text", "free text", "comment", "comments")

    @staticmethod
    def _flush(prose: list[tuple[str, str]], out: _SectionOut) -> None:
        text = _clean(" ".join(t for t, _ in prose))
        where = prose[0][1] if prose else ""
        prose.clear()
        if text:
            out.default.append(f"{where}: {text}" if where else text)

    def run(self) -> tuple[dict[str, _SectionOut], str]:
        coded = _coded_sections(self.doc)
        body = next((n for n in self.doc.walk() if n.tag == "body"), self.doc)
        outer = [n for n in body.walk() if n.tag == "section" and not self._inside_section(n, body)]
        if not outer:
            raise TemplateError(f"{self.source} is not an IHE MRRT report template: it has no <section> elements.")
        sections: dict[str, _SectionOut] = {}
        for node in outer:
            heading = self._heading(node)
            name = coded.get(node.get("id")) or _section_by_words(heading, node.get("id"))
            if name is None or name not in SECTIONS:
                if name is None:
                    self.notes.append(f"The section '{heading or node.get('id') or '?'}' has no report section of "
                                      "its own here; it went into Findings.")
                name = "findings"
            out = sections.setdefault(name, _SectionOut())
            prefix = heading if name == "findings" and heading and _section_by_words(heading) != "findings" else ""
            self._fill(node, out, prefix)
        return sections, self._title()

    @staticmethod
    def _inside_section(node: _Node, body: _Node) -> bool:
        parent = node.parent
        while parent is not None and parent is not body:
            if parent.tag == "section":
                return True
            parent = parent.parent
        return False

    def _title(self) -> str:
        for node in self.doc.walk():
            if node.tag == "meta" and node.get("name").lower() == "dcterms.title" and node.get("content").strip():
                return _clean(node.get("content"))
        title = next((n for n in self.doc.walk() if n.tag == "title"), None)
        return title.text() if title is not None else ""


def _match(title: str) -> dict[str, list[str]]:
    words = [w for w in re.split(r"[^a-z0-9\-]+", title.lower()) if w]
    modalities = sorted({_MODALITY_WORDS[w] for w in words if w in _MODALITY_WORDS})
    keywords = [w for w in dict.fromkeys(words) if len(w) >= 4 and w not in _MODALITY_WORDS and w not in _STOP_WORDS
                and not w.isdigit()]
    return {"modalities": modalities, "body_parts": [], "keywords": keywords[:8]}


def _check_defaults(data: dict[str, Any], notes: list[str]) -> None:
    """Drop defaults our checks refuse (a number out of its range, a date not YYYY-MM-DD)."""
    for body in data["sections"].values():
        for spec in body.get("fields", []):
            if "default" not in spec:
                continue
            probe = FieldSpec(id=spec["id"], label=spec["label"], type=spec["type"], options=tuple(spec.get("options", ())),
                              unit=spec.get("unit", ""), minimum=spec.get("min"), maximum=spec.get("max"))
            problem = probe.check(spec["default"])
            if problem:
                notes.append(f"The default of '{spec['label']}' was dropped: {problem}")
                del spec["default"]


def mrrt_to_template(html_text: str, *, source: str = "the template", template_id: str = "",
                     modalities: tuple[str, ...] = ()) -> MrrtImport:
    """Our template from the text of an MRRT template (see the module docstring for the mapping).

    ``template_id`` defaults to ``mrrt_`` and the title in lower case; ``modalities`` replace
    those guessed from the title. Raises ``TemplateError`` naming ``source`` when the document is
    no MRRT template or gives nothing usable.
    """
    builder = _TreeBuilder()
    try:
        builder.feed(html_text)
        builder.close()
    except Exception as exc:  # noqa: BLE001 - html.parser raises assorted errors on broken markup
        raise TemplateError(f"{source} cannot be read as HTML ({type(exc).__name__}).") from exc
    importer = _Importer(builder.root, source)
    sections, title = importer.run()
    title = title or Path(source).stem
    tid = template_id or ("mrrt_" + _slug(title, 59))
    if tid == "mrrt_":
        tid = "mrrt_template"
    data: dict[str, Any] = {"id": tid, "title": title, "version": 1, "match": _match(title), "sections": {},
                            }
    if modalities:
        data["match"]["modalities"] = sorted({m.upper() for m in modalities})
    for name in SECTIONS:
        out = sections.get(name)
        if out is None:
            continue
        body: dict[str, Any] = {}
        if out.default:
            body["default"] = "\n".join(out.default)
        if out.fields:
            body["fields"] = out.fields
        data["sections"][name] = body
    if not any(body for body in data["sections"].values()):
        raise TemplateError(f"{source} has sections but no fields or text to import.")
    _check_defaults(data, importer.notes)
    for body in data["sections"].values():
        for spec in body.get("fields", []):
            if spec["type"] == "choice" and not spec.get("options"):
                spec["type"] = "text"
    template = parse_template(data, source)
    return MrrtImport(template, data, importer.notes)


def import_mrrt_file(path: Path, *, template_id: str = "", modalities: tuple[str, ...] = ()) -> MrrtImport:
    """Read and convert one MRRT template file (UTF-8 HTML)."""
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise TemplateError(f"{path} is {size // 1024} KiB; an MRRT template is far smaller, so it was not read.")
        text = path.read_bytes().decode("utf-8-sig")
    except OSError as exc:
        raise TemplateError(f"The MRRT template {path} cannot be read ({type(exc).__name__}).") from exc
    except UnicodeDecodeError as exc:
        raise TemplateError(f"{path} is not UTF-8 text, as MRRT templates must be.") from exc
    return mrrt_to_template(text, source=str(path), template_id=template_id, modalities=modalities)


def write_user_template(imported: MrrtImport, folder: Path | None = None, *, overwrite: bool = False) -> Path:
    """Save an imported template as ``<user templates>/<id>.json``; an existing file is kept
    unless ``overwrite``."""
    folder = folder if folder is not None else user_template_folder()
    path = folder / f"{imported.template.id}.json"
    if path.exists() and not overwrite:
        raise TemplateError(f"A report template {path.name} already exists in {folder}; choose another id "
                            "or replace it (--force).")
    folder.mkdir(parents=True, exist_ok=True)
    write_text_atomic(path, json.dumps(imported.data, indent=2, ensure_ascii=False) + "\n")
    return path
