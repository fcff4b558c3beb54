"""The DICOM validators the tests run on every object the workstation writes, in one place.

- ``dciodvfy`` (Debian ``dicom3tools``): IOD, module and VR checks (PS3.3, PS3.5).
- ``dsrdump`` (Debian ``dcmtk``): parses an SR's content tree as DCMTK's reader does; it exits
  non-zero when it cannot read a value (text in an undeclared character set, say).
- PixelMed's ``DicomSRValidator`` (Debian ``pixelmed-apps``, a Java program): checks SR content
  against the PS3.16 templates (TID 1500, TID 2000, TID 2010). On JDK 17 it stops at the JDK's
  XPath limits unless they are lifted with the ``-Djdk.xml.xpath*Limit=0`` properties below. One
  JVM validates every file of a test run (tests/pixelmed/PixelmedSrServer.java, started with the
  JDK's source launcher), as its start-up costs four times one validation.

Each wrapper returns a :class:`Findings` (errors and warnings, as the tool words them) so that
tests can count warnings, not only errors. A test skips with the reason when a tool is absent.
"""

from __future__ import annotations

import atexit
import io
import queue
import shutil
import subprocess
import threading
from dataclasses import dataclass
from pathlib import Path

import pytest
from pydicom.dataset import Dataset

PIXELMED_JAR = Path("/usr/share/java/pixelmed.jar")
PIXELMED_SERVER = Path(__file__).resolve().parent / "pixelmed" / "PixelmedSrServer.java"
_JDK17_XPATH = (
    "-Djdk.xml.xpathExprOpLimit=0", "-Djdk.xml.xpathExprGrpLimit=0", "-Djdk.xml.xpathTotalOpLimit=0",
)
#: dsrdump says this on every document: DCMTK does not check templates at all (not a finding).
DSRDUMP_ALWAYS = "W: Check for template constraints not yet supported"
#: DCMTK 3.6.7's SR value checker knows only single-byte character sets, so it says this on
#: every UTF-8 document (and then reads it: run with +U8, dsrdump prints the text correctly).
#: Every object the workstation writes declares ISO_IR 192, so SR tests allow exactly this one.
DSRDUMP_UTF8 = "W: The VR checker does not support this Specific Character Set: ISO_IR 192"

#: PixelMed 20220618 knows CID 7001 only in its retired DCM codes (121060-121078): every section
#: with a current LOINC heading (PS3.16 CID 7001, which names LOINC the preferable encoding) and
#: each item inside it is reported "Content Item not in template". Tests allow exactly these.
PIXELMED_LOINC_SECTION = "Content Item not in template"


@dataclass(frozen=True)
class Findings:
    """What one validator said about one object: its error and warning lines, and its exit code."""

    tool: str
    errors: tuple[str, ...]
    warnings: tuple[str, ...]
    returncode: int = 0
    output: str = ""

    def warnings_except(self, *allowed: str) -> list[str]:
        """The warnings that contain none of the ``allowed`` phrases."""
        return [w for w in self.warnings if not any(a in w for a in allowed)]


def _file(obj: Dataset | bytes | Path, folder: Path, name: str) -> Path:
    if isinstance(obj, Path):
        return obj
    path = folder / name
    if isinstance(obj, bytes):
        path.write_bytes(obj)
    else:
        buffer = io.BytesIO()
        obj.save_as(buffer, enforce_file_format=True)
        path.write_bytes(buffer.getvalue())
    return path


def _name(obj: Dataset | bytes | Path, suffix: str) -> str:
    uid = str(obj.get("SOPInstanceUID", "object")) if isinstance(obj, Dataset) else "object"
    return f"{uid}.{suffix}.dcm"


def _require(tool: str, package: str) -> str:
    found = shutil.which(tool)
    if found is None:
        pytest.skip(f"{tool} (Debian {package}) is not installed")
    return found


def dciodvfy(obj: Dataset | bytes | Path, folder: Path, name: str = "") -> Findings:
    """dciodvfy's Error and Warning lines for ``obj`` (a dataset, PS3.10 bytes or a file)."""
    path = _file(obj, folder, name or _name(obj, "dciodvfy"))
    run = subprocess.run([_require("dciodvfy", "dicom3tools"), str(path)], capture_output=True, timeout=120)
    text = (run.stdout + run.stderr).decode("utf-8", "replace")
    lines = [line.strip() for line in text.splitlines()]
    return Findings(
        "dciodvfy",
        tuple(line for line in lines if line.startswith("Error")),
        tuple(line for line in lines if line.startswith("Warning")),
        run.returncode, text,
    )


