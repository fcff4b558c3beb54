"""3D volume rendering: placement in patient space, presets, MIP, clipping, quality modes.

Every expectation is computed independently of the renderer: patient points projected with the
camera's own matrices or by hand for an orthographic view, MIP images from numpy's max.
"""

from __future__ import annotations

import math
import time

import numpy as np
import pytest

from workstation.demo import phantom_volume
from workstation.errors import GeometryError, WorkstationError
from workstation.model.clip_box import ClipBox
from workstation.model.geometry import VolumeGeometry
from workstation.render.presets3d import Preset3D
from workstation.render.volume3d import (
    VolumeRenderer,
    is_software_renderer,
    render_volume_image,
)


def _rotation(degrees_z: float, degrees_x: float) -> np.ndarray:
    a, b = math.radians(degrees_z), math.radians(degrees_x)
    rz = np.array([[math.cos(a), -math.sin(a), 0], [math.sin(a), math.cos(a), 0], [0, 0, 1]])
    rx = np.array([[1, 0, 0], [0, math.cos(b), -math.sin(b)], [0, math.sin(b), math.cos(b)]])
    return rz @ rx


def _oblique_geometry(
    shape: tuple[int, int, int] = (40, 56, 48), tilt_deg: float = 0.0, slice_sense: float = 1.0
) -> VolumeGeometry:
    """Double-oblique axial-ish volume with non-square pixels (0.9 x 0.7 mm), 1.5 mm slices,
    optionally sheared like a gantry tilt, or stacked against the normal (slice_sense -1: a
    left-handed grid)."""
    r = _rotation(25.0, 15.0)
    row, col, normal = r[:, 0], r[:, 1], r[:, 2]
    step = slice_sense * 1.5 * normal + 1.5 * math.tan(math.radians(tilt_deg)) * col
    slices, rows, columns = shape
    centre = np.array([12.0, -30.0, 40.0])
    origin = centre - row * 0.7 * (columns - 1) / 2 - col * 0.9 * (rows - 1) / 2 - step * (slices - 1) / 2
    return VolumeGeometry.from_image_plane(origin, list(row) + list(col), (0.9, 0.7), step, shape)


def _spheres(geometry: VolumeGeometry, centres: list[np.ndarray], radius: float = 5.0, value: float = 1000.0) -> np.ndarray:
    """int16 volume, 0 outside, ``value`` inside spheres at patient points (soft 1 mm edge)."""
    slices, rows, columns = geometry.shape
    k, j, i = np.meshgrid(np.arange(slices), np.arange(rows), np.arange(columns), indexing="ij")
    points = geometry.index_to_patient(np.stack([i, j, k], axis=-1).astype(np.float64))
    volume = np.zeros(geometry.shape, dtype=np.float64)
    for centre in centres:
        distance = np.linalg.norm(points - centre, axis=-1)
        volume = np.maximum(volume, value * np.clip(radius + 0.5 - distance, 0.0, 1.0))
    return np.round(volume).astype(np.int16)


def _bright_centroid(image: np.ndarray) -> tuple[float, float]:
    """(x, y) pixel-centre coordinates (y down) of the bright region's intensity centroid."""
    grey = image.astype(np.float64).mean(axis=2)
    mask = grey > 0.5 * grey.max()
    rows, columns = np.nonzero(mask)
    weights = grey[mask]
    return float(np.average(columns, weights=weights)) + 0.5, float(np.average(rows, weights=weights)) + 0.5


def _camera_projection(camera, point: np.ndarray, width: int, height: int) -> tuple[float, float]:
    """Project with the camera's view and projection matrices (VTK's own), y down."""
    view = camera.GetViewTransformMatrix()
    projection = camera.GetProjectionTransformMatrix(width / height, -1, 1)
    v = np.array([[view.GetElement(r, c) for c in range(4)] for r in range(4)])
    p = np.array([[projection.GetElement(r, c) for c in range(4)] for r in range(4)])
    clip = p @ v @ np.append(point, 1.0)
    ndc = clip[:3] / clip[3]
    return (ndc[0] + 1) / 2 * width, (1 - ndc[1]) / 2 * height


MIP_HU = Preset3D(
    "test-mip", "test MIP", "HU", opacity=((0.0, 1.0), (1000.0, 1.0)),
    colour=((0.0, 0.0, 0.0, 0.0), (1000.0, 1.0, 1.0, 1.0)), blend="mip", shade=False,
)


