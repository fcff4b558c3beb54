"""Reading one incoming instance: is it DICOM, which UIDs does it carry, what bytes do we keep.

An instance reaches the library either as a PS3.10 file (128-byte preamble, ``DICM``, File Meta
Information group 0002, PS3.10 7.1) or as a bare data set (what some old archives and the
malformed-file corpus hold). Bare data sets are kept byte for byte, with a File Meta Information
header put in front of them, so that everything the library hands out is a PS3.10 file.

What counts as importable: the header parses and carries Study, Series and SOP Instance UIDs
(PS3.3 C.7.2.1, C.7.3.1, C.12.1). Pixel problems (truncated pixel data, undecodable frames) do
not stop an import: they are reported as warnings here and found again by the decoder, per
instance, when the image is shown.

Large files (``parse_instance_file``, over ``LARGE_FILE_BYTES``) are parsed from disk without
reading their bulk values into memory and are copied into the library as a stream, so that a
2 GiB multi-frame needs a few megabytes, not twice its size.
"""

from __future__ import annotations

import io
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO, Literal

import pydicom
from pydicom.dataset import Dataset
from pydicom.filebase import DicomBytesIO
from pydicom.filereader import read_dataset
from pydicom.filewriter import write_file_meta_info
from pydicom.uid import (
    UID,
    ExplicitVRBigEndian,
    ExplicitVRLittleEndian,
    ImplicitVRLittleEndian,
)

from workstation.errors import InvalidDicomError
from workstation.model.part10 import file_meta

#: SOP Class of a DICOMDIR (Media Storage Directory Storage, PS3.4 Annex B / PS3.3 F.3).
MEDIA_STORAGE_DIRECTORY = "1.2.840.10008.1.3.10"

_PIXEL_DATA = 0x7FE00010
_REASON_MAX = 160
#: Files above this size are parsed from disk and copied as a stream (see the module docstring).
LARGE_FILE_BYTES = 32 * 1024**2
#: Values larger than this are left on disk when a large file's header is read.
_DEFER_BYTES = 256 * 1024
_COPY_CHUNK = 1024**2


@dataclass
class ParsedInstance:
    """An instance ready to be stored: its header, the PS3.10 bytes to keep, and warnings.

    ``damage`` says why this copy is damaged (truncated, unreadable pixel data): it is stored,
    but a good copy of the same instance replaces it later. ``warnings`` are notes that do not
    make the copy damaged (a rewritten File Meta Information, pixels not decodable yet).
    """

    header: Dataset
    file_bytes: bytes = b""
    warnings: list[str] = field(default_factory=list)
    damage: list[str] = field(default_factory=list)
    #: A large file kept on disk: the stored bytes are ``prefix`` + ``source[source_offset:]``.
    source: Path | None = None
    prefix: bytes = b""
    source_offset: int = 0
    source_size: int = 0

    @property
    def size(self) -> int:
        """Bytes of the PS3.10 file the library stores."""
        if self.source is None:
            return len(self.file_bytes)
        return len(self.prefix) + self.source_size - self.source_offset

    def write_to(self, fh: BinaryIO) -> None:
        """Write the PS3.10 file; a large source is copied in chunks of 1 MiB. Raises
        ``OSError`` when the source changed size since it was parsed."""
        if self.source is None:
            fh.write(self.file_bytes)
            return
        fh.write(self.prefix)
        with open(self.source, "rb") as src:
            src.seek(self.source_offset)
            shutil.copyfileobj(src, fh, _COPY_CHUNK)
            if src.tell() != self.source_size:
                raise OSError(f"{self.source.name} changed while it was stored")

    @property
    def sop_instance_uid(self) -> str:
        return str(self.header.SOPInstanceUID).strip()

    @property
    def series_uid(self) -> str:
        return str(self.header.SeriesInstanceUID).strip()

    @property
    def study_uid(self) -> str:
        return str(self.header.StudyInstanceUID).strip()


