"""The local study library: storage, search, bookkeeping, eviction and crash safety."""

from __future__ import annotations

import datetime as dt
import os
import threading
from pathlib import Path

import numpy as np
import pydicom
import pytest
from pydicom.uid import generate_uid

from tests.store.helpers import bundled, instance_bytes, open_index, read
from workstation.crypt.files import Protection
from workstation.errors import StoreError
from workstation.model.entities import LIBRARY, StudySummary
from workstation.model.query import StudyQuery
from workstation.model.source import CancelToken, InstanceSink, StudySource
from workstation.store import schema
from workstation.store.library import Library, object_path


@pytest.fixture
def library(tmp_path: Path):
    lib = Library(tmp_path / "lib")
    yield lib
    lib.close()


def _files(root: Path) -> list[Path]:
    return [p for p in (root / "objects").rglob("*") if p.is_file()]


def test_library_is_a_study_source_and_an_instance_sink(library: Library) -> None:
    assert isinstance(library, StudySource)
    assert isinstance(library, InstanceSink)
    assert library.name == "library"


def test_round_trip_of_bundled_files(library: Library) -> None:
    originals = {}
    for name in ("CT_small.dcm", "MR_small.dcm"):
        data = Path(bundled(name)).read_bytes()
        result = library.add_bytes(data)
        assert result.stored, result
        originals[result.study_uid] = (data, read(data))

    studies = library.search_studies(StudyQuery())
    assert {s.study_uid for s in studies} == set(originals)
    for study in studies:
        data, ds = originals[study.study_uid]
        assert study.origins == frozenset({LIBRARY})
        assert study.patient_name == str(ds.PatientName)
        assert study.patient_id == ds.PatientID
        assert study.study_date == ds.StudyDate
        assert study.modalities == (ds.Modality,)
        assert (study.number_of_series, study.number_of_instances) == (1, 1)

        series = library.search_series(study.study_uid)
        assert [s.series_uid for s in series] == [ds.SeriesInstanceUID]
        assert series[0].number_of_instances == 1
        instances = library.search_instances(study.study_uid, ds.SeriesInstanceUID)
        assert instances[0].sop_instance_uid == ds.SOPInstanceUID
        assert (instances[0].rows, instances[0].columns) == (ds.Rows, ds.Columns)

        headers = library.series_metadata(study.study_uid, ds.SeriesInstanceUID)
        assert len(headers) == 1 and "PixelData" not in headers[0]
        assert headers[0].ImagePositionPatient == ds.ImagePositionPatient
        assert [h.SOPInstanceUID for h in library.study_headers(study.study_uid)] == [
            ds.SOPInstanceUID
        ]

        (stored,) = library.iter_instances(study.study_uid, ds.SeriesInstanceUID)
        assert stored == data  # a PS3.10 file is kept byte for byte
        assert library.read_instance(ds.SOPInstanceUID) == data
        assert np.array_equal(read(stored).pixel_array, ds.pixel_array)
    assert library.total_bytes() == sum(len(d) for d, _ in originals.values())
    assert library.check().clean


def test_read_instance_of_an_unknown_uid_is_a_store_error(library: Library) -> None:
    with pytest.raises(StoreError, match="not in the library"):
        library.read_instance("1.2.3.4")


def test_file_names_carry_no_patient_data(library: Library) -> None:
    data = instance_bytes(patient_name="SECRET^PERSON", patient_id="ID-SECRET-42")
    result = library.add_bytes(data)
    (path,) = _files(library.root)
    assert path.relative_to(library.root).as_posix() == object_path(result.sop_instance_uid)
    text = path.relative_to(library.root).as_posix().upper()
    assert "SECRET" not in text and result.sop_instance_uid not in text


def test_duplicate_sop_instance_uid_is_not_stored_twice(library: Library) -> None:
    sop = generate_uid()
    first = instance_bytes(sop_uid=sop, patient_name="FIRST")
    second = instance_bytes(sop_uid=sop, patient_name="SECOND")
    assert library.add_bytes(first).stored
    before = library.total_bytes()
    result = library.add_bytes(second)
    assert result.duplicate and result.sop_instance_uid == sop
    assert library.total_bytes() == before
    assert len(_files(library.root)) == 1
    (study,) = library.search_studies(StudyQuery())
    assert study.patient_name == "FIRST"  # the first copy is kept


def test_bare_dataset_is_stored_as_a_ps310_file_with_its_bytes_unchanged(library: Library) -> None:
    data = Path(bundled("ExplVR_LitEndNoMeta.dcm")).read_bytes()
    result = library.add_bytes(data)
    assert result.stored, result
    (stored,) = library.iter_instances(result.study_uid, result.series_uid)
    assert stored[128:132] == b"DICM"
    assert stored.endswith(data)
    ds = read(stored)
    assert ds.file_meta.TransferSyntaxUID == pydicom.uid.ExplicitVRLittleEndian
    assert ds.file_meta.MediaStorageSOPInstanceUID == ds.SOPInstanceUID


