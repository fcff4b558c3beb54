"""The interface's translation catalogues (issue 17): every sentence shown is translated.

Three ways a visible string can escape translation, each failing here:
* an entry of a ``.ts`` source left unfinished (or translated with placeholders of its own);
* a string marked with ``tr()`` in the code but missing from the ``.ts`` (lupdate run afresh
  over the code finds entries the shipped catalogue lacks);
* a literal passed straight to a widget (``QLabel("...")``, ``setToolTip("...")``...) without
  ``tr()``: found by reading the UI modules' syntax trees.
And the compiled ``.qm`` must be what ``lrelease`` makes of the ``.ts`` today.
"""

from __future__ import annotations

import ast
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from workstation.i18n import LANGUAGES, catalogue_path, translations_folder

ROOT = Path(__file__).resolve().parents[2]
UI = ROOT / "workstation" / "ui"
BIN = Path(sys.executable).parent
#: Widget calls whose string arguments are shown to the user.
SHOWN = {
    "setText", "setWindowTitle", "setToolTip", "setPlaceholderText", "setStatusTip", "addMenu",
    "addTab", "setTabText", "QLabel", "QPushButton", "QCheckBox", "QGroupBox", "QAction",
    "QRadioButton", "QToolButton", "addRow", "showMessage", "setLabelText", "critical", "warning",
    "information", "question", "QMenu", "setTitle", "setSpecialValueText", "setSuffix", "setPrefix",
    "getText", "QProgressDialog", "setWhatsThis", "about", "setTabToolTip", "setInformativeText",
    "QToolBar", "QDockWidget", "setIconText",
}
#: Keyword arguments that are shown (``QLineEdit(placeholderText="...")``).
SHOWN_KEYWORDS = {"placeholderText", "toolTip", "text", "windowTitle", "statusTip", "title"}
PLACEHOLDER = re.compile(r"\{\d[^}]*\}|%n|%\d")


def _messages(ts: Path) -> list[tuple[str, str, ET.Element]]:
    root = ET.parse(ts).getroot()
    return [(context.findtext("name") or "", message.findtext("source") or "", message)
            for context in root.iter("context") for message in context.iter("message")]


def _sources() -> list[Path]:
    return sorted(UI.glob("*.py"))


def _catalogues() -> list[Path]:
    return [translations_folder() / f"workstation_{lang}.ts" for lang in LANGUAGES[1:]]


@pytest.mark.parametrize("ts", _catalogues(), ids=lambda p: p.name)
def test_no_entry_is_unfinished(ts: Path) -> None:
    messages = _messages(ts)
    assert len(messages) > 400, "the catalogue should hold the whole interface"
    unfinished = [(ctx, src) for ctx, src, m in messages
                  if (m.find("translation") is None or m.find("translation").get("type") == "unfinished"  # type: ignore[union-attr]
                      or not (m.findtext("translation") or "").strip())]
    assert unfinished == [], f"{len(unfinished)} untranslated entries, e.g. {unfinished[:5]}"
    wrong = [(src, m.findtext("translation")) for _ctx, src, m in messages
             if set(PLACEHOLDER.findall(m.findtext("translation") or "")) - set(PLACEHOLDER.findall(src))]
    assert wrong == [], f"translations with placeholders the source does not have: {wrong[:5]}"


@pytest.mark.parametrize("ts", _catalogues(), ids=lambda p: p.name)
def test_catalogue_holds_every_marked_sentence(ts: Path, tmp_path: Path) -> None:
    lupdate = BIN / "pyside6-lupdate"
    if not lupdate.exists():
        pytest.skip("pyside6-lupdate is not installed beside this Python (PySide6)")
    fresh = tmp_path / ts.name
    shutil.copy(ts, fresh)
    subprocess.run([str(lupdate), "-locations", "none", "-no-obsolete", *map(str, _sources()),
                    "-ts", str(fresh)], check=True, capture_output=True, timeout=120)
    shipped = {(c, s) for c, s, _m in _messages(ts)}
    now = {(c, s) for c, s, _m in _messages(fresh)}
    assert sorted(now - shipped) == [], "marked in the code but not in the catalogue: run scripts/update-translations and translate"
    assert sorted(shipped - now) == [], "in the catalogue but no longer in the code: run scripts/update-translations"


