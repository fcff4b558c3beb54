"""Display sets: what a viewport shows, built from the headers of a study's instances.

As in OHIF and 3D Slicer, a viewer works on display sets, not on series: one series can hold a
volume, a localizer, a stack of projections, a multi-frame cine or non-image objects. The rules:

- Non-image objects are recognised by SOP Class UID (PS3.4 B.5): each SR, Encapsulated PDF, Key
  Object Selection, presentation state, segmentation or RT structure set is one display set.
- Each multi-frame image is one display set: an ENHANCED_VOLUME when its per-frame Plane Position
  (PS3.3 C.7.6.16.2.3) values form a volume, else a MULTIFRAME cine with its Frame Time
  (PS3.3 C.7.6.5, Cine Module).
- Single-frame images of a series are split where Image Orientation (Patient), Rows/Columns,
  Pixel Spacing or the localizer flag of Image Type (PS3.3 C.8.2.1.1.1) change, and again by
  acquisition (Acquisition Number, echo, temporal position, ...) when slices repeat positions.
  A group of at least three parallel slices that builds a volume is a VOLUME; anything else
  (projections, single images, localizers, two slices, repeated positions) is a STACK.

Pixel spacing follows PS3.3 10.7.1.3: Pixel Spacing when present; Imager Pixel Spacing only
(projection radiography) is measured at the detector and is flagged as such; neither means
the image is uncalibrated.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from pydicom.dataset import Dataset

from workstation.errors import GeometryError
from workstation.model import attributes as attr
from workstation.model.frame_of_reference import DisplayFrame, display_frame, link_frames
from workstation.model.geometry import (
    DUPLICATE_TOLERANCE_MM,
    ORIENTATION_TOLERANCE,
    VolumeGeometry,
    VolumeResult,
    build_volume_geometry,
)
from workstation.model.image_plane import is_enhanced_multiframe
from workstation.model.image_warning import ImageWarning, WarningCode
from workstation.model.sop_classes import DisplaySetKind, document_kind

#: Fewest parallel slices that make a VOLUME (fewer are shown as a STACK).
MIN_VOLUME_SLICES = 3
#: Attributes that tell repeated acquisitions apart when slices repeat positions, tried in order.
ACQUISITION_KEYS = (
    "AcquisitionNumber",
    "EchoNumbers",
    "EchoTime",
    "TemporalPositionIdentifier",
    "TriggerTime",
    "ImageType",
)

_SPACING_PIXEL = "PixelSpacing"
_SPACING_DETECTOR = "ImagerPixelSpacing"
_SPACING_NONE = "uncalibrated"


@dataclass(frozen=True, eq=False)
class DisplaySet:
    """One thing a viewport can show, with everything needed to lay it out and load it.

    ``frames`` lists (SOP Instance UID, 1-based frame number) in display order: slices sorted
    along the normal for volumes, Instance Number order for stacks, frame order for cines.
    ``geometry`` and ``volume`` are set for volumes only. ``pixel_spacing`` is (row, column) mm.
    ``frame_of_reference_uid`` is the Frame of Reference its viewports are linked by
    (:mod:`workstation.model.frame_of_reference`: one UID per display set, a consistent series
    whose slices each carry their own UID unified, None when there is none to link by).
    """

    uid: str
    kind: DisplaySetKind
    series_uid: str
    study_uid: str
    modality: str
    series_number: int | None
    series_description: str
    sop_class_uid: str
    sop_instance_uids: tuple[str, ...]
    frames: tuple[tuple[str, int], ...]
    number_of_images: int
    number_of_frames: int
    rows: int | None = None
    columns: int | None = None
    pixel_spacing: tuple[float, float] | None = None
    spacing_source: str = _SPACING_NONE
    frame_time_ms: float | None = None
    geometry: VolumeGeometry | None = None
    volume: VolumeResult | None = None
    warnings: tuple[ImageWarning, ...] = field(default_factory=tuple)
    frame_of_reference_uid: str | None = None
    #: SEG: segment labels (PS3.3 C.8.20.2); RTSTRUCT: ROI names (C.8.8.5), in order.
    segments: tuple[str, ...] = ()

    @property
    def is_volume(self) -> bool:
        return self.kind in (DisplaySetKind.VOLUME, DisplaySetKind.ENHANCED_VOLUME)

    def describe(self) -> dict[str, Any]:
        """JSON-ready summary for ``workstation info --json`` (no patient data)."""
        out: dict[str, Any] = {
            "uid": self.uid,
            "kind": self.kind.value,
            "series_uid": self.series_uid,
            "study_uid": self.study_uid,
            "modality": self.modality,
            "series_number": self.series_number,
            "series_description": self.series_description,
            "sop_class_uid": self.sop_class_uid,
            "images": self.number_of_images,
            "frames": self.number_of_frames,
            "rows": self.rows,
            "columns": self.columns,
            "pixel_spacing_mm": list(self.pixel_spacing) if self.pixel_spacing else None,
            "spacing_source": self.spacing_source,
            "frame_time_ms": self.frame_time_ms,
            "warnings": [w.sentence for w in self.warnings],
            "warning_codes": [w.code.value for w in self.warnings],
            "frame_of_reference_uid": self.frame_of_reference_uid,
        }
        if self.kind in (DisplaySetKind.SEG, DisplaySetKind.RTSTRUCT):
            out["segments"] = list(self.segments)
        if self.geometry is not None:
            g = self.geometry
            row_spacing, column_spacing, slice_spacing = g.spacing
            extent = g.dimensions_mm
            letters = g.axis_letters
            out.update(
                {
                    "shape": list(g.shape),
                    "spacing_mm": [row_spacing, column_spacing, slice_spacing],
                    "affine": [[float(v) for v in row] for row in g.affine],
                    "orientation": g.plane,
                    "nearest_plane": g.nearest_plane,
                    "axis_letters": {"columns": letters[0], "rows": letters[1], "slices": letters[2]},
                    "dimensions_mm": [extent[0], extent[1], extent[2]],
                }
            )
        if self.volume is not None:
            out.update(
                {
                    "tilt_degrees": self.volume.tilt_degrees,
                    "tilted": self.volume.is_tilted,
                    "regular": self.volume.is_regular,
                    "missing_slices": self.volume.missing_slices,
                    "needs_resampling": self.volume.needs_resampling,
                }
            )
        return out


# -- reading one header ------------------------------------------------------------------------


def _first_item(ds: Dataset | None, keyword: str) -> Dataset | None:
    if ds is None or keyword not in ds or not ds[keyword].value:
        return None
    item = ds[keyword].value[0]
    return item if isinstance(item, Dataset) else None


def _enhanced_value(ds: Dataset, sequence: str, keyword: str) -> Any:
    """Value from the shared functional groups, else from the first frame's (PS3.3 C.7.6.16)."""
    for group in (_first_item(ds, "SharedFunctionalGroupsSequence"), _first_item(ds, "PerFrameFunctionalGroupsSequence")):
        macro = _first_item(group, sequence)
        if macro is not None and keyword in macro:
            return macro[keyword].value
    return None


