"""Every chapter in JupyterLab + Chromium."""

import pytest

from course_lib.chapters import CHAPTERS
from tests.browser.chapter_check import check_chapter_in_jupyterlab

CHAPTER_FILES = [c.file for c in CHAPTERS]


@pytest.mark.parametrize("notebook", CHAPTER_FILES)
def test_chapter_runs_and_renders_in_jupyterlab(notebook, lab, browser):
    check_chapter_in_jupyterlab(notebook, lab, browser)
