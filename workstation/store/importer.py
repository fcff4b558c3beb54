"""Importing studies into the local library from files, folders, DICOMDIRs and ZIP archives.

* Files and folders (recursive): every file is offered to the library. In a folder, files that
  do not look like DICOM at all (a README, a thumbnail) are skipped quietly and counted, unless
  their name ends in ``.dcm`` (or ``.dicom``, ``.dic``); a file named on its own that is not
  DICOM fails with a reason.
* DICOMDIR (PS3.10 8.6, Basic Directory IOD of PS3.3 F.3): the referenced files named by
  Referenced File ID (0004,1500) in its directory records are imported; the DICOMDIR itself is
  never stored as an instance. File IDs are resolved inside the DICOMDIR's folder only.
* ZIP archives: members are read into memory one at a time and offered to the library; a member
  larger than ``LARGE_FILE_BYTES`` is streamed to a private spool file on the library's disk
  instead, so memory stays bounded whatever its size. Members that claim absurd sizes or compression ratios (zip bombs),
  encrypted members and nested archives are refused per member; member paths are only labels.

What "imports" means: an instance whose header is readable and carries Study, Series and SOP
Instance UIDs is stored, even when its pixel data is broken (the decoder reports that per
instance, and the import lists it among the files stored with problems); anything else fails with
a one-line reason naming the file. One bad file never stops the rest.

What is read: regular files only. Devices, FIFOs and sockets are refused without being opened
(a FIFO named ``x.dcm`` would block forever, ``/dev/zero`` never ends); in a folder, symbolic
links are followed only when they stay inside the chosen folder; a file larger than
``MAX_FILE_BYTES`` is refused before it is read. Each refused entry is one line, and the import
goes on with the rest.
"""

from __future__ import annotations

import os
import stat
import tempfile
import time
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import BinaryIO

import pydicom

from workstation.errors import StoreError
from workstation.store.instance_file import (
    LARGE_FILE_BYTES,
    MEDIA_STORAGE_DIRECTORY,
    looks_like_dicom,
    one_line,
)
from workstation.store.library import AddResult, Library

STORED = "stored"
DUPLICATE = "duplicate"
FAILED = "failed"
SKIPPED = "skipped"

#: progress(files_done, files_total, name of the file just handled)
Progress = Callable[[int, int, str], None]

#: Files with these suffixes are expected to be DICOM: in a folder they fail instead of being
#: skipped quietly when they are not.
DICOM_SUFFIXES = frozenset({".dcm", ".dicom", ".dic"})

#: Largest plain file read (a PS3.10 file larger than this is refused, not read).
MAX_FILE_BYTES = 2 * 1024**3
#: Limits for ZIP members (uncompressed); a member over them is refused, not read.
MAX_MEMBER_BYTES = 2 * 1024**3
MAX_ARCHIVE_BYTES = 64 * 1024**3
MAX_COMPRESSION_RATIO = 1000
_RATIO_FLOOR = 16 * 1024**2  # small members may compress well (empty images), allow it below


@dataclass(frozen=True)
class FileResult:
    """What happened to one file (or ZIP member)."""

    name: str
    status: str  # STORED, DUPLICATE, FAILED or SKIPPED
    reason: str = ""  # one line naming the file, for FAILED and SKIPPED
    warnings: tuple[str, ...] = ()
    study_uid: str = ""
    size: int = 0
    #: Stored, but this copy is damaged (why, one clause each): a good copy will replace it.
    damage: tuple[str, ...] = ()
    #: Stored in place of a damaged copy already in the library.
    replaced: bool = False