def test_unreadable_and_uidless_input_is_rejected_with_a_reason(library: Library) -> None:
    garbage = library.add_bytes(b"hello, this is a README file\n" * 10)
    assert garbage.rejected and "not a DICOM file" in garbage.reason
    ds = read(instance_bytes())
    del ds.SeriesInstanceUID
    from io import BytesIO

    out = BytesIO()
    ds.save_as(out)
    uidless = library.add_bytes(out.getvalue())
    assert uidless.rejected and "Series Instance UID" in uidless.reason
    assert library.total_bytes() == 0 and not _files(library.root)


def test_truncated_pixel_data_is_stored_with_a_warning(library: Library) -> None:
    from io import BytesIO

    ds = read(instance_bytes())
    del ds[0xFFFCFFFC]  # Data Set Trailing Padding: now Pixel Data is the last element
    assert list(ds.keys())[-1] == 0x7FE00010
    out = BytesIO()
    ds.save_as(out)
    result = library.add_bytes(out.getvalue()[:-1200])
    assert result.stored
    assert result.warnings == ("truncated: pixel data ends 1200 bytes early",)


def test_interrupted_series_is_not_complete_and_resumes(tmp_path: Path) -> None:
    study, series = generate_uid(), generate_uid()
    sops = [generate_uid() for _ in range(5)]
    parts = [
        instance_bytes(study_uid=study, series_uid=series, sop_uid=s, instance_number=i)
        for i, s in enumerate(sops)
    ]
    with Library(tmp_path / "lib") as lib:
        lib.begin_series(study, series, sops)
        for data in parts[:3]:
            assert lib.add_bytes(data).stored
        assert lib.missing_instances(study, series) == sops[3:]
        assert not lib.series_complete(study, series)
        assert not lib.study_complete(study)
        with pytest.raises(StoreError, match="2 instances are still missing"):
            lib.mark_series_complete(study, series)

    # A new session (after a crash or a restart) resumes with what is missing.
    with Library(tmp_path / "lib") as lib:
        lib.begin_series(study, series, sops)  # the puller asks again: nothing is lost
        assert lib.missing_instances(study, series) == sops[3:]
        for data in parts[3:]:
            lib.add_bytes(data)
        assert lib.missing_instances(study, series) == []
        lib.mark_series_complete(study, series)
        assert lib.series_complete(study, series) and lib.study_complete(study)
        assert [len(b) for b in lib.iter_instances(study, series, [sops[4], sops[0]])] == [
            len(parts[4]),
            len(parts[0]),
        ]
        # Deleting a file behind the library's back withdraws "complete" on the next open.
        (lib.root / object_path(sops[2])).unlink()
    with Library(tmp_path / "lib") as lib:
        assert lib.recovery.missing_files_dropped == 1
        assert lib.missing_instances(study, series) == [sops[2]]
        assert not lib.series_complete(study, series)
        assert lib.check().clean


def test_mark_complete_without_begin_is_refused(library: Library) -> None:
    result = library.add_bytes(instance_bytes())
    with pytest.raises(StoreError, match="never begun"):
        library.mark_series_complete(result.study_uid, result.series_uid)
    assert not library.study_complete(result.study_uid)


def test_iter_instances_honours_cancel(library: Library) -> None:
    study, series = generate_uid(), generate_uid()
    for i in range(3):
        library.add_bytes(instance_bytes(study_uid=study, series_uid=series, instance_number=i))
    token = CancelToken()
    it = library.iter_instances(study, series, cancel=token)
    next(it)
    token.cancel()
    from workstation.errors import Cancelled

    with pytest.raises(Cancelled):
        next(it)


def _study(lib: Library, padding: int) -> tuple[str, int]:
    study = generate_uid()
    r = lib.add_bytes(instance_bytes(study_uid=study, padding=padding))
    return study, r.size


def test_eviction_frees_space_least_recently_used_first(tmp_path: Path) -> None:
    with Library(tmp_path / "lib", max_bytes=None) as lib:
        a, size_a = _study(lib, 10_000)
        b, size_b = _study(lib, 20_000)
        c, size_c = _study(lib, 30_000)
        lib.touch_study(a)  # order of use now: b (oldest), c, a
        assert lib.total_bytes() == size_a + size_b + size_c
        lib.max_bytes = size_a + size_c  # one study must go
        assert lib.evict_to_limit() == [b]
        assert lib.total_bytes() == size_a + size_c
        assert {s.study_uid for s in lib.search_studies(StudyQuery())} == {a, c}
        assert len(_files(lib.root)) == 2
        lib.max_bytes = 0
        lib.touch_study(c)  # now a is older than c
        assert lib.evict_to_limit() == [a, c]
        assert lib.total_bytes() == 0 and not _files(lib.root)
        assert lib.check().clean


