"""The encrypted file format: AES-256-GCM over fixed-size chunks, streamable and seekable.

Authenticated encryption (NIST SP 800-38D, AES-GCM, from the ``cryptography`` package) applied
chunk by chunk in the "STREAM" construction of Hoang, Reyhanitabar, Rogaway and Vizar (Online
Authenticated-Encryption and its Nonce-Reuse Misuse-Resistance, CRYPTO 2015), the same shape as
Tink's streaming AEAD: no home-made cipher, only the framing is ours.

Layout::

    header  = MAGIC (8) | key id (8) | file id (16, random) | chunk size (4, big-endian)
    chunk i = AES-GCM(file key, nonce_i, plaintext_i, aad_i)      (plaintext + 16-byte tag)

* ``file key = HKDF-SHA256(installation key, salt=file id, info=INFO)`` (RFC 5869): every file,
  and every rewrite of a file, has its own key, so counter nonces never repeat under one key.
* ``nonce_i = i (11 bytes, big-endian) | final flag (1 byte)``; ``aad_i = header | i (8 bytes) |
  final flag``. The chunk index and the file identity are authenticated, so chunks cannot be
  reordered, moved between files or dropped; the last chunk carries the final flag, so a file
  truncated at a chunk boundary or extended fails to decrypt instead of reading short.
* Every chunk holds ``chunk size`` bytes except the last, which holds 1 to ``chunk size`` bytes
  (0 only for an empty file). The clear size therefore follows from the size on disk
  (``clear_size``), and a reader seeks to any offset decrypting one chunk.
* The key id (a hash of the installation key, not the key) tells "another installation's key"
  apart from "damaged file" in the error sentence.
"""

from __future__ import annotations

import hashlib
import io
import os
import struct
from typing import IO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from workstation.errors import StoreError

MAGIC = b"\x89WSENC\r\n"
KEY_BYTES = 32
KEY_ID_BYTES = 8
FILE_ID_BYTES = 16
TAG_BYTES = 16
CHUNK_BYTES = 64 * 1024
HEADER_BYTES = len(MAGIC) + KEY_ID_BYTES + FILE_ID_BYTES + 4
INFO = b"workstation data file v1"


class DecryptError(StoreError):
    """An encrypted file cannot be read: damaged, truncated, or written under another key."""


class ForeignKeyError(DecryptError):
    """An encrypted file was written under another key (another installation's, or a deleted one)."""


def key_id(key: bytes) -> bytes:
    """A short public identifier of ``key`` (a hash; it reveals nothing of the key)."""
    return hashlib.sha256(b"workstation key id\0" + key).digest()[:KEY_ID_BYTES]


def is_encrypted_head(head: bytes) -> bool:
    """Whether the first bytes of a file are the header of this format."""
    return head[: len(MAGIC)] == MAGIC


def is_encrypted_file(path: str | os.PathLike[str]) -> bool:
    """Whether the file at ``path`` is in this format (a clear file, or a missing one, is not)."""
    try:
        with open(path, "rb") as fh:
            return is_encrypted_head(fh.read(len(MAGIC)))
    except OSError:
        return False


