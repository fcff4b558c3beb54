"""The retention limit for home machines (studies not opened for N days leave the library, never
one with unsent work) and "remove all patient data from this machine"."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from pydicom.uid import generate_uid

from tests.report_delivery.reports import make_report_folder
from tests.store.helpers import instance_bytes, read
from workstation import cli
from workstation.annotate.pending import PendingQueue
from workstation.crypt.keys import load_key
from workstation.errors import StoreError
from workstation.model.query import StudyQuery
from workstation.report.delivery.outbox import Outbox
from workstation.report.drafts import DraftStore, reports_folder
from workstation.report.model import PatientHeader, Report, StudyHeader
from workstation.retention import DAY_S, apply_retention
from workstation.settings import Settings
from workstation.store.library import Library

DAYS = 30


def _add_study(lib: Library) -> str:
    study = generate_uid()
    lib.add_bytes(instance_bytes(study_uid=study, patient_id="RET-1"))
    return study


def test_studies_not_opened_for_n_days_go_but_never_one_with_unsent_work(
    tmp_path: Path, isolated_environment: Path
) -> None:
    settings = Settings(library_dir=str(tmp_path / "lib"), retention_days=DAYS)
    pending = tmp_path / "pending"
    with Library(settings.library_path()) as lib:
        plain, pinned, draft, outgoing, delivered, measured, opened = (
            _add_study(lib) for _ in range(7))
        lib.pin(pinned)
        DraftStore.open(settings).save(Report.new(StudyHeader(draft), PatientHeader("Doe^Jane", "RET-1")))
        reports = reports_folder(settings)
        sent = Outbox(reports, {"fhir": lambda v: "ok"})
        sent.add(make_report_folder(tmp_path / "s2", study_uid=delivered))
        sent.deliver_all()
        Outbox(reports, {"fhir": lambda v: ""}).add(
            make_report_folder(tmp_path / "s1", study_uid=outgoing))  # queued, never sent
        PendingQueue(pending).add(read(instance_bytes(study_uid=measured)))  # not yet sent

        # Thirty days later nothing has gone (the limit is "not opened for more than N days").
        assert apply_retention(lib, settings, now=time.time() + (DAYS - 1) * DAY_S, pending=pending) == []
        with lib.open_study(opened):
            pass
        later = time.time() + (DAYS + 5) * DAY_S
        removed = apply_retention(lib, settings, now=later, pending=pending)
        assert set(removed) == {plain, delivered, opened}
        left = {s.study_uid for s in lib.search_studies(StudyQuery())}
        assert left == {pinned, draft, outgoing, measured}
        assert lib.check().clean
    with Library(settings.library_path()) as lib:  # 0 days: off
        assert apply_retention(lib, Settings(retention_days=0), now=later * 2) == []


def test_a_recently_opened_study_stays(tmp_path: Path) -> None:
    settings = Settings(library_dir=str(tmp_path / "lib"), retention_days=DAYS)
    with Library(settings.library_path()) as lib:
        study = _add_study(lib)
        old = _add_study(lib)
        lib.touch_study(study)
        now = time.time() + (DAYS + 1) * DAY_S
        with lib._transaction() as tx:  # the study was opened 1 day before "now"
            tx.execute("UPDATE study_opened SET at=? WHERE study_uid=?", (now - DAY_S, study))
        assert apply_retention(lib, settings, now=now, pending=tmp_path / "none") == [old]


def test_forget_all_removes_every_file_and_the_key(
    tmp_path: Path, isolated_environment: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = Settings()
    (tmp_path / "a.dcm").write_bytes(instance_bytes(patient_id="FORGET-1"))
    assert cli.main(["import", "-q", str(tmp_path / "a.dcm")]) == 0
    DraftStore.open(settings).save(Report.new(StudyHeader("1.2.3"), PatientHeader("Doe^Jane", "FORGET-1")))
    data = isolated_environment / "data"
    assert len([p for p in data.rglob("*") if p.is_file()]) >= 3 and load_key(create=False)
    with Library(settings.library_path()):  # open elsewhere: refused, nothing removed
        assert cli.main(["forget-all", "--yes"]) == 1
        assert "close it" in capsys.readouterr().err
    assert load_key(create=False) is not None
    assert cli.main(["forget-all", "--yes"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("All patient data was removed from this machine") and "key was deleted" in out
    assert not [p for p in data.rglob("*") if p.is_file()]
    assert load_key(create=False) is None
    # The settings stay; the next import makes a new key and works.
    assert cli.main(["import", "-q", str(tmp_path / "a.dcm")]) == 0


def test_forget_all_refuses_while_open_even_through_the_function(tmp_path: Path) -> None:
    from workstation.forget import forget_all

    settings = Settings(library_dir=str(tmp_path / "lib"))
    with Library(settings.library_path()), pytest.raises(StoreError, match="open"):
        forget_all(settings)


@pytest.mark.parametrize("bad", [-1, 1.5, "30", True])
def test_a_wrong_retention_setting_is_one_sentence(bad: object) -> None:
    from workstation.errors import SettingsError

    with pytest.raises(SettingsError, match="retention_days must be a whole number"):
        Settings.from_json({"retention_days": bad})


def test_the_command_line_applies_the_limit_and_says_so(
    capsys: pytest.CaptureFixture[str], isolated_environment: Path
) -> None:
    from workstation.settings import save_settings

    settings = Settings(retention_days=DAYS)
    save_settings(settings)
    with Library(settings.library_path()) as lib:
        old, new = _add_study(lib), _add_study(lib)
        with lib._transaction() as tx:
            tx.execute("UPDATE instances SET added=? WHERE study_uid=?",
                       (time.time() - (DAYS + 1) * DAY_S, old))
    assert cli.main(["studies", "--library", "--json"]) == 0
    captured = capsys.readouterr()
    assert captured.err.strip() == (f"1 study not opened for {DAYS} days was removed from the "
                                    "library (retention setting).")
    assert new in captured.out and old not in captured.out
