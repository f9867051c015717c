"""The explorer, seen in the browser: from moving a control to the redrawn figure.

Runs the browser tests (``tests/browser/test_chapters.py``: JupyterLab and Chromium, each
chapter's explorer moved control by control) and reads what they noted for each control: the
time until the new figure was drawn, and the measurement the explorer reported ("measured in
... s"). The difference is the explorer's own cost: its pause before measuring (the debounce),
the widget round trip and the redraw. Full runs only: in ``make test`` the browser tests run it.
"""

import json
import statistics

import pytest

from course_lib.chapters import CHAPTERS

from .common import CHROMIUM, browser_tests


def test_explorer(smoke, record):
    if smoke or not CHROMIUM.exists():
        pytest.skip("a full run with Chromium only (make test runs the browser tests themselves)")
    noted = browser_tests("test_chapters.py", "explorer-redraw-*.json")
    for chapter in CHAPTERS:
        stem = chapter.file.removesuffix(".ipynb")
        moves = json.loads(noted[f"explorer-redraw-{stem}.json"].read_text())
        beyond = [m["seen_s"] - m["measured_s"] for m in moves if m["measured_s"] is not None]
        record(
            f"explorer {stem[:2]}: redraw beyond its measurement (median)",
            statistics.median(beyond),
            "s",
            at_most=0.3,
            note=f"{len(beyond)} controls moved",
        )
