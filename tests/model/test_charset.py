"""recode_as_utf8: a dataset in any character set, nested items included, written back as UTF-8."""

from __future__ import annotations

import io

import pydicom
import pytest
from pydicom.data import get_charset_files

from workstation.model.charset import UTF8, recode_as_utf8

NAME = "ﾔﾏﾀﾞ^ﾀﾛｳ=山田^太郎=やまだ^たろう"


def _round_trip(name: str) -> tuple[pydicom.Dataset, bytes]:
    ds = recode_as_utf8(pydicom.dcmread(get_charset_files(name)[0]))
    buffer = io.BytesIO()
    ds.save_as(buffer)
    return pydicom.dcmread(io.BytesIO(buffer.getvalue())), buffer.getvalue()


@pytest.mark.parametrize("name", ["chrSQEncoding.dcm", "chrSQEncoding1.dcm"])
def test_nested_items_in_another_set_come_back_as_utf8(name: str) -> None:
    # pydicom's files: a Japanese name (ISO 2022 IR 13 + IR 87, escape sequences) in a sequence
    # item, declared either on the item (the top level being UTF-8) or on the top level.
    back, data = _round_trip(name)
    assert back.SpecificCharacterSet == UTF8
    item = back.RequestedProcedureCodeSequence[0]
    assert "SpecificCharacterSet" not in item and str(item.PatientName) == NAME
    assert NAME.encode("utf-8") in data and b"\x1b$B" not in data  # no ISO 2022 left


@pytest.mark.parametrize(("name", "expected"), [("chrFrenMulti.dcm", "Buc^Jérôme"), ("chrH31.dcm", "Yamada^Tarou=山田^太郎=やまだ^たろう")])
def test_top_level_names(name: str, expected: str) -> None:
    back, data = _round_trip(name)
    assert back.SpecificCharacterSet == UTF8 and str(back.PatientName) == expected
    assert expected.encode("utf-8") in data
