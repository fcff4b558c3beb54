"""Volume geometry on real series from ../shared/data, checked against numbers computed here."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pydicom
import pytest

from workstation.model.geometry import build_volume_geometry
from workstation.model.image_warning import WarningCode

pytestmark = pytest.mark.shared_data


def headers(folder: Path) -> list[pydicom.Dataset]:
    files = sorted(folder.glob("*.dcm"))
    assert files, f"no DICOM files in {folder}"
    return [pydicom.dcmread(f, stop_before_pixels=True) for f in files]


def normal_of(ds: pydicom.Dataset) -> np.ndarray:
    o = np.array([float(v) for v in ds.ImageOrientationPatient])
    n = np.cross(o[:3], o[3:])
    return n / np.linalg.norm(n)


def ipp(ds: pydicom.Dataset) -> np.ndarray:
    return np.array([float(v) for v in ds.ImagePositionPatient])


def test_ct_phantom_1mm_axial_volume(shared_data: Path) -> None:
    hs = headers(shared_data / "ct_head_phantom_philips" / "S2020")
    result = build_volume_geometry(hs)
    g = result.geometry
    assert g.shape == (140, 512, 512)
    ps = [float(v) for v in hs[0].PixelSpacing]
    zs = sorted(ipp(ds)[2] for ds in hs)
    step = (zs[-1] - zs[0]) / 139
    assert step == pytest.approx(1.0, abs=1e-3)
    assert g.spacing == pytest.approx((ps[0], ps[1], step), abs=1e-6)
    assert g.dimensions_mm == pytest.approx((512 * ps[0], 512 * ps[1], 140 * step), abs=1e-3)
    assert g.plane == "axial" and g.axis_letters == ("L", "P", "H")
    assert not result.warnings and result.is_regular and not result.needs_resampling
    by_uid = {ds.SOPInstanceUID: ds for ds in hs}
    for k, uid in enumerate(result.sop_instance_uids):
        assert g.index_to_patient([0, 0, k]) == pytest.approx(ipp(by_uid[uid]), abs=1e-3)
    assert [ipp(by_uid[u])[2] for u in result.sop_instance_uids] == pytest.approx(zs)


def test_mr_sagittal_oblique_volume(shared_data: Path) -> None:
    hs = headers(shared_data / "mr_brain_sag_fnndsc" / "series")
    result = build_volume_geometry(hs)
    g = result.geometry
    assert g.shape == (192, 256, 256)
    n = normal_of(hs[0])
    off_axis = math.degrees(math.acos(abs(n[0])))  # normal vs the left-right axis
    assert 1.0 < off_axis < 45.0  # a slightly angled sagittal: oblique, nearest sagittal
    assert g.plane == "oblique" and g.nearest_plane == "sagittal"
    rows, cols, slices = g.axis_letters
    # Sagittal slices: along a row is anterior/posterior, down a column head/foot, slices left/right.
    assert rows[0] in "AP" and cols[0] in "HF" and slices[0] in "LR"
    assert len(rows) >= 2  # in-plane rotation makes the row direction oblique
    locations = np.sort([float(np.dot(ipp(ds), n)) for ds in hs])
    assert g.spacing[2] == pytest.approx(float(np.median(np.diff(locations))), abs=1e-3)
    assert not result.is_tilted and result.is_regular
    points = np.random.default_rng(2).uniform([0, 0, 0], [255, 255, 191], size=(100, 3))
    assert g.patient_to_index(g.index_to_patient(points)) == pytest.approx(points, abs=1e-8)


def test_ge_tilted_ct_tilt_and_uneven_spacing(shared_data: Path) -> None:
    hs = headers(shared_data / "ct_head_human_ge_tilt")
    result = build_volume_geometry(hs)
    assert result.is_tilted
    assert result.tilt_degrees == pytest.approx(18.5, abs=0.5)
    assert result.tilt_degrees == pytest.approx(float(hs[0].GantryDetectorTilt), abs=0.5)
    n = normal_of(hs[0])
    gaps = np.diff(np.sort([float(np.dot(ipp(ds), n)) for ds in hs]))
    assert result.spacing_range_mm == pytest.approx((gaps.min(), gaps.max()), abs=1e-6)
    assert gaps.min() == pytest.approx(1.08, abs=0.01) and gaps.max() == pytest.approx(6.99, abs=0.02)
    found = {w.code for w in result.warnings}
    assert {WarningCode.GANTRY_TILT, WarningCode.UNEVEN_SPACING} <= found
    assert not result.is_regular and result.needs_resampling
    # The first and last slices still map exactly: the sheared affine carries the real step.
    g = result.geometry
    assert g.index_to_patient([0, 0, 0]) == pytest.approx(result.positions[0])
    assert g.index_to_patient([0, 0, 27]) == pytest.approx(result.positions[-1])


def test_dicom2nifti_gantry_tilt(shared_data: Path) -> None:
    hs = headers(shared_data / "dicom2nifti_selected" / "failing" / "gantrytilting" / "001")
    result = build_volume_geometry(hs)
    col = [float(v) for v in hs[0].ImageOrientationPatient][3:]
    expected = math.degrees(math.acos(abs(col[1])))  # column cosine tilted about x; positions step along z
    assert result.is_tilted and result.tilt_degrees == pytest.approx(expected, abs=0.05)


def test_dicom2nifti_missing_slices(shared_data: Path) -> None:
    base = shared_data / "dicom2nifti_selected" / "failing" / "sliceincrement"
    for folder in ("001", "002"):
        result = build_volume_geometry(headers(base / folder))
        assert result.missing_slices == 1, folder
        assert result.geometry.shape[0] == 5
        assert WarningCode.MISSING_SLICES in {w.code for w in result.warnings}


def test_dicom2nifti_enhanced_multiframe(shared_data: Path) -> None:
    base = shared_data / "dicom2nifti_selected"
    for sub in ("philips_enhanced", "siemens_multiframe", "hyperfine"):
        (path,) = sorted((base / sub / "anatomical" / "001").glob("*.dcm"))
        ds = pydicom.dcmread(path, stop_before_pixels=True)
        result = build_volume_geometry([ds])
        assert len(result.slices) == int(ds.NumberOfFrames) == 8
        frames = ds.PerFrameFunctionalGroupsSequence
        positions = np.array([[float(v) for v in f.PlanePositionSequence[0].ImagePositionPatient] for f in frames])
        assert result.positions == pytest.approx(positions[[fr - 1 for _, fr in result.frames]])
        g = result.geometry
        assert g.index_to_patient([0, 0, 7]) == pytest.approx(result.positions[-1], abs=0.01)
    hyperfine = pydicom.dcmread(next((base / "hyperfine" / "anatomical" / "001").glob("*.dcm")), stop_before_pixels=True)
    g = build_volume_geometry([hyperfine]).geometry
    assert g.spacing == pytest.approx((1.61, 1.59, 5.0))  # non-square pixels from the shared Pixel Measures