def _pixel_spacing(ds: Dataset) -> tuple[tuple[float, float] | None, str]:
    spacing = attr.floats(ds.get("PixelSpacing", None), 2)
    if spacing is None and is_enhanced_multiframe(ds):
        spacing = attr.floats(_enhanced_value(ds, "PixelMeasuresSequence", "PixelSpacing"), 2)
    if spacing is not None and np.all(spacing > 0):
        return (float(spacing[0]), float(spacing[1])), _SPACING_PIXEL
    imager = attr.floats(ds.get("ImagerPixelSpacing", None), 2)
    if imager is not None and np.all(imager > 0):
        return (float(imager[0]), float(imager[1])), _SPACING_DETECTOR
    return None, _SPACING_NONE


def _is_localizer(ds: Dataset) -> bool:
    image_type = ds.get("ImageType", None) or []
    values = [image_type] if isinstance(image_type, str) else list(image_type)
    return any(str(v).strip().upper() == "LOCALIZER" for v in values)


def _number_of_frames(ds: Dataset) -> int:
    frames = attr.int_or_none(ds, "NumberOfFrames")
    return frames if frames and frames > 0 else 1


@dataclass(eq=False)
class _Image:
    ds: Dataset
    uid: str
    instance_number: int | None
    rows: int | None
    columns: int | None
    spacing: tuple[float, float] | None
    spacing_source: str
    orientation: np.ndarray | None
    position: np.ndarray | None
    localizer: bool

    @classmethod
    def read(cls, ds: Dataset) -> _Image:
        spacing, source = _pixel_spacing(ds)
        orientation = attr.floats(ds.get("ImageOrientationPatient", None), 6)
        if orientation is not None and (np.linalg.norm(orientation[:3]) < 1e-6 or np.linalg.norm(orientation[3:]) < 1e-6):
            orientation = None
        return cls(
            ds=ds,
            uid=attr.text(ds, "SOPInstanceUID"),
            instance_number=attr.int_or_none(ds, "InstanceNumber"),
            rows=attr.int_or_none(ds, "Rows"),
            columns=attr.int_or_none(ds, "Columns"),
            spacing=spacing,
            spacing_source=source,
            orientation=orientation,
            position=attr.floats(ds.get("ImagePositionPatient", None), 3),
            localizer=_is_localizer(ds),
        )

    @property
    def placed(self) -> bool:
        """True when the image has a full Image Plane (position, orientation, pixel spacing)."""
        return self.orientation is not None and self.position is not None and self.spacing_source == _SPACING_PIXEL

    def sort_key(self) -> tuple[int, int, str]:
        number = self.instance_number
        return (0 if number is not None else 1, number or 0, self.uid)

    def fits(self, other: _Image) -> bool:
        """Same stack: same placement kind, orientation, matrix, pixel spacing and localizer flag."""
        if self.placed != other.placed or self.localizer != other.localizer:
            return False
        if not self.placed:
            return True  # projections and unplaced images of a series stay together
        assert self.orientation is not None and other.orientation is not None
        if float(np.max(np.abs(self.orientation - other.orientation))) > ORIENTATION_TOLERANCE:
            return False
        if (self.rows, self.columns) != (other.rows, other.columns):
            return False
        assert self.spacing is not None and other.spacing is not None
        return bool(np.allclose(self.spacing, other.spacing, rtol=1e-3, atol=1e-4))