def has_ps310_prefix(data: bytes) -> bool:
    """``DICM`` after the 128-byte preamble (PS3.10 7.1)."""
    return len(data) >= 132 and data[128:132] == b"DICM"


def _raw_encoding(data: bytes) -> tuple[bool, bool] | None:
    """Guess (implicit VR, little endian) of a bare data set from its first element, or ``None``
    when the bytes do not start like a data set (a README, a JPEG thumbnail...)."""
    if len(data) < 8:
        return None
    for little in (True, False):
        order: Literal["little", "big"] = "little" if little else "big"
        group = int.from_bytes(data[0:2], order)
        element = int.from_bytes(data[2:4], order)
        # Data sets start with a low, even group: 0002 (meta), 0008 (identification), 0010...
        if group in (0x0002, 0x0004, 0x0008, 0x0010, 0x0018, 0x0020, 0x0028) and element < 0x0200:
            vr = data[4:6]
            explicit = vr.isalpha() and vr.isupper()
            return (not explicit, little)
    return None


def looks_like_dicom(data: bytes) -> bool:
    """A cheap sniff: a PS3.10 prefix, or bytes that start like a bare data set."""
    return has_ps310_prefix(data) or _raw_encoding(data) is not None


def one_line(exc: BaseException) -> str:
    """An exception as one short line (pydicom messages can span lines)."""
    text = " ".join(str(exc).split()) or type(exc).__name__
    if len(text) > _REASON_MAX:
        text = text[: _REASON_MAX - 3] + "..."
    return text


def _read_ps310(data: bytes, stop_before_pixels: bool) -> Dataset:
    return pydicom.dcmread(io.BytesIO(data), stop_before_pixels=stop_before_pixels, force=True)


def _read_bare(data: bytes, stop_before_pixels: bool) -> Dataset:
    encoding = _raw_encoding(data)
    if encoding is None:
        raise InvalidDicomError("no DICM prefix and no valid dataset")
    implicit, little = encoding

    def stop(tag: object, vr: object, length: object) -> bool:
        return stop_before_pixels and tag == _PIXEL_DATA

    ds = read_dataset(io.BytesIO(data), implicit, little, stop_when=stop)
    ds.set_original_encoding(implicit, little, ds._character_set)
    return ds


def _has_uids(ds: Dataset) -> bool:
    return all(
        str(ds.get(k, "") or "").strip()
        for k in ("StudyInstanceUID", "SeriesInstanceUID", "SOPInstanceUID")
    )


def _missing_uids(ds: Dataset) -> str:
    names = {
        "StudyInstanceUID": "Study Instance UID",
        "SeriesInstanceUID": "Series Instance UID",
        "SOPInstanceUID": "SOP Instance UID",
    }
    missing = [label for k, label in names.items() if not str(ds.get(k, "") or "").strip()]
    return "header lacks " + ", ".join(missing)


def _read_any(data: bytes, stop_before_pixels: bool) -> tuple[Dataset, bool]:
    """Read the header; returns (dataset, read as bare data set).

    A file can hold ``DICM`` at byte 128 by chance while being a bare data set (its first
    element starts at byte 0), so when the PS3.10 reading fails or finds no UIDs the bare
    reading is tried as well.
    """
    first_error: BaseException | None = None
    if has_ps310_prefix(data):
        try:
            ds = _read_ps310(data, stop_before_pixels)
            if _has_uids(ds) or _raw_encoding(data) is None:
                return ds, False
        except (Exception, RecursionError) as exc:  # pydicom raises many kinds on bad input
            first_error = exc
    try:
        return _read_bare(data, stop_before_pixels), True
    except InvalidDicomError:
        if first_error is not None:
            raise InvalidDicomError(f"unreadable header: {one_line(first_error)}") from first_error
        raise
    except (Exception, RecursionError) as exc:
        raise InvalidDicomError(f"unreadable header: {one_line(exc)}") from exc


