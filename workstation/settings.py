"""The workstation's settings: one typed object saved as JSON in the platform's config folder.

Everything the user chooses is here, read alike by the window and the command line: archives,
sign-in, signing and audit, the RIS, the letterhead, how studies open and priors prefetch, the
report signing key, theme and language. Qt's ``ui.ini`` keeps the window's geometry and layout
only; what older versions kept there or in free-form entries is carried over on load
(:mod:`workstation.settings_migration`).

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
from typing import Any, TypeVar
from urllib.parse import urlsplit

import platformdirs

from workstation.atomic import write_text_atomic
from workstation.errors import SettingsError
from workstation.i18n import LANGUAGES

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


# Default identifier systems of the RIS (URNs of our own when the practice names none).
DEFAULT_ACCESSION_SYSTEM = "urn:workstation:accession-number"
DEFAULT_PATIENT_ID_SYSTEM = "urn:workstation:patient-id"


@dataclass
class RisProfile:
    """The RIS reports go to: a FHIR R4 endpoint and/or an HL7 v2 MLLP endpoint (either may be
    empty). Secrets follow :mod:`workstation.net.auth` (the keyring), never the settings."""

    name: str = "RIS"
    fhir_url: str = ""
    auth: str = "none"  # "none", "basic", "bearer" or "oidc" (the signed-in session)
    username: str = ""
    ca_bundle: str = ""
    verify_tls: bool = True
    connect_timeout_s: float = 5.0
    read_timeout_s: float = 30.0
    accession_system: str = DEFAULT_ACCESSION_SYSTEM
    patient_id_system: str = DEFAULT_PATIENT_ID_SYSTEM
    mllp_host: str = ""
    mllp_port: int = 0
    mllp_timeout_s: float = 10.0
    sending_application: str = "WORKSTATION"
    sending_facility: str = ""
    receiving_application: str = "RIS"
    receiving_facility: str = ""
    # OBX-5 ED data length the receiver accepts (Base64 characters; 0 = no limit): larger PDFs
    # are referenced on the FHIR server instead (see workstation.report.delivery.hl7v2)
    hl7_max_ed_chars: int = 65536
    archive: str = ""  # archive profile that receives the SR and PDF by STOW-RS; "" = default

    def __post_init__(self) -> None:
        if self.auth not in AUTH_SCHEMES:
            raise SettingsError(
                f"RIS profile '{self.name}': authentication must be none, basic or bearer, "
                f"not '{self.auth}'."
            )
        if self.fhir_url and not self.fhir_url.startswith(("http://", "https://")):
            raise SettingsError(
                f"RIS profile '{self.name}': the FHIR URL must start with http:// or https://."
            )
        if not isinstance(self.hl7_max_ed_chars, int) or self.hl7_max_ed_chars < 0:
            raise SettingsError(
                f"RIS profile '{self.name}': the HL7 size limit must be a whole number of "
                "characters (0 for none)."
            )
        if self.mllp_host and not 0 < int(self.mllp_port) < 65536:
            raise SettingsError(
                f"RIS profile '{self.name}': the MLLP port must be between 1 and 65535."
            )

    def as_archive_profile(self) -> ArchiveProfile:
        """The FHIR endpoint seen as an HTTP profile, to share the keyring lookup
        (``workstation.net.auth.credentials_for``)."""
        return ArchiveProfile(
            name=self.name, url=self.fhir_url or "http://unset", auth=self.auth,
            username=self.username, ca_bundle=self.ca_bundle, verify_tls=self.verify_tls,
            connect_timeout_s=self.connect_timeout_s, read_timeout_s=self.read_timeout_s,
        )

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> RisProfile:
        return _section(cls, data, "ris")


@dataclass
class LetterheadSettings:
    """The practice's letterhead on report PDFs (``workstation.report.pdf.Letterhead``)."""

    practice_name: str = ""
    address_lines: list[str] = field(default_factory=list)
    phone: str = ""
    email: str = ""
    department: str = ""

    def __post_init__(self) -> None:
        if not isinstance(self.address_lines, list) or not all(isinstance(x, str) for x in self.address_lines):
            raise SettingsError("The letterhead's address must be a list of lines of text.")
        for name in ("practice_name", "phone", "email", "department"):
            if not isinstance(getattr(self, name), str):
                raise SettingsError(f"The letterhead's {name} must be text.")

    def is_empty(self) -> bool:
        return not any((self.practice_name, self.address_lines, self.phone, self.email, self.department))


#: The share of the link the prior prefetch may take while the current study still loads.
DEFAULT_PRIOR_BANDWIDTH_SHARE = 0.25
#: The link speed that share is taken of, in Mbit/s.
DEFAULT_LINK_MBIT_PER_S = 100.0


def _is_number(value: object) -> bool:
    return not isinstance(value, bool) and isinstance(value, (int, float))


@dataclass
class HangingSettings:
    """How studies open: laid out by their hanging protocol or not, and how much of the link the
    prefetch of priors may take while the current study loads (0 holds priors back until it has
    arrived; ``workstation.hanging.prefetch``)."""

    apply_on_open: bool | None = None  # None: the reader has not chosen (the workstation's default: on)
    prior_bandwidth_share: float = DEFAULT_PRIOR_BANDWIDTH_SHARE
    link_mbit_per_s: float = DEFAULT_LINK_MBIT_PER_S

    def __post_init__(self) -> None:
        if self.apply_on_open is not None and not isinstance(self.apply_on_open, bool):
            raise SettingsError("The hanging setting apply_on_open must be true, false or null (not chosen).")
        share = self.prior_bandwidth_share
        if not _is_number(share) or not 0 <= share <= 1:
            raise SettingsError(f"The priors' share of the link must be a number from 0 to 1, not {share!r}.")
        link = self.link_mbit_per_s
        if not _is_number(link) or not link > 0:
            raise SettingsError(f"The link speed must be a positive number of Mbit/s, not {link!r}.")


