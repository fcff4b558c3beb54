"""Encapsulated PDF documents (PS3.3 A.45.1, C.24.2 Encapsulated Document Module).

The PDF travels in Encapsulated Document (0042,0011, OB). OB values have even length (PS3.5 7.1),
so a PDF of odd length carries one pad byte; Encapsulated Document Length (0042,0015) gives the
true length where the sender filled it in. :func:`read_pdf_document` returns the PDF's own bytes:
cut to that length when it is present and plausible, else with a single trailing NUL dropped
only when it follows the ``%%EOF`` marker (PDF 1.7, ISO 32000-1 7.5.5: the file ends with
``%%EOF`` and an optional end-of-line), so a PDF that really ends in NUL is never shortened.

Pages are counted and rendered with PDFium (``pypdfium2``) to RGB numpy arrays the viewer can
paint; a corrupt or password-protected PDF raises :class:`~workstation.errors.DocumentError`
with one sentence naming the instance. PDFium is not thread-safe, so every call into it holds
one module lock.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pypdfium2 as pdfium
from pydicom.dataset import Dataset

from workstation.errors import DocumentError
from workstation.model.sop_classes import ENCAPSULATED_PDF
from workstation.model.sr_document import read_document_dataset

#: Largest page image rendered, in pixels; a larger request is rendered at a lower DPI.
MAX_PAGE_PIXELS = 40_000_000
#: Screen resolution a page is rendered at when the caller does not say.
DEFAULT_DPI = 96.0
_POINTS_PER_INCH = 72.0

_PDFIUM_LOCK = threading.RLock()


@dataclass(frozen=True)
class RenderedPage:
    """One PDF page as an RGB image: ``pixels`` is (rows, columns, 3) uint8 at ``dpi``."""

    index: int
    pixels: np.ndarray
    dpi: float
    width_points: float
    height_points: float


class PdfDocument:
    """An encapsulated PDF ready to page through (PS3.3 A.45.1).

    ``data`` is the PDF itself (pad byte removed). ``title`` is Document Title (0042,0010).
    Close it (or use it as a context manager) to free PDFium's memory.
    """

    def __init__(self, data: bytes, *, sop_instance_uid: str = "", title: str = "") -> None:
        self.data = data
        self.sop_instance_uid = sop_instance_uid
        self.title = title
        with _PDFIUM_LOCK:
            try:
                self._pdf = pdfium.PdfDocument(data)
                self._page_count = len(self._pdf)
            except pdfium.PdfiumError as exc:
                raise DocumentError(_sentence(sop_instance_uid, exc)) from exc
        if self._page_count < 1:
            self.close()
            raise DocumentError(f"The PDF in {_name(sop_instance_uid)} has no pages; ask the sender for a complete copy.")

    @property
    def page_count(self) -> int:
        return self._page_count

    def page_size_points(self, index: int) -> tuple[float, float]:
        """(width, height) of page ``index`` (0-based) in PDF points (1/72 inch)."""
        self._check_index(index)
        with _PDFIUM_LOCK:
            page = self._pdf[index]
            try:
                width, height = page.get_size()
            finally:
                page.close()
        return float(width), float(height)

    def render_page(self, index: int, dpi: float = DEFAULT_DPI) -> RenderedPage:
        """Page ``index`` (0-based) as RGB pixels on a white background at ``dpi`` dots per inch.

        A request over :data:`MAX_PAGE_PIXELS` is rendered at the highest DPI that fits
        (``RenderedPage.dpi`` says which).
        """
        self._check_index(index)
        if not (dpi > 0 and np.isfinite(dpi)):
            raise ValueError(f"dpi must be a positive number, not {dpi!r}")
        with _PDFIUM_LOCK:
            page = self._pdf[index]
            try:
                width, height = (float(v) for v in page.get_size())
                scale = dpi / _POINTS_PER_INCH
                area = max(width * height, 1.0) * scale * scale
                if area > MAX_PAGE_PIXELS:
                    scale *= (MAX_PAGE_PIXELS / area) ** 0.5 * 0.999  # PDFium rounds sizes up
                bitmap = page.render(scale=scale, rev_byteorder=True, fill_color=(255, 255, 255, 255))
                try:
                    pixels = np.array(bitmap.to_numpy(), dtype=np.uint8, copy=True)
                finally:
                    bitmap.close()
            except pdfium.PdfiumError as exc:
                raise DocumentError(_sentence(self.sop_instance_uid, exc, page=index + 1)) from exc
            finally:
                page.close()
        if pixels.ndim == 3 and pixels.shape[2] == 4:
            pixels = np.ascontiguousarray(pixels[:, :, :3])
        return RenderedPage(index, pixels, scale * _POINTS_PER_INCH, width, height)

    def page_text(self, index: int) -> str:
        """The text PDFium extracts from page ``index`` (0-based), line ends as LF."""
        self._check_index(index)
        with _PDFIUM_LOCK:
            page = self._pdf[index]
            try:
                textpage = page.get_textpage()
                try:
                    text = textpage.get_text_range()
                finally:
                    textpage.close()
            except pdfium.PdfiumError as exc:
                raise DocumentError(_sentence(self.sop_instance_uid, exc, page=index + 1)) from exc
            finally:
                page.close()
        return text.replace("\r\n", "\n").replace("\r", "\n")

    def close(self) -> None:
        with _PDFIUM_LOCK:
            pdf = getattr(self, "_pdf", None)
            if pdf is not None:
                pdf.close()
                self._pdf = None

    def __enter__(self) -> PdfDocument:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _check_index(self, index: int) -> None:
        if getattr(self, "_pdf", None) is None:
            raise DocumentError(f"The PDF of {_name(self.sop_instance_uid)} was closed; open it again.")
        if not 0 <= index < self._page_count:
            raise IndexError(f"page {index} is outside 0..{self._page_count - 1}")


def pdf_bytes(ds: Dataset) -> bytes:
    """The PDF held in an Encapsulated PDF instance, its OB pad byte removed (PS3.3 C.24.2).

    Raises ``DocumentError`` when the instance is not an Encapsulated PDF or holds no document.
    """
    uid = str(ds.get("SOPInstanceUID", "") or "")
    sop_class = str(ds.get("SOPClassUID", "") or "")
    mime = str(ds.get("MIMETypeOfEncapsulatedDocument", "") or "").strip().lower()
    if sop_class != ENCAPSULATED_PDF and mime != "application/pdf":
        raise DocumentError(f"{_name(uid).capitalize()} is not an encapsulated PDF; open it with its own viewer.")
    try:
        raw = ds.get("EncapsulatedDocument", None)
    except Exception as exc:  # noqa: BLE001 - a malformed element reads as missing
        raise DocumentError(f"The PDF in {_name(uid)} cannot be read ({type(exc).__name__}); ask the sender for a new copy.") from exc
    if not isinstance(raw, (bytes, bytearray)) or not raw:
        raise DocumentError(f"{_name(uid).capitalize()} holds no PDF (Encapsulated Document is empty); ask the sender for a complete copy.")
    data = bytes(raw)
    declared = _declared_length(ds)
    if declared is not None and declared in (len(data) - 1, len(data)):
        return data[:declared]
    if data.endswith(b"\x00") and data[:-1].rstrip(b"\r\n").endswith(b"%%EOF"):
        return data[:-1]
    return data


def read_pdf_document(source: Dataset | bytes | bytearray | memoryview | Path) -> PdfDocument:
    """Open the PDF of an Encapsulated PDF instance (a dataset, PS3.10 bytes or a file)."""
    ds = read_document_dataset(source, "PDF document")
    title = str(ds.get("DocumentTitle", "") or "").strip()
    return PdfDocument(pdf_bytes(ds), sop_instance_uid=str(ds.get("SOPInstanceUID", "") or ""), title=title)


def _declared_length(ds: Dataset) -> int | None:
    try:
        value = ds.get("EncapsulatedDocumentLength", None)
        return None if value in (None, "") else int(value)
    except (TypeError, ValueError):
        return None


def _name(uid: str) -> str:
    return f"instance {uid}" if uid else "the document"


def _sentence(uid: str, exc: Exception, page: int | None = None) -> str:
    reason = str(exc).lower()
    where = f"page {page} of the PDF in {_name(uid)}" if page else f"the PDF in {_name(uid)}"
    if "password" in reason:
        return f"{where[0].upper()}{where[1:]} is password-protected and cannot be shown; ask the sender for an unprotected copy."
    return f"{where[0].upper()}{where[1:]} is damaged and cannot be shown; ask the sender for a new copy."