def _transfer_syntax(ds: Dataset, bare: bool) -> UID | None:
    meta = getattr(ds, "file_meta", None)
    if not bare and meta is not None and meta.get("TransferSyntaxUID"):
        return UID(str(meta.TransferSyntaxUID))
    implicit, little = ds.original_encoding
    if implicit is None:
        return None
    if implicit:
        return ImplicitVRLittleEndian
    return ExplicitVRLittleEndian if little else ExplicitVRBigEndian


def unsupported_syntax_note(ts: UID | None) -> str:
    """A note for a transfer syntax this workstation cannot decode (not in pydicom's list, e.g.
    JPEG XL, 1.2.840.10008.1.2.4.110-112, PS3.5 A.4.12); '' for known ones."""
    if ts is None or ts.is_transfer_syntax:
        return ""
    return f"its pixels cannot be shown yet (transfer syntax {ts} is not supported)"


def _pixel_damage(ds: Dataset, ts: UID | None) -> list[str]:
    """Native pixel data shorter than Rows x Columns x Samples x Frames x Bits Allocated says
    (PS3.5 8.1.1, PS3.3 C.7.6.3)."""
    if "PixelData" not in ds or ts is None or not ts.is_transfer_syntax or ts.is_compressed:
        return []
    try:
        rows, cols = int(ds.Rows), int(ds.Columns)
        bits = int(ds.BitsAllocated)
        samples = int(ds.get("SamplesPerPixel", 1) or 1)
        frames = int(ds.get("NumberOfFrames", 1) or 1)
    except (AttributeError, TypeError, ValueError):
        return []
    expected = (rows * cols * samples * frames * bits + 7) // 8
    actual = len(ds.PixelData or b"")
    if actual < expected:
        return [f"truncated: pixel data ends {expected - actual} bytes early"]
    return []


def _with_meta(ds: Dataset, data: bytes, ts: UID, dataset_offset: int) -> bytes:
    """``data[dataset_offset:]`` with a new preamble and File Meta Information (PS3.10 7.1)."""
    meta = file_meta(str(ds.get("SOPClassUID", "") or "1.2.840.10008.5.1.4.1.1.7"), str(ds.SOPInstanceUID), ts)
    buffer = DicomBytesIO()
    buffer.write(b"\x00" * 128 + b"DICM")
    write_file_meta_info(buffer, meta, enforce_standard=True)
    return bytes(buffer.getvalue()) + data[dataset_offset:]


def _meta_end(data: bytes) -> int | None:
    """Where the data set starts after the File Meta Information of a PS3.10 file."""
    fp = io.BytesIO(data)
    fp.seek(132)
    try:
        pydicom.filereader._read_file_meta_info(fp)
    except Exception:  # noqa: BLE001 - an unreadable meta group is simply not repaired
        return None
    return fp.tell()


def parse_instance(data: bytes) -> ParsedInstance:
    """Parse one instance for storage; raises ``InvalidDicomError`` with a short reason
    (no file name: the caller knows it) when it cannot be stored."""
    if not looks_like_dicom(data):
        raise InvalidDicomError("not a DICOM file (no DICM prefix and no valid dataset)")
    warnings: list[str] = []
    damage: list[str] = []
    try:
        ds, bare = _read_any(data, stop_before_pixels=False)
    except InvalidDicomError as full_error:
        # The header may still be fine with only the pixel data broken: store it, warn.
        try:
            ds, bare = _read_any(data, stop_before_pixels=True)
        except InvalidDicomError:
            raise full_error from None
        damage.append(f"pixel data unreadable: {full_error}")
    if not _has_uids(ds):
        raise InvalidDicomError(f"not a storable instance ({_missing_uids(ds)})")
    sop_class = str(ds.get("SOPClassUID", "") or "")
    meta = getattr(ds, "file_meta", None)
    if sop_class == MEDIA_STORAGE_DIRECTORY or (
        meta is not None and str(meta.get("MediaStorageSOPClassUID", "")) == MEDIA_STORAGE_DIRECTORY
    ):
        raise InvalidDicomError("a DICOMDIR is a directory of files, not an instance")
    ts = _transfer_syntax(ds, bare)
    damage.extend(_pixel_damage(ds, ts))
    note = unsupported_syntax_note(ts)
    if note:
        warnings.append(note)

    file_bytes = data
    if bare:
        if ts is None:
            raise InvalidDicomError("unreadable header: transfer syntax cannot be determined")
        file_bytes = _with_meta(ds, data, ts, 0)
    elif (
        meta is None
        or not meta.get("TransferSyntaxUID")
        or not meta.get("MediaStorageSOPInstanceUID")
    ):
        offset = _meta_end(data)
        if ts is not None and offset is not None:
            file_bytes = _with_meta(ds, data, ts, offset)
            warnings.append("incomplete File Meta Information was rewritten")
    return ParsedInstance(header=ds, file_bytes=file_bytes, warnings=warnings, damage=damage)


