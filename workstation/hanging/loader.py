"""Read, validate and write hanging protocol files (JSON; schema in resources/hanging/README.md).

Every problem is a :class:`~workstation.errors.HangingProtocolError` whose one sentence names
the file and the field (``stages[1].viewports[0].selector``), so a person editing a protocol
knows exactly what to fix. Unknown keys are errors too: a typo must not be silently ignored.

Where the files are:

* shipped protocols: ``resources/hanging/*.json``, found by :func:`shipped_folder` (see there);
* the user's own: ``<config folder>/hanging/*.json``, where the config folder is the one holding
  ``settings.json`` (platformdirs ``user_config_dir("workstation")``, or the folder of
  ``WORKSTATION_CONFIG``). A user protocol with the id of a shipped one replaces it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from workstation.atomic import write_text_atomic
from workstation.errors import HangingProtocolError
from workstation.hanging.schema import (
    JUSTIFICATIONS,
    PLANES,
    Constraint,
    DisplaySetSelector,
    MatchingRule,
    Position,
    Protocol,
    Stage,
    SyncGroup,
    View,
    Viewport,
)
from workstation.model.viewport import MAX_GRID, MAX_ZOOM, MIN_ZOOM
from workstation.resource_files import resource_folder

SCHEMA_VERSION = 1
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


class ProtocolFieldError(HangingProtocolError):
    """A protocol field is invalid: the message names the file and field; ``problem`` is the
    bare reason ("must be a whole number from 0 to 9"), for an editor to show beside the field."""

    def __init__(self, message: str, *, path: str = "", field: str = "", problem: str = "") -> None:
        super().__init__(message, path=path, field=field)
        self.problem = problem


class _Ctx:
    """Where we are in a file, to name the field in an error."""

    def __init__(self, path: str) -> None:
        self.path = path or "<protocol>"

    def fail(self, field: str, problem: str) -> HangingProtocolError:
        where = f" field '{field}'" if field else ""
        return ProtocolFieldError(
            f"Hanging protocol {self.path}:{where} {problem}; fix the file or remove it.",
            path=self.path,
            field=field,
            problem=problem,
        )


def _obj(ctx: _Ctx, value: Any, field: str, allowed: Iterable[str], required: Iterable[str] = ()) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ctx.fail(field, "must be a JSON object")
    unknown = sorted(set(value) - set(allowed))
    if unknown:
        raise ctx.fail(f"{field}.{unknown[0]}" if field else unknown[0], "is not a known key")
    for key in required:
        if key not in value:
            raise ctx.fail(f"{field}.{key}" if field else key, "is missing")
    return value


def _str(ctx: _Ctx, value: Any, field: str, *, allow_empty: bool = True) -> str:
    if not isinstance(value, str) or (not allow_empty and not value.strip()):
        raise ctx.fail(field, "must be a non-empty string" if not allow_empty else "must be a string")
    return value


def _id(ctx: _Ctx, value: Any, field: str) -> str:
    text = _str(ctx, value, field, allow_empty=False)
    if not _ID.match(text):
        raise ctx.fail(field, "must be 1-64 letters, digits, '_', '.' or '-'")
    return text


def _bool(ctx: _Ctx, value: Any, field: str) -> bool:
    if not isinstance(value, bool):
        raise ctx.fail(field, "must be true or false")
    return value


def _number(ctx: _Ctx, value: Any, field: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ctx.fail(field, "must be a number")
    return float(value)


def _int(ctx: _Ctx, value: Any, field: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ctx.fail(field, f"must be a whole number from {low} to {high}")
    return value


def _list(ctx: _Ctx, value: Any, field: str) -> list[Any]:
    if not isinstance(value, list):
        raise ctx.fail(field, "must be a JSON list")
    return value


def _scalar(ctx: _Ctx, value: Any, field: str) -> object:
    if isinstance(value, (str, bool, int, float)):
        return value
    raise ctx.fail(field, "must be a string, number or true/false")


def _rule(ctx: _Ctx, raw: Any, field: str) -> MatchingRule:
    data = _obj(ctx, raw, field, ("id", "attribute", "constraint", "weight", "required", "negate"),
                ("attribute", "constraint"))
    attribute = _str(ctx, data["attribute"], f"{field}.attribute", allow_empty=False)
    constraint = _obj(ctx, data["constraint"], f"{field}.constraint", [c.value for c in Constraint])
    if len(constraint) != 1:
        raise ctx.fail(f"{field}.constraint", "must hold exactly one of equals, contains, wildcard, regex, range, exists")
    (name, raw_value), = constraint.items()
    kind = Constraint(name)
    vfield = f"{field}.constraint.{name}"
    value: object
    if kind is Constraint.EQUALS:
        if isinstance(raw_value, list):
            if not raw_value:
                raise ctx.fail(vfield, "must not be an empty list")
            value = tuple(_scalar(ctx, v, vfield) for v in raw_value)
        else:
            value = _scalar(ctx, raw_value, vfield)
    elif kind in (Constraint.CONTAINS, Constraint.WILDCARD):
        if isinstance(raw_value, list):
            value = tuple(_str(ctx, v, vfield, allow_empty=False) for v in raw_value)
            if not value:
                raise ctx.fail(vfield, "must not be an empty list")
        else:
            value = _str(ctx, raw_value, vfield, allow_empty=False)
    elif kind is Constraint.REGEX:
        pattern = _str(ctx, raw_value, vfield, allow_empty=False)
        try:
            re.compile(pattern)
        except re.error as exc:
            raise ctx.fail(vfield, f"is not a valid regular expression ({exc})") from exc
        value = pattern
    elif kind is Constraint.RANGE:
        pair = _list(ctx, raw_value, vfield)
        if len(pair) != 2 or all(v is None for v in pair):
            raise ctx.fail(vfield, "must be [low, high] with at least one number (null for open)")
        low = None if pair[0] is None else _number(ctx, pair[0], vfield)
        high = None if pair[1] is None else _number(ctx, pair[1], vfield)
        if low is not None and high is not None and low > high:
            raise ctx.fail(vfield, "has its low end above its high end")
        value = (low, high)
    else:
        value = _bool(ctx, raw_value, vfield)
    weight = _number(ctx, data.get("weight", 1), f"{field}.weight")
    if weight < 0:
        raise ctx.fail(f"{field}.weight", "must not be negative")
    return MatchingRule(
        attribute=attribute,
        constraint=kind,
        value=value,
        weight=weight,
        required=_bool(ctx, data.get("required", False), f"{field}.required"),
        negate=_bool(ctx, data.get("negate", False), f"{field}.negate"),
        id=_str(ctx, data.get("id", ""), f"{field}.id"),
    )


def _rules(ctx: _Ctx, raw: Any, field: str) -> tuple[MatchingRule, ...]:
    return tuple(_rule(ctx, r, f"{field}[{i}]") for i, r in enumerate(_list(ctx, raw, field)))


def _selector(ctx: _Ctx, key: str, raw: Any, field: str) -> DisplaySetSelector:
    data = _obj(ctx, raw, field, ("study", "rules"), ("rules",))
    return DisplaySetSelector(
        id=_id(ctx, key, field),
        rules=_rules(ctx, data["rules"], f"{field}.rules"),
        study=_int(ctx, data.get("study", 0), f"{field}.study", 0, 9),
    )


def _sync_group(ctx: _Ctx, raw: Any, field: str) -> SyncGroup:
    data = _obj(ctx, raw, field, ("id", "scroll", "window", "zoom"), ("id",))
    group = SyncGroup(
        id=_id(ctx, data["id"], f"{field}.id"),
        scroll=_bool(ctx, data.get("scroll", True), f"{field}.scroll"),
        window=_bool(ctx, data.get("window", False), f"{field}.window"),
        zoom=_bool(ctx, data.get("zoom", False), f"{field}.zoom"),
    )
    if not (group.scroll or group.window or group.zoom):
        raise ctx.fail(field, "links nothing (set scroll, window or zoom to true)")
    return group


_VIEWPORT_KEYS = ("selector", "view", "plane", "preset", "position", "zoom", "match_index", "required",
                  "sync_groups", "patient_orientation", "justification", "label", "colormap", "fuse")


def _viewport(ctx: _Ctx, raw: Any, field: str, selectors: Mapping[str, DisplaySetSelector],
              groups: Mapping[str, SyncGroup]) -> Viewport:
    data = _obj(ctx, raw, field, _VIEWPORT_KEYS, ("selector",))
    selector = _str(ctx, data["selector"], f"{field}.selector", allow_empty=False)
    if selector not in selectors:
        raise ctx.fail(f"{field}.selector", f"names '{selector}', which is not in display_set_selectors")
    view_text = _str(ctx, data.get("view", "2D"), f"{field}.view")
    try:
        view = View(view_text.upper())
    except ValueError as exc:
        raise ctx.fail(f"{field}.view", "must be 2D, MPR or 3D") from exc
    plane = _str(ctx, data.get("plane", ""), f"{field}.plane").lower()
    if view is View.MPR and plane not in PLANES:
        raise ctx.fail(f"{field}.plane", "must be axial, coronal or sagittal for an MPR view")
    if view is not View.MPR and plane:
        raise ctx.fail(f"{field}.plane", "is only meaningful for an MPR view")
    position_text = _str(ctx, data.get("position", "first"), f"{field}.position").lower()
    try:
        position = Position(position_text)
    except ValueError as exc:
        raise ctx.fail(f"{field}.position", "must be first, middle or last") from exc
    zoom = _number(ctx, data.get("zoom", 1.0), f"{field}.zoom")
    if not MIN_ZOOM <= zoom <= MAX_ZOOM:
        raise ctx.fail(f"{field}.zoom", f"must be from {MIN_ZOOM} to {MAX_ZOOM}")
    sync = tuple(_str(ctx, g, f"{field}.sync_groups", allow_empty=False)
                 for g in _list(ctx, data.get("sync_groups", []), f"{field}.sync_groups"))
    for group in sync:
        if group not in groups:
            raise ctx.fail(f"{field}.sync_groups", f"names '{group}', which is not in the stage's sync_groups")
    orientation = _str(ctx, data.get("patient_orientation", ""), f"{field}.patient_orientation").upper()
    if orientation and not re.fullmatch(r"[LRAPHF]{1,3}(\\[LRAPHF]{1,3})?", orientation):
        raise ctx.fail(f"{field}.patient_orientation", "must be a row direction, optionally with a column direction, like 'P' or 'P\\\\L' (PS3.3 C.7.6.1.1.1)")
    justification = _str(ctx, data.get("justification", "center"), f"{field}.justification").lower()
    if justification not in JUSTIFICATIONS:
        raise ctx.fail(f"{field}.justification", "must be left, center or right")
    from workstation.model.colormaps import LABELS as COLOUR_MAPS

    colormap = _str(ctx, data.get("colormap", ""), f"{field}.colormap").lower()
    if colormap not in COLOUR_MAPS:
        raise ctx.fail(f"{field}.colormap", f"must be one of {', '.join(repr(n) for n in COLOUR_MAPS)}")
    fuse = _str(ctx, data.get("fuse", ""), f"{field}.fuse")
    if fuse and fuse not in selectors:
        raise ctx.fail(f"{field}.fuse", f"names '{fuse}', which is not in display_set_selectors")
    return Viewport(
        selector=selector,
        view=view,
        plane=plane,
        preset=_str(ctx, data.get("preset", ""), f"{field}.preset"),
        position=position,
        zoom=zoom,
        match_index=_int(ctx, data.get("match_index", 0), f"{field}.match_index", 0, 15),
        required=_bool(ctx, data.get("required", False), f"{field}.required"),
        sync_groups=sync,
        patient_orientation=orientation,
        justification=justification,
        label=_str(ctx, data.get("label", ""), f"{field}.label"),
        colormap=colormap,
        fuse=fuse,
    )


def _stage(ctx: _Ctx, raw: Any, field: str, selectors: Mapping[str, DisplaySetSelector]) -> Stage:
    data = _obj(ctx, raw, field, ("name", "rows", "columns", "viewports", "sync_groups", "min_viewports_matched"),
                ("name", "rows", "columns", "viewports"))
    rows = _int(ctx, data["rows"], f"{field}.rows", 1, MAX_GRID)
    columns = _int(ctx, data["columns"], f"{field}.columns", 1, MAX_GRID)
    groups_list = [_sync_group(ctx, g, f"{field}.sync_groups[{i}]")
                   for i, g in enumerate(_list(ctx, data.get("sync_groups", []), f"{field}.sync_groups"))]
    groups = {g.id: g for g in groups_list}
    if len(groups) != len(groups_list):
        raise ctx.fail(f"{field}.sync_groups", "repeats an id")
    raw_viewports = _list(ctx, data["viewports"], f"{field}.viewports")
    if not raw_viewports or len(raw_viewports) > rows * columns:
        raise ctx.fail(f"{field}.viewports", f"must list 1 to {rows * columns} viewports (rows x columns)")
    viewports = tuple(_viewport(ctx, v, f"{field}.viewports[{i}]", selectors, groups) for i, v in enumerate(raw_viewports))
    return Stage(
        name=_str(ctx, data["name"], f"{field}.name", allow_empty=False),
        rows=rows,
        columns=columns,
        viewports=viewports,
        sync_groups=tuple(groups_list),
        min_viewports_matched=_int(ctx, data.get("min_viewports_matched", 1), f"{field}.min_viewports_matched",
                                   0, len(viewports)),
    )


_PROTOCOL_KEYS = ("schema_version", "id", "name", "description", "protocol_matching_rules",
                  "number_of_priors", "display_set_selectors", "stages")


def protocol_from_dict(data: Any, *, path: str = "", source: str = "shipped") -> Protocol:
    """Validate one protocol (a parsed JSON object) into a :class:`Protocol`."""
    ctx = _Ctx(path)
    data = _obj(ctx, data, "", _PROTOCOL_KEYS, ("id", "name", "display_set_selectors", "stages"))
    version = data.get("schema_version", SCHEMA_VERSION)
    if version != SCHEMA_VERSION:
        raise ctx.fail("schema_version", f"is {version!r} but this workstation reads version {SCHEMA_VERSION}")
    raw_selectors = _obj(ctx, data["display_set_selectors"], "display_set_selectors",
                         data["display_set_selectors"].keys() if isinstance(data["display_set_selectors"], dict) else ())
    if not raw_selectors:
        raise ctx.fail("display_set_selectors", "must define at least one selector")
    selectors = {key: _selector(ctx, key, value, f"display_set_selectors.{key}") for key, value in raw_selectors.items()}
    number_of_priors = _int(ctx, data.get("number_of_priors", 0), "number_of_priors", 0, 9)
    for key, selector in selectors.items():
        if selector.study > number_of_priors:
            raise ctx.fail(f"display_set_selectors.{key}.study",
                           f"asks for prior {selector.study} but number_of_priors is {number_of_priors}")
    raw_stages = _list(ctx, data["stages"], "stages")
    if not raw_stages:
        raise ctx.fail("stages", "must list at least one stage")
    return Protocol(
        id=_id(ctx, data["id"], "id"),
        name=_str(ctx, data["name"], "name", allow_empty=False),
        description=_str(ctx, data.get("description", ""), "description"),
        rules=_rules(ctx, data.get("protocol_matching_rules", []), "protocol_matching_rules"),
        selectors=tuple(selectors.values()),
        stages=tuple(_stage(ctx, s, f"stages[{i}]", selectors) for i, s in enumerate(raw_stages)),
        number_of_priors=number_of_priors,
        source=source,
        path=path,
    )


# -- back to JSON --------------------------------------------------------------------------------


def _rule_to_dict(rule: MatchingRule) -> dict[str, Any]:
    value: Any = list(rule.value) if isinstance(rule.value, tuple) else rule.value
    out: dict[str, Any] = {"attribute": rule.attribute, "constraint": {rule.constraint.value: value}, "weight": rule.weight}
    if rule.id:
        out["id"] = rule.id
    if rule.required:
        out["required"] = True
    if rule.negate:
        out["negate"] = True
    return out


def protocol_to_dict(protocol: Protocol) -> dict[str, Any]:
    """The JSON form of a protocol; ``protocol_from_dict(protocol_to_dict(p))`` equals ``p``
    except for ``source`` and ``path``, which say where a protocol was read from."""
    stages = []
    for stage in protocol.stages:
        viewports = []
        for v in stage.viewports:
            vp: dict[str, Any] = {"selector": v.selector, "view": v.view.value, "position": v.position.value, "zoom": v.zoom}
            for key, value, default in (("plane", v.plane, ""), ("preset", v.preset, ""), ("match_index", v.match_index, 0),
                                        ("required", v.required, False), ("patient_orientation", v.patient_orientation, ""),
                                        ("justification", v.justification, "center"), ("label", v.label, ""),
                                        ("colormap", v.colormap, ""), ("fuse", v.fuse, "")):
                if value != default:
                    vp[key] = value
            if v.sync_groups:
                vp["sync_groups"] = list(v.sync_groups)
            viewports.append(vp)
        stages.append({
            "name": stage.name, "rows": stage.rows, "columns": stage.columns,
            "min_viewports_matched": stage.min_viewports_matched,
            "sync_groups": [{"id": g.id, "scroll": g.scroll, "window": g.window, "zoom": g.zoom} for g in stage.sync_groups],
            "viewports": viewports,
        })
    return {
        "schema_version": SCHEMA_VERSION,
        "id": protocol.id,
        "name": protocol.name,
        "description": protocol.description,
        "number_of_priors": protocol.number_of_priors,
        "protocol_matching_rules": [_rule_to_dict(r) for r in protocol.rules],
        "display_set_selectors": {
            s.id: {"study": s.study, "rules": [_rule_to_dict(r) for r in s.rules]} for s in protocol.selectors
        },
        "stages": stages,
    }


# -- files -------------------------------------------------------------------------------------


def load_protocol_file(path: Path, *, source: str = "shipped") -> Protocol:
    """Read and validate one protocol file."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise HangingProtocolError(
            f"Hanging protocol {path} cannot be read ({exc.__class__.__name__}); check the file.", path=str(path)
        ) from exc
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise HangingProtocolError(
            f"Hanging protocol {path} is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg}); fix the file.",
            path=str(path),
        ) from exc
    return protocol_from_dict(data, path=str(path), source=source)


