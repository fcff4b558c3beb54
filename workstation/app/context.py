"""What the workflows need from the running application, as one typed object.

The interface hands an :class:`AppContext` to the code that runs workflows (opening a study,
finding priors, signing a report) instead of the main window: the settings, the local library,
the archives by profile name and all of them at once (:class:`workstation.net.federated.
FederatedSource`), the decoder pool and the audit log (IHE ATNA). Each is a lookup, read when
used, because the settings can be replaced while the application runs (the archive clients are
then made again). Qt-free: a command line or a test builds one from plain functions.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from workstation.settings import Settings

if TYPE_CHECKING:
    from workstation.audit import AuditLog
    from workstation.store.library import Library


@dataclass(frozen=True)
class AppContext:
    """The running application, as the workflows see it."""

    #: The settings in force now.
    settings: Callable[[], Settings]
    #: The local library.
    library: Callable[[], Library]
    #: The client of the archive profile of that name (failing over to its backups); raises
    #: ``ArchiveError`` when none is configured.
    archive: Callable[[str], Any]
    #: Every archive that is not a backup, searched at once, or None when none is configured.
    all_archives: Callable[[], Any | None]
    #: The application's one decoder pool (:class:`workstation.model.decoder_pool.DecoderPool`).
    decoder_pool: Callable[[], Any]

    def audit_log(self) -> AuditLog:
        """The audit log beside the settings' library, forwarding as the settings say."""
        from workstation.audit import audit_log_for

        return audit_log_for(self.settings())

    def prior_archive(self, study_archive: Any | None) -> Any | None:
        """Where priors are looked for and read: every archive, else the study's own."""
        everywhere = self.all_archives()
        return everywhere if everywhere is not None else study_archive


__all__ = ["AppContext"]