def _normal(image: _Image) -> np.ndarray:
    assert image.orientation is not None
    o = image.orientation
    n = np.cross(o[:3] / np.linalg.norm(o[:3]), o[3:] / np.linalg.norm(o[3:]))
    return n / np.linalg.norm(n)


def _has_repeated_positions(images: Sequence[_Image]) -> bool:
    normal = _normal(images[0])
    locations = np.sort([float(np.dot(im.position, normal)) for im in images if im.position is not None])
    return bool(np.any(np.diff(locations) < DUPLICATE_TOLERANCE_MM))


def _acquisition_value(image: _Image, keyword: str) -> str:
    value = image.ds.get(keyword, None)
    if value is None:
        return ""
    if not isinstance(value, str) and hasattr(value, "__iter__"):
        return "\\".join(str(v) for v in value)
    return str(value)


def _split_by_acquisition(images: list[_Image]) -> tuple[list[list[_Image]], str]:
    """Split slices that repeat positions by the first acquisition attribute that separates them."""
    for keyword in ACQUISITION_KEYS:
        groups: dict[str, list[_Image]] = {}
        for image in images:
            groups.setdefault(_acquisition_value(image, keyword), []).append(image)
        if len(groups) < 2:
            continue
        parts = list(groups.values())
        if all(len(p) >= 2 and not _has_repeated_positions(p) for p in parts):
            return parts, keyword
    return [images], ""


def _frame_time_ms(ds: Dataset) -> float | None:
    """Frame time per the Cine Module (PS3.3 C.7.6.5): Frame Time, Frame Time Vector, rates."""
    for keyword in ("FrameTime",):
        try:
            value = float(ds.get(keyword, None))
            if value > 0 and math.isfinite(value):
                return value
        except (TypeError, ValueError):
            pass
    vector = ds.get("FrameTimeVector", None)
    if vector is not None and not isinstance(vector, str):
        try:
            steps = [float(v) for v in list(vector)[1:]]
            if steps and all(math.isfinite(s) and s > 0 for s in steps):
                return float(np.mean(steps))
        except (TypeError, ValueError):
            pass
    for keyword in ("CineRate", "RecommendedDisplayFrameRate"):
        try:
            rate = float(ds.get(keyword, None))
            if rate > 0 and math.isfinite(rate):
                return 1000.0 / rate
        except (TypeError, ValueError):
            pass
    return None


# -- building ----------------------------------------------------------------------------------


