"""Never lose an image: a lost or corrupt index, a damaged copy, an interrupted retrieval.

Each test builds a real library on disk (real files, real SQLite) and damages it the way a user,
a crash or a disk does; afterwards every instance file is still there and indexed, nothing is
duplicated, and what happened is one sentence.
"""

from __future__ import annotations

import os
import stat
from io import BytesIO
from pathlib import Path

import pydicom
import pytest
from pydicom.uid import generate_uid

from tests.store.helpers import instance_bytes, open_index
from workstation.crypt.files import Protection
from workstation.model.query import StudyQuery
from workstation.store.library import INDEX, Library, object_path


def _study(n: int, **kw: object) -> tuple[str, str, list[str], list[bytes]]:
    study, series = generate_uid(), generate_uid()
    sops = [generate_uid() for _ in range(n)]
    parts = [
        instance_bytes(study_uid=study, series_uid=series, sop_uid=s, instance_number=i, **kw)  # type: ignore[arg-type]
        for i, s in enumerate(sops)
    ]
    return study, series, sops, parts


def _instance_files(root: Path) -> list[Path]:
    return sorted(p for p in (root / "objects").rglob("*.dcm"))


def _filled_library(root: Path) -> tuple[list[str], list[bytes]]:
    studies: list[str] = []
    everything: list[bytes] = []
    with Library(root) as lib:
        for k in range(3):
            study, _series, _sops, parts = _study(4, patient_id=f"LOST-{k}")
            for data in parts:
                assert lib.add_bytes(data).stored
            studies.append(study)
            everything.extend(parts)
    return studies, everything


def test_index_moved_aside_is_rebuilt_from_the_files_and_no_file_is_deleted(tmp_path: Path) -> None:
    root = tmp_path / "lib"
    studies, _ = _filled_library(root)
    before = {p: p.read_bytes() for p in _instance_files(root)}
    assert len(before) == 12
    # What the old error message advised: move the index aside and reopen.
    os.replace(root / INDEX, tmp_path / "index-moved-aside.sqlite3")
    for extra in ("-wal", "-shm"):
        if (root / (INDEX + extra)).exists():
            os.replace(root / (INDEX + extra), tmp_path / f"moved{extra}")
    seen: list[tuple[int, int]] = []
    with Library(root, progress=lambda done, total: seen.append((done, total))) as lib:
        r = lib.recovery
        assert r.index_rebuilt and r.reindexed == 12 and r.studies_recovered == 3
        assert r.quarantined == 0 and r.missing_files_dropped == 0
        assert seen[-1] == (12, 12) and len(seen) == 12
        assert r.summary() == (
            "The library index was missing; it was rebuilt from the files: "
            "3 studies (12 images) recovered."
        )
        assert sorted(s.study_uid for s in lib.search_studies(StudyQuery())) == sorted(studies)
        assert lib.check().clean
    assert {p: p.read_bytes() for p in _instance_files(root)} == before
    # A second open finds nothing to do.
    with Library(root) as lib:
        assert not lib.recovery.repaired and lib.recovery.summary() == ""


def test_corrupt_index_is_moved_aside_and_rebuilt(tmp_path: Path) -> None:
    root = tmp_path / "lib"
    studies, _ = _filled_library(root)
    before = {p: p.read_bytes() for p in _instance_files(root)}
    (root / INDEX).write_bytes(os.urandom(64 * 1024))  # garbage over the whole database
    with Library(root) as lib:
        r = lib.recovery
        assert r.index_rebuilt and r.damaged_index and r.studies_recovered == 3
        assert Path(r.damaged_index).exists()  # kept for inspection, not deleted
        assert r.summary().startswith("The library index was damaged and moved aside; it was ")
        assert sorted(s.study_uid for s in lib.search_studies(StudyQuery())) == sorted(studies)
    assert {p: p.read_bytes() for p in _instance_files(root)} == before


