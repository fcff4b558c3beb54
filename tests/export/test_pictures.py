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


def _library_with(paths: list[Path], tmp_path: Path) -> tuple[object, str]:
    import pydicom

    from workstation.store.library import Library

    library = Library(tmp_path / "library")
    for p in paths:
        library.add_file(p)
    return library, str(pydicom.dcmread(paths[0], stop_before_pixels=True).StudyInstanceUID)


def test_multiframe_mr_to_mp4_frame_by_frame(tmp_path: Path) -> None:
    """pydicom's 10-frame MR (one instance): one video of 10 frames, each frame its own image."""
    import pydicom
    from pydicom.data import get_testdata_file

    path = Path(str(get_testdata_file("emri_small.dcm", download=False)))
    library, study_uid = _library_with([path], tmp_path)
    report = run_export(ExportRequest(study_uid, tmp_path / "out", deidentify=True, images="mp4",
                                      overlays=False), library)  # type: ignore[arg-type]
    (video,) = report.images
    frames = _decoded_frames(video)
    assert len(frames) == 10
    # the frames follow the stored frames: the brightest frame of the video is the brightest stored one
    stored = pydicom.dcmread(path).pixel_array.astype(float)
    assert int(np.argmax([f.mean() for f in frames])) == int(np.argmax(stored.mean(axis=(1, 2))))


@pytest.mark.shared_data
def test_ultrasound_cine_to_mp4_at_its_frame_rate(shared_data: Path, tmp_path: Path) -> None:
    """A real 34-frame colour ultrasound cine (JPEG baseline): 34 frames at the header's rate."""
    import pydicom

    from workstation.model.viewport import default_cine_fps

    path = shared_data / "orthanc_tests_selected" / "Issue16.dcm"
    library, study_uid = _library_with([path], tmp_path)
    report = run_export(ExportRequest(study_uid, tmp_path / "out", images="mp4"), library)  # type: ignore[arg-type]
    (video,) = report.images
    with av.open(str(video)) as container:
        stream = container.streams.video[0]
        rate = float(stream.average_rate)
        frames = [f.to_ndarray(format="rgb24") for f in container.decode(video=0)]
    assert len(frames) == 34
    assert rate == pytest.approx(default_cine_fps(pydicom.dcmread(path, stop_before_pixels=True)), rel=0.01)
    assert frames[10][..., 0].std() > 5  # a picture, not a blank frame


def test_pictures_with_overlays_draw_the_saved_measurements(study: StudyToExport, tmp_path: Path) -> None:
    """The study's GSPS (the workstation's own, with the rectangle from (240.4, 120.2) to
    (300.5, 200.0) on the middle slice) is drawn on that slice's picture when overlays are on;
    without the GSPS in the export the same picture shows only the corner text."""
    series = {str(ds.Modality): str(ds.SeriesInstanceUID) for ds in study.originals}
    with_ps = run_export(ExportRequest(study.study_uid, tmp_path / "a", images="png",
                                       series_uids=(series["CT"], series["PR"])), study.library)
    without_ps = run_export(ExportRequest(study.study_uid, tmp_path / "b", images="png",
                                          series_uids=(series["CT"],)), study.library)
    assert len(with_ps.images) == len(without_ps.images) == SLICES
    changed = []
    for a, b in zip(with_ps.images, without_ps.images, strict=True):
        pa = np.asarray(Image.open(a).convert("RGB")).astype(int)
        pb = np.asarray(Image.open(b).convert("RGB")).astype(int)
        changed.append(int((np.abs(pa - pb).sum(axis=2) > 60).sum()))
    middle = SLICES // 2
    assert changed[middle] > 200 and all(c == 0 for i, c in enumerate(changed) if i != middle), changed
    pa = np.asarray(Image.open(with_ps.images[middle]).convert("RGB")).astype(int)
    pb = np.asarray(Image.open(without_ps.images[middle]).convert("RGB")).astype(int)
    # the rectangle's top edge, y = 120.2 between x = 241 and 300 (picture 1:1 with the image)
    assert (np.abs(pa[118:123, 250:290] - pb[118:123, 250:290]).sum(axis=2) > 60).any()


def test_mp4_without_x264_falls_back_to_mpeg4(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An FFmpeg built without x264 (GPL, left out by some packagers) still writes a playable
    MP4, with FFmpeg's own MPEG-4 Part 2 encoder (x264 is hidden from the codec list here)."""
    from workstation.export.images import write_mp4

    monkeypatch.setattr(av, "codecs_available", set(av.codecs_available) - {"libx264"})
    pictures = (np.full((64, 96, 3), 40 * k, dtype=np.uint8) for k in range(5))
    target = tmp_path / "clip.mp4"
    assert write_mp4(pictures, target, fps=5.0, size=(96, 64)) == 5
    with av.open(str(target)) as container:
        assert container.streams.video[0].codec_context.name == "mpeg4"
        frames = [f.to_ndarray(format="rgb24") for f in container.decode(video=0)]
    assert len(frames) == 5 and frames[4].mean() > frames[1].mean()
