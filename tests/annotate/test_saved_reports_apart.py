"""The 2D measurement report and the MPR planes' report (both TID 1500) are told apart when a
study's saved objects are read: each is the newest of its own kind, neither hides the other."""

from __future__ import annotations

import io

import pydicom

from tests.annotate.test_mpr_plane_sr import _measurements, _series
from workstation.annotate.measurements import Kind, MeasuredImage, measure
from workstation.annotate.plane_sr import build_plane_measurement_report
from workstation.annotate.saved_objects import (
    has_3d_regions,
    newest_measurement_report,
    newest_plane_measurement_report,
    read_saved_objects,
)
from workstation.annotate.sr_tid1500 import build_measurement_report


def test_newest_2d_and_plane_reports_are_found_apart() -> None:
    data, headers = _series()
    first = pydicom.dcmread(io.BytesIO(data[0]))
    on_image = measure(Kind.LENGTH, [(3.0, 4.0), (30.0, 4.0)], MeasuredImage.from_dataset(first), id="a")
    flat = build_measurement_report([on_image], headers)
    planes = build_plane_measurement_report(_measurements(headers), headers)
    planes.ContentDate, planes.ContentTime = "20991231", "235959"  # the plane report is the newest SR
    assert not has_3d_regions(flat) and has_3d_regions(planes)
    assert newest_measurement_report([flat, planes]) is flat
    assert newest_plane_measurement_report([flat, planes]) is planes
    assert newest_plane_measurement_report([flat]) is None
    saved = read_saved_objects([flat, planes, *headers])
    assert saved.report is flat and not saved.problems
    assert saved.measurements is not None
    assert [round(v.value, 6) for m in saved.measurements for v in m.values] == [round(on_image.values[0].value, 6)]
