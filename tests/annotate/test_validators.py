"""The measurement SR, the key-image KOS and the GSPS pass dciodvfy, dsrdump and PixelMed's
template checks with the warnings counted (tests/validators.py): none but the one named below."""

from __future__ import annotations

from pathlib import Path

import pydicom
from pydicom.dataset import Dataset

from tests import validators
from tests.annotate.helpers import PHANTOM_NAME, phantom_slice
from tests.annotate.test_dicom_objects import all_tools, header
from workstation.annotate.gsps_writer import View, build_presentation_state
from workstation.annotate.key_images import KeyImages
from workstation.annotate.kos import build_key_object_selection, key_images_from_kos
from workstation.annotate.measurements import ImageRef, MeasuredImage
from workstation.annotate.sr_tid1500 import build_measurement_report


def _dciodvfy_clean(obj: Dataset, folder: Path) -> None:
    found = validators.dciodvfy(obj, folder)
    assert found.errors == ()
    assert found.warnings_except(*PHANTOM_NAME) == []
    assert len(found.warnings) == 1  # the phantom's name, nothing else


def test_key_images_are_unnamed_image_items_that_validators_accept(shared_data: Path, tmp_path: Path) -> None:
    slices = [header(phantom_slice(shared_data, i)) for i in (60, 70)]
    keys = KeyImages([ImageRef.of(ds) for ds in slices], "Ödème – Łódź 肺")
    kos = build_key_object_selection(keys, slices)
    references = [item for item in kos.ContentSequence if item.ValueType != "TEXT"]
    # TID 2010 rows 8-10: images are IMAGE items and no reference has a concept name.
    assert [item.ValueType for item in references] == ["IMAGE", "IMAGE"]
    assert not any("ConceptNameCodeSequence" in item for item in references)
    assert [item.ReferencedSOPSequence[0].ReferencedSOPInstanceUID for item in references] == [ds.SOPInstanceUID for ds in slices]

    validators.assert_valid_sr(kos, tmp_path, dciodvfy_warnings=PHANTOM_NAME)
    assert validators.dsrdump(kos, tmp_path).output.count("<contains IMAGE:") == 2

    kos.save_as(tmp_path / "kos.dcm", enforce_file_format=True)
    back = key_images_from_kos(pydicom.dcmread(tmp_path / "kos.dcm"))
    assert [r.sop_instance_uid for r in back.images] == [ds.SOPInstanceUID for ds in slices] and back.note == keys.note


def test_measurement_report_passes_validators(shared_data: Path, tmp_path: Path) -> None:
    ds = phantom_slice(shared_data)
    report = build_measurement_report(all_tools(MeasuredImage.from_dataset(ds)), [header(ds)], observer_name="Wójcik^Zoë")
    validators.assert_valid_sr(report, tmp_path, dciodvfy_warnings=PHANTOM_NAME)


def test_presentation_state_has_no_empty_laterality(shared_data: Path, tmp_path: Path) -> None:
    ds = phantom_slice(shared_data)
    assert "Laterality" not in ds and ds.BodyPartExamined == "BRAIN"  # not a paired body part
    ps = build_presentation_state([header(ds)], all_tools(MeasuredImage.from_dataset(ds)), View(window=(35.0, 90.0)))
    # General Series Laterality (PS3.3 C.7.3.1) is Type 2C: present only for a paired body part.
    assert "Laterality" not in ps and ps.BodyPartExamined == ds.BodyPartExamined
    _dciodvfy_clean(ps, tmp_path)

    paired = header(ds)
    paired.BodyPartExamined = "BREAST"
    assert build_presentation_state([paired]).Laterality == ""  # paired, side unknown: empty
    paired.ImageLaterality = "R"
    assert build_presentation_state([paired]).Laterality == "R"
    paired.Laterality = "L"
    assert build_presentation_state([paired]).Laterality == "L"
