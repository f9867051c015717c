"""A run on a calm loop: ``await calmest(measure, ...)`` for claims timed in tens of milliseconds.

A busy machine can deschedule the kernel for a few hundred milliseconds. A claim that times
answers 30 ms apart then sees a run that says nothing about the pattern. ``calmest`` runs
``measure`` with a heartbeat on the event loop: a task that wakes every ``TICK`` seconds and
notes the longest gap between its ticks. A run in which the loop never stalled for ``calm``
seconds counts at once. Otherwise ``measure`` runs again, at most ``tries`` times in all, and the
run with the shortest stall counts. The choice looks only at the heartbeat, never at what the run
measured, so it cannot pick the result a claim wants.
First used in ``08-multiplexing-and-pooling``.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from typing import TypeVar

TICK = 0.005  # seconds between the heartbeat's ticks

T = TypeVar("T")


class Heartbeat:
    """Ticks on the running loop while a block runs; ``longest`` is its longest gap, in seconds."""

    def __init__(self):
        self.longest, self.ticks = 0.0, 0
        self._loop = asyncio.get_running_loop()
        self._last = self._loop.time()
        self._task = self._loop.create_task(self._beat())

    async def _beat(self) -> None:
        while True:
            await asyncio.sleep(TICK)
            self._tick()

    def _tick(self) -> None:
        now = self._loop.time()
        self.longest, self.ticks, self._last = (
            max(self.longest, now - self._last),
            self.ticks + 1,
            now,
        )

    async def stop(self) -> float:
        self._tick()  # the gap before the block's end counts too
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task
        return self.longest


async def calmest(
    measure: Callable[..., Awaitable[T]], *args, calm: float = 0.025, tries: int = 5
) -> T:
    """The result of ``await measure(*args)`` in the calmest of at most ``tries`` runs."""
    if tries < 1 or calm <= TICK:
        raise ValueError(f"need tries >= 1 and calm > {TICK} s, got tries={tries}, calm={calm}")
    runs: list[tuple[float, T]] = []
    for _ in range(tries):
        beat = Heartbeat()
        try:
            result = await measure(*args)
        finally:
            stall = await beat.stop()
        runs.append((stall, result))
        if stall < calm:
            break
    return min(runs, key=lambda run: run[0])[1]
