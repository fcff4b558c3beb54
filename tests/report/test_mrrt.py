"""IHE MRRT (HTML5) templates imported into our template model, and
``workstation report import-template``. The MRRT file is hand-written for these tests."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pydicom
import pytest
from pydicom.data import get_testdata_file

from workstation.errors import TemplateError
from workstation.model.entities import LIBRARY, StudySummary
from workstation.report.cli import add_report_parser
from workstation.report.mrrt import import_mrrt_file, mrrt_to_template, write_user_template
from workstation.report.templates import (
    choose_template,
    field_lines,
    fill_report,
    load_templates,
    report_problems,
    user_template_folder,
)
from workstation.settings import Settings

MRRT = Path(__file__).parent / "data" / "mrrt_ct_pulmonary_angiogram.html"


def _run(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="workstation")
    add_report_parser(parser.add_subparsers(dest="verb"))
    args = parser.parse_args(argv)
    return args.func(args, Settings())


def test_sections_fields_units_and_defaults() -> None:
    imported = import_mrrt_file(MRRT)
    t = imported.template
    assert (t.id, t.title, t.modalities) == ("mrrt_ct_pulmonary_angiogram_test", "CT Pulmonary Angiogram (test)", ("CT",))
    # sections by their coded headings (LOINC 55752-0, DCM 121064, LOINC 18834-2, 59776-5, 19005-8)
    # and by name (Recommendation); the uncoded "Radiation dose" section goes into findings
    assert [s.name for s in t.sections] == ["clinical_information", "technique", "comparison", "findings",
                                            "impression", "recommendations"]
    section = {s.name: s for s in t.sections}
    assert section["clinical_information"].default == "Suspected pulmonary embolism."  # unlabelled text area
    assert section["technique"].default.startswith("CT angiography of the pulmonary arteries")  # prose paragraph
    assert section["comparison"].default == "None available."  # unlabelled text input
    assert section["impression"].default == "No pulmonary embolism."
    assert section["findings"].default == ""  # units and option texts are not prose

    f = {fid: t.field(fid) for _, spec in t.all_fields() for fid in [spec.id]}
    wells = f["wells_score"]
    assert (wells.type, wells.minimum, wells.maximum, wells.default) == ("number", 0, 12.5, 4.5)
    volume = f["contrast_volume"]
    assert (volume.type, volume.unit, volume.default) == ("number", "mL", 60)  # unit: text after the input
    quality = f["study_quality"]
    assert (quality.type, quality.options, quality.default, quality.required) == (
        "choice", ("Diagnostic", "Limited by motion", "Non-diagnostic"), "Limited by motion", True)  # PROHIBIT
    assert f["date_of_injection"].type == "date"
    embolus = f["pulmonary_embolus"]
    assert (embolus.type, embolus.default, embolus.required) == ("yes_no", False, True)
    level = f["most_proximal_level"]  # input + datalist; the empty option is left out
    assert level.options == ("Main pulmonary artery", "Lobar", "Segmental", "Subsegmental") and level.default is None
    assert f["right_heart_septal_bowing"].options == ("absent", "present")  # radio group in a nested section
    assert f["right_heart_septal_bowing"].default == "absent"
    pa = f["right_heart_main_pulmonary_artery_diameter"]
    assert (pa.label, pa.unit, pa.minimum, pa.maximum) == ("Right heart: Main pulmonary artery diameter", "mm", 10, 60)
    assert [(f[k].label, f[k].default) for k in ("lungs_infarct", "lungs_effusion", "lungs_consolidation")] == [
        ("Lungs: Infarct", False), ("Lungs: Effusion", True), ("Lungs: Consolidation", False)]
    assert f["clot_density"].unit == "HU"  # data-field-unit
    assert f["incidental_nodule"].default is None  # a RadElement placeholder is no default
    assert (f["radiation_dose_dlp"].label, f["radiation_dose_dlp"].unit) == ("Radiation dose: DLP", "mGy.cm")
    assert f["follow_up"].type == "text" and f["follow_up"].default == "None."
    assert f["right_heart_rv_lv_diameter_ratio"].default is None  # 9 is above its max of 5: dropped, with a note
    assert any("RV/LV diameter ratio" in n and "at most 5" in n for n in imported.notes)
    assert any("'Radiation dose'" in n and "Findings" in n for n in imported.notes)


def test_imported_template_fills_a_report() -> None:
    imported = import_mrrt_file(MRRT)
    ct = pydicom.dcmread(get_testdata_file("CT_small.dcm"))
    study = StudySummary.from_dataset(ct, LIBRARY)
    report = fill_report(imported.template, study)
    assert report.section("impression") == "No pulmonary embolism."
    assert report_problems(report, imported.template) == []  # the defaults fit their fields
    assert field_lines(report, imported.template).get("technique") is None  # untouched defaults: not said
    lines = field_lines(report.with_placeholders_accepted().with_field("contrast_volume", 75), imported.template)
    assert "Contrast volume: 75 mL" in lines["technique"]
    assert "Study quality: Limited by motion" in lines["technique"]
    assert "Lungs: Effusion: yes" in lines["findings"]


def test_cli_writes_the_user_template(capsys: pytest.CaptureFixture[str]) -> None:
    assert _run(["report", "import-template", str(MRRT), "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    path = Path(result["path"])
    assert path.parent == user_template_folder() and path.name == "mrrt_ct_pulmonary_angiogram_test.json"
    assert result["fields"] == 16 and result["modalities"] == ["CT"]
    library = load_templates()
    assert library.problems == []
    assert library.get("mrrt_ct_pulmonary_angiogram_test").title == "CT Pulmonary Angiogram (test)"
    # picked for a CT whose description names the exam
    ct = pydicom.dcmread(get_testdata_file("CT_small.dcm"))
    study = StudySummary.from_dataset(ct, LIBRARY)
    study = StudySummary(**{**study.__dict__, "study_description": "CT pulmonary angiogram"})
    assert choose_template(study, library=library).template.id == "mrrt_ct_pulmonary_angiogram_test"

    assert _run(["report", "import-template", str(MRRT)]) == 1
    assert "already exists" in capsys.readouterr().err
    assert _run(["report", "import-template", str(MRRT), "--force", "--id", "cpa", "--modality", "ct"]) == 0
    out = capsys.readouterr().out
    assert "as template 'cpa'" in out and "Note: " in out
    assert _run(["report", "templates"]) == 0
    assert "cpa" in capsys.readouterr().out


def test_not_an_mrrt_template(tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    page.write_text("<html><body><p>Hello</p></body></html>")
    with pytest.raises(TemplateError, match=r"page\.html is not an IHE MRRT report template"):
        import_mrrt_file(page)
    latin = tmp_path / "latin.html"
    latin.write_bytes("<section>Befund: Größe</section>".encode("latin-1"))
    with pytest.raises(TemplateError, match=r"latin\.html is not UTF-8"):
        import_mrrt_file(latin)
    with pytest.raises(TemplateError, match=r"missing\.html cannot be read"):
        import_mrrt_file(tmp_path / "missing.html")
    # entity tricks in the template attributes are not expanded; the sections still import
    laughs = ('<html><head><script type="text/xml"><!DOCTYPE t [<!ENTITY a "aaaaaaaaaa">'
              '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><template_attributes>&b;</template_attributes>'
              '</script></head><body><section data-section-name="Findings"><p>Normal.</p></section></body></html>')
    imported = mrrt_to_template(laughs, source="laughs.html")
    assert imported.template.section("findings").default == "Normal."
    assert write_user_template(imported, tmp_path).name == "mrrt_laughs.json"
