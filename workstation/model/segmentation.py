"""DICOM Segmentations (PS3.3 A.51, C.8.20) read for display: segments, colours, masks per frame.

A Segmentation instance holds one frame per (segment, plane). Each frame says which segment it
belongs to (Segment Identification, C.8.20.2.1 / Referenced Segment Number), where it lies in the
patient (Plane Position / Orientation functional groups, C.7.6.16.2.3-4) and usually which source
image it was derived from (Derivation Image / Source Image Sequence, C.7.6.16.2.6). Its segments
carry a label and a Recommended Display CIELab Value (C.8.20.2, PS3.3 C.10.7.1.1: L*a*b* scaled to
0-65535), turned into sRGB by highdicom.

Reading goes through highdicom (:class:`highdicom.seg.Segmentation`): segment descriptions and
the stored frames, with the bit-packed BINARY frames unpacked. A FRACTIONAL frame's values are
divided by Maximum Fractional Value (C.8.20.2.3) to give 0..1; a LABELMAP frame (Label Map
Segmentation, sup. 243) holds segment numbers, one mask per value.

To draw a segment over an image, :meth:`Segmentation.masks_on` finds the frames in the image's
plane - those derived from that very image, else those whose plane coincides with it within half
a slice - and samples them on the image's pixel grid (nearest neighbour, through patient
coordinates), so a segmentation on another grid of the same Frame of Reference still lands where
it belongs.

Volumes (:meth:`Segmentation.statistics`): a voxel counts in full in a BINARY segment and by its
fraction in a FRACTIONAL one (PROBABILITY or OCCUPANCY), times the voxel volume (Pixel Spacing x
Spacing Between Slices, else Slice Thickness, of Pixel Measures, C.7.6.16.2.1), in mL.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from pydicom.dataset import Dataset

from workstation.errors import WorkstationError
from workstation.model.image_plane import ImagePlane, image_planes
from workstation.model.spatial import patient_to_pixel, pixel_to_patient

#: Colours for segments that recommend none (sRGB), in turn.
DEFAULT_COLOURS: tuple[tuple[int, int, int], ...] = (
    (255, 80, 80), (80, 200, 80), (80, 140, 255), (255, 200, 40), (200, 80, 255), (40, 220, 220),
)


class SegmentationError(WorkstationError):
    """A segmentation that cannot be read or placed; the message says why, in one sentence."""


@dataclass(frozen=True)
class Segment:
    """One segment: number (1-based), label, display colour (sRGB 0-255) and property type."""

    number: int
    label: str
    colour: tuple[int, int, int]
    property_type: str = ""
    algorithm_type: str = ""


@dataclass(frozen=True)
class SegmentFrame:
    """One frame of the segmentation: its segment (0 for a label map, all segments in one), its
    plane in the patient and the source images it was derived from ((SOP Instance UID, frame))."""

    index: int  # 0-based frame of the SEG instance
    segment: int
    plane: ImagePlane | None
    sources: tuple[tuple[str, int | None], ...]


@dataclass(frozen=True)
class SegmentStatistics:
    """Per segment: volume in mL, voxel count (fractions summed for FRACTIONAL), and the mean and
    maximum of the image values inside it (when the caller gave values)."""

    segment: Segment
    volume_ml: float
    voxels: float
    mean: float | None = None
    maximum: float | None = None


def _lab_to_rgb(value: Sequence[int] | None, fallback: tuple[int, int, int]) -> tuple[int, int, int]:
    if value is None or len(value) != 3:
        return fallback
    from highdicom.color import CIELabColor

    try:
        r, g, b = CIELabColor.from_dicom_value([int(v) for v in value]).to_rgb(clip=True)
    except (ValueError, TypeError):
        return fallback
    return (int(r), int(g), int(b))


def _code_meaning(item: Any) -> str:
    seq = item.get("SegmentedPropertyTypeCodeSequence", None) if item is not None else None
    return str(seq[0].get("CodeMeaning", "") or "") if seq else ""


def _sources(frame_item: Dataset | None) -> tuple[tuple[str, int | None], ...]:
    out: list[tuple[str, int | None]] = []
    if frame_item is None:
        return ()
    for derivation in frame_item.get("DerivationImageSequence", None) or ():
        for source in derivation.get("SourceImageSequence", None) or ():
            uid = str(source.get("ReferencedSOPInstanceUID", "") or "")
            if not uid:
                continue
            numbers = source.get("ReferencedFrameNumber", None)
            if numbers is None:
                out.append((uid, None))
            else:
                values = numbers if isinstance(numbers, (list, tuple)) or hasattr(numbers, "__iter__") and not isinstance(numbers, (str, bytes)) else [numbers]
                out.extend((uid, int(n)) for n in values)
    return tuple(out)


@dataclass
class Segmentation:
    """A Segmentation instance ready to draw (see the module doc)."""

    dataset: Dataset
    segments: tuple[Segment, ...]
    frames: tuple[SegmentFrame, ...]
    segmentation_type: str  # BINARY, FRACTIONAL or LABELMAP
    maximum_fraction: float
    frame_of_reference_uid: str
    voxel_volume_mm3: float | None
    _reader: Any = field(repr=False, default=None)
    _cache: dict[int, np.ndarray] = field(repr=False, default_factory=dict)

    @classmethod
    def from_dataset(cls, ds: Dataset) -> Segmentation:
        """Read a Segmentation (Segmentation Storage or Label Map Segmentation Storage)."""
        import highdicom as hd

        try:
            reader = hd.seg.Segmentation.from_dataset(ds, copy=False)
        except (ValueError, AttributeError, KeyError, TypeError) as exc:
            raise SegmentationError(f"This segmentation cannot be read ({type(exc).__name__}: it does not follow PS3.3 A.51).") from exc
        seg_type = str(ds.get("SegmentationType", "") or "").upper()
        segments = []
        for n, item in enumerate(ds.get("SegmentSequence", None) or ()):
            number = int(item.get("SegmentNumber", n + 1))
            label = str(item.get("SegmentLabel", "") or "") or f"Segment {number}"
            colour = _lab_to_rgb(item.get("RecommendedDisplayCIELabValue", None), DEFAULT_COLOURS[n % len(DEFAULT_COLOURS)])
            segments.append(Segment(number, label, colour, _code_meaning(item), str(item.get("SegmentAlgorithmType", "") or "")))
        try:
            planes = image_planes([ds])
        except WorkstationError:
            planes = []
        by_frame = {p.frame: p for p in planes}
        shared = (ds.get("SharedFunctionalGroupsSequence", None) or [None])[0]
        per_frame = ds.get("PerFrameFunctionalGroupsSequence", None) or []
        count = int(ds.get("NumberOfFrames", 1) or 1)
        frames = []
        for i in range(count):
            item = per_frame[i] if i < len(per_frame) else None
            ident = None
            for group in (item, shared):
                seq = group.get("SegmentIdentificationSequence", None) if group is not None else None
                if seq:
                    ident = seq[0]
                    break
            segment = int(ident.get("ReferencedSegmentNumber", 0)) if ident is not None and seg_type != "LABELMAP" else 0
            sources = _sources(item) or _sources(shared)
            frames.append(SegmentFrame(i, segment, by_frame.get(i + 1) or by_frame.get(None), sources))
        return cls(
            dataset=ds,
            segments=tuple(segments),
            frames=tuple(frames),
            segmentation_type=seg_type,
            maximum_fraction=float(ds.get("MaximumFractionalValue", 255) or 255),
            frame_of_reference_uid=str(ds.get("FrameOfReferenceUID", "") or ""),
            voxel_volume_mm3=_voxel_volume(ds, shared),
            _reader=reader,
        )

    # -- masks --------------------------------------------------------------------------------
    def frame_values(self, index: int) -> np.ndarray:
        """Frame ``index`` (0-based) as stored, unpacked (rows, columns), uint8/uint16."""
        cached = self._cache.get(index)
        if cached is None:
            cached = np.asarray(self._reader.get_stored_frame(index + 1))
            self._cache[index] = cached
        return cached

    def mask(self, frame: SegmentFrame, segment: int | None = None) -> np.ndarray:
        """The segment's share of each pixel of ``frame`` in 0..1 (float32): 0/1 for BINARY,
        value / Maximum Fractional Value for FRACTIONAL, value == segment for LABELMAP."""
        values = self.frame_values(frame.index)
        if self.segmentation_type == "LABELMAP":
            return (values == (segment if segment is not None else frame.segment)).astype(np.float32)
        if self.segmentation_type == "FRACTIONAL":
            return (values.astype(np.float32) / np.float32(self.maximum_fraction)).clip(0, 1)
        return (values > 0).astype(np.float32)

    def frames_on(self, plane: ImagePlane, frame_of_reference: str | None = None) -> list[SegmentFrame]:
        """The frames drawn over the image ``plane``: those derived from it (Source Image
        Sequence), else those lying in its plane within half a slice (PS3.3 C.7.6.2.1.1) when
        both share the Frame of Reference (``frame_of_reference``: the image's; C.7.4.1)."""
        uid, number = plane.sop_instance_uid, plane.frame
        by_source = [f for f in self.frames if any(s == uid and (n is None or number is None or n == number) for s, n in f.sources)]
        if by_source:
            return by_source
        if frame_of_reference and self.frame_of_reference_uid and frame_of_reference != self.frame_of_reference_uid:
            return []
        tolerance = 0.5 * self.slice_spacing()
        normal = np.cross(plane.orientation[:3], plane.orientation[3:])
        out = []
        for f in self.frames:
            if f.plane is None:
                continue
            other = np.cross(f.plane.orientation[:3], f.plane.orientation[3:])
            if abs(float(np.dot(normal, other))) < 0.9999:
                continue
            if abs(float(np.dot(np.asarray(f.plane.position) - np.asarray(plane.position), normal))) <= tolerance:
                out.append(f)
        return out

    def masks_on(self, plane: ImagePlane, visible: Callable[[int], bool] | None = None,
                 frame_of_reference: str | None = None) -> list[tuple[Segment, np.ndarray]]:
        """(segment, coverage on the image's pixel grid in 0..1) for each segment with a frame in
        the image's plane; ``visible(number)`` leaves hidden segments out; ``frame_of_reference``
        (the image's) keeps a segmentation of another Frame of Reference off it."""
        numbers = {s.number: s for s in self.segments}
        out: dict[int, np.ndarray] = {}
        for f in self.frames_on(plane, frame_of_reference):
            wanted = [s.number for s in self.segments] if self.segmentation_type == "LABELMAP" else [f.segment]
            for number in wanted:
                if number not in numbers or (visible is not None and not visible(number)):
                    continue
                values = self.mask(f, number)
                sampled = _resample_on(values, f.plane, plane) if f.plane is not None else values
                if sampled.shape != (plane.rows, plane.columns):
                    continue
                if number in out:
                    np.maximum(out[number], sampled, out=out[number])
                else:
                    out[number] = sampled
        return [(numbers[n], out[n]) for n in sorted(out)]

    def volume_sources(self) -> list[tuple[Segment, Any]]:
        """Each segment's frames as a :class:`~workstation.model.fusion.FusionSource` (its share
        0..1 per voxel), to sample on any plane (MPR, oblique): nearest voxel, 0 outside."""
        from workstation.model.fusion import FusionSource

        out: list[tuple[Segment, Any]] = []
        spacing = self.slice_spacing()
        for segment in self.segments:
            frames = [f for f in self.frames if f.plane is not None
                      and (self.segmentation_type == "LABELMAP" or f.segment == segment.number)]
            images = []
            for f in frames:
                assert f.plane is not None
                images.append((f.plane, self.mask(f, segment.number)))
            if not images:
                continue
            try:
                out.append((segment, FusionSource(images, self.frame_of_reference_uid or None, spacing)))
            except WorkstationError:
                continue  # frames of mixed geometry: drawn on their own images only
        return out

    # -- measurements -------------------------------------------------------------------------
    def slice_spacing(self) -> float:
        """Distance between the segmentation's planes (mm): Spacing Between Slices, else Slice
        Thickness, else the smallest gap between frame positions, else 1."""
        shared = (self.dataset.get("SharedFunctionalGroupsSequence", None) or [None])[0]
        measures = _pixel_measures(shared) or _pixel_measures((self.dataset.get("PerFrameFunctionalGroupsSequence", None) or [None])[0])
        for keyword in ("SpacingBetweenSlices", "SliceThickness"):
            value = _positive(measures, keyword)
            if value is not None:
                return value
        return 1.0

    def statistics(self, values_on: Callable[[ImagePlane], np.ndarray | None] | None = None) -> list[SegmentStatistics]:
        """Volume (mL) of each segment and, when ``values_on(plane)`` gives the image values
        (HU, SUV) on a frame's plane (its pixel grid), their mean and maximum inside it (weighted
        by the fraction for FRACTIONAL segments; maximum over voxels with a share above 0)."""
        voxel = self.voxel_volume_mm3
        stats = []
        for segment in self.segments:
            count = 0.0
            weighted = 0.0
            total_weight = 0.0
            maximum = -math.inf
            for f in self.frames:
                if self.segmentation_type != "LABELMAP" and f.segment != segment.number:
                    continue
                share = self.mask(f, segment.number)
                count += float(share.sum(dtype=np.float64))
                if values_on is not None and f.plane is not None:
                    values = values_on(f.plane)
                    if values is not None and values.shape == share.shape and share.any():
                        weighted += float((values * share).sum(dtype=np.float64))
                        total_weight += float(share.sum(dtype=np.float64))
                        maximum = max(maximum, float(values[share > 0].max()))
            volume = count * voxel / 1000.0 if voxel is not None else math.nan
            mean = weighted / total_weight if total_weight > 0 else None
            stats.append(SegmentStatistics(segment, volume, count, mean, maximum if math.isfinite(maximum) else None))
        return stats


def _positive(ds: Dataset | None, keyword: str) -> float | None:
    if ds is None:
        return None
    try:
        value = float(ds.get(keyword, None))
    except (TypeError, ValueError):
        return None
    return value if math.isfinite(value) and value > 0 else None


def _pixel_measures(group: Dataset | None) -> Dataset | None:
    seq = group.get("PixelMeasuresSequence", None) if group is not None else None
    return seq[0] if seq else None


def _voxel_volume(ds: Dataset, shared: Dataset | None) -> float | None:
    """Pixel Spacing x (Spacing Between Slices, else Slice Thickness) in mm3, or None."""
    measures = _pixel_measures(shared) or _pixel_measures((ds.get("PerFrameFunctionalGroupsSequence", None) or [None])[0])
    if measures is None or "PixelSpacing" not in measures:
        return None
    rows, columns = (float(v) for v in measures.PixelSpacing)
    depth = _positive(measures, "SpacingBetweenSlices") or _positive(measures, "SliceThickness")
    if depth is None:
        return None
    return rows * columns * depth


def _resample_on(values: np.ndarray, source: ImagePlane, target: ImagePlane) -> np.ndarray:
    """``values`` on ``source``'s grid sampled at each pixel centre of ``target`` (nearest
    neighbour, through patient coordinates); outside the source: 0."""
    if (source.rows, source.columns) == (target.rows, target.columns) and np.allclose(source.position, target.position, atol=1e-3) \
            and np.allclose(source.orientation, target.orientation, atol=1e-5) \
            and np.allclose(source.pixel_spacing, target.pixel_spacing, atol=1e-5):
        return values
    origin = pixel_to_patient(target, 0.0, 0.0)
    step_c = pixel_to_patient(target, 1.0, 0.0) - origin
    step_r = pixel_to_patient(target, 0.0, 1.0) - origin
    c0, r0, _ = patient_to_pixel(source, origin)
    dc = np.asarray(patient_to_pixel(source, origin + step_c)[:2]) - (c0, r0)
    dr = np.asarray(patient_to_pixel(source, origin + step_r)[:2]) - (c0, r0)
    rows, columns = np.mgrid[0:target.rows, 0:target.columns]
    src_c = np.rint(c0 + columns * dc[0] + rows * dr[0]).astype(np.int64)
    src_r = np.rint(r0 + columns * dc[1] + rows * dr[1]).astype(np.int64)
    inside = (src_c >= 0) & (src_c < source.columns) & (src_r >= 0) & (src_r < source.rows)
    out = np.zeros((target.rows, target.columns), dtype=np.float32)
    out[inside] = values[src_r[inside], src_c[inside]]
    return out


def read_segmentation(ds: Dataset) -> Segmentation:
    """:meth:`Segmentation.from_dataset` (the display set handler's entry point)."""
    return Segmentation.from_dataset(ds)


#: Opacity of a segment's fill over the image (its outline is drawn opaque).
DEFAULT_OPACITY = 0.4


def outline_of(mask: np.ndarray) -> np.ndarray:
    """The boundary pixels of ``mask`` >= 0.5: inside pixels with a 4-neighbour outside."""
    inside = mask >= 0.5
    padded = np.pad(inside, 1, constant_values=False)
    interior = padded[:-2, 1:-1] & padded[2:, 1:-1] & padded[1:-1, :-2] & padded[1:-1, 2:]
    return np.asarray(inside & ~interior)


def blend_segments(rgb: np.ndarray, masks: Sequence[tuple[Segment, np.ndarray]], opacity: float = DEFAULT_OPACITY) -> None:
    """Draw segments over an (rows, columns, 3) uint8 picture in place: each pixel mixed with the
    segment colour by ``opacity`` x its share (0..1), the outline in the full colour."""
    if not masks:
        return
    out = rgb.astype(np.float32)
    for segment, share in masks:
        colour = np.asarray(segment.colour, dtype=np.float32)
        alpha = (np.float32(opacity) * share.astype(np.float32))[..., None]
        out = out * (1.0 - alpha) + colour * alpha
        edge = outline_of(share)
        out[edge] = colour
    np.copyto(rgb, np.clip(np.rint(out), 0, 255).astype(np.uint8))


@dataclass(frozen=True)
class ValueSummary:
    """Mean (weighted by each pixel's share) and maximum of image values inside one segment,
    over ``pixels`` image pixels (shares summed)."""

    segment: Segment
    mean: float
    maximum: float
    pixels: float


def values_inside(overlay: Any, images: Sequence[tuple[ImagePlane, np.ndarray]], frame_of_reference: str | None = None) -> list[ValueSummary]:
    """Mean and maximum of image values (HU, SUV: whatever ``images`` carry, one array per
    image on its pixel grid) inside each segment of ``overlay`` (a :class:`Segmentation` or an
    RT structure set), sampled on the images' grids (:meth:`Segmentation.masks_on`)."""
    sums: dict[int, list[float]] = {}
    segments: dict[int, Segment] = {}
    for plane, values in images:
        for segment, share in overlay.masks_on(plane, None, frame_of_reference):
            if share.shape != values.shape or not share.any():
                continue
            acc = sums.setdefault(segment.number, [0.0, 0.0, -math.inf])
            segments[segment.number] = segment
            acc[0] += float((values * share).sum(dtype=np.float64))
            acc[1] += float(share.sum(dtype=np.float64))
            acc[2] = max(acc[2], float(values[share > 0].max()))
    return [ValueSummary(segments[n], acc[0] / acc[1], acc[2], acc[1]) for n, acc in sorted(sums.items()) if acc[1] > 0]
