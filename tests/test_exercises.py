"""Every exercise run both ways: as shipped every check says "not yet", solved every one says ✓."""

import pytest

from tests.test_form import CONVERTED
from tools import exercises
from tools.notebook_runner import ChapterRun, load

WITH_EXERCISES = [c for c in CONVERTED if exercises.stubs(load(c.file))]


def check_lines(chapter, solved: bool) -> list[str]:
    nb = load(chapter.file)
    if solved:
        nb = exercises.with_solutions(nb, chapter.file)
    with ChapterRun(nb) as run:
        run.all()
        return [run.text(i).strip() for i in exercises.checks(nb)]


@pytest.mark.parametrize("chapter", WITH_EXERCISES, ids=lambda c: c.file)
def test_as_shipped_every_check_says_not_yet(chapter):
    said = check_lines(chapter, solved=False)
    wrong = [line for line in said if "not yet" not in line or "✓" in line]
    assert not wrong, f"checks that did not say 'not yet' for the stub: {wrong}"


@pytest.mark.parametrize("chapter", WITH_EXERCISES, ids=lambda c: c.file)
def test_with_the_solutions_every_check_passes(chapter):
    said = check_lines(chapter, solved=True)
    wrong = [line for line in said if "✓" not in line or "not yet" in line]
    assert not wrong, f"checks that did not pass with the solution: {wrong}"
