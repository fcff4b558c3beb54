"""Unicode fonts for the report PDF: every name and word prints as written.

reportlab's standard fonts (Helvetica) know only Latin-1: "Łódź" printed as "■ód■", and CJK
text as boxes. The PDF therefore embeds TrueType fonts (a subset of the glyphs used, as
PDF 32000-1 section 9.9 allows): a Latin/Greek/Cyrillic font (DejaVu Sans, Debian
``fonts-dejavu-core``) for the text, and a CJK font (WenQuanYi Micro Hei, Debian
``fonts-wqy-microhei``) for the characters the first one lacks. :func:`markup` wraps each run of
text in the font that has its glyphs (reportlab has no per-glyph fallback of its own).

The fonts are looked for in the folder named by ``WORKSTATION_FONT_DIR``, then in the usual
system folders of Linux, macOS and Windows. When a character has no font, the text is still
written and the page says so in a visible warning (:attr:`ReportFonts.missing_note`).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFError, TTFont

log = logging.getLogger(__name__)

#: Names the fonts are registered under in reportlab.
TEXT_FONT = "WS-Sans"
TEXT_BOLD = "WS-Sans-Bold"
CJK_FONT = "WS-CJK"

_SYSTEM_FOLDERS = (
    "/usr/share/fonts/truetype", "/usr/share/fonts", "/usr/local/share/fonts",
    str(Path.home() / ".local/share/fonts"), str(Path.home() / ".fonts"),
    "/Library/Fonts", "/System/Library/Fonts", "/System/Library/Fonts/Supplemental",
    str(Path(os.environ.get("WINDIR", "C:/Windows")) / "Fonts"),
)
#: (regular, bold) file names of a sans-serif font with wide Latin coverage, best first.
_TEXT_FILES = (("DejaVuSans.ttf", "DejaVuSans-Bold.ttf"), ("NotoSans-Regular.ttf", "NotoSans-Bold.ttf"),
               ("LiberationSans-Regular.ttf", "LiberationSans-Bold.ttf"), ("arial.ttf", "arialbd.ttf"),
               ("Arial Unicode.ttf", "Arial Unicode.ttf"))
#: CJK fonts with TrueType outlines (reportlab cannot embed CFF-based OpenType), best first.
_CJK_FILES = ("wqy-microhei.ttc", "wqy-zenhei.ttc", "msyh.ttc", "simsun.ttc", "Arial Unicode.ttf")


def _folders() -> list[Path]:
    extra = os.environ.get("WORKSTATION_FONT_DIR", "")
    return [Path(p) for p in ([extra] if extra else []) + list(_SYSTEM_FOLDERS)]


def find_font_file(names: Iterable[str], folders: Iterable[Path] | None = None) -> Path | None:
    """The first file called one of ``names`` in ``folders`` (searched recursively, in order)."""
    folders = list(folders) if folders is not None else _folders()
    for name in names:
        for folder in folders:
            if not folder.is_dir():
                continue
            direct = folder / name
            if direct.is_file():
                return direct
            found = next((p for p in folder.rglob(name) if p.is_file()), None)
            if found is not None:
                return found
    return None


@dataclass
class ReportFonts:
    """The fonts the PDF uses and which characters each one has."""

    text: str = "Helvetica"
    bold: str = "Helvetica-Bold"
    cjk: str | None = None
    files: list[Path] = field(default_factory=list)
    _text_chars: frozenset[int] | None = None
    _cjk_chars: frozenset[int] = frozenset()

    @property
    def unicode(self) -> bool:
        """True when a Unicode text font was found (else Helvetica: Latin-1 only)."""
        return self._text_chars is not None

    def has_text_glyph(self, char: str) -> bool:
        if self._text_chars is None:
            return ord(char) < 256
        return ord(char) in self._text_chars

    def font_for(self, char: str) -> str | None:
        """The font that prints ``char``: the text font, the CJK font, or ``None``."""
        if char.isspace() or self.has_text_glyph(char):
            return self.text
        if self.cjk is not None and ord(char) in self._cjk_chars:
            return self.cjk
        return None

    def missing(self, text: str) -> set[str]:
        """The characters of ``text`` no font can print."""
        return {c for c in text if self.font_for(c) is None}

    def markup(self, text: str) -> str:
        """``text`` as reportlab paragraph markup (escaped, newlines as breaks), each run of CJK
        characters in the CJK font; characters with no font are left in the text font."""
        out: list[str] = []
        run: list[str] = []
        run_font: str | None = None

        def flush() -> None:
            if not run:
                return
            chunk = escape("".join(run)).replace("\n", "<br/>")
            out.append(f'<font name="{run_font}">{chunk}</font>' if run_font not in (None, self.text) else chunk)
            run.clear()

        for char in text:
            font = self.font_for(char) or self.text
            if char.isspace() and run:
                font = run_font or self.text  # spaces stay in the run they are part of
            if font != run_font:
                flush()
                run_font = font
            run.append(char)
        flush()
        return "".join(out)

    def missing_note(self, text: str) -> str:
        """A warning sentence for the page when characters of ``text`` cannot print, else ""."""
        lost = sorted(self.missing(text))
        if not lost:
            return ""
        shown = "".join(lost[:8])
        return (f"Warning: this computer has no font for some characters of this report ({shown}); "
                "they may print as boxes. Install the DejaVu and WenQuanYi fonts "
                "(fonts-dejavu-core, fonts-wqy-microhei) and print it again.")


def _register(name: str, path: Path, subfont: int = 0) -> TTFont | None:
    try:
        font = TTFont(name, str(path), subfontIndex=subfont)
    except (TTFError, OSError) as exc:
        log.warning("Font %s could not be loaded (%s)", path.name, type(exc).__name__)
        return None
    pdfmetrics.registerFont(font)
    return font


def _chars(font: TTFont) -> frozenset[int]:
    return frozenset(font.face.charToGlyph)


@lru_cache(maxsize=1)
def report_fonts() -> ReportFonts:
    """Find, register and describe the report's fonts (once per process)."""
    fonts = ReportFonts()
    for regular_name, bold_name in _TEXT_FILES:
        regular = find_font_file([regular_name])
        if regular is None:
            continue
        text = _register(TEXT_FONT, regular)
        if text is None:
            continue
        bold_path = find_font_file([bold_name]) or regular
        bold = _register(TEXT_BOLD, bold_path) or text
        fonts.text, fonts.bold = TEXT_FONT, bold.fontName
        fonts._text_chars = _chars(text)
        fonts.files += [regular, bold_path]
        addMapping(TEXT_FONT, 0, 0, TEXT_FONT)
        addMapping(TEXT_FONT, 1, 0, fonts.bold)
        addMapping(TEXT_FONT, 0, 1, TEXT_FONT)
        addMapping(TEXT_FONT, 1, 1, fonts.bold)
        break
    cjk_path = find_font_file(_CJK_FILES)
    if cjk_path is not None:
        cjk = _register(CJK_FONT, cjk_path)
        if cjk is not None:
            fonts.cjk = CJK_FONT
            fonts._cjk_chars = _chars(cjk)
            fonts.files.append(cjk_path)
    if not fonts.unicode:
        log.warning("No Unicode font found for report PDFs; text outside Latin-1 will not print")
    return fonts
