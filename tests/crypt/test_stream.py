"""The encrypted file format (workstation.crypt.stream): round trips, seeking, and every way a
file can be tampered with fails to decrypt instead of reading wrong or short."""

from __future__ import annotations

import io
import os

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from workstation.crypt import stream
from workstation.crypt.stream import (
    CHUNK_BYTES,
    HEADER_BYTES,
    TAG_BYTES,
    DecryptError,
    DecryptingReader,
    ForeignKeyError,
    clear_size,
    decrypt_bytes,
    encrypt_bytes,
    encrypted_size,
)

KEY = bytes(range(32))
SIZES = [0, 1, CHUNK_BYTES - 1, CHUNK_BYTES, CHUNK_BYTES + 1, 3 * CHUNK_BYTES, 3 * CHUNK_BYTES + 17]


@pytest.mark.parametrize("size", SIZES)
def test_round_trip_and_size_arithmetic(size: int) -> None:
    data = os.urandom(size)
    sealed = encrypt_bytes(data, KEY)
    assert len(sealed) == encrypted_size(size) and clear_size(len(sealed)) == size
    assert decrypt_bytes(sealed, KEY) == data
    assert data[:64] not in sealed[HEADER_BYTES:] or size < 16


def test_first_chunk_matches_an_independent_aes_gcm_computation() -> None:
    """The framing is the documented one: HKDF-SHA256 file key, counter nonce, header in AAD."""
    data = b"Dupont^Jean patient data " * 10
    sealed = encrypt_bytes(data, KEY)
    header = sealed[:HEADER_BYTES]
    file_id = header[8 + 8: 8 + 8 + 16]
    file_key = HKDF(algorithm=hashes.SHA256(), length=32, salt=file_id,
                    info=b"workstation data file v1").derive(KEY)
    nonce = (0).to_bytes(11, "big") + b"\x01"  # the only chunk, so the final one
    aad = header + (0).to_bytes(8, "big") + b"\x01"
    assert AESGCM(file_key).decrypt(nonce, sealed[HEADER_BYTES:], aad) == data


def test_random_access_reads_decrypt_only_what_is_asked() -> None:
    data = os.urandom(5 * CHUNK_BYTES + 123)
    reader = io.BufferedReader(DecryptingReader(io.BytesIO(encrypt_bytes(data, KEY)), KEY))
    for offset, n in [(0, 10), (CHUNK_BYTES - 5, 10), (4 * CHUNK_BYTES + 7, CHUNK_BYTES),
                      (len(data) - 3, 100), (len(data) + 5, 10)]:
        reader.seek(offset)
        assert reader.read(n) == data[offset: offset + n]
    reader.seek(-4, io.SEEK_END)
    assert reader.read() == data[-4:]


def _chunks(sealed: bytes) -> list[bytes]:
    body = sealed[HEADER_BYTES:]
    step = CHUNK_BYTES + TAG_BYTES
    return [body[i: i + step] for i in range(0, len(body), step)]


def test_reordered_dropped_truncated_extended_or_flipped_chunks_fail() -> None:
    data = os.urandom(3 * CHUNK_BYTES + 100)
    sealed = encrypt_bytes(data, KEY)
    header, chunks = sealed[:HEADER_BYTES], _chunks(sealed)
    tampered = {
        "swapped": header + chunks[1] + chunks[0] + chunks[2] + chunks[3],
        "middle chunk dropped": header + chunks[0] + chunks[2] + chunks[3],
        "last chunk dropped": header + b"".join(chunks[:3]),
        "last bytes cut": sealed[:-1],
        "a chunk appended": sealed + chunks[1],
        "a bit flipped": sealed[:HEADER_BYTES + 5] + bytes([sealed[HEADER_BYTES + 5] ^ 1])
        + sealed[HEADER_BYTES + 6:],
        "file id changed": sealed[:20] + bytes([sealed[20] ^ 1]) + sealed[21:],
    }
    other = encrypt_bytes(data, KEY)  # same content, same key, another file
    tampered["chunk from another file"] = header + chunks[0] + _chunks(other)[1] + chunks[2] + chunks[3]
    for what, blob in tampered.items():
        with pytest.raises(DecryptError):
            decrypt_bytes(blob, KEY)
            pytest.fail(f"{what}: decrypted")


def test_another_key_is_named_as_such() -> None:
    sealed = encrypt_bytes(b"x" * 100, KEY)
    with pytest.raises(ForeignKeyError, match="another installation's key"):
        decrypt_bytes(sealed, bytes(32))


def test_the_writer_streams_in_pieces_of_any_size() -> None:
    data = os.urandom(2 * CHUNK_BYTES + 999)
    sink = io.BytesIO()
    writer = stream.EncryptingWriter(sink, KEY)
    for i in range(0, len(data), 7777):
        writer.write(data[i: i + 7777])
    writer.close()
    assert decrypt_bytes(sink.getvalue(), KEY) == data
