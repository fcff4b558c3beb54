"""A study's saved objects read back for showing it again (as current or as a prior), and the
pending queue's bookkeeping the "waiting for the archive" list relies on."""

from __future__ import annotations

import json
from io import BytesIO
from pathlib import Path

import pydicom
from pydicom.dataset import Dataset

from tests import orthanc as orthanc_mod
from workstation import demo
from workstation.annotate.gsps_writer import LAYER, View, build_presentation_state
from workstation.annotate.key_images import KeyImages
from workstation.annotate.kos import build_key_object_selection
from workstation.annotate.measurements import ImageRef, Kind, MeasuredImage, measure
from workstation.annotate.pending import PENDING, REFUSED, PendingQueue
from workstation.annotate.saved_objects import SAVED_MODALITIES, read_saved_objects
from workstation.annotate.sr_tid1500 import build_measurement_report
from workstation.app.open_study import saved_object_headers
from workstation.crypt.files import read_protected
from workstation.net.auth import store_secret
from workstation.net.dicomweb import DicomWebClient
from workstation.settings import ArchiveProfile
from workstation.store.library import Library


def _series() -> list[Dataset]:
    return [pydicom.dcmread(BytesIO(b)) for b in demo.phantom_series(shape=(3, 32, 32), spacing=(2.0, 0.5, 0.5))]


def _bytes(ds: Dataset) -> bytes:
    buffer = BytesIO()
    ds.save_as(buffer, enforce_file_format=True)
    return buffer.getvalue()


def _objects(images: list[Dataset]) -> tuple[Dataset, Dataset, Dataset, Dataset]:
    """An older and a newer report (one length, then two), a KOS with a note, a GSPS."""
    image = MeasuredImage.from_dataset(images[1])
    first = measure(Kind.LENGTH, [(2.0, 3.0), (20.0, 3.0)], image, id="a")
    second = measure(Kind.LENGTH, [(4.0, 8.0), (4.0, 28.0)], image, id="b")
    old = build_measurement_report([first], images)
    new = build_measurement_report([first, second], images, previous_version=old)
    old.ContentDate, old.ContentTime = "20200101", "080000"
    new.ContentDate, new.ContentTime = "20200102", "080000"
    kos = build_key_object_selection(KeyImages([ImageRef.of(images[1])], "Compare next time"), images)
    ps = build_presentation_state([images[1]], [first], View(window=(40.0, 80.0)))
    return old, new, kos, ps


def test_newest_report_key_images_and_states_read_back() -> None:
    images = _series()
    old, new, kos, ps = _objects(images)
    saved = read_saved_objects([*images, new, old, kos, ps])  # order does not matter
    assert saved.report is not None and saved.report.SOPInstanceUID == new.SOPInstanceUID
    assert saved.measurements is not None and sorted(m.id for m in saved.measurements) == ["a", "b"]
    lengths = {m.id: m.values[0].value for m in saved.measurements}
    assert abs(lengths["a"] - 18 * 0.5) < 1e-6 and abs(lengths["b"] - 20 * 0.5) < 1e-6  # PixelSpacing 0.5 mm
    assert saved.key_images is not None and saved.key_images.note == "Compare next time"
    assert [r.sop_instance_uid for r in saved.key_images.images] == [str(images[1].SOPInstanceUID)]
    assert [s.sop_instance_uid for s in saved.presentation_states] == [str(ps.SOPInstanceUID)]
    shown = saved.presentation_states[0].display_for(str(images[1].SOPInstanceUID))
    assert shown is not None and any(op.layer == LAYER for op in shown.annotations)
    assert saved.study_date == str(images[0].StudyDate) and saved.problems == ()
    assert read_saved_objects(images).empty


def test_only_the_saved_object_series_are_fetched_from_archive_and_library(orthanc: orthanc_mod.OrthancServer, tmp_path: Path) -> None:
    images = _series()
    _old, new, kos, ps = _objects(images)
    for ds in (*images, new, kos):
        orthanc.upload(_bytes(ds))
    study = str(images[0].StudyInstanceUID)
    profile = ArchiveProfile(name="saved-objects", url=orthanc.dicomweb_url, username=orthanc.user)
    store_secret(profile, orthanc.password)
    with DicomWebClient(profile) as client, Library(tmp_path / "lib") as library:
        assert library.add_bytes(_bytes(ps))  # the presentation state only in the library
        headers = saved_object_headers(study, client, library, SAVED_MODALITIES)
    assert sorted(str(h.Modality) for h in headers) == ["KO", "PR", "SR"]
    saved = read_saved_objects(headers)
    assert saved.measurements is not None and len(saved.measurements) == 2 and len(saved.presentation_states) == 1


def test_pending_entries_keep_the_study_description_and_older_entries_still_list(tmp_path: Path) -> None:
    images = _series()
    _old, new, _kos, _ps = _objects(images)
    queue = PendingQueue(tmp_path / "pending")
    entry = queue.add(new)
    assert entry.study_description == str(images[0].get("StudyDescription", "")) and entry.study_date == str(images[0].StudyDate)
    # An entry written before these fields existed still lists.
    sidecar = tmp_path / "pending" / f"{entry.id}.json"
    fields = json.loads(read_protected(sidecar))
    del fields["study_description"], fields["study_date"]
    sidecar.write_text(json.dumps({**fields, "state": REFUSED}))  # clear, as before encryption
    [listed] = queue.list()
    assert listed.id == entry.id and listed.study_description == "" and listed.state == REFUSED
    assert queue.requeue(listed).state == PENDING and queue.list()[0].state == PENDING


def test_arrows_and_text_come_back_from_the_presentation_state() -> None:
    """Arrows and text live only in the GSPS: read back with their points and text, next to the
    report's measurements; a length in the same state is not read twice."""
    from workstation.annotate.read_back import annotations_from_presentation_state

    images = _series()
    image = MeasuredImage.from_dataset(images[2])
    length = measure(Kind.LENGTH, [(2.0, 3.0), (20.0, 3.0)], image, id="len")
    arrow = measure(Kind.ARROW, [(5.0, 25.0), (15.0, 18.0)], image, text="nodule", id="arr")
    note = measure(Kind.TEXT, [(24.0, 6.0)], image, text="Compare with prior", id="txt")
    ps = build_presentation_state([images[2]], [length, arrow, note], View(window=(40.0, 80.0)))
    back = annotations_from_presentation_state(ps)
    by_kind = {m.kind: m for m in back}
    assert sorted(k.value for k in by_kind) == sorted([Kind.ARROW.value, Kind.TEXT.value]) and len(back) == 2
    assert by_kind[Kind.ARROW].points == arrow.points and by_kind[Kind.ARROW].text == "nodule"
    assert by_kind[Kind.TEXT].points == note.points and by_kind[Kind.TEXT].text == "Compare with prior"
    assert all(m.image == ImageRef.of(images[2]) for m in back)  # with its series and study
    report = build_measurement_report([length], images)
    saved = read_saved_objects([*images, report, ps])
    assert saved.measurements is not None and sorted(m.kind.value for m in saved.measurements) == sorted(
        [Kind.LENGTH.value, Kind.ARROW.value, Kind.TEXT.value])
    assert saved.presentation_state is not None and saved.presentation_state.SOPInstanceUID == ps.SOPInstanceUID