def shipped_folder() -> Path:
    """The folder of the shipped protocols: ``hanging`` in :func:`workstation.resource_files.resources_root`."""
    folder = resource_folder("hanging")
    if folder.is_dir() and any(folder.glob("*.json")):
        return folder
    raise HangingProtocolError(
        "The shipped hanging protocols were not found (resources/hanging); reinstall the workstation "
        "or set WORKSTATION_RESOURCES to its resources folder."
    )


def user_folder() -> Path:
    """The user's protocol folder: ``hanging/`` beside the settings file (not created here)."""
    from workstation.settings import settings_path

    return settings_path().parent / "hanging"


def _load_folder(folder: Path, source: str) -> dict[str, Protocol]:
    found: dict[str, Protocol] = {}
    if not folder.is_dir():
        return found
    for path in sorted(folder.glob("*.json")):
        protocol = load_protocol_file(path, source=source)
        if protocol.id in found:
            raise HangingProtocolError(
                f"Hanging protocol {path}: field 'id' repeats '{protocol.id}' from {found[protocol.id].path}; "
                "give one of them another id.",
                path=str(path), field="id",
            )
        found[protocol.id] = protocol
    return found


def load_shipped_protocols() -> list[Protocol]:
    """The shipped library, validated, sorted by id."""
    return sorted(_load_folder(shipped_folder(), "shipped").values(), key=lambda p: p.id)


