"""Typed warnings about images and their geometry, shown to the user as one sentence each.

A warning never stops reading: the images are still shown, but what might mislead the reader
(a missing slice, a tilted gantry, pixel spacing measured at the detector) is said plainly, and
the CLI and the viewer show the same sentence. Sentences name images by Instance Number, frame
number or SOP Instance UID, never by patient data.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class WarningCode(str, Enum):
    """What kind of problem a warning reports (stable strings for JSON and tests)."""

    UNEVEN_SPACING = "uneven_spacing"
    MISSING_SLICES = "missing_slices"
    DUPLICATE_POSITIONS = "duplicate_positions"
    GANTRY_TILT = "gantry_tilt"
    SINGLE_SLICE = "single_slice"
    NOT_A_VOLUME = "not_a_volume"
    SERIES_SPLIT = "series_split"
    DETECTOR_SPACING = "detector_spacing"
    ULTRASOUND_REGIONS = "ultrasound_regions"
    UNCALIBRATED = "uncalibrated"
    NO_FRAME_TIME = "no_frame_time"
    FRAME_OF_REFERENCE = "frame_of_reference"


@dataclass(frozen=True)
class ImageWarning:
    """One warning: its code, the sentence for the user, and the SOP Instance UIDs concerned."""

    code: WarningCode
    sentence: str
    instances: tuple[str, ...] = ()

    def __str__(self) -> str:
        return self.sentence

    def to_dict(self) -> dict[str, object]:
        """JSON-ready form: code, sentence and instances."""
        return {"code": self.code.value, "sentence": self.sentence, "instances": list(self.instances)}
