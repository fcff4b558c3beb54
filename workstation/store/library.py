"""The local study library: instances as files on disk plus a SQLite index.

It answers the same calls as the hosted archive (the ``StudySource`` protocol, with QIDO-RS
search semantics, PS3.18 10.6, and WADO-RS style metadata and instances, PS3.18 10.4), so the
workstation reads offline exactly as it reads online.

Storage rules:

* Each instance is one PS3.10 file (PS3.10 7.1) named by a hash of its SOP Instance UID, fanned
  out into two levels of subfolders: file names carry no patient data.
* A file is written to a temporary name in its final folder, fsynced, renamed into place, the
  folder fsynced, and only then recorded in the index (``synchronous=FULL``, see ``schema``).
  "Stored" is said only once both are durable.
* **The files are the truth; the index is rebuilt from them.** An instance file may exist only
  on this disk (imported from a CD), so nothing here ever deletes an instance file that the index
  does not know. On open (when no other program has the library open) such a file is re-indexed
  from the UIDs inside it; one that cannot be re-indexed (unreadable, or named for another
  instance) is moved to ``quarantine/``, never deleted. A lost index (deleted, moved aside) is
  rebuilt the same way; a corrupt one is moved aside (``index.sqlite3.damaged-<time>``) and
  rebuilt. ``progress(done, total)`` reports the re-indexing, ``recovery`` says what it found.
  Leftover temporary files (never reported stored) are removed, and index rows whose file has
  gone are dropped, which also withdraws the "complete" mark of their series.
* A second copy of an SOP Instance UID is recognised and not stored again (as archives do),
  unless the stored copy is damaged (truncated, unreadable pixel data, its file missing or
  changed in size): then the good copy replaces it. A damaged copy counts as missing for a
  retrieval, so the next pull fetches it again.
* Retrieval bookkeeping: ``begin_series`` records which instances a complete series holds;
  ``mark_series_complete`` is refused while any is missing, so an interrupted retrieval is
  never taken for complete and resumes with ``missing_instances``.
* Removing a study moves its files to ``trash/`` before the index forgets them and empties the
  trash after the commit: a crash in between is undone on the next open (files still indexed
  go back, the others are deleted), so a removed study neither reappears nor loses files.
* Size limit: studies are evicted least-recently-used first; pinned studies and studies open in
  this program are never evicted.
* Patient data is readable by its owner only: folders 0700, files 0600 (``workstation.private``).
* Encrypted at rest (``workstation.crypt``): instance files in the chunked AES-GCM format, the
  index with SQLCipher, both under the installation's key from the OS keyring, unless the
  settings opt out (``disk_encrypted``). The ``size`` column holds the clear size. A library
  written in clear is encrypted in place on the first open (``migration`` counts what was done):
  the index through ``sqlcipher_export`` into a new file renamed over the old one, then each
  file rewritten crash-safely, so an interrupted migration resumes and loses nothing.

Threads: every thread gets its own SQLite connection (WAL mode); writes are serialised by a lock.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pydicom
from pydicom.dataset import Dataset
from sqlcipher3 import dbapi2 as sqlite3

from workstation.atomic import fsync_directory
from workstation.crypt.files import Protection
from workstation.crypt.keys import DataKey
from workstation.crypt.stream import DecryptError, ForeignKeyError, is_encrypted_file
from workstation.errors import InvalidDicomError, StoreError
from workstation.model.displayset import DisplaySet, build_display_sets
from workstation.model.entities import (
    LIBRARY,
    InstanceSummary,
    SeriesSummary,
    StudySummary,
)
from workstation.model.query import StudyQuery
from workstation.model.source import CancelToken
from workstation.private import make_private, private_folder
from workstation.store import schema
from workstation.store.displayset_cache import DisplaySetCache
from workstation.store.instance_file import (
    ParsedInstance,
    one_line,
    parse_instance,
    parse_instance_file,
)
from workstation.store.lockfile import LibraryLock

STORED = "stored"
DUPLICATE = "duplicate"
REJECTED = "rejected"

OBJECTS = "objects"
QUARANTINE = "quarantine"
INCOMING = "incoming"
TRASH = "trash"
INDEX = "index.sqlite3"
TEMP_PREFIX = ".tmp-"
#: The SQLite files of the index (the database, its write-ahead log and shared memory).
INDEX_FILES = (INDEX, INDEX + "-wal", INDEX + "-shm")
#: The first bytes of a SQLite database written in clear (https://sqlite.org/fileformat.html).
CLEAR_INDEX_HEADER = b"SQLite format 3\x00"
#: Where the encrypted copy of a clear index is built during the migration.
MIGRATING_INDEX = INDEX + ".encrypting"
#: Largest instance file the library reads back when re-indexing (as the importer's cap).
MAX_INSTANCE_BYTES = 2 * 1024**3

#: progress(files_done, files_total) while the index is rebuilt from the files (and while a
#: clear library is encrypted)
RebuildProgress = Callable[[int, int], None]


@dataclass
class MigrationReport:
    """What the encryption of a clear library did on this open."""

    index_encrypted: bool = False
    files_encrypted: int = 0


@dataclass(frozen=True)
class AddResult:
    """What happened to one instance offered to the library."""

    status: str  # STORED, DUPLICATE or REJECTED
    sop_instance_uid: str = ""
    study_uid: str = ""
    series_uid: str = ""
    reason: str = ""  # why it was rejected (one short clause, no patient data)
    warnings: tuple[str, ...] = ()
    size: int = 0
    #: Why the copy now stored is damaged (truncated, unreadable pixels); empty when sound.
    damage: tuple[str, ...] = ()
    #: A good copy replaced a damaged one already in the library.
    replaced: bool = False

    @property
    def stored(self) -> bool:
        return self.status == STORED

    @property
    def duplicate(self) -> bool:
        return self.status == DUPLICATE

    @property
    def rejected(self) -> bool:
        return self.status == REJECTED


@dataclass
class RecoveryReport:
    """What the recovery on open found and repaired."""

    ran: bool = True  # False when another program had the library open
    temp_files_removed: int = 0
    #: Instance files the index did not know, indexed again from the UIDs inside them.
    reindexed: int = 0
    #: Files that could not be re-indexed, moved to ``quarantine/`` (never deleted).
    quarantined: int = 0
    missing_files_dropped: int = 0
    #: Studies that re-indexed files brought back into the index.
    studies_recovered: int = 0
    #: The index was absent (deleted or moved aside) or corrupt, and rebuilt from the files.
    index_rebuilt: bool = False
    #: Where a corrupt index was moved aside ('' when none was).
    damaged_index: str = ""
    #: A removal cut off by a crash: files put back (still indexed) or deleted (already not).
    trash_restored: int = 0
    trash_emptied: int = 0

    @property
    def repaired(self) -> bool:
        return bool(
            self.reindexed or self.quarantined or self.missing_files_dropped or self.index_rebuilt
        )

    def summary(self) -> str:
        """One sentence for the user, or '' when there was nothing to say."""
        parts: list[str] = []
        if self.index_rebuilt:
            cause = "was damaged and moved aside" if self.damaged_index else "was missing"
            parts.append(
                f"The library index {cause}; it was rebuilt from the files: "
                f"{_count(self.studies_recovered, 'study', 'studies')} "
                f"({_count(self.reindexed, 'image')}) recovered"
            )
        elif self.reindexed:
            parts.append(
                f"{_count(self.reindexed, 'image')} of "
                f"{_count(self.studies_recovered, 'study', 'studies')} that the library index "
                "had lost were indexed again"
            )
        if self.quarantined:
            parts.append(
                f"{_count(self.quarantined, 'file')} that could not be read were moved to the "
                f"library's '{QUARANTINE}' folder"
            )
        if self.missing_files_dropped:
            parts.append(
                f"{_count(self.missing_files_dropped, 'image')} whose files had gone were removed "
                "from the index (pull their studies again)"
            )
        return "; ".join(parts) + "." if parts else ""


@dataclass
class CheckReport:
    """Consistency of files and index; ``clean`` when nothing needs repair."""

    temp_files: list[str] = field(default_factory=list)
    unindexed_files: list[str] = field(default_factory=list)
    missing_files: list[str] = field(default_factory=list)  # SOP Instance UIDs
    size_mismatches: list[str] = field(default_factory=list)  # SOP Instance UIDs
    empty_series: list[str] = field(default_factory=list)
    empty_studies: list[str] = field(default_factory=list)
    complete_but_missing: list[str] = field(default_factory=list)  # series UIDs
    #: Studies whose instances name more than one patient: not a store fault, but to be flagged.
    patient_conflicts: list[str] = field(default_factory=list)
    instances: int = 0

    @property
    def clean(self) -> bool:
        return not (
            self.temp_files
            or self.unindexed_files
            or self.missing_files
            or self.size_mismatches
            or self.empty_series
            or self.empty_studies
            or self.complete_but_missing
        )

    def summary(self) -> str:
        if self.clean:
            return f"The library is consistent ({self.instances} instances)."
        parts = []
        for label, items in (
            ("temporary files", self.temp_files),
            ("files without an index entry", self.unindexed_files),
            ("index entries without a file", self.missing_files),
            ("files whose size changed", self.size_mismatches),
            ("empty series", self.empty_series),
            ("empty studies", self.empty_studies),
            ("series marked complete with instances missing", self.complete_but_missing),
        ):
            if items:
                parts.append(f"{len(items)} {label}")
        return "The library needs repair: " + ", ".join(parts) + "; reopen it to repair."


def _count(n: int, one: str, many: str = "") -> str:
    return f"{n} {one if n == 1 else (many or one + 's')}"


def object_path(sop_instance_uid: str) -> str:
    """Where an instance lives, relative to the library root (no patient data in the name)."""
    digest = hashlib.sha256(sop_instance_uid.encode("ascii", "replace")).hexdigest()
    return f"{OBJECTS}/{digest[:2]}/{digest[2:4]}/{digest}.dcm"


class Library:
    """The local study library (a ``StudySource`` named ``"library"`` and an instance sink)."""

    name = LIBRARY

    def __init__(
        self,
        root: Path,
        max_bytes: int | None = None,
        progress: RebuildProgress | None = None,
        protection: Protection | None = None,
        encrypting: RebuildProgress | None = None,
    ) -> None:
        self.root = Path(root)
        self.max_bytes = max_bytes
        self.protection = protection if protection is not None else Protection.for_settings()
        self.migration = MigrationReport()
        self._db_key: DataKey | None = None
        self._displayset_cache: DisplaySetCache | None = None
        try:
            private_folder(self.root)
            private_folder(self.root / OBJECTS)
        except OSError as exc:
            raise StoreError(
                f"The library folder {self.root} cannot be created ({exc.strerror}); "
                "choose another folder in the settings."
            ) from exc
        self._index_path = str(self.root / INDEX)
        self._local = threading.local()
        self._connections: list[sqlite3.Connection] = []
        self._connections_lock = threading.Lock()
        self._write_lock = threading.RLock()
        self._open_counts: Counter[str] = Counter()
        self._closed = False
        self._lock = LibraryLock(self.root / ".lock")
        make_private(self.root / ".lock")
        try:
            if self._lock.exclusive_at_open:
                self.recovery = self._open_and_recover(progress, encrypting)
            else:
                self.recovery = RecoveryReport(ran=False)
                self._db_key = self._index_key(migrate=False)
                schema.ensure_schema(self._conn(), self._index_path)
            for name in INDEX_FILES:
                make_private(self.root / name)
            self._lock.share()
        except sqlite3.DatabaseError as exc:
            self.close()
            raise StoreError(
                f"The library index {self._index_path} cannot be read ({exc}) while another "
                "program has the library open; close it and open the library again to rebuild "
                "the index from the files."
            ) from exc
        except BaseException:
            self.close()
            raise

    # ------------------------------------------------------------------ plumbing

    def _conn(self) -> sqlite3.Connection:
        if self._closed:
            raise StoreError("The library has been closed; open it again.")
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = schema.connect(self._index_path, self._db_key)
            self._local.conn = conn
            with self._connections_lock:
                self._connections.append(conn)
        return conn

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction; a failing index (disk full, I/O error) is a ``StoreError``
        with one sentence, and nothing of the transaction is kept."""
        conn = self._conn()
        try:
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
                conn.execute("COMMIT")
            except BaseException:
                with contextlib.suppress(sqlite3.Error):
                    conn.execute("ROLLBACK")
                raise
        except sqlite3.OperationalError as exc:
            raise StoreError(
                f"The library index could not be written ({exc}); check the free space on the "
                "disk and try again."
            ) from exc

    def _close_connections(self) -> None:
        with self._connections_lock:
            for conn in self._connections:
                with contextlib.suppress(sqlite3.Error):
                    conn.close()
            self._connections.clear()
        self._local = threading.local()

    def close(self) -> None:
        """Close every connection and release the library lock."""
        if self._closed:
            return
        self._closed = True
        self._close_connections()
        self._lock.release()

    def __enter__(self) -> Library:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ adding

    def add_bytes(self, data: bytes) -> AddResult:
        """Store one instance (a PS3.10 file or a bare data set) atomically.

        Rejected (with a reason) when the header cannot be read or lacks the Study, Series or
        SOP Instance UID; a duplicate SOP Instance UID is not stored again. Raises
        ``StoreError`` when the disk or the index fails.
        """
        try:
            parsed = parse_instance(data)
        except InvalidDicomError as exc:
            return AddResult(REJECTED, reason=str(exc), size=len(data))
        return self._store(parsed)

    def add_file(self, path: Path) -> AddResult:
        """Store the instance in ``path`` (see ``add_bytes``); a large file is parsed from disk
        and copied as a stream, never held in memory whole (``parse_instance_file``)."""
        try:
            parsed = parse_instance_file(Path(path))
        except OSError as exc:
            return AddResult(REJECTED, reason=f"cannot be read ({exc.strerror or exc})")
        except InvalidDicomError as exc:
            return AddResult(REJECTED, reason=str(exc))
        return self._store(parsed)

    def spool_folder(self) -> Path:
        """A private folder on the library's disk for files on their way in (a ZIP member
        being extracted); emptied on open."""
        return private_folder(self.root / INCOMING)

    def _store(self, parsed: ParsedInstance) -> AddResult:
        sop, series, study = parsed.sop_instance_uid, parsed.series_uid, parsed.study_uid
        rel = object_path(sop)
        size = parsed.size
        with self._write_lock:
            conn = self._conn()
            held = conn.execute(
                "SELECT path, size, problem FROM instances WHERE sop_instance_uid=?", (sop,)
            ).fetchone()
            replacing = held is not None and not parsed.damage and self._copy_damaged(held)
            if held is not None and not replacing:
                return AddResult(DUPLICATE, sop, study, series, size=size)
            owner = conn.execute(
                "SELECT study_uid FROM series WHERE series_uid=?", (series,)
            ).fetchone()
            if owner is not None and owner[0] != study:
                return AddResult(
                    REJECTED,
                    sop,
                    study,
                    series,
                    reason="its series already belongs to another study in the library",
                    size=size,
                )
            final = self.root / rel
            self._write_atomic(final, parsed)
            try:
                warnings = self._record(parsed, rel, size)
            except BaseException as exc:
                if not replacing:  # a replaced file is a good copy: keep it, the row follows
                    with contextlib.suppress(OSError):
                        final.unlink()
                if isinstance(exc, sqlite3.Error):
                    raise StoreError(
                        f"The library index could not record instance {sop} ({exc})."
                    ) from exc
                raise
        return AddResult(
            STORED,
            sop,
            study,
            series,
            size=size,
            warnings=tuple(parsed.warnings + parsed.damage + warnings),
            damage=tuple(parsed.damage),
            replaced=replacing,
        )

    def _copy_damaged(self, row: sqlite3.Row) -> bool:
        """The stored copy is damaged: flagged at storage, or its file has gone or changed size."""
        if row["problem"]:
            return True
        try:
            return self._content_size(self.root / row["path"]) != row["size"]
        except (OSError, DecryptError):
            return True

    def _content_size(self, path: Path) -> int:
        """Bytes of the instance file's clear content (its size less the encryption's)."""
        return self.protection.content_size(path)

    def _write_atomic(self, final: Path, parsed: ParsedInstance) -> None:
        """Temporary file in the same folder, fsync, rename into place (POSIX rename is atomic)."""
        try:
            private_folder(final.parent)
            fd, tmp = tempfile.mkstemp(dir=final.parent, prefix=TEMP_PREFIX, suffix=".part")
        except OSError as exc:
            raise StoreError(
                f"The library folder {self.root} cannot be written ({exc.strerror}); "
                "check the free space and permissions."
            ) from exc
        try:
            with os.fdopen(fd, "wb") as fh:
                with self.protection.writing(fh) as sink:
                    parsed.write_to(sink)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, final)
            fsync_directory(final.parent)
        except OSError as exc:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise StoreError(
                f"An instance could not be written to the library ({exc.strerror}); "
                "check the free space on the disk."
            ) from exc
        except BaseException:  # no data key, cancelled: no temporary file left behind
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise

    def _next_access(self, conn: sqlite3.Connection) -> int:
        conn.execute(
            "INSERT INTO counters(name, value) VALUES('access', 1) "
            "ON CONFLICT(name) DO UPDATE SET value = value + 1"
        )
        return int(conn.execute("SELECT value FROM counters WHERE name='access'").fetchone()[0])

    def _record(self, parsed: ParsedInstance, rel: str, size: int) -> list[str]:
        """Index one written file: patient, study, series and instance rows in one transaction."""
        ds = parsed.header
        warnings: list[str] = []
        study = StudySummary.from_dataset(ds, LIBRARY)
        series = SeriesSummary.from_dataset(ds)
        inst = InstanceSummary.from_dataset(ds)
        with self._transaction() as conn:
            identity = (
                study.patient_id,
                study.issuer_of_patient_id,
                study.patient_name,
                study.patient_birth_date,
            )
            conn.execute(
                "INSERT OR IGNORE INTO patients(patient_id, issuer_of_patient_id, patient_name, "
                "patient_birth_date, patient_sex) VALUES (?,?,?,?,?)",
                (*identity, study.patient_sex),
            )
            patient_key = conn.execute(
                "SELECT patient_key FROM patients WHERE patient_id=? AND issuer_of_patient_id=? "
                "AND patient_name=? AND patient_birth_date=?",
                identity,
            ).fetchone()[0]
            row = conn.execute(
                "SELECT patient_key FROM studies WHERE study_uid=?", (study.study_uid,)
            ).fetchone()
            if row is None:
                conn.execute(
                    "INSERT INTO studies(study_uid, patient_key, study_date, study_time, "
                    "accession_number, study_description, study_id, referring_physician, "
                    "last_access) VALUES (?,?,?,?,?,?,?,?,?)",
                    (
                        study.study_uid,
                        patient_key,
                        study.study_date,
                        study.study_time,
                        study.accession_number,
                        study.study_description,
                        study.study_id,
                        study.referring_physician,
                        self._next_access(conn),
                    ),
                )
            elif row[0] != patient_key:
                conn.execute(
                    "UPDATE studies SET patient_conflict=1 WHERE study_uid=?", (study.study_uid,)
                )
                warnings.append("this instance names a different patient than its study")
            conn.execute(
                "INSERT OR IGNORE INTO series(series_uid, study_uid, modality, series_number, "
                "series_description, body_part_examined) VALUES (?,?,?,?,?,?)",
                (
                    series.series_uid,
                    study.study_uid,
                    series.modality,
                    series.series_number,
                    series.series_description,
                    series.body_part_examined,
                ),
            )
            # A good copy replacing a damaged one updates its row (ON CONFLICT: SQLite upsert).
            conn.execute(
                "INSERT INTO instances(sop_instance_uid, series_uid, study_uid, sop_class_uid, "
                "instance_number, number_of_frames, rows, columns, path, size, added, problem) "
                "VALUES (?,?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT(sop_instance_uid) DO UPDATE SET "
                "series_uid=excluded.series_uid, study_uid=excluded.study_uid, "
                "sop_class_uid=excluded.sop_class_uid, instance_number=excluded.instance_number, "
                "number_of_frames=excluded.number_of_frames, rows=excluded.rows, "
                "columns=excluded.columns, path=excluded.path, size=excluded.size, "
                "added=excluded.added, problem=excluded.problem",
                (
                    inst.sop_instance_uid,
                    series.series_uid,
                    study.study_uid,
                    inst.sop_class_uid,
                    inst.instance_number,
                    inst.number_of_frames,
                    inst.rows,
                    inst.columns,
                    rel,
                    size,
                    time.time(),
                    "; ".join(parsed.damage),
                ),
            )
        return warnings

    # ------------------------------------------------------------------ StudySource

    def search_studies(self, query: StudyQuery) -> list[StudySummary]:
        """Studies matching ``query`` (PS3.4 C.2.2.2 matching, as ``StudyQuery.matches``),
        newest first, with modalities in study and series/instance counts."""
        where: list[str] = []
        params: list[object] = []
        if query.study_uid:
            where.append("s.study_uid = ?")
            params.append(query.study_uid)
        if query.modality:
            where.append(
                "EXISTS (SELECT 1 FROM series m WHERE m.study_uid = s.study_uid "
                "AND upper(m.modality) = upper(?))"
            )
            params.append(query.modality)
        if query.patient_id and not any(c in query.patient_id for c in "*?"):
            where.append("p.patient_id = ?")
            params.append(query.patient_id.strip())
        sql = (
            "SELECT s.*, p.patient_id, p.issuer_of_patient_id, p.patient_name, "
            "p.patient_birth_date, p.patient_sex, "
            "(SELECT COUNT(*) FROM series c WHERE c.study_uid = s.study_uid) AS n_series, "
            "(SELECT COUNT(*) FROM instances i WHERE i.study_uid = s.study_uid) AS n_instances, "
            "(SELECT COUNT(*) FROM instances i WHERE i.study_uid = s.study_uid "
            " AND i.problem <> '') AS n_damaged, "
            # What a complete copy holds, known once a retrieval listed the study's instances:
            # the instances listed plus any held that the list did not name.
            "CASE WHEN EXISTS (SELECT 1 FROM retrievals r WHERE r.study_uid = s.study_uid) THEN "
            " (SELECT COUNT(*) FROM expected_instances e JOIN retrievals r "
            "  ON r.series_uid = e.series_uid WHERE r.study_uid = s.study_uid) + "
            " (SELECT COUNT(*) FROM instances i WHERE i.study_uid = s.study_uid AND NOT EXISTS "
            "  (SELECT 1 FROM expected_instances e JOIN retrievals r "
            "   ON r.series_uid = e.series_uid WHERE r.study_uid = s.study_uid "
            "   AND e.sop_instance_uid = i.sop_instance_uid)) "
            "ELSE NULL END AS n_expected, "
            "(SELECT group_concat(DISTINCT m.modality) FROM series m "
            " WHERE m.study_uid = s.study_uid) AS modalities "
            "FROM studies s JOIN patients p ON p.patient_key = s.patient_key"
        )
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY s.study_date DESC, s.study_time DESC, s.study_uid"
        results: list[StudySummary] = []
        skipped = 0
        for row in self._conn().execute(sql, params):
            summary = _study_summary(row)
            if not query.matches(summary):
                continue
            if skipped < query.offset:
                skipped += 1
                continue
            results.append(summary)
            if query.limit is not None and len(results) >= query.limit:
                break
        return results

    def search_series(self, study_uid: str) -> list[SeriesSummary]:
        rows = (
            self._conn()
            .execute(
                "SELECT s.*, (SELECT COUNT(*) FROM instances i WHERE i.series_uid = s.series_uid) "
                "AS n FROM series s WHERE s.study_uid = ? "
                "ORDER BY s.series_number IS NULL, s.series_number, s.series_uid",
                (study_uid,),
            )
            .fetchall()
        )
        return [
            SeriesSummary(
                study_uid=r["study_uid"],
                series_uid=r["series_uid"],
                modality=r["modality"],
                series_number=r["series_number"],
                series_description=r["series_description"],
                body_part_examined=r["body_part_examined"],
                number_of_instances=r["n"],
            )
            for r in rows
        ]

    def _instance_rows(self, study_uid: str, series_uid: str) -> list[sqlite3.Row]:
        return (
            self._conn()
            .execute(
                "SELECT * FROM instances WHERE study_uid = ? AND series_uid = ? "
                "ORDER BY instance_number IS NULL, instance_number, sop_instance_uid",
                (study_uid, series_uid),
            )
            .fetchall()
        )

    def search_instances(self, study_uid: str, series_uid: str) -> list[InstanceSummary]:
        return [
            InstanceSummary(
                study_uid=r["study_uid"],
                series_uid=r["series_uid"],
                sop_instance_uid=r["sop_instance_uid"],
                sop_class_uid=r["sop_class_uid"],
                instance_number=r["instance_number"],
                number_of_frames=r["number_of_frames"],
                rows=r["rows"],
                columns=r["columns"],
            )
            for r in self._instance_rows(study_uid, series_uid)
        ]

    def _read_header(self, row: sqlite3.Row) -> Dataset:
        path = self.root / row["path"]
        try:
            with self.protection.open_read(path) as fh:
                return pydicom.dcmread(fh, stop_before_pixels=True, force=True)
        except DecryptError:
            raise
        except FileNotFoundError as exc:
            raise StoreError(
                f"Instance {row['sop_instance_uid']} is missing from the library folder; "
                "reopen the library to repair it and retrieve the study again."
            ) from exc
        except Exception as exc:  # noqa: BLE001 - pydicom raises many kinds on bad input
            raise StoreError(
                f"The stored file of instance {row['sop_instance_uid']} cannot be read "
                f"({one_line(exc)}); remove the study and retrieve it again."
            ) from exc

    def series_metadata(self, study_uid: str, series_uid: str) -> list[Dataset]:
        """Every instance header of the series, read without pixel data, in instance order."""
        return [self._read_header(r) for r in self._instance_rows(study_uid, series_uid)]

    def display_sets(self, study_uid: str, headers: Sequence[Dataset]) -> list[DisplaySet]:
        """The display sets of ``headers`` read from this library, kept between openings
        (:mod:`workstation.store.displayset_cache`); built afresh when any is not from here."""
        rows = {r["sop_instance_uid"]: (r["path"], r["size"]) for r in self._conn().execute(
            "SELECT sop_instance_uid, path, size FROM instances WHERE study_uid = ?", (study_uid,))}
        keyed = []
        for h in headers:
            uid = str(h.get("SOPInstanceUID", "") or "")
            if uid not in rows:
                return build_display_sets(headers)
            keyed.append((uid, *rows[uid]))
        if self._displayset_cache is None:
            self._displayset_cache = DisplaySetCache(self.root, self.protection)
        return self._displayset_cache.display_sets(study_uid, headers, keyed, self.root,
                                                   build_display_sets)

    def study_headers(self, study_uid: str) -> list[Dataset]:
        """Every instance header of the study (series by series), for building display sets."""
        headers: list[Dataset] = []
        for series in self.search_series(study_uid):
            headers.extend(self.series_metadata(study_uid, series.series_uid))
        return headers

    def iter_instances(
        self,
        study_uid: str,
        series_uid: str,
        sop_instance_uids: Sequence[str] | None = None,
        cancel: CancelToken | None = None,
    ) -> Iterator[bytes]:
        """The stored PS3.10 files of the series, in instance order (or in the order asked).

        Instances the library does not hold are left out: ask ``missing_instances`` or
        ``search_instances`` to know which are here.
        """
        rows = self._instance_rows(study_uid, series_uid)
        if sop_instance_uids is not None:
            by_uid = {r["sop_instance_uid"]: r for r in rows}
            rows = [by_uid[u] for u in sop_instance_uids if u in by_uid]
        for row in rows:
            if cancel is not None:
                cancel.raise_if_cancelled()
            try:
                data = self.protection.read_bytes(self.root / row["path"])
            except OSError as exc:
                raise StoreError(
                    f"Instance {row['sop_instance_uid']} cannot be read from the library "
                    f"({exc.strerror}); reopen the library to repair it."
                ) from exc
            yield data

    def read_instance(self, sop_instance_uid: str) -> bytes:
        """The stored PS3.10 file of one instance; ``StoreError`` when the library lacks it."""
        row = (
            self._conn()
            .execute("SELECT path FROM instances WHERE sop_instance_uid=?", (sop_instance_uid,))
            .fetchone()
        )
        if row is None:
            raise StoreError(
                f"Instance {sop_instance_uid} is not in the library; retrieve its study again."
            )
        try:
            return self.protection.read_bytes(self.root / row[0])
        except OSError as exc:
            raise StoreError(
                f"Instance {sop_instance_uid} cannot be read from the library "
                f"({exc.strerror}); reopen the library to repair it."
            ) from exc

    # ------------------------------------------------------------------ retrieval bookkeeping

    def begin_series(
        self, study_uid: str, series_uid: str, expected_sop_uids: Sequence[str]
    ) -> None:
        """Record which instances a complete copy of the series holds (from the archive's
        QIDO-RS instance list); the series is not complete until ``mark_series_complete``."""
        with self._write_lock, self._transaction() as conn:
            conn.execute(
                "INSERT INTO retrievals(series_uid, study_uid, complete, begun) VALUES (?,?,0,?) "
                "ON CONFLICT(series_uid) DO UPDATE SET study_uid=excluded.study_uid, "
                "complete=0, begun=excluded.begun",
                (series_uid, study_uid, time.time()),
            )
            conn.execute("DELETE FROM expected_instances WHERE series_uid=?", (series_uid,))
            conn.executemany(
                "INSERT OR IGNORE INTO expected_instances(series_uid, position, sop_instance_uid) "
                "VALUES (?,?,?)",
                [(series_uid, i, uid) for i, uid in enumerate(expected_sop_uids)],
            )

    def _missing(self, conn: sqlite3.Connection, study_uid: str, series_uid: str) -> list[str]:
        rows = conn.execute(
            "SELECT e.sop_instance_uid FROM expected_instances e "
            "JOIN retrievals r ON r.series_uid = e.series_uid AND r.study_uid = ? "
            "WHERE e.series_uid = ? AND NOT EXISTS (SELECT 1 FROM instances i "
            "WHERE i.sop_instance_uid = e.sop_instance_uid AND i.series_uid = e.series_uid "
            "AND i.problem = '') ORDER BY e.position",
            (study_uid, series_uid),
        ).fetchall()
        return [r[0] for r in rows]

    def missing_instances(self, study_uid: str, series_uid: str) -> list[str]:
        """SOP Instance UIDs expected (``begin_series``) but not stored yet, or stored as a
        damaged copy (to be fetched again), in the given order; empty when no retrieval of the
        series was begun."""
        return self._missing(self._conn(), study_uid, series_uid)

    def mark_series_complete(self, study_uid: str, series_uid: str) -> None:
        """Record the series as complete; refused (``StoreError``) while anything is missing."""
        with self._write_lock, self._transaction() as conn:
            row = conn.execute(
                "SELECT 1 FROM retrievals WHERE series_uid=? AND study_uid=?",
                (series_uid, study_uid),
            ).fetchone()
            if row is None:
                raise StoreError(
                    f"Series {series_uid} cannot be recorded complete: its retrieval was never "
                    "begun (call begin_series with the archive's instance list first)."
                )
            missing = self._missing(conn, study_uid, series_uid)
            if missing:
                raise StoreError(
                    f"Series {series_uid} cannot be recorded complete: {len(missing)} "
                    "instances are still missing; retrieve them first."
                )
            conn.execute("UPDATE retrievals SET complete=1 WHERE series_uid=?", (series_uid,))

    def series_complete(self, study_uid: str, series_uid: str) -> bool:
        """Whether a retrieval confirmed every expected instance of the series is here."""
        conn = self._conn()
        row = conn.execute(
            "SELECT complete FROM retrievals WHERE series_uid=? AND study_uid=?",
            (series_uid, study_uid),
        ).fetchone()
        return bool(row and row[0]) and not self._missing(conn, study_uid, series_uid)

    def study_complete(self, study_uid: str) -> bool:
        """Whether every series whose retrieval was begun for the study is complete.

        Studies that were only imported (never retrieved) are not "complete": nothing tells
        the library what a complete copy holds.
        """
        rows = (
            self._conn()
            .execute("SELECT series_uid FROM retrievals WHERE study_uid=?", (study_uid,))
            .fetchall()
        )
        return bool(rows) and all(self.series_complete(study_uid, r[0]) for r in rows)

    # ------------------------------------------------------------------ size limit, LRU

    def touch_study(self, study_uid: str) -> None:
        """Mark the study as just used (the least recently used goes first on eviction)."""
        with self._write_lock, self._transaction() as conn:
            stamp = self._next_access(conn)
            conn.execute("UPDATE studies SET last_access=? WHERE study_uid=?", (stamp, study_uid))
            conn.execute(
                "INSERT INTO study_opened(study_uid, at) VALUES (?, ?) "
                "ON CONFLICT(study_uid) DO UPDATE SET at=excluded.at",
                (study_uid, time.time()),
            )

    def studies_unused_since(self, cutoff: float) -> list[str]:
        """Studies neither opened nor added to since ``cutoff`` (seconds since the epoch),
        least recently used first; pinned and open studies are left out."""
        rows = self._conn().execute(
            "SELECT s.study_uid, MAX(COALESCE((SELECT at FROM study_opened o "
            " WHERE o.study_uid = s.study_uid), 0), COALESCE((SELECT MAX(added) FROM instances i "
            " WHERE i.study_uid = s.study_uid), 0)) AS used FROM studies s "
            "WHERE s.study_uid NOT IN (SELECT study_uid FROM pins) ORDER BY used ASC"
        ).fetchall()
        return [r[0] for r in rows if r[1] < cutoff and not self.is_open(r[0])]

    def pin(self, study_uid: str) -> None:
        """Keep the study whatever the size limit (for example a study kept for offline
        reading). A study can be pinned before its first instance arrives."""
        with self._write_lock, self._transaction() as conn:
            conn.execute("INSERT OR IGNORE INTO pins(study_uid) VALUES (?)", (study_uid,))

    def unpin(self, study_uid: str) -> None:
        with self._write_lock, self._transaction() as conn:
            conn.execute("DELETE FROM pins WHERE study_uid=?", (study_uid,))

    def is_pinned(self, study_uid: str) -> bool:
        return (
            self._conn().execute("SELECT 1 FROM pins WHERE study_uid=?", (study_uid,)).fetchone()
            is not None
        )

    @contextlib.contextmanager
    def open_study(self, study_uid: str) -> Iterator[None]:
        """Hold a study open (being read): it is touched and never evicted until closed."""
        with self._write_lock:
            self._open_counts[study_uid] += 1
        try:
            self.touch_study(study_uid)
            yield
        finally:
            with self._write_lock:
                self._open_counts[study_uid] -= 1
                if self._open_counts[study_uid] <= 0:
                    del self._open_counts[study_uid]

    def is_open(self, study_uid: str) -> bool:
        with self._write_lock:
            return self._open_counts.get(study_uid, 0) > 0

    def total_bytes(self) -> int:
        """Bytes of all stored instance files."""
        return int(
            self._conn().execute("SELECT COALESCE(SUM(size), 0) FROM instances").fetchone()[0]
        )

    def study_bytes(self, study_uid: str) -> int:
        return int(
            self._conn()
            .execute("SELECT COALESCE(SUM(size), 0) FROM instances WHERE study_uid=?", (study_uid,))
            .fetchone()[0]
        )

    def evict_to_limit(self) -> list[str]:
        """Remove least-recently-used studies, never pinned or open ones, until the library
        fits in ``max_bytes``; returns the Study Instance UIDs removed, in eviction order."""
        if self.max_bytes is None:
            return []
        evicted: list[str] = []
        with self._write_lock:
            total = self.total_bytes()
            if total <= self.max_bytes:
                return []
            rows = (
                self._conn()
                .execute(
                    "SELECT s.study_uid, (SELECT COALESCE(SUM(size), 0) FROM instances i "
                    "WHERE i.study_uid = s.study_uid) AS bytes FROM studies s "
                    "WHERE s.study_uid NOT IN (SELECT study_uid FROM pins) "
                    "ORDER BY s.last_access ASC"
                )
                .fetchall()
            )
            for row in rows:
                if total <= self.max_bytes:
                    break
                uid = row["study_uid"]
                if self._open_counts.get(uid, 0) > 0:
                    continue
                self.remove_study(uid)
                total -= int(row["bytes"])
                evicted.append(uid)
        return evicted

    def remove_study(self, study_uid: str) -> bool:
        """Remove a study, its files and its bookkeeping; ``False`` when it was not here.
        Refused (``StoreError``) while the study is open."""
        with self._write_lock:
            if self._open_counts.get(study_uid, 0) > 0:
                raise StoreError(
                    f"Study {study_uid} is open and cannot be removed; close it first."
                )
            conn = self._conn()
            paths = [
                r[0]
                for r in conn.execute(
                    "SELECT path FROM instances WHERE study_uid=?", (study_uid,)
                ).fetchall()
            ]
            # Files go to the trash first, the index forgets them, then the trash is emptied:
            # the next open undoes a removal cut off before the commit and finishes one after.
            trashed = self._to_trash(paths)
            with self._transaction() as tx:
                found = tx.execute(
                    "SELECT patient_key FROM studies WHERE study_uid=?", (study_uid,)
                ).fetchone()
                tx.execute("DELETE FROM instances WHERE study_uid=?", (study_uid,))
                tx.execute("DELETE FROM series WHERE study_uid=?", (study_uid,))
                tx.execute(
                    "DELETE FROM expected_instances WHERE series_uid IN "
                    "(SELECT series_uid FROM retrievals WHERE study_uid=?)",
                    (study_uid,),
                )
                tx.execute("DELETE FROM retrievals WHERE study_uid=?", (study_uid,))
                tx.execute("DELETE FROM pins WHERE study_uid=?", (study_uid,))
                tx.execute("DELETE FROM study_opened WHERE study_uid=?", (study_uid,))
                tx.execute("DELETE FROM studies WHERE study_uid=?", (study_uid,))
                if found is not None:
                    tx.execute(
                        "DELETE FROM patients WHERE patient_key=? AND NOT EXISTS "
                        "(SELECT 1 FROM studies WHERE patient_key=?)",
                        (found[0], found[0]),
                    )
            for path in trashed:
                with contextlib.suppress(FileNotFoundError):
                    path.unlink()
            DisplaySetCache(self.root, self.protection).forget(study_uid)
            return found is not None or bool(paths)

    def _to_trash(self, paths: Sequence[str]) -> list[Path]:
        trash = private_folder(self.root / TRASH)
        moved: list[Path] = []
        for rel in paths:
            target = trash / Path(rel).name  # the name is the hash of the SOP Instance UID
            try:
                os.replace(self.root / rel, target)
            except FileNotFoundError:
                continue
            moved.append(target)
        if moved:
            fsync_directory(trash)
        return moved

    # ------------------------------------------------------------------ crash safety

    def _scan_files(self) -> tuple[list[Path], list[Path]]:
        """(temporary files, instance files) under the objects folder."""
        temps: list[Path] = []
        files: list[Path] = []
        for dirpath, _dirs, names in os.walk(self.root / OBJECTS):
            for n in sorted(names):
                (temps if n.startswith(TEMP_PREFIX) else files).append(Path(dirpath) / n)
        return temps, files

    def _rel(self, path: Path) -> str:
        return path.relative_to(self.root).as_posix()

    def _open_and_recover(
        self, progress: RebuildProgress | None, encrypting: RebuildProgress | None = None
    ) -> RecoveryReport:
        """Open the index (rebuilding a lost or corrupt one) and repair it against the files;
        only while no other program has the library open (see the module docstring)."""
        report = RecoveryReport()
        index = self.root / INDEX
        with contextlib.suppress(FileNotFoundError):  # an encryption cut short: start again
            (self.root / MIGRATING_INDEX).unlink()
        self._db_key = self._index_key(migrate=True)
        if not index.exists():
            # A write-ahead log without its database belongs to the index that went away.
            stray = [self.root / n for n in INDEX_FILES[1:] if (self.root / n).exists()]
            if stray:
                self._move_index_aside(stray)
            report.index_rebuilt = True
        try:
            schema.ensure_schema(self._conn(), self._index_path)
            self._integrity_check()
        except sqlite3.DatabaseError:
            self._close_connections()
            report.damaged_index = self._move_index_aside(
                [self.root / n for n in INDEX_FILES if (self.root / n).exists()]
            )
            report.index_rebuilt = True
            self._db_key = self.protection.database_key()  # the new index as the settings say
            schema.ensure_schema(self._conn(), self._index_path)
        self._recover(report, progress)
        self._encrypt_files(encrypting)
        if not (report.reindexed or report.quarantined or report.damaged_index):
            report.index_rebuilt = False  # a new, empty library: nothing was lost
        return report

    # ------------------------------------------------------------------ encryption at rest

    def _index_key(self, migrate: bool) -> DataKey | None:
        """The SQLCipher key of the index as it is on disk (``None``: a clear index), after
        encrypting a clear one when ``migrate`` and the settings ask for encryption."""
        index = self.root / INDEX
        try:
            with open(index, "rb") as fh:
                head = fh.read(len(CLEAR_INDEX_HEADER))
        except FileNotFoundError:
            head = b""
        if not head:  # a new index (or an empty file SQLite will initialise)
            return self.protection.database_key()
        if head == CLEAR_INDEX_HEADER:
            if migrate and self.protection.encrypt:
                try:
                    return self._encrypt_index()
                except sqlite3.DatabaseError:
                    # A damaged clear index: opened as it is, it fails the integrity check and
                    # is moved aside, and the new one is made encrypted (_open_and_recover).
                    with contextlib.suppress(FileNotFoundError):
                        (self.root / MIGRATING_INDEX).unlink()
            return None
        # Encrypted (or garbage, which ensure_schema finds and moves aside): never make a new
        # key over data written under a key that has gone.
        return Protection.read_key(str(index))

    def _encrypt_index(self) -> DataKey:
        """Encrypt a clear index: ``sqlcipher_export`` into a new file, fsync, rename over the
        old one (https://www.zetetic.net/sqlcipher/sqlcipher-api/#sqlcipher_export). Cut off
        before the rename, the clear index is whole and the copy is dropped on the next open."""
        key = self.protection.write_key()
        assert key is not None
        target = self.root / MIGRATING_INDEX
        conn = sqlite3.connect(self._index_path, timeout=30.0, isolation_level=None)
        try:
            # Fold the write-ahead log into the database and drop it: a log left next to the
            # encrypted file would be replayed into it.
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            conn.execute("PRAGMA journal_mode=DELETE")
            version = int(conn.execute("PRAGMA user_version").fetchone()[0])
            conn.execute(
                f"ATTACH DATABASE ? AS encrypted KEY \"x'{key.key.hex()}'\"", (str(target),)
            )
            conn.execute("SELECT sqlcipher_export('encrypted')")
            conn.execute(f"PRAGMA encrypted.user_version = {version}")
            conn.execute("DETACH DATABASE encrypted")
        finally:
            conn.close()
        fd = os.open(target, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        make_private(target)
        os.replace(target, self.root / INDEX)
        fsync_directory(self.root)
        self.migration.index_encrypted = True
        return key

    def _encrypt_files(self, progress: RebuildProgress | None) -> None:
        """Rewrite every clear instance (and quarantined) file encrypted, each crash-safely.

        Once all are, the index says so (``counters.files_encrypted``) and later opens skip the
        scan; opening with the opt-out (files written in clear again) withdraws the mark."""
        conn = self._conn()
        marked = conn.execute(
            "SELECT value FROM counters WHERE name='files_encrypted'"
        ).fetchone() is not None
        if not self.protection.encrypt:
            if marked:
                with self._write_lock, self._transaction() as tx:
                    tx.execute("DELETE FROM counters WHERE name='files_encrypted'")
            return
        if marked:
            return
        _temps, files = self._scan_files()
        quarantine = self.root / QUARANTINE
        if quarantine.is_dir():
            files += sorted(p for p in quarantine.iterdir() if p.is_file())
        clear = [f for f in files if not is_encrypted_file(f)]
        for done, path in enumerate(clear, start=1):
            try:
                self.protection.encrypt_in_place(path, temp_prefix=TEMP_PREFIX)
            except OSError as exc:
                raise StoreError(
                    f"The library could not be encrypted ({exc.strerror}); check the free space "
                    "on the disk and start again (nothing was lost)."
                ) from exc
            self.migration.files_encrypted += 1
            if progress is not None:
                progress(done, len(clear))
        with self._write_lock, self._transaction() as tx:
            tx.execute("INSERT OR REPLACE INTO counters(name, value) VALUES('files_encrypted', 1)")

    def _integrity_check(self) -> None:
        """``PRAGMA quick_check`` (https://sqlite.org/pragma.html#pragma_quick_check): raises
        ``sqlite3.DatabaseError`` when the index is damaged."""
        rows = self._conn().execute("PRAGMA quick_check").fetchall()
        if [tuple(r) for r in rows] != [("ok",)]:
            raise sqlite3.DatabaseError("the index failed its integrity check")

    def _move_index_aside(self, paths: Sequence[Path]) -> str:
        """Rename damaged or stray index files to ``<name>.damaged-<UTC time>``; never deleted."""
        stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
        first = ""
        for path in paths:
            target = path.with_name(f"{path.name}.damaged-{stamp}")
            os.replace(path, target)
            first = first or str(target)
        fsync_directory(self.root)
        return first

    def _recover(self, report: RecoveryReport, progress: RebuildProgress | None) -> None:
        """Repair after a crash or a lost index (see the module docstring)."""
        conn = self._conn()
        indexed = {r[0]: r[1] for r in conn.execute("SELECT path, sop_instance_uid FROM instances")}
        self._settle_trash(indexed, report)
        if (self.root / INCOMING).is_dir():  # copies of import sources, never reported stored
            for spooled in (self.root / INCOMING).iterdir():
                with contextlib.suppress(OSError):
                    spooled.unlink()
        temps, files = self._scan_files()
        for tmp in temps:
            with contextlib.suppress(FileNotFoundError):
                tmp.unlink()
                report.temp_files_removed += 1
        unknown = [f for f in files if self._rel(f) not in indexed]
        studies: set[str] = set()
        for done, path in enumerate(unknown, start=1):
            study = self._reindex(path)
            if study is None:
                report.quarantined += 1
            else:
                report.reindexed += 1
                studies.add(study)
            if progress is not None:
                progress(done, len(unknown))
        report.studies_recovered = len(studies)
        indexed = {r[0]: r[1] for r in conn.execute("SELECT path, sop_instance_uid FROM instances")}
        gone = [sop for rel, sop in indexed.items() if not (self.root / rel).exists()]
        if gone:
            with self._write_lock, self._transaction() as tx:
                for sop in gone:
                    tx.execute(
                        "UPDATE retrievals SET complete=0 WHERE series_uid IN "
                        "(SELECT series_uid FROM instances WHERE sop_instance_uid=?)",
                        (sop,),
                    )
                    tx.execute("DELETE FROM instances WHERE sop_instance_uid=?", (sop,))
                tx.execute(
                    "DELETE FROM series WHERE NOT EXISTS "
                    "(SELECT 1 FROM instances i WHERE i.series_uid = series.series_uid)"
                )
                tx.execute(
                    "DELETE FROM studies WHERE NOT EXISTS "
                    "(SELECT 1 FROM series s WHERE s.study_uid = studies.study_uid)"
                )
                tx.execute(
                    "DELETE FROM patients WHERE NOT EXISTS "
                    "(SELECT 1 FROM studies s WHERE s.patient_key = patients.patient_key)"
                )
            report.missing_files_dropped = len(gone)

    def _settle_trash(self, indexed: dict[str, str], report: RecoveryReport) -> None:
        """Finish or undo a removal cut off by a crash: a trashed file the index still lists
        goes back (the removal never committed); the others were removed for good."""
        trash = self.root / TRASH
        if not trash.is_dir():
            return
        by_name = {Path(rel).name: rel for rel in indexed}
        for path in sorted(trash.iterdir()):
            rel = by_name.get(path.name)
            if rel is not None and not (self.root / rel).exists():
                private_folder((self.root / rel).parent)
                os.replace(path, self.root / rel)
                report.trash_restored += 1
            else:
                with contextlib.suppress(FileNotFoundError):
                    path.unlink()
                    report.trash_emptied += 1

    def _reindex(self, path: Path) -> str | None:
        """Index an instance file the index does not know, from the UIDs inside it; returns
        its Study Instance UID, or None when it was moved to quarantine instead."""
        try:
            if path.stat().st_size > MAX_INSTANCE_BYTES:
                self._quarantine(path)
                return None
            if is_encrypted_file(path):
                on_disk = self._content_size(path)
                parsed = parse_instance(self.protection.read_bytes(path))
            else:
                on_disk = path.stat().st_size
                parsed = parse_instance_file(path)
        except ForeignKeyError:
            raise  # a whole library under a key that has gone: say so, move nothing
        except (OSError, InvalidDicomError, DecryptError):
            self._quarantine(path)
            return None
        sop = parsed.sop_instance_uid
        rel = object_path(sop)
        conn = self._conn()
        if conn.execute("SELECT 1 FROM instances WHERE sop_instance_uid=?", (sop,)).fetchone():
            self._quarantine(path)  # another copy of the instance is indexed
            return None
        owner = conn.execute(
            "SELECT study_uid FROM series WHERE series_uid=?", (parsed.series_uid,)
        ).fetchone()
        if owner is not None and owner[0] != parsed.study_uid:
            self._quarantine(path)
            return None
        if self._rel(path) != rel:  # not where its UID puts it: move it there if free
            final = self.root / rel
            if final.exists():
                self._quarantine(path)
                return None
            private_folder(final.parent)
            os.replace(path, final)
        try:
            self._record(parsed, rel, on_disk)
        except sqlite3.Error as exc:
            raise StoreError(
                f"The library index could not be rebuilt ({exc}); check the free space."
            ) from exc
        if self.protection.encrypt:  # a clear file put back by hand: encrypt it now
            self.protection.encrypt_in_place(self.root / rel, temp_prefix=TEMP_PREFIX)
        return parsed.study_uid

    def _quarantine(self, path: Path) -> None:
        """Move a file that cannot be indexed to ``quarantine/`` (kept, never deleted)."""
        folder = private_folder(self.root / QUARANTINE)
        target = folder / path.name
        n = 1
        while target.exists():
            target = folder / f"{path.stem}.{n}{path.suffix}"
            n += 1
        os.replace(path, target)
        fsync_directory(folder)

    def check(self) -> CheckReport:
        """Compare files and index without changing anything."""
        report = CheckReport()
        temps, files = self._scan_files()
        report.temp_files = sorted(self._rel(t) for t in temps)
        conn = self._conn()
        rows = conn.execute("SELECT path, sop_instance_uid, size FROM instances").fetchall()
        report.instances = len(rows)
        indexed = {r["path"]: r for r in rows}
        on_disk = {self._rel(f): f for f in files}
        report.unindexed_files = sorted(rel for rel in on_disk if rel not in indexed)
        for rel, row in indexed.items():
            if rel not in on_disk:
                report.missing_files.append(row["sop_instance_uid"])
            elif self._content_size(on_disk[rel]) != row["size"]:
                report.size_mismatches.append(row["sop_instance_uid"])
        report.empty_series = [
            r[0]
            for r in conn.execute(
                "SELECT series_uid FROM series WHERE NOT EXISTS "
                "(SELECT 1 FROM instances i WHERE i.series_uid = series.series_uid)"
            )
        ]
        report.empty_studies = [
            r[0]
            for r in conn.execute(
                "SELECT study_uid FROM studies WHERE NOT EXISTS "
                "(SELECT 1 FROM series s WHERE s.study_uid = studies.study_uid)"
            )
        ]
        for r in conn.execute("SELECT series_uid, study_uid FROM retrievals WHERE complete=1"):
            if self._missing(conn, r["study_uid"], r["series_uid"]):
                report.complete_but_missing.append(r["series_uid"])
        report.patient_conflicts = [
            r[0] for r in conn.execute("SELECT study_uid FROM studies WHERE patient_conflict=1")
        ]
        return report


def _study_summary(row: sqlite3.Row) -> StudySummary:
    modalities = tuple(sorted({m for m in (row["modalities"] or "").split(",") if m}))
    return StudySummary(
        study_uid=row["study_uid"],
        patient_name=row["patient_name"],
        patient_id=row["patient_id"],
        issuer_of_patient_id=row["issuer_of_patient_id"],
        patient_birth_date=row["patient_birth_date"],
        patient_sex=row["patient_sex"],
        study_date=row["study_date"],
        study_time=row["study_time"],
        accession_number=row["accession_number"],
        study_description=row["study_description"],
        study_id=row["study_id"],
        referring_physician=row["referring_physician"],
        modalities=modalities,
        number_of_series=row["n_series"],
        number_of_instances=row["n_instances"],
        origins=frozenset({LIBRARY}),
        local_instances=row["n_instances"],
        expected_instances=row["n_expected"],
        damaged_instances=row["n_damaged"],
    )