def test_eviction_never_removes_open_or_pinned_studies(tmp_path: Path) -> None:
    with Library(tmp_path / "lib") as lib:
        opened, _ = _study(lib, 10_000)
        pinned, _ = _study(lib, 10_000)
        plain, size_plain = _study(lib, 10_000)
        lib.touch_study(plain)  # the unprotected study is the most recently used
        lib.pin(pinned)
        lib.max_bytes = 0
        with lib.open_study(opened):
            assert lib.evict_to_limit() == [plain]  # over the limit still, but protected
            assert lib.is_open(opened)
            with pytest.raises(StoreError, match="open"):
                lib.remove_study(opened)
        assert {s.study_uid for s in lib.search_studies(StudyQuery())} == {opened, pinned}
        assert lib.evict_to_limit() == [opened]  # closed now
        lib.unpin(pinned)
        assert lib.evict_to_limit() == [pinned]
        assert size_plain > 10_000


def test_crash_leftovers_are_repaired_on_open_and_no_file_is_deleted(tmp_path: Path) -> None:
    root = tmp_path / "lib"
    with Library(root) as lib:
        kept = lib.add_bytes(instance_bytes())
        gone = lib.add_bytes(instance_bytes())
    # What a crash can leave: a temporary file, a renamed file never indexed, a row without file;
    # and what a damaged disk can leave: an unindexed file that is not an instance at all.
    orphan_uid = generate_uid()
    orphan = root / object_path(orphan_uid)
    orphan.parent.mkdir(parents=True, exist_ok=True)
    orphan.write_bytes(instance_bytes(sop_uid=orphan_uid, patient_id="ORPHAN-1"))
    temp = orphan.parent / ".tmp-abc123.part"
    temp.write_bytes(b"half an instance")
    junk = orphan.parent / ("0" * 64 + ".dcm")
    junk.write_bytes(b"not an instance")
    (root / object_path(gone.sop_instance_uid)).unlink()
    with Library(root) as lib:
        report = lib.check()
        assert report.clean, report.summary()
        r = lib.recovery
        assert (r.temp_files_removed, r.reindexed, r.quarantined, r.missing_files_dropped) == (
            1,
            1,
            1,
            1,
        )
        found = {s.patient_id for s in lib.search_studies(StudyQuery())}
        assert len(found) == 2 and "ORPHAN-1" in found
        assert kept.study_uid in {s.study_uid for s in lib.search_studies(StudyQuery())}
        assert orphan.exists() and not temp.exists()
        assert Protection().read_bytes(root / "quarantine" / junk.name) == b"not an instance"
        assert "moved to the library's 'quarantine' folder" in r.summary()


def test_check_reports_damage_without_repairing(library: Library) -> None:
    r = library.add_bytes(instance_bytes())
    path = library.root / object_path(r.sop_instance_uid)
    path.write_bytes(path.read_bytes() + b"\x00\x00")
    report = library.check()
    assert report.size_mismatches == [r.sop_instance_uid] and not report.clean
    assert "files whose size changed" in report.summary()


def test_second_program_does_not_clean_up_under_the_first(tmp_path: Path) -> None:
    root = tmp_path / "lib"
    with Library(root) as first:
        first.add_bytes(instance_bytes())
        in_flight = root / "objects" / "ab" / ".tmp-writing.part"
        in_flight.parent.mkdir(parents=True, exist_ok=True)
        in_flight.write_bytes(b"being written by the first program")
        with Library(root) as second:
            assert second.recovery.ran is False
            assert in_flight.exists()
            assert len(second.search_studies(StudyQuery())) == 1
    with Library(root) as third:
        assert third.recovery.ran and not in_flight.exists()


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    root = tmp_path / "lib"
    Library(root).close()
    conn = open_index(root)
    conn.execute(f"PRAGMA user_version={schema.SCHEMA_VERSION + 1}")
    conn.commit()
    conn.close()
    with pytest.raises(StoreError, match="newer version"):
        Library(root)


def test_concurrent_adds_from_worker_threads(library: Library) -> None:
    study = generate_uid()
    series = [generate_uid() for _ in range(4)]
    errors: list[BaseException] = []

    def work(series_uid: str) -> None:
        try:
            for i in range(6):
                data = instance_bytes(study_uid=study, series_uid=series_uid, instance_number=i)
                assert library.add_bytes(data).stored
                library.search_studies(StudyQuery(study_uid=study))
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(s,)) for s in series]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    (summary,) = library.search_studies(StudyQuery(study_uid=study))
    assert (summary.number_of_series, summary.number_of_instances) == (4, 24)
    assert library.check().clean


