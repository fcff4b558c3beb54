"""SR documents read into blocks: checked against pydicom's own reading of the same files."""

from __future__ import annotations

import copy
import re
from pathlib import Path

import pydicom
import pytest
from pydicom.data import get_testdata_file
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.sequence import Sequence
from pydicom.uid import ExplicitVRLittleEndian, generate_uid

from workstation.errors import InvalidDicomError
from workstation.model.sr_document import MAX_ITEMS, BlockKind, read_sr_document

XSS = "MyStudy<script>alert(\"XSS inside DICOM file 2\");</script>"


def _walk_pydicom(ds: Dataset) -> list[Dataset]:
    """Independent pre-order list of content items (recursive: fine for these small files)."""
    out = [ds]
    for child in ds.get("ContentSequence", []):
        out.extend(_walk_pydicom(child))
    return out


def _code(value: str, meaning: str, scheme: str = "99TEST") -> Dataset:
    code = Dataset()
    code.CodeValue, code.CodingSchemeDesignator, code.CodeMeaning = value, scheme, meaning
    return code


def _sr(children: list[Dataset], title: str = "Report") -> Dataset:
    ds = Dataset()
    ds.SOPClassUID = "1.2.840.10008.5.1.4.1.1.88.22"  # Enhanced SR
    ds.SOPInstanceUID = generate_uid()
    ds.ValueType = "CONTAINER"
    ds.ContinuityOfContent = "SEPARATE"
    ds.ConceptNameCodeSequence = Sequence([_code("1", title)])
    ds.CompletionFlag, ds.VerificationFlag = "COMPLETE", "UNVERIFIED"
    ds.ContentSequence = Sequence(children)
    return ds


def _text_item(value: str, meaning: str = "Finding") -> Dataset:
    item = Dataset()
    item.RelationshipType, item.ValueType = "CONTAINS", "TEXT"
    item.ConceptNameCodeSequence = Sequence([_code("2", meaning)])
    item.TextValue = value
    return item


def test_pydicom_test_sr_every_item_in_order() -> None:
    path = Path(get_testdata_file("test-SR.dcm"))
    ds = pydicom.dcmread(path)
    doc = read_sr_document(path)
    items = _walk_pydicom(ds)
    assert len(doc.blocks) == len(items) == 29  # dsrdump lists 29 items too
    for block, item in zip(doc.blocks, items, strict=True):
        if "ValueType" in item:
            assert block.value_type == item.ValueType
        else:
            assert block.kind is BlockKind.REFERENCE
    assert doc.title == ds.ConceptNameCodeSequence[0].CodeMeaning == "Diagnosis"
    assert (doc.completion_flag, doc.verification_flag) == ("COMPLETE", "VERIFIED")
    assert [v.organization for v in doc.verifying_observers] == [str(v.VerifyingOrganization) for v in ds.VerifyingObserverSequence]
    nums = [b for b in doc.blocks if b.value_type == "NUM"]
    assert [b.numeric_value for b in nums] == [3.0, 3.0]
    assert nums[0].text == "3 Length Unit"  # not UCUM: the unit's meaning
    scoord = next(b for b in doc.blocks if b.value_type == "SCOORD")
    item = next(i for i in items if i.get("ValueType") == "SCOORD")
    assert scoord.graphic_type == item.GraphicType == "CIRCLE"
    assert [c for p in scoord.points for c in p] == [float(v) for v in item.GraphicData]
    ref = next(b for b in doc.blocks if b.kind is BlockKind.REFERENCE)
    assert ref.referenced_positions == ("1.3.2",)
    image = next(b for b in doc.blocks if b.value_type == "IMAGE" and b.references and b.references[0].frames)
    assert image.references[0].sop_class_name == "CT Image Storage"
    assert image.references[0].presentation_state_uid  # IMAGE with its GSPS
    text = doc.to_text()
    assert "Sample Text\n" in text and "\r" not in text  # lone CRs made line breaks


