"""Audit log (append, read back, torn last line) and QC status / QC worklist on the real phantom CT."""

from __future__ import annotations

import datetime as dt
import getpass
import io
import json
from pathlib import Path

import pydicom
import pytest
from pydicom.dataset import Dataset
from pydicom.uid import generate_uid

from tests.qc.helpers import PHANTOM, copies, read_headers
from workstation.errors import StoreError
from workstation.identity import Identity, remember_identity
from workstation.model.entities import parse_da
from workstation.qc.audit import (
    AuditAction,
    AuditLog,
    default_audit_path,
    read_audit,
    record_action,
)
from workstation.qc.findings import QCStatus
from workstation.qc.run import run_checks
from workstation.qc.status import QCPassRefused, QCStatusStore, StudyQCState, qc_worklist
from workstation.settings import Settings
from workstation.store.library import Library


@pytest.fixture(scope="module")
def s2010(shared_data: Path) -> tuple[list[Dataset], dict[str, Path]]:
    return read_headers(shared_data / PHANTOM / "S2010")


def _without_slice(headers: list[Dataset]) -> list[Dataset]:
    ordered = sorted(copies(headers), key=lambda ds: int(ds.InstanceNumber))
    del ordered[len(ordered) // 2]
    return ordered


def test_audit_log_round_trip_and_location(tmp_path: Path) -> None:
    path = default_audit_path()
    assert path == Settings().library_path().parent / "audit.jsonl"
    assert path.is_absolute()
    record_action(AuditAction.REJECTED, study_uid="1.2.3", series_uids=["1.2.3.4"],
                  instance_uids=["1.2.3.4.5", "1.2.3.4.6"], reason="113001")
    record_action(AuditAction.QC_PASSED, study_uid="1.2.9")
    entries = read_audit()
    assert [e.action for e in entries] == ["rejected", "qc_passed"]
    first = entries[0]
    # Nobody signed in through a provider: the OS login name is context, never the identity.
    assert first.user == "(not signed in)" and first.user_id == ""
    assert first.os_account == getpass.getuser()
    when = dt.datetime.fromisoformat(first.time)
    assert when.utcoffset() == dt.timedelta(0)
    assert abs((dt.datetime.now(dt.timezone.utc) - when).total_seconds()) < 60
    assert first.instance_uids == ("1.2.3.4.5", "1.2.3.4.6") and first.reason == "113001"
    assert [e.study_uid for e in read_audit("1.2.9")] == ["1.2.9"]
    # Append-only JSON lines: one object per line, in order.
    lines = path.read_text().splitlines()
    assert len(lines) == 2 and "1.2.9" not in lines[1]  # the study UID is sealed on disk
    assert json.loads(lines[1])["action"] == "qc_passed"
    assert json.loads(lines[1])["prev"] == json.loads(lines[0])["hash"]  # chained


def test_truncated_last_line_is_skipped_and_terminated(tmp_path: Path) -> None:
    log = AuditLog(tmp_path / "audit.jsonl")
    log.record(AuditAction.QC_RUN, study_uid="1.1")
    whole = log.path.read_bytes()
    log.record(AuditAction.QC_RUN, study_uid="1.2")
    # A crash cut the second line in the middle of its write.
    data = log.path.read_bytes()
    log.path.write_bytes(data[: len(whole) + (len(data) - len(whole)) // 2])
    assert [e.study_uid for e in log.read()] == ["1.1"]
    log.record(AuditAction.QC_PASSED, study_uid="1.3")
    assert [e.study_uid for e in log.read()] == ["1.1", "1.3"]
    assert log.path.read_bytes().endswith(b"\n")


def test_unwritable_audit_log_is_a_store_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(StoreError, match="audit log"):
        AuditLog(blocker / "audit.jsonl").record(AuditAction.QC_RUN, study_uid="1")


def test_status_follows_runs_and_pass(s2010: tuple[list[Dataset], dict[str, Path]], tmp_path: Path) -> None:
    headers, _ = s2010
    uid = str(headers[0].StudyInstanceUID)
    store = QCStatusStore(tmp_path)
    assert store.get(uid).state is StudyQCState.NOT_CHECKED

    broken = run_checks(_without_slice(headers))
    assert broken.status is QCStatus.ERRORS  # a slice missing in the middle
    assert store.record_run(broken).state is StudyQCState.ERRORS
    with pytest.raises(QCPassRefused, match="error-level"):
        store.mark_passed(uid)

    clean = run_checks(headers)
    assert clean.status.passable
    record = store.record_run(clean)
    assert record.state is StudyQCState.NOT_CHECKED and record.instances == len(headers)
    # The pass is signed by the identity the provider vouched for, not the OS account.
    remember_identity(Identity(subject="t-17", name="Agnès Técnica", issuer="https://idp.example"))
    passed = store.mark_passed(uid)
    assert passed.state is StudyQCState.PASSED and passed.passed_by == "Agnès Técnica"
    # Persisted: a new store object (another start of the program) reads the same.
    assert QCStatusStore(tmp_path).get(uid).state is StudyQCState.PASSED
    # Re-running on the same images keeps the pass; a changed study withdraws it.
    assert store.record_run(run_checks(headers)).state is StudyQCState.PASSED
    assert store.record_run(broken).state is StudyQCState.ERRORS

    actions = [e.action for e in store.audit.read(uid)]
    assert actions == ["qc_run", "qc_run", "qc_passed", "qc_run", "qc_run", "qc_pass_withdrawn"]
    # No patient data in either file.
    for path in (store.path, store.audit.path):
        content = path.read_text()
        for keyword in ("PatientName", "PatientID", "PatientBirthDate"):
            value = str(headers[0].get(keyword, ""))
            if value:
                assert value not in content, f"{keyword} leaked into {path.name}"


def test_pass_despite_errors_is_recorded(s2010: tuple[list[Dataset], dict[str, Path]], tmp_path: Path) -> None:
    headers, _ = s2010
    store = QCStatusStore(tmp_path)
    store.record_run(run_checks(_without_slice(headers)))
    record = store.mark_passed(str(headers[0].StudyInstanceUID), despite_errors=True)
    assert record.state is StudyQCState.PASSED and record.passed_despite_errors
    assert store.audit.read()[-1].reason == "despite_errors"


def _earlier_copy(path: Path) -> tuple[bytes, str]:
    """A copy of a real slice as another study of the same day, started at 07:00."""
    ds = pydicom.dcmread(path)
    ds.StudyInstanceUID = generate_uid()
    ds.SeriesInstanceUID = generate_uid()
    ds.SOPInstanceUID = ds.file_meta.MediaStorageSOPInstanceUID = generate_uid()
    ds.StudyTime = "070000"
    buffer = io.BytesIO()
    ds.save_as(buffer)
    return buffer.getvalue(), str(ds.StudyInstanceUID)


def test_qc_worklist_lists_the_day_in_acquisition_order(shared_data: Path, tmp_path: Path) -> None:
    phantom = sorted((shared_data / PHANTOM / "S2010").iterdir())[:2]
    tilt = sorted((shared_data / "ct_head_human_ge_tilt").glob("*.dcm"))[:2]
    headers, _ = read_headers(shared_data / PHANTOM / "S2010")
    phantom_uid = str(headers[0].StudyInstanceUID)
    day = parse_da(str(headers[0].StudyDate))
    assert day is not None
    tilt_header = read_headers(shared_data / "ct_head_human_ge_tilt")[0][0]
    assert parse_da(str(tilt_header.StudyDate)) != day
    store = QCStatusStore(tmp_path / "status")
    with Library(tmp_path / "library") as library:
        for path in phantom + tilt:
            assert library.add_file(path).stored
        rows = qc_worklist(library, day, store)
        assert [r.study.study_uid for r in rows] == [phantom_uid]
        assert rows[0].state is StudyQCState.NOT_CHECKED

        store.record_run(run_checks(headers))
        store.mark_passed(phantom_uid)
        data, early_uid = _earlier_copy(phantom[0])
        assert library.add_bytes(data).stored
        rows = qc_worklist(library, day, store)
        # 07:00 comes before the phantom's 09:28; the tilted CT of another day is not listed.
        assert [r.study.study_uid for r in rows] == [early_uid, phantom_uid]
        assert [r.state for r in rows] == [StudyQCState.NOT_CHECKED, StudyQCState.PASSED]
        assert qc_worklist(library, day + dt.timedelta(days=1), store) == []


def test_cli_records_the_run_and_marks_passed(shared_data: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import argparse

    from workstation.qc.cli import add_qc_parser, cmd_qc

    def parse(*argv: str) -> argparse.Namespace:
        parser = argparse.ArgumentParser(prog="workstation")
        add_qc_parser(parser.add_subparsers(dest="verb"))
        return parser.parse_args(["qc", *argv])

    settings = Settings()
    files = sorted((shared_data / PHANTOM / "S2010").glob("*.dcm"), key=lambda p: int(pydicom.dcmread(p, stop_before_pixels=True).InstanceNumber))
    with Library(settings.library_path()) as library:
        for path in files[:5]:
            assert library.add_file(path).stored
    uid = str(pydicom.dcmread(files[0], stop_before_pixels=True).StudyInstanceUID)
    assert cmd_qc(parse(uid, "--mark-passed"), settings) == 0
    store = QCStatusStore.for_settings(settings)
    assert store.get(uid).state is StudyQCState.PASSED
    assert [e.action for e in read_audit(uid, default_audit_path(settings))] == ["qc_run", "qc_passed"]

    # The same study with its middle slice gone: an error finding, so the pass is refused.
    with Library(settings.library_path()) as library:
        assert library.remove_study(uid)
        for path in files[:2] + files[3:5]:
            assert library.add_file(path).stored
    with pytest.raises(QCPassRefused):
        cmd_qc(parse(uid, "--mark-passed"), settings)
    assert store.get(uid).state is StudyQCState.ERRORS
    capsys.readouterr()
