"""RT Structure Sets on their CT (real LCTSC data, PS3.3 A.19): contours filled on the image's
pixel grid at the right place, and ROI volumes against a hand computation."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pydicom
import pytest

from workstation.model.displayset import build_display_sets
from workstation.model.image_plane import image_planes
from workstation.model.rtstruct import read_structure_set

FOLDER = "orthanc_tests_selected/HierarchicalAnonymization/RTH"


def _shoelace_xy(points: np.ndarray) -> float:
    x, y = points[:, 0], points[:, 1]
    return 0.5 * abs(float(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1))))


def test_spinal_cord_lands_on_its_slice(shared_data: Path) -> None:
    """The spinal cord contour of the CT slice is filled where its points fall on that slice:
    column = (x - x0) / spacing, row = (y - y0) / spacing for this axial image (computed here
    by hand); the filled area equals the polygon's area within one pixel along its perimeter."""
    rt_ds = pydicom.dcmread(shared_data / FOLDER / "RT.dcm")
    ct = pydicom.dcmread(shared_data / FOLDER / "CT01.dcm")
    structures = read_structure_set(rt_ds)
    masks = structures.masks_on(image_planes([ct])[0])
    assert [s.label for s, _ in masks] == ["SpinalCord"]
    segment, mask = masks[0]
    assert segment.colour == (242, 202, 48)  # ROI Display Color
    cord = next(rc for rc in rt_ds.ROIContourSequence if rc.ReferencedROINumber == 1)
    contour = next(c for c in cord.ContourSequence
                   if any(i.ReferencedSOPInstanceUID == ct.SOPInstanceUID for i in c.ContourImageSequence))
    points = np.asarray(contour.ContourData, dtype=float).reshape(-1, 3)
    x0, y0 = float(ct.ImagePositionPatient[0]), float(ct.ImagePositionPatient[1])
    spacing = float(ct.PixelSpacing[0])
    columns = (points[:, 0] - x0) / spacing
    rows = (points[:, 1] - y0) / spacing
    centre_column, centre_row = int(round(columns.mean())), int(round(rows.mean()))
    assert mask[centre_row, centre_column] == 1
    inside = np.argwhere(mask > 0)
    assert inside[:, 0].min() >= np.floor(rows.min()) and inside[:, 0].max() <= np.ceil(rows.max())
    assert inside[:, 1].min() >= np.floor(columns.min()) and inside[:, 1].max() <= np.ceil(columns.max())
    area_pixels = _shoelace_xy(points) / spacing**2
    perimeter_pixels = float(np.linalg.norm(np.diff(np.vstack([points, points[:1]]), axis=0), axis=1).sum()) / spacing
    assert abs(float(mask.sum()) - area_pixels) <= perimeter_pixels / 2


def test_roi_volumes(shared_data: Path) -> None:
    """ROI volume = sum of the axial contours' areas (shoelace in x, y) x the 3 mm between
    contour planes (z of the contours), in mL."""
    rt_ds = pydicom.dcmread(shared_data / FOLDER / "RT.dcm")
    stats = {s.segment.label: s for s in read_structure_set(rt_ds).statistics()}
    for item in rt_ds.ROIContourSequence:
        name = next(r.ROIName for r in rt_ds.StructureSetROISequence if r.ROINumber == item.ReferencedROINumber)
        contours = [np.asarray(c.ContourData, dtype=float).reshape(-1, 3) for c in item.ContourSequence]
        z = sorted({round(float(c[0, 2]), 3) for c in contours})
        gap = float(np.median(np.diff(z)))
        assert gap == pytest.approx(3.0)
        expected = sum(_shoelace_xy(c) for c in contours) * gap / 1000.0
        assert stats[name].volume_ml == pytest.approx(expected, rel=1e-6)
    assert 1000 < stats["Lung_R"].volume_ml < 4000  # a right lung, not a unit mistake


def test_info_names_the_rois(shared_data: Path) -> None:
    ds = pydicom.dcmread(shared_data / FOLDER / "RT.dcm")
    (display_set,) = build_display_sets([ds])
    assert display_set.describe()["segments"] == ["SpinalCord", "Lung_R", "Lung_L", "Heart", "Esophagus"]