def test_partly_corrupt_index_is_detected_by_its_integrity_check(tmp_path: Path) -> None:
    root = tmp_path / "lib"
    studies, _ = _filled_library(root)
    data = bytearray((root / INDEX).read_bytes())
    page = 4096
    assert len(data) > 3 * page
    data[2 * page : 3 * page] = os.urandom(page)  # one page of garbage after a valid header
    (root / INDEX).write_bytes(bytes(data))
    with Library(root) as lib:
        assert lib.recovery.damaged_index
        assert sorted(s.study_uid for s in lib.search_studies(StudyQuery())) == sorted(studies)


def test_index_commits_are_durable_before_stored_is_said(tmp_path: Path) -> None:
    with Library(tmp_path / "lib") as lib:
        lib.add_bytes(instance_bytes())
        assert lib._conn().execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL


def _truncated(data: bytes, cut: int = 1200) -> bytes:
    ds = pydicom.dcmread(BytesIO(data))
    del ds[0xFFFCFFFC]  # Data Set Trailing Padding: Pixel Data becomes the last element
    out = BytesIO()
    ds.save_as(out)
    return out.getvalue()[:-cut]


def test_a_truncated_copy_is_replaced_by_the_intact_one(tmp_path: Path) -> None:
    study, series, sops, parts = _study(2)
    intact = parts[0]
    with Library(tmp_path / "lib") as lib:
        lib.begin_series(study, series, sops)
        half = lib.add_bytes(_truncated(intact))
        assert half.stored and half.damage and "truncated" in half.damage[0]
        assert lib.add_bytes(parts[1]).stored
        # A pull asks for the damaged instance again; the study says it is incomplete.
        assert lib.missing_instances(study, series) == [sops[0]]
        (summary,) = lib.search_studies(StudyQuery())
        assert summary.incomplete and summary.damaged_instances == 1
        assert summary.completeness_note() == "incomplete: 1 of 2 images (1 damaged), pull again"
        # Another damaged copy does not replace it; the intact one does.
        assert lib.add_bytes(_truncated(intact, 600)).duplicate
        good = lib.add_bytes(intact)
        assert good.stored and good.replaced and not good.damage
        assert lib.read_instance(sops[0]) == intact
        assert lib.add_bytes(intact).duplicate
        assert lib.missing_instances(study, series) == []
        lib.mark_series_complete(study, series)
        (summary,) = lib.search_studies(StudyQuery())
        assert not summary.incomplete and summary.number_of_instances == 2
        assert lib.check().clean


