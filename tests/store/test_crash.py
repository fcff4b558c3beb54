"""Crash safety: a program killed (SIGKILL) in the middle of an import leaves nothing
half-written (PS3.10 files are written whole or not at all) and loses nothing: a whole file that
the index had not recorded yet is indexed again on the next open.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from pydicom.uid import generate_uid

from tests.store.helpers import instance_bytes
from workstation.model.query import StudyQuery
from workstation.store.library import Library, object_path

ROOT = Path(__file__).resolve().parents[2]

# Runs in a child process: imports the files of SRC, and on the third instance stops for good
# at the chosen stage (after the temporary file is written but before the rename, or after the
# rename but before the index commit), telling the parent through a marker file.
_CHILD = r"""
import os, sys, time
from pathlib import Path
from workstation.store import library as libmod
from workstation.store.importer import import_paths

root, src, stage, marker = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3], Path(sys.argv[4])
calls = {"n": 0}

def hang():
    marker.write_text("here")
    time.sleep(120)

if stage == "before_rename":
    real_replace = os.replace
    def replace(a, b):
        if str(b).endswith(".dcm"):
            calls["n"] += 1
            if calls["n"] == 3:
                hang()
        return real_replace(a, b)
    libmod.os.replace = replace
else:
    real_record = libmod.Library._record
    def record(self, parsed, rel, size):
        calls["n"] += 1
        if calls["n"] == 3:
            hang()
        return real_record(self, parsed, rel, size)
    libmod.Library._record = record

with libmod.Library(root) as lib:
    import_paths(lib, [src])
"""


@pytest.mark.parametrize("stage", ["before_rename", "before_commit"])
def test_sigkill_mid_import_leaves_nothing_half_written(tmp_path: Path, stage: str) -> None:
    study, series = generate_uid(), generate_uid()
    sops = [generate_uid() for _ in range(5)]
    src = tmp_path / "src"
    src.mkdir()
    for i, sop in enumerate(sops):
        data = instance_bytes(study_uid=study, series_uid=series, sop_uid=sop, instance_number=i)
        (src / f"IM{i}.dcm").write_bytes(data)
    root, marker = tmp_path / "lib", tmp_path / "marker"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONWARNINGS": "ignore"}
    child = subprocess.Popen(
        [sys.executable, "-c", _CHILD, str(root), str(src), stage, str(marker)], env=env
    )
    try:
        deadline = time.monotonic() + 30
        while not marker.exists():
            assert child.poll() is None, "the importing process ended before the crash point"
            assert time.monotonic() < deadline, "the importing process never got there"
            time.sleep(0.02)
        os.kill(child.pid, signal.SIGKILL)
        assert child.wait(timeout=10) == -signal.SIGKILL
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()

    leftovers = [p for p in (root / "objects").rglob("*") if p.is_file()]
    temps = [p for p in leftovers if p.name.startswith(".tmp-")]
    assert len(temps) == (1 if stage == "before_rename" else 0)
    assert len(leftovers) == 3  # two indexed instances and the one cut off

    # The file renamed into place before the commit is data, not garbage: it is indexed again.
    held = 2 if stage == "before_rename" else 3
    with Library(root) as lib:
        if stage == "before_rename":
            assert lib.recovery.temp_files_removed == 1 and lib.recovery.reindexed == 0
        else:
            assert lib.recovery.reindexed == 1 and lib.recovery.studies_recovered == 1
        assert lib.recovery.quarantined == 0
        assert lib.check().clean, lib.check().summary()
        (summary,) = lib.search_studies(StudyQuery())
        assert summary.number_of_instances == held
        here = [i.sop_instance_uid for i in lib.search_instances(study, series)]
        assert len(here) == held and len(list(lib.iter_instances(study, series))) == held
        cut_off = [s for s in sops if s not in here]
        assert all(not (root / object_path(s)).exists() for s in cut_off)
        # The retrieval bookkeeping sees exactly what is missing, and the import resumes.
        lib.begin_series(study, series, sops)
        assert sorted(lib.missing_instances(study, series)) == sorted(cut_off)
        from workstation.store.importer import import_paths

        report = import_paths(lib, [src])
        assert (report.stored, report.duplicates) == (5 - held, held)
        lib.mark_series_complete(study, series)
        assert lib.study_complete(study)
