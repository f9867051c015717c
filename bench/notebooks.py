"""1. Course run time: every notebook executed headless with nbclient.

Before the notebook, a preamble cell (added to the in-memory copy; the file is not touched)
wraps ``asyncio.sleep``, ``time.sleep``, ``asyncio.wait_for`` and ``asyncio.timeout`` so that
each *deliberate* wait records its wall-clock interval: a sleep whose caller is notebook code
(or course_lib's explorer, whose debounce is a deliberate pause), and a timeout only when it
fires. After the notebook, a last cell prints the intervals. Their **union** is the time during
which at least one deliberate wait was pending (sleeps overlapped by ``gather`` count once); the
plain **sum** is reported too. Waits inside child processes the notebook starts are not seen.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import nbformat

from tools.notebook_runner import CellError, ChapterRun

from .common import ROOT, result

BENCHMARK = "notebooks"

PREAMBLE = r"""
def _bench_install_wait_recorder():
    import asyncio, sys, threading, time

    lock = threading.Lock()
    intervals = []  # (start, end, kind)
    clock = time.perf_counter

    def deliberate(depth):
        name = sys._getframe(depth + 1).f_code.co_filename
        return ("ipykernel_" in name or name.startswith("<ipython")
                or name.endswith("course_lib/explorer.py"))

    def record(start, kind):
        with lock:
            intervals.append((start, clock(), kind))

    real_async_sleep, real_sleep = asyncio.sleep, time.sleep
    real_wait_for, real_timeout = asyncio.wait_for, asyncio.timeout

    async def timed_sleep(delay, result):
        start = clock()
        try:
            return await real_async_sleep(delay, result)
        finally:
            record(start, "sleep")

    def async_sleep(delay, result=None):
        if delay and delay > 0 and deliberate(1):
            return timed_sleep(delay, result)
        return real_async_sleep(delay, result)

    def sleep(seconds):
        if seconds and seconds > 0 and deliberate(1):
            start = clock()
            try:
                return real_sleep(seconds)
            finally:
                record(start, "sleep")
        return real_sleep(seconds)

    async def timed_wait_for(aw, timeout):
        start = clock()
        try:
            return await real_wait_for(aw, timeout)
        except TimeoutError:
            record(start, "timeout")
            raise

    def wait_for(aw, timeout):
        if timeout is not None and deliberate(1):
            return timed_wait_for(aw, timeout)
        return real_wait_for(aw, timeout)

    class Timeout:
        def __init__(self, delay):
            self.inner = real_timeout(delay)

        async def __aenter__(self):
            self.start = clock()
            await self.inner.__aenter__()
            return self.inner

        async def __aexit__(self, kind, exc, tb):
            try:
                return await self.inner.__aexit__(kind, exc, tb)
            except TimeoutError:
                record(self.start, "timeout")
                raise

    def timeout(delay):
        if delay is not None and deliberate(1):
            return Timeout(delay)
        return real_timeout(delay)

    asyncio.sleep, time.sleep, asyncio.wait_for, asyncio.timeout = (
        async_sleep, sleep, wait_for, timeout)
    return intervals

_bench_wait_intervals = _bench_install_wait_recorder()
del _bench_install_wait_recorder
"""

REPORT = r"""
import json as _bench_json
print("BENCH-WAITS " + _bench_json.dumps(_bench_wait_intervals))
"""


def union_seconds(intervals: list[tuple[float, float]]) -> float:
    """The length of the union of ``intervals`` (overlaps counted once)."""
    total, end = 0.0, float("-inf")
    for start, stop in sorted(intervals):
        if start > end:
            total += stop - start
            end = stop
        elif stop > end:
            total += stop - end
            end = stop
    return total


def run_notebook(path: Path, nb=None) -> dict:
    """Execute ``path`` (or the notebook ``nb``, run in ``path``'s folder) and time it."""
    nb = nbformat.read(path, as_version=4) if nb is None else nb
    errors = []
    with ChapterRun(nb, path.parent, timeout=300) as run:
        run.execute(PREAMBLE)
        started = time.perf_counter()
        for index in range(len(nb.cells)):
            try:
                run.cell(index)  # a cell tagged raises-exception may raise, as in nbval
            except CellError as exc:
                errors.append(f"cell {index}: {exc.text.strip().splitlines()[-1][:120]}")
        run_s = time.perf_counter() - started
        printed = run.execute(REPORT)
    intervals = json.loads(printed.split("BENCH-WAITS ", 1)[1]) if "BENCH-WAITS " in printed else []
    spans = [(a, b) for a, b, _ in intervals]
    return {
        "notebook": path.name,
        "cells": len(nb.cells),
        "run_s": run_s,
        "waits_union_s": union_seconds(spans),
        "waits_sum_s": sum(b - a for a, b in spans),
        "waits": len(spans),
        "errors": errors,
    }


def run(smoke: bool, log) -> tuple[list, dict]:
    """Each chapter's run time, its deliberate waits, and what a learner feels beyond them."""
    paths = sorted((ROOT / "notebooks").glob("[0-9][0-9]-*.ipynb"))
    if smoke:
        paths = paths[:1]
    # The floor: a notebook of one empty cell costs a kernel connection and a cell round trip.
    empty = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("pass")])
    floor = run_notebook(ROOT / "notebooks" / "empty.ipynb", nb=empty)["run_s"]
    results = [result(BENCHMARK, "empty notebook run time (the floor)", floor, "s")]
    rows = []
    for path in paths:
        row = run_notebook(path)
        rows.append(row)
        chapter, waits = path.name[:2], row["waits_union_s"]
        overhead = row["run_s"] - waits - floor
        log(f"  {path.name}: {row['run_s']:.1f} s, waits {waits:.1f} s, beyond: {overhead:.1f} s")
        note = f"unexpected error: {'; '.join(row['errors'])}" if row["errors"] else ""
        limit = 40.0 if chapter == "11" else 20.0
        results += [
            result(BENCHMARK, f"notebook {chapter} run time", row["run_s"], "s", at_most=limit,
                   note=note),
            result(BENCHMARK, f"notebook {chapter} deliberate waits (union)", waits, "s"),
            result(BENCHMARK, f"notebook {chapter} beyond its waits and the floor", overhead, "s",
                   at_most=5.0),
        ]  # fmt: skip
    total = sum(r["run_s"] for r in rows)
    results.append(
        result(BENCHMARK, "notebooks total run time", total, "s", at_most=None if smoke else 150)
    )
    return results, {"notebooks": rows, "floor_s": floor}