@pytest.mark.parametrize(("tilt", "sense"), [(0.0, 1.0), (12.0, 1.0), (0.0, -1.0)], ids=["oblique", "oblique-tilted", "left-handed"])
def test_sphere_lands_where_the_camera_projects_its_patient_point(tilt: float, sense: float) -> None:
    geometry = _oblique_geometry(tilt_deg=tilt, slice_sense=sense)
    target = geometry.center + np.array([9.0, -6.0, 7.0])
    volume = _spheres(geometry, [target])
    size = (160, 128)
    renderer = VolumeRenderer(offscreen=True, size=size)
    try:
        renderer.set_volume(volume, geometry, preset=MIP_HU)
        renderer.rotate(azimuth=35.0, elevation=20.0)
        image = renderer.capture()
        expected = _camera_projection(renderer.camera, target, *size)
        found = _bright_centroid(image)
        assert math.dist(found, expected) < 1.5, (found, expected)
        # The mirror image through the volume's centre would land elsewhere: the test can fail.
        mirrored = _camera_projection(renderer.camera, 2 * geometry.center - target, *size)
        assert math.dist(found, mirrored) > 10
        assert math.dist(renderer.project(target), expected) < 1e-6
    finally:
        renderer.close()


def test_anterior_and_left_lateral_views_put_the_patient_the_radiological_way() -> None:
    """Orthographic views computed by hand: in the anterior view the patient's left (+x) is on
    the screen's right and the head (+z) up; in the left lateral view (azimuth 90) the face
    (anterior, -y) is on the screen's left."""
    geometry = _oblique_geometry()
    target = geometry.center + np.array([10.0, -8.0, 6.0])
    volume = _spheres(geometry, [target])
    width = height = 128
    renderer = VolumeRenderer(offscreen=True, size=(width, height))
    try:
        renderer.set_volume(volume, geometry, preset=MIP_HU)
        renderer.set_parallel_projection(True)
        focal = np.array(renderer.camera.GetFocalPoint())
        mm_per_pixel = 2 * renderer.camera.GetParallelScale() / height
        offset = (target - focal) / mm_per_pixel
        found = _bright_centroid(renderer.capture())
        assert math.dist(found, (width / 2 + offset[0], height / 2 - offset[2])) < 1.5
        renderer.rotate(azimuth=90.0)
        found = _bright_centroid(renderer.capture())
        assert math.dist(found, (width / 2 + offset[1], height / 2 - offset[2])) < 1.5
    finally:
        renderer.close()


def test_mip_equals_numpy_max_along_the_view_axis() -> None:
    """Axial volume at 1 mm, anterior orthographic view at 1 mm a pixel: the MIP is the max over
    rows (the y axis) of the stored values, through the preset's grey ramp."""
    slices, rows, columns = 32, 36, 44
    k, j, i = np.meshgrid(np.arange(slices), np.arange(rows), np.arange(columns), indexing="ij")
    rng = np.random.default_rng(4)
    field = np.zeros((slices, rows, columns))
    for _ in range(12):
        c = rng.uniform((0, 0, 0), (slices, rows, columns))
        field += rng.uniform(300, 900) * np.exp(-((k - c[0]) ** 2 + (j - c[1]) ** 2 + (i - c[2]) ** 2) / (2 * 6.0**2))
    volume = np.clip(field, 0, 1000).astype(np.int16)
    geometry = VolumeGeometry.from_image_plane((-20.0, 5.0, 100.0), [1, 0, 0, 0, 1, 0], (1.0, 1.0), (0, 0, 1.0), volume.shape)
    renderer = VolumeRenderer(offscreen=True, size=(columns, slices))
    try:
        renderer.set_volume(volume, geometry, preset=MIP_HU)
        renderer.set_parallel_projection(True)
        renderer.camera.SetParallelScale(slices / 2)
        image = renderer.capture().astype(np.float64).mean(axis=2)
    finally:
        renderer.close()
    expected = np.clip(volume.max(axis=1) / 1000.0, 0, 1) * 255  # (slices, columns)
    expected = expected[::-1, :]  # head (last slice) at the top of the screen
    # Rays through the outermost voxel centres graze the data's edge and may miss it: compare
    # the interior.
    inner = (slice(1, -1), slice(1, -1))
    difference = np.abs(image - expected)[inner]
    assert difference.mean() < 5.0, difference.mean()
    assert np.percentile(difference, 99) < 15.0
    # A left-right mirror would not match: the comparison can fail.
    assert np.abs(image - expected[:, ::-1])[inner].mean() > 5 * difference.mean()


