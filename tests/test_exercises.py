"""Every exercise with its solution put in: every check must say ✓.

The other way round (as shipped, every check says "not yet") is checked on the first of the
two runs in ``tests/reliability/robustness.py``, which runs every chapter as shipped anyway.
"""

import pytest

from tests.test_form import CONVERTED
from tools import exercises
from tools.notebook_runner import ChapterRun, load

WITH_EXERCISES = [c for c in CONVERTED if exercises.stubs(load(c.file))]


@pytest.mark.parametrize("chapter", WITH_EXERCISES, ids=lambda c: c.file)
def test_with_the_solutions_every_check_passes(chapter):
    nb = exercises.with_solutions(load(chapter.file), chapter.file)
    with ChapterRun(nb) as run:
        run.all()
        said = [run.text(i).strip() for i in exercises.checks(nb)]
    wrong = [line for line in said if "✓" not in line or "not yet" in line]
    assert not wrong, f"checks that did not pass with the solution: {wrong}"
