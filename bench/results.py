"""Keep bench/RESULTS.md as one file with a section per benchmark.

Each benchmark replaces only its own section (between ``<!-- NAME:start -->`` and
``<!-- NAME:end -->``), so running one does not erase the others' latest tables.
"""

from __future__ import annotations

from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"
HEADER = (
    "# Benchmark results\n\n"
    "Each section is the latest run of one script in `bench/`, measured side by side with its\n"
    "baseline in the same run (medians; the machine is shared and noisy).\n"
)


def update_section(name: str, markdown: str, path: Path = RESULTS) -> None:
    """Replace (or append) the section called ``name`` with ``markdown``."""
    start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
    block = f"{start}\n{markdown.strip()}\n{end}\n"
    text = path.read_text(encoding="utf-8") if path.exists() else HEADER
    if not text.startswith("# Benchmark results"):
        text = HEADER + "\n" + text
    if start in text and end in text:
        before = text[: text.index(start)]
        after = text[text.index(end) + len(end):].lstrip("\n")
        text = before + block + ("\n" + after if after else "")
    else:
        text = text.rstrip("\n") + "\n\n" + block
    path.write_text(text, encoding="utf-8")