# ---------------------------------------------------------------------- search filters

_PEOPLE = [
    ("SMITH^JOHN", "P001", "20240105", "CT", "A100", "CT HEAD"),
    ("Smithers^Anna", "P002", "20240210", "MR", "A101", "MR BRAIN"),
    ("smith^jane", "P003", "20231231", "CT", "A102", "ct chest"),
    ("DOE^JANE", "P004", "20240301", "CR", "A103", "CHEST PA"),
    ("O'NEIL^SEAN", "X-77", "20240105", "MR", "B200", "MR KNEE"),
    ("VAN DER BERG^ELS", "P006", "", "CT", "B201", "CT ABDOMEN"),
    ("MÜLLER^JÜRGEN", "P007", "20220615", "US", "B202", "US LIVER"),
    ("SMITH^JOHN", "P008", "20240106", "MR", "A104", "MR HEAD"),
]


def _queries() -> list[StudyQuery]:
    d = dt.date
    return [
        StudyQuery(),
        StudyQuery(patient_name="smith"),
        StudyQuery(patient_name="SMITH^J*"),
        StudyQuery(patient_name="sm?th*"),
        StudyQuery(patient_name="müller"),
        StudyQuery(patient_id="P001"),
        StudyQuery(patient_id="P00*"),
        StudyQuery(patient_id="p001"),
        StudyQuery(accession_number="B2*"),
        StudyQuery(study_date_from=d(2024, 1, 1), study_date_to=d(2024, 1, 31)),
        StudyQuery(study_date_from=d(2024, 1, 6)),
        StudyQuery(study_date_to=d(2023, 12, 31)),
        StudyQuery(modality="ct"),
        StudyQuery(modality="MR", patient_name="smith"),
        StudyQuery(study_description="*head*"),
        StudyQuery(patient_name="nobody"),
    ]


def test_search_filters_agree_with_studyquery_matches(library: Library) -> None:
    expected_summaries = []
    for name, pid, date, modality, accession, description in _PEOPLE:
        data = instance_bytes(
            patient_name=name,
            patient_id=pid,
            study_date=date,
            modality=modality,
            accession=accession,
            description=description,
        )
        assert library.add_bytes(data).stored
        ds = read(data)
        ds.ModalitiesInStudy = [modality]
        expected_summaries.append(StudySummary.from_dataset(ds, LIBRARY))
    # The same study seen with a second series of another modality lists both modalities.
    extra = library.add_bytes(
        instance_bytes(study_uid=expected_summaries[3].study_uid, modality="DX")
    )
    assert extra.stored
    expected_summaries[3] = StudySummary(
        **{**expected_summaries[3].__dict__, "modalities": ("CR", "DX")}
    )

    for query in _queries():
        got = library.search_studies(query)
        want = {s.study_uid for s in expected_summaries if query.matches(s)}
        assert {s.study_uid for s in got} == want, query
        assert len(got) == len(want)  # no study twice
    (smith,) = library.search_studies(StudyQuery(patient_id="P001"))
    assert smith.patient_name == "SMITH^JOHN"
    (doe,) = library.search_studies(StudyQuery(patient_id="P004"))
    assert doe.modalities == ("CR", "DX") and doe.number_of_series == 2


def test_paging_splits_the_ordered_result(library: Library) -> None:
    for i in range(7):
        library.add_bytes(instance_bytes(patient_name=f"PAGE^{i}", study_date=f"2024010{i + 1}"))
    full = library.search_studies(StudyQuery(patient_name="page"))
    assert [s.study_date for s in full] == sorted((s.study_date for s in full), reverse=True)
    pages = [
        library.search_studies(StudyQuery(patient_name="page", limit=3, offset=o))
        for o in (0, 3, 6, 9)
    ]
    assert [len(p) for p in pages] == [3, 3, 1, 0]
    assert [s.study_uid for p in pages for s in p] == [s.study_uid for s in full]


def test_studies_of_two_patients_are_flagged(library: Library) -> None:
    study = generate_uid()
    library.add_bytes(instance_bytes(study_uid=study, patient_id="A", patient_name="ONE"))
    r = library.add_bytes(instance_bytes(study_uid=study, patient_id="B", patient_name="TWO"))
    assert r.stored and any("different patient" in w for w in r.warnings)
    assert library.check().patient_conflicts == [study]


def test_library_folder_holds_only_the_index_and_objects(library: Library) -> None:
    library.add_bytes(instance_bytes())
    names = set(os.listdir(library.root))
    assert names <= {"objects", "index.sqlite3", "index.sqlite3-wal", "index.sqlite3-shm", ".lock"}
