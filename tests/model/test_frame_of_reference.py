"""LIDC-style series whose slices each carry their own Frame of Reference UID (issue 20): one
frame for display when they form one consistent geometry, never mixing patients' frames.

The study here is synthetic (no LIDC data in the shared set): the generated CT phantom with a new
Frame of Reference UID on every slice, a 6 mm series copied from every other slice (keeping each
slice's UID, as a derived series does) and sagittal images cut from it that carry the UID of the
first slice. Positions and the expected slices are worked out from the headers by hand.
"""

from __future__ import annotations

import copy
from io import BytesIO

import numpy as np
import pydicom
import pytest
from pydicom.dataset import Dataset
from pydicom.uid import generate_uid

from workstation import demo
from workstation.model.displayset import DisplaySet, build_display_sets
from workstation.model.frame_of_reference import DisplayFrame, display_frame
from workstation.model.image_warning import WarningCode
from workstation.model.spatial import StackGeometry, reference_line
from workstation.model.viewport import SyncGroup, ViewportState

SHAPE = (12, 32, 32)
SPACING = (2.5, 1.0, 1.0)


def _lidc_like(patient_id: str = "LIDC-0001") -> list[Dataset]:
    thin = [pydicom.dcmread(BytesIO(b)) for b in demo.phantom_series(shape=SHAPE, spacing=SPACING)]
    for ds in thin:
        ds.FrameOfReferenceUID = generate_uid()  # every slice its own frame
        ds.PatientID = patient_id
    return thin


def _copy(ds: Dataset, series_uid: str, number: int, instance: int) -> Dataset:
    out = copy.deepcopy(ds)
    out.SeriesInstanceUID, out.SOPInstanceUID = series_uid, generate_uid()
    out.SeriesNumber, out.InstanceNumber = number, instance
    return out


def _thick(thin: list[Dataset]) -> list[Dataset]:
    series = generate_uid()
    return [_copy(ds, series, 3, n + 1) for n, ds in enumerate(thin[::2])]


def _sagittal(thin: list[Dataset]) -> list[Dataset]:
    """Three sagittal images (rows head to feet, columns anterior to posterior) carrying the
    first slice's Frame of Reference UID."""
    series = generate_uid()
    x0, y0, _ = (float(v) for v in thin[0].ImagePositionPatient)
    z_top = float(thin[-1].ImagePositionPatient[2])
    out = []
    for n, column in enumerate((8, 16, 24)):
        ds = _copy(thin[0], series, 5, n + 1)
        ds.ImageOrientationPatient = [0, 1, 0, 0, 0, -1]
        ds.ImagePositionPatient = [x0 + column * SPACING[2], y0, z_top]
        ds.PixelSpacing = [SPACING[0], SPACING[1]]
        ds.Rows, ds.Columns = SHAPE[0], SHAPE[1]
        out.append(ds)
    return out


def _by_number(sets: list[DisplaySet], number: int) -> DisplaySet:
    return next(s for s in sets if s.series_number == number)


def _headers(display_set: DisplaySet, headers: list[Dataset]) -> list[Dataset]:
    by_uid = {str(ds.SOPInstanceUID): ds for ds in headers}
    return [by_uid[uid] for uid, _ in display_set.frames]


def test_a_series_with_a_frame_per_slice_is_one_frame_linked_with_its_derived_series() -> None:
    thin = _lidc_like()
    thick, sagittal = _thick(thin), _sagittal(thin)
    headers = thin + thick + sagittal
    sets = build_display_sets(headers)
    a, b, c = (_by_number(sets, n) for n in (2, 3, 5))
    assert a.is_volume and b.is_volume
    assert a.frame_of_reference_uid == str(thin[0].FrameOfReferenceUID)  # its first slice's (lowest z)
    assert b.frame_of_reference_uid == c.frame_of_reference_uid == a.frame_of_reference_uid
    notes = [w for w in a.warnings if w.code is WarningCode.FRAME_OF_REFERENCE]
    assert len(notes) == 1 and "12 different Frame of Reference UIDs" in notes[0].sentence
    assert "shown as one frame" in notes[0].sentence
    assert not [w for w in c.warnings if w.code is WarningCode.FRAME_OF_REFERENCE]  # one UID: nothing to say
    assert a.describe()["frame_of_reference_uid"] == a.frame_of_reference_uid

    # Linked scrolling by position: the 6 mm series follows to its nearest slice.
    ga = StackGeometry.from_display_set(a, a.frame_of_reference_uid)
    gb = StackGeometry.from_display_set(b, b.frame_of_reference_uid)
    assert ga is not None and gb is not None
    sa, sb = ViewportState(), ViewportState()
    sa.show(a.uid, len(ga)), sb.show(b.uid, len(gb))
    group = SyncGroup(scroll=True)
    group.add(sa, ga)
    group.add(sb, gb)
    sa.image_index = 7
    z_thin = np.array([float(ds.ImagePositionPatient[2]) for ds in _headers(a, headers)])
    z_thick = np.array([float(ds.ImagePositionPatient[2]) for ds in _headers(b, headers)])
    assert sb.image_index == int(np.argmin(np.abs(z_thick - z_thin[7])))

    # The 3D cursor: a point picked on the thin series lands on the thick slice through it.
    point = ga.centre(6)
    hit = gb.locate(point, a.frame_of_reference_uid)
    assert hit is not None and hit.index == 3

    # Reference lines: the thin slice 7 cuts the sagittal images at its row (z from the top).
    gc = StackGeometry.from_headers(_headers(c, headers), frame_of_reference_uid=c.frame_of_reference_uid)
    line = reference_line(ga.planes[7], gc.planes[0], source_frame_of_reference=ga.frame_of_reference_uid,
                          target_frame_of_reference=gc.frame_of_reference_uid)
    assert line is not None
    row = (float(thin[-1].ImagePositionPatient[2]) - z_thin[7]) / SPACING[0]
    assert line.start[1] == pytest.approx(row) and line.end[1] == pytest.approx(row)