def test_a_stored_copy_changed_on_disk_is_replaced(tmp_path: Path) -> None:
    data = instance_bytes()
    with Library(tmp_path / "lib") as lib:
        r = lib.add_bytes(data)
        path = lib.root / object_path(r.sop_instance_uid)
        path.write_bytes(data[: len(data) // 2])  # the disk lost the end of the file
        again = lib.add_bytes(data)
        assert again.stored and again.replaced
        assert Protection().read_bytes(path) == data and lib.check().clean


def test_an_interrupted_retrieval_is_marked_incomplete(tmp_path: Path) -> None:
    study, series, sops, parts = _study(28)
    with Library(tmp_path / "lib") as lib:
        lib.begin_series(study, series, sops)
        for data in parts[:16]:
            lib.add_bytes(data)
        (summary,) = lib.search_studies(StudyQuery())
        assert summary.incomplete and summary.expected_instances == 28
        assert summary.completeness_note() == "incomplete: 16 of 28 images, pull again"
        for data in parts[16:]:
            lib.add_bytes(data)
        (summary,) = lib.search_studies(StudyQuery())
        assert not summary.incomplete and summary.completeness_note() == ""
    # An imported study (never retrieved) is not called incomplete: nothing says what it lacks.
    with Library(tmp_path / "lib2") as lib:
        lib.add_bytes(parts[0])
        (summary,) = lib.search_studies(StudyQuery())
        assert summary.expected_instances is None and not summary.incomplete


def test_removal_cut_off_by_a_crash_neither_loses_nor_resurrects(tmp_path: Path) -> None:
    root = tmp_path / "lib"
    keep_study, _, _, keep = _study(2)
    drop_study, _, _, drop = _study(2)
    with Library(root) as lib:
        for data in keep + drop:
            lib.add_bytes(data)
        # A crash after the files went to the trash but before the index forgot them.
        paths = [r[0] for r in lib._conn().execute(
            "SELECT path FROM instances WHERE study_uid=?", (keep_study,))]
        lib._to_trash(paths)
        # And a crash after the commit of a removal, before the trash was emptied.
        lib.remove_study(drop_study)
        for data in drop:
            (root / "trash").mkdir(exist_ok=True)
            sop = str(pydicom.dcmread(BytesIO(data)).SOPInstanceUID)
            (root / "trash" / Path(object_path(sop)).name).write_bytes(data)
    with Library(root) as lib:
        assert lib.recovery.trash_restored == 2 and lib.recovery.trash_emptied == 2
        assert [s.study_uid for s in lib.search_studies(StudyQuery())] == [keep_study]
        assert lib.check().clean and not any((root / "trash").iterdir())


@pytest.mark.skipif(os.name != "posix", reason="POSIX modes")
def test_library_files_are_private_whatever_the_umask(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        root = tmp_path / "data" / "workstation" / "library"
        with Library(root) as lib:
            lib.add_bytes(instance_bytes())
            lib.begin_series(generate_uid(), generate_uid(), [generate_uid()])
            assert (root / (INDEX + "-wal")).exists()
            modes = {
                p.relative_to(tmp_path).as_posix(): stat.S_IMODE(p.stat().st_mode)
                for p in [root, *root.rglob("*")]
            }
    finally:
        os.umask(old)
    wrong = {p: oct(m) for p, m in modes.items() if m & 0o077}
    assert not wrong, wrong
    # A library made by an older version with open modes is tightened when opened.
    os.chmod(root, 0o755)
    os.chmod(root / INDEX, 0o644)
    with Library(root):
        assert stat.S_IMODE(root.stat().st_mode) == 0o700
        assert stat.S_IMODE((root / INDEX).stat().st_mode) == 0o600


def test_schema_1_index_is_upgraded_in_place(tmp_path: Path) -> None:
    root = tmp_path / "lib"
    with Library(root) as lib:
        lib.add_bytes(instance_bytes())
    conn = open_index(root)
    conn.executescript(
        "BEGIN; CREATE TABLE i2 AS SELECT sop_instance_uid, series_uid, study_uid, sop_class_uid, "
        "instance_number, number_of_frames, rows, columns, path, size, added FROM instances; "
        "DROP TABLE instances; ALTER TABLE i2 RENAME TO instances; COMMIT; PRAGMA user_version=1;"
    )
    conn.close()
    with Library(root) as lib:
        assert lib.recovery.reindexed == 0
        (summary,) = lib.search_studies(StudyQuery())
        assert summary.number_of_instances == 1 and summary.damaged_instances == 0


def test_incomplete_survives_merging_with_the_archive_row(tmp_path: Path) -> None:
    """``studies --with-library`` and the worklist merge the archive's row (its own counts)
    with the library's: the library's partial copy must still show."""
    from workstation.model.entities import ARCHIVE, StudySummary

    study, series, sops, parts = _study(28)
    with Library(tmp_path / "lib") as lib:
        lib.begin_series(study, series, sops)
        for data in parts[:16]:
            lib.add_bytes(data)
        (local,) = lib.search_studies(StudyQuery())
    remote = StudySummary(study, number_of_instances=28, origins=frozenset({ARCHIVE}))
    for merged in (remote.merged_with(local), local.merged_with(remote)):
        assert merged.incomplete
        assert merged.completeness_note() == "incomplete: 16 of 28 images, pull again"


def test_spooled_imports_cut_off_by_a_crash_are_removed_on_open(tmp_path: Path) -> None:
    root = tmp_path / "lib"
    with Library(root) as lib:
        spooled = lib.spool_folder() / "tmpabc.part"
        spooled.write_bytes(b"half a ZIP member")
    with Library(root) as lib:
        assert not spooled.exists() and lib.check().clean
