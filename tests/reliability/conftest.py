"""Collects the reliability figures and prints them as one summary line at the end."""

from __future__ import annotations

from collections import Counter

import pytest

FIGURES: Counter = Counter()
PROBLEMS: list[str] = []


@pytest.fixture
def figures():
    return FIGURES


def pytest_terminal_summary(terminalreporter):
    if not FIGURES:
        return
    f = FIGURES
    terminalreporter.write_line(
        f"reliability: {f['notebooks']} notebooks × 2 runs ok, {f['interrupts']} interrupts ok, "
        f"{f['leftover_processes']} processes / {f['leftover_ports']} ports left, "
        f"{f['non_loopback']} non-loopback listeners, {f['servers']} servers × "
        f"{f['fault_kinds']} faults ({f['faults_survived']} of {f['faults_tried']} survived, "
        f"{f['ids_survived']} of {f['ids_tried']} unknown ids refused)"
    )