@dataclass
class ImportReport:
    """Per-file results and totals of one import."""

    results: list[FileResult] = field(default_factory=list)
    seconds: float = 0.0

    def _count(self, status: str) -> int:
        return sum(1 for r in self.results if r.status == status)

    @property
    def stored(self) -> int:
        return self._count(STORED)

    @property
    def duplicates(self) -> int:
        return self._count(DUPLICATE)

    @property
    def failed(self) -> int:
        return self._count(FAILED)

    @property
    def skipped(self) -> int:
        return self._count(SKIPPED)

    @property
    def failures(self) -> list[FileResult]:
        return [r for r in self.results if r.status == FAILED]

    @property
    def ok(self) -> bool:
        """Nothing failed (files skipped as not DICOM are not failures)."""
        return self.failed == 0

    def failure_lines(self) -> list[str]:
        """One line per failed file, naming it."""
        return [r.reason for r in self.results if r.status == FAILED]

    @property
    def stored_with_problems(self) -> list[FileResult]:
        """Files stored although their copy is damaged or their pixels cannot be shown."""
        return [r for r in self.results if r.status == STORED and r.warnings]

    @property
    def replaced(self) -> int:
        return sum(1 for r in self.results if r.replaced)

    def problem_lines(self) -> list[str]:
        """One line per file stored with a problem, naming the file and the problem."""
        return ["; ".join(r.warnings) for r in self.stored_with_problems]

    @property
    def bytes_stored(self) -> int:
        return sum(r.size for r in self.results if r.status == STORED)

    @property
    def study_uids(self) -> list[str]:
        """Studies that received or already held an imported instance, in first-seen order."""
        seen: dict[str, None] = {}
        for r in self.results:
            if r.study_uid:
                seen.setdefault(r.study_uid, None)
        return list(seen)

    def summary(self) -> str:
        problems = len(self.stored_with_problems)
        replaced = f" ({self.replaced} replaced a damaged copy)" if self.replaced else ""
        with_problems = f", {problems} of them with problems" if problems else ""
        return (
            f"{self.stored} stored{replaced}{with_problems}, {self.duplicates} already in the "
            f"library, {self.failed} failed, {self.skipped} skipped (not DICOM) "
            f"in {self.seconds:.1f} s."
        )


@dataclass
class _Item:
    """One file to offer: a label for messages, how to read it, whether non-DICOM is quiet."""

    name: str
    read: Callable[[], bytes]
    quiet_if_not_dicom: bool
    error: str = ""  # set when the item is known to fail before reading
    skip: str = ""  # set when the item is skipped without reading (why)
    size: int = 0  # as planned (a ZIP member: as declared)
    path: Path | None = None  # a plain file, read from disk when large
    extract: Callable[[BinaryIO], None] | None = None  # a ZIP member, streamed when large


class _Refused(Exception):
    """A file that must not be read (too big, encrypted, outside its folder)."""


def import_paths(
    library: Library,
    paths: Iterable[Path | str],
    progress: Progress | None = None,
) -> ImportReport:
    """Import every instance found under ``paths`` into ``library``."""
    started = time.monotonic()
    report = ImportReport()
    archives: list[zipfile.ZipFile] = []
    try:
        items = list(_plan(paths, archives))
        total = len(items)
        for done, item in enumerate(items, start=1):
            report.results.append(_import_one(library, item))
            if progress is not None:
                progress(done, total, item.name)
    finally:
        for zf in archives:
            zf.close()
    report.seconds = time.monotonic() - started
    return report


def _import_one(library: Library, item: _Item) -> FileResult:
    if item.error:
        return FileResult(item.name, FAILED, f"{item.name}: {item.error}")
    if item.skip:
        return FileResult(item.name, SKIPPED, f"{item.name}: {item.skip}")
    if item.size > LARGE_FILE_BYTES and (item.path is not None or item.extract is not None):
        return _import_large(library, item)
    try:
        data = item.read()
    except _Refused as exc:
        return FileResult(item.name, FAILED, f"{item.name}: {exc}")
    except (OSError, zipfile.BadZipFile, EOFError, RuntimeError, ValueError) as exc:
        return FileResult(item.name, FAILED, f"{item.name}: cannot be read ({one_line(exc)})")
    if not looks_like_dicom(data):
        if item.quiet_if_not_dicom:
            return FileResult(item.name, SKIPPED, f"{item.name}: not a DICOM file", size=len(data))
        return FileResult(
            item.name,
            FAILED,
            f"{item.name}: not a DICOM file (no DICM prefix and no valid dataset)",
            size=len(data),
        )
    if _is_dicomdir_bytes(data):
        return FileResult(item.name, SKIPPED, f"{item.name}: a DICOMDIR, not an instance")
    try:
        result = library.add_bytes(data)
    except StoreError as exc:
        return FileResult(item.name, FAILED, f"{item.name}: {exc}")
    if result.rejected:
        return FileResult(item.name, FAILED, f"{item.name}: {result.reason}", size=len(data))
    return _result(item, result)


