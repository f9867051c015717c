"""Collects the reliability figures; each test worker writes them to a file at the end.

``tests/conftest.py`` adds the files up and prints the summary line (under pytest-xdist the
controller never loads this file).
"""

from __future__ import annotations

import json
import os
from collections import Counter
from pathlib import Path

FIGURES: Counter = Counter()
FOLDER = Path(__file__).resolve().parents[2] / "test-artifacts" / "reliability-figures"


def pytest_sessionfinish(session):
    if FIGURES:
        FOLDER.mkdir(parents=True, exist_ok=True)
        worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
        (FOLDER / f"{worker}.json").write_text(json.dumps(FIGURES))
