"""Worklist matching (PS3.4 C.2.2.2) and study summaries."""

from __future__ import annotations

import datetime as dt

from pydicom.dataset import Dataset

from workstation.model.entities import ARCHIVE, LIBRARY, StudySummary, parse_da
from workstation.model.query import StudyQuery, wildcard_match


def study(**kw: object) -> StudySummary:
    base = dict(study_uid="1.2.3", patient_name="SMITH^JOHN", patient_id="PID1",
                accession_number="ACC42", study_date="20240315", study_description="CT HEAD",
                modalities=("CT", "SR"))
    base.update(kw)
    return StudySummary(**base)  # type: ignore[arg-type]


def test_person_name_wildcards_are_case_insensitive_prefixes() -> None:
    assert wildcard_match("smith", "SMITH^JOHN", person_name=True)
    assert wildcard_match("sm?th*", "SMITH^JOHN", person_name=True)
    assert wildcard_match("*john", "SMITH^JOHN", person_name=True)
    assert not wildcard_match("jones", "SMITH^JOHN", person_name=True)
    # IDs match exactly unless a wildcard is given.
    assert wildcard_match("PID1", "PID1") and not wildcard_match("PID", "PID1")
    assert wildcard_match("PID*", "PID1")
    # Brackets are literal, not character classes.
    assert wildcard_match("[a]", "[a]") and not wildcard_match("[a]", "a")


def test_query_filters() -> None:
    s = study()
    assert StudyQuery().matches(s)
    assert StudyQuery(patient_name="smi*").matches(s)
    assert StudyQuery(modality="sr").matches(s)
    assert not StudyQuery(modality="MR").matches(s)
    assert StudyQuery(study_date_from=dt.date(2024, 3, 15), study_date_to=dt.date(2024, 3, 15)).matches(s)
    assert not StudyQuery(study_date_from=dt.date(2024, 3, 16)).matches(s)
    assert not StudyQuery(study_date_to=dt.date(2024, 3, 14)).matches(s)
    assert not StudyQuery(study_date_from=dt.date(2000, 1, 1)).matches(study(study_date=""))
    assert StudyQuery(accession_number="ACC42").matches(s)
    assert StudyQuery(study_description="*head*").matches(s)


def test_date_range_key() -> None:
    assert StudyQuery().study_date_range() == ""
    assert StudyQuery(study_date_from=dt.date(2024, 1, 2)).study_date_range() == "20240102-"
    assert StudyQuery(study_date_to=dt.date(2024, 1, 2)).study_date_range() == "-20240102"
    d = dt.date(2024, 1, 2)
    assert StudyQuery(study_date_from=d, study_date_to=d).study_date_range() == "20240102"


def test_summary_from_qido_json_and_merge() -> None:
    ds = Dataset.from_json({
        "0020000D": {"vr": "UI", "Value": ["1.2.3"]},
        "00100010": {"vr": "PN", "Value": [{"Alphabetic": "DOE^JANE"}]},
        "00080061": {"vr": "CS", "Value": ["MR", "CT"]},
        "00201208": {"vr": "IS", "Value": [12]},
        "00080020": {"vr": "DA", "Value": ["20230101"]},
    })
    a = StudySummary.from_dataset(ds, ARCHIVE)
    assert a.patient_name == "DOE^JANE" and a.modalities == ("CT", "MR")
    assert a.number_of_instances == 12 and a.date == dt.date(2023, 1, 1)
    b = StudySummary(study_uid="1.2.3", patient_id="X9", origins=frozenset({LIBRARY}))
    m = a.merged_with(b)
    assert m.origins == {ARCHIVE, LIBRARY} and m.patient_id == "X9" and m.patient_name == "DOE^JANE"


def test_parse_da() -> None:
    assert parse_da("20240229") == dt.date(2024, 2, 29)
    assert parse_da("2024.02.29") == dt.date(2024, 2, 29)
    assert parse_da("20230229") is None and parse_da("") is None and parse_da("2024") is None
