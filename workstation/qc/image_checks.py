"""Per-image header checks: the IOD rules that matter to display, burned-in text, lossy images.

IOD rules follow what a validator such as ``dciodvfy`` applies, for the attributes a viewer needs
to put pixels on screen in the right place:

- Image Pixel Module (PS3.3 C.7.6.3): Samples per Pixel, Photometric Interpretation, Rows,
  Columns, Bits Allocated, Bits Stored, High Bit and Pixel Representation are Type 1; Bits Stored
  may not exceed Bits Allocated; High Bit is Bits Stored - 1 (C.7.6.3.1); Photometric
  Interpretation fixes Samples per Pixel (C.7.6.3.1.2); Planar Configuration is Type 1C when
  Samples per Pixel > 1; PALETTE COLOR needs its lookup table descriptors (C.7.6.3.1.5).
- Image Plane Module (PS3.3 C.7.6.2), Type 1 in the CT, MR and PET image IODs: Pixel Spacing is
  two positive numbers, Image Orientation (Patient) two orthogonal unit vectors, Image Position
  (Patient) three numbers.

Burned-in annotation (General Image Module, PS3.3 C.7.6.1, Burned In Annotation) and lossy
compression (Lossy Image Compression, C.7.6.1.1.5, or a lossy transfer syntax, PS3.5 A.4) are
reported as the technologist's checklist asks: lossy mammography is an error, since
MQSA/EUREF practice (and PS3.3's own caution) forbid lossy images for primary reading.

Findings of one code are gathered per series: one finding naming every image concerned.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from pydicom.dataset import Dataset

from workstation.qc.attributes import (
    instance_label,
    integer,
    is_image,
    is_secondary,
    join_labels,
    numbers,
    series_label,
    sop_uid,
    text,
)
from workstation.qc.findings import Finding, Severity

_CT = "1.2.840.10008.5.1.4.1.1.2"
_MR = "1.2.840.10008.5.1.4.1.1.4"
_PET = "1.2.840.10008.5.1.4.1.1.128"
#: Image IODs whose Image Plane Module is mandatory (single-frame cross-sectional images).
IMAGE_PLANE_CLASSES = frozenset({_CT, _MR, _PET, "1.2.840.10008.5.1.4.1.1.128.1"})

#: Transfer syntaxes that lose information (PS3.5 A.4): JPEG lossy, JPEG-LS near-lossless,
#: JPEG 2000 and HTJ2K irreversible, JPIP and the video codecs.
LOSSY_TRANSFER_SYNTAXES = frozenset({
    "1.2.840.10008.1.2.4.50", "1.2.840.10008.1.2.4.51", "1.2.840.10008.1.2.4.81",
    "1.2.840.10008.1.2.4.91", "1.2.840.10008.1.2.4.93", "1.2.840.10008.1.2.4.203",
    "1.2.840.10008.1.2.4.100", "1.2.840.10008.1.2.4.101", "1.2.840.10008.1.2.4.102",
    "1.2.840.10008.1.2.4.103", "1.2.840.10008.1.2.4.104", "1.2.840.10008.1.2.4.105",
    "1.2.840.10008.1.2.4.106", "1.2.840.10008.1.2.4.107", "1.2.840.10008.1.2.4.108",
})

_PIXEL_TYPE1 = (
    "SamplesPerPixel", "PhotometricInterpretation", "Rows", "Columns",
    "BitsAllocated", "BitsStored", "HighBit", "PixelRepresentation",
)
_SAMPLES = {
    "MONOCHROME1": 1, "MONOCHROME2": 1, "PALETTE COLOR": 1, "RGB": 3, "YBR_FULL": 3,
    "YBR_FULL_422": 3, "YBR_PARTIAL_422": 3, "YBR_PARTIAL_420": 3, "YBR_ICT": 3, "YBR_RCT": 3,
    "HSV": 3, "ARGB": 4, "CMYK": 4,
}
#: Cosines of Image Orientation (Patient) are unit and orthogonal within this (dciodvfy-like).
ORIENTATION_TOLERANCE = 1e-3


def transfer_syntax(ds: Dataset) -> str:
    """The transfer syntax the instance was stored in: file meta, else what an archive said
    in Available Transfer Syntax UID (0008,3002) of WADO-RS metadata."""
    meta = getattr(ds, "file_meta", None)
    if meta is not None and "TransferSyntaxUID" in meta:
        return str(meta.TransferSyntaxUID)
    return text(ds, "AvailableTransferSyntaxUID")


def pixel_module_problems(ds: Dataset) -> list[tuple[str, str]]:
    """(code, reason) for each Image Pixel Module violation of one image (PS3.3 C.7.6.3)."""
    problems: list[tuple[str, str]] = []
    missing = [k for k in _PIXEL_TYPE1 if k not in ds or ds[k].value in (None, "")]
    if missing:
        problems.append(("image_pixel_missing", "lacks " + ", ".join(missing)))
    rows, columns = integer(ds, "Rows"), integer(ds, "Columns")
    for keyword, value in (("Rows", rows), ("Columns", columns)):
        if keyword not in missing and (value is None or value <= 0):
            problems.append(("image_pixel_invalid", f"has {keyword} {text(ds, keyword)[:20]!r}, not a positive number"))
    allocated, stored, high = integer(ds, "BitsAllocated"), integer(ds, "BitsStored"), integer(ds, "HighBit")
    if "BitsAllocated" not in missing and (allocated is None or allocated <= 0 or (allocated != 1 and allocated % 8)):
        problems.append(("image_pixel_invalid", f"has Bits Allocated {text(ds, 'BitsAllocated')[:20]!r} (1 or a multiple of 8)"))
    if "BitsStored" not in missing and (stored is None or stored <= 0):
        problems.append(("image_pixel_invalid", f"has Bits Stored {text(ds, 'BitsStored')[:20]!r}, not a positive number"))
    if allocated and stored and stored > allocated:
        problems.append(("bits_stored_exceeds_allocated", f"has Bits Stored {stored} > Bits Allocated {allocated}"))
    if stored and high is not None and high != stored - 1:
        problems.append(("high_bit_mismatch", f"has High Bit {high} where Bits Stored {stored} needs {stored - 1}"))
    representation = integer(ds, "PixelRepresentation")
    if "PixelRepresentation" not in missing and representation not in (0, 1):
        problems.append(("image_pixel_invalid", f"has Pixel Representation {text(ds, 'PixelRepresentation')[:20]!r} (0 or 1)"))
    photometric = text(ds, "PhotometricInterpretation").upper()
    samples = integer(ds, "SamplesPerPixel")
    expected = _SAMPLES.get(photometric)
    if photometric and expected is None:
        problems.append(("photometric_invalid", f"has an unknown Photometric Interpretation {photometric[:20]!r}"))
    elif expected is not None and samples is not None and samples != expected:
        problems.append(("photometric_samples_mismatch",
                         f"says {photometric} but Samples per Pixel {samples} (needs {expected})"))
    if samples is not None and samples > 1 and "PlanarConfiguration" not in ds:
        problems.append(("image_pixel_missing", "lacks Planar Configuration, required with more than one sample per pixel"))
    if photometric == "PALETTE COLOR" and "RedPaletteColorLookupTableDescriptor" not in ds:
        problems.append(("image_pixel_missing", "is PALETTE COLOR without its palette lookup table descriptors"))
    return problems


def plane_module_problems(ds: Dataset) -> list[tuple[str, str]]:
    """(code, reason) for each Image Plane Module violation of one image (PS3.3 C.7.6.2)."""
    problems: list[tuple[str, str]] = []
    required = text(ds, "SOPClassUID") in IMAGE_PLANE_CLASSES and (integer(ds, "NumberOfFrames") or 1) == 1
    plane = ("PixelSpacing", "ImageOrientationPatient", "ImagePositionPatient")
    if required:
        missing = [k for k in plane if k not in ds or ds[k].value in (None, "")]
        if missing:
            problems.append(("image_plane_missing", "lacks " + ", ".join(missing)))
    if "PixelSpacing" in ds and ds["PixelSpacing"].value not in (None, ""):
        spacing = numbers(ds, "PixelSpacing")
        if spacing is None or len(spacing) != 2 or not all(math.isfinite(v) and v > 0 for v in spacing):
            problems.append(("invalid_pixel_spacing",
                             f"has Pixel Spacing {text(ds, 'PixelSpacing')[:40]!r}, not two positive numbers"))
    if "ImageOrientationPatient" in ds and ds["ImageOrientationPatient"].value not in (None, ""):
        cosines = numbers(ds, "ImageOrientationPatient")
        reason = ""
        if cosines is None or len(cosines) != 6 or not all(math.isfinite(v) for v in cosines):
            reason = "is not six numbers"
        else:
            row, col = cosines[:3], cosines[3:]
            norms = (math.sqrt(sum(v * v for v in row)), math.sqrt(sum(v * v for v in col)))
            dot = sum(a * b for a, b in zip(row, col, strict=True))
            if any(abs(n - 1.0) > ORIENTATION_TOLERANCE for n in norms):
                reason = f"has direction cosines of length {norms[0]:.4f} and {norms[1]:.4f}, not 1"
            elif abs(dot) > ORIENTATION_TOLERANCE:
                reason = f"has row and column directions that are not orthogonal (cosine {dot:.4f})"
        if reason:
            problems.append(("invalid_orientation", f"Image Orientation (Patient) {reason}"))
    if "ImagePositionPatient" in ds and ds["ImagePositionPatient"].value not in (None, ""):
        position = numbers(ds, "ImagePositionPatient")
        if position is None or len(position) != 3 or not all(math.isfinite(v) for v in position):
            problems.append(("invalid_position", f"has Image Position (Patient) {text(ds, 'ImagePositionPatient')[:40]!r}, not three numbers"))
    return problems


_IOD_SENTENCE = {
    "image_pixel_missing": "Image Pixel Module (PS3.3 C.7.6.3) incomplete",
    "image_pixel_invalid": "Image Pixel Module (PS3.3 C.7.6.3) value out of range",
    "bits_stored_exceeds_allocated": "Bits Stored greater than Bits Allocated (PS3.3 C.7.6.3)",
    "high_bit_mismatch": "High Bit not Bits Stored - 1 (PS3.3 C.7.6.3.1)",
    "photometric_invalid": "Photometric Interpretation not defined by PS3.3 C.7.6.3.1.2",
    "photometric_samples_mismatch": "Photometric Interpretation does not match Samples per Pixel (PS3.3 C.7.6.3.1.2)",
    "image_plane_missing": "Image Plane Module (PS3.3 C.7.6.2) incomplete",
    "invalid_pixel_spacing": "Pixel Spacing invalid (PS3.3 C.7.6.2, 10.7.1.3)",
    "invalid_orientation": "Image Orientation (Patient) invalid (PS3.3 C.7.6.2.1.1)",
    "invalid_position": "Image Position (Patient) invalid (PS3.3 C.7.6.2.1.1)",
}


def _grouped(code: str, label: str, series_uid: str, items: list[tuple[Dataset, str]], severity: Severity) -> Finding:
    first_ds, first_reason = items[0]
    more = f" (and {len(items) - 1} more image(s))" if len(items) > 1 else ""
    sentence = (
        f"{label.capitalize()}: {_IOD_SENTENCE.get(code, code)}: {instance_label(first_ds)} {first_reason}{more}; "
        "the images may display wrongly, ask the modality vendor or archive to correct the header."
    )
    return Finding(severity, code, sentence, tuple(dict.fromkeys(sop_uid(ds) for ds, _ in items)), series_uid)


def iod_findings(series_uid: str, headers: Sequence[Dataset]) -> list[Finding]:
    """Image Pixel and Image Plane violations of a series' images, one finding per code."""
    label = series_label(headers)
    by_code: dict[str, list[tuple[Dataset, str]]] = {}
    for ds in headers:
        if not is_image(ds):
            continue
        for code, reason in pixel_module_problems(ds) + plane_module_problems(ds):
            by_code.setdefault(code, []).append((ds, reason))
    return [_grouped(code, label, series_uid, items, Severity.ERROR) for code, items in by_code.items()]


