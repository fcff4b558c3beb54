"""One version, written in one place (``workstation.__version__``), everywhere the software names itself.

--version, the installed distribution's metadata (pyproject.toml reads it from there), and Software
Versions (0018,1020, PS3.3 C.7.5.1 General Equipment Module) of every DICOM object the workstation
writes: measurements (SR TID 1500), key images (KOS), presentation states (GSPS), rejection notes
(IHE IOCM KOS), the report (TID 2000 SR and Encapsulated PDF) and the demo study; the PDFs name it
as their creator.
"""

from __future__ import annotations

import ast
import io
import re
import subprocess
import sys
from pathlib import Path

import pydicom
import pypdfium2 as pdfium
import pytest
from pydicom.data import get_testdata_file
from pydicom.dataset import Dataset

import workstation
from workstation import __version__, demo
from workstation.annotate.gsps_writer import build_presentation_state
from workstation.annotate.key_images import KeyImages
from workstation.annotate.kos import build_key_object_selection
from workstation.annotate.measurements import ImageRef, Kind, MeasuredImage, measure
from workstation.annotate.sr_tid1500 import build_measurement_report
from workstation.model.entities import LIBRARY, StudySummary
from workstation.qc.rejection import build_rejection_note
from workstation.report.dicom_objects import build_encapsulated_pdf, build_report_sr
from workstation.report.pdf import Letterhead, render_report_pdf
from workstation.report.templates import fill_report, load_templates

ROOT = Path(__file__).resolve().parents[2]


def test_the_version_is_written_once() -> None:
    assert re.fullmatch(r"\d+\.\d+\.\d+(\.dev\d+|rc\d+)?", __version__)
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    project = pyproject.split("\n[project]\n", 1)[1].split("\n[", 1)[0]  # tomllib is Python 3.11+
    assert not re.search(r"^version\s*=", project, re.M) and re.search(r'^dynamic = \["version"\]', project, re.M)
    assert re.search(r'^version = \{ attr = "workstation.__version__" \}$', pyproject, re.M)
    # no other module spells the version out
    literal = [str(p.relative_to(ROOT)) for p in (ROOT / "workstation").rglob("*.py")
               if p.name != "__init__.py" or p.parent.name != "workstation"
               if any(isinstance(n, ast.Constant) and n.value == __version__ for n in ast.walk(ast.parse(p.read_bytes())))]
    assert literal == []


def test_version_option() -> None:
    out = subprocess.run([sys.executable, "-m", "workstation", "--version"], capture_output=True, text=True,
                         timeout=120, cwd=ROOT)
    assert out.returncode == 0 and out.stdout.strip() == f"workstation {workstation.__version__}"


@pytest.fixture(scope="module")
def ct() -> Dataset:
    return pydicom.dcmread(get_testdata_file("CT_small.dcm"))


def _header(ds: Dataset) -> Dataset:
    copy = Dataset()
    for element in ds:
        if element.keyword != "PixelData":
            copy.add(element)
    copy.file_meta = ds.file_meta
    return copy


def written_objects(ct: Dataset) -> dict[str, Dataset]:
    """One object of every kind the workstation writes, built by its writer from pydicom's CT_small."""
    image = MeasuredImage.from_dataset(ct)
    length = measure(Kind.LENGTH, [(10.0, 12.0), (50.0, 40.0)], image)
    header = _header(ct)
    keys = KeyImages(images=[ImageRef.of(ct)], note="Clé")
    template = load_templates().get("ct_head")
    report = fill_report(template, StudySummary.from_dataset(ct, LIBRARY), author="Dr Zoë")
    pdf = render_report_pdf(report, Letterhead("Imagerie Médicale"), template=template)
    return {
        "measurements SR": build_measurement_report([length], [header]),
        "key images KOS": build_key_object_selection(keys, [header]),
        "GSPS": build_presentation_state([header], [length]),
        "rejection note": build_rejection_note([header]),
        "report SR": build_report_sr(report, template=template, evidence=[header]),
        "report PDF": build_encapsulated_pdf(report, pdf),
        "demo CT": pydicom.dcmread(io.BytesIO(next(demo.phantom_series(shape=(2, 16, 16))))),
    }


def test_every_written_object_carries_the_version(ct: Dataset) -> None:
    objects = written_objects(ct)
    assert {name: ds.get("SoftwareVersions") for name, ds in objects.items()} == dict.fromkeys(objects, __version__)


def test_the_report_pdf_names_the_software_with_its_version(ct: Dataset) -> None:
    pdf = written_objects(ct)["report PDF"]
    document = pdfium.PdfDocument(io.BytesIO(bytes(pdf.EncapsulatedDocument)))
    assert document.get_metadata_dict()["Creator"] == f"workstation {__version__}"
