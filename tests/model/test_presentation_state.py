"""GSPS: which image it applies to, VOI, displayed area and annotations, checked against pydicom."""

from __future__ import annotations

import copy
import math
from pathlib import Path

import numpy as np
import pydicom
import pytest
from pydicom.data import get_testdata_file
from pydicom.dataset import Dataset
from pydicom.sequence import Sequence

from workstation.errors import InvalidDicomError
from workstation.model.presentation_state import (
    DisplayedArea,
    cielab_to_rgb,
    display_to_image,
    find_presentation_states,
    read_presentation_state,
)


@pytest.fixture(scope="module")
def hierarchical(shared_data: Path) -> tuple[Dataset, Dataset]:
    folder = shared_data / "orthanc_tests_selected" / "HierarchicalAnonymization" / "2019-03-28"
    return pydicom.dcmread(folder / "PR000000.dcm"), pydicom.dcmread(folder / "CR000000.dcm")


def test_gsps_maps_to_its_cr_image(hierarchical: tuple[Dataset, Dataset]) -> None:
    pr, cr = hierarchical
    ct = pydicom.dcmread(get_testdata_file("CT_small.dcm"))
    found = find_presentation_states([cr, pr, ct])
    assert list(found) == [(cr.SOPInstanceUID, 1)]
    state = found[(cr.SOPInstanceUID, 1)][0]
    assert state.sop_instance_uid == pr.SOPInstanceUID and state.label == "PRESENTATION"
    assert state.display_for(ct.SOPInstanceUID) is None
    params = state.display_for(cr.SOPInstanceUID, 1)
    assert params is not None
    voi = pr.SoftcopyVOILUTSequence[0]
    assert params.window == (float(voi.WindowCenter), float(voi.WindowWidth)) == (2048.0, 4096.0)
    assert params.invert is (pr.PresentationLUTShape == "INVERSE") is False
    assert (params.rotation, params.flip_horizontal) == (0, False)
    area = pr.DisplayedAreaSelectionSequence[0]
    assert params.displayed_area is not None
    assert params.displayed_area.bottom_right == tuple(int(v) for v in area.DisplayedAreaBottomRightHandCorner) == (cr.Columns, cr.Rows)
    assert params.displayed_area.size_mode == "SCALE TO FIT"

    graphic = pr.GraphicAnnotationSequence[0].GraphicObjectSequence[0]
    text = pr.GraphicAnnotationSequence[0].TextObjectSequence[0]
    ellipse = next(op for op in params.annotations if op.kind == "ellipse")
    data = [float(v) for v in graphic.GraphicData]
    assert [c for p in ellipse.points for c in p] == data
    assert ellipse.centre == pytest.approx(((data[0] + data[2]) / 2, (data[1] + data[3]) / 2))
    assert ellipse.radii == pytest.approx((math.dist(data[0:2], data[2:4]) / 2, math.dist(data[4:6], data[6:8]) / 2))
    assert ellipse.layer == "MEASUREMENT_1" and not ellipse.filled
    label = next(op for op in params.annotations if op.kind == "text")
    assert label.text == str(text.UnformattedTextValue).replace("\r\n", "\n").strip()
    assert "Area: 119.58 cm²" in label.text
    assert label.anchor == pytest.approx(tuple(float(v) for v in text.AnchorPoint))
    assert label.bounding_box is not None
    box = [c for corner in label.bounding_box for c in corner]
    assert box == pytest.approx([float(v) for v in (*text.BoundingBoxTopLeftHandCorner, *text.BoundingBoxBottomRightHandCorner)])
    assert label.anchor_visible is False and label.justification == "LEFT"


