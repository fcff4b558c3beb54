"""What the study's own instances say about its context that the report header needs for the RIS:
the time zone of its times and the order numbers.

* Timezone Offset From UTC (0008,0201), PS3.3 C.12.1.1.8: the offset of the study's dates and
  times; without it they are the local time of whoever made them.
* Placer and Filler Order Number / Imaging Service Request (0040,2016) / (0040,2017): at the top
  level or in the Request Attributes Sequence (0040,0275), PS3.3 Table 10-9. They identify the
  order in HL7 (OBR-2 / OBR-3) when the study has no accession number.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

from workstation.model import attributes as attr
from workstation.report.model import Report


def _first(headers: Sequence[Any], keyword: str) -> str:
    for ds in headers:
        value = attr.text(ds, keyword)
        if value:
            return value
        for item in attr.items(ds, "RequestAttributesSequence"):
            value = attr.text(item, keyword)
            if value:
                return value
    return ""


def with_study_context(report: Report, headers: Sequence[Any]) -> Report:
    """``report`` with the study's time zone offset and order numbers taken from ``headers``
    (the study's instances); what the report already has is kept."""
    study = report.study
    updated = dataclasses.replace(
        study,
        timezone_offset=study.timezone_offset or _first(headers, "TimezoneOffsetFromUTC"),
        placer_order_number=(study.placer_order_number
                             or _first(headers, "PlacerOrderNumberImagingServiceRequest")),
        filler_order_number=(study.filler_order_number
                             or _first(headers, "FillerOrderNumberImagingServiceRequest")),
    )
    return report if updated == study else dataclasses.replace(report, study=updated)