def burned_in_findings(series_uid: str, headers: Sequence[Dataset]) -> list[Finding]:
    """Images flagged Burned In Annotation YES (PS3.3 C.7.6.1): text in the pixels, which
    de-identification cannot remove and which may hide anatomy. Screens and secondary captures
    (dose reports) are expected to carry it: info; acquisitions: warning."""
    flagged = [ds for ds in headers if text(ds, "BurnedInAnnotation").upper() == "YES"]
    if not flagged:
        return []
    label = series_label(headers)
    screens = [ds for ds in flagged if is_secondary(ds)]
    acquired = [ds for ds in flagged if not is_secondary(ds)]
    out = []
    if acquired:
        out.append(Finding(
            Severity.WARNING, "burned_in_annotation",
            f"{label.capitalize()}: {len(acquired)} image(s) have text burned into the pixels (Burned In Annotation YES): "
            "it cannot be removed when the images are shared, and may hide anatomy.",
            tuple(sop_uid(ds) for ds in acquired), series_uid))
    if screens:
        out.append(Finding(
            Severity.INFO, "burned_in_annotation",
            f"{label.capitalize()}: {len(screens)} screen capture(s) have text burned into the pixels "
            "(Burned In Annotation YES), as screens such as dose reports do.",
            tuple(sop_uid(ds) for ds in screens), series_uid))
    return out


