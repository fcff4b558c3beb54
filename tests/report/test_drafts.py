"""Drafts: atomic saves under the data folder, no patient data in names, crash safety (kill -9)."""

from __future__ import annotations

import json
import os
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path

from workstation.crypt.files import read_protected
from workstation.report.drafts import DraftStore, load_drafts, reports_folder, save_draft
from workstation.report.model import PatientHeader, Report, StudyHeader
from workstation.settings import Settings

ROOT = Path(__file__).resolve().parents[2]


def _report() -> Report:
    return Report.new(StudyHeader("1.2.3", accession_number="ACC9"), PatientHeader("Doe^Jane", "PID-SECRET"))


def test_save_and_load_under_the_data_folder() -> None:
    report = _report().with_section("findings", "Normal.")
    path = save_draft(report)
    assert path.parent == Settings().library_path().parent / "reports" / "drafts"
    assert path.parent.parent == reports_folder()
    assert path.name == f"{report.report_uid}.json"
    assert "PID" not in path.name and "Doe" not in path.name
    drafts = load_drafts()
    assert len(drafts) == 1 and drafts[0].current.to_json() == report.to_json()


def test_save_is_cheap_and_skips_unchanged(tmp_path: Path) -> None:
    store = DraftStore(tmp_path / "drafts")
    report = _report()
    times = []
    for i in range(30):
        report = report.with_section("findings", "x" * 2000 + str(i))
        t0 = time.perf_counter()
        store.save(report)
        times.append(time.perf_counter() - t0)
    median = statistics.median(times)
    assert median < 0.05, f"a draft save took {median * 1000:.1f} ms (median)"
    mtime = (tmp_path / "drafts" / f"{report.report_uid}.json").stat().st_mtime_ns
    time.sleep(0.01)
    store.save(report)  # unchanged: nothing written
    assert (tmp_path / "drafts" / f"{report.report_uid}.json").stat().st_mtime_ns == mtime


def test_unreadable_draft_is_reported_not_fatal(tmp_path: Path) -> None:
    store = DraftStore(tmp_path)
    good = _report()
    store.save(good)
    (tmp_path / "1.2.999.json").write_text("{half a fi")
    (tmp_path / ".1.2.3.json.abc.tmp").write_text("partial")
    drafts = store.load_all()
    assert [d.report_uid for d in drafts] == [good.report_uid]
    assert len(store.problems) == 1 and "1.2.999.json" in store.problems[0]
    assert not list(tmp_path.glob(".*.tmp"))


_WRITER = r"""
import sys
from pathlib import Path
from workstation.report.drafts import DraftStore
from workstation.report.model import Report, StudyHeader
store = DraftStore(Path(sys.argv[1]))
report = Report.new(StudyHeader("1.2.3"))
print(report.report_uid, flush=True)
i = 0
while True:
    i += 1
    # a large body so that the kill often lands in the middle of a write
    report = report.with_section("findings", f"save {i} " + "word " * 40000)
    store.save(report)
    print(i, flush=True)
"""


def test_kill_during_save_leaves_a_readable_draft(tmp_path: Path) -> None:
    folder = tmp_path / "drafts"
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    seen_saves = []
    for round_ in range(4):
        proc = subprocess.Popen([sys.executable, "-c", _WRITER, str(folder)], stdout=subprocess.PIPE, text=True, env=env)
        assert proc.stdout is not None
        report_uid = proc.stdout.readline().strip()
        done = 0
        while done < 3 + round_:  # let it complete a few saves, then kill it mid-stream
            done = int(proc.stdout.readline())
        time.sleep(0.003 * round_)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        data = json.loads(read_protected(folder / f"{report_uid}.json"))  # never half a file
        text = data["versions"][0]["sections"]["findings"]
        saved = int(text.split()[1])
        assert saved >= done  # at least the last acknowledged save is there
        assert text == f"save {saved} " + "word " * 40000
        seen_saves.append(saved)
    store = DraftStore(folder)
    assert len(store.load_all()) == 4 and store.problems == []
