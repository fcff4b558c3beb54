"""The Frame of Reference a display set is shown in: what links its viewports (scrolling,
reference lines, the 3D cursor).

A Frame of Reference UID (0020,0052; PS3.3 C.7.4.1) says which images share one patient
coordinate system. Some archives (LIDC-IDRI is the known case) give every slice of a CT series
its own UID although the slices come from one acquisition. Taken literally, such a series has no
frame in common with anything, not even itself, and loses reference lines and the 3D cursor.

The rule here: when the images of one display set carry several Frame of Reference UIDs, they
are shown as one frame only when they form one consistent geometry, that is

- one patient (Patient ID, Issuer of Patient ID, Patient's Name and Birth Date all alike), so
  frames of different patients are never mixed;
- one volume (:func:`~workstation.model.geometry.build_volume_geometry`): the same orientation,
  matrix and pixel spacing, slices on one straight line at regular spacing along the normal
  (whole missing slices allowed), no two at one position.

The display set then takes the UID of its first image in display order, and a note says so.
Otherwise it has no frame for linking (None), and a note says why. A display set whose images
share one UID keeps it, with no note (images among them without a UID are taken to share it);
images that do not say where they lie (projection views) with several UIDs get no frame and no
note, since there are no planes to link.

Across a study (:func:`link_frames`), display sets of one patient whose images share any UID
are one frame, the frame of the first of them: a 6 mm series derived from such a series, or
sagittal images carrying one of its slices' UIDs, link with it. The UIDs written into new objects
(SR, presentation states) stay the images' own; only linking for display uses this frame.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from pydicom.dataset import Dataset

from workstation.errors import GeometryError
from workstation.model import attributes as attr
from workstation.model.geometry import VolumeResult, build_volume_geometry

#: Attributes that must be alike for several Frames of Reference to be shown as one.
PATIENT_KEYS = ("PatientID", "IssuerOfPatientID", "PatientName", "PatientBirthDate")


@dataclass(frozen=True)
class DisplayFrame:
    """The Frame of Reference UID a display set is linked by (None: none), and the note that
    explains a unified or refused frame ("" when the images share one UID)."""

    uid: str | None
    note: str = ""
    unified: bool = False


def _frame(ds: Dataset) -> str:
    return attr.text(ds, "FrameOfReferenceUID")


def _placed(ds: Dataset) -> bool:
    """Whether the image says where it lies (Image Position and Orientation (Patient),
    single-frame or in the enhanced functional groups)."""
    if "ImagePositionPatient" in ds and "ImageOrientationPatient" in ds:
        return True
    return "PerFrameFunctionalGroupsSequence" in ds or "SharedFunctionalGroupsSequence" in ds


def display_frame(headers: Sequence[Dataset], volume: VolumeResult | None = None) -> DisplayFrame:
    """The frame of a display set's images, given in display order (see the module doc).

    ``volume``: the volume already built from these images, when there is one (saves building it
    again); without it, the headers are tried as a volume here.
    """
    uids = [_frame(ds) for ds in headers]
    distinct = set(uids) - {""}
    if not distinct:
        return DisplayFrame(None)
    if len(distinct) == 1:
        return DisplayFrame(distinct.pop())  # images without one are taken to share it, as before
    if not all(_placed(ds) for ds in headers):
        return DisplayFrame(None)  # projections (DX, MG views): no planes to link, nothing to say
    count = len(distinct)
    refused = (f"The images of this display set carry {count} different Frame of Reference UIDs and {{why}}, "
               "so they are not shown as one frame: reference lines and the 3D cursor are off for it.")
    if "" in uids:
        return DisplayFrame(None, refused.format(why="some carry none"))
    if patient_key(headers) is None:
        return DisplayFrame(None, refused.format(why="belong to more than one patient"))
    if volume is None:
        try:
            volume = build_volume_geometry(headers)
        except GeometryError:
            return DisplayFrame(None, refused.format(why="do not form one volume"))
    if volume.duplicates or not volume.is_regular or len(volume.slices) < 2:
        return DisplayFrame(None, refused.format(why="are not regularly spaced slices of one volume"))
    return DisplayFrame(
        uids[0],
        f"The {len(headers)} images of this display set carry {count} different Frame of Reference UIDs, but they form one "
        "consistent geometry (one patient, one orientation, regular spacing along the normal), so they are shown as one "
        "frame: reference lines and the 3D cursor work across them.",
        unified=True,
    )


def patient_key(headers: Sequence[Dataset]) -> tuple[str, ...] | None:
    """The patient the images belong to (:data:`PATIENT_KEYS`), None when they differ."""
    keys = {tuple(attr.text(ds, key) for key in PATIENT_KEYS) for ds in headers}
    return keys.pop() if len(keys) == 1 else None


def link_frames(members: Sequence[tuple[Sequence[Dataset], DisplayFrame]]) -> list[DisplayFrame]:
    """The frames of a study's display sets (in display-set order), joined where they overlap.

    Display sets of one patient that have a frame and whose images share any Frame of Reference
    UID are one frame: a series whose slices each carry their own UID (shown as one frame) is so
    linked with another series whose images carry one of those UIDs. Each joined group takes the
    frame of its first display set; groups with one UID in all are left as they are.
    """
    frames = list(frames_of for _, frames_of in members)
    uids = [frozenset(_frame(ds) for ds in headers) - {""} for headers, _ in members]
    patients = [patient_key(headers) for headers, _ in members]
    parent = list(range(len(members)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    linked = [i for i, f in enumerate(frames) if f.uid is not None and patients[i] is not None]
    owner: dict[tuple[tuple[str, ...] | None, str], int] = {}
    for i in linked:
        for uid in uids[i]:
            j = owner.setdefault((patients[i], uid), i)
            if j != i:
                parent[root(i)] = root(j)
    groups: dict[int, list[int]] = {}
    for i in linked:
        groups.setdefault(root(i), []).append(i)
    out = list(frames)
    for group in groups.values():
        if len({frames[i].uid for i in group}) < 2:
            continue
        first = frames[min(group)].uid
        for i in group:
            out[i] = DisplayFrame(first, frames[i].note, frames[i].unified)
    return out
