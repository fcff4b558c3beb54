"""Every kind of series the workstation writes into a study has its own Series Number."""

from __future__ import annotations

from pathlib import Path

from tests.annotate.helpers import phantom_slice
from tests.annotate.test_dicom_objects import header
from workstation.annotate.gsps_writer import build_presentation_state
from workstation.annotate.key_images import KeyImages
from workstation.annotate.kos import build_key_object_selection
from workstation.annotate.measurements import ImageRef, Kind, MeasuredImage, measure
from workstation.annotate.sr_tid1500 import build_measurement_report
from workstation.model import series_numbers
from workstation.model.entities import LIBRARY, StudySummary
from workstation.qc.rejection import build_rejection_note
from workstation.report.dicom_objects import build_encapsulated_pdf, build_report_sr
from workstation.report.pdf import Letterhead, render_report_pdf
from workstation.report.templates import fill_report, load_templates


def test_each_written_series_has_its_own_number(shared_data: Path) -> None:
    ds = phantom_slice(shared_data)
    head = header(ds)
    length = measure(Kind.LENGTH, [(10, 10), (60, 10)], MeasuredImage.from_dataset(ds))
    report = fill_report(load_templates().get("generic"), StudySummary.from_dataset(ds, LIBRARY))
    report = report.with_section("findings", "Normal.").made_preliminary("Dr Bob")
    written = {
        "measurements": build_measurement_report([length], [head]),
        "key images": build_key_object_selection(KeyImages([ImageRef.of(ds)]), [head]),
        "presentation states": build_presentation_state([head], [length]),
        "report SR": build_report_sr(report, evidence=[head]),
        "report PDF": build_encapsulated_pdf(report, render_report_pdf(report, Letterhead())),
        "rejection notes": build_rejection_note([head]),
    }
    numbers = {kind: int(obj.SeriesNumber) for kind, obj in written.items()}
    assert numbers == series_numbers.ALL
    assert len(set(numbers.values())) == len(numbers)  # the report SR is not the measurement SR's 9801
    assert int(ds.SeriesNumber) not in numbers.values()
