"""The SQLite index of the local library: patient / study / series / instance levels.

The levels follow the Patient Root query information model (PS3.4 C.6.1): a patient holds
studies, a study holds series, a series holds composite instances. Two more tables keep the
retrieval bookkeeping (which instances a complete series holds, and whether a retrieval
confirmed it) so that an interrupted retrieval resumes instead of being taken for complete.
``study_opened`` keeps when each study was last used (wall-clock time), for the retention limit.

The schema version is kept in ``PRAGMA user_version``; an index written by a newer version of the
workstation is refused rather than misread.
"""

from __future__ import annotations

from sqlcipher3 import dbapi2 as sqlite3

from workstation.crypt.keys import DataKey
from workstation.errors import StoreError

SCHEMA_VERSION = 3

_SCHEMA = """
CREATE TABLE IF NOT EXISTS patients (
    patient_key INTEGER PRIMARY KEY,
    patient_id TEXT NOT NULL,
    issuer_of_patient_id TEXT NOT NULL,
    patient_name TEXT NOT NULL,
    patient_birth_date TEXT NOT NULL,
    patient_sex TEXT NOT NULL,
    UNIQUE (patient_id, issuer_of_patient_id, patient_name, patient_birth_date)
);
CREATE TABLE IF NOT EXISTS studies (
    study_uid TEXT PRIMARY KEY,
    patient_key INTEGER NOT NULL REFERENCES patients(patient_key),
    study_date TEXT NOT NULL,
    study_time TEXT NOT NULL,
    accession_number TEXT NOT NULL,
    study_description TEXT NOT NULL,
    study_id TEXT NOT NULL,
    referring_physician TEXT NOT NULL,
    last_access INTEGER NOT NULL,
    patient_conflict INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS studies_by_date ON studies(study_date);
CREATE INDEX IF NOT EXISTS studies_by_access ON studies(last_access);
CREATE TABLE IF NOT EXISTS series (
    series_uid TEXT PRIMARY KEY,
    study_uid TEXT NOT NULL REFERENCES studies(study_uid),
    modality TEXT NOT NULL,
    series_number INTEGER,
    series_description TEXT NOT NULL,
    body_part_examined TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS series_by_study ON series(study_uid);
CREATE TABLE IF NOT EXISTS instances (
    sop_instance_uid TEXT PRIMARY KEY,
    series_uid TEXT NOT NULL REFERENCES series(series_uid),
    study_uid TEXT NOT NULL,
    sop_class_uid TEXT NOT NULL,
    instance_number INTEGER,
    number_of_frames INTEGER,
    rows INTEGER,
    columns INTEGER,
    path TEXT NOT NULL UNIQUE,
    size INTEGER NOT NULL,
    added REAL NOT NULL,
    problem TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS instances_by_series ON instances(series_uid);
CREATE INDEX IF NOT EXISTS instances_by_study ON instances(study_uid);
CREATE TABLE IF NOT EXISTS retrievals (
    series_uid TEXT PRIMARY KEY,
    study_uid TEXT NOT NULL,
    complete INTEGER NOT NULL DEFAULT 0,
    begun REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS retrievals_by_study ON retrievals(study_uid);
CREATE TABLE IF NOT EXISTS expected_instances (
    series_uid TEXT NOT NULL,
    position INTEGER NOT NULL,
    sop_instance_uid TEXT NOT NULL,
    PRIMARY KEY (series_uid, sop_instance_uid)
);
CREATE TABLE IF NOT EXISTS pins (
    study_uid TEXT PRIMARY KEY
);
CREATE TABLE IF NOT EXISTS study_opened (
    study_uid TEXT PRIMARY KEY,
    at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS counters (
    name TEXT PRIMARY KEY,
    value INTEGER NOT NULL
);
"""


def connect(path: str, key: DataKey | None = None) -> sqlite3.Connection:
    """One connection (each thread gets its own); autocommit, transactions opened by hand.

    With ``key`` the index is a SQLCipher database (AES-256, every page authenticated;
    https://www.zetetic.net/sqlcipher/design/) keyed with the raw installation key."""
    # Each connection is used by the thread that made it; check_same_thread=False only lets
    # Library.close() close the connections of worker threads that have ended.
    conn = sqlite3.connect(path, timeout=30.0, isolation_level=None, check_same_thread=False)
    conn.row_factory = sqlite3.Row
    try:
        if key is not None:
            conn.execute(key.sqlcipher_pragma())  # must come first, before any read
            # Sorts and temporary tables in memory, never in a clear file under /tmp
            # (https://sqlite.org/tempfiles.html).
            conn.execute("PRAGMA temp_store=MEMORY")
        conn.execute("PRAGMA journal_mode=WAL")
        # FULL: a commit is durable when it returns (NORMAL in WAL mode may lose the last
        # commits on a power cut, after the import had already reported them stored).
        conn.execute("PRAGMA synchronous=FULL")
        conn.execute("PRAGMA foreign_keys=ON")
    except sqlite3.Error:
        conn.close()  # a file that is not a database: the caller rebuilds or reports it
        raise
    return conn


def ensure_schema(conn: sqlite3.Connection, where: str) -> None:
    """Create the tables of a new index, or check the version of an existing one."""
    version = int(conn.execute("PRAGMA user_version").fetchone()[0])
    if version > SCHEMA_VERSION:
        raise StoreError(
            f"The library index {where} was written by a newer version of the workstation "
            f"(schema {version}); update the workstation to open it."
        )
    if version == SCHEMA_VERSION:
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        if version == 1:
            conn.execute("ALTER TABLE instances ADD COLUMN problem TEXT NOT NULL DEFAULT ''")
        for statement in _SCHEMA.split(";"):
            if statement.strip():
                conn.execute(statement)
        conn.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
