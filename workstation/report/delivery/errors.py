"""Typed delivery errors: one sentence for the user, plus whether a later retry can help."""

from __future__ import annotations

from workstation.errors import WorkstationError


class DeliveryError(WorkstationError):
    """A report version could not be delivered to one destination (RIS or archive).

    ``retryable`` is ``True`` for faults that a later attempt can get past (no connection, a
    timeout, a busy server, a stale version); ``False`` when a person has to act first (the
    destination refused the content or the credentials).
    """

    def __init__(self, message: str, *, retryable: bool, status: int | None = None) -> None:
        super().__init__(message)
        self.retryable = retryable
        self.status = status


class ReportPackageError(DeliveryError):
    """An outgoing report folder is incomplete or its report.json is invalid."""

    def __init__(self, message: str) -> None:
        super().__init__(message, retryable=False)
