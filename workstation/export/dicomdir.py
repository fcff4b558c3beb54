"""DICOMDIR records for instances whose numbering labels are empty (PS3.3 F.5).

A DICOMDIR's STUDY record needs a Study ID, its SERIES record a Series Number and its IMAGE
record an Instance Number (Type 1 there), while the instances may leave them empty (Type 2 in
the General Study, Series and Image modules). Like DCMTK's ``dcmgpdir --invent``, the record then
gets a value (the study's, series' or instance's position in the export) and the instance file
itself stays as it is. Dates, times, UIDs and the modality are never invented: an instance that
lacks them cannot go into a DICOMDIR, and the export says so.

This uses pydicom's documented extension point, ``pydicom.fileset.DIRECTORY_RECORDERS``: the
STUDY, SERIES and IMAGE creators are wrapped once per process; the wrappers only act when the
original creator would refuse an empty label.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from pydicom.dataset import Dataset

_INVENTED: dict[str, tuple[str, ...]] = {
    "STUDY": ("StudyID",),
    "SERIES": ("SeriesNumber",),
    "IMAGE": ("InstanceNumber",),
}
_lock = threading.Lock()
_installed = False
_numbers: dict[tuple[str, str, str], int] = {}


_SCOPES = {  # keyword: (the parent it is numbered within, the thing numbered)
    "StudyID": ("", "StudyInstanceUID"),
    "SeriesNumber": ("StudyInstanceUID", "SeriesInstanceUID"),
    "InstanceNumber": ("SeriesInstanceUID", "SOPInstanceUID"),
}


def _number(keyword: str, ds: Dataset) -> int:
    """1, 2, 3... for the studies of a file set, the series of a study, the instances of a series."""
    parent_kw, item_kw = _SCOPES[keyword]
    parent = str(ds.get(parent_kw, "")) if parent_kw else ""
    item = str(ds.get(item_kw, ""))
    with _lock:
        key = (keyword, parent, item)
        if key not in _numbers:
            _numbers[key] = 1 + sum(1 for k in _numbers if k[:2] == (keyword, parent))
        return _numbers[key]


def _wrap(original: Callable[[Dataset], Dataset], keywords: tuple[str, ...]) -> Callable[[Dataset], Dataset]:
    def create(ds: Dataset) -> Dataset:
        missing = [k for k in keywords if k not in ds or ds[k].VM == 0]
        if not missing:
            return original(ds)
        view = Dataset()
        view.update(ds)  # a shallow copy: the instance itself is not changed
        for keyword in missing:
            if keyword in view:
                del view[keyword]  # the element object is shared with the instance: replace it
            setattr(view, keyword, str(_number(keyword, ds)))
        return original(view)

    create.__wrapped__ = original  # type: ignore[attr-defined]
    return create


def install_record_fallbacks() -> None:
    """Wrap the STUDY, SERIES and IMAGE record creators once (idempotent)."""
    global _installed
    with _lock:
        if _installed:
            return
        from pydicom.fileset import DIRECTORY_RECORDERS

        for record_type, keywords in _INVENTED.items():
            DIRECTORY_RECORDERS[record_type] = _wrap(DIRECTORY_RECORDERS[record_type], keywords)  # type: ignore[assignment]
        _installed = True
