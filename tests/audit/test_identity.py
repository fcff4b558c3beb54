"""The signed-in identity: a DICOM person name for the reading session's measurement reports."""

from __future__ import annotations

from pathlib import Path

from tests.annotate.helpers import phantom_slice
from tests.annotate.test_dicom_objects import all_tools, header
from workstation.annotate.measurements import MeasuredImage
from workstation.annotate.sr_tid1500 import build_measurement_report
from workstation.identity import Identity, current_identity, forget_identity, remember_identity


def test_identity_survives_as_utf8_and_gives_a_person_name() -> None:
    helene = Identity(subject="s", name="Dr Hélène Dupré-Łukasz", issuer="https://idp",
                      family_name="Dupré-Łukasz", given_name="Hélène")
    remember_identity(helene)
    assert current_identity() == helene
    assert helene.dicom_person_name() == "Dupré-Łukasz^Hélène"
    assert Identity(subject="s", name="佐藤 健二", issuer="i").dicom_person_name() == "佐藤 健二"
    assert forget_identity() and current_identity() is None


def test_measurement_report_names_the_signed_in_reader(shared_data: Path) -> None:
    ds = phantom_slice(shared_data)
    reader = Identity(subject="s", name="x", issuer="i", family_name="Dupré-Łukasz", given_name="Hélène")
    report = build_measurement_report(all_tools(MeasuredImage.from_dataset(ds))[:2], [header(ds)],
                                      observer_name=reader.dicom_person_name())
    # TID 1003 Person Observer Name (DCM 121008), a PNAME content item.
    names = [str(item.PersonName) for item in report.ContentSequence
             if item.ConceptNameCodeSequence[0].CodeValue == "121008"]
    assert names == ["Dupré-Łukasz^Hélène"]
    assert "ISO_IR 192" in report.SpecificCharacterSet  # UTF-8 on the wire
