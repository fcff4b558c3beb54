"""The worklist says when the local copy of a study is incomplete (a pull cut off half-way),
from a real library on disk."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("pytestqt")

from pydicom.uid import generate_uid  # noqa: E402

from tests.store.helpers import instance_bytes  # noqa: E402
from workstation.model.query import StudyQuery  # noqa: E402
from workstation.store.library import Library  # noqa: E402
from workstation.ui.worklist import IMAGES_COLUMN, ORIGIN_COLUMN, WorklistWidget  # noqa: E402

pytestmark = pytest.mark.gui


def test_incomplete_study_is_marked_on_its_row(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    lib = Library(tmp_path / "lib")
    partial, series = generate_uid(), generate_uid()
    sops = [generate_uid() for _ in range(28)]
    lib.begin_series(partial, series, sops)
    for i, sop in enumerate(sops[:16]):
        lib.add_bytes(instance_bytes(study_uid=partial, series_uid=series, sop_uid=sop,
                                     instance_number=i, description="PARTIAL", study_date="20261201"))
    lib.add_bytes(instance_bytes(description="IMPORTED WHOLE", study_date="20261130"))

    widget = WorklistWidget(lambda q, _s: lib.search_studies(q), ["Local library"])
    qtbot.addWidget(widget)
    widget.show()
    widget.run_search()
    qtbot.waitUntil(lambda: widget.model.rowCount() == 2, timeout=10000)
    rows = {widget.model.item(r, 6).text(): r for r in range(widget.model.rowCount())}
    images = widget.model.item(rows["PARTIAL"], IMAGES_COLUMN)
    origin = widget.model.item(rows["PARTIAL"], ORIGIN_COLUMN)
    assert images.text() == "16 of 28"
    assert origin.text() == "library (incomplete)"
    assert images.toolTip() == "Incomplete: 16 of 28 images, pull again."
    whole = widget.model.item(rows["IMPORTED WHOLE"], IMAGES_COLUMN)
    assert whole.text() == "1" and whole.toolTip() == ""
    assert len(lib.search_studies(StudyQuery())) == 2
    lib.close()
