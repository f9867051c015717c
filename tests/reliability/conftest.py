"""Collects the reliability figures and prints them as one summary line at the end.

Under pytest-xdist each worker writes its figures to a file; the controller adds them up.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from pathlib import Path

FIGURES: Counter = Counter()
FOLDER = Path(__file__).resolve().parents[2] / "test-artifacts" / "reliability-figures"


def pytest_sessionstart(session):
    if not hasattr(session.config, "workerinput"):  # the controller, or a run without xdist
        FOLDER.mkdir(parents=True, exist_ok=True)
        for old in FOLDER.glob("*.json"):
            old.unlink()


def pytest_sessionfinish(session):
    if FIGURES:
        FOLDER.mkdir(parents=True, exist_ok=True)
        worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
        (FOLDER / f"{worker}.json").write_text(json.dumps(FIGURES))


def pytest_terminal_summary(terminalreporter):
    f = Counter()
    for path in FOLDER.glob("*.json"):
        f.update(json.loads(path.read_text()))
    if not f:
        return
    terminalreporter.write_line(
        f"reliability: {f['notebooks']} notebooks × 2 runs ok, {f['interrupts']} interrupts ok, "
        f"{f['leftover_processes']} processes / {f['leftover_ports']} ports left, "
        f"{f['non_loopback']} non-loopback listeners, {f['servers']} servers × "
        f"{f['fault_kinds']} faults ({f['faults_survived']} of {f['faults_tried']} survived, "
        f"{f['ids_survived']} of {f['ids_tried']} unknown ids refused)"
    )