def _result(item: _Item, result: AddResult) -> FileResult:
    status = STORED if result.stored else DUPLICATE
    return FileResult(
        item.name,
        status,
        warnings=tuple(f"{item.name}: {w}" for w in result.warnings) if result.stored else (),
        study_uid=result.study_uid,
        size=result.size,
        damage=result.damage,
        replaced=result.replaced,
    )


def _import_large(library: Library, item: _Item) -> FileResult:
    """A file over ``LARGE_FILE_BYTES``: parsed from disk and copied as a stream (a ZIP member
    is first streamed to a spool file on the library's disk), never held in memory whole."""
    spool: Path | None = None
    try:
        if item.path is not None:
            problem = _not_regular(os.stat(item.path))
            if problem:
                raise _Refused(problem)
            path = item.path
        else:
            assert item.extract is not None
            fd, name = tempfile.mkstemp(dir=library.spool_folder(), suffix=".part")
            spool = path = Path(name)
            with os.fdopen(fd, "wb") as fh:
                item.extract(fh)
        with open(path, "rb") as fh:
            head = fh.read(512)
        if not looks_like_dicom(head):
            if item.quiet_if_not_dicom:
                return FileResult(item.name, SKIPPED, f"{item.name}: not a DICOM file", size=item.size)
            return FileResult(item.name, FAILED, f"{item.name}: not a DICOM file (no DICM prefix and "
                              "no valid dataset)", size=item.size)
        if _is_dicomdir_bytes(head):
            return FileResult(item.name, SKIPPED, f"{item.name}: a DICOMDIR, not an instance")
        result = library.add_file(path)
    except _Refused as exc:
        return FileResult(item.name, FAILED, f"{item.name}: {exc}")
    except StoreError as exc:
        return FileResult(item.name, FAILED, f"{item.name}: {exc}")
    except (OSError, zipfile.BadZipFile, EOFError, RuntimeError, ValueError) as exc:
        return FileResult(item.name, FAILED, f"{item.name}: cannot be read ({one_line(exc)})")
    finally:
        if spool is not None:
            spool.unlink(missing_ok=True)
    if result.rejected:
        return FileResult(item.name, FAILED, f"{item.name}: {result.reason}", size=item.size)
    return _result(item, result)


# ---------------------------------------------------------------------- planning


def _plan(paths: Iterable[Path | str], archives: list[zipfile.ZipFile]) -> Iterator[_Item]:
    for raw in paths:
        path = Path(raw)
        label = path.name or str(path)
        # A path named on the command line may be a link (the user chose it): it is followed,
        # but what it leads to must still be a folder or a regular file.
        try:
            st = path.stat()
        except FileNotFoundError:
            yield _Item(label, _no_read, False, "does not exist")
            continue
        except OSError as exc:
            yield _Item(label, _no_read, False, f"cannot be read ({exc.strerror or exc})")
            continue
        if stat.S_ISDIR(st.st_mode):
            yield from _plan_folder(path, archives)
            continue
        problem = _not_regular(st)
        if problem:
            yield _Item(label, _no_read, False, problem)
        elif _is_dicomdir_path(path):
            yield from _plan_dicomdir(path)
        elif zipfile.is_zipfile(path):
            yield from _plan_zip(path, label, archives)
        else:
            yield _Item(label, _file_reader(path), False, size=st.st_size, path=path)


def _not_regular(st: os.stat_result) -> str:
    """Why an entry is not read: '' for a regular file within the size cap."""
    mode = st.st_mode
    if stat.S_ISREG(mode):
        if st.st_size > MAX_FILE_BYTES:
            return f"is {st.st_size} bytes, more than the {MAX_FILE_BYTES} allowed; refused"
        return ""
    if stat.S_ISFIFO(mode):
        kind = "a FIFO (named pipe)"
    elif stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        kind = "a device"
    elif stat.S_ISSOCK(mode):
        kind = "a socket"
    elif stat.S_ISDIR(mode):
        kind = "a folder"
    else:
        kind = "not a regular file"
    return f"{kind}, not a file; refused"


