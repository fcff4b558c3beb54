"""Issue 6, the prior and the outbox, against a real Orthanc.

* A prior study with a saved TID 1500 measurement report: the current study opens laid out by
  its hanging protocol with the prior beside it, and the prior's length is drawn on the prior's
  viewport in the prior colour, with its value (checked against the pixel spacing), listed as
  "[prior <date>]" and read-only (not selectable, never saved with the current study).
* Objects waiting for the archive: with the archive unreachable, Ctrl+S keeps the measurement
  report and presentation state in the pending folder; the list shows them with the error and the
  status bar counts them; with the archive back, "Send now" empties the list and Orthanc has them.
"""

from __future__ import annotations

import math
import re
from io import BytesIO

import pydicom
import pytest
import requests

pytest.importorskip("pytestqt")

from PySide6.QtCore import QPoint, Qt  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402

from tests import orthanc as orthanc_mod  # noqa: E402
from tests.gui.helpers import dispose, shot  # noqa: E402
from tests.gui.test_hanging import PRIOR_DATE, TODAY, head_study  # noqa: E402
from workstation.annotate.measurements import Kind, MeasuredImage, measure  # noqa: E402
from workstation.annotate.sr_tid1500 import build_measurement_report  # noqa: E402
from workstation.model.query import StudyQuery  # noqa: E402
from workstation.net.auth import store_secret  # noqa: E402
from workstation.settings import ArchiveProfile, Settings, load_settings, save_settings  # noqa: E402
from workstation.ui.app import create_main_window  # noqa: E402
from workstation.ui.measure_tools import PRIOR_COLOUR  # noqa: E402
from workstation.ui.study_view import StudyView  # noqa: E402

pytestmark = pytest.mark.gui


def _bytes(ds: pydicom.Dataset) -> bytes:
    buffer = BytesIO()
    ds.save_as(buffer, enforce_file_format=True)
    return buffer.getvalue()


def _number(label: str, unit: str) -> float:
    match = re.search(r"(-?\d+(?:\.\d+)?) " + re.escape(unit), label)
    assert match, label
    return float(match.group(1))


def _screen(viewport, column: float, row: float) -> QPoint:  # type: ignore[no-untyped-def]
    x, y = viewport.renderer.image_to_screen(column, row)
    ratio = viewport.view.devicePixelRatioF()
    return QPoint(round(x / ratio), round(y / ratio))


def _rest(server: orthanc_mod.OrthancServer, path: str):  # type: ignore[no-untyped-def]
    response = requests.get(f"{server.rest_url}{path}", auth=(server.user, server.password), timeout=30)
    response.raise_for_status()
    return response.json()


def _uid(items: list[bytes]) -> str:
    return str(pydicom.dcmread(BytesIO(items[0])).StudyInstanceUID)


