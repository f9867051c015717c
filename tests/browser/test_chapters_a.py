"""Chapters 00–05 in JupyterLab + Chromium (two files, so two test workers share the load)."""

import pytest

from course_lib.chapters import CHAPTERS
from tests.browser.chapter_check import check_chapter_in_jupyterlab
from tests.browser.conftest import ROOT

NOTEBOOKS = [c.file for c in CHAPTERS[0:6] if (ROOT / "notebooks" / c.file).exists()]


@pytest.mark.parametrize("notebook", NOTEBOOKS)
def test_chapter_runs_and_renders_in_jupyterlab(notebook, lab, browser):
    check_chapter_in_jupyterlab(notebook, lab, browser)