def _plan_folder(folder: Path, archives: list[zipfile.ZipFile]) -> Iterator[_Item]:
    """Every regular file under ``folder``, sorted; DICOMDIRs skipped (their files are in the
    walk). Links are followed only to regular files inside ``folder``; nothing else is opened."""
    base = folder.resolve()
    found: list[Path] = []
    for dirpath, dirnames, names in os.walk(folder):  # does not descend into linked folders
        dirnames.sort()
        linked = [d for d in dirnames if (Path(dirpath) / d).is_symlink()]
        found.extend(Path(dirpath) / n for n in sorted(names + linked))
    for path in found:
        label = path.relative_to(folder).as_posix()
        try:
            st = os.lstat(path)
            if stat.S_ISLNK(st.st_mode):
                target = path.resolve()
                if not target.is_relative_to(base):
                    yield _Item(label, _no_read, False, "a link out of the chosen folder; not followed")
                    continue
                st = os.stat(target)
                if stat.S_ISDIR(st.st_mode):
                    yield _Item(label, _no_read, True, "", skip="a link to a folder; not followed")
                    continue
        except (OSError, RuntimeError) as exc:  # RuntimeError: a loop of links
            yield _Item(label, _no_read, False, f"cannot be read ({one_line(exc)})")
            continue
        problem = _not_regular(st)
        if problem:
            yield _Item(label, _no_read, False, problem)
        elif path.name.upper() == "DICOMDIR":
            yield _Item(label, _file_reader(path), quiet_if_not_dicom=True)
        elif path.suffix.lower() == ".zip" and zipfile.is_zipfile(path):
            yield from _plan_zip(path, label, archives)
        else:
            quiet = path.suffix.lower() not in DICOM_SUFFIXES
            yield _Item(label, _file_reader(path), quiet, size=st.st_size, path=path)


def _no_read() -> bytes:
    raise _Refused("cannot be read")


def _file_reader(path: Path) -> Callable[[], bytes]:
    def read() -> bytes:
        # O_NONBLOCK: opening a FIFO that replaced the file since planning does not block;
        # fstat then checks what was really opened (it may have changed since the plan).
        flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
        fd = os.open(path, flags)
        with os.fdopen(fd, "rb") as fh:
            problem = _not_regular(os.fstat(fd))
            if problem:
                raise _Refused(problem)
            size = os.fstat(fd).st_size
            data = fh.read(size + 1)  # at most one byte more than it holds: a growing file
        if len(data) > MAX_FILE_BYTES:
            raise _Refused(f"grew beyond the {MAX_FILE_BYTES} bytes allowed while read; refused")
        return data

    return read


# ---------------------------------------------------------------------- DICOMDIR


def _is_dicomdir_bytes(data: bytes) -> bool:
    """A PS3.10 file whose Media Storage SOP Class is Media Storage Directory Storage."""
    return data[128:132] == b"DICM" and MEDIA_STORAGE_DIRECTORY.encode() in data[132:512]


def _is_dicomdir_path(path: Path) -> bool:
    if path.name.upper() != "DICOMDIR":
        try:
            with open(path, "rb") as fh:
                head = fh.read(512)
        except OSError:
            return False
        return _is_dicomdir_bytes(head)
    return True


def _plan_dicomdir(path: Path) -> Iterator[_Item]:
    """The files referenced by the directory records of a DICOMDIR (PS3.3 F.3.2.2)."""
    label = path.name
    try:
        ds = pydicom.dcmread(path, force=True)
        records = list(ds.DirectoryRecordSequence)
    except Exception as exc:  # noqa: BLE001 - pydicom raises many kinds on bad input
        yield _Item(label, _no_read, False, f"unreadable DICOMDIR ({one_line(exc)})")
        return
    base = path.parent.resolve()
    seen: set[str] = set()
    for record in records:
        file_id = record.get("ReferencedFileID")
        if not file_id:
            continue
        parts = [file_id] if isinstance(file_id, str) else [str(p) for p in file_id]
        name = "/".join(parts)
        if name in seen:
            continue
        seen.add(name)
        member = f"{label}:{name}"
        if any(p in ("", ".", "..") or "/" in p or "\\" in p for p in parts):
            yield _Item(member, _no_read, False, "file ID leaves the DICOMDIR's folder")
            continue
        target = _resolve_case_insensitive(base, parts)
        if target is None:
            yield _Item(member, _no_read, False, "referenced by the DICOMDIR but missing")
            continue
        yield _Item(member, _file_reader(target), False, size=target.stat().st_size, path=target)