def test_prior_measurement_report_is_drawn_on_the_prior_read_only(qtbot, orthanc) -> None:  # type: ignore[no-untyped-def]
    current, prior = head_study(TODAY), head_study(PRIOR_DATE)
    for data in current + prior:
        orthanc.upload(data)
    current_uid, prior_uid = _uid(current), _uid(prior)
    # The prior's saved length: brain series (Se 2), the sixth image, from (10, 12) to (40, 36).
    target = next(ds for ds in (pydicom.dcmread(BytesIO(b)) for b in prior)
                  if int(ds.SeriesNumber) == 2 and int(ds.InstanceNumber) == 6)
    start, end = (10.0, 12.0), (40.0, 36.0)
    saved = measure(Kind.LENGTH, [start, end], MeasuredImage.from_dataset(target), id="prior-length")
    report = build_measurement_report([saved], [target])
    orthanc.upload(_bytes(report))
    row_mm, column_mm = (float(v) for v in target.PixelSpacing)
    expected_mm = math.hypot((end[0] - start[0]) * column_mm, (end[1] - start[1]) * row_mm)

    profile = ArchiveProfile(name="Test archive", url=orthanc.dicomweb_url, auth="basic", username=orthanc.user)
    store_secret(profile, orthanc.password)
    save_settings(Settings(archives=[profile], default_archive=profile.name))
    window = create_main_window(load_settings())
    window.set_hanging_on_open(True)
    window.resize(1500, 1000)
    window.show()
    qtbot.waitExposed(window)
    try:
        window.worklist.run_search()
        qtbot.waitUntil(lambda: window.worklist.model.rowCount() == 2, timeout=20000)
        window.open_study(next(s for s in window.worklist._studies if s.study_uid == current_uid))
        qtbot.waitUntil(lambda: isinstance(window.current_study(), StudyView), timeout=20000)
        view = window.current_study()
        assert view is not None
        prior_bindings = lambda: [b for b in view.bindings if b.display_set is not None and b.display_set.study_uid == prior_uid]  # noqa: E731
        qtbot.waitUntil(lambda: bool(prior_bindings()), timeout=30000)
        binding = next(b for b in prior_bindings() if b.display_set.series_number == 2)
        qtbot.waitUntil(lambda: binding.viewport.loaded == binding.count, timeout=30000)
        index = next(i for i, (uid, _f) in enumerate(binding.display_set.frames) if uid == target.SOPInstanceUID)
        binding.state.image_index = index
        tools = window.measurements.tools(view)
        assert tools is not None
        qtbot.waitUntil(lambda: prior_uid in tools.others, timeout=20000)
        viewport = binding.viewport

        def prior_labels() -> list[str]:
            return [op.text for op in viewport.renderer.annotations() if op.kind == "text" and op.colour == PRIOR_COLOUR]

        qtbot.waitUntil(lambda: bool(prior_labels()), timeout=10000)
        assert abs(_number(prior_labels()[0], "mm") - expected_mm) < 0.05
        lines = [op for op in viewport.renderer.annotations() if op.kind == "polyline" and op.colour == PRIOR_COLOUR]
        # Annotation pixel units (PS3.3 C.10.5.1.2): the pixel centres plus 0.5.
        assert [tuple(p) for p in lines[0].points] == [(start[0] + 0.5, start[1] + 0.5), (end[0] + 0.5, end[1] + 0.5)]
        # Only on its own image: not on the current study's viewports, not on the prior's other images.
        current_binding = next(b for b in view.bindings if b.display_set is not None and b.display_set.study_uid == current_uid)
        assert not [op for op in current_binding.viewport.renderer.annotations() if op.colour == PRIOR_COLOUR]
        assert tools.others[prior_uid].on_image((str(target.SOPInstanceUID), None))
        # Listed, tagged as the prior's.
        label = f"prior {PRIOR_DATE.isoformat()}"
        texts = [window.measurements.panel.list.item(i).text() for i in range(window.measurements.panel.list.count())]
        assert any(t.startswith(f"[{label}] Length: ") for t in texts), texts
        # Read-only: a click on it selects nothing, and the current study has nothing to save.
        middle = ((start[0] + end[0]) / 2, (start[1] + end[1]) / 2)
        point = viewport.renderer.image_to_screen(*middle)
        assert tools.hit(viewport, point) is None
        assert len(tools.measurements) == 0
        saving = window.measurements.build_objects(view)  # the current study's window only
        assert [str(ds.Modality) for ds in saving] == ["PR"]
        referenced = {str(i.ReferencedSOPInstanceUID) for s in saving[0].ReferencedSeriesSequence for i in s.ReferencedImageSequence}
        assert str(target.SOPInstanceUID) not in referenced and "GraphicAnnotationSequence" not in saving[0]
        shot(window, "61-prior-with-its-saved-length")
        # The reader chooses to edit: a double-click on the prior's item opens it in its own tab,
        # where its length is the study's own (selectable, editable, saved as a new version).
        panel = window.measurements.panel
        item = next(panel.list.item(i) for i in range(panel.list.count()) if panel.list.item(i).text().startswith(f"[{label}]"))
        panel.list.itemDoubleClicked.emit(item)
        qtbot.waitUntil(lambda: isinstance(window.current_study(), StudyView) and window.current_study().study.study_uid == prior_uid, timeout=20000)
        prior_view = window.current_study()
        prior_tools = window.measurements.tools(prior_view)
        assert prior_tools is not None
        qtbot.waitUntil(lambda: len(prior_tools.measurements) == 1, timeout=10000)
        editable = next(iter(prior_tools.measurements))
        assert editable.id == "prior-length" and abs(editable.values[0].value - expected_mm) < 1e-6
        assert prior_tools.previous["sr"].SOPInstanceUID == report.SOPInstanceUID  # the next save is its new version
        # Let the hanging bridge's background prefetch of the prior end before the window goes
        # (its end handler touches a timer owned by the window).
        qtbot.waitUntil(lambda: not getattr(window.hanging, "_prefetches", ()), timeout=30000)
    finally:
        dispose(qtbot, window)


