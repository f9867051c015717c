"""Course run time: every chapter executed headless, and its deliberate waits.

A preamble cell (added to the kernel, not to the file) wraps ``asyncio.sleep``, ``time.sleep``,
``asyncio.wait_for`` and ``asyncio.timeout`` to record each *deliberate* wait: a sleep called by
notebook code (or by the explorer's debounce), and a timeout only when it fires. Their union is
the time at least one was pending (sleeps overlapped by ``gather`` count once). What a learner
feels is the rest: run time minus the waits minus the floor (an empty notebook's run time).
Waits inside child processes are not seen.
"""

from __future__ import annotations

import time
from pathlib import Path

import nbformat

from tools.notebook_runner import NOTEBOOKS, CellError, ChapterRun

PREAMBLE = r"""
def _bench_wait_recorder():
    import asyncio, sys, time
    intervals, clock = [], time.perf_counter
    real_sleep, real_async_sleep = time.sleep, asyncio.sleep
    real_wait_for, real_timeout = asyncio.wait_for, asyncio.timeout

    def deliberate():  # is the caller of our caller notebook code, or the explorer?
        name = sys._getframe(2).f_code.co_filename
        return ("ipykernel_" in name or name.startswith("<ipython")
                or name.endswith("course_lib/explorer.py"))

    async def timed(awaitable, always):
        start = clock()
        try:
            return await awaitable
        except TimeoutError:
            always = True
            raise
        finally:
            if always:
                intervals.append((start, clock()))

    def async_sleep(delay, result=None):
        sleeping = real_async_sleep(delay, result)
        return timed(sleeping, True) if delay and delay > 0 and deliberate() else sleeping

    def wait_for(aw, timeout):
        waiting = real_wait_for(aw, timeout)
        return timed(waiting, False) if timeout is not None and deliberate() else waiting

    def sleep(seconds):
        start = clock()
        try:
            return real_sleep(seconds)
        finally:
            if seconds and seconds > 0 and deliberate():
                intervals.append((start, clock()))

    class Timeout:
        def __init__(self, delay):
            self.inner, self.start = real_timeout(delay), clock()

        async def __aenter__(self):
            return await self.inner.__aenter__()

        async def __aexit__(self, *exc):
            try:
                return await self.inner.__aexit__(*exc)
            except TimeoutError:
                intervals.append((self.start, clock()))
                raise

    def timeout(delay):
        return Timeout(delay) if delay is not None and deliberate() else real_timeout(delay)

    asyncio.sleep, time.sleep, asyncio.wait_for, asyncio.timeout = (
        async_sleep, sleep, wait_for, timeout)
    return intervals

_bench_waits = _bench_wait_recorder()
del _bench_wait_recorder
"""


def union_seconds(intervals: list[tuple[float, float]]) -> float:
    """The length of the union of ``intervals`` (overlaps counted once)."""
    total, end = 0.0, float("-inf")
    for start, stop in sorted(intervals):
        total += max(0.0, stop - max(start, end))
        end = max(end, stop)
    return total


def run_notebook(path: Path, nb=None) -> dict:
    """Execute ``path`` (or ``nb``, in ``path``'s folder): run time, waits, unexpected errors."""
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
        waits = run.eval("_bench_waits")
    return {"run_s": run_s, "waits_s": union_seconds(waits), "errors": errors}


def test_notebooks(smoke, record):
    paths = sorted(NOTEBOOKS.glob("[0-9][0-9]-*.ipynb"))[: 1 if smoke else None]
    # The floor: a notebook of one empty cell costs a kernel connection and a cell round trip.
    empty = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("pass")])
    floor = run_notebook(NOTEBOOKS / "empty.ipynb", nb=empty)["run_s"]
    record("empty notebook run time (the floor)", floor, "s")
    total = 0.0
    for path in paths:
        row, chapter = run_notebook(path), path.name[:2]
        overhead = row["run_s"] - row["waits_s"] - floor
        print(
            f"  {path.name}: {row['run_s']:.1f} s, waits {row['waits_s']:.1f} s, "
            f"beyond: {overhead:.1f} s"
        )
        note = f"unexpected error: {'; '.join(row['errors'])}" if row["errors"] else ""
        limit = 40.0 if chapter == "11" else 20.0
        record(f"notebook {chapter} run time", row["run_s"], "s", at_most=limit, note=note)
        record(f"notebook {chapter} deliberate waits (union)", row["waits_s"], "s")
        record(f"notebook {chapter} beyond its waits and the floor", overhead, "s", at_most=1.0)
        total += row["run_s"]
    record("notebooks total run time", total, "s", at_most=100.0)
