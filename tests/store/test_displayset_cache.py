"""Display sets kept in the library between openings (issue 15): used only for exactly the files
they were built from, rebuilt on any change, gone with the study."""

from __future__ import annotations

from io import BytesIO
from pathlib import Path

import pydicom
import pytest

from workstation.demo import phantom_series
from workstation.model.displayset import DisplaySet, build_display_sets
from workstation.store.displayset_cache import FOLDER
from workstation.store.library import Library


def _series(n: int, description: str) -> list[bytes]:
    out = []
    for data in phantom_series(shape=(n, 32, 32), spacing=(2.0, 1.0, 1.0)):
        ds = pydicom.dcmread(BytesIO(data))
        ds.SpecificCharacterSet = "ISO_IR 192"  # UTF-8 (PS3.3 C.12.1.1.2)
        ds.SeriesDescription = description
        ds.PatientName = "Dupré^Hélène"
        buf = BytesIO()
        ds.save_as(buf, enforce_file_format=True)
        out.append(buf.getvalue())
    return out


def _same(a: list[DisplaySet], b: list[DisplaySet]) -> None:
    assert [s.describe() for s in a] == [s.describe() for s in b]
    assert [s.frames for s in a] == [s.frames for s in b]
    assert [repr(s.geometry) for s in a] == [repr(s.geometry) for s in b]


@pytest.fixture
def study(tmp_path: Path) -> tuple[Path, str, list[bytes]]:
    files = _series(12, "Thorax injecté, 肺")
    library = Library(tmp_path / "lib")
    for data in files[:-1]:  # the last one arrives later
        assert library.add_bytes(data).stored
    uid = str(pydicom.dcmread(BytesIO(files[0]), stop_before_pixels=True).StudyInstanceUID)
    library.close()
    return tmp_path / "lib", uid, files


def _open(root: Path, uid: str) -> tuple[Library, list[DisplaySet]]:
    library = Library(root)
    return library, library.display_sets(uid, library.study_headers(uid))


def test_a_study_opened_again_gets_the_same_display_sets_from_the_cache(
        study: tuple[Path, str, list[bytes]]) -> None:
    root, uid, _ = study
    library, first = _open(root, uid)
    assert library._displayset_cache is not None and library._displayset_cache.misses == 1
    library.close()
    library, again = _open(root, uid)  # a new session
    cache = library._displayset_cache
    assert cache is not None and (cache.hits, cache.misses) == (1, 0)
    _same(again, build_display_sets(library.study_headers(uid)))
    _same(again, first)
    assert again[0].series_description == "Thorax injecté, 肺"
    # The entry's name tells nothing about the patient or the study.
    names = [p.name for p in (root / FOLDER).iterdir()]
    assert len(names) == 1 and uid not in names[0] and "Dupr" not in names[0]
    library.close()


def test_an_added_instance_or_a_hidden_one_rebuilds(study: tuple[Path, str, list[bytes]]) -> None:
    root, uid, files = study
    library, before = _open(root, uid)
    assert before[0].number_of_images == 11
    assert library.add_bytes(files[-1]).stored
    after = library.display_sets(uid, library.study_headers(uid))
    assert after[0].number_of_images == 12
    _same(after, build_display_sets(library.study_headers(uid)))
    shown = library.study_headers(uid)[:5]  # the others hidden (rejected by a key object)
    fewer = library.display_sets(uid, shown)
    assert fewer[0].number_of_images == 5
    assert library._displayset_cache is not None and library._displayset_cache.hits == 0
    library.close()


def test_a_damaged_entry_is_rebuilt_and_a_removed_study_leaves_none(
        study: tuple[Path, str, list[bytes]]) -> None:
    root, uid, _ = study
    library, first = _open(root, uid)
    (entry,) = (root / FOLDER).iterdir()
    entry.write_bytes(b"\x80\x05 not a pickle")
    again = library.display_sets(uid, library.study_headers(uid))
    _same(again, first)
    assert library.remove_study(uid)
    assert not list((root / FOLDER).iterdir())
    library.close()


def test_headers_from_elsewhere_are_built_and_not_kept(study: tuple[Path, str, list[bytes]]) -> None:
    root, uid, files = study
    library = Library(root)
    headers = [pydicom.dcmread(BytesIO(d), stop_before_pixels=True) for d in files]  # one not here
    sets = library.display_sets(uid, headers)
    assert sets[0].number_of_images == 12
    assert not (root / FOLDER).exists()
    library.close()


def test_cached_display_sets_are_encrypted_and_a_clear_entry_is_never_unpickled(
        study: tuple[Path, str, list[bytes]]) -> None:
    """The cache holds headers (patient data): on disk it is sealed with the installation's key,
    and a file that does not open under that key (planted, or clear) is rebuilt, not loaded."""
    import pickle

    from workstation.crypt.stream import is_encrypted_file

    root, uid, _ = study
    library, first = _open(root, uid)
    library.close()
    [entry] = list((root / FOLDER).iterdir())
    assert is_encrypted_file(entry)
    assert "Dupré".encode() not in entry.read_bytes() and "Hélène".encode() not in entry.read_bytes()
    # A clear pickle put in its place (what an attacker with the disk could write) is ignored.
    planted = {"ran": False}
    entry.write_bytes(pickle.dumps(({"not": "a key"}, planted)))
    library, again = _open(root, uid)
    assert library._displayset_cache is not None and library._displayset_cache.misses == 1
    _same(first, again)
    library.close()
    assert is_encrypted_file(entry)
