"""Report templates as data: sections, typed fields, placeholder and normal text, snippets, matching rules.

A template is a JSON file (built in: ``resources/report_templates/*.json``; the user's own:
``<config folder>/report_templates/*.json``, which replace a built-in one of the same id). Its
sections are those of a diagnostic imaging report (TID 2000, PS3.16; CID 7001 headings):

.. code-block:: json

    {"id": "ct_head", "title": "CT head", "version": 1,
     "match": {"modalities": ["CT"], "body_parts": ["HEAD", "BRAIN"], "keywords": ["head", "brain"]},
     "sections": {
       "technique": {"default": "Axial CT of the head."},
       "findings": {"normal": "No intracranial haemorrhage.",
                    "snippets": [{"label": "Small vessel disease", "text": "..."}],
                    "fields": [{"id": "midline_shift", "label": "Midline shift",
                                "type": "number", "unit": "mm", "min": 0, "max": 30}]}}}

A section's ``default`` is a *placeholder*: it is shown in a new draft, but it is not the
radiologist's text until they edit or accept it, and a signed report leaves an untouched
placeholder out (see :mod:`workstation.report.model`); field ``default`` values are placeholders
the same way. A section's ``normal`` text is a normal-findings macro: never put in a draft by
itself, it is inserted when the radiologist chooses "Insert normal findings"
(:func:`insert_normal`), and then it counts as theirs.

Field types: ``text``, ``choice`` (``options``), ``number`` (``unit``, optional ``min``/``max``),
``yes_no`` and ``date`` (ISO, YYYY-MM-DD). ``required`` fields must be filled before signing.
IHE MRRT (HTML5) templates, such as RadReport's, are converted into this format by
:mod:`workstation.report.mrrt` (``workstation report import-template FILE.html``).

:func:`choose_template` picks a template for a study by modality, then Body Part Examined
(PS3.3 C.7.3.1, with the defined terms of PS3.16 Annex L), then words of the study and series
descriptions, and says why in a sentence. :func:`fill_report` starts a report from a template
with what the workstation already knows (header, comparison line from the priors, measurements,
key images).
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import platformdirs

from workstation.errors import ReportError, TemplateError
from workstation.i18n import ENGLISH, FRENCH, LANGUAGES, format_date
from workstation.model.entities import SeriesSummary, StudySummary
from workstation.report.model import (
    SECTION_TITLES,
    SECTIONS,
    FieldValue,
    KeyImage,
    PatientHeader,
    Report,
    StudyHeader,
    read_json_file,
)
from workstation.report.wording import word
from workstation.resource_files import resource_folder

log = logging.getLogger(__name__)

BUILTIN_FOLDER = resource_folder("report_templates")
FIELD_TYPES = ("text", "choice", "number", "yes_no", "date")
GENERIC_ID = "generic"
_ID = re.compile(r"^[a-z0-9_]{1,64}$")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def user_template_folder() -> Path:
    """Where the user's own templates live (the platform's config folder)."""
    return Path(platformdirs.user_config_dir("workstation", appauthor=False)) / "report_templates"


@dataclass(frozen=True)
class FieldSpec:
    """One typed field of a template section."""

    id: str
    label: str
    type: str
    options: tuple[str, ...] = ()
    unit: str = ""
    minimum: float | None = None
    maximum: float | None = None
    required: bool = False
    default: FieldValue = None

    def check(self, value: FieldValue) -> str:
        """"" when ``value`` fits this field, else a sentence saying what is wrong."""
        if value is None or value == "":
            return f"The field '{self.label}' is required; fill it in." if self.required else ""
        if self.type == "text":
            return "" if isinstance(value, str) else f"The field '{self.label}' must be text."
        if self.type == "choice":
            if value not in self.options:
                return f"The field '{self.label}' must be one of: {', '.join(self.options)}."
            return ""
        if self.type == "yes_no":
            return "" if isinstance(value, bool) else f"The field '{self.label}' must be yes or no (true or false)."
        if self.type == "date":
            try:
                dt.date.fromisoformat(str(value))
            except ValueError:
                return f"The field '{self.label}' must be a date written YYYY-MM-DD."
            return ""
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return f"The field '{self.label}' must be a number{' in ' + self.unit if self.unit else ''}."
        if self.minimum is not None and value < self.minimum:
            return f"The field '{self.label}' must be at least {self.minimum:g} {self.unit}".rstrip() + "."
        if self.maximum is not None and value > self.maximum:
            return f"The field '{self.label}' must be at most {self.maximum:g} {self.unit}".rstrip() + "."
        return ""

    def display(self, value: FieldValue, language: str = ENGLISH) -> str:
        """The value as the report says it ("12 mm", "yes", "2024-03-01"; in French "12,5 mm",
        "oui")."""
        if isinstance(value, bool):
            return word("yes" if value else "no", language)
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        text = str(value)
        if isinstance(value, float) and language == FRENCH:
            text = text.replace(".", ",")
        return f"{text} {self.unit}" if self.type == "number" and self.unit else text


@dataclass(frozen=True)
class Snippet:
    label: str
    text: str


@dataclass(frozen=True)
class TemplateSection:
    """One section: its normal text, snippets to insert, and typed fields."""

    name: str
    default: str = ""  # placeholder text, shown in a new draft
    snippets: tuple[Snippet, ...] = ()
    fields: tuple[FieldSpec, ...] = ()
    normal: str = ""  # normal-findings text, inserted only on the radiologist's demand

    @property
    def title(self) -> str:
        return SECTION_TITLES[self.name]


@dataclass(frozen=True)
class Template:
    """A report template (see the module docstring for the file format)."""

    id: str
    title: str
    modalities: tuple[str, ...] = ()
    body_parts: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    sections: tuple[TemplateSection, ...] = ()
    source: str = ""  # the file it came from
    version: int = 1
    language: str = ENGLISH  # "en" or "fr" (workstation.i18n.LANGUAGES): the report's words

    def section(self, name: str) -> TemplateSection | None:
        return next((s for s in self.sections if s.name == name), None)

    def all_fields(self) -> list[tuple[str, FieldSpec]]:
        return [(s.name, f) for s in self.sections for f in s.fields]

    def field(self, field_id: str) -> FieldSpec | None:
        return next((f for _, f in self.all_fields() if f.id == field_id), None)

    @property
    def has_normal(self) -> bool:
        """True when the template offers normal-findings text (:func:`insert_normal`)."""
        return any(s.normal.strip() for s in self.sections)

    def field_labels(self) -> dict[str, str]:
        """Field id -> label, for sentences that name fields."""
        return {f.id: f.label for _, f in self.all_fields()}


# -- loading -------------------------------------------------------------------------------------


def _strings(value: Any, where: str, what: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise TemplateError(f"{where}: '{what}' must be a list of texts.")
    return tuple(value)


def _number(value: Any, where: str, what: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TemplateError(f"{where}: '{what}' must be a number.")
    return float(value)


def _field(data: Any, where: str) -> FieldSpec:
    if not isinstance(data, dict):
        raise TemplateError(f"{where}: each field must be an object with id, label and type.")
    fid, label, ftype = data.get("id"), data.get("label"), data.get("type")
    if not isinstance(fid, str) or not _ID.match(fid):
        raise TemplateError(f"{where}: a field id must be lower-case letters, digits or '_' (got {fid!r}).")
    where = f"{where}, field '{fid}'"
    if not isinstance(label, str) or not label.strip():
        raise TemplateError(f"{where}: the field needs a label.")
    if ftype not in FIELD_TYPES:
        raise TemplateError(f"{where}: the type must be one of {', '.join(FIELD_TYPES)} (got {ftype!r}).")
    options = _strings(data.get("options"), where, "options")
    if ftype == "choice" and not options:
        raise TemplateError(f"{where}: a pick-list field needs a non-empty 'options' list.")
    spec = FieldSpec(
        id=fid, label=label, type=ftype, options=options, unit=str(data.get("unit", "")),
        minimum=_number(data.get("min"), where, "min"), maximum=_number(data.get("max"), where, "max"),
        required=bool(data.get("required", False)), default=data.get("default"),
    )
    if spec.default is not None:
        problem = spec.check(spec.default)
        if problem:
            raise TemplateError(f"{where}: the default value does not fit: {problem}")
    return spec


def parse_template(data: Any, source: str = "template") -> Template:
    """A validated :class:`Template` from the parsed JSON; ``TemplateError`` names what is wrong."""
    if not isinstance(data, dict):
        raise TemplateError(f"The report template {source} does not hold a JSON object.")
    tid = data.get("id")
    if not isinstance(tid, str) or not _ID.match(tid):
        raise TemplateError(f"The report template {source} needs an 'id' of lower-case letters, digits or '_'.")
    where = f"Report template '{tid}' ({source})"
    title = data.get("title")
    if not isinstance(title, str) or not title.strip():
        raise TemplateError(f"{where}: the template needs a title.")
    match = data.get("match", {})
    if not isinstance(match, dict):
        raise TemplateError(f"{where}: 'match' must be an object with modalities, body_parts and keywords.")
    raw_sections = data.get("sections")
    if not isinstance(raw_sections, dict) or not raw_sections:
        raise TemplateError(f"{where}: 'sections' must be an object naming at least one section.")
    sections = []
    seen_fields: set[str] = set()
    for name in raw_sections:
        if name not in SECTIONS:
            raise TemplateError(f"{where}: '{name}' is not a report section; use {', '.join(SECTIONS)}.")
    for name in SECTIONS:  # reading order, whatever the file's order
        if name not in raw_sections:
            continue
        body = raw_sections[name]
        swhere = f"{where}, section '{name}'"
        if not isinstance(body, dict):
            raise TemplateError(f"{swhere}: a section must be an object.")
        default = body.get("default", "")
        if not isinstance(default, str):
            raise TemplateError(f"{swhere}: 'default' must be text.")
        normal = body.get("normal", "")
        if not isinstance(normal, str):
            raise TemplateError(f"{swhere}: 'normal' must be text.")
        snippets = []
        for s in body.get("snippets", []) or []:
            if not isinstance(s, dict) or not isinstance(s.get("label"), str) or not isinstance(s.get("text"), str):
                raise TemplateError(f"{swhere}: each snippet needs a 'label' and a 'text'.")
            snippets.append(Snippet(s["label"], s["text"]))
        raw_fields = body.get("fields", []) or []
        if not isinstance(raw_fields, list):
            raise TemplateError(f"{swhere}: 'fields' must be a list.")
        fields = [_field(f, swhere) for f in raw_fields]
        for f in fields:
            if f.id in seen_fields:
                raise TemplateError(f"{swhere}: the field id '{f.id}' is used twice; field ids must be unique.")
            seen_fields.add(f.id)
        sections.append(TemplateSection(name, default, tuple(snippets), tuple(fields), normal))
    version = data.get("version", 1)
    if not isinstance(version, int):
        raise TemplateError(f"{where}: 'version' must be a whole number.")
    language = data.get("language", ENGLISH)
    if language not in LANGUAGES:
        raise TemplateError(f"{where}: 'language' must be one of {', '.join(LANGUAGES)} (got {language!r}).")
    return Template(
        id=tid, title=title,
        modalities=tuple(m.upper() for m in _strings(match.get("modalities"), where, "modalities")),
        body_parts=tuple(b.upper() for b in _strings(match.get("body_parts"), where, "body_parts")),
        keywords=tuple(k.lower() for k in _strings(match.get("keywords"), where, "keywords")),
        sections=tuple(sections), source=source, version=version, language=language,
    )


def load_template_file(path: Path) -> Template:
    try:
        data = read_json_file(path, "report template")
    except ReportError as exc:
        raise TemplateError(str(exc)) from exc
    return parse_template(data, str(path))


@dataclass
class TemplateLibrary:
    """The templates on offer: built-in ones, replaced or extended by the user's.

    ``problems`` lists, one sentence each, the user files that were skipped as invalid (a bad
    user file never hides the built-in templates).
    """

    templates: dict[str, Template]
    problems: list[str] = field(default_factory=list)

    def get(self, template_id: str) -> Template:
        try:
            return self.templates[template_id]
        except KeyError:
            raise TemplateError(
                f"There is no report template '{template_id}'; available: {', '.join(sorted(self.templates))}."
            ) from None


def load_templates(builtin: Path | None = None, user: Path | None = None) -> TemplateLibrary:
    """Every template: built-in ones (an invalid one raises: it is our bug) then the user's."""
    builtin = builtin or BUILTIN_FOLDER
    user = user if user is not None else user_template_folder()
    templates: dict[str, Template] = {}
    for path in sorted(builtin.glob("*.json")):
        t = load_template_file(path)
        templates[t.id] = t
    problems = []
    if user.is_dir():
        for path in sorted(user.glob("*.json")):
            try:
                t = load_template_file(path)
            except TemplateError as exc:
                problems.append(str(exc))
                log.warning("Report template skipped: %s", path.name)
                continue
            templates[t.id] = t
    if GENERIC_ID not in templates:
        raise TemplateError(f"The generic report template is missing from {builtin}; reinstall the workstation.")
    return TemplateLibrary(templates, problems)


