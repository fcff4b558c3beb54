"""French reports (issue 17): templates written as French radiologists write them, the PDF in
French (headings, dates, decimals), and the SR with the same LOINC section codes as in English."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pydicom
import pypdfium2 as pdfium

from tests.report.conftest import assert_valid_report_sr, dciodvfy_errors
from workstation.model.entities import SeriesSummary, StudySummary
from workstation.report.dicom_objects import build_encapsulated_pdf, build_report_sr
from workstation.report.pdf import Letterhead, render_report_pdf
from workstation.report.sr_sections import read_report_sections
from workstation.report.templates import (
    choose_template,
    comparison_line,
    fill_report,
    load_templates,
)
from workstation.report.wording import heading

LH = Letterhead("Cabinet de radiologie Sainte-Thérèse", ("12, rue de l'Église", "69003 Lyon"))
HEADINGS_FR = ("Indication", "Technique", "Comparaison", "Résultats", "Conclusion", "Recommandations")


def _text(pdf: bytes) -> str:
    doc = pdfium.PdfDocument(pdf)
    try:
        return "\n".join(doc[i].get_textpage().get_text_range() for i in range(len(doc)))
    finally:
        doc.close()


def test_every_template_has_a_french_twin_with_the_same_structure() -> None:
    library = load_templates()
    english = [t for t in library.templates.values() if t.language == "en"]
    assert len(english) >= 8
    for t in english:
        fr = library.get(f"{t.id}_fr")
        assert fr.language == "fr" and fr.title != t.title
        assert [s.name for s in fr.sections] == [s.name for s in t.sections], t.id
        assert [(f.id, f.type, f.unit) for _s, f in fr.all_fields()] == [(f.id, f.type, f.unit) for _s, f in t.all_fields()]
        assert set(t.modalities) == set(fr.modalities) and set(t.body_parts) == set(fr.body_parts)
        assert set(t.keywords) <= set(fr.keywords)
        assert fr.has_normal == t.has_normal


def test_french_interface_picks_the_french_template(ct_head_study: StudySummary) -> None:
    library = load_templates()
    assert choose_template(ct_head_study, library=library).template.id == "ct_head"
    choice = choose_template(ct_head_study, library=library, language="fr")
    assert choice.template.id == "ct_head_fr"
    assert choice.reason == "« TDM cérébrale » choisi d'après la modalité CT et les mots de la description 'head'."
    # A French description, accents and all, matches the same way.
    study = StudySummary(study_uid="1.2.3", study_description="SCANNER CÉRÉBRAL SANS INJECTION", modalities=("CT",))
    assert choose_template(study, library=library, language="fr").template.id == "ct_head_fr"
    series = [SeriesSummary(series_uid="1.2.3.4", study_uid="1.2.3", modality="CT", body_part_examined="CHEST")]
    chest = StudySummary(study_uid="1.2.3", study_description="TDM", modalities=("CT",))
    assert choose_template(chest, series=series, library=library, language="fr").template.id == "ct_chest_fr"
    unknown = StudySummary(study_uid="1.2.3", study_description="", modalities=("XA",))
    assert choose_template(unknown, library=library, language="fr").template.id == "generic_fr"


def test_french_pdf_and_sr(tmp_path: Path, ct_head_study: StudySummary) -> None:
    template = load_templates().get("ct_head_fr")
    report = fill_report(template, ct_head_study, priors=[(dt.date(2023, 2, 7), "CT", "TDM CÉRÉBRALE")],
                         measurements=["Longueur : 12,5 mm"])
    report = (report.with_section("clinical_information", "Céphalées brutales. Recherche d'hémorragie méningée.")
              .with_section("findings", "Absence d'hémorragie intracrânienne. Ligne médiane en place.")
              .with_section("impression", "Scanner cérébral normal.")
              .with_field("haemorrhage", False).with_field("midline_shift", 2.5))
    report = report.with_placeholders_accepted(sections=["technique", "comparison"])
    assert report.section("comparison") == "CT 7 févr. 2023 (TDM CÉRÉBRALE)."

    text = _text(render_report_pdf(report, LH, template=template))
    for expected in ("Cabinet de radiologie Sainte-Thérèse", "12, rue de l'Église", "TDM cérébrale",
                     "Né(e) le", "1 janv. 1960", "1 mars 2024", "Indication", "Céphalées brutales",
                     "Technique", "Comparaison", "CT 7 févr. 2023 (TDM CÉRÉBRALE).", "Résultats",
                     "Hémorragie intracrânienne : non", "Déviation de la ligne médiane : 2,5 mm",
                     "Mesures :", "Longueur : 12,5 mm", "Conclusion", "Scanner cérébral normal.",
                     "Non signé : ce compte rendu est un brouillon", "BROUILLON"):
        assert expected in text, expected
    for english in ("Findings", "Impression", "Clinical information", "Birth date", "Not signed", "DRAFT"):
        assert english not in text, english

    sr = build_report_sr(report, template=template)
    path = tmp_path / "fr.dcm"
    path.write_bytes(_bytes(sr))
    assert_valid_report_sr(path, tmp_path)
    back = pydicom.dcmread(path)
    language = back.ContentSequence[0].ConceptCodeSequence[0]
    assert (language.CodeValue, language.CodingSchemeDesignator) == ("fr-FR", "RFC5646")
    codes = {item.ConceptNameCodeSequence[0].CodeValue: item for item in back.ContentSequence if item.ValueType == "CONTAINER"}
    # LOINC section codes unchanged underneath the French headings (PS3.16 CID 7001).
    assert {"55752-0", "55111-9", "55114-3", "59776-5", "19005-8"} <= set(codes)
    pdf_object = build_encapsulated_pdf(report, render_report_pdf(report, LH, template=template), language="fr")
    pdf_path = tmp_path / "fr_pdf.dcm"
    pdf_path.write_bytes(_bytes(pdf_object))
    assert dciodvfy_errors(pdf_path) == []
    back_pdf = pydicom.dcmread(pdf_path)
    assert back_pdf.DocumentTitle == "CT HEAD W/O CONTRAST – Compte rendu d'imagerie, version 1"
    assert back_pdf.SeriesDescription == "Compte rendu d'imagerie (PDF)" and back_pdf.SpecificCharacterSet == "ISO_IR 192"
    sections = read_report_sections(path)
    assert sections.text("findings").startswith("Absence d'hémorragie intracrânienne.")
    assert sections.text("clinical_information").startswith("Céphalées brutales.")


def test_french_headings_and_comparison_words() -> None:
    assert [heading(s, "fr") for s in ("clinical_information", "technique", "comparison", "findings",
                                       "impression", "recommendations")] == list(HEADINGS_FR)
    assert comparison_line([], "fr") == "Aucun examen antérieur disponible."
    assert comparison_line([], "en") == "None available."
    assert comparison_line([("20241212", "MR", ""), ("", "CT", "")], "fr") == "MR 12 déc. 2024; CT non daté."


def _bytes(ds: pydicom.Dataset) -> bytes:
    buffer = io.BytesIO()
    ds.save_as(buffer, enforce_file_format=True)
    return buffer.getvalue()
