"""Save SR/KOS/GSPS through the pending queue by STOW-RS to a real Orthanc, read back by WADO-RS.

Also: the queue keeps objects when the archive is unreachable (a closed port) and delivers
them when it is back.
"""

from __future__ import annotations

import io
from pathlib import Path

import pydicom

from tests import orthanc as orthanc_mod
from tests import validators
from tests.annotate.helpers import PHANTOM_NAME, dciodvfy_errors, phantom_slice
from tests.annotate.test_dicom_objects import all_tools, assert_same, header
from workstation.annotate.gsps_writer import View, build_presentation_state
from workstation.annotate.key_images import KeyImages
from workstation.annotate.kos import build_key_object_selection, key_images_from_kos
from workstation.annotate.measurements import ImageRef, MeasuredImage
from workstation.annotate.pending import PENDING, REFUSED, PendingQueue
from workstation.annotate.read_back import measurements_from_sr
from workstation.annotate.sr_tid1500 import build_measurement_report
from workstation.model.presentation_state import read_presentation_state
from workstation.net.auth import store_secret
from workstation.net.dicomweb import DicomWebClient
from workstation.settings import ArchiveProfile


def _client(url: str, user: str, password: str) -> DicomWebClient:
    profile = ArchiveProfile(name="annotate-test", url=url, username=user, connect_timeout_s=1.0, read_timeout_s=10.0)
    store_secret(profile, password)
    return DicomWebClient(profile, retries=1, backoff_s=0.01)


def test_save_and_reopen_from_the_archive(shared_data: Path, orthanc: orthanc_mod.OrthancServer, tmp_path: Path) -> None:
    ds = phantom_slice(shared_data)
    files = sorted((shared_data / "ct_head_phantom_philips" / "S2020").glob("*.dcm"))
    orthanc.upload(files[70].read_bytes())
    image = MeasuredImage.from_dataset(ds)
    written = all_tools(image)
    keys = KeyImages([ImageRef.of(ds)], "Key slice for the report")
    report = build_measurement_report(written, [header(ds)])
    kos = build_key_object_selection(keys, [header(ds)])
    ps = build_presentation_state([header(ds)], written, View(window=(35.0, 90.0), zoom=1.5))

    queue = PendingQueue()
    assert queue.folder.is_relative_to(Path.home()) or "data" in str(queue.folder)
    with _client(orthanc.dicomweb_url, orthanc.user, orthanc.password) as client:
        for obj in (report, kos, ps):
            if obj is ps:
                assert dciodvfy_errors(obj, tmp_path) == []
            else:
                validators.assert_valid_sr(obj, tmp_path, dciodvfy_warnings=PHANTOM_NAME)
            entry, result = queue.save_and_send(obj, client)
            assert result is not None and [e.id for e in result.sent] == [entry.id]
        assert queue.list() == []

        study = str(ds.StudyInstanceUID)
        found = {s.modality: s.series_uid for s in client.search_series(study)}
        assert set(found) == {"CT", "SR", "KO", "PR"}
        back = {m: pydicom.dcmread(io.BytesIO(b"".join(client.iter_instances(study, found[m])))) for m in ("SR", "KO", "PR")}

    assert back["SR"].SOPInstanceUID == report.SOPInstanceUID
    assert_same(list(measurements_from_sr(back["SR"])), written)
    keys_back = key_images_from_kos(back["KO"])
    assert keys_back.note == keys.note and [r.sop_instance_uid for r in keys_back.images] == [str(ds.SOPInstanceUID)]
    shown = read_presentation_state(back["PR"]).display_for(str(ds.SOPInstanceUID))
    assert shown is not None and shown.window == (35.0, 90.0)
    assert shown.displayed_area is not None and shown.displayed_area.magnification == 1.5
    assert shown.displayed_area.bottom_right == (int(ds.Columns), int(ds.Rows))
    assert written[0].label in {op.text for op in shown.annotations}


def test_pending_survives_an_unreachable_archive(shared_data: Path, orthanc: orthanc_mod.OrthancServer) -> None:
    ds = phantom_slice(shared_data)
    image = MeasuredImage.from_dataset(ds)
    report = build_measurement_report(all_tools(image)[:3], [header(ds)])
    kos = build_key_object_selection(KeyImages([ImageRef.of(ds)], "note"), [header(ds)])

    queue = PendingQueue()
    closed_port = orthanc_mod.free_port()  # nothing listens there
    with _client(f"http://127.0.0.1:{closed_port}/dicom-web", "nobody", "x") as offline:
        first, result = queue.save_and_send(report, offline)
        assert result is not None and result.sent == () and len(result.pending) == 1
        second, result = queue.save_and_send(kos, offline)
        assert result is not None and result.sent == ()
    listed = queue.list()
    assert [e.sop_instance_uid for e in listed] == [report.SOPInstanceUID, kos.SOPInstanceUID]
    assert listed[0].state == PENDING and listed[0].attempts == 2 and listed[0].last_error
    assert listed[0].what == "measurement report" and listed[1].what == "key images"
    # A fresh queue on the same folder (the workstation restarted) sees the same objects.
    assert [e.id for e in PendingQueue(queue.folder).list()] == [first.id, second.id]
    assert pydicom.dcmread(io.BytesIO(queue.data(listed[0]))).SOPInstanceUID == report.SOPInstanceUID

    with _client(orthanc.dicomweb_url, orthanc.user, orthanc.password) as online:
        result = PendingQueue(queue.folder).send(online)
        assert [e.id for e in result.sent] == [first.id, second.id] and result.pending == ()
        assert queue.list() == []
        series = {s.modality for s in online.search_series(str(ds.StudyInstanceUID))}
        assert series == {"SR", "KO"}


def test_refused_object_is_kept_and_reported(shared_data: Path, orthanc: orthanc_mod.OrthancServer) -> None:
    ds = phantom_slice(shared_data)
    kos = build_key_object_selection(KeyImages([ImageRef.of(ds)], "note"), [header(ds)])
    del kos.SeriesInstanceUID  # an object the archive cannot index: STOW-RS refuses it
    queue = PendingQueue()
    entry = queue.add(kos)
    with _client(orthanc.dicomweb_url, orthanc.user, orthanc.password) as client:
        result = queue.send(client)
        assert result.sent == () and [e.id for e in result.refused] == [entry.id]
        listed = queue.list()
        assert [(e.id, e.state, e.attempts) for e in listed] == [(entry.id, REFUSED, 1)]
        assert "HTTP 400" in listed[0].last_error
        assert queue.send(client).refused == ()  # not retried on its own
        queue.remove(listed[0])
    assert queue.list() == []
