"""Course run time: every chapter executed headless, and its deliberate waits.

A preamble cell (added to the kernel, not to the file) records each *deliberate* wait, the time
the lesson asks for rather than the time the machinery costs:

- a sleep called by notebook code (a handler's work, say), by lesson code saved from a notebook
  (``course_lib/lessons``) or by the explorer's debounce;
- CPU work a notebook does on purpose as a stand-in for a real cost, with ``hashlib`` (a
  password check's PBKDF2, the SHA-256 that stands in for handling an event);
- a timeout that fires under notebook code (``wait_for``, ``asyncio.timeout``, a library's
  ``fetch(timeout=...)``): the notebook waited for something not to come;
- the emulated network of ``course_lib.network``: bytes held in flight on a link (its round
  trip, pacing and retransmission), and a balancer's idle timeout when it fires;
- a database told to wait (``pg_sleep``), a JetStream pull that waits out its timeout.

The last two are hooked between cells, once the notebook has imported their modules (the bench
imports nothing for it). The union of all of them is the time at least one was pending
(overlaps count once), within the cells' run (not between them). What a learner feels is the
rest: run time minus the waits minus the floor (an empty cell's round trip, times the chapter's
code cells). Waits inside child processes are not seen.
"""

from __future__ import annotations

import time
from pathlib import Path

import nbformat

from tools.notebook_runner import NOTEBOOKS, CellError, ChapterRun

PREAMBLE = r"""
def _bench_wait_recorder():
    import asyncio, hashlib, sys, time
    intervals, clock, hooked = [], time.perf_counter, set()
    real_sleep, real_async_sleep = time.sleep, asyncio.sleep
    real_wait_for, real_timeout = asyncio.wait_for, asyncio.timeout

    def notebook(code):
        return "ipykernel_" in code.co_filename or code.co_filename.startswith("<ipython")

    def deliberate():  # is our caller's caller notebook code (or saved from it), or the explorer?
        code = sys._getframe(2).f_code
        return notebook(code) or "course_lib/lessons/" in code.co_filename or (
            code.co_filename.endswith("course_lib/explorer.py"))

    def under_notebook():  # is notebook code up the stack, in this task (a library's timeout)?
        frame = sys._getframe(2)  # (the loop steps every task under the cell's frame: stop there)
        while frame is not None and not frame.f_code.co_filename.endswith("asyncio/events.py"):
            if notebook(frame.f_code):
                return True
            frame = frame.f_back
        return False

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
        return timed(waiting, False) if timeout is not None and under_notebook() else waiting

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
        return Timeout(delay) if delay is not None and under_notebook() else real_timeout(delay)

    def stand_in(work):  # a hashlib function, timed when notebook code calls it
        def worked(*args, **kwargs):
            start = clock()
            try:
                return work(*args, **kwargs)
            finally:
                if deliberate():
                    intervals.append((start, clock()))

        return worked

    def on_loop(start, end):  # an interval in the event loop's clock
        offset = clock() - asyncio.get_running_loop().time()
        intervals.append((start + offset, end + offset))

    def hook_network(network):  # bytes held in flight; a balancer's idle timeout firing
        enqueue, one_way, watch = (
            network._Direction._enqueue, network.Link._one_way, network._Connection._watch_idle)

        def held(self, at, data):
            if data:
                on_loop(self.link._loop.time(), at)
            return enqueue(self, at, data)

        def flying(self):  # a datagram's time on the way (without pacing: a lower bound)
            seconds = one_way(self)
            on_loop(self._loop.time(), self._loop.time() + seconds)
            return seconds

        async def watched(self):
            await watch(self)
            now = self.link._loop.time()
            if now >= self.last_activity + self.link.idle_timeout:
                on_loop(self.last_activity, now)

        network._Direction._enqueue, network.Link._one_way = held, flying
        network._Connection._watch_idle = watched

    def hook_asyncpg(pool):  # a query told to sleep in the database
        execute = pool.Pool.execute

        async def executed(self, query, *args, **kwargs):
            start = clock()
            try:
                return await execute(self, query, *args, **kwargs)
            finally:
                if "pg_sleep" in query:
                    intervals.append((start, clock()))

        pool.Pool.execute = executed

    def hook_nats(client):  # a pull that waits out its timeout for a batch that is not there
        fetch = client.JetStreamContext.PullSubscription.fetch

        async def fetched(self, batch=1, timeout=5, *args, **kwargs):
            start, got = clock(), []
            try:
                got = await fetch(self, batch, timeout, *args, **kwargs)
                return got
            finally:
                if len(got) < batch:
                    intervals.append((start, clock()))

        client.JetStreamContext.PullSubscription.fetch = fetched

    HOOKS = {"course_lib.network": hook_network, "asyncpg.pool": hook_asyncpg,
             "nats.js.client": hook_nats}

    def hook():  # called between cells, outside the timed run
        for name, install in HOOKS.items():
            if name in sys.modules and name not in hooked:
                install(sys.modules[name])
                hooked.add(name)

    asyncio.sleep, time.sleep, asyncio.wait_for, asyncio.timeout = (
        async_sleep, sleep, wait_for, timeout)
    hashlib.pbkdf2_hmac, hashlib.sha256 = stand_in(hashlib.pbkdf2_hmac), stand_in(hashlib.sha256)
    return intervals, hook

_bench_waits, _bench_hook = _bench_wait_recorder()
del _bench_wait_recorder
"""


