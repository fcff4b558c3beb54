"""Signing a report: the PDF of record with a PAdES signature (ETSI EN 319 142-1) by pyHanko.

Levels (ETSI EN 319 142-1 baseline): every signature carries its claimed signing time (the
signature dictionary's ``/M``, PAdES forbids the CMS signing-time attribute) - PAdES B-B. With a
time-stamping authority configured (``signing.tsa_url``), the signature also gets an RFC 3161
timestamp token over its value (PAdES B-T), so it stays verifiable after the signer's
certificate expires; and when the certificates' revocation data (OCSP, CRL) can be fetched, they
are added in the document security store (PAdES B-LT). A TSA that does not answer stops the
signing with a sentence: the report is not made final without its timestamp unless the user
explicitly chooses so (``SigningOptions.without_timestamp``, ``report sign
--without-timestamp``). It is not queued for a timestamp later: a report made final is delivered
at once, and a signature time-stamped hours after the fact would prove less than the user
believes.

The signer's key is either

- a PKCS#12 file (``.p12``/``.pfx``) whose password lives in the operating system's keyring,
  service ``"workstation"``, user name ``"signing:<key id>"`` (the key id is the file's absolute
  path unless one is given); the password is never stored anywhere else, and never logged; or
- a PKCS#11 token (a smart card such as a health professional card; SoftHSM2 in tests), named by
  its module library and token label; its PIN is asked through a callback every time and never
  stored.

:func:`sign_report` is the only way to make a report final: it needs a credential, checks the
report against its template, renders the PDF with the signer's name and the signing time,
signs it and verifies the signature straight away (:func:`verify_pdf_signature`: the signed
bytes are intact, the signature is cryptographically valid, it covers the whole file and the
signer's certificate chains to a trusted root). Anything short of that raises ``SigningError``.

Trust roots (path validation as RFC 5280 section 6, done by pyHanko's certvalidator): the CA
certificate files of the settings' ``signing.trust_roots`` (:func:`configured_trust_roots`, edited
under Settings > Signing), or those given by the caller; the certificates that came with the
credential (a PKCS#12 file's chain, the certificates on a smart card) help build the path. Only
when no trust root is configured at all, the self-signed certificates that came with the credential
serve as roots: that proves the signature and its chain are coherent, not who the signer is.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import keyring
import keyring.errors
import numpy as np
from asn1crypto import pem as asn1_pem
from asn1crypto import x509 as asn1_x509
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.general import SigningError as HankoSigningError
from pyhanko.sign.timestamps import HTTPTimeStamper, TimestampRequestError
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

from workstation.errors import PlaceholderError, ReportError, SigningError
from workstation.net.http import host_of
from workstation.report.model import Report, ReportStatus, SignedReport, SignerIdentity, utc_now
from workstation.report.pdf import Letterhead, render_report_pdf
from workstation.report.templates import Template, field_lines, validate_report
from workstation.settings import Settings

log = logging.getLogger(__name__)

KEYRING_SERVICE = "workstation"
SIGNATURE_FIELD = "ReportSignature"
UNTRUSTED_SIGNER = (
    "The signature was made, but the signer's certificate is not issued by a trusted authority: "
    "add the issuing CA under Settings > Signing."
)


class TimestampUnavailable(SigningError):
    """The time-stamping authority could not give a timestamp; the report was not signed."""


@dataclass(frozen=True)
class SigningOptions:
    """What a signature gets besides the signer's key (from Settings > Signing).

    ``tsa_url``: the RFC 3161 time-stamping authority (HTTP); empty: no timestamp (PAdES B-B).
    ``without_timestamp``: the user's explicit choice to sign without one although a TSA is
    configured (it is down). ``identity``: the radiologist's structured name and professional
    identifier, used where the certificate has no surname/givenName.
    """

    tsa_url: str = ""
    tsa_timeout_s: float = 15.0
    without_timestamp: bool = False
    identity: SignerIdentity = field(default_factory=SignerIdentity)


def signing_options(settings: Settings, *, without_timestamp: bool = False) -> SigningOptions:
    """The signing options of the settings' ``signing`` section."""
    sig = settings.signing
    identity = SignerIdentity(
        family_name=sig.family_name.strip(), given_name=sig.given_name.strip(),
        identifier=sig.professional_id.strip(),
        identifier_system=sig.professional_id_system.strip() if sig.professional_id.strip() else "")
    return SigningOptions(tsa_url=sig.tsa_url.strip(), tsa_timeout_s=float(sig.tsa_timeout_s),
                          without_timestamp=without_timestamp, identity=identity)


