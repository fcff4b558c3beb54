"""The fast DICOM JSON reader (PS3.18 F.2) gives the same datasets as pydicom's own."""

from __future__ import annotations

import time

import pytest
from pydicom import dcmread
from pydicom.data import get_testdata_file
from pydicom.dataset import Dataset

from workstation.model.dicom_json import dataset_from_json

FILES = ["CT_small.dcm", "MR_small.dcm", "rtplan.dcm", "test-SR.dcm", "JPEG2000.dcm", "SC_rgb_jpeg.dcm", "rtdose.dcm"]


def as_json(name: str, uris: dict[str, str] | None = None) -> dict:
    ds = dcmread(str(get_testdata_file(name)))

    def bulk(elem: object) -> str:
        return "http://archive/bulk/" + name

    return ds.to_json_dict(bulk_data_threshold=1024, bulk_data_element_handler=bulk)  # type: ignore[arg-type]


@pytest.mark.parametrize("name", FILES)
def test_same_dataset_as_pydicom(name: str) -> None:
    obj = as_json(name)
    theirs_uris: list[tuple[str, str]] = []
    ours_uris: list[tuple[str, str]] = []
    theirs = Dataset.from_json(obj, bulk_data_uri_handler=lambda t, vr, u: theirs_uris.append((t.upper(), u)) or None)  # type: ignore[func-returns-value]
    ours = dataset_from_json(obj, lambda t, vr, u: ours_uris.append((t, u)))
    assert ours == theirs
    assert sorted(ours_uris) == sorted(theirs_uris)
    for a, b in zip(theirs.iterall(), ours.iterall(), strict=True):
        assert (a.tag, a.VR, a.value) == (b.tag, b.VR, b.value)


def test_person_names_nulls_and_empty_values() -> None:
    obj = {
        "00100010": {"vr": "PN", "Value": [{"Alphabetic": "Yamada^Tarou", "Ideographic": "山田^太郎"}]},
        "00080008": {"vr": "CS", "Value": ["ORIGINAL", None, "AXIAL"]},
        "00180050": {"vr": "DS"},
        "00081140": {"vr": "SQ"},
        "00280009": {"vr": "AT", "Value": ["00181063"]},
    }
    ours = dataset_from_json(obj)
    assert ours == Dataset.from_json(obj)
    assert str(ours.PatientName) == "Yamada^Tarou=山田^太郎"
    assert ours.FrameIncrementPointer == 0x00181063


def test_malformed_json_is_a_value_error() -> None:
    with pytest.raises(ValueError):
        dataset_from_json({"zz": {"vr": "CS"}})
    with pytest.raises(ValueError):
        dataset_from_json([])  # type: ignore[arg-type]


def test_faster_than_pydicom() -> None:
    obj = as_json("CT_small.dcm")
    t0 = time.perf_counter()
    for _ in range(30):
        Dataset.from_json(obj)
    theirs = time.perf_counter() - t0
    t0 = time.perf_counter()
    for _ in range(30):
        dataset_from_json(obj)
    ours = time.perf_counter() - t0
    assert ours < theirs / 2, (ours, theirs)