# -- choosing ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TemplateChoice:
    template: Template
    reason: str
    score: int


def _words(text: str) -> set[str]:
    """Lower-case words without accents: "SCANNER CÉRÉBRAL" and "scanner cerebral" match alike."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return {w for w in re.split(r"[^a-z0-9]+", plain.lower()) if w}


def choose_template(
    study: StudySummary,
    display_sets: Sequence[Any] = (),
    *,
    series: Sequence[SeriesSummary] = (),
    library: TemplateLibrary | None = None,
    language: str = ENGLISH,
) -> TemplateChoice:
    """The template that best fits the study, with the reason in a sentence.

    Rules: a template with modalities applies only when one of them is in the study (modalities
    of the study, its display sets and its series). Among those, Body Part Examined of a series
    scores 4, a template keyword found in the study or series descriptions scores 2 each (the
    same words a hanging protocol matches on), the modality itself 1. No match: the generic
    template. ``display_sets`` are :class:`workstation.model.displayset.DisplaySet` (modality,
    series description are read). Only templates in ``language`` are considered (English
    ones when none is in that language); their generic one is ``generic_<language>``.
    """
    library = library or load_templates()
    pool = [t for t in library.templates.values() if t.language == language]
    if not pool:
        language = ENGLISH
        pool = [t for t in library.templates.values() if t.language == ENGLISH]
    generic_id = GENERIC_ID if language == ENGLISH else f"{GENERIC_ID}_{language}"
    modalities = {m.upper() for m in study.modalities}
    modalities |= {str(getattr(d, "modality", "")).upper() for d in display_sets}
    modalities |= {s.modality.upper() for s in series}
    modalities.discard("")
    body_parts = {s.body_part_examined.upper() for s in series if s.body_part_examined}
    text = " ".join([study.study_description] + [str(getattr(d, "series_description", "")) for d in display_sets]
                    + [s.series_description for s in series])
    words = _words(text)
    best: TemplateChoice | None = None
    for template in sorted(pool, key=lambda t: t.id):
        if template.id == generic_id or not template.modalities:
            continue
        hit_modalities = modalities & set(template.modalities)
        if not hit_modalities:
            continue
        score = 1
        reasons = [word("by modality", language, '/'.join(sorted(hit_modalities)))]
        parts = body_parts & set(template.body_parts)
        if parts:
            score += 4
            reasons.append(word("by body part", language, '/'.join(sorted(parts))))
        keys = [k for k in template.keywords if set(k.split()) <= words]
        if keys:
            score += 2 * len(keys)
            reasons.append(word("by words", language, ", ".join(f"'{k}'" for k in keys)))
        if score == 1 and len(template.body_parts) + len(template.keywords) > 0:
            continue  # the modality alone does not pick an anatomy-specific template
        if best is None or score > best.score:
            best = TemplateChoice(template, word("chosen by", language, template.title, word("and", language).join(reasons)), score)
    if best is not None:
        return best
    generic = library.templates.get(generic_id) or library.get(GENERIC_ID)
    seen = "/".join(sorted(modalities)) or "no modality"
    if not modalities:
        seen = word("no modality", language)
    return TemplateChoice(generic, word("no match", language, generic.title, seen), 0)


# -- filling and checking ------------------------------------------------------------------------

Prior = tuple[Any, str, str]  # (date as date or DICOM DA or ISO text, modality, description)


def _prior_date(value: Any) -> str:
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value or "").strip()
    if len(text) == 8 and text.isdigit():
        return f"{text[:4]}-{text[4:6]}-{text[6:]}"
    return text or "undated"


def comparison_line(priors: Sequence[Prior], language: str = ENGLISH) -> str:
    """The comparison section from the priors found: newest first, "None available." when none
    (in French: "Aucun examen antérieur disponible.", dates written "12 janv. 2025")."""
    if not priors:
        return word("no priors", language)
    dated = [p for p in priors if _prior_date(p[0]) != "undated"]
    undated = [p for p in priors if _prior_date(p[0]) == "undated"]
    ordered = sorted(dated, key=lambda p: _prior_date(p[0]), reverse=True) + undated
    parts = []
    for date, modality, description in ordered:
        when = _prior_date(date)
        if language != ENGLISH and when != "undated":
            when = format_date(dt.date.fromisoformat(when), language) if _ISO_DATE.match(when) else when
        elif when == "undated":
            when = word("undated", language)
        label = " ".join(x for x in (modality.strip(), when) if x)
        parts.append(f"{label} ({description.strip()})" if description.strip() else label)
    return "; ".join(parts) + "."


def headers_from_study(study: StudySummary) -> tuple[StudyHeader, PatientHeader]:
    """The report's study and patient header from a worklist row."""
    return (
        StudyHeader(
            study_uid=study.study_uid, accession_number=study.accession_number, study_id=study.study_id,
            study_date=study.study_date, study_time=study.study_time, description=study.study_description,
            modalities=tuple(study.modalities), referring_physician=study.referring_physician,
        ),
        PatientHeader(
            name=study.patient_name, patient_id=study.patient_id, issuer_of_patient_id=study.issuer_of_patient_id,
            birth_date=study.patient_birth_date, sex=study.patient_sex,
        ),
    )


