"""Protocol files: validation errors name the file and the field; user protocols; export/import."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from workstation.errors import HangingProtocolError
from workstation.hanging.loader import (
    export_protocol,
    import_protocol,
    load_protocol_file,
    load_protocols,
    protocol_from_dict,
    protocol_to_dict,
    save_user_protocol,
    shipped_folder,
    user_folder,
)

EXPECTED = {"ct-head", "ct-chest", "ct-abdomen-pelvis", "mr-brain", "mr-spine", "mg-screening", "xr-chest", "us-cine", "pet-ct", "fallback"}


def test_shipped_library_validates_and_round_trips(shipped):
    assert {p.id for p in shipped} == EXPECTED
    for protocol in shipped:
        again = protocol_from_dict(json.loads(json.dumps(protocol_to_dict(protocol))), path=protocol.path)
        assert again == protocol
        assert Path(protocol.path).parent == shipped_folder()


def _minimal() -> dict:
    return {
        "id": "mine", "name": "Mine",
        "display_set_selectors": {"any": {"rules": [{"attribute": "IsImage", "constraint": {"equals": True}}]}},
        "stages": [{"name": "One", "rows": 1, "columns": 1, "viewports": [{"selector": "any"}]}],
    }


@pytest.mark.parametrize("change, field, words", [
    (lambda d: d["stages"][0]["viewports"][0].update(selector="nope"), "stages[0].viewports[0].selector", "not in display_set_selectors"),
    (lambda d: d["display_set_selectors"]["any"]["rules"][0].update(constraint={"like": 1}), "display_set_selectors.any.rules[0].constraint.like", "not a known key"),
    (lambda d: d["display_set_selectors"]["any"]["rules"][0].update(constraint={"regex": "(["}), "display_set_selectors.any.rules[0].constraint.regex", "not a valid regular expression"),
    (lambda d: d["display_set_selectors"]["any"]["rules"][0].update(constraint={"range": [5, 1]}), "display_set_selectors.any.rules[0].constraint.range", "low end above"),
    (lambda d: d["stages"][0].update(rows=5), "stages[0].rows", "from 1 to 4"),
    (lambda d: d["stages"][0]["viewports"][0].update(view="MPR"), "stages[0].viewports[0].plane", "axial, coronal or sagittal"),
    (lambda d: d["stages"][0]["viewports"][0].update(sync_groups=["x"]), "stages[0].viewports[0].sync_groups", "not in the stage's sync_groups"),
    (lambda d: d["display_set_selectors"]["any"].update(study=1), "display_set_selectors.any.study", "number_of_priors is 0"),
    (lambda d: d.pop("stages"), "stages", "is missing"),
    (lambda d: d.update(colour="red"), "colour", "not a known key"),
])
def test_errors_name_file_and_field(tmp_path, change, field, words):
    data = _minimal()
    change(data)
    path = tmp_path / "mine.json"
    path.write_text(json.dumps(data))
    with pytest.raises(HangingProtocolError) as info:
        load_protocol_file(path)
    message = str(info.value)
    assert str(path) in message and f"'{field}'" in message and words in message
    assert info.value.field == field and message.count(".") >= 1 and "\n" not in message


def test_invalid_json_names_the_line(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text('{"id": "x",\n "name": }')
    with pytest.raises(HangingProtocolError, match=r"broken.json is not valid JSON \(line 2"):
        load_protocol_file(path)


def test_user_protocol_overrides_shipped_by_id_and_export_import(shipped, tmp_path):
    head = next(p for p in shipped if p.id == "ct-head")
    mine = replace(head, name="CT head, my way")
    saved = save_user_protocol(mine)
    assert saved == user_folder() / "ct-head.json"
    merged = {p.id: p for p in load_protocols()}
    assert merged["ct-head"].name == "CT head, my way" and merged["ct-head"].source == "user"
    assert len(merged) == len(EXPECTED)
    exported = export_protocol(mine, tmp_path / "shared.json")
    other = tmp_path / "other-user"
    imported = import_protocol(exported, other)
    assert imported.name == "CT head, my way" and (other / "ct-head.json").exists()
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({**_minimal(), "stages": []}))
    with pytest.raises(HangingProtocolError, match="'stages' must list at least one stage"):
        import_protocol(bad, other)
    assert not (other / "mine.json").exists()


def test_invalid_user_file_is_named(tmp_path):
    folder = user_folder()
    folder.mkdir(parents=True)
    (folder / "typo.json").write_text(json.dumps({**_minimal(), "stagse": []}))
    with pytest.raises(HangingProtocolError, match="typo.json"):
        load_protocols()


def test_resources_folder_override(tmp_path, monkeypatch):
    (tmp_path / "hanging").mkdir()
    (tmp_path / "hanging" / "mine.json").write_text(json.dumps(_minimal()))
    monkeypatch.setenv("WORKSTATION_RESOURCES", str(tmp_path))
    assert shipped_folder() == tmp_path / "hanging"
    assert [p.id for p in load_protocols()] == ["mine"]


def test_wildcard_rules_load_and_match_whole_text():
    from workstation.hanging.rules import evaluate

    data = _minimal()
    data["protocol_matching_rules"] = [{"attribute": "StudyDescription", "constraint": {"wildcard": ["*KNEE*", "MR ?NEE"]}}]
    protocol = protocol_from_dict(data, path="mine.json")
    rule, = protocol.rules
    assert rule.value == ("*KNEE*", "MR ?NEE")
    assert evaluate(rule, {"StudyDescription": "mr knee right"}).matched
    assert evaluate(rule, {"StudyDescription": "MR  KNEE"}).matched is True  # '*KNEE*'
    single = replace(rule, value="MR ?NEE")
    assert evaluate(single, {"StudyDescription": "MR KNEE"}).matched
    assert not evaluate(single, {"StudyDescription": "MR KNEE R"}).matched  # the whole text must match
    assert not evaluate(single, {"StudyDescription": "MR KKNEE"}).matched  # "?" is exactly one character
    assert not evaluate(replace(rule, value="A.B*"), {"StudyDescription": "AXB"}).matched  # '.' is literal
    data["protocol_matching_rules"][0]["constraint"] = {"wildcard": ""}
    with pytest.raises(HangingProtocolError, match="must be a non-empty string"):
        protocol_from_dict(data, path="mine.json")


def test_field_errors_carry_the_bare_problem_for_an_editor():
    from workstation.hanging.loader import ProtocolFieldError

    data = _minimal()
    data["number_of_priors"] = 12
    with pytest.raises(ProtocolFieldError) as caught:
        protocol_from_dict(data, path="mine.json")
    assert caught.value.field == "number_of_priors"
    assert caught.value.problem == "must be a whole number from 0 to 9"
    assert "mine.json" in str(caught.value)


def test_scan_and_delete_user_protocols(tmp_path):
    from workstation.hanging.loader import delete_user_protocol, scan_user_protocols

    saved = save_user_protocol(protocol_from_dict(_minimal(), source="user"), tmp_path)
    (tmp_path / "broken.json").write_text("{", encoding="utf-8")
    found, errors = scan_user_protocols(tmp_path)
    assert [p.id for p in found] == ["mine"] and len(errors) == 1 and "broken.json" in str(errors[0])
    shipped = load_protocols(tmp_path / "none")[0]
    with pytest.raises(HangingProtocolError, match="cannot be deleted"):
        delete_user_protocol(shipped, tmp_path)
    assert delete_user_protocol(found[0], tmp_path) == saved.resolve()
    assert not saved.exists()


def test_colormap_and_fuse_keys(tmp_path):
    """A viewport may ask for a colour map (PS3.6 B.1 palette) and to fuse another selector's
    display set over its own; both are checked and written back."""
    from workstation.hanging.loader import protocol_to_dict

    pet_ct = next(p for p in load_protocols() if p.id == "pet-ct")
    fusion = pet_ct.stages[0].viewports[2]
    assert fusion.fuse == "pet" and fusion.selector == "ct"
    data = json.loads(json.dumps(protocol_to_dict(pet_ct)))
    data["stages"][0]["viewports"][1]["colormap"] = "hot_iron"
    path = tmp_path / "pet.json"
    path.write_text(json.dumps(data))
    assert load_protocol_file(path).stages[0].viewports[1].colormap == "hot_iron"
    data["stages"][0]["viewports"][1]["colormap"] = "rainbow"
    path.write_text(json.dumps(data))
    with pytest.raises(HangingProtocolError, match="colormap"):
        load_protocol_file(path)
    data["stages"][0]["viewports"][1]["colormap"] = ""
    data["stages"][0]["viewports"][2]["fuse"] = "spect"
    path.write_text(json.dumps(data))
    with pytest.raises(HangingProtocolError, match="fuse"):
        load_protocol_file(path)
