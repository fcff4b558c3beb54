"""Who is signed in: the identity the identity provider vouched for (OpenID Connect Core 1.0 s. 2).

The signed-in identity is the one the audit log, the report author and the reading session use.
The operating system's login name is *not* an identity (a shared laptop account, a locum on the
practice's machine): it is recorded only as context (:func:`os_account`), never as the person.

``workstation login`` writes ``signed_in.json`` (0600) in the workstation's data folder after the
provider's ID Token was validated: the subject (``sub``), the issuer (``iss``), the name
(``name``, else ``given_name family_name``, else ``preferred_username``) and the profile it
came through. It holds no token: the refresh token lives in the OS keyring only, the access
token in memory only. ``workstation logout`` removes it.
"""

from __future__ import annotations

import contextlib
import getpass
import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path

import platformdirs

from workstation.atomic import write_text_atomic
from workstation.settings import APP_NAME

SIGNED_IN_FILE = "signed_in.json"


@dataclass(frozen=True)
class Identity:
    """A person as the identity provider named them: ``subject`` is unique within ``issuer``."""

    subject: str
    name: str
    issuer: str
    profile: str = ""
    signed_in_at: str = ""
    family_name: str = ""
    given_name: str = ""

    @property
    def user_id(self) -> str:
        """The audit log's UserID: the subject qualified by its issuer (unique across providers)."""
        return f"{self.subject}@{self.issuer}" if self.issuer else self.subject

    def display(self) -> str:
        return self.name or self.subject

    def dicom_person_name(self) -> str:
        """The person as a DICOM PN (PS3.5 6.2): ``Family^Given`` when the provider gave both
        (OpenID ``family_name``/``given_name``), else the display name as the family name."""
        if self.family_name:
            return f"{self.family_name}^{self.given_name}" if self.given_name else self.family_name
        return self.display().replace("^", " ")


def state_folder() -> Path:
    """The workstation's data folder (the platform's user data folder)."""
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def signed_in_path() -> Path:
    return state_folder() / SIGNED_IN_FILE


def current_identity() -> Identity | None:
    """The signed-in identity, or ``None`` when nobody signed in through a provider."""
    try:
        data = json.loads(signed_in_path().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or not data.get("subject"):
        return None
    return Identity(**{k: str(data.get(k, "")) for k in ("subject", "name", "issuer", "profile",
                                                          "signed_in_at", "family_name",
                                                          "given_name")})


def remember_identity(identity: Identity) -> Path:
    """Record ``identity`` as signed in (atomically, owner-only)."""
    path = signed_in_path()
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    write_text_atomic(path, json.dumps(asdict(identity), ensure_ascii=False, indent=2))
    with contextlib.suppress(OSError):
        os.chmod(path, 0o600)
    return path


def forget_identity() -> bool:
    """Sign out locally; ``True`` when somebody was signed in."""
    try:
        signed_in_path().unlink()
    except FileNotFoundError:
        return False
    return True


def os_account() -> str:
    """The operating-system account the process runs under: context for the audit log only."""
    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001 - no user name in the environment or password database
        return f"uid-{os.getuid()}" if hasattr(os, "getuid") else "unknown"