def fill_report(
    template: Template,
    study: StudySummary,
    *,
    priors: Sequence[Prior] = (),
    measurements: Sequence[str] = (),
    key_images: Sequence[KeyImage] = (),
    author: str = "",
) -> Report:
    """A new draft from ``template`` with the header, placeholder text, field defaults and comparison.

    Everything filled here but the header, measurements and key images is a placeholder (the
    workstation's words, not the radiologist's); the template's normal text is not put in
    (see :func:`insert_normal`)."""
    study_header, patient = headers_from_study(study)
    sections = {s.name: s.default for s in template.sections if s.default}
    sections["comparison"] = comparison_line(priors, template.language)
    if study.study_description and "technique" not in sections:
        sections["technique"] = study.study_description
    fields = {f.id: f.default for _, f in template.all_fields() if f.default is not None}
    report = Report.new(study_header, patient, template_id=template.id, author=author,
                        sections=sections, fields=fields,
                        placeholder_sections=set(sections), placeholder_fields=set(fields))
    return report.with_measurements(list(measurements)).with_key_images(list(key_images))


def insert_normal(report: Report, template: Template) -> Report:
    """The report with the template's normal-findings text put in, as the radiologist's choice.

    A section that is empty or holds only a placeholder gets the normal text; a section the
    radiologist has written keeps its text and gets the normal text on a new line after it.
    Either way the section now counts as the radiologist's (they chose to insert it)."""
    for section in template.sections:
        normal = section.normal.strip()
        if not normal:
            continue
        current = report.section(section.name).rstrip()
        if not current or section.name in report.placeholder_sections:
            report = report.with_section(section.name, normal)
        elif normal not in current:
            report = report.with_section(section.name, f"{current}\n{normal}")
    return report


