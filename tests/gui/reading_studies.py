"""Generated studies for the reading-room behaviour tests: CT chests of one patient at two dates
(lung and mediastinal series of the same anatomy), built from the demo phantom."""

from __future__ import annotations

import datetime as dt
from io import BytesIO
from typing import Any

import pydicom
from pydicom.uid import generate_uid

from workstation import demo

#: (slices, rows, columns) and (slice, row, column) spacing in mm of both series.
SHAPE = (24, 48, 48)
SPACING = (2.0, 1.0, 1.0)


def chest_study(study_date: dt.date, *, description: str = "CT CHEST", shape: tuple[int, int, int] = SHAPE) -> list[bytes]:
    """A CT chest of two axial series of the same slices: 'Lung 1 mm' (Se 2) and 'Mediastinum
    soft tissue' (Se 3), one Frame of Reference, study date ``study_date``."""
    study_uid = generate_uid()
    frame = generate_uid()
    out = []
    for number, series in ((2, "Lung 1 mm"), (3, "Mediastinum soft tissue")):
        for data in demo.phantom_series(shape=shape, spacing=SPACING, study_uid=study_uid, study_date=study_date):
            ds = pydicom.dcmread(BytesIO(data))
            ds.SeriesNumber = number
            ds.SeriesDescription = series
            ds.StudyDescription = description
            ds.BodyPartExamined = "CHEST"
            ds.FrameOfReferenceUID = frame
            buf = BytesIO()
            ds.save_as(buf, enforce_file_format=True)
            out.append(buf.getvalue())
    return out


def study_uid(items: list[bytes]) -> str:
    return str(pydicom.dcmread(BytesIO(items[0])).StudyInstanceUID)


def open_study(qtbot: Any, window: Any, uid: str) -> Any:
    """Open the worklist's study ``uid`` and wait for its tab."""
    window.worklist.run_search()
    qtbot.waitUntil(lambda: any(s.study_uid == uid for s in window.worklist._studies), timeout=20000)
    study = next(s for s in window.worklist._studies if s.study_uid == uid)
    before = window.current_study()
    window.open_study(study)
    qtbot.waitUntil(lambda: window.current_study() is not None and window.current_study() is not before
                    and window.current_study().study.study_uid == uid, timeout=20000)
    return window.current_study()
