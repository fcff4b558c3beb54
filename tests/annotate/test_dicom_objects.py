"""SR TID 1500, KOS and GSPS written here: dciodvfy-clean, new UIDs per version, read back."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pydicom
import pytest
from pydicom.dataset import Dataset

from tests import validators
from tests.annotate.helpers import PHANTOM_NAME, dciodvfy_errors, phantom_slice
from workstation.annotate.gsps_writer import View, build_presentation_state
from workstation.annotate.key_images import KeyImages
from workstation.annotate.kos import KeyImageError, build_key_object_selection, key_images_from_kos
from workstation.annotate.measurements import (
    ImageRef,
    Kind,
    MeasuredImage,
    Measurement,
    ellipse_from_box,
    measure,
)
from workstation.annotate.read_back import measurements_from_sr, read_measurement_report
from workstation.annotate.sr_tid1500 import MeasurementReportError, build_measurement_report
from workstation.model.presentation_state import read_presentation_state


def all_tools(image: MeasuredImage) -> list[Measurement]:
    contour = [(300 + 30 * np.cos(t), 300 + 18 * np.sin(t)) for t in np.linspace(0, 2 * np.pi, 90, endpoint=False)]
    return [
        measure(Kind.LENGTH, [(12.5, 20.25), (130.75, 95.5)], image),
        measure(Kind.ANGLE, [(50, 60), (80, 90), (120, 70)], image),
        measure(Kind.COBB, [(100, 100), (200, 110), (100, 200), (200, 180)], image),
        measure(Kind.BIDIRECTIONAL, contour, image),
        measure(Kind.ELLIPSE, ellipse_from_box((180.3, 190.7), (330.2, 270.9)), image),
        measure(Kind.RECTANGLE, [(240.4, 120.2), (300.5, 200.0)], image),
        measure(Kind.FREEHAND, [(150.2, 300.1), (350.7, 310.4), (260.3, 420.8)], image),
        measure(Kind.PROBE, [(256, 200)], image),
        measure(Kind.ARROW, [(400, 400), (350, 360)], image, text="calcification"),
        measure(Kind.TEXT, [(40, 480)], image, text="phantom, slice 71"),
    ]


def header(ds: Dataset) -> Dataset:
    copy = Dataset()
    for element in ds:
        if element.keyword != "PixelData":
            copy.add(element)
    copy.file_meta = ds.file_meta
    return copy


def assert_same(read: list[Measurement], written: list[Measurement]) -> None:
    """Same tools, ids, images, positions (1e-4 px) and values (1e-6 relative)."""
    saved = [m for m in written if m.kind not in (Kind.ARROW, Kind.TEXT)]
    assert [(m.id, m.kind, m.image.sop_instance_uid) for m in read] == [(m.id, m.kind, m.image.sop_instance_uid) for m in saved]
    for back, m in zip(read, saved, strict=True):
        expected_points = m.axes if m.kind is Kind.BIDIRECTIONAL else m.points
        assert np.allclose(back.points, expected_points, atol=1e-4), m.kind
        assert [(v.name, v.unit) for v in back.values] == [(v.name, v.unit) for v in m.values]
        assert [v.value for v in back.values] == pytest.approx([v.value for v in m.values], rel=1e-6)


def test_measurement_report_round_trip(shared_data: Path, tmp_path: Path) -> None:
    ds = phantom_slice(shared_data)
    image = MeasuredImage.from_dataset(ds)
    written = all_tools(image)
    report = build_measurement_report(written, [header(ds)], observer_name="Reader^Test")
    validators.assert_valid_sr(report, tmp_path, dciodvfy_warnings=PHANTOM_NAME)
    assert report.SOPClassUID == "1.2.840.10008.5.1.4.1.1.88.34" and report.StudyInstanceUID == ds.StudyInstanceUID
    evidence = report.CurrentRequestedProcedureEvidenceSequence[0].ReferencedSeriesSequence[0].ReferencedSOPSequence[0]
    assert evidence.ReferencedSOPInstanceUID == ds.SOPInstanceUID
    path = tmp_path / "sr.dcm"
    report.save_as(path, enforce_file_format=True)
    assert_same(list(measurements_from_sr(pydicom.dcmread(path))), written)

    second = build_measurement_report(written[:2], [header(ds)], previous_version=report)
    assert second.SOPInstanceUID != report.SOPInstanceUID and second.SeriesInstanceUID == report.SeriesInstanceUID
    assert second.PredecessorDocumentsSequence[0].ReferencedSeriesSequence[0].ReferencedSOPSequence[0].ReferencedSOPInstanceUID == report.SOPInstanceUID
    validators.assert_valid_sr(second, tmp_path, dciodvfy_warnings=PHANTOM_NAME)


def test_report_refusals(shared_data: Path) -> None:
    ds = phantom_slice(shared_data)
    image = MeasuredImage.from_dataset(ds)
    with pytest.raises(MeasurementReportError, match="no measurements"):
        build_measurement_report([measure(Kind.TEXT, [(1, 1)], image, text="x")], [ds])
    with pytest.raises(MeasurementReportError, match="header of measured image"):
        build_measurement_report([measure(Kind.LENGTH, [(1, 1), (2, 2)], image)], [])


def test_reads_highdicom_reports(shared_data: Path) -> None:
    folder = shared_data / "highdicom_test_files"
    single = read_measurement_report(pydicom.dcmread(folder / "sr_document.dcm"))
    [m] = list(single.measurements)
    ct = pydicom.dcmread(folder / "ct_image.dcm", stop_before_pixels=True)
    assert m.kind is Kind.ELLIPSE and m.image.sop_instance_uid == ct.SOPInstanceUID
    # A CIRCLE of centre (58, 52) and radius 11 (SCOORD coordinates), in pixel centre coordinates.
    assert m.points == ((46.5, 51.5), (68.5, 51.5), (57.5, 40.5), (57.5, 62.5))
    assert (m.values[0].value, m.values[0].unit) == (1.7, "cm2")
    multiple = read_measurement_report(pydicom.dcmread(folder / "sr_document_with_multiple_groups.dcm"))
    assert len(multiple.measurements) == 1 and multiple.skipped == 3  # volumetric / segment groups
    with pytest.raises(Exception, match="not a measurement report|not a structured report"):
        read_measurement_report(ct)


def test_key_object_selection_round_trip(shared_data: Path, tmp_path: Path) -> None:
    slices = [header(phantom_slice(shared_data, i)) for i in (60, 70)]
    keys = KeyImages()
    for ds in slices:
        keys.mark(ImageRef.of(ds))
    keys.note = "Dense focus, compare with prior"
    assert keys.toggle(ImageRef.of(slices[0])) is False and keys.toggle(ImageRef.of(slices[0])) is True
    kos = build_key_object_selection(keys, slices)
    validators.assert_valid_sr(kos, tmp_path, dciodvfy_warnings=PHANTOM_NAME)
    path = tmp_path / "kos.dcm"
    kos.save_as(path, enforce_file_format=True)
    back = key_images_from_kos(pydicom.dcmread(path))
    assert back.title == "Of Interest" and back.note == keys.note
    assert {r.sop_instance_uid for r in back.images} == {str(ds.SOPInstanceUID) for ds in slices}
    assert {(r.series_instance_uid, r.study_instance_uid) for r in back.images} == {(str(slices[0].SeriesInstanceUID), str(slices[0].StudyInstanceUID))}
    again = build_key_object_selection(keys, slices, previous_version=kos)
    assert again.SOPInstanceUID != kos.SOPInstanceUID and again.InstanceNumber == 2
    with pytest.raises(KeyImageError, match="No image"):
        build_key_object_selection(KeyImages(), slices)


def test_presentation_state_round_trip(shared_data: Path, tmp_path: Path) -> None:
    ds = phantom_slice(shared_data)
    image = MeasuredImage.from_dataset(ds)
    written = all_tools(image)
    ps = build_presentation_state([header(ds)], written, View(window=(40.0, 80.0), displayed_area=((129, 129), (384, 384)), zoom=2.0))
    assert dciodvfy_errors(ps, tmp_path) == []
    path = tmp_path / "ps.dcm"
    ps.save_as(path, enforce_file_format=True)
    state = read_presentation_state(pydicom.dcmread(path))
    shown = state.display_for(str(ds.SOPInstanceUID))
    assert shown is not None and shown.warnings == ()
    assert shown.window == (40.0, 80.0)
    area = shown.displayed_area
    assert area is not None and (area.top_left, area.bottom_right, area.size_mode, area.magnification) == ((129, 129), (384, 384), "MAGNIFY", 2.0)
    # The reader puts pixel centres at +0.5 (PS3.3 C.10.5.1.2): shift back and compare.
    graphics = [op for op in shown.annotations if op.kind != "text"]
    texts = {op.text for op in shown.annotations if op.kind == "text"}

    def back(op_points: tuple[tuple[float, float], ...]) -> np.ndarray:
        return np.asarray(op_points) - 0.5

    length, angle = graphics[0], graphics[1]
    assert np.allclose(back(length.points), written[0].points, atol=1e-3)
    assert np.allclose(back(angle.points), written[1].points, atol=1e-3)
    ellipse = next(op for op in graphics if op.kind == "ellipse")
    assert np.allclose(back(ellipse.points), written[4].points, atol=1e-3)
    point = next(op for op in graphics if op.kind == "point")
    assert np.allclose(back(point.points), written[7].points, atol=1e-3)
    closed = [op for op in graphics if op.closed and op.kind == "polyline"]
    assert len(closed) == 3  # bidirectional contour, rectangle, freehand
    assert {written[0].label, written[4].label, "calcification", "phantom, slice 71"} <= texts
    assert ps.SOPInstanceUID != build_presentation_state([header(ds)], written[:1]).SOPInstanceUID



def test_frame_references_survive(shared_data: Path, tmp_path: Path) -> None:
    """A measurement on frame 3 of a multi-frame image keeps its frame in the SCOORD reference."""
    ds = phantom_slice(shared_data)
    image = MeasuredImage.from_dataset(ds)
    length = measure(Kind.LENGTH, [(10, 10), (40, 50)], image)
    on_frame = Measurement(length.id, length.kind, ImageRef(length.image.sop_instance_uid, length.image.sop_class_uid, 3), length.points, length.values)
    report = build_measurement_report([on_frame], [header(ds)])
    [back] = list(measurements_from_sr(report))
    assert back.image.frame == 3 and back.points == on_frame.points
