"""Which kind of display set an object makes, from its SOP Class UID (PS3.4 Annex B.5, PS3.6 A).

Images go to volumes, stacks or cines; non-image objects (structured reports, PDFs, key object
selections, presentation states, segmentations, RT structure sets) each have their own viewer.
"""

from __future__ import annotations

from enum import Enum


class DisplaySetKind(str, Enum):
    """What a display set is and so which viewer shows it (after OHIF's and Slicer's handlers)."""

    VOLUME = "volume"  # parallel single-frame slices that form a volume
    ENHANCED_VOLUME = "enhanced_volume"  # one enhanced multi-frame image whose frames form a volume
    STACK = "stack"  # images shown one by one: projections, localizers, mixed or too few slices
    MULTIFRAME = "multiframe"  # a multi-frame cine (US, XA, RF ...) played at its frame time
    SR = "sr"  # structured report (PS3.3 A.35)
    PDF = "pdf"  # encapsulated PDF (PS3.3 A.45.1)
    KOS = "kos"  # key object selection (PS3.3 A.35.4)
    PRESENTATION_STATE = "presentation_state"  # GSPS and other softcopy presentation states (PS3.3 A.33)
    SEG = "seg"  # segmentation (PS3.3 A.51)
    RTSTRUCT = "rtstruct"  # RT structure set (PS3.3 A.19)
    OTHER = "other"  # anything this workstation does not display

    @property
    def is_image(self) -> bool:
        """True for kinds whose pixels are shown as images."""
        return self in (DisplaySetKind.VOLUME, DisplaySetKind.ENHANCED_VOLUME, DisplaySetKind.STACK, DisplaySetKind.MULTIFRAME)


_STORAGE = "1.2.840.10008.5.1.4.1.1."
KEY_OBJECT_SELECTION = _STORAGE + "88.59"
ENCAPSULATED_PDF = _STORAGE + "104.1"
RT_STRUCTURE_SET = _STORAGE + "481.3"
SEGMENTATIONS = frozenset({_STORAGE + "66.4", _STORAGE + "66.7"})  # Segmentation, Label Map Segmentation
#: Image classes that are not shown in this workstation even though they have pixels.
_NOT_SHOWN_IMAGES = frozenset({
    _STORAGE + "77.1.6",  # VL Whole Slide Microscopy: tiled pyramids need a slide viewer
    _STORAGE + "481.2",  # RT Dose: a dose grid, shown as an overlay, not on its own
})
_ENCAPSULATED_OTHER = _STORAGE + "104."  # CDA, STL, OBJ, MTL (PDF handled first)


def document_kind(sop_class_uid: str) -> DisplaySetKind | None:
    """The non-image kind of a SOP class, ``None`` for image classes.

    Structured reports are the 1.2.840.10008.5.1.4.1.1.88.x classes (Key Object Selection,
    88.59, among them, but it gets its own kind); presentation states are the 11.x classes.
    """
    uid = (sop_class_uid or "").strip()
    if uid == KEY_OBJECT_SELECTION:
        return DisplaySetKind.KOS
    if uid.startswith(_STORAGE + "88."):
        return DisplaySetKind.SR
    if uid == ENCAPSULATED_PDF:
        return DisplaySetKind.PDF
    if uid.startswith(_STORAGE + "11."):
        return DisplaySetKind.PRESENTATION_STATE
    if uid in SEGMENTATIONS:
        return DisplaySetKind.SEG
    if uid == RT_STRUCTURE_SET:
        return DisplaySetKind.RTSTRUCT
    if uid in _NOT_SHOWN_IMAGES or uid.startswith(_ENCAPSULATED_OTHER):
        return DisplaySetKind.OTHER
    return None
