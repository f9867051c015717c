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


def run_notebook(path: Path, timeout: float = 300, nb=None) -> dict:
    """Execute ``path`` (or the notebook ``nb``, run in ``path``'s folder) and time it."""
    import nbformat
    from nbclient import NotebookClient

    if nb is None:
        nb = nbformat.read(path, as_version=4)
    cells = len(nb.cells)
    nb.cells.insert(0, nbformat.v4.new_code_cell(PREAMBLE))
    nb.cells.append(nbformat.v4.new_code_cell(REPORT))
    client = NotebookClient(
        nb,
        timeout=timeout,
        kernel_name="python3",
        allow_errors=True,
        record_timing=True,
        resources={"metadata": {"path": str(path.parent)}},
    )
    started = time.perf_counter()
    client.execute()
    run_s = time.perf_counter() - started
    # Errors a chapter shows on purpose are in cells tagged "raises-exception" (as for nbval).
    errors = [
        f"cell {i} {o.get('ename', 'error')}: {o.get('evalue', '')[:120]}"
        for i, c in enumerate(nb.cells[1:-1])
        if c.cell_type == "code" and "raises-exception" not in c.metadata.get("tags", [])
        for o in c.get("outputs", [])
        if o.get("output_type") == "error"
    ]
    intervals: list = []
    for o in nb.cells[-1].get("outputs", []):
        for line in o.get("text", "").splitlines():
            if line.startswith("BENCH-WAITS "):
                intervals = json.loads(line[len("BENCH-WAITS ") :])
    spans = [(a, b) for a, b, _ in intervals]
    return {
        "notebook": path.name,
        "cells": cells,
        "run_s": run_s,
        "waits_union_s": union_seconds(spans),
        "waits_sum_s": sum(b - a for a, b in spans),
        "waits": len(spans),
        "timeouts_fired": sum(k == "timeout" for *_, k in intervals),
        "errors": errors,
    }


def run(smoke: bool, log) -> tuple[list, dict]:
    paths = sorted((ROOT / "notebooks").glob("[0-9][0-9]-*.ipynb"))
    if smoke:
        paths = [p for p in paths if p.name.startswith("00-")]
    import nbformat

    # The floor: a notebook of one empty cell costs a kernel start, a connection and a shutdown.
    # (Not in the smoke run, which has a time budget.)
    rows, results, floor = [], [], None
    if not smoke:
        empty = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("pass")])
        floor = run_notebook(ROOT / "notebooks" / "empty.ipynb", nb=empty)
        log(f"  an empty notebook: {floor['run_s']:.1f} s")
        results.append(
            result(
                BENCHMARK,
                "empty notebook run time (the floor)",
                floor["run_s"],
                "s",
                note="kernel start, one empty cell, shutdown",
            )
        )
    for path in paths:
        row = run_notebook(path)
        rows.append(row)
        chapter = path.name[:2]
        limit = 40.0 if chapter == "11" else 20.0
        waits = row["waits_union_s"]
        ratio = row["run_s"] / waits if waits > 0 else None
        log(
            f"  {path.name}: {row['run_s']:.1f} s, deliberate waits {waits:.1f} s "
            f"(sum {row['waits_sum_s']:.1f} s), errors {len(row['errors'])}"
        )
        note = f"unexpected error: {'; '.join(row['errors'])}" if row["errors"] else ""
        results += [
            result(
                BENCHMARK,
                f"notebook {chapter} run time",
                row["run_s"],
                "s",
                at_most=limit,
                note=note,
            ),
            result(BENCHMARK, f"notebook {chapter} deliberate waits (union)", waits, "s"),
            result(
                BENCHMARK, f"notebook {chapter} deliberate waits (sum)", row["waits_sum_s"], "s"
            ),
            result(
                BENCHMARK,
                f"notebook {chapter} run time / deliberate waits",
                ratio,
                "x",
                at_most=1.3,
                note="" if ratio is not None else "no deliberate waits",
            ),
        ]
    total = sum(r["run_s"] for r in rows)
    results.append(
        result(
            BENCHMARK,
            "notebooks total run time",
            total,
            "s",
            at_most=None if smoke else 120,
            note=f"{len(rows)} notebook(s)",
        )
    )
    results.append(
        result(
            BENCHMARK,
            "notebooks total deliberate waits (union)",
            sum(r["waits_union_s"] for r in rows),
            "s",
        )
    )
    return results, {"notebooks": rows, "floor": floor}
