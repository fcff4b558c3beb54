"""The shared tolerant attribute readers (workstation.model.attributes)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from pydicom.dataelem import DataElement, RawDataElement
from pydicom.dataset import Dataset
from pydicom.sequence import Sequence
from pydicom.tag import Tag

from workstation.model.attributes import (
    float_or_none,
    float_values,
    floats,
    int_or_none,
    items,
    raw_value,
    text,
    values,
)


def _malformed() -> Dataset:
    """A dataset whose Referenced Image Sequence holds bytes that are not a sequence: reading
    it raises in pydicom; Instance Number holds text that is not a number."""
    ds = Dataset()
    tag = Tag("ReferencedImageSequence")
    ds[tag] = RawDataElement(tag, "SQ", 3, b"\x01\x02\x03", 0, True, True)
    tag = Tag("InstanceNumber")
    ds[tag] = RawDataElement(tag, "IS", 4, b"abc ", 0, True, True)
    ds.StudyDescription = "  Chest CT  "
    return ds


def test_raw_value_and_text_read_a_malformed_element_as_missing() -> None:
    ds = _malformed()
    with pytest.raises(Exception):  # noqa: B017, PT011 - shows the element really is unreadable
        ds.get("ReferencedImageSequence")
    assert raw_value(ds, "ReferencedImageSequence") is None
    assert text(ds, "ReferencedImageSequence") == ""
    assert int_or_none(ds, "ReferencedImageSequence") is None
    assert float_or_none(ds, "ReferencedImageSequence") is None
    assert int_or_none(ds, "InstanceNumber") is None
    assert text(ds, "InstanceNumber") == "abc"
    assert text(ds, "StudyDescription") == "Chest CT"
    assert text(ds, "StudyDescription", strip=False) == "  Chest CT  "
    assert text(ds, "PatientID") == ""


def test_text_joins_values_decodes_bytes_and_keeps_person_names_whole() -> None:
    ds = Dataset()
    ds.ImageType = ["ORIGINAL", "PRIMARY", "AXIAL"]
    ds.PatientName = "Doe^Jane^^"
    ds.PixelSpacing = ["0.5", "0.75"]
    ds.add(DataElement(Tag("StudyDescription"), "UN", b"abc \xe9 "))
    assert text(ds, "ImageType") == "ORIGINAL\\PRIMARY\\AXIAL"
    assert text(ds, "PatientName") == "Doe^Jane^^"  # a PersonName is iterable but one value
    assert text(ds, "PixelSpacing") == "0.5\\0.75"
    assert text(ds, "StudyDescription") == "abc \xe9"  # VR UN: undecoded bytes, read as Latin-1
    ds.ImageType = [" DERIVED ", " SECONDARY"]
    assert text(ds, "ImageType") == "DERIVED\\SECONDARY"
    assert text(ds, "ImageType", strip=False) == " DERIVED \\ SECONDARY"


def test_values() -> None:
    assert values(None) == []
    assert values("") == []
    assert values("CT") == ["CT"]  # not split into characters
    assert values(b"\x00\x01") == [b"\x00\x01"]
    assert values(3) == [3]
    assert values((1, 2)) == [1, 2]
    ds = Dataset()
    ds.WindowCenter = ["40", "400"]
    ds.PatientName = "Doe^Jane"
    assert values(ds.WindowCenter) == [40.0, 400.0]
    assert values(ds.PatientName) == [ds.PatientName]
    item = Dataset()
    assert values(Sequence([item])) == [item]


def test_int_or_none() -> None:
    ds = Dataset()
    ds.Rows = 512
    ds.InstanceNumber = "12"
    ds.SeriesNumber = ""
    assert int_or_none(ds, "Rows") == 512
    assert int_or_none(ds, "InstanceNumber") == 12
    assert int_or_none(ds, "SeriesNumber") is None
    assert int_or_none(ds, "Columns") is None
    assert int_or_none("3.7") is None
    assert int_or_none("3.7", truncate=True) == 3
    assert int_or_none("-3.7", truncate=True) == -3
    assert int_or_none(3.7) == 3
    assert int_or_none(["1", "2"]) is None
    assert int_or_none("x", truncate=True) is None
    assert int_or_none(math.inf) is None
    assert int_or_none(math.nan, truncate=True) is None
    assert int_or_none(None) is None


def test_float_or_none_and_finiteness() -> None:
    ds = Dataset()
    ds.FrameTime = "33.3"
    ds.CineRate = ""
    assert float_or_none(ds, "FrameTime") == pytest.approx(33.3)
    assert float_or_none(ds, "CineRate") is None
    assert float_or_none(ds, "RecommendedDisplayFrameRate") is None
    assert float_or_none("nan") is None
    assert float_or_none("inf") is None
    assert math.isnan(float_or_none("nan", finite=False) or 0.0)
    assert float_or_none("inf", finite=False) == math.inf
    assert float_or_none(["1", "2"]) is None
    assert float_or_none("abc") is None


def test_float_values_keep_positions() -> None:
    result = float_values(["40", "x", "1e3"])
    assert result[0] == 40.0 and math.isnan(result[1]) and result[2] == 1000.0
    assert float_values(None) == []
    assert float_values("2.5") == [2.5]


def test_floats_requires_count_finite_numbers() -> None:
    ds = Dataset()
    ds.ImagePositionPatient = ["-125.5", "0", "10.25"]
    np.testing.assert_array_equal(floats(ds.ImagePositionPatient, 3), np.array([-125.5, 0.0, 10.25]))
    assert floats(ds.ImagePositionPatient, 6) is None
    assert floats(["1", "nan", "2"], 3) is None
    assert floats(["1", "a", "2"], 3) is None
    assert floats(None, 2) is None
    assert floats("0.5", 2) is None
    result = floats([1, 0, 0, 0, 1, 0], 6)
    assert result is not None and result.dtype == np.float64 and result.shape == (6,)


def test_qc_reads_through_the_shared_readers() -> None:
    from workstation.qc import attributes as qc

    assert qc.text is text
    ds = Dataset()
    ds.PatientName = "DOE^JOHN^^"
    ds.InstanceNumber = "7"
    ds.SliceThickness = "2.5"
    ds.FrameTime = "inf"
    assert qc.text(ds, "PatientName") == "DOE^JOHN^^"  # was "D\\O\\E\\^..." before the merge
    assert qc.integer(ds, "InstanceNumber") == 7
    assert qc.number(ds, "SliceThickness") == 2.5
    assert qc.number(ds, "FrameTime") is None  # not finite


def test_items_of_a_sequence() -> None:
    ds, item = Dataset(), Dataset()
    item.CodeValue = "121071"
    ds.ConceptNameCodeSequence = [item]
    ds.Modality = "SR"
    assert items(ds, "ConceptNameCodeSequence") == [item]
    assert items(ds, "Modality") == []
    assert items(ds, "ContentSequence") == []
    assert items(_malformed(), "ReferencedImageSequence") == []
