"""Delivery to the RIS over FHIR R4: one transaction Bundle per report version.

What is sent (FHIR R4 DiagnosticReport, Binary, Provenance, Patient; Bundle "transaction"):

* ``Binary`` holding the signed PDF, written with ``PUT Binary/<id>`` where the id is a
  name-based UUID (RFC 4122 v5) of the version UID: sending it again rewrites the same resource.
* ``DiagnosticReport``: status (preliminary / final / amended / appended), identifiers (the
  accession number with type ACSN when the study has one, the report UID and the version UID as
  ``urn:dicom:uid`` / ``urn:oid:...``), category RAD, code LOINC 18748-4, subject, imagingStudy
  (a logical reference by the Study Instance UID: the study's identity, with or without an
  accession number), effectiveDateTime (the exam time: Study Date and Time), issued (signing
  time), resultsInterpreter (the signer: a Practitioner reference with the professional
  identifier when the settings give one, else the name only), conclusion, presentedForm
  (``Binary/<id>``, application/pdf, size, SHA-1 in base64, title).
* ``Provenance`` naming the signer (agent "verifier", who = the same interpreter), target the
  DiagnosticReport, recorded = signing time, entity = the Binary;
  ``PUT Provenance/<uuid5 of the version UID>``.
* For a first version, ``Patient`` by conditional create (``ifNoneExist`` on the patient
  identifier), referenced through its ``urn:uuid`` full URL: the RIS's own Patient is used when it
  has exactly one with that identifier, a minimal one is made otherwise.
* When the signer's professional identifier is known (in France the RPPS number, system
  ``urn:oid:1.2.250.1.71.4.2.1``), ``Practitioner`` by conditional create on that identifier, so
  the RIS's own Practitioner record is referenced when it has one.

Every entry has a ``fullUrl`` (FHIR R4 bundle.html 2.36.4): ``urn:uuid:`` for what is created,
the resource's absolute URL on the server (``<base>/<type>/<id>``) for what is written with PUT
(``urn:uuid:<id>`` when no base URL is known, the ids being UUIDs).

Exactly-once strategy (retries never create a duplicate):

1. Search ``DiagnosticReport?identifier=urn:dicom:uid|urn:oid:<report UID>``.
2. None found: the DiagnosticReport is created with ``POST`` and ``ifNoneExist`` on that same
   identifier, so a retry whose first try did reach the server (answer lost) matches the
   existing one instead of creating a second (and two workstations racing create one).
3. Found, holding this version UID among its identifiers, with our Provenance present: already
   delivered; nothing is sent.
4. Found, holding another version: a newer one (``issued`` later than our signing time) means
   ours is superseded and is not sent; an older one is replaced with ``PUT DiagnosticReport/<id>``
   and ``ifMatch: W/"<versionId read in step 1>"``: if someone changed it in between, the server
   answers 412 and the next attempt starts again at step 1. The server keeps the history.

Binary and Provenance are idempotent by their client-chosen ids, so a transaction applied only in
part by a server without atomic transactions is completed by the next attempt.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import logging
import uuid
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import quote

import requests

from workstation.errors import AuthError
from workstation.net.auth import credentials_for
from workstation.net.http import host_of
from workstation.report.delivery.errors import DeliveryError
from workstation.report.delivery.package import ReportVersion
from workstation.report.delivery.profile import DICOM_UID_SYSTEM, RisProfile

log = logging.getLogger(__name__)

FHIR_JSON = "application/fhir+json"
LOINC_IMAGING_REPORT = ("http://loinc.org", "18748-4", "Diagnostic imaging study")
V2_0074_RADIOLOGY = ("http://terminology.hl7.org/CodeSystem/v2-0074", "RAD", "Radiology")
V2_0203_ACCESSION = ("http://terminology.hl7.org/CodeSystem/v2-0203", "ACSN", "Accession ID")
V2_0203_PROVIDER = ("http://terminology.hl7.org/CodeSystem/v2-0203", "PRN", "Provider number")
PROVENANCE_VERIFIER = (
    "http://terminology.hl7.org/CodeSystem/provenance-participant-type", "verifier", "Verifier")
_ID_NAMESPACE = uuid.UUID("6f1c3a52-94d3-4b0e-9a3e-2c6b8f0d7e41")  # this workstation's ids


def dicom_uid_identifier(uid: str) -> str:
    """``urn:oid:<uid>``, the FHIR value for a DICOM UID (system ``urn:dicom:uid``)."""
    return f"urn:oid:{uid}"


def binary_id(version: ReportVersion) -> str:
    """The id of the Binary holding this version's PDF (UUID v5 of the version UID)."""
    return str(uuid.uuid5(_ID_NAMESPACE, f"binary/{version.version_uid}"))


