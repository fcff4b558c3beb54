"""How the reader saw an image, as a Grayscale Softcopy Presentation State (PS3.3 A.33.1).

Built with highdicom's ``GrayscaleSoftcopyPresentationState``: the images it applies to
(Presentation State Relationship, C.11.11), window/level as a Softcopy VOI LUT (C.11.8), and
the measurements and annotations as Graphic Annotation items (C.10.5) on one graphic layer
(C.10.7), in PIXEL units ((0, 0) at the outer top-left corner: pixel-centre coordinates shifted
by +0.5). The zoom is written as the Displayed Area Selection (C.10.4): the area shown (1-based
top-left and bottom-right pixels) and MAGNIFY with the magnification ratio when a zoom factor is
given, SCALE TO FIT otherwise. Each tool is drawn as:

- length, angle: POLYLINE; Cobb: two POLYLINEs; bidirectional: its two axes as POLYLINEs;
- ellipse: ELLIPSE; rectangle, freehand: closed POLYLINE; probe: POINT;
- arrow: the shaft and a two-stroke head as POLYLINEs; text: a text object at its anchor;
- every measurement also gets a text object with its label, anchored at its last point.

The presentation state is in UTF-8 (ISO_IR 192, :mod:`workstation.model.charset`), whatever
the images' character set, so text annotations may be in any language.

:mod:`workstation.model.presentation_state` reads it back (tests round-trip through it).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from pydicom.dataset import Dataset
from pydicom.sequence import Sequence as DicomSequence
from pydicom.uid import generate_uid

from workstation import __version__
from workstation.annotate.measurements import Kind, Measurement, MeasurementError, Point
from workstation.lazy import lazy_module
from workstation.model import series_numbers
from workstation.model.charset import UTF8

if TYPE_CHECKING:
    import highdicom as hd
else:
    hd = lazy_module("highdicom")  # imported when an object is first written

#: Series Number given to presentation states written here.
PRESENTATION_SERIES_NUMBER = series_numbers.PRESENTATION_STATES
LAYER = "MEASUREMENTS"
ARROW_HEAD_PIXELS = 8.0


class PresentationStateError(MeasurementError):
    """A presentation state cannot be written as asked (no image, missing header, bad window)."""


@dataclass(frozen=True)
class View:
    """Window/level and zoom of the images: ``window`` (centre, width) in modality units,
    ``displayed_area`` ((first column, first row), (last column, last row)) 1-based pixels,
    ``zoom`` the magnification (screen pixels per image pixel) or None for "scale to fit"."""

    window: tuple[float, float] | None = None
    displayed_area: tuple[tuple[int, int], tuple[int, int]] | None = None
    zoom: float | None = None


def _shift(points: Sequence[Point]) -> np.ndarray:
    return np.asarray(points, dtype=np.float64) + 0.5


def _polyline(points: Sequence[Point], closed: bool = False) -> hd.pr.GraphicObject:
    data = _shift(points)
    if closed and not np.allclose(data[0], data[-1]):
        data = np.vstack([data, data[:1]])
    return hd.pr.GraphicObject(graphic_type=hd.pr.GraphicTypeValues.POLYLINE, graphic_data=data, units=hd.pr.AnnotationUnitsValues.PIXEL)


def _arrow(tail: Point, head: Point) -> list[hd.pr.GraphicObject]:
    angle = math.atan2(head[1] - tail[1], head[0] - tail[0])
    wings = [(head[0] - ARROW_HEAD_PIXELS * math.cos(angle + s), head[1] - ARROW_HEAD_PIXELS * math.sin(angle + s)) for s in (math.radians(25), -math.radians(25))]
    return [_polyline([tail, head]), _polyline([wings[0], head, wings[1]])]


def graphics_of(m: Measurement) -> list[hd.pr.GraphicObject]:
    """The graphic objects that draw one measurement (see the module doc)."""
    p = m.points
    if m.kind in (Kind.LENGTH, Kind.ANGLE):
        return [_polyline(p)]
    if m.kind is Kind.COBB:
        return [_polyline(p[:2]), _polyline(p[2:4])]
    if m.kind is Kind.BIDIRECTIONAL:
        axes = m.axes or p[:4]
        out = [_polyline(axes[:2]), _polyline(axes[2:4])]
        return out + ([_polyline(p, closed=True)] if len(p) > 4 else [])
    if m.kind is Kind.ELLIPSE:
        return [hd.pr.GraphicObject(graphic_type=hd.pr.GraphicTypeValues.ELLIPSE, graphic_data=_shift(p[:4]), units=hd.pr.AnnotationUnitsValues.PIXEL)]
    if m.kind is Kind.RECTANGLE:
        (x0, y0), (x1, y1) = p
        return [_polyline([(x0, y0), (x1, y0), (x1, y1), (x0, y1)], closed=True)]
    if m.kind is Kind.FREEHAND:
        return [_polyline(p, closed=True)]
    if m.kind is Kind.PROBE:
        return [hd.pr.GraphicObject(graphic_type=hd.pr.GraphicTypeValues.POINT, graphic_data=_shift(p[:1]), units=hd.pr.AnnotationUnitsValues.PIXEL)]
    if m.kind is Kind.ARROW:
        return _arrow(p[0], p[1])
    return []


def _text_of(m: Measurement) -> hd.pr.TextObject | None:
    text = m.text if m.kind is Kind.TEXT else m.label
    if not text:
        return None
    anchor = _shift(m.points[-1:] if m.kind is not Kind.ARROW else m.points[:1])[0]
    return hd.pr.TextObject(
        text_value=text[:1024],
        units=hd.pr.AnnotationUnitsValues.PIXEL,
        anchor_point=(float(anchor[0]), float(anchor[1])),
        anchor_point_visible=m.kind is not Kind.TEXT,
        text_justification=hd.pr.TextJustificationValues.LEFT,
    )


def _displayed_area(headers: Sequence[Dataset], view: View) -> DicomSequence:
    items = []
    for ds in headers:
        item = Dataset()
        ref = Dataset()
        ref.ReferencedSOPClassUID = ds.SOPClassUID
        ref.ReferencedSOPInstanceUID = ds.SOPInstanceUID
        item.ReferencedImageSequence = DicomSequence([ref])
        (c0, r0), (c1, r1) = view.displayed_area or ((1, 1), (int(ds.Columns), int(ds.Rows)))
        item.DisplayedAreaTopLeftHandCorner = [int(c0), int(r0)]
        item.DisplayedAreaBottomRightHandCorner = [int(c1), int(r1)]
        if view.zoom is not None:
            if not (math.isfinite(view.zoom) and view.zoom > 0):
                raise PresentationStateError("The zoom factor must be a positive number.")
            item.PresentationSizeMode = "MAGNIFY"
            item.PresentationPixelMagnificationRatio = float(view.zoom)
        else:
            item.PresentationSizeMode = "SCALE TO FIT"
        spacing = ds.get("PixelSpacing", None) or ds.get("ImagerPixelSpacing", None)
        if spacing:
            item.PresentationPixelSpacing = [float(spacing[0]), float(spacing[1])]
        else:
            item.PresentationPixelAspectRatio = [1, 1]
        items.append(item)
    return DicomSequence(items)


#: Body Part Examined defined terms (PS3.16 Annex L) of paired structures: a series of one of
#: them needs a Laterality (PS3.3 C.7.3.1), empty when it is unknown.
PAIRED_BODY_PARTS = frozenset({
    "ANKLE", "ARM", "BREAST", "CALF", "CLAVICLE", "EAR", "ELBOW", "EXTREMITY", "EYE", "FEMUR",
    "FINGER", "FOOT", "FOREARM", "HAND", "HEEL", "HIP", "HUMERUS", "KIDNEY", "KNEE", "LEG",
    "LOWER LIMB", "LUNG", "ORBIT", "OVARY", "RADIUS", "SCAPULA", "SHOULDER", "TESTIS", "THIGH",
    "THUMB", "TIBIA", "FIBULA", "TOE", "ULNA", "UPPER LIMB", "WRIST", "ADRENAL", "PAROTID",
})


def _series_side(ps: Dataset, headers: Sequence[Dataset]) -> None:
    """Body Part Examined and Laterality of the General Series Module (PS3.3 C.7.3.1).

    Laterality is Type 2C: required when the body part is paired, and then empty only when
    actually unknown; absent otherwise. The images say which: their common Body Part Examined
    is copied, and their common Laterality (or Image Laterality R or L). With no side known,
    Laterality is left out for a body part known to be unpaired, and written empty otherwise.
    """
    parts = {str(ds.get("BodyPartExamined", "") or "").upper() for ds in headers}
    part = parts.pop() if len(parts) == 1 else ""
    if part:
        ps.BodyPartExamined = part
    sides = {str(ds.get("Laterality", "") or ds.get("ImageLaterality", "") or "").upper() for ds in headers}
    side = sides.pop() if len(sides) == 1 else ""
    if "Laterality" in ps:
        del ps.Laterality
    if side in ("R", "L"):
        ps.Laterality = side
    elif not part or part in PAIRED_BODY_PARTS:
        ps.Laterality = ""


def build_presentation_state(
    headers: Sequence[Dataset],
    measurements: Sequence[Measurement] = (),
    view: View | None = None,
    *,
    label: str = "READING",
    description: str = "",
    previous_version: Dataset | None = None,
) -> Dataset:
    """A GSPS for the given images (one series' images or several) with the view and annotations.

    Measurements on images that are not among ``headers`` raise :class:`PresentationStateError`.
    Each call makes a new SOP Instance UID (the series of ``previous_version`` is reused).
    """
    if not headers:
        raise PresentationStateError("A presentation state needs at least one image; open an image first.")
    view = view or View()
    by_uid = {str(ds.SOPInstanceUID): ds for ds in headers}
    missing = [m.image.sop_instance_uid for m in measurements if m.image.sop_instance_uid not in by_uid]
    if missing:
        raise PresentationStateError(f"The header of annotated image {missing[0]} was not given; pass the headers of every annotated image.")
    layer = hd.pr.GraphicLayer(layer_name=LAYER, order=1, description="Measurements and annotations")
    annotations = []
    by_image: dict[tuple[str, int | None], list[Measurement]] = {}
    for m in measurements:
        by_image.setdefault((m.image.sop_instance_uid, m.image.frame), []).append(m)
    for (uid, frame), items in by_image.items():
        graphics = [g for m in items for g in graphics_of(m)]
        texts = [t for m in items for t in [_text_of(m)] if t is not None]
        annotations.append(hd.pr.GraphicAnnotation(
            referenced_images=[by_uid[uid]], graphic_layer=layer, referenced_frame_number=frame,
            graphic_objects=graphics or None, text_objects=texts or None,
        ))
    voi = None
    if view.window is not None:
        centre, width = view.window
        if not (math.isfinite(centre) and math.isfinite(width) and width >= 1):
            raise PresentationStateError("The window width must be at least 1 (PS3.3 C.11.2.1.2).")
        voi = [hd.pr.SoftcopyVOILUTTransformation(window_center=float(centre), window_width=float(width))]
    series = str(previous_version.SeriesInstanceUID) if previous_version is not None else generate_uid()
    number = int(previous_version.get("InstanceNumber", 0) or 0) + 1 if previous_version is not None else 1
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # highdicom's person-name warnings may quote patient names
        ps = hd.pr.GrayscaleSoftcopyPresentationState(
            referenced_images=list(headers),
            series_instance_uid=series,
            series_number=PRESENTATION_SERIES_NUMBER,
            sop_instance_uid=generate_uid(),
            instance_number=number,
            manufacturer="workstation",
            manufacturer_model_name="workstation",
            software_versions=__version__,
            device_serial_number="0",
            content_label=label.upper().replace(" ", "_")[:16] or "READING",
            content_description=description or None,
            graphic_annotations=annotations or None,
            graphic_layers=[layer] if annotations else None,
            voi_lut_transformations=voi,
            specific_character_set=UTF8,  # text annotations in any language (PS3.5 6.1)
        )
    ps.DisplayedAreaSelectionSequence = _displayed_area(headers, view)
    _series_side(ps, headers)
    ps.SeriesDescription = "Presentation state"
    return ps
