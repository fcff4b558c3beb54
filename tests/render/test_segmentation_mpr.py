"""A segmentation over MPR planes: a sphere segmented on the real phantom CT (the SEG written by
highdicom, PS3.3 A.51) shows on the coronal reformat where the sphere crosses it, and nowhere
else; `render --view coronal --overlays` draws it."""

from __future__ import annotations

import argparse
from io import BytesIO
from pathlib import Path

import highdicom as hd
import numpy as np
import pydicom
from PIL import Image
from pydicom.sr.codedict import codes
from pydicom.uid import generate_uid

from workstation.model.image_plane import ImagePlane
from workstation.model.segmentation import read_segmentation

RADIUS_MM = 20.0


def _study(shared_data: Path) -> tuple[list[pydicom.Dataset], np.ndarray, pydicom.Dataset]:
    cts = [pydicom.dcmread(f) for f in sorted((shared_data / "ct_head_phantom_philips" / "S2010").glob("*.dcm"))]
    cts.sort(key=lambda d: float(d.ImagePositionPatient[2]))
    study_uid = generate_uid()
    for ds in cts:
        ds.StudyInstanceUID = study_uid
    middle = cts[len(cts) // 2]
    spacing = float(middle.PixelSpacing[0])
    centre = np.array([float(middle.ImagePositionPatient[0]) + 256 * spacing,
                       float(middle.ImagePositionPatient[1]) + 256 * spacing,
                       float(middle.ImagePositionPatient[2])])
    rows, columns = np.mgrid[0:512, 0:512]
    masks = []
    for ds in cts:
        x = float(ds.ImagePositionPatient[0]) + columns * spacing
        y = float(ds.ImagePositionPatient[1]) + rows * spacing
        z = float(ds.ImagePositionPatient[2])
        masks.append((x - centre[0]) ** 2 + (y - centre[1]) ** 2 + (z - centre[2]) ** 2 <= RADIUS_MM**2)
    description = hd.seg.SegmentDescription(
        segment_number=1, segment_label="Sphere", segmented_property_category=codes.SCT.Tissue,
        segmented_property_type=codes.SCT.Tissue, algorithm_type=hd.seg.SegmentAlgorithmTypeValues.MANUAL,
    )
    seg = hd.seg.Segmentation(
        source_images=cts, pixel_array=np.stack(masks).astype(np.uint8), segmentation_type="BINARY",
        segment_descriptions=[description], series_instance_uid=generate_uid(), series_number=90,
        sop_instance_uid=generate_uid(), instance_number=1, manufacturer="test", manufacturer_model_name="test",
        software_versions="1", device_serial_number="1",
    )
    return cts, centre, seg


def test_sphere_on_a_coronal_plane(shared_data: Path) -> None:
    """Sampled on the coronal plane through the sphere's centre, the segment covers the pixels
    within the sphere's radius of the centre (up to the 5 mm slice spacing along z)."""
    cts, centre, seg_ds = _study(shared_data)
    seg = read_segmentation(seg_ds)
    ((segment, source),) = seg.volume_sources()
    assert segment.label == "Sphere"
    z = np.array([float(d.ImagePositionPatient[2]) for d in cts])
    # A coronal plane (rows along -z) through the centre, 1 mm pixels.
    plane = ImagePlane("coronal", None, 0, None, np.array([centre[0] - 50.0, centre[1], z.max()]),
                       np.array([1.0, 0, 0, 0, 0, -1.0]), (1.0, 1.0), int(z.max() - z.min()) + 1, 101)
    share = np.nan_to_num(source.sample_on(plane))
    rows, columns = np.mgrid[0:plane.rows, 0:plane.columns]
    x = plane.position[0] + columns
    zz = plane.position[2] - rows
    # the nearest CT slice to each point, as the segmentation was drawn there
    nearest = z[np.abs(zz[..., None] - z).argmin(axis=-1)]
    inside = (x - centre[0]) ** 2 + (nearest - centre[2]) ** 2 <= RADIUS_MM**2
    spacing = float(cts[0].PixelSpacing[0])
    edge = np.abs(np.sqrt((x - centre[0]) ** 2 + (nearest - centre[2]) ** 2) - RADIUS_MM) <= spacing + 0.5
    assert inside.sum() > 500
    assert np.array_equal((share > 0)[~edge], inside[~edge])


def test_render_coronal_with_overlays(shared_data: Path, tmp_path: Path) -> None:
    from workstation.render.cli import add_render_parser, cmd_render
    from workstation.settings import load_settings
    from workstation.sources import open_library

    cts, _centre, seg_ds = _study(shared_data)
    library = open_library(load_settings())
    for ds in [*cts, seg_ds]:
        buffer = BytesIO()
        ds.save_as(buffer)
        library.add_bytes(buffer.getvalue())
    library.close()
    parser = argparse.ArgumentParser()
    add_render_parser(parser.add_subparsers())
    pictures = {}
    for flag in ([], ["--overlays"]):
        out = tmp_path / f"coronal{len(flag)}.png"
        args = parser.parse_args(["render", str(cts[0].StudyInstanceUID), "--view", "coronal", "--no-overlay",
                                  "--size", "256x256", "--out", str(out), *flag])
        assert cmd_render(args, load_settings()) == 0
        pictures[bool(flag)] = np.asarray(Image.open(out).convert("RGB")).astype(int)
    changed = np.abs(pictures[True] - pictures[False]).max(axis=-1) > 0
    assert changed.sum() > 50
    ys, xs = np.nonzero(changed)
    assert abs(xs.mean() - 128) < 12 and abs(ys.mean() - 128) < 12  # the sphere sits at the volume's centre
    colour = pictures[True][changed]
    assert (colour[:, 0] - colour[:, 2]).mean() > 20  # the default first colour is red


def test_sphere_surface_in_patient_space(shared_data: Path) -> None:
    """The segment's 3D surface lies around the sphere's centre in LPS: its extent in x and y is
    the diameter within a pixel plus the contour's half-pixel, in z within a slice; the enclosed
    volume is the voxel count x voxel volume (counted here from the masks) within 10 %."""
    from vtkmodules.vtkFiltersCore import vtkMassProperties

    from workstation.render.segment_surfaces import surface_of

    cts, centre, seg_ds = _study(shared_data)
    seg = read_segmentation(seg_ds)
    ((_, source),) = seg.volume_sources()
    surface = surface_of(source)
    x0, x1, y0, y1, z0, z1 = surface.GetBounds()
    spacing = float(cts[0].PixelSpacing[0])
    assert abs((x0 + x1) / 2 - centre[0]) <= spacing and abs((y0 + y1) / 2 - centre[1]) <= spacing
    assert abs((x1 - x0) - 2 * RADIUS_MM) <= 2 * spacing
    assert abs((z0 + z1) / 2 - centre[2]) <= 5.0
    mass = vtkMassProperties()
    mass.SetInputData(surface)
    voxels = sum(int(np.asarray(seg.mask(f)).sum()) for f in seg.frames)
    expected = voxels * spacing * spacing * 5.0
    assert abs(mass.GetVolume() - expected) / expected < 0.10


def test_render_3d_with_surfaces(shared_data: Path, tmp_path: Path) -> None:
    """`render --view 3d --overlays`: the segment's colour shows at the centre of the picture."""
    from workstation.render.cli import add_render_parser, cmd_render
    from workstation.settings import load_settings
    from workstation.sources import open_library

    cts, _centre, seg_ds = _study(shared_data)
    library = open_library(load_settings())
    for ds in [*cts, seg_ds]:
        buffer = BytesIO()
        ds.save_as(buffer)
        library.add_bytes(buffer.getvalue())
    library.close()
    parser = argparse.ArgumentParser()
    add_render_parser(parser.add_subparsers())
    redness = []
    for flag in ([], ["--overlays"]):
        out = tmp_path / f"3d{len(flag)}.png"
        args = parser.parse_args(["render", str(cts[0].StudyInstanceUID), "--view", "3d", "--preset", "ct-lung",
                                  "--size", "200x200", "--out", str(out), *flag])
        assert cmd_render(args, load_settings()) == 0
        centre = np.asarray(Image.open(out).convert("RGB")).astype(int)[90:110, 90:110]
        redness.append((centre[..., 0] - centre[..., 2]).mean())
    assert redness[1] - redness[0] > 25  # the red sphere's surface at the centre, inside the head