def mark_template_text(report: Report, template: Template) -> Report:
    """A draft saved before placeholders were recorded, with what is template text in it marked
    as placeholders again: sections still holding the template's default or normal text (earlier
    versions pre-filled both), the comparison "None available.", the study description as
    technique, field values equal to their default, and every "no" of a yes/no field (the
    earlier editor stored "no" for a question nobody answered). Other reports are returned as
    they are."""
    if report.placeholders_recorded or report.locked:
        return report
    sections = set()
    for name, text in report.sections.items():
        section = template.section(name)
        known = {section.default.strip(), section.normal.strip()} if section is not None else set()
        if name == "comparison":
            known |= {comparison_line([], language) for language in LANGUAGES}
        if name == "technique":
            known.add(report.study.description.strip())
        if text.strip() and text.strip() in known - {""}:
            sections.add(name)
    fields = set()
    for fid, value in report.fields.items():
        spec = template.field(fid)
        if spec is None:
            continue
        if (spec.default is not None and value == spec.default) or (spec.type == "yes_no" and value is False):
            fields.add(fid)
    return replace(report, placeholder_sections=frozenset(sections), placeholder_fields=frozenset(fields),
                   placeholders_recorded=True)


def insert_snippet(report: Report, section: str, snippet: Snippet | str) -> Report:
    """The report with a snippet's text added to the end of a section (on a new line)."""
    text = snippet.text if isinstance(snippet, Snippet) else snippet
    current = report.section(section).rstrip()
    return report.with_section(section, f"{current}\n{text}" if current else text)


