"""Pixel data decoding: stored values out of a DICOM instance or a WADO-RS frame.

What comes out is the *stored* pixel values of PS3.3 C.7.6.3 (Image Pixel Module) before any
Modality LUT: an array shaped (frames, rows, columns[, samples]) in the stored integer type
(uint8, int16, uint16, ...). Native pixel data (PS3.5 8.1.1) is read as a view where the byte order
allows; encapsulated pixel data (PS3.5 8.2, A.4) goes through pydicom 3's pixel backend with the
decoding plug-in chosen per transfer syntax from what we measured (``PLUGIN_ORDER`` below), falling
back to the next plug-in when one fails.

Colour comes out as RGB: YBR_FULL and YBR_FULL_422 are converted once by pydicom (PS3.3
C.7.6.3.1.2), JPEG 2000's YBR_ICT/YBR_RCT by the codec; PALETTE COLOR stays as indices for
``pixels.py`` to look up. Bits Stored < Bits Allocated is masked (unsigned) or sign-extended
(signed) here when the high bits hold anything (PS3.5 8.1.1), so later stages can trust the range.

Everything that goes wrong becomes a :class:`~workstation.errors.DecodeError` with one sentence
that names the SOP Instance UID and says why (missing codec and which package to install,
corrupt stream, pixel data shorter than the header says).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

import numpy as np
import pydicom
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.encaps import encapsulate
from pydicom.errors import InvalidDicomError as PydicomInvalidDicomError
from pydicom.pixels import get_decoder
from pydicom.uid import (
    HTJ2K,
    JPEG2000,
    UID,
    ExplicitVRBigEndian,
    ExplicitVRLittleEndian,
    HTJ2KLossless,
    HTJ2KLosslessRPCL,
    ImplicitVRLittleEndian,
    JPEG2000Lossless,
    JPEGBaseline8Bit,
    JPEGExtended12Bit,
    JPEGLossless,
    JPEGLosslessSV1,
    JPEGLSLossless,
    JPEGLSNearLossless,
    RLELossless,
)

from workstation.errors import DecodeError, InvalidDicomError

# Decoding plug-ins per transfer syntax, fastest first. Measured on this project's 2-core Debian 12
# machine with pydicom 3.0.2, one thread, decoded MB/s (output bytes / best of 3 passes) on real
# frames from ../shared/data (WG04 CT1/MR2, dcm_qa_ts MR, Philips CT head phantom S2020, fo-dicom
# MG GH133 and XA cine):
#
#   | transfer syntax            | gdcm | pylibjpeg | pyjpegls | pillow | pydicom |
#   |----------------------------|------|-----------|----------|--------|---------|
#   | JPEG 2000 lossless (.90)   |   33 |        23 |        - |     22 |       - |
#   | JPEG 2000 lossy (.91)      |   87 |       105 |        - |     95 |       - |
#   | JPEG lossless SV1 (.70)    |  118 |        78 |        - |      - |       - |
#   | JPEG baseline 8-bit (.50)  |  188 |       148 |        - |    625 |       - |
#   | JPEG-LS lossless (.80)     |   99 |        36 |      127 |      - |       - |
#   | JPEG-LS near-lossless (.81)|   97 |        39 |      130 |      - |       - |
#   | RLE lossless (.5)          |    - |      1534 |        - |      - |     234 |
#
# Pillow decodes only 8-bit JPEG baseline well; 12-bit extended JPEG goes to gdcm first. The
# reproduction script is bench_decode in the report of the decode work (see module history).
PLUGIN_ORDER: dict[str, tuple[str, ...]] = {
    JPEG2000Lossless: ("gdcm", "pylibjpeg", "pillow"),
    JPEG2000: ("pylibjpeg", "gdcm", "pillow"),
    HTJ2KLossless: ("pylibjpeg",),
    HTJ2KLosslessRPCL: ("pylibjpeg",),
    HTJ2K: ("pylibjpeg",),
    JPEGLosslessSV1: ("gdcm", "pylibjpeg"),
    JPEGLossless: ("gdcm", "pylibjpeg"),
    JPEGBaseline8Bit: ("pillow", "gdcm", "pylibjpeg"),
    JPEGExtended12Bit: ("gdcm", "pylibjpeg", "pillow"),
    JPEGLSLossless: ("pyjpegls", "gdcm", "pylibjpeg"),
    JPEGLSNearLossless: ("pyjpegls", "gdcm", "pylibjpeg"),
    RLELossless: ("pylibjpeg", "pydicom"),
}

# Which PyPI package brings each plug-in, for the "install ..." sentence.
PLUGIN_PACKAGES: dict[str, str] = {
    "gdcm": "python-gdcm",
    "pylibjpeg": "pylibjpeg with pylibjpeg-openjpeg, pylibjpeg-libjpeg and pylibjpeg-rle",
    "pyjpegls": "pyjpegls",
    "pillow": "pillow",
    "pydicom": "pydicom",
}

# Codecs that keep Python's GIL while decoding, so that only processes decode them in parallel.
# Measured here (two jobs on two threads vs one after the other, idle 2-core machine): pyjpegls
# 0.88x, gdcm JPEG-LS 0.80x, gdcm JPEG 2000 1.03x, pylibjpeg (OpenJPEG) 0.95x, gdcm JPEG lossless
# 0.85x, pylibjpeg (libjpeg) 1.07x: none of them scales on threads. RLE (pylibjpeg-rle, ~1.5 GB/s)
# and native pixel data are cheap enough that pickling them between processes would cost more.
GIL_BOUND_SYNTAXES = frozenset(
    {
        JPEG2000Lossless,
        JPEG2000,
        HTJ2KLossless,
        HTJ2KLosslessRPCL,
        HTJ2K,
        JPEGBaseline8Bit,
        JPEGExtended12Bit,
        JPEGLossless,
        JPEGLosslessSV1,
        JPEGLSLossless,
        JPEGLSNearLossless,
    }
)

# Refuse to allocate more than this for one instance (hostile headers claim 65535 x 65535).
MAX_DECODED_BYTES = 4 * 1024**3

_IMAGE_PIXEL_KEYWORDS = (
    "SamplesPerPixel",
    "PhotometricInterpretation",
    "Rows",
    "Columns",
    "BitsAllocated",
    "BitsStored",
    "HighBit",
    "PixelRepresentation",
    "PlanarConfiguration",
    "NumberOfFrames",
    "SOPInstanceUID",
    "RedPaletteColorLookupTableDescriptor",
    "GreenPaletteColorLookupTableDescriptor",
    "BluePaletteColorLookupTableDescriptor",
)


@dataclass(frozen=True)
class DecodedImage:
    """Stored pixel values and how they were obtained.

    ``photometric_interpretation`` is that of ``pixels`` (``RGB`` after a YBR conversion), which
    may differ from the header's (PS3.3 C.7.6.3.1.2).
    """

    pixels: np.ndarray
    photometric_interpretation: str
    transfer_syntax_uid: str
    plugin: str
    fallback_from: tuple[str, ...] = ()  # "plug-in: reason" for each plug-in that failed first


def _uid_of(ds: Dataset) -> str:
    value = ds.get("SOPInstanceUID", None)
    return str(value) if value else "(no SOP Instance UID)"


def _fail(ds: Dataset, reason: str) -> DecodeError:
    return DecodeError(f"Cannot decode the pixels of instance {_uid_of(ds)}: {reason}.")


def read_dataset(data: bytes | bytearray | memoryview, *, stop_before_pixels: bool = False) -> Dataset:
    """Parse a PS3.10 file (or a bare dataset) held in memory; ``InvalidDicomError`` if it is not.

    With ``stop_before_pixels`` the header keeps no reference to the pixel data, so headers
    can be kept for a whole series without keeping its compressed bytes alive.
    """
    for force in (False, True):
        try:
            ds = pydicom.dcmread(io.BytesIO(data), force=force, stop_before_pixels=stop_before_pixels)
        except PydicomInvalidDicomError:
            continue
        except Exception as exc:  # noqa: BLE001 - any parser failure is "not readable DICOM"
            raise InvalidDicomError(
                f"The data is not a readable DICOM object ({type(exc).__name__}); "
                "ask the archive to resend it or check the file."
            ) from exc
        if stop_before_pixels and getattr(ds, "buffer", None) is not None:
            # pydicom keeps the source BytesIO (the whole instance, pixels included) on the
            # dataset: a header kept per slice would keep a second copy of the volume alive
            ds.buffer = None
        return ds
    raise InvalidDicomError(  # pragma: no cover - force=True reads anything or raises above
        "The data is not a DICOM object; ask the archive to resend it or check the file."
    )


def _transfer_syntax(ds: Dataset) -> UID:
    """The transfer syntax from the file meta, or the one the parser found for a bare dataset."""
    meta = getattr(ds, "file_meta", None)
    if meta is not None and "TransferSyntaxUID" in meta:
        return UID(str(meta.TransferSyntaxUID))
    if "PixelData" in ds and ds["PixelData"].is_undefined_length:
        raise _fail(
            ds,
            "it has compressed pixel data but no Transfer Syntax UID saying which codec made it; "
            "ask the archive to resend it with its file meta information",
        )
    encoding = getattr(ds, "original_encoding", (None, None))
    implicit, little = encoding if encoding else (None, None)
    if implicit is True:
        return ImplicitVRLittleEndian
    if little is False:
        return ExplicitVRBigEndian
    return ExplicitVRLittleEndian


def _positive_int(ds: Dataset, keyword: str, default: int | None = None) -> int:
    value = ds.get(keyword, default)
    if value is None or value == "":
        if default is not None:
            return default
        raise _fail(ds, f"its header has no {keyword} (PS3.3 C.7.6.3 Image Pixel Module)")
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise _fail(ds, f"its {keyword} value {str(value)[:20]!r} is not a single number") from None
    if number <= 0:
        raise _fail(ds, f"its {keyword} is {number}, which cannot describe an image")
    return number


def _check_header(ds: Dataset) -> tuple[int, int, int, int, int]:
    """Rows, columns, frames, samples, bits allocated, checked for sense before any allocation."""
    if not any(k in ds for k in ("PixelData", "FloatPixelData", "DoubleFloatPixelData")):
        raise _fail(ds, "it has no pixel data (it is probably not an image)")
    rows = _positive_int(ds, "Rows")
    cols = _positive_int(ds, "Columns")
    frames = _positive_int(ds, "NumberOfFrames", 1)
    samples = _positive_int(ds, "SamplesPerPixel", 1)
    bits = _positive_int(ds, "BitsAllocated")
    if "PixelData" in ds:
        _positive_int(ds, "BitsStored")
        if "PixelRepresentation" not in ds:
            raise _fail(ds, "its header has no PixelRepresentation (PS3.3 C.7.6.3)")
    size = rows * cols * frames * samples * max(bits, 8) // 8
    if size > MAX_DECODED_BYTES:
        raise _fail(
            ds,
            f"its header claims {rows} x {cols} x {frames} frames, "
            f"{size / 1024**3:.1f} GiB decoded, more than the {MAX_DECODED_BYTES // 1024**3} GiB "
            "we accept for one instance",
        )
    return rows, cols, frames, samples, bits


def _short_reason(exc: BaseException) -> str:
    """The codec's own words, without pydicom's "exceptions were raised by all plugins" wrapper."""
    lines = [line.strip() for line in str(exc).strip().splitlines() if line.strip()]
    if len(lines) > 1 and lines[0].startswith("Unable to decode as exceptions"):
        lines = lines[1:]
        if ": " in lines[0]:
            lines[0] = lines[0].split(": ", 1)[1]
    return (lines[0] if lines else type(exc).__name__)[:160]


def _plugins_for(ts: UID, ds: Dataset) -> tuple[Any, list[str]]:
    try:
        decoder = get_decoder(ts)
    except NotImplementedError:
        raise _fail(
            ds,
            f"its transfer syntax {ts} ({ts.name}) has no decoder in this workstation; "
            "ask the archive to send it in another transfer syntax",
        ) from None
    if decoder.is_native:
        return decoder, [""]
    available = set(decoder.available_plugins)
    order = [p for p in PLUGIN_ORDER.get(ts, ()) if p in available]
    order += sorted(available - set(order))
    if not order:
        wanted = PLUGIN_ORDER.get(ts, ())
        missing = " or ".join(PLUGIN_PACKAGES.get(name, name) for name in wanted)
        raise _fail(
            ds,
            f"no decoder for {ts.name} is installed; install one of: {missing or 'pylibjpeg'}",
        )
    return decoder, order


def _fix_unused_bits(arr: np.ndarray, ds: Dataset) -> np.ndarray:
    """Mask or sign-extend when Bits Stored < Bits Allocated and the high bits are not clean."""
    if arr.dtype.kind not in "iu" or "BitsStored" not in ds:
        return arr
    stored = int(ds.BitsStored)
    allocated = arr.dtype.itemsize * 8
    if stored >= allocated or arr.size == 0:
        return arr
    if arr.dtype.kind == "i":
        low, high = -(1 << (stored - 1)), (1 << (stored - 1)) - 1
    else:
        low, high = 0, (1 << stored) - 1
    if low <= int(arr.min()) and int(arr.max()) <= high:
        return arr  # already clean: no copy
    if not arr.flags.writeable:
        arr = arr.copy()
    shift = allocated - stored
    np.left_shift(arr, shift, out=arr)
    np.right_shift(arr, shift, out=arr)  # arithmetic shift on signed types sign-extends
    return arr


def decode(data: bytes | bytearray | memoryview | Dataset) -> DecodedImage:
    """Decode every frame of one instance into stored values (PS3.5 8, PS3.3 C.7.6.3).

    ``data`` is a PS3.10 file in memory or a parsed dataset. The array is shaped
    (frames, rows, columns[, samples]); native little-endian pixel data comes back as a
    read-only view on the dataset's bytes (no copy), compressed data as one new array.
    """
    ds = read_dataset(data) if not isinstance(data, Dataset) else data
    ts = _transfer_syntax(ds)
    rows, cols, frames, samples, _bits = _check_header(ds)
    decoder, plugins = _plugins_for(ts, ds)

    failures: list[str] = []
    stream_faults = 0  # failures that are not "this codec lacks the feature"
    accepted: DecodedImage | None = None
    for plugin in plugins:
        try:
            arr, props = decoder.as_array(
                ds,
                decoding_plugin=plugin,
                view_only=decoder.is_native,
            )
        except ValueError as exc:
            text = str(exc)
            if "less than expected" in text or "insufficient pixel data" in text:
                raise _fail(
                    ds,
                    "the pixel data is shorter than Rows x Columns x Frames x Bits Allocated say "
                    f"({_short_reason(exc)}); the file is truncated, ask the archive to resend it",
                ) from exc
            failures.append(f"{plugin or 'native'}: {_short_reason(exc)[:120]}")
            stream_faults += not _is_capability_gap(exc)
            continue
        except (AttributeError, KeyError) as exc:
            if decoder.is_native or "Missing required element" in str(exc):
                raise _fail(ds, f"its header is incomplete ({_short_reason(exc)})") from exc
            failures.append(f"{plugin}: {_short_reason(exc)[:120]}")
            stream_faults += 1
            continue
        except MemoryError as exc:
            raise _fail(ds, "there is not enough memory to hold its decoded pixels") from exc
        except Exception as exc:  # noqa: BLE001 - codecs raise anything; try the next plug-in
            failures.append(f"{plugin or 'native'}: {_short_reason(exc)[:120]}")
            stream_faults += not _is_capability_gap(exc)
            continue
        shape = (frames, rows, cols) + ((samples,) if samples > 1 else ())
        if arr.size != int(np.prod(shape)):
            failures.append(f"{plugin}: decoded {arr.size} values, expected {int(np.prod(shape))}")
            stream_faults += 1
            continue
        arr = arr.reshape(shape)
        if not arr.dtype.isnative:  # Explicit VR Big Endian: one copy into the machine's order
            arr = arr.astype(arr.dtype.newbyteorder("="))
        arr = _fix_unused_bits(arr, ds)
        photometric = str(props.get("photometric_interpretation", ds.get("PhotometricInterpretation", "")))
        result = DecodedImage(arr, photometric, str(ts), plugin or "native", tuple(failures))
        if stream_faults == 0:
            return result
        # A decoder said the stream is damaged. Lenient decoders (libjpeg) turn a truncated
        # stream into a plausible but wrong image without complaint, so one success is not
        # enough: it takes a second decoder that agrees.
        if accepted is None:
            accepted = result
        elif _agree(accepted.pixels, result.pixels, ts):
            return accepted
        else:
            break

    if accepted is not None:
        raise _fail(
            ds,
            f"the compressed {ts.name} stream looks corrupt ({'; '.join(failures)[:300]}) and only "
            f"{accepted.plugin} decoded it, without a second decoder to confirm; "
            "ask the archive to resend it",
        )
    raise _fail(
        ds,
        f"the compressed {ts.name} stream is corrupt or unsupported (every decoder failed: "
        f"{'; '.join(failures)[:400]}); ask the archive to resend it",
    )


_LOSSLESS_SYNTAXES = frozenset(
    {JPEG2000Lossless, HTJ2KLossless, HTJ2KLosslessRPCL, JPEGLossless, JPEGLosslessSV1, JPEGLSLossless, RLELossless}
)
_CAPABILITY_WORDS = ("not support", "unsupported", "no module", "not installed", "not available")


def _is_capability_gap(exc: BaseException) -> bool:
    """True when a codec refused a feature (12-bit JPEG, a colour mode) rather than the stream."""
    text = str(exc).lower()
    return any(word in text for word in _CAPABILITY_WORDS)


def _agree(first: np.ndarray, second: np.ndarray, ts: UID) -> bool:
    if first.shape != second.shape:
        return False
    if ts in _LOSSLESS_SYNTAXES:
        return bool(np.array_equal(first, second))
    difference = np.abs(first.astype(np.int64) - second.astype(np.int64))
    return float(difference.mean()) < 1.0


def decode_instance(data: bytes | bytearray | memoryview | Dataset) -> np.ndarray:
    """Stored pixel values of one instance, shaped (frames, rows, columns[, samples])."""
    return decode(data).pixels


def frame_dataset(
    frame_bytes: bytes | bytearray | memoryview, header: Dataset, transfer_syntax_uid: str
) -> Dataset:
    """A one-frame dataset holding a WADO-RS frame (PS3.18 10.4.1.1.3) and the header's pixel module."""
    ds = Dataset()
    for keyword in _IMAGE_PIXEL_KEYWORDS:
        if keyword in header:
            ds[keyword] = header[keyword]
    if "RedPaletteColorLookupTableDescriptor" in header:
        for colour in ("Red", "Green", "Blue"):
            for suffix in ("Data", "SegmentedData"):
                kw = f"{colour}PaletteColorLookupTable{suffix}" if suffix == "Data" else f"Segmented{colour}PaletteColorLookupTableData"
                if kw in header:
                    ds[kw] = header[kw]
    ds.NumberOfFrames = 1
    ts = UID(transfer_syntax_uid)
    ds.file_meta = FileMetaDataset()
    ds.file_meta.TransferSyntaxUID = ts
    ds.set_original_encoding(
        ts == ImplicitVRLittleEndian, ts != ExplicitVRBigEndian
    )
    if ts.is_encapsulated:
        ds.PixelData = encapsulate([bytes(frame_bytes)])
        ds["PixelData"].VR = "OB"
        ds["PixelData"].is_undefined_length = True
    else:
        ds.PixelData = bytes(frame_bytes)
        ds["PixelData"].VR = "OW" if int(header.get("BitsAllocated", 8) or 8) > 8 else "OB"
    return ds


def decode_frame(
    frame_bytes: bytes | bytearray | memoryview, header: Dataset, transfer_syntax_uid: str
) -> np.ndarray:
    """Stored values of one WADO-RS frame (no file around it), shaped (rows, columns[, samples]).

    ``header`` is the instance's metadata (WADO-RS metadata or the local index): its Image Pixel
    Module (PS3.3 C.7.6.3) says how to read the bytes; ``transfer_syntax_uid`` is the one the
    archive answered with in the multipart part's Content-Type (PS3.18 8.7.3.5).
    """
    ds = frame_dataset(frame_bytes, header, transfer_syntax_uid)
    return decode(ds).pixels[0]