def test_multi_subset_gsps_with_text_styles(shared_data: Path) -> None:
    path = shared_data / "orthanc_tests_selected" / "Issue168.dcm"
    pr = pydicom.dcmread(path)
    state = read_presentation_state(path)
    uid = pr.ReferencedSeriesSequence[0].ReferencedImageSequence[0].ReferencedSOPInstanceUID
    params = state.display_for(uid)
    assert params is not None and params.window is None  # no Softcopy VOI LUT: keep the image's own
    annotation = pr.GraphicAnnotationSequence[0]
    polylines = [op for op in params.annotations if op.kind == "polyline"]
    assert len(polylines) == len(annotation.GraphicObjectSequence)
    for op, item in zip(polylines, annotation.GraphicObjectSequence, strict=True):
        assert len(op.points) == int(item.NumberOfGraphicPoints)
        assert np.allclose(np.array(op.points).ravel(), np.array(item.GraphicData, dtype=float))
    texts = [op.text for op in params.annotations if op.kind == "text"]
    assert texts == [str(t.UnformattedTextValue) for t in annotation.TextObjectSequence]
    # TextColorCIELabValue 65535\32896\32896 is L*=100, a*=b*=~0: white.
    assert {op.colour for op in params.annotations if op.kind == "text"} == {(255, 255, 255)}
    assert params.displayed_area is not None and params.displayed_area.pixel_spacing == (0.139, 0.139)


def _synthetic(base: Dataset) -> Dataset:
    ds = copy.deepcopy(base)
    ds.ImageRotation = 90
    ds.ImageHorizontalFlip = "Y"
    ds.PresentationLUTShape = "INVERSE"
    graphic = Dataset()
    graphic.GraphicAnnotationUnits = "DISPLAY"
    graphic.GraphicDimensions = 2
    graphic.NumberOfGraphicPoints = 3
    graphic.GraphicData = [0.0, 0.0, 1.0, 1.0, 0.5, 0.5]
    graphic.GraphicType = "POLYLINE"
    nan_point = Dataset()
    nan_point.GraphicAnnotationUnits = "PIXEL"
    nan_point.NumberOfGraphicPoints = 3  # says 3, holds 2
    nan_point.GraphicData = [float("nan"), 1.0, 5.0, 6.0]
    nan_point.GraphicType = "POINT"
    ds.GraphicAnnotationSequence[0].GraphicObjectSequence.append(graphic)
    ds.GraphicAnnotationSequence[0].GraphicObjectSequence.append(nan_point)
    return ds


def test_display_units_follow_rotation_and_flip(hierarchical: tuple[Dataset, Dataset]) -> None:
    pr, cr = hierarchical
    ds = _synthetic(pr)
    ds.DisplayedAreaSelectionSequence[0].DisplayedAreaTopLeftHandCorner = [1, 1]
    ds.DisplayedAreaSelectionSequence[0].DisplayedAreaBottomRightHandCorner = [200, 100]
    params = read_presentation_state(ds).display_for(cr.SOPInstanceUID)
    assert params is not None and params.invert and params.rotation == 90 and params.flip_horizontal
    line = next(op for op in params.annotations if op.kind == "polyline")
    # Image 200 wide x 100 high, rotated 90 clockwise then mirrored: the display's top-left shows
    # the image's top-left corner (0, 0); the display's bottom-right the image's (200, 100).
    assert line.points[0] == pytest.approx((0.0, 0.0))
    assert line.points[1] == pytest.approx((200.0, 100.0))
    assert line.points[2] == pytest.approx((100.0, 50.0))
    point = next(op for op in params.annotations if op.kind == "point")
    assert point.points == ((5.0, 6.0),)
    assert any("not finite" in w for w in params.warnings) and any("says it has" in w for w in params.warnings)


def test_display_to_image_rotation_only() -> None:
    area = DisplayedArea((1, 1), (200, 100))
    m = display_to_image(area, 90, False)
    # Rotated 90 clockwise, the display's top-left corner shows the image's bottom-left corner.
    assert (m @ [0.0, 0.0, 1.0])[:2] == pytest.approx([0.0, 100.0])
    assert (m @ [1.0, 0.0, 1.0])[:2] == pytest.approx([0.0, 0.0])
    m0 = display_to_image(area, 0, False)
    assert (m0 @ [0.25, 0.5, 1.0])[:2] == pytest.approx([50.0, 50.0])


