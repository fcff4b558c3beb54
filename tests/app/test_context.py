"""app.context: the workflows' view of the running application, read when used."""

from __future__ import annotations

from pathlib import Path

from workstation.app.context import AppContext
from workstation.audit import AuditAction
from workstation.settings import Settings
from workstation.store.library import Library


def test_the_context_follows_replaced_settings_and_prefers_every_archive(tmp_path: Path) -> None:
    current = {"settings": Settings(library_dir=str(tmp_path / "one" / "library"))}
    everywhere: list[object] = []
    with Library(tmp_path / "lib") as library:
        context = AppContext(settings=lambda: current["settings"], library=lambda: library,
                             archive=lambda name: f"client {name}",
                             all_archives=lambda: everywhere[0] if everywhere else None,
                             decoder_pool=lambda: None)
        assert context.prior_archive("own") == "own"  # no archive configured: the study's own
        everywhere.append("federated")
        assert context.prior_archive("own") == "federated"
        context.audit_log().record(AuditAction.STUDY_OPENED, study_uid="1.2.3", patient_id="Zoë")
        current["settings"] = Settings(library_dir=str(tmp_path / "two" / "library"))
        assert context.audit_log().read("1.2.3") == []  # the new settings' log, beside their library
        current["settings"] = Settings(library_dir=str(tmp_path / "one" / "library"))
        assert [e.patient_id for e in context.audit_log().read("1.2.3")] == ["Zoë"]
        assert context.library() is library and context.archive("north") == "client north"