def keyring_username(key_id: str) -> str:
    """The keyring entry's user name for a PKCS#12 key: ``"signing:<key id>"``."""
    return f"signing:{key_id}"


def pkcs12_key_id(path: Path | str) -> str:
    """The default key id of a PKCS#12 file: its absolute path."""
    return str(Path(path).expanduser().resolve())


def store_pkcs12_password(key_id: str, password: str) -> None:
    """Keep the password of a PKCS#12 key in the system keyring."""
    try:
        keyring.set_password(KEYRING_SERVICE, keyring_username(key_id), password)
    except keyring.errors.KeyringError as exc:
        raise SigningError(
            f"The system keyring could not save the signing key's password ({type(exc).__name__}); "
            "unlock or install a keyring."
        ) from exc


def forget_pkcs12_password(key_id: str) -> bool:
    """Remove the keyring entry of a PKCS#12 key; ``True`` when there was one."""
    try:
        if keyring.get_password(KEYRING_SERVICE, keyring_username(key_id)) is None:
            return False
        keyring.delete_password(KEYRING_SERVICE, keyring_username(key_id))
        return True
    except keyring.errors.KeyringError as exc:
        raise SigningError(f"The system keyring could not be changed ({type(exc).__name__}).") from exc


def _subject_name(cert: asn1_x509.Certificate) -> str:
    subject = cert.subject.native
    return str(subject.get("common_name") or cert.subject.human_friendly)


class SigningCredential(Protocol):
    """Something that can open a pyHanko signer for one signing (a key file or a token)."""

    def describe(self) -> str:
        """Which key, in words, without secrets ("key file x.p12", "token 'Card'")."""
        ...

    def open_signer(self) -> signers.Signer:
        """A ready pyHanko signer; raises ``SigningError`` when the key cannot be opened."""
        ...

    def close(self) -> None:
        """Release what :meth:`open_signer` opened (a token session)."""
        ...


@dataclass
class Pkcs12Credential:
    """A PKCS#12 key file; its password is read from the keyring when the signer opens."""

    path: Path
    key_id: str = ""

    def __post_init__(self) -> None:
        self.path = Path(self.path).expanduser()
        self.key_id = self.key_id or pkcs12_key_id(self.path)

    def describe(self) -> str:
        return f"key file {self.path.name}"

    def open_signer(self) -> signers.Signer:
        if not self.path.is_file():
            raise SigningError(f"The signing key file {self.path} does not exist; check the path.")
        try:
            password = keyring.get_password(KEYRING_SERVICE, keyring_username(self.key_id))
        except keyring.errors.KeyringError as exc:
            raise SigningError(
                f"The system keyring could not be read for the signing key {self.path.name} "
                f"({type(exc).__name__}); unlock or install a keyring."
            ) from exc
        if password is None:
            raise SigningError(
                f"No password for the signing key {self.path.name} is in the keyring; add it with "
                f"'workstation report key add {self.path}'."
            )
        try:
            signer = signers.SimpleSigner.load_pkcs12(str(self.path), passphrase=password.encode("utf-8"))
        except Exception as exc:  # noqa: BLE001 - pyHanko/cryptography raise various types
            signer = None
            log.info("PKCS#12 load failed: %s", type(exc).__name__)
        if signer is None:
            raise SigningError(
                f"The signing key {self.path.name} could not be opened: the password in the keyring "
                "is wrong or the file is not a PKCS#12 key; store the right password again."
            )
        return signer

    def close(self) -> None:
        return None


