"""The access audit log: hash chain, tamper detection, ATNA coding, the CLI verb and its hooks."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import multiprocessing
import os
import socket
import stat
from pathlib import Path

import pytest

from workstation import demo
from workstation.audit import AuditAction, AuditLog, default_audit_path
from workstation.audit.log import record_hash, verify_chain
from workstation.cli import main
from workstation.identity import Identity, forget_identity, remember_identity

HELENE = Identity(subject="248-étoile", name="Hélène Dupré-Łukasz 医生", issuer="https://idp.example.org",
                  profile="Practice")


def _lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_records_are_chained_coded_private_and_carry_the_signed_in_identity(tmp_path: Path) -> None:
    remember_identity(HELENE)
    log = AuditLog(tmp_path / "audit.jsonl")
    log.record(AuditAction.SIGNED_IN)
    log.record(AuditAction.STUDY_OPENED, study_uid="1.2.3", patient_id="PAT-éà", issuer_of_patient_id="HÔPITAL")
    log.record(AuditAction.STUDY_SEARCHED, detail={"query": {"name": "Müller^Zoë"}})
    assert stat.S_IMODE(os.stat(log.path).st_mode) == 0o600
    rows = _lines(log.path)
    # The chain: the first record links to the empty file, each next one to the one before,
    # and each hash is SHA-256 of the record's canonical JSON without its hash (computed here
    # independently of the module).
    assert rows[0]["prev"] == hashlib.sha256(b"").hexdigest()
    for before, row in zip(rows, rows[1:], strict=False):
        assert row["prev"] == before["hash"]
    for row in rows:
        body = {k: v for k, v in row.items() if k != "hash"}
        canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
        assert hashlib.sha256(canonical).hexdigest() == row["hash"]
    assert [r["seq"] for r in rows] == [1, 2, 3]
    # PS3.15 A.5.3.12 User Authentication / Login; A.5.3.3 Instances Accessed (Read); A.5.3.10 Query.
    assert (rows[0]["event_id"], rows[0]["event_type"], rows[0]["action_code"]) == ("110114", "110122", "E")
    assert (rows[1]["event_id"], rows[1]["action_code"]) == ("110103", "R")
    assert (rows[2]["event_id"], rows[2]["action_code"]) == ("110112", "E")
    # The identity is the provider's, UTF-8 on disk, not the OS account.
    assert rows[1]["user"] == HELENE.name and rows[1]["user_id"] == "248-étoile@https://idp.example.org"
    assert "Hélène Dupré-Łukasz 医生".encode() in log.path.read_bytes()
    # Identifiers are sealed on disk (AES-GCM under the installation's key), read back through it.
    assert "patient_id" not in rows[1] and rows[1]["sealed"]
    assert b"PAT-" not in log.path.read_bytes() and "Müller".encode() not in log.path.read_bytes()
    assert rows[1]["machine"] == socket.gethostname()
    assert log.read()[1].patient_id == "PAT-éà"
    assert log.read()[2].detail == {"query": {"name": "Müller^Zoë"}}
    assert rows[1]["outcome"] == "0"
    report = log.verify()
    assert report.intact and report.records == 3 and report.last_hash == rows[2]["hash"]
    forget_identity()
    assert log.record(AuditAction.STUDY_OPENED, study_uid="1.2.3").user == "(not signed in)"


def _edit(path: Path, line: int, change) -> None:
    lines = path.read_bytes().split(b"\n")
    data = json.loads(lines[line - 1])
    change(data)
    lines[line - 1] = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()
    path.write_bytes(b"\n".join(lines))


@pytest.fixture
def filled_log() -> AuditLog:
    log = AuditLog(default_audit_path())
    for i in range(5):
        log.record(AuditAction.STUDY_OPENED, study_uid=f"1.2.{i}", patient_id=f"P{i}")
    return log


def test_cli_verify_names_the_record_that_was_edited_on_disk(filled_log: AuditLog, capsys) -> None:
    assert main(["audit", "--verify"]) == 0
    assert "chain is intact: 5 records" in capsys.readouterr().err

    def hide(data: dict) -> None:
        data["patient_id"] = "SOMEONE-ELSE"

    _edit(filled_log.path, 3, hide)
    assert main(["audit", "--verify"]) == 1
    err = capsys.readouterr().err
    assert "line 3, record 3" in err and "does not match its hash" in err
    assert "record 4" not in err  # the next record still links to the edited one's stored hash


def test_recomputing_the_edited_hash_breaks_the_next_link(filled_log: AuditLog, capsys) -> None:
    def forge(data: dict) -> None:
        data["study_uid"] = "9.9.9"
        data["hash"] = record_hash(data)

    _edit(filled_log.path, 2, forge)
    assert main(["audit", "--verify"]) == 1
    assert "line 3, record 3" in capsys.readouterr().err  # its prev no longer matches


def test_removed_and_inserted_records_are_named(filled_log: AuditLog) -> None:
    lines = filled_log.path.read_bytes().splitlines(keepends=True)
    filled_log.path.write_bytes(b"".join(lines[:2] + lines[3:]))
    breaks = filled_log.verify().breaks
    assert [(b.line, b.seq) for b in breaks] == [(3, 4)]
    filled_log.path.write_bytes(b"".join(lines[:2] + [lines[1]] + lines[2:]))  # a copy slipped in
    assert filled_log.verify().breaks[0].line == 3
    foreign = json.dumps({"time": "2020-01-01T00:00:00+00:00", "user": "x", "action": "qc_run"}).encode() + b"\n"
    filled_log.path.write_bytes(b"".join(lines[:4] + [foreign] + lines[4:]))
    assert "not a chained record" in filled_log.verify().breaks[0].reason


def test_former_qc_entries_are_covered_once_the_chain_begins(tmp_path: Path) -> None:
    path = tmp_path / "audit.jsonl"
    legacy = [json.dumps({"time": "2024-01-01T00:00:00+00:00", "user": "tech", "action": "qc_run",
                          "study_uid": f"1.{i}"}) for i in range(2)]
    path.write_text("\n".join(legacy) + "\n")
    log = AuditLog(path)
    log.record(AuditAction.QC_PASSED, study_uid="1.1")
    assert [e.action for e in log.read()] == ["qc_run", "qc_run", "qc_passed"]
    report = log.verify()
    assert report.intact and report.unchained == 2 and report.records == 1
    path.write_text(path.read_text().replace('"1.0"', '"1.7"'))  # an old entry edited afterwards
    assert not log.verify().intact


def test_a_line_torn_by_a_crash_is_tolerated_and_covered(tmp_path: Path) -> None:
    log = AuditLog(tmp_path / "audit.jsonl")
    log.record(AuditAction.STUDY_OPENED, study_uid="1.1")
    whole = log.path.read_bytes()
    log.record(AuditAction.STUDY_OPENED, study_uid="1.2")
    data = log.path.read_bytes()
    log.path.write_bytes(data[: len(whole) + 40])  # power cut mid-write
    log.record(AuditAction.STUDY_OPENED, study_uid="1.3")
    report = log.verify()
    assert report.intact and report.torn == 1 and report.records == 2
    assert [e.seq for e in log.read()] == [1, 2]


def _append_many(path: str, n: int) -> None:
    log = AuditLog(Path(path))
    for i in range(n):
        log.record(AuditAction.STUDY_OPENED, study_uid=f"1.{os.getpid()}.{i}")


def test_two_processes_appending_at_once_keep_one_chain(tmp_path: Path) -> None:
    path = tmp_path / "audit.jsonl"
    ctx = multiprocessing.get_context("spawn")
    workers = [ctx.Process(target=_append_many, args=(str(path), 40)) for _ in range(2)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(60)
        assert w.exitcode == 0
    report = verify_chain(path.read_bytes())
    assert report.intact and report.records == 80


def test_cli_lists_by_study_and_date_and_records_its_own_use(filled_log: AuditLog, capsys) -> None:
    assert main(["audit", "--study", "1.2.3", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert [r["study_uid"] for r in out["records"]] == ["1.2.3"]
    tomorrow = (dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=1)).date().isoformat()
    assert main(["audit", "--since", tomorrow]) == 0
    assert "No audit record matches." in capsys.readouterr().out
    assert main(["audit"]) == 0
    out = capsys.readouterr().out
    assert out.count("study_opened") == 5 and "audit_log_read" in out
    assert filled_log.read()[-1].event_id == "110101"  # PS3.15 A.5.3.2 Audit Log Used


def test_cli_import_info_and_search_are_audited_with_the_patient(tmp_path: Path, capsys) -> None:
    remember_identity(HELENE)
    folder = tmp_path / "in"
    folder.mkdir()
    uid = "1.2.826.0.1.3680043.8.498.4242"
    for i, data in enumerate(demo.phantom_series(shape=(3, 16, 16), study_uid=uid)):
        (folder / f"{i}.dcm").write_bytes(data)
    assert main(["import", "-q", str(folder)]) == 0
    assert main(["info", uid]) == 0
    main(["qc", uid, "--pdf", str(tmp_path / "qc.pdf")])  # the status may flag the tiny phantom
    assert main(["studies", "--library", "--id", "DEMO*"]) == 0
    capsys.readouterr()
    records = AuditLog(default_audit_path()).read()
    actions = [(r.action, r.study_uid) for r in records]
    assert ("study_imported", uid) in actions and ("study_opened", uid) in actions
    opened = next(r for r in records if r.action == "study_opened")
    assert opened.patient_id and opened.user == HELENE.name
    assert ("qc_run", uid) in actions and ("study_exported", uid) in actions  # the PDF left the library
    exported = next(r for r in records if r.action == "study_exported")
    assert exported.event_id == "110106" and exported.patient_id == opened.patient_id
    searched = records[-1]
    assert searched.action == "study_searched" and searched.detail["query"] == {"patient_id": "DEMO*"}
    assert AuditLog(default_audit_path()).verify().intact