SIGNING_METHODS = ("pkcs12", "pkcs11")


@dataclass
class ReportKeySettings:
    """Which key signs reports (PAdES, ETSI EN 319 142): a PKCS#12 key file or a PKCS#11 token
    (module, token label, key label), and the author's name. Never a password or a PIN."""

    signing_method: str = "pkcs12"
    pkcs12_path: str = ""
    pkcs11_library: str = ""
    pkcs11_token: str = ""
    pkcs11_key_label: str = ""
    author: str = ""

    def __post_init__(self) -> None:
        if self.signing_method not in SIGNING_METHODS:
            raise SettingsError("The report signing method must be pkcs12 (a key file) or pkcs11 (a smart "
                                f"card), not '{self.signing_method}'.")
        for f in fields(self):
            if not isinstance(getattr(self, f.name), str):
                raise SettingsError(f"The report key setting {f.name} must be text.")


THEMES = ("dark", "light")


@dataclass
class AppearanceSettings:
    """The theme (dark by default, as reading rooms are) and the language ("": the system's;
    else the ISO 639-1 code of one the workstation speaks, ``workstation.i18n.LANGUAGES``)."""

    theme: str = "dark"
    language: str = ""

    def __post_init__(self) -> None:
        if self.theme not in THEMES:
            raise SettingsError(f"The theme must be dark or light, not '{self.theme}'.")
        if self.language not in ("", *LANGUAGES):
            choices = ", ".join(LANGUAGES)
            raise SettingsError(f"The language must be one of {choices} or empty (the system's), not {self.language!r}.")


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
    # The RIS reports are delivered to (None: none), the letterhead of report PDFs, how studies
    # open and priors prefetch, the report signing key, the theme and language. Settings files
    # of older versions kept these in free-form entries or in the window settings (ui.ini):
    # workstation.settings_migration carries them over on load.
    ris: RisProfile | None = None
    letterhead: LetterheadSettings = field(default_factory=LetterheadSettings)
    hanging: HangingSettings = field(default_factory=HangingSettings)
    report_key: ReportKeySettings = field(default_factory=ReportKeySettings)
    appearance: AppearanceSettings = field(default_factory=AppearanceSettings)
    # Sections this version does not model: kept and written back unchanged, so saving the
    # settings never loses them.
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
        self.extras = dict(self.extras)
        typed = {"ris": RisProfile, "letterhead": LetterheadSettings, "hanging": HangingSettings,
                 "report_key": ReportKeySettings, "appearance": AppearanceSettings}
        for name, kind in typed.items():  # an entry older code put among the extras: typed now
            if name in self.extras:
                entry = self.extras.pop(name)
                if isinstance(entry, dict) and getattr(self, name) in (None, kind()):
                    setattr(self, name, _section(kind, entry, name))

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
        kwargs["signing"] = _section(SigningSettings, data.get("signing", {}), "signing")
        kwargs["audit"] = _section(AuditSettings, data.get("audit", {}), "audit")
        kwargs["letterhead"] = _section(LetterheadSettings, data.get("letterhead") or {}, "letterhead")
        kwargs["hanging"] = _section(HangingSettings, data.get("hanging") or {}, "hanging")
        kwargs["report_key"] = _section(ReportKeySettings, data.get("report_key") or {}, "report_key")
        kwargs["appearance"] = _section(AppearanceSettings, data.get("appearance") or {}, "appearance")
        ris = data.get("ris")
        kwargs["ris"] = _section(RisProfile, ris, "ris") if ris is not None else None
        kwargs["sign_in"] = [_section(OidcProfile, p, "sign_in") for p in data.get("sign_in", []) or []]
        kwargs["archives"] = [_section(ArchiveProfile, p, "archives") for p in data.get("archives", []) or []]
        try:
            return cls(**kwargs)
        except TypeError as exc:
            raise SettingsError(f"The settings file has an invalid entry: {exc}.") from exc


_T = TypeVar("_T")


def _section(cls: type[_T], data: object, name: str) -> _T:
    """The dataclass ``cls`` from the JSON object ``data`` of the settings' entry ``name``
    (entries this version does not know are left out); a sentence when it is not an object."""
    if not isinstance(data, dict):
        raise SettingsError(f"The settings file's '{name}' entry must be a JSON object.")
    known = {f.name for f in fields(cls)}  # type: ignore[arg-type]
    try:
        return cls(**{k: v for k, v in data.items() if k in known})
    except TypeError as exc:
        raise SettingsError(f"The settings file's '{name}' entry is invalid: {exc}.") from exc


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


def ui_ini_path() -> Path:
    """The window settings (geometry and layout only; Qt's INI format) beside the settings."""
    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False)) / "ui.ini"


def load_settings(path: Path | None = None, ui_ini: Path | None = None) -> Settings:
    """Read the settings; a missing file gives the defaults. What older versions kept in the
    window settings (``ui_ini``, default :func:`ui_ini_path`) fills the entries the file lacks."""
    from workstation.settings_migration import migrate

    path = path or settings_path()
    data: Any = {}
    if path.exists():
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise SettingsError(f"The settings file {path} cannot be read: {exc}.") from exc
    if isinstance(data, dict):
        data = migrate(data, ui_ini)
    return Settings.from_json(data)


def save_settings(settings: Settings, path: Path | None = None) -> Path:
    """Write the settings atomically (a crash never leaves half a file)."""
    path = path or settings_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    write_text_atomic(path, json.dumps(settings.to_json(), indent=2))
    return path