def report_problems(report: Report, template: Template) -> list[str]:
    """Sentences saying what keeps ``report`` from fitting ``template`` (empty: it fits)."""
    problems = []
    if report.template_id != template.id:
        problems.append(f"The report was written with template '{report.template_id}', not '{template.id}'.")
    known = {f.id for _, f in template.all_fields()}
    for fid in sorted(set(report.fields) - known):
        problems.append(f"The field '{fid}' is not part of the template '{template.title}'.")
    for _, spec in template.all_fields():
        problem = spec.check(report.fields.get(spec.id))
        if problem:
            problems.append(problem)
    return problems


def validate_report(report: Report, template: Template, *, for_signing: bool = False) -> None:
    """Raise ``ReportError`` with the first problem (and how many more) when the report does not fit.

    For signing, the report is checked as it will be signed: without untouched placeholders (a
    required field filled only by a template default is not filled)."""
    if for_signing:
        report = report.spoken()
    problems = report_problems(report, template)
    if for_signing:
        body = report.section("addendum") if report.kind.value == "addendum" else report.section("impression")
        if not body.strip():
            what = "addendum text" if report.kind.value == "addendum" else "impression"
            problems.append(f"The report has no {what}; write it before signing.")
    if problems:
        more = f" ({len(problems) - 1} more problem{'s' if len(problems) > 2 else ''})" if len(problems) > 1 else ""
        raise ReportError(problems[0].rstrip(".") + more + ".")