def test_tid1500_measurement_report(shared_data: Path) -> None:
    path = shared_data / "highdicom_test_files" / "sr_document.dcm"
    ds = pydicom.dcmread(path)
    doc = read_sr_document(path)
    assert doc.title == "Imaging Measurement Report" and doc.preliminary_flag == "PRELIMINARY"
    assert len(doc.blocks) == len(_walk_pydicom(ds))
    headings = [b.label for b in doc.blocks if b.kind is BlockKind.HEADING]
    assert headings[:4] == ["Imaging Measurement Report", "Image Library", "Imaging Measurements", "Measurement Group"]
    expected_nums = [
        (i.ConceptNameCodeSequence[0].CodeMeaning, float(i.MeasuredValueSequence[0].NumericValue), i.MeasuredValueSequence[0].MeasurementUnitsCodeSequence[0].CodeValue)
        for i in _walk_pydicom(ds) if i.get("ValueType") == "NUM"
    ]
    got = [(b.label, b.numeric_value, b.unit) for b in doc.blocks if b.value_type == "NUM"]
    assert got == expected_nums and ("Area of defined region", 1.7, "cm2") in got
    assert any(o == "Person Observer Name: Foo" for o in doc.observers)
    region = next(b for b in doc.blocks if b.label == "Image Region")
    source = doc.blocks[doc.blocks.index(region) + 1]
    assert (source.relationship, source.value_type) == ("SELECTED FROM", "IMAGE")
    assert source.references[0].sop_instance_uid.startswith("1.3.6.1.4.1.5962")


def test_basic_text_sr_from_orthanc(shared_data: Path) -> None:
    path = shared_data / "orthanc_tests_selected" / "HierarchicalAnonymization" / "StructuredReports" / "IM0.dcm"
    ds = pydicom.dcmread(path)
    doc = read_sr_document(path.read_bytes())
    assert doc.document_type == "Basic Text SR Storage"
    assert doc.title == "Annotations" and doc.completion_flag == "PARTIAL"
    texts = [b.text for b in doc.blocks if b.value_type == "TEXT"]
    assert texts == [str(i.TextValue).replace("\r\n", "\n").strip() for i in _walk_pydicom(ds) if i.get("ValueType") == "TEXT"]
    assert doc.content_date == "2018-03-28"


def test_deflated_enhanced_sr(shared_data: Path) -> None:
    path = shared_data / "codecs_dicomparser_encapsulation" / "deflate" / "report_dfl"
    ds = pydicom.dcmread(path)
    assert ds.file_meta.TransferSyntaxUID == "1.2.840.10008.1.2.1.99"
    doc = read_sr_document(path)
    assert doc.title == "Consultation Report"
    pnames = [b.text for b in doc.blocks if b.value_type == "PNAME"]
    assert pnames[0] == "David M. Packer, M. D."  # Packer^David M.^^^M. D.
    assert pnames[1] == "Dr. Fukuda"  # Fukuda^^^Dr.
    diameter = next(b for b in doc.blocks if b.label == "Diameter")
    assert (diameter.numeric_value, diameter.unit, diameter.text) == (1.5, "cm", "1.5 cm")
    assert "Observer Organization Name: Redlands Clinic" in doc.observers


def test_html_escapes_hostile_text(shared_data: Path) -> None:
    hostile = pydicom.dcmread(shared_data / "malformed" / "orthanc" / "2017-06-27-XSSInjection.dcm")
    values = [str(hostile.StudyDescription), str(hostile.SeriesDescription)]
    assert all("<script>" in v for v in values)
    root = _sr([_text_item(values[0], meaning=values[1]), _text_item('"><img src=x onerror=alert(1)>\x00\x1b')], title=values[0])
    root.CompletionFlagDescription = values[1]
    doc = read_sr_document(root)
    page = doc.to_html()
    assert "<script" not in page.lower() and "<img" not in page.lower()
    assert "&lt;script&gt;" in page and "\x00" not in page and "\x1b" not in page
    tags = set(re.findall(r"</?([a-zA-Z0-9]+)", page))
    assert tags <= {"div", "h1", "h2", "h3", "table", "tr", "th", "td", "p", "br"}
    assert values[0] in doc.to_text()  # plain text keeps the value as written