def _read_head(path: Path, n: int = 512) -> bytes:
    with open(path, "rb") as fh:
        return fh.read(n)


def parse_instance_file(path: Path) -> ParsedInstance:
    """Parse the instance in ``path`` for storage, as ``parse_instance`` does; a file larger than
    ``LARGE_FILE_BYTES`` with a complete File Meta Information is read without its bulk values
    (pixel data, large private blobs), which stay on disk until ``write_to`` copies them."""
    path = Path(path)
    size = os.stat(path).st_size
    if size <= LARGE_FILE_BYTES or not has_ps310_prefix(_read_head(path)):
        return parse_instance(path.read_bytes())
    try:
        ds = pydicom.dcmread(path, defer_size=_DEFER_BYTES, force=True)
    except Exception:  # noqa: BLE001 - an unusual large file: the full reading handles it
        return parse_instance(path.read_bytes())
    meta = getattr(ds, "file_meta", None)
    if (
        meta is None
        or not meta.get("TransferSyntaxUID")
        or not meta.get("MediaStorageSOPInstanceUID")
        or not _has_uids(ds)
    ):
        return parse_instance(path.read_bytes())  # repairs and reasons live there
    sop_class = str(ds.get("SOPClassUID", "") or "")
    if MEDIA_STORAGE_DIRECTORY in (sop_class, str(meta.get("MediaStorageSOPClassUID", ""))):
        raise InvalidDicomError("a DICOMDIR is a directory of files, not an instance")
    ts = UID(str(meta.TransferSyntaxUID))
    warnings: list[str] = []
    note = unsupported_syntax_note(ts)
    if note:
        warnings.append(note)
    return ParsedInstance(
        header=ds,
        warnings=warnings,
        damage=_deferred_pixel_damage(ds, ts, size),
        source=path,
        source_size=size,
    )


def _deferred_pixel_damage(ds: Dataset, ts: UID, file_size: int) -> list[str]:
    """``_pixel_damage`` for a header whose Pixel Data value was left on disk: the value ends
    where the file ends when the file is shorter than the element's length says."""
    if _PIXEL_DATA not in ds or not ts.is_transfer_syntax or ts.is_compressed:
        return []
    raw = ds.get_item(_PIXEL_DATA)
    length = getattr(raw, "length", None)
    tell = getattr(raw, "value_tell", None)
    if length is None or tell is None or length == 0xFFFFFFFF:
        return _pixel_damage(ds, ts)
    try:
        rows, cols = int(ds.Rows), int(ds.Columns)
        bits = int(ds.BitsAllocated)
        samples = int(ds.get("SamplesPerPixel", 1) or 1)
        frames = int(ds.get("NumberOfFrames", 1) or 1)
    except (AttributeError, TypeError, ValueError):
        return []
    expected = (rows * cols * samples * frames * bits + 7) // 8
    actual = max(0, min(int(length), file_size - int(tell)))
    if actual < expected:
        return [f"truncated: pixel data ends {expected - actual} bytes early"]
    return []
