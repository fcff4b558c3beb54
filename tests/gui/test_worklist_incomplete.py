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


def test_opening_an_incomplete_study_from_the_library_says_so(qtbot) -> None:  # type: ignore[no-untyped-def]
    from tests.gui.helpers import dispose, open_row
    from workstation import demo
    from workstation.settings import load_settings
    from workstation.ui.app import create_main_window

    settings = load_settings()
    parts = list(demo.phantom_series(shape=(28, 64, 64), spacing=(2.0, 1.5, 1.5)))
    from io import BytesIO

    import pydicom

    headers = [pydicom.dcmread(BytesIO(p), stop_before_pixels=True) for p in parts]
    study, series = str(headers[0].StudyInstanceUID), str(headers[0].SeriesInstanceUID)
    with Library(settings.library_path()) as lib:
        lib.begin_series(study, series, [str(h.SOPInstanceUID) for h in headers])
        for data in parts[:16]:
            lib.add_bytes(data)
    window = create_main_window(settings)
    window.show()
    qtbot.waitExposed(window)
    try:
        worklist = window.worklist
        worklist.run_search()
        qtbot.waitUntil(lambda: worklist.model.rowCount() == 1, timeout=10000)
        open_row(qtbot, worklist, str(headers[0].StudyDescription))
        qtbot.waitUntil(lambda: window.tabs.count() == 2, timeout=30000)
        message = window.statusBar().currentMessage()
        assert message.endswith("; incomplete: 16 of 28 images, pull again"), message
    finally:
        dispose(qtbot, window)


def test_the_app_rebuilds_a_lost_index_and_says_so(qtbot) -> None:  # type: ignore[no-untyped-def]
    from tests.gui.helpers import dispose
    from workstation.settings import load_settings
    from workstation.store.library import INDEX
    from workstation.ui.app import create_main_window

    settings = load_settings()
    with Library(settings.library_path()) as lib:
        for i in range(3):
            lib.add_bytes(instance_bytes(patient_id=f"KEPT-{i}"))
    for name in (INDEX, INDEX + "-wal", INDEX + "-shm"):
        (settings.library_path() / name).unlink(missing_ok=True)
    window = create_main_window(settings)
    try:
        assert window.statusBar().currentMessage() == (
            "The library index was missing; it was rebuilt from the files: 3 studies (3 images) recovered."
        )
        assert len(window.library.search_studies(StudyQuery())) == 3
    finally:
        dispose(qtbot, window)