@dataclass
class Pkcs11Credential:
    """A key on a PKCS#11 token (smart card); the PIN comes from ``ask_pin`` at each signing."""

    library: Path
    token_label: str
    ask_pin: Callable[[str], str] = field(repr=False, default=lambda prompt: "")
    key_label: str | None = None
    cert_label: str | None = None
    _session: object | None = field(default=None, repr=False)

    def describe(self) -> str:
        return f"token '{self.token_label}'"

    def open_signer(self) -> signers.Signer:
        from pkcs11 import PKCS11Error
        from pyhanko.config.pkcs11 import TokenCriteria
        from pyhanko.sign import pkcs11 as hanko_pkcs11

        if not Path(self.library).is_file():
            raise SigningError(f"The PKCS#11 module {self.library} does not exist; check the smart card software.")
        pin = self.ask_pin(f"PIN for the token '{self.token_label}'")
        if not pin:
            raise SigningError(f"No PIN was given for the token '{self.token_label}'; signing was cancelled.")
        try:
            session = hanko_pkcs11.open_pkcs11_session(
                str(self.library), token_criteria=TokenCriteria(label=self.token_label), user_pin=pin
            )
        except (PKCS11Error, HankoSigningError) as exc:
            raise SigningError(
                f"The token '{self.token_label}' could not be opened ({type(exc).__name__}): check the card "
                "is inserted and the PIN is right."
            ) from exc
        finally:
            del pin
        self._session = session
        key_label = self.key_label
        cert_label = self.cert_label or key_label
        try:
            # other_certs_to_pull=None: every certificate on the card (its issuing CA, as health
            # professional cards carry it) goes into the signature, so a reader can build the path
            return hanko_pkcs11.PKCS11Signer(session, cert_label=cert_label, key_label=key_label,
                                             other_certs_to_pull=None)
        except (PKCS11Error, HankoSigningError) as exc:
            self.close()
            raise SigningError(f"The token '{self.token_label}' holds no usable signing key and certificate.") from exc

    def close(self) -> None:
        session, self._session = self._session, None
        if session is not None:
            try:
                session.close()  # type: ignore[attr-defined]
            except Exception:  # noqa: BLE001 - closing a dead session is harmless
                pass


@dataclass(frozen=True)
class SignatureCheck:
    """The outcome of validating a PDF's signature (pyHanko's validation of PAdES)."""

    intact: bool  # the signed byte ranges hash to the signed digest
    valid: bool  # the signature value verifies with the signer's public key
    trusted: bool  # the signer's certificate chains to one of the trust roots
    whole_file: bool  # the signature covers the entire file (nothing was appended)
    signer_name: str
    signing_time: dt.datetime | None  # the claimed signing time (/M, or the CMS attribute)
    summary: str
    timestamp_time: dt.datetime | None = None  # the RFC 3161 token's time, when there is one
    timestamp_ok: bool = False  # the token is intact, valid and its TSA chains to a trust root
    level: str = "B-B"  # PAdES baseline level found: B-B, B-T or B-LT

    @property
    def ok(self) -> bool:
        return self.intact and self.valid and self.trusted and self.whole_file


def _certs_from_bytes(data: bytes) -> list[asn1_x509.Certificate]:
    if asn1_pem.detect(data):
        return [asn1_x509.Certificate.load(der) for _, _, der in asn1_pem.unarmor(data, multiple=True)]
    return [asn1_x509.Certificate.load(data)]


def _load_certs(items: Sequence[Path | bytes | asn1_x509.Certificate]) -> list[asn1_x509.Certificate]:
    out = []
    for item in items:
        if isinstance(item, asn1_x509.Certificate):
            out.append(item)
        elif isinstance(item, Path):
            out.extend(load_certificate_file(item))
        else:
            try:
                certs = _certs_from_bytes(item)
                for cert in certs:
                    cert.native  # noqa: B018 - asn1crypto parses lazily: force it here
            except Exception as exc:  # noqa: BLE001 - asn1crypto raises ValueError/TypeError/...
                raise SigningError("A trusted CA certificate given is neither PEM nor DER.") from exc
            out.extend(certs)
    return out


def load_certificate_file(path: Path | str) -> list[asn1_x509.Certificate]:
    """The X.509 certificates in a PEM (one or more) or DER file; ``SigningError`` naming the file
    when it is missing or holds no certificate."""
    path = Path(path).expanduser()
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SigningError(f"The trusted CA file {path} cannot be read ({type(exc).__name__}); "
                           "fix or remove it under Settings > Signing.") from exc
    try:
        certs = _certs_from_bytes(data)
        for cert in certs:
            cert.native  # noqa: B018 - asn1crypto parses lazily: force it here
    except Exception as exc:  # noqa: BLE001 - asn1crypto raises ValueError/TypeError/...
        certs = []
        log.info("certificate parse failed: %s", type(exc).__name__)
    if not certs:
        raise SigningError(f"The trusted CA file {path} holds no X.509 certificate (PEM or DER); "
                           "choose the CA's certificate file under Settings > Signing.")
    return certs


