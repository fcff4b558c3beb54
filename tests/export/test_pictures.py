"""Pictures and videos of an export: PNG/JPEG per image, one MP4 per series that decodes back to
as many frames as the series has images; names carry numbers, never the patient's name."""

from __future__ import annotations

import io
import stat
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from tests.export.conftest import NAME, SLICES, StudyToExport
from workstation.export.writer import ExportRequest, run_export

av = pytest.importorskip("av")


def _decoded_frames(path: Path) -> list[np.ndarray]:
    with av.open(str(path)) as container:
        return [frame.to_ndarray(format="rgb24") for frame in container.decode(video=0)]


def test_mp4_decodes_back_to_every_image(study: StudyToExport, tmp_path: Path) -> None:
    out = tmp_path / "video"
    report = run_export(ExportRequest(study.study_uid, out, deidentify=True, images="mp4",
                                      include_burned_in=True), study.library)
    (video,) = report.images
    assert video.suffix == ".mp4" and video.parent.name == "IMAGES"
    assert stat.S_IMODE(video.stat().st_mode) == 0o600
    frames = _decoded_frames(video)
    assert len(frames) == SLICES
    assert frames[0].shape == (512, 512, 3)
    # the phantom's skull is in the picture: frames differ from one another and are not blank
    assert all(f.std() > 5 for f in frames)
    assert NAME.split("^")[0] not in video.name


def test_png_and_jpeg_one_picture_per_image(study: StudyToExport, tmp_path: Path) -> None:
    png = run_export(ExportRequest(study.study_uid, tmp_path / "png", images="png", overlays=False),
                     study.library)
    assert len(png.images) == SLICES
    assert all(p.suffix == ".png" and "Dupr" not in p.as_posix() for p in png.images)
    with Image.open(png.images[SLICES // 2]) as picture:
        assert picture.size == (512, 512)
        without = np.asarray(picture.convert("RGB"))
    with_overlays = run_export(ExportRequest(study.study_uid, tmp_path / "png2", images="png"),
                               study.library)
    with Image.open(with_overlays.images[SLICES // 2]) as picture:
        with_text = np.asarray(picture.convert("RGB"))
    assert (with_text != without).any()  # corner text drawn only when overlays are asked for
    jpeg = run_export(ExportRequest(study.study_uid, tmp_path / "jpeg", images="jpeg"), study.library)
    assert len(jpeg.images) == SLICES and all(p.suffix == ".jpg" for p in jpeg.images)
    data = jpeg.images[0].read_bytes()
    assert data[:2] == b"\xff\xd8"
    Image.open(io.BytesIO(data)).verify()