def is_lossy(ds: Dataset) -> bool:
    """Lossy Image Compression "01" (PS3.3 C.7.6.1.1.5) or stored in a lossy transfer syntax."""
    return text(ds, "LossyImageCompression") == "01" or transfer_syntax(ds) in LOSSY_TRANSFER_SYNTAXES


def lossy_findings(series_uid: str, headers: Sequence[Dataset]) -> list[Finding]:
    """Lossy compressed images: an error in mammography (meant for primary reading), else info."""
    lossy = [ds for ds in headers if is_image(ds) and is_lossy(ds)]
    if not lossy:
        return []
    label = series_label(headers)
    mammography = [ds for ds in lossy if text(ds, "Modality").upper() == "MG"]
    others = [ds for ds in lossy if text(ds, "Modality").upper() != "MG"]
    out = []
    if mammography:
        out.append(Finding(
            Severity.ERROR, "lossy_mammography",
            f"{label.capitalize()}: {len(mammography)} mammogram(s) are lossy compressed "
            f"({join_labels([instance_label(ds) for ds in mammography], 3)}); mammograms must not be read "
            "from lossy images: ask for the original images from the modality.",
            tuple(sop_uid(ds) for ds in mammography), series_uid))
    if others:
        out.append(Finding(
            Severity.INFO, "lossy_compression",
            f"{label.capitalize()}: {len(others)} image(s) are lossy compressed; fine detail may be lost.",
            tuple(sop_uid(ds) for ds in others), series_uid))
    return out
