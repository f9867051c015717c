"""Chapters 06–11: run twice, attacked, shut down (see ``robustness.py``)."""

import pytest

from course_lib.chapters import CHAPTERS
from tests.reliability.robustness import ROOT, run_twice_attack_and_shut_down

NOTEBOOKS = [c.file for c in CHAPTERS[6:12] if (ROOT / "notebooks" / c.file).exists()]


@pytest.mark.parametrize("notebook", NOTEBOOKS)
def test_run_twice_attack_and_shut_down(notebook):
    run_twice_attack_and_shut_down(notebook)
