"""The grayscale and colour pixel pipeline: stored values to the 8-bit values on screen.

It follows the grayscale transformations of PS3.4 Annex N (N.2.1): Modality LUT (PS3.3 C.11.1:
Rescale Slope/Intercept or the Modality LUT Sequence), VOI LUT (PS3.3 C.11.2: window center and
width with the VOI LUT Function LINEAR, LINEAR_EXACT or SIGMOID, or the VOI LUT Sequence), then
the Presentation LUT (C.11.6: identity, or inversion for MONOCHROME1). PALETTE COLOR indices go
through the Red/Green/Blue Palette Color Lookup Tables (C.7.6.3.1.5-6, segmented ones C.7.9.2);
RGB passes through (decode.py already turned YBR_FULL/YBR_FULL_422 into RGB, C.7.6.3.1.2).

For speed the whole chain is folded into one :class:`DisplayLUT` indexed by the stored value:
changing window/level rebuilds a table of at most 65536 entries and re-indexes the stored array,
never a float copy of the volume. The table's entries are the formulas evaluated exactly.

Enhanced multi-frame images keep rescale and window per frame in the Pixel Value Transformation
and Frame VOI LUT functional groups (PS3.3 C.7.6.16.2.9 and .10); every reader here takes the frame
index and looks there first.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from pydicom.dataset import Dataset
from pydicom.pixels.processing import apply_color_lut

from workstation.errors import DecodeError
from workstation.model import attributes as attr

LINEAR = "LINEAR"
LINEAR_EXACT = "LINEAR_EXACT"
SIGMOID = "SIGMOID"
VOI_FUNCTIONS = (LINEAR, LINEAR_EXACT, SIGMOID)


# --------------------------------------------------------------------------------------------
# Attribute lookup across functional groups


def _frame_sources(ds: Dataset, frame: int, sequence: str) -> list[Dataset]:
    """Items that may hold a frame's pixel transformation attributes, most specific first."""
    sources: list[Dataset] = []
    per_frame = ds.get("PerFrameFunctionalGroupsSequence", None)
    if per_frame is not None and 0 <= frame < len(per_frame):
        item = per_frame[frame].get(sequence, None)
        if item:
            sources.append(item[0])
    shared = ds.get("SharedFunctionalGroupsSequence", None)
    if shared:
        item = shared[0].get(sequence, None)
        if item:
            sources.append(item[0])
    sources.append(ds)
    return sources


def _first_with(sources: list[Dataset], keyword: str) -> Dataset | None:
    for source in sources:
        if keyword in source and source[keyword].value not in (None, ""):
            return source
    return None


def _is_little_endian(ds: Dataset) -> bool:
    meta = getattr(ds, "file_meta", None)
    if meta is not None and "TransferSyntaxUID" in meta:
        return str(meta.TransferSyntaxUID) != "1.2.840.10008.1.2.2"
    encoding = getattr(ds, "original_encoding", (None, True))
    return encoding[1] is not False


# --------------------------------------------------------------------------------------------
# Lookup tables (LUT Descriptor + LUT Data, PS3.3 C.11.1.1.1 and C.11.2.1.1)


@dataclass(frozen=True)
class LookupTable:
    """A Modality or VOI LUT: ``data[i]`` is the output for input ``first_mapped + i``.

    Inputs below ``first_mapped`` map to the first entry and inputs past the end to the last
    (PS3.3 C.11.1.1.1). ``bits`` is the third LUT Descriptor value: outputs span 0..2**bits-1.
    """

    first_mapped: int
    bits: int
    data: np.ndarray
    explanation: str = ""

    def map(self, values: np.ndarray) -> np.ndarray:
        index = np.clip(np.floor(values - self.first_mapped), 0, len(self.data) - 1)
        return self.data[index.astype(np.intp)]

    @property
    def output_max(self) -> int:
        """The largest output: 2**bits - 1, or more when the data break their own descriptor."""
        declared = (1 << self.bits) - 1
        actual = int(self.data.max()) if self.data.size else 0
        return declared if actual <= declared else (1 << int(actual).bit_length()) - 1


