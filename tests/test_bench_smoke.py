"""The benchmarks at a small N (``pytest bench --smoke``), so that ``make bench`` cannot rot.

Written into a temporary folder (never over ``build/bench``); every benchmark must report its
figures, each a finite number, and ``bench.results`` must turn them into RESULTS.md.
"""

import json
import math
import os
import subprocess
import sys
from pathlib import Path

from bench.results import markdown

ROOT = Path(__file__).resolve().parent.parent
BENCHMARKS = {"notebooks", "embedding", "fanout", "timeline", "polling", "network"}
REQUIRED = [
    "notebook 00 run time",
    "notebook 00 beyond its waits and the floor",
    "served from a kernel: requests/s",
    "plain process: requests/s",
    "kernel / plain requests/s",
    "loopback floor (asyncio echo): round trips/s",
    "SSE from a kernel @100: p99",
    "timeline: events to a figure",
    "short polling (1 s): requests/s",
    "long polling: bytes/s",
    "SSE: server CPU",
    "added by the link",
]


def test_bench_smoke(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "bench", "--smoke", "-q", "-p", "no:cacheprovider"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=240,
        env={**os.environ, "BENCH_OUT": str(tmp_path)},
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    measured = json.loads((tmp_path / "results.json").read_text())
    assert set(measured["benchmarks"]) == BENCHMARKS
    by_name = {r["name"]: r for b in measured["benchmarks"].values() for r in b["rows"]}
    for name in REQUIRED:
        value = by_name[name]["value"]
        assert isinstance(value, int | float) and math.isfinite(value), (name, value)
    assert markdown(measured).startswith("# Benchmark results")
