"""Display sets from synthetic headers: splitting rules, kinds, spacing source, JSON summary."""

from __future__ import annotations

import json
import random

import numpy as np
import pytest
from pydicom.dataset import Dataset
from pydicom.uid import generate_uid

from tests.model.geometry_fixtures import (
    DX_PRESENTATION,
    SAGITTAL,
    US_MULTIFRAME,
    enhanced,
    image,
    stack,
)
from workstation.model.displayset import build_display_sets
from workstation.model.image_warning import WarningCode
from workstation.model.sop_classes import DisplaySetKind, document_kind


def plain(sop_class: str, modality: str, series: str = "1.2.3.77", **extra: object) -> Dataset:
    ds = Dataset()
    ds.SOPClassUID = sop_class
    ds.SOPInstanceUID = generate_uid()
    ds.StudyInstanceUID = "1.2.3"
    ds.SeriesInstanceUID = series
    ds.Modality = modality
    for keyword, value in extra.items():
        setattr(ds, keyword, value)
    return ds


def test_series_with_localizer_and_volume_splits_and_orders() -> None:
    volume = stack((0, 0, 0), (0, 0, 2.0), 8)
    localizer = image((0, -100, 50), SAGITTAL, spacing=(1, 1), number=100, rows=64, columns=64,
                      ImageType=["ORIGINAL", "PRIMARY", "LOCALIZER"])
    headers = volume + [localizer]
    random.Random(3).shuffle(headers)
    sets = build_display_sets(headers)
    assert [s.kind for s in sets] == [DisplaySetKind.VOLUME, DisplaySetKind.STACK]
    vol, loc = sets
    assert vol.uid == "1.2.3.4#1" and loc.uid == "1.2.3.4#2"
    assert vol.sop_instance_uids == tuple(ds.SOPInstanceUID for ds in volume)
    assert vol.number_of_images == 8 and vol.geometry is not None and vol.geometry.shape == (8, 64, 64)
    assert loc.sop_instance_uids == (localizer.SOPInstanceUID,)
    assert all(w.code is WarningCode.SERIES_SPLIT for w in vol.warnings)
    # Same headers in another order: same display sets, same uids.
    again = build_display_sets(list(reversed(headers)))
    assert [(s.uid, s.sop_instance_uids) for s in again] == [(s.uid, s.sop_instance_uids) for s in sets]


def test_describe_is_json_with_affine_and_warnings() -> None:
    headers = stack((10, 20, 30), (0, 0, 3.0), 5, spacing=(0.5, 0.7), rows=40, columns=50)
    del headers[2]
    (ds,) = build_display_sets(headers)
    summary = json.loads(json.dumps(ds.describe()))
    assert summary["kind"] == "volume" and summary["images"] == 4 and summary["frames"] == 4
    assert summary["rows"] == 40 and summary["columns"] == 50
    assert summary["spacing_mm"] == pytest.approx([0.5, 0.7, 3.0])
    assert np.array(summary["affine"]) == pytest.approx(ds.geometry.affine)
    assert np.array(summary["affine"])[:3, 3] == pytest.approx([10, 20, 30])
    assert summary["orientation"] == "axial"
    assert summary["dimensions_mm"] == pytest.approx([20.0, 35.0, 15.0])
    assert summary["missing_slices"] == 1
    assert any("missing" in s for s in summary["warnings"])


def test_dual_echo_series_splits_by_echo() -> None:
    first = stack((0, 0, 0), (0, 0, 3.0), 4, EchoNumbers=1, EchoTime="10", sop_class="1.2.840.10008.5.1.4.1.1.4", modality="MR")
    second = stack((0, 0, 0), (0, 0, 3.0), 4, EchoNumbers=2, EchoTime="80", sop_class="1.2.840.10008.5.1.4.1.1.4", modality="MR")
    for n, ds in enumerate(second):
        ds.InstanceNumber = 5 + n
    sets = build_display_sets(first + second)
    assert [s.kind for s in sets] == [DisplaySetKind.VOLUME, DisplaySetKind.VOLUME]
    assert set(sets[0].sop_instance_uids) == {d.SOPInstanceUID for d in first}
    assert set(sets[1].sop_instance_uids) == {d.SOPInstanceUID for d in second}
    assert any("EchoNumbers" in w.sentence for w in sets[0].warnings)


def test_acquisition_number_without_repeated_positions_does_not_split() -> None:
    headers = stack((0, 0, 0), (0, 0, 1.0), 6)
    for n, ds in enumerate(headers):
        ds.AcquisitionNumber = 1 + n // 3
    (only,) = build_display_sets(headers)
    assert only.kind is DisplaySetKind.VOLUME and only.number_of_images == 6


def test_repeated_positions_without_a_key_is_a_stack_in_instance_order() -> None:
    headers = [image((0, 0, 5.0), number=n) for n in (3, 1, 2)]
    (only,) = build_display_sets(headers)
    assert only.kind is DisplaySetKind.STACK
    assert only.sop_instance_uids == tuple(headers[i].SOPInstanceUID for i in (1, 2, 0))
    assert WarningCode.NOT_A_VOLUME in {w.code for w in only.warnings}


def test_two_slices_are_a_stack() -> None:
    (only,) = build_display_sets(stack((0, 0, 0), (0, 0, 1.0), 2))
    assert only.kind is DisplaySetKind.STACK and only.geometry is None