def read_lut(item: Dataset, ds: Dataset, signed_input: bool) -> LookupTable:
    """Read a LUT Descriptor / LUT Data item (Modality or VOI LUT Sequence item)."""
    descriptor = [int(v) for v in attr.values(item.LUTDescriptor)]
    if len(descriptor) != 3:
        raise DecodeError(
            f"The LUT Descriptor of instance {ds.get('SOPInstanceUID', '')} has "
            f"{len(descriptor)} values instead of 3 (PS3.3 C.11.1.1.1); the image cannot be shown."
        )
    entries = descriptor[0] or 65536  # 0 means 2**16 entries
    first_mapped = descriptor[1]
    if signed_input and first_mapped > 32767:
        first_mapped -= 65536  # US-encoded SS value (PS3.3 C.11.2.1.1)
    bits = descriptor[2]
    raw = item.LUTData
    if isinstance(raw, (bytes, bytearray)):
        order = "<" if _is_little_endian(ds) else ">"
        data = np.frombuffer(raw, dtype=f"{order}u2")[:entries].astype(np.int64)
    else:
        data = np.asarray(attr.values(raw), dtype=np.int64)[:entries]
    if data.size == 0:
        raise DecodeError(
            f"The LUT Data of instance {ds.get('SOPInstanceUID', '')} is empty; "
            "the image cannot be shown."
        )
    explanation = str(item.get("LUTExplanation", "") or "")
    return LookupTable(first_mapped, bits, data, explanation)


# --------------------------------------------------------------------------------------------
# Modality LUT (PS3.3 C.11.1)


def _stored_range(ds: Dataset) -> tuple[int, int]:
    bits = int(ds.get("BitsStored", 0) or ds.get("BitsAllocated", 16) or 16)
    if int(ds.get("PixelRepresentation", 0) or 0) == 1:
        return -(1 << (bits - 1)), (1 << (bits - 1)) - 1
    return 0, (1 << bits) - 1


@dataclass(frozen=True)
class ModalityTransform:
    """Stored value -> modality value (Hounsfield units for CT): a rescale or a LUT."""

    slope: float = 1.0
    intercept: float = 0.0
    lut: LookupTable | None = None
    rescale_type: str = ""

    @property
    def is_identity(self) -> bool:
        return self.lut is None and self.slope == 1.0 and self.intercept == 0.0

    @property
    def is_integral(self) -> bool:
        return self.lut is not None or (self.slope == 1.0 and float(self.intercept).is_integer())

    def values(self, stored: np.ndarray) -> np.ndarray:
        """Modality values as float64 (for LUT building and windowing)."""
        if self.lut is not None:
            return self.lut.map(stored.astype(np.float64)).astype(np.float64)
        return stored.astype(np.float64) * self.slope + self.intercept

    def apply(self, stored: np.ndarray, ds: Dataset | None = None) -> np.ndarray:
        """Modality values in the smallest fitting type: integers stay integers (int16/int32)
        when the slope is 1 and the intercept integral, float32 otherwise."""
        if self.lut is not None:
            out = self.lut.map(stored)
            return out.astype(np.uint16 if self.lut.output_max <= 65535 else np.int32)
        if not self.is_integral:
            return (stored.astype(np.float32) * np.float32(self.slope)) + np.float32(self.intercept)
        if stored.dtype.kind not in "iu":
            return stored.astype(np.float32) + np.float32(self.intercept)
        if self.intercept == 0:
            return stored
        low, high = _stored_range(ds) if ds is not None else (int(stored.min()), int(stored.max()))
        low, high = low + int(self.intercept), high + int(self.intercept)
        dtype = np.dtype(np.int16) if -32768 <= low and high <= 32767 else np.dtype(np.int32)
        out = stored.astype(dtype)
        out += np.asarray(int(self.intercept), dtype=dtype)
        return out


def modality_transform(ds: Dataset, frame: int = 0) -> ModalityTransform:
    """The Modality LUT of one frame (PS3.3 C.11.1, C.7.6.16.2.9 for enhanced images)."""
    sources = _frame_sources(ds, frame, "PixelValueTransformationSequence")
    lut_source = _first_with(sources, "ModalityLUTSequence")
    if lut_source is not None and len(lut_source.ModalityLUTSequence) > 0:
        item = lut_source.ModalityLUTSequence[0]
        signed = int(ds.get("PixelRepresentation", 0) or 0) == 1
        lut = read_lut(item, ds, signed_input=signed)
        return ModalityTransform(lut=lut, rescale_type=str(item.get("ModalityLUTType", "") or ""))
    slope_source = _first_with(sources, "RescaleSlope")
    intercept_source = _first_with(sources, "RescaleIntercept")
    slope = float(slope_source.RescaleSlope) if slope_source is not None else 1.0
    intercept = float(intercept_source.RescaleIntercept) if intercept_source is not None else 0.0
    type_source = _first_with(sources, "RescaleType")
    rescale_type = str(type_source.RescaleType) if type_source is not None else ""
    if slope == 0.0:
        slope = 1.0  # a zero slope erases the image; treat as absent
    return ModalityTransform(slope, intercept, None, rescale_type)