def describe_certificate(cert: asn1_x509.Certificate) -> str:
    """A CA certificate in words for the settings dialog: subject, and until when it is valid."""
    until = cert["tbs_certificate"]["validity"]["not_after"].native
    return f"{_subject_name(cert)} (valid until {until:%Y-%m-%d})"


def configured_trust_roots(settings: Settings) -> list[Path]:
    """The CA certificate files the settings trust for signatures (``signing.trust_roots``)."""
    return settings.signing.trust_root_paths()


def verify_pdf_signature(
    pdf_bytes: bytes,
    trust_roots: Sequence[Path | bytes | asn1_x509.Certificate],
    *,
    other_certs: Sequence[asn1_x509.Certificate] = (),
) -> SignatureCheck:
    """Validate the last signature of a PDF against ``trust_roots`` (no network, no revocation data).

    ``other_certs`` are untrusted certificates that may help build the path from the signer to a
    root (intermediate CAs); the certificates embedded in the signature are used as well.
    Raises ``SigningError`` when the PDF has no signature or cannot be parsed, or a trust root
    file cannot be read.
    """
    try:
        reader = PdfFileReader(io.BytesIO(pdf_bytes))
        signatures = reader.embedded_signatures
    except Exception as exc:  # noqa: BLE001 - a damaged PDF fails anywhere in the parser
        raise SigningError(f"The signed PDF cannot be read ({type(exc).__name__}); it is damaged.") from exc
    if not signatures:
        raise SigningError("The PDF carries no signature.")
    roots = _load_certs(trust_roots)
    context = ValidationContext(trust_roots=roots, other_certs=list(other_certs), allow_fetching=False,
                                revocation_mode="soft-fail")
    try:
        status = validate_pdf_signature(signatures[-1], signer_validation_context=context,
                                        ts_validation_context=context)
    except Exception as exc:  # noqa: BLE001 - pyHanko raises on structurally broken signatures
        raise SigningError(f"The PDF's signature cannot be validated ({type(exc).__name__}); the file was altered.") from exc
    # after the signed revision, only validation data (a document security store) may follow
    only_ltv_after = (status.coverage == SignatureCoverageLevel.ENTIRE_REVISION
                      and status.modification_level == ModificationLevel.LTA_UPDATES
                      and _has_validation_data(reader))
    token = status.timestamp_validity
    timestamp_ok = token is not None and bool(token.intact and token.valid and token.trusted)
    level = "B-B"
    if token is not None:
        level = "B-LT" if timestamp_ok and _has_validation_data(reader) else "B-T"
    return SignatureCheck(
        intact=bool(status.intact),
        valid=bool(status.valid),
        trusted=bool(status.trusted),
        whole_file=status.coverage == SignatureCoverageLevel.ENTIRE_FILE or only_ltv_after,
        signer_name=_subject_name(status.signing_cert),
        signing_time=status.signer_reported_dt,
        summary=str(status.summary()),
        timestamp_time=token.timestamp if token is not None else None,
        timestamp_ok=timestamp_ok,
        level=level,
    )


def _has_validation_data(reader: PdfFileReader) -> bool:
    """The document security store holds certificates and revocation data (PAdES B-LT,
    ETSI EN 319 142-1 5.4)."""
    try:
        dss = reader.root.get("/DSS")
        if dss is None:
            return False
        dss = dss.get_object()
        return "/Certs" in dss and ("/OCSPs" in dss or "/CRLs" in dss)
    except Exception:  # noqa: BLE001 - a malformed DSS is no DSS
        return False


def timestamper_for(url: str, timeout_s: float = 15.0) -> HTTPTimeStamper:
    """An RFC 3161 client (HTTP POST of a TimeStampReq, RFC 3161 section 3.4) for ``url``."""
    return HTTPTimeStamper(url, timeout=timeout_s)


