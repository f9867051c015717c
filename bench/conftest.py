"""The benchmarks are pytest tests: ``make bench`` runs them, ``--smoke`` at a small N.

Each test measures one benchmark, its side-by-side pairs in one run, and hands its figures to
``record``. At the end they go to ``build/bench/results.json`` (or ``$BENCH_OUT``), from which
``python -m bench.results`` writes ``bench/RESULTS.md``. Speed is never asserted: a target is
reported met or missed, and compared only in a full run.
"""

from __future__ import annotations

import json
import os
import time

import nbformat
import pytest

from tools.notebook_runner import ChapterRun

from .common import OUT, ROOT, figure, machine


def pytest_addoption(parser):
    parser.addoption("--smoke", action="store_true", help="each benchmark once, at a small N")


@pytest.fixture(scope="session")
def smoke(request) -> bool:
    return request.config.getoption("--smoke")


@pytest.fixture(scope="session")
def kernel():
    """One kernel, started in the repository, for the servers a kernel hosts."""
    with ChapterRun(nbformat.v4.new_notebook(), ROOT) as run:
        run.execute("import course_lib, bench.apps")
        yield run


@pytest.fixture(scope="session")
def measured():
    results = {"machine": machine(), "benchmarks": {}}
    yield results
    results["machine"]["load_average_end"] = [round(x, 2) for x in os.getloadavg()]
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "results.json").write_text(json.dumps(results, indent=1) + "\n")


@pytest.fixture
def record(request, measured, smoke):
    """``record(name, value, unit, at_most=, at_least=, note=)``: one figure of this test."""
    rows, load, started = [], round(os.getloadavg()[0], 2), time.perf_counter()
    yield lambda *args, **kwargs: rows.append(figure(*args, compare=not smoke, **kwargs))
    if not rows:  # skipped (or broken: the smoke test names every benchmark it expects)
        return
    measured["benchmarks"][request.node.name.removeprefix("test_")] = {
        "load_average": load,
        "seconds": round(time.perf_counter() - started, 1),
        "rows": rows,
    }
