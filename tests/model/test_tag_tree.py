"""The tag browser's rows on real files: private names, nested sequences, search, copy, hostile files."""

from __future__ import annotations

import copy
from pathlib import Path

import pydicom
import pytest
from pydicom.data import get_testdata_file
from pydicom.dataset import Dataset
from pydicom.sequence import Sequence

from workstation.errors import InvalidDicomError
from workstation.model.tag_tree import (
    ITEM,
    MAX_DEPTH,
    NOTE,
    SEQUENCE,
    SHOWN_CHARACTERS,
    ancestors,
    copy_text,
    load_header,
    search_rows,
    tag_rows,
)


def _ct() -> Dataset:
    return pydicom.dcmread(get_testdata_file("CT_small.dcm"))


def _by_tag(rows: list, tag: str):  # type: ignore[no-untyped-def]
    return next(r for r in rows if r.tag == tag)


def test_elements_private_tags_and_binary_values() -> None:
    ds = _ct()
    rows = tag_rows(ds)
    top = [r for r in rows if r.depth == 0]
    assert len(top) == len(ds) + len(ds.file_meta)  # one row per element, file meta included
    assert rows[0].tag == "(0002,0000)" and [r.tag for r in top] == sorted(r.tag for r in top)

    name = _by_tag(rows, "(0010,0010)")
    assert (name.keyword, name.vr, name.vm, name.value) == ("PatientName", "PN", 1, str(ds.PatientName))
    creator = _by_tag(rows, "(0009,0010)")
    assert creator.name == "Private Creator" and creator.value == "GEMS_IDEN_01"
    private = _by_tag(rows, "(0009,1001)")  # known to pydicom's private dictionary for GE
    assert private.private_creator == "GEMS_IDEN_01" and private.keyword == ""
    assert private.name == "GEMS_IDEN_01 \u00b7 Full fidelity"
    binary = _by_tag(rows, "(0043,1029)")
    assert binary.vr == "OB" and binary.value == f"(binary, {len(ds[0x00431029].value)} bytes)"
    pixels = _by_tag(rows, "(7FE0,0010)")
    assert pixels.value == f"(binary, {len(ds.PixelData)} bytes)"
    multi = _by_tag(rows, "(0028,0030)")  # Pixel Spacing, VM 2
    assert multi.vm == 2 and multi.value == "\\".join(str(v) for v in ds.PixelSpacing)


def test_nested_sequences_have_item_rows_and_parents(shared_data: Path) -> None:
    path = next((shared_data / "ct_head_phantom_philips" / "S2010").iterdir())
    ds = pydicom.dcmread(path, stop_before_pixels=True)
    rows = tag_rows(ds)
    sequences = [r for r in rows if r.kind == SEQUENCE and r.depth == 0]
    assert {r.keyword for r in sequences} >= {"ReferencedImageSequence", "ReferencedPerformedProcedureStepSequence"}
    ref = next(r for r in sequences if r.keyword == "ReferencedImageSequence")
    assert ref.vm == len(ds.ReferencedImageSequence) and ref.value == f"{ref.vm} item" + ("s" if ref.vm != 1 else "")
    items = [r for r in rows if r.parent == ref.index]
    assert [r.kind for r in items] == [ITEM] * ref.vm and items[0].name == "Item 1" and items[0].depth == 1
    inner = [r for r in rows if r.parent == items[0].index]
    assert {r.keyword for r in inner} == {e.keyword for e in ds.ReferencedImageSequence[0]}
    uid_row = next(r for r in inner if r.keyword == "ReferencedSOPInstanceUID")
    assert uid_row.depth == 2 and list(ancestors(rows, uid_row.index)) == [items[0].index, ref.index]
    assert copy_text(uid_row) == ds.ReferencedImageSequence[0].ReferencedSOPInstanceUID


def test_search_by_keyword_tag_and_value() -> None:
    rows = tag_rows(_ct())
    for query in ("PatientName", "patientname", "(0010,0010)", "0010,0010", "00100010"):
        assert _by_tag(rows, "(0010,0010)").index in search_rows(rows, query), query
    hits = search_rows(rows, "hispeed")  # a value substring, case-insensitive
    assert {rows[i].tag for i in hits} >= {"(0009,1004)"}
    assert all("hispeed" in (rows[i].full_value + rows[i].name).lower() for i in hits)
    assert {rows[i].tag for i in search_rows(rows, "Full fidelity")} == {"(0009,1001)"}  # private name
    assert search_rows(rows, "  ") == [] and search_rows(rows, "no such thing anywhere") == []


def test_long_and_multiline_values_are_shown_safely() -> None:
    ds = _ct()
    text = "line one\nline two\r\n" + "x" * 5000 + "\x07"
    ds.ImageComments = text
    row = _by_tag(tag_rows(ds), "(0020,4000)")
    assert "\n" not in row.value and "\r" not in row.value and "\x07" not in row.value
    assert len(row.value) < SHOWN_CHARACTERS + 30 and row.value.endswith(f"({len(text)} characters)")
    assert copy_text(row) == text


def test_deep_nesting_is_cut_not_recursed() -> None:
    ds = Dataset()
    inner = ds
    for _ in range(MAX_DEPTH + 10):
        item = Dataset()
        inner.ReferencedImageSequence = Sequence([item])
        inner = item
    inner.ReferencedSOPInstanceUID = "1.2.3"
    rows = tag_rows(ds)
    notes = [r for r in rows if r.kind == NOTE]
    assert len(notes) == 1 and "nesting" in notes[0].name
    assert max(r.depth for r in rows) <= MAX_DEPTH + 2  # the note sits inside the last item shown
    assert not any(r.keyword == "ReferencedSOPInstanceUID" for r in rows)


def test_malformed_corpus(shared_data: Path) -> None:
    """Every hostile file gives rows or one typed error; values stay one printable, bounded line."""
    folder = shared_data / "malformed"
    files = [p for p in sorted(folder.rglob("*")) if p.is_file() and p.suffix not in (".tsv", ".txt", ".md")]
    files = [p for p in files if p.stat().st_size < 50_000_000]
    assert len(files) > 30
    shown = refused = 0
    for path in files:
        try:
            header = load_header(path)
        except InvalidDicomError as exc:
            assert path.name in str(exc)
            refused += 1
            continue
        for row in tag_rows(header):
            assert row.value.isprintable() and len(row.value) < SHOWN_CHARACTERS + 30, path.name
        shown += 1
    assert shown > 25
    xss = tag_rows(load_header(folder / "orthanc" / "2017-06-27-XSSInjection.dcm"))
    study = _by_tag(xss, "(0008,1030)")
    assert "<script>" in study.value  # shown as the text it is (the view is plain text)


def test_copy_of_item_and_note_rows_is_empty() -> None:
    ds = _ct()
    ds.ReferencedImageSequence = Sequence([copy.deepcopy(Dataset())])
    rows = tag_rows(ds)
    item = next(r for r in rows if r.kind == ITEM)
    assert copy_text(item) == ""


def test_unreadable_file_is_a_typed_error(tmp_path: Path) -> None:
    path = tmp_path / "not-dicom.dcm"
    for content in (b"\x00" * 10, b"This is a plain text note, not an image.\n" * 3):
        path.write_bytes(content)
        with pytest.raises(InvalidDicomError, match="not-dicom.dcm"):
            load_header(path)
