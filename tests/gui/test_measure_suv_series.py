"""The SUV display path in the viewport (issue 20): a re-saved PET series whose Series Time is
later than its acquisitions measures against the series' earliest acquisition, which only the
series' headers tell (the measuring tools pass them)."""

from __future__ import annotations

import copy
import datetime as dt
import math
from pathlib import Path

import numpy as np
import pydicom
import pytest

pytest.importorskip("pytestqt")

from pydicom.uid import generate_uid  # noqa: E402

from workstation.annotate.measurements import Kind, measure  # noqa: E402
from workstation.annotate.suv import SUV_UNIT  # noqa: E402
from workstation.model.displayset import build_display_sets  # noqa: E402
from workstation.ui.measure_tools import MeasureTools  # noqa: E402
from workstation.ui.viewport import ViewportWidget  # noqa: E402

pytestmark = pytest.mark.gui


def test_a_resaved_pet_series_measures_from_its_earliest_acquisition(qtbot, shared_data: Path) -> None:  # type: ignore[no-untyped-def]
    source = pydicom.dcmread(shared_data / "fo_dicom_selected" / "GH184.dcm")
    stored = source.pixel_array
    beds = []
    for k in range(3):  # three slices acquired 3 min apart, then re-saved at 12:13
        ds = copy.deepcopy(source)
        ds.SOPInstanceUID, ds.InstanceNumber = generate_uid(), k + 1
        ds.ImagePositionPatient = [-347.265625, -347.265625, -908.3 + 3.27 * k]
        ds.AcquisitionTime = f"11{3 * k:02d}36"
        ds.SeriesTime = "121300"
        beds.append(ds)
    w = ViewportWidget()
    qtbot.addWidget(w)
    w.resize(300, 300)
    w.show()
    qtbot.waitExposed(w)
    display_set = build_display_sets(beds)[0]
    w.show_display_set(display_set, None, len(display_set.frames), headers=beds)
    by_uid = {str(ds.SOPInstanceUID): ds for ds in beds}
    for index, (uid, _frame) in enumerate(display_set.frames):
        w.set_image(index, stored, by_uid[uid])

    info = source.RadiopharmaceuticalInformationSequence[0]
    injected = dt.datetime.strptime(source.SeriesDate + info.RadiopharmaceuticalStartTime.split(".")[0], "%Y%m%d%H%M%S")
    earliest = dt.datetime.strptime(source.SeriesDate + "110036", "%Y%m%d%H%M%S")
    decayed = float(info.RadionuclideTotalDose) * math.exp(-math.log(2) * (earliest - injected).total_seconds() / float(info.RadionuclideHalfLife))
    factor = float(source.PatientWeight) * 1000 / decayed
    bqml = stored.astype(np.float64) * float(source.RescaleSlope) + float(source.RescaleIntercept)
    row, column = (int(v) for v in np.unravel_index(int(np.argmax(bqml)), bqml.shape))

    tools = MeasureTools()
    last = len(display_set.frames) - 1  # the bed acquired last refers to the first one too
    image = tools.measured_image(w, last)
    assert image is not None and image.value_unit == SUV_UNIT
    assert "earliest acquisition" in image.value_note
    probe = measure(Kind.PROBE, [(column, row)], image)
    assert probe.values[0].value == pytest.approx(bqml[row, column] * factor, rel=1e-9)
