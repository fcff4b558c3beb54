"""Window presets: the image's own (PS3.3 C.11.2) first, then the modality's, with number keys."""

from __future__ import annotations

from pathlib import Path

import pydicom
import pytest
from pydicom.dataelem import RawDataElement
from pydicom.dataset import Dataset
from pydicom.sequence import Sequence
from pydicom.tag import Tag

from workstation.model.presets import (
    CT_PRESETS,
    DICOM,
    MODALITY,
    available_presets,
    dicom_window_presets,
    find_preset,
    modality_presets,
    preset_for_key,
)


def test_ct_presets_values_and_keys():
    expected = {
        "Brain": (40, 80), "Subdural": (75, 215), "Stroke": (40, 40), "Lung": (-600, 1500),
        "Mediastinum": (50, 350), "Abdomen": (40, 400), "Liver": (60, 160), "Bone": (400, 1800),
    }
    assert {p.name: (p.center, p.width) for p in CT_PRESETS} == expected
    presets = available_presets("CT")
    assert [preset_for_key(k, presets).name for k in range(1, 9)] == list(expected)  # type: ignore[union-attr]
    assert preset_for_key(9, presets) is None  # no image of its own
    assert modality_presets("MR") == () and modality_presets("ct") == CT_PRESETS
    lung = find_preset("LUNG")
    assert lung is not None and (lung.center, lung.width) == (-600, 1500)
    assert lung.label == "Lung (W 1500 / L -600)"


def test_own_presets_in_order_with_names_and_without_repeats():
    # a non-numeric centre as it arrives from a malformed file (pydicom would refuse to set it)
    raw = b"40\\40\\300\\x\\10 "
    ds = Dataset({Tag(0x00281050): RawDataElement(Tag(0x00281050), "DS", len(raw), raw, 0, False, True)})
    ds.WindowWidth = ["80", "80", "1500", "100", "0"]
    ds.WindowCenterWidthExplanation = ["", "", "BONE", "", ""]
    presets = dicom_window_presets(ds)
    # the repeat, the non-numeric centre and the width below 1 are left out
    assert [(p.name, p.center, p.width, p.source) for p in presets] == [("Default", 40, 80, DICOM), ("BONE", 300, 1500, DICOM)]
    single = Dataset()
    single.WindowCenter = 50
    single.WindowWidth = 350
    single.VOILUTFunction = "SIGMOID"
    (only,) = dicom_window_presets(single)
    assert (only.center, only.width, only.function) == (50, 350, "SIGMOID")
    assert dicom_window_presets(Dataset()) == []


def test_enhanced_frame_voi_lut_group():
    voi = Dataset()
    voi.WindowCenter = 600
    voi.WindowWidth = 1200
    group = Dataset()
    group.FrameVOILUTSequence = Sequence([voi])
    ds = Dataset()
    ds.SharedFunctionalGroupsSequence = Sequence([group])
    assert [(p.center, p.width) for p in dicom_window_presets(ds)] == [(600, 1200)]


def test_mr_keys_choose_the_images_own_presets():
    ds = Dataset()
    ds.WindowCenter = [str(100 + n) for n in range(11)]
    ds.WindowWidth = [str(200 + n) for n in range(11)]
    presets = available_presets("MR", ds)
    assert [p.key for p in presets] == [1, 2, 3, 4, 5, 6, 7, 8, 9, None, None]
    assert all(p.source == DICOM for p in presets)


def test_real_ct_and_mg_headers(shared_data: Path):
    ct = pydicom.dcmread(shared_data / "ct_head_phantom_philips" / "S2010" / "I10.dcm", stop_before_pixels=True)
    presets = available_presets(str(ct.Modality), ct)
    assert presets[0].source == DICOM and presets[0].key == 9
    assert (presets[0].center, presets[0].width) == (float(ct.WindowCenter[0]), float(ct.WindowWidth[0]))
    assert len([p for p in presets if p.source == DICOM]) == len({(float(c), float(w)) for c, w in zip(ct.WindowCenter, ct.WindowWidth, strict=True)})
    assert [p.source for p in presets[-8:]] == [MODALITY] * 8

    mg = pydicom.dcmread(shared_data / "fo_dicom_selected" / "GH133.dcm", stop_before_pixels=True)
    presets = available_presets(str(mg.Modality), mg)
    assert [(p.name, p.center, p.width, p.key) for p in presets] == [
        (str(e), float(c), float(w), n + 1)
        for n, (c, w, e) in enumerate(zip(mg.WindowCenter, mg.WindowWidth, mg.WindowCenterWidthExplanation, strict=True))
    ]
    assert [p.name for p in presets] == ["NORMAL", "HARDER", "SOFTER"]


def test_one_window_preset_class_for_the_image_and_the_modality() -> None:
    """pixels.WindowPreset and presets.WindowPreset were twins; a preset from either side now
    goes straight into the pixel pipeline, name, source, key and VOI function kept."""
    from workstation.model import pixels, presets

    assert presets.WindowPreset is pixels.WindowPreset
    ds = Dataset()
    ds.Modality = "CT"
    ds.WindowCenter = [40, 300]
    ds.WindowWidth = [400, 1500]
    ds.WindowCenterWidthExplanation = ["Fenêtre tissus mous", ""]
    ds.VOILUTFunction = "SIGMOID"
    own = available_presets("CT", ds)
    first = preset_for_key(9, own)
    assert first is not None and (first.name, first.source, first.function) == ("Fenêtre tissus mous", DICOM, "SIGMOID")
    assert first.label == "Fenêtre tissus mous (W 400 / L 40)"
    assert [p.name for p in own if p.source == DICOM] == ["Fenêtre tissus mous", "Default"]
    brain = preset_for_key(1, own)
    assert brain is not None and (brain.explanation, brain.source, brain.key) == ("Brain", MODALITY, 1)
    # SIGMOID (PS3.3 C.11.2.1.3.1): y_max / (1 + exp(-4 (x - c) / w)); at x = c, 255 / 2
    import numpy as np

    grey = pixels.voi_window(np.array([40.0, 240.0]), first)
    assert grey[0] == pytest.approx(127.5) and grey[1] == pytest.approx(255 / (1 + np.exp(-4 * 200 / 400)))