def encrypted_size(clear: int, chunk: int = CHUNK_BYTES) -> int:
    """Bytes on disk for ``clear`` bytes of content."""
    chunks = max(1, -(-clear // chunk))
    return HEADER_BYTES + clear + TAG_BYTES * chunks


def clear_size(on_disk: int, chunk: int = CHUNK_BYTES) -> int:
    """Bytes of content in an encrypted file of ``on_disk`` bytes; -1 when no well-formed file
    has that size (cut in the header or inside a tag)."""
    body = on_disk - HEADER_BYTES
    if body < TAG_BYTES:
        return -1
    full, rest = divmod(body, chunk + TAG_BYTES)
    if rest == 0:
        return full * chunk
    if rest < TAG_BYTES or (rest == TAG_BYTES and full > 0):
        return -1
    return full * chunk + rest - TAG_BYTES


def _file_key(key: bytes, file_id: bytes) -> AESGCM:
    derived = HKDF(algorithm=hashes.SHA256(), length=KEY_BYTES, salt=file_id, info=INFO).derive(key)
    return AESGCM(derived)


def _nonce_aad(header: bytes, index: int, final: bool) -> tuple[bytes, bytes]:
    flag = b"\x01" if final else b"\x00"
    return index.to_bytes(11, "big") + flag, header + index.to_bytes(8, "big") + flag


class EncryptingWriter(io.RawIOBase):
    """A write-only file object: what is written to it lands encrypted in ``sink``.

    ``close()`` writes the final chunk (it does not close ``sink``); a writer dropped without
    ``close()`` leaves a file that will not decrypt, never one that reads short.
    """

    def __init__(self, sink: IO[bytes], key: bytes, chunk: int = CHUNK_BYTES) -> None:
        super().__init__()
        if len(key) != KEY_BYTES:
            raise ValueError("the data key must be 32 bytes (AES-256)")
        self._sink = sink
        self._chunk = chunk
        self._header = MAGIC + key_id(key) + os.urandom(FILE_ID_BYTES) + struct.pack(">I", chunk)
        self._aead = _file_key(key, self._header[len(MAGIC) + KEY_ID_BYTES: -4])
        self._buffer = bytearray()
        self._index = 0
        self._finished = False
        sink.write(self._header)

    def writable(self) -> bool:
        return True

    def write(self, data: bytes | bytearray | memoryview) -> int:  # type: ignore[override]
        if self._finished:
            raise ValueError("write to a finished encrypted file")
        view = memoryview(data).cast("B")
        self._buffer += view
        # Keep at least one byte back: only close() knows which chunk is the last.
        start = 0
        with memoryview(self._buffer) as buffered:
            while len(buffered) - start > self._chunk:
                self._emit(buffered[start: start + self._chunk], final=False)
                start += self._chunk
        del self._buffer[:start]  # one move per write, not one per chunk
        return len(view)

    def _emit(self, plain: bytes | memoryview, final: bool) -> None:
        nonce, aad = _nonce_aad(self._header, self._index, final)
        self._sink.write(self._aead.encrypt(nonce, plain, aad))
        self._index += 1

    def finish(self) -> None:
        """Write the last chunk; the sink then holds a complete file."""
        if not self._finished:
            self._emit(bytes(self._buffer), final=True)
            self._buffer.clear()
            self._finished = True

    def close(self) -> None:
        if not self.closed:
            self.finish()
        super().close()


class DecryptingReader(io.RawIOBase):
    """A read-only, seekable file object over an encrypted file (``source`` must be seekable);
    each chunk is authenticated before any of its bytes are returned."""

    def __init__(self, source: IO[bytes], key: bytes, name: str = "",
                 size_on_disk: int | None = None) -> None:
        super().__init__()
        self._source = source
        self.name = name
        header = source.read(HEADER_BYTES)
        if len(header) < HEADER_BYTES or not is_encrypted_head(header):
            raise DecryptError(f"{self._what()} is not an encrypted workstation file.")
        if header[len(MAGIC): len(MAGIC) + KEY_ID_BYTES] != key_id(key):
            raise ForeignKeyError(
                f"{self._what()} was encrypted with another installation's key (the key was "
                "deleted, or the file comes from another machine): it cannot be read here."
            )
        self._header = header
        (self._chunk,) = struct.unpack(">I", header[-4:])
        if not 0 < self._chunk <= 64 * 1024 * 1024:
            raise DecryptError(f"{self._what()} has a damaged header.")
        self._aead = _file_key(key, header[len(MAGIC) + KEY_ID_BYTES: -4])
        if size_on_disk is not None:
            on_disk = size_on_disk
        else:
            try:
                on_disk = os.fstat(source.fileno()).st_size
            except (OSError, AttributeError, io.UnsupportedOperation):
                on_disk = _length(source)
        self._size = clear_size(on_disk, self._chunk)
        if self._size < 0:
            raise DecryptError(f"{self._what()} is truncated.")
        self._chunks = max(1, -(-self._size // self._chunk))
        self._pos = 0
        self._cached: tuple[int, bytes] | None = None

    def _what(self) -> str:
        return "The file " + os.path.basename(self.name) if self.name else "An encrypted file"

    @property
    def size(self) -> int:
        """Bytes of clear content."""
        return self._size

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._pos

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        if whence == io.SEEK_SET:
            pos = offset
        elif whence == io.SEEK_CUR:
            pos = self._pos + offset
        elif whence == io.SEEK_END:
            pos = self._size + offset
        else:
            raise ValueError(f"invalid whence {whence}")
        if pos < 0:
            raise ValueError("negative seek position")
        self._pos = pos
        return pos

    def _chunk_at(self, index: int) -> bytes:
        if self._cached is not None and self._cached[0] == index:
            return self._cached[1]
        final = index == self._chunks - 1
        self._source.seek(HEADER_BYTES + index * (self._chunk + TAG_BYTES))
        length = (self._size - index * self._chunk if final else self._chunk) + TAG_BYTES
        sealed = self._source.read(length)
        nonce, aad = _nonce_aad(self._header, index, final)
        try:
            plain = self._aead.decrypt(nonce, sealed, aad)
        except InvalidTag:
            raise DecryptError(
                f"{self._what()} is damaged (chunk {index} fails its integrity check)."
            ) from None
        self._cached = (index, plain)
        return plain

    def readinto(self, buffer: memoryview | bytearray) -> int:  # type: ignore[override]
        view = memoryview(buffer).cast("B")
        done = 0
        while done < len(view) and self._pos < self._size:
            index, offset = divmod(self._pos, self._chunk)
            plain = self._chunk_at(index)
            n = min(len(view) - done, len(plain) - offset)
            view[done: done + n] = plain[offset: offset + n]
            done += n
            self._pos += n
        return done

    def readall(self) -> bytes:
        parts = []
        while self._pos < self._size:
            index, offset = divmod(self._pos, self._chunk)
            plain = self._chunk_at(index)
            parts.append(plain[offset:])
            self._pos += len(plain) - offset
        self._cached = None
        return b"".join(parts)

    def close(self) -> None:
        if not self.closed:
            self._source.close()
        super().close()


def _length(source: IO[bytes]) -> int:
    here = source.tell()
    end = source.seek(0, io.SEEK_END)
    source.seek(here)
    return end


def encrypt_bytes(data: bytes, key: bytes) -> bytes:
    """``data`` in the encrypted format (for small files written whole)."""
    sink = io.BytesIO()
    writer = EncryptingWriter(sink, key)
    writer.write(data)
    writer.finish()
    return sink.getvalue()


def decrypt_bytes(sealed: bytes, key: bytes, name: str = "") -> bytes:
    """The content of an encrypted file held in memory, decrypted in one pass (the same checks
    as ``DecryptingReader``, without its seeks and copies)."""
    reader = DecryptingReader(io.BytesIO(sealed[:HEADER_BYTES]), key, name, size_on_disk=len(sealed))
    view = memoryview(sealed)
    step = reader._chunk + TAG_BYTES
    parts = []
    for index in range(reader._chunks):
        final = index == reader._chunks - 1
        start = HEADER_BYTES + index * step
        nonce, aad = _nonce_aad(reader._header, index, final)
        try:
            parts.append(reader._aead.decrypt(nonce, view[start: start + step], aad))
        except InvalidTag:
            raise DecryptError(
                f"{reader._what()} is damaged (chunk {index} fails its integrity check)."
            ) from None
    return b"".join(parts)
