"""Every chapter run twice, attacked, shut down (see ``robustness.py``); two halves, two workers."""

import pytest

from course_lib.chapters import CHAPTERS
from tests.reliability.robustness import run_twice_attack_and_shut_down

CHAPTER_FILES = [
    pytest.param(c.file, marks=pytest.mark.xdist_group(f"robust-{i % 2}"))
    for i, c in enumerate(CHAPTERS)
]


@pytest.mark.parametrize("notebook", CHAPTER_FILES)
def test_run_twice_attack_and_shut_down(notebook):
    run_twice_attack_and_shut_down(notebook)
