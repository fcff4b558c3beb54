"""``workstation qc`` through cmd_qc with a real library (and a real archive), and the PDF."""

from __future__ import annotations

import argparse
import json
import subprocess
from pathlib import Path

import pydicom
import pypdfium2
import pytest

from tests import orthanc as orthanc_mod
from tests.qc.helpers import PHANTOM, read_headers
from workstation.qc.cli import add_qc_parser, cmd_qc
from workstation.qc.pdf import write_pdf
from workstation.qc.run import run_checks
from workstation.settings import Settings
from workstation.store.library import Library


def parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="workstation")
    add_qc_parser(parser.add_subparsers(dest="verb"))
    return parser.parse_args(["qc", *argv])


def pdf_text(path: Path) -> str:
    document = pypdfium2.PdfDocument(str(path))
    try:
        return "\n".join(document[i].get_textpage().get_text_range() for i in range(len(document)))
    finally:
        document.close()


def test_cli_on_the_library(shared_data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    settings = Settings()
    folder = shared_data / PHANTOM / "S2010"
    files = sorted(folder.glob("*.dcm"))
    with Library(settings.library_path()) as library:
        for path in files:
            assert library.add_file(path).stored
    study_uid = str(pydicom.dcmread(files[0], stop_before_pixels=True).StudyInstanceUID)

    pdf = tmp_path / "qc.pdf"
    assert cmd_qc(parse(study_uid, "--json", "--pdf", str(pdf)), settings) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["study"]["number_of_instances"] == len(files) and data["study"]["pixels_checked"] is True
    assert data["counts"]["error"] == 0 and data["status"] in ("no_findings", "info")
    assert pdf.read_bytes().startswith(b"%PDF") and study_uid in pdf_text(pdf).replace("\r", "").replace("\n", "")

    # A second study: the same images, one of them given another patient ID and new UIDs.
    other_study, other_series = pydicom.uid.generate_uid(), pydicom.uid.generate_uid()
    with Library(settings.library_path()) as library:
        for n, path in enumerate(files[:6]):
            ds = pydicom.dcmread(path)
            ds.StudyInstanceUID = other_study
            ds.SOPInstanceUID = pydicom.uid.generate_uid()
            ds.SeriesInstanceUID = other_series
            if n == 2:
                ds.SeriesInstanceUID = pydicom.uid.generate_uid()
                ds.SeriesNumber = 7
                ds.PatientID = "QC-OTHER-7"
            out = tmp_path / f"{n}.dcm"
            ds.save_as(out)
            assert library.add_file(out).stored
    assert cmd_qc(parse(other_study), settings) == 1
    text = capsys.readouterr().out
    assert "[patient_id_mismatch]" in text and "series 7" in text and "QC-OTHER-7" not in text


def test_cli_from_the_archive(shared_data: Path, orthanc: orthanc_mod.OrthancServer,
                              capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WORKSTATION_USER", orthanc.user)
    monkeypatch.setenv("WORKSTATION_PASSWORD", orthanc.password)
    files = sorted((shared_data / "ct_head_human_ge_tilt").glob("*.dcm"))
    orthanc.upload_files(files)
    study_uid = str(pydicom.dcmread(files[0], stop_before_pixels=True).StudyInstanceUID)
    assert cmd_qc(parse(study_uid, "--json", "--archive", orthanc.dicomweb_url), Settings()) == 0
    data = json.loads(capsys.readouterr().out)
    codes = {f["code"] for f in data["findings"]}
    assert {"gantry_tilt", "uneven_spacing", "pixels_not_checked"} <= codes
    assert data["study"]["pixels_checked"] is False and data["study"]["number_of_instances"] == len(files)


def test_pdf_lists_every_finding_on_several_pages(shared_data: Path, tmp_path: Path) -> None:
    headers, _ = read_headers(shared_data / "dicom2nifti_selected" / "failing" / "sliceincrement" / "002")
    tilt, _ = read_headers(shared_data / "ct_head_human_ge_tilt")
    report = run_checks(headers + tilt)
    path = write_pdf(report, tmp_path / "report.pdf", patient_name="TEST^PATIENT", patient_id="PID-1")
    text = pdf_text(path).replace("\r", "")
    flat = " ".join(text.split())
    for finding in report.findings:
        assert finding.code.replace("_", " ") in flat
        assert " ".join(finding.sentence.split()[:6]) in flat
    assert "TEST PATIENT (PID-1)" in flat and "Acquisition quality control report" in flat
    png = subprocess.run(["pdftoppm", "-r", "30", "-png", str(path), str(tmp_path / "page")], capture_output=True)
    if png.returncode == 0:  # poppler present: the pages render
        assert sorted(p.name for p in tmp_path.glob("page*.png"))
