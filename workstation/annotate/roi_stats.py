"""Which pixels an ROI holds, and their statistics.

Membership rule: a pixel belongs to an ROI when its centre lies inside the shape. Pixel
coordinates put the centre of the pixel in column ``c``, row ``r`` at ``(c, r)`` (as in
:mod:`workstation.model.viewport`); the image covers ``[-0.5, columns - 0.5]``. A centre on the
edge of a rectangle or an ellipse counts as inside; polygons (freehand ROIs) follow the even-odd
rule, so a centre exactly on a polygon edge may fall either way.

Statistics are over the modality values of the member pixels (PS3.4 N.2.1.1, after the Modality
LUT: HU for CT): count, mean, population standard deviation (ddof 0), minimum and maximum.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

Point = tuple[float, float]


@dataclass(frozen=True)
class RoiStatistics:
    """Statistics of the member pixels, in the image's modality units."""

    count: int
    mean: float
    sd: float
    minimum: float
    maximum: float


def _grid(shape: tuple[int, int], low: Point, high: Point) -> tuple[np.ndarray, np.ndarray, slice, slice]:
    """Pixel centres within the bounding box (clipped to the image) and the slices they cover."""
    rows, columns = shape
    c0, c1 = max(0, math.ceil(low[0])), min(columns - 1, math.floor(high[0]))
    r0, r1 = max(0, math.ceil(low[1])), min(rows - 1, math.floor(high[1]))
    if c1 < c0 or r1 < r0:
        return np.empty((0, 0)), np.empty((0, 0)), slice(0, 0), slice(0, 0)
    cc, rr = np.meshgrid(np.arange(c0, c1 + 1, dtype=np.float64), np.arange(r0, r1 + 1, dtype=np.float64))
    return cc, rr, slice(r0, r1 + 1), slice(c0, c1 + 1)


def rectangle_mask(shape: tuple[int, int], a: Point, b: Point) -> np.ndarray:
    """Pixels whose centre lies in the axis-aligned rectangle with opposite corners ``a``, ``b``."""
    mask = np.zeros(shape, dtype=bool)
    low = (min(a[0], b[0]), min(a[1], b[1]))
    high = (max(a[0], b[0]), max(a[1], b[1]))
    cc, _, rs, cs = _grid(shape, low, high)
    if cc.size:
        mask[rs, cs] = True
    return mask


def ellipse_mask(shape: tuple[int, int], points: Sequence[Point]) -> np.ndarray:
    """Pixels whose centre lies in the ellipse given by its major axis ends then minor axis ends
    (the SCOORD / GSPS ELLIPSE convention, PS3.3 C.18.6.1.2)."""
    (a0, a1, b0, b1) = [np.asarray(p, dtype=np.float64) for p in points[:4]]
    centre = (a0 + a1) / 2
    u = a1 - a0
    semi_major = float(np.linalg.norm(u)) / 2
    semi_minor = float(np.linalg.norm(b1 - b0)) / 2
    mask = np.zeros(shape, dtype=bool)
    if semi_major <= 0 or semi_minor <= 0:
        return mask
    u = u / (2 * semi_major)
    v = np.array([-u[1], u[0]])
    extent = float(np.hypot(semi_major * u[0], semi_minor * v[0])), float(np.hypot(semi_major * u[1], semi_minor * v[1]))
    cc, rr, rs, cs = _grid(shape, (centre[0] - extent[0], centre[1] - extent[1]), (centre[0] + extent[0], centre[1] + extent[1]))
    if cc.size:
        dx, dy = cc - centre[0], rr - centre[1]
        inside = ((dx * u[0] + dy * u[1]) / semi_major) ** 2 + ((dx * v[0] + dy * v[1]) / semi_minor) ** 2 <= 1.0 + 1e-12
        mask[rs, cs] = inside
    return mask


def polygon_mask(shape: tuple[int, int], points: Sequence[Point]) -> np.ndarray:
    """Pixels whose centre lies in the polygon (even-odd rule); the polygon closes itself."""
    pts = np.asarray(points, dtype=np.float64)
    if len(pts) > 1 and np.allclose(pts[0], pts[-1]):
        pts = pts[:-1]
    mask = np.zeros(shape, dtype=bool)
    if len(pts) < 3:
        return mask
    cc, rr, rs, cs = _grid(shape, (float(pts[:, 0].min()), float(pts[:, 1].min())), (float(pts[:, 0].max()), float(pts[:, 1].max())))
    if not cc.size:
        return mask
    inside = np.zeros(cc.shape, dtype=bool)
    x, y = cc, rr
    for (x0, y0), (x1, y1) in zip(pts, np.roll(pts, -1, axis=0), strict=True):
        if y0 == y1:
            continue
        crosses = (y0 > y) != (y1 > y)
        x_at = x0 + (y - y0) * (x1 - x0) / (y1 - y0)
        inside ^= crosses & (x < x_at)
    mask[rs, cs] = inside
    return mask


def polygon_area(points: Sequence[Point]) -> float:
    """Area (square pixels) of a polygon by the shoelace formula."""
    pts = np.asarray(points, dtype=np.float64)
    if len(pts) < 3:
        return 0.0
    x, y = pts[:, 0], pts[:, 1]
    return float(abs(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1))) / 2)


def statistics(values: np.ndarray, mask: np.ndarray) -> RoiStatistics | None:
    """Statistics of ``values`` where ``mask`` is set; None when the ROI holds no pixel centre."""
    selected = np.asarray(values, dtype=np.float64)[mask]
    if selected.size == 0:
        return None
    return RoiStatistics(int(selected.size), float(selected.mean()), float(selected.std()), float(selected.min()), float(selected.max()))
