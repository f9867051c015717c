"""The benchmark suite at small N (``bench/run.py --smoke``), so that ``make bench`` cannot rot.

The full run (``make bench``) is not part of ``make test``; this runs every benchmark once at a
small N into a temporary folder (never over ``bench/results.json``) in about a minute.
"""

import json
import math
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCHMARKS = {"notebooks", "embedding", "fanout", "timeline", "polling"}
REQUIRED = [
    "notebook 00 run time",
    "notebook 00 deliberate waits (union)",
    "notebooks total run time",
    "served from a kernel: requests/s",
    "plain process: requests/s",
    "kernel / plain requests/s",
    "loopback floor (asyncio echo): round trips/s",
    "SSE from a kernel @100: p99",
    "timeline: events to a figure",
    "short polling (1 s): requests/s",
    "long polling: bytes/s",
    "SSE: server CPU",
]


def test_bench_smoke(tmp_path):
    out = tmp_path / "bench"
    proc = subprocess.run(
        [sys.executable, "-m", "bench.run", "--smoke", "--out", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    results = json.loads((out / "results.json").read_text())
    for entry in results:
        assert {"name", "value", "unit", "target", "met"} <= entry.keys()
    by_name = {r["name"]: r for r in results}
    assert {r["benchmark"] for r in results} == BENCHMARKS
    for name in REQUIRED:
        value = by_name[name]["value"]
        assert isinstance(value, int | float) and math.isfinite(value), (name, value)
    for bench in BENCHMARKS:
        assert any(
            isinstance(r["value"], int | float) for r in results if r["benchmark"] == bench
        ), bench
    assert (out / "RESULTS.md").read_text().startswith("# Benchmark results")
    assert (out / "fanout.html").exists()