def test_pending_list_while_the_archive_is_down_then_send_now(qtbot, orthanc, tmp_path) -> None:  # type: ignore[no-untyped-def]
    study = head_study(TODAY)[:10]  # the 3 mm brain series
    down = ArchiveProfile(name="Test archive", url=f"http://127.0.0.1:{orthanc_mod.free_port()}/dicom-web",
                          auth="basic", username=orthanc.user, connect_timeout_s=1.0, read_timeout_s=5.0)
    store_secret(down, orthanc.password)
    save_settings(Settings(archives=[down], default_archive=down.name))
    window = create_main_window(load_settings())
    window.resize(1400, 900)
    for data in study:
        window.library.add_bytes(data)
    window.show()
    qtbot.waitExposed(window)
    try:
        room = window.measurements
        assert room.pending.count() == 0 and not room.pending_label.isVisible()
        summary = next(s for s in window.library.search_studies(StudyQuery()) if s.study_uid == _uid(study))
        window.open_study(summary)
        qtbot.waitUntil(lambda: isinstance(window.current_study(), StudyView), timeout=20000)
        view = window.current_study()
        assert view is not None
        binding = view.active
        qtbot.waitUntil(lambda: binding.viewport.loaded == binding.count, timeout=30000)
        qtbot.wait(50)
        viewport = binding.viewport
        room.set_tool(Kind.LENGTH)
        a, b = _screen(viewport, 8, 10), _screen(viewport, 30, 28)
        QTest.mousePress(viewport.view, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, a)
        QTest.mouseMove(viewport.view, QPoint((a.x() + b.x()) // 2, (a.y() + b.y()) // 2))
        QTest.mouseRelease(viewport.view, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, b)
        tools = room.tools(view)
        assert tools is not None and len(tools.measurements) == 1

        room.save()  # the archive is down: kept in the pending folder
        qtbot.waitUntil(lambda: not room.saving, timeout=30000)
        assert room.pending.count() == 2
        assert room.pending_label.isVisible() and room.pending_label.text() == "2 objects waiting for the archive"
        dialog = room.show_pending()
        qtbot.waitExposed(dialog)
        rows = dialog.rows()
        assert sorted(r[0] for r in rows) == ["measurement report", "presentation state"]
        assert all(r[1] == f"CT HEAD {TODAY.isoformat()}" for r in rows), rows
        # Oldest first; sending stops at the first unreachable-archive error, so the second waits untried.
        assert [r[3] for r in rows] == ["1", "0"]
        assert rows[0][4].startswith("Not sent yet (1 attempt): ") and "archive" in rows[0][4].lower(), rows
        assert rows[1][4] == "Waiting behind an older object the archive did not take yet."
        assert dialog.summary.text() == "2 objects waiting for the archive"
        assert dialog.detail.text().startswith("Measurement report: Not sent yet (1 attempt): ")
        shot(dialog, "62-pending-while-archive-down")

        up = ArchiveProfile(name="Test archive", url=orthanc.dicomweb_url, auth="basic", username=orthanc.user)
        store_secret(up, orthanc.password)
        window.apply_settings(Settings(archives=[up], default_archive=up.name))
        assert dialog.send_now() is not None
        qtbot.waitUntil(lambda: dialog.rows() == [] and not room.pending.sending, timeout=30000)
        assert dialog.summary.text().startswith("Nothing is waiting")
        assert not room.pending_label.isVisible()
        series = {s["MainDicomTags"]["Modality"] for s in _rest(orthanc, "/series?expand")}
        assert {"SR", "PR"} <= series
        shot(dialog, "63-pending-after-send")
    finally:
        dispose(qtbot, window)


def test_waiting_objects_are_sent_on_their_own_when_the_archive_is_back(qtbot, orthanc, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """The watcher alone (no window): counts, then delivers by itself on its retry timer."""
    from workstation.annotate.pending import PendingQueue
    from workstation.net.dicomweb import DicomWebClient
    from workstation.ui.pending_view import PendingView, PendingWatcher

    images = [pydicom.dcmread(BytesIO(b)) for b in head_study(TODAY)[:2]]
    for ds in images:
        orthanc.upload(_bytes(ds))
    report = build_measurement_report([measure(Kind.LENGTH, [(3.0, 4.0), (30.0, 4.0)], MeasuredImage.from_dataset(images[0]), id="x")], images)
    queue = PendingQueue(tmp_path / "pending")
    queue.add(report)
    down = ArchiveProfile(name="down", url=f"http://127.0.0.1:{orthanc_mod.free_port()}/dicom-web", connect_timeout_s=1.0)
    up = ArchiveProfile(name="up", url=orthanc.dicomweb_url, username=orthanc.user)
    store_secret(up, orthanc.password)
    clients = {"now": DicomWebClient(down, retries=1, backoff_s=0.01)}
    counts: list[int] = []
    watcher = PendingWatcher(queue, lambda: clients["now"], refresh_ms=100, retry_ms=300)
    watcher.count_changed.connect(counts.append)
    view = PendingView(watcher)
    view.show()
    try:
        assert watcher.status_text() == "1 object waiting for the archive"
        qtbot.waitUntil(lambda: view.rows() and view.rows()[0][3] == "1", timeout=10000)  # tried on its own, failed
        clients["now"] = DicomWebClient(up)
        qtbot.waitUntil(lambda: watcher.count() == 0 and not watcher.sending, timeout=10000)
        assert view.rows() == [] and counts[-1] == 0 and watcher.status_text() == ""
        found = _rest(orthanc, f"/instances/{_orthanc_id(orthanc, report)}")
        assert found["MainDicomTags"]["SOPInstanceUID"] == str(report.SOPInstanceUID)
    finally:
        view.close()
        watcher.deleteLater()
        for client in clients.values():
            client.close()


def _orthanc_id(server: orthanc_mod.OrthancServer, ds: pydicom.Dataset) -> str:
    response = requests.post(f"{server.rest_url}/tools/lookup", data=str(ds.SOPInstanceUID),
                             auth=(server.user, server.password), timeout=30)
    response.raise_for_status()
    return str(response.json()[0]["ID"])


def test_prior_presentation_state_annotations_recoloured_and_not_doubled() -> None:
    """A prior's presentation state: its annotations are drawn in the prior colour on its own
    image; this workstation's layer is left out once the report's measurements were read."""
    from workstation.annotate.gsps_writer import View, build_presentation_state
    from workstation.annotate.measurements import MeasurementSet
    from workstation.model.presentation_state import read_presentation_state
    from workstation.ui.measure_tools import PRIOR_LAYER, OtherStudy

    images = [pydicom.dcmread(BytesIO(b)) for b in head_study(PRIOR_DATE)[:2]]
    length = measure(Kind.LENGTH, [(3.0, 4.0), (30.0, 4.0)], MeasuredImage.from_dataset(images[0]), id="x")
    state = read_presentation_state(build_presentation_state([images[0]], [length], View(window=(40.0, 80.0))))
    key = (str(images[0].SOPInstanceUID), None)
    shown = OtherStudy("prior", "prior", presentation_states=(state,)).annotations(key, 48, 48)
    assert shown and all(op.colour == PRIOR_COLOUR and op.layer == PRIOR_LAYER for op in shown)
    assert length.label in [op.text for op in shown]
    assert OtherStudy("prior", "prior", presentation_states=(state,)).annotations((str(images[1].SOPInstanceUID), None), 48, 48) == []
    read = OtherStudy("prior", "prior", MeasurementSet((length,)), presentation_states=(state,), report_read=True)
    assert read.annotations(key, 48, 48) == [] and read.on_image(key) == [length]


def test_a_refused_object_says_why_and_can_be_discarded(qtbot, tmp_path) -> None:  # type: ignore[no-untyped-def]
    import dataclasses

    from workstation.annotate.pending import REFUSED, PendingQueue
    from workstation.ui.pending_view import PendingView, PendingWatcher

    images = [pydicom.dcmread(BytesIO(b)) for b in head_study(TODAY)[:1]]
    report = build_measurement_report([measure(Kind.LENGTH, [(3.0, 4.0), (30.0, 4.0)], MeasuredImage.from_dataset(images[0]), id="r")], images)
    queue = PendingQueue(tmp_path / "pending")
    entry = queue.add(report)
    refused = dataclasses.replace(entry, state=REFUSED, attempts=1, last_error="The archive refused the object (HTTP 409).")
    queue._write_entry(refused)
    watcher = PendingWatcher(queue, lambda: None, refresh_ms=100, retry_ms=100)
    view = PendingView(watcher)
    view.show()
    try:
        [row] = view.rows()
        assert row[4] == "Refused by the archive: The archive refused the object (HTTP 409). Fix the cause, then Send now, or Discard it."
        qtbot.wait(300)  # the retry timer leaves refused objects alone
        assert queue.list()[0].attempts == 1
        assert view.send_now() is None and "No archive is configured" in view.message.text()
        view.tree.setCurrentItem(view.tree.topLevelItem(0))
        assert view.discard_button.isEnabled()
        assert view.discard_selected(confirm=False)
        assert view.rows() == [] and queue.list() == [] and watcher.status_text() == ""
    finally:
        view.close()
        watcher.deleteLater()
