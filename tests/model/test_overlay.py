"""Corner text, orientation markers (PS3.3 C.7.6.1.1.1), mammography orientation and scale bar."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pydicom
import pytest
from pydicom.dataset import Dataset

from workstation.model.displayset import build_display_sets
from workstation.model.overlay import (
    DEFAULT_CORNERS,
    DisplayOrientation,
    Markers,
    OverlayContext,
    corner_text,
    format_patient_name,
    image_plane_of,
    mammography_orientation,
    orientation_markers,
    patient_age,
    scale_bar,
    slice_location,
    slice_thickness,
)
from workstation.model.viewport import ViewportState


def header(orientation=(1, 0, 0, 0, 1, 0), position=(-100.0, -100.0, 42.5), **extra) -> Dataset:
    ds = Dataset()
    ds.SOPInstanceUID = "1.2.3.4.5"
    ds.Modality = "CT"
    ds.Rows = 64
    ds.Columns = 64
    ds.PixelSpacing = [0.5, 0.5]
    ds.ImageOrientationPatient = list(orientation)
    ds.ImagePositionPatient = list(position)
    for keyword, value in extra.items():
        setattr(ds, keyword, value)
    return ds


def test_patient_name_formatting():
    assert format_patient_name("Doe^John^A^Dr^Jr") == "DOE, Dr John A Jr"
    assert format_patient_name("Smith") == "SMITH"
    assert format_patient_name("^Anna") == "Anna"
    assert format_patient_name("Yamada^Tarou=\u5c71\u7530^\u592a\u90ce") == "YAMADA, Tarou"
    assert format_patient_name("") == ""


def test_age_from_patient_age_or_birth_date():
    assert patient_age(header(PatientAge="045Y")) == "45Y"
    assert patient_age(header(PatientAge="003M")) == "3M"
    assert patient_age(header(PatientBirthDate="19800315", StudyDate="20250314")) == "44Y"
    assert patient_age(header(PatientBirthDate="19800315", StudyDate="20250315")) == "45Y"
    assert patient_age(header(PatientBirthDate="20250101", StudyDate="20250415")) == "3M"
    assert patient_age(header(PatientBirthDate="20250110", StudyDate="20250207")) == "4W"  # 28 days
    assert patient_age(header(PatientBirthDate="20250110", StudyDate="20250120")) == "10D"
    assert patient_age(header(PatientBirthDate="20250110", StudyDate="20240120")) == ""  # study before birth
    assert patient_age(header(PatientBirthDate="20250110")) == ""


def test_corner_text_default_and_configured():
    ds = header(
        PatientName="Doe^Jane", PatientID="P123", PatientSex="F", PatientAge="061Y", StudyDate="20240131",
        StudyDescription="CT HEAD", SeriesNumber=3, SeriesDescription="AXIAL 5MM", SliceThickness="5",
        InstanceNumber=12,
    )
    state = ViewportState("x#1", image_count=28, image_index=11, window_center=40, window_width=80)
    plane = image_plane_of(ds)
    assert plane is not None
    context = OverlayContext(ds, state, 12, 28, slice_location(plane), slice_thickness(ds), scale=1.5)
    text = corner_text(context)
    assert text.top_left == ("DOE, Jane", "P123", "61Y F")
    assert text.top_right == ("2024-01-31", "CT HEAD", "Se: 3 AXIAL 5MM")
    assert text.bottom_left == ("Im: 12/28", "Loc: 42.5 mm", "Thk: 5 mm")
    assert text.bottom_right == ("W: 80 L: 40", "Zoom: 150%")
    custom = corner_text(context, {"top_left": ("patient_id",), "bottom_right": ("modality", "window")})
    assert custom.top_left == ("P123",) and custom.bottom_right == ("CT", "W: 80 L: 40") and custom.top_right == ()
    state.reset_window()
    shown = corner_text(OverlayContext(ds, state, 12, 28, window=(35.0, 90.0)), DEFAULT_CORNERS)
    assert shown.bottom_right == ("W: 90 L: 35",)  # the image's own window, no zoom given
    with pytest.raises(KeyError):
        corner_text(context, {"top_left": ("no_such_field",)})


def test_slice_location_is_along_the_normal():
    c, s = math.cos(math.radians(20)), math.sin(math.radians(20))
    ds = header(orientation=(1, 0, 0, 0, c, -s), position=(3.0, 10.0, 20.0))
    plane = image_plane_of(ds)
    assert plane is not None
    normal = np.cross((1, 0, 0), (0, c, -s))
    assert slice_location(plane) == pytest.approx(float(np.dot((3.0, 10.0, 20.0), normal)))


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({}, Markers(left="R", right="L", top="A", bottom="P")),
        ({"rotation": 90}, Markers(left="P", right="A", top="R", bottom="L")),
        ({"rotation": 180}, Markers(left="L", right="R", top="P", bottom="A")),
        ({"rotation": 270}, Markers(left="A", right="P", top="L", bottom="R")),
        ({"flip_horizontal": True}, Markers(left="L", right="R", top="A", bottom="P")),
        ({"flip_vertical": True}, Markers(left="R", right="L", top="P", bottom="A")),
        ({"rotation": 90, "flip_horizontal": True}, Markers(left="P", right="A", top="L", bottom="R")),
    ],
)
def test_axial_markers_with_rotation_and_flips(changes, expected):
    state = ViewportState(**changes)
    assert orientation_markers(header(), state) == expected


def test_screen_flip_after_rotation_swaps_the_screen_sides():
    state = ViewportState()
    state.rotate_clockwise()
    before = orientation_markers(header(), state)
    state.flip_screen_horizontal()
    after = orientation_markers(header(), state)
    assert before is not None and after is not None
    assert (after.left, after.right, after.top, after.bottom) == (before.right, before.left, before.top, before.bottom)


def test_standard_and_oblique_views():
    state = ViewportState()
    assert orientation_markers(header((0, 1, 0, 0, 0, -1)), state) == Markers("A", "P", "H", "F")  # sagittal
    assert orientation_markers(header((1, 0, 0, 0, 0, -1)), state) == Markers("R", "L", "H", "F")  # coronal
    c, s = math.cos(math.radians(30)), math.sin(math.radians(30))
    # rows turned 30 degrees from L toward P: right edge "LP", left "RA"
    assert orientation_markers(header((c, s, 0, -s, c, 0)), state) == Markers("RA", "LP", "AL", "PR")
    # 2.6 degrees off axial is still read as axial
    c, s = math.cos(math.radians(2.6)), math.sin(math.radians(2.6))
    assert orientation_markers(header((c, s, 0, -s, c, 0)), state) == Markers("R", "L", "A", "P")
    assert orientation_markers(Dataset(), state) is None


def test_projection_markers_from_patient_orientation():
    ds = Dataset()
    ds.PatientOrientation = ["P", "FL"]
    assert orientation_markers(ds, ViewportState()) == Markers(left="A", right="P", top="HR", bottom="FL")


def test_real_sagittal_mr_and_axial_ct_markers(shared_data: Path):
    mr_files = sorted((shared_data / "mr_brain_sag_fnndsc" / "series").glob("*.dcm"))
    mr = pydicom.dcmread(mr_files[0], stop_before_pixels=True)
    # Read off the header: rows (0.054, 0.965, 0.257) -> P then H; columns (0.018, 0.256, -0.967)
    # -> F then P. So the right edge is "PH", the bottom "FP", the top "HA" and the left "AF".
    assert [round(float(v), 3) for v in mr.ImageOrientationPatient] == [0.054, 0.965, 0.257, 0.018, 0.256, -0.967]
    assert orientation_markers(mr, ViewportState()) == Markers(left="AF", right="PH", top="HA", bottom="FP")
    ct = pydicom.dcmread(shared_data / "ct_head_phantom_philips" / "S2020" / "I10.dcm", stop_before_pixels=True)
    assert orientation_markers(ct, ViewportState()) == Markers(left="R", right="L", top="A", bottom="P")


def _mg(laterality: str, orientation: list[str]) -> Dataset:
    ds = Dataset()
    ds.Modality = "MG"
    ds.ImageLaterality = laterality
    ds.PatientOrientation = orientation
    return ds


def test_mammography_conventional_orientation():
    assert mammography_orientation(_mg("L", ["A", "R"])) == DisplayOrientation()  # LCC as hung
    assert mammography_orientation(_mg("R", ["P", "L"])) == DisplayOrientation()  # RCC as hung
    assert mammography_orientation(_mg("R", ["A", "L"])) == DisplayOrientation(0, True, False)  # RCC stored nipple right
    assert mammography_orientation(_mg("L", ["P", "FR"])) == DisplayOrientation(0, True, False)  # LMLO stored backwards
    assert mammography_orientation(_mg("R", ["P", "HL"])) == DisplayOrientation(0, False, True)  # RMLO upside down
    assert mammography_orientation(_mg("L", ["R", "P"])) == DisplayOrientation(90, False, False)  # LCC stored sideways
    assert mammography_orientation(_mg("", ["A", "R"])) is None
    no_orientation = _mg("L", ["A", "R"])
    del no_orientation.PatientOrientation
    assert mammography_orientation(no_orientation) is None


def test_real_mammograms(shared_data: Path):
    folder = shared_data / "fo_dicom_selected"
    mlo = pydicom.dcmread(folder / "GH133.dcm", stop_before_pixels=True)  # R MLO, "P\FL"
    assert (mlo.ImageLaterality, list(mlo.PatientOrientation)) == ("R", ["P", "FL"])
    assert mammography_orientation(mlo) == DisplayOrientation()
    cc = pydicom.dcmread(folder / "OutOfBoundsOverlay.dcm", stop_before_pixels=True)  # L CC, "R\P"
    assert (cc.ImageLaterality, list(cc.PatientOrientation)) == ("L", ["R", "P"])
    turn = mammography_orientation(cc)
    assert turn == DisplayOrientation(90, False, False)
    state = ViewportState()
    assert turn is not None
    turn.apply(state)
    markers = orientation_markers(cc, state)
    assert markers is not None and markers.right == "A" and markers.left == "P" and markers.bottom == "R"


# -- scale bar ---------------------------------------------------------------------------------


def test_scale_bar_by_hand():
    # 0.5 mm pixels drawn 2 screen pixels each: 0.25 mm per screen pixel; a quarter of 800 px is
    # 200 px = 50 mm, a round length already
    bar = scale_bar((0.5, 0.5), "PixelSpacing", 2.0, 800)
    assert (bar.status, bar.length_mm, bar.length_px, bar.text) == ("calibrated", 50.0, pytest.approx(200.0), "5 cm")
    # 0.3 mm per screen pixel, quarter of 400 px = 30 mm -> 20 mm (log distance 0.405) beats 50 mm (0.511)
    bar = scale_bar((0.6, 0.6), "PixelSpacing", 2.0, 400)
    assert (bar.length_mm, bar.label) == (20.0, "2 cm") and bar.length_px == pytest.approx(20.0 / 0.3)
    # tiny: 0.01 mm per screen pixel, quarter of 300 -> 0.75 mm -> 1 mm (0.288) over 0.5 mm (0.405)
    bar = scale_bar((0.05, 0.05), "PixelSpacing", 5.0, 300)
    assert (bar.length_mm, bar.label) == (1.0, "1 mm") and bar.length_px == pytest.approx(100.0)


@pytest.mark.parametrize("spacing", [0.09409, 0.451171875, 0.859375, 1.5, 3.9])
@pytest.mark.parametrize("scale", [0.1, 0.37, 1.0, 4.2])
def test_scale_bar_is_round_and_near_a_quarter(spacing, scale):
    bar = scale_bar((spacing, spacing), "PixelSpacing", scale, 1000)
    assert bar.length_mm is not None and bar.length_px is not None
    mantissa = bar.length_mm / 10 ** math.floor(math.log10(bar.length_mm))
    assert round(mantissa, 6) in (1.0, 2.0, 5.0)
    assert bar.length_px == pytest.approx(bar.length_mm * scale / spacing)
    # neighbours on the 1-2-5 ladder are at most 2.5x apart, so the nearest is within sqrt(2.5)
    assert 250 / math.sqrt(2.5) - 1e-6 <= bar.length_px <= 250 * math.sqrt(2.5) + 1e-6


def test_uncalibrated_and_detector_spacing(shared_data: Path):
    bar = scale_bar(None, "uncalibrated", 1.0, 500)
    assert bar.status == "uncalibrated" and bar.length_px is None and bar.text == "uncalibrated"
    mg = pydicom.dcmread(shared_data / "fo_dicom_selected" / "GH133.dcm", stop_before_pixels=True)
    (display_set,) = [d for d in build_display_sets([mg]) if d.kind.is_image]
    assert display_set.spacing_source == "ImagerPixelSpacing"
    state = ViewportState()
    scale = state.scale((800, 1000), (display_set.columns or 0, display_set.rows or 0))
    bar = scale_bar(display_set.pixel_spacing, display_set.spacing_source, scale, 800)
    assert bar.status == "detector" and "detector" in bar.text and "uncalibrated" in bar.text
    # independent: fit scale min(800/2394, 1000/3062), detector spacing from the header
    expected_scale = min(800 / int(mg.Columns), 1000 / int(mg.Rows))
    assert bar.length_px == pytest.approx(bar.length_mm * expected_scale / float(mg.ImagerPixelSpacing[1]))


def test_corner_image_number_is_the_instance_number():
    """The corner names the image as reports do (Instance Number), the stack position beside it
    only where the two differ."""
    state = ViewportState("x#1", image_count=274, image_index=209)

    def image_line(**keywords: object) -> str:
        context = OverlayContext(header(**keywords), state, 210, 274)
        return corner_text(context, {"bottom_left": ("image",)}).bottom_left[0]

    assert image_line(InstanceNumber=65) == "Im: 65 (210/274)"
    assert image_line(InstanceNumber=210) == "Im: 210/274"
    assert image_line() == "Im: - (210/274)"  # no Instance Number: the position is not passed off as one
    context = OverlayContext(header(InstanceNumber=4), state, 3, 20, frame=3)
    assert corner_text(context, {"bottom_left": ("image",)}).bottom_left == ("Im: 4 fr 3 (3/20)",)
