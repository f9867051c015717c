"""Every chapter in JupyterLab + Chromium; two halves, so two test workers share the load."""

import pytest

from course_lib.chapters import CHAPTERS
from tests.browser.chapter_check import check_chapter_in_jupyterlab

CHAPTER_FILES = [
    pytest.param(c.file, marks=pytest.mark.xdist_group(f"browser-{i % 2}"))
    for i, c in enumerate(CHAPTERS)
]


@pytest.mark.parametrize("notebook", CHAPTER_FILES)
def test_chapter_runs_and_renders_in_jupyterlab(notebook, lab, browser):
    check_chapter_in_jupyterlab(notebook, lab, browser)
