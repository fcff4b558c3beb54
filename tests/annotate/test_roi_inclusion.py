"""One inclusion rule for every ROI tool (issue 20): the same square drawn as a rectangle, a
freehand polygon and the ellipse inscribed in it holds the pixel set counted independently here.

The rule (workstation.annotate.roi_stats): a pixel is in when its centre (x, y) is inside the
shape, a centre on the outline being in when the point (x + e, y + d) is inside, e a tiny step
right and d vanishingly small beside e. The expected sets are counted by evaluating exactly
that, in exact rational arithmetic (fractions), with e = 10^-6 and d = e^3; the code under test
uses floating point, crossing counts and a quadratic form instead.
"""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction

import numpy as np
import pytest
from pydicom.dataset import Dataset

from workstation.annotate.measurements import (
    Kind,
    MeasuredImage,
    ellipse_from_box,
    measure,
    roi_mask,
)

E = Fraction(1, 10**6)
D = E**3
SHAPE = (100, 90)

Inside = Callable[[Fraction, Fraction], bool]


def _counted(inside: Inside, shape: tuple[int, int] = SHAPE) -> set[tuple[int, int]]:
    """(column, row) of the pixels whose centre, nudged by (e, d), is inside."""
    return {(c, r) for r in range(shape[0]) for c in range(shape[1]) if inside(c + E, r + D)}


def _in_box(x0: float, y0: float, x1: float, y1: float) -> Inside:
    a0, b0, a1, b1 = (Fraction(v) for v in (x0, y0, x1, y1))
    return lambda x, y: a0 < x < a1 and b0 < y < b1


def _in_ellipse(x0: float, y0: float, x1: float, y1: float) -> Inside:
    cx, cy = (Fraction(x0) + Fraction(x1)) / 2, (Fraction(y0) + Fraction(y1)) / 2
    a, b = (Fraction(x1) - Fraction(x0)) / 2, (Fraction(y1) - Fraction(y0)) / 2
    return lambda x, y: ((x - cx) / a) ** 2 + ((y - cy) / b) ** 2 < 1


def _in_convex(vertices: list[tuple[float, float]]) -> Inside:
    """Strictly inside a convex polygon given clockwise on screen (y down)."""
    pts = [(Fraction(x), Fraction(y)) for x, y in vertices]
    edges = list(zip(pts, pts[1:] + pts[:1], strict=True))
    return lambda x, y: all((x1 - x0) * (y - y0) - (y1 - y0) * (x - x0) > 0 for (x0, y0), (x1, y1) in edges)


def _pixels(mask: np.ndarray) -> set[tuple[int, int]]:
    rows, columns = np.nonzero(mask)
    return {(int(c), int(r)) for r, c in zip(rows, columns, strict=True)}


def _stroke(corners: list[tuple[float, float]], per_edge: int = 37) -> list[tuple[float, float]]:
    """A freehand stroke along the corners: many points on each edge, as a hand draws it."""
    out: list[tuple[float, float]] = []
    for (x0, y0), (x1, y1) in zip(corners, corners[1:] + corners[:1], strict=True):
        out += [(x0 + (x1 - x0) * k / per_edge, y0 + (y1 - y0) * k / per_edge) for k in range(per_edge)]
    return out


@pytest.mark.parametrize("box", [(10, 20, 60, 70), (10.25, 20.5, 60.25, 70.5), (3.5, 4, 53.5, 54)])
def test_the_same_square_holds_the_same_pixels_whatever_the_tool(box: tuple[float, float, float, float]) -> None:
    x0, y0, x1, y1 = box
    square = _counted(_in_box(*box))
    assert len(square) == 50 * 50  # a 50 x 50 square holds 2500 pixels: its area

    assert _pixels(roi_mask(Kind.RECTANGLE, [(x1, y1), (x0, y0)], SHAPE)) == square
    corners = [(x0, y0), (x1, y0), (x1, y1), (x0, y1)]
    assert _pixels(roi_mask(Kind.FREEHAND, corners, SHAPE)) == square
    assert _pixels(roi_mask(Kind.FREEHAND, corners[::-1], SHAPE)) == square  # drawn the other way round
    assert _pixels(roi_mask(Kind.FREEHAND, _stroke(corners), SHAPE)) == square
    assert _pixels(roi_mask(Kind.FREEHAND, [*corners, corners[0]], SHAPE)) == square  # closed by hand

    circle = _counted(_in_ellipse(*box))
    assert _pixels(roi_mask(Kind.ELLIPSE, ellipse_from_box((x0, y0), (x1, y1)), SHAPE)) == circle
    assert _pixels(roi_mask(Kind.ELLIPSE, ellipse_from_box((x1, y1), (x0, y0)), SHAPE)) == circle