def dsrdump(obj: Dataset | bytes | Path, folder: Path, name: str = "") -> Findings:
    """dsrdump's E:/F: (errors) and W: (warnings) lines for an SR or KOS, with its exit code;
    ``output`` is the document as dsrdump prints it, converted to UTF-8 (``+U8``)."""
    path = _file(obj, folder, name or _name(obj, "dsrdump"))
    run = subprocess.run([_require("dsrdump", "dcmtk"), "+U8", "+Pl", str(path)], capture_output=True, timeout=120)
    lines = [line.strip() for line in run.stderr.decode("utf-8", "replace").splitlines()]
    return Findings(
        "dsrdump",
        tuple(line for line in lines if line.startswith(("E:", "F:"))),
        tuple(line for line in lines if line.startswith("W:") and line != DSRDUMP_ALWAYS),
        run.returncode, run.stdout.decode("utf-8", "replace"),
    )


class _PixelmedServer:
    """One JVM running tests/pixelmed/PixelmedSrServer.java for the whole test run: PixelMed's
    start-up (JVM, XSLT compilation of the templates) costs 6 s of CPU, each file then ~1.5 s."""

    _END = "@@END@@"

    def __init__(self, java: str) -> None:
        self.process = subprocess.Popen(
            [java, "-XX:TieredStopAtLevel=1", *_JDK17_XPATH, "-cp", str(PIXELMED_JAR), str(PIXELMED_SERVER)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, encoding="utf-8", errors="replace",
        )
        self.lines: queue.Queue[str | None] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()
        atexit.register(self.close)

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put(line.rstrip("\n"))
        self.lines.put(None)

    def validate(self, path: Path, timeout_s: float = 300.0) -> str:
        assert self.process.stdin is not None
        self.process.stdin.write(f"{path}\n")
        self.process.stdin.flush()
        out: list[str] = []
        while True:
            line = self.lines.get(timeout=timeout_s)
            if line is None:
                raise RuntimeError("PixelMed's validator stopped: " + "\n".join(out[-20:]))
            if line == self._END:
                return "\n".join(out)
            out.append(line)

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)


_pixelmed: list[_PixelmedServer] = []


def pixelmed_sr(obj: Dataset | bytes | Path, folder: Path, name: str = "") -> Findings:
    """PixelMed DicomSRValidator's Error and Warning lines (template checks included)."""
    java = _require("java", "default-jdk-headless")
    if not PIXELMED_JAR.exists():
        pytest.skip("PixelMed's DicomSRValidator (Debian pixelmed-apps) is not installed")
    if shutil.which("javac") is None:
        pytest.skip("javac (Debian default-jdk-headless) is not installed: the PixelMed driver is a Java source file")
    path = _file(obj, folder, name or _name(obj, "pixelmed"))
    if not _pixelmed or _pixelmed[0].process.poll() is not None:
        _pixelmed[:] = [_PixelmedServer(java)]
    text = _pixelmed[0].validate(path.resolve())
    lines = [line.strip() for line in text.splitlines()]
    assert any(line.startswith("Found Root Template") for line in lines), text[-2000:]  # it read the tree
    return Findings(
        "pixelmed",
        tuple(line for line in lines if line.startswith("Error") or "Exception" in line),
        tuple(line for line in lines if line.startswith("Warning")),
        0, text,
    )


def dciodvfy_errors(obj: Dataset | bytes | Path, folder: Path) -> list[str]:
    """Only dciodvfy's Error lines (the older tests' check)."""
    return list(dciodvfy(obj, folder).errors)


def _assert_only(found: Findings, allowed: dict[str, int]) -> None:
    assert found.errors == (), (found.tool, found.errors)
    assert found.warnings_except(*allowed) == [], (found.tool, found.warnings)
    counts = {phrase: sum(phrase in w for w in found.warnings) for phrase in allowed}
    assert counts == allowed, (found.tool, found.warnings)


def assert_valid_sr(
    obj: Dataset | bytes | Path,
    folder: Path,
    *,
    dciodvfy_warnings: dict[str, int] | None = None,
    pixelmed_warnings: dict[str, int] | None = None,
) -> None:
    """Run all three validators on an SR or KOS: no errors anywhere; dsrdump reads it (exit 0)
    with only its UTF-8 notice (:data:`DSRDUMP_UTF8`); dciodvfy and PixelMed warn exactly as
    often as given (phrase in the warning -> how many) and on nothing else (none by default)."""
    _assert_only(dciodvfy(obj, folder), dciodvfy_warnings or {})
    dump = dsrdump(obj, folder)
    assert (dump.returncode, dump.errors, dump.warnings) == (0, (), (DSRDUMP_UTF8,)), dump
    _assert_only(pixelmed_sr(obj, folder), pixelmed_warnings or {})


def loinc_section_items(sr: Dataset) -> int:
    """How many warnings PixelMed gives a TID 2000 SR for its LOINC headings
    (:data:`PIXELMED_LOINC_SECTION`): one per section container and one per item inside it."""
    sections = [item for item in sr.ContentSequence if item.ValueType == "CONTAINER"]
    return len(sections) + sum(len(s.get("ContentSequence", [])) for s in sections)
