"""Every object the workstation writes is in UTF-8: Specific Character Set ISO_IR 192.

PS3.5 6.1 lets a dataset say how its text is encoded with Specific Character Set (0008,0005);
without it, text is ISO-IR 6 (ASCII) only, so a report with "hématome" or a note with "肺" written
without it is invalid (dciodvfy: "Value invalid for this VR"; DCMTK's dsrdump refuses the file).
ISO_IR 192 (UTF-8, PS3.5 6.1.2.5.3 and Table D-2) holds every character a reader can type, so
the workstation declares it in every object it creates, whatever the source image's own set.

Values copied from a source image must be *decoded with the source's character set first*
(ISO_IR 100 Latin-1, ISO 2022 IR 87 Japanese with code extensions, ...); pydicom does that when
an element of a dataset read from a file is first accessed. :func:`recode_as_utf8` does it for a
whole dataset that will be written again (a corrected copy of an image), sequences included, and
then declares ISO_IR 192 so that pydicom encodes every text value in UTF-8 when it is written.

Core module: no Qt, no VTK.
"""

from __future__ import annotations

from pydicom.dataset import Dataset
from pydicom.multival import MultiValue

#: The Defined Term of Specific Character Set for UTF-8 (PS3.3 C.12.1.1.2).
UTF8 = "ISO_IR 192"


def _decode(ds: Dataset, depth: int = 0) -> None:
    if depth > 64:
        return
    for elem in ds:  # iterating converts raw values with this dataset's own character set
        if elem.VR == "SQ":
            for item in elem.value:
                _decode(item, depth + 1)
                if "SpecificCharacterSet" in item:  # an item's own set no longer applies either
                    del item.SpecificCharacterSet
        elif elem.VR == "PN" and not elem.is_empty:
            # A PersonName keeps its source bytes and encodings; plain text is re-encoded on write.
            if isinstance(elem.value, list | MultiValue):
                elem.value = [str(v) for v in elem.value]
            else:
                elem.value = str(elem.value)


def recode_as_utf8(ds: Dataset) -> Dataset:
    """``ds`` (changed in place) with every text value decoded from its own character set and
    ISO_IR 192 declared, so that writing it encodes all text in UTF-8. Returns ``ds``."""
    _decode(ds)
    ds.SpecificCharacterSet = UTF8
    return ds
