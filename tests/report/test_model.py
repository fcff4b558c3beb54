"""Report states, locking and versions (draft -> preliminary -> final -> addendum / correction)."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from workstation.errors import ReportError
from workstation.report.model import (
    PatientHeader,
    Report,
    ReportHistory,
    ReportStatus,
    StudyHeader,
    VersionKind,
)

NOW = dt.datetime(2024, 3, 1, 12, 0, tzinfo=dt.timezone.utc)


def _draft() -> Report:
    return Report.new(StudyHeader("1.2.3", accession_number="A1"), PatientHeader("Doe^Jane", "P1"),
                      template_id="ct_head", author="Dr B")


def test_states_and_locking() -> None:
    draft = _draft().with_sections(findings="Normal.", impression="No acute abnormality.")
    assert draft.status is ReportStatus.DRAFT and not draft.locked
    prelim = draft.made_preliminary("Dr B")
    assert prelim.status is ReportStatus.PRELIMINARY and prelim.fhir_status == "preliminary"
    assert prelim.with_section("impression", "Changed").section("impression") == "Changed"
    final = prelim._signed("Dr Alice", NOW)
    assert final.locked and final.fhir_status == "final" and final.signed_at == NOW.isoformat()
    with pytest.raises(ReportError, match="signed and locked"):
        final.with_section("findings", "tampered")
    with pytest.raises(ReportError, match="locked"):
        final.with_field("midline_shift", 3)
    with pytest.raises(TypeError):
        final.sections["findings"] = "x"  # type: ignore[index]
    with pytest.raises(ReportError, match="already|locked"):
        final._signed("Someone else", NOW)
    assert [e.action for e in final.events] == ["created", "made preliminary", "signed"]


def test_preliminary_needs_content() -> None:
    with pytest.raises(ReportError, match="findings or an impression"):
        _draft().made_preliminary()


def test_addendum_and_correction_are_linked_versions() -> None:
    final = _draft().with_section("impression", "No bleed.")._signed("Dr Alice", NOW)
    with pytest.raises(ReportError, match="reason"):
        final.addendum("  ")
    with pytest.raises(ReportError, match="Only a final report"):
        _draft().addendum("late result")
    add = final.addendum("Comparison images arrived", author="Dr Alice").with_section("addendum", "Stable.")
    assert (add.version, add.kind, add.predecessor_uid, add.report_uid) == (2, VersionKind.ADDENDUM, final.version_uid, final.report_uid)
    assert add.version_uid != final.version_uid and add.sr_instance_uid != final.sr_instance_uid
    assert add.sr_series_uid == final.sr_series_uid  # versions share the report's series
    assert add.section("impression") == "No bleed."  # the original stands
    signed_add = add._signed("Dr Alice", NOW)
    assert signed_add.fhir_status == "appended"
    corr = signed_add.correction("Wrong side").with_section("impression", "Left, not right.")
    assert corr.version == 3 and corr.section("addendum") == ""
    with pytest.raises(ReportError, match="addendum section"):
        corr.with_section("addendum", "x")
    assert corr._signed("Dr Alice", NOW).fhir_status == "amended"

    history = ReportHistory([final])
    history.update(signed_add)
    history.update(corr)
    corr2 = corr.with_section("findings", "Edited draft")
    history.update(corr2)  # the unsigned newest version is replaced
    assert [v.version for v in history.versions] == [1, 2, 3] and history.current.section("findings") == "Edited draft"
    with pytest.raises(ReportError, match="locked"):
        ReportHistory([final]).update(final)
    with pytest.raises(ReportError, match="another report"):
        history.update(_draft())


def test_history_rejects_broken_links() -> None:
    final = _draft().with_section("impression", "x")._signed("Dr A", NOW)
    add = final.addendum("r")
    with pytest.raises(ReportError, match="does not follow"):
        ReportHistory([final, add.__class__(**{**add.__dict__, "predecessor_uid": "9.9"})])


def test_json_round_trip() -> None:
    report = _draft().with_sections(findings="Line 1\nLine 2").with_field("midline_shift", 2.5).with_field("haemorrhage", False)
    final = report.with_section("impression", "ok")._signed("Dr A", NOW)
    history = ReportHistory([final, final.addendum("more")])
    again = ReportHistory.from_json(json.loads(json.dumps(history.to_json())))
    assert [v.to_json() for v in again.versions] == [v.to_json() for v in history.versions]
    assert again.versions[0].fields["haemorrhage"] is False and again.versions[0].locked


def test_unknown_section_is_refused() -> None:
    with pytest.raises(ReportError, match="unknown section 'history'"):
        Report(report_uid="1", version_uid="2", study=StudyHeader("1.2"), sections={"history": "x"})