def _resolve_case_insensitive(base: Path, parts: list[str]) -> Path | None:
    """File IDs are upper case (PS3.10 8.2) but copies on case-sensitive disks may not be."""
    current = base
    for part in parts:
        candidate = current / part
        if not candidate.exists():
            try:
                matches = [c for c in current.iterdir() if c.name.upper() == part.upper()]
            except OSError:
                return None
            if not matches:
                return None
            candidate = matches[0]
        current = candidate
    if not current.is_file() or not current.resolve().is_relative_to(base):
        return None
    return current


# ---------------------------------------------------------------------- ZIP


def _plan_zip(path: Path, label: str, archives: list[zipfile.ZipFile]) -> Iterator[_Item]:
    try:
        zf = zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile) as exc:
        yield _Item(label, _no_read, False, f"unreadable ZIP archive ({one_line(exc)})")
        return
    archives.append(zf)
    declared = 0
    for info in zf.infolist():
        if info.is_dir():
            continue
        name = f"{label}:{_safe_member_name(info.filename)}"
        declared += info.file_size
        error = _zip_member_problem(info, declared)
        if error:
            yield _Item(name, _no_read, False, error)
            continue
        quiet = PurePosixPath(info.filename).suffix.lower() not in DICOM_SUFFIXES
        yield _Item(name, _zip_reader(zf, info), quiet, size=info.file_size,
                    extract=_zip_extractor(zf, info))


def _safe_member_name(filename: str) -> str:
    """A member name as a label only: no drive, no leading slash, no control characters."""
    cleaned = "".join(c if c.isprintable() else "?" for c in filename.replace("\\", "/"))
    return cleaned.lstrip("/") or "?"


def _zip_member_problem(info: zipfile.ZipInfo, declared_total: int) -> str:
    if info.flag_bits & 0x1:
        return "encrypted ZIP member; extract it with its password first"
    if info.file_size > MAX_MEMBER_BYTES:
        return f"ZIP member claims {info.file_size} bytes, more than the {MAX_MEMBER_BYTES} allowed"
    if declared_total > MAX_ARCHIVE_BYTES:
        return "the ZIP archive claims more than the allowed total size; split it"
    if info.file_size > _RATIO_FLOOR and info.file_size > MAX_COMPRESSION_RATIO * max(
        info.compress_size, 1
    ):
        return "ZIP member compresses more than 1000:1 (a zip bomb?)"
    return ""


def _zip_extractor(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> Callable[[BinaryIO], None]:
    """Stream a member into ``out`` 1 MiB at a time, refusing more bytes than it declares."""

    def extract(out: BinaryIO) -> None:
        limit = min(info.file_size, MAX_MEMBER_BYTES)
        got = 0
        with zf.open(info) as fh:
            while chunk := fh.read(1 << 20):
                got += len(chunk)
                if got > limit:
                    raise _Refused("ZIP member is larger than it declares; refused")
                out.write(chunk)

    return extract


def _zip_reader(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> Callable[[], bytes]:
    def read() -> bytes:
        # Never trust the declared size: read at most one byte more than it and refuse the rest.
        limit = min(info.file_size, MAX_MEMBER_BYTES)
        chunks: list[bytes] = []
        got = 0
        with zf.open(info) as fh:
            while True:
                chunk = fh.read(min(1 << 20, limit + 1 - got))
                if not chunk:
                    break
                chunks.append(chunk)
                got += len(chunk)
                if got > limit:
                    raise _Refused("ZIP member is larger than it declares; refused")
        return b"".join(chunks)

    return read
