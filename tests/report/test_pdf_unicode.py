"""Names and words outside Latin-1 print as written in the report PDF (embedded Unicode fonts),
checked with poppler's pdftotext and pdffonts as a reader's tools see the file."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from workstation.model.entities import StudySummary
from workstation.report import pdf as pdf_module
from workstation.report.fonts import ReportFonts, report_fonts
from workstation.report.pdf import Letterhead, render_report_pdf
from workstation.report.templates import fill_report, load_templates

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None or shutil.which("pdffonts") is None,
                                reason="poppler-utils (pdftotext, pdffonts) is not installed")


def _report(study: StudySummary):
    template = load_templates().get("generic")
    report = fill_report(template, study).with_sections(
        findings="Petit hématome sous-dural frontal droit. Größe 12 mm. 右肺下叶结节。",
        impression="Hématome sous-dural; nodule pulmonaire (肺).",
    )
    return report, template


@pytest.fixture
def study() -> StudySummary:
    return StudySummary(
        study_uid="1.2.826.0.1.3680043.8.498.77", patient_name="Wałęsa^Łucja", patient_id="PL-Łódź-1",
        patient_birth_date="19700101", patient_sex="F", study_date="20240301", study_time="101500",
        accession_number="ACC-ŁÓDŹ", study_description="TK głowy", modalities=("CT",),
        referring_physician="Müller^Jürgen",
    )


def test_non_latin1_text_comes_back_from_the_pdf(tmp_path: Path, study: StudySummary) -> None:
    fonts = report_fonts()
    assert fonts.unicode and fonts.cjk is not None, (
        "no Unicode/CJK font found: install fonts-dejavu-core and fonts-wqy-microhei (scripts/run-tests does)")
    report, template = _report(study)
    pdf = render_report_pdf(report, Letterhead("Centrum Radiologii Łódź", department="Service d'imagerie médicale"),
                            template=template)
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, timeout=60,
                          check=True).stdout.decode("utf-8")
    for word in ("Łódź", "hématome", "Größe", "肺", "右肺下叶结节", "WAŁĘSA, Łucja", "MÜLLER, Jürgen", "ACC-ŁÓDŹ",
                 "Service d'imagerie médicale"):
        assert word in text, word
    assert "■" not in text and "Warning" not in text
    fonts_out = subprocess.run(["pdffonts", str(path)], capture_output=True, timeout=60, check=True).stdout.decode()
    rows = [line.split() for line in fonts_out.splitlines()[2:] if line.strip()]
    names = {row[0].split("+")[-1]: row for row in rows}
    assert any("DejaVuSans" in n for n in names), fonts_out
    assert any("WenQuanYi" in n or "wqy" in n.lower() for n in names), fonts_out
    for row in rows:  # emb sub uni: every font embedded (as a subset) with a Unicode map
        assert row[-5:-2] == ["yes", "yes", "yes"], fonts_out
    # the page as a user sees it: the CJK glyphs are drawn (not empty boxes): look at the picture
    if shutil.which("pdftoppm"):
        subprocess.run(["pdftoppm", "-png", "-r", "80", "-singlefile", str(path), str(tmp_path / "page")],
                       check=True, timeout=60)
        page = np.asarray(Image.open(tmp_path / "page.png").convert("L"))
        assert (page < 128).sum() > 2000


def test_without_a_unicode_font_the_page_says_so(monkeypatch: pytest.MonkeyPatch, study: StudySummary) -> None:
    """No font installed (Helvetica only): the text is still written and a warning is visible."""
    monkeypatch.setattr(pdf_module, "report_fonts", lambda: ReportFonts())
    report, template = _report(study)
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(render_report_pdf(report, Letterhead("Riverside"), template=template))
    text = document[0].get_textpage().get_text_range()
    document.close()
    assert "Warning: this computer has no font for some characters of this report" in text
    assert "fonts-wqy-microhei" in text


def test_markup_switches_font_for_cjk_runs() -> None:
    fonts = report_fonts()
    if fonts.cjk is None:
        pytest.skip("no CJK font installed")
    marked = fonts.markup("Nodule <5 mm> 肺结节 & more")
    assert marked == f'Nodule &lt;5 mm&gt; <font name="{fonts.cjk}">肺结节 </font>&amp; more'
