"""Forwarding the audit log to an audit repository: syslog over TLS (RFC 5424, RFC 5425).

Each record goes as one RFC 5424 message: facility authpriv (10), severity notice (5), as the
IHE ITI ATNA profile asks (PRI ``<85>``), APP-NAME ``workstation``, MSGID ``IHE+RFC-3881`` and
the DICOM audit message XML (:mod:`workstation.audit.atna`) as MSG, UTF-8 with its BOM. Over TLS
each message is framed by its length in octets (RFC 5425 4.3, octet counting). The server's
certificate is verified against the configured CA (or the system's), with its host name; the
workstation presents its own certificate when the settings name one (mutual TLS, ATNA
"Secure Node").

Nothing is lost when the repository cannot be reached: ``audit.forwarded`` beside the log
remembers the number of the last record sent, and the next record forwarded (or ``workstation
audit --forward``) sends every record after it, in order. After a failure, records appended in
the next ``RETRY_AFTER_S`` seconds are not forwarded one by one (each would wait for the
connection's timeout); they go with the next attempt. Syslog has no acknowledgement: a record
counts as sent once TLS accepted it whole.
"""

from __future__ import annotations

import json
import logging
import socket
import ssl
import time
from pathlib import Path

from workstation.atomic import write_text_atomic
from workstation.audit.atna import to_xml
from workstation.audit.log import AuditEntry, iter_lines, unseal
from workstation.errors import WorkstationError
from workstation.settings import AuditSettings

log = logging.getLogger(__name__)

PRI_AUTHPRIV_NOTICE = 10 * 8 + 5
APP_NAME = "workstation"
MSGID = "IHE+RFC-3881"
BOM = b"\xef\xbb\xbf"
STATE_FILE = "audit.forwarded"
RETRY_AFTER_S = 60.0
_RETRY_AT: dict[tuple[str, int], float] = {}


class ForwardError(WorkstationError):
    """The audit repository could not be reached or refused the connection."""


def syslog_frame(entry: AuditEntry, hostname: str) -> bytes:
    """One RFC 5424 message for ``entry``, framed for TLS transport (RFC 5425 4.3)."""
    header = f"<{PRI_AUTHPRIV_NOTICE}>1 {entry.time} {hostname or '-'} {APP_NAME} - {MSGID} - "
    message = header.encode("ascii") + BOM + to_xml(entry).encode("utf-8")
    return str(len(message)).encode("ascii") + b" " + message


class SyslogForwarder:
    """Sends the records the repository has not taken yet (called after each append)."""

    def __init__(self, settings: AuditSettings, log_path: Path) -> None:
        self.settings = settings
        self.log_path = Path(log_path)
        self.state_path = self.log_path.with_name(STATE_FILE)

    @classmethod
    def from_settings(cls, settings: AuditSettings, log_path: Path) -> SyslogForwarder:
        return cls(settings, log_path)

    def _state(self) -> tuple[int, int]:
        """(number of the last record sent, byte offset in the log just after it)."""
        try:
            data = json.loads(self.state_path.read_text(encoding="utf-8"))
            return int(data.get("seq", 0)), int(data.get("offset", 0))
        except (OSError, ValueError, AttributeError, TypeError):
            return 0, 0

    def _pending(self) -> tuple[list[AuditEntry], int]:
        """The records after the last one sent, read from where the last sending stopped (the
        whole log only when the log is shorter than that: replaced or restored), and the
        offset after the last of them."""
        last_seq, offset = self._state()
        try:
            with self.log_path.open("rb") as fh:
                size = fh.seek(0, 2)
                if offset > size:
                    offset = 0
                fh.seek(offset)
                raw = fh.read()
        except FileNotFoundError:
            return [], offset
        pending: list[AuditEntry] = []
        end = offset
        position = offset
        for _n, chunk, data in iter_lines(raw):
            position += len(chunk)
            if data is None or not chunk.endswith(b"\n") or "hash" not in data:
                continue
            entry = AuditEntry.from_json(unseal(data))  # the repository gets the identifiers
            if entry.seq > last_seq:
                pending.append(entry)
                end = position
        return pending, end

    def _context(self) -> ssl.SSLContext:
        context = ssl.create_default_context(cafile=self.settings.ca_bundle or None)
        context.minimum_version = ssl.TLSVersion.TLSv1_2
        if self.settings.client_cert:
            context.load_cert_chain(self.settings.client_cert, self.settings.client_key or None)
        return context

    def __call__(self, _entry: AuditEntry | None = None) -> int:
        """After an append: send what is pending, unless the repository failed moments ago."""
        key = (self.settings.syslog_host, int(self.settings.syslog_port))
        if time.monotonic() < _RETRY_AT.get(key, 0.0):
            return 0
        return self.send_pending()

    def send_pending(self) -> int:
        """Send every record after the last one sent; returns how many were sent."""
        pending, end = self._pending()
        if not pending:
            return 0
        host, port = self.settings.syslog_host, int(self.settings.syslog_port)
        _RETRY_AT[(host, port)] = time.monotonic() + RETRY_AFTER_S  # cleared once all went
        try:
            with socket.create_connection((host, port), timeout=self.settings.timeout_s) as raw, \
                    self._context().wrap_socket(raw, server_hostname=host) as tls:
                for entry in pending:
                    tls.sendall(syslog_frame(entry, socket.gethostname()))
                # A TLS close (close_notify) before the records count as sent (RFC 5425 4.4):
                # a server closing on our last frame must not lose it unnoticed.
                tls.unwrap()
                last = pending[-1]
                write_text_atomic(self.state_path, json.dumps({"seq": last.seq, "hash": last.hash,
                                                               "offset": end}))
        except ssl.SSLError as exc:
            raise ForwardError(f"The audit repository at {host}:{port} was not trusted ({exc.reason}); "
                               "check its CA in the audit settings.") from None
        except OSError as exc:
            log.info("Audit repository %s:%d unreachable (%s); records kept for later", host, port,
                     type(exc).__name__)
            raise ForwardError(f"The audit repository at {host}:{port} could not be reached; the "
                               "records are kept and sent later.") from None
        _RETRY_AT.pop((host, port), None)
        return len(pending)