def test_frames_subsets_and_ordering(hierarchical: tuple[Dataset, Dataset]) -> None:
    pr, cr = hierarchical
    multi = copy.deepcopy(cr)
    multi.SOPInstanceUID = "1.2.3.9"
    multi.NumberOfFrames = 3
    newer = copy.deepcopy(pr)
    newer.SOPInstanceUID = "1.2.3.10"
    newer.PresentationCreationDate = "20250101"
    ref = newer.ReferencedSeriesSequence[0].ReferencedImageSequence
    extra = Dataset()
    extra.ReferencedSOPInstanceUID = multi.SOPInstanceUID
    extra.ReferencedFrameNumber = [2]
    ref.append(extra)
    found = find_presentation_states([pr, newer, cr, multi])
    assert [s.sop_instance_uid for s in found[(cr.SOPInstanceUID, 1)]] == [newer.SOPInstanceUID, pr.SOPInstanceUID]
    assert (multi.SOPInstanceUID, 2) in found and (multi.SOPInstanceUID, 1) not in found
    # A VOI item limited to another image does not apply to the CR.
    voi_item = newer.SoftcopyVOILUTSequence[0]
    only = Dataset()
    only.ReferencedSOPInstanceUID = multi.SOPInstanceUID
    voi_item.ReferencedImageSequence = Sequence([only])
    state = read_presentation_state(newer)
    cr_params, multi_params = state.display_for(cr.SOPInstanceUID), state.display_for(multi.SOPInstanceUID, 2)
    assert cr_params is not None and cr_params.window is None
    assert multi_params is not None and multi_params.window == (2048.0, 4096.0)
    assert state.display_for(multi.SOPInstanceUID, 3) is None


def test_hostile_and_wrong_inputs(hierarchical: tuple[Dataset, Dataset], shared_data: Path) -> None:
    pr, _ = hierarchical
    with pytest.raises(InvalidDicomError, match="not a presentation state"):
        read_presentation_state(Path(get_testdata_file("CT_small.dcm")))
    empty = copy.deepcopy(pr)
    del empty.ReferencedSeriesSequence
    with pytest.raises(InvalidDicomError, match="references no image"):
        read_presentation_state(empty)
    bad = copy.deepcopy(pr)
    bad.SoftcopyVOILUTSequence[0].WindowWidth = "0"
    bad.ImageRotation = 45
    item = bad.GraphicAnnotationSequence[0].GraphicObjectSequence[0]
    item.GraphicType = "SPIRAL"
    bad.GraphicAnnotationSequence[0].TextObjectSequence[0].UnformattedTextValue = "<script>alert(1)</script>"
    params = read_presentation_state(bad).display_for(pr.ReferencedSeriesSequence[0].ReferencedImageSequence[0].ReferencedSOPInstanceUID)
    assert params is not None and params.window is None and params.rotation == 0
    assert [op.kind for op in params.annotations] == ["text"]
    assert params.annotations[0].text == "<script>alert(1)</script>"  # plain text, painted as such
    assert len(params.warnings) == 3
    found = find_presentation_states([empty, pydicom.dcmread(get_testdata_file("CT_small.dcm"))])
    assert found == {}
    with pytest.raises(InvalidDicomError):
        read_presentation_state(shared_data / "malformed" / "orthanc" / "2017-06-27-XSSInjection.dcm")


def test_cielab_conversion_known_colours() -> None:
    assert cielab_to_rgb(65535, 32896, 32896) == (255, 255, 255)
    assert cielab_to_rgb(0, 32896, 32896) == (0, 0, 0)
    # sRGB red is L*=54.29 a*=80.80 b*=69.89 in D50 (ICC); DICOM scaling puts a* and b* at (v+128)*65535/255.
    red = cielab_to_rgb(round(54.29 * 65535 / 100), round((80.80 + 128) * 65535 / 255), round((69.89 + 128) * 65535 / 255))
    assert red[0] >= 250 and red[1] <= 10 and red[2] <= 10
