"""Encapsulated PDF: pad byte, page count, rendering and text, checked against the file."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pydicom
import pypdfium2
import pytest
from pydicom.data import get_testdata_file
from pydicom.dataset import Dataset

from workstation.errors import DocumentError, InvalidDicomError
from workstation.model.pdf_document import pdf_bytes, read_pdf_document


@pytest.fixture(scope="module")
def sample(shared_data: Path) -> Path:
    return shared_data / "orthanc_tests_selected" / "sample-pdf.dcm"


def test_pad_byte_trimmed_after_eof(sample: Path) -> None:
    ds = pydicom.dcmread(sample)
    raw = bytes(ds.EncapsulatedDocument)
    assert "EncapsulatedDocumentLength" not in ds and raw.endswith(b"%%EOF\n\x00")
    data = pdf_bytes(ds)
    assert data == raw[:-1] and data.startswith(b"%PDF-")
    ds.EncapsulatedDocumentLength = len(raw) - 1
    assert pdf_bytes(ds) == raw[:-1]
    # A declared length equal to the value keeps every byte; a NUL not after %%EOF stays.
    ds.EncapsulatedDocumentLength = len(raw)
    assert pdf_bytes(ds) == raw
    del ds.EncapsulatedDocumentLength
    ds.EncapsulatedDocument = raw[:-1] + b"\x00\x00"  # the last NUL does not follow %%EOF: kept
    assert pdf_bytes(ds) == raw[:-1] + b"\x00\x00"


def test_page_count_render_and_text(sample: Path) -> None:
    with read_pdf_document(sample) as doc:
        independent = pypdfium2.PdfDocument(bytes(pydicom.dcmread(sample).EncapsulatedDocument))
        assert doc.page_count == len(independent) == 1
        assert doc.page_size_points(0) == (612.0, 792.0)  # US Letter
        page = doc.render_page(0, dpi=72)
        assert page.pixels.shape == (792, 612, 3) and page.pixels.dtype == np.uint8
        dark = float((page.pixels.mean(axis=2) < 128).mean())
        assert 0.001 < dark < 0.2  # text on white, not blank and not black
        assert page.pixels[0, 0].tolist() == [255, 255, 255]
        doubled = doc.render_page(0, dpi=144)
        assert doubled.pixels.shape == (1584, 1224, 3)
        text = doc.page_text(0)
        assert text.startswith("Doctor Sample") and "Dear Patient," in text and "Lorem ipsum dolor sit amet" in text
        huge = doc.render_page(0, dpi=20000)
        assert huge.dpi < 20000 and huge.pixels.shape[0] * huge.pixels.shape[1] <= 40_000_000
        with pytest.raises(IndexError):
            doc.render_page(1)


def test_corrupt_and_wrong_objects(sample: Path) -> None:
    ds = pydicom.dcmread(sample)
    ds.EncapsulatedDocument = b"%PDF-1.4\n garbage that is not a PDF \n%%EOF\n"
    with pytest.raises(DocumentError, match="damaged") as info:
        read_pdf_document(ds)
    assert ds.SOPInstanceUID in str(info.value)
    ds.EncapsulatedDocument = bytes(pydicom.dcmread(sample).EncapsulatedDocument)[:4000]  # truncated
    with pytest.raises(DocumentError):
        read_pdf_document(ds).render_page(0)
    del ds.EncapsulatedDocument
    with pytest.raises(DocumentError, match="holds no PDF"):
        read_pdf_document(ds)
    with pytest.raises(DocumentError, match="not an encapsulated PDF"):
        read_pdf_document(Path(get_testdata_file("CT_small.dcm")))
    with pytest.raises((InvalidDicomError, DocumentError)):
        read_pdf_document(b"not dicom at all" * 20)


def test_pdf_in_a_fresh_dataset() -> None:
    """A PDF we make ourselves, put into an Encapsulated PDF dataset with odd length padding."""
    pdf = pypdfium2.PdfDocument.new()
    pdf.new_page(200, 100)
    pdf.new_page(300, 400)
    import io

    buf = io.BytesIO()
    pdf.save(buf)
    data = buf.getvalue()
    ds = Dataset()
    ds.SOPClassUID = "1.2.840.10008.5.1.4.1.1.104.1"
    ds.SOPInstanceUID = "1.2.3.4"
    ds.MIMETypeOfEncapsulatedDocument = "application/pdf"
    ds.EncapsulatedDocument = data + (b"\x00" if len(data) % 2 else b"")
    ds.EncapsulatedDocumentLength = len(data)
    doc = read_pdf_document(ds)
    assert doc.data == data and doc.page_count == 2
    assert doc.page_size_points(1) == (300.0, 400.0)
    blank = doc.render_page(0, dpi=72).pixels
    assert blank.shape == (100, 200, 3) and int(blank.min()) == 255