def provenance_id(version: ReportVersion) -> str:
    """The id of the Provenance of this version (UUID v5 of the version UID)."""
    return str(uuid.uuid5(_ID_NAMESPACE, f"provenance/{version.version_uid}"))


def _token(system: str, value: str) -> str:
    """A FHIR token search value ``system|value``, percent-encoded for a query string."""
    return quote(f"{system}|{value}", safe=":/|")


def _instant(moment: dt.datetime) -> str:
    return moment.isoformat(timespec="seconds")


def _coding(triple: tuple[str, str, str]) -> dict[str, str]:
    return {"system": triple[0], "code": triple[1], "display": triple[2]}


def _human_name(pn: str) -> dict[str, Any]:
    """FHIR HumanName from a DICOM PN (PS3.5 6.2: family^given^middle^prefix^suffix)."""
    parts = (pn.split("=")[0].split("^") + [""] * 5)[:5]
    name: dict[str, Any] = {}
    if parts[0]:
        name["family"] = parts[0]
    given = [p for p in (parts[1], parts[2]) if p]
    if given:
        name["given"] = given
    if parts[3]:
        name["prefix"] = [parts[3]]
    if parts[4]:
        name["suffix"] = [parts[4]]
    return name


def _display_name(pn: str) -> str:
    name = _human_name(pn)
    return " ".join([*name.get("given", []), name.get("family", "")]).strip()


def _full_url(profile: RisProfile, resource_type: str, resource_id: str) -> str:
    """The fullUrl of an entry written with PUT: its absolute URL on the server, or
    ``urn:uuid:<id>`` when the base URL is not known (our ids are UUIDs)."""
    if profile.fhir_url:
        return f"{profile.fhir_url.rstrip('/')}/{resource_type}/{resource_id}"
    try:
        return f"urn:uuid:{uuid.UUID(resource_id)}"
    except ValueError:  # a server's own id that is not a UUID
        return "urn:uuid:" + str(uuid.uuid5(_ID_NAMESPACE, f"{resource_type}/{resource_id}"))


def effective_time(version: ReportVersion) -> str:
    """DiagnosticReport.effectiveDateTime: the exam time as a FHIR dateTime (with its offset
    when the time of day is known, as FHIR requires), the date alone, or "" when unknown."""
    moment = version.exam_time
    if isinstance(moment, dt.datetime):
        return _instant(moment)
    if isinstance(moment, dt.date):
        return moment.isoformat()
    return ""


def practitioner_url(version: ReportVersion) -> str:
    """The ``urn:uuid`` full URL of the signer's Practitioner entry in a transaction."""
    key = f"practitioner/{version.signer_identifier_system}|{version.signer_identifier}"
    return "urn:uuid:" + str(uuid.uuid5(_ID_NAMESPACE, key))


def _signer_identifier(version: ReportVersion) -> dict[str, Any]:
    return {"type": {"coding": [_coding(V2_0203_PROVIDER)]},
            "system": version.signer_identifier_system, "value": version.signer_identifier}


def interpreter(version: ReportVersion) -> dict[str, Any]:
    """The Reference to the signer: the Practitioner entry (with the identifier, so a reader
    without the resource still knows who) when the professional identifier is known."""
    if version.signer_identifier and version.signer_identifier_system:
        return {"reference": practitioner_url(version),
                "identifier": _signer_identifier(version), "display": version.signer_name}
    return {"display": version.signer_name}


def practitioner_resource(version: ReportVersion) -> dict[str, Any]:
    """The signer as a FHIR R4 Practitioner: the identifier and the structured name."""
    name: dict[str, Any] = {"text": version.signer_name}
    if version.signer_family_name:
        name["family"] = version.signer_family_name
    if version.signer_given_name:
        name["given"] = version.signer_given_name.split()
    return {"resourceType": "Practitioner", "identifier": [_signer_identifier(version)],
            "name": [name]}