def test_a_stack_built_from_the_headers_alone_gets_the_frame() -> None:
    thin = _lidc_like()
    geometry = StackGeometry.from_headers(thin)
    assert geometry.frame_of_reference_uid == str(thin[0].FrameOfReferenceUID)
    assert geometry.locate(geometry.centre(4), geometry.frame_of_reference_uid) is not None


def test_frames_of_different_patients_are_never_mixed() -> None:
    first, second = _lidc_like("LIDC-0001"), _lidc_like("LIDC-0002")
    # One series holding two patients' slices (a re-used Series Instance UID): no frame.
    mixed = first[::2] + second[1::2]
    for ds in mixed:
        ds.SeriesInstanceUID = first[0].SeriesInstanceUID
    result = display_frame(sorted(mixed, key=lambda ds: float(ds.ImagePositionPatient[2])))
    assert result.uid is None and "more than one patient" in result.note
    assert StackGeometry.from_headers(mixed).frame_of_reference_uid is None

    # Another patient's series that happens to carry one of the first's UIDs is not joined to it.
    first, second = _lidc_like("LIDC-0001"), _lidc_like("LIDC-0002")
    second[0].FrameOfReferenceUID = first[5].FrameOfReferenceUID
    sets = build_display_sets(first + second)
    frames = {s.frame_of_reference_uid for s in sets}
    assert len(frames) == 2 and None not in frames


def test_slices_that_do_not_form_one_geometry_stay_apart() -> None:
    thin = _lidc_like()
    thin[6].ImagePositionPatient = [*thin[6].ImagePositionPatient[:2], float(thin[6].ImagePositionPatient[2]) + 1.0]
    sets = build_display_sets(thin)
    assert len(sets) == 1 and sets[0].frame_of_reference_uid is None
    note = next(w for w in sets[0].warnings if w.code is WarningCode.FRAME_OF_REFERENCE)
    assert "not regularly spaced" in note.sentence and "3D cursor are off" in note.sentence


def test_one_shared_uid_is_kept_as_it_is() -> None:
    thin = [pydicom.dcmread(BytesIO(b)) for b in demo.phantom_series(shape=SHAPE, spacing=SPACING)]
    sets = build_display_sets(thin)
    assert sets[0].frame_of_reference_uid == str(thin[0].FrameOfReferenceUID)
    assert not [w for w in sets[0].warnings if w.code is WarningCode.FRAME_OF_REFERENCE]
    result = display_frame(thin)
    assert result.uid == str(thin[0].FrameOfReferenceUID) and result.note == "" and not result.unified


def test_projection_views_with_their_own_frames_get_none_and_no_note() -> None:
    views = []
    for _ in range(2):
        ds = Dataset()
        ds.SOPInstanceUID, ds.FrameOfReferenceUID, ds.PatientID = generate_uid(), generate_uid(), "P1"
        views.append(ds)
    assert display_frame(views) == display_frame(views[::-1]) == DisplayFrame(None)
    views[1].FrameOfReferenceUID = ""
    del views[0].FrameOfReferenceUID
    assert display_frame(views).uid is None
    views[0].FrameOfReferenceUID = "1.2.3"
    assert display_frame(views).uid == "1.2.3"  # the one UID given: shared, as before
