"""Key images of a study: the images the reader marked, with a note (the key-image strip).

A Key Object Selection document (PS3.3 A.35.4) carries one note for the whole selection (the
"Key Object Description", DCM 113012, of TID 2010), so the note belongs to the selection, not to
each image. Frames are listed as marked; the KOS references whole instances (PS3.3 C.17.3), so a
marked frame of a multi-frame image comes back as its instance.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from workstation.annotate.measurements import ImageRef


@dataclass
class KeyImages:
    """The key images marked on a study, in the order they were marked, and the note."""

    images: list[ImageRef] = field(default_factory=list)
    note: str = ""
    title: str = "Of Interest"

    def is_key(self, sop_instance_uid: str) -> bool:
        return any(ref.sop_instance_uid == sop_instance_uid for ref in self.images)

    def mark(self, ref: ImageRef) -> None:
        if not self.is_key(ref.sop_instance_uid):
            self.images.append(ref)

    def unmark(self, sop_instance_uid: str) -> None:
        self.images = [ref for ref in self.images if ref.sop_instance_uid != sop_instance_uid]

    def toggle(self, ref: ImageRef) -> bool:
        """Mark or unmark an image; True when it is now a key image."""
        if self.is_key(ref.sop_instance_uid):
            self.unmark(ref.sop_instance_uid)
            return False
        self.mark(ref)
        return True
