"""Reading DICOM Segmentations for display (PS3.3 A.51) on real files: segments, colours, frames
placed on their images, and volumes against an independent count (pydicom, no highdicom)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pydicom
import pytest

from workstation.model.displayset import build_display_sets
from workstation.model.image_plane import image_planes
from workstation.model.segmentation import blend_segments, outline_of, read_segmentation

BRAIN_SEG = "orthanc_tests_selected/DicomSeg.dcm"  # TCGA brain MR: necrosis, edema, enhancing lesion
CT_SEG = "highdicom_test_files/seg_image_ct_binary_single_frame.dcm"
CT_IMAGE = "highdicom_test_files/ct_image.dcm"
FRACTIONAL = "highdicom_test_files/seg_image_ct_true_fractional.dcm"


def test_segment_volumes_equal_an_independent_count(shared_data: Path) -> None:
    """Each segment's volume in mL equals (voxels of that segment, counted with pydicom from the
    frames' Referenced Segment Number) x pixel spacing x the gap between the frames' positions."""
    ds = pydicom.dcmread(shared_data / BRAIN_SEG)
    seg = read_segmentation(ds)
    assert [s.label for s in seg.segments] == ["Necrosis", "Edema", "Enhancing Lesion"]
    pixels = ds.pixel_array
    numbers = [int(f.SegmentIdentificationSequence[0].ReferencedSegmentNumber) for f in ds.PerFrameFunctionalGroupsSequence]
    z = sorted({float(f.PlanePositionSequence[0].ImagePositionPatient[2]) for f in ds.PerFrameFunctionalGroupsSequence})
    gap = float(np.median(np.diff(z)))
    spacing = [float(v) for v in ds.SharedFunctionalGroupsSequence[0].PixelMeasuresSequence[0].PixelSpacing]
    voxel_ml = spacing[0] * spacing[1] * gap / 1000.0
    stats = seg.statistics()
    for stat in stats:
        count = int(sum(int(pixels[i].sum()) for i, n in enumerate(numbers) if n == stat.segment.number))
        assert count > 0
        assert stat.voxels == count
        assert stat.volume_ml == pytest.approx(count * voxel_ml, rel=1e-9)
    # Colours from Recommended Display CIELab Value: necrosis reddish, edema greenish, lesion bluish.
    r, g, b = seg.segments[0].colour
    assert r > g and r > b
    r, g, b = seg.segments[1].colour
    assert g > r and g > b


def test_fractional_shares(shared_data: Path) -> None:
    """FRACTIONAL: each pixel's share is its stored value / Maximum Fractional Value."""
    ds = pydicom.dcmread(shared_data / FRACTIONAL)
    seg = read_segmentation(ds)
    assert seg.segmentation_type == "FRACTIONAL"
    stored = ds.pixel_array.astype(np.float64) / float(ds.MaximumFractionalValue)
    for frame in seg.frames:
        assert np.allclose(seg.mask(frame), stored[frame.index], atol=1e-6)
    assert seg.statistics()[0].voxels == pytest.approx(float(stored.sum()), rel=1e-5)


def test_mask_lands_on_its_image_and_mean_hu(shared_data: Path) -> None:
    """The CT segment lies on the CT image it was derived from, pixel for pixel; the mean and
    maximum HU inside equal numpy's over the same pixels."""
    seg_ds = pydicom.dcmread(shared_data / CT_SEG)
    ct = pydicom.dcmread(shared_data / CT_IMAGE)
    seg = read_segmentation(seg_ds)
    plane = image_planes([ct])[0]
    masks = seg.masks_on(plane)
    assert len(masks) == 1
    segment, share = masks[0]
    assert np.array_equal(share > 0, seg_ds.pixel_array > 0)
    hu = ct.pixel_array * float(ct.RescaleSlope) + float(ct.RescaleIntercept)
    stats = seg.statistics(lambda p: hu)
    inside = seg_ds.pixel_array > 0
    assert stats[0].mean == pytest.approx(float(hu[inside].mean()))
    assert stats[0].maximum == pytest.approx(float(hu[inside].max()))


def test_geometric_match_without_source_reference(shared_data: Path) -> None:
    """An image the SEG does not reference but whose plane it shares gets the frame by position;
    an image 1 slice away (5 mm) gets nothing."""
    seg_ds = pydicom.dcmread(shared_data / CT_SEG)
    ct = pydicom.dcmread(shared_data / CT_IMAGE)
    ct.SOPInstanceUID = "1.2.826.0.1.3680043.8.498.1"
    seg = read_segmentation(seg_ds)
    assert len(seg.masks_on(image_planes([ct])[0])) == 1
    ct.ImagePositionPatient = [float(v) for v in ct.ImagePositionPatient[:2]] + [float(ct.ImagePositionPatient[2]) + 5.0]
    assert seg.masks_on(image_planes([ct])[0]) == []


def test_blend_and_outline() -> None:
    picture = np.full((6, 6, 3), 100, dtype=np.uint8)
    share = np.zeros((6, 6), dtype=np.float32)
    share[1:5, 1:5] = 1.0
    from workstation.model.segmentation import Segment

    blend_segments(picture, [(Segment(1, "x", (250, 0, 0)), share)], opacity=0.5)
    assert tuple(picture[0, 0]) == (100, 100, 100)
    assert tuple(picture[1, 1]) == (250, 0, 0)  # outline: the full colour
    assert tuple(picture[2, 2]) == (175, 50, 50)  # inside: half and half
    assert outline_of(share).sum() == 12


def test_info_counts_seg_frames_and_names_segments(shared_data: Path) -> None:
    """`workstation info` no longer says "frames: 0" for a SEG: its 96 frames and 3 segments."""
    ds = pydicom.dcmread(shared_data / BRAIN_SEG, stop_before_pixels=True)
    (display_set,) = build_display_sets([ds])
    described = display_set.describe()
    assert described["kind"] == "seg"
    assert described["frames"] == 96
    assert described["segments"] == ["Necrosis", "Edema", "Enhancing Lesion"]


def test_other_frame_of_reference_is_not_matched_by_position(shared_data: Path) -> None:
    """Same position, another Frame of Reference (and not a source image): nothing is drawn."""
    seg_ds = pydicom.dcmread(shared_data / CT_SEG)
    ct = pydicom.dcmread(shared_data / CT_IMAGE)
    ct.SOPInstanceUID = "1.2.826.0.1.3680043.8.498.1"
    seg = read_segmentation(seg_ds)
    plane = image_planes([ct])[0]
    assert len(seg.masks_on(plane, frame_of_reference=str(seg_ds.FrameOfReferenceUID))) == 1
    assert seg.masks_on(plane, frame_of_reference="1.2.826.0.1.3680043.8.498.2") == []


def test_values_inside_on_the_image_grid(shared_data: Path) -> None:
    """Mean/max HU inside the segment from the images as the viewer holds them equal numpy's."""
    from workstation.model.segmentation import values_inside

    seg_ds = pydicom.dcmread(shared_data / CT_SEG)
    ct = pydicom.dcmread(shared_data / CT_IMAGE)
    hu = ct.pixel_array * float(ct.RescaleSlope) + float(ct.RescaleIntercept)
    (summary,) = values_inside(read_segmentation(seg_ds), [(image_planes([ct])[0], hu)], str(ct.FrameOfReferenceUID))
    inside = seg_ds.pixel_array > 0
    assert summary.mean == pytest.approx(float(hu[inside].mean()))
    assert summary.maximum == pytest.approx(float(hu[inside].max()))
    assert summary.pixels == inside.sum()
