"""The workstation's settings: one typed object saved as JSON in the platform's config folder.

``WORKSTATION_CONFIG=path`` points to another file. Secrets (passwords, tokens) are never part of
the settings: they live in the operating system's keyring (see ``workstation.net.auth``).
The local library lives in the platform's data folder (``XDG_DATA_HOME`` on Linux) unless the
settings name another folder.
"""

from __future__ import annotations

import ipaddress
import json
import os
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import platformdirs

from workstation.atomic import write_text_atomic
from workstation.errors import SettingsError

APP_NAME = "workstation"
RPPS_SYSTEM = "urn:oid:1.2.250.1.71.4.2.1"  # France: Répertoire partagé des professionnels de santé
AUTH_SCHEMES = ("none", "basic", "bearer", "oidc")


@dataclass
class ArchiveProfile:
    """One hosted archive reached over DICOMweb (PS3.18)."""

    name: str
    url: str
    auth: str = "basic"  # "none", "basic", "bearer" or "oidc" (the signed-in session's token)
    username: str = ""
    ca_bundle: str = ""  # path to a PEM bundle; empty means the system's trusted CAs
    verify_tls: bool = True
    connect_timeout_s: float = 5.0
    read_timeout_s: float = 60.0
    max_connections: int = 6
    # Send the password or token over plain http:// to a host that is not this machine (RFC 7617
    # section 4, RFC 6750 section 5.3): refused unless this is set (``archive add
    # --allow-insecure-http``), because anyone on the path can read it.
    allow_insecure_http: bool = False
    # Bounds against a broken or hostile archive (workstation.net.http): the largest DICOM JSON
    # answer (a search, a series' metadata) and the largest instance or frame read into memory,
    # in MB; and a floor on throughput: after ``deadline_grace_s`` seconds a response must have
    # averaged at least ``min_throughput_kbps`` kB/s, else it is abandoned as too slow.
    max_json_mb: float = 256.0
    max_instance_mb: float = 2048.0
    min_throughput_kbps: float = 32.0
    deadline_grace_s: float = 60.0
    # The name of the archive this one stands in for when that one does not answer (a disaster
    # recovery site holding the same studies): searches, retrievals and deliveries go here
    # while the primary is down (workstation.net.failover). Empty: an archive of its own.
    backup_for: str = ""

    def __post_init__(self) -> None:
        if self.backup_for and self.backup_for == self.name:
            raise SettingsError(f"Archive profile '{self.name}' cannot be its own backup.")
        if self.auth not in AUTH_SCHEMES:
            raise SettingsError(
                f"Archive profile '{self.name}': authentication must be none, basic, bearer or "
                f"oidc, not '{self.auth}'."
            )
        if not self.url.startswith(("http://", "https://")):
            raise SettingsError(
                f"Archive profile '{self.name}': the URL must start with http:// or https://."
            )
        for bound, least in (("max_json_mb", 0.001), ("max_instance_mb", 0.001),
                             ("min_throughput_kbps", 0.0), ("deadline_grace_s", 0.0)):
            value = getattr(self, bound)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value < least:
                raise SettingsError(
                    f"Archive profile '{self.name}': {bound} must be a number of at least "
                    f"{least:g}, not {value!r}."
                )