def load_protocols(user_dir: Path | None = None) -> list[Protocol]:
    """Shipped protocols, with the user's own added; a user protocol replaces a shipped one of
    the same id. Sorted by id. An invalid user file raises (it is named in the error)."""
    merged = {p.id: p for p in load_shipped_protocols()}
    merged.update(_load_folder(user_dir or user_folder(), "user"))
    return sorted(merged.values(), key=lambda p: p.id)


def scan_user_protocols(user_dir: Path | None = None) -> tuple[list[Protocol], list[HangingProtocolError]]:
    """The user's protocols that read, sorted by id, and one error for each file that does not
    (for a protocol list that must show the good ones and name the broken ones)."""
    folder = user_dir or user_folder()
    found: list[Protocol] = []
    errors: list[HangingProtocolError] = []
    if folder.is_dir():
        for path in sorted(folder.glob("*.json")):
            try:
                found.append(load_protocol_file(path, source="user"))
            except HangingProtocolError as exc:
                errors.append(exc)
    return sorted(found, key=lambda p: p.id), errors


def delete_user_protocol(protocol: Protocol, user_dir: Path | None = None) -> Path:
    """Remove a user protocol's file; shipped protocols cannot be deleted (a typed error)."""
    folder = (user_dir or user_folder()).resolve()
    path = Path(protocol.path).resolve() if protocol.path else folder / f"{protocol.id}.json"
    if protocol.source != "user" or path.parent != folder:
        raise HangingProtocolError(
            f"Hanging protocol '{protocol.id}' is shipped with the workstation and cannot be deleted; "
            "duplicate it to make your own version.", path=str(path))
    try:
        path.unlink()
    except FileNotFoundError:
        pass
    except OSError as exc:
        raise HangingProtocolError(
            f"Hanging protocol {path} could not be deleted ({exc.__class__.__name__}); check the folder's permissions.",
            path=str(path)) from exc
    return path


