"""PET/CT fusion on the real phantom CT: a PET stack in the CT's Frame of Reference (real PET
values, on a PET grid of 4.07 mm pixels and 3 mm slices) sampled on the CT grid; the value at a
CT pixel is the PET voxel whose centre is within half a voxel of that pixel's centre in LPS, and
the screen shows it blended in hot iron over the CT."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pydicom
import pytest

from workstation.errors import GeometryError
from workstation.model import colormaps
from workstation.model.fusion import FusionSource
from workstation.model.image_plane import ImagePlane, image_planes
from workstation.model.viewport import ViewportState
from workstation.render.slice_renderer import SliceRenderer

PET = "orthanc_tests_selected/2020-11-16-SalimKanounAnonymization.dcm"
PET_SPACING = 4.07283
SLICES = 12
SLICE_GAP = 3.0


def _ct_slices(shared_data: Path) -> list[pydicom.Dataset]:
    files = sorted((shared_data / "ct_head_phantom_philips" / "S2010").glob("*.dcm"))
    datasets = [pydicom.dcmread(f) for f in files]
    return sorted(datasets, key=lambda d: float(d.ImagePositionPatient[2]))


def _pet_stack(shared_data: Path, frame: str, z0: float) -> tuple[list[tuple[ImagePlane, np.ndarray]], np.ndarray, np.ndarray]:
    pet = pydicom.dcmread(shared_data / PET)
    crop = (pet.pixel_array[70:130, 60:120].astype(np.float32) * float(pet.RescaleSlope))
    origin = np.array([-120.3, -10.2, z0])
    images, values = [], []
    for k in range(SLICES):
        v = crop + 50.0 * k  # each slice distinguishable
        plane = ImagePlane(f"1.2.826.0.1.3680043.8.498.{k + 1}", None, k, k + 1, origin + [0, 0, k * SLICE_GAP],
                           np.array([1.0, 0, 0, 0, 1.0, 0]), (PET_SPACING, PET_SPACING), crop.shape[0], crop.shape[1])
        images.append((plane, v))
        values.append(v)
    return images, np.stack(values), origin


def test_fused_value_is_the_pet_voxel_within_half_a_voxel(shared_data: Path) -> None:
    cts = _ct_slices(shared_data)
    ct = cts[len(cts) // 2]
    z = float(ct.ImagePositionPatient[2])
    images, volume, origin = _pet_stack(shared_data, str(ct.FrameOfReferenceUID), z - 16.0)
    source = FusionSource(images, str(ct.FrameOfReferenceUID))
    # PET voxel centres sample to their own values (LPS computed by hand).
    for k, j, i in ((0, 0, 0), (5, 17, 33), (11, 59, 59)):
        point = origin + np.array([i * PET_SPACING, j * PET_SPACING, k * SLICE_GAP])
        assert source.sample_points(point[None])[0] == volume[k, j, i]
    plane = image_planes([ct])[0]
    fused = source.sample_on(plane)
    x0, y0 = float(ct.ImagePositionPatient[0]), float(ct.ImagePositionPatient[1])
    spacing = float(ct.PixelSpacing[0])
    k = int(round((z - origin[2]) / SLICE_GAP))
    assert abs(origin[2] + k * SLICE_GAP - z) <= SLICE_GAP / 2
    checked = 0
    for r in range(0, 512, 37):
        for c in range(0, 512, 41):
            x, y = x0 + c * spacing, y0 + r * spacing  # LPS of the CT pixel centre (axial, by hand)
            i = int(round((x - origin[0]) / PET_SPACING))
            j = int(round((y - origin[1]) / PET_SPACING))
            if 0 <= i < 60 and 0 <= j < 60:
                # the voxel chosen lies within half a voxel of the CT pixel centre on every axis
                assert abs(origin[0] + i * PET_SPACING - x) <= PET_SPACING / 2 + 1e-6
                assert abs(origin[1] + j * PET_SPACING - y) <= PET_SPACING / 2 + 1e-6
                assert fused[r, c] == volume[k, j, i]
                checked += 1
            else:
                assert np.isnan(fused[r, c])
    assert checked > 30
    # A CT slice beyond the stack (more than half a slice away) gets nothing.
    far = image_planes([cts[0]])[0]
    assert np.isnan(source.sample_on(far)).all()


def test_fusion_drawn_over_the_ct(shared_data: Path) -> None:
    """On screen, a CT pixel under PET is (1 - a) x its grey + a x the hot-iron entry of the PET
    value in the 0-5000 window; pixels outside the PET stay grey."""
    cts = _ct_slices(shared_data)
    ct = cts[len(cts) // 2]
    z = float(ct.ImagePositionPatient[2])
    images, _volume, _origin = _pet_stack(shared_data, str(ct.FrameOfReferenceUID), z - 16.0)
    source = FusionSource(images, str(ct.FrameOfReferenceUID))
    renderer = SliceRenderer(offscreen=True, size=(512, 512))
    try:
        state = ViewportState()
        state.show("ct", 1)
        renderer.set_state(state)
        renderer.set_stack(1, [ct])
        renderer.set_image(0, ct.pixel_array, ct)
        renderer.set_overlays_visible(False)
        grey = renderer.display_buffer.copy()  # type: ignore[union-attr]
        renderer.set_fusion(source, window=(0.0, 5000.0), colormap=colormaps.HOT_IRON, opacity=0.6)
        fused = renderer.display_buffer
        assert fused is not None and fused.ndim == 3
        values = source.sample_on(image_planes([ct])[0])
        table = colormaps.palette(colormaps.HOT_IRON)
        assert table is not None
        inside = np.argwhere(np.isfinite(values))
        for r, c in inside[:: max(1, len(inside) // 200)]:
            index = int(np.clip(np.rint(values[r, c] / 5000.0 * 255.0), 0, 255))
            expected = 0.4 * float(grey[r, c]) + 0.6 * table[index].astype(float)
            assert np.abs(fused[r, c].astype(float) - expected).max() <= 1.0
        outside = np.argwhere(~np.isfinite(values))
        for r, c in outside[:: max(1, len(outside) // 200)]:
            assert tuple(fused[r, c]) == (grey[r, c],) * 3
        renderer.set_fusion(None)
        assert renderer.display_buffer.ndim == 2  # type: ignore[union-attr]
        other = FusionSource(images, "1.2.826.0.1.3680043.8.498.999")
        with pytest.raises(GeometryError, match="different Frames of Reference"):
            renderer.set_fusion(other)
    finally:
        renderer.close()


def test_fusion_over_an_mpr_plane(shared_data: Path) -> None:
    """MprViewer.set_fusion: on the coronal plane of the CT volume the PET (12 slices of 3 mm
    around the middle CT slice) is blended in hot iron exactly where the plane crosses it: the
    plane's pixels with a PET value change, the others keep their grey."""
    from io import BytesIO

    from workstation.model.resample import regular_volume
    from workstation.render.mpr import MprViewer, load_volume

    cts = _ct_slices(shared_data)
    data = {}
    for ds in cts:
        buffer = BytesIO()
        ds.save_as(buffer)
        data[str(ds.SOPInstanceUID)] = buffer.getvalue()
    volume, result = load_volume(cts, lambda uid: data[uid])
    regular = regular_volume(volume, result)
    z = float(cts[len(cts) // 2].ImagePositionPatient[2])
    images, _volume, _origin = _pet_stack(shared_data, str(cts[0].FrameOfReferenceUID), z - 16.0)
    source = FusionSource(images, str(cts[0].FrameOfReferenceUID))
    viewer = MprViewer(regular.volume, regular.geometry, cts[0], names=("coronal",), size=(300, 300))
    try:
        viewer.update()
        plain = viewer.views["coronal"]._buffer.copy()  # type: ignore[union-attr]
        viewer.set_fusion(source, window=(0.0, 5000.0), colormap=colormaps.HOT_IRON, opacity=0.6)
        viewer.update()
        fused = viewer.views["coronal"]._buffer
        assert fused is not None and fused.ndim == 3
        plane = viewer.views["coronal"].plane.image_plane()  # type: ignore[union-attr]
        values = source.sample_on(plane)
        present = np.isfinite(values)
        assert present.sum() > 100 and (~present).sum() > 100
        assert np.array_equal(fused[~present], np.repeat(plain[~present][:, None], 3, axis=1))
        table = colormaps.palette(colormaps.HOT_IRON)
        index = np.clip(np.rint(values[present] / 5000.0 * 255.0), 0, 255).astype(int)
        expected = 0.4 * plain[present][:, None].astype(float) + 0.6 * table[index].astype(float)
        assert np.abs(fused[present].astype(float) - expected).max() <= 1.0
    finally:
        viewer.close()