@dataclass
class _Draft:
    """A display set before its uid is known (uids are numbered once the series is ordered)."""

    kind: DisplaySetKind
    headers: list[Dataset]
    frames: tuple[tuple[str, int], ...]
    warnings: list[ImageWarning]
    volume: VolumeResult | None = None
    frame_time_ms: float | None = None
    #: The headers read once (:meth:`_Image.read`), for the image kinds; reused by :func:`_finish`.
    images: list[_Image] = field(default_factory=list)

    def sort_key(self) -> tuple[int, int, int, str]:
        numbers = [attr.int_or_none(ds, "InstanceNumber") for ds in self.headers]
        known = [n for n in numbers if n is not None]
        first_uid = min(attr.text(ds, "SOPInstanceUID") for ds in self.headers)
        return (0 if self.kind.is_image else 1, 0 if known else 1, min(known) if known else 0, first_uid)


def _spacing_warnings(images: Sequence[_Image]) -> list[ImageWarning]:
    uids = tuple(im.uid for im in images)
    sources = {im.spacing_source for im in images}
    warnings: list[ImageWarning] = []
    if _SPACING_DETECTOR in sources:
        warnings.append(
            ImageWarning(
                WarningCode.DETECTOR_SPACING,
                "Pixel spacing is at the detector (Imager Pixel Spacing), not corrected for magnification: "
                "measurements in the patient are overestimated.",
                uids,
            )
        )
    if _SPACING_NONE in sources:
        if any("SequenceOfUltrasoundRegions" in im.ds for im in images):
            warnings.append(
                ImageWarning(
                    WarningCode.ULTRASOUND_REGIONS,
                    "Pixel spacing is given per ultrasound region (Sequence of Ultrasound Regions), not for the whole image: "
                    "measure only inside a calibrated region.",
                    uids,
                )
            )
        else:
            warnings.append(
                ImageWarning(
                    WarningCode.UNCALIBRATED,
                    "The images are uncalibrated (no Pixel Spacing): distances and areas can only be given in pixels.",
                    uids,
                )
            )
    return warnings


def _stack(images: list[_Image], warnings: list[ImageWarning]) -> _Draft:
    ordered = sorted(images, key=_Image.sort_key)
    frames = tuple((im.uid, f) for im in ordered for f in range(1, _number_of_frames(im.ds) + 1))
    return _Draft(DisplaySetKind.STACK, [im.ds for im in ordered], frames, warnings, images=ordered)


def _image_group_draft(images: list[_Image], split_note: str) -> _Draft:
    """A VOLUME when the group is >= 3 parallel slices that build a volume, else a STACK."""
    notes: list[ImageWarning] = []
    if split_note:
        notes.append(ImageWarning(WarningCode.SERIES_SPLIT, split_note, tuple(im.uid for im in images)))
    if not images[0].placed or images[0].localizer or len(images) == 1:
        return _stack(images, notes)
    if _has_repeated_positions(images):
        notes.append(
            ImageWarning(
                WarningCode.NOT_A_VOLUME,
                f"These {len(images)} images repeat the same slice positions (repeated acquisitions), "
                "so they are shown as a stack in Instance Number order, not as a volume.",
                tuple(im.uid for im in images),
            )
        )
        return _stack(images, notes)
    if len(images) < MIN_VOLUME_SLICES:
        notes.append(
            ImageWarning(
                WarningCode.NOT_A_VOLUME,
                f"Only {len(images)} parallel slices: shown as a stack, since reformats need at least {MIN_VOLUME_SLICES}.",
                tuple(im.uid for im in images),
            )
        )
        return _stack(images, notes)
    try:
        volume = build_volume_geometry([im.ds for im in images])
    except GeometryError as exc:
        notes.append(ImageWarning(WarningCode.NOT_A_VOLUME, str(exc), tuple(im.uid for im in images)))
        return _stack(images, notes)
    by_uid = {im.uid: im.ds for im in images}
    ordered = [by_uid[p.sop_instance_uid] for p in volume.slices] + [by_uid[p.sop_instance_uid] for p in volume.duplicates]
    return _Draft(DisplaySetKind.VOLUME, ordered, volume.frames, notes + list(volume.warnings), volume=volume,
                  images=list(images))


