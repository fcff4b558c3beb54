"""PET the way it is read: SUV windows, inverted grey or a hot-iron colour map, SUV in the corner,
and a clear flag when SUV cannot be computed (real PET images from ../shared/data).

The SUV expected here is worked out from the header by hand (PS3.3 C.8.9.1: weight, Radionuclide
Total Dose decayed from Radiopharmaceutical Start Time to Series Time with the half-life),
independently of workstation.model.suv."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pydicom
import pytest

from workstation.model import colormaps
from workstation.model.viewport import ViewportState
from workstation.render.slice_renderer import SliceRenderer, initial_view

WHOLE_BODY = "orthanc_tests_selected/2020-11-16-SalimKanounAnonymization.dcm"  # whole-body FDG, BQML
PROPCPS = "fo_dicom_selected/GH610.dcm"  # PET in PROPCPS: no SUV
NO_WEIGHT = "orthanc_tests_selected/2021-02-19-MalaterreCP246.dcm"  # BQML, Patient's Weight 0


def _independent_suv_factor(ds: pydicom.Dataset) -> float:
    info = ds.RadiopharmaceuticalInformationSequence[0]
    def when(date: str, time: str) -> dt.datetime:
        time = time.split(".")[0].ljust(6, "0")
        return dt.datetime.strptime(date + time, "%Y%m%d%H%M%S")
    start = when(ds.SeriesDate, ds.SeriesTime)
    injected = when(ds.SeriesDate, info.RadiopharmaceuticalStartTime)
    seconds = (start - injected).total_seconds()
    dose = float(info.RadionuclideTotalDose) * 0.5 ** (seconds / float(info.RadionuclideHalfLife))
    return float(ds.PatientWeight) * 1000.0 / dose


def _show(path: Path) -> tuple[SliceRenderer, pydicom.Dataset]:
    ds = pydicom.dcmread(path)
    renderer = SliceRenderer(offscreen=True, size=(400, 400))
    state = ViewportState()
    state.show("pet", 1)
    renderer.set_state(state)
    renderer.set_stack(1, [ds])
    renderer.set_image(0, ds.pixel_array, ds)
    initial_view(state, ds, "PT", suv_factor=renderer.suv_factor)
    return renderer, ds


def test_pet_opens_in_suv_inverted(shared_data: Path) -> None:
    """The whole-body PET that opened white-on-black at W 14471 L 7236 Bq/ml now opens inverted
    at 0-5 SUVbw; the corner says so, and the grey level of each pixel is the DICOM linear window
    (PS3.3 C.11.2.1.2) of its SUV, computed here from the header."""
    renderer, ds = _show(shared_data / WHOLE_BODY)
    try:
        factor = _independent_suv_factor(ds)
        assert renderer.suv_factor == pytest.approx(factor, rel=1e-9)
        state = renderer.state
        assert state.invert is True
        center, width = state.window  # type: ignore[misc]
        assert center * factor == pytest.approx(2.5) and width * factor == pytest.approx(5.0)
        corner = renderer.overlays.corner_lines()["bottom_right"]
        assert "W: 5 L: 2.5 SUVbw" in corner, corner
        stored = ds.pixel_array
        suv = (stored * float(ds.RescaleSlope) + float(ds.RescaleIntercept)) * factor
        r, c = np.unravel_index(int(np.argmax(stored)), stored.shape)
        hot = suv[r, c]
        assert hot > 5  # the hottest voxel: SUV above the window, black when inverted
        buffer = renderer.display_buffer
        assert buffer is not None
        # The DICOM linear window in SUV (c=2.5, w=5), inverted.
        expected = 255 - np.clip(((suv - (2.5 - 0.5 * factor)) / (5.0 - factor) + 0.5) * 255.0, 0, 255)
        assert int(buffer[r, c]) == 0
        assert np.abs(buffer.astype(float) - expected).max() <= 1.0
    finally:
        renderer.close()


def test_hot_iron_colour_map(shared_data: Path) -> None:
    """Hot iron (PS3.6 B.1, palette 1.2.840.10008.1.5.1): every pixel is the palette's entry for
    its grey level; a voxel at SUV 2.5 is the palette's middle colour (not grey), uptake above 5
    is white."""
    renderer, ds = _show(shared_data / WHOLE_BODY)
    try:
        renderer.state.update(invert=False)
        grey = renderer.display_buffer.copy()  # type: ignore[union-attr]
        renderer.state.colormap = colormaps.HOT_IRON
        colour = renderer.display_buffer
        assert colour is not None and colour.shape == (*grey.shape, 3)
        table = colormaps.palette(colormaps.HOT_IRON)
        assert table is not None
        assert np.array_equal(colour, table[grey])
        assert tuple(table[255]) == (255, 255, 255) and tuple(table[0]) == (0, 0, 0)
        assert tuple(table[128]) == (255, 0, 0)  # hot iron is red at mid scale
        picture = renderer.capture()
        r, c = np.unravel_index(int(np.argmax(ds.pixel_array)), ds.pixel_array.shape)
        x, y = renderer.image_to_screen(float(c), float(r))
        assert tuple(picture[int(round(y)), int(round(x))]) == (255, 255, 255)
        assert (picture[..., 0].astype(int) - picture[..., 2].astype(int)).max() > 200  # red shows: not grey
    finally:
        renderer.close()


@pytest.mark.parametrize(("name", "why"), [
    (PROPCPS, "SUV unavailable: the image's Units are 'PROPCPS', not Bq/ml (BQML)."),
    (NO_WEIGHT, "SUV unavailable: the patient's weight is not in the header."),
])
def test_no_suv_is_flagged(shared_data: Path, name: str, why: str) -> None:
    """Units other than BQML, or no weight: the window stays in the image's units and the corner
    says why there is no SUV, so Bq/ml is never read as SUV."""
    renderer, ds = _show(shared_data / name)
    try:
        assert renderer.suv_factor is None
        corner = renderer.overlays.corner_lines()["bottom_right"]
        assert why in corner, corner
        assert not any("SUV" in line and line.startswith("W:") for line in corner)
        assert renderer.state.invert is True
    finally:
        renderer.close()


def test_suv_kinds(shared_data: Path) -> None:
    """SUL and SUVbsa on request: on an image without height they are refused in the corner."""
    renderer, _ = _show(shared_data / WHOLE_BODY)
    try:
        renderer.suv_kind = "lbm"
        assert renderer.suv_factor is None
        corner = renderer.overlays.corner_lines()["bottom_right"]
        assert any(line.startswith("SUL unavailable: the patient's height") for line in corner), corner
        renderer.suv_kind = "bw"
        assert renderer.suv_factor is not None
    finally:
        renderer.close()


def test_render_cli_suv_preset_and_colour_map(shared_data: Path, tmp_path: Path) -> None:
    """`workstation render STUDY --preset "SUV 0-10" --colormap hot_iron`: each pixel of the PNG
    is the hot-iron entry of the DICOM linear window 0-10 SUV of that voxel (within one grey level)."""
    import argparse

    from PIL import Image

    from workstation.render.cli import add_render_parser, cmd_render
    from workstation.settings import load_settings
    from workstation.sources import open_library

    path = shared_data / WHOLE_BODY
    ds = pydicom.dcmread(path)
    library = open_library(load_settings())
    library.add_bytes(path.read_bytes())
    library.close()
    out = tmp_path / "pet.png"
    parser = argparse.ArgumentParser()
    add_render_parser(parser.add_subparsers())
    args = parser.parse_args(["render", str(ds.StudyInstanceUID), "--preset", "SUV 0-10", "--colormap", "hot_iron",
                              "--size", "200x200", "--no-overlay", "--out", str(out)])
    assert cmd_render(args, load_settings()) == 0
    picture = np.asarray(Image.open(out).convert("RGB"))
    factor = _independent_suv_factor(ds)
    suv = (ds.pixel_array * float(ds.RescaleSlope) + float(ds.RescaleIntercept)) * factor
    grey = np.clip(((suv - (5.0 - 0.5 * factor)) / (10.0 - factor) + 0.5) * 255.0, 0, 255)
    table = colormaps.palette(colormaps.HOT_IRON)
    assert table is not None
    # 200x200 image on a 200x200 picture: one pixel per voxel, row 0 at the top.
    differences = []
    for r in range(0, 200, 7):
        for c in range(0, 200, 7):
            candidates = {int(np.floor(grey[r, c])), int(np.ceil(grey[r, c]))}
            differences.append(min(int(np.abs(picture[r, c].astype(int) - table[g].astype(int)).max()) for g in candidates))
    assert max(differences) <= 8  # neighbouring palette entries differ by a few levels at most
    assert np.mean(differences) < 1.0


def test_render_cli_pet_mip(shared_data: Path, tmp_path: Path) -> None:
    """`workstation render STUDY --series 7 --view mip [--azimuth 90]`: an inverted MIP of the
    PET volume, 0-10 SUV. The darkest pixel is the DICOM linear window of the series' highest SUV
    (the maximum survives any projection direction), the empty surround is white, and turning
    by 90 degrees shows another picture."""
    import argparse

    from PIL import Image

    from tests.render.pet_ct_data import pet_ct_study
    from workstation.render.cli import add_render_parser, cmd_render
    from workstation.settings import load_settings
    from workstation.sources import open_library

    study_uid, instances = pet_ct_study(shared_data)
    library = open_library(load_settings())
    for data in instances:
        library.add_bytes(data)
    library.close()
    ds = pydicom.dcmread(shared_data / WHOLE_BODY)
    factor = _independent_suv_factor(ds)
    highest = float(ds.pixel_array.max()) * float(ds.RescaleSlope) * factor
    parser = argparse.ArgumentParser()
    add_render_parser(parser.add_subparsers())
    pictures = []
    for azimuth in ("0", "90"):
        out = tmp_path / f"mip{azimuth}.png"
        args = parser.parse_args(["render", study_uid, "--series", "7", "--view", "mip", "--azimuth", azimuth,
                                  "--size", "256x256", "--no-overlay", "--out", str(out)])
        assert cmd_render(args, load_settings()) == 0
        pictures.append(np.asarray(Image.open(out).convert("L")).astype(float))
    expected_darkest = 255.0 - np.clip(((highest - (5.0 - 0.5 * factor)) / (10.0 - factor) + 0.5) * 255.0, 0, 255)
    strips = []
    for picture in pictures:
        # 12 slices of 3 mm seen from the front: a strip of image on the black viewport.
        strip = picture[picture.mean(axis=1) > 100]
        strip = strip[:, strip.max(axis=0) > 0]  # leave out the viewport's black beyond the image
        assert 0 < len(strip) < 20
        assert abs(strip.min() - expected_darkest) <= 2.0
        assert strip[:, 1].min() == 255.0  # the empty surround of the patient: white (inverted)
        strips.append(strip)
    assert np.abs(strips[0] - strips[1]).mean() > 1.0