def union_seconds(intervals: list[tuple[float, float]]) -> float:
    """The length of the union of ``intervals`` (overlaps counted once)."""
    total, end = 0.0, float("-inf")
    for start, stop in sorted(intervals):
        total += max(0.0, stop - max(start, end))
        end = max(end, stop)
    return total


def waited_in(intervals: list, windows: list) -> float:
    """The union of ``intervals`` within the cells' ``windows`` (a wait between cells is not)."""
    return sum(
        union_seconds(
            [(max(a, start), min(b, stop)) for a, b in intervals if a < stop and b > start]
        )
        for start, stop in windows
    )


def run_notebook(path: Path, nb=None) -> dict:
    """Execute ``path`` (or ``nb``, in ``path``'s folder): run time, waits, unexpected errors."""
    nb = nbformat.read(path, as_version=4) if nb is None else nb
    errors, windows = [], []
    with ChapterRun(nb, path.parent, timeout=300) as run:
        run.execute(PREAMBLE)
        for index, cell in enumerate(nb.cells):
            if cell.cell_type != "code":
                continue
            started = time.perf_counter()  # the kernel's clock too (CLOCK_MONOTONIC on Linux)
            try:
                run.cell(index)  # a cell tagged raises-exception may raise, as in nbval
            except CellError as exc:
                errors.append(f"cell {index}: {exc.text.strip().splitlines()[-1][:120]}")
            windows.append((started, time.perf_counter()))
            run.execute("_bench_hook()")
        waits = run.eval("_bench_waits")
    return {
        "run_s": sum(stop - start for start, stop in windows),
        "waits_s": waited_in(waits, windows),
        "cells": len(windows),
        "errors": errors,
    }


def test_notebooks(smoke, record):
    paths = sorted(NOTEBOOKS.glob("[0-9][0-9]-*.ipynb"))[: 1 if smoke else None]
    # The floor: what an empty cell costs (a round trip to the kernel), times a chapter's cells.
    empty = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("pass") for _ in range(50)])
    per_cell = run_notebook(NOTEBOOKS / "empty.ipynb", nb=empty)["run_s"] / 50
    record("empty cell run time (the floor, per cell)", per_cell * 1000, "ms")
    total = 0.0
    for path in paths:
        row, chapter = run_notebook(path), path.name[:2]
        overhead = row["run_s"] - row["waits_s"] - per_cell * row["cells"]
        print(
            f"  {path.name}: {row['run_s']:.1f} s, waits {row['waits_s']:.1f} s, "
            f"beyond: {overhead:.1f} s"
        )
        note = f"unexpected error: {'; '.join(row['errors'])}" if row["errors"] else ""
        limit = 40.0 if chapter == "11" else 20.0
        record(f"notebook {chapter} run time", row["run_s"], "s", at_most=limit, note=note)
        record(f"notebook {chapter} deliberate waits (in its cells)", row["waits_s"], "s")
        record(f"notebook {chapter} beyond its waits and the floor", overhead, "s", at_most=1.0)
        total += row["run_s"]
    record("notebooks total run time", total, "s", at_most=100.0)
