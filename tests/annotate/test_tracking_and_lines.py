"""TID 1500 measurements other systems can follow: one Tracking UID per measurement for its life
(save, reopen from a real Orthanc, edit, save again), and two-line tools as two SCOORDs."""

from __future__ import annotations

import io
from pathlib import Path

import highdicom as hd
import numpy as np
import pydicom
import pytest
from pydicom.dataset import Dataset

from tests import orthanc as orthanc_mod
from tests.annotate.helpers import phantom_slice
from tests.annotate.test_dicom_objects import all_tools, assert_same, header
from workstation.annotate.measurements import Kind, MeasuredImage, measure
from workstation.annotate.read_back import measurements_from_sr
from workstation.annotate.sr_tid1500 import (
    build_measurement_report,
    measurement_group,
    measurement_report_document,
    tracking_identifier,
    tracking_uid,
)
from workstation.net.auth import store_secret
from workstation.net.dicomweb import DicomWebClient
from workstation.settings import ArchiveProfile


def _groups(report: Dataset) -> list[Dataset]:
    [measurements] = [c for c in report.ContentSequence if c.ConceptNameCodeSequence[0].CodeValue == "126010"]
    return list(measurements.ContentSequence)


def _tracking(report: Dataset) -> dict[str, str]:
    """Tracking Identifier text -> Tracking UID, for every group of a measurement report."""
    out = {}
    for group in _groups(report):
        items = {c.ConceptNameCodeSequence[0].CodeValue: c for c in group.ContentSequence}
        out[str(items["112039"].TextValue)] = str(items["112040"].UID)
    return out


def _client(orthanc: orthanc_mod.OrthancServer) -> DicomWebClient:
    profile = ArchiveProfile(name="tracking", url=orthanc.dicomweb_url, username=orthanc.user, read_timeout_s=30.0)
    store_secret(profile, orthanc.password)
    return DicomWebClient(profile, retries=1, backoff_s=0.01)


def _store_and_fetch(client: DicomWebClient, report: Dataset) -> Dataset:
    buffer = io.BytesIO()
    report.save_as(buffer, enforce_file_format=True)
    assert client.store_instances([buffer.getvalue()]).ok
    parts = client.iter_instances(str(report.StudyInstanceUID), str(report.SeriesInstanceUID), [str(report.SOPInstanceUID)])
    return pydicom.dcmread(io.BytesIO(b"".join(parts)))


def test_tracking_uid_lives_across_save_reopen_edit_save(
    shared_data: Path, orthanc: orthanc_mod.OrthancServer
) -> None:
    ds = phantom_slice(shared_data)
    image = MeasuredImage.from_dataset(ds)
    written = [m for m in all_tools(image) if m.kind not in (Kind.ARROW, Kind.TEXT)]
    first = build_measurement_report(written, [header(ds)])
    uids = _tracking(first)
    assert len(set(uids.values())) == len(written)  # one per measurement
    assert build_measurement_report(written, [header(ds)]).SOPInstanceUID != first.SOPInstanceUID
    assert _tracking(build_measurement_report(written, [header(ds)])) == uids  # saving again: same UIDs

    with _client(orthanc) as client:
        reopened = measurements_from_sr(_store_and_fetch(client, first))
        assert {tracking_identifier(m): m.tracking_uid for m in reopened} == uids
        length = next(m for m in reopened if m.kind is Kind.LENGTH)
        edited = reopened.edit(length.id, [(20.0, 30.0), (140.0, 90.0)], image)
        assert edited.tracking_uid == length.tracking_uid and edited.value("Length") != length.value("Length")
        added = reopened.add(measure(Kind.LENGTH, [(5, 5), (50, 5)], image))
        second = build_measurement_report(list(reopened), [header(ds)], previous_version=first)
        second_back = _store_and_fetch(client, second)

    again = _tracking(second_back)
    assert {k: v for k, v in again.items() if k != tracking_identifier(added)} == uids
    assert again[tracking_identifier(added)] not in uids.values()
    back = measurements_from_sr(second_back)
    saved, drawn = back.get(length.id).value("Length"), edited.value("Length")
    assert saved is not None and drawn is not None and saved.value == pytest.approx(drawn.value, rel=1e-12)


