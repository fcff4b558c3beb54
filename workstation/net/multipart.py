"""Streaming reader and writer for multipart/related bodies (RFC 2046 5.1, RFC 2387).

DICOMweb returns instances, frames and bulk data as ``multipart/related`` payloads and STOW-RS
sends them the same way (PS3.18 8.6.1.2, "Multipart Media Types"). A series can be hundreds of
megabytes, so :func:`iter_parts` reads the body as a stream of chunks and hands out one part at a
time: it keeps at most the part being read plus one chunk, and every byte is scanned a bounded
number of times (the delimiter search resumes where the previous one stopped), so the work is
linear in the size of the body.

A part may be given a size limit (``max_part_bytes``): a part that grows past it (a part that
never ends, a body far larger than any instance) raises :class:`PartTooLarge` once the limit is
passed, so memory stays bounded by the limit plus one chunk whatever the server sends.

A body that stops before its close delimiter (a connection dropped mid-transfer, a proxy that
cut the response) raises :class:`~workstation.errors.TransferInterrupted` after every complete
part before the cut has been yielded, so the caller keeps what did arrive.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from workstation.errors import ArchiveError, TransferInterrupted

CRLF = b"\r\n"
_MAX_HEADER_BYTES = 64 * 1024  # a part's header block; anything longer is not a DICOMweb body
_MAX_PADDING_BYTES = 1024  # transport padding after a delimiter (RFC 2046 5.1.1)


@dataclass(frozen=True)
class Part:
    """One body part: its MIME headers (names in lower case) and its content."""

    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""

    @property
    def content_type(self) -> str:
        """The part's Content-Type header ("" when the part has none)."""
        return self.headers.get("content-type", "")

    @property
    def media_type(self) -> str:
        """The media type without parameters, in lower case (e.g. ``application/dicom``)."""
        return parse_content_type(self.content_type)[0]

    @property
    def location(self) -> str:
        """The part's Content-Location (PS3.18 8.6.1.2.1), or ""."""
        return self.headers.get("content-location", "")


def parse_content_type(value: str) -> tuple[str, dict[str, str]]:
    """Split a Content-Type value into its media type and parameters (RFC 2045 5.1).

    Parameter names are returned in lower case; quoted values are unquoted, and a ``;`` inside
    quotes (as in ``type="image/jp2; transfer-syntax=..."``, which some archives send) does not
    split the value.
    """
    pieces: list[str] = []
    current: list[str] = []
    in_quotes = False
    escaped = False
    for ch in value:
        if escaped:
            current.append(ch)
            escaped = False
        elif ch == "\\" and in_quotes:
            current.append(ch)
            escaped = True
        elif ch == '"':
            in_quotes = not in_quotes
            current.append(ch)
        elif ch == ";" and not in_quotes:
            pieces.append("".join(current))
            current = []
        else:
            current.append(ch)
    pieces.append("".join(current))
    media_type = pieces[0].strip().lower()
    params: dict[str, str] = {}
    for piece in pieces[1:]:
        name, sep, raw = piece.partition("=")
        if not sep:
            continue
        raw = raw.strip()
        if len(raw) >= 2 and raw[0] == raw[-1] == '"':
            raw = raw[1:-1].replace('\\"', '"').replace("\\\\", "\\")
        params[name.strip().lower()] = raw
    return media_type, params


def boundary_of(content_type: str) -> str:
    """The boundary parameter of a multipart Content-Type; :class:`ArchiveError` if absent."""
    media_type, params = parse_content_type(content_type)
    boundary = params.get("boundary", "")
    if not media_type.startswith("multipart/") or not boundary:
        raise ArchiveError(
            "The archive answered with a body that is not multipart/related as DICOMweb "
            "requires (PS3.18 8.6.1.2); check that the URL points to a DICOMweb service."
        )
    return boundary


class PartTooLarge(ArchiveError):
    """A multipart body part grew past the size it can reasonably have."""


def _parse_headers(block: bytes) -> dict[str, str]:
    """MIME part headers (RFC 2045 / RFC 822 style), folded lines unfolded."""
    headers: dict[str, str] = {}
    last = ""
    for raw_line in block.split(CRLF):
        line = raw_line.decode("latin-1")
        if not line:
            continue
        if line[0] in " \t" and last:
            headers[last] += " " + line.strip()
            continue
        name, sep, value = line.partition(":")
        if not sep:
            raise ArchiveError(
                "The archive sent a multipart body with a malformed part header; "
                "the transfer cannot be read."
            )
        last = name.strip().lower()
        headers[last] = value.strip()
    return headers


