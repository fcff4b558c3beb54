"""A small DICOMweb archive on 127.0.0.1 that misbehaves on request, for fault-injection tests.

It serves one study held in memory the way a DICOMweb archive does (PS3.18): QIDO-RS searches
for studies, series and instances (DICOM JSON), WADO-RS metadata, the series and each instance
as ``multipart/related; type="application/dicom"``, frames, and STOW-RS stores. A
:class:`Fault` set for one kind of request replaces the normal answer with a broken one: an error
status, a body dripped one byte at a time, a truncated or endless multipart body, a wrong content
type, a huge listing, or a redirect to another host. Every request is recorded (method, path,
Authorization header) so a test can check what reached the server.

Every misbehaviour stops by itself (after ``Fault.limit_bytes`` or ``Fault.limit_s``) so a client
without bounds fails a test in bounded time rather than hanging it.
"""

from __future__ import annotations

import copy
import datetime as dt
import ipaddress
import json
import ssl
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import BytesIO
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pydicom
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from pydicom.data import get_testdata_file
from pydicom.dataset import Dataset
from pydicom.uid import generate_uid

BOUNDARY = "fault-server-boundary"
KINDS = ("studies", "series", "instances", "metadata", "retrieve-series", "retrieve-instance",
         "frames", "store")


@dataclass
class Fault:
    """How the server misbehaves for one kind of request.

    ``what``: "status" (answer ``status``), "drip" (the normal body, one byte every ``drip_s``),
    "truncate" (a multipart body cut in the part after ``parts`` complete ones, the connection
    closed),
    "wrong-type" (an HTML page with status 200), "endless-part" (a part that never ends),
    "huge-listing" (a JSON array of study objects without end; ``declare_length`` also sends a
    Content-Length of ``declared`` bytes), "redirect" (302 to the same path on ``location``),
    "drip-headers" (the status line and headers themselves one byte every ``drip_s``).
    ``times``: how many requests it applies to (-1: all of them).
    """

    what: str
    status: int = 500
    drip_s: float = 0.2
    parts: int = 1
    times: int = -1
    limit_bytes: int = 64 * 1024 * 1024  # a fault body stops after this many bytes
    limit_s: float = 8.0  # ... or after this many seconds
    declare_length: bool = False
    declared: int = 6 * 10**9
    location: str = ""


@dataclass
class Seen:
    method: str
    path: str
    authorization: str
    kind: str


def _ct_instances(n: int) -> list[Dataset]:
    path = get_testdata_file("CT_small.dcm")
    assert path is not None
    base = pydicom.dcmread(path)
    base.StudyInstanceUID = generate_uid()
    base.SeriesInstanceUID = generate_uid()
    base.PatientName = "Défaut^Zoë"  # accented: names travel as UTF-8 (ISO_IR 192)
    base.SpecificCharacterSet = "ISO_IR 192"
    out = []
    for i in range(n):
        ds = copy.deepcopy(base)
        ds.SOPInstanceUID = generate_uid()
        ds.file_meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
        ds.InstanceNumber = i + 1
        out.append(ds)
    return out


