"""Display sets of library studies, kept between openings (issue 15: a study opened again opens
about as fast as reading its files).

Building a study's display sets (sorting along the normal, the volume checks of
:mod:`workstation.model.displayset`) costs about 0.35 ms per CT slice, paid again on every
opening although nothing changed. This keeps the result per study in the library folder
(``displaysets/<hash>.pickle``: the name is a hash of the Study Instance UID, no patient data).

An entry is used only when its key matches exactly. The key covers everything the build read:
the library's row of every instance given (SOP Instance UID, file path, size) with each file's
modification time, in the order given, and the source of the model package that builds display sets (a
changed rule rebuilds). Anything else (a file replaced, an instance added or hidden, an
unreadable or foreign entry) rebuilds and rewrites it. The folder is inside the library's private
folder (mode 0700). Entries hold headers (patient data): they are written through the library's
:class:`~workstation.crypt.files.Protection`, so they are encrypted at rest with the
installation's key (AES-256-GCM, authenticated) like the instance files, and atomically. With
encryption on, only an entry that opens under that key is unpickled: a planted or clear file is
rebuilt, never loaded.
"""

from __future__ import annotations

import hashlib
import logging
import os
import pickle
from collections.abc import Callable, Sequence
from pathlib import Path

from pydicom.dataset import Dataset

from workstation.crypt.files import Protection
from workstation.crypt.stream import DecryptError, is_encrypted_head
from workstation.model import displayset as displayset_module
from workstation.model.displayset import DisplaySet

log = logging.getLogger(__name__)

FOLDER = "displaysets"
_FORMAT = b"workstation-displaysets-1"


def _builder_fingerprint() -> bytes:
    """A hash of the source of the model package, which decides display sets (read once)."""
    digest = hashlib.sha256()
    for path in sorted(Path(displayset_module.__file__).parent.glob("*.py")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.digest()


class DisplaySetCache:
    """Display sets per study, keyed by the exact instances they were built from."""

    def __init__(self, library_root: Path, protection: Protection | None = None) -> None:
        self.folder = Path(library_root) / FOLDER
        self.protection = protection if protection is not None else Protection()
        self._builder = _builder_fingerprint()
        self.hits = 0
        self.misses = 0

    def _path(self, study_uid: str) -> Path:
        return self.folder / f"{hashlib.sha256(study_uid.encode()).hexdigest()[:32]}.pickle"

    def key(self, rows: Sequence[tuple[str, str, int]], root: Path) -> bytes:
        """The key of instances given as (SOP Instance UID, path in the library, size)."""
        digest = hashlib.sha256(_FORMAT + self._builder)
        for sop_uid, rel, size in rows:
            try:
                mtime = os.stat(root / rel).st_mtime_ns
            except OSError:
                mtime = -1
            digest.update(f"{sop_uid}\0{rel}\0{size}\0{mtime}\n".encode())
        return digest.digest()

    def get(self, study_uid: str, key: bytes) -> list[DisplaySet] | None:
        path = self._path(study_uid)
        try:
            with open(path, "rb") as fh:
                head = fh.read(16)
            if self.protection.encrypt and not is_encrypted_head(head):
                return None  # written in clear or by someone else: rebuilt, never unpickled
            blob = self.protection.read_bytes(path)
        except (OSError, DecryptError):
            return None
        try:
            stored_key, sets = pickle.loads(blob)  # noqa: S301 - the library's private folder
        except Exception:  # noqa: BLE001 - a damaged or foreign entry is rebuilt
            log.info("a display set cache entry could not be read; rebuilding it")
            return None
        if stored_key != key or not isinstance(sets, list) or not all(
                isinstance(s, DisplaySet) for s in sets):
            return None
        return sets

    def put(self, study_uid: str, key: bytes, sets: list[DisplaySet]) -> None:
        try:
            self.folder.mkdir(mode=0o700, exist_ok=True)
            self.protection.write_bytes(self._path(study_uid), pickle.dumps((key, sets), protocol=5))
        except OSError as exc:  # a cache: failing to keep it costs only time
            log.info("the display set cache could not be written (%s)", exc.strerror)

    def display_sets(self, study_uid: str, headers: Sequence[Dataset],
                     rows: Sequence[tuple[str, str, int]], root: Path,
                     build: Callable[[Sequence[Dataset]], list[DisplaySet]]) -> list[DisplaySet]:
        """The display sets of ``headers`` (read from the library files ``rows``, same order):
        from the cache when it holds them for exactly these files, else built and kept."""
        key = self.key(rows, root)
        cached = self.get(study_uid, key)
        if cached is not None:
            self.hits += 1
            return cached
        self.misses += 1
        sets = build(headers)
        self.put(study_uid, key, sets)
        return sets

    def forget(self, study_uid: str) -> None:
        try:
            self._path(study_uid).unlink()
        except OSError:
            pass