def _multiframe_draft(ds: Dataset) -> _Draft:
    uid = attr.text(ds, "SOPInstanceUID")
    frames = tuple((uid, f) for f in range(1, _number_of_frames(ds) + 1))
    notes: list[ImageWarning] = []
    if is_enhanced_multiframe(ds):
        try:
            volume = build_volume_geometry([ds])
        except GeometryError as exc:
            notes.append(ImageWarning(WarningCode.NOT_A_VOLUME, str(exc), (uid,)))
        else:
            if not volume.duplicates and len(volume.slices) >= MIN_VOLUME_SLICES:
                return _Draft(DisplaySetKind.ENHANCED_VOLUME, [ds], volume.frames, list(volume.warnings), volume=volume)
            notes.append(
                ImageWarning(
                    WarningCode.NOT_A_VOLUME,
                    "The frames repeat slice positions (several stacks, echoes or time points) or are too few, "
                    "so they are shown frame by frame, not as one volume.",
                    (uid,),
                )
            )
    frame_time = _frame_time_ms(ds)
    if frame_time is None and not is_enhanced_multiframe(ds):
        notes.append(
            ImageWarning(
                WarningCode.NO_FRAME_TIME,
                "The cine has no Frame Time or frame rate, so it plays at the default rate.",
                (uid,),
            )
        )
    return _Draft(DisplaySetKind.MULTIFRAME, [ds], frames, notes, frame_time_ms=frame_time)


def _series_drafts(headers: list[Dataset], series_label: str) -> list[_Draft]:
    drafts: list[_Draft] = []
    singles: list[_Image] = []
    for ds in headers:
        kind = document_kind(attr.text(ds, "SOPClassUID"))
        has_pixels = bool(attr.int_or_none(ds, "Rows")) and bool(attr.int_or_none(ds, "Columns"))
        if kind is not None or not has_pixels:
            drafts.append(_Draft(kind or DisplaySetKind.OTHER, [ds], (), []))
        elif _number_of_frames(ds) > 1 or is_enhanced_multiframe(ds):
            drafts.append(_multiframe_draft(ds))
        else:
            singles.append(_Image.read(ds))

    groups: list[list[_Image]] = []
    for image in sorted(singles, key=_Image.sort_key):
        for group in groups:
            if group[0].fits(image):
                group.append(image)
                break
        else:
            groups.append([image])
    parts: list[tuple[list[_Image], str]] = []
    for group in groups:
        if group[0].placed and not group[0].localizer and len(group) > 1 and _has_repeated_positions(group):
            split, keyword = _split_by_acquisition(group)
            parts.extend((p, keyword) for p in split)
        else:
            parts.append((group, ""))
    for images, keyword in parts:
        note = ""
        if len(parts) > 1:
            why = f"told apart by {keyword}" if keyword else "differing in orientation, matrix, pixel spacing or image type"
            note = f"{series_label} holds {len(parts)} image sets {why}; this is one of them."
        draft = _image_group_draft(images, note)
        draft.warnings = _spacing_warnings(images) + draft.warnings
        drafts.append(draft)
    for draft in drafts:
        if draft.kind.is_image and not draft.images:  # multi-frame images: read once here
            draft.images = [_Image.read(ds) for ds in draft.headers]
        if draft.kind is DisplaySetKind.MULTIFRAME:
            draft.warnings = _spacing_warnings(draft.images) + draft.warnings
    return drafts


def _segment_names(draft: _Draft) -> tuple[str, ...]:
    """Segment labels of a SEG (Segment Sequence, PS3.3 C.8.20.2) or ROI names of an RT
    Structure Set (Structure Set ROI Sequence, C.8.8.5), as the header gives them."""
    names: list[str] = []
    for ds in draft.headers:
        if draft.kind == DisplaySetKind.SEG:
            names += [attr.text(item, "SegmentLabel") or f"Segment {attr.text(item, 'SegmentNumber')}" for item in ds.get("SegmentSequence", None) or ()]
        elif draft.kind == DisplaySetKind.RTSTRUCT:
            names += [attr.text(item, "ROIName") or f"ROI {attr.text(item, 'ROINumber')}" for item in ds.get("StructureSetROISequence", None) or ()]
    return tuple(names)


