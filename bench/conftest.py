"""The benchmarks are pytest tests: ``make bench`` runs them, ``--smoke`` at a small N.

Each test measures one benchmark (its side-by-side pairs in one run) and hands its rows to
``record``; at the end the rows go to ``build/bench/results.json`` (or ``$BENCH_OUT``), from
which ``python -m bench.results`` writes ``bench/RESULTS.md``. A benchmark asserts nothing about
speed: its targets are reported, met or not.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest

from .common import ROOT, close_shared_kernel, machine, stop_children

OUT = Path(os.environ.get("BENCH_OUT", ROOT / "build" / "bench"))


def pytest_addoption(parser):
    parser.addoption("--smoke", action="store_true", help="each benchmark once, at a small N")


@pytest.fixture(scope="session")
def smoke(request) -> bool:
    return request.config.getoption("--smoke")


@pytest.fixture(scope="session")
def rows():
    collected = {"machine": machine(), "benchmarks": {}}
    yield collected
    close_shared_kernel()
    stop_children()
    collected["machine"]["load_average_end"] = [round(x, 2) for x in os.getloadavg()]
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "results.json").write_text(json.dumps(collected, indent=1) + "\n")


@pytest.fixture
def record(rows, smoke):
    """``record(module)``: run ``module.run(smoke, print)`` and keep its rows and details."""

    def measure(module) -> list:
        load, started = round(os.getloadavg()[0], 2), time.perf_counter()
        results, details = module.run(smoke, print)
        rows["benchmarks"][module.BENCHMARK] = {
            "load_average": load,
            "seconds": round(time.perf_counter() - started, 1),
            "rows": [r.as_dict() for r in results],
        }
        (OUT / "details").mkdir(parents=True, exist_ok=True)
        (OUT / "details" / f"{module.BENCHMARK}.json").write_text(json.dumps(details, default=str))
        return results

    return measure
