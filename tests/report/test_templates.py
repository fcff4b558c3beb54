"""Templates as data: loading, validation sentences, matching by modality/body part, filling."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from workstation.errors import ReportError, TemplateError
from workstation.model.entities import SeriesSummary, StudySummary
from workstation.report.templates import (
    BUILTIN_FOLDER,
    choose_template,
    comparison_line,
    fill_report,
    insert_snippet,
    load_templates,
    parse_template,
    report_problems,
    user_template_folder,
    validate_report,
)

EXPECTED = {"generic", "ct_head", "ct_chest", "ct_abdomen_pelvis", "mr_brain", "cr_chest", "mg_screening", "us_abdomen"}


def test_builtin_templates_load_and_are_complete() -> None:
    library = load_templates()
    assert EXPECTED <= set(library.templates) and library.problems == []
    for template in library.templates.values():
        names = [s.name for s in template.sections]
        assert "findings" in names and "impression" in names, template.id
        assert template.source.startswith(str(BUILTIN_FOLDER))
    head = library.get("ct_head")
    types = {f.type for _, f in head.all_fields()}
    assert {"yes_no", "number", "choice"} <= types
    assert library.get("us_abdomen").field("cbd_diameter").unit == "mm"  # type: ignore[union-attr]


class _DS:
    def __init__(self, modality: str, description: str) -> None:
        self.modality, self.series_description = modality, description


@pytest.mark.parametrize(
    ("modalities", "description", "series", "expected", "why"),
    [
        (("CT",), "", [SeriesSummary("1", "1.1", "CT", body_part_examined="HEAD")], "ct_head", "body part HEAD"),
        (("CT",), "CT THORAX WITH CONTRAST", [], "ct_chest", "'thorax'"),
        (("CT",), "CT ABDOMEN PELVIS", [SeriesSummary("1", "1.1", "CT", body_part_examined="ABDOMEN")], "ct_abdomen_pelvis", "body part ABDOMEN"),
        (("MR",), "MRI BRAIN", [], "mr_brain", "modality MR"),
        (("DX",), "CHEST PA", [], "cr_chest", "modality DX"),
        (("MG",), "SCREENING MAMMOGRAM", [], "mg_screening", "'screening'"),
        (("US",), "US ABDOMEN", [], "us_abdomen", "'abdomen'"),
        (("CT",), "CT KNEE", [], "generic", "no template matches CT"),
        (("NM",), "BONE SCAN", [], "generic", "no template matches NM"),
    ],
)
def test_choose_template(modalities: tuple[str, ...], description: str, series: list[SeriesSummary],
                         expected: str, why: str) -> None:
    study = StudySummary("1", study_description=description, modalities=modalities)
    choice = choose_template(study, series=series)
    assert choice.template.id == expected
    assert why in choice.reason and choice.reason.endswith(".")


def test_display_set_descriptions_and_modality_count() -> None:
    study = StudySummary("1")  # worklist row without modalities
    choice = choose_template(study, [_DS("CT", "Head 5mm"), _DS("CT", "Brain window")])
    assert choice.template.id == "ct_head"
    assert "'head'" in choice.reason and "'brain'" in choice.reason


def test_user_templates_override_and_bad_ones_are_reported(tmp_path: Path) -> None:
    folder = user_template_folder()
    folder.mkdir(parents=True)
    mine = json.loads((BUILTIN_FOLDER / "ct_head.json").read_text())
    mine["title"] = "CT head (our practice)"
    (folder / "ct_head.json").write_text(json.dumps(mine))
    (folder / "broken.json").write_text("{not json")
    (folder / "bad_field.json").write_text(json.dumps({"id": "x", "title": "X", "sections": {"findings": {"fields": [
        {"id": "size", "label": "Size", "type": "number", "default": "big"}]}}}))
    library = load_templates()
    assert library.get("ct_head").title == "CT head (our practice)"
    assert len(library.problems) == 2
    assert any("broken.json" in p and "not valid JSON" in p for p in library.problems)
    assert any("field 'size'" in p and "must be a number" in p for p in library.problems)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"title": "x", "sections": {"findings": {}}}, "needs an 'id'"),
        ({"id": "x", "title": "x", "sections": {"history": {}}}, "'history' is not a report section"),
        ({"id": "x", "title": "x", "sections": {"findings": {"fields": [{"id": "a", "label": "A", "type": "colour"}]}}}, "type must be one of"),
        ({"id": "x", "title": "x", "sections": {"findings": {"fields": [{"id": "a", "label": "A", "type": "choice"}]}}}, "pick-list field needs"),
        ({"id": "x", "title": "x", "sections": {"findings": {"fields": [{"id": "a", "label": "A", "type": "text"}]},
                                                 "impression": {"fields": [{"id": "a", "label": "B", "type": "text"}]}}}, "used twice"),
        ({"id": "x", "title": "x", "sections": {}}, "at least one section"),
    ],
)
def test_invalid_templates_say_why(data: dict, message: str) -> None:
    with pytest.raises(TemplateError, match=message):
        parse_template(data, "test.json")


def test_comparison_line_newest_first() -> None:
    line = comparison_line([("20200505", "MR", "MR BRAIN"), ("2023-01-01", "CT", "CT HEAD "), ("", "CR", "")])
    assert line == "CT 2023-01-01 (CT HEAD); MR 2020-05-05 (MR BRAIN); CR undated."
    assert comparison_line([]) == "None available."


def test_fill_validate_and_snippets(ct_head_study: StudySummary) -> None:
    library = load_templates()
    template = library.get("ct_head")
    report = fill_report(template, ct_head_study, priors=[("20230101", "CT", "CT HEAD")], measurements=["12 mm"])
    assert report.patient.patient_id == "PID-7" and report.study.accession_number == "ACC42"
    assert report.section("comparison") == "CT 2023-01-01 (CT HEAD)."
    assert report.section("impression") == ""  # normal text is the radiologist's choice, not pre-filled
    assert report.fields == {"contrast": "none"}  # a yes/no nobody answered is no answer
    report = report.with_field("haemorrhage", False)
    assert report_problems(report, template) == []
    snippet = template.section("findings").snippets[0]  # type: ignore[union-attr]
    longer = insert_snippet(report.with_section("findings", "Old infarct."), "findings", snippet)
    assert longer.section("findings").endswith("\n" + snippet.text)

    bad = report.with_field("midline_shift", 55).with_field("contrast", "iodine").with_field("colour", "red")
    problems = report_problems(bad, template)
    assert "The field 'colour' is not part of the template 'CT head'." in problems
    assert "The field 'Midline shift' must be at most 40 mm." in problems
    assert "The field 'Intravenous contrast' must be one of: none, with contrast, without and with contrast." in problems
    with pytest.raises(ReportError, match=r"\(2 more problems\)"):
        validate_report(bad, template)
    with pytest.raises(ReportError, match="required"):
        validate_report(report.with_field("haemorrhage", None), template)
    with pytest.raises(ReportError, match="no impression"):
        validate_report(report.with_section("impression", " "), template, for_signing=True)
    with pytest.raises(ReportError, match="must be a date"):
        mg = library.get("mg_screening")
        from workstation.report.templates import FieldSpec
        raise ReportError(FieldSpec("d", "Due", "date").check("01/02/2024"))
    assert mg.field("birads").required  # type: ignore[union-attr]
