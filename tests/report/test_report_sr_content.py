"""The TID 2000 report SR: numeric template fields as NUM with UCUM units, and the validators'
findings counted (dciodvfy, dsrdump, PixelMed; see tests/validators.py)."""

from __future__ import annotations

from pathlib import Path

import pydicom
from pydicom.data import get_testdata_file
from pydicom.dataset import Dataset

from tests import validators
from workstation.model.entities import LIBRARY, StudySummary
from workstation.report.dicom_objects import build_report_sr
from workstation.report.sr_fields import FIELD_SCHEME
from workstation.report.templates import fill_report, load_templates

#: dciodvfy knows only the coding schemes of PS3.16 Table 8-1, so it warns on the private "99"
#: scheme that names template fields (PS3.16 Section 8), once where the Coding Scheme
#: Identification Sequence declares it and once for each NUM that uses it.
DCIODVFY_PRIVATE_SCHEME = f"Unrecognized defined term <{FIELD_SCHEME}>"


def _report_sr() -> Dataset:
    ct = pydicom.dcmread(get_testdata_file("CT_small.dcm"))
    template = load_templates().get("ct_head")
    report = fill_report(template, StudySummary.from_dataset(ct, LIBRARY), author="Dr Zoë Wójcik")
    report = report.with_sections(findings="Pas d'hématome. Größe normal.", impression="Łódź: bez zmian. 正常。")
    report = report.with_field("midline_shift", 0).with_field("aspects", 10).with_field("haemorrhage", False)
    return build_report_sr(report.made_preliminary("Dr Zoë Wójcik"), template=template, evidence=[ct])


def _findings(sr: Dataset) -> list[Dataset]:
    [findings] = [s for s in sr.ContentSequence if s.ValueType == "CONTAINER" and s.ConceptNameCodeSequence[0].CodeValue == "59776-5"]
    return list(findings.ContentSequence)


def test_numeric_fields_are_num_items_with_ucum_units() -> None:
    sr = _report_sr()
    items = _findings(sr)
    nums = {str(i.ConceptNameCodeSequence[0].CodeMeaning): i for i in items if i.ValueType == "NUM"}
    assert set(nums) == {"Midline shift", "ASPECTS"}
    shift = nums["Midline shift"]
    name = shift.ConceptNameCodeSequence[0]
    assert (name.CodeValue, name.CodingSchemeDesignator) == ("midline_shift", FIELD_SCHEME)
    value = shift.MeasuredValueSequence[0]
    assert value.NumericValue == "0"  # zero is a value, not an empty field
    unit = value.MeasurementUnitsCodeSequence[0]
    assert (unit.CodeValue, unit.CodingSchemeDesignator, unit.CodeMeaning) == ("mm", "UCUM", "millimeter")
    score = nums["ASPECTS"].MeasuredValueSequence[0]
    assert float(score.NumericValue) == 10.0 and score.MeasurementUnitsCodeSequence[0].CodeValue == "1"
    texts = [str(i.TextValue) for i in items if i.ValueType == "TEXT"]
    assert "Intracranial haemorrhage: no" in texts and not any(t.startswith("Midline shift") for t in texts)
    [scheme] = sr.CodingSchemeIdentificationSequence
    assert scheme.CodingSchemeDesignator == FIELD_SCHEME


def test_report_sr_validators(tmp_path: Path) -> None:
    sr = _report_sr()
    checked = validators.dciodvfy(sr, tmp_path)
    assert checked.errors == ()
    assert checked.warnings_except(DCIODVFY_PRIVATE_SCHEME) == [] and len(checked.warnings) == 1 + 2  # two NUMs

    dump = validators.dsrdump(sr, tmp_path)
    assert (dump.returncode, dump.errors, dump.warnings) == (0, (), (validators.DSRDUMP_UTF8,))
    assert '"Łódź: bez zmian. 正常。"' in dump.output and '"Midline shift")="0' in dump.output

    pixelmed = validators.pixelmed_sr(sr, tmp_path)
    assert pixelmed.errors == ()
    # PixelMed knows CID 7001 only in its retired DCM codes: it warns once on each LOINC section
    # and once on each item inside one, and on nothing else.
    assert pixelmed.warnings_except(validators.PIXELMED_LOINC_SECTION) == []
    sections = [s for s in sr.ContentSequence if s.ValueType == "CONTAINER"]
    assert len(pixelmed.warnings) == len(sections) + sum(len(s.ContentSequence) for s in sections)