def diagnostic_report(
    version: ReportVersion, pdf: bytes, profile: RisProfile, subject: Mapping[str, Any]
) -> dict[str, Any]:
    """The DiagnosticReport resource for ``version`` (FHIR R4 DiagnosticReport)."""
    identifiers: list[dict[str, Any]] = []
    if version.accession_number:
        identifiers.append({"use": "usual", "type": {"coding": [_coding(V2_0203_ACCESSION)]},
                            "system": profile.accession_system,
                            "value": version.accession_number})
    report: dict[str, Any] = {
        "resourceType": "DiagnosticReport",
        "identifier": [
            *identifiers,
            {"use": "official", "system": DICOM_UID_SYSTEM,
             "value": dicom_uid_identifier(version.report_uid)},
            {"use": "secondary", "system": DICOM_UID_SYSTEM,
             "value": dicom_uid_identifier(version.version_uid)},
        ],
        "status": version.status,
        "category": [{"coding": [_coding(V2_0074_RADIOLOGY)]}],
        "code": {"coding": [_coding(LOINC_IMAGING_REPORT)], "text": version.title},
        "subject": dict(subject),
        "issued": _instant(version.signed_at),
        "resultsInterpreter": [interpreter(version)],
        "imagingStudy": [{"identifier": {"system": DICOM_UID_SYSTEM,
                                         "value": dicom_uid_identifier(version.study_uid)}}],
        "presentedForm": [{
            "contentType": "application/pdf",
            "url": f"Binary/{binary_id(version)}",
            "size": len(pdf),
            "hash": base64.b64encode(hashlib.sha1(pdf).digest()).decode("ascii"),
            "title": f"{version.title} ({version.status})",
            "creation": _instant(version.signed_at),
        }],
    }
    effective = effective_time(version)
    if effective:
        report["effectiveDateTime"] = effective
    if version.conclusion:
        report["conclusion"] = version.conclusion
    return report


def patient_resource(version: ReportVersion, profile: RisProfile) -> dict[str, Any]:
    """A minimal Patient identified by the patient ID (made only if the RIS has none)."""
    patient: dict[str, Any] = {
        "resourceType": "Patient",
        "identifier": [{"system": profile.patient_id_system, "value": version.patient_id}],
    }
    name = _human_name(version.patient_name)
    if name:
        patient["name"] = [name]
    return patient