def _head(shape: tuple[int, int, int] = (40, 128, 128), spacing: tuple[float, float, float] = (4.0, 1.6, 1.6)):
    volume, origin = phantom_volume(shape, spacing)
    geometry = VolumeGeometry.from_image_plane(origin, [1, 0, 0, 0, 1, 0], (spacing[1], spacing[2]), (0, 0, spacing[0]), shape)
    return volume, geometry


def _coronal_slab(renderer: VolumeRenderer) -> tuple[tuple[float, float], tuple[float, float]]:
    """Anterior orthographic view of a 6 mm coronal slab (y from -3 to 3 mm) without shading
    (the phantom is noise-free, so the slab's cut faces have no gradient to shade); returns the
    screen points of the brain's centre and of the skull at the equator (radii 64 to 69 mm)."""
    renderer.set_shading_enabled(False)
    renderer.set_parallel_projection(True)
    corners = ClipBox.around(renderer.patient_corners())
    renderer.set_clip_box(ClipBox(corners.x_min, corners.x_max, -3.0, 3.0, corners.z_min, corners.z_max))
    return renderer.project(np.array([0.0, 0.0, 0.0])), renderer.project(np.array([66.5, 0.0, 0.0]))


def _grey_at(image: np.ndarray, xy: tuple[float, float]) -> float:
    x, y = int(xy[0]), int(xy[1])
    return float(image[y - 2 : y + 3, x - 2 : x + 3].mean())


def test_bone_preset_shows_the_skull_and_hides_the_brain_soft_tissue_shows_the_brain() -> None:
    """The demo phantom: skull 1000 HU, brain 40 HU."""
    volume, geometry = _head()
    renderer = VolumeRenderer(offscreen=True, size=(160, 160))
    try:
        renderer.set_volume(volume, geometry, preset="ct-bone")
        brain, skull = _coronal_slab(renderer)
        bone = renderer.capture()
        renderer.set_preset("ct-soft-tissue")
        soft = renderer.capture()
        renderer.set_preset("ct-lung")
        lung = renderer.capture()
    finally:
        renderer.close()
    assert _grey_at(bone, skull) > 80
    assert _grey_at(bone, brain) < 3
    assert _grey_at(soft, brain) > 60
    assert lung.max() < 0.5 * bone.max()  # no lung (-900..-400 HU) in a head phantom
    # outside the head (air) nothing in any preset
    assert bone[:5].max() == soft[:5].max() == 0


def test_clip_box_removes_the_clipped_half() -> None:
    geometry = _oblique_geometry()
    left = geometry.center + np.array([12.0, 0.0, 0.0])  # patient left: +x
    right = geometry.center - np.array([12.0, 0.0, 0.0])
    volume = _spheres(geometry, [left, right])
    renderer = VolumeRenderer(offscreen=True, size=(128, 128))
    try:
        renderer.set_volume(volume, geometry, preset=MIP_HU)
        renderer.rotate(azimuth=10.0, elevation=10.0)
        where_left, where_right = renderer.project(left), renderer.project(right)

        def peak(image: np.ndarray, xy: tuple[float, float]) -> float:
            x, y = int(xy[0]), int(xy[1])
            return float(image[y - 2 : y + 3, x - 2 : x + 3].max())

        whole = renderer.capture()
        full = ClipBox.around(renderer.patient_corners())
        renderer.set_clip_box(full.with_face("left", float(geometry.center[0])))  # keep x <= centre
        clipped = renderer.capture()
        renderer.set_clip_box(None)
        again = renderer.capture()
    finally:
        renderer.close()
    assert peak(whole, where_left) > 200 and peak(whole, where_right) > 200
    assert peak(clipped, where_left) < 10
    assert peak(clipped, where_right) > 200
    assert np.array_equal(whole, again)


def test_interactive_and_still_quality_both_render_and_differ() -> None:
    volume, geometry = _head()
    renderer = VolumeRenderer(offscreen=True, size=(200, 200))
    try:
        renderer.set_volume(volume, geometry, preset="ct-bone")
        assert renderer.wait_for_refinement(30)
        still = renderer.capture().astype(np.float64)
        renderer.begin_interaction()
        moving = renderer.capture().astype(np.float64)
        renderer.end_interaction()
        still_again = renderer.capture().astype(np.float64)
        # window drag changes the picture; reset brings it back
        renderer.shift_window(300.0, 200.0)
        shifted = renderer.capture().astype(np.float64)
        renderer.reset_window()
        reset = renderer.capture().astype(np.float64)
    finally:
        renderer.close()
    assert moving.mean() > 0.5 * still.mean() > 0
    assert np.corrcoef(moving.ravel(), still.ravel())[0, 1] > 0.8
    assert not np.array_equal(moving, still)
    assert np.array_equal(still, still_again)
    assert np.abs(shifted - still).mean() > 1.0
    assert np.array_equal(reset, still)