@pytest.mark.parametrize("language", LANGUAGES[1:])
def test_compiled_catalogue_is_current(language: str, tmp_path: Path) -> None:
    lrelease = BIN / "pyside6-lrelease"
    if not lrelease.exists():
        pytest.skip("pyside6-lrelease is not installed beside this Python (PySide6)")
    shipped = catalogue_path(language)
    assert shipped is not None and shipped.exists(), f"{shipped} is not shipped"
    fresh = tmp_path / shipped.name
    subprocess.run([str(lrelease), str(shipped.with_suffix(".ts")), "-qm", str(fresh)],
                   check=True, capture_output=True, timeout=120)
    # Compared by what they translate, not byte for byte: another lrelease version may lay the
    # file out differently.
    from PySide6.QtCore import QTranslator

    old, new = QTranslator(), QTranslator()
    assert old.load(str(shipped)) and new.load(str(fresh))
    stale = [(ctx, src) for ctx, src, _m in _messages(shipped.with_suffix(".ts"))
             if old.translate(ctx, src) != new.translate(ctx, src)]
    assert stale == [], f"the .qm is older than its .ts (e.g. {stale[:3]}): run scripts/update-translations"


def _untranslated_literals(path: Path) -> list[str]:
    """String literals handed straight to a widget in ``path`` (not through tr/translate)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
        if name in ("warning", "critical", "information", "question") and not (
                isinstance(func, ast.Attribute) and getattr(func.value, "id", "") == "QMessageBox"):
            continue  # a logger's, not a message box
        shown = list(node.args) if name in SHOWN else []
        shown += [k.value for k in node.keywords if k.arg in SHOWN_KEYWORDS]
        for arg in shown:
            if isinstance(arg, ast.JoinedStr):
                text = "".join(v.value for v in arg.values if isinstance(v, ast.Constant))
            elif isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                text = arg.value
            else:
                continue
            words = re.sub(r"\b(Ctrl|Shift|Alt|Esc|Del|F\d+|MIP|1:1|PNG|DICOM)\b", "", text)
            if re.search(r"[A-Za-z]{2,}", words):
                found.append(f"{path.name}:{arg.lineno}: {text!r}")
    return found


def test_no_widget_shows_an_untranslated_literal() -> None:
    found = [hit for path in _sources() for hit in _untranslated_literals(path)]
    assert found == [], "wrap these in self.tr() / QCoreApplication.translate():\n" + "\n".join(found)


def test_the_scan_sees_a_bare_literal(tmp_path: Path) -> None:
    """The scan above is not blind: a bare label and an f-string tool tip are found."""
    sample = tmp_path / "sample.py"
    sample.write_text('label = QLabel("Study date")\nlabel.setToolTip(f"Slice {n} of the series")\n'
                      'ok = QLabel(self.tr("Study date"))\nkeys = QAction("Ctrl+W")\n', encoding="utf-8")
    assert [hit.split(": ", 1)[1] for hit in _untranslated_literals(sample)] == [
        "'Study date'", "'Slice  of the series'"]


def _import_time_translations(path: Path) -> list[str]:
    """translate()/tr() calls run when the module is imported: before any translator is
    installed, so they stay English forever (mark such text with QT_TRANSLATE_NOOP instead)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in tree.body:
        parts = ([b for b in node.body if not isinstance(b, (ast.FunctionDef, ast.AsyncFunctionDef))]
                 if isinstance(node, ast.ClassDef) else [] if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) else [node])
        for part in parts:
            for call in ast.walk(part):
                if isinstance(call, ast.Call) and getattr(call.func, "attr", "") in ("translate", "tr"):
                    found.append(f"{path.name}:{call.lineno}")
    return found


def test_no_sentence_is_translated_at_import_time(tmp_path: Path) -> None:
    found = [hit for path in _sources() for hit in _import_time_translations(path)]
    assert found == [], found
    sample = tmp_path / "sample.py"
    sample.write_text('LABELS = (QCoreApplication.translate("x", "Sex"),)\n', encoding="utf-8")
    assert _import_time_translations(sample) == ["sample.py:1"]
