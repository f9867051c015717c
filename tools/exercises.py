"""Exercises: stubs in the notebooks, solutions in ``solutions/<chapter>.py``.

A stub is a code cell whose first line is ``# exercise: <id>``; its check cell is tagged
``exercise-check``. A solution file holds one section per exercise, each starting with the
same ``# exercise: <id>`` line; ``with_solutions`` puts them in place of the stubs.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
SOLUTIONS = ROOT / "solutions"
MARK = re.compile(r"^# exercise: ([\w.-]+)\s*$", re.M)


def solution_file(chapter: str) -> Path:
    return SOLUTIONS / f"{Path(chapter).stem}.py"


def stubs(nb: nbformat.NotebookNode) -> dict[str, int]:
    """Exercise id -> index of its stub cell."""
    found = {}
    for index, cell in enumerate(nb.cells):
        first = cell.source.split("\n", 1)[0]
        if cell.cell_type == "code" and (m := MARK.match(first)):
            found[m.group(1)] = index
    return found


def checks(nb: nbformat.NotebookNode) -> list[int]:
    """Indexes of the cells tagged ``exercise-check``."""
    return [i for i, c in enumerate(nb.cells) if "exercise-check" in c.metadata.get("tags", [])]


def solutions(chapter: str) -> dict[str, str]:
    """Exercise id -> the solution's cell source (its ``# exercise:`` line included)."""
    path = solution_file(chapter)
    if not path.exists():
        return {}
    text = path.read_text()
    marks = list(MARK.finditer(text))
    found = {}
    for m, nxt in zip(marks, [*marks[1:], None], strict=True):
        end = nxt.start() if nxt else len(text)
        found[m.group(1)] = text[m.start() : end].strip() + "\n"
    return found


def with_solutions(nb: nbformat.NotebookNode, chapter: str) -> nbformat.NotebookNode:
    """A copy of ``nb`` with every stub replaced by its solution."""
    solved = nbformat.from_dict(nb)
    answers = solutions(chapter)
    for exercise, index in stubs(solved).items():
        solved.cells[index].source = answers[exercise].rstrip("\n")
    return solved
