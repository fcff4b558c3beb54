"""The fixed words of a printed report, in English and French (issue 17).

A French practice's report reads as French radiologists write one: Indication, Technique,
Comparaison, Résultats, Conclusion, Recommandations. Only the headings change with the language;
the sections underneath keep their LOINC codes (PS3.16 CID 7001, see
:mod:`workstation.report.sr_sections`), so a French and an English report are the same
structured document. Dates and decimals follow the language (:mod:`workstation.i18n`).
"""

from __future__ import annotations

from workstation.i18n import ENGLISH, FRENCH, LANGUAGES

#: Section headings by language (the keys are the sections of workstation.report.model).
SECTION_HEADINGS: dict[str, dict[str, str]] = {
    ENGLISH: {
        "clinical_information": "Clinical information", "technique": "Technique",
        "comparison": "Comparison", "findings": "Findings", "impression": "Impression",
        "recommendations": "Recommendations", "addendum": "Addendum",
    },
    FRENCH: {
        "clinical_information": "Indication", "technique": "Technique",
        "comparison": "Comparaison", "findings": "Résultats", "impression": "Conclusion",
        "recommendations": "Recommandations", "addendum": "Addendum",
    },
}

_WORDS: dict[str, dict[str, str]] = {
    ENGLISH: {
        "Patient": "Patient", "Patient ID": "Patient ID", "Birth date": "Birth date", "Sex": "Sex",
        "Study": "Study", "Accession": "Accession", "Study date": "Study date", "Modality": "Modality",
        "Referring": "Referring", "Report": "Report", "version": "version {0}",
        "Radiology report": "Radiology report", "Imaging report": "Imaging report",
        "Measurements:": "Measurements:", "Key images": "Key images", "Key image": "Key image {0}",
        "Addendum": "Addendum", "Corrected report": "Corrected report",
        "replaces": "{0} (version {1}, replaces version {2}). Reason: {3}",
        "signed": "Electronically signed by {0} on {1}.",
        "unsigned": "Not signed: this is a {0} report and is not the report of record.",
        "draft": "draft", "preliminary": "preliminary", "final": "final",
        "DRAFT": "DRAFT", "PRELIMINARY": "PRELIMINARY",
        "footer": "Report {0} · version {1}", "page": "page {0}",
        "yes": "yes", "no": "no", "at": "{0} {1} UTC",
        "no priors": "None available.", "undated": "undated",
        "document title": "Diagnostic imaging report, version {0}", "pdf series": "Radiology report (PDF)",
        "by modality": "modality {0}", "by body part": "body part {0}", "by words": "description words {0}",
        "chosen by": "'{0}' chosen by {1}.", "and": " and ", "no modality": "no modality",
        "no match": "'{0}' chosen: no template matches {1} with this body part or description.",
    },
    FRENCH: {
        "Patient": "Patient", "Patient ID": "ID patient", "Birth date": "Né(e) le", "Sex": "Sexe",
        "Study": "Examen", "Accession": "N° d'examen", "Study date": "Date", "Modality": "Modalité",
        "Referring": "Prescripteur", "Report": "Compte rendu", "version": "version {0}",
        "Radiology report": "Compte rendu d'imagerie", "Imaging report": "Compte rendu d'imagerie",
        "Measurements:": "Mesures :", "Key images": "Images clés", "Key image": "Image clé {0}",
        "Addendum": "Addendum", "Corrected report": "Compte rendu corrigé",
        "replaces": "{0} (version {1}, remplace la version {2}). Motif : {3}",
        "signed": "Signé électroniquement par {0} le {1}.",
        "unsigned": "Non signé : ce compte rendu est {0} et ne fait pas foi.",
        "draft": "un brouillon", "preliminary": "provisoire", "final": "définitif",
        "DRAFT": "BROUILLON", "PRELIMINARY": "PROVISOIRE",
        "footer": "Compte rendu {0} · version {1}", "page": "page {0}",
        "yes": "oui", "no": "non", "at": "{0} à {1} UTC",
        "no priors": "Aucun examen antérieur disponible.", "undated": "non daté",
        "document title": "Compte rendu d'imagerie, version {0}", "pdf series": "Compte rendu d'imagerie (PDF)",
        "by modality": "la modalité {0}", "by body part": "la région anatomique {0}",
        "by words": "les mots de la description {0}", "chosen by": "« {0} » choisi d'après {1}.",
        "and": " et ", "no modality": "aucune modalité",
        "no match": "« {0} » choisi : aucun modèle ne correspond à {1} avec cette région ou cette description.",
    },
}


def report_language(language: str | None) -> str:
    """``language`` when the reports speak it, else English."""
    return language if language in LANGUAGES else ENGLISH


def word(key: str, language: str, *args: object) -> str:
    """The fixed text ``key`` of a printed report in ``language``, filled with ``args``."""
    text = _WORDS[report_language(language)][key]
    return text.format(*args) if args else text


def heading(section: str, language: str) -> str:
    """The heading of ``section`` in ``language`` ("findings": "Résultats" in French)."""
    return SECTION_HEADINGS[report_language(language)][section]