def self_signed_tls(folder: Path) -> tuple[ssl.SSLContext, Path]:
    """A server context for 127.0.0.1 with a fresh self-signed certificate, and the PEM file
    a client trusts it by."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(minutes=5))
            .not_valid_after(now + dt.timedelta(hours=1))
            .add_extension(x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_path, key_path)
    return context, cert_path


def part10(ds: Dataset) -> bytes:
    """``ds`` as a PS3.10 file."""
    buf = BytesIO()
    ds.save_as(buf, enforce_file_format=True)
    return buf.getvalue()


def multipart(bodies: list[bytes], media_type: str = "application/dicom") -> bytes:
    out = b""
    for body in bodies:
        out += f"--{BOUNDARY}\r\nContent-Type: {media_type}\r\n\r\n".encode() + body + b"\r\n"
    return out + f"--{BOUNDARY}--\r\n".encode()


@dataclass
class FaultServer:
    """The misbehaving archive; ``faults`` maps a request kind (see ``KINDS``) to a Fault."""

    n_instances: int = 4
    host: str = "127.0.0.1"
    tls: ssl.SSLContext | None = None  # serve https:// with this server context
    faults: dict[str, Fault] = field(default_factory=dict)
    seen: list[Seen] = field(default_factory=list)
    stored: dict[str, bytes] = field(default_factory=dict)
    store_posts: int = 0
    server: ThreadingHTTPServer | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _stop: threading.Event = field(default_factory=threading.Event)

    def __post_init__(self) -> None:
        self.datasets = _ct_instances(self.n_instances)
        self.files = [part10(ds) for ds in self.datasets]
        self.study_uid = str(self.datasets[0].StudyInstanceUID)
        self.series_uid = str(self.datasets[0].SeriesInstanceUID)
        self.sop_uids = [str(ds.SOPInstanceUID) for ds in self.datasets]

    @property
    def port(self) -> int:
        assert self.server is not None
        return int(self.server.server_address[1])

    @property
    def url(self) -> str:
        scheme = "https" if self.tls is not None else "http"
        return f"{scheme}://{self.host}:{self.port}/dicom-web"

    def requests_of(self, kind: str) -> list[Seen]:
        return [s for s in self.seen if s.kind == kind]

    # -- normal answers ------------------------------------------------------------------------

    def _study_json(self) -> list[dict[str, Any]]:
        ds = Dataset()
        first = self.datasets[0]
        for keyword in ("StudyInstanceUID", "StudyDate", "StudyTime", "AccessionNumber",
                        "PatientName", "PatientID", "SpecificCharacterSet"):
            if keyword in first:
                setattr(ds, keyword, first.data_element(keyword).value)
        ds.ModalitiesInStudy = "CT"
        ds.NumberOfStudyRelatedInstances = len(self.datasets)
        return [ds.to_json_dict()]

    def _series_json(self) -> list[dict[str, Any]]:
        ds = Dataset()
        ds.SeriesInstanceUID = self.series_uid
        ds.Modality = "CT"
        ds.SeriesNumber = 1
        ds.NumberOfSeriesRelatedInstances = len(self.datasets)
        return [ds.to_json_dict()]

    def _instances_json(self) -> list[dict[str, Any]]:
        out = []
        for src in self.datasets:
            ds = Dataset()
            ds.SOPInstanceUID = src.SOPInstanceUID
            ds.SOPClassUID = src.SOPClassUID
            ds.InstanceNumber = src.InstanceNumber
            out.append(ds.to_json_dict())
        return out

    def _metadata_json(self) -> list[dict[str, Any]]:
        out = []
        for src in self.datasets:
            ds = copy.deepcopy(src)
            del ds.PixelData
            out.append(ds.to_json_dict())
        return out

    def _classify(self, method: str, path: str) -> tuple[str, list[str]]:
        segments = [s for s in path.split("/") if s][1:]  # after "dicom-web"
        if method == "POST":
            return "store", segments
        n = len(segments)
        if n == 1:
            return "studies", segments
        if n == 3 and segments[2] == "series":
            return "series", segments
        if n == 5 and segments[4] == "instances":
            return "instances", segments
        if n == 5 and segments[4] == "metadata":
            return "metadata", segments
        if n == 4:
            return "retrieve-series", segments
        if n == 6:
            return "retrieve-instance", segments
        if n == 8 and segments[6] == "frames":
            return "frames", segments
        return "unknown", segments

    def normal_answer(self, kind: str, segments: list[str], body: bytes) -> tuple[int, str, bytes]:
        js = "application/dicom+json"
        mp = f'multipart/related; type="application/dicom"; boundary={BOUNDARY}'
        if kind == "studies":
            return 200, js, json.dumps(self._study_json()).encode()
        if kind == "series":
            return 200, js, json.dumps(self._series_json()).encode()
        if kind == "instances":
            return 200, js, json.dumps(self._instances_json()).encode()
        if kind == "metadata":
            return 200, js, json.dumps(self._metadata_json()).encode()
        if kind == "retrieve-series":
            return 200, mp, multipart(self.files)
        if kind == "retrieve-instance":
            if segments[5] not in self.sop_uids:
                return 404, "application/json", b"{}"
            return 200, mp, multipart([self.files[self.sop_uids.index(segments[5])]])
        if kind == "frames":
            ds = self.datasets[self.sop_uids.index(segments[5])]
            octet = f'multipart/related; type="application/octet-stream"; boundary={BOUNDARY}'
            return 200, octet, multipart([bytes(ds.PixelData)], "application/octet-stream")
        if kind == "store":
            return self._store(body)
        return 404, "application/json", b"{}"

    def _store(self, body: bytes) -> tuple[int, str, bytes]:
        reply = Dataset()
        boundary = body[2: body.index(b"\r\n")]  # the client's, from its first delimiter line
        items = []
        for piece in body.split(b"\r\n--" + boundary):
            start = piece.find(b"\r\n\r\n")
            if start < 0:
                continue
            data = piece[start + 4:]
            try:
                ds = pydicom.dcmread(BytesIO(data), stop_before_pixels=True)
            except Exception:  # noqa: BLE001 - not an instance (the close delimiter)
                continue
            with self._lock:
                self.stored.setdefault(str(ds.SOPInstanceUID), data)  # first copy kept
            item = Dataset()
            item.ReferencedSOPClassUID = ds.SOPClassUID
            item.ReferencedSOPInstanceUID = ds.SOPInstanceUID
            items.append(item)
        reply.ReferencedSOPSequence = items
        return 200, "application/dicom+json", json.dumps(reply.to_json_dict()).encode()

    # -- server --------------------------------------------------------------------------------

    def start(self) -> FaultServer:
        archive = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:  # noqa: A002
                pass

            def do_GET(self) -> None:  # noqa: N802
                self._handle(b"")

            def do_POST(self) -> None:  # noqa: N802
                length = int(self.headers.get("Content-Length", "0"))
                self._handle(self.rfile.read(length))

            def _handle(self, body: bytes) -> None:
                path = urlsplit(self.path).path
                kind, segments = archive._classify(self.command, path)
                with archive._lock:
                    archive.seen.append(Seen(self.command, path,
                                             self.headers.get("Authorization", ""), kind))
                    if kind == "store":
                        archive.store_posts += 1
                    fault = archive.faults.get(kind)
                    if fault is not None and fault.times != 0:
                        fault.times -= 1 if fault.times > 0 else 0
                    else:
                        fault = None
                try:
                    if fault is None:
                        self._send(*archive.normal_answer(kind, segments, body))
                    else:
                        self._misbehave(fault, kind, segments, body)
                except (BrokenPipeError, ConnectionResetError):
                    self.close_connection = True

            def _send(self, status: int, content_type: str, payload: bytes) -> None:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def _stream(self, status: int, content_type: str, chunks: Iterator[bytes],
                        fault: Fault, length: int | None = None) -> None:
                """Send ``chunks`` until they end, ``fault``'s limits, or the client leaves."""
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                if length is not None:
                    self.send_header("Content-Length", str(length))
                self.send_header("Connection", "close")
                self.end_headers()
                self.close_connection = True
                sent = 0
                started = time.monotonic()
                for chunk in chunks:
                    if (archive._stop.is_set() or sent >= fault.limit_bytes
                            or time.monotonic() - started > fault.limit_s):
                        return
                    self.wfile.write(chunk)
                    self.wfile.flush()
                    sent += len(chunk)

            def _misbehave(self, fault: Fault, kind: str, segments: list[str], body: bytes) -> None:
                if fault.what == "status":
                    self._send(fault.status, "application/json", b'{"error": "injected"}')
                elif fault.what == "redirect":
                    self.send_response(302)
                    self.send_header("Location", fault.location + self.path)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                elif fault.what == "wrong-type":
                    self._send(200, "text/html; charset=utf-8",
                               "<html><body>Connexion requise — portail</body></html>".encode())
                elif fault.what == "drip-headers":
                    status, ctype, payload = archive.normal_answer(kind, segments, body)
                    head = (f"HTTP/1.1 {status} OK\r\nContent-Type: {ctype}\r\n"
                            f"Content-Length: {len(payload)}\r\nX-Padding: {'x' * 200}\r\n"
                            "\r\n").encode()

                    def drip_head() -> Iterator[bytes]:
                        for i in range(len(head)):
                            yield head[i:i + 1]
                            time.sleep(fault.drip_s)
                        yield payload

                    self.close_connection = True
                    sent, started = 0, time.monotonic()
                    for chunk in drip_head():
                        if archive._stop.is_set() or time.monotonic() - started > fault.limit_s:
                            return
                        self.wfile.write(chunk)
                        self.wfile.flush()
                        sent += len(chunk)
                elif fault.what == "drip":
                    status, ctype, payload = archive.normal_answer(kind, segments, body)

                    def drip() -> Iterator[bytes]:
                        for i in range(len(payload)):
                            yield payload[i:i + 1]
                            time.sleep(fault.drip_s)

                    self._stream(status, ctype, drip(), fault, len(payload))
                elif fault.what == "truncate":
                    _, ctype, _ = archive.normal_answer(kind, segments, body)
                    # ``parts`` complete parts, then the next one cut in the middle
                    following = archive.files[fault.parts]
                    cut = multipart(archive.files[: fault.parts]).rsplit(
                        f"--{BOUNDARY}--".encode(), 1)[0] + (
                        f"--{BOUNDARY}\r\nContent-Type: application/dicom\r\n\r\n".encode()
                        + following[: len(following) // 2])
                    self._stream(200, ctype, iter([cut]), fault)
                elif fault.what == "endless-part":
                    _, ctype, _ = archive.normal_answer(kind, segments, body)

                    def endless() -> Iterator[bytes]:
                        yield f"--{BOUNDARY}\r\nContent-Type: application/dicom\r\n\r\n".encode()
                        block = b"\x00" * 65536
                        while True:
                            yield block

                    self._stream(200, ctype, endless(), fault)
                elif fault.what == "huge-listing":
                    study = json.dumps(archive._study_json()[0]).encode()

                    def listing() -> Iterator[bytes]:
                        yield b"["
                        block = b",".join([study] * 64)
                        yield block
                        while True:
                            yield b"," + block

                    length = fault.declared if fault.declare_length else None
                    self._stream(200, "application/dicom+json", listing(), fault, length)
                else:  # pragma: no cover - a typo in a test
                    raise ValueError(fault.what)

        self.server = ThreadingHTTPServer((self.host, 0), Handler)
        self.server.daemon_threads = True
        if self.tls is not None:
            self.server.socket = self.tls.wrap_socket(self.server.socket, server_side=True)
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05},
                         daemon=True).start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
