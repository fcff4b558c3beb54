"""Reading and writing patient-data files through the installation's key.

``Protection`` says how files are written (encrypted with the data key, or in clear when the
settings say the disk is already encrypted) and reads either kind: a file is recognised by its
header (``stream.MAGIC``), so a folder part-way through its migration, or written before the
opt-out was changed, reads whole. Writes are crash-safe as ``workstation.atomic``: temporary
file in the same folder, fsync, rename (POSIX rename(2)).
"""

from __future__ import annotations

import contextlib
import io
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, BinaryIO, cast

from workstation.atomic import fsync_directory, replace_file
from workstation.crypt import keys
from workstation.crypt.stream import (
    MAGIC,
    DecryptError,
    DecryptingReader,
    EncryptingWriter,
    clear_size,
    decrypt_bytes,
    is_encrypted_head,
)

if TYPE_CHECKING:
    from workstation.settings import Settings


@dataclass(frozen=True)
class Protection:
    """How patient data is kept on disk: ``encrypt`` (the default) or in clear (opt-out)."""

    encrypt: bool = True

    @classmethod
    def for_settings(cls, settings: Settings | None = None) -> Protection:
        """The protection the settings ask for (encrypted unless ``disk_encrypted``)."""
        if settings is None:
            from workstation.settings import load_settings

            settings = load_settings()
        return cls(encrypt=not settings.disk_encrypted)

    def write_key(self) -> keys.DataKey | None:
        """The key to write with (created on first use), or ``None`` to write in clear."""
        return keys.load_key(create=True) if self.encrypt else None

    def database_key(self) -> keys.DataKey | None:
        """The key of the SQLCipher index; ``None`` for a clear one."""
        return self.write_key()

    @staticmethod
    def read_key(name: str = "") -> keys.DataKey:
        """The key to read an encrypted file with; a sentence when it has gone."""
        key = keys.load_key(create=False)
        if key is None:
            what = f"The file {os.path.basename(name)}" if name else "Patient data on this machine"
            raise DecryptError(
                f"{what} is encrypted but this installation's key is no longer in the system "
                "keyring (it was removed): the data cannot be read."
            )
        return key

    # ------------------------------------------------------------------ reading

    def open_read(self, path: Path) -> IO[bytes]:
        """A binary, seekable file object with the clear content of ``path`` (either kind)."""
        fh = open(path, "rb")  # noqa: SIM115 - handed to the caller
        try:
            head = fh.read(len(MAGIC))
            fh.seek(0)
            if not is_encrypted_head(head):
                return fh
            return io.BufferedReader(DecryptingReader(fh, self.read_key(str(path)).key, str(path)))
        except BaseException:
            fh.close()
            raise

    def read_bytes(self, path: Path) -> bytes:
        """The whole clear content of ``path`` (read in one call, decrypted in one pass)."""
        with open(path, "rb") as fh:
            blob = fh.read()
        if not is_encrypted_head(blob):
            return blob
        return decrypt_bytes(blob, self.read_key(str(path)).key, str(path))

    def read_text(self, path: Path) -> str:
        return self.read_bytes(path).decode("utf-8")

    @staticmethod
    def content_size(path: Path) -> int:
        """Bytes of clear content in ``path`` (an encrypted file's size less its overhead)."""
        size = os.stat(path).st_size
        with open(path, "rb") as fh:
            if not is_encrypted_head(fh.read(len(MAGIC))):
                return size
        return clear_size(size)

    # ------------------------------------------------------------------ writing

    @contextlib.contextmanager
    def writing(self, sink: BinaryIO) -> Iterator[BinaryIO]:
        """A file object writing into ``sink`` (encrypted or clear); the encrypted stream is
        finished when the block ends without an error."""
        key = self.write_key()
        if key is None:
            yield sink
            return
        writer = EncryptingWriter(sink, key.key)
        yield cast(BinaryIO, writer)
        writer.finish()

    def write_bytes(self, path: Path, data: bytes, *, fsync_dir: bool = False) -> None:
        """Replace ``path`` with ``data`` crash-safely; the folder must exist."""
        key = self.write_key()  # before the temporary file: no key, nothing written

        def write(fh: IO[bytes]) -> None:
            if key is None:
                fh.write(data)
            else:
                writer = EncryptingWriter(fh, key.key)
                writer.write(data)
                writer.finish()

        replace_file(Path(path), write, fsync_dir=fsync_dir)

    def write_text(self, path: Path, text: str, *, fsync_dir: bool = False) -> None:
        self.write_bytes(path, text.encode("utf-8"), fsync_dir=fsync_dir)

    def encrypt_in_place(self, path: Path, temp_prefix: str = "") -> bool:
        """Rewrite a clear file encrypted (crash-safe: the clear file stays whole until the
        encrypted one replaces it); ``False`` when it was already encrypted or is written clear."""
        path = Path(path)
        key = self.write_key()
        if key is None:
            return False
        with open(path, "rb") as src:
            if is_encrypted_head(src.read(len(MAGIC))):
                return False
            src.seek(0)

            def encrypt(fh: IO[bytes]) -> None:
                writer = EncryptingWriter(fh, key.key)
                while block := src.read(1024 * 1024):
                    writer.write(block)
                writer.finish()

            replace_file(path, encrypt, temp_prefix=temp_prefix)
        fsync_directory(path.parent)
        return True


def default() -> Protection:
    """The protection of this installation's settings."""
    return Protection.for_settings()


def read_protected(path: Path) -> bytes:
    """The clear content of a patient-data file written by :func:`write_protected` (encrypted
    or, on an opted-out machine or before the migration, clear)."""
    return Protection().read_bytes(Path(path))


def write_protected(path: Path, data: bytes, *, fsync_dir: bool = False,
                    settings: Settings | None = None) -> None:
    """Replace ``path`` with ``data`` crash-safely, encrypted unless the settings opt out."""
    Protection.for_settings(settings).write_bytes(Path(path), data, fsync_dir=fsync_dir)
