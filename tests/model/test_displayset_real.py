"""Display sets of real data in ../shared/data: each series gets the verdict its source says."""

from __future__ import annotations

from pathlib import Path

import pydicom
import pytest

from workstation.model.displayset import build_display_sets
from workstation.model.image_warning import WarningCode
from workstation.model.sop_classes import DisplaySetKind as K

pytestmark = pytest.mark.shared_data


def read(*paths: Path) -> list[pydicom.Dataset]:
    files: list[Path] = []
    for path in paths:
        files.extend(sorted(path.glob("*.dcm")) if path.is_dir() else [path])
    assert files
    return [pydicom.dcmread(f, stop_before_pixels=True) for f in files]


def kinds(folder: Path) -> list[K]:
    return [s.kind for s in build_display_sets(read(folder))]


def test_ct_phantom_study(shared_data: Path) -> None:
    base = shared_data / "ct_head_phantom_philips"
    sets = build_display_sets(read(base / "S1000", base / "S2010", base / "S2020"))
    by_number = {s.series_number: s for s in sets}
    assert by_number[100].kind is K.STACK  # the localizer
    assert by_number[201].kind is K.VOLUME and by_number[201].geometry.shape == (28, 512, 512)
    vol = by_number[202]
    assert vol.kind is K.VOLUME and vol.number_of_images == 140
    assert vol.describe()["dimensions_mm"] == pytest.approx([512 * 0.451171875, 512 * 0.451171875, 140.0], abs=1e-3)


D2N = "dicom2nifti_selected"


@pytest.mark.parametrize(
    ("folder", "expected", "code"),
    [
        ("failing/gantrytilting/001", [K.VOLUME], WarningCode.GANTRY_TILT),
        ("failing/notavolume/001", [K.STACK], WarningCode.NOT_A_VOLUME),
        ("failing/slicecount/001", [K.STACK], WarningCode.NOT_A_VOLUME),
        ("failing/sliceincrement/001", [K.VOLUME], WarningCode.MISSING_SLICES),
        ("failing/sliceincrement/002", [K.VOLUME], WarningCode.MISSING_SLICES),
        ("failing/sliceorientation/001", [K.STACK, K.STACK], WarningCode.SERIES_SPLIT),
        ("generic/anatomical/001", [K.VOLUME], None),
        ("generic/anatomical/002_non_isotropic", [K.VOLUME], None),
        ("generic/compressed_j2k/001", [K.VOLUME], None),
        ("philips_enhanced/anatomical/001", [K.ENHANCED_VOLUME], None),
        ("siemens_multiframe/anatomical/001", [K.ENHANCED_VOLUME], None),
        ("hyperfine/anatomical/001", [K.ENHANCED_VOLUME], None),
    ],
)
def test_dicom2nifti_verdicts(shared_data: Path, folder: str, expected: list[K], code: WarningCode | None) -> None:
    sets = build_display_sets(read(shared_data / D2N / folder))
    assert [s.kind for s in sets] == expected
    found = {w.code for s in sets for w in s.warnings}
    if code is None:
        assert not found
    else:
        assert code in found


def test_dicom2nifti_mixed_orientation_stacks_are_parallel_each(shared_data: Path) -> None:
    sets = build_display_sets(read(shared_data / D2N / "failing" / "sliceorientation" / "001"))
    orientations = [
        {tuple(round(float(v), 4) for v in ds.ImageOrientationPatient) for ds in
         read(*[p for p in (shared_data / D2N / "failing" / "sliceorientation" / "001").glob("*.dcm")])
         if ds.SOPInstanceUID in s.sop_instance_uids}
        for s in sets
    ]
    assert all(len(o) == 1 for o in orientations) and orientations[0] != orientations[1]


def test_orthanc_objects_get_their_kinds(shared_data: Path) -> None:
    base = shared_data / "orthanc_tests_selected"
    cases = {
        "sample-pdf.dcm": K.PDF,
        "Issue168.dcm": K.PRESENTATION_STATE,
        "HierarchicalAnonymization/2019-03-28/PR000000.dcm": K.PRESENTATION_STATE,
        "HierarchicalAnonymization/StructuredReports/IM0.dcm": K.SR,
        "HierarchicalAnonymization/RTH/RT.dcm": K.RTSTRUCT,
        "DicomSeg.dcm": K.SEG,
        "Issue137.dcm": K.OTHER,
        "Issue16.dcm": K.MULTIFRAME,
        "Issue164.dcm": K.MULTIFRAME,
        "KarstenHilbertRF.dcm": K.STACK,
        "HierarchicalAnonymization/StructuredReports/IM631.dcm": K.STACK,
    }
    for name, kind in cases.items():
        (ds,) = build_display_sets(read(base / name))
        assert ds.kind is kind, name
    (cine,) = build_display_sets(read(base / "Issue164.dcm"))
    header = pydicom.dcmread(base / "Issue164.dcm", stop_before_pixels=True)
    assert cine.number_of_frames == int(header.NumberOfFrames) == 87
    assert cine.frame_time_ms == pytest.approx(float(header.FrameTime))
    (cr,) = build_display_sets(read(base / "HierarchicalAnonymization" / "2019-03-28" / "CR000000.dcm"))
    assert cr.kind is K.STACK and WarningCode.DETECTOR_SPACING in {w.code for w in cr.warnings}


def test_highdicom_files(shared_data: Path) -> None:
    base = shared_data / "highdicom_test_files"
    cases = {
        "sr_document.dcm": K.SR,
        "sr_document_with_multiple_groups.dcm": K.SR,
        "seg_image_ct_binary.dcm": K.SEG,
        "seg_image_sm_control_labelmap.dcm": K.SEG,
        "ct_image.dcm": K.STACK,
        "dx_image.dcm": K.STACK,
        "sm_image.dcm": K.OTHER,
        "sm_annotations.dcm": K.OTHER,
    }
    for name, kind in cases.items():
        (ds,) = build_display_sets(read(base / name))
        assert ds.kind is kind, name