def save_user_protocol(protocol: Protocol, user_dir: Path | None = None) -> Path:
    """Write ``protocol`` as ``<user folder>/<id>.json`` (validated again first); returns the path."""
    folder = user_dir or user_folder()
    data = protocol_to_dict(protocol)
    protocol_from_dict(data, path=f"{protocol.id}.json", source="user")  # never write what we cannot read
    folder.mkdir(parents=True, exist_ok=True)
    final = folder / f"{protocol.id}.json"
    write_text_atomic(final, json.dumps(data, indent=2) + "\n")
    return final


def export_protocol(protocol: Protocol, path: Path) -> Path:
    """Write a protocol to any file, to share it (same JSON as the user folder)."""
    path.write_text(json.dumps(protocol_to_dict(protocol), indent=2) + "\n", encoding="utf-8")
    return path


def import_protocol(path: Path, user_dir: Path | None = None) -> Protocol:
    """Validate a protocol file and save it among the user's protocols; returns it."""
    protocol = load_protocol_file(path, source="user")
    saved = save_user_protocol(protocol, user_dir)
    return load_protocol_file(saved, source="user")


__all__ = [
    "SCHEMA_VERSION",
    "ProtocolFieldError",
    "delete_user_protocol",
    "scan_user_protocols",
    "export_protocol",
    "import_protocol",
    "load_protocol_file",
    "load_protocols",
    "load_shipped_protocols",
    "protocol_from_dict",
    "protocol_to_dict",
    "save_user_protocol",
    "shipped_folder",
    "user_folder",
]
