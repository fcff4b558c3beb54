"""Hanging protocols in the reading room: a generated CT head study opens laid out by the shipped
ct-head protocol (grid, series, window presets, initial image), N / Shift+N switch stages, a prior
of the same patient in a real Orthanc is found and shown labelled with its date and interval,
and the layout can be saved as a user protocol that matches the study again."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from io import BytesIO

import pydicom
import pytest

pytest.importorskip("pytestqt")

from pydicom.uid import generate_uid  # noqa: E402
from PySide6.QtCore import Qt  # noqa: E402

from tests.gui.helpers import dispose, shot  # noqa: E402
from workstation import demo  # noqa: E402
from workstation.audit import AuditLog, default_audit_path  # noqa: E402
from workstation.hanging.engine import match  # noqa: E402
from workstation.hanging.facts import study_from_headers  # noqa: E402
from workstation.hanging.loader import load_protocol_file, load_protocols  # noqa: E402
from workstation.net.auth import store_secret  # noqa: E402
from workstation.settings import ArchiveProfile, Settings, load_settings, save_settings  # noqa: E402
from workstation.ui.app import create_main_window  # noqa: E402
from workstation.ui.main_window import MainWindow  # noqa: E402
from workstation.ui.protocol_editor import ProtocolEditor  # noqa: E402
from workstation.ui.study_view import StudyView  # noqa: E402

pytestmark = pytest.mark.gui

THICK = (10, 48, 48)  # 3 mm slices
THIN = (30, 48, 48)  # 1 mm slices, the same anatomy
TODAY = dt.date.today()
PRIOR_DATE = dt.date(2021, 5, 4)

def _own_window(name: str) -> tuple[float, float]:
    """The window the phantom's header names ``name`` (Window Center/Width with their
    Explanation, PS3.3 C.11.2.1.2): a protocol's preset name picks the image's own window first."""
    ds = pydicom.dcmread(BytesIO(next(demo.phantom_series(shape=(1, 8, 8)))))
    names = [str(n).upper() for n in ds.WindowCenterWidthExplanation]
    k = names.index(name.upper())
    return (float(ds.WindowCenter[k]), float(ds.WindowWidth[k]))


BRAIN = _own_window("Brain")  # (40, 80): the same as the CT preset
BONE = _own_window("Bone")  # (600, 2800), not the CT preset's 400 / 1800


def head_study(study_date: dt.date) -> list[bytes]:
    """A CT head of two series: 3 mm 'Axial 3 mm brain' (Se 2) and 1 mm 'Axial 1 mm bone' (Se 3)."""
    study_uid = generate_uid()
    out = []
    for shape, spacing, number, description in ((THICK, (3.0, 1.0, 1.0), 2, "Axial 3 mm brain"),
                                                (THIN, (1.0, 1.0, 1.0), 3, "Axial 1 mm bone")):
        for data in demo.phantom_series(shape=shape, spacing=spacing, study_uid=study_uid, study_date=study_date):
            ds = pydicom.dcmread(BytesIO(data))
            ds.SeriesNumber = number
            ds.SeriesDescription = description
            ds.SliceThickness = spacing[0]
            ds.StudyDescription = "CT HEAD"
            buf = BytesIO()
            ds.save_as(buf, enforce_file_format=True)
            out.append(buf.getvalue())
    return out


def _uid(items: list[bytes]) -> str:
    return str(pydicom.dcmread(BytesIO(items[0])).StudyInstanceUID)


def _open(qtbot, window: MainWindow, study_uid: str, rows: int) -> StudyView:  # type: ignore[no-untyped-def]
    window.worklist.run_search()
    qtbot.waitUntil(lambda: window.worklist.model.rowCount() == rows, timeout=20000)
    study = next(s for s in window.worklist._studies if s.study_uid == study_uid)
    window.open_study(study)
    qtbot.waitUntil(lambda: window.current_study() is not None, timeout=20000)
    view = window.current_study()
    assert view is not None
    return view


def _series(view: StudyView) -> list[int | None]:
    return [b.display_set.series_number if b.display_set is not None else None for b in view.bindings]


@pytest.fixture
def library_window(qtbot) -> Iterator[tuple[MainWindow, str]]:  # type: ignore[no-untyped-def]
    window = create_main_window(load_settings())
    window.set_hanging_on_open(True)  # the Hanging menu's check box (kept in ui.ini)
    items = head_study(TODAY)
    for data in items:
        window.library.add_bytes(data)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=5000)
    yield window, _uid(items)
    dispose(qtbot, window)


def test_protocols_apply_on_open_by_default(qtbot) -> None:  # type: ignore[no-untyped-def]
    window = create_main_window(load_settings())
    qtbot.addWidget(window)
    assert window.hanging_on_open is True


def test_opens_with_the_ct_head_stage_and_switches_stages(qtbot, library_window) -> None:  # type: ignore[no-untyped-def]
    window, study_uid = library_window
    view = _open(qtbot, window, study_uid, 1)
    hung = window.hanging.hung[view]
    # What the protocol file says, read independently of the engine: stage 2 of ct-head.
    protocol = json.loads(open(next(p.path for p in load_protocols() if p.id == "ct-head"), encoding="utf-8").read())
    stage = protocol["stages"][1]
    assert hung.result.protocol.id == "ct-head" and hung.result.stage_index == 1  # stage 1 needs a prior
    assert view.grid.grid == (stage["rows"], stage["columns"]) == (1, 2)
    assert _series(view) == [2, 3]  # brain window on the 3 mm series, bone on the 1 mm one
    assert [v["preset"] for v in stage["viewports"]] == ["Brain", "Bone"]
    brain, bone = view.bindings
    assert brain.state.window == BRAIN and bone.state.window == BONE
    assert (brain.state.image_index, bone.state.image_index) == (THICK[0] // 2, THIN[0] // 2)  # "middle"
    assert window.hanging.label.text().startswith("CT head — Brain and bone (2/3)")
    # The window survives the pixels arriving (the preset was set before them).
    qtbot.waitUntil(lambda: brain.viewport.loaded == THICK[0] and bone.viewport.loaded == THIN[0], timeout=30000)
    assert brain.state.window == BRAIN and bone.state.window == BONE
    shot(window, "50-hanging-ct-head")

    # N: the next enabled stage (MPR, 1 x 3 of the thin volume); Shift+N back.
    brain.viewport.view.setFocus()
    qtbot.keyClick(brain.viewport.view, Qt.Key.Key_N)
    assert window.hanging.hung[view].result.stage_index == 2
    # Real reformats of the thin volume (issue 20), not its stored images.
    panes = [b.slot.reformat for b in view.bindings]
    assert view.grid.grid == (1, 3) and [p.pane for p in panes] == ["axial", "coronal", "sagittal"]
    assert all(p.reformat_display_set.series_number == 3 for p in panes)
    qtbot.waitUntil(lambda: all(p.viewer is not None for p in panes), timeout=30000)
    assert all(p.current_window() == BRAIN for p in panes)
    assert "MPR coronal" in view.binding(1).slot.annotations.text()
    assert window.hanging.label.text().startswith("CT head — MPR (3/3)")
    panes[0].view.setFocus()
    qtbot.keyClick(panes[0].view, Qt.Key.Key_N, Qt.KeyboardModifier.ShiftModifier)
    assert window.hanging.hung[view].result.stage_index == 1
    assert all(b.slot.reformat is None for b in view.bindings)
    assert view.grid.grid == (1, 2) and _series(view) == [2, 3]
    assert view.bindings[1].state.window == BONE
    # No prior in the library: the search says so and the layout stays.
    qtbot.waitUntil(lambda: "no priors" in window.hanging.label.text(), timeout=10000)
    assert view.grid.grid == (1, 2)


def test_save_layout_as_protocol_matches_the_study_again(qtbot, library_window, tmp_path) -> None:  # type: ignore[no-untyped-def]
    window, study_uid = library_window
    view = _open(qtbot, window, study_uid, 1)
    window.hanging.user_dir = tmp_path
    view.set_grid(1, 1)  # the reader's own layout: one viewport, the 1 mm series in bone window
    view.show_in_slot(0, next(ds.uid for ds in view.display_sets if ds.series_number == 3))
    view.binding(0).viewport.apply_preset(next(p for p in view.presets() if p.name == "Bone"))
    path = window.hanging.save_layout("My head layout")
    assert path is not None and path.parent == tmp_path
    saved = load_protocol_file(path, source="user")
    assert saved.id == "user-my-head-layout" and saved.stages[0].rows == saved.stages[0].columns == 1
    assert saved.stages[0].viewports[0].preset == "Bone"
    # The saved protocol wins for this study (user protocols first; its rules are pre-filled).
    headers = [pydicom.dcmread(BytesIO(b), stop_before_pixels=True) for b in head_study(TODAY)]
    facts = study_from_headers(headers)
    result = match(facts.summary, facts.display_sets, [], load_protocols(tmp_path))
    assert result.protocol.id == "user-my-head-layout"
    assert result.viewports[0].display_set_label.endswith("Axial 1 mm bone")
    exported = window.hanging.export_current(tmp_path / "out.json")  # the protocol applied on open
    assert exported is not None and json.loads(exported.read_text())["id"] == "ct-head"

    # From the menu (no name): the protocol editor opens pre-filled from the layout; saved there.
    assert window.hanging.save_layout() is None
    editor = window.findChild(ProtocolEditor)
    assert editor is not None and editor.isVisible()
    rules = editor.protocol_rules.rules()
    assert rules[0]["attribute"] == "ModalitiesInStudy" and rules[0]["constraint"] == {"equals": "CT"}
    assert editor.viewport_cell(0, "W/L preset").currentText() == "Bone"
    editor.name_edit.setText("Bone only")
    editor.id_edit.setText("user-bone-only")
    editor.viewport_cell(0, "Initial image").setCurrentText("last")
    with qtbot.waitSignal(editor.saved, timeout=5000):
        qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    bone_only = load_protocol_file(tmp_path / "user-bone-only.json", source="user")
    assert bone_only.stages[0].viewports[0].position.value == "last"
    assert "user-bone-only" in {p.id for p in window.hanging.protocols()}  # reloaded after saving


@pytest.fixture
def archive_window(qtbot, orthanc) -> Iterator[tuple[MainWindow, str, str]]:  # type: ignore[no-untyped-def]
    current, prior = head_study(TODAY), head_study(PRIOR_DATE)
    for data in current + prior:
        orthanc.upload(data)
    profile = ArchiveProfile(name="Test archive", url=orthanc.dicomweb_url, auth="basic", username=orthanc.user)
    store_secret(profile, orthanc.password)
    save_settings(Settings(archives=[profile], default_archive=profile.name))
    window = create_main_window(load_settings())
    window.set_hanging_on_open(True)
    window.show()
    qtbot.waitExposed(window)
    yield window, _uid(current), _uid(prior)
    dispose(qtbot, window)


def _interval(earlier: dt.date, later: dt.date) -> str:
    """Whole calendar months, written out here independently of workstation.hanging.interval."""
    months = (later.year - earlier.year) * 12 + later.month - earlier.month - (1 if later.day < earlier.day else 0)
    years, months = divmod(months, 12)
    return " ".join(p for p in ((f"{years} y" if years else ""), (f"{months} m" if months else "")) if p) + " earlier"


def test_prior_in_orthanc_is_found_and_shown_labelled(qtbot, archive_window) -> None:  # type: ignore[no-untyped-def]
    window, current_uid, prior_uid = archive_window
    view = _open(qtbot, window, current_uid, 2)
    assert view.archive is not None
    # Before the prior is known: the stage without it.
    qtbot.waitUntil(lambda: window.hanging.hung[view].result.stage_index == 0, timeout=30000)
    result = window.hanging.hung[view].result
    assert view.grid.grid == (2, 2)
    studies = [b.display_set.study_uid if b.display_set is not None else None for b in view.bindings]
    assert studies == [current_uid, current_uid, prior_uid, prior_uid]
    assert _series(view) == [2, 3, 2, 3]
    label = f"prior {PRIOR_DATE.isoformat()}, {_interval(PRIOR_DATE, TODAY)}"
    assert view.binding(2).slot.annotations.text() == f"{label} · Prior brain"
    assert view.binding(3).slot.annotations.text() == f"{label} · Prior bone"
    assert view.binding(0).slot.annotations.text() == ""
    assert result.study_labels[1] == label
    assert view.binding(2).state.window == BRAIN and view.binding(3).state.window == BONE
    assert window.hanging.label.text().startswith("CT head — Brain and bone, with prior (1/3) · 1 prior(s)")
    prior_brain = view.binding(2)
    qtbot.waitUntil(lambda: prior_brain.viewport.loaded == THICK[0], timeout=30000)  # fetched from Orthanc
    assert prior_brain.state.image_index == THICK[0] // 2
    shot(window, "51-hanging-with-prior")
    # The prior's images were prefetched into the library in the background, both its series
    # complete (THICK + THIN instances), through the share throttle.
    qtbot.waitUntil(lambda: window.library.study_complete(prior_uid), timeout=30000)
    stored = {str(h.SOPInstanceUID) for h in window.library.study_headers(prior_uid)}
    assert len(stored) == THICK[0] + THIN[0]
    # The prefetch is an access to the prior's images: recorded in the audit log.
    def prefetched() -> list:  # type: ignore[type-arg]
        return [r for r in AuditLog(default_audit_path()).read()
                if r.action == "study_pulled" and r.study_uid == prior_uid]
    qtbot.waitUntil(lambda: bool(prefetched()), timeout=10000)
    assert prefetched()[0].detail["why"] == "prior prefetch" and prefetched()[0].patient_id
    throttle = window.hanging.throttles[view]
    # A quarter of the link: as measured by the transfers to this archive (earlier tests in the
    # same process may have measured it), else the setting.
    assert throttle.link_rate is not None and throttle.link_rate > 0
    assert throttle.busy_rate == 0.25 * throttle.link_rate
    sizes = [len(window.library.read_instance(str(h.SOPInstanceUID)))
             for h in window.library.study_headers(prior_uid)]
    # The prefetch fetched only what the prior's viewports had not stored yet, all through the throttle.
    assert throttle.bytes_taken <= sum(sizes)
