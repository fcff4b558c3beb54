"""Independent checks of a signed PDF: poppler's ``pdfsig`` (signature valid, signing time),
its ``-dump`` of the CMS read by ``openssl cms`` (an RFC 3161 timestamp token among the unsigned
attributes: id-smime-aa-timeStampToken, 1.2.840.113549.1.9.16.2.14), and ``qpdf --check``."""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

TIMESTAMP_TOKEN = "id-smime-aa-timeStampToken"


@dataclass(frozen=True)
class PdfsigResult:
    signature_valid: bool
    signing_time: str
    timestamped: bool
    output: str


def need_tools() -> None:
    missing = [t for t in ("pdfsig", "qpdf", "openssl") if shutil.which(t) is None]
    if missing:
        pytest.skip(f"{', '.join(missing)} not installed (Debian poppler-utils, qpdf, openssl)")


def check_signed_pdf(pdf: bytes, folder: Path) -> PdfsigResult:
    """Run pdfsig, openssl and qpdf on ``pdf`` (written into ``folder``); qpdf must pass."""
    need_tools()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "signed.pdf"
    path.write_bytes(pdf)
    qpdf = subprocess.run(["qpdf", "--check", str(path)], capture_output=True, text=True,
                          timeout=60)
    assert qpdf.returncode == 0, qpdf.stdout + qpdf.stderr
    run = subprocess.run(["pdfsig", "-nocert", str(path)], capture_output=True, text=True,
                         timeout=60)
    out = run.stdout
    valid = "Signature Validation: Signature is Valid." in out
    signing_time = next((line.split(":", 1)[1].strip() for line in out.splitlines()
                         if line.strip().startswith("- Signing Time:")), "")
    subprocess.run(["pdfsig", "-dump", str(path)], capture_output=True, cwd=folder, timeout=60,
                   check=True)
    dumps = sorted(folder.glob("signed.pdf.sig*"))
    assert dumps, "pdfsig dumped no signature"
    cms = subprocess.run(["openssl", "cms", "-cmsout", "-print", "-inform", "DER", "-in",
                          str(dumps[-1])], capture_output=True, text=True, timeout=60)
    assert cms.returncode == 0, cms.stderr
    return PdfsigResult(valid, signing_time, TIMESTAMP_TOKEN in cms.stdout, out)
