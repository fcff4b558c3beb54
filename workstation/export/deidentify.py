"""De-identification for export: the PS3.15 Annex E Basic Application Level Confidentiality
Profile with its common options, applied consistently across every instance of one export.

The attribute list and the action of each attribute (D, Z, X, U, and the conditional ones) come
from Table E.1-1 as transcribed by the ``dicom-anonymizer`` package (Kitware, module
``dicomanonymizer``, database ``dicomfields_2026c``): we do not keep our own copy of the table.
What this module adds around it:

* The table is applied at every level of the dataset, not only at the top: each item of each
  sequence that is kept is de-identified with the same table (the standard's actions apply to
  attributes wherever they occur, PS3.15 E.3.1).
* UIDs (action U and X/Z/U*) are replaced by new ``2.25`` UIDs (PS3.5 B.2) through one map per
  export, everywhere in the dataset (file meta and nested references included), so that the
  references inside SR, KOS, GSPS and SEG still resolve after export (E.3.9). Class UIDs,
  transfer syntaxes and UIDs of the standard (``1.2.840.10008.``) are not identifying and stay.
* Content Sequence (SR, KOS) and Graphic Annotation Sequence (GSPS), which Table E.1-1 marks D,
  are kept with their structure and cleaned instead, the Clean Structured Content (113104) and
  Clean Graphics (113103) options: the table is applied inside, free text is scrubbed of the
  patient's identifiers. Referenced/Source Image Sequences (X/Z/U*) keep their items with new
  UIDs: the U* alternative the table allows to keep an IOD conformant.
* Patient's Name and Patient ID get one pseudonym per patient and export (so the recipient's
  viewer still groups the study under one patient).
* Options (Table E.1-1 columns, codes from CID 7050):
  - Retain Longitudinal Temporal Information with Modified Dates (113107): dates shifted by one
    random whole number of days per export, times kept; Patient's Birth Date is still removed.
  - Retain Device Identity (113109): device and station identifiers kept.
  - Clean Descriptors (113105): study, series, protocol descriptions and comments kept, scrubbed
    of the patient's identifiers (removed otherwise).
* Private attributes are removed (the profile's default; no Retain Safe Private option).
* Patient Identity Removed (0012,0062) YES, De-identification Method (0012,0063) and its code
  sequence (0012,0064) are set as E.1.1 requires.

Burned-in annotation (text in the pixels) is not removed here: the export plan flags and excludes
such images unless the user confirms (see :mod:`workstation.export.plan`).
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from pydicom.dataelem import DataElement
from pydicom.dataset import Dataset
from pydicom.multival import MultiValue
from pydicom.sequence import Sequence as DicomSequence

from workstation.errors import WorkstationError

#: Version of Table E.1-1 used (a module of dicomanonymizer.dicom_anonymization_databases).
TABLE_VERSION = "dicomfields_2026c"

Action = Callable[[Dataset, Any], None]
TagKey = tuple[int, ...]

# CID 7050 De-identification Method (PS3.16).
BASIC_PROFILE = ("113100", "Basic Application Confidentiality Profile")
CLEAN_GRAPHICS = ("113103", "Clean Graphics Option")
CLEAN_STRUCTURED_CONTENT = ("113104", "Clean Structured Content Option")
CLEAN_DESCRIPTORS = ("113105", "Clean Descriptors Option")
RETAIN_MODIFIED_DATES = ("113107", "Retain Longitudinal Temporal Information Modified Dates Option")
RETAIN_DEVICE_IDENTITY = ("113109", "Retain Device Identity Option")

#: Sequences Table E.1-1 marks D or X/Z/U* that we keep and clean (see the module docstring).
_KEPT_SEQUENCES = {
    (0x0040, 0xA730),  # Content Sequence: Clean Structured Content
    (0x0070, 0x0001),  # Graphic Annotation Sequence: Clean Graphics
    (0x0008, 0x1140),  # Referenced Image Sequence: X/Z/U*
    (0x0008, 0x2112),  # Source Image Sequence: X/Z/U*
}
#: Free text cleaned rather than replaced (inside the kept sequences).
_CLEANED_TEXT = {
    (0x0070, 0x0006),  # Unformatted Text Value (GSPS text objects)
    (0x0040, 0xA160),  # Text Value (SR TEXT items; not listed in Table E.1-1)
}
#: Retain Device Identity option: attributes marked K in that column of Table E.1-1.
_DEVICE_IDENTITY = {
    (0x0018, 0x1000),  # Device Serial Number
    (0x0018, 0x1002),  # Device UID
    (0x0018, 0x1003),  # Device ID
    (0x0018, 0x1004),  # Plate ID
    (0x0018, 0x1005),  # Generator ID
    (0x0018, 0x1007),  # Cassette ID
    (0x0018, 0x1008),  # Gantry ID
    (0x0018, 0x700A),  # Detector ID
    (0x0050, 0x0020),  # Device Description
    (0x0008, 0x1010),  # Station Name
    (0x0040, 0x0241),  # Performed Station AE Title
    (0x0040, 0x0242),  # Performed Station Name
    (0x3008, 0x0105),  # Source Serial Number
    (0x300A, 0x00B2),  # Treatment Machine Name
}
#: Clean Descriptors option: attributes marked C in that column of Table E.1-1 (the common ones).
_DESCRIPTORS = {
    (0x0008, 0x1030),  # Study Description
    (0x0008, 0x103E),  # Series Description
    (0x0018, 0x1030),  # Protocol Name
    (0x0020, 0x4000),  # Image Comments
    (0x0008, 0x2111),  # Derivation Description
    (0x0032, 0x1060),  # Requested Procedure Description
    (0x0040, 0x0254),  # Performed Procedure Step Description
    (0x0040, 0x0007),  # Scheduled Procedure Step Description
    (0x0008, 0x4000),  # Identifying Comments
    (0x0062, 0x0006),  # Segment Description (SEG)
    (0x0070, 0x0081),  # Content Description (GSPS)
}
_ALWAYS_EMPTIED = {(0x0010, 0x0030)}  # Patient's Birth Date: never kept, not even shifted
_PATIENT_NAME = (0x0010, 0x0010)
_PATIENT_ID = (0x0010, 0x0020)
_STUDY_ID = (0x0020, 0x0010)
#: X in the table but Type 1 in their IOD and keys of a DICOMDIR record (PS3.3 F.5): the D
#: alternative (a dummy value, or the shifted date with the dates option) keeps them conformant.
_DUMMY_WHEN_TYPE_1 = {
    (0x0070, 0x0082),  # Presentation Creation Date (GSPS, PRESENTATION record)
    (0x0070, 0x0083),  # Presentation Creation Time
}
_STANDARD_UID_ROOT = "1.2.840.10008."


@dataclass(frozen=True)
class DeidentificationOptions:
    """Which PS3.15 Table E.1-1 options apply on top of the basic profile."""

    retain_modified_dates: bool = False
    retain_device_identity: bool = False
    clean_descriptors: bool = False

    @classmethod
    def parse(cls, text: str) -> DeidentificationOptions:
        """Options from a comma-separated list: ``basic``, ``dates``, ``device``, ``descriptors``
        (the ``--profile`` of ``workstation export``)."""
        words = {w.strip().lower() for w in (text or "basic").split(",") if w.strip()}
        unknown = words - {"basic", "dates", "device", "descriptors"}
        if unknown:
            raise WorkstationError(
                f"Unknown de-identification option {sorted(unknown)[0]!r}: use basic, dates, "
                "device and descriptors, separated by commas.")
        return cls("dates" in words, "device" in words, "descriptors" in words)

    def method_codes(self) -> list[tuple[str, str]]:
        codes = [BASIC_PROFILE, CLEAN_STRUCTURED_CONTENT, CLEAN_GRAPHICS]
        if self.retain_modified_dates:
            codes.append(RETAIN_MODIFIED_DATES)
        if self.retain_device_identity:
            codes.append(RETAIN_DEVICE_IDENTITY)
        if self.clean_descriptors:
            codes.append(CLEAN_DESCRIPTORS)
        return codes


def _base_rules() -> dict[TagKey, Action]:
    from dicomanonymizer.simpledicomanonymizer import initialize_actions

    return dict(initialize_actions(TABLE_VERSION))


def new_uid() -> str:
    """A UID under the 2.25 root from a random UUID (PS3.5 B.2): it reveals nothing."""
    return f"2.25.{uuid.uuid4().int}"


def _is_replaceable_uid(element: DataElement, value: str) -> bool:
    keyword = element.keyword or ""
    if keyword.endswith("ClassUID") or keyword in ("TransferSyntaxUID", "ImplementationClassUID"):
        return False
    return bool(value) and not value.startswith(_STANDARD_UID_ROOT)


@dataclass
class Deidentifier:
    """De-identifies the instances of one export: one UID map, one date shift, one pseudonym per
    patient. Keep one instance for all the files of an export (and only one export)."""

    options: DeidentificationOptions = field(default_factory=DeidentificationOptions)
    uid_map: dict[str, str] = field(default_factory=dict)
    day_shift: int = field(default_factory=lambda: -(365 + secrets.randbelow(3 * 365)))
    pseudonyms: dict[str, str] = field(default_factory=dict)
    study_numbers: dict[str, str] = field(default_factory=dict)
    #: UIDs left as they are (class UIDs, the implementation's, the standard's): not identifying.
    kept_uids: set[str] = field(default_factory=set)
    #: Every identifying string met (names, IDs, birth dates), to scrub text and check output.
    identifiers: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        self._patient_key = ""
        self._top: Dataset | None = None
        self._rules = self._build_rules()

    # -- the table -------------------------------------------------------------------------------

    def _build_rules(self) -> dict[TagKey, Action]:
        rules = {tag: self._guarded(action) for tag, action in _base_rules().items()}
        for tag in _KEPT_SEQUENCES:
            rules[tag] = _keep
        for tag in _CLEANED_TEXT:
            rules[tag] = self._scrub_text
        if self.options.retain_device_identity:
            for tag in _DEVICE_IDENTITY:
                rules[tag] = _keep
        if self.options.clean_descriptors:
            for tag in _DESCRIPTORS:
                rules[tag] = self._scrub_text
        for tag in _ALWAYS_EMPTIED:
            rules[tag] = _empty
        rules[_PATIENT_NAME] = self._pseudonymise_name
        rules[_PATIENT_ID] = self._pseudonymise_id
        rules[_STUDY_ID] = self._number_study
        from dicomanonymizer.simpledicomanonymizer import replace

        for tag in _DUMMY_WHEN_TYPE_1:
            rules[tag] = self._guarded(replace)
        return rules

    def _guarded(self, action: Action) -> Action:
        """The table's action, except for UIDs (already mapped) and, with the dates option,
        dates (shifted) and times (kept)."""

        def act(ds: Dataset, tag: Any) -> None:
            element = ds.get(tag)
            if element is None:
                return
            if element.VR == "UI":
                return  # mapped consistently by _map_uids before the table runs
            if self.options.retain_modified_dates and element.VR in ("DA", "DT", "TM"):
                if element.VR != "TM":
                    element.value = self._shift(element)
                return
            action(ds, tag)
            _valid_dummy_date(ds.get(tag))

        return act

    # -- entry point -----------------------------------------------------------------------------

    def deidentify(self, ds: Dataset) -> None:
        """De-identify one instance in place (file meta included)."""
        self._collect_identifiers(ds)
        self._patient_key = str(ds.get("PatientID", "") or "")  # before the table changes it
        self._top = ds
        self._map_uids(ds)
        if getattr(ds, "file_meta", None) is not None:
            self._map_uids(ds.file_meta)
            if "SourceApplicationEntityTitle" in ds.file_meta:
                del ds.file_meta.SourceApplicationEntityTitle
        self._apply(ds)
        ds.PatientIdentityRemoved = "YES"
        method = "PS3.15 E.1 Basic Profile (" + TABLE_VERSION + ")"
        if self.options.retain_modified_dates:
            method += " with dates shifted"
            ds.LongitudinalTemporalInformationModified = "MODIFIED"
        ds.DeidentificationMethod = method[:64]
        ds.DeidentificationMethodCodeSequence = DicomSequence(
            [_code(value, meaning) for value, meaning in self.options.method_codes()])

    # -- helpers ---------------------------------------------------------------------------------

    def _collect_identifiers(self, ds: Dataset) -> None:
        for keyword in ("PatientName", "PatientID", "PatientBirthDate", "OtherPatientNames",
                        "AccessionNumber", "IssuerOfPatientID", "PatientMotherBirthName"):
            value = ds.get(keyword)
            if value in (None, ""):
                continue
            values = list(value) if isinstance(value, MultiValue) else [value]
            for one in values:
                text = str(one).strip()
                if not text:
                    continue
                self.identifiers.add(text)
                if keyword in ("PatientName", "OtherPatientNames"):
                    self.identifiers.update(p.strip() for p in re.split(r"[\^=]", text) if len(p.strip()) >= 3)

    def _map_uids(self, ds: Dataset) -> None:
        def visit(dataset: Dataset, element: DataElement) -> None:
            if element.VR != "UI" or element.value in (None, ""):
                return
            values = [element.value] if isinstance(element.value, str) else list(element.value)
            mapped = []
            for value in values:
                if _is_replaceable_uid(element, value):
                    mapped.append(self.map_uid(value))
                else:
                    self.kept_uids.add(str(value).strip())
                    mapped.append(value)
            element.value = mapped[0] if isinstance(element.value, str) else mapped

        ds.walk(visit)

    def replaced_uids(self) -> set[str]:
        """The original UIDs this export replaced (and none that it kept elsewhere: the same
        UID may be an Implementation Class UID in the file meta and an instance creator's UID in
        the dataset)."""
        return set(self.uid_map) - self.kept_uids

    def map_uid(self, uid: str) -> str:
        """The export's replacement for ``uid`` (the same every time it is asked)."""
        uid = str(uid).strip().rstrip("\x00")
        if uid not in self.uid_map:
            self.uid_map[uid] = new_uid()
        return self.uid_map[uid]

    def _apply(self, ds: Dataset) -> None:
        from dicomanonymizer.simpledicomanonymizer import anonymize_dataset

        # Only the rules for attributes this level holds (and the repeating groups, and the file
        # meta's): the same actions, without 1300 look-ups per sequence item.
        present = {(int(tag) >> 16, int(tag) & 0xFFFF) for tag in ds.keys()}
        rules = {tag: action for tag, action in self._rules.items()
                 if len(tag) > 2 or tag in present or tag[0] == 0x0002}
        anonymize_dataset(ds, None, delete_private_tags=True, base_rules_gen=lambda: dict(rules))
        for element in list(ds):
            if element.VR == "SQ" and element.value:
                for item in element.value:
                    self._apply(item)

    def _shift(self, element: DataElement) -> Any:
        def one(text: str) -> str:
            text = str(text).strip()
            if len(text) < 8 or not text[:8].isdigit():
                return ""
            try:
                day = dt.datetime.strptime(text[:8], "%Y%m%d").date()
            except ValueError:
                return ""
            return (day + dt.timedelta(days=self.day_shift)).strftime("%Y%m%d") + text[8:]

        if isinstance(element.value, str):
            return one(element.value)
        return [one(v) for v in element.value]

    def scrub(self, text: str) -> str:
        """``text`` with every known identifier of the patient removed (case-insensitive)."""
        out = str(text)
        for ident in sorted(self.identifiers, key=len, reverse=True):
            out = re.sub(re.escape(ident), "", out, flags=re.IGNORECASE)
            caret = ident.replace("^", " ")
            if caret != ident:
                out = re.sub(re.escape(caret), "", out, flags=re.IGNORECASE)
        return re.sub(r"\s{2,}", " ", out).strip()

    def _scrub_text(self, ds: Dataset, tag: Any) -> None:
        element = ds.get(tag)
        if element is None or element.value in (None, ""):
            return
        if isinstance(element.value, str):
            element.value = self.scrub(element.value)
        else:
            element.value = [self.scrub(str(v)) for v in element.value]

    def pseudonym(self, patient_id: str) -> str:
        key = str(patient_id)
        if key not in self.pseudonyms:
            self.pseudonyms[key] = "ANON" + secrets.token_hex(4).upper()
        return self.pseudonyms[key]

    def _number_study(self, ds: Dataset, tag: Any) -> None:
        """Study ID (Z in Table E.1-1) gets the D alternative, a number per study of the export:
        a DICOMDIR's STUDY record needs one (PS3.3 F.5.3, Type 1)."""
        element = ds.get(tag)
        if element is not None:
            key = str(ds.get("StudyInstanceUID", "")) + "\\" + str(element.value or "")
            element.value = self.study_numbers.setdefault(key, str(len(self.study_numbers) + 1))

    def _pseudonymise_id(self, ds: Dataset, tag: Any) -> None:
        element = ds.get(tag)
        if element is not None:
            element.value = self.pseudonym(self._patient_key if ds is self._top else str(element.value or ""))

    def _pseudonymise_name(self, ds: Dataset, tag: Any) -> None:
        element = ds.get(tag)
        if element is not None:
            element.value = "Anonymous^" + self.pseudonym(self._patient_key)

    def leaks(self, data: bytes, original_uids: Iterable[str] = (), *,
              text_part: bytes | None = None) -> list[str]:
        """What of the patient's identity is still in ``data`` (the bytes of one written file):
        'an identifier of the patient', 'an original UID'; empty when nothing is.

        Names, IDs and birth dates are searched in ``text_part`` when given (the file without
        its pixel values, where a short ID could occur by chance), else in all of ``data``;
        strings shorter than 4 bytes are not searched. UIDs are searched in all of ``data``.
        """
        found = []
        haystack = data if text_part is None else text_part
        for ident in self.identifiers:
            for encoding in ("utf-8", "latin-1"):
                try:
                    needle = ident.encode(encoding)
                except UnicodeEncodeError:
                    continue
                if len(needle) >= 4 and needle in haystack:
                    found.append("an identifier of the patient")
                    break
        uids = set(original_uids) or self.replaced_uids()
        for token in re.findall(rb"[0-9][0-9.]{8,63}", data):
            if token.decode("ascii") in uids:
                found.append("an original UID")
                break
        return sorted(set(found))


#: The table's dummy dates (year 1) are not valid DA/DT values for validators (dciodvfy): the
#: dummy used instead is 1 January 1900, what other de-identifiers use.
_DUMMY_DATES = {"00010101": "19000101", "00010101010101.000000+0000": "19000101000000.000000+0000"}


def _valid_dummy_date(element: DataElement | None) -> None:
    if element is None or element.VR not in ("DA", "DT") or element.value in (None, ""):
        return
    if isinstance(element.value, str):
        element.value = _DUMMY_DATES.get(element.value, element.value)
    else:
        element.value = [_DUMMY_DATES.get(str(v), v) for v in element.value]


def _keep(ds: Dataset, tag: Any) -> None:
    """K: keep (the sequence's items are de-identified one by one)."""


def _empty(ds: Dataset, tag: Any) -> None:
    element = ds.get(tag)
    if element is not None:
        element.value = ""


def _code(value: str, meaning: str) -> Dataset:
    item = Dataset()
    item.CodeValue = value
    item.CodingSchemeDesignator = "DCM"
    item.CodeMeaning = meaning
    return item
