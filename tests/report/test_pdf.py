"""The report PDF: rendered with pdftoppm and checked for what must be on the page."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import numpy as np
import pypdfium2 as pdfium
import pytest
from PIL import Image

from tests.report.pki import ThrowawayPKI
from workstation.errors import ReportError
from workstation.model.entities import StudySummary
from workstation.report.model import KeyImage
from workstation.report.pdf import Letterhead, render_report_pdf
from workstation.report.signing import Pkcs12Credential, sign_report
from workstation.report.templates import fill_report, load_templates

LH = Letterhead("Riverside Imaging", ("1 Main Street", "Springfield"), phone="+1 555 0100",
                email="reports@example.org", department="Department of Radiology")


def _text(pdf: bytes) -> str:
    doc = pdfium.PdfDocument(pdf)
    try:
        return "\n".join(doc[i].get_textpage().get_text_range() for i in range(len(doc)))
    finally:
        doc.close()


def _png(pdf: bytes, tmp_path: Path, name: str) -> np.ndarray:
    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm (poppler-utils) is not installed")
    src = tmp_path / f"{name}.pdf"
    src.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-png", "-r", "50", "-singlefile", str(src), str(tmp_path / name)], check=True, timeout=60)
    return np.asarray(Image.open(tmp_path / f"{name}.png").convert("RGB")).astype(np.int16)


def test_draft_pdf_content_and_thumbnails(tmp_path: Path, ct_head_study: StudySummary) -> None:
    template = load_templates().get("ct_head")
    report = fill_report(template, ct_head_study, priors=[("20230101", "CT", "CT HEAD")], measurements=["Lesion: 12 mm"],
                         key_images=[KeyImage("1.2", "1.2.3", caption="Axial 42")]).with_field("midline_shift", 3)
    report = report.with_placeholders_accepted(sections=["technique", "comparison"])
    green = np.zeros((64, 64, 3), np.uint8)
    green[..., 1] = 255
    pdf = render_report_pdf(report, LH, template=template, key_image_pixels=[green])
    text = _text(pdf)
    for expected in ("Riverside Imaging", "DOE, Jane", "PID-7", "ACC42", "1960-01-01", "CT head", "Technique",
                     "Comparison", "CT 2023-01-01 (CT HEAD).", "Midline shift: 3 mm", "Lesion: 12 mm",
                     "Axial 42", "Not signed: this is a draft report", "DRAFT"):
        assert expected in text, expected
    pixels = _png(pdf, tmp_path, "draft")
    pure_green = (pixels[..., 1] > 240) & (pixels[..., 0] < 20) & (pixels[..., 2] < 20)
    # the 64x64 thumbnail is drawn 55 mm wide: at 50 dpi about 108 px square
    ys, xs = np.nonzero(pure_green)
    assert 100 <= np.ptp(xs) + 1 <= 112 and 100 <= np.ptp(ys) + 1 <= 112
    reddish = (pixels[..., 0] > pixels[..., 1] + 20) & (pixels[..., 0] > pixels[..., 2] + 20)
    assert reddish.sum() > 200  # the DRAFT mark


def test_signed_pdf_names_signer_and_time(tmp_path: Path, ct_head_study: StudySummary, credential: Pkcs12Credential,
                                          pki: ThrowawayPKI) -> None:
    template = load_templates().get("ct_head")
    report = fill_report(template, ct_head_study).with_sections(impression="No acute intracranial abnormality.")
    report = report.with_field("haemorrhage", False)
    signed = sign_report(report, credential, letterhead=LH, template=template, trust_roots=[pki.ca_pem],
                         accept_placeholders=True)
    text = _text(signed.pdf_bytes)
    stamp = signed.signed_at.strftime("%Y-%m-%d %H:%M:%S UTC")
    assert f"Electronically signed by Dr Alice Radiologist on {stamp}." in text
    assert "DRAFT" not in text and "Not signed" not in text
    pixels = _png(signed.pdf_bytes, tmp_path, "final")
    reddish = (pixels[..., 0] > pixels[..., 1] + 20) & (pixels[..., 0] > pixels[..., 2] + 20)
    assert reddish.sum() < 20


def test_bad_thumbnail_is_refused(ct_head_study: StudySummary) -> None:
    template = load_templates().get("generic")
    report = fill_report(template, ct_head_study)
    with pytest.raises(ReportError, match="Key image 1 must hold 8-bit"):
        render_report_pdf(report, LH, key_image_pixels=[np.zeros((8, 8, 3), np.int16)])
    with pytest.raises(ReportError, match="shape"):
        render_report_pdf(report, LH, key_image_pixels=[np.zeros((8, 8, 4), np.uint8)])
