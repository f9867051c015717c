"""The explorer, seen in the browser: from moving a control to the redrawn figure.

Runs the browser tests (``tests/browser/test_chapters.py``: JupyterLab and Chromium, each
chapter's explorer moved control by control) and reads what they noted for each control: the
time until the new figure was drawn, and the measurement the explorer reported ("measured in
... s"). The difference is the explorer's own cost: its pause before measuring (the debounce),
the widget round trip and the redraw. Full runs only: in ``make test`` the browser tests run it.
"""

import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

import pytest

from course_lib.chapters import CHAPTERS

from .common import ROOT

CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))  # as the browser tests
NOTED = ROOT / "test-artifacts"


def test_explorer(smoke, record):
    if smoke or not CHROMIUM.exists():
        pytest.skip("a full run with Chromium only (make test runs the browser tests themselves)")
    for old in NOTED.glob("explorer-redraw-*.json"):
        old.unlink()
    browser_tests = ["tests/browser/test_chapters.py", "-q", "-p", "no:cacheprovider"]
    proc = subprocess.run([sys.executable, "-m", "pytest", *browser_tests], cwd=ROOT, timeout=1200)
    assert proc.returncode == 0, "the browser tests failed: run them to see why"
    for chapter in CHAPTERS:
        stem = chapter.file.removesuffix(".ipynb")
        noted = json.loads((NOTED / f"explorer-redraw-{stem}.json").read_text())
        beyond = [r["seen_s"] - r["measured_s"] for r in noted if r["measured_s"] is not None]
        record(
            f"explorer {stem[:2]}: redraw beyond its measurement (median)",
            statistics.median(beyond),
            "s",
            at_most=0.3,
            note=f"{len(beyond)} controls moved",
        )
