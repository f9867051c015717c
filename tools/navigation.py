"""Write (or check) the generated parts of the course from ``course_lib.chapters``.

- In each notebook, the markdown cells that start with ``<!--NAVIGATION-->`` (one near the top,
  one at the end) are rewritten with previous / contents / next links.
- In README.md, the lines between ``<!--CHAPTERS-->`` and ``<!--/CHAPTERS-->`` become the chapter
  table with a Binder launch link per chapter, and every other Binder link in it (the badge at
  the top) points at ``REPOSITORY`` / ``BRANCH`` too, so a fork's links are its own.

    python tools/navigation.py           # rewrite
    python tools/navigation.py --check   # exit 1 and list what is out of date
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from course_lib.chapters import BRANCH, CHAPTERS, REPOSITORY  # noqa: E402

MARK = "<!--NAVIGATION-->"
TABLE_START, TABLE_END = "<!--CHAPTERS-->", "<!--/CHAPTERS-->"
BINDER_REPO = re.compile(r"https://mybinder\.org/v2/gh/[^/\s)]+/[^/\s)]+/[^?\s)]+")


def navigation(index: int) -> str:
    parts = []
    if index > 0:
        prev = CHAPTERS[index - 1]
        parts.append(f"[< {prev.title}]({prev.file})")
    parts.append("[Contents](00-start-here.ipynb#Contents)")
    if index + 1 < len(CHAPTERS):
        nxt = CHAPTERS[index + 1]
        parts.append(f"[{nxt.title} >]({nxt.file})")
    return f"{MARK}\n" + " | ".join(parts)


def contents() -> str:
    lines = ["| # | chapter | the question |", "|---|---|---|"]
    for i, ch in enumerate(CHAPTERS):
        lines.append(f"| {i:02d} | [{ch.title}]({ch.file}) | {ch.question} |")
    return "\n".join(lines)


def readme_table() -> str:
    lines = ["| # | chapter | the question | launch |", "|---|---|---|---|"]
    for i, ch in enumerate(CHAPTERS):
        badge = f"[![Binder](https://mybinder.org/badge_logo.svg)]({ch.binder_url})"
        lines.append(f"| {i:02d} | [{ch.title}](notebooks/{ch.file}) | {ch.question} | {badge} |")
    return "\n".join(lines)


CONTENTS_MARK = "<!--CONTENTS-->"


def _rewrite_notebook(path: Path, index: int) -> str:
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "markdown" and cell.source.startswith(MARK):
            cell.source = navigation(index)
        if cell.cell_type == "markdown" and cell.source.startswith(CONTENTS_MARK):
            cell.source = f"{CONTENTS_MARK}\n## Contents\n\n{contents()}"
    return nbformat.writes(nb) + "\n"


def _rewrite_readme(text: str) -> str:
    head, rest = text.split(TABLE_START, 1)
    _, tail = rest.split(TABLE_END, 1)
    text = f"{head}{TABLE_START}\n{readme_table()}\n{TABLE_END}{tail}"
    return BINDER_REPO.sub(f"https://mybinder.org/v2/gh/{REPOSITORY}/{BRANCH}", text)


def outdated(write: bool) -> list[str]:
    """Files whose generated parts differ from what the chapter list gives (fixed if ``write``)."""
    stale = []
    for index, chapter in enumerate(CHAPTERS):
        path = ROOT / "notebooks" / chapter.file
        if not path.exists():
            continue
        new = _rewrite_notebook(path, index)
        if new != path.read_text():
            stale.append(str(path.relative_to(ROOT)))
            if write:
                path.write_text(new)
    readme = ROOT / "README.md"
    new = _rewrite_readme(readme.read_text())
    if new != readme.read_text():
        stale.append("README.md")
        if write:
            readme.write_text(new)
    return stale


def missing_navigation() -> list[str]:
    """Notebooks that lack the top or bottom navigation cell."""
    missing = []
    for chapter in CHAPTERS:
        path = ROOT / "notebooks" / chapter.file
        if path.exists():
            cells = nbformat.read(path, as_version=4).cells
            marks = [i for i, c in enumerate(cells) if c.source.startswith(MARK)]
            if len(marks) < 2 or marks[0] > 2 or marks[-1] != len(cells) - 1:
                missing.append(chapter.file)
    return missing


if __name__ == "__main__":
    check = "--check" in sys.argv
    stale = outdated(write=not check)
    if check and stale:
        print("out of date (run `python tools/navigation.py`):", *stale, sep="\n  ")
        sys.exit(1)
    print("rewrote:" if stale else "navigation up to date", *stale, sep="\n  ")