def test_an_ellipse_and_a_diamond_with_outline_points_on_pixel_centres() -> None:
    # 7^2 + 24^2 = 25^2: the circle of radius 25 passes through many pixel centres.
    box = (10, 20, 60, 70)
    expected = _counted(_in_ellipse(*box))
    assert (10, 45) in expected and (60, 45) not in expected  # left end in, right end out
    assert (35, 20) not in expected and (35, 70) not in expected  # horizontal tangents out
    assert (35 - 7, 45 - 24) in expected and (35 + 7, 45 - 24) not in expected
    assert _pixels(roi_mask(Kind.ELLIPSE, ellipse_from_box((10, 20), (60, 70)), SHAPE)) == expected
    # A wide ellipse (semi-axes 25 and 10).
    expected = _counted(_in_ellipse(10, 30, 60, 50))
    assert _pixels(roi_mask(Kind.ELLIPSE, ellipse_from_box((10, 30), (60, 50)), SHAPE)) == expected

    diamond = [(40, 10), (70, 40), (40, 70), (10, 40)]  # clockwise on screen
    expected = _counted(_in_convex(diamond))
    assert (40, 10) not in expected and (10, 40) in expected and (70, 40) not in expected
    assert _pixels(roi_mask(Kind.FREEHAND, diamond, SHAPE)) == expected
    assert _pixels(roi_mask(Kind.FREEHAND, _stroke(diamond[::-1], per_edge=30), SHAPE)) == expected  # points on the edges


def test_neighbouring_rois_share_no_pixel_and_miss_none() -> None:
    left = roi_mask(Kind.RECTANGLE, [(10, 10), (30, 40)], SHAPE)
    right = roi_mask(Kind.FREEHAND, [(30, 10), (50, 10), (50, 40), (30, 40)], SHAPE)
    whole = roi_mask(Kind.RECTANGLE, [(10, 10), (50, 40)], SHAPE)
    assert not (left & right).any() and np.array_equal(left | right, whole)


def test_statistics_agree_across_tools_and_the_label_shows_min_and_max() -> None:
    ds = Dataset()
    ds.SOPInstanceUID, ds.SOPClassUID, ds.Modality = "1.2.3.4", "1.2.840.10008.5.1.4.1.1.2", "CT"
    ds.RescaleSlope, ds.RescaleIntercept, ds.PixelSpacing = 1, -1024, [0.5, 0.5]
    rows, columns = SHAPE
    stored = (np.arange(rows)[:, None] * 10 + np.arange(columns)[None, :] + 1000).astype(np.int16)
    image = MeasuredImage.from_dataset(ds, stored=stored)
    hu = stored.astype(np.float64) - 1024
    square = hu[20:70, 10:60]  # columns 10..59, rows 20..69: by hand

    rectangle = measure(Kind.RECTANGLE, [(10, 20), (60, 70)], image)
    freehand = measure(Kind.FREEHAND, [(10, 20), (60, 20), (60, 70), (10, 70)], image)
    for m in (rectangle, freehand):
        assert [(v.name, v.value) for v in m.values[1:]] == [
            ("Mean", pytest.approx(square.mean())), ("Standard deviation", pytest.approx(square.std())),
            ("Minimum", square.min()), ("Maximum", square.max()),
        ]
        assert m.value("Area").value == pytest.approx(50 * 50 * 0.25)  # type: ignore[union-attr]
    assert rectangle.label == freehand.label
    assert rectangle.label == (f"Area 625.0 mm², Mean {square.mean():.0f} HU, SD {square.std():.1f} HU, "
                               f"Min {square.min():.0f} HU, Max {square.max():.0f} HU")


def test_the_measurement_report_carries_min_and_max_with_mean_and_sd() -> None:
    from io import BytesIO

    import pydicom

    from workstation import demo
    from workstation.annotate.sr_tid1500 import build_measurement_report

    ds = pydicom.dcmread(BytesIO(next(demo.phantom_series(shape=(1, *SHAPE)))))
    ds.PatientName = "Dupont^Hélène"
    ds.SpecificCharacterSet = "ISO_IR 192"
    roi = measure(Kind.RECTANGLE, [(10, 20), (60, 70)], MeasuredImage.from_dataset(ds))
    assert roi.value("Maximum").value > roi.value("Minimum").value  # type: ignore[union-attr]
    report = build_measurement_report([roi], [ds])

    def numbers(items: object) -> dict[str, float]:
        found: dict[str, float] = {}
        for item in items or []:  # type: ignore[attr-defined]
            if item.ValueType == "NUM":
                found[item.ConceptNameCodeSequence[0].CodeValue] = float(item.MeasuredValueSequence[0].NumericValue)
            found.update(numbers(item.get("ContentSequence", None)))
        return found

    written = numbers(report.ContentSequence)
    for code, name in (("373098007", "Mean"), ("386136009", "Standard deviation"), ("255605001", "Minimum"), ("56851009", "Maximum")):
        assert written[code] == pytest.approx(roi.value(name).value)  # type: ignore[union-attr]
