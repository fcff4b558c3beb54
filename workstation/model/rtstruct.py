"""RT Structure Sets (PS3.3 A.19) read for display: each ROI's contours drawn over the images they
lie on, in the ROI's colour, with its volume.

Structure Set ROI Sequence (C.8.8.5) names the ROIs; ROI Contour Sequence (C.8.8.6) gives each
one's ROI Display Color (RGB 0-255) and its contours: Contour Data as x\\y\\z triplets in the
patient (LPS mm) of the referenced Frame of Reference, of Contour Geometric Type CLOSED_PLANAR
(a polygon), OPEN_PLANAR / OPEN_NONPLANAR (a polyline) or POINT.

On an image, the CLOSED_PLANAR contours lying in its plane (every point within half the slice
spacing, PS3.3 C.7.6.2.1.1) are projected to its pixel grid and filled by the even-odd rule at
the pixel centres; several contours of one ROI in one plane combine by exclusive or, so an inner
contour cuts a hole (the usual reading of C.8.8.6 for nested contours). The result has the same
form as a segmentation's (:mod:`workstation.model.segmentation`), so one drawing path serves both.

Volume of an ROI: the sum of its closed contours' areas (Newell's / shoelace formula in the
contour's plane) times the spacing between its contour planes (the median gap), in mL. Nested
contours (holes) are not subtracted in this sum; the drawing does cut them.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from pydicom.dataset import Dataset

from workstation.model.image_plane import ImagePlane
from workstation.model.segmentation import DEFAULT_COLOURS, Segment, SegmentStatistics
from workstation.model.spatial import plane_axes


@dataclass(frozen=True)
class Contour:
    """One contour of an ROI: its points (n, 3) in LPS mm and its geometric type."""

    roi: int
    points: np.ndarray
    geometric_type: str
    images: tuple[str, ...]  # Contour Image Sequence: SOP Instance UIDs


def _normal(points: np.ndarray) -> np.ndarray | None:
    """The unit normal of a planar polygon (Newell's method), or None for a degenerate one."""
    if len(points) < 3:
        return None
    shifted = np.roll(points, -1, axis=0)
    n = np.array([
        np.sum((points[:, 1] - shifted[:, 1]) * (points[:, 2] + shifted[:, 2])),
        np.sum((points[:, 2] - shifted[:, 2]) * (points[:, 0] + shifted[:, 0])),
        np.sum((points[:, 0] - shifted[:, 0]) * (points[:, 1] + shifted[:, 1])),
    ])
    length = float(np.linalg.norm(n))
    return n / length if length > 0 else None


def polygon_area_mm2(points: np.ndarray) -> float:
    """Area of a planar polygon in 3D (half the length of Newell's normal sum)."""
    if len(points) < 3:
        return 0.0
    shifted = np.roll(points, -1, axis=0)
    return 0.5 * float(np.linalg.norm(np.cross(points, shifted).sum(axis=0)))


def fill_polygon(columns: np.ndarray, rows: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """Pixels (rows, columns) whose centre lies inside the polygon (even-odd rule)."""
    height, width = shape
    out = np.zeros(shape, dtype=bool)
    if len(columns) < 3:
        return out
    x0, y0 = columns, rows
    x1, y1 = np.roll(columns, -1), np.roll(rows, -1)
    lo = max(0, int(math.floor(float(rows.min()))))
    hi = min(height - 1, int(math.ceil(float(rows.max()))))
    centres = np.arange(width, dtype=np.float64)
    for r in range(lo, hi + 1):
        y = float(r)
        crossing = ((y0 <= y) & (y1 > y)) | ((y1 <= y) & (y0 > y))
        if not crossing.any():
            continue
        xs = x0[crossing] + (y - y0[crossing]) * (x1[crossing] - x0[crossing]) / (y1[crossing] - y0[crossing])
        xs.sort()
        for a, b in zip(xs[0::2], xs[1::2], strict=False):
            out[r] |= (centres >= a) & (centres < b)
    return out


class StructureSet:
    """An RT Structure Set ready to draw (see the module doc); the interface of
    :class:`~workstation.model.segmentation.Segmentation` for drawing and statistics."""

    def __init__(self, ds: Dataset) -> None:
        self.dataset = ds
        names = {int(item.get("ROINumber", 0)): str(item.get("ROIName", "") or "") for item in ds.get("StructureSetROISequence", None) or ()}
        segments: list[Segment] = []
        contours: list[Contour] = []
        for n, item in enumerate(ds.get("ROIContourSequence", None) or ()):
            number = int(item.get("ReferencedROINumber", n + 1))
            colour_value = item.get("ROIDisplayColor", None)
            colour = tuple(int(v) for v in colour_value) if colour_value is not None and len(colour_value) == 3 else DEFAULT_COLOURS[n % len(DEFAULT_COLOURS)]
            segments.append(Segment(number, names.get(number, "") or f"ROI {number}", (colour[0], colour[1], colour[2])))
            for contour in item.get("ContourSequence", None) or ():
                data = contour.get("ContourData", None)
                if not data or len(data) % 3:
                    continue
                points = np.asarray([float(v) for v in data], dtype=np.float64).reshape(-1, 3)
                images = tuple(str(i.get("ReferencedSOPInstanceUID", "") or "") for i in contour.get("ContourImageSequence", None) or ())
                contours.append(Contour(number, points, str(contour.get("ContourGeometricType", "") or "").upper(), images))
        self.segments = tuple(segments)
        self.contours = tuple(contours)
        refs = ds.get("ReferencedFrameOfReferenceSequence", None) or ()
        self.frame_of_reference_uid = str(refs[0].get("FrameOfReferenceUID", "") or "") if refs else ""

    def contours_on(self, plane: ImagePlane, thickness: float | None = None) -> list[Contour]:
        """Closed planar contours in the image's plane: every point within half the slice
        spacing (``thickness``, else the ROI's contour spacing, else 1 mm) of it."""
        _, _, normal = plane_axes(plane)
        origin = np.asarray(plane.position, dtype=np.float64)
        out = []
        for contour in self.contours:
            if contour.geometric_type != "CLOSED_PLANAR":
                continue
            half = 0.5 * (thickness or self._spacing(contour.roi))
            distances = (contour.points - origin) @ normal
            if float(np.abs(distances).max()) <= half:
                out.append(contour)
        return out

    def masks_on(self, plane: ImagePlane, visible: Callable[[int], bool] | None = None,
                 frame_of_reference: str | None = None) -> list[tuple[Segment, np.ndarray]]:
        """(ROI, coverage 0/1 on the image's pixel grid) for each visible ROI with a contour here;
        contours are in the structure set's Frame of Reference: none on an image of another."""
        if frame_of_reference and self.frame_of_reference_uid and frame_of_reference != self.frame_of_reference_uid:
            return []
        row_axis, column_axis, _ = plane_axes(plane)
        origin = np.asarray(plane.position, dtype=np.float64)
        row_spacing, column_spacing = plane.pixel_spacing
        masks: dict[int, np.ndarray] = {}
        for contour in self.contours_on(plane):
            if visible is not None and not visible(contour.roi):
                continue
            relative = contour.points - origin
            columns = relative @ row_axis / column_spacing
            rows = relative @ column_axis / row_spacing
            filled = fill_polygon(columns, rows, (plane.rows, plane.columns))
            masks[contour.roi] = masks[contour.roi] ^ filled if contour.roi in masks else filled
        by_number = {s.number: s for s in self.segments}
        return [(by_number[n], m.astype(np.float32)) for n, m in sorted(masks.items()) if m.any() and n in by_number]

    def _spacing(self, roi: int) -> float:
        """The median gap (mm) between the planes of an ROI's closed contours, else 1 mm."""
        positions = set()
        for contour in self.contours:
            if contour.roi == roi and contour.geometric_type == "CLOSED_PLANAR":
                normal = _normal(contour.points)
                if normal is not None:
                    normal = normal if normal[int(np.argmax(np.abs(normal)))] > 0 else -normal  # winding-free
                    positions.add(round(float(contour.points[0] @ normal), 3))
        gaps = np.diff(sorted(positions))
        gaps = gaps[gaps > 1e-3]
        return float(np.median(gaps)) if len(gaps) else 1.0

    def statistics(self, values_on: Callable[[ImagePlane], np.ndarray | None] | None = None) -> list[SegmentStatistics]:
        """Volume (mL) of each ROI from its contour areas x contour spacing (see the module doc).
        Mean/max need the images under the contours: given by ``values_on`` in the viewer, per
        image; here only the volume is computed (``values_on`` is accepted for one interface)."""
        out = []
        for segment in self.segments:
            area = sum(polygon_area_mm2(c.points) for c in self.contours if c.roi == segment.number and c.geometric_type == "CLOSED_PLANAR")
            volume = area * self._spacing(segment.number) / 1000.0
            out.append(SegmentStatistics(segment, volume, float("nan")))
        return out


def read_structure_set(ds: Dataset) -> StructureSet:
    """An RT Structure Set (RT Structure Set Storage) for display."""
    return StructureSet(ds)


__all__ = ["Contour", "StructureSet", "fill_polygon", "polygon_area_mm2", "read_structure_set"]