def iter_parts(chunks: Iterable[bytes], boundary: str, *, max_part_bytes: int | None = None,
               who: str = "The archive") -> Iterator[Part]:
    """Yield the parts of a multipart body read from ``chunks`` (RFC 2046 5.1.1).

    The preamble (including a bare ``\\r\\n`` before the first delimiter), transport padding
    after delimiters and the epilogue are skipped. Raises :class:`TransferInterrupted` when
    the chunks end before the close delimiter; parts completed before that were yielded.
    Raises :class:`PartTooLarge` as soon as a part's content passes ``max_part_bytes``
    (``who`` begins that sentence, e.g. "The archive at pacs.example.org").
    """
    if not boundary:
        raise ValueError("an empty multipart boundary")
    delimiter = CRLF + b"--" + boundary.encode("latin-1")
    # Pretend the body starts with CRLF so a delimiter on the very first line is found by the
    # same search as every other one.
    buf = bytearray(CRLF)
    scan = 0  # where the next search starts: nothing before it can begin a match
    state = "preamble"
    headers: dict[str, str] = {}
    complete = 0
    source = iter(chunks)
    while True:
        progressed = True
        while progressed:
            progressed = False
            if state in ("preamble", "body"):
                index = buf.find(delimiter, scan)
                if index < 0:
                    scan = max(0, len(buf) - len(delimiter) + 1)
                    if state == "preamble" and scan:
                        del buf[:scan]  # the preamble is not kept
                        scan = 0
                    elif max_part_bytes is not None and scan > max_part_bytes:
                        raise _too_large(who, complete, max_part_bytes)
                    continue
                if state == "body" and max_part_bytes is not None and index > max_part_bytes:
                    raise _too_large(who, complete, max_part_bytes)
                if state == "body":
                    with memoryview(buf) as view:  # one copy of the part, not two
                        body = bytes(view[:index])
                    yield Part(headers, body)
                    complete += 1
                del buf[: index + len(delimiter)]
                scan = 0
                state = "delimiter-line"
                progressed = True
            elif state == "delimiter-line":
                if len(buf) < 2:
                    continue
                if buf[:2] == b"--":
                    return  # close delimiter: the epilogue is ignored
                end = buf.find(CRLF)
                if end < 0:
                    if len(buf) > _MAX_PADDING_BYTES:
                        raise _malformed()
                    continue
                if bytes(buf[:end]).strip(b" \t"):
                    raise _malformed()
                del buf[:end]  # keep the CRLF: an empty header block is then CRLF CRLF
                state = "headers"
                progressed = True
            elif state == "headers":
                end = buf.find(CRLF + CRLF, scan)
                if end < 0:
                    scan = max(0, len(buf) - 3)
                    if len(buf) > _MAX_HEADER_BYTES:
                        raise _malformed()
                    continue
                headers = _parse_headers(bytes(buf[2:end]))
                del buf[: end + 4]
                scan = 0
                state = "body"
                progressed = True
        chunk = next(source, None)
        if chunk is None:
            break
        if chunk:
            buf += chunk
    raise TransferInterrupted(
        f"The transfer was cut short after {complete} complete part(s): the multipart body "
        "ended before its closing boundary; try again, or check the connection."
    )


def _too_large(who: str, complete: int, limit: int) -> PartTooLarge:
    return PartTooLarge(
        f"{who} sent a part larger than {limit / 1e6:g} MB after {complete} complete part(s), "
        "more than one instance can reasonably be, so the transfer was abandoned: raise the "
        "instance size limit in the archive settings if the archive really holds such objects."
    )


def _malformed() -> ArchiveError:
    return ArchiveError(
        "The archive sent a malformed multipart body (PS3.18 8.6.1.2); the transfer cannot be "
        "read."
    )


def new_boundary() -> str:
    """A boundary that cannot occur in DICOM content by chance (RFC 2046 5.1.1, <= 70 chars)."""
    return f"workstation-{uuid.uuid4().hex}"


def encode_parts(
    bodies: Iterable[bytes], media_type: str, boundary: str
) -> Iterator[bytes]:
    """The chunks of a multipart/related body holding ``bodies`` as parts of ``media_type``."""
    opening = f"--{boundary}\r\nContent-Type: {media_type}\r\n\r\n".encode("latin-1")
    for body in bodies:
        yield opening
        yield body
        yield CRLF
    yield f"--{boundary}--\r\n".encode("latin-1")
