"""Text in any language in every object the workstation writes, through a real Orthanc.

Each object (measurement SR, key-image KOS, GSPS, report SR, Encapsulated PDF, IOCM rejection
note, corrected copy) carries French, German, Polish and CJK text, is stored by STOW-RS and read
back by WADO-RS: the text must come back identical, the object must declare ISO_IR 192 (UTF-8,
PS3.5 6.1.2.5.3 and Annex D), dciodvfy must find no error and dsrdump must read every SR and KOS.
The source images are not UTF-8: one in ISO_IR 100 (Latin-1) and one in ISO 2022 IR 87
(Japanese, code extensions PS3.5 6.1.2.5); the patient name each object copies from them must
read back identical.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pydicom
import pytest
from pydicom.dataset import Dataset
from pydicom.uid import generate_uid

from tests import orthanc as orthanc_mod
from tests import validators
from tests.annotate.helpers import phantom_slice
from tests.annotate.test_dicom_objects import header
from tests.report.conftest import assert_valid_report_sr
from workstation.annotate.gsps_writer import build_presentation_state
from workstation.annotate.key_images import KeyImages
from workstation.annotate.kos import build_key_object_selection, key_images_from_kos
from workstation.annotate.measurements import ImageRef, Kind, MeasuredImage, measure
from workstation.annotate.sr_tid1500 import build_measurement_report
from workstation.model.entities import LIBRARY, StudySummary
from workstation.model.presentation_state import read_presentation_state
from workstation.net.auth import store_secret
from workstation.net.dicomweb import DicomWebClient
from workstation.qc.correction import apply_corrections, propose_corrections
from workstation.qc.rejection import build_rejection_note
from workstation.report.dicom_objects import (
    ENHANCED_SR,
    build_encapsulated_pdf,
    build_report_sr,
    to_bytes,
)
from workstation.report.pdf import Letterhead, render_report_pdf
from workstation.report.sr_sections import read_report_sections
from workstation.report.templates import fill_report, load_templates
from workstation.settings import ArchiveProfile

#: French, German, Polish and CJK in one text (44 characters: fits an LO as well as a UT).
TEXT = "Hématome sous-dural – Größe 3 cm, Łódź, 肺結節"
#: A reader's name in Polish letters, for the PN values the workstation writes.
READER = "Wójcik^Zoë"
UTF8 = "ISO_IR 192"

SOURCES = {
    # (Specific Character Set, patient name, study description) of the source image
    "latin1": ("ISO_IR 100", "Müller^Hélène", "Tête sans injection"),
    "japanese": (["", "ISO 2022 IR 87"], "Yamada^Tarou=山田^太郎=やまだ^たろう", "頭部 CT"),
}
#: What the source file must hold in its raw bytes, to be sure it really is not UTF-8.
RAW_NAMES = {
    "latin1": "Müller^Hélène".encode("latin-1"),
    "japanese": b"Yamada^Tarou=\x1b$B;3ED\x1b(B^\x1b$BB@O:\x1b(B=\x1b$B$d$^$@\x1b(B^\x1b$B$?$m$&\x1b(B",
}


def _client(url: str, user: str, password: str) -> DicomWebClient:
    profile = ArchiveProfile(name="text-test", url=url, username=user, connect_timeout_s=1.0, read_timeout_s=30.0)
    store_secret(profile, password)
    return DicomWebClient(profile, retries=1, backoff_s=0.01)


def source_image(shared_data: Path, kind: str) -> bytes:
    """A real CT slice re-encoded in a character set that is not UTF-8, with new UIDs."""
    charset, name, description = SOURCES[kind]
    ds = phantom_slice(shared_data, 70)
    ds.SpecificCharacterSet = charset
    ds.PatientName = name
    ds.StudyDescription = description
    ds.StudyInstanceUID, ds.SeriesInstanceUID, ds.SOPInstanceUID = generate_uid(), generate_uid(), generate_uid()
    ds.file_meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
    buffer = io.BytesIO()
    ds.save_as(buffer, enforce_file_format=True)
    data = buffer.getvalue()
    assert RAW_NAMES[kind] in data  # the name really is in Latin-1 / ISO 2022 JIS, not UTF-8
    return data


def _read_back(client: DicomWebClient, obj: Dataset) -> Dataset:
    parts = list(client.iter_instances(str(obj.StudyInstanceUID), str(obj.SeriesInstanceUID)))
    found = [pydicom.dcmread(io.BytesIO(p)) for p in parts]
    [back] = [ds for ds in found if ds.SOPInstanceUID == obj.SOPInstanceUID]
    return back


def _items(ds: Dataset) -> Iterator[Dataset]:
    for item in ds.get("ContentSequence", None) or []:
        yield item
        yield from _items(item)


def _pnames(ds: Dataset) -> list[str]:
    return [str(i.PersonName) for i in _items(ds) if i.ValueType == "PNAME"]


def _texts(ds: Dataset) -> list[str]:
    return [str(i.TextValue) for i in _items(ds) if i.ValueType == "TEXT"]


def _check(obj: Dataset | bytes, folder: Path, *, sr: bool, shows: str = TEXT) -> None:
    """dciodvfy finds no error; an SR or KOS also passes dsrdump (which prints its text) and
    PixelMed with no other warning than those named in tests/validators.py."""
    assert validators.dciodvfy(obj, folder).errors == ()
    if not sr:
        return
    if isinstance(obj, Dataset) and obj.SOPClassUID == ENHANCED_SR:
        assert_valid_report_sr(to_bytes(obj), folder)
    else:
        validators.assert_valid_sr(obj, folder)
    assert shows in validators.dsrdump(obj, folder).output


@pytest.mark.parametrize("kind", sorted(SOURCES))
def test_every_written_object_keeps_text_in_any_language(
    kind: str, shared_data: Path, orthanc: orthanc_mod.OrthancServer, tmp_path: Path
) -> None:
    data = source_image(shared_data, kind)
    orthanc.upload(data)
    source = pydicom.dcmread(io.BytesIO(data))
    name = SOURCES[kind][1]
    assert str(source.PatientName) == name
    image = MeasuredImage.from_dataset(source)
    head = header(source)

    length = measure(Kind.LENGTH, [(100, 100), (200, 150)], image)
    note = measure(Kind.TEXT, [(40, 480)], image, text=TEXT)
    measurement_sr = build_measurement_report([length], [head], observer_name=READER, institution_name=TEXT)
    kos = build_key_object_selection(KeyImages([ImageRef.of(source)], TEXT), [head], institution_name=TEXT)
    gsps = build_presentation_state([head], [length, note], description=TEXT)
    rejection = build_rejection_note([head], description=TEXT, institution_name=TEXT)

    template = load_templates().get("generic")
    study = StudySummary.from_dataset(source, LIBRARY)
    report = fill_report(template, study, author="Dr Zoë Wójcik", measurements=[TEXT])
    report = report.with_sections(findings=TEXT, impression="Pas d'anomalie aiguë.").made_preliminary("Dr Zoë Wójcik")
    report_sr = build_report_sr(report, template=template, evidence=[head], organization=TEXT)
    pdf = build_encapsulated_pdf(report, render_report_pdf(report, Letterhead()), organization=TEXT)

    changes = propose_corrections([head], {"PatientName": "Łódź^Zoë=肺^結節", "StudyDescription": TEXT})
    corrected = apply_corrections([data], changes)
    [copy_bytes] = corrected.instances

    written = [measurement_sr, kos, gsps, rejection, report_sr, pdf]
    for obj in written:
        assert obj.SpecificCharacterSet == UTF8, obj.SOPClassUID
        _check(obj, tmp_path, sr=obj.Modality in ("SR", "KO"), shows=READER if obj is measurement_sr else TEXT)
    _check(copy_bytes, tmp_path, sr=False)

    with _client(orthanc.dicomweb_url, orthanc.user, orthanc.password) as client:
        result = client.store_instances([to_bytes(obj) for obj in written])
        assert result.ok and set(result.stored) == {str(obj.SOPInstanceUID) for obj in written}
        back = {obj.SOPInstanceUID: _read_back(client, obj) for obj in written}
        assert client.store_instances([copy_bytes]).ok
        copy = pydicom.dcmread(io.BytesIO(copy_bytes))
        copy_back = _read_back(client, copy)

    for obj in written:
        read = back[obj.SOPInstanceUID]
        assert read.SpecificCharacterSet == UTF8
        assert str(read.PatientName) == name, read.Modality  # copied from the source, decoded first

    sr_back = back[measurement_sr.SOPInstanceUID]
    assert _pnames(sr_back) == [READER] and sr_back.InstitutionName == TEXT

    assert key_images_from_kos(back[kos.SOPInstanceUID]).note == TEXT
    assert back[kos.SOPInstanceUID].InstitutionName == TEXT

    shown = read_presentation_state(back[gsps.SOPInstanceUID])
    assert shown.description == TEXT
    display = shown.display_for(str(source.SOPInstanceUID))
    assert display is not None and TEXT in {a.text for a in display.annotations}

    assert _texts(back[rejection.SOPInstanceUID]) == [TEXT]

    report_back = back[report_sr.SOPInstanceUID]
    assert read_report_sections(report_back).text("findings") == f"{TEXT}\n\n{TEXT}"  # paragraph + measurement
    assert _pnames(report_back) == ["Wójcik^Zoë^^Dr"]
    assert str(report_back.StudyDescription) == SOURCES[kind][2]

    pdf_back = back[pdf.SOPInstanceUID]
    assert pdf_back.InstitutionName == TEXT and str(pdf_back.StudyDescription) == SOURCES[kind][2]
    assert pdf_back.DocumentTitle == f"{SOURCES[kind][2]} – Diagnostic imaging report, version 1"
    assert pdf_back.EncapsulatedDocument[: int(pdf_back.EncapsulatedDocumentLength)] == pdf.EncapsulatedDocument[: int(pdf.EncapsulatedDocumentLength)]

    assert copy_back.SpecificCharacterSet == UTF8
    assert str(copy_back.PatientName) == "Łódź^Zoë=肺^結節" and copy_back.StudyDescription == TEXT
    assert copy_back.InstitutionName == source.get("InstitutionName", None)  # untouched text survives the recoding