def test_deep_nesting_and_many_items_do_not_recurse() -> None:
    leaf = _text_item("bottom")
    node = leaf
    for _ in range(5000):
        parent = Dataset()
        parent.RelationshipType, parent.ValueType = "CONTAINS", "CONTAINER"
        parent.ContentSequence = Sequence([node])
        node = parent
    doc = read_sr_document(_sr([node]))
    assert any(b.kind is BlockKind.SKIPPED and "deeper" in b.text for b in doc.blocks)
    assert max(b.depth for b in doc.blocks) <= 65
    assert "(untitled section)" in doc.to_text()

    many = _sr([_text_item(str(i)) for i in range(MAX_ITEMS + 50)])
    doc = read_sr_document(many)
    assert len(doc.blocks) == MAX_ITEMS + 1
    assert doc.blocks[-1].kind is BlockKind.SKIPPED and "51 more" in doc.blocks[-1].text


def test_unknown_value_types_and_missing_concepts() -> None:
    odd = Dataset()
    odd.RelationshipType, odd.ValueType = "CONTAINS", "HOLOGRAM<b>"
    no_concept = Dataset()
    no_concept.RelationshipType, no_concept.ValueType, no_concept.TextValue = "CONTAINS", "TEXT", "no name"
    bad_num = Dataset()
    bad_num.RelationshipType, bad_num.ValueType = "CONTAINS", "NUM"
    mv = Dataset()
    mv.NumericValue = "12.5"
    bad_num.MeasuredValueSequence = Sequence([mv])
    bad_scoord = Dataset()
    bad_scoord.RelationshipType, bad_scoord.ValueType, bad_scoord.GraphicType = "CONTAINS", "SCOORD", "POINT"
    bad_scoord.add_new(0x00700022, "LO", "a\\b")  # Graphic Data with the wrong VR and no numbers
    doc = read_sr_document(_sr([odd, no_concept, bad_num, bad_scoord]))
    kinds = [(b.kind, b.value_type) for b in doc.blocks[1:]]
    assert kinds[0] == (BlockKind.SKIPPED, "HOLOGRAM<b>") and "not shown" in doc.blocks[1].text
    assert doc.blocks[2].text == "no name" and doc.blocks[2].label == ""
    assert (doc.blocks[3].numeric_value, doc.blocks[3].unit) == (12.5, "")
    assert doc.blocks[4].kind is BlockKind.SKIPPED and "malformed" in doc.blocks[4].text
    assert "&lt;b&gt;" in doc.to_html()


def test_not_an_sr_and_hostile_files(shared_data: Path) -> None:
    with pytest.raises(InvalidDicomError, match="not a structured report"):
        read_sr_document(Path(get_testdata_file("CT_small.dcm")))
    with pytest.raises(InvalidDicomError, match="nested too deeply|not a readable"):
        read_sr_document(shared_data / "malformed" / "orthanc" / "2026-05-06-Deeply-Nested-Sequence.dcm")
    with pytest.raises(InvalidDicomError):
        read_sr_document(b"\x00" * 200)
    # Every file of the malformed corpus either reads or fails with the typed error.
    for path in sorted((shared_data / "malformed").rglob("*")):
        if path.is_file() and path.suffix not in (".txt", ".tsv") and path.stat().st_size < 1_000_000:
            with pytest.raises(InvalidDicomError):
                read_sr_document(path)


def test_round_trip_through_bytes_matches_dataset() -> None:
    ds = _sr([_text_item("Normal chest.", "Impression")], title="Diagnostic imaging report")
    ds.file_meta = FileMetaDataset()
    ds.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds.file_meta.MediaStorageSOPClassUID = ds.SOPClassUID
    ds.file_meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
    import io

    buf = io.BytesIO()
    pydicom.dcmwrite(buf, copy.deepcopy(ds), enforce_file_format=True)
    from_bytes = read_sr_document(buf.getvalue())
    assert from_bytes.to_text() == read_sr_document(ds).to_text()
    assert "Impression: Normal chest." in from_bytes.to_text()