def test_uid_of_an_id_and_of_a_foreign_report() -> None:
    # A UUID id gives its PS3.5 B.2 UID; any other id one stable UID; a UID read back wins.
    assert tracking_uid("0" * 31 + "1") == "2.25.1"
    other = tracking_uid("1.2.3.4.5.6")
    assert other == tracking_uid("1.2.3.4.5.6") and other != tracking_uid("1.2.3.4.5.7")
    assert pydicom.uid.UID(other).is_valid
    assert tracking_uid("abc", known="1.2.840.1") == "1.2.840.1"


def _lines(group: Dataset) -> dict[str, list[list[float]]]:
    """NUM concept meaning -> the GraphicData of each SCOORD the NUM is INFERRED FROM."""
    out: dict[str, list[list[float]]] = {}
    for num in (c for c in group.ContentSequence if c.ValueType == "NUM"):
        out[str(num.ConceptNameCodeSequence[0].CodeMeaning)] = [
            [float(v) for v in s.GraphicData] for s in num.get("ContentSequence", [])
            if s.ValueType == "SCOORD" and s.RelationshipType == "INFERRED FROM"
        ]
    return out


def test_cobb_and_bidirectional_are_two_lines(shared_data: Path) -> None:
    ds = phantom_slice(shared_data)
    image = MeasuredImage.from_dataset(ds)
    cobb = measure(Kind.COBB, [(100, 100), (200, 110), (100, 200), (200, 180)], image)
    bidi = measure(Kind.BIDIRECTIONAL, [(10, 20), (110, 20), (60, 0), (60, 40)], image)
    report = build_measurement_report([cobb, bidi], [header(ds)])
    groups = {g.ContentSequence[0].TextValue if g.ContentSequence[0].ConceptNameCodeSequence[0].CodeValue == "112039"
              else "": g for g in _groups(report)}
    by_kind = {Kind.COBB: groups[tracking_identifier(cobb)], Kind.BIDIRECTIONAL: groups[tracking_identifier(bidi)]}
    for group in by_kind.values():
        # No 4-point POLYLINE (PS3.3 C.18.6.1.2: one connected line) anywhere in the group.
        assert not any(c.ValueType == "SCOORD" for c in group.ContentSequence)
    assert _lines(by_kind[Kind.COBB]) == {"Cobb angle": [[100.5, 100.5, 200.5, 110.5], [100.5, 200.5, 200.5, 180.5]]}
    assert _lines(by_kind[Kind.BIDIRECTIONAL]) == {
        "Long axis": [[10.5, 20.5, 110.5, 20.5]], "Short axis": [[60.5, 0.5, 60.5, 40.5]],
    }
    assert_same(list(measurements_from_sr(report)), [cobb, bidi])


def test_reads_the_old_four_point_polyline(shared_data: Path) -> None:
    """Reports saved before wrote both lines as one 4-point POLYLINE in a TID 1410 group."""
    ds = phantom_slice(shared_data)
    image = MeasuredImage.from_dataset(ds)
    cobb = measure(Kind.COBB, [(100, 100), (200, 110), (100, 200), (200, 180)], image)
    bidi = measure(Kind.BIDIRECTIONAL, [(10, 20), (110, 20), (60, 0), (60, 40)], image)
    groups = []
    for m in (cobb, bidi):
        points = np.asarray(m.axes if m.kind is Kind.BIDIRECTIONAL else m.points, dtype=np.float64) + 0.5
        region = hd.sr.ImageRegion(
            graphic_type=hd.sr.GraphicTypeValues.POLYLINE, graphic_data=points,
            source_image=hd.sr.SourceImageForRegion(str(ds.SOPClassUID), str(ds.SOPInstanceUID)),
        )
        identifier = hd.sr.TrackingIdentifier(uid=pydicom.uid.generate_uid(), identifier=tracking_identifier(m))
        groups.append(measurement_group(region, m.values, identifier))
    old = measurement_report_document(groups, [header(ds)], "Measurements")
    back = list(measurements_from_sr(old))
    assert_same(back, [cobb, bidi])
    assert [m.tracking_uid for m in back] == list(_tracking(old).values())  # kept for the next version
