"""A picture written by ``workstation render`` is an export in the access audit log (PS3.15 A.5.3.6)."""

from __future__ import annotations

from pathlib import Path

from tests.render.test_render_cli import _run, study  # noqa: F401 - the fixture
from workstation.audit import AuditLog, default_audit_path


def test_render_is_recorded_as_an_export(study, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    uid, datasets = study
    assert _run([uid, "--out", str(tmp_path / "slice.png")]) == 0
    [record] = AuditLog(default_audit_path()).read()
    assert (record.action, record.event_id, record.action_code) == ("study_exported", "110106", "R")
    assert record.study_uid == uid and record.patient_id == str(datasets[0].PatientID)
    assert record.detail["as"] == "png"