def field_lines(report: Report, template: Template | None) -> dict[str, list[str]]:
    """Filled field values by section, as lines "Label: value unit", in template order.

    Untouched placeholder values are left out (a report says only what the radiologist said)."""
    out: dict[str, list[str]] = {}
    report = report.spoken()
    if template is None:
        for fid, value in report.fields.items():
            out.setdefault("findings", []).append(f"{fid}: {value}")
        return out
    for section, spec in template.all_fields():
        value = report.fields.get(spec.id)
        if value is None or value == "":
            continue
        colon = " : " if template.language == FRENCH else ": "  # French typography: a space before
        out.setdefault(section, []).append(f"{spec.label}{colon}{spec.display(value, template.language)}")
    return out


def coerce_fields(raw: Mapping[str, Any], template: Template) -> dict[str, FieldValue]:
    """Field values from a dictation system's JSON, with "yes"/"no" and numeric text accepted."""
    out: dict[str, FieldValue] = {}
    for fid, value in raw.items():
        spec = template.field(fid)
        if spec is not None and spec.type == "yes_no" and isinstance(value, str):
            lowered = value.strip().lower()
            value = True if lowered in ("yes", "true", "y") else False if lowered in ("no", "false", "n") else value
        elif spec is not None and spec.type == "number" and isinstance(value, str):
            try:
                value = float(value)
            except ValueError:
                pass
        out[fid] = value
    return out