@dataclass
class SigningSettings:
    """How signed reports are checked (PAdES, ETSI EN 319 142; path validation as RFC 5280 s. 6).

    ``trust_roots`` are files with the certificates of the authorities (CAs) whose signers the
    workstation trusts, PEM or DER, one or more certificates per file. Empty: a signature is only
    checked against the certificates that came with the signer's own credential.

    ``tsa_url`` is the time-stamping authority (RFC 3161 over HTTP) whose timestamp every
    signature gets (PAdES B-T, and B-LT when the validation data can be fetched); its CA must be
    among the trust roots. The radiologist's identity for the RIS: ``family_name``,
    ``given_name`` (used when the signing certificate has no surname/givenName) and
    ``professional_id`` under ``professional_id_system`` (default: the French RPPS).
    """

    trust_roots: list[str] = field(default_factory=list)
    tsa_url: str = ""
    tsa_timeout_s: float = 15.0
    family_name: str = ""
    given_name: str = ""
    professional_id: str = ""
    professional_id_system: str = RPPS_SYSTEM

    def __post_init__(self) -> None:
        if not isinstance(self.trust_roots, list) or not all(isinstance(p, str) for p in self.trust_roots):
            raise SettingsError("The signing settings' trust_roots must be a list of certificate file paths.")
        if self.tsa_url and not self.tsa_url.startswith(("http://", "https://")):
            raise SettingsError("The time-stamping authority's URL must start with http:// or https://.")
        if self.professional_id and not self.professional_id_system:
            raise SettingsError("The professional identifier needs its system (for the RPPS: "
                                f"{RPPS_SYSTEM}).")

    def trust_root_paths(self) -> list[Path]:
        """The configured CA certificate files, with ``~`` expanded, empty entries left out."""
        return [Path(p).expanduser() for p in self.trust_roots if p.strip()]


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@dataclass
class OidcProfile:
    """An OpenID provider the practice signs in through (OpenID Connect Core 1.0, RFC 8252).

    ``issuer`` is the provider's issuer URL (its discovery document is
    ``issuer/.well-known/openid-configuration``); ``client_id`` the workstation's public client
    registered there (no secret: a native app cannot keep one, RFC 8252 8.5); ``scopes`` what is
    asked for (``offline_access`` for a refresh token). ``refresh_margin_s``: the access token is
    refreshed this long before it expires. The issuer must be https:// unless it is this machine
    (tokens are readable by anyone on the path without TLS, RFC 6749 10.3).
    """

    name: str
    issuer: str
    client_id: str
    scopes: str = "openid profile offline_access"
    ca_bundle: str = ""
    redirect_port: int = 0  # 0: any free loopback port (RFC 8252 7.3)
    refresh_margin_s: float = 30.0
    timeout_s: float = 10.0

    def __post_init__(self) -> None:
        host = urlsplit(self.issuer).hostname or ""
        if not (self.issuer.startswith("https://")
                or (self.issuer.startswith("http://") and _is_loopback(host))):
            raise SettingsError(f"Sign-in profile '{self.name}': the issuer must be an https:// URL "
                                "(plain http:// only on this machine).")
        if not self.client_id:
            raise SettingsError(f"Sign-in profile '{self.name}': the client ID is missing.")


@dataclass
class AuditSettings:
    """Forwarding of the access audit log to an audit repository (syslog over TLS, RFC 5425).

    Empty ``syslog_host``: the log stays local. ``ca_bundle`` is the repository's CA (PEM);
    ``client_cert``/``client_key`` the workstation's certificate when the repository asks for
    mutual TLS (IHE ATNA "Secure Node").
    """

    syslog_host: str = ""
    syslog_port: int = 6514
    ca_bundle: str = ""
    client_cert: str = ""
    client_key: str = ""
    timeout_s: float = 5.0


