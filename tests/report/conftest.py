"""Fixtures for report tests: a throwaway PKI, a study header, a signing credential."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests import validators
from tests.report.pdfcheck import check_signed_pdf
from tests.report.pki import ThrowawayPKI, make_pki
from workstation.model.entities import StudySummary
from workstation.report.signing import Pkcs12Credential, store_pkcs12_password


@pytest.fixture(autouse=True)
def signed_pdfs_checked_by_pdfsig(monkeypatch: pytest.MonkeyPatch,
                                  tmp_path_factory: pytest.TempPathFactory) -> list[bytes]:
    """Every PDF signed in these tests is checked independently as it is made: pdfsig (valid,
    signing time), openssl on its CMS (the RFC 3161 token when a TSA was used), qpdf --check."""
    from workstation.report import signing

    made: list[bytes] = []
    real = signing.sign_pdf

    def checked(pdf_bytes: bytes, signer: object, **kwargs: object) -> bytes:
        out = real(pdf_bytes, signer, **kwargs)  # type: ignore[arg-type]
        result = check_signed_pdf(out, tmp_path_factory.mktemp("pdfsig"))
        assert result.signature_valid and result.signing_time, result.output
        assert result.timestamped == (kwargs.get("timestamper") is not None)
        made.append(out)
        return out

    monkeypatch.setattr(signing, "sign_pdf", checked)
    return made


@pytest.fixture(scope="session")
def pki(tmp_path_factory: pytest.TempPathFactory) -> ThrowawayPKI:
    return make_pki(tmp_path_factory.mktemp("pki"))


@pytest.fixture
def credential(pki: ThrowawayPKI) -> Pkcs12Credential:
    """The test signer's PKCS#12 key with its password in the (in-memory) keyring."""
    cred = Pkcs12Credential(pki.p12_path)
    store_pkcs12_password(cred.key_id, pki.password)
    return cred


@pytest.fixture
def ct_head_study() -> StudySummary:
    return StudySummary(
        study_uid="1.2.826.0.1.3680043.8.498.1", patient_name="Doe^Jane", patient_id="PID-7",
        patient_birth_date="19600101", patient_sex="F", study_date="20240301", study_time="101500",
        accession_number="ACC42", study_description="CT HEAD W/O CONTRAST", modalities=("CT",),
        referring_physician="House^Gregory", study_id="77",
    )


def dciodvfy_errors(path: Path) -> list[str]:
    """dciodvfy's Error lines for a file (see :mod:`tests.validators`)."""
    return validators.dciodvfy_errors(path, path.parent)


def assert_valid_report_sr(obj: Path | bytes, folder: Path) -> None:
    """dciodvfy, dsrdump and PixelMed on a TID 2000 report SR, with exactly the warnings they
    must give (see tests/validators.py): dciodvfy one per use of the private template-field
    coding scheme (it knows only PS3.16's schemes), PixelMed one per LOINC section and item
    (it knows CID 7001 only in its retired DCM codes)."""
    import io

    import pydicom

    from workstation.report.sr_fields import FIELD_SCHEME

    sr = pydicom.dcmread(obj if isinstance(obj, Path) else io.BytesIO(obj))
    field_nums = [i for s in sr.ContentSequence if s.ValueType == "CONTAINER" for i in s.get("ContentSequence", [])
                  if i.ValueType == "NUM" and i.ConceptNameCodeSequence[0].CodingSchemeDesignator == FIELD_SCHEME]
    validators.assert_valid_sr(
        obj, folder,
        dciodvfy_warnings={f"Unrecognized defined term <{FIELD_SCHEME}>": 1 + len(field_nums)} if field_nums else {},
        pixelmed_warnings={validators.PIXELMED_LOINC_SECTION: validators.loinc_section_items(sr)},
    )
