"""A report says only what the radiologist said: template text is a placeholder until touched or
accepted, normal findings are inserted only on demand, and what is signed (the final version, its
PDF, its SR and the RIS text) leaves untouched placeholders out."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator

import pydicom
import pytest
from pydicom.data import get_testdata_file

from tests.report.pki import ThrowawayPKI
from workstation.errors import PlaceholderError, ReportError
from workstation.model.entities import LIBRARY, StudySummary
from workstation.report.dicom_objects import with_dicom_objects
from workstation.report.model import Report
from workstation.report.pdf import Letterhead, render_report_pdf
from workstation.report.signing import Pkcs12Credential, sign_report
from workstation.report.templates import field_lines, fill_report, insert_normal, load_templates

LH = Letterhead("Riverside Imaging")


def _pdf_text(data: bytes) -> str:
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(data)
    try:
        return "\n".join(document[i].get_textpage().get_text_range() for i in range(len(document)))
    finally:
        document.close()


def _sr_texts(item: pydicom.Dataset) -> Iterator[str]:
    """Every TEXT content item's value in an SR content tree (PS3.3 C.17.3)."""
    for child in item.get("ContentSequence", []):
        if "TextValue" in child:
            yield str(child.TextValue)
        yield from _sr_texts(child)


@pytest.fixture
def chest_study() -> StudySummary:
    ct = pydicom.dcmread(get_testdata_file("CT_small.dcm"))
    return StudySummary.from_dataset(ct, LIBRARY)


def test_ct_chest_draft_holds_no_normal_report(chest_study: StudySummary) -> None:
    template = load_templates().get("ct_chest")
    report = fill_report(template, chest_study)
    assert report.section("findings") == "" and report.section("impression") == ""
    assert "pulmonary_embolism" not in report.fields  # an unanswered yes/no is no answer
    assert report.untouched() == (["technique", "comparison"], ["contrast"])
    assert template.has_normal and "lungs are clear" in template.section("findings").normal  # type: ignore[union-attr]


def test_editing_or_accepting_makes_text_the_radiologists(chest_study: StudySummary) -> None:
    template = load_templates().get("ct_chest")
    report = fill_report(template, chest_study)
    edited = report.with_section("technique", "Axial CT of the chest after contrast.").with_field("contrast", "with contrast")
    assert edited.untouched() == (["comparison"], [])
    accepted = report.with_placeholders_accepted(sections=["comparison"])
    assert accepted.untouched() == (["technique"], ["contrast"])
    assert not report.with_placeholders_accepted().has_placeholders
    # spoken(): only what the radiologist said
    said = report.with_section("impression", "Small right effusion.").spoken()
    assert said.sections == {"impression": "Small right effusion."} and said.fields == {}
    # kept across saving and reading back
    again = Report.from_json(report.to_json())
    assert again.untouched() == report.untouched()


def test_insert_normal_counts_as_the_radiologists_choice(chest_study: StudySummary) -> None:
    template = load_templates().get("ct_chest")
    report = insert_normal(fill_report(template, chest_study), template)
    assert report.section("findings").startswith("The lungs are clear.")
    assert report.section("impression") == "No acute cardiopulmonary abnormality."
    assert "findings" not in report.placeholder_sections and "impression" not in report.placeholder_sections
    # written text stays; the normal text follows it
    mine = fill_report(template, chest_study).with_section("findings", "Old rib fracture.")
    assert insert_normal(mine, template).section("findings") == (
        "Old rib fracture.\n" + template.section("findings").normal)  # type: ignore[union-attr]


def test_final_version_refuses_then_drops_untouched_placeholders(chest_study: StudySummary) -> None:
    template = load_templates().get("ct_chest")
    report = fill_report(template, chest_study).with_section("impression", "No pulmonary embolism.")
    with pytest.raises(PlaceholderError) as refused:
        report._signed("Dr A", dt.datetime.now(dt.timezone.utc), labels=template.field_labels())
    assert str(refused.value) == (
        "The report still holds template text nobody wrote or accepted (Technique, Comparison, "
        "Intravenous contrast); edit or accept it, or confirm that it is left out of the signed report.")
    final = report._signed("Dr A", dt.datetime.now(dt.timezone.utc), leave_out_placeholders=True)
    assert final.sections == {"impression": "No pulmonary embolism."} and final.fields == {}
    assert not final.placeholder_sections and not final.placeholder_fields