def build_transaction(
    version: ReportVersion,
    pdf: bytes,
    profile: RisProfile,
    existing: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The transaction Bundle for ``version``; ``existing`` is the RIS's DiagnosticReport of the
    same report (an earlier version) to be replaced under ``ifMatch``, or ``None``."""
    entries: list[dict[str, Any]] = []
    bid = binary_id(version)
    entries.append({
        "fullUrl": _full_url(profile, "Binary", bid),
        "resource": {"resourceType": "Binary", "id": bid, "contentType": "application/pdf",
                     "data": base64.b64encode(pdf).decode("ascii")},
        "request": {"method": "PUT", "url": f"Binary/{bid}"},
    })
    if version.signer_identifier and version.signer_identifier_system:
        entries.append({
            "fullUrl": practitioner_url(version),
            "resource": practitioner_resource(version),
            "request": {"method": "POST", "url": "Practitioner",
                        "ifNoneExist": "identifier=" + _token(version.signer_identifier_system,
                                                              version.signer_identifier)},
        })
    report_token = _token(DICOM_UID_SYSTEM, dicom_uid_identifier(version.report_uid))
    if existing is None:
        patient_url = "urn:uuid:" + str(uuid.uuid5(_ID_NAMESPACE, f"patient/{version.version_uid}"))
        report_url = "urn:uuid:" + str(uuid.uuid5(_ID_NAMESPACE, f"report/{version.version_uid}"))
        entries.insert(0, {
            "fullUrl": patient_url,
            "resource": patient_resource(version, profile),
            "request": {"method": "POST", "url": "Patient",
                        "ifNoneExist": "identifier="
                        + _token(profile.patient_id_system, version.patient_id)},
        })
        subject: dict[str, Any] = {
            "reference": patient_url,
            "identifier": {"system": profile.patient_id_system, "value": version.patient_id},
        }
        if version.patient_name:
            subject["display"] = _display_name(version.patient_name)
        report = diagnostic_report(version, pdf, profile, subject)
        entries.append({
            "fullUrl": report_url,
            "resource": report,
            "request": {"method": "POST", "url": "DiagnosticReport",
                        "ifNoneExist": f"identifier={report_token}"},
        })
        target = report_url
    else:
        report_id = str(existing["id"])
        report = diagnostic_report(version, pdf, profile, existing.get("subject") or {})
        report["id"] = report_id
        version_id = str((existing.get("meta") or {}).get("versionId", ""))
        request: dict[str, Any] = {"method": "PUT", "url": f"DiagnosticReport/{report_id}"}
        if version_id:
            request["ifMatch"] = f'W/"{version_id}"'
        entries.append({"fullUrl": _full_url(profile, "DiagnosticReport", report_id),
                        "resource": report, "request": request})
        target = f"DiagnosticReport/{report_id}"
    pid = provenance_id(version)
    entries.append({
        "fullUrl": _full_url(profile, "Provenance", pid),
        "resource": {
            "resourceType": "Provenance",
            "id": pid,
            "target": [{"reference": target}],
            "recorded": _instant(version.signed_at),
            "activity": {"coding": [{
                "system": "http://terminology.hl7.org/CodeSystem/v3-ParticipationType",
                "code": "LA", "display": "legal authenticator"}]},
            "agent": [{"type": {"coding": [_coding(PROVENANCE_VERIFIER)]},
                       "who": interpreter(version)}],
            "entity": [{"role": "source", "what": {"reference": f"Binary/{bid}"}}],
        },
        "request": {"method": "PUT", "url": f"Provenance/{pid}"},
    })
    return {"resourceType": "Bundle", "type": "transaction", "entry": entries}


def _outcome_text(response: requests.Response) -> str:
    """The first issue of an OperationOutcome body, shortened (no resource content)."""
    try:
        body = response.json()
    except ValueError:
        return ""
    issues = body.get("issue") if isinstance(body, dict) else None
    if not issues or not isinstance(issues, list):
        return ""
    issue = issues[0] if isinstance(issues[0], dict) else {}
    text = str(issue.get("diagnostics") or (issue.get("details") or {}).get("text") or "")
    return text[:160]


class FhirClient:
    """A FHIR R4 RESTful client (FHIR R4 http.html) with timeouts, TLS and the keyring's auth."""

    def __init__(self, profile: RisProfile, *, session: requests.Session | None = None) -> None:
        if not profile.fhir_url:
            raise DeliveryError(
                f"RIS profile '{profile.name}' has no FHIR URL: enter one in the RIS settings.",
                retryable=False,
            )
        self.profile = profile
        self.base_url = profile.fhir_url.rstrip("/")
        self.host = host_of(profile.fhir_url)
        self.session = session or requests.Session()
        self.verify: bool | str = profile.ca_bundle or profile.verify_tls
        self.timeout = (profile.connect_timeout_s, profile.read_timeout_s)
        self._auth: requests.auth.AuthBase | None = None
        self._auth_loaded = False

    def close(self) -> None:
        self.session.close()

    def _auth_object(self) -> requests.auth.AuthBase | None:
        if not self._auth_loaded:
            try:
                creds = credentials_for(self.profile.as_archive_profile())
            except AuthError as exc:
                raise DeliveryError(str(exc), retryable=False) from None
            self._auth = creds.requests_auth() if creds else None
            self._auth_loaded = True
        return self._auth

    def request(
        self, method: str, path: str, *, body: Any = None, what: str = "request",
        accept: str = FHIR_JSON, headers: Mapping[str, str] | None = None,
    ) -> requests.Response:
        """Send one request; failures become :class:`DeliveryError` (one sentence)."""
        all_headers = {"Accept": accept, **(headers or {})}
        if body is not None:
            all_headers["Content-Type"] = FHIR_JSON
        url = f"{self.base_url}/{path.lstrip('/')}"
        try:
            response = self.session.request(
                method, url, json=body, headers=all_headers, timeout=self.timeout,
                verify=self.verify, auth=self._auth_object(),
            )
            renew = getattr(self._auth, "renew_after_rejection", None)
            if response.status_code == 401 and callable(renew):
                try:  # a signed-in session's token rejected before its expiry: renew, send again
                    renewed = renew(response.request)
                except AuthError as exc:
                    raise DeliveryError(str(exc), retryable=False) from None
                if renewed:
                    response = self.session.request(
                        method, url, json=body, headers=all_headers, timeout=self.timeout,
                        verify=self.verify, auth=self._auth)
        except requests.exceptions.SSLError:
            raise DeliveryError(
                f"The secure connection to the RIS at {self.host} failed: its certificate could "
                "not be verified; check the FHIR URL and the CA bundle in the RIS settings.",
                retryable=False,
            ) from None
        except requests.exceptions.Timeout:
            raise DeliveryError(
                f"The RIS at {self.host} did not answer the {what} in time; the report stays in "
                "the outbox and is sent again later.",
                retryable=True,
            ) from None
        except requests.exceptions.ConnectionError:
            raise DeliveryError(
                f"The RIS at {self.host} could not be reached for the {what}; the report stays "
                "in the outbox and is sent again later.",
                retryable=True,
            ) from None
        status = response.status_code
        if status < 400:
            return response
        detail = _outcome_text(response)
        detail = f": {detail}" if detail else ""
        if status in (401, 403):
            raise DeliveryError(
                f"The RIS at {self.host} refused our credentials for the {what} (HTTP {status}); "
                "check the user name and password or token in the RIS settings.",
                retryable=False, status=status,
            )
        if status in (408, 409, 412, 429) or status >= 500:
            raise DeliveryError(
                f"The RIS at {self.host} could not take the {what} now (HTTP {status}{detail}); "
                "it is sent again later.",
                retryable=True, status=status,
            )
        raise DeliveryError(
            f"The RIS at {self.host} refused the {what} (HTTP {status}{detail}); tell the RIS "
            "administrator.",
            retryable=False, status=status,
        )

    def search(self, resource_type: str, query: str, *, what: str) -> list[dict[str, Any]]:
        """The resources of a search Bundle (``query`` already encoded, no leading ``?``)."""
        bundle = self.request("GET", f"{resource_type}?{query}", what=what).json()
        return [e["resource"] for e in bundle.get("entry", []) if "resource" in e]

    def read(self, resource_type: str, resource_id: str, *, what: str) -> dict[str, Any] | None:
        """One resource, or ``None`` when the server does not have it (404/410)."""
        try:
            return dict(self.request("GET", f"{resource_type}/{quote(resource_id)}",
                                     what=what).json())
        except DeliveryError as exc:
            if exc.status in (404, 410):
                return None
            raise

    def transaction(self, bundle: Mapping[str, Any]) -> dict[str, Any]:
        return dict(self.request("POST", "", body=dict(bundle), what="report transaction").json())


def _version_identifiers(report: Mapping[str, Any]) -> set[str]:
    return {str(i.get("value")) for i in report.get("identifier", [])
            if i.get("system") == DICOM_UID_SYSTEM}


def _issued(report: Mapping[str, Any]) -> dt.datetime | None:
    try:
        return dt.datetime.fromisoformat(str(report.get("issued", "")).replace("Z", "+00:00"))
    except ValueError:
        return None


def deliver_fhir(version: ReportVersion, client: FhirClient) -> str:
    """Deliver ``version`` exactly once (strategy in the module docstring); returns a short
    description of the outcome ("DiagnosticReport/<id> created", "... already delivered")."""
    pdf = version.pdf_bytes()
    token = _token(DICOM_UID_SYSTEM, dicom_uid_identifier(version.report_uid))
    found = client.search("DiagnosticReport", f"identifier={token}", what="report search")
    if len(found) > 1:
        raise DeliveryError(
            f"The RIS at {client.host} holds {len(found)} reports with this report's UID; tell "
            "the RIS administrator (the report was not sent, to avoid a third).",
            retryable=False,
        )
    existing = found[0] if found else None
    if existing is not None:
        ours = dicom_uid_identifier(version.version_uid)
        if ours in _version_identifiers(existing):
            if client.read("Provenance", provenance_id(version), what="provenance check") and \
                    client.read("Binary", binary_id(version), what="PDF check"):
                return f"DiagnosticReport/{existing['id']} already held this version"
        else:
            issued = _issued(existing)
            if issued is not None and issued.tzinfo is not None and issued > version.signed_at:
                return (f"DiagnosticReport/{existing['id']} holds a newer version; this one "
                        "was superseded")
    reply = client.transaction(build_transaction(version, pdf, client.profile, existing))
    locations = [str((e.get("response") or {}).get("location", "")) for e in reply.get("entry", [])]
    report_loc = next((loc for loc in locations if loc.startswith("DiagnosticReport/")), "")
    report_ref = "/".join(report_loc.split("/")[:2]) or "DiagnosticReport"
    action = "updated" if existing is not None else "created"
    log.info("FHIR delivery of report version %s: %s %s", version.version_uid, report_ref, action)
    return f"{report_ref} {action}"


# -- report status for the worklist -----------------------------------------------------------

NO_REPORT = "none"
_STATUS_BATCH = 40  # accession numbers per search (OR-joined token values, FHIR R4 search.html)


def _accession_of(report: Mapping[str, Any], system: str) -> str:
    for ident in report.get("identifier", []):
        if ident.get("system") == system and ident.get("value"):
            return str(ident["value"])
    return ""


def _study_uids_of(report: Mapping[str, Any]) -> set[str]:
    uids = set()
    for study in report.get("imagingStudy", []):
        ident = (study or {}).get("identifier") or {}
        value = str(ident.get("value", ""))
        if ident.get("system") == DICOM_UID_SYSTEM and value.startswith("urn:oid:"):
            uids.add(value[len("urn:oid:"):])
    return uids


def _later(a: Mapping[str, Any], b: Mapping[str, Any]) -> bool:
    """Whether report ``a`` was issued after ``b`` (reports without a usable time come last)."""
    ia, ib = _issued(a), _issued(b)
    if ia is None or ia.tzinfo is None:
        return False
    if ib is None or ib.tzinfo is None:
        return True
    return ia > ib


def report_statuses(
    client: FhirClient, studies: Sequence[tuple[str, str]]
) -> dict[tuple[str, str], str]:
    """The RIS's report status for each ``(accession number, study UID)``.

    The DiagnosticReports are searched by the accession identifier that :func:`deliver_fhir`
    writes (``identifier=<accession system>|<accession>``, several OR-joined per request, FHIR R4
    search.html 3.1.1.5.5), following the Bundle's ``next`` links. A report whose
    ``imagingStudy`` names another Study Instance UID is not counted (an accession number
    reused by another study). The answer is the status of the latest issued report
    (preliminary / final / amended / appended / ...), or :data:`NO_REPORT`; studies without an
    accession number are left out of the answer (their report cannot be searched for).
    """
    system = client.profile.accession_system
    wanted = [(acc, uid) for acc, uid in studies if acc]
    accessions = sorted({acc for acc, _uid in wanted})
    found: dict[str, list[dict[str, Any]]] = {}
    for start in range(0, len(accessions), _STATUS_BATCH):
        batch = accessions[start:start + _STATUS_BATCH]
        values = ",".join(_token(system, acc.replace("\\", "\\\\").replace(",", "\\,"))
                          for acc in batch)
        path = f"DiagnosticReport?identifier={values}&_count=200"
        pages = 0
        while path and pages < 20:
            bundle = client.request("GET", path, what="report status search").json()
            for entry in bundle.get("entry", []):
                resource = entry.get("resource") or {}
                if resource.get("resourceType") != "DiagnosticReport":
                    continue
                acc = _accession_of(resource, system)
                if acc:
                    found.setdefault(acc, []).append(resource)
            path = ""
            pages += 1
            for link in bundle.get("link", []):
                if link.get("relation") == "next" and link.get("url"):
                    url = str(link["url"])
                    path = url[len(client.base_url):] if url.startswith(client.base_url) else ""
    answer: dict[tuple[str, str], str] = {}
    for acc, uid in wanted:
        best: dict[str, Any] | None = None
        for report in found.get(acc, []):
            uids = _study_uids_of(report)
            if uid and uids and uid not in uids:
                continue
            if best is None or _later(report, best):
                best = report
        answer[(acc, uid)] = str(best.get("status", "unknown")) if best else NO_REPORT
    return answer