def sign_pdf(pdf_bytes: bytes, signer: signers.Signer, *, reason: str = "Report of record", location: str = "",
             timestamper: HTTPTimeStamper | None = None, tsa_url: str = "",
             validation_context: ValidationContext | None = None) -> bytes:
    """``pdf_bytes`` with a PAdES signature added as an incremental update: B-B (claimed
    signing time in ``/M``), B-T with ``timestamper`` (the TSA's token over the signature value),
    B-LT with a ``validation_context`` that can fetch the revocation data (embedded in the
    document security store). Raises :class:`TimestampUnavailable` when the TSA gives no token."""
    meta = signers.PdfSignatureMetadata(
        field_name=SIGNATURE_FIELD,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        reason=reason,
        location=location or None,
        embed_validation_info=validation_context is not None,
        validation_context=validation_context,
    )
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf_bytes))
    try:
        out = signers.PdfSigner(meta, signer, timestamper=timestamper).sign_pdf(writer)
    except TimestampRequestError as exc:
        where = host_of(tsa_url) if tsa_url else "the configured address"
        raise TimestampUnavailable(
            f"The time-stamping authority at {where} did not give a timestamp, so the report was not "
            "signed; try again in a moment."
        ) from exc
    except Exception as exc:  # noqa: BLE001 - token and crypto failures come as many types
        raise SigningError(f"The PDF could not be signed ({type(exc).__name__}); check the signing key.") from exc
    return bytes(out.getvalue())


def credential_chain(signer: signers.Signer) -> list[asn1_x509.Certificate]:
    """The certificates that came with the credential besides the signer's own (its CA chain)."""
    certs = list(signer.cert_registry) if signer.cert_registry is not None else []
    own = signer.signing_cert
    return [c for c in certs if own is None or c.sha256 != own.sha256]


def _credential_roots(signer: signers.Signer) -> list[asn1_x509.Certificate]:
    """Self-signed certificates that came with the credential (the roots when none are configured)."""
    return [c for c in credential_chain(signer) if c.self_signed in ("yes", "maybe")]


