"""Collects the reliability figures; each test worker writes them to a file at the end.

``tests/conftest.py`` adds the files up and prints the summary line (under pytest-xdist the
controller never loads this file).
"""

from __future__ import annotations

import json
import os

from tests.artifacts import RELIABILITY_FIGURES
from tests.reliability.figures import FIGURES


def pytest_sessionfinish(session):
    if FIGURES:
        RELIABILITY_FIGURES.mkdir(parents=True, exist_ok=True)
        worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
        (RELIABILITY_FIGURES / f"{worker}.json").write_text(json.dumps(FIGURES))
