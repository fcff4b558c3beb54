"""Typed errors that reach the user as one sentence.

Every error raised by the core carries a message written for the person at the workstation: what
happened and, where there is one, what to do. The message never contains patient data (names,
IDs, birth dates); UIDs and file names chosen by the user are allowed.
"""

from __future__ import annotations


class WorkstationError(Exception):
    """Base of every error the workstation reports to its user."""


class SettingsError(WorkstationError):
    """The settings file cannot be read or holds an invalid value."""


class ArchiveError(WorkstationError):
    """The archive could not be reached or answered with an error (DICOMweb, PS3.18)."""

    def __init__(self, message: str, *, status: int | None = None, retryable: bool = False):
        super().__init__(message)
        self.status = status
        self.retryable = retryable


class AuthError(ArchiveError):
    """The archive refused our credentials (HTTP 401) or our rights (HTTP 403)."""


class NotFoundError(ArchiveError):
    """The archive does not hold the requested study, series, instance or frame (HTTP 404)."""


class TransferInterrupted(ArchiveError):
    """A response was cut short (connection lost, truncated multipart body)."""


class Cancelled(WorkstationError):
    """The user cancelled the operation (for example by closing the study)."""


class InvalidDicomError(WorkstationError):
    """A file or part is not a DICOM object we can read (PS3.10 file format)."""


class DecodeError(WorkstationError):
    """Pixel data could not be decoded (missing codec, corrupt stream, inconsistent header)."""


class GeometryError(WorkstationError):
    """Image geometry is missing or inconsistent (PS3.3 C.7.6.2 Image Plane Module)."""


class StoreError(WorkstationError):
    """The local library could not store or read an object."""


class DocumentError(WorkstationError):
    """A non-image document (encapsulated PDF, structured report) cannot be shown (PS3.3 A.45, A.35)."""


class HangingProtocolError(WorkstationError):
    """A hanging protocol file is invalid or cannot be read (PS3.3 A.38 vocabulary, OHIF's JSON).

    ``path`` names the file when there is one; the message names it and the offending field.
    """

    def __init__(self, message: str, *, path: str = "", field: str = ""):
        super().__init__(message)
        self.path = path
        self.field = field


class ReportError(WorkstationError):
    """A report cannot be edited, validated, saved or turned into a document in its present state."""


class PlaceholderError(ReportError):
    """A report still holds template text or default values the radiologist never touched or
    accepted, and the signer did not consent to leaving them out."""


class TemplateError(ReportError):
    """A report template file is not a valid template (resources/report_templates or the user's folder)."""


class SigningError(ReportError):
    """A report could not be signed or its signature did not verify (PAdES, ETSI EN 319 142)."""
