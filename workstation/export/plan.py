"""What an export takes: the study's instances (or some series), and which of them are held back
because text is burned into their pixels, or, de-identified, because they are documents.

Burned In Annotation YES (PS3.3 C.7.6.1.1.2 / C.7.6.1) means the pixels carry text, typically the
patient's name, which header de-identification (PS3.15 E.1) cannot remove. A de-identified export
therefore leaves such images out unless the user confirms (``--include-burned-in``); the sentences
come from the technologists' QC check (:func:`workstation.qc.image_checks.burned_in_findings`).
Encapsulated documents (a signed report's PDF) name the patient in their text: Table E.1-1
replaces the document (D), which leaves an object no viewer can open, so a de-identified export
leaves them out and says so.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from pydicom.dataset import Dataset

from workstation.errors import WorkstationError
from workstation.model.attributes import text
from workstation.qc.image_checks import burned_in_findings

_ENCAPSULATED_DOCUMENT_CLASSES = "1.2.840.10008.5.1.4.1.1.104."


#: Images that often carry the patient's name in their pixels (PS3.15 E.1.1: ultrasound, secondary
#: capture, visible light photographs and video): when they do not say (Burned In Annotation
#: absent), a de-identified export treats them as flagged.
_TEXT_PRONE_MODALITIES = {"US", "IVUS", "ES", "XC", "GM", "OP"}
_TEXT_PRONE_CLASSES = ("1.2.840.10008.5.1.4.1.1.7", "1.2.840.10008.5.1.4.1.1.77.1")


def _may_carry_text(ds: Dataset) -> bool:
    if text(ds, "BurnedInAnnotation"):
        return False  # it says (YES is handled by the QC check, NO is trusted)
    if "PixelData" not in ds and "Rows" not in ds:
        return False
    return (text(ds, "Modality").upper() in _TEXT_PRONE_MODALITIES
            or text(ds, "SOPClassUID").startswith(_TEXT_PRONE_CLASSES))


def _is_document(ds: Dataset) -> bool:
    """Encapsulated PDF, CDA, STL... (PS3.3 A.45, A.85): text the profile cannot clean."""
    return text(ds, "SOPClassUID").startswith(_ENCAPSULATED_DOCUMENT_CLASSES)


@dataclass(frozen=True)
class ExportPlan:
    """The instances to write (SOP Instance UIDs in series order) and those held back."""

    instances: tuple[str, ...]
    held_back: tuple[str, ...]
    notes: tuple[str, ...]  # one sentence per reason something is flagged or left out
    burned_in_held: int
    series: tuple[str, ...]


def plan_export(headers: Sequence[Dataset], series_uids: Sequence[str] = (), *,
                deidentify: bool, include_burned_in: bool) -> ExportPlan:
    """Choose the instances of ``headers`` (one study) to export; ``series_uids`` narrows it to
    some series (empty: every series)."""
    wanted = {s.strip() for s in series_uids if s.strip()}
    chosen = [ds for ds in headers if not wanted or text(ds, "SeriesInstanceUID") in wanted]
    if wanted:
        present = {text(ds, "SeriesInstanceUID") for ds in chosen}
        missing = sorted(wanted - present)
        if missing:
            raise WorkstationError(f"The study has no series {missing[0]}; `workstation info` lists its series.")
    if not chosen:
        raise WorkstationError("There is nothing to export: the study has no instances in the library.")
    by_series: dict[str, list[Dataset]] = {}
    for ds in chosen:
        by_series.setdefault(text(ds, "SeriesInstanceUID"), []).append(ds)
    held: list[str] = []
    sentences: list[str] = []
    burned_in_held = 0
    if deidentify:
        for series_uid, items in by_series.items():
            for finding in burned_in_findings(series_uid, items):
                sentences.append(finding.sentence)
                if not include_burned_in:
                    held.extend(finding.instances)
                    burned_in_held += len(finding.instances)
    if deidentify:
        unknown = [ds for ds in chosen if _may_carry_text(ds)]
        if unknown:
            sentences.append(
                f"{len(unknown)} ultrasound, photo or screen-capture image(s) do not say whether "
                "text is burned into their pixels (Burned In Annotation absent); such images "
                "often have it." + (" They were left out." if not include_burned_in else ""))
            if not include_burned_in:
                uids = [text(ds, "SOPInstanceUID") for ds in unknown]
                held.extend(uids)
                burned_in_held += len(uids)
        documents = [text(ds, "SOPInstanceUID") for ds in chosen if _is_document(ds)]
        if documents:
            held.extend(documents)
            sentences.append(
                f"{len(documents)} encapsulated document(s) (PDF or CDA) were left out: the "
                "patient's identity in their text cannot be removed (PS3.15 E.1: Encapsulated "
                "Document is replaced, which would leave an unreadable object).")
    held_set = set(held)
    order = [text(ds, "SOPInstanceUID") for ds in chosen]
    return ExportPlan(
        instances=tuple(u for u in order if u not in held_set),
        held_back=tuple(dict.fromkeys(held)),
        notes=tuple(sentences),
        burned_in_held=burned_in_held,
        series=tuple(by_series),
    )
