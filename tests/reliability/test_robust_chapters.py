"""Every chapter run twice, attacked, shut down (see ``robustness.py``)."""

import pytest

from course_lib.chapters import CHAPTERS
from tests.reliability.robustness import run_twice_attack_and_shut_down

CHAPTER_FILES = [c.file for c in CHAPTERS]


@pytest.mark.parametrize("notebook", CHAPTER_FILES)
def test_run_twice_attack_and_shut_down(notebook):
    run_twice_attack_and_shut_down(notebook)
