"""The form of a chapter (COURSE.md): picture first, lesson-sized cells, exercises, every claim."""

import re
import statistics

import nbformat
import pytest

from course_lib.chapters import CHAPTERS
from tools import exercises
from tools.notebook_runner import NOTEBOOKS

# Chapters still in the first edition's form; each leaves this set when it is converted.
NOT_CONVERTED: set[str] = set()
# Claims that come with later work (the network link, the engines); each leaves when it lands.
LATER: set[str] = set()
CONVERTED = [c for c in CHAPTERS if c.file not in NOT_CONVERTED]
MAX_CELL, MAX_MEDIAN, MAX_LINES = 40, 12, 450
MERMAID = "```mermaid"


def code_cells(nb):
    return [c for c in nb.cells if c.cell_type == "code"]


def lines(cell) -> int:
    return len(cell.source.strip().splitlines())


def read(chapter):
    return nbformat.read(NOTEBOOKS / chapter.file, as_version=4)


@pytest.mark.parametrize("chapter", CONVERTED, ids=lambda c: c.file)
def test_cells_are_lesson_sized(chapter):
    sizes = [lines(c) for c in code_cells(read(chapter))]
    long = [n for n in sizes if n > MAX_CELL]
    assert not long, f"code cells over {MAX_CELL} lines: {long}"
    assert statistics.median(sizes) <= MAX_MEDIAN, f"median cell {statistics.median(sizes)}"
    assert sum(sizes) <= MAX_LINES, f"{sum(sizes)} code lines (at most {MAX_LINES})"


@pytest.mark.parametrize("chapter", CONVERTED, ids=lambda c: c.file)
def test_a_diagram_comes_before_the_lesson_code(chapter):
    """A Mermaid diagram precedes every code cell but the first (the imports)."""
    nb = read(chapter)
    first_diagram = next(
        (i for i, c in enumerate(nb.cells) if c.cell_type == "markdown" and MERMAID in c.source),
        None,
    )
    assert first_diagram is not None, "no ```mermaid diagram in the chapter"
    code = [i for i, c in enumerate(nb.cells) if c.cell_type == "code"]
    assert len(code) < 2 or first_diagram < code[1], "the diagram comes after lesson code"


@pytest.mark.parametrize("chapter", CONVERTED, ids=lambda c: c.file)
def test_every_claim_is_demonstrated(chapter):
    nb = read(chapter)
    shown = {
        m.group(1) for c in code_cells(nb) if (m := re.match(r"# claim: ([\w.+-]+)", c.source))
    }
    missing = set(chapter.claims) - LATER - shown
    assert not missing, f"claims with no `# claim:` cell: {sorted(missing)}"


@pytest.mark.parametrize("chapter", CONVERTED, ids=lambda c: c.file)
def test_exercises_are_stubs_with_checks_and_solutions_apart(chapter):
    nb = read(chapter)
    stubs, checks = exercises.stubs(nb), exercises.checks(nb)
    answers = exercises.solutions(chapter.file)
    if chapter.file != "00-start-here.ipynb":
        assert len(stubs) >= 2, f"{len(stubs)} exercises (at least two from chapter 01 on)"
    assert len(checks) >= len(stubs), "every exercise needs a cell tagged exercise-check"
    assert set(stubs) == set(answers), f"stubs {sorted(stubs)} vs solutions {sorted(answers)}"
    text = "\n".join(c.source for c in nb.cells)
    for exercise, answer in answers.items():
        body = answer.split("\n", 1)[1].strip()
        assert body not in text, f"the solution of {exercise} is in the notebook"
        assert "not yet" not in answer, f"{exercise}: the solution prints 'not yet'"


def test_the_saved_lessons_are_in_sync_with_their_chapters():
    from tools import save_lessons

    assert save_lessons.outdated(write=False) == [], "run `make lessons`"
