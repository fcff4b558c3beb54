"""The hanging protocol editor: a protocol filled in through its widgets is validated (errors as
sentences beside the field, nothing written), saved into the user's folder, read back by the
loader, and chosen by the engine for a matching study; the protocol list opens shipped protocols
read-only, duplicates them, and edits and deletes the user's own."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

pytest.importorskip("pytestqt")

from PySide6.QtCore import Qt  # noqa: E402

from tests.gui.helpers import shot  # noqa: E402
from tests.hanging.headers import Study  # noqa: E402
from workstation.hanging.engine import match  # noqa: E402
from workstation.hanging.facts import study_from_headers  # noqa: E402
from workstation.hanging.loader import load_protocol_file, load_protocols, load_shipped_protocols  # noqa: E402
from workstation.hanging.schema import Constraint, Position, View  # noqa: E402
from workstation.ui.protocol_editor import (  # noqa: E402
    ProtocolEditor,
    ProtocolLibrary,
    text_to_value,
    value_to_text,
)

pytestmark = pytest.mark.gui

BLANK = {"id": "", "name": "", "protocol_matching_rules": [], "display_set_selectors": {}, "stages": []}


def _knee(description: str = "MR KNEE RIGHT") -> Study:
    study = Study(description)
    study.slices("MR", "COR T1", 12, plane="coronal", thickness=3.0)
    study.slices("MR", "SAG PD FS", 16, plane="sagittal", thickness=3.0)
    study.slices("MR", "AX T2", 14, plane="axial", thickness=4.0)
    return study


def _type(qtbot, widget, text: str) -> None:  # type: ignore[no-untyped-def]
    widget.clear()
    qtbot.keyClicks(widget, text)


def _set_rule(qtbot, table, row: int, attribute: str, constraint: str, value: str, weight: float,  # type: ignore[no-untyped-def]
              required: bool = False) -> None:
    table.cell(row, "Attribute").setCurrentText(attribute)
    table.cell(row, "Constraint").setCurrentText(constraint)
    _type(qtbot, table.cell(row, "Value"), value)
    table.cell(row, "Weight").setValue(weight)
    table.cell(row, "Required").setChecked(required)


def test_rule_values_round_trip_as_text() -> None:
    assert text_to_value("equals", "CT, MR") == ["CT", "MR"]
    assert text_to_value("equals", "1") == 1 and text_to_value("equals", "true") is True
    assert text_to_value("equals", '"HEAD, NECK", CHEST') == ["HEAD, NECK", "CHEST"]
    assert text_to_value("range", "2.5 .. ") == [2.5, None]
    assert text_to_value("range", " .. 6") == [None, 6]
    assert text_to_value("regex", r"t1|mprage,x") == r"t1|mprage,x"
    assert text_to_value("wildcard", "AX*, SAG?") == ["AX*", "SAG?"]
    for constraint, value in (("equals", ["HEAD, NECK", "CHEST"]), ("range", [2.5, None]), ("contains", "FLAIR"),
                              ("exists", False), ("equals", 1)):
        assert text_to_value(constraint, value_to_text(constraint, value)) == value


def test_fill_the_editor_save_reload_and_the_engine_picks_it(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    editor = ProtocolEditor(BLANK, user_dir=tmp_path)
    qtbot.addWidget(editor)
    editor.show()
    qtbot.waitExposed(editor)
    _type(qtbot, editor.name_edit, "My knee MR")
    _type(qtbot, editor.id_edit, "user-knee-mr")
    # Protocol matching rules: an MR study whose description says knee.
    qtbot.mouseClick(editor.protocol_rules.add_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(editor.protocol_rules.add_button, Qt.MouseButton.LeftButton)
    _set_rule(qtbot, editor.protocol_rules, 0, "ModalitiesInStudy", "equals", "MR", 10, required=True)
    _set_rule(qtbot, editor.protocol_rules, 1, "StudyDescription", "wildcard", "*KNEE*", 30)
    # Two display sets: the sagittal PD of the current study and the same of the prior.
    editor.tabs.setCurrentIndex(1)
    qtbot.mouseClick(editor.add_selector_button, Qt.MouseButton.LeftButton)
    _type(qtbot, editor.selector_id_edit, "sag-pd")
    qtbot.keyClick(editor.selector_id_edit, Qt.Key.Key_Return)
    assert editor.selector_list.currentItem().text() == "sag-pd"
    _set_rule(qtbot, editor.selector_rules, 0, "Modality", "equals", "MR", 0, required=True)
    qtbot.mouseClick(editor.selector_rules.add_button, Qt.MouseButton.LeftButton)
    _set_rule(qtbot, editor.selector_rules, 1, "SeriesDescription", "wildcard", "SAG*PD*", 5)
    qtbot.mouseClick(editor.selector_rules.add_button, Qt.MouseButton.LeftButton)
    _set_rule(qtbot, editor.selector_rules, 2, "SliceThickness", "range", "5 .. 1", 1)  # inverted: an error
    qtbot.mouseClick(editor.add_selector_button, Qt.MouseButton.LeftButton)
    _type(qtbot, editor.selector_id_edit, "prior-sag-pd")
    qtbot.keyClick(editor.selector_id_edit, Qt.Key.Key_Return)
    editor.selector_study_spin.setValue(1)  # the best prior, while number of priors is still 0: an error
    _set_rule(qtbot, editor.selector_rules, 0, "SeriesDescription", "contains", "SAG", 5, required=True)
    # One stage, 1 x 2: current and prior, scrolling together.
    editor.tabs.setCurrentIndex(2)
    qtbot.mouseClick(editor.add_stage_button, Qt.MouseButton.LeftButton)
    _type(qtbot, editor.stage_name_edit, "Sagittal PD with prior")
    editor.columns_spin.setValue(2)
    qtbot.mouseClick(editor.add_sync_button, Qt.MouseButton.LeftButton)
    _type(qtbot, editor.sync_table.cellWidget(0, 0), "sag")
    editor.sync_table.cellWidget(0, 2).setChecked(True)  # W/L too
    editor.viewport_cell(0, "Display set").setCurrentText("sag-pd")
    qtbot.mouseClick(editor.add_viewport_button, Qt.MouseButton.LeftButton)
    editor.viewport_cell(1, "Display set").setCurrentText("prior-sag-pd")
    for row in (0, 1):
        editor.viewport_cell(row, "Initial image").setCurrentText("middle")
        editor.viewport_cell(row, "W/L preset").setCurrentText("")
        _type(qtbot, editor.viewport_cell(row, "Sync groups"), "sag")
    editor.viewport_cell(0, "Zoom").setValue(1.5)
    _type(qtbot, editor.viewport_cell(1, "Label"), "Prior sag PD")

    # Save: the first problem the schema finds is shown beside its field, and nothing is written.
    qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    assert editor.result() != ProtocolEditor.DialogCode.Accepted and not list(tmp_path.glob("*.json"))
    assert editor.tabs.currentIndex() == 1 and editor.selector_list.currentItem().text() == "sag-pd"
    assert editor.selector_rules.error.text() == "Rule 3: The value has its low end above its high end."
    assert editor.selector_rules.table.currentRow() == 2
    shot(editor, "52-protocol-editor-error")
    _type(qtbot, editor.selector_rules.cell(2, "Value"), "1 .. 5")
    qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    assert editor.selector_list.currentItem().text() == "prior-sag-pd"
    assert editor.selector_error.text() == "The study asks for prior 1 but number_of_priors is 0."
    assert not list(tmp_path.glob("*.json"))
    editor.priors_spin.setValue(1)
    editor.viewport_cell(0, "View").setCurrentText("MPR")  # without a plane: an error on that viewport
    qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    assert editor.tabs.currentIndex() == 2
    assert editor.viewport_error.text() == "Viewport 1: The plane must be axial, coronal or sagittal for an MPR view."
    editor.viewport_cell(0, "View").setCurrentText("2D")
    with qtbot.waitSignal(editor.saved, timeout=5000):
        qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    assert editor.saved_path == tmp_path / "user-knee-mr.json"

    # Read back by the loader, and checked against the file's JSON.
    raw = json.loads(editor.saved_path.read_text(encoding="utf-8"))
    assert raw["protocol_matching_rules"][1]["constraint"] == {"wildcard": "*KNEE*"}
    assert raw["display_set_selectors"]["sag-pd"]["rules"][2]["constraint"] == {"range": [1, 5]}
    protocol = load_protocol_file(editor.saved_path, source="user")
    assert protocol.name == "My knee MR" and protocol.number_of_priors == 1
    assert [(r.attribute, r.constraint, r.value, r.weight, r.required) for r in protocol.rules] == [
        ("ModalitiesInStudy", Constraint.EQUALS, "MR", 10.0, True),
        ("StudyDescription", Constraint.WILDCARD, "*KNEE*", 30.0, False)]
    assert protocol.selector("prior-sag-pd").study == 1
    stage, = protocol.stages
    assert (stage.name, stage.rows, stage.columns) == ("Sagittal PD with prior", 1, 2)
    assert [(g.id, g.scroll, g.window, g.zoom) for g in stage.sync_groups] == [("sag", True, True, False)]
    current, prior = stage.viewports
    assert (current.selector, current.view, current.position, current.zoom, current.sync_groups) == (
        "sag-pd", View.TWO_D, Position.MIDDLE, 1.5, ("sag",))
    assert (prior.selector, prior.label) == ("prior-sag-pd", "Prior sag PD")

    # The engine picks it for a knee MR (the sagittal PD in the first viewport), and not for a brain.
    knee = _knee()
    facts = study_from_headers(knee.headers)
    protocols = load_protocols(tmp_path)
    result = match(facts.summary, facts.display_sets, [], protocols)
    assert result.protocol.id == "user-knee-mr" and result.protocol.source == "user"
    assert result.viewports[0].display_set_label.endswith("SAG PD FS")
    assert not result.viewports[1].filled and "no prior 1" in result.viewports[1].empty_reason
    without = match(facts.summary, facts.display_sets, [], load_shipped_protocols())
    assert without.protocol.id != "user-knee-mr"
    brain = Study("MR BRAIN")
    brain.slices("MR", "AX FLAIR", 20)
    brain_facts = study_from_headers(brain.headers)
    assert match(brain_facts.summary, brain_facts.display_sets, [], protocols).protocol.id != "user-knee-mr"


def test_protocol_list_shipped_read_only_duplicate_edit_delete(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    library = ProtocolLibrary(tmp_path, confirm=lambda _question: True)
    qtbot.addWidget(library)
    library.show()
    shipped_ids = sorted(p.id for p in load_shipped_protocols())
    assert sorted(library.table.item(r, 1).text() for r in range(library.table.rowCount())) == shipped_ids
    row = library.row_of("ct-head")
    library.table.selectRow(row)
    assert library.edit_button.text() == "View" and not library.delete_button.isEnabled()
    viewer = library.edit(row)
    assert viewer is not None and viewer.read_only and not viewer.save_button.isEnabled()
    assert viewer.save() is None and not list(tmp_path.glob("*.json"))
    # Shown, not editable: fields read-only, editing controls off on every stage.
    assert viewer.name_edit.isReadOnly() and viewer.id_edit.isReadOnly()
    for index in range(viewer.stage_box.count()):
        viewer.stage_box.setCurrentIndex(index)
        assert not viewer.viewport_cell(0, "W/L preset").isEnabled()
    assert viewer.stage_box.isEnabled()
    shot(viewer, "53-protocol-editor-shipped")
    assert library.delete(row) is False  # shipped: cannot be deleted

    assert viewer.duplicate_button is not None  # "Duplicate to edit" from the read-only view
    qtbot.mouseClick(viewer.duplicate_button, Qt.MouseButton.LeftButton)
    copy_editor = library.editor
    assert not viewer.isVisible() and copy_editor is not None and copy_editor is not viewer
    assert copy_editor.id_edit.text() == "ct-head-copy" and not copy_editor.read_only
    _type(qtbot, copy_editor.name_edit, "CT head, my windows")
    copy_editor.tabs.setCurrentIndex(2)
    copy_editor.viewport_cell(0, "W/L preset").setCurrentText("Stroke")
    with qtbot.waitSignal(library.changed, timeout=5000):
        copy_editor.save()
    saved = load_protocol_file(tmp_path / "ct-head-copy.json", source="user")
    assert saved.name == "CT head, my windows" and saved.stages[0].viewports[0].preset == "Stroke"
    original = next(p for p in load_shipped_protocols() if p.id == "ct-head")
    assert saved.stages[1:] == original.stages[1:] and saved.selectors == original.selectors  # the rest kept
    assert library.row_of("ct-head-copy", "user") >= 0

    # Edit the copy: a new id renames its file.
    editor = library.edit(library.row_of("ct-head-copy", "user"))
    assert editor is not None and not editor.read_only
    _type(qtbot, editor.id_edit, "my-ct-head")
    with qtbot.waitSignal(editor.saved, timeout=5000):
        editor.save()
    assert sorted(p.name for p in tmp_path.glob("*.json")) == ["my-ct-head.json"]

    # A broken user file is named in the list; the others still show.
    (tmp_path / "broken.json").write_text('{"id": "broken"', encoding="utf-8")
    library.refresh()
    assert "broken.json" in library.problems.text() and "not valid JSON" in library.problems.text()
    assert library.delete(library.row_of("my-ct-head", "user")) is True
    assert not (tmp_path / "my-ct-head.json").exists() and library.row_of("my-ct-head") == -1


def test_prior_bandwidth_share_is_configurable_in_the_settings(qtbot) -> None:  # type: ignore[no-untyped-def]
    from workstation.errors import SettingsError
    from workstation.hanging.prefetch import DEFAULT_BANDWIDTH_SHARE
    from workstation.settings import load_settings, ui_ini_path
    from workstation.ui.hanging_bridge import PREFETCH_LINK_BYTES_PER_S, prefetch_settings
    from workstation.ui.settings_store import settings_store

    assert prefetch_settings() == (DEFAULT_BANDWIDTH_SHARE, PREFETCH_LINK_BYTES_PER_S)
    store = settings_store()
    store.setValue("hanging/prior_bandwidth_share", "0.1")
    store.setValue("hanging/link_mbit_per_s", "40")
    assert prefetch_settings() == pytest.approx((0.1, 40e6 / 8))
    assert load_settings().hanging.prior_bandwidth_share == 0.1  # in the typed settings the CLI reads
    with pytest.raises(SettingsError, match="share of the link must be a number from 0 to 1"):
        store.setValue("hanging/prior_bandwidth_share", "2")
    with pytest.raises(SettingsError, match="must be a number, not 'fast'"):
        store.setValue("hanging/link_mbit_per_s", "fast")
    assert prefetch_settings() == pytest.approx((0.1, 40e6 / 8))  # the refused values changed nothing
    # an older version's ui.ini with values out of range: the defaults apply, as they did
    from workstation.settings import settings_path

    settings_path().unlink()
    ui_ini_path().write_text("[hanging]\nprior_bandwidth_share=2\nlink_mbit_per_s=fast\n", encoding="utf-8")
    assert prefetch_settings() == (DEFAULT_BANDWIDTH_SHARE, PREFETCH_LINK_BYTES_PER_S)