def _finish(draft: _Draft, uid: str, series_uid: str, frame: DisplayFrame) -> DisplaySet:
    first = draft.headers[0]
    images = draft.images if draft.kind.is_image else []
    rows = {im.rows for im in images}
    columns = {im.columns for im in images}
    spacings = {im.spacing for im in images}
    sources = {im.spacing_source for im in images}
    counted = draft.kind.is_image or draft.kind == DisplaySetKind.SEG  # a SEG's frames are its masks
    frames_total = sum(_number_of_frames(ds) for ds in draft.headers) if counted else 0
    geometry = draft.volume.geometry if draft.volume is not None else None
    warnings = list(draft.warnings)
    if frame.note:
        warnings.append(ImageWarning(WarningCode.FRAME_OF_REFERENCE, frame.note, tuple(attr.text(ds, "SOPInstanceUID") for ds in draft.headers)))
    return DisplaySet(
        uid=uid,
        kind=draft.kind,
        series_uid=series_uid,
        study_uid=attr.text(first, "StudyInstanceUID"),
        modality=attr.text(first, "Modality"),
        series_number=attr.int_or_none(first, "SeriesNumber"),
        series_description=attr.text(first, "SeriesDescription"),
        sop_class_uid=attr.text(first, "SOPClassUID"),
        sop_instance_uids=tuple(attr.text(ds, "SOPInstanceUID") for ds in draft.headers),
        frames=draft.frames,
        number_of_images=len(draft.headers),
        number_of_frames=frames_total,
        rows=rows.pop() if len(rows) == 1 else None,
        columns=columns.pop() if len(columns) == 1 else None,
        pixel_spacing=spacings.pop() if len(spacings) == 1 else None,
        spacing_source=sources.pop() if len(sources) == 1 else (_SPACING_NONE if not sources else "mixed"),
        frame_time_ms=draft.frame_time_ms,
        geometry=geometry,
        volume=draft.volume,
        segments=_segment_names(draft),
        warnings=tuple(warnings),
        frame_of_reference_uid=frame.uid,
    )


def build_display_sets(headers: Sequence[Dataset]) -> list[DisplaySet]:
    """Display sets of the given instance headers (any studies and series, any order).

    Headers may come from files read with ``stop_before_pixels=True`` or from DICOMweb metadata
    (PS3.18 10.4.1.1.2) turned into pydicom Datasets. The result is ordered by study (in order of
    first appearance), then Series Number, then within a series: images first, by Instance Number.
    Each display set's uid is ``<Series Instance UID>#<n>``, n counting from 1 in that order, so it
    is the same however the headers were ordered.
    """
    series: dict[str, list[Dataset]] = {}
    study_order: dict[str, int] = {}
    for ds in headers:
        study_order.setdefault(attr.text(ds, "StudyInstanceUID"), len(study_order))
        series.setdefault(attr.text(ds, "SeriesInstanceUID"), []).append(ds)

    def series_key(item: tuple[str, list[Dataset]]) -> tuple[int, int, int, str]:
        uid, members = item
        number = attr.int_or_none(members[0], "SeriesNumber")
        return (study_order[attr.text(members[0], "StudyInstanceUID")], 0 if number is not None else 1, number or 0, uid)

    numbered: list[tuple[_Draft, str, str]] = []
    for series_uid, members in sorted(series.items(), key=series_key):
        number = attr.int_or_none(members[0], "SeriesNumber")
        label = f"Series {number}" if number is not None else "The series"
        drafts = sorted(_series_drafts(members, label), key=_Draft.sort_key)
        numbered += [(draft, f"{series_uid}#{n}", series_uid) for n, draft in enumerate(drafts, start=1)]
    frames = link_frames([
        (draft.headers, display_frame(draft.headers, draft.volume) if draft.kind.is_image else DisplayFrame(None))
        for draft, _, _ in numbered
    ])
    return [_finish(draft, uid, series_uid, frame) for (draft, uid, series_uid), frame in zip(numbered, frames, strict=True)]


def display_sets_by_kind(sets: Sequence[DisplaySet]) -> dict[DisplaySetKind, list[DisplaySet]]:
    """Group display sets by kind (a convenience for hanging protocols and the CLI)."""
    grouped: dict[DisplaySetKind, list[DisplaySet]] = {}
    for display_set in sets:
        grouped.setdefault(display_set.kind, []).append(display_set)
    return grouped


__all__ = [
    "ACQUISITION_KEYS",
    "MIN_VOLUME_SLICES",
    "DisplaySet",
    "DisplaySetKind",
    "build_display_sets",
    "display_sets_by_kind",
]