def test_projection_spacing_sources() -> None:
    dx = plain(DX_PRESENTATION, "DX", Rows=100, Columns=80, ImagerPixelSpacing=[0.15, 0.15], InstanceNumber=1)
    (ds,) = build_display_sets([dx])
    assert ds.kind is DisplaySetKind.STACK and ds.pixel_spacing == (0.15, 0.15)
    assert ds.spacing_source == "ImagerPixelSpacing"
    assert [w.code for w in ds.warnings] == [WarningCode.DETECTOR_SPACING]
    assert "not corrected for magnification" in ds.warnings[0].sentence
    bare = plain(DX_PRESENTATION, "DX", series="1.2.3.78", Rows=100, Columns=80)
    (ds2,) = build_display_sets([bare])
    assert ds2.pixel_spacing is None and ds2.spacing_source == "uncalibrated"
    assert [w.code for w in ds2.warnings] == [WarningCode.UNCALIBRATED]


def test_cine_frame_time() -> None:
    us = plain(US_MULTIFRAME, "US", Rows=60, Columns=80, NumberOfFrames=12, FrameTime="33.3")
    (ds,) = build_display_sets([us])
    assert ds.kind is DisplaySetKind.MULTIFRAME and ds.number_of_frames == 12
    assert ds.frame_time_ms == pytest.approx(33.3)
    assert ds.frames == tuple((us.SOPInstanceUID, f) for f in range(1, 13))
    rate = plain(US_MULTIFRAME, "US", series="1.2.3.79", Rows=60, Columns=80, NumberOfFrames=3, CineRate=25)
    assert build_display_sets([rate])[0].frame_time_ms == pytest.approx(40.0)
    vector = plain(US_MULTIFRAME, "US", series="1.2.3.80", Rows=60, Columns=80, NumberOfFrames=3, FrameTimeVector=["0", "20", "30"])
    assert build_display_sets([vector])[0].frame_time_ms == pytest.approx(25.0)
    none = plain(US_MULTIFRAME, "US", series="1.2.3.81", Rows=60, Columns=80, NumberOfFrames=3)
    assert WarningCode.NO_FRAME_TIME in {w.code for w in build_display_sets([none])[0].warnings}


def test_enhanced_volume_and_enhanced_with_repeats() -> None:
    volume = enhanced([(0, 0, z) for z in (6.0, 0.0, 2.0, 4.0)])
    (ds,) = build_display_sets([volume])
    assert ds.kind is DisplaySetKind.ENHANCED_VOLUME and ds.number_of_frames == 4
    assert [f for _, f in ds.frames] == [2, 3, 4, 1]
    assert ds.pixel_spacing == (0.8, 0.6)
    repeats = enhanced([(0, 0, z) for z in (0.0, 2.0, 4.0, 0.0, 2.0, 4.0)])
    (ds2,) = build_display_sets([repeats])
    assert ds2.kind is DisplaySetKind.MULTIFRAME and ds2.number_of_frames == 6


@pytest.mark.parametrize(
    ("sop_class", "kind"),
    [
        ("1.2.840.10008.5.1.4.1.1.88.11", DisplaySetKind.SR),
        ("1.2.840.10008.5.1.4.1.1.88.22", DisplaySetKind.SR),
        ("1.2.840.10008.5.1.4.1.1.88.33", DisplaySetKind.SR),
        ("1.2.840.10008.5.1.4.1.1.88.34", DisplaySetKind.SR),
        ("1.2.840.10008.5.1.4.1.1.88.67", DisplaySetKind.SR),
        ("1.2.840.10008.5.1.4.1.1.88.59", DisplaySetKind.KOS),
        ("1.2.840.10008.5.1.4.1.1.104.1", DisplaySetKind.PDF),
        ("1.2.840.10008.5.1.4.1.1.11.1", DisplaySetKind.PRESENTATION_STATE),
        ("1.2.840.10008.5.1.4.1.1.11.2", DisplaySetKind.PRESENTATION_STATE),
        ("1.2.840.10008.5.1.4.1.1.66.4", DisplaySetKind.SEG),
        ("1.2.840.10008.5.1.4.1.1.481.3", DisplaySetKind.RTSTRUCT),
        ("1.2.840.10008.5.1.4.1.1.104.3", DisplaySetKind.OTHER),
    ],
)
def test_document_kinds(sop_class: str, kind: DisplaySetKind) -> None:
    assert document_kind(sop_class) is kind
    (ds,) = build_display_sets([plain(sop_class, "OT")])
    # A SEG's frames are its masks (issue 18: it said "frames: 0"): one here, the header giving no Number of Frames.
    frames = 1 if kind is DisplaySetKind.SEG else 0
    assert ds.kind is kind and ds.number_of_frames == frames and ds.frames == ()


def test_image_classes_are_not_documents() -> None:
    for uid in ("1.2.840.10008.5.1.4.1.1.2", "1.2.840.10008.5.1.4.1.1.4", US_MULTIFRAME, DX_PRESENTATION):
        assert document_kind(uid) is None


def test_documents_in_an_image_series_come_after_images() -> None:
    images = stack((0, 0, 0), (0, 0, 1.0), 3)
    sr = plain("1.2.840.10008.5.1.4.1.1.88.11", "SR", series="1.2.3.4", InstanceNumber=1)
    sets = build_display_sets([sr] + images)
    assert [s.kind for s in sets] == [DisplaySetKind.VOLUME, DisplaySetKind.SR]