def sign_report(
    report: Report,
    credential: SigningCredential | None,
    *,
    letterhead: Letterhead,
    template: Template | None = None,
    key_image_pixels: Sequence[np.ndarray] = (),
    trust_roots: Sequence[Path | bytes | asn1_x509.Certificate] | None = None,
    signer_name: str | None = None,
    options: SigningOptions | None = None,
    accept_placeholders: bool = False,
) -> SignedReport:
    """Make ``report`` final: render its PDF, sign it (PAdES) and verify the signature.

    A draft that still holds untouched placeholders (template text or default values nobody
    edited or accepted, see :mod:`workstation.report.model`) raises ``PlaceholderError`` naming
    them, unless ``accept_placeholders``: the signer then consents to sign without them, and the
    final version, its PDF and everything made from it leave them out.

    ``signer_name`` defaults to the common name of the signing certificate. ``trust_roots`` are
    the CA certificates (files, PEM/DER bytes or certificates) the signature must chain to, with
    the credential's own chain as intermediates; when ``None`` or empty, the self-signed
    certificates that came with the credential are used (this proves the signature and chain are
    coherent, not who the signer is: configure the practice's CA for that, see
    :func:`configured_trust_roots`). Raises ``SigningError`` (no credential, key unusable,
    verification failed; :data:`UNTRUSTED_SIGNER` when only the chain to a trusted root is missing)
    or ``ReportError`` (wrong state, template).

    ``options`` (see :func:`signing_options`) add the RFC 3161 timestamp (PAdES B-T, B-LT when
    the validation data can be fetched) and the signer's identity for the RIS; a TSA that gives
    no token raises :class:`TimestampUnavailable` unless ``options.without_timestamp``.
    """
    options = options or SigningOptions()
    if credential is None:
        raise SigningError(
            "Only a user with a signing credential can make a report final; set up a key file or a smart card first."
        )
    if report.status is ReportStatus.FINAL:
        raise ReportError(f"Version {report.version} of this report is already signed; write an addendum or a correction.")
    labels = template.field_labels() if template is not None else {}
    if report.has_placeholders and not accept_placeholders:
        raise PlaceholderError(report.placeholder_sentence(labels))
    if template is not None:
        validate_report(report, template, for_signing=True)
    elif not (report.spoken().section("impression").strip() or report.spoken().section("addendum").strip()):
        raise ReportError("The report has no impression; write it before signing.")
    try:
        signer = credential.open_signer()
        if signer.signing_cert is None:
            raise SigningError(f"The {credential.describe()} holds no signing certificate.")
        name = signer_name or _subject_name(signer.signing_cert)
        signed_at = utc_now()
        final = report._signed(name, signed_at, leave_out_placeholders=accept_placeholders, labels=labels)
        unsigned = render_report_pdf(final, letterhead, template=template, key_image_pixels=key_image_pixels)
        roots = list(trust_roots) if trust_roots else list(_credential_roots(signer))
        chain = credential_chain(signer)
        stamped = bool(options.tsa_url) and not options.without_timestamp
        signed = _sign_with_options(unsigned, signer, options, roots if trust_roots else [], chain,
                                    reason=f"Signed diagnostic imaging report, version {final.version}")
    finally:
        credential.close()
    check = verify_pdf_signature(signed, roots, other_certs=chain)
    if stamped and not check.timestamp_ok:
        raise SigningError(
            "The signature's timestamp could not be verified: add the time-stamping authority's CA "
            "under Settings > Signing; the report was not made final."
        )
    if check.intact and check.valid and check.whole_file and not check.trusted:
        log.info("Report signature made with %s does not chain to a trusted root", credential.describe())
        raise SigningError(UNTRUSTED_SIGNER)
    if not check.ok:
        failed = [w for w, good in (("intact", check.intact), ("valid", check.valid),
                                    ("trusted", check.trusted), ("covering the whole file", check.whole_file)) if not good]
        raise SigningError(
            f"The new signature did not verify (not {', '.join(failed)}); the report was not made final, "
            "check the signing certificate and the trusted CA."
        )
    log.info("Report version %s signed with %s", final.version_uid, credential.describe())
    field_text = {k: tuple(v) for k, v in field_lines(final, template).items()} if template is not None else {}
    return SignedReport(report=final, pdf_bytes=signed, signer_name=name, signed_at=signed_at,
                        identity_checked=bool(trust_roots), field_text=field_text,
                        signer_identity=signer_identity(signer.signing_cert, options.identity),
                        signature_level=check.level, timestamped_at=check.timestamp_time)


def signer_identity(cert: asn1_x509.Certificate, configured: SignerIdentity) -> SignerIdentity:
    """The signer's identity for the RIS: surname and givenName from the certificate's subject
    (X.520; national health professional cards carry them), else the configured names; the
    professional identifier from the settings."""
    subject = cert.subject.native
    family = str(subject.get("surname") or "").strip() or configured.family_name
    given = str(subject.get("given_name") or "").strip() or configured.given_name
    return SignerIdentity(family_name=family, given_name=given, identifier=configured.identifier,
                          identifier_system=configured.identifier_system)


def _sign_with_options(unsigned: bytes, signer: signers.Signer, options: SigningOptions,
                       roots: Sequence[Path | bytes | asn1_x509.Certificate],
                       chain: Sequence[asn1_x509.Certificate], *, reason: str) -> bytes:
    """Sign at the best level the options allow: B-LT (timestamp and validation data, when
    trust roots are configured and the revocation data can be fetched), else B-T, else B-B."""
    if not options.tsa_url or options.without_timestamp:
        return sign_pdf(unsigned, signer, reason=reason)
    timestamper = timestamper_for(options.tsa_url, options.tsa_timeout_s)
    if roots:
        context = ValidationContext(trust_roots=_load_certs(roots), other_certs=list(chain),
                                    allow_fetching=True, revocation_mode="hard-fail")
        try:
            return sign_pdf(unsigned, signer, reason=reason, timestamper=timestamper,
                            tsa_url=options.tsa_url, validation_context=context)
        except TimestampUnavailable:
            raise
        except SigningError as exc:  # no revocation data to be had: B-T, said in the log
            log.info("Validation data not embedded (%s); signing at PAdES B-T",
                     type(exc.__cause__).__name__)
    return sign_pdf(unsigned, signer, reason=reason, timestamper=timestamper, tsa_url=options.tsa_url)