def test_preliminary_needs_the_radiologists_own_findings(chest_study: StudySummary) -> None:
    template = load_templates().get("generic")
    report = fill_report(template, chest_study).with_section("findings", "Placeholder.")
    report = Report.from_json({**report.to_json(), "placeholder_sections": ["findings", "comparison"]})
    with pytest.raises(ReportError, match="needs findings or an impression"):
        report.made_preliminary()


def test_untouched_field_is_not_printed(chest_study: StudySummary) -> None:
    """The reported defect: a never-touched 'Pulmonary embolism' printed as 'no'."""
    template = load_templates().get("ct_chest")
    report = fill_report(template, chest_study).with_section("findings", "Right lower lobe nodule.")
    report = report.with_field("largest_nodule", 6)
    text = _pdf_text(render_report_pdf(report, LH, template=template))
    assert "Largest pulmonary nodule: 6 mm" in text
    assert "Pulmonary embolism" not in text
    assert "Intravenous contrast" not in text and "Axial CT of the chest" not in text  # placeholders
    assert "lungs are clear" not in text and "No acute cardiopulmonary" not in text
    answered = report.with_field("pulmonary_embolism", False)
    assert "Pulmonary embolism: no" in _pdf_text(render_report_pdf(answered, LH, template=template))
    assert field_lines(report, template) == {"findings": ["Largest pulmonary nodule: 6 mm"]}


def test_signed_pdf_sr_and_ris_text_leave_placeholders_out(
    chest_study: StudySummary, credential: Pkcs12Credential, pki: ThrowawayPKI
) -> None:
    template = load_templates().get("ct_chest")
    ct = pydicom.dcmread(get_testdata_file("CT_small.dcm"))
    report = fill_report(template, chest_study).with_sections(findings="Segmental embolus, right lower lobe.",
                                                              impression="Pulmonary embolism.")
    report = report.with_field("pulmonary_embolism", True)
    with pytest.raises(PlaceholderError, match=r"\(Technique, Comparison, Intravenous contrast\)"):
        sign_report(report, credential, letterhead=LH, template=template, trust_roots=[pki.ca_pem])
    signed = sign_report(report, credential, letterhead=LH, template=template, trust_roots=[pki.ca_pem],
                         accept_placeholders=True)
    signed = with_dicom_objects(signed, template=template, evidence=[ct], organization="Riverside Imaging")
    pdf = _pdf_text(signed.pdf_bytes)
    assert "Pulmonary embolism: yes" in pdf and "Segmental embolus" in pdf
    assert "Axial CT of the chest" not in pdf and "Intravenous contrast" not in pdf and "None available" not in pdf
    sr_text = " ".join(_sr_texts(pydicom.dcmread(io.BytesIO(signed.sr_bytes))))
    assert "Segmental embolus" in sr_text
    assert "Axial CT of the chest" not in sr_text and "None available" not in sr_text and "Intravenous contrast" not in sr_text
    meta = signed.metadata()
    ris_text = " ".join(s["text"] for s in meta["sections"]) + meta["conclusion"]
    assert [s["title"] for s in meta["sections"]] == ["Findings", "Impression"]
    assert "Axial CT" not in ris_text and "None available" not in ris_text and "Intravenous contrast" not in ris_text
    # the answered question reaches the RIS as the PDF prints it
    assert meta["sections"][0]["text"] == "Segmental embolus, right lower lobe.\nPulmonary embolism: yes"


def test_a_draft_saved_before_placeholders_gets_its_template_text_marked(chest_study: StudySummary) -> None:
    """Drafts written by the earlier editor held the normal report and a "no" for every unanswered
    yes/no, with nothing saying so: restored, those are placeholders again."""
    from workstation.report.templates import mark_template_text

    template = load_templates().get("ct_chest")
    findings = template.section("findings").normal  # type: ignore[union-attr]
    old = fill_report(template, chest_study).with_sections(findings=findings, impression="Small right effusion.")
    old = old.with_field("pulmonary_embolism", False).with_field("largest_nodule", 4)
    data = old.to_json()
    del data["placeholder_sections"], data["placeholder_fields"]
    legacy = Report.from_json(data)
    assert not legacy.placeholders_recorded and not legacy.has_placeholders
    marked = mark_template_text(legacy, template)
    assert marked.untouched() == (["technique", "comparison", "findings"], ["contrast", "pulmonary_embolism"])
    assert marked.spoken().sections == {"impression": "Small right effusion."}
    assert marked.spoken().fields == {"largest_nodule": 4}
    # a report saved with its placeholders recorded is left alone
    assert mark_template_text(old, template) is old
