"""Patient data readable by its owner only: after an import, a draft and a signed report through
``workstation`` (the command line, which is also how the app starts), every folder under a fresh
config/data/cache home is 0700 and every file 0600, even with an open umask, and another local
user cannot read them."""

from __future__ import annotations

import io
import json
import os
import shutil
import stat
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pydicom
import pytest
from pydicom.data import get_testdata_file

from tests.report.pki import ThrowawayPKI
from workstation import cli

pytestmark = pytest.mark.skipif(os.name != "posix", reason="POSIX modes")


@pytest.fixture
def open_home(monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """XDG folders under a folder any user may traverse (pytest's temporary folders are private
    already, which would hide a wrong mode from another user), with the umask most systems use."""
    home = Path(tempfile.mkdtemp(prefix="ws-private-"))
    os.chmod(home, 0o755)
    for var, sub in (("XDG_CONFIG_HOME", "config"), ("XDG_DATA_HOME", "data"), ("XDG_CACHE_HOME", "cache")):
        monkeypatch.setenv(var, str(home / sub))
    old = os.umask(0o022)
    try:
        yield home
    finally:
        os.umask(old)
        shutil.rmtree(home, ignore_errors=True)


def test_import_draft_and_sign_write_private_files(
    open_home: Path, tmp_path: Path, pki: ThrowawayPKI, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # A data folder left world-readable by an older version is tightened at start-up.
    (open_home / "data" / "workstation").mkdir(parents=True, mode=0o755)
    ct_path = get_testdata_file("CT_small.dcm")
    assert ct_path is not None
    ct = pydicom.dcmread(ct_path, stop_before_pixels=True)
    assert cli.main(["import", "-q", ct_path]) == 0
    monkeypatch.setattr("sys.stdin", io.StringIO(pki.password + "\n"))
    assert cli.main(["report", "key", "add", str(pki.p12_path), "--password-stdin"]) == 0
    capsys.readouterr()
    draft = tmp_path / "dictated.json"
    draft.write_text(json.dumps({
        "template": "ct_head", "author": "Dictation",
        "sections": {"findings": "Lésion frontale gauche, séquelle ancienne.", "impression": "Pas d'anomalie aiguë."},
        "fields": {"haemorrhage": "no", "midline_shift": "0"},
    }), encoding="utf-8")
    code = cli.main(["report", "sign", str(draft), "--study", str(ct.StudyInstanceUID), "--key",
                     str(pki.p12_path), "--trust", str(pki.ca_pem), "--accept-placeholders", "--json"])
    assert code == 0, capsys.readouterr().err
    folder = Path(json.loads(capsys.readouterr().out)["folder"])
    assert (folder / "report.pdf").exists()

    # The XDG folders themselves belong to the user's desktop; ours are the "workstation" ones.
    ours = [open_home / sub / "workstation" for sub in ("config", "data", "cache")]
    written = [p for root in ours if root.exists() for p in [root, *root.rglob("*")] if not p.is_symlink()]
    names = {p.name for p in written}
    assert {"index.sqlite3", "report.pdf", "sr.dcm"} <= names, names
    wrong = {p.relative_to(open_home).as_posix(): oct(stat.S_IMODE(p.stat().st_mode))
             for p in written if stat.S_IMODE(p.stat().st_mode) & 0o077}
    assert not wrong, wrong

    setpriv = shutil.which("setpriv")
    if os.geteuid() == 0 and setpriv:
        for target in (folder / "report.pdf", next(open_home.rglob("index.sqlite3"))):
            other = subprocess.run(
                [setpriv, "--reuid=65534", "--regid=65534", "--clear-groups", "cat", str(target)],
                capture_output=True, timeout=30,
            )
            assert other.returncode != 0 and b"Permission denied" in other.stderr