@dataclass
class Settings:
    """Everything the user can set, in one object."""

    archives: list[ArchiveProfile] = field(default_factory=list)
    default_archive: str = ""
    library_dir: str = ""  # empty: the platform's data folder
    library_max_gb: float = 50.0
    demo_offered: bool = False
    # Opt-out of encryption at rest (workstation.crypt), for a machine whose disk is already
    # fully encrypted: patient data is then written in clear. Off by default.
    disk_encrypted: bool = False
    # Home machines: studies not opened for this many days are removed from the library (never
    # one with an unsent report or measurement); 0 keeps them until the size limit evicts them.
    retention_days: int = 0
    signing: SigningSettings = field(default_factory=SigningSettings)
    sign_in: list[OidcProfile] = field(default_factory=list)
    audit: AuditSettings = field(default_factory=AuditSettings)
    # The session locks after this many minutes without input (0: only on demand); see
    # workstation.lock_policy.
    lock_after_min: float = 15.0
    # Sections this version does not model yet (e.g. "ris", read by the report delivery): kept
    # and written back unchanged, so saving the settings never loses them.
    extras: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        days = self.retention_days
        if isinstance(days, bool) or not isinstance(days, int) or days < 0:
            raise SettingsError(
                f"The settings' retention_days must be a whole number of days, 0 or more (0 keeps "
                f"studies), not {days!r}."
            )
        if not isinstance(self.disk_encrypted, bool):
            raise SettingsError("The settings' disk_encrypted must be true or false.")
        value = self.lock_after_min
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 24 * 60:
            raise SettingsError("The session lock's idle time must be a number of minutes between 0 "
                                f"(never) and 1440, not {value!r}.")

    def archive(self, name: str | None = None) -> ArchiveProfile | None:
        """The named profile, or the default one, or ``None`` when no archive is configured."""
        wanted = name or self.default_archive
        for profile in self.archives:
            if profile.name == wanted:
                return profile
        if name:
            raise SettingsError(f"There is no archive profile named '{name}'.")
        return self.archives[0] if self.archives else None

    def primary_archives(self) -> list[ArchiveProfile]:
        """The archives searched side by side: every profile that is not another's backup
        (a backup whose primary is gone from the settings counts as an archive of its own)."""
        names = {p.name for p in self.archives}
        return [p for p in self.archives if not p.backup_for or p.backup_for not in names]

    def backups_of(self, name: str) -> list[ArchiveProfile]:
        """The profiles that stand in for archive ``name``, in the order they were added."""
        return [p for p in self.archives if p.backup_for == name and p.name != name]

    def sign_in_profile(self, name: str | None = None) -> OidcProfile | None:
        """The named sign-in (OpenID Connect) profile, or the first, or ``None``."""
        for profile in self.sign_in:
            if not name or profile.name == name:
                return profile
        if name:
            raise SettingsError(f"There is no sign-in profile named '{name}'.")
        return None

    def library_path(self) -> Path:
        if self.library_dir:
            return Path(self.library_dir).expanduser()
        return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)) / "library"

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        extras = data.pop("extras")
        return {**extras, **data}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Settings:
        if not isinstance(data, dict):
            raise SettingsError("The settings file does not hold a JSON object.")
        known = {f.name for f in fields(cls)} - {"extras"}
        kwargs: dict[str, Any] = {k: v for k, v in data.items() if k in known}
        kwargs["extras"] = {k: v for k, v in data.items() if k not in known}
        profile_fields = {f.name for f in fields(ArchiveProfile)}
        signing = data.get("signing", {})
        if not isinstance(signing, dict):
            raise SettingsError("The settings file's 'signing' entry must be a JSON object.")
        signing_fields = {f.name for f in fields(SigningSettings)}
        try:
            kwargs["signing"] = SigningSettings(**{k: v for k, v in signing.items() if k in signing_fields})
            audit = data.get("audit", {})
            if not isinstance(audit, dict):
                raise SettingsError("The settings file's 'audit' entry must be a JSON object.")
            audit_fields = {f.name for f in fields(AuditSettings)}
            kwargs["audit"] = AuditSettings(**{k: v for k, v in audit.items() if k in audit_fields})
            oidc_fields = {f.name for f in fields(OidcProfile)}
            kwargs["sign_in"] = [OidcProfile(**{k: v for k, v in p.items() if k in oidc_fields})
                                 for p in data.get("sign_in", []) or []]
            kwargs["archives"] = [
                ArchiveProfile(**{k: v for k, v in p.items() if k in profile_fields})
                for p in data.get("archives", [])
            ]
            return cls(**kwargs)
        except TypeError as exc:
            raise SettingsError(f"The settings file has an invalid entry: {exc}.") from exc


def app_folders() -> list[Path]:
    """The workstation's own folders: configuration, data (the library, reports...), cache."""
    return [
        Path(platformdirs.user_config_dir(APP_NAME, appauthor=False)),
        Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)),
        Path(platformdirs.user_cache_dir(APP_NAME, appauthor=False)),
    ]


def settings_path() -> Path:
    """Where the settings live: ``WORKSTATION_CONFIG`` or the platform's config folder."""
    override = os.environ.get("WORKSTATION_CONFIG")
    if override:
        return Path(override).expanduser()
    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False)) / "settings.json"


def load_settings(path: Path | None = None) -> Settings:
    """Read the settings; a missing file gives the defaults."""
    path = path or settings_path()
    if not path.exists():
        return Settings()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise SettingsError(f"The settings file {path} cannot be read: {exc}.") from exc
    return Settings.from_json(data)


def save_settings(settings: Settings, path: Path | None = None) -> Path:
    """Write the settings atomically (a crash never leaves half a file)."""
    path = path or settings_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    write_text_atomic(path, json.dumps(settings.to_json(), indent=2))
    return path
