"""The study's time zone and order numbers, read from its instances into the signed report's
description for the RIS (report.json: study_tz_offset, placer/filler_order_number)."""

from __future__ import annotations

import datetime as dt

import pydicom
from pydicom.data import get_testdata_file
from pydicom.dataset import Dataset

from workstation.model.entities import StudySummary
from workstation.report.model import SignedReport
from workstation.report.study_context import with_study_context
from workstation.report.templates import fill_report, load_templates


def test_order_numbers_and_offset_come_from_the_instances(ct_head_study: StudySummary) -> None:
    report = fill_report(load_templates().get("generic"), ct_head_study)
    ct = pydicom.dcmread(get_testdata_file("CT_small.dcm"))  # Timezone Offset From UTC -0500
    request = Dataset()
    request.PlacerOrderNumberImagingServiceRequest = "PL-778"
    request.FillerOrderNumberImagingServiceRequest = "FI-991"
    ct.RequestAttributesSequence = [Dataset(), request]
    study = with_study_context(report, [ct]).study
    assert (study.timezone_offset, study.placer_order_number, study.filler_order_number) == \
        ("-0500", "PL-778", "FI-991")
    ct.FillerOrderNumberImagingServiceRequest = "FI-TOP"  # the top level comes first
    assert with_study_context(report, [ct]).study.filler_order_number == "FI-TOP"
    bare = Dataset()
    assert with_study_context(report, [bare]) is report  # nothing known, nothing invented
    moment = dt.datetime(2026, 11, 25, 9, 0, tzinfo=dt.timezone.utc)
    final = with_study_context(report, [ct]).with_section("impression", "Normal.").with_placeholders_accepted()._signed(
        "Dr Hélène Lefèvre", moment)
    meta = SignedReport(report=final, pdf_bytes=b"", signer_name="Dr Hélène Lefèvre",
                        signed_at=moment).metadata()
    assert (meta["placer_order_number"], meta["filler_order_number"]) == ("PL-778", "FI-TOP")
    assert (meta["study_date"], meta["study_time"], meta["study_tz_offset"]) == \
        ("20240301", "101500", "-0500")
