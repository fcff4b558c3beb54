"""workstation.atomic: crash-safe file replacement (temporary file, fsync, os.replace)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from workstation.atomic import fsync_directory, write_bytes_atomic, write_text_atomic


def _leftovers(folder: Path, keep: str) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name != keep)


def test_bytes_written_and_replaced(tmp_path: Path) -> None:
    target = tmp_path / "object.dcm"
    write_bytes_atomic(target, b"first")
    assert target.read_bytes() == b"first"
    payload = bytes(range(256)) * 64
    write_bytes_atomic(target, payload, fsync_dir=True)
    assert target.read_bytes() == payload
    assert _leftovers(tmp_path, "object.dcm") == []


def test_text_written_with_encoding_and_newline(tmp_path: Path) -> None:
    target = tmp_path / "settings.json"
    write_text_atomic(target, "{\n  \"name\": \"Zürich\"\n}\n")
    assert target.read_bytes() == "{\n  \"name\": \"Zürich\"\n}\n".encode()
    write_text_atomic(target, "a\nb", encoding="latin-1", newline="\r\n")
    assert target.read_bytes() == b"a\r\nb"
    assert _leftovers(tmp_path, "settings.json") == []


def test_failing_text_write_keeps_old_file_and_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "state.json"
    target.write_text("old, whole", encoding="utf-8")
    with pytest.raises(UnicodeEncodeError):  # the write itself raises, after the temporary exists
        write_text_atomic(target, "x" * 10_000 + "Zürich", encoding="ascii")
    assert target.read_text(encoding="utf-8") == "old, whole"
    assert _leftovers(tmp_path, "state.json") == []


def test_failing_bytes_write_keeps_old_file_and_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "object.dcm"
    target.write_bytes(b"old")
    with pytest.raises(TypeError):
        write_bytes_atomic(target, "not bytes")  # type: ignore[arg-type]
    assert target.read_bytes() == b"old"
    assert _leftovers(tmp_path, "object.dcm") == []


def test_disk_error_at_fsync_keeps_old_file_and_no_temporary(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "draft.json"
    target.write_bytes(b"previous draft")
    seen: list[str] = []

    def failing_fsync(fd: int) -> None:
        seen.extend(p.name for p in tmp_path.iterdir() if p.name != "draft.json")
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(os, "fsync", failing_fsync)
    with pytest.raises(OSError, match="Input/output"):
        write_bytes_atomic(target, b"new draft that never lands")
    monkeypatch.undo()
    assert target.read_bytes() == b"previous draft"
    assert _leftovers(tmp_path, "draft.json") == []
    # the temporary file was in the same folder, hidden, and never looks like a draft or an object
    assert len(seen) == 1 and seen[0].startswith(".draft.json.") and seen[0].endswith(".tmp")


def test_missing_folder_raises_and_creates_nothing(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        write_bytes_atomic(tmp_path / "absent" / "x.json", b"{}")
    assert list(tmp_path.iterdir()) == []


def test_fsync_directory_on_a_real_folder(tmp_path: Path) -> None:
    fsync_directory(tmp_path)  # must not raise on an existing folder
    if os.name == "posix":
        with pytest.raises(FileNotFoundError):
            fsync_directory(tmp_path / "absent")


def test_encrypted_writes_share_the_one_replacement(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """workstation.crypt writes (and encrypts in place) through replace_file: a disk error at
    fsync leaves the old file whole and no temporary, encrypted or not."""
    from workstation.crypt.files import Protection, read_protected
    from workstation.crypt.stream import is_encrypted_file

    protection = Protection(encrypt=True)
    target = tmp_path / "report.json"
    protection.write_bytes(target, "{\"conclusion\": \"Pas d'anomalie — 正常\"}".encode())
    assert is_encrypted_file(target)
    before = target.read_bytes()

    def failing_fsync(fd: int) -> None:
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(os, "fsync", failing_fsync)
    with pytest.raises(OSError, match="Input/output"):
        protection.write_bytes(target, b"never lands")
    clear = tmp_path / "clear.dcm"
    clear.write_bytes(b"DICM clear before the migration")
    with pytest.raises(OSError, match="Input/output"):
        protection.encrypt_in_place(clear, temp_prefix=".migrating.")
    monkeypatch.undo()
    assert target.read_bytes() == before
    assert read_protected(target).decode() == "{\"conclusion\": \"Pas d'anomalie — 正常\"}"
    assert clear.read_bytes() == b"DICM clear before the migration"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["clear.dcm", "report.json"]
    assert protection.encrypt_in_place(clear) and is_encrypted_file(clear)
    assert read_protected(clear) == b"DICM clear before the migration"


def test_replace_file_with_a_writer(tmp_path: Path) -> None:
    from workstation.atomic import replace_file

    target = tmp_path / "a.bin"
    replace_file(target, lambda fh: [fh.write(b"%d," % i) for i in range(3)], temp_prefix=".custom.")
    assert target.read_bytes() == b"0,1,2,"
    with pytest.raises(RuntimeError):
        replace_file(target, lambda fh: (fh.write(b"half"), (_ for _ in ()).throw(RuntimeError("stop"))))
    assert target.read_bytes() == b"0,1,2," and _leftovers(tmp_path, "a.bin") == []