def test_time_to_first_image_on_a_256x256x200_phantom(record_property) -> None:
    """The first frame comes unshaded before the gradients exist; shading follows."""
    volume, geometry = _head((200, 256, 256), (1.0, 0.8, 0.8))
    start = time.perf_counter()
    renderer = VolumeRenderer(offscreen=True, size=(512, 512))
    try:
        renderer.set_volume(volume, geometry, preset="ct-bone")
        first = renderer.capture()
        first_seconds = time.perf_counter() - start
        first_was_shaded = renderer.shaded
        assert renderer.wait_for_refinement(60)
        shaded = renderer.capture()
        shaded_seconds = time.perf_counter() - start
    finally:
        renderer.close()
    record_property("first_image_s", round(first_seconds, 3))
    record_property("shaded_image_s", round(shaded_seconds, 3))
    print(f"time to first 3D image {first_seconds:.2f} s (unshaded), shaded at {shaded_seconds:.2f} s")
    assert renderer.backend == "cpu" or not is_software_renderer(renderer.opengl_renderer)
    assert not first_was_shaded
    assert first.mean() > 10 and shaded.mean() > 5
    assert np.abs(first.astype(int) - shaded).mean() > 2  # shading changed the picture
    assert first_seconds < 5.0


def test_rescale_is_folded_into_the_transfer_functions() -> None:
    """A CT stored as uint16 with Rescale Intercept -1024 renders like the same HU as int16; read
    without its rescale the brain (stored 1064) would pass for bone."""
    volume, geometry = _head()
    stored = (volume.astype(np.int32) + 1024).astype(np.uint16)
    images = []
    for data, rescale in ((volume, (1.0, 0.0)), (stored, (1.0, -1024.0)), (stored, (1.0, 0.0))):
        renderer = VolumeRenderer(offscreen=True, size=(160, 160))
        try:
            renderer.set_volume(data, geometry, preset="ct-bone", rescale=rescale)
            brain, skull = _coronal_slab(renderer)
            images.append(renderer.capture())
        finally:
            renderer.close()
    hu_image, stored_image, wrong = images
    assert _grey_at(hu_image, skull) > 80 and _grey_at(hu_image, brain) < 3
    assert np.abs(hu_image.astype(int) - stored_image).mean() < 0.5
    assert _grey_at(wrong, brain) > 80


def test_render_volume_image_for_the_cli_accepts_a_volume_result_and_turns_the_view() -> None:
    from workstation.model.geometry import VolumeResult

    geometry = _oblique_geometry((24, 32, 28))
    target = geometry.center + np.array([6.0, -3.0, 2.0])
    volume = _spheres(geometry, [target], radius=4.0)
    result = VolumeResult(geometry, (), (), (), (), 0.0, False, True, 0, (1.5, 1.5))
    front = render_volume_image(volume, result, preset="MIP", size=(96, 80))
    side = render_volume_image(volume, geometry, preset="mip", azimuth=90.0, size=(96, 80))
    assert front.shape == side.shape == (80, 96, 3)
    # anterior view: patient left (+x, the sphere is 6 mm left of centre) right of the middle;
    # left lateral view: the sphere (3 mm anterior) left of the middle
    assert _bright_centroid(front)[0] > 48 + 2
    assert _bright_centroid(side)[0] < 48 - 1


def test_bad_input_gives_one_sentence_errors() -> None:
    geometry = _oblique_geometry((4, 5, 6))
    renderer = VolumeRenderer(offscreen=True, size=(32, 32))
    try:
        with pytest.raises(GeometryError, match="differs from its geometry"):
            renderer.set_volume(np.zeros((4, 6, 5), np.int16), geometry)
        with pytest.raises(WorkstationError, match="greyscale volume"):
            renderer.set_volume(np.zeros((4, 5, 6, 3), np.uint8), geometry)
        with pytest.raises(WorkstationError, match="at least two slices"):
            renderer.set_volume(np.zeros((1, 5, 6), np.int16), _oblique_geometry((1, 5, 6)))
        with pytest.raises(WorkstationError, match="no 3D preset called"):
            renderer.set_preset("ct-everything")
    finally:
        renderer.close()


