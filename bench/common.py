"""Shared plumbing: where results go, one figure, percentiles, the processes of a benchmark."""

from __future__ import annotations

import contextlib
import json
import os
import platform
import re
import subprocess
import sys
import time
from pathlib import Path

from course_lib import processes
from course_lib.servers import ProcessServer, start_process

ROOT = Path(__file__).resolve().parent.parent
OUT = Path(os.environ.get("BENCH_OUT", ROOT / "build" / "bench"))
# Each child in a session of its own, like the kernels jupyter_client starts: with autogroup
# scheduling each session gets a fair CPU share, so the kernel and a plain process compete evenly.
CHILD = {"cwd": ROOT, "start_new_session": True}


CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))  # as the browser tests
ARTIFACTS = ROOT / "test-artifacts"  # where the browser tests note what they timed


def browser_tests(test_file: str, noted: str, **env) -> dict[str, Path]:
    """Run one file of ``tests/browser`` in a pytest of its own; the files it noted, fresh.

    ``noted`` is a glob in ``test-artifacts`` (old copies are removed first, so a file that is
    read is one this run wrote); ``env`` adds to the environment (``BOOK_SITE=...``).
    """
    for old in ARTIFACTS.glob(noted):
        old.unlink()
    args = ["-m", "pytest", f"tests/browser/{test_file}", "-q", "-p", "no:cacheprovider"]
    proc = subprocess.run(
        [sys.executable, *args], cwd=ROOT, env={**os.environ, **env}, timeout=1200
    )
    assert proc.returncode == 0, f"tests/browser/{test_file} failed: run it to see why"
    return {path.name: path for path in ARTIFACTS.glob(noted)}


def figure(name, value, unit, *, at_most=None, at_least=None, note="", compare=True) -> dict:
    """One row of results; ``met`` says whether ``value`` meets its target (if ``compare``)."""
    target, op = (at_most, "<=") if at_most is not None else (at_least, ">=")
    met = None
    if target is None:
        op = None
    elif compare and value is not None:
        met = bool(value <= target if op == "<=" else value >= target)
    value = None if value is None else round(float(value), 4)
    return {
        "name": name,
        "value": value,
        "unit": unit,
        "target": target,
        "op": op,
        "met": met,
        "note": note,
    }


def percentile(values: list[float], p: float) -> float:
    """The ``p``-th percentile (nearest rank) of ``values``."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1))]


def loadgen(mode: str, timeout: float = 300, **options) -> dict:
    """Run ``bench.loadgen`` in a process of its own; its JSON report."""
    args = [sys.executable, "-m", "bench.loadgen", json.dumps({"mode": mode, **options})]
    proc = processes.spawn(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **CHILD)
    try:
        out, err = proc.communicate(timeout=timeout)
    finally:
        processes.end(proc)
    if proc.returncode != 0:
        raise RuntimeError(f"loadgen {mode} exited {proc.returncode}: {err[-3000:]}")
    return json.loads(out.splitlines()[-1])


def serve_plain(kind: str) -> ProcessServer:
    """``bench.apps`` ``kind`` served by a plain Python process."""
    return start_process(
        ["python", "-m", "bench.apps", kind, "{port}"], f"bench-{kind}", timeout=30, **CHILD
    )


def python_speed_ms() -> float:
    """This machine's speed, to compare results across hosts: a million-step loop, best of 5."""
    times = []
    for _ in range(5):
        started = time.perf_counter()
        sum(i * i for i in range(1_000_000))
        times.append(time.perf_counter() - started)
    return round(min(times) * 1000, 1)


def machine() -> dict:
    cpu = "unknown"
    with contextlib.suppress(OSError):
        names = re.findall(r"model name\s*: (.*)", Path("/proc/cpuinfo").read_text())
        cpu = names[0] if names else cpu
    return {
        "cores": os.cpu_count(),
        "cpu": cpu,
        "python": platform.python_version(),
        "python_loop_ms": python_speed_ms(),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "started": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
    }
