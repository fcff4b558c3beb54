"""The references of a Key Object Selection document as PS3.16 TID 2010 wants them.

TID 2010 "Key Object Selection" lists each selected object as an IMAGE, WAVEFORM or COMPOSITE
content item (rows 8-10) *without* a Concept Name: the template forbids a Purpose of Reference
there. highdicom names every reference (260753009, SCT, "Source") and makes it COMPOSITE unless
the dataset it was given has Rows and Columns; PixelMed's TID 2010 check rejects both, and
viewers that look for IMAGE items find no key images. :func:`as_tid2010` puts it right.

Core module: no Qt, no VTK, no highdicom (works on any pydicom dataset).
"""

from __future__ import annotations

from pydicom.dataset import Dataset

_REFERENCE_TYPES = ("IMAGE", "WAVEFORM", "COMPOSITE")


def as_tid2010(document: Dataset, image_uids: set[str]) -> Dataset:
    """``document`` (changed in place) with its references unnamed, and those to the SOP
    Instance UIDs in ``image_uids`` written as IMAGE items. Returns ``document``."""
    for item in document.get("ContentSequence", None) or []:
        kind = str(item.get("ValueType", ""))
        if kind not in _REFERENCE_TYPES:
            continue
        if "ConceptNameCodeSequence" in item:
            del item.ConceptNameCodeSequence
        refs = item.get("ReferencedSOPSequence", None) or []
        if kind == "COMPOSITE" and refs and str(refs[0].get("ReferencedSOPInstanceUID", "")) in image_uids:
            item.ValueType = "IMAGE"
    return document


def image_uids(headers: list[Dataset]) -> set[str]:
    """The SOP Instance UIDs of the headers that describe images (they have Rows and Columns,
    the Image Pixel Module, PS3.3 C.7.6.3)."""
    return {str(ds.get("SOPInstanceUID", "")) for ds in headers if "Rows" in ds and "Columns" in ds}