def test_backend_choice_from_the_opengl_renderer_string() -> None:
    assert is_software_renderer("llvmpipe (LLVM 15.0.6, 256 bits)")
    assert is_software_renderer("softpipe")
    assert is_software_renderer("")
    assert not is_software_renderer("NVIDIA H100 80GB HBM3/PCIe/SSE2")
    assert not is_software_renderer("AMD Radeon RX 7900 XTX (radeonsi, navi31, LLVM 15.0.6, DRM 3.54)")


def test_gpu_mapper_places_the_volume_like_the_cpu_one() -> None:
    """Forced 'gpu' back end (the OpenGL ray caster, slow but working on llvmpipe): the same
    user-matrix placement puts the sphere on the same pixel."""
    geometry = _oblique_geometry((24, 32, 28))
    target = geometry.center + np.array([4.0, -3.0, 5.0])
    volume = _spheres(geometry, [target], radius=4.0)
    renderer = VolumeRenderer(offscreen=True, size=(96, 96), backend="gpu")
    try:
        renderer.set_volume(volume, geometry, preset=MIP_HU)
        renderer.rotate(azimuth=-40.0, elevation=15.0)
        assert renderer.backend == "gpu"
        found = _bright_centroid(renderer.capture())
        expected = _camera_projection(renderer.camera, target, 96, 96)
    finally:
        renderer.close()
    assert math.dist(found, expected) < 1.5, (found, expected)


def test_shading_arrives_from_the_worker_and_is_kept_across_presets() -> None:
    """The worker reports when shading is ready; after the swap a preset change does not
    compute the gradients again (the next frame is as quick as any still frame)."""
    volume, geometry = _head((60, 128, 128), (2.0, 1.6, 1.6))
    volume = volume + np.random.default_rng(2).normal(0, 10, volume.shape).astype(np.int16)
    told: list[str] = []
    renderer = VolumeRenderer(offscreen=True, size=(128, 128), on_refinement_ready=lambda: told.append("ready"))
    try:
        renderer.set_volume(volume, geometry, preset="ct-bone")
        assert renderer.refinement_pending and not told
        unshaded = renderer.capture()
        assert renderer.wait_for_refinement(60)
        assert told == ["ready"] and renderer.shaded and not renderer.refinement_pending
        shaded = renderer.capture()
        renderer.set_preset("ct-soft-tissue")
        assert renderer.shaded and not renderer.refinement_pending
        renderer.capture()
        renderer.set_preset("mip")
        assert not renderer.shaded
        renderer.set_preset("ct-bone")
        again = renderer.capture()
    finally:
        renderer.close()
    assert np.abs(unshaded.astype(int) - shaded).mean() > 2
    assert np.array_equal(again, shaded)


def test_the_phantom_ct_from_shared_data_renders_inside_its_patient_box(shared_data) -> None:
    """Real CT (140 slices, JPEG-LS): decoded, placed by build_volume_geometry's affine, the bone
    preset draws the skull inside the projection of the volume's patient-space corners."""
    import pydicom

    from workstation.model.decode import decode_instance
    from workstation.model.geometry import build_volume_geometry

    folder = shared_data / "ct_head_phantom_philips" / "S2020"
    files = sorted(folder.glob("*.dcm"))[::4]  # every 4th slice: a 4 mm volume, quick to decode
    headers = [pydicom.dcmread(f, stop_before_pixels=True) for f in files]
    result = build_volume_geometry(headers)
    index = dict(zip(result.sop_instance_uids, result.slice_indices, strict=True))
    volume = np.zeros(result.geometry.shape, dtype=np.int16)
    for path, header in zip(files, headers, strict=True):
        volume[index[header.SOPInstanceUID]] = decode_instance(path.read_bytes())[0]
    rescale = (float(headers[0].RescaleSlope), float(headers[0].RescaleIntercept))
    renderer = VolumeRenderer(offscreen=True, size=(160, 160), progressive=False)
    try:
        renderer.set_volume(volume, result, rescale=rescale, preset="ct-bone")
        image = renderer.capture()
        corners = np.array([renderer.project(c) for c in renderer.patient_corners()])
    finally:
        renderer.close()
    grey = image.mean(axis=2)
    rows, columns = np.nonzero(grey > 20)
    assert rows.size > 0.05 * grey.size  # the skull covers a good part of the view
    assert columns.min() >= corners[:, 0].min() - 1 and columns.max() <= corners[:, 0].max() + 1
    assert rows.min() >= corners[:, 1].min() - 1 and rows.max() <= corners[:, 1].max() + 1