def apply_modality(stored: np.ndarray, ds: Dataset, frame: int = 0) -> np.ndarray:
    """Stored values -> modality values (PS3.4 N.2.1.1)."""
    return modality_transform(ds, frame).apply(stored, ds)


# --------------------------------------------------------------------------------------------
# VOI LUT (PS3.3 C.11.2)


@dataclass(frozen=True)
class WindowPreset:
    """One window: center and width in modality units, with its VOI LUT Function (PS3.3
    C.11.2.1.2-3). ``explanation`` names it (Window Center & Width Explanation (0028,1055) for the
    image's own, the preset's name for a modality's: also :attr:`name`); ``source`` says where it
    comes from (``"dicom"``: the image's own, ``"modality"``: a fixed preset of the modality,
    ``""``: computed) and ``key`` the number key that chooses it (``workstation.model.presets``)."""

    center: float
    width: float
    explanation: str = ""
    function: str = LINEAR
    source: str = ""
    key: int | None = None

    @property
    def level(self) -> float:
        return self.center

    @property
    def name(self) -> str:
        """What the preset is called (its explanation)."""
        return self.explanation

    @property
    def label(self) -> str:
        """What a menu shows, for example 'Brain (W 80 / L 40)'."""
        return f"{self.name} (W {self.width:g} / L {self.center:g})"


def window_presets(ds: Dataset, frame: int = 0) -> list[WindowPreset]:
    """The windows the image carries: every Window Center/Width pair with its explanation
    (PS3.3 C.11.2.1.2), from the frame's Frame VOI LUT item for enhanced images."""
    sources = _frame_sources(ds, frame, "FrameVOILUTSequence")
    center_source = _first_with(sources, "WindowCenter")
    if center_source is None or "WindowWidth" not in center_source:
        return []
    centers = attr.values(center_source.WindowCenter)
    widths = attr.values(center_source.WindowWidth)
    explanations = attr.values(center_source.get("WindowCenterWidthExplanation", None) or [])
    function_source = _first_with(sources, "VOILUTFunction")
    function = str(function_source.VOILUTFunction).strip().upper() if function_source else LINEAR
    if function not in VOI_FUNCTIONS:
        function = LINEAR
    presets = []
    for index, (center, width) in enumerate(zip(centers, widths, strict=False)):
        try:
            c, w = float(center), float(width)
        except (TypeError, ValueError):
            continue
        if not np.isfinite(c) or not np.isfinite(w) or w <= 0:
            continue
        text = str(explanations[index]).strip() if index < len(explanations) else ""
        presets.append(WindowPreset(c, w, text, function))
    return presets


def voi_luts(ds: Dataset, frame: int = 0) -> list[LookupTable]:
    """The VOI LUT Sequence items (PS3.3 C.11.2.1.1), inputs in modality units."""
    sources = _frame_sources(ds, frame, "FrameVOILUTSequence")
    source = _first_with(sources, "VOILUTSequence")
    if source is None:
        return []
    modality = modality_transform(ds, frame)
    if modality.lut is not None:
        signed = False
    else:
        low, _ = _stored_range(ds)
        signed = low * modality.slope + modality.intercept < 0
    return [read_lut(item, ds, signed_input=signed) for item in source.VOILUTSequence]


