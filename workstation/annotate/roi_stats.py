"""Which pixels an ROI holds, and their statistics.

Inclusion rule, the same for every ROI tool (rectangle, ellipse, freehand polygon, and the
contour of a bidirectional measurement): a pixel belongs to the ROI when its centre lies inside
the shape. Pixel coordinates put the centre of the pixel in column ``c``, row ``r`` at ``(c, r)``
(as in :mod:`workstation.model.viewport`); the image covers ``[-0.5, columns - 0.5]``.

A centre exactly on the outline is decided by one half-open rule, the top-left rule of scan-line
polygon filling: the centre ``(x, y)`` is in when the point ``(x + e, y + d)`` is inside the
shape, for ``e`` a tiny step to the right and ``d`` a step down vanishingly small beside ``e``.
So a centre on a left or top edge is in, one on a right or bottom edge is out, and an axis-aligned
rectangle or polygon from ``(x0, y0)`` to ``(x1, y1)`` holds the columns ``x0 <= c < x1`` and the
rows ``y0 <= r < y1``: a w x h square on pixel centres holds exactly w * h pixels, whichever tool
drew it, and two ROIs that share an edge never share a pixel. On an ellipse, a boundary centre is
in when the ellipse lies to its right along its row (its left half); its topmost and bottommost
points (a horizontal tangent) are out. The tests count the expected pixel sets independently, in
exact rational arithmetic.

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
    """Pixel centres within the closed bounding box (clipped to the image) and the slices they cover."""
    rows, columns = shape
    c0, c1 = max(0, math.ceil(low[0])), min(columns - 1, math.floor(high[0]))
    r0, r1 = max(0, math.ceil(low[1])), min(rows - 1, math.floor(high[1]))
    if c1 < c0 or r1 < r0:
        return np.empty((0, 0)), np.empty((0, 0)), slice(0, 0), slice(0, 0)
    cc, rr = np.meshgrid(np.arange(c0, c1 + 1, dtype=np.float64), np.arange(r0, r1 + 1, dtype=np.float64))
    return cc, rr, slice(r0, r1 + 1), slice(c0, c1 + 1)


def _half_open(low: float, high: float, size: int) -> slice:
    """The pixel centres ``low <= c < high`` (clipped to ``0 .. size - 1``) as a slice."""
    first = max(0, math.ceil(low))
    stop = min(size, math.ceil(high))
    return slice(first, max(first, stop))


def rectangle_mask(shape: tuple[int, int], a: Point, b: Point) -> np.ndarray:
    """Pixels of the axis-aligned rectangle with opposite corners ``a``, ``b`` (module rule:
    columns ``x0 <= c < x1``, rows ``y0 <= r < y1``)."""
    mask = np.zeros(shape, dtype=bool)
    rows = _half_open(min(a[1], b[1]), max(a[1], b[1]), shape[0])
    columns = _half_open(min(a[0], b[0]), max(a[0], b[0]), shape[1])
    mask[rows, columns] = True
    return mask


#: Relative tolerance within which a centre counts as on an ellipse's outline (rounding only).
_ON_OUTLINE = 1e-12


def ellipse_mask(shape: tuple[int, int], points: Sequence[Point]) -> np.ndarray:
    """Pixels of the ellipse given by its major axis ends then minor axis ends (the SCOORD / GSPS
    ELLIPSE convention, PS3.3 C.18.6.1.2), by the module rule."""
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
    if not cc.size:
        return mask
    dx, dy = cc - centre[0], rr - centre[1]
    p, q = dx * u[0] + dy * u[1], dx * v[0] + dy * v[1]  # along the major and the minor axis
    a2, b2 = semi_major**2, semi_minor**2
    # (p/a)^2 + (q/b)^2 - 1, times a^2 b^2: exact for whole-pixel axis-aligned ellipses.
    level = p * p * b2 + q * q * a2 - a2 * b2
    on = np.abs(level) <= _ON_OUTLINE * a2 * b2
    # On the outline, the ellipse lies to the right when the level falls along +x.
    falls_right = (p * u[0] * b2 + q * v[0] * a2) < -_ON_OUTLINE * a2 * b2 / max(semi_major, semi_minor)
    mask[rs, cs] = np.where(on, falls_right, level < 0)
    return mask


def polygon_mask(shape: tuple[int, int], points: Sequence[Point]) -> np.ndarray:
    """Pixels of the polygon (even-odd rule, the polygon closes itself), by the module rule.

    The crossing test counts the edges that cross the row half-open in y (``min <= y < max``)
    strictly to the right of the centre, compared by the sign of a cross product rather than
    a computed intersection, so a centre on an edge falls by the rule, not by rounding.
    """
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
        # x < x-of-the-edge-at-y, without dividing: (x - x0)(y1 - y0) < (y - y0)(x1 - x0) for y1 > y0.
        side = (x - x0) * (y1 - y0) - (y - y0) * (x1 - x0)
        right_of_centre = side < 0 if y1 > y0 else side > 0
        inside ^= crosses & right_of_centre
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