def auto_window(modality_values: np.ndarray, low_percent: float = 0.5, high_percent: float = 99.5) -> WindowPreset:
    """A window from the value distribution, for images that carry none: from the
    ``low_percent`` to the ``high_percent`` percentile (on at most ~262k sampled pixels)."""
    flat = np.asarray(modality_values).reshape(-1)
    if flat.size == 0:
        return WindowPreset(0.5, 1.0, "Auto", LINEAR)
    step = max(1, flat.size // 262144)
    sample = flat[::step].astype(np.float64)
    low, high = np.percentile(sample, [low_percent, high_percent])
    if high <= low:
        low, high = float(sample.min()), float(sample.max())
    width = max(float(high - low), 1.0)
    return WindowPreset(float(low + high) / 2.0 + 0.5, width + 1.0, "Auto", LINEAR)


def voi_window(x: np.ndarray, preset: WindowPreset, y_min: float = 0.0, y_max: float = 255.0) -> np.ndarray:
    """The VOI window as continuous output in [y_min, y_max] (float64).

    LINEAR is PS3.3 C.11.2.1.2.1 (with its -0.5 and width-1), LINEAR_EXACT C.11.2.1.3.2,
    SIGMOID C.11.2.1.3.1.
    """
    x = np.asarray(x, dtype=np.float64)
    c, w = float(preset.center), float(preset.width)
    span = y_max - y_min
    if preset.function == SIGMOID:
        w = max(w, np.finfo(np.float64).tiny)
        with np.errstate(over="ignore"):
            return span / (1.0 + np.exp(-4.0 * (x - c) / w)) + y_min
    if preset.function == LINEAR_EXACT:
        w = max(w, np.finfo(np.float64).tiny)
        y = ((x - c) / w + 0.5) * span + y_min
        y = np.where(x <= c - w / 2.0, y_min, y)
        return np.where(x > c + w / 2.0, y_max, y)
    w = max(w, 1.0)  # LINEAR requires width >= 1
    low = c - 0.5 - (w - 1.0) / 2.0
    high = c - 0.5 + (w - 1.0) / 2.0
    with np.errstate(divide="ignore", invalid="ignore"):
        y = ((x - (c - 0.5)) / (w - 1.0) + 0.5) * span + y_min if w > 1.0 else np.full_like(x, y_min)
    y = np.where(x <= low, y_min, y)
    return np.where(x > high, y_max, y)


def voi_apply(x: np.ndarray, voi: WindowPreset | LookupTable) -> np.ndarray:
    """VOI output scaled to 0..255 (float64), from a window or a VOI LUT."""
    if isinstance(voi, LookupTable):
        return voi.map(np.asarray(x, dtype=np.float64)).astype(np.float64) * (255.0 / voi.output_max)
    return voi_window(x, voi)


def _to_uint8(y: np.ndarray) -> np.ndarray:
    """Continuous 0..255 output to display values: round half up, clamp."""
    return np.clip(np.floor(y + 0.5), 0, 255).astype(np.uint8)


#: Said on the viewport when the image's own window shows it as one flat grey (see :func:`window_misses`).
STORED_WINDOW_MISSES = "The stored window misses this image's values: press A for an automatic window."


def window_misses(modality_values: np.ndarray, voi: WindowPreset | LookupTable) -> bool:
    """True when ``voi`` shows every value of the image as the same grey at one end of the
    scale (all black or all white) although the image holds more than one value: a stored
    window (Window Center/Width, PS3.3 C.11.2.1.2) or VOI LUT that misses the pixel range
    entirely, as after a re-scaling that left the window behind. A uniform image is not
    flagged (no window would show more). Windows are monotonic, so a window is evaluated at
    the lowest and highest value only; a VOI LUT at every value given."""
    flat = np.asarray(modality_values).reshape(-1)
    if flat.size == 0:
        return False
    low, high = float(flat.min()), float(flat.max())
    if not high > low:
        return False
    points = flat if isinstance(voi, LookupTable) else np.array([low, high])
    grey = _to_uint8(voi_apply(points, voi))
    return bool(grey.min() == grey.max() and int(grey[0]) in (0, 255))


def stored_window_hint(ds: Dataset, stored: np.ndarray, frame: int = 0) -> str:
    """:data:`STORED_WINDOW_MISSES` when the image's own first window (else its first VOI LUT)
    misses its values (:func:`window_misses`), else "" (also for colour images and images
    without a stored window)."""
    if stored.ndim != 2 or str(ds.get("PhotometricInterpretation", "")).strip().upper() not in ("MONOCHROME1", "MONOCHROME2"):
        return ""
    windows = window_presets(ds, frame)
    own: WindowPreset | LookupTable | None = windows[0] if windows else next(iter(voi_luts(ds, frame)), None)
    if own is None:
        return ""
    return STORED_WINDOW_MISSES if window_misses(_extreme_values(ds, stored, frame), own) else ""


def _extreme_values(ds: Dataset, stored: np.ndarray, frame: int = 0) -> np.ndarray:
    """Modality values enough to judge a window on: a rescale is monotonic, so the lowest and
    highest stored values; through a Modality LUT, every stored value."""
    modality = modality_transform(ds, frame)
    if modality.lut is not None:
        return modality.values(stored)
    return modality.values(np.array([stored.min(), stored.max()]))


# --------------------------------------------------------------------------------------------
# Display lookup table


@dataclass(frozen=True)
class DisplayLUT:
    """Stored value -> display value, the whole pipeline in one table.

    For 8- and 16-bit stored data the table has 2**8 or 2**16 entries indexed by the stored bits
    read as unsigned (``stored.view(uint16)`` for int16), so applying it is one gather with no
    temporary; for wider data it covers ``offset .. offset + len(table) - 1``.
    """

    table: np.ndarray
    stored_dtype: np.dtype[Any]
    offset: int = 0
    voi: WindowPreset | LookupTable | None = None
    inverted: bool = False
    modality: ModalityTransform = field(default_factory=ModalityTransform)


def _stored_dtype(ds: Dataset) -> np.dtype[Any]:
    bits = int(ds.get("BitsAllocated", 16) or 16)
    signed = int(ds.get("PixelRepresentation", 0) or 0) == 1
    size = 1 if bits <= 8 else 2 if bits <= 16 else 4
    return np.dtype(f"{'i' if signed else 'u'}{size}")


def _domain(dtype: np.dtype[Any], stored_range: tuple[int, int] | None) -> tuple[np.ndarray, int]:
    """All stored values a table must cover, in table order, and the offset for wide data."""
    if dtype.itemsize <= 2:
        unsigned = np.dtype(f"u{dtype.itemsize}")
        return np.arange(1 << (8 * dtype.itemsize), dtype=np.int64).astype(unsigned).view(dtype), 0
    if stored_range is None:
        raise ValueError("32-bit stored data needs stored_range=(min, max) to build a display table")
    low, high = stored_range
    return np.arange(low, high + 1, dtype=np.int64), low


def is_monochrome1(ds: Dataset) -> bool:
    return str(ds.get("PhotometricInterpretation", "")).strip().upper() == "MONOCHROME1"


def _presentation_inverts(ds: Dataset) -> bool:
    """MONOCHROME1, or an INVERSE Presentation LUT Shape (PS3.3 C.11.6), shows inverted."""
    shape = str(ds.get("PresentationLUTShape", "") or "").strip().upper()
    if shape == "INVERSE":
        return True
    if shape == "IDENTITY":
        return False
    return is_monochrome1(ds)


def display_lut(
    ds: Dataset,
    preset: WindowPreset | LookupTable | None = None,
    invert: bool = False,
    frame: int = 0,
    stored: np.ndarray | None = None,
    stored_dtype: np.dtype[Any] | None = None,
    stored_range: tuple[int, int] | None = None,
) -> DisplayLUT:
    """Fold Modality LUT, VOI and Presentation LUT into one table (PS3.4 N.2.1).

    ``preset`` is the window or VOI LUT to use; without one, the image's first window, else its
    first VOI LUT, else an automatic window from ``stored`` (needed then), else the full range.
    ``invert`` flips the result on top of what MONOCHROME1 already implies. For PALETTE COLOR the
    table has three columns (R, G, B) from the palette (C.7.6.3.1.5); VOI does not apply.
    """
    dtype = np.dtype(stored_dtype) if stored_dtype is not None else (
        stored.dtype if stored is not None and stored.dtype.kind in "iu" else _stored_dtype(ds)
    )
    if stored_range is None and dtype.itemsize > 2 and stored is not None:
        stored_range = (int(stored.min()), int(stored.max()))
    domain, offset = _domain(dtype, stored_range)
    photometric = str(ds.get("PhotometricInterpretation", "")).strip().upper()

    if photometric == "PALETTE COLOR":
        rgb = palette_rgb(domain, ds)
        table = _colour_to_uint8(rgb, _palette_bits(rgb))
        if invert:
            table = 255 - table
        return DisplayLUT(table, dtype, offset, None, invert)

    modality = modality_transform(ds, frame)
    values = modality.values(domain)
    voi = preset
    if voi is None:
        windows = window_presets(ds, frame)
        luts = voi_luts(ds, frame) if not windows else []
        if windows:
            voi = windows[0]
        elif luts:
            voi = luts[0]
        elif stored is not None:
            voi = auto_window(modality.values(_sample(stored)))
        else:
            low, high = _stored_range(ds)
            full = modality.values(np.array([low, high]))
            voi = WindowPreset(float(full.min() + full.max()) / 2 + 0.5, float(full.max() - full.min()) + 1, "Full range")
    table = _to_uint8(voi_apply(values, voi))
    inverted = _presentation_inverts(ds) != invert
    if inverted:
        table = 255 - table
    return DisplayLUT(table, dtype, offset, voi, inverted, modality)


def _sample(stored: np.ndarray, limit: int = 262144) -> np.ndarray:
    flat = stored.reshape(-1)
    return flat[:: max(1, flat.size // limit)]


def apply_lut(stored: np.ndarray, lut: DisplayLUT) -> np.ndarray:
    """Display values (uint8) of stored values: (..., rows, cols) -> same, or (..., 3) for colour."""
    if stored.dtype.kind not in "iu":
        raise ValueError(f"a display table indexes integer stored values, not {stored.dtype}")
    if lut.offset == 0 and stored.dtype.itemsize <= 2 and len(lut.table) == 1 << (8 * stored.dtype.itemsize):
        index = stored.view(np.dtype(f"u{stored.dtype.itemsize}"))
        return lut.table[index]
    index = np.clip(stored.astype(np.int64) - lut.offset, 0, len(lut.table) - 1)
    return lut.table[index]


# --------------------------------------------------------------------------------------------
# Colour


def palette_rgb(indices: np.ndarray, ds: Dataset) -> np.ndarray:
    """PALETTE COLOR indices -> RGB palette values (8 or 16 bit), including segmented palettes
    (PS3.3 C.7.6.3.1.5-6, C.7.9.2); pydicom's reader of the descriptors does the work."""
    try:
        return apply_color_lut(np.asarray(indices), ds)
    except Exception as exc:  # noqa: BLE001 - malformed palettes raise anything
        raise DecodeError(
            f"The palette colour lookup tables of instance {ds.get('SOPInstanceUID', '')} cannot "
            f"be read ({str(exc).splitlines()[0][:120] if str(exc) else type(exc).__name__}); "
            "the image cannot be shown in colour."
        ) from exc


def _palette_bits(rgb: np.ndarray) -> int:
    return 8 if rgb.dtype.itemsize == 1 else 16


def _colour_to_uint8(rgb: np.ndarray, bits: int) -> np.ndarray:
    if bits <= 8 and rgb.dtype == np.uint8:
        return rgb
    top = float((1 << bits) - 1)
    return _to_uint8(rgb.astype(np.float64) * (255.0 / top))


# --------------------------------------------------------------------------------------------
# Convenience


def to_display(
    stored: np.ndarray,
    ds: Dataset,
    preset: WindowPreset | LookupTable | None = None,
    invert: bool = False,
    frame: int = 0,
) -> np.ndarray:
    """Stored values of one frame -> uint8 (rows, cols) or (rows, cols, 3), for thumbnails and the CLI.

    ``stored`` is what :func:`workstation.model.decode.decode_instance` returns for that frame (a
    leading frame axis of length 1 is dropped); colour arrays are RGB already (decode.py converts
    YBR). Grayscale goes through :func:`display_lut`; RGB is scaled to 8 bits and optionally
    inverted; PALETTE COLOR through its palettes.
    """
    array = np.asarray(stored)
    samples = int(ds.get("SamplesPerPixel", 1) or 1)
    if array.ndim == (3 if samples == 1 else 4) and array.shape[0] == 1:
        array = array[0]
    if samples > 1:
        bits = int(ds.get("BitsStored", 8) or 8)
        out = _colour_to_uint8(array, bits) if array.dtype.kind in "iu" else _to_uint8(array * 255.0)
        out = np.ascontiguousarray(out)
        return 255 - out if invert else out
    if array.dtype.kind == "f":  # Float Pixel Data (parametric maps): no table, compute directly
        modality = modality_transform(ds, frame)
        values = modality.values(array)
        voi = preset or (window_presets(ds, frame) or [auto_window(values)])[0]
        out = _to_uint8(voi_apply(values, voi))
        return 255 - out if (_presentation_inverts(ds) != invert) else out
    lut = display_lut(ds, preset, invert, frame, stored=array)
    return apply_lut(array, lut)
